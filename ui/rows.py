"""The Data and Normalise pages' row sections: numbers written with units, row filters, a
category that colours the points, training outliers, and weights whose sign depends on the split.

Each section reads the settings, shows widgets whose callbacks write them with ui.state.update,
and leaves the numbers to linreg_core.rows.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import streamlit as st

from linreg_core import LinRegError, RunConfig, numeric_columns, prepare
from linreg_core.config import Condition
from linreg_core.rows import (
    OUTLIER_Z,
    SMALL_TABLE,
    describe_filters,
    filter_mask,
    outlier_table,
    sign_changes,
    unit_columns,
    with_numbers_from_text,
)
from linreg_core.rows import suggested_target as suggested_target  # for the Data page
from ui import charts, state
from ui.messages import escape_md, short

if TYPE_CHECKING:
    from linreg_core import Comparison, Dataset

MAX_GROUPS = 8  # values of a column that colours the points (charts.GROUP_COLORS)
MAX_VALUES = 200  # of a text column offered as values to keep
MAX_OUTLIERS_SHOWN = 100
ROLES = (
    "The **target** (y) is the column the model predicts; the **features** (x) are the "
    "columns it predicts from. · 목표(y)와 입력(x)"
)
SUGGESTION = "Suggested by its name: {name}. It is only a suggestion: choose the column to predict."
NO_TARGET = "Choose the target above: the column to predict. · 예측할 열을 고르세요."
UNITS_HELP = (
    "Cells such as '19.67 kmpl' are read as 19.67; cells without a number ('null bhp') become "
    "missing, and their rows are left out and counted."
)
DATA_CHART = "Circles: training rows; triangles: held-out rows (after the filters)."
WITHOUT = "weight without this row"  # linreg_core.rows.sign_changes' column, shown per std
SMALL_SPLIT = (
    "This table has {rows} rows, fewer than {limit}: it starts with none held out, since every "
    "row is needed to train. Scores are then on the training rows. · 작은 표는 전부 학습에 씁니다."
)
OUTLIERS_NONE = "No training row lies beyond |z| > {z:g} in a chosen column."
OUTLIERS_FOUND = (
    "{n} training row(s) lie beyond |z| > {z:g} in a chosen column (the training rows' mean and "
    "population std, before any drop). One such row can move a line a long way."
)
OUTLIERS_DROPPED = (
    "{n} training row(s) beyond |z| > {z:g} are dropped (statistics taken before the drop); "
    "the run's settings record it."
)
SIGN_CHANGE = (
    "The least-squares weight of {feature} is {train:+.4g} on the training rows but {all:+.4g} "
    "on all rows (per standard deviation of {feature}, {std}): which rows are held out "
    "changes its sign. The rows that move this weight most (leaving one out changes the "
    "all-rows weight to the last column):"
)


# -- numbers written with units -----------------------------------------------------------------
def units_section(df: pd.DataFrame, cfg: RunConfig) -> None:
    """Offer the text columns of numbers with units as numbers; opt-in, with counts."""
    found = unit_columns(df)
    if not found:
        return
    st.subheader("Numbers written with units")
    st.multiselect(
        "Read these columns as numbers",
        list(found),
        format_func=lambda c: f"{short(c)} ({found[c].unit})",
        help=UNITS_HELP,
        **state.shown(state.W_UNITS, [c for c in cfg.numbers_from_text if c in found]),
        on_change=_choose_units,
    )
    for col in cfg.numbers_from_text:
        if (info := found.get(col)) is not None:
            line = f"{escape_md(short(col))}: {info.numbers:,} numbers"
            if info.units:
                line += f" in {escape_md(info.unit)}"
            if info.without_number:
                line += (
                    f"; {info.without_number:,} cell(s) without a number become missing (their "
                    "rows are dropped when the column is chosen)"
                )
            if len(info.units) > 1:
                line += "; several units: the numbers are taken as written, not converted"
            st.caption(line + ".")


def _choose_units() -> None:
    cfg, chosen = state.settings(), tuple(st.session_state[state.W_UNITS])
    gone = set(cfg.numbers_from_text) - set(chosen)
    target = None if cfg.target in gone else cfg.target
    state.update(
        numbers_from_text=chosen,
        target=target,
        features=tuple(f for f in cfg.features if f not in gone),
    )


def usable_columns(df: pd.DataFrame, cfg: RunConfig) -> list[str]:
    """The columns a target or feature can be: numbers, and text read as numbers."""
    extra = [c for c in cfg.numbers_from_text if c in df.columns]
    return [c for c in df.columns if c in set(numeric_columns(df)) | set(extra)]


def offered(df: pd.DataFrame, usable: list[str]) -> list[str]:
    """The usable columns and those offered as numbers with units: the rest are not usable."""
    return [*usable, *(c for c in unit_columns(df) if c not in usable)]


# -- row filters and groups ---------------------------------------------------------------------
def filters_section(df: pd.DataFrame, cfg: RunConfig) -> None:
    """Keep rows where a column is one of chosen values, or a number lies in a range."""
    st.subheader("Rows")
    table = _readable(df, cfg)
    c1, c2 = st.columns([2, 3], vertical_alignment="bottom")
    column = c1.selectbox(
        "Keep rows where", list(df.columns), index=None, placeholder="a column…",
        key=state.W_FILTER_COLUMN,
    )  # fmt: skip
    conditions: tuple[Condition, ...] = ()
    if column is not None:
        series = table[column]
        if pd.api.types.is_numeric_dtype(series) and series.notna().any():
            low, high = float(series.min()), float(series.max())
            a, b = c2.columns(2)
            lo = a.number_input("from", value=low, format="%g", key=state.W_FILTER_LOW)
            hi = b.number_input("to", value=high, format="%g", key=state.W_FILTER_HIGH)
            conditions = (Condition(column, ">=", f"{lo:g}"), Condition(column, "<=", f"{hi:g}"))
        else:
            values = series.dropna().astype(str).str.strip().value_counts().index.tolist()
            chosen = c2.multiselect(
                "is one of", values[:MAX_VALUES], key=state.W_FILTER_VALUES,
                placeholder="values…",
            )  # fmt: skip
            if chosen:
                op = "==" if len(chosen) == 1 else "in"
                conditions = (Condition(column, op, chosen[0] if op == "==" else tuple(chosen)),)
    st.button(
        "Add filter", key=state.W_FILTER_ADD, disabled=not conditions,
        on_click=_add_filter, args=(conditions,), icon=":material/filter_alt:",
    )  # fmt: skip
    if cfg.where:
        try:
            kept = int(filter_mask(table, cfg.where).sum())
        except LinRegError as exc:
            st.error(escape_md(exc), icon=":material/error:")
        else:
            st.info(escape_md(describe_filters(cfg.where, kept, len(df))), icon=":material/rule:")
        st.button(
            "Remove the filters", key=state.W_FILTER_CLEAR, icon=":material/filter_alt_off:",
            on_click=state.update, kwargs={"where": ()},
        )  # fmt: skip
    else:
        st.caption(describe_filters((), len(df), len(df)) + " Filters apply before the split.")


def _readable(df: pd.DataFrame, cfg: RunConfig) -> pd.DataFrame:
    """df with the columns read as numbers from text, as filters and charts see it."""
    try:
        return with_numbers_from_text(df, cfg.numbers_from_text)
    except LinRegError:
        return df


def _add_filter(conditions: tuple[Condition, ...]) -> None:
    cfg = state.settings()
    # a new filter on a column replaces the old one on it: ranges do not pile up
    columns = {c.column for c in conditions}
    state.update(where=(*[c for c in cfg.where if c.column not in columns], *conditions))


def color_choice(df: pd.DataFrame) -> str | None:
    """A selectbox of the columns with 2..MAX_GROUPS values that can colour the points."""
    options = [c for c in df.columns if 2 <= df[c].nunique(dropna=True) <= MAX_GROUPS]
    if not options:
        return None
    current = st.session_state[state.COLOR_BY]
    chosen = st.selectbox(
        "Colour the points by",
        options,
        index=options.index(current) if current in options else None,
        placeholder="no colour",
        key=state.W_COLOR_BY,
    )
    st.session_state[state.COLOR_BY] = chosen
    return chosen


def group_of(
    df: pd.DataFrame, column: str | None, train: np.ndarray, test: np.ndarray
) -> np.ndarray | None:
    """The column's values for the training then held-out rows (their table positions)."""
    if column is None or column not in df.columns:
        return None
    values = df[column].astype(str).to_numpy()
    return np.concatenate([values[train], values[test]])


