"""A teacher's link: the address bar, taken after changing settings and training, opened in a new
browser on a server nobody has used yet, trains the same experiment and shows the same numbers.

Each test makes its link on the shared server, then opens it on a fresh server of its own
(fixture `fresh_server`, a Community Cloud app just woken up).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from .conftest import (
    TRAINED,
    AppServer,
    assert_no_exception,
    choose_target,
    go_to_page,
    main_heading,
    open_page,
    read_dataframe,
    save_screenshot,
    wait_for_app_idle,
)

NUMBERS = ["optimizer", "train MSE", "test MSE", "test R²"]  # the summary's columns compared


def summary(page) -> list[dict[str, str]]:
    """The Train page's summary table, as shown, in NUMBERS' columns."""
    for frame in page.get_by_test_id("stDataFrame").all():
        rows = read_dataframe(frame)
        if rows and "train MSE" in rows[0]:
            return [{k: row.get(k, "") for k in NUMBERS} for row in rows]
    raise AssertionError("no summary table on the page")


def train(page) -> None:
    """Press Train and wait for the charts."""
    page.get_by_test_id("stFormSubmitButton").get_by_role("button").click()
    page.get_by_text(TRAINED).first.wait_for()
    wait_for_app_idle(page)
    assert_no_exception(page)


def link(page) -> str:
    """The address bar's path and query, as a teacher would copy it."""
    parts = urlsplit(page.url)
    return f"{parts.path}?{parts.query}"


def open_link_on(page, server: AppServer, address: str) -> None:
    """Open a copied link in a new browser on a fresh server; wait for its training."""
    page.goto(address)  # the server's first page request
    main_heading(page, "Train & compare").wait_for()
    page.get_by_text(TRAINED).first.wait_for()
    wait_for_app_idle(page)
    assert_no_exception(page, server.log)


def test_a_preset_with_changed_settings_travels_in_the_link(
    page, fresh_server: AppServer, fresh_page
) -> None:
    open_page(page, "/", "LinReg Lab")
    page.locator(".st-key-w_start_preset_apt_area button").click()
    main_heading(page, "Train & compare").wait_for()
    page.get_by_text(TRAINED).first.wait_for()
    wait_for_app_idle(page)
    page.locator(".st-key-w_train_epochs input").fill("300")
    page.locator(".st-key-w_train_use_adam_0 label").click()  # Adam off
    page.locator(".st-key-w_train_lr_sgd_0 input").fill("0.05")
    train(page)
    made = summary(page)
    assert [row["optimizer"] for row in made] == ["sgd", "momentum", "rmsprop", "least squares"]
    address = link(page)
    query = parse_qs(urlsplit(address).query)
    assert query["preset"] == ["apt_area"] and query["epochs"] == ["300"]
    assert "sgd:lr=0.05" in query["optimizers"]

    open_link_on(fresh_page, fresh_server, address)
    assert summary(fresh_page) == made
    assert fresh_page.locator(".st-key-w_train_epochs input").input_value() == "300"
    save_screenshot(fresh_page, "link_preset_opened")


def test_a_typed_table_travels_in_the_link_by_its_cells(
    page, fresh_server: AppServer, fresh_page
) -> None:
    open_page(page, "/data", "Data")
    page.get_by_role("tab", name="Type a table").click()
    page.locator(".st-key-w_data_use_typed button").click()
    page.get_by_test_id("stSidebar").get_by_text("typed table").wait_for()
    wait_for_app_idle(page)
    choose_target(page, "y")  # a new table has no target until the learner picks one
    go_to_page(page, "Train & compare", "Train & compare")
    train(page)
    made = summary(page)
    address = link(page)
    assert parse_qs(urlsplit(address).query)["typed"] == ["x,y;1.0,30.0;2.0,60.0;3.0,90.0"]

    open_link_on(fresh_page, fresh_server, address)
    assert summary(fresh_page) == made
    assert "typed table" in fresh_page.get_by_test_id("stSidebar").inner_text()
    save_screenshot(fresh_page, "link_typed_opened")
