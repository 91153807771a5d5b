"""Data: load a table (upload, sample or typed), choose the target and features, hold out rows."""

import pandas as pd
import streamlit as st

from linreg_core import LinRegError, prepare, read_table
from linreg_core.data import numeric_columns
from ui import session
from ui import state as S
from ui.presets import SAMPLE_DIR, sample_path

ss = st.session_state
TYPED_START = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [30.0, 60.0, 90.0]})  # seed 000's rows
SAMPLES = sorted(p.name for p in SAMPLE_DIR.glob("*.csv"))

st.title("Data")
st.caption("Load a table, then choose what to predict (y) and from what (x). · 데이터 불러오기")

upload_tab, sample_tab, typed_tab = st.tabs(["Upload a file", "Sample data", "Type a table"])
with upload_tab:
    upload = st.file_uploader(
        f"CSV, TSV, TXT, XLSX, Parquet or JSON, {session.upload_limit()}",
        type=session.UPLOAD_TYPES,
        key=S.W_UPLOAD,
    )
    if (table := session.new_upload(upload, S.UPLOAD_SEEN, ss[S.DATA_NAME])) is not None:
        session.use_data(table, upload.name)
with sample_tab:
    sample = st.selectbox("Sample table", SAMPLES, key=S.W_SAMPLE)
    if st.button("Load this sample", key=S.W_LOAD_SAMPLE, icon=":material/download:"):
        session.use_data(read_table(sample_path(sample)), sample)
with typed_tab:
    st.caption("Edit the cells or add rows at the bottom (it starts with seed 000's table).")
    typed = st.data_editor(TYPED_START, num_rows="dynamic", key=S.W_TYPED)
    if st.button("Use this table", key=S.W_USE_TYPED, icon=":material/check:"):
        if len(rows := typed.dropna(how="all")) < 2:
            st.error("The typed table needs at least two rows with numbers.")
        else:
            session.use_data(rows.reset_index(drop=True), "typed table")

if (df := ss[S.DATA]) is None:
    st.info("Load a table above to go on. · 먼저 데이터를 불러오세요.", icon=":material/info:")
    st.stop()

st.subheader(f"{session.escape_md(ss[S.DATA_NAME])}: {len(df):,} rows × {df.shape[1]} columns")
session.show_notes(df)  # what the reader changed: renamed duplicate names, a dropped index
left, right = st.columns([3, 2])
left.dataframe(df.head(100), height=250)
right.dataframe(session.column_overview(df), hide_index=True)

if len(numeric := numeric_columns(df)) < 2:
    session.show_error(session.too_few_numeric(df, numeric))
    st.stop()
if ss[S.TARGET] not in numeric:
    ss[S.TARGET], ss[S.FEATURES] = session.default_columns(df)
ss[S.FEATURES] = [f for f in ss[S.FEATURES] if f in numeric and f != ss[S.TARGET]]
ss[S.TEST_SIZE] = min(max(ss[S.TEST_SIZE], 0.0), 0.5)

st.subheader("Columns")
c1, c2 = st.columns([1, 2])
target = c1.selectbox(
    "Target y: to predict", numeric, **session.bind(S.W_TARGET, S.TARGET, session.set_target)
)
others = [c for c in numeric if c != target]
c2.multiselect("Features x: to predict from", others, **session.bind(S.W_FEATURES, S.FEATURES))
if skipped := session.unusable_caption(df, numeric):  # text, dates or empty columns
    st.caption(session.escape_md(skipped))

st.subheader("Held-out rows")
if S.W_TEST_FILE not in ss:  # a page-local choice, first shown from whether a test table is set
    ss[S.W_TEST_FILE] = ss[S.TEST_DATA] is not None
c1, c2 = st.columns(2)
if not c1.toggle("Use a separate test file", key=S.W_TEST_FILE, on_change=session.set_test_mode):
    c1.slider("Fraction held out", 0.0, 0.5, step=0.05, **session.bind(S.W_TEST_SIZE, S.TEST_SIZE))
else:
    test_upload = c1.file_uploader(
        "Test table, same columns", type=session.UPLOAD_TYPES, key=S.W_TEST_UPLOAD
    )
    with c1:
        test_table = session.new_upload(test_upload, S.TEST_UPLOAD_SEEN, ss[S.TEST_DATA_NAME])
        if test_table is not None:
            session.use_test_data(test_table, test_upload.name)
        session.show_notes(ss[S.TEST_DATA])
    if ss[S.TEST_DATA] is None:
        c1.caption(f"Until a test file is loaded, {ss[S.TEST_SIZE]:.0%} of rows are held out.")
c2.number_input("Split seed", min_value=0, step=1, **session.bind(S.W_SPLIT_SEED, S.SPLIT_SEED))

if not ss[S.FEATURES]:
    st.warning("Choose at least one feature. · 입력 열(x)을 하나 이상 고르세요.")
    st.stop()
try:
    ds = prepare(df, session.data_config(), ss[S.TEST_DATA])
except LinRegError as exc:  # e.g. too few rows for the features, or a test table without them
    session.show_error(exc)
else:
    session.show_split(ds)  # the row counts, and a warning when rows with gaps were dropped
    st.page_link(
        "app_pages/2_normalise.py", label="Next: Normalise", icon=":material/arrow_forward:"
    )
