"""Train & compare: several optimizers from one start on the same rows, against least squares."""

import streamlit as st

from linreg_core import LinRegError, budget
from ui import (
    charts,
    downloads,
    forms,
    fragments,
    history,
    lesson,
    messages,
    navigation,
    run,
    state,
    sweep,
    tables,
    watch,
)
from ui.i18n import say, t

state.init_state()  # cheap and idempotent; lets the page run on its own (tests)
ss = st.session_state
cfg = state.settings()

st.title(navigation.TRAIN.title)
st.caption(t("train.caption"))

if ss[state.DATA] is None or not cfg.target:
    st.info(t("train.need_data"))
    navigation.page_link(navigation.DATA, t("train.go_to_data"))
    st.stop()
if not cfg.features:
    st.info(t("train.need_features"))
    navigation.page_link(navigation.DATA, t("train.go_to_data"))
    st.stop()

try:
    new = forms.training_form(cfg)  # a form: edits wait for Train
except LinRegError as exc:  # a value out of range: say so, train nothing, keep the old settings
    messages.show_error(exc)
    new = None
if new is None and ss[state.AUTO_TRAIN]:  # a preset was just loaded: train it now
    new = cfg
ss[state.AUTO_TRAIN] = False
hand = run.handover()
if (stopped := hand.take()) is not None:  # a run stopped by the click that started this one
    ss[state.COMPARISON] = stopped
# drawn on every run, empty unless training: the page below does not shift while it trains
estimate, stop, bar = st.empty(), st.empty(), run.ProgressBar()
if new is not None:
    ss[state.SETTINGS] = new
    try:
        seconds = run.check_budget(ss[state.DATA], new)  # refuses a run too long to share
        if seconds > budget.WARN_SECONDS:
            estimate.info(messages.estimate_note(seconds), icon=":material/schedule:")
        stop.button(
            t("train.stop"), key=state.W_TRAIN_STOP, icon=":material/stop:"
        )  # a click stops it
        with hand.lock:
            try:
                comp = run.run_comparison(ss[state.DATA], new, ss[state.TEST_DATA], bar)
            except run.Stopped as partial:  # left before any Streamlit call, which would end it
                hand.stopped = comp = partial.comparison
            ss[state.COMPARISON] = comp  # not reached when the session stopped this run
            hand.stopped = None
        bar.clear()
        stop.empty()
        estimate.empty()
        if not bar.fresh:
            st.caption(t("train.from_cache"))
    except LinRegError as exc:  # the message says what to change; the last result stays
        messages.show_error(exc)

if (comp := ss[state.COMPARISON]) is None:
    st.stop()
history.record(comp, ss[state.DATA_NAME])  # once per comparison: the session's run history
domain = [h.label for h in comp.runs]
if note := messages.stopped_note(comp):
    st.warning(note, icon=":material/stop_circle:")
for note in messages.run_warnings(
    comp, lesson.advice(comp)
):  # divergence, or a loss that ended above its start
    st.warning(note, icon=":material/warning:")
st.caption(messages.run_caption(comp))
if lesson.lesson_wanted():  # a lesson preset: the same run on raw and z-scored features
    lesson.raw_vs_zscored(ss[state.DATA], comp.config, ss[state.TEST_DATA])
if note := messages.batch_note(comp):  # a batch as large as the data is full batch
    st.info(note, icon=":material/info:")

st.subheader(t("train.loss_title"))
losses = history.with_overlay(tables.thin_epochs(tables.losses_frame(comp)))
charts.show(charts.loss_chart(losses, messages.optimum_mse(comp), domain=domain), width="stretch")
st.caption(messages.loss_caption(comp))

st.subheader(t("train.landscape_title"))
fragments.landscape_section(comp, domain)  # a fragment: picking parameters redraws only this

st.subheader(t("train.params_title"))
shown = tables.shown_params(comp)  # the largest dozen of a wide model's parameters
params = tables.params_frame(comp, shown)
charts.show(charts.params_chart(params, tables.optimum(comp), domain=domain))
if note := messages.params_caption(comp, shown):
    st.caption(note)

st.subheader(t("train.fit_title"))
fragments.fit_section(comp, domain)  # a fragment: choosing a feature redraws only this chart

st.subheader(t("train.summary_title"))
table = tables.shown(tables.summary_table(comp), comp)  # the CSV download keeps English names
st.dataframe(table, hide_index=True, column_config=tables.number_columns(table))
st.caption(messages.summary_caption(comp))
lesson.advice_notes(comp)  # each run's advice, from its numbers
if (published := ss[state.PUBLISHED]) is not None:
    st.markdown(t("train.published", source=published.source))
    st.dataframe(tables.published_table(published, comp), hide_index=True)
    st.caption(say(published.note))

st.subheader(t("train.watch_title"))
watch.watch_section(comp, domain)  # one slider moves every view in the browser; one step; why

sweep.sweep_section(ss[state.DATA], comp.config, ss[state.TEST_DATA])  # lr sweep, its chart

st.subheader(t("train.history_title"))
history.section()

st.subheader(t("train.log_title"))
fragments.log_section(comp, domain)

downloads.section(comp)  # the summary, each run's every epoch, command line and script
navigation.page_link(navigation.PREDICT, t("train.next"), icon=":material/arrow_forward:")
