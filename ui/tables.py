"""Tables and tidy frames for the pages: what st.dataframe shows and what ui.charts draws.

Chart frames follow ui.charts' column contracts; long histories are thinned to at most
MAX_EPOCHS_SHOWN epochs per optimizer so a 100,000-epoch run draws as fast as a short one.
Tables keep English column names (the CSV downloads' contract); shown() gives a table the
headers of the session's language for st.dataframe.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import streamlit as st

from linreg_core import OPTIMUM_LABEL, DataError, column_values, numeric_columns, param_names
from linreg_core.rows import column_summary
from ui.i18n import language, t
from ui.messages import MAX_EPOCHS_SHOWN

if TYPE_CHECKING:  # types only: importing them loads torch
    from linreg_core import Comparison, History, Scaler
    from ui.presets import Published

MAX_ROWS_SHOWN = 1_000  # of a new file's predictions on Predict; 1.5 million rows were 100 MB
MAX_PARAMS_SHOWN = 12  # panels in the parameters chart; a chart of 101 was 500 MB, unreadable

# The tables' English headers and the catalog keys of their shown names ([common] column.*).
HEADERS = {
    "run": "run",
    "table": "table",
    "column": "column",
    "role": "role",
    "training mean": "training_mean",
    "training std (ddof=0)": "training_std",
    "test rows' mean after z-score": "test_mean",
    "test rows' std after z-score": "test_std",
    "type": "type",
    "missing": "missing",
    "unique": "unique",
    "min": "min",
    "max": "max",
    "mean": "mean",
    "std": "std",
    "usable": "usable",
    "optimizer": "optimizer",
    "train MSE": "train_mse",
    "test MSE": "test_mse",
    "train R²": "train_r2",
    "test R²": "test_r2",
    "intercept": "intercept",
    "epochs to 1% of optimum": "epochs_to_optimum",
    "distance to optimum": "distance",
    "diverged at epoch": "diverged_at",
    "seconds": "seconds",
    "quantity": "quantity",
    "published": "published",
    "reproduced here": "reproduced",
    "same digits": "same_digits",
    "prediction": "prediction",
}
ROLES = {"feature": "common.column.feature", "target": "common.column.target"}


# -- chart frames -----------------------------------------------------------------------------
def spaced(n: int, max_count: int = MAX_EPOCHS_SHOWN) -> np.ndarray:
    """Positions of at most max_count evenly spaced items of n, first and last kept."""
    if n <= max_count:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_count).round().astype(int))


def thin_epochs(df: pd.DataFrame, max_epochs: int = MAX_EPOCHS_SHOWN) -> pd.DataFrame:
    """Rows of at most max_epochs evenly spaced epochs per optimizer, first and last kept."""
    parts = []
    for _, group in df.groupby("optimizer", sort=False):
        epochs = np.unique(group["epoch"].to_numpy())
        if len(epochs) > max_epochs:
            group = group[group["epoch"].isin(epochs[spaced(len(epochs), max_epochs)])]
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


def losses_frame(comp: Comparison) -> pd.DataFrame:
    """Columns optimizer, epoch, split ('train'/'test'), loss (trained space)."""
    parts = []
    for h in comp.runs:
        epochs = np.arange(1, h.epochs_run + 1)
        splits = [("train", h.train_loss), ("test", h.test_loss)]
        for split, loss in splits:
            if loss is not None:
                parts.append(
                    pd.DataFrame(
                        {"optimizer": h.label, "epoch": epochs, "split": split, "loss": loss}
                    )
                )
    return pd.concat(parts, ignore_index=True)


def shown_params(comp: Comparison, max_count: int = MAX_PARAMS_SHOWN) -> list[str]:
    """The parameters the chart draws, in table order: all of them up to max_count, else b and
    the weights farthest from zero at the least-squares optimum (as trained)."""
    names = comp.param_names()
    if len(names) <= max_count:
        return names
    bias = comp.config.bias
    largest = np.argsort(-np.abs(comp.ols.weights), kind="stable")[: max_count - int(bias)]
    return [names[i] for i in np.sort(largest)] + (["b"] if bias else [])


def params_frame(
    comp: Comparison, names: Sequence[str] | None = None, max_epochs: int = MAX_EPOCHS_SHOWN
) -> pd.DataFrame:
    """Columns optimizer, epoch (0 = start), param ('W' or 'W1'.., 'b'), value.

    Only the named parameters (default: all), at most max_epochs evenly spaced epochs per run
    (first and last kept), so the frame's size does not grow with the features or the epochs.
    """
    every = comp.param_names()
    names = every if names is None else list(names)
    position = {name: i for i, name in enumerate(every)}  # b, if any, is last: after the d weights
    d = len(comp.dataset.features)
    parts = []
    for h in comp.runs:
        rows = spaced(len(h.weights), max_epochs)  # (n,) epochs kept
        history = [h.bias if position[n] == d else h.weights[:, position[n]] for n in names]
        values = [column[rows] for column in history]
        parts.append(
            pd.DataFrame(
                {
                    "optimizer": h.label,
                    "epoch": np.tile(rows, len(names)),
                    "param": np.repeat(names, len(rows)),
                    "value": np.concatenate(values) if values else np.empty(0),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def optimum(comp: Comparison) -> dict[str, object]:
    """The least-squares parameters for the charts: weights, bias and MSE (trained space)."""
    return {
        "weights": [float(v) for v in comp.ols.weights],
        "bias": comp.ols.bias,
        "mse": comp.ols.mse,
    }


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
    """A run's name, or the optimum's."""
    return OPTIMUM_LABEL if h is None else h.label


# -- tables ------------------------------------------------------------------------------------
def shown(
    table: pd.DataFrame, comp: Comparison | None = None, keep: Sequence[object] = ()
) -> pd.DataFrame:
    """The table as the page shows it: headers (and the roles, the optimum's name) in the
    session's language. The table itself, and its CSV, keep the English names.

    comp: names the "<feature> weight" and "predicted <target> (<model>)" columns; keep: the
    data's own columns (a new file's), never renamed even when one is called "mean".
    """
    mine = {str(c) for c in keep}
    rename = {c: t(f"common.column.{HEADERS[c]}") for c in table.columns if c in HEADERS}
    if comp is not None:
        mine |= {*comp.dataset.features, comp.dataset.target}
        for f in comp.dataset.features:
            rename[f"{f} weight"] = t("common.column.weight", name=f)
        target = comp.dataset.target
        for h in [*comp.runs, None]:
            rename[f"predicted {target} ({label(h)})"] = t(
                "common.column.predicted", target=target, model=shown_label(label(h))
            )
    rename = {c: name for c, name in rename.items() if c in table.columns and c not in mine}
    out = table.rename(columns=rename)
    if "role" in rename:
        out[rename["role"]] = table["role"].map(lambda r: t(ROLES[r]) if r in ROLES else r)
    if "optimizer" in rename:
        out[rename["optimizer"]] = table["optimizer"].map(shown_label)
    return out


def shown_label(name: object) -> object:
    """A run's name as shown: the optimum's in the session's language, the others as they are."""
    return t("common.least_squares") if name == OPTIMUM_LABEL else name


