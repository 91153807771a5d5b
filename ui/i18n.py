"""The dashboard's language: Korean or English, one at a time.

The session's language is, in this order: the one chosen in the sidebar, the link's `lang`
parameter (read on the session's first run), the browser's (st.context.locale: ko-* gives
Korean, anything else English). t(key, **params) renders a catalog sentence in it
(linreg_core.i18n); say(problem) renders an engine error or warning in it.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from linreg_core.errors import DataWarning, LinRegError, Said
from linreg_core.i18n import LANGUAGE_NAMES, LANGUAGES, language_of, text
from ui import state

QUERY_KEY = "lang"  # the link's parameter: lang=ko or lang=en


def language() -> str:
    """The session's language: "ko" or "en"."""
    chosen = st.session_state.get(state.LANGUAGE)
    return chosen if chosen in LANGUAGES else language_of(st.context.locale)


def t(key: str, /, **params: Any) -> str:
    """The catalog's sentence for `key` in the session's language."""
    return text(key, language(), **params)


def say(problem: object) -> str:
    """An engine error, warning or sentence in the session's language; other text as it is."""
    if isinstance(problem, LinRegError | DataWarning | Said):
        return problem.in_language(language())
    return str(problem)


def restore() -> None:
    """On a session's first run, a link's lang=ko|en chooses the language (ui.links.restore
    reads the rest of the link once this has run)."""
    ss = st.session_state
    if ss[state.LINK_READ] or ss[state.LANGUAGE] is not None:
        return
    wanted = st.query_params.get(QUERY_KEY)
    if wanted in LANGUAGES:
        ss[state.LANGUAGE] = wanted


def _chosen() -> None:
    picked = st.session_state[state.W_LANGUAGE]
    if picked in LANGUAGES:  # None when the learner clicks the chosen one again: keep it
        st.session_state[state.LANGUAGE] = picked


def switch() -> None:
    """한국어 / English in the sidebar, on every page; the choice holds for the session."""
    ss = st.session_state
    ss[state.W_LANGUAGE] = language()  # the widget shows the language in force, whoever set it
    st.sidebar.segmented_control(
        t("nav.language"),
        LANGUAGES,
        format_func=LANGUAGE_NAMES.__getitem__,
        key=state.W_LANGUAGE,
        on_change=_chosen,
        help=t("nav.language_help"),
    )
