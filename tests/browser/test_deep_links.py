"""A link to a page, shared with someone, opens that page inside the app on a server nobody has
used yet: a Community Cloud app that was asleep wakes up to serve exactly that link.

Each test starts its own server (fixture `fresh_server`) and opens the link as the server's
first page request. On a server where any session has already run the app, Streamlit has left
its old `pages/` multipage mode for good, so a shared server would hide the failure these tests
are for: with anything named `pages` beside streamlit_app.py, the first run on a fresh server
is in that mode. A `pages/` folder holding the page scripts then runs the linked script alone,
without the app's navigation and sidebar; an empty one shows the page under a "Page not found"
dialog.

A fresh server costs a Streamlit start and a first run that imports torch (5-10 s each).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from .conftest import (
    AppServer,
    assert_no_exception,
    main_heading,
    open_page,
    save_screenshot,
    sidebar_text,
)

NAVIGATION = ["Start", "Data", "Normalise", "Train & compare", "Predict"]
NO_DATA = "No data loaded yet"  # the entry point's sidebar summary before any table is loaded


@dataclass(frozen=True)
class Link:
    """A page's shared link and what the page shows on a new session, with no data loaded."""

    path: str  # the URL path a visitor is given
    title: str  # the page's st.title
    empty_state: str | None  # its message when there is nothing to work on yet (Start has none)
    # An element of the page in that state, as (ARIA role, accessible name). A page link counts
    # only inside the app: a page script run alone writes its label as text instead.
    element: tuple[str, str]


LINKS = [
    Link("/", "LinReg Lab", None, ("heading", "Four steps")),
    Link("/data", "Data", "Load a table above to go on.", ("tab", "Upload a file")),
    Link(
        "/normalise", "Normalise", "Load data and choose the columns first.", ("link", "Go to Data")
    ),
    Link(
        "/train",
        "Train & compare",
        "Load data and choose the column to predict first.",
        ("link", "Go to Data"),
    ),
    Link("/predict", "Predict", "Train the models first.", ("link", "Go to Train & compare")),
]


def _id(link: Link) -> str:
    return link.path.strip("/") or "start"


@pytest.mark.parametrize("link", LINKS, ids=_id)
def test_a_shared_link_opened_first_on_a_fresh_server_shows_the_page_inside_the_app(
    fresh_server: AppServer, fresh_page, link: Link
) -> None:
    page = fresh_page
    open_page(page, link.path, link.title)  # the server's first page request
    assert_no_exception(page, fresh_server.log)

    # The link's own page at the link's address, with nothing over it ("Page not found").
    assert page.url == fresh_server.url + link.path, page.url
    dialogs = page.get_by_test_id("stDialog")
    assert dialogs.count() == 0, f"a dialog over the page: {dialogs.all_inner_texts()}"
    assert page.get_by_text("Page not found").count() == 0

    # Inside the app: the entry point ran first (st.navigation's pages and its sidebar summary),
    # not the page's script alone.
    navigation = page.get_by_test_id("stSidebarNav")
    for name in NAVIGATION:
        assert navigation.get_by_role("link", name=name, exact=True).is_visible(), name
    assert NO_DATA in sidebar_text(page)

    main = page.get_by_test_id("stMain")
    assert main_heading(page, link.title).count() == 1
    if link.empty_state is not None:
        assert link.empty_state in main.get_by_test_id("stAlert").first.inner_text()
    role, name = link.element
    main.get_by_role(role, name=name).first.wait_for(state="visible")
    save_screenshot(page, f"deep_link_fresh_server_{_id(link)}")
