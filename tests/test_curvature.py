"""The Hessian's eigenvalues and condition number against numpy's eigvalsh of (2/m) A^T A built
here, and every closed-form stable learning rate against the engine's own training."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from linreg_core import OPTIMIZERS, OptimizerConfig, RunConfig, prepare
from linreg_core.compare import compare, raw_and_zscored
from linreg_core.curvature import curvature_of
from linreg_core.train import statistics
from tests.conftest import SAMPLES


def hessian(X: np.ndarray, bias: bool = True) -> np.ndarray:
    """(2/m) A^T A with A = [X, 1] (X alone without a bias), in numpy: the reference."""
    X = np.asarray(X, dtype=np.float64)
    A = np.column_stack([X, np.ones(len(X))]) if bias else X
    return 2 * A.T @ A / len(A)


def hessian_lmax(X: np.ndarray, bias: bool = True) -> float:
    return float(np.linalg.eigvalsh(hessian(X, bias))[-1])


def zscore(X: np.ndarray) -> np.ndarray:
    return (X - X.mean(axis=0)) / X.std(axis=0)  # population std, as the design asks


def longley_like(rng: np.random.Generator, m: int = 16) -> np.ndarray:
    """Six columns that move together with the year, at Longley's scales (generated)."""
    t = np.arange(m, dtype=float)
    return np.column_stack(
        [
            83 + 2.3 * t + 0.5 * rng.normal(size=m),  # price deflator
            234_000 + 21_000 * t + 3_000 * rng.normal(size=m),  # GNP
            2_500 + 100 * t + 600 * rng.normal(size=m),  # unemployed
            1_500 + 80 * t + 500 * rng.normal(size=m),  # armed forces
            107_000 + 1_300 * t + 100 * rng.normal(size=m),  # population
            1947 + t,  # year
        ]
    )


