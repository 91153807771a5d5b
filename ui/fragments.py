"""Sections of the Train and Predict pages that rerun on their own (st.fragment): choosing a
feature, a run or typing a value there redraws only that section, not every chart."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from ui import charts
from ui import state as S
from ui.i18n import t
from ui.messages import escape_md, full_names, landscape_caption, param_labels, short
from ui.rows import fit_groups
from ui.tables import fit_frames, number_columns, typed_predictions

if TYPE_CHECKING:
    from linreg_core import Comparison

MAX_TYPED_FEATURES = 12  # number boxes on Predict; more rows of them are a form, not a try-out


@st.fragment
def fit_section(comp: Comparison, domain: list[str]) -> None:
    """The rows and every model's line along one feature, chosen when there are several."""
    features = list(comp.dataset.features)
    shown = features[0]
    if len(features) > 1:
        shown = st.selectbox(t("train.fit_feature"), features, key=S.W_TRAIN_FIT_FEATURE)
    points, lines = fit_frames(comp, features.index(shown))
    groups, by = fit_groups(comp)  # the Data page's colouring category, if one is chosen
    if groups is not None:
        points["group"] = groups  # fit_frames: training rows, then held-out rows
    chart = charts.fit_chart(
        points, lines, x_title=shown, y_title=comp.dataset.target, domain=domain, group_title=by
    )
    charts.show(chart, width="stretch")
    if len(features) > 1:
        st.caption(t("train.fit_held"))


@st.fragment
def log_section(comp: Comparison, domain: list[str]) -> None:
    """The seed-style epoch log of one chosen run."""
    from linreg_core import report  # with the results, so torch is already loaded

    logged = st.selectbox(t("train.log_run"), domain, key=S.W_TRAIN_LOG_RUN)
    st.code("\n".join(report.epoch_log(comp.runs[domain.index(logged)])), language=None)
    scaled = comp.config.normalize or comp.config.normalize_target
    space = t("train.space_zscored" if scaled else "train.space_original")
    st.caption(t("train.log_caption", space=space))


@st.fragment
def typed_section(comp: Comparison) -> None:
    """A number per feature (starting at its training mean) and every model's prediction; for
    more than MAX_TYPED_FEATURES features, where to give a row instead."""
    ds = comp.dataset
    if len(ds.features) > MAX_TYPED_FEATURES:
        st.caption(t("predict.typed_too_many", n=len(ds.features), limit=MAX_TYPED_FEATURES))
        return
    cols = st.columns(4)
    x = [  # the mean, rounded to 4 significant digits
        cols[i % 4].number_input(
            escape_md(short(f)),
            value=float(f"{m:.4g}"),
            format="%g",
            help=full_names(f),
            key=S.W_PREDICT_X.format(feature=f),
        )
        for i, (f, m) in enumerate(zip(ds.features, ds.X_train.mean(axis=0), strict=True))
    ]
    typed = typed_predictions(comp, x)
    st.dataframe(typed, hide_index=True, column_config=number_columns(typed))
    if comp.config.normalize:
        st.caption(t("predict.typed_zscored"))


@st.fragment
def landscape_section(comp: Comparison, domain: list[str]) -> None:
    """The loss over two parameters (picked when there are more), or a lone weight's cost curve."""
    labels = param_labels(comp)
    shown = None
    if len(labels) > 2:
        left, right = st.columns(2)
        x = left.selectbox(t("train.land_across"), labels, index=0, key=S.W_TRAIN_LAND_X)
        y = right.selectbox(t("train.land_up"), labels, index=len(labels) - 1, key=S.W_TRAIN_LAND_Y)
        if x == y:
            st.info(t("train.land_pick_two"))
            return
        shown = (labels.index(x), labels.index(y))
    view = comp.landscape(shown, width=charts.LANDSCAPE_WIDTH, height=charts.LANDSCAPE_HEIGHT)
    titles = [labels[k] for k in view.plane.index]
    if len(titles) == 1:
        chart = charts.cost_curve_chart(view, domain=domain, x_title=titles[0])
    else:
        chart = charts.landscape_chart(view, domain=domain, x_title=titles[0], y_title=titles[1])
    charts.show(chart, width="content")
    st.caption(landscape_caption(comp, view))
