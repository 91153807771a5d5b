"""torch.optim's rules in numpy against torch.optim's classes, and optimizers trained together
exactly as each alone."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from linreg_core import OptimizerConfig
from linreg_core.rules import rule_of
from linreg_core.train import Problem, train_all

# torch.optim's classes, hyperparameters written out here (not read from the registry)
TORCH = {
    "sgd": lambda p: torch.optim.SGD(p, lr=0.05),
    "momentum": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
    "nesterov": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    "rmsprop": lambda p: torch.optim.RMSprop(p, lr=0.05, alpha=0.99, eps=1e-8),
    "adam": lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.9, 0.999), eps=1e-8),
    "adamw": lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=0.01),
    "adagrad": lambda p: torch.optim.Adagrad(p, lr=0.05, eps=1e-10),
}


@pytest.mark.parametrize("name", list(TORCH))
def test_each_rule_steps_as_torch_optims_class_does(name: str) -> None:
    rng = np.random.default_rng(7)
    grads = rng.normal(size=(40, 3)).astype(np.float32)
    mine = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    theirs = torch.tensor(mine.copy(), requires_grad=True)
    reference = TORCH[name]([theirs])
    rule, hp = rule_of(OptimizerConfig(name, lr=0.05))
    state: dict = {}
    for g in grads:
        rule(mine, g, state, hp)
        theirs.grad = torch.tensor(g)
        reference.step()
    np.testing.assert_allclose(mine, theirs.detach().numpy(), rtol=2e-6, atol=1e-7)
    assert mine.dtype == np.float32


@pytest.mark.parametrize(("rows", "batch"), [(200, None), (30, None), (200, 16)])
def test_optimizers_trained_together_walk_as_each_alone(rows: int, batch: int | None) -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(rows, 2))
    y = X @ np.array([1.5, -2.0]) + 0.3 + 0.1 * rng.normal(size=rows)
    p = Problem(X, y, X[:5], y[:5])
    cfgs = [OptimizerConfig(n, lr=0.05) for n in ("sgd", "momentum", "adam", "adagrad")]
    start = torch.zeros(3)
    together = train_all(p, cfgs, start, epochs=60, batch_size=batch, seed=1)
    for cfg, run in zip(cfgs, together, strict=True):
        (alone,) = train_all(p, [cfg], start, epochs=60, batch_size=batch, seed=1)
        np.testing.assert_array_equal(run.weights, alone.weights)  # every epoch, to the bit
        np.testing.assert_array_equal(run.train_loss, alone.train_loss)
        np.testing.assert_array_equal(run.test_loss, alone.test_loss)


def test_a_run_that_blows_up_stops_alone_and_the_others_go_on() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 1))
    y = 2 * X[:, 0] + 1
    p = Problem(X, y, X[:0], y[:0])
    cfgs = [OptimizerConfig("sgd", lr=5.0), OptimizerConfig("sgd", lr=0.1)]  # 2/lmax is about 1
    blown, calm = train_all(p, cfgs, torch.zeros(2), epochs=500)
    assert blown.diverged and not calm.diverged and calm.epochs_run == 500
    assert abs(calm.final_weights[0] - 2) < 1e-4 and abs(calm.final_bias - 1) < 1e-4
    assert np.isfinite(blown.weights).all() and len(blown.weights) == blown.epochs_run + 1
