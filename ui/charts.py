"""Altair chart builders: pure functions from the engine's tidy DataFrames to charts.

Every builder takes plain frames (column contracts in each docstring), never reads widgets and
returns a chart whose spec tests inspect with `to_dict()`. Each optimizer keeps one colour in every
chart: the i-th label of the colour domain (passed in, or the labels in order of first appearance)
gets the i-th tableau10 colour, and the least-squares reference is always near-black. Non-finite
values (a diverged run) are dropped before plotting; big inputs are thinned so the browser stays
responsive. User text reaches a chart only as data, titles and tooltips, which Vega renders as
text, never as HTML; a long column name is shortened (ui.messages.short) in titles and panel
headers, with the full name in the tooltip.

Every word a chart shows (titles, axes, legends, tooltips' titles, its own labels) comes from the
catalog's [charts] section in one language: a builder's `language` ("ko" or "en"; None: the
session's, ui.i18n.language(), English outside a session). The data keep their English values
(the frames are a contract with the tests and the downloads); legends show Korean labels for
them through a labelExpr.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st
from streamlit import dataframe_util

from linreg_core import OPTIMUM_LABEL, param_names  # OPTIMUM_LABEL: its line in `lines`
from linreg_core.i18n import has, text
from ui import i18n
from ui.messages import short

if TYPE_CHECKING:  # types only: the engine's modules load torch
    from linreg_core.landscape import View

# Vega's "tableau10" scheme, spelled out so a colour can be pinned to a label in every chart.
# fmt: off
TABLEAU10 = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b",
             "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac"]
# fmt: on
OPTIMUM_COLOR = "#222222"
OPTIMUM_MARK = f"{OPTIMUM_LABEL} optimum"  # in English: optimum_mark(language) in others
MAX_SCATTER_ROWS = 1_000  # per split or per optimizer; more points only hide each other
HEIGHT = 320  # px; widths follow the container
TITLE_LIMIT = 40  # characters of a name in an axis title or panel header: fits the HEIGHT
PARAMS_WIDTH = 480  # px; facets cannot stretch to the container, so their width is fixed
ROW_HEADER = alt.Header(labelAngle=0, labelAlign="left", labelFontSize=13, labelFontWeight="bold")
# Groups of points (a category chosen on the Data page): Vega's "dark2", apart from the
# optimizers' tableau10 lines.
# fmt: off
GROUP_COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e",
                "#e6ab02", "#a6761d", "#666666"]
# fmt: on
SPLIT_DASH = alt.Scale(domain=["train", "test"], range=[[1, 0], [6, 4]])
SPLIT_WORDS = {"train": "train", "test": "test"}  # a split's value -> its catalog key


def _literal(word: str) -> str:
    """word as a string literal of Vega's expressions (JSON's, the Korean letters as they are)."""
    return json.dumps(word, ensure_ascii=False)


class Words:
    """The charts' words in one language: words("epoch") is the catalog's charts.epoch."""

    def __init__(self, language: str | None = None) -> None:
        self.language = language or i18n.language()

    def __call__(self, key: str, /, **params: Any) -> str:
        return text(f"charts.{key}", self.language, **params)

    def tip(self, field: str) -> Any:
        """A tooltip's title for a data field: its catalog word (charts.tip.<field>), or none
        (Vega shows the field's name) where that word is the name itself, as in English."""
        key = f"charts.tip.{field}"
        word = text(key, self.language) if has(key) else field
        return alt.Undefined if word == field else word

    def label_expr(self, values: Mapping[str, str]) -> Any:
        """A legend's or header's labelExpr that shows each data value (value -> catalog key)
        in words; none where every value reads as it is (English)."""
        pairs = [(v, self(k)) for v, k in values.items() if self(k) != v]
        if not pairs:
            return alt.Undefined
        expr = "datum.label"
        for value, word in reversed(pairs):
            expr = f"datum.label === {_literal(value)} ? {_literal(word)} : {expr}"
        return expr

    def legend(self, values: Mapping[str, str], **props: Any) -> Any:
        """A legend with props whose labels are the values in words (label_expr); none when
        it would be Vega's default (no props, every value as it is)."""
        expr = self.label_expr(values)
        if expr is alt.Undefined and not props:
            return alt.Undefined
        return alt.Legend(labelExpr=expr, **props)


def optimum_mark(language: str | None = None) -> str:
    """The optimum's entry in a chart ("least squares optimum" in English, OPTIMUM_MARK)."""
    return Words(language)("optimum_mark")


def optimizer_domain(labels: Iterable[str], domain: Sequence[str] | None = None) -> list[str]:
    """The given domain, then any other label in order of first appearance (no optimum line)."""
    out = list(domain) if domain is not None else []
    for label in pd.unique(pd.Series(list(labels), dtype=object)):
        if label not in out and label != OPTIMUM_LABEL:
            out.append(label)
    return out


def optimizer_color(
    domain: Sequence[str], *, with_optimum: bool = False, language: str | None = None
) -> alt.Color:
    """Colour by optimizer: domain[i] -> TABLEAU10[i], cycling; the optimum line near-black."""
    w = Words(language)
    labels = list(domain)
    colors = [TABLEAU10[i % len(TABLEAU10)] for i in range(len(labels))]
    color = alt.Color("optimizer:N", title=w("optimizer"))
    if with_optimum:
        labels, colors = [*labels, OPTIMUM_LABEL], [*colors, OPTIMUM_COLOR]
        # the optimizers' names are names; the optimum's line is said in the language
        expr = w.label_expr({OPTIMUM_LABEL: "least_squares"})
        if expr is not alt.Undefined:
            color.legend = alt.Legend(labelExpr=expr)
    color.scale = alt.Scale(domain=labels, range=colors)
    return color


def _tips(w: Words, *fields: str, **titles: str) -> list[alt.Tooltip]:
    """Tooltips for "name:type" fields, numbers to 6 significant digits, titles by name (a field
    without one: its catalog word, charts.tip.<name>, where that is not the name itself)."""
    return [
        alt.Tooltip(
            f,
            title=titles.get(f.split(":")[0], w.tip(f.split(":")[0])),
            format=".6~g" if f.endswith(":Q") else alt.Undefined,
        )
        for f in fields
    ]


def _finite(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Rows whose given columns are all finite numbers."""
    return df[np.isfinite(df[list(columns)].to_numpy(dtype=float)).all(axis=1)]


def _sample_rows(df: pd.DataFrame, by: str, max_rows: int = MAX_SCATTER_ROWS) -> pd.DataFrame:
    """At most max_rows rows per group, the same positions in every group (seeded)."""
    position = df.groupby(by, sort=False).cumcount()
    n = int(position.max()) + 1 if len(df) else 0
    if n <= max_rows:
        return df
    keep = np.random.default_rng(0).choice(n, size=max_rows, replace=False)
    return df[position.isin(keep)]


def _short_labels(names: Iterable[object]) -> dict[object, str]:
    """Each name shortened (ui.messages.short), numbered when two would read the same."""
    labels: dict[object, str] = {}
    for name in names:
        label, n = short(name, TITLE_LIMIT), 1
        while label in labels.values():
            n += 1
            label = f"{short(name, TITLE_LIMIT)} ({n})"
        labels[name] = label
    return labels


def _padded(values: Iterable[float], frac: float = 0.05) -> list[float]:
    """[min, max] of the values widened by frac of the span (by 1 without one; [0, 1] if none)."""
    array = np.asarray(list(values), dtype=float)
    lo, hi = (float(array.min()), float(array.max())) if array.size else (0.0, 1.0)
    pad = (hi - lo) * frac if hi > lo else 1.0
    return [lo - pad, hi + pad]


def _histogram(
    df: pd.DataFrame, value: str, by: Sequence[str], edges: np.ndarray | None, bins: int
) -> pd.DataFrame:
    """Counts per group between `start` and `end`: shared edges, or each group's own range."""
    rows = []
    for key, group in df.groupby(list(by), sort=False):
        counts, own = np.histogram(group[value], bins=bins if edges is None else edges)
        for count, start, end in zip(counts, own[:-1], own[1:], strict=True):
            rows.append((*key, float(start), float(end), int(count)))
    return pd.DataFrame(rows, columns=[*by, "start", "end", "count"])


def loss_chart(
    losses: pd.DataFrame,
    optimum_mse: float | None,
    *,
    log_scale: bool = True,
    domain: Sequence[str] | None = None,
    language: str | None = None,
) -> alt.LayerChart:
    """Loss per epoch, one line per optimizer and split (test dashed), with the optimum's MSE.

    Args:
        losses: columns optimizer, epoch (1..n), split ("train"/"test"), loss (MSE).
        optimum_mse: the least-squares MSE in the losses' units; no rule unless finite and > 0.
        log_scale: log y axis, which leaves out zero and negative losses; non-finite losses
            (a diverged run) are always left out.
        domain: optimizer labels in colour order, shared by the page's charts.
        language: "ko" or "en" for the chart's words (None: the session's).
    """
    w = Words(language)
    colors = optimizer_color(optimizer_domain(losses["optimizer"], domain), language=w.language)
    data = _finite(losses, ["loss"])
    if log_scale:  # a log axis cannot place zero or negative values
        data = data[data["loss"] > 0]
    lines = (
        alt.Chart(data)
        .mark_line(strokeWidth=2)
        .encode(
            x=alt.X("epoch:Q", title=w("epoch")),
            y=alt.Y(
                "loss:Q",
                title=w("loss_axis_log") if log_scale else w("loss_axis"),
                scale=alt.Scale(type="log" if log_scale else "linear"),
            ),
            color=colors,
            strokeDash=alt.StrokeDash(
                "split:N",
                title=w("split"),
                scale=SPLIT_DASH,
                legend=w.legend(SPLIT_WORDS),
            ),
            tooltip=_tips(w, "optimizer:N", "split:N", "epoch:Q", "loss:Q", loss=w("mse")),
        )
        .interactive()
    )
    layers: list[alt.Chart] = [lines]
    if optimum_mse is not None and np.isfinite(optimum_mse) and optimum_mse > 0:
        ref = alt.Chart(pd.DataFrame({"mse": [float(optimum_mse)], "label": [w("optimum_mark")]}))
        layers += [
            ref.mark_rule(color=OPTIMUM_COLOR, strokeDash=[2, 3]).encode(
                y="mse:Q",
                tooltip=_tips(w, "label:N", "mse:Q", label=w("reference"), mse=w("mse")),
            ),
            ref.mark_text(align="left", baseline="bottom", dx=4, dy=-3, color=OPTIMUM_COLOR).encode(
                y="mse:Q", x=alt.value(0), text="label:N"
            ),
        ]
    return alt.layer(*layers).properties(width="container", height=HEIGHT)


# -- the loss landscape (linreg_core.landscape.View -> chart) --------------------------------
LANDSCAPE_WIDTH, LANDSCAPE_HEIGHT = 400, 340  # px of plot area: fixed, so equal scale holds;
# with the axes about 460 px wide, which fits beside the sidebar in an 800 px window
CONTOUR_COLOR = "#8a8a8a"
EIGEN_COLOR = "#555555"
# one dash per optimizer, in the colour domain's order (cycling)
# fmt: off
DASHES = [[1, 0], [8, 4], [2, 3], [10, 3, 2, 3], [5, 5], [1, 6], [14, 3], [6, 2, 2, 2, 2, 2]]
# fmt: on
PATH_WIDTH = 2.0  # px; a path drawn over another one is narrower by SAME_STEP per path above it
SAME_STEP = 2.5  # px
MARK_SIDE, MARK_STEP = 8.0, 3.0  # px: the top marker's side, and how much wider each one below
# width and height are the plot area's, axes and legend around it (Streamlit's default "fit"
# would squeeze the plot to make room for them, and the two scales would differ)
PLOT_SIZE = alt.AutoSizeParams(type="pad")
MARKER_SHAPES = {"start": "square", "end": "diamond", "leaves the frame": "triangle-up"}
MARKER_WORDS = {"start": "marker_start", "end": "marker_end", "leaves the frame": "marker_leaves"}


def _level_text(loss: float, floor: float) -> str:
    """A contour's loss with enough digits to tell it from the floor."""
    gap = (loss - floor) / loss if loss > 0 else 1.0
    digits = max(3, int(np.ceil(-np.log10(max(gap, 1e-12)))) + 1)
    return f"{loss:.{digits}g}"


def _path_widths(view: View, n: int) -> dict[str, float]:
    """Each path's stroke: wider under each path drawn over it in a group that coincides."""
    width = {}
    for group, _ in view.same:
        ranked = sorted(
            group, key=lambda k: int(view.paths.loc[view.paths.optimizer == k, "rank"].iloc[0])
        )
        for pos, label in enumerate(ranked):
            width[label] = PATH_WIDTH + SAME_STEP * (len(ranked) - 1 - pos)
    return width


def _path_layers(
    view: View, domain: list[str], x: alt.X, y: alt.Y, tips: list[str], w: Words
) -> list:
    """Paths (dash and colour per optimizer, the longest underneath), their epochs as dots,
    and per optimizer a start, an end or a 'leaves the frame' mark, lower ones larger."""
    colors = optimizer_color(domain, language=w.language)
    # the legend draws each optimizer as a short line in its colour and dash
    colors.legend = alt.Legend(
        symbolType="stroke", symbolStrokeWidth=2.5, symbolSize=300, orient="bottom", columns=4
    )
    dash = alt.StrokeDash(
        "optimizer:N",
        title=w("optimizer"),
        scale=alt.Scale(domain=domain, range=[DASHES[i % len(DASHES)] for i in range(len(domain))]),
    )
    n = len(domain)
    widths = _path_widths(view, n)
    paths = view.paths.sort_values(["rank", "epoch"], kind="stable").assign(
        width=lambda d: d["optimizer"].map(widths).fillna(PATH_WIDTH)
    )
    marks = view.marks.sort_values("rank", kind="stable").assign(
        size=lambda d: (MARK_SIDE + MARK_STEP * (d["rank"].max() - d["rank"])) ** 2
    )
    base = alt.Chart(paths).encode(
        x=x, y=y, color=colors, tooltip=_tips(w, "optimizer:N", "epoch:Q", *tips)
    )
    present = [m for m in MARKER_SHAPES if m in set(marks["marker"])]
    shape = alt.Shape(
        "marker:N",
        title=w("marker"),
        scale=alt.Scale(domain=present, range=[MARKER_SHAPES[m] for m in present]),
        legend=w.legend(
            MARKER_WORDS,
            symbolFillColor="#555555",
            symbolStrokeColor="#555555",
            orient="top",
            columns=4,
        ),
    )
    return [
        base.mark_line(clip=True, point=alt.OverlayMarkDef(size=12, opacity=0.7)).encode(
            strokeDash=dash,
            strokeWidth=alt.StrokeWidth("width:Q", scale=None, legend=None),
            detail="rank:O",
            order="epoch:Q",
        ),
        alt.Chart(marks)
        # not clipped: every mark is in the frame, and one where a path leaves sits on its edge
        .mark_point(filled=True, opacity=1, stroke="white", strokeWidth=1)
        .encode(
            x=x,
            y=y,
            color=colors,
            shape=shape,
            size=alt.Size("size:Q", scale=None, legend=None),
            tooltip=_tips(w, "optimizer:N", "marker:N", "epoch:Q", *tips),
        ),
    ]


def _optimum_layer(
    x_value: float, y_value: float, mse: float, x: alt.X, y: alt.Y, w: Words
) -> alt.Chart:
    """The least-squares point: a large open cross, drawn under the runs' end marks."""
    star = pd.DataFrame(
        {"x": [x_value], "y": [y_value], "mse": [mse], "label": [w("optimum_mark")]}
    )
    return (
        alt.Chart(star)
        .mark_point(shape="cross", size=700, filled=False, strokeWidth=1.5, color=OPTIMUM_COLOR)
        .encode(x=x, y=y, tooltip=_tips(w, "label:N", "x:Q", "y:Q", "mse:Q", mse=w("mse")))
    )


def landscape_chart(
    view: View,
    *,
    domain: Sequence[str] | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    language: str | None = None,
) -> alt.LayerChart:
    """Iso-loss ellipses with their MSE, the eigen-directions through the optimum (lambda of the
    slice's Hessian) and each optimizer's path, over two parameters at the frame's scales.

    Args:
        view: a linreg_core.landscape.View of two parameters (Comparison.landscape()).
        domain: optimizer labels in colour order, shared by the page's charts.
        x_title, y_title: axis titles (default: the parameters' names).
        language: "ko" or "en" for the chart's words (None: the session's).
    """
    w = Words(language)
    pl, fr = view.plane, view.frame
    if len(pl.names) != 2:
        raise ValueError(f"The landscape draws two parameters, got {len(pl.names)}")
    labels = optimizer_domain(view.paths["optimizer"], domain)
    xs = alt.Scale(domain=list(fr.x_domain), nice=False, zero=False)
    ys = alt.Scale(domain=list(fr.y_domain), nice=False, zero=False)
    x = alt.X("x:Q", title=x_title or pl.names[0], scale=xs)
    y = alt.Y("y:Q", title=y_title or pl.names[1], scale=ys)
    tips = {"x": pl.names[0], "y": pl.names[1]}
    rings = view.contours.assign(
        ring=lambda d: d["loss"].astype(str) + "/" + d["segment"].astype(str)
    )
    written = view.labels[["x", "y"]].assign(
        text=[_level_text(v, pl.floor) for v in view.labels["loss"]]
    )
    eigen = view.eigen.assign(
        text=[
            f"λ{int(a)} = {v:.3g}"
            for a, v in zip(view.eigen["axis"], view.eigen["hessian_eigenvalue"], strict=True)
        ]
    )
    eigen_text = eigen[["x2", "y2", "text"]].rename(columns={"x2": "x", "y2": "y"})
    layers = [
        alt.Chart(rings)
        .mark_line(clip=True, color=CONTOUR_COLOR, strokeWidth=1)
        .encode(
            x=x, y=y, detail="ring:N", order="order:Q", tooltip=_tips(w, "loss:Q", loss=w("mse"))
        ),
        alt.Chart(eigen)
        .mark_rule(clip=True, color=EIGEN_COLOR, strokeDash=[4, 3], strokeWidth=1.2)
        .encode(x=x, y=y, x2="x2:Q", y2="y2:Q", tooltip=_tips(w, "text:N", text=w("direction"))),
        # the levels' values and the eigenvalues, in one text layer (each layer costs time)
        alt.Chart(pd.concat([written, eigen_text], ignore_index=True))
        .mark_text(clip=True, color=EIGEN_COLOR, fontSize=10, align="left", dx=3, dy=-5)
        .encode(x=x, y=y, text="text:N"),
        _optimum_layer(*pl.center, pl.floor, x, y, w),
        *_path_layers(view, labels, x, y, [f"{k}:Q" for k in tips], w),
    ]
    return alt.layer(*layers).properties(width=fr.width, height=fr.height, autosize=PLOT_SIZE)


def cost_curve_chart(
    view: View,
    *,
    domain: Sequence[str] | None = None,
    x_title: str | None = None,
    language: str | None = None,
) -> alt.LayerChart:
    """A one-parameter model's cost against its weight (the exact parabola), each optimizer's
    steps as points on it, joined in order, with start and end marks and the optimum.

    Args:
        view: a linreg_core.landscape.View of one parameter (Comparison.landscape()).
        domain: optimizer labels in colour order, shared by the page's charts.
        x_title: the axis title (default: the parameter's name).
        language: "ko" or "en" for the chart's words (None: the session's).
    """
    w = Words(language)
    pl, fr = view.plane, view.frame
    if len(pl.names) != 1:
        raise ValueError(f"The cost curve draws one parameter, got {len(pl.names)}")
    labels = optimizer_domain(view.paths["optimizer"], domain)
    x = alt.X(
        "x:Q",
        title=x_title or pl.names[0],
        scale=alt.Scale(domain=list(fr.x_domain), nice=False, zero=False),
    )
    y = alt.Y(
        "y:Q",
        title=w("mse_training"),
        scale=alt.Scale(domain=list(fr.y_domain), nice=False, zero=False),
    )
    curve = (
        alt.Chart(view.contours)
        .mark_line(clip=True, color=OPTIMUM_COLOR, strokeWidth=1.5)
        .encode(x=x, y=y, tooltip=_tips(w, "x:Q", "y:Q", x=pl.names[0], y=w("mse")))
    )
    paths = _path_layers(view, labels, x, y, ["x:Q", "y:Q"], w)
    paths[0] = paths[0].mark_line(
        clip=True, opacity=0.6, point=alt.OverlayMarkDef(size=40, opacity=0.9)
    )
    return alt.layer(
        curve, _optimum_layer(pl.center[0], pl.floor, pl.floor, x, y, w), *paths
    ).properties(width=fr.width, height=fr.height, autosize=PLOT_SIZE)


def _optimum_values(optimum: dict) -> dict[str, float]:
    """Optimum as {param label: value}, labelled like the engine's params frame."""
    weights = list(optimum["weights"])
    names = param_names(len(weights), False)
    values = dict(zip(names, map(float, weights), strict=True))
    if optimum.get("bias") is not None:
        values["b"] = float(optimum["bias"])
    return values


def params_chart(
    params: pd.DataFrame,
    optimum: dict,
    *,
    domain: Sequence[str] | None = None,
    language: str | None = None,
) -> alt.FacetChart:
    """Each parameter against epoch, one row per parameter, with a dashed rule at its optimum.

    Args:
        params: columns optimizer, epoch (0 = start), param ("W" or "W1", "W2", ..., "b"), value.
        optimum: {"weights": [...], "bias": float or None, ...} in the same space as params.
        domain: optimizer labels in colour order, shared by the page's charts.
        language: "ko" or "en" for the chart's words (None: the session's).
    """
    w = Words(language)
    colors = optimizer_color(optimizer_domain(params["optimizer"], domain), language=w.language)
    data = _finite(params, ["value"])
    data = data.assign(optimum=data["param"].map(_optimum_values(optimum)))
    lines = (
        alt.Chart()
        .mark_line(strokeWidth=2)
        .encode(
            x=alt.X("epoch:Q", title=w("epoch")),
            y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False)),
            color=colors,
            tooltip=_tips(w, "optimizer:N", "param:N", "epoch:Q", "value:Q"),
        )
    )
    reference = (
        alt.Chart()
        .transform_filter("isValid(datum.optimum)")
        .transform_aggregate(optimum="mean(optimum)", groupby=["param"])  # one rule per param
        .transform_calculate(label=_literal(w("least_squares")))
        .encode(y="optimum:Q")
    )
    rule = reference.mark_rule(color=OPTIMUM_COLOR, strokeDash=[6, 4]).encode(
        tooltip=_tips(w, "param:N", "optimum:Q", optimum=w("least_squares"))
    )
    text = reference.mark_text(align="right", baseline="bottom", dy=-3, color=OPTIMUM_COLOR).encode(
        x=alt.value(PARAMS_WIDTH - 4), text="label:N"
    )
    order = list(pd.unique(data["param"]))
    return (
        alt.layer(lines, rule, text, data=data)
        .properties(width=PARAMS_WIDTH, height=150)
        .facet(row=alt.Row("param:N", title=None, sort=order, header=ROW_HEADER))
        .resolve_scale(y="independent")
    )


