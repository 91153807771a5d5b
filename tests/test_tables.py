"""ui.tables: the tidy frames the charts draw, from a real comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from linreg_core import OptimizerConfig, RunConfig, run
from ui.tables import losses_frame, params_frame

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
