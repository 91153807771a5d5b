"""Predict: the trained models on held-out rows, on values typed in, and on a new file."""

import functools
import re

import streamlit as st

from linreg_core import OPTIMUM_LABEL, LinRegError, report
from ui import charts, files, fragments, messages, navigation, tables
from ui import state as S

S.init_state()  # cheap and idempotent; lets the page run on its own (tests)
ss = st.session_state

st.title("Predict")
st.caption("Use the trained models on rows they have not seen. · 학습한 모델로 예측")

if (comp := ss[S.COMPARISON]) is None:
    st.info("Train the models first. · 먼저 학습하세요.", icon=":material/info:")
    navigation.page_link(navigation.TRAIN, "Go to Train & compare")
    st.stop()
ds, domain = comp.dataset, [h.label for h in comp.runs]
target, features = ds.target, list(ds.features)

st.subheader("On the held-out rows · 테스트 데이터")
split = "test" if len(ds.y_test) else "train"
if split == "train":
    st.info(
        "No rows were held out (test size 0), so these are the training rows: they say how well "
        "each model fits, not how well it predicts new rows. Hold out rows on the Data page.",
        icon=":material/info:",
    )
scores = tables.metrics_table(comp, split)
st.dataframe(scores, hide_index=True, column_config=tables.number_columns(scores))
n_rows = len(ds.y_test if split == "test" else ds.y_train)
st.caption(f"{n_rows:,} rows; in {messages.escape_md(messages.short(target))}'s units.")
if why := messages.missing_r2(comp, split):  # e.g. one held-out row
    st.caption(why)
preds = tables.predictions_frame(comp, split)
if diverged := [h.label for h in comp.runs if h.diverged]:
    st.caption(f"Left out of the charts, as they diverged: {', '.join(diverged)}.")
if len(preds):
    left, right = st.columns(2)
    charts.show(charts.pred_vs_actual_chart(preds, domain=domain), left, width="stretch")
    charts.show(charts.residuals_chart(preds, domain=domain), right, width="stretch")

st.subheader("From values typed in · 직접 입력해서 예측")
fragments.typed_section(comp)  # a fragment: typing reruns only this part

st.subheader("A new file · 새 파일 예측")
upload = st.file_uploader(
    messages.escape_md(
        f"A table with the columns {', '.join(map(messages.short, features))} "
        f"({messages.short(target)} optional), {files.upload_limit()}"
    ),
    help=messages.full_names(*features, target),
    type=files.UPLOAD_TYPES,
    key=S.W_PREDICT_UPLOAD,
)
table = None
if upload is not None and (new := files.read_upload(upload)) is not None:  # errors shown
    messages.show_notes(new)
    try:
        table = tables.file_predictions(comp, new)
        shown = table.head(tables.MAX_ROWS_SHOWN)  # the page stays small; the CSV has them all
        st.dataframe(shown, hide_index=True, column_config=tables.number_columns(shown))
        if len(table) > len(shown):
            st.caption(f"The first {len(shown):,} of {len(table):,} rows; the CSV has them all.")
    except LinRegError as exc:  # the message names the problem; the results above stay
        messages.show_error(exc)

st.subheader("Downloads · 내려받기")
left, right = st.columns(2)
csv_label = "Predictions (CSV)"
rows = table if table is not None else functools.partial(tables.split_predictions, comp, split)
if table is not None:
    csv_label = f"Predictions for {messages.escape_md(messages.short(upload.name))} (CSV)"
left.download_button(
    csv_label,
    files.csv_when_clicked(rows),  # written on the click: a big table's CSV is 100 MB
    file_name="predictions.csv",
    mime="text/csv",
    icon=":material/download:",
    key=S.W_PREDICT_CSV,
)
chosen = right.selectbox("Model to save", [*domain, OPTIMUM_LABEL], key=S.W_PREDICT_MODEL)
model = None if chosen == OPTIMUM_LABEL else comp.runs[domain.index(chosen)]
right.download_button(
    f"{chosen} model (JSON)",
    report.dumps(report.model_dict(comp, model), indent=2),
    file_name=f"model_{re.sub(r'[^A-Za-z0-9.-]+', '_', chosen)}.json",
    mime="application/json",
    icon=":material/download:",
    key=S.W_PREDICT_JSON,
)
st.caption(
    "The CSV has the held-out rows (or your file) with every model's prediction; a text cell "
    "that starts with = + - @ gets a leading ' so a spreadsheet never runs it as a formula."
)
