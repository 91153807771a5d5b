"""The app starts, renders its first page and shows no uncaught exception."""

from __future__ import annotations

from .conftest import assert_no_exception, save_screenshot, wait_for_app_idle


def test_app_serves_a_page_without_exceptions(page, app_url: str) -> None:
    page.goto(app_url)
    wait_for_app_idle(page)
    assert_no_exception(page)
    page.get_by_text("LinReg Lab").first.wait_for(state="visible")
    save_screenshot(page, "smoke_first_page")
