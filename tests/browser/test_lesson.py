"""Z-score's lesson in the browser: the seed-002 preset shows its raw and z-scored runs side by
side, and a learning rate typed out of range is refused with a message instead of the old
settings being trained again (a number box refused it in the browser and kept its last value)."""

from __future__ import annotations

from .conftest import (
    TRAINED,
    assert_no_exception,
    main_heading,
    open_page,
    save_screenshot,
    wait_for_app_idle,
)


def open_preset(page, key: str) -> None:
    """Press a preset's button on Start and wait for the Train page to have trained it."""
    open_page(page, "/", "LinReg Lab")
    page.locator(f".st-key-w_start_preset_{key} button").click()
    main_heading(page, "Train & compare").wait_for()
    page.get_by_text(TRAINED).first.wait_for()
    wait_for_app_idle(page)
    assert_no_exception(page)


def test_the_seed_002_preset_shows_raw_and_z_scored_runs_side_by_side(page) -> None:
    open_preset(page, "seed002")

    raw, z = page.locator(".st-key-lesson_side_raw"), page.locator(".st-key-lesson_side_z")
    raw.get_by_text("Raw features").wait_for()
    z.get_by_text("Z-scored features").wait_for()
    assert "diverged at epoch" in raw.inner_text()
    assert "reached the least-squares loss" in z.inner_text()
    assert raw.get_by_test_id("stVegaLiteChart").count() == 1  # each side's landscape
    assert z.get_by_test_id("stVegaLiteChart").count() == 1
    box_raw, box_z = raw.bounding_box(), z.bounding_box()
    assert box_raw["x"] + box_raw["width"] <= box_z["x"] + 1  # side by side, not stacked
    assert abs(box_raw["y"] - box_z["y"]) < 5
    save_screenshot(page, "lesson_seed002")


def test_a_learning_rate_below_the_range_is_named_and_nothing_retrains(page) -> None:
    open_preset(page, "apt_area")
    box = page.locator(".st-key-w_train_lr_sgd_0 input")

    box.fill("1e-13")
    page.get_by_test_id("stFormSubmitButton").get_by_role("button").first.click()
    error = page.get_by_test_id("stAlertContentError")
    error.wait_for()
    wait_for_app_idle(page)

    shown = error.inner_text().replace("\u2060", "")  # word joiners keep ':' from being icons
    assert "SGD: Invalid learning rate: '1e-13'" in shown
    assert page.get_by_text("from the cache").count() == 0  # the old settings did not train
    assert box.input_value() == "1e-13"  # kept for the learner to correct
    assert_no_exception(page)
