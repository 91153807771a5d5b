"""The sidebar: which table, target and features are loaded, and whether they are trained.
Long names are shortened, in full on hover."""

from __future__ import annotations

import streamlit as st

from ui import lesson, state
from ui.messages import escape_md, full_names, short

SHARE_NOTE = (  # [made with an upload?]
    "The address bar holds this experiment: copy it to share the table and every setting.",
    "The address bar holds these settings; whoever opens it uploads the table again.",
)


def status() -> None:
    """The sidebar's summary of the session."""
    ss = st.session_state
    st.subheader("Current data")
    df = ss[state.DATA]
    cfg = state.settings()
    if df is None:
        st.caption("No data loaded yet: pick a preset on Start or load a table on Data.")
        st.caption("아직 데이터가 없습니다.")
    else:
        name = ss[state.DATA_NAME]
        st.markdown(f"**{escape_md(short(name))}** · {len(df):,} rows", help=full_names(name))
        if cfg.target is None:
            st.markdown("Target: not chosen yet (Data page)")
        else:
            features = ", ".join(escape_md(short(f)) for f in cfg.features) or "none chosen"
            st.markdown(
                f"Target: **{escape_md(short(cfg.target))}**  \nFeatures: {features}",
                help=full_names(cfg.target, *cfg.features),
            )
        if ss[state.TEST_DATA] is not None:
            test_name = ss[state.TEST_DATA_NAME]
            st.markdown(f"Test table: {escape_md(short(test_name))}", help=full_names(test_name))
        if ss[state.PRESET]:
            st.caption(f"Preset: {ss[state.PRESET]}")
        if (source := ss[state.SOURCE]) is not None:
            st.caption(SHARE_NOTE[source.kind == "upload"])
    if ss[state.COMPARISON] is not None and (far := lesson.far_runs(ss[state.COMPARISON])):
        st.warning(far, icon=":material/warning:")  # never hidden behind "ready"
    elif ss[state.COMPARISON] is not None:
        st.success("Comparison ready", icon=":material/check_circle:")
    elif df is not None:
        st.caption("Not trained yet: go to Train & compare.")
