"""The sidebar: which table, target and features are loaded, and whether they are trained."""

from __future__ import annotations

import streamlit as st

from ui import state
from ui.messages import escape_md


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
        st.markdown(f"**{escape_md(ss[state.DATA_NAME])}** · {len(df):,} rows")
        if cfg.target is not None:
            features = ", ".join(escape_md(f) for f in cfg.features) or "none chosen"
            st.markdown(f"Target: **{escape_md(cfg.target)}**  \nFeatures: {features}")
        if ss[state.TEST_DATA] is not None:
            st.markdown(f"Test table: {escape_md(ss[state.TEST_DATA_NAME])}")
        if ss[state.PRESET]:
            st.caption(f"Preset: {ss[state.PRESET]}")
    if ss[state.COMPARISON] is not None:
        st.success("Comparison ready", icon=":material/check_circle:")
    elif df is not None:
        st.caption("Not trained yet: go to Train & compare.")