def fit_chart(
    points: pd.DataFrame,
    lines: pd.DataFrame,
    *,
    x_title: str,
    y_title: str,
    domain: Sequence[str] | None = None,
    group_title: str | None = None,
    language: str | None = None,
) -> alt.LayerChart:
    """The data (train circles, test triangles) with each optimizer's fitted line.

    Args:
        points: columns x, y, split ("train"/"test"), in the data's own units; with a column
            group, the points are filled by it (GROUP_COLORS, apart from the optimizers').
        lines: columns optimizer, x, y; two or more points per line, the optimum labelled
            "least squares" (drawn dashed, near-black).
        x_title, y_title: axis titles, usually the feature and target column names; a long
            one is shortened, and in full in the tooltip.
        domain: optimizer labels in colour order, shared by the page's charts.
        group_title: the legend's title for the groups (the column they come from).
        language: "ko" or "en" for the chart's words (None: the session's).
    """
    w = Words(language)
    points = _sample_rows(_finite(points, ["x", "y"]), "split")
    lines = _finite(lines, ["x", "y"])
    is_optimum = lines["optimizer"] == OPTIMUM_LABEL
    colors = optimizer_color(
        optimizer_domain(lines["optimizer"], domain),
        with_optimum=bool(is_optimum.any()),
        language=w.language,
    )
    # the axes follow the data, so a diverged line cannot squash the points into a corner
    x_short, y_short = short(x_title, TITLE_LIMIT), short(y_title, TITLE_LIMIT)
    x = alt.X("x:Q", title=x_short, scale=alt.Scale(domain=_padded(points["x"])))
    y = alt.Y("y:Q", title=y_short, scale=alt.Scale(domain=_padded(points["y"])))
    splits = ["train", "test"]
    # a shortened name in full on hover, as one string in the spec rather than one per row
    full = {f: n for f, n in (("feature", x_title), ("target", y_title)) if len(n) > TITLE_LIMIT}
    base = alt.Chart(points)
    if full:  # a JSON string is a string literal of Vega's expressions
        base = base.transform_calculate(**{f: json.dumps(n) for f, n in full.items()})
    grouped = "group" in points.columns
    by_group = {}
    if grouped:  # fill, not color: the optimizers' lines keep a colour scale of their own
        groups = sorted(pd.unique(points["group"].astype(str)))
        by_group["fill"] = alt.Fill(
            "group:N",
            title=group_title or w("group"),
            scale=alt.Scale(domain=groups, range=GROUP_COLORS),
        )
    scatter = base.mark_point(filled=True, size=45, color="#7f7f7f").encode(
        **by_group,
        x=x,
        y=y,
        shape=alt.Shape(
            "split:N",
            title=w("data"),
            scale=alt.Scale(domain=splits, range=["circle", "triangle-up"]),
            legend=w.legend(SPLIT_WORDS),
        ),
        opacity=alt.Opacity(
            "split:N", legend=None, scale=alt.Scale(domain=splits, range=[0.45, 0.9])
        ),
        tooltip=_tips(
            w,
            "x:Q",
            "y:Q",
            "split:N",
            *(["group:N"] if grouped else []),
            *(f"{f}:N" for f in full),
            x=x_short,
            y=y_short,
            group=group_title or w("group"),
        ),
    )
    layers = [scatter]
    for subset, dash in ((lines[~is_optimum], [1, 0]), (lines[is_optimum], [6, 4])):
        if len(subset):
            layers.append(
                alt.Chart(subset)
                .mark_line(clip=True, strokeWidth=2, strokeDash=dash)
                .encode(x=x, y=y, color=colors, tooltip=_tips(w, "optimizer:N"))
            )
    return alt.layer(*layers).properties(width="container", height=HEIGHT)


