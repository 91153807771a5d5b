"""Public tables in real Chromium: Auto MPG with the target chosen by the learner (none guessed),
and Anscombe's quartet filtered to one series with its points coloured by series."""

from __future__ import annotations

import io
import math
import time
from pathlib import Path

import numpy as np
from PIL import Image

from tests.tables import ANSCOMBE, ANSCOMBE_Y, AUTO_MPG_MISSING_HORSEPOWER, auto_mpg
from ui.charts import GROUP_COLORS

from .conftest import (
    assert_no_exception,
    choose_target,
    open_page,
    pick_option,
    save_screenshot,
    sidebar_text,
    upload_file,
    wait_for_app_idle,
)

TRAIN_OPACITY = 0.45  # ui.charts.fit_chart: training points over a white background


def group_colours_drawn(page) -> set[int]:
    """Which of GROUP_COLORS the data chart's points show (as training points, 45% opaque on
    white), read from the chart's pixels."""
    chart = page.get_by_test_id("stVegaLiteChart").first
    pixels = np.asarray(Image.open(io.BytesIO(chart.screenshot())).convert("RGB"), dtype=float)
    found = set()
    for i, colour in enumerate(GROUP_COLORS[:4]):
        rgb = np.array([int(colour[k : k + 2], 16) for k in (1, 3, 5)], dtype=float)
        blended = TRAIN_OPACITY * rgb + (1 - TRAIN_OPACITY) * 255.0
        close = np.abs(pixels - blended).max(axis=2) <= 6
        if close.sum() >= 20:  # a point's disc, not a stray anti-aliased pixel
            found.add(i)
    return found


def colours_become(page, expected: set[int], timeout_s: float = 20.0) -> set[int]:
    """The group colours drawn, read again until they are `expected` (the rerun that redraws
    the chart may start after the click returns) or timeout_s has passed."""
    deadline = time.monotonic() + timeout_s
    while (found := group_colours_drawn(page)) != expected and time.monotonic() < deadline:
        wait_for_app_idle(page)
        page.wait_for_timeout(200)  # between two reads of the chart's pixels
    return found


def test_auto_mpg_starts_with_no_target_and_trains_on_the_one_chosen(page, tmp_path: Path) -> None:
    table = auto_mpg()
    table.to_csv(tmp_path / "auto-mpg.csv", index=False)
    open_page(page, "/data", "Data")
    upload_file(page, "w_data_upload", tmp_path / "auto-mpg.csv")
    page.get_by_text(f"auto-mpg.csv: {len(table)} rows × 9 columns").wait_for()
    wait_for_app_idle(page)
    assert_no_exception(page)
    assert "Target: not chosen yet" in sidebar_text(page)
    page.get_by_text("Suggested by its name: 'mpg'").wait_for()

    pick_option(page, "w_data_units", "horsepower (no unit)")  # '?' cells: missing
    page.get_by_text(f"{AUTO_MPG_MISSING_HORSEPOWER} cell(s) without a number").wait_for()
    wait_for_app_idle(page)
    choose_target(page, "mpg")

    assert_no_exception(page)
    usable = len(table) - AUTO_MPG_MISSING_HORSEPOWER
    held = math.ceil(0.2 * usable)
    page.get_by_text(
        f"{usable - held} training rows, {held} test rows, "
        f"{AUTO_MPG_MISSING_HORSEPOWER} dropped for missing values"
    ).wait_for()
    sidebar = sidebar_text(page)
    assert "Target: mpg" in sidebar
    for feature in ("cylinders", "displacement", "horsepower", "weight", "model year"):
        assert feature in sidebar
    save_screenshot(page, "tables_auto_mpg")


def test_anscombe_filtered_to_one_series_shows_its_points_coloured_by_series(
    page, tmp_path: Path
) -> None:
    ANSCOMBE.to_csv(tmp_path / "anscombe.csv", index=False)
    open_page(page, "/data", "Data")
    upload_file(page, "w_data_upload", tmp_path / "anscombe.csv")
    page.get_by_text("anscombe.csv: 44 rows × 3 columns").wait_for()
    wait_for_app_idle(page)
    choose_target(page, "Y")
    pick_option(page, "w_data_color_by", "Series")
    page.get_by_text("Colour the points by").wait_for()
    assert colours_become(page, set(range(len(ANSCOMBE_Y)))) == {0, 1, 2, 3}  # all four series

    pick_option(page, "w_data_filter_column", "Series")
    pick_option(page, "w_data_filter_values", "I")
    page.locator(".st-key-w_data_filter_add button").click()
    page.get_by_text("11 of 44 kept.").wait_for()  # "Rows where Series == I: ..."
    wait_for_app_idle(page)

    assert_no_exception(page)
    page.get_by_text("8 training rows, 3 test rows").wait_for()
    assert colours_become(page, {0}) == {0}  # series I alone, in the first group colour
    save_screenshot(page, "tables_anscombe_series_I")
