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
from ui.i18n import say, t
from ui.messages import escape_md, short

if TYPE_CHECKING:
    from linreg_core import Comparison, Dataset

MAX_GROUPS = 8  # values of a column that colours the points (charts.GROUP_COLORS)
MAX_VALUES = 200  # of a text column offered as values to keep
MAX_OUTLIERS_SHOWN = 100
OUTLIER_COLUMNS = {  # linreg_core.rows.outlier_table's own columns -> their catalog keys
    "row": "data.column.row",
    "largest |z|": "data.column.largest_z",
    "in column": "data.column.in_column",
}
SIGN_COLUMNS = {  # linreg_core.rows.sign_changes' own columns (its split values below)
    "row": "data.column.row",
    "split": "data.column.split",
    "weight without this row": "data.column.without",
}
SPLIT_VALUES = {"train": "data.split.train", "held out": "data.split.held_out"}
WITHOUT = "weight without this row"  # linreg_core.rows.sign_changes' column, shown per std


# -- numbers written with units -----------------------------------------------------------------
def units_section(df: pd.DataFrame, cfg: RunConfig) -> None:
    """Offer the text columns of numbers with units as numbers; opt-in, with counts."""
    found = unit_columns(df)
    if not found:
        return
    st.subheader(t("data.units_title"))
    st.multiselect(
        t("data.units_label"),
        list(found),
        format_func=lambda c: t("data.units_option", name=short(c), unit=found[c].unit),
        help=t("data.units_help"),
        **state.shown(state.W_UNITS, [c for c in cfg.numbers_from_text if c in found]),
        on_change=_choose_units,
    )
    for col in cfg.numbers_from_text:
        if (info := found.get(col)) is not None:
            line = t("data.units_count", name=escape_md(short(col)), numbers=info.numbers)
            if info.units:
                line += t("data.units_in", unit=escape_md(info.unit))
            if info.without_number:
                line += t("data.units_missing", cells=info.without_number)
            if len(info.units) > 1:
                line += t("data.units_several")
            st.caption(line + t("data.units_end"))


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
    st.subheader(t("data.rows_title"))
    table = _readable(df, cfg)
    c1, c2 = st.columns([2, 3], vertical_alignment="bottom")
    column = c1.selectbox(
        t("data.filter_column"), list(df.columns), index=None,
        placeholder=t("data.filter_column_placeholder"), key=state.W_FILTER_COLUMN,
    )  # fmt: skip
    conditions: tuple[Condition, ...] = ()
    if column is not None:
        series = table[column]
        if pd.api.types.is_numeric_dtype(series) and series.notna().any():
            low, high = float(series.min()), float(series.max())
            a, b = c2.columns(2)
            lo = a.number_input(
                t("data.filter_from"), value=low, format="%g", key=state.W_FILTER_LOW
            )
            hi = b.number_input(
                t("data.filter_to"), value=high, format="%g", key=state.W_FILTER_HIGH
            )
            conditions = (Condition(column, ">=", f"{lo:g}"), Condition(column, "<=", f"{hi:g}"))
        else:
            values = series.dropna().astype(str).str.strip().value_counts().index.tolist()
            chosen = c2.multiselect(
                t("data.filter_values"), values[:MAX_VALUES], key=state.W_FILTER_VALUES,
                placeholder=t("data.filter_values_placeholder"),
            )  # fmt: skip
            if chosen:
                op = "==" if len(chosen) == 1 else "in"
                conditions = (Condition(column, op, chosen[0] if op == "==" else tuple(chosen)),)
    st.button(
        t("data.filter_add"), key=state.W_FILTER_ADD, disabled=not conditions,
        on_click=_add_filter, args=(conditions,), icon=":material/filter_alt:",
    )  # fmt: skip
    if cfg.where:
        try:
            kept = int(filter_mask(table, cfg.where).sum())
        except LinRegError as exc:
            st.error(escape_md(say(exc)), icon=":material/error:")
        else:
            described = say(describe_filters(cfg.where, kept, len(df)))
            st.info(escape_md(described), icon=":material/rule:")
        st.button(
            t("data.filters_remove"), key=state.W_FILTER_CLEAR, icon=":material/filter_alt_off:",
            on_click=state.update, kwargs={"where": ()},
        )  # fmt: skip
    else:
        described = say(describe_filters((), len(df), len(df)))
        st.caption(t("data.filters_none", described=described))


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
        t("data.color_by"),
        options,
        index=options.index(current) if current in options else None,
        placeholder=t("data.color_by_placeholder"),
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
    st.subheader(t("data.chart_title"))
    feature = ds.features[0]
    if len(ds.features) > 1:
        feature = st.selectbox(t("data.chart_x"), ds.features, key=state.W_DATA_CHART_X)
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
    st.caption(t("data.chart_caption"))


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
        st.caption(t("data.small_split", rows=len(df), limit=SMALL_TABLE))


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
    st.subheader(t("data.outliers_title"))
    if cfg.drop_outliers is not None:
        st.warning(t("data.outliers_dropped", n=len(table), z=z), icon=":material/filter_alt:")
        st.button(
            t("data.outliers_keep"), key=state.W_OUTLIERS_KEEP.format(page=page),
            on_click=state.update, kwargs={"drop_outliers": None}, icon=":material/undo:",
        )  # fmt: skip
    elif len(table):
        st.warning(t("data.outliers_found", n=len(table), z=z), icon=":material/warning:")
    else:
        st.caption(t("data.outliers_none", z=z))
        return
    shown = table.head(MAX_OUTLIERS_SHOWN)
    headers = _headers(shown, OUTLIER_COLUMNS)
    st.dataframe(
        shown.rename(columns=headers),
        hide_index=True,
        column_config={
            headers.get(c, c): st.column_config.NumberColumn(format="%.4g")
            for c in [*names, "largest |z|"]
        },
    )
    if len(table) > len(shown):
        st.caption(t("data.outliers_farthest", shown=len(shown), total=len(table)))
    if cfg.drop_outliers is None:
        st.button(
            t("data.outliers_drop", n=len(table)),
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
                t(
                    "data.sign_change",
                    feature=repr(flip.feature),
                    train=flip.train_weight * flip.std,
                    all=flip.all_weight * flip.std,
                    std=f"{flip.std:,.0f}" if flip.std >= 1000 else f"{flip.std:.4g}",
                )
            ),
            icon=":material/swap_vert:",
        )
        shown = flip.rows.assign(**{WITHOUT: flip.rows[WITHOUT] * flip.std})
        shown["split"] = shown["split"].map(
            lambda v: t(SPLIT_VALUES[v]) if v in SPLIT_VALUES else v
        )
        headers = _headers(shown, SIGN_COLUMNS)
        without = headers.get(WITHOUT, WITHOUT)
        st.dataframe(
            shown.rename(columns=headers),
            hide_index=True,
            column_config={without: st.column_config.NumberColumn(format="%+.4f")},
        )


def _headers(table: pd.DataFrame, keys: dict[str, str]) -> dict[str, str]:
    """The core's own column names of `table` in the session's language, for display only (the
    data's names stay); none is renamed when a translation would repeat another column's name."""
    renamed = {c: t(key) for c, key in keys.items() if c in table.columns}
    names = [renamed.get(c, c) for c in table.columns]
    return renamed if len(set(names)) == len(names) else {}