def pred_vs_actual_chart(
    preds: pd.DataFrame, *, domain: Sequence[str] | None = None, language: str | None = None
) -> alt.LayerChart:
    """Predicted against actual per optimizer, with the y = x line of perfect predictions.

    Args:
        preds: columns optimizer, actual, predicted (held-out rows, the same rows per optimizer).
        domain: optimizer labels in colour order, shared by the page's charts.
        language: "ko" or "en" for the chart's words (None: the session's).
    """
    w = Words(language)
    colors = optimizer_color(optimizer_domain(preds["optimizer"], domain), language=w.language)
    data = _finite(preds, ["actual", "predicted"])
    both = pd.concat([data["actual"], data["predicted"]])
    lo, hi = (float(both.min()), float(both.max())) if len(both) else (0.0, 1.0)
    scale = alt.Scale(domain=_padded([lo, hi]), nice=False)  # one range on both axes: 45° diagonal
    x = alt.X("actual:Q", title=w("actual"), scale=scale)
    y = alt.Y("predicted:Q", title=w("predicted"), scale=scale)
    diagonal = pd.DataFrame({"actual": [lo, hi], "predicted": [lo, hi], "label": "y = x"})
    ideal = (
        alt.Chart(diagonal)
        .mark_line(color=OPTIMUM_COLOR, strokeDash=[6, 4])
        .encode(x=x, y=y, tooltip=_tips(w, "label:N", label=w("perfect")))
    )
    # sampled before dropping, so every optimizer shows the same held-out rows
    shown = _finite(_sample_rows(preds, "optimizer"), ["actual", "predicted"])
    scatter = (
        alt.Chart(shown.assign(error=shown["predicted"] - shown["actual"]))
        .mark_point(filled=True, size=40, opacity=0.6)
        .encode(
            x=x,
            y=y,
            color=colors,
            tooltip=_tips(w, "optimizer:N", "actual:Q", "predicted:Q", "error:Q"),
        )
    )
    return alt.layer(ideal, scatter).properties(width="container", height=HEIGHT)


