"""Every chart can be saved as a picture: Streamlit's chart toolbar offers "Download as PNG",
which asks the drawn Vega view for its image (the charts are sent through ui.charts.show)."""

from __future__ import annotations

from pathlib import Path

from .conftest import TRAINED, assert_no_exception, main_heading, open_page, wait_for_app_idle

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_the_loss_chart_downloads_as_a_png_picture(page) -> None:
    open_page(page, "/", "LinReg Lab")
    page.locator(".st-key-w_start_preset_apt_area button").click()
    main_heading(page, "Train & compare").wait_for()
    page.get_by_text(TRAINED).first.wait_for()
    wait_for_app_idle(page)
    chart = page.get_by_test_id("stVegaLiteChart").first
    chart.locator("canvas, svg").first.wait_for()
    chart.hover()  # the toolbar shows on hover
    button = page.get_by_role("button", name="Download as PNG").first
    with page.expect_download(timeout=60_000) as info:
        button.click()
    data = Path(info.value.path()).read_bytes()
    assert data[:8] == PNG_MAGIC
    assert len(data) > 10_000  # a drawn chart, not an empty image
    assert info.value.suggested_filename.endswith(".png")
    assert_no_exception(page)
