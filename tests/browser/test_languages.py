"""Korean and English in Chromium: the browser's language picks the app's, the sidebar's switch
changes the current session, and a shared link carries the language. Screenshots (Noto CJK)
are saved at 1400 and 800 px for a person to look at."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .conftest import (
    IDLE_TIMEOUT_MS,
    assert_no_exception,
    go_to_page,
    main_heading,
    open_page,
    save_screenshot,
    sidebar_text,
    upload_file,
    wait_for_app_idle,
)

HANGUL = re.compile(r"[\uac00-\ud7a3]")
KO_PAGES = ["시작", "데이터", "정규화", "학습과 비교", "예측"]
EN_PAGES = ["Start", "Data", "Normalise", "Train & compare", "Predict"]
TRAINED_KO = re.compile(r"옵티마이저 \d+개, 에포크 [\d,]+번")  # the run's caption in Korean
TRAINED_EN = re.compile(r"\d+ optimizer\(s\), [\d,]+ epochs")
# Words only an English sentence has (names such as SGD, Adam, CSV, column names are not here).
ENGLISH = re.compile(r"\b(the|and|of|to|is|are|with|for|your|this|that|from|when)\b")


@contextmanager
def page_in(browser, base_url: str, locale: str, width: int = 1400) -> Iterator[object]:
    """A page in a new browser context whose language (navigator.language) is `locale`."""
    context = browser.new_context(
        base_url=base_url, locale=locale, viewport={"width": width, "height": 900}
    )
    context.set_default_timeout(IDLE_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def main_text(page) -> str:
    return page.get_by_test_id("stMain").inner_text()


def english_lines(text: str) -> list[str]:
    """Lines that read as English sentences: two or more English function words."""
    return [line for line in text.splitlines() if len(ENGLISH.findall(line)) >= 2]


def train_preset(page, preset_key: str, trained: re.Pattern[str]) -> None:
    """Click a preset's button on Start and wait for the Train page's charts."""
    page.locator(f".st-key-w_start_preset_{preset_key} button").click()
    page.get_by_test_id("stMain").get_by_text(trained).first.wait_for()
    wait_for_app_idle(page)


def test_a_korean_browser_gets_start_data_and_train_in_korean(
    browser, app_url: str, tmp_path: Path
) -> None:
    with page_in(browser, app_url, "ko-KR") as page:
        open_page(page, "/", "LinReg Lab")
        nav = page.get_by_test_id("stSidebarNav").inner_text()
        assert all(name in nav for name in KO_PAGES), nav
        start = main_text(page)
        assert "프리셋으로 시작하기" in start and "네 단계" in start, start
        assert english_lines(start) == []
        assert "English" in sidebar_text(page) and "한국어" in sidebar_text(page)  # the switch
        save_screenshot(page, "ko_start_1400")
        page.set_viewport_size({"width": 800, "height": 900})
        save_screenshot(page, "ko_start_800")
        page.set_viewport_size({"width": 1400, "height": 900})

        go_to_page(page, "데이터", "데이터")
        (tmp_path / "empty.csv").write_bytes(b"")
        upload_file(page, "w_data_upload", tmp_path / "empty.csv")
        error = page.get_by_test_id("stMain").get_by_test_id("stAlertContentError")
        error.wait_for()
        wait_for_app_idle(page)
        message = error.inner_text()
        assert HANGUL.search(message) and "empty.csv" in message, message
        assert english_lines(message) == [], message
        save_screenshot(page, "ko_data_empty_upload")

        go_to_page(page, "시작", "LinReg Lab")
        train_preset(page, "apt_area", TRAINED_KO)
        assert_no_exception(page)
        main_heading(page, "학습과 비교").wait_for()
        train = main_text(page)
        for heading in ("에포크별 손실", "손실 지형"):
            assert heading in train, heading
        assert english_lines(train) == []
        save_screenshot(page, "ko_train_1400")
        page.set_viewport_size({"width": 800, "height": 900})
        save_screenshot(page, "ko_train_800")


def test_an_english_browser_gets_english(browser, app_url: str) -> None:
    with page_in(browser, app_url, "en-US") as page:
        open_page(page, "/", "LinReg Lab")
        nav = page.get_by_test_id("stSidebarNav").inner_text()
        assert all(name in nav for name in EN_PAGES), nav
        assert not HANGUL.search(main_text(page)), main_text(page)
        train_preset(page, "apt_area", TRAINED_EN)
        assert_no_exception(page)
        main_heading(page, "Train & compare").wait_for()
        assert not HANGUL.search(main_text(page))
        save_screenshot(page, "en_train_1400")


def test_the_switch_changes_the_session_and_the_link_carries_it(browser, app_url: str) -> None:
    with page_in(browser, app_url, "en-US") as page:
        open_page(page, "/", "LinReg Lab")
        train_preset(page, "apt_area", TRAINED_EN)
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.locator(".st-key-w_language").get_by_text("한국어", exact=True).click()
        main_heading(page, "학습과 비교").wait_for()  # the same page, now in Korean
        wait_for_app_idle(page)
        assert "에포크별 손실" in main_text(page)
        page.wait_for_function("() => location.search.includes('lang=ko')")
        link = page.url
        save_screenshot(page, "switch_to_korean")

        go_to_page(page, "데이터", "데이터")  # the choice holds on another page
        assert HANGUL.search(main_text(page))

    with page_in(browser, app_url, "en-US") as other:  # an English browser opens the link
        other.goto(link)
        main_heading(other, "학습과 비교").wait_for()
        other.get_by_test_id("stMain").get_by_text(TRAINED_KO).first.wait_for()
        wait_for_app_idle(other)
        assert_no_exception(other)
        assert "에포크별 손실" in main_text(other)