def data_chart(ds: Dataset, group: np.ndarray | None, title: str | None) -> None:
    """The target against a chosen feature, training and held-out rows, coloured by group."""
    st.subheader("The data")
    feature = ds.features[0]
    if len(ds.features) > 1:
        feature = st.selectbox("Feature on the x axis", ds.features, key=state.W_DATA_CHART_X)
    j = ds.features.index(feature)
    points = pd.concat(
        [
            pd.DataFrame({"x": ds.X_train[:, j], "y": ds.y_train, "split": "train"}),
            pd.DataFrame({"x": ds.X_test[:, j], "y": ds.y_test, "split": "test"}),
        ],
        ignore_index=True,
    )
    if group is not None:
        points["group"] = group
    points = _with_extremes(points)
    lines = pd.DataFrame({"optimizer": [], "x": [], "y": []})
    chart = charts.fit_chart(points, lines, x_title=feature, y_title=ds.target, group_title=title)
    charts.show(chart, width="stretch")
    st.caption(DATA_CHART)


def _with_extremes(points: pd.DataFrame, keep: int = 20) -> pd.DataFrame:
    """At most charts.MAX_SCATTER_ROWS points per split, a seeded sample that always keeps the
    `keep` rows farthest from the mean in x or y: an outlier must show on the data chart."""
    parts = []
    for _, part in points.groupby("split", sort=False):
        if len(part) <= charts.MAX_SCATTER_ROWS:
            parts.append(part)
            continue
        xy = part[["x", "y"]].to_numpy(dtype=float)
        z = np.nan_to_num(
            np.abs((xy - xy.mean(axis=0)) / np.where(xy.std(axis=0) > 0, xy.std(axis=0), 1))
        )
        far = np.argsort(-z.max(axis=1), kind="stable")[:keep]
        rest = np.setdiff1d(np.arange(len(part)), far)
        rng = np.random.default_rng(0)
        sample = rng.choice(rest, size=charts.MAX_SCATTER_ROWS - len(far), replace=False)
        parts.append(part.iloc[np.sort(np.concatenate([far, sample]))])
    return pd.concat(parts, ignore_index=True)


