"""ui.messages and ui.tables.shown in the session's language: a Korean browser reads Korean,
an English one the sentences as before; the tables' own column names stay English."""

from __future__ import annotations

import pytest
from apptest_harness import SAMPLE_DATA, TIMEOUT
from streamlit.testing.v1 import AppTest


def script() -> None:
    """Each shared message once, as st.text, and the summary table as shown and as downloaded."""
    import numpy as np
    import pandas as pd
    import streamlit as st

    from linreg_core import OptimizerConfig, RunConfig, Scaler, read_table, run
    from ui import messages, tables

    df = read_table(st.session_state["csv"])
    cfg = RunConfig(
        target="price_eok",
        features=("area_m2",),
        test_size=0.2,
        epochs=30,
        batch_size=1_000,
        optimizers=(OptimizerConfig(name="sgd", lr=0.1), OptimizerConfig(name="adam", lr=0.1)),
    )
    comp = run(df, cfg)
    bad = pd.DataFrame({"a": [1.0, 2.0], "t": ["x", "y"], "e": [None, None]})
    y = np.array([[90.0], [95.0], [100.0], [105.0]])
    for said in (
        messages.too_few_numeric(bad),
        messages.unusable_caption(bad, ["a"]),
        messages.too_many_features(40),
        messages.kept("old.csv"),
        messages.target_scale_hint(Scaler.fit(y), False),
        messages.batch_note(comp),
        messages.loss_caption(comp),
        messages.summary_caption(comp),
        messages.run_caption(comp),
        messages.estimate_note(600),
    ):
        st.text(said)
    messages.show_split(comp.dataset)
    summary = tables.summary_table(comp)
    st.dataframe(tables.shown(summary, comp))  # first: as shown
    st.dataframe(summary)  # second: as downloaded


def rendered(locale: str) -> AppTest:
    at = AppTest.from_function(script, default_timeout=TIMEOUT)
    at.context["locale"] = locale
    at.session_state["csv"] = str(SAMPLE_DATA / "apartments.csv")
    return at.run(timeout=TIMEOUT)


@pytest.fixture(scope="module")
def korean() -> AppTest:
    return rendered("ko-KR")


@pytest.fixture(scope="module")
def english() -> AppTest:
    return rendered("en-US")


def lines(at: AppTest) -> str:
    return "\n".join(str(t.value) for t in at.text)


def test_a_korean_browser_reads_the_shared_messages_in_korean(korean: AppTest) -> None:
    assert not korean.exception
    said = lines(korean)
    assert "이 표에는 숫자 열이 두 개 필요합니다" in said and "Excel이나 LibreOffice" in said
    assert "쓸 수 없는 열: 't'에는 숫자가 없습니다; 'e'에는 값이 하나도 없습니다." in said
    assert "숫자 열이 40개 있습니다" in said
    assert "전에 불러온 'old.csv'은(는) 그대로 남아 있습니다." in said
    assert "표준편차의 17배만큼" in said and "'타깃도 정규화하기'를 켜세요" in said
    assert "전체 배치 학습이 되고, 배치 크기 0과 같습니다." in said
    assert "실선은 훈련 데이터, 파선은 테스트 데이터입니다." in said
    assert "특성 가중치와 절편은 각 모델을 데이터의 원래 단위로 나타낸 값입니다" in said
    assert "옵티마이저 2개, 에포크 30번" in said
    assert "10분 정도 걸립니다" in said  # the duration is the core's (linreg_core.budget)
    assert korean.success[0].value.startswith("훈련 데이터 640행, 테스트 데이터 160행, ")


def test_an_english_browser_reads_them_as_before_without_korean(english: AppTest) -> None:
    said = lines(english)
    assert "This table needs two numeric columns" in said
    assert "'old.csv' stays loaded." in said
    assert "turn on 'Scale the target too' to compare the optimizers fairly." in said
    assert "the same as batch size 0." in said
    assert "the data's own units. Distance to optimum" in said
    assert "2 optimizer(s), 30 epochs" in said
    assert not any("\uac00" <= c <= "\ud7a3" for c in said + english.success[0].value)


def test_a_shown_table_has_korean_headers_and_the_data_keeps_english(korean: AppTest) -> None:
    shown, data = korean.dataframe[0].value, korean.dataframe[1].value
    assert list(shown.columns[:2]) == ["옵티마이저", "훈련 MSE"]
    assert "area_m2 가중치" in shown.columns and "절편" in shown.columns
    assert list(shown["옵티마이저"])[-1] == "최소제곱해"
    assert list(data.columns[:2]) == ["optimizer", "train MSE"]  # the CSV's headers
    assert "area_m2 weight" in data.columns and list(data["optimizer"])[-1] == "least squares"


def test_an_english_shown_table_is_the_table(english: AppTest) -> None:
    shown, data = english.dataframe[0].value, english.dataframe[1].value
    assert list(shown.columns) == list(data.columns)