def residuals_chart(
    preds: pd.DataFrame,
    *,
    bins: int = 30,
    domain: Sequence[str] | None = None,
    language: str | None = None,
) -> alt.LayerChart:
    """Histogram of residuals (predicted - actual) per optimizer on shared bins, zero marked.

    Args:
        preds: columns optimizer, actual, predicted (held-out rows).
        bins: number of bins, shared by all optimizers so their bars line up.
        domain: optimizer labels in colour order, shared by the page's charts.
        language: "ko" or "en" for the chart's words (None: the session's).
    """
    w = Words(language)
    colors = optimizer_color(optimizer_domain(preds["optimizer"], domain), language=w.language)
    data = _finite(preds, ["actual", "predicted"])
    data = data.assign(residual=data["predicted"] - data["actual"])
    # counted here rather than by Vega, so the spec stays small for any number of rows
    edges = np.histogram_bin_edges(data["residual"], bins=bins) if len(data) else None
    hist = _histogram(data, "residual", ["optimizer"], edges, bins)
    bars = (
        alt.Chart(hist)
        .mark_bar(opacity=0.45, binSpacing=0)
        .encode(
            x=alt.X("start:Q", title=w("residual_axis")),
            x2="end:Q",
            y=alt.Y("count:Q", title=w("held_out_rows"), stack=None),
            y2=alt.datum(0),
            color=colors,
            tooltip=_tips(
                w, "optimizer:N", "start:Q", "end:Q", "count:Q", start=w("from"), end=w("to")
            ),
        )
    )
    zero = (
        alt.Chart(pd.DataFrame({"residual": [0.0]}))
        .mark_rule(color=OPTIMUM_COLOR, strokeDash=[6, 4])
        .encode(x="residual:Q")
    )
    return alt.layer(bars, zero).properties(width="container", height=HEIGHT)


