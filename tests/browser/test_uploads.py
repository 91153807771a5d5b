"""Uploads that cannot be used are refused with a message, and the table loaded before stays."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

from .conftest import (
    AppServer,
    assert_no_exception,
    choose_target,
    open_page,
    save_screenshot,
    sidebar_text,
    upload_file,
    wait_for_app_idle,
)

MAX_UPLOAD_MB = 50  # .streamlit/config.toml: server.maxUploadSize


def load_good_table(page, tmp_path: Path) -> None:
    """Open Data on a new session and upload a 30-row table called good.csv."""
    rows = "\n".join(f"{x},{2 * x + 1}" for x in range(30))
    (tmp_path / "good.csv").write_text(f"x,y\n{rows}\n", encoding="utf-8")
    open_page(page, "/data", "Data")
    upload_file(page, "w_data_upload", tmp_path / "good.csv")
    page.get_by_text("good.csv: 30 rows × 2 columns").wait_for()
    wait_for_app_idle(page)
    choose_target(page, "y")
    assert_no_exception(page)


def assert_good_table_still_loaded(page) -> None:
    assert "good.csv · 30 rows" in sidebar_text(page)
    page.get_by_text("good.csv: 30 rows × 2 columns").wait_for()
    page.get_by_text("24 training rows, 6 test rows").wait_for()


def test_a_bad_upload_shows_an_error_and_keeps_the_previous_table(page, tmp_path: Path) -> None:
    load_good_table(page, tmp_path)
    (tmp_path / "picture.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(1024))

    upload_file(page, "w_data_upload", tmp_path / "picture.csv")
    error = page.get_by_test_id("stMain").get_by_test_id("stAlertContentError")
    error.wait_for()
    wait_for_app_idle(page)
    assert_no_exception(page)
    assert error.count() == 1
    message = error.inner_text()
    assert "PNG image, not a table" in message, message
    assert "Upload CSV" in message, "the message says what to upload instead"
    assert_good_table_still_loaded(page)
    save_screenshot(page, "upload_bad_file")


def test_upload_over_the_size_limit_is_refused_with_a_message(page, tmp_path: Path) -> None:
    load_good_table(page, tmp_path)
    big = tmp_path / "big.csv"
    row = b"1.0,3.0\n"
    with big.open("wb") as file:  # a real table, 1 MiB over the limit
        file.write(b"x,y\n")
        for _ in range(MAX_UPLOAD_MB + 1):
            file.write(row * (1024 * 1024 // len(row)))
    assert big.stat().st_size > MAX_UPLOAD_MB * 1024 * 1024

    upload_file(page, "w_data_upload", big)
    uploader = page.locator(".st-key-w_data_upload")
    refusal = f"File must be {MAX_UPLOAD_MB:.1f}MB or smaller."
    # Streamlit marks the file's chip as invalid; its message is read out (role=alert) and shown
    # when the pointer is on the chip, not printed beside it.
    chip = uploader.get_by_test_id("stFileChip").filter(has_text="big.csv")
    chip.wait_for()
    wait_for_app_idle(page)
    assert_no_exception(page)
    assert chip.get_attribute("aria-invalid") == "true"
    assert refusal in uploader.get_by_role("alert").inner_text()
    chip.hover()
    tooltip = page.get_by_test_id("stTooltipErrorContent")
    tooltip.wait_for()
    assert refusal in tooltip.inner_text()
    save_screenshot(page, "upload_too_big", full_page=False)

    assert page.get_by_test_id("stMain").get_by_test_id("stAlertContentError").count() == 0
    assert_good_table_still_loaded(page)


def uploaded_bytes(url: str) -> int:
    """What the server holds of uploaded files, by its own count (/_stcore/metrics)."""
    with urllib.request.urlopen(f"{url}/_stcore/metrics?families=cache_memory_bytes") as r:
        text = r.read().decode()
    held = re.findall(r"^cache_memory_bytes\{[^}]*UploadedFileManager[^}]*\} (\d+)", text, re.M)
    return sum(map(int, held))


def test_an_uploaded_table_is_kept_once_and_the_file_itself_let_go(
    fresh_page, fresh_server: AppServer, tmp_path: Path
) -> None:
    page = fresh_page
    rows = "\n".join(f"{x},{2 * x + 1}" for x in range(20_000))
    (tmp_path / "long.csv").write_text(f"x,y\n{rows}\n", encoding="utf-8")  # 250 kB
    open_page(page, "/data", "Data")

    upload_file(page, "w_data_upload", tmp_path / "long.csv")
    page.get_by_text("long.csv: 20,000 rows × 2 columns").wait_for()
    wait_for_app_idle(page)

    assert_no_exception(page, fresh_server.log)
    assert uploaded_bytes(fresh_server.url) == 0, "the file is dropped once its table is read"
    choose_target(page, "y")
    page.get_by_role("slider", name="Fraction held out").press("ArrowRight")  # a rerun: 25%
    page.get_by_text("15,000 training rows, 5,000 test rows").wait_for()
    wait_for_app_idle(page)
    assert_no_exception(page, fresh_server.log)
    assert page.get_by_test_id("stMain").get_by_test_id("stAlertContentError").count() == 0
    assert "long.csv · 20,000 rows" in sidebar_text(page)
