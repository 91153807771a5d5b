"""Watch it learn in the browser: the epoch slider redraws the chart's marks in the browser alone,
with no script rerun (the app's script state never leaves notRunning while it moves)."""

from __future__ import annotations

from .conftest import assert_no_exception, save_screenshot, wait_for_app_idle
from .test_lesson import open_preset

WATCH_CHART = '[data-testid="stVegaLiteChart"]:has(input[type="range"])'
# records every value the app's script state takes from now on
WATCH_STATE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    window.__scriptStates = [];
    const note = () => window.__scriptStates.push(app.getAttribute('data-test-script-state'));
    new MutationObserver(note)
        .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def test_moving_the_epoch_slider_redraws_the_chart_without_a_rerun(page) -> None:
    open_preset(page, "apt_area")  # four optimizers, 1,000 epochs
    chart = page.locator(WATCH_CHART)
    chart.scroll_into_view_if_needed()
    slider = chart.locator('input[type="range"]')
    slider.wait_for()
    wait_for_app_idle(page)
    page.evaluate(WATCH_STATE_JS)
    last = int(slider.get_attribute("max"))
    assert last > 100 and slider.input_value() == str(last)  # it starts at the last epoch
    drawn_last = chart.screenshot()

    slider.focus()
    page.keyboard.press("Home")  # the start
    drawn_start = chart.screenshot()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    drawn_ten = chart.screenshot()

    assert slider.input_value() == "10"
    assert drawn_start != drawn_last and drawn_ten != drawn_start  # the marks moved
    page.wait_for_timeout(500)  # a rerun, had one been sent, would have started by now
    assert page.evaluate("window.__scriptStates") == []  # the script never ran again
    assert page.locator('[data-testid="stApp"]').get_attribute("data-test-script-state") in (
        "notRunning",
        None,
    )
    assert_no_exception(page)
    save_screenshot(page, "watch_slider", full_page=False)

    # the control: a widget that does rerun (the one-step panel's epoch) is seen by the observer
    box = page.locator(".st-key-w_train_step_epoch_0 input")
    box.fill("5")
    box.press("Enter")
    page.wait_for_function("window.__scriptStates.includes('running')")
    wait_for_app_idle(page)
    assert_no_exception(page)