def _table(X: np.ndarray, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cols = {f"x{i}": X[:, i] for i in range(X.shape[1])}
    y = (X - X.mean(axis=0)) / X.std(axis=0) @ rng.normal(size=X.shape[1]) + 3
    return pd.DataFrame({**cols, "y": y + 0.1 * rng.normal(size=len(X))})


def _seed_table(name: str) -> tuple[pd.DataFrame, str]:
    df = pd.read_csv(SAMPLES / name)
    return df.select_dtypes("number"), df.select_dtypes("number").columns[-1]


_RNG = np.random.default_rng(7)
TABLES = {
    "raw": (_table(_RNG.normal(50, 12, size=(40, 2))), "y"),
    "raw, fast path": (_table(_RNG.normal([3, 400], [1, 90], size=(300, 2))), "y"),
    "longley-like": (_table(longley_like(_RNG)), "y"),
    "hours_money": _seed_table("hours_money.csv"),
    "study_score": _seed_table("study_score.csv"),
    "hours_points": _seed_table("hours_points.csv"),
    "apartments": _seed_table("apartments.csv"),
    "used_cars_like": _seed_table("used_cars_like.csv"),
}


@pytest.mark.parametrize("normalize", [False, True])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("table", list(TABLES))
def test_eigenvalues_and_condition_number_match_numpy(table, bias, normalize):
    df, target = TABLES[table]
    cfg = RunConfig(target=target, normalize=normalize, bias=bias, epochs=2)
    comp = compare(prepare(df, cfg), cfg)
    X = df.drop(columns=[target]).to_numpy(dtype=float)
    H = hessian(zscore(X) if normalize else X, bias)
    expected = np.linalg.eigvalsh(H)  # ascending
    got = comp.curvature
    np.testing.assert_allclose(got.hessian, H, rtol=1e-9, atol=1e-12 * expected[-1])
    np.testing.assert_allclose(got.eigenvalues, expected, rtol=1e-7, atol=1e-9 * expected[-1])
    for value, vector in zip(got.eigenvalues, got.eigenvectors.T, strict=True):
        np.testing.assert_allclose(H @ vector, value * vector, atol=1e-8 * expected[-1])
    cond = expected[-1] / expected[0]
    if cond < 1e12:  # eigvalsh resolves the smallest eigenvalue to ~1e-16 of the largest
        assert got.condition_number == pytest.approx(cond, rel=1e-3)
    assert json.loads(json.dumps(got.as_dict(), allow_nan=False)) == got.as_dict()


@pytest.mark.parametrize("table", ["longley-like", "used_cars_like"])
def test_an_ill_conditioned_hessian_s_small_eigenvalues_match_the_singular_values(table):
    # eigvalsh of H resolves eigenvalues only down to ~1e-16 of the largest; the singular
    # values s of A do better (H = 2 A^T A / m has eigenvalues 2 s^2 / m)
    df, target = TABLES[table]
    cfg = RunConfig(target=target, epochs=1)
    curv = compare(prepare(df, cfg), cfg).curvature
    X = df.drop(columns=[target]).to_numpy(dtype=float)
    A = np.column_stack([X, np.ones(len(X))])
    s = np.linalg.svd(A, compute_uv=False)  # descending
    assert (s[0] / s[-1]) ** 2 > 1e13  # beyond what eigvalsh resolves
    np.testing.assert_allclose(curv.eigenvalues, (2 * s**2 / len(A))[::-1], rtol=1e-6)
    assert curv.condition_number == pytest.approx((s[0] / s[-1]) ** 2, rel=1e-6)


def test_z_scoring_makes_a_one_feature_bowl_round_and_raw_columns_ill_conditioned():
    df, target = TABLES["raw, fast path"]
    cfg = RunConfig(target=target, features=("x1",))
    raw, z = raw_and_zscored(prepare(df, cfg), cfg)
    x = df["x1"].to_numpy()
    assert raw.eigenvalues == pytest.approx(np.linalg.eigvalsh(hessian(x[:, None])), rel=1e-9)
    # z-scored, one feature with a bias: H = 2 I exactly (mean 0, variance 1)
    np.testing.assert_allclose(z.hessian, 2 * np.eye(2), atol=1e-12)
    assert z.condition_number == pytest.approx(1.0)
    assert raw.condition_number > 1e4


def test_a_singular_hessian_has_no_condition_number():
    x = np.arange(10.0)
    df = pd.DataFrame({"a": x, "b": 2 * x, "y": x + 1})  # b copies a: H is singular
    cfg = RunConfig(target="y")
    curv = compare(prepare(df, cfg), cfg).curvature
    assert curv.condition_number is None
    assert curv.as_dict()["condition_number"] is None
    assert json.dumps(curv.as_dict(), allow_nan=False)


def test_the_fast_path_curvature_needs_no_second_pass_over_the_rows():
    df, target = TABLES["raw, fast path"]
    cfg = RunConfig(target=target, epochs=2)
    comp = compare(prepare(df, cfg), cfg)
    assert comp.runs[0].path == "fast"
    assert comp._curvature is not None  # filled from the statistics it trained with
    assert comp.trained().curvature is comp.curvature  # and kept by the cacheable part


def test_adaptive_optimizers_have_no_limit_and_say_why():
    df, target = TABLES["raw"]
    cfg = RunConfig(target=target, epochs=2)
    curv = compare(prepare(df, cfg), cfg).curvature
    for name in ("rmsprop", "adam", "adagrad", "adamw"):
        hp = OptimizerConfig(name).hyperparameters()
        assert curv.lr_limit(name, hp) is None
        assert OPTIMIZERS[name].lr_limit is None
        assert "whatever the curvature" in str(curv.why_no_limit(name))
    assert curv.why_no_limit("sgd") is None


# -- the limits, checked by training just below and just above them ----------------------
LIMIT_TABLES = {
    "raw": lambda rng: rng.normal(50, 12, size=(40, 2)),
    "z-scored": lambda rng: rng.normal(size=(40, 1)),
    "correlated": lambda rng: np.column_stack(
        [x := rng.normal(size=40), x + 0.1 * rng.normal(size=40)]
    ),
    "fast path": lambda rng: rng.normal([2, -30], [3, 8], size=(200, 2)),
}
CLOSED_FORM = {  # numpy's lmax -> the limit, written here from the update rules
    "sgd": lambda lmax: 2 / lmax,
    "gd-manual": lambda lmax: 2 / lmax,
    "momentum": lambda lmax: (2 + 2 * 0.9) / lmax,
    "nesterov": lambda lmax: (2 + 2 * 0.9) / ((1 + 2 * 0.9) * lmax),
}


@pytest.mark.parametrize("table", list(LIMIT_TABLES))
@pytest.mark.parametrize("name", list(CLOSED_FORM))
def test_the_stable_learning_rate_is_where_full_batch_training_turns(name, table):
    rng = np.random.default_rng(4)
    X = LIMIT_TABLES[table](rng)
    y = X @ rng.normal(size=X.shape[1]) + 3 + 0.1 * rng.normal(size=len(X))
    df = pd.DataFrame({**{f"x{i}": X[:, i] for i in range(X.shape[1])}, "y": y})
    base = RunConfig(target="y", epochs=3000)
    ds = prepare(df, base)
    limit = compare(ds, RunConfig(target="y", epochs=1)).curvature.lr_limit(
        name, OptimizerConfig(name).hyperparameters()
    )
    assert limit == pytest.approx(CLOSED_FORM[name](hessian_lmax(X)), rel=1e-9)
    cfg = RunConfig(
        target="y",
        epochs=3000,
        optimizers=(OptimizerConfig(name, lr=0.97 * limit), OptimizerConfig(name, lr=1.03 * limit)),
    )
    below, above = compare(ds, cfg).runs
    assert not below.diverged and below.train_loss[-1] < 0.5 * below.train_loss[0]
    assert above.diverged


def test_weight_decay_raises_every_eigenvalue_by_its_amount():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(30, 2))
    df = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "y": X.sum(axis=1) + 1})
    cfg = RunConfig(target="y", epochs=3000)
    ds = prepare(df, cfg)
    hp = OptimizerConfig("sgd", weight_decay=0.5).hyperparameters()
    limit = compare(ds, RunConfig(target="y", epochs=1)).curvature.lr_limit("sgd", hp)
    assert limit == pytest.approx(2 / (hessian_lmax(X) + 0.5), rel=1e-9)
    runs = compare(
        ds,
        RunConfig(
            target="y",
            epochs=3000,
            optimizers=tuple(
                OptimizerConfig("sgd", lr=f * limit, weight_decay=0.5) for f in (0.97, 1.03)
            ),
        ),
    ).runs
    assert [r.diverged for r in runs] == [False, True]


def test_curvature_of_reads_only_the_statistics():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    curv = curvature_of(statistics(X, y, bias=False))
    np.testing.assert_allclose(curv.eigenvalues, np.linalg.eigvalsh(hessian(X, False)))
    assert curv.lr_limit("sgd", {"momentum": 0.0}) == pytest.approx(2 / hessian_lmax(X, False))


def test_a_comparison_on_raw_features_knows_the_z_scored_curvature_too():
    df, target = TABLES["raw"]
    cfg = RunConfig(target=target, epochs=1)
    comp = compare(prepare(df, cfg), cfg)
    X = df.drop(columns=[target]).to_numpy(dtype=float)
    np.testing.assert_allclose(
        comp.zscored_curvature.eigenvalues, np.linalg.eigvalsh(hessian(zscore(X))), rtol=1e-9
    )
    np.testing.assert_allclose(
        comp.curvature.eigenvalues, np.linalg.eigvalsh(hessian(X)), rtol=1e-9
    )