def fit_groups(comp: Comparison) -> tuple[np.ndarray | None, str | None]:
    """The colouring category's values for the fit chart's points (None without one, or when
    the held-out rows come from a separate file)."""
    ss = st.session_state
    column = ss.get(state.COLOR_BY)
    if column is None or ss.get(state.TEST_DATA) is not None or ss.get(state.DATA) is None:
        return None, None
    ds = comp.dataset
    return group_of(ss[state.DATA], column, ds.train_rows, ds.test_rows), column


def default_bins(n_rows: int) -> int:
    """Histogram bins for n rows: about 2·√n, from 10 to 100 in steps of 5, so a heavy tail
    gets bars of its own without a small table's bars standing alone."""
    return int(min(100, max(10, 5 * round(2 * math.sqrt(n_rows) / 5))))


# -- small tables -------------------------------------------------------------------------------
def small_table_note(df: pd.DataFrame, cfg: RunConfig) -> None:
    if len(df) < SMALL_TABLE and cfg.test_size == 0:
        st.caption(SMALL_SPLIT.format(rows=len(df), limit=SMALL_TABLE))


# -- outliers -----------------------------------------------------------------------------------
def outliers_section(df: pd.DataFrame, cfg: RunConfig, test_df: pd.DataFrame | None, page: str):
    """The training rows beyond |z| > OUTLIER_Z with their values, and one click to drop them."""
    z = cfg.drop_outliers or OUTLIER_Z
    try:  # the training rows before any drop
        ds = prepare(df, dataclasses.replace(cfg, drop_outliers=None), test_df)
    except LinRegError:
        return  # the page shows the problem itself
    names = (*ds.features, ds.target)
    table = outlier_table(ds.X_train, ds.y_train, names, ds.train_rows, z)
    st.subheader("Outliers")
    if cfg.drop_outliers is not None:
        st.warning(OUTLIERS_DROPPED.format(n=len(table), z=z), icon=":material/filter_alt:")
        st.button(
            "Keep them", key=state.W_OUTLIERS_KEEP.format(page=page),
            on_click=state.update, kwargs={"drop_outliers": None}, icon=":material/undo:",
        )  # fmt: skip
    elif len(table):
        st.warning(OUTLIERS_FOUND.format(n=len(table), z=z), icon=":material/warning:")
    else:
        st.caption(OUTLIERS_NONE.format(z=z))
        return
    shown = table.head(MAX_OUTLIERS_SHOWN)
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            c: st.column_config.NumberColumn(format="%.4g") for c in [*names, "largest |z|"]
        },
    )
    if len(table) > len(shown):
        st.caption(f"The {len(shown)} farthest of {len(table):,} rows.")
    if cfg.drop_outliers is None:
        st.button(
            f"Drop these {len(table):,} row(s) from training",
            key=state.W_OUTLIERS_DROP.format(page=page), icon=":material/delete_sweep:",
            on_click=state.update, kwargs={"drop_outliers": OUTLIER_Z},
        )  # fmt: skip


# -- weights whose sign depends on the split ----------------------------------------------------
def sign_section(ds: Dataset, cfg: RunConfig) -> None:
    """Say so when a weight's least-squares sign on the training rows is not its sign on all."""
    try:
        flips = sign_changes(
            ds.X_train, ds.y_train, ds.X_test, ds.y_test, ds.features, ds.target,
            (ds.train_rows, ds.test_rows), bias=cfg.bias,
        )  # fmt: skip
    except np.linalg.LinAlgError:
        return
    for flip in flips:
        st.warning(
            escape_md(
                SIGN_CHANGE.format(
                    feature=repr(flip.feature),
                    train=flip.train_weight * flip.std,
                    all=flip.all_weight * flip.std,
                    std=f"{flip.std:,.0f}" if flip.std >= 1000 else f"{flip.std:.4g}",
                )
            ),
            icon=":material/swap_vert:",
        )
        shown = flip.rows.assign(**{WITHOUT: flip.rows[WITHOUT] * flip.std})
        st.dataframe(
            shown,
            hide_index=True,
            column_config={WITHOUT: st.column_config.NumberColumn(format="%+.4f")},
        )
