"""Tidy frames, tables and captions for the Train and Predict pages; pure, no widgets.

Chart frames follow ui.charts' column contracts; long histories are thinned to at most
MAX_EPOCHS_SHOWN epochs per optimizer so a 100,000-epoch run draws as fast as a short one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from linreg_core import Comparison, DataError, History
from linreg_core.data import column_values
from ui.charts import OPTIMUM_LABEL
from ui.session import escape_md

MAX_EPOCHS_SHOWN = 500  # per optimizer in the loss and parameter charts
LANDSCAPE_SIZE = 100  # grid points per axis; the chart draws at most 70 lines of cells


# -- chart frames -----------------------------------------------------------------------------
def thin_epochs(df: pd.DataFrame, max_epochs: int = MAX_EPOCHS_SHOWN) -> pd.DataFrame:
    """Rows of at most max_epochs evenly spaced epochs per optimizer, first and last kept."""
    parts = []
    for _, group in df.groupby("optimizer", sort=False):
        epochs = np.unique(group["epoch"].to_numpy())
        if len(epochs) > max_epochs:
            keep = np.unique(np.linspace(0, len(epochs) - 1, max_epochs).round().astype(int))
            group = group[group["epoch"].isin(epochs[keep])]
        parts.append(group)
    return pd.concat(parts, ignore_index=True) if parts else df


def fit_frames(comp: Comparison, feature: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(points x, y, split; lines optimizer, x, y) in original units along one feature.

    With several features the others are held at their training mean, so each line is the
    model's prediction along that feature for an otherwise average row.
    """
    ds = comp.dataset
    points = pd.concat(
        [
            pd.DataFrame({"x": ds.X_train[:, feature], "y": ds.y_train, "split": "train"}),
            pd.DataFrame({"x": ds.X_test[:, feature], "y": ds.y_test, "split": "test"}),
        ],
        ignore_index=True,
    )
    xs = np.array([points["x"].min(), points["x"].max()])
    rows = np.tile(ds.X_train.mean(axis=0), (2, 1))  # (2, d) an average row, twice
    rows[:, feature] = xs
    lines = []
    for h in [*comp.runs, None]:
        w, b = comp.original(h)
        with np.errstate(over="ignore", invalid="ignore"):
            y = rows @ w + (b or 0.0)
        lines.append(pd.DataFrame({"optimizer": label(h), "x": xs, "y": y}))
    return points, pd.concat(lines, ignore_index=True)


