"""A link to a page shared with someone opens that page, inside the app, on a fresh session."""

from __future__ import annotations

import pytest

from .conftest import assert_no_exception, open_page, save_screenshot, sidebar_text

NAVIGATION = ["Start", "Data", "Normalise", "Train & compare", "Predict"]


@pytest.mark.parametrize(
    ("path", "title", "empty_state"),
    [
        ("/train", "Train & compare", "Load data and choose the column to predict first."),
        ("/normalise", "Normalise", "Load data and choose the columns first."),
        ("/predict", "Predict", "Train the models first."),
    ],
)
def test_a_shared_deep_link_opens_the_page_with_the_app_shell(
    page, path: str, title: str, empty_state: str
) -> None:
    open_page(page, path, title)  # first thing in a new browser context
    assert_no_exception(page)

    navigation = page.get_by_test_id("stSidebarNav")
    for name in NAVIGATION:
        assert navigation.get_by_role("link", name=name, exact=True).is_visible(), name
    assert "No data loaded yet" in sidebar_text(page)

    message = page.get_by_test_id("stMain").get_by_test_id("stAlert")
    assert empty_state in message.inner_text()
    page.get_by_test_id("stMain").get_by_role("link", name="Go to").first.wait_for()
    assert page.get_by_test_id("stDialog").count() == 0, "no 'Page not found' dialog"
    save_screenshot(page, f"deep_link{path.replace('/', '_')}")
