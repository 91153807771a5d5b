"""Start: what LinReg Lab does, its four steps, and presets that load an experiment in one click."""

import pandas as pd
import streamlit as st

from ui import i18n, navigation, state
from ui.i18n import t
from ui.presets import PRESETS, load_preset

st.title("LinReg Lab")
st.markdown(t("start.intro"))
st.caption(t("start.tagline"))

st.subheader(t("start.steps_title"))
STEPS = [navigation.DATA, navigation.NORMALISE, navigation.TRAIN, navigation.PREDICT]
for col, (i, page) in zip(st.columns(4), enumerate(STEPS, 1), strict=True):
    with col:
        st.page_link(
            page.script, label=t("start.step_link", number=i, page=page.title), icon=page.icon
        )
        st.caption(t(f"start.step.{page.name}"))

st.subheader(t("start.presets_title"))
st.caption(t("start.presets_caption"))
groups = {
    "tutorial": [p for p in PRESETS if p.published],
    "compare": [p for p in PRESETS if not p.published and not p.lesson],
    "lesson": [p for p in PRESETS if p.lesson],
}
for group, presets in groups.items():
    st.markdown(f"**{t(f'start.group.{group}')}**")
    for col, preset in zip(st.columns(3), presets, strict=False):
        with col, st.container(border=True):
            st.markdown(f"**{preset.title(i18n.language())}**")
            st.write(preset.description(i18n.language()))
            if preset.published:
                st.caption(t("start.published_caption"))
                printed = preset.published.table(i18n.language())
                st.dataframe(
                    pd.DataFrame(
                        {"": list(printed), t("start.published_column"): list(printed.values())}
                    ),
                    hide_index=True,
                )
            if st.button(
                t("start.load_button"),
                key=state.W_PRESET_PREFIX + preset.key,
                type="primary",
                icon=":material/play_arrow:",
            ):
                state.use_preset(*load_preset(preset.name))
                purpose = "tutorial" if preset.published else "compare"
                st.session_state[state.NOTICE] = t(  # the notice in the session's language
                    "start.preset_loaded",
                    name=preset.title(i18n.language()),
                    csv=preset.csv,
                    target=preset.target,
                    purpose=t(f"start.purpose.{purpose}"),
                )
                st.switch_page(navigation.TRAIN.script)

st.page_link(navigation.DATA.script, label=t("start.own_table"), icon=":material/upload:")
