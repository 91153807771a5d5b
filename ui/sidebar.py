"""The sidebar: which table, target and features are loaded, and whether they are trained.
Long names are shortened, in full on hover."""

from __future__ import annotations

import streamlit as st

from ui import i18n, lesson, state
from ui.i18n import say, t
from ui.messages import escape_md, full_names, short
from ui.presets import get_preset


def status() -> None:
    """The sidebar's summary of the session."""
    ss = st.session_state
    st.subheader(t("sidebar.title"))
    df = ss[state.DATA]
    cfg = state.settings()
    if df is None:
        st.caption(t("sidebar.no_data"))
    else:
        name = ss[state.DATA_NAME]
        table = t("sidebar.table", name=escape_md(short(name)), rows=len(df))
        st.markdown(table, help=full_names(name))
        if cfg.target is None:
            st.markdown(t("sidebar.no_target"))
        else:
            features = ", ".join(escape_md(short(f)) for f in cfg.features)
            st.markdown(
                t(
                    "sidebar.columns",
                    target=escape_md(short(cfg.target)),
                    features=features or t("sidebar.no_features"),
                ),
                help=full_names(cfg.target, *cfg.features),
            )
        if ss[state.TEST_DATA] is not None:
            test_name = ss[state.TEST_DATA_NAME]
            st.markdown(
                t("sidebar.test_table", name=escape_md(short(test_name))),
                help=full_names(test_name),
            )
        if ss[state.PRESET]:
            st.caption(t("sidebar.preset", name=_preset_title(ss[state.PRESET])))
        if (source := ss[state.SOURCE]) is not None:
            st.caption(
                t("sidebar.share_upload" if source.kind == "upload" else "sidebar.share_link")
            )
    if ss[state.COMPARISON] is not None and (far := lesson.far_runs(ss[state.COMPARISON])):
        st.warning(say(far), icon=":material/warning:")  # never hidden behind "ready"
    elif ss[state.COMPARISON] is not None:
        st.success(t("sidebar.ready"), icon=":material/check_circle:")
    elif df is not None:
        st.caption(t("sidebar.not_trained"))


def _preset_title(name: str) -> str:
    """A preset's title in the session's language (the name itself if it is not a preset's)."""
    try:
        return get_preset(name).title(i18n.language())
    except KeyError:
        return name
