"""A learning-rate sweep: the chosen optimizers over a grid of learning rates, all from the same
start in one comparison (train_all steps every (optimizer, lr) pair in lockstep), with each run's
final losses and the loss's curvature, so the stable limits can be drawn beside the results.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from linreg_core.compare import Comparison, compare
from linreg_core.config import OptimizerConfig, RunConfig, check_number
from linreg_core.curvature import Curvature
from linreg_core.data import Dataset
from linreg_core.errors import ConfigError, Said
from linreg_core.registry import HYPERPARAMETERS
from linreg_core.train import Progress, StopCheck

ROW_KEYS = ("optimizer", "lr", "diverged", "diverged_at", "train_mse", "test_mse", "epochs_to_1pct")
MAX_POINTS = 50  # learning rates in one sweep
LRS_FIX = Said("error.sweep.lrs_fix")


@dataclass(frozen=True)
class Sweep:
    """Every (optimizer, lr) run of a sweep, as one comparison, and its summary rows."""

    comparison: Comparison  # runs ordered optimizer by optimizer, lr ascending within each
    rows: list[dict[str, object]]  # one per run, keys ROW_KEYS; MSE in the target's own units

    @property
    def curvature(self) -> Curvature:
        return self.comparison.curvature

    def as_dict(self) -> dict[str, object]:
        """The command line's JSON: {"runs": rows, "curvature": {...}}."""
        return {"runs": self.rows, "curvature": self.curvature.as_dict()}


def sweep_config(cfg: RunConfig, lrs: Iterable[float]) -> RunConfig:
    """cfg with each of its optimizers repeated at every learning rate of lrs (ascending)."""
    grid = sorted(set(lrs))
    if not grid:
        raise ConfigError("error.sweep.no_lr", fix=LRS_FIX)
    if len(grid) > MAX_POINTS:
        raise ConfigError("error.sweep.too_many", count=len(grid), limit=MAX_POINTS)
    runs = [replace(opt, lr=lr) for opt in cfg.optimizers for lr in grid]  # validates each lr
    return replace(cfg, optimizers=tuple(runs))


def sweep(
    ds: Dataset,
    cfg: RunConfig,
    lrs: Iterable[float],
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> Sweep:
    """Train every optimizer of cfg at every learning rate of lrs from one start (one engine
    call); progress gets (done, total) epochs of all the runs together."""
    comp = compare(ds, sweep_config(cfg, lrs), progress=progress, should_stop=should_stop)
    rows = []
    for h in comp.runs:
        test = comp.metrics(h, "test")
        rows.append(
            dict(
                zip(
                    ROW_KEYS,
                    (
                        h.optimizer.name,
                        h.optimizer.lr,
                        h.diverged,
                        h.diverged_at,
                        comp.metrics(h, "train")["mse"],  # type: ignore[index]
                        None if test is None else test["mse"],
                        comp.epochs_to_optimum(h),
                    ),
                    strict=True,
                )
            )
        )
    return Sweep(comp, rows)


def best_lrs(rows: Sequence[dict[str, object]]) -> dict[str, float | None]:
    """Each optimizer's best learning rate: the one that got within 1% of the optimum in the
    fewest epochs; if none did, the lowest final training MSE that did not diverge; None when
    every rate diverged."""
    best: dict[str, float | None] = {}
    for name in dict.fromkeys(str(r["optimizer"]) for r in rows):
        mine = [r for r in rows if r["optimizer"] == name and not r["diverged"]]
        finite = [r for r in mine if _finite(r["train_mse"])]
        if not finite:
            best[name] = None
            continue
        reached = [r for r in finite if r["epochs_to_1pct"] is not None]
        key = (
            (lambda r: (r["epochs_to_1pct"], r["train_mse"]))
            if reached
            else (lambda r: (r["train_mse"],))
        )
        best[name] = float(min(reached or finite, key=key)["lr"])  # type: ignore[arg-type]
    return best


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def log_grid(low: float, high: float, n: int) -> list[float]:
    """n learning rates from low to high, evenly spaced on a log scale, each rounded to three
    significant digits (0.001, 0.00316, 0.01, ...)."""
    low, high = (check_number(v, HYPERPARAMETERS["lr"]) for v in (low, high))
    if not high > low:
        raise ConfigError("error.sweep.grid_order", high=high, low=low)
    if not 2 <= n <= MAX_POINTS:
        raise ConfigError("error.sweep.grid_points", n=n, limit=MAX_POINTS)
    return [float(f"{v:.3g}") for v in np.geomspace(low, high, n)]


def parse_lrs(text: str) -> list[float]:
    """'0.001,0.01,0.1' -> [0.001, 0.01, 0.1]; a ConfigError naming the bad item otherwise."""
    out = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            value = float(item)
        except ValueError:
            raise ConfigError("error.sweep.not_a_number", item=item, fix=LRS_FIX) from None
        OptimizerConfig(lr=value)  # the learning rate's bound, checked where it lives
        out.append(value)
    if not out:
        raise ConfigError("error.sweep.none_in", text=text, fix=LRS_FIX)
    return out
