"""Normalise: z-score with the training rows' statistics, the numbers it uses, and what it does."""

import numpy as np
import pandas as pd
import streamlit as st

from linreg_core import DataError, LinRegError, Scaler, prepare
from ui import session, views
from ui import state as S
from ui.charts import distribution_chart

ss = st.session_state
MAX_CHART_COLUMNS = 8  # more panels would only make the page long

st.title("Normalise")
st.caption("z = (x − mean) / std, with the mean and std of the training rows. · 표준화(z-score)")

if ss[S.DATA] is None or ss[S.TARGET] is None or not ss[S.FEATURES]:
    st.info(
        "Load data and choose the columns first. · 데이터를 먼저 불러오세요.",
        icon=":material/info:",
    )
    st.page_link("app_pages/1_data.py", label="Go to Data", icon=":material/table:")
    st.stop()

c1, c2 = st.columns(2)
c1.toggle(
    "Z-score the features",
    help="Puts every feature on the same scale, so one learning rate suits all of them.",
    **session.bind(S.W_NORMALIZE, S.NORMALIZE),
)
c2.toggle(
    "Scale the target too",
    help="Results are still reported in the target's own units.",
    **session.bind(S.W_NORMALIZE_TARGET, S.NORMALIZE_TARGET),
)

try:
    ds = prepare(ss[S.DATA], session.data_config(), ss[S.TEST_DATA])
    x_scaler = Scaler.fit(ds.X_train, features=ds.features)
except LinRegError as exc:  # e.g. a constant feature: the core says which and what to do
    session.show_error(exc)
    st.page_link("app_pages/1_data.py", label="Change the columns on Data", icon=":material/table:")
    st.stop()
try:
    y_scaler = Scaler.fit(ds.y_train[:, None], features=(ds.target,))
except DataError:
    session.show_error(
        f"The target {ds.target!r} has one value in every training row: nothing to predict. "
        "Choose another target on the Data page."
    )
    st.stop()

names = [*ds.features, ds.target]
X = np.column_stack([ds.X_train, ds.y_train])  # (n_train, d + 1)
mean, std = np.append(x_scaler.mean, y_scaler.mean), np.append(x_scaler.std, y_scaler.std)
stats = pd.DataFrame(
    {
        "column": names,
        "role": ["feature"] * len(ds.features) + ["target"],
        "training mean": mean,
        "training std (ddof=0)": std,
    }
)
if len(ds.y_test):  # held-out rows, z-scored with the TRAINING statistics
    Z_test = (np.column_stack([ds.X_test, ds.y_test]) - mean) / std
    stats["test rows' mean after z-score"] = Z_test.mean(axis=0)
    stats["test rows' std after z-score"] = Z_test.std(axis=0)

st.subheader(f"Training statistics ({len(ds.y_train):,} rows)")
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
if not ss[S.NORMALIZE]:
    st.caption("Z-score is off: training uses the original values; the charts show what it does.")
if hint := session.target_scale_hint(y_scaler, ss[S.NORMALIZE_TARGET]):
    st.info(hint, icon=":material/lightbulb:")

st.subheader("Before and after (training rows)")
values, shown = views.zscore_frame(names, X, mean, std, max_columns=MAX_CHART_COLUMNS)
st.altair_chart(distribution_chart(values))
if len(names) > shown:
    st.caption(f"Drawn: {shown} of {len(names)} columns (the first features, the target).")
st.caption("Same shape, new scale: z-scoring moves and stretches the axis, not the histogram.")
st.page_link("app_pages/3_train.py", label="Next: Train & compare", icon=":material/arrow_forward:")
