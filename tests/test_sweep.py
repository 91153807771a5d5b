"""The learning-rate sweep equals separate comparisons at each rate; its grid and its picks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from linreg_core import ConfigError, OptimizerConfig, RunConfig, prepare
from linreg_core.compare import compare
from linreg_core.sweep import ROW_KEYS, best_lrs, log_grid, parse_lrs, sweep
from tests.conftest import SAMPLES

CARS = pd.read_csv(SAMPLES / "used_cars_like.csv")
STUDY = pd.read_csv(SAMPLES / "study_score.csv")


@pytest.mark.parametrize(
    ("df", "settings"),
    [
        (STUDY, {"target": "score"}),  # the plain float32 loop (4 rows)
        (CARS, {"target": "Price", "normalize": True, "test_size": 0.2}),  # the statistics
        (CARS, {"target": "Price", "normalize": True, "batch_size": 64, "epochs": 20}),
    ],
)
def test_a_sweep_equals_separate_comparisons_at_each_rate(df, settings):
    base = {"epochs": 300, **settings}
    names = ("sgd", "momentum", "adam")
    lrs = [0.001, 0.03, 0.3, 3.0]
    cfg = RunConfig(optimizers=tuple(OptimizerConfig(n) for n in names), **base)
    ds = prepare(df, cfg)
    result = sweep(ds, cfg, lrs)
    assert [(r["optimizer"], r["lr"]) for r in result.rows] == [
        (n, lr) for n in names for lr in lrs
    ]
    for row in result.rows:
        alone = compare(
            ds, RunConfig(optimizers=(OptimizerConfig(row["optimizer"], lr=row["lr"]),), **base)
        )
        h = alone.runs[0]
        assert set(row) == set(ROW_KEYS)
        assert row["diverged"] == h.diverged and row["diverged_at"] == h.diverged_at
        assert row["epochs_to_1pct"] == alone.epochs_to_optimum(h)
        train = alone.metrics(h, "train")["mse"]
        if math.isfinite(train):
            assert row["train_mse"] == pytest.approx(train, rel=1e-6)
        else:
            assert not math.isfinite(row["train_mse"])
        test = alone.metrics(h, "test")
        assert (row["test_mse"] is None) == (test is None)
        if test is not None and math.isfinite(test["mse"]):
            assert row["test_mse"] == pytest.approx(test["mse"], rel=1e-6)


def test_a_sweep_carries_the_curvature_and_its_json():
    cfg = RunConfig(target="Price", features=("Kilometers_Driven",), epochs=100)
    result = sweep(prepare(CARS, cfg), cfg, [1e-12, 1e-11, 1e-10])
    x = CARS["Kilometers_Driven"].to_numpy(dtype=float)
    A = np.column_stack([x, np.ones(len(x))])
    expected = np.linalg.eigvalsh(2 * A.T @ A / len(A))
    out = result.as_dict()
    assert out["curvature"]["hessian_eigenvalues"] == pytest.approx(list(expected), rel=1e-7)
    limit = 2 / expected[-1]  # 1.12e-11: 1e-10 diverges, the two below do not
    assert [r["diverged"] for r in out["runs"]] == [lr > limit for lr in (1e-12, 1e-11, 1e-10)]


def test_the_best_rate_reaches_the_optimum_first_else_ends_lowest():
    keys = ("optimizer", "lr", "diverged", "train_mse", "epochs_to_1pct")
    rows = [
        dict(zip(keys, row, strict=True))
        for row in [
            ("sgd", 0.01, False, 2.0, 900),
            ("sgd", 0.1, False, 2.0, 90),
            ("sgd", 1.0, True, math.inf, None),
            ("adam", 0.01, False, 9.0, None),
            ("adam", 0.1, False, 3.0, None),
            ("rmsprop", 9.0, True, None, None),
        ]
    ]
    assert best_lrs(rows) == {"sgd": 0.1, "adam": 0.1, "rmsprop": None}


def test_a_log_grid_is_even_on_a_log_scale_and_rounded():
    assert log_grid(0.001, 1.0, 4) == [0.001, 0.01, 0.1, 1.0]
    assert log_grid(1e-12, 1e-10, 5) == [1e-12, 3.16e-12, 1e-11, 3.16e-11, 1e-10]
    grid = log_grid(0.002, 0.7, 9)
    np.testing.assert_allclose(np.diff(np.log(grid)), np.log(350) / 8, rtol=2e-3)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((0.0, 1.0, 4), "learning rate"),
        ((0.1, 0.01, 4), "above its smallest"),
        ((0.001, 1.0, 1), "grid points"),
    ],
)
def test_a_bad_grid_is_refused_with_the_fix(args, words):
    with pytest.raises(ConfigError, match=words):
        log_grid(*args)


def test_learning_rates_are_read_from_text_and_bad_ones_named():
    assert parse_lrs("0.001, 0.01,0.1,") == [0.001, 0.01, 0.1]
    with pytest.raises(ConfigError, match="'abc'"):
        parse_lrs("0.1,abc")
    with pytest.raises(ConfigError, match="learning rate"):
        parse_lrs("0.1,-1")
    with pytest.raises(ConfigError, match="No learning rate"):
        parse_lrs(" , ")
