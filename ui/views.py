"""Small layout helpers for the Train and Predict pages: tidy frames for charts and tables.

Pure functions of a Comparison (no widgets) except page_link() and optimizer_inputs(), which
draw. Chart frames follow ui.charts' column contracts; long histories are thinned to at most
MAX_EPOCHS_SHOWN epochs per optimizer so a 100,000-epoch run draws as fast as a short one.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from linreg_core import OPTIMIZERS, Comparison, DataError, History
from linreg_core.config import INITS
from linreg_core.data import column_values
from ui import state as S
from ui.charts import OPTIMUM_LABEL

MAX_EPOCHS_SHOWN = 500  # per optimizer in the loss and parameter charts
LANDSCAPE_SIZE = 100  # grid points per axis; the chart draws at most 70 lines of cells


def page_link(page: str, label: str, icon: str | None = None) -> None:
    """st.page_link, or the page's name in words when the page runs on its own (tests)."""
    try:
        st.page_link(page, label=label, icon=icon)
    except StreamlitPageNotFoundError:  # the page runs on its own, without st.navigation
        st.markdown(f"Open **{label}** in the sidebar.")


class _Progress:
    """A progress callback for ui.engine: draws at most every `every` seconds, counts calls."""

    def __init__(self, bar: Any, every: float) -> None:
        self.bar, self.every, self.calls, self.last = bar, every, 0, -math.inf

    def __call__(self, done: int, total: int) -> None:
        self.calls += 1
        now = time.perf_counter()
        if now - self.last >= self.every or done == total:
            self.last = now
            self.bar.progress(done / total, text=f"Training… {done:,} of {total:,} epochs in all")


def progress_bar(every: float = 0.1) -> tuple[Any, _Progress]:
    """(placeholder, callback): a progress bar drawn in the placeholder as training goes on."""
    bar = st.empty()
    return bar, _Progress(bar, every)


# -- the training form ------------------------------------------------------------------------
def training_form(training: Mapping[str, Any]) -> dict[str, Any] | None:
    """The training settings in a form (edits wait for Train, so nothing reruns meanwhile).

    Returns the new TRAINING dict when Train is pressed, else None. Widget keys: ui.state.W_TRAIN_*.
    """
    with st.form(S.W_TRAIN_FORM):
        optimizers = optimizer_inputs(training["optimizers"])
        c1, c2, c3 = st.columns(3)
        epochs = c1.number_input(
            "Epochs (반복 횟수)",
            1,
            100_000,
            int(training["epochs"]),
            step=100,
            key=S.W_TRAIN_EPOCHS,
        )
        batch = c2.number_input(
            "Batch size (0 = full batch, 전체 배치)",
            0,
            10_000_000,
            int(training["batch_size"] or 0),
            help="Full batch: one step per epoch on every row, as in the tutorials.",
            key=S.W_TRAIN_BATCH,
        )
        init = c3.radio(
            "Start (초기값)",
            INITS,
            index=INITS.index(training["init"]),
            horizontal=True,
            help="zeros: W = b = 0 as in the tutorials; random: nn.Linear's seeded start.",
            key=S.W_TRAIN_INIT,
        )
        bias = st.checkbox(
            "Fit a bias: y = Wx + b (편향 b)", value=bool(training["bias"]), key=S.W_TRAIN_BIAS
        )
        if not st.form_submit_button("Train", type="primary", icon=":material/play_arrow:"):
            return None
    return {
        "optimizers": optimizers,
        "epochs": int(epochs),
        "batch_size": int(batch) or None,
        "init": init,
        "bias": bias,
    }


def optimizer_slots(optimizers: Sequence[Mapping[str, Any]]) -> list[tuple[str, int, dict]]:
    """(name, occurrence, settings) for each registry optimizer, one per time it is chosen.

    Chosen ones carry their settings; unchosen ones appear once with {} (so one can be added).
    A name chosen twice (e.g. sgd at two learning rates) gets two slots, 0 and 1.
    """
    slots = []
    for name in OPTIMIZERS:
        chosen = [dict(o) for o in optimizers if o["name"] == name]
        for k, settings in enumerate(chosen or [{}]):
            slots.append((name, k, settings))
    return slots


