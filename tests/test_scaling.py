"""Z-score on training rows (ddof=0); weights back to original units; property tests."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from linreg_core import DataError, Scaler
from linreg_core.reference import least_squares

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


def spread(X: np.ndarray) -> bool:
    return bool((X.std(axis=0) > 1e-3 * np.maximum(1.0, np.abs(X).max(axis=0))).all())


def test_fit_uses_population_std_like_standard_scaler():
    X = np.array([[1.0, 10.0], [2.0, 20.0], [4.0, 60.0]])
    s = Scaler.fit(X)
    np.testing.assert_allclose(s.mean, X.mean(axis=0))
    np.testing.assert_allclose(s.std, X.std(axis=0, ddof=0))
    Z = s.transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1)


def test_constant_column_is_a_clear_error_not_a_division_by_zero():
    X = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])
    with pytest.raises(DataError, match=r"'rooms'.*same value \(5\).*remove it from the features"):
        Scaler.fit(X, features=("area", "rooms"))
    with pytest.raises(DataError, match=r"'price'.*same value \(7\).*choose another target"):
        Scaler.fit(X[:, :1], np.full(3, 7.0), target="price", scale_target=True)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(3, 30), st.integers(1, 4)), elements=finite))
def test_zscore_round_trip(X):
    assume(spread(X))
    s = Scaler.fit(X)
    np.testing.assert_allclose(s.inverse(s.transform(X)), X, rtol=1e-9, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.float64, st.tuples(st.integers(8, 40), st.integers(1, 3)), elements=finite),
    st.lists(st.floats(-5, 5), min_size=3, max_size=3),
    st.booleans(),
)
def test_weights_back_in_original_units_give_the_same_predictions(X, w, scale_target):
    assume(spread(X))
    y = X @ np.array(w[: X.shape[1]]) + 2.0 + np.linspace(-1, 1, len(X))
    assume(not scale_target or y.std() >= 1e-3 * max(1.0, np.abs(y).max()))
    s = Scaler.fit(X, y, scale_target=scale_target)
    ols = least_squares(s.transform(X), s.transform_target(y))
    w_orig, b_orig = s.to_original(ols.weights, ols.bias)
    scaled_pred = s.inverse_target(s.transform(X) @ ols.weights + ols.bias)
    np.testing.assert_allclose(
        X @ w_orig + b_orig, scaled_pred, rtol=1e-7, atol=1e-6 * (1 + np.abs(y).max())
    )
    # and they are the least-squares weights of the raw data, as they must be when those are
    # unique (collinear columns have many solutions; scaling changes which one is shortest)
    assume(np.linalg.cond(X - X.mean(axis=0)) < 1e6)
    direct = least_squares(X, y)
    np.testing.assert_allclose(
        w_orig, direct.weights, rtol=1e-5, atol=1e-6 * (1 + np.abs(w_orig).max())
    )


def test_original_bias_is_none_only_without_bias_and_without_shift():
    X = np.array([[1.0], [2.0], [3.0]])
    identity = Scaler(np.zeros(1), np.ones(1))
    assert identity.to_original(np.array([2.0]), None)[1] is None
    w, b = Scaler.fit(X).to_original(np.array([2.0]), None)
    assert b == pytest.approx(-2.0 * 2.0 / X.std())
    assert w[0] == pytest.approx(2.0 / X.std())
