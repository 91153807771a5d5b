"""Results as text and data: the seeds' epoch log and the command line's strict JSON.

Both are data contracts and stay English: advice (a Said) is written as its English sentence.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from linreg_core.advice import advise
from linreg_core.compare import Comparison
from linreg_core.errors import Said
from linreg_core.model import param_names
from linreg_core.reference import OPTIMUM_LABEL
from linreg_core.train import History

# the summary's columns, in order: one home for their names
SUMMARY_COLUMNS = (
    "optimizer",
    "train MSE",
    "train RMSE",
    "train MAE",
    "train R²",
    "test MSE",
    "test RMSE",
    "test MAE",
    "test R²",
    "epochs to 1% of optimum",
    "distance to optimum",
    "weights",
    "bias",
    "weights (original units)",
    "bias (original units)",
    "seconds",
    "diverged at epoch",
)


def log_every(epochs: int) -> int:
    """The seeds log every epochs/10 epochs (every epoch for short runs)."""
    return max(1, epochs // 10)


def log_line(history: History, epoch: int, *, width: int | None = None) -> str:
    """`Epoch  100/1000 W: 26.1762, b: 8.6920, Cost: 10.890694` for one epoch (1-based)."""
    width = width or max(4, len(str(history.epochs)))
    w = history.weights[epoch]
    parts = [f"{n}: {v:.4f}" for n, v in zip(param_names(len(w), False), w, strict=True)]
    if history.bias is not None:
        parts.append(f"b: {history.bias[epoch]:.4f}")
    parts.append(f"Cost: {history.train_loss[epoch - 1]:.6f}")
    return f"Epoch {epoch:{width}d}/{history.epochs} " + ", ".join(parts)


def epoch_log(
    history: History, every: int | None = None, advice: str | Said | None = None
) -> list[str]:
    """The seed-style log: every `every` epochs and the last one run, then `advice` (see
    advice.advise) or, without it, the run's own words on a divergence."""
    every = every or log_every(history.epochs)
    epochs = [
        e for e in range(1, history.epochs_run + 1) if e % every == 0 or e == history.epochs_run
    ]
    lines = [log_line(history, e) for e in epochs]
    note = advice or history.advice
    if note:
        lines.append(str(note))  # English, as the seeds' log
    elif history.cancelled:
        lines.append(f"Cancelled after {history.epochs_run} epochs.")
    return lines


def _clean(value: object) -> object:
    """Strict JSON: numpy to Python, non-finite numbers to None."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value


def dumps(value: object, **kw: object) -> str:
    """json.dumps that never writes NaN or Infinity."""
    return json.dumps(_clean(value), allow_nan=False, ensure_ascii=False, **kw)  # type: ignore[arg-type]


def ols_dict(comp: Comparison) -> dict[str, object]:
    w_orig, b_orig = comp.original(None)
    return {
        "weights": list(comp.ols.weights),
        "bias": comp.ols.bias,
        "weights_original": list(w_orig),
        "bias_original": b_orig,
        "mse": comp.ols_mse(),
    }


def run_dict(comp: Comparison, history: History) -> dict[str, object]:
    """One run as the command line's JSON object (the README's "Command line" lists its keys)."""
    ds, cfg = comp.dataset, comp.config
    w_orig, b_orig = comp.original(history)
    scaled = cfg.normalize or cfg.normalize_target
    advice = advise(comp, history)
    return {
        "optimizer": history.optimizer.name,
        "hyperparameters": history.optimizer.hyperparameters(),
        "epochs": history.epochs,
        "epochs_run": history.epochs_run,
        "diverged": history.diverged,
        "diverged_at": history.diverged_at,
        "weights": list(history.final_weights),
        "bias": history.final_bias,
        "weights_original": list(w_orig),
        "bias_original": b_orig,
        "train_metrics": comp.metrics(history, "train"),
        "test_metrics": comp.metrics(history, "test"),
        "rows": {
            "train": len(ds.y_train),
            "test": len(ds.y_test),
            "dropped": ds.dropped,
            "filtered": ds.filtered,  # left out by --where, before the split
            "outliers": ds.outliers,  # training rows dropped by --drop-outliers
        },
        "scaler": comp.scaler.as_dict() if scaled else None,
        "ols": ols_dict(comp),
        "seconds": history.seconds,
        "lr_limit": comp.curvature.lr_limit(
            history.optimizer.name, history.optimizer.hyperparameters()
        ),
        "advice": None if advice is None else str(advice),  # English
    }


def model_dict(comp: Comparison, history: History | None) -> dict[str, object]:
    """A trained model to save: what it predicts with, and the settings that made it."""
    cfg = comp.config
    w_orig, b_orig = comp.original(history)
    return {
        "format": "linreg-lab-model/1",
        "target": comp.dataset.target,
        "features": list(comp.dataset.features),
        "optimizer": OPTIMUM_LABEL if history is None else history.optimizer.name,
        # a diverged model's weights are where it blew up, not a model to predict with
        "diverged": False if history is None else history.diverged,
        "diverged_at": None if history is None else history.diverged_at,
        "weights_original": list(w_orig),
        "bias_original": b_orig,
        "scaler": comp.scaler.as_dict(),
        "settings": {
            "normalize": cfg.normalize,
            "normalize_target": cfg.normalize_target,
            "bias": cfg.bias,
            "init": cfg.init,
            "seed": cfg.seed,
            "epochs": cfg.epochs,
            "batch_size": cfg.batch_size,
            "test_size": cfg.test_size,
            "hyperparameters": None if history is None else history.optimizer.hyperparameters(),
        },
    }


def summary(comp: Comparison) -> pd.DataFrame:
    """One row per run and one for the least-squares optimum, columns SUMMARY_COLUMNS; metrics
    in the target's own units, weights both as trained and in the data's own units."""
    rows = []
    for h in [*comp.runs, None]:
        train_m = comp.metrics(h, "train") or {}
        test_m = comp.metrics(h, "test") or {}
        w_orig, b_orig = comp.original(h)
        w = comp.ols.weights if h is None else h.final_weights
        b = comp.ols.bias if h is None else h.final_bias
        values = [
            OPTIMUM_LABEL if h is None else h.label,
            *(train_m.get(k) for k in ("mse", "rmse", "mae", "r2")),
            *(test_m.get(k) for k in ("mse", "rmse", "mae", "r2")),
            None if h is None else comp.epochs_to_optimum(h),
            0.0 if h is None else comp.distance_to_optimum(h),
            [float(v) for v in w],
            b,
            [float(v) for v in w_orig],
            b_orig,
            None if h is None else h.seconds,
            None if h is None else h.diverged_at,
        ]
        rows.append(dict(zip(SUMMARY_COLUMNS, values, strict=True)))
    out = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    for col in ("epochs to 1% of optimum", "diverged at epoch"):
        out[col] = out[col].astype("Int64")
    return out