def _powers_of_ten(top: float) -> list[int]:
    """0, 1, 10, 100, ... up to top (at least 0 and 1)."""
    values, power = [0, 1], 10
    while power <= top:
        values.append(power)
        power *= 10
    return values


STAGE_WORDS = {"original": "stage_original", "z-scored": "stage_zscored"}


def distribution_chart(
    values: pd.DataFrame, *, bins: int = 30, log_count: bool = False, language: str | None = None
) -> alt.FacetChart:
    """Histograms per column before and after z-score: the same shape on a different scale.

    Args:
        values: columns column (name), stage ("original"/"z-scored"), value.
        bins: number of bins per panel.
        log_count: a symmetric-log count axis, so a bin of one row beside a bin of thousands
            (a heavy tail) still shows; empty bins stay at 0.
        language: "ko" or "en" for the chart's words (None: the session's).
    """
    w = Words(language)
    data = _finite(values, ["value"])
    # each panel binned over its own range: z-score is affine, so the bar heights match exactly
    hist = _histogram(data, "value", ["column", "stage"], None, bins)
    # panels headed by short names, kept apart; the full name stays for the tooltip
    labels = _short_labels(pd.unique(hist["column"]))
    hist = hist.assign(name=hist["column"], column=hist["column"].map(labels))
    stages = list(STAGE_WORDS)
    bars = (
        alt.Chart(hist)
        .mark_bar(binSpacing=0)
        .encode(
            x=alt.X("start:Q", title=w("value"), scale=alt.Scale(zero=False)),
            x2="end:Q",
            y=alt.Y(
                "count:Q",
                title=w("rows_log") if log_count else w("rows"),
                scale=alt.Scale(type="symlog") if log_count else alt.Undefined,
                # powers of ten: a symlog axis left to itself marks only 0 and its top
                axis=alt.Axis(values=_powers_of_ten(hist["count"].max()))
                if log_count
                else alt.Undefined,
            ),
            y2=alt.datum(0),
            color=alt.Color(
                "stage:N", legend=None, scale=alt.Scale(domain=stages, range=TABLEAU10[:2])
            ),
            tooltip=_tips(
                w,
                "name:N",
                "stage:N",
                "start:Q",
                "end:Q",
                "count:Q",
                name=w("column"),
                start=w("from"),
                end=w("to"),
            ),
        )
    )
    columns = list(pd.unique(hist["column"]))
    return (
        bars.properties(width=260, height=110)
        .facet(
            row=alt.Row("column:N", title=None, sort=columns, header=ROW_HEADER),
            column=alt.Column(
                "stage:N",
                title=None,
                sort=stages,
                header=alt.Undefined
                if (expr := w.label_expr(STAGE_WORDS)) is alt.Undefined
                else alt.Header(labelExpr=expr),
            ),
        )
        .resolve_scale(x="independent")
    )