def summary_table(comp: Comparison) -> pd.DataFrame:
    """comp.summary() with one column per parameter: original units first, then as trained.

    Built in one step from a dict of columns: a column inserted at a time copies the frame
    each time and fragments it (pandas' PerformanceWarning beyond 100 columns).
    """
    from linreg_core import report  # with the results, so torch is already loaded

    raw = report.summary(comp)
    cfg, features = comp.config, comp.dataset.features
    columns: dict[str, Any] = {"optimizer": raw["optimizer"], "train MSE": raw["train MSE"]}
    if comp.dataset.y_test.size:
        columns |= {"test MSE": raw["test MSE"], "test R²": raw["test R²"]}
    else:
        columns["train R²"] = raw["train R²"]
    original = np.array(raw["weights (original units)"].tolist(), dtype=float)  # (rows, d)
    columns |= {f"{f} weight": original[:, i] for i, f in enumerate(features)}
    if raw["bias (original units)"].notna().any():
        columns["intercept"] = raw["bias (original units)"].astype(float)
    if cfg.normalize or cfg.normalize_target:  # else the trained parameters are the same numbers
        trained = np.array(raw["weights"].tolist(), dtype=float)  # (rows, d)
        names = comp.param_names()
        columns |= {f"{name} (z)": trained[:, i] for i, name in enumerate(names[: len(features)])}
        if cfg.bias:
            columns["b (z)"] = raw["bias"].astype(float)
    for name in ("epochs to 1% of optimum", "distance to optimum", "diverged at epoch", "seconds"):
        columns[name] = raw[name]
    return pd.DataFrame(columns)


