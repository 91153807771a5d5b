"""Normalise: z-score with the training rows' statistics, the numbers it uses, and what it does."""

import numpy as np
import streamlit as st

from linreg_core import DataError, LinRegError, Scaler, prepare
from ui import lesson, messages, navigation, rows, state, tables
from ui.charts import distribution_chart, show

ss = st.session_state
cfg = state.settings()
MAX_CHART_COLUMNS = 8  # more panels would only make the page long

st.title("Normalise")
st.caption("z = (x − mean) / std, with the mean and std of the training rows. · 표준화(z-score)")

if ss[state.DATA] is None or cfg.target is None or not cfg.features:
    st.info(
        "Load data and choose the columns first. · 데이터를 먼저 불러오세요.",
        icon=":material/info:",
    )
    navigation.page_link(navigation.DATA, "Go to Data")
    st.stop()

c1, c2 = st.columns(2)
c1.toggle(
    "Z-score the features",
    help="Puts every feature on the same scale, so one learning rate suits all of them.",
    **state.shown(state.W_NORMALIZE, cfg.normalize),
    on_change=state.choose,
    args=("normalize", state.W_NORMALIZE),
)
c2.toggle(
    "Scale the target too",
    help="Results are still reported in the target's own units.",
    **state.shown(state.W_NORMALIZE_TARGET, cfg.normalize_target),
    on_change=state.choose,
    args=("normalize_target", state.W_NORMALIZE_TARGET),
)

try:
    ds = prepare(ss[state.DATA], cfg, ss[state.TEST_DATA])
    Scaler.fit(ds.X_train, features=ds.features)  # a constant feature: the core says which
except LinRegError as exc:
    messages.show_error(exc)
    navigation.page_link(navigation.DATA, "Change the columns on Data")
    st.stop()
names = [*ds.features, ds.target]
train_rows = np.column_stack([ds.X_train, ds.y_train])  # (n_train, d + 1)
test_rows = np.column_stack([ds.X_test, ds.y_test])
try:  # the features and the target, each with its training statistics
    scaler = Scaler.fit(train_rows, features=tuple(names))
except DataError:
    messages.show_error(
        f"The target {ds.target!r} has one value in every training row: nothing to predict. "
        "Choose another target on the Data page."
    )
    st.stop()

st.subheader(f"Training statistics ({len(ds.y_train):,} rows)")
stats = tables.zscore_table(names, train_rows, test_rows, scaler)
st.dataframe(
    stats,
    hide_index=True,
    column_config={c: st.column_config.NumberColumn(format="%.4g") for c in stats.columns[2:]},
)
st.markdown(
    "- The std is the **population** std (divide by n, ddof=0), as in scikit-learn's "
    "`StandardScaler`; pandas' `.std()` divides by n − 1 and gives a slightly larger number.\n"
    "- Test rows and new inputs are scaled with these **training** statistics, never their own "
    "(seed 002's lesson), so the test rows land near, not exactly at, mean 0 and std 1."
)
st.caption("테스트 데이터도 학습 데이터의 평균과 표준편차로 변환합니다.")
if not cfg.normalize:
    st.caption("Z-score is off: training uses the original values; the charts show what it does.")
target_stats = Scaler(scaler.mean[-1:], scaler.std[-1:])
if hint := messages.target_scale_hint(target_stats, cfg.normalize_target):
    st.info(hint, icon=":material/lightbulb:")

lesson.curvature_section(cfg)  # condition number and stable lr, raw and z-scored
rows.outliers_section(ss[state.DATA], cfg, ss[state.TEST_DATA], "normalise")

st.subheader("Before and after (training rows)")
values, shown = tables.zscore_frame(names, train_rows, scaler, max_columns=MAX_CHART_COLUMNS)
c1, c2 = st.columns(2)
bins = c1.slider(
    "Bins", 10, 200, value=rows.default_bins(len(ds.y_train)), step=5, key=state.W_HIST_BINS
)
log_count = c2.toggle(
    "Log count axis",
    key=state.W_HIST_LOG,
    help="A bin of a few rows beside one of thousands (a heavy tail) still shows.",
)
show(distribution_chart(values, bins=bins, log_count=log_count))
if len(names) > shown:
    st.caption(f"Drawn: {shown} of {len(names)} columns (the first features, the target).")
st.caption("Same shape, new scale: z-scoring moves and stretches the axis, not the histogram.")
navigation.page_link(navigation.TRAIN, "Next: Train & compare", icon=":material/arrow_forward:")
