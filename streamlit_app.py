"""LinReg Lab: the entry point. Page setup, shared state, navigation, and a sidebar that says
which data is loaded; then the chosen page runs."""

import os

import streamlit as st
import torch

from ui import state as S
from ui.session import escape_md

st.set_page_config(page_title="LinReg Lab", page_icon=":material/show_chart:", layout="wide")

# A Community Cloud container has 2 cores; more threads than cores only makes tiny matmuls slower.
THREADS = min(2, os.cpu_count() or 1)
if torch.get_num_threads() != THREADS:  # this script reruns on every interaction; set it once
    torch.set_num_threads(THREADS)

S.init_state()
ss = st.session_state

pg = st.navigation(
    [
        st.Page(
            "app_pages/0_start.py",
            title="Start",
            icon=":material/home:",
            url_path="start",
            default=True,
        ),
        st.Page("app_pages/1_data.py", title="Data", icon=":material/table:", url_path="data"),
        st.Page(
            "app_pages/2_normalise.py",
            title="Normalise",
            icon=":material/tune:",
            url_path="normalise",
        ),
        st.Page(
            "app_pages/3_train.py",
            title="Train & compare",
            icon=":material/model_training:",
            url_path="train",
        ),
        st.Page(
            "app_pages/4_predict.py",
            title="Predict",
            icon=":material/online_prediction:",
            url_path="predict",
        ),
    ]
)

with st.sidebar:
    st.subheader("Current data")
    df = ss[S.DATA]
    if df is None:
        st.caption("No data loaded yet: pick a preset on Start or load a table on Data.")
        st.caption("아직 데이터가 없습니다.")
    else:
        st.markdown(f"**{escape_md(ss[S.DATA_NAME])}** · {len(df):,} rows")
        if ss[S.TARGET] is not None:
            features = ", ".join(escape_md(f) for f in ss[S.FEATURES]) or "none chosen"
            st.markdown(f"Target: **{escape_md(ss[S.TARGET])}**  \nFeatures: {features}")
        if ss[S.TEST_DATA] is not None:
            st.markdown(f"Test table: {escape_md(ss[S.TEST_DATA_NAME])}")
        if ss[S.PRESET]:
            st.caption(f"Preset: {ss[S.PRESET]}")
    if ss[S.COMPARISON] is not None:
        st.success("Comparison ready", icon=":material/check_circle:")
    elif df is not None:
        st.caption("Not trained yet: go to Train & compare.")

if ss[S.NOTICE]:  # one-time message, e.g. after a preset loaded; shown above the page
    st.info(ss[S.NOTICE], icon=":material/info:")
    ss[S.NOTICE] = None

pg.run()
