"""LinReg Lab: the entry point. Page setup, shared state, navigation, and a sidebar that says
which data is loaded; then the chosen page runs."""

import streamlit as st

from ui import i18n, links, memory, messages, navigation, run, sidebar, state

st.set_page_config(page_title="LinReg Lab", page_icon=":material/show_chart:", layout="wide")

state.init_state()
i18n.restore()  # a link's language, before the link's notes are written in it
links.restore()  # a link's experiment, on the session's first run
ss = st.session_state

pg = st.navigation(navigation.st_pages())

i18n.switch()
status = st.sidebar.empty()  # drawn now, and again after the page if it finishes (it may train)
with status.container():
    sidebar.status()

if ss[state.NOTICE]:  # one-time message, e.g. after a preset loaded; shown above the page
    messages.show_notice(ss[state.NOTICE])
    ss[state.NOTICE] = None

try:
    pg.run()  # a page that calls st.stop() ends the script here; its sidebar is still current
    with status.container():
        sidebar.status()
finally:
    links.publish()  # the address bar holds the experiment as it now stands
    run.warm_up()  # torch loads in the background once the first page is drawn
    memory.release()  # what a run on a big table freed goes back to the system