# Drawing. Streamlit's st.altair_chart turns a chart into its spec with Altair's full JSON-schema
# validation, which was two thirds of the Train page's chart time (profile: benchmarks/README.md).
# Every builder's spec is validated by the tests instead (tests/test_charts.py), so the page
# sends the same spec unvalidated, its frames as named datasets that Streamlit ships as Arrow.
_SPEC_LOCK = threading.Lock()  # Altair's active data transformer and theme are process-wide
_SINK = threading.local()


def _named_dataset(data: Any) -> dict[str, str]:
    """Altair data transformer: the frame as Arrow bytes, named by their hash, as Streamlit does.

    A text column (optimizer, split, panel ...) goes as Arrow's dictionary: each name once and a
    small integer per row. The same values reach Vega; the bytes to send and read are a third
    to a half (the Train page: 1.0 MB -> 0.5 MB; benchmarks/README.md)."""
    if isinstance(data, pd.DataFrame):
        text = [c for c in data.columns if _is_text(data[c])]
        if text:
            data = data.astype(dict.fromkeys(text, "category"))
    arrow = dataframe_util.convert_anything_to_arrow_bytes(data)
    name = hashlib.md5(arrow, usedforsecurity=False).hexdigest()
    _SINK.datasets[name] = arrow
    return {"name": name}


