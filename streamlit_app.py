"""LinReg Lab: the entry point. Page setup, shared state, navigation, and a sidebar that says
which data is loaded; then the chosen page runs."""

import os

import streamlit as st
import torch

from ui import state as S
from ui.session import sidebar_status

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
            default=True,  # served at "/"; a url_path here would never be used
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

status = st.sidebar.empty()  # drawn now, and again after the page if it finishes (it may train)
with status.container():
    sidebar_status(ss)

if ss[S.NOTICE]:  # one-time message, e.g. after a preset loaded; shown above the page
    st.info(ss[S.NOTICE], icon=":material/info:")
    ss[S.NOTICE] = None

pg.run()  # a page that calls st.stop() ends the script here; its sidebar is still current
with status.container():
    sidebar_status(ss)