def landscape_frames(
    comp: Comparison, size: int = LANDSCAPE_SIZE
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(grid, paths) for the landscape chart; the core frames the runs that did not diverge."""
    return comp.landscape(size=size)


def predictions_frame(comp: Comparison, split: str) -> pd.DataFrame:
    """Columns optimizer, actual, predicted (target's units) on one split; diverged runs left out.

    A diverged model predicts 1e20 and beyond, which would squash every other point into a dot.
    """
    ds = comp.dataset
    X, y = (ds.X_test, ds.y_test) if split == "test" else (ds.X_train, ds.y_train)
    parts = [
        pd.DataFrame({"optimizer": h.label, "actual": y, "predicted": comp.predict(X, h)})
        for h in comp.runs
        if not h.diverged
    ]
    empty = pd.DataFrame({"optimizer": [], "actual": [], "predicted": []})
    return pd.concat(parts, ignore_index=True) if parts else empty


def label(h: History | None) -> str:
    return OPTIMUM_LABEL if h is None else h.label


# -- tables ------------------------------------------------------------------------------------
def summary_table(comp: Comparison) -> pd.DataFrame:
    """comp.summary() with one column per parameter: original units first, then as trained."""
    raw = comp.summary()
    cfg = comp.config
    out = raw[["optimizer", "train MSE"]].copy()
    if comp.dataset.y_test.size:
        out[["test MSE", "test R²"]] = raw[["test MSE", "test R²"]]
    else:
        out["train R²"] = raw["train R²"]
    for i, feature in enumerate(comp.dataset.features):
        out[f"{feature} weight"] = [w[i] for w in raw["weights (original units)"]]
    if raw["bias (original units)"].notna().any():
        out["intercept"] = raw["bias (original units)"].astype(float)
    if cfg.normalize or cfg.normalize_target:  # else the trained parameters are the same numbers
        names = comp.param_names()
        for i, name in enumerate(names[: comp.problem.n_features]):
            out[f"{name} (z)"] = [w[i] for w in raw["weights"]]
        if comp.problem.bias:
            out["b (z)"] = raw["bias"].astype(float)
    out["epochs to 1% of optimum"] = raw["epochs to 1% of optimum"]
    out["distance to optimum"] = raw["distance to optimum"]
    out["diverged at epoch"] = raw["diverged at epoch"]
    out["seconds"] = raw["seconds"]
    return out


def number_columns(table: pd.DataFrame, fmt: str = "%.6g") -> dict[str, Any]:
    """st.dataframe column_config: every float column with fmt (6 significant digits)."""
    return {
        c: st.column_config.NumberColumn(format=fmt)
        for c in table.columns
        if pd.api.types.is_float_dtype(table[c])
    }


def optimum_mse(comp: Comparison) -> float | None:
    """The optimum's training MSE for the loss chart, None when it is 0 up to rounding.

    On rows a line fits exactly (the tutorials' y = 30x) the optimum's MSE is ~1e-28; a log
    axis stretched down to it would squash every curve into the top of the chart.
    """
    start = max((float(h.train_loss[0]) for h in comp.runs if h.epochs_run), default=0.0)
    return comp.ols.mse if comp.ols.mse > 1e-12 * start else None


def batch_note(comp: Comparison) -> str | None:
    """Plain words when the batch size is at least the training rows (then it is full batch)."""
    size, rows = comp.config.batch_size, len(comp.dataset.y_train)
    if size is None or size < rows:
        return None
    return (
        f"Batch size {size:,} is at least the {rows:,} training rows, so every epoch is one "
        "full-batch step on all of them, the same as batch size 0. · 전체 배치와 같습니다."
    )


def run_warnings(comp: Comparison) -> list[str]:
    """Plain words for each run that blew up, or that ended with more loss than it started."""
    notes = []
    for h in comp.runs:
        loss = h.train_loss
        if h.advice:
            notes.append(h.advice + " · 발산: 학습률을 낮추거나 z-score를 켜세요.")
        elif len(loss) > 1 and not h.cancelled and loss[-1] > loss[0]:
            notes.append(
                f"{h.label} ended with a larger loss ({loss[-1]:.4g}) than it started with "
                f"({loss[0]:.4g}): its steps are too large for this data. Lower the learning "
                f"rate (now {h.optimizer.lr:g}) or z-score the inputs. · 손실이 오히려 커졌습니다."
            )
    return notes


def zscore_frame(
    names: Sequence[str], X: np.ndarray, mean: np.ndarray, std: np.ndarray, *, max_columns: int
) -> tuple[pd.DataFrame, int]:
    """Columns column, stage ('original'/'z-scored'), value for the first features and the
    target (the last column of X); and how many columns that is."""
    d = X.shape[1] - 1
    shown = [*range(min(d, max_columns - 1)), d]
    frame = pd.concat(
        [
            pd.DataFrame({"column": names[j], "stage": stage, "value": v})
            for j in shown
            for stage, v in (("original", X[:, j]), ("z-scored", (X[:, j] - mean[j]) / std[j]))
        ],
        ignore_index=True,
    )
    return frame, len(shown)


def loss_caption(comp: Comparison) -> str:
    cfg = comp.config
    space = (
        "z-scored target" if cfg.normalize_target else f"{escape_md(comp.dataset.target)}'s units"
    )
    text = f"MSE in the space the model trains in ({space})"
    text += "; solid: training rows, dashed: held-out rows. " if comp.dataset.y_test.size else ". "
    if optimum_mse(comp) is None:
        text += "A straight line fits these rows exactly: the least-squares MSE is 0."
    else:
        text += f"The dotted line is the least-squares optimum's training MSE, {comp.ols.mse:.6g}."
    if cfg.epochs > MAX_EPOCHS_SHOWN:
        text += f" Drawn at {MAX_EPOCHS_SHOWN} evenly spaced epochs per optimizer."
    return text


def summary_caption(comp: Comparison) -> str:
    cfg = comp.config
    text = (
        "MSE and R² in the target's own units; the last row is the closed-form optimum. The "
        "feature weights and the intercept are each model in the data's own units (원래 단위)"
    )
    if cfg.normalize or cfg.normalize_target:
        text += "; W and b (z) are the same model as trained, on z-scores"
    return text + ". Distance to optimum: between the trained parameters and least squares'."


def metrics_table(comp: Comparison, split: str) -> pd.DataFrame:
    """MSE, RMSE, MAE, R² per optimizer and the least-squares optimum on one split."""
    rows = []
    for h in [*comp.runs, None]:
        m = comp.metrics(h, split) or {}
        rows.append(
            {"optimizer": label(h), **{k.upper() if k != "r2" else "R²": v for k, v in m.items()}}
        )
    return pd.DataFrame(rows)


def published_table(published: Mapping[str, Any], comp: Comparison) -> pd.DataFrame:
    """A tutorial's printed numbers (ui.presets.Published.as_dict()) beside this run's.

    The first run is compared at the published epoch, rounded as the tutorial printed it
    (`decimals` after the point for W and b, 6 for the cost as the seeds' log).
    """
    h, epoch, decimals = comp.runs[0], int(published["epoch"]), int(published["decimals"])
    ran = 1 <= epoch <= h.epochs_run
    weights = list(published["weights"])
    names = ["W"] if len(weights) == 1 else [f"W{i + 1}" for i in range(len(weights))]
    rows = [
        (name, value, h.weights[epoch, i] if ran else None, decimals)
        for i, (name, value) in enumerate(zip(names, weights, strict=True))
    ]
    if published.get("bias") is not None:
        rows.append(
            (
                "b",
                published["bias"],
                h.bias[epoch] if ran and h.bias is not None else None,
                decimals,
            )
        )
    if published.get("cost") is not None:
        rows.append(("cost", published["cost"], h.train_loss[epoch - 1] if ran else None, 6))
    return pd.DataFrame(
        [
            {
                "quantity": f"{name} at epoch {epoch}",
                "published": f"{value:.{d}f}",
                "reproduced here": "not reached" if mine is None else f"{mine:.{d}f}",
                "same digits": mine is not None and f"{value:.{d}f}" == f"{mine:.{d}f}",
            }
            for name, value, mine, d in rows
        ]
    )


def prediction_columns(comp: Comparison, X: np.ndarray) -> dict[str, np.ndarray]:
    """'predicted <target> (<optimizer>)' -> predictions for rows X (n, d) in original units."""
    target = comp.dataset.target
    return {f"predicted {target} ({label(h)})": comp.predict(X, h) for h in [*comp.runs, None]}


def typed_predictions(comp: Comparison, x: Sequence[float]) -> pd.DataFrame:
    """Columns optimizer, prediction: every model's prediction for one row typed in."""
    X = np.asarray([x], dtype=np.float64)  # (1, d)
    return pd.DataFrame(
        {
            "optimizer": [label(h) for h in [*comp.runs, None]],
            "prediction": [float(comp.predict(X, h)[0]) for h in [*comp.runs, None]],
        }
    )


def split_predictions(comp: Comparison, split: str) -> pd.DataFrame:
    """The rows of one split (features, actual target) with every model's prediction."""
    ds = comp.dataset
    X, y = (ds.X_test, ds.y_test) if split == "test" else (ds.X_train, ds.y_train)
    out = pd.DataFrame(X, columns=list(ds.features))
    out[ds.target] = y
    return out.assign(**prediction_columns(comp, X))


def file_predictions(comp: Comparison, table: pd.DataFrame) -> pd.DataFrame:
    """A new table with every model's prediction; DataError if a feature is missing or text.

    Rows with a missing feature value get no prediction (NaN).
    """
    features = comp.dataset.features
    missing = [f for f in features if f not in table.columns]
    if missing:
        raise DataError(
            f"The file lacks the feature column(s) {missing}. It needs the columns the models "
            f"were trained on: {list(features)} (the target is optional)."
        )
    X = np.column_stack([column_values(table, f) for f in features])  # (n, d), NaN if missing
    return table.assign(**prediction_columns(comp, X))
