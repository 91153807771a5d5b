"""ui.tables: the tidy frames the charts draw, from a real comparison."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from linreg_core import OptimizerConfig, RunConfig, run
from ui.tables import losses_frame, params_frame, summary_table

FOUR = tuple(OptimizerConfig(n, lr=0.1) for n in ("sgd", "momentum", "rmsprop", "adam"))


@pytest.fixture(scope="module")
def comp():
    rng = np.random.default_rng(5)
    x = rng.uniform(20, 120, 400)
    table = pd.DataFrame({"area": x, "price": 0.08 * x + 3 + rng.normal(0, 0.6, 400)})
    cfg = RunConfig(target="price", normalize=True, test_size=0.25, epochs=300, optimizers=FOUR)
    return run(table, cfg)


def test_losses_frame_has_train_and_test_per_optimizer(comp):
    f = losses_frame(comp)
    assert set(f.columns) == {"optimizer", "epoch", "split", "loss"}
    counts = f.groupby(["optimizer", "split"]).size()
    assert len(counts) == 8 and (counts == 300).all()


def test_params_frame_starts_at_epoch_zero(comp):
    f = params_frame(comp)
    assert set(f["param"]) == {"W", "b"}
    first = f[f["epoch"] == 0]
    assert len(first) == 8 and first.groupby("param")["value"].nunique().eq(1).all()


def test_params_frame_of_named_parameters_at_spaced_epochs(comp):
    f = params_frame(comp, ["b"], max_epochs=50)

    assert set(f["param"]) == {"b"}
    per_run = f.groupby("optimizer")["epoch"].agg(["count", "min", "max"])
    assert (per_run["count"] == 50).all() and (per_run["min"] == 0).all()
    assert (per_run["max"] == 300).all()  # the last epoch is kept
    adam = comp.runs[3]
    last = f[(f["optimizer"] == "adam") & (f["epoch"] == 300)]["value"]
    assert last.tolist() == [adam.bias[-1]]


def test_summary_table_of_a_hundred_features_is_built_without_a_performance_warning():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(250, 100))
    table = pd.DataFrame(X, columns=[f"f{i}" for i in range(100)]).assign(y=X.sum(axis=1))
    comp = run(table, RunConfig(target="y", normalize=True, epochs=20, optimizers=FOUR))

    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.PerformanceWarning)
        summary = summary_table(comp)

    assert [c for c in summary.columns if c.endswith(" weight")] == [
        f"f{i} weight" for i in range(100)
    ]
    assert list(summary.columns[-4:]) == [
        "epochs to 1% of optimum",
        "distance to optimum",
        "diverged at epoch",
        "seconds",
    ]
    assert summary["optimizer"].tolist() == ["sgd", "momentum", "rmsprop", "adam", "least squares"]
