"""Normalise: z-score with the training rows' statistics, the numbers it uses, and what it does."""

import numpy as np
import streamlit as st

from linreg_core import DataError, LinRegError, Scaler, prepare
from ui import lesson, messages, navigation, rows, state, tables
from ui.charts import distribution_chart, show
from ui.i18n import t

ss = st.session_state
cfg = state.settings()
MAX_CHART_COLUMNS = 8  # more panels would only make the page long

st.title(navigation.NORMALISE.title)
st.caption(t("normalise.formula"))

if ss[state.DATA] is None or cfg.target is None or not cfg.features:
    st.info(t("normalise.no_data"), icon=":material/info:")
    navigation.page_link(navigation.DATA, t("normalise.go_to_data"))
    st.stop()

c1, c2 = st.columns(2)
c1.toggle(
    t("normalise.zscore_toggle"),
    help=t("normalise.zscore_help"),
    **state.shown(state.W_NORMALIZE, cfg.normalize),
    on_change=state.choose,
    args=("normalize", state.W_NORMALIZE),
)
c2.toggle(
    t("normalise.target_toggle"),
    help=t("normalise.target_help"),
    **state.shown(state.W_NORMALIZE_TARGET, cfg.normalize_target),
    on_change=state.choose,
    args=("normalize_target", state.W_NORMALIZE_TARGET),
)

try:
    ds = prepare(ss[state.DATA], cfg, ss[state.TEST_DATA])
    Scaler.fit(ds.X_train, features=ds.features)  # a constant feature: the core says which
except LinRegError as exc:
    messages.show_error(exc)
    navigation.page_link(navigation.DATA, t("normalise.change_columns"))
    st.stop()
names = [*ds.features, ds.target]
train_rows = np.column_stack([ds.X_train, ds.y_train])  # (n_train, d + 1)
test_rows = np.column_stack([ds.X_test, ds.y_test])
try:  # the features and the target, each with its training statistics
    scaler = Scaler.fit(train_rows, features=tuple(names))
except DataError:
    messages.show_error(t("normalise.constant_target", target=repr(ds.target)))
    st.stop()

st.subheader(t("normalise.stats_title", rows=len(ds.y_train)))
stats = tables.shown(tables.zscore_table(names, train_rows, test_rows, scaler))  # headers in words
st.dataframe(stats, hide_index=True, column_config=tables.number_columns(stats, "%.4g"))
st.markdown(t("normalise.std_notes"))
if not cfg.normalize:
    st.caption(t("normalise.zscore_off"))
target_stats = Scaler(scaler.mean[-1:], scaler.std[-1:])
if hint := messages.target_scale_hint(target_stats, cfg.normalize_target):
    st.info(hint, icon=":material/lightbulb:")

lesson.curvature_section(cfg)  # condition number and stable lr, raw and z-scored
rows.outliers_section(ss[state.DATA], cfg, ss[state.TEST_DATA], "normalise")

st.subheader(t("normalise.before_after"))
values, shown = tables.zscore_frame(names, train_rows, scaler, max_columns=MAX_CHART_COLUMNS)
c1, c2 = st.columns(2)
bins = c1.slider(
    t("normalise.bins"),
    10,
    200,
    value=rows.default_bins(len(ds.y_train)),
    step=5,
    key=state.W_HIST_BINS,
)
log_count = c2.toggle(
    t("normalise.log_count"),
    key=state.W_HIST_LOG,
    help=t("normalise.log_count_help"),
)
show(distribution_chart(values, bins=bins, log_count=log_count))
if len(names) > shown:
    st.caption(t("normalise.drawn", shown=shown, total=len(names)))
st.caption(t("normalise.same_shape"))
next_page = t("normalise.next", page=navigation.TRAIN.title)
navigation.page_link(navigation.TRAIN, next_page, icon=":material/arrow_forward:")
