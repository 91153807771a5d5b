"""Train & compare: several optimizers from one start on the same rows, against least squares."""

import streamlit as st

from linreg_core import LinRegError
from ui import charts, engine, sections, session, views
from ui import state as S

S.init_state()  # cheap and idempotent; lets the page run on its own (tests)
ss = st.session_state

st.title("Train & compare")
st.caption("Same rows, same start, different optimizers. · 같은 시작점에서 옵티마이저 비교")

if ss[S.DATA] is None or not ss[S.TARGET]:
    st.info("Load data and choose the column to predict first. · 데이터를 먼저 불러오세요.")
    sections.page_link("app_pages/1_data.py", "Go to Data", icon=":material/table:")
    st.stop()
if not ss[S.FEATURES]:
    st.info("Choose at least one feature (x) on the Data page. · 입력 열(x)을 고르세요.")
    sections.page_link("app_pages/1_data.py", "Go to Data", icon=":material/table:")
    st.stop()

new_training = sections.training_form(ss[S.TRAINING])  # a form: edits wait for Train
if new_training is None and ss[S.AUTO_TRAIN]:  # a preset was just loaded: train it now
    new_training = ss[S.TRAINING]
ss[S.AUTO_TRAIN] = False
if new_training is not None:
    ss[S.TRAINING] = new_training
    bar, progress = sections.progress_bar()
    try:
        cfg = engine.build_config(ss)
        ss[S.COMPARISON] = engine.run_comparison(ss[S.DATA], cfg, ss[S.TEST_DATA], progress)
        if not progress.calls:
            st.caption("Same table and settings as before: shown from the cache, not retrained.")
    except LinRegError as exc:  # the message says what to change; the last result stays
        session.show_error(exc)
    finally:
        bar.empty()

if (comp := ss[S.COMPARISON]) is None:
    st.stop()
domain = [h.label for h in comp.runs]
for note in views.run_warnings(comp):  # divergence, or a loss that ended above its start
    st.warning(note, icon=":material/warning:")
st.caption(f"{len(comp.runs)} optimizer(s), {comp.config.epochs:,} epochs, {comp.seconds:.2f} s.")
if note := views.batch_note(comp):  # a batch as large as the data is full batch
    st.info(note, icon=":material/info:")

st.subheader("Loss per epoch · 손실")
losses = views.thin_epochs(comp.losses_frame())
st.altair_chart(charts.loss_chart(losses, views.optimum_mse(comp), domain=domain), width="stretch")
st.caption(views.loss_caption(comp))

st.subheader("Loss landscape · 손실 지형")
if comp.has_landscape():
    grid, paths = views.landscape_frames(comp)
    chart = charts.landscape_chart(grid, paths, comp.optimum_dict(), domain=domain)
    st.altair_chart(chart, width="stretch")
    st.caption("Each optimizer's path over (W, b); lighter is lower loss, ✚ is least squares.")
else:
    st.caption(
        "Drawn for one feature with a bias (two parameters, W and b); this model has "
        f"{len(comp.param_names())} parameters."
    )

st.subheader("Parameters per epoch · 파라미터")
params = views.thin_epochs(comp.params_frame())
st.altair_chart(charts.params_chart(params, comp.optimum_dict(), domain=domain))

st.subheader("The data and the fitted lines · 데이터와 직선")
sections.fit_section(comp, domain)  # a fragment: choosing a feature redraws only this chart

st.subheader("Summary · 요약")
table = views.summary_table(comp)
st.dataframe(table, hide_index=True, column_config=views.number_columns(table))
st.caption(views.summary_caption(comp))
if ss[S.PUBLISHED] and ss[S.PUBLISHED].get("epoch"):
    st.markdown(f"**Published by {ss[S.PUBLISHED]['source']}** · 튜토리얼 결과와 비교")
    st.dataframe(views.published_table(ss[S.PUBLISHED], comp), hide_index=True)
    st.caption(ss[S.PUBLISHED].get("note", ""))

st.subheader("Epoch log · 학습 로그")
sections.log_section(comp, domain)
sections.page_link("app_pages/4_predict.py", "Next: Predict", icon=":material/arrow_forward:")
