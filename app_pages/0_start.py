"""Start: what LinReg Lab does, its four steps, and presets that load an experiment in one click."""

import pandas as pd
import streamlit as st

from ui import navigation, state
from ui.presets import PRESETS, load_preset

st.title("LinReg Lab")
st.markdown(
    "LinReg Lab fits the straight line y = Wx + b to a table, one gradient step at a time, "
    "with PyTorch. It trains SGD, Momentum, RMSProp and Adam side by side from the same start, "
    "so you can watch how each one walks toward the best line and what z-scoring the inputs "
    "changes. Every result is checked against the exact least-squares answer, and the "
    "tutorials' printed logs are reproduced to the last digit."
)
st.caption("표를 불러와 정규화하고, 여러 옵티마이저로 선형 회귀를 학습·비교한 뒤 예측해 보세요.")

st.subheader("Four steps")
STEPS = [
    (navigation.DATA, "Upload, pick or type a table; choose y and x."),
    (navigation.NORMALISE, "Z-score with training stats."),
    (navigation.TRAIN, "Run the optimizers."),
    (navigation.PREDICT, "Use the model on new x."),
]
for col, (i, (page, text)) in zip(st.columns(4), enumerate(STEPS, 1), strict=True):
    with col:
        st.page_link(page.script, label=f"{i}. {page.title}", icon=page.icon)
        st.caption(text)

st.subheader("Start from a preset")
st.caption(
    "One click loads the table and its settings, opens Train & compare and trains. "
    "· 클릭 한 번으로 데이터와 설정을 불러와 바로 학습합니다."
)
groups = {
    "Reproduce a tutorial": [p for p in PRESETS if p.published],
    "Compare optimizers": [p for p in PRESETS if not p.published and not p.lesson],
    "See why z-score matters": [p for p in PRESETS if p.lesson],
}
for group, presets in groups.items():
    st.markdown(f"**{group}**")
    for col, preset in zip(st.columns(3), presets, strict=False):
        with col, st.container(border=True):
            st.markdown(f"**{preset.name}**")
            st.write(preset.description)
            st.caption(preset.hint_ko)
            if preset.published:
                st.caption("Published by the tutorial (your run appears next to it on Train):")
                printed = preset.published.table()
                st.dataframe(
                    pd.DataFrame({"": list(printed), "published": list(printed.values())}),
                    hide_index=True,
                )
            if st.button(
                "Load and train",
                key=state.W_PRESET_PREFIX + preset.key,
                type="primary",
                icon=":material/play_arrow:",
            ):
                state.use_preset(*load_preset(preset.name))
                st.switch_page(navigation.TRAIN.script)

st.page_link(navigation.DATA.script, label="Or start with your own table", icon=":material/upload:")
