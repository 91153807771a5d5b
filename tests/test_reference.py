"""Closed-form least squares against numpy's lstsq; metrics against their definitions."""

from __future__ import annotations

import numpy as np
import pytest

from linreg_core.reference import least_squares, metrics


@pytest.mark.parametrize("bias", [True, False])
def test_least_squares_matches_numpy_lstsq(bias):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(200, 3))
    y = X @ [1.0, -2.0, 0.5] + 3.0 + rng.normal(size=200)
    A = np.hstack([X, np.ones((200, 1))]) if bias else X
    theta, *_ = np.linalg.lstsq(A, y, rcond=None)
    ols = least_squares(X, y, bias=bias)
    np.testing.assert_allclose(ols.weights, theta[:3], rtol=1e-10)
    if bias:
        assert ols.bias == pytest.approx(theta[3], rel=1e-10)
    else:
        assert ols.bias is None
    assert ols.mse == pytest.approx(np.mean((A @ theta - y) ** 2), rel=1e-10)


def test_least_squares_survives_ill_conditioned_offset_features():
    # km-like values around 1e6 with a tiny spread: normal equations in float32 fail here
    rng = np.random.default_rng(0)
    x = 1e6 + rng.normal(size=500)
    y = 0.5 * x - 5e5 + 0.01 * rng.normal(size=500)
    ols = least_squares(x[:, None], y)
    assert ols.weights[0] == pytest.approx(0.5, abs=1e-3)
    xc = x - x.mean()  # an independent, exact-in-practice slope from centred data
    slope = (xc @ (y - y.mean())) / (xc @ xc)
    assert ols.weights[0] == pytest.approx(slope, rel=1e-9)
    assert ols.bias == pytest.approx(y.mean() - slope * x.mean(), rel=1e-9)


def test_metrics_follow_their_definitions():
    y = np.array([1.0, 2.0, 4.0, 7.0])
    p = np.array([1.5, 1.5, 5.0, 6.0])
    m = metrics(y, p)
    err = p - y
    assert m["mse"] == pytest.approx(np.mean(err**2))
    assert m["rmse"] == pytest.approx(np.sqrt(np.mean(err**2)))
    assert m["mae"] == pytest.approx(np.mean(np.abs(err)))
    assert m["r2"] == pytest.approx(1 - np.sum(err**2) / np.sum((y - y.mean()) ** 2))


def test_metrics_of_diverged_predictions_are_nan_not_errors():
    m = metrics(np.array([1.0, 2.0]), np.array([np.inf, 1.0]))
    assert all(np.isnan(v) for v in m.values())
