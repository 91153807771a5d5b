"""Start's presets in the browser: a tutorial's printed numbers come back, and the one-feature
apartments preset draws four optimizers' paths on the loss landscape.

`UPDATE_SCREENSHOT=1 python -m pytest tests/browser -k landscape` also saves that page, 1400 px
wide, as the README's docs/screenshot.png.
"""

from __future__ import annotations

import os

from .conftest import (
    REPO_ROOT,
    TRAINED,
    assert_no_exception,
    go_to_page,
    main_heading,
    open_page,
    read_dataframe,
    save_screenshot,
    wait_for_app_idle,
)

README_SCREENSHOT = REPO_ROOT / "docs" / "screenshot.png"


def load_preset_and_train(page, key: str) -> None:
    """Press a preset's button on Start, then Train on the page it opens; wait for the charts."""
    open_page(page, "/", "LinReg Lab")
    page.locator(f".st-key-w_start_preset_{key} button").click()
    main_heading(page, "Train & compare").wait_for()
    wait_for_app_idle(page)
    assert_no_exception(page)
    page.get_by_test_id("stFormSubmitButton").get_by_role("button").click()
    page.get_by_text(TRAINED).first.wait_for()  # the last run's caption may linger a moment
    wait_for_app_idle(page)
    assert_no_exception(page)


def save_readme_screenshot(page) -> None:
    """The loss curves and the landscape with the sidebar beside them, 1400 x 1040."""
    # The sidebar is drawn before the page runs, so on the run that trained it still says "Not
    # trained yet"; opening the page again from the navigation draws it with the result.
    go_to_page(page, "Train & compare", "Train & compare")
    page.get_by_test_id("stSidebar").get_by_text("Comparison ready").wait_for()
    page.set_viewport_size({"width": 1400, "height": 1040})
    page.mouse.move(1390, 1030)  # away from the sidebar, whose collapse button shows on hover
    page.get_by_role("heading", name="Loss per epoch").evaluate(
        "(heading) => heading.scrollIntoView({block: 'start'})"
    )
    save_screenshot(page, "readme", path=README_SCREENSHOT, full_page=False)


def test_preset_reproduces_the_seed_numbers_in_the_browser(page) -> None:
    load_preset_and_train(page, "seed000")

    log = page.get_by_test_id("stCode").filter(has_text="Epoch").first.inner_text()
    assert log.strip().splitlines()[-1] == (
        "Epoch 1000/1000 W: 29.5617, b: 0.9963, Cost: 0.143077"
    ), "the epoch log ends with the tutorial's last line"

    published = read_dataframe(
        page.get_by_test_id("stDataFrame").filter(has_text="published").first
    )
    rows = {row["quantity"]: row for row in published}
    assert rows["W at epoch 1000"]["reproduced here"] == "29.5617"
    assert rows["b at epoch 1000"]["reproduced here"] == "0.9963"
    assert rows["cost at epoch 1000"]["reproduced here"] == "0.143077"
    for row in published:
        assert row["published"] == row["reproduced here"], row
    save_screenshot(page, "preset_seed000_train")


def test_apartments_preset_draws_four_paths_on_the_loss_landscape(browser, app_url) -> None:
    context = browser.new_context(base_url=app_url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(60_000)
    page = context.new_page()
    try:
        load_preset_and_train(page, "apt_area")
        page.get_by_role("heading", name="Loss landscape").wait_for()
        landscape = page.get_by_test_id("stVegaLiteChart").nth(1)
        landscape.locator("canvas.marks, svg.marks").first.wait_for()
        summary = read_dataframe(
            page.get_by_test_id("stDataFrame").filter(has_text="train MSE").first
        )
        optimizers = [row["optimizer"] for row in summary]
        assert optimizers == ["sgd", "momentum", "rmsprop", "adam", "least squares"]
        assert (
            "Apartments: area → price (landscape)" in page.get_by_test_id("stSidebar").inner_text()
        )
        save_screenshot(page, "preset_apartments_train")
        if os.environ.get("UPDATE_SCREENSHOT") == "1":
            save_readme_screenshot(page)
    finally:
        context.close()
