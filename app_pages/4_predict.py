"""Predict: the trained models on held-out rows, on values typed in, and on a new file."""

import functools
import re

import streamlit as st

from linreg_core import OPTIMUM_LABEL, LinRegError, report
from ui import charts, files, fragments, messages, navigation, tables
from ui import state as S
from ui.i18n import t

S.init_state()  # cheap and idempotent; lets the page run on its own (tests)
ss = st.session_state

st.title(navigation.PREDICT.title)
st.caption(t("predict.caption"))

if (comp := ss[S.COMPARISON]) is None:
    st.info(t("predict.need_training"), icon=":material/info:")
    navigation.page_link(navigation.TRAIN, t("predict.go_to_train"))
    st.stop()
ds, domain = comp.dataset, [h.label for h in comp.runs]
target, features = ds.target, list(ds.features)

st.subheader(t("predict.held_out_title"))
split = "test" if len(ds.y_test) else "train"
if split == "train":
    st.info(t("predict.no_held_out"), icon=":material/info:")
scores = tables.metrics_table(comp, split)
st.dataframe(scores, hide_index=True, column_config=tables.number_columns(scores))
n_rows = len(ds.y_test if split == "test" else ds.y_train)
st.caption(
    t("predict.rows_caption", rows=n_rows, target=messages.escape_md(messages.short(target)))
)
if why := messages.missing_r2(comp, split):  # e.g. one held-out row
    st.caption(why)
preds = tables.predictions_frame(comp, split)
if diverged := [h.label for h in comp.runs if h.diverged]:
    st.caption(t("predict.diverged_left_out", names=", ".join(diverged)))
if len(preds):
    left, right = st.columns(2)
    charts.show(charts.pred_vs_actual_chart(preds, domain=domain), left, width="stretch")
    charts.show(charts.residuals_chart(preds, domain=domain), right, width="stretch")

st.subheader(t("predict.typed_title"))
fragments.typed_section(comp)  # a fragment: typing reruns only this part

st.subheader(t("predict.file_title"))
upload = st.file_uploader(
    messages.escape_md(
        t(
            "predict.upload_label",
            features=", ".join(map(messages.short, features)),
            target=messages.short(target),
            limit=files.upload_limit(),
        )
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
            st.caption(t("predict.first_rows", shown=len(shown), total=len(table)))
    except LinRegError as exc:  # the message names the problem; the results above stay
        messages.show_error(exc)

st.subheader(t("predict.downloads_title"))
left, right = st.columns(2)
csv_label = t("predict.csv")
rows = table if table is not None else functools.partial(tables.split_predictions, comp, split)
if table is not None:
    csv_label = t("predict.csv_for", name=messages.escape_md(messages.short(upload.name)))
left.download_button(
    csv_label,
    files.csv_when_clicked(rows),  # written on the click: a big table's CSV is 100 MB
    file_name="predictions.csv",
    mime="text/csv",
    icon=":material/download:",
    key=S.W_PREDICT_CSV,
)
named = {OPTIMUM_LABEL: t("predict.optimum")}  # the closed form's name, in the language
chosen = right.selectbox(
    t("predict.model_to_save"),
    [*domain, OPTIMUM_LABEL],
    format_func=lambda m: named.get(m, m),
    key=S.W_PREDICT_MODEL,
)
model = None if chosen == OPTIMUM_LABEL else comp.runs[domain.index(chosen)]
right.download_button(
    t("predict.model_json", model=named.get(chosen, chosen)),
    report.dumps(report.model_dict(comp, model), indent=2),
    file_name=f"model_{re.sub(r'[^A-Za-z0-9.-]+', '_', chosen)}.json",
    mime="application/json",
    icon=":material/download:",
    key=S.W_PREDICT_JSON,
)
st.caption(t("predict.csv_caption"))
