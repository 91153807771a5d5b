"""Long runs in the browser: the estimate is said before, Stop ends a run and keeps what it did,
and closing the tab stops the computation on the server."""

from __future__ import annotations

import time

import psutil

from .conftest import (
    assert_no_exception,
    main_heading,
    open_page,
    save_screenshot,
    wait_for_app_idle,
)

# 4 optimizers x 1,000 epochs x 640 batches of one row: about half a minute by the estimate
LONG_EPOCHS, LONG_BATCH = "1000", "1"


def start_a_long_run(page) -> None:
    """The one-feature apartments preset, then Train again with batches of one row."""
    open_page(page, "/", "LinReg Lab")
    page.locator(".st-key-w_start_preset_apt_area button").click()
    main_heading(page, "Train & compare").wait_for()
    wait_for_app_idle(page)
    epochs = page.locator(".st-key-w_train_epochs input")
    epochs.fill(LONG_EPOCHS)
    epochs.press("Tab")
    batch = page.locator(".st-key-w_train_batch input")
    batch.fill(LONG_BATCH)
    batch.press("Tab")
    page.get_by_test_id("stFormSubmitButton").get_by_role("button").click()
    page.get_by_text("This run will take about").wait_for()
    page.locator(".st-key-w_train_stop button").wait_for()


def test_stop_ends_a_long_run_and_the_page_draws_what_it_did(page) -> None:
    start_a_long_run(page)
    page.get_by_test_id("stProgress").wait_for()
    time.sleep(1.0)  # let it train a little: this is the behaviour under test, not a wait
    page.locator(".st-key-w_train_stop button").click()

    page.get_by_text("Training was stopped after").wait_for(timeout=10_000)
    wait_for_app_idle(page)
    assert_no_exception(page)
    assert page.get_by_role("heading", name="Loss per epoch").is_visible()
    page.get_by_test_id("stVegaLiteChart").first.locator("canvas.marks, svg.marks").wait_for()
    assert page.locator(".st-key-w_train_stop").count() == 0  # gone once training ended
    save_screenshot(page, "long_run_stopped")


def test_closing_the_tab_stops_the_computation_on_the_server(browser, fresh_server) -> None:
    context = browser.new_context(
        base_url=fresh_server.url, viewport={"width": 1400, "height": 900}
    )
    context.set_default_timeout(60_000)
    page = context.new_page()
    start_a_long_run(page)
    server = psutil.Process(fresh_server.pid)
    before = server.cpu_times()
    time.sleep(1.0)  # measuring the run, not waiting for the page
    during = sum(server.cpu_times()[:2]) - sum(before[:2])
    context.close()  # the learner closes the tab mid-run

    time.sleep(1.0)  # the server notices the closed connection; the run checks every 0.1 s
    settled = server.cpu_times()
    time.sleep(2.0)
    after = sum(server.cpu_times()[:2]) - sum(settled[:2])
    assert during > 0.3, f"the run did not train ({during:.2f} s of CPU in 1 s)"
    assert after < 0.3, f"the server kept computing after the tab closed ({after:.2f} s in 2 s)"
