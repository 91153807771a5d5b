"""Sections of the Train and Predict pages that rerun on their own (st.fragment): choosing a
feature, a run or typing a value there redraws only that section, not every chart."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from ui import charts
from ui import state as S
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
        shown = st.selectbox("Feature on the x axis", features, key=S.W_TRAIN_FIT_FEATURE)
    points, lines = fit_frames(comp, features.index(shown))
    groups, by = fit_groups(comp)  # the Data page's colouring category, if one is chosen
    if groups is not None:
        points["group"] = groups  # fit_frames: training rows, then held-out rows
    chart = charts.fit_chart(
        points, lines, x_title=shown, y_title=comp.dataset.target, domain=domain, group_title=by
    )
    charts.show(chart, width="stretch")
    if len(features) > 1:
        st.caption(
            "Other features are held at their training mean, so the points scatter around the "
            "lines. 다른 특성은 학습 데이터 평균으로 고정했습니다."
        )


@st.fragment
def log_section(comp: Comparison, domain: list[str]) -> None:
    """The seed-style epoch log of one chosen run."""
    from linreg_core import report  # with the results, so torch is already loaded

    logged = st.selectbox("Run", domain, key=S.W_TRAIN_LOG_RUN)
    st.code("\n".join(report.epoch_log(comp.runs[domain.index(logged)])), language=None)
    space = "z-scored" if comp.config.normalize or comp.config.normalize_target else "original"
    st.caption(
        f"As the tutorials print it: W and b in the {space} units the model trains in, the cost "
        "before each epoch's step. `python -m linreg_core train` prints the same log. "
        "The summary above also gives the weights in the data's own units."
    )


@st.fragment
def typed_section(comp: Comparison) -> None:
    """A number per feature (starting at its training mean) and every model's prediction; for
    more than MAX_TYPED_FEATURES features, where to give a row instead."""
    ds = comp.dataset
    if len(ds.features) > MAX_TYPED_FEATURES:
        st.caption(
            f"This model has {len(ds.features)} features, more than the {MAX_TYPED_FEATURES} "
            "that can be typed in here: put rows with those columns in a table and upload it "
            "under “A new file” below. · 특성이 많으면 파일로 예측하세요."
        )
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
        st.caption(
            "Type values in the data's own units; they are z-scored with the TRAINING rows' mean "
            "and std before the model sees them. 입력값은 학습 데이터의 평균·표준편차로 "
            "변환됩니다."
        )


@st.fragment
def landscape_section(comp: Comparison, domain: list[str]) -> None:
    """The loss over two parameters (picked when there are more), or a lone weight's cost curve."""
    labels = param_labels(comp)
    shown = None
    if len(labels) > 2:
        left, right = st.columns(2)
        x = left.selectbox("Across", labels, index=0, key=S.W_TRAIN_LAND_X)
        y = right.selectbox("Up", labels, index=len(labels) - 1, key=S.W_TRAIN_LAND_Y)
        if x == y:
            st.info("Pick two different parameters. · 서로 다른 두 파라미터를 고르세요.")
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
