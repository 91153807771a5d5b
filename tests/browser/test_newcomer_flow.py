"""A newcomer's whole visit: Start, upload a table, choose the columns, normalise, train, predict,
and download the predictions, with a screenshot of every page."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .conftest import (
    assert_no_exception,
    choose_target,
    main_heading,
    open_page,
    read_dataframe,
    save_screenshot,
    sidebar_text,
    upload_file,
    wait_for_app_idle,
)

SLOPE, INTERCEPT = 12.0, 30.0  # the table's line: pay = 12 * hours + 30, plus noise
N_ROWS, HELD_OUT = 200, 40  # the Data page holds out 20 % by default
TOLERANCE = 1.0  # pay units (the values run from 30 to 150); noise sd is 0.5
# RMSProp at lr 0.1 keeps stepping about lr (in z-units) around the optimum instead of settling
LOOSE = {"rmsprop": 0.1 * 120}  # pay units: a tenth of the values' range


def write_wages(path: Path) -> pd.DataFrame:
    """200 rows with the target first: a guess of the last column would be wrong."""
    rng = np.random.default_rng(7)
    hours = rng.uniform(0.0, 10.0, N_ROWS).round(3)
    pay = (SLOPE * hours + INTERCEPT + rng.normal(0.0, 0.5, N_ROWS)).round(3)
    table = pd.DataFrame({"pay": pay, "hours": hours})
    table.to_csv(path, index=False)
    return table


def click_link(page, label: str) -> None:
    page.get_by_test_id("stMain").get_by_role("link", name=label).click()


def test_newcomer_can_upload_a_table_train_and_download_predictions(page, tmp_path: Path) -> None:
    table = write_wages(tmp_path / "wages.csv")

    # 1. Start, from a fresh page
    open_page(page, "/", "LinReg Lab")
    assert_no_exception(page)
    save_screenshot(page, "newcomer_1_start")

    # 2. Data: upload the file and choose what to predict
    click_link(page, "Or start with your own table")
    main_heading(page, "Data").wait_for()
    wait_for_app_idle(page)
    upload_file(page, "w_data_upload", tmp_path / "wages.csv")
    page.get_by_text("wages.csv: 200 rows × 2 columns").wait_for()
    wait_for_app_idle(page)
    assert_no_exception(page)
    assert "Target: not chosen yet" in sidebar_text(page), "no target is guessed"

    choose_target(page, "pay")
    assert_no_exception(page)
    assert "Features: hours" in sidebar_text(page)
    page.get_by_text(f"{N_ROWS - HELD_OUT} training rows, {HELD_OUT} test rows").wait_for()
    save_screenshot(page, "newcomer_2_data")

    # 3. Normalise: the training statistics, the before/after chart, and the target scaled too
    #    (pay's mean is ~90: unscaled, Adam and RMSProp at lr 0.1 need more than 1000 epochs)
    click_link(page, "Next: Normalise")
    main_heading(page, "Normalise").wait_for()
    wait_for_app_idle(page)
    assert_no_exception(page)
    stats = read_dataframe(page.get_by_test_id("stDataFrame").first)
    assert [row["column"] for row in stats] == ["hours", "pay"]
    page.get_by_test_id("stVegaLiteChart").first.wait_for()
    scale_target = page.locator(".st-key-w_norm_target")
    scale_target.get_by_text("Scale the target too").click()
    page.locator(".st-key-w_norm_target input:checked").wait_for(state="attached")
    wait_for_app_idle(page)
    assert_no_exception(page)
    save_screenshot(page, "newcomer_3_normalise")

    # 4. Train & compare: four optimizers and their charts
    click_link(page, "Next: Train & compare")
    main_heading(page, "Train & compare").wait_for()
    wait_for_app_idle(page)
    assert_no_exception(page)
    page.get_by_test_id("stFormSubmitButton").get_by_role("button").click()
    page.get_by_text(re.compile(r"4 optimizer\(s\), 1,000 epochs")).wait_for()
    wait_for_app_idle(page)
    assert_no_exception(page)
    charts = page.get_by_test_id("stVegaLiteChart")
    assert charts.count() >= 4, "loss, landscape, parameters and fit charts"
    for i in range(charts.count()):
        charts.nth(i).locator("canvas.marks, svg.marks").first.wait_for()
    summary = read_dataframe(page.get_by_test_id("stDataFrame").filter(has_text="train MSE").first)
    least_squares = next(row for row in summary if row["optimizer"] == "least squares")
    assert abs(float(least_squares["hours weight"]) - SLOPE) < 0.05
    save_screenshot(page, "newcomer_4_train")

    # 5. Predict: download the held-out rows with every model's prediction
    click_link(page, "Next: Predict")
    main_heading(page, "Predict").wait_for()
    wait_for_app_idle(page)
    assert_no_exception(page)
    page.get_by_test_id("stVegaLiteChart").first.wait_for()
    save_screenshot(page, "newcomer_5_predict")
    wait_for_app_idle(page)  # the full-page screenshot resizes the page, which may rerun it
    # the CSV is written on the click, one round trip to the server: give a loaded server time
    with page.expect_download(timeout=90_000) as download_info:
        page.get_by_role("button", name="Predictions (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "predictions.csv"
    saved = tmp_path / "predictions.csv"
    download.save_as(saved)
    assert_no_exception(page)

    predictions = pd.read_csv(saved, encoding="utf-8-sig")
    assert len(predictions) == HELD_OUT, "one row per held-out row"
    original = set(zip(table["hours"], table["pay"], strict=True))
    assert all(
        (h, p) in original for h, p in zip(predictions["hours"], predictions["pay"], strict=True)
    ), "the held-out rows are rows of the uploaded table"
    predicted = [c for c in predictions.columns if c.startswith("predicted pay (")]
    assert len(predicted) == 5, f"four optimizers and least squares, got {predicted}"
    line = SLOPE * predictions["hours"] + INTERCEPT
    for column in predicted:
        model = column.removeprefix("predicted pay (").removesuffix(")")
        error = (predictions[column] - line).abs().max()
        bound = LOOSE.get(model, TOLERANCE)
        assert error < bound, f"{model} is {error:.3f} off the line pay = 12 hours + 30"
