"""Data: load a table (upload, sample or typed), choose the target and features, hold out rows."""

import pandas as pd
import streamlit as st

from linreg_core import MAX_FEATURES, MAX_TEST_SIZE, LinRegError, prepare, read_table
from ui import experiment, files, links, messages, navigation, rows, state, tables
from ui.i18n import say, t
from ui.presets import SAMPLE_DIR, sample_path

ss = st.session_state
cfg = state.settings()
TYPED_START = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [30.0, 60.0, 90.0]})  # seed 000's rows
SAMPLES = sorted(p.name for p in SAMPLE_DIR.glob("*.csv"))

st.title(navigation.DATA.title)
st.caption(t("data.caption"))

upload_tab, sample_tab, typed_tab, experiment_tab = st.tabs(
    [t(f"data.tab.{tab}") for tab in ("upload", "sample", "typed", "experiment")]
)
with upload_tab:
    upload = st.file_uploader(
        t("data.upload_label", limit=files.upload_limit()),
        type=files.UPLOAD_TYPES,
        key=state.W_UPLOAD,
    )
    # a workbook of several sheets also gets a selectbox of them
    if (table := files.upload_with_sheets(upload, ss[state.DATA_NAME])) is not None:
        files.load_table(table, upload.name)
with sample_tab:
    sample = st.selectbox(t("data.sample_label"), SAMPLES, key=state.W_SAMPLE)
    if st.button(t("data.load_sample"), key=state.W_LOAD_SAMPLE, icon=":material/download:"):
        files.load_table(read_table(sample_path(sample)), sample, state.Source("sample", sample))
with typed_tab:
    st.caption(t("data.typed_caption"))
    typed = st.data_editor(TYPED_START, num_rows="dynamic", key=state.W_TYPED)
    if st.button(t("data.use_typed"), key=state.W_USE_TYPED, icon=":material/check:"):
        if len(cells := typed.dropna(how="all")) < 2:
            st.error(t("data.typed_too_short"))
        else:
            cells = cells.reset_index(drop=True)
            files.load_table(cells, state.TYPED_NAME, links.typed_source(cells))

with experiment_tab:
    st.caption(t("data.experiment_caption"))
    experiment.open_upload(
        st.file_uploader(t("data.experiment_label"), type=["json"], key=state.W_EXPERIMENT)
    )

if (df := ss[state.DATA]) is None:
    st.info(t("data.no_data"), icon=":material/info:")
    st.stop()

st.subheader(
    t(
        "data.heading",
        name=messages.escape_md(messages.short(ss[state.DATA_NAME])),
        rows=len(df),
        columns=df.shape[1],
    ),
    help=messages.full_names(ss[state.DATA_NAME]),
)
messages.show_notes(df)  # what the reader changed: renamed names, a dropped index, number formats
st.dataframe(df.head(100), height=250)
with st.expander(t("data.overview"), expanded=True):
    summary = tables.column_overview(df)
    st.dataframe(summary, hide_index=True, column_config=tables.number_columns(summary, "%.4g"))

rows.units_section(df, cfg)  # text such as '19.67 kmpl', read as numbers once chosen
cfg = state.settings()
if len(numeric := rows.usable_columns(df, cfg)) < 2:
    messages.show_error(messages.too_few_numeric(df, numeric))
    st.stop()

if cfg.target is not None and cfg.target not in numeric:  # a table loaded before these choices
    target, features = state.default_columns(df)
    state.update(target=target, features=features)
    cfg = state.settings()

st.subheader(t("data.columns_title"))
st.markdown(t("data.roles"))
c1, c2 = st.columns([1, 2])
target = c1.selectbox(
    t("data.target_label"),
    numeric,
    index=None,
    placeholder=t("data.target_placeholder"),
    **state.shown(state.W_TARGET, cfg.target),
    on_change=state.choose_target,
)
if target is None:
    if (suggestion := rows.suggested_target(numeric)) is not None:
        c1.caption(t("data.suggestion", name=messages.escape_md(repr(suggestion))))
    c2.info(t("data.no_target"), icon=":material/ads_click:")
    st.stop()
c2.multiselect(
    t("data.features_label"),
    candidates := [c for c in numeric if c != target],
    **state.shown(state.W_FEATURES, [f for f in cfg.features if f in numeric and f != target]),
    max_selections=MAX_FEATURES,
    on_change=state.choose_features,
)
if len(candidates) > MAX_FEATURES:  # none preselected (ui.state.suggested_features)
    st.info(say(messages.too_many_features(len(candidates))), icon=":material/info:")
if skipped := messages.unusable_caption(df, rows.offered(df, numeric)):  # text, dates, empty
    st.caption(messages.escape_md(say(skipped)))

rows.filters_section(df, state.settings())  # keep rows by value or range, before the split
color_by = rows.color_choice(df)

st.subheader(t("data.held_out_title"))
if state.W_TEST_FILE not in ss:  # a page-local choice, first shown from whether a test table is set
    ss[state.W_TEST_FILE] = ss[state.TEST_DATA] is not None
c1, c2 = st.columns(2)
if not c1.toggle(
    t("data.test_file"),
    key=state.W_TEST_FILE,
    on_change=state.choose_test_mode,
):
    c1.slider(
        t("data.test_size"),
        0.0,
        MAX_TEST_SIZE,
        step=0.05,
        **state.shown(state.W_TEST_SIZE, cfg.test_size),
        on_change=state.choose,
        args=("test_size", state.W_TEST_SIZE),
    )
    with c1:
        rows.small_table_note(df, state.settings())
else:
    test_upload = c1.file_uploader(
        t("data.test_upload"), type=files.UPLOAD_TYPES, key=state.W_TEST_UPLOAD
    )
    with c1:
        test_table = files.new_upload(test_upload, state.TEST_UPLOAD_SEEN, ss[state.TEST_DATA_NAME])
        if test_table is not None:
            files.load_test_table(test_table, test_upload.name)
        messages.show_notes(ss[state.TEST_DATA])
    if ss[state.TEST_DATA] is None:
        c1.caption(t("data.until_test_file", share=cfg.test_size))
c2.number_input(
    t("data.split_seed"),
    min_value=0,
    step=1,
    **state.shown(state.W_SPLIT_SEED, cfg.seed),
    on_change=state.choose,
    args=("seed", state.W_SPLIT_SEED),
)

if not state.settings().features:
    st.warning(t("data.no_features"))
    st.stop()
try:
    ds = prepare(df, cfg := state.settings(), ss[state.TEST_DATA])
except LinRegError as exc:  # e.g. too few rows for the features, or a test table without them
    messages.show_error(exc)
else:
    messages.show_split(ds)  # the row counts, and a warning when rows with gaps were dropped
    rows.data_chart(ds, rows.group_of(df, color_by, ds.train_rows, ds.test_rows), color_by)
    rows.sign_section(ds, cfg)  # a weight whose sign depends on which rows are held out
rows.outliers_section(df, cfg, ss[state.TEST_DATA], "data")
navigation.page_link(
    navigation.NORMALISE,
    t("data.next", page=navigation.NORMALISE.title),
    icon=":material/arrow_forward:",
)
