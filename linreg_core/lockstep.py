"""Full batch in lockstep: every optimizer of a comparison stepped together from the training
rows' statistics, with torch.optim's update rules written out in numpy.

One epoch costs one (k, k) x (k, K) product for the K optimizers' gradients and a handful of
numpy operations on k numbers per optimizer, whatever the rows: tens of times less than a torch
call per operation. The rules are torch's single-tensor updates (torch/optim/sgd.py, rmsprop.py,
adam.py, adagrad.py) line by line. As in the tutorials, the parameters and the optimizers'
state are float32 (the gradient and the loss come from the float64 statistics), so a run agrees
with the float32 loop over the rows to float32 rounding; tests/test_lockstep.py checks each rule
against torch.optim's classes. The tutorials' float32 loop over the rows (train.py) stays the
reference for tables small enough to be the tutorials' own (config.PLAIN_MAX_ROWS).
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


def run_lockstep(
    G: np.ndarray,
    optimum: np.ndarray,
    floor: float,
    cfgs: list[OptimizerConfig],
    start: np.ndarray,
    epochs: int,
    *,
    blown: Callable[[float], bool],
    tick: Callable[[int], bool],
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray], list[int | None], bool]:
    """Step every optimizer of cfgs together on L(t) = floor + (t - t*)^T G (t - t*).

    Args:
        G: (k, k) A^T A / m of the training rows. optimum: (k,) t*. floor: L(t*).
        cfgs: the optimizers. start: (k,) the shared start.
        blown: whether a loss means divergence. tick(epoch): called after each epoch;
            True stops every run there (cancelled).
    Returns:
        Per optimizer: losses (epochs_run,), parameters (epochs_run + 1, k), gradients
        (epochs_run, k) and the epoch it diverged at; and whether the runs were cancelled.
    """
    K, k = len(cfgs), len(start)
    rules = [rule_of(c) for c in cfgs]
    states: list[State] = [{} for _ in cfgs]
    thetas = np.full((K, epochs + 1, k), np.nan)
    thetas[:, 0] = start
    grads = np.full((K, epochs, k), np.nan)
    losses = np.full((K, epochs), np.nan)
    current = np.tile(np.asarray(start, dtype=np.float32), (K, 1))  # (K, k) float32, as torch
    alive = list(range(K))
    run = np.zeros(K, dtype=int)
    diverged: list[int | None] = [None] * K
    cancelled = False
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(1, epochs + 1):
            delta = current[alive] - optimum  # (n, k) float64 from the optimum: no cancellation
            Gd = delta @ G  # (n, k); G is symmetric
            loss = floor + np.einsum("ij,ij->i", delta, Gd)
            grad = (2.0 * Gd).astype(np.float32)  # rounded as a float32 gradient would be
            for row, i in enumerate(alive):
                if blown(float(loss[row])) or not np.isfinite(current[i]).all():
                    diverged[i] = epoch
                    continue
                rule, hp = rules[i]
                rule(current[i], grad[row], states[i], hp)
                losses[i, epoch - 1] = loss[row]
                grads[i, epoch - 1] = grad[row]
                thetas[i, epoch] = current[i]
                run[i] = epoch
            alive = [i for i in alive if diverged[i] is None]
            if not alive:
                break
            if tick(epoch):
                cancelled = epoch < epochs
                if cancelled:
                    break
    out_losses, out_thetas, out_grads = [], [], []
    for i in range(K):
        n = int(run[i])
        while n > 0 and not np.isfinite(thetas[i, n]).all():  # a step that overflowed
            diverged[i], n = n, n - 1
        out_losses.append(losses[i, :n])
        out_thetas.append(thetas[i, : n + 1])
        out_grads.append(grads[i, :n])
    return out_losses, out_thetas, out_grads, diverged, cancelled
