"""Lockstep full batch: each numpy rule against torch.optim's class, and optimizers stepped
together exactly as each alone."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from linreg_core import OptimizerConfig
from linreg_core.lockstep import rule_of, run_lockstep
from linreg_core.train import blown

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


def test_optimizers_in_lockstep_walk_as_each_alone() -> None:
    rng = np.random.default_rng(3)
    A = np.column_stack([rng.normal(size=(200, 2)), np.ones(200)])
    G, optimum, floor = A.T @ A / 200, np.array([1.5, -2.0, 0.3]), 0.25
    cfgs = [OptimizerConfig(n, lr=0.05) for n in ("sgd", "momentum", "adam", "adagrad")]
    never = lambda epoch: False  # noqa: E731
    together = run_lockstep(G, optimum, floor, cfgs, np.zeros(3), 150, blown=blown, tick=never)
    for i, cfg in enumerate(cfgs):
        alone = run_lockstep(G, optimum, floor, [cfg], np.zeros(3), 150, blown=blown, tick=never)
        np.testing.assert_array_equal(together[1][i], alone[1][0])  # parameters, every epoch
        np.testing.assert_array_equal(together[0][i], alone[0][0])  # losses


def test_a_run_that_blows_up_stops_alone_and_the_others_go_on() -> None:
    G, optimum = np.diag([4.0, 1.0]), np.array([1.0, 1.0])
    cfgs = [OptimizerConfig("sgd", lr=1.0), OptimizerConfig("sgd", lr=0.1)]  # 2/lmax = 0.5
    losses, thetas, _, diverged, cancelled = run_lockstep(
        G, optimum, 0.0, cfgs, np.zeros(2), 500, blown=blown, tick=lambda e: False
    )
    assert diverged[0] is not None and diverged[1] is None and not cancelled
    assert len(losses[1]) == 500 and np.allclose(thetas[1][-1], optimum, atol=1e-5)
    assert np.isfinite(thetas[0]).all() and len(thetas[0]) == len(losses[0]) + 1