def number_columns(table: pd.DataFrame, fmt: str = "%.6g") -> dict[str, Any]:
    """st.dataframe column_config: every float column with fmt (6 significant digits)."""
    return {
        c: st.column_config.NumberColumn(format=fmt)
        for c in table.columns
        if pd.api.types.is_float_dtype(table[c])
    }


def zscore_frame(
    names: Sequence[str], X: np.ndarray, scaler: Scaler, *, max_columns: int
) -> tuple[pd.DataFrame, int]:
    """Columns column, stage ('original'/'z-scored'), value for the first features and the
    target (the last column of X); and how many columns that is."""
    d = X.shape[1] - 1
    shown = [*range(min(d, max_columns - 1)), d]
    Z = scaler.transform(X)  # (n, d + 1)
    frame = pd.concat(
        [
            pd.DataFrame({"column": names[j], "stage": stage, "value": v})
            for j in shown
            for stage, v in (("original", X[:, j]), ("z-scored", Z[:, j]))
        ],
        ignore_index=True,
    )
    return frame, len(shown)


def metrics_table(comp: Comparison, split: str) -> pd.DataFrame:
    """MSE, RMSE, MAE, R² per optimizer and the least-squares optimum on one split."""
    rows = []
    for h in [*comp.runs, None]:
        m = comp.metrics(h, split) or {}
        rows.append(
            {"optimizer": label(h), **{k.upper() if k != "r2" else "R²": v for k, v in m.items()}}
        )
    return pd.DataFrame(rows)


def published_table(published: Published, comp: Comparison) -> pd.DataFrame:
    """A tutorial's printed numbers beside this run's.

    The first run is compared at the published epoch, rounded as the tutorial printed it
    (`decimals` after the point for W and b, 6 for the cost as the seeds' log).
    """
    h, epoch, d = comp.runs[0], published.epoch, published.decimals
    ran = 1 <= epoch <= h.epochs_run
    rows = [
        (name, value, h.weights[epoch, i] if ran else None, d)
        for i, (name, value) in enumerate(
            zip(param_names(len(published.weights), False), published.weights, strict=True)
        )
    ]
    if published.bias is not None:
        rows.append(("b", published.bias, h.bias[epoch] if ran and h.bias is not None else None, d))
    if published.cost is not None:
        rows.append(("cost", published.cost, h.train_loss[epoch - 1] if ran else None, 6))
    return pd.DataFrame(
        [
            {
                "quantity": t("common.at_epoch", name=name, epoch=epoch),
                "published": f"{value:.{places}f}",
                "reproduced here": t("common.not_reached")
                if mine is None
                else f"{mine:.{places}f}",
                "same digits": mine is not None and f"{value:.{places}f}" == f"{mine:.{places}f}",
            }
            for name, value, mine, places in rows
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
        raise DataError("messages.missing_features", missing=missing, features=list(features))
    X = np.column_stack([column_values(table, f) for f in features])  # (n, d), NaN if missing
    return table.assign(**prediction_columns(comp, X))


def column_overview(df: pd.DataFrame) -> pd.DataFrame:
    """One row per column: type, missing, unique, min, max, mean, std (ddof=0), and whether it
    can be used (and if not, why); linreg_core.rows.column_summary."""
    return column_summary(df, numeric_columns(df), language())


def zscore_table(
    names: Sequence[str], train: np.ndarray, test: np.ndarray, scaler: Scaler
) -> pd.DataFrame:
    """The training statistics of each column (features, then the target) and, with held-out
    rows, their mean and std after the z-score fitted on the training rows."""
    roles = ["feature"] * (len(names) - 1) + ["target"]
    table = pd.DataFrame(
        {
            "column": list(names),
            "role": roles,
            "training mean": scaler.mean,
            "training std (ddof=0)": scaler.std,
        }
    )
    if len(test):
        Z = scaler.transform(test)  # (n_test, d + 1) with the TRAINING statistics
        table["test rows' mean after z-score"] = Z.mean(axis=0)
        table["test rows' std after z-score"] = Z.std(axis=0)
    return table