def _is_text(column: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(column) and not isinstance(
        column.dtype, pd.CategoricalDtype
    )


alt.data_transformers.register("linreg_named", _named_dataset)


def spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """chart as the Vega-Lite dict st.altair_chart would send, without schema validation."""
    with _SPEC_LOCK, alt.theme.enable("none"), alt.data_transformers.enable("linreg_named"):
        _SINK.datasets = {}
        out = chart.to_dict(validate=False)
        out["datasets"] = {**out.get("datasets", {}), **_SINK.datasets}
        _SINK.datasets = None
    return out


def show(chart: alt.TopLevelMixin, where: Any = None, **kwargs: Any) -> None:
    """Draw chart in where (a column or container; the page by default), as st.altair_chart."""
    (where or st).vega_lite_chart(spec=spec(chart), **kwargs)


# -- watch it learn: one epoch slider over several views, and the optimizers' internals --------
WATCH_PARAM = "watch_epoch"  # the slider's Vega-Lite parameter: the epoch shown
WATCH_WIDTH = 400  # px: the landscape's plot width, so the views line up under it
WATCH_LOSS_HEIGHT, WATCH_FIT_HEIGHT, WATCH_PARAM_HEIGHT = 120, 220, 80  # px
INTERNALS_WIDTH, INTERNALS_HEIGHT = 400, 140  # px per panel: with the axis, fits 800 px


def _at_epoch(chart: alt.Chart, param: alt.Parameter) -> alt.Chart:
    """Per optimizer, the rows of the latest drawn epoch at or before the slider's."""
    return (
        chart.transform_filter(alt.datum.epoch <= param)
        .transform_joinaggregate(shown="max(epoch)", groupby=["optimizer"])
        .transform_filter(alt.datum.epoch == alt.datum.shown)
    )


def _epoch_rule(x: alt.X, w: Words) -> alt.Chart:
    """A rule at the slider's epoch."""
    return (
        alt.Chart(pd.DataFrame({"rule": [0]}))
        .transform_calculate(epoch=WATCH_PARAM)
        .mark_rule(color=OPTIMUM_COLOR, strokeWidth=1.5)
        .encode(x=x, tooltip=_tips(w, "epoch:Q"))
    )


def watch_chart(
    last: int,
    losses: pd.DataFrame,
    view: View,
    points: pd.DataFrame,
    data: pd.DataFrame,
    lines: pd.DataFrame,
    params: pd.DataFrame,
    *,
    domain: Sequence[str],
    x_title: str,
    y_title: str,
    land_titles: Sequence[str],
    language: str | None = None,
) -> alt.VConcatChart:
    """One chart whose views all follow one slider: the loss with a rule at the epoch, the
    landscape with each optimizer's path and point, the data with each optimizer's line, and
    each parameter's curve with a rule. The slider goes from epoch 0 (the start) to `last`; each
    optimizer is drawn at its latest epoch in the frames at or before the slider's.

    The frames hold only the drawn epochs (a few hundred per optimizer, ui.watch.ticks), each
    once: a path is drawn from the points it passes, a curve from its own points, and a line
    is one row from (x, y) to (x2, y2).

    Args:
        last: the last epoch.
        losses: optimizer, epoch, loss (training MSE) at the drawn epochs.
        view: the landscape (Comparison.landscape()), whose frame and contours are drawn.
        points: optimizer, epoch, x, y: each optimizer's point on the landscape per drawn epoch.
        data: x, y, split: the rows, in the data's units.
        lines: optimizer, epoch, x, y, x2, y2: per optimizer and epoch, its fitted line.
        params: optimizer, epoch, param, value: each shown parameter at each drawn epoch.
        domain: optimizer labels in colour order; x_title, y_title: the data's axis titles;
            land_titles: the landscape's axis titles.
        language: "ko" or "en" for the chart's words (None: the session's).
    """
    w = Words(language)
    last = max(int(last), 1)
    param = alt.param(
        name=WATCH_PARAM,
        value=last,
        bind=alt.binding_range(min=0, max=last, step=1, name=w("watch_slider") + " "),
    )
    colors = optimizer_color(domain, language=w.language)
    # above the views: a legend on the right would be cut off in a narrow window
    colors.legend = alt.Legend(orient="top", symbolOpacity=1, symbolType="circle")
    epoch_x = alt.X("epoch:Q", title=w("epoch"))
    past_middle = f"{WATCH_PARAM} > {last / 2}"  # the epoch's text goes left of its rule
    # the loss, with the rule and the epoch written at the top
    loss_data = _finite(losses, ["loss"])
    loss_data = loss_data[loss_data["loss"] > 0]
    loss = alt.layer(
        alt.Chart(loss_data)
        .mark_line(strokeWidth=1.5)
        .encode(
            x=epoch_x,
            y=alt.Y("loss:Q", title=w("watch_loss_axis"), scale=alt.Scale(type="log")),
            color=colors,
            tooltip=_tips(w, "optimizer:N", "epoch:Q", "loss:Q", loss=w("mse")),
        ),
        _epoch_rule(epoch_x, w),
        alt.Chart(pd.DataFrame({"text": [0]}))
        # a JSON string is a string literal of Vega's expressions
        .transform_calculate(
            epoch=WATCH_PARAM, text=f"{_literal(w('watch_slider') + ' ')} + {WATCH_PARAM}"
        )
        .mark_text(
            align=alt.ExprRef(f"{past_middle} ? 'right' : 'left'"),
            dx=alt.ExprRef(f"{past_middle} ? -4 : 4"),
            baseline="top",
            y=2,
            fontSize=13,
            fontWeight="bold",
        )
        .encode(x=epoch_x, text="text:N"),
    ).properties(width=WATCH_WIDTH, height=WATCH_LOSS_HEIGHT, title=w("watch_loss_title"))
    # the landscape: the frame and contours of the view above, paths faint, points at the epoch
    pl, fr = view.plane, view.frame
    lx = alt.X(
        "x:Q",
        title=land_titles[0],
        scale=alt.Scale(domain=list(fr.x_domain), nice=False, zero=False),
    )
    ly = alt.Y(
        "y:Q",
        title=land_titles[1] if len(land_titles) > 1 else w("mse_training"),
        scale=alt.Scale(domain=list(fr.y_domain), nice=False, zero=False),
    )
    if len(pl.names) == 2:
        rings = view.contours.assign(
            ring=lambda d: d["loss"].astype(str) + "/" + d["segment"].astype(str)
        )
        under = (
            alt.Chart(rings)
            .mark_line(clip=True, color=CONTOUR_COLOR, strokeWidth=1)
            .encode(x=lx, y=ly, detail="ring:N", order="order:Q")
        )
        best = _optimum_layer(*pl.center, pl.floor, lx, ly, w)
    else:
        under = (
            alt.Chart(view.contours).mark_line(clip=True, color=CONTOUR_COLOR).encode(x=lx, y=ly)
        )
        best = _optimum_layer(pl.center[0], pl.floor, pl.floor, lx, ly, w)
    at = alt.Chart(_finite(points, ["x", "y"]))  # one frame: the faint paths and the points
    land = alt.layer(
        under,
        best,
        at.mark_line(clip=True, strokeWidth=1, opacity=0.35).encode(
            x=lx, y=ly, color=colors, detail="optimizer:N", order="epoch:Q"
        ),
        _at_epoch(at, param)
        .mark_point(clip=True, filled=True, size=110, opacity=1, stroke="white", strokeWidth=1)
        .encode(x=lx, y=ly, color=colors, tooltip=_tips(w, "optimizer:N", "epoch:Q", "x:Q", "y:Q")),
    ).properties(width=fr.width, height=fr.height, title=w("watch_where"))
    # the data and each optimizer's line at the epoch
    fx = alt.X("x:Q", title=short(x_title, TITLE_LIMIT), scale=alt.Scale(domain=_padded(data["x"])))
    fy = alt.Y("y:Q", title=short(y_title, TITLE_LIMIT), scale=alt.Scale(domain=_padded(data["y"])))
    fit = alt.layer(
        alt.Chart(_sample_rows(_finite(data, ["x", "y"]), "split"))
        .mark_point(filled=True, size=40, color="#7f7f7f", opacity=0.6)
        .encode(x=fx, y=fy, tooltip=_tips(w, "x:Q", "y:Q", "split:N")),
        _at_epoch(alt.Chart(_finite(lines, ["x", "y", "x2", "y2"])), param)
        .mark_rule(clip=True, strokeWidth=2)
        .encode(x=fx, y=fy, x2="x2:Q", y2="y2:Q", color=colors, tooltip=_tips(w, "optimizer:N")),
    ).properties(width=WATCH_WIDTH, height=WATCH_FIT_HEIGHT, title=w("watch_fitted"))
    # each parameter's curve with the rule and the value at the epoch, from one frame
    rows = []
    for name in pd.unique(params["param"]):
        # each parameter's own rows, without the column that names it (less to send)
        curve = _finite(params[params["param"] == name], ["value"])
        curve = alt.Chart(curve.drop(columns="param").reset_index(drop=True))
        rows.append(
            alt.layer(
                curve.mark_line(strokeWidth=1.5).encode(
                    x=epoch_x,
                    y=alt.Y("value:Q", title=str(name), scale=alt.Scale(zero=False)),
                    color=colors,
                ),
                _epoch_rule(epoch_x, w),
                _at_epoch(curve, param)
                .mark_point(filled=True, size=50)
                .encode(
                    x=epoch_x,
                    y="value:Q",
                    color=colors,
                    tooltip=_tips(w, "optimizer:N", "epoch:Q", "value:Q", value=str(name)),
                ),
            ).properties(width=WATCH_WIDTH, height=WATCH_PARAM_HEIGHT)
        )
    return (
        alt.vconcat(loss, land, fit, *rows, spacing=18)
        .add_params(param)
        .resolve_scale(color="shared")
        .properties(autosize=PLOT_SIZE)
    )


def internals_chart(
    frame: pd.DataFrame,
    panels: Sequence[str],
    domain: Sequence[str],
    *,
    titles: Mapping[str, str] | None = None,
    language: str | None = None,
) -> alt.VConcatChart:
    """Per panel (gradient norm, step length, ...), each optimizer's series over the epochs on a
    log axis; a panel with several series per optimizer tells them apart by dash.

    Args:
        frame: optimizer, epoch, panel, series, value (> 0 for the log axis; others dropped).
        panels: the frame's panels, top to bottom.
        domain: optimizer labels in colour order.
        titles: each panel's title (default: its name in the frame).
        language: "ko" or "en" for the chart's words (None: the session's).
    """
    w = Words(language)
    data = _finite(frame, ["value"])
    data = data[data["value"] > 0]
    colors = optimizer_color(domain, language=w.language)
    colors.legend = alt.Legend(orient="top")  # on the right, a narrow window would cut it off
    views = []
    for panel in panels:
        part = data[data["panel"] == panel].drop(columns="panel").reset_index(drop=True)
        if not len(part):
            continue
        series = list(pd.unique(part["series"]))
        dash = alt.StrokeDash(
            "series:N",
            title=None,
            scale=alt.Scale(
                domain=series, range=[DASHES[i % len(DASHES)] for i in range(len(series))]
            ),
            legend=alt.Legend(orient="top", columns=2) if len(series) > 1 else None,
        )
        views.append(
            alt.Chart(part, title=(titles or {}).get(panel, panel))
            .mark_line(strokeWidth=1.5)
            .encode(
                x=alt.X("epoch:Q", title=w("epoch")),
                y=alt.Y("value:Q", title=None, scale=alt.Scale(type="log")),
                color=colors,
                strokeDash=dash,
                detail="series:N",
                tooltip=_tips(w, "optimizer:N", "series:N", "epoch:Q", "value:Q"),
            )
            .properties(width=INTERNALS_WIDTH, height=INTERNALS_HEIGHT)
        )
    return alt.vconcat(*views, spacing=22).resolve_scale(color="shared", strokeDash="independent")