def optimizer_inputs(optimizers: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Inside a form: a checkbox and lr per optimizer, other hyperparameters in an expander.

    Returns the chosen optimizers as TRAINING dicts. Widget keys: ui.state.W_TRAIN_USE and
    W_TRAIN_PARAM (param: lr, momentum, alpha, beta1, beta2, eps, weight_decay).
    """
    widths = [2, 1.4, 4]
    for col, text in zip(
        st.columns(widths), ["Optimizer", "Learning rate (학습률)", ""], strict=True
    ):
        col.markdown(f"**{text}**" if text else "")
    chosen: list[dict[str, Any]] = []
    for name, k, given in optimizer_slots(optimizers):
        spec = OPTIMIZERS[name]
        left, middle, right = st.columns(widths, vertical_alignment="center")
        use = left.checkbox(
            spec.title if k == 0 else f"{spec.title} #{k + 1}",
            value=bool(given),
            key=S.W_TRAIN_USE.format(name=name, k=k),
        )
        lr = middle.number_input(
            f"{spec.title} learning rate",
            min_value=1e-8,
            max_value=1e6,
            value=float(given.get("lr", 0.1)),
            format="%g",
            label_visibility="collapsed",
            key=S.W_TRAIN_PARAM.format(param="lr", name=name, k=k),
        )
        right.caption(spec.summary)
        chosen.append({"name": name, "lr": lr, "use": use, "given": given, "k": k})
    with st.expander("More hyperparameters: momentum, alpha, betas, eps, weight decay"):
        st.caption("Defaults are torch.optim's. 기본값은 torch.optim과 같습니다.")
        for entry in chosen:
            defaults = OPTIMIZERS[entry["name"]].defaults
            if defaults:
                entry.update(_hyperparameter_inputs(entry, defaults))
    return [
        {k: v for k, v in e.items() if k not in ("use", "given", "k")} for e in chosen if e["use"]
    ]


def _hyperparameter_inputs(entry: dict[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """One row of number inputs for the optimizer's hyperparameters beside lr."""
    given, k = entry["given"], entry["k"]
    fields: list[tuple[str, str, float]] = []
    for key, default in defaults.items():
        value = given.get(key)
        if key == "betas":
            betas = value if value is not None else default
            fields += [("beta1", "beta1", float(betas[0])), ("beta2", "beta2", float(betas[1]))]
        else:
            fields.append((key, key.replace("_", " "), float(default if value is None else value)))
    title = OPTIMIZERS[entry["name"]].title
    assert len(fields) <= 4, f"no room for {len(fields)} hyperparameters of {entry['name']}"
    cols = st.columns([1.5, 1, 1, 1, 1], vertical_alignment="bottom")
    cols[0].markdown(f"**{title}**" if k == 0 else f"**{title}** #{k + 1}")
    out: dict[str, float] = {}
    for col, (key, label, value) in zip(cols[1:], fields, strict=False):
        high = 1.0 if key == "eps" else 10.0 if key == "weight_decay" else 0.9999
        out[key] = col.number_input(
            label,
            min_value=0.0,
            max_value=high,
            value=value,
            format="%g",
            key=S.W_TRAIN_PARAM.format(param=key, name=entry["name"], k=k),
        )
    if "beta1" in out:
        out["betas"] = (out.pop("beta1"), out.pop("beta2"))
    return out


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
    """(grid, paths) for the landscape chart, the grid framing the runs that did not diverge.

    A diverged path reaches 1e10 and beyond; a grid stretched to it would show the others as a
    dot. Framed without it, the diverged path is drawn until it leaves the chart.
    """
    calm = [h for h in comp.runs if not h.diverged]
    grid, _ = dataclasses.replace(comp, runs=calm or comp.runs).landscape(size=size)
    _, paths = comp.landscape(size=2)
    return grid, paths


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


def loss_caption(comp: Comparison) -> str:
    cfg = comp.config
    space = "z-scored target" if cfg.normalize_target else f"{comp.dataset.target}'s units"
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
