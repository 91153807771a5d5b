"""Every page in a Korean and in an English browser (AppTest's context locale): the Korean
pages leave no English sentence (apptest_harness.english_left), the English ones no Korean; the
catalogs themselves are checked in tests/test_i18n.py."""

from __future__ import annotations

import re

import pytest
from apptest_harness import (
    DATA_PAGE,
    NORM_PAGE,
    PREDICT_PAGE,
    START_PAGE,
    TIMEOUT,
    TRAIN_PAGE,
    english_left,
    start_app,
)
from streamlit.testing.v1 import AppTest

from ui import run
from ui import state as S

HANGUL = re.compile(r"[\uac00-\ud7a3]")
PAGES = {  # page -> its title in each language, written out here
    START_PAGE: ("LinReg Lab", "LinReg Lab"),
    DATA_PAGE: ("데이터", "Data"),
    NORM_PAGE: ("정규화", "Normalise"),
    TRAIN_PAGE: ("학습과 비교", "Train & compare"),
    PREDICT_PAGE: ("예측", "Predict"),
}
TEXT_KINDS = ("title", "subheader", "markdown", "caption", "info", "warning", "error", "success")


def trained(locale: str) -> AppTest:
    """A session in a browser of `locale` that loaded the apartments preset, which trained."""
    run.clear_cache()
    at = start_app(locale=locale)
    at.button(key=S.W_PRESET_PREFIX + "apt_area").click().run(timeout=TIMEOUT)
    assert at.session_state[S.COMPARISON] is not None, "the preset did not train"
    return at


def every_text(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in TEXT_KINDS for e in at.get(kind))


@pytest.fixture(scope="module")
def korean() -> AppTest:
    return trained("ko-KR")


@pytest.fixture(scope="module")
def english() -> AppTest:
    return trained("en-US")


@pytest.mark.parametrize("page", list(PAGES))
def test_every_korean_page_leaves_no_english_sentence(korean: AppTest, page: str) -> None:
    at = korean.switch_page(page).run(timeout=TIMEOUT)
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [PAGES[page][0]]
    assert HANGUL.search(every_text(at))
    assert english_left(at, sidebar=True) == []


@pytest.mark.parametrize("page", list(PAGES))
def test_every_english_page_has_no_korean(english: AppTest, page: str) -> None:
    at = english.switch_page(page).run(timeout=TIMEOUT)
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [PAGES[page][1]]
    korean_left = [line for line in every_text(at).splitlines() if HANGUL.search(line)]
    assert korean_left == []
    assert english_left(at, sidebar=True), "the English check finds English on an English page"


def test_a_session_without_a_browser_language_is_english() -> None:
    at = start_app()
    assert at.sidebar.segmented_control(key=S.W_LANGUAGE).value == "en"
    assert not HANGUL.search(every_text(at))


def test_the_korean_column_overview_says_what_each_column_is_in_korean(korean: AppTest) -> None:
    at = korean.switch_page(DATA_PAGE).run(timeout=TIMEOUT)
    overview = next(df.value for df in at.dataframe if "district" in set(df.value.iloc[:, 0]))
    rows = overview.set_index(overview.columns[0])
    assert list(rows.loc["area_m2"].iloc[:1]) == ["숫자"]  # its type
    assert rows.loc["district"].astype(str).str.contains("아니요: 숫자가 아니라 글자입니다").any()
    assert not any(
        re.search(r"\b(yes|no|number|text)\b", str(v)) for v in overview.to_numpy().ravel()
    )
