"""The registry's optimizers, run: one Stepper drives torch.optim's functional update of any of
them from its declaration in registry.py, keeping the state under torch's own names."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import torch

from linreg_core.config import OptimizerConfig
from linreg_core.registry import OPTIMIZERS


def _resolve(path: str) -> Callable[..., None]:
    """'torch.optim.sgd.sgd' -> the function."""
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def torch_optimizer(cfg: OptimizerConfig, params: list[torch.Tensor]) -> torch.optim.Optimizer:
    """The torch.optim class instance with the same rule (for users who want the class)."""
    spec = OPTIMIZERS[cfg.name]
    if spec.torch_class is None:
        raise ValueError(f"{cfg.name} has no torch.optim class")
    hp = {**cfg.hyperparameters(), **spec.class_options}
    return getattr(torch.optim, spec.torch_class)(params, **hp)  # type: ignore[no-any-return]


class Stepper:
    """Applies one optimizer's update in place to a list of tensors, keeping its state.

    state[name][i] is parameter i's state under torch's name (momentum_buffer, square_avg,
    exp_avg, exp_avg_sq, sum, step), as torch.optim's class keeps it in optimizer.state.
    """

    def __init__(self, cfg: OptimizerConfig, params: list[torch.Tensor]) -> None:
        spec = OPTIMIZERS[cfg.name]
        self.params = params
        self.lr = float(cfg.lr)
        self.update = None if spec.update is None else _resolve(spec.update)
        self.state: dict[str, list[Any]] = {
            name: [_initial(name, p, name in spec.lazy) for p in params] for name in spec.state
        }
        keywords: dict[str, Any] = {**spec.fixed, **cfg.hyperparameters(), "foreach": False}
        if "betas" in keywords:  # the classes take betas, their functional forms beta1, beta2
            keywords["beta1"], keywords["beta2"] = keywords.pop("betas")
        self.keywords = keywords

    def step_(self, grads: list[torch.Tensor]) -> None:
        """One update with the given gradients (one per parameter); call inside no_grad()."""
        if self.update is None:
            for param, grad in zip(self.params, grads, strict=True):
                param -= self.lr * grad  # the tutorials' W -= lr * D_W, rounded as they round it
            return
        self.update(self.params, grads, *self.state.values(), **self.keywords)


def _initial(name: str, param: torch.Tensor, lazy: bool) -> torch.Tensor | None:
    """A state slot as torch's class starts it: None (made on the first step), a float32 step
    counter, or zeros shaped like the parameter."""
    if lazy:
        return None
    if name == "step":
        return torch.tensor(0.0)
    return torch.zeros_like(param, memory_format=torch.preserve_format)
