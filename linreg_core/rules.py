"""torch.optim's update rules written out in numpy, so that every optimizer of a comparison can
step together (train.py's statistics and batches), without a torch call per operation.

Each rule is torch's single-tensor update (torch/optim/sgd.py, rmsprop.py, adam.py, adagrad.py)
line by line, on float32 parameters and state as torch keeps them; tests/test_rules.py checks
each against torch.optim's class. The registry names a rule by its torch update (RULES' keys).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from linreg_core.config import OptimizerConfig
from linreg_core.registry import OPTIMIZERS

State = dict[str, Any]
Rule = Callable[[np.ndarray, np.ndarray, State, dict[str, Any]], None]


def _sgd(theta: np.ndarray, g: np.ndarray, s: State, hp: dict[str, Any]) -> None:
    """torch.optim.SGD: heavy-ball momentum v := mu v + g (Nesterov: g + mu v); w -= lr v."""
    if hp["weight_decay"]:
        g = g + hp["weight_decay"] * theta
    mu = hp["momentum"]
    if mu:
        buf = s.get("momentum_buffer")
        buf = g.copy() if buf is None else mu * buf + g
        s["momentum_buffer"] = buf
        g = g + mu * buf if hp.get("nesterov") else buf
    theta -= hp["lr"] * g


def _rmsprop(theta: np.ndarray, g: np.ndarray, s: State, hp: dict[str, Any]) -> None:
    """torch.optim.RMSprop: s := alpha s + (1 - alpha) g^2; w -= lr g / (sqrt(s) + eps)."""
    s["step"] = s.get("step", 0) + 1
    if hp["weight_decay"]:
        g = g + hp["weight_decay"] * theta
    a = hp["alpha"]
    s["square_avg"] = a * s.get("square_avg", 0.0) + (1 - a) * g * g
    avg = np.sqrt(s["square_avg"]) + hp["eps"]
    if hp["momentum"] > 0:
        s["momentum_buffer"] = hp["momentum"] * s.get("momentum_buffer", 0.0) + g / avg
        theta -= hp["lr"] * s["momentum_buffer"]
    else:
        theta -= hp["lr"] * g / avg


def _adam(theta: np.ndarray, g: np.ndarray, s: State, hp: dict[str, Any]) -> None:
    """torch.optim.Adam (AdamW: the weights first shrink by 1 - lr * weight_decay)."""
    t = s["step"] = s.get("step", 0) + 1
    lr, wd = hp["lr"], hp["weight_decay"]
    if hp.get("decoupled"):
        theta *= 1 - lr * wd
    elif wd:
        g = g + wd * theta
    b1, b2 = hp["betas"]
    m = s.get("exp_avg", 0.0)
    s["exp_avg"] = m + (1 - b1) * (g - m)  # torch's lerp
    s["exp_avg_sq"] = b2 * s.get("exp_avg_sq", 0.0) + (1 - b2) * g * g
    denom = np.sqrt(s["exp_avg_sq"]) / np.sqrt(1 - b2**t) + hp["eps"]
    theta -= lr / (1 - b1**t) * s["exp_avg"] / denom


def _adagrad(theta: np.ndarray, g: np.ndarray, s: State, hp: dict[str, Any]) -> None:
    """torch.optim.Adagrad: sum := sum + g^2; w -= lr g / (sqrt(sum) + eps)."""
    s["step"] = s.get("step", 0) + 1
    if hp["weight_decay"]:
        g = g + hp["weight_decay"] * theta
    s["sum"] = s.get("sum", 0.0) + g * g
    theta -= hp["lr"] * g / (np.sqrt(s["sum"]) + hp["eps"])


def _gd(theta: np.ndarray, g: np.ndarray, s: State, hp: dict[str, Any]) -> None:
    """The tutorials' hand-written rule: w -= lr * D."""
    theta -= hp["lr"] * g


# a registry entry's torch.optim update -> the same rule here
RULES: dict[str | None, Rule] = {
    "torch.optim.sgd.sgd": _sgd,
    "torch.optim.rmsprop.rmsprop": _rmsprop,
    "torch.optim.adam.adam": _adam,
    "torch.optim.adamw.adamw": _adam,
    "torch.optim.adagrad.adagrad": _adagrad,
    None: _gd,
}


def rule_of(cfg: OptimizerConfig) -> tuple[Rule, dict[str, Any]]:
    """The update rule of cfg's optimizer and the hyperparameters it runs with."""
    spec = OPTIMIZERS[cfg.name]
    hp = {**cfg.hyperparameters(), **spec.class_options}
    if spec.update == "torch.optim.adamw.adamw":
        hp["decoupled"] = True
    return RULES[spec.update], hp
