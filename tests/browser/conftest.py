"""Browser-test harness: the real app served by `streamlit run`, driven by headless Chromium.

One Streamlit server per test session (fixture `app_server`: its URL and process id; `app_url`:
the URL alone), one Chromium per session (`browser`) and a fresh context and page per test
(`page`). A test that needs a server nobody has used yet, as a woken-up Community Cloud app is,
asks for `fresh_server` (its own `streamlit run`, stopped after the test) and `fresh_page` (a page
on it). Every test in this folder is marked `browser` and gets a timeout. Tests wait for the app
to be idle with `wait_for_app_idle(page)`, never with sleeps, and check for uncaught exceptions
with `assert_no_exception(page)`:

    from .conftest import assert_no_exception, save_screenshot, wait_for_app_idle

Helpers for the app's own pages: `open_page` (a URL path, first thing in a session),
`go_to_page` (the sidebar's navigation, which keeps the session), `upload_file` (an
st.file_uploader by widget key) and `read_dataframe` (an st.dataframe's cells as text).

Chromium is Debian's (`/usr/bin/chromium`, installed by scripts/test.sh); without it the tests
skip with a reason. Screenshots and the servers' logs go to artifacts/ (gitignored): the shared
server's to streamlit-server.log, each fresh server's to fresh-servers/<test>.log.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
ARTIFACTS = REPO_ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
SERVER_LOG = ARTIFACTS / "streamlit-server.log"  # the session-wide server's
FRESH_SERVER_LOGS = ARTIFACTS / "fresh-servers"  # one log per test that starts its own server

SERVER_START_TIMEOUT = 60.0  # s; the first run imports torch, pandas and altair
TEST_TIMEOUT = 180  # s per test, session fixtures' start included (2 slow cores)
IDLE_TIMEOUT_MS = 30_000  # one script run, including a training the page starts
CHROMIUM_ARGS = [
    "--no-sandbox",  # running as root
    "--disable-gpu",
    # Without these Chromium keeps trying to reach Google's hosts on a closed network.
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

MAX_SCREENSHOT_HEIGHT = 12_000  # px; a full-page screenshot taller than this is cut

# Streamlit marks its root element with the script's run state and the connection state.
APP_IDLE_SELECTOR = (
    '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
    ':is([data-test-script-state="notRunning"], [data-test-script-state="compilationError"])'
)
RUNNING_ICON_SELECTOR = '[data-testid="stStatusWidget"] [data-testid="stStatusWidgetRunningIcon"]'
EXCEPTION_SELECTOR = '[data-testid="stException"]'
# An element whose code is still loading (st.dataframe, charts): drawn a moment after the run ends.
SKELETON_SELECTOR = '[data-testid="stSkeleton"]'

# An st.dataframe draws on a canvas; the grid keeps an accessible table of the cells it shows
# (columns scrolled out of view are left out) beside it. Rows as {header: text}.
DATAFRAME_JS = """(frame) => {
    const table = frame.querySelector('table[role="grid"]');
    if (!table) return [];
    const headers = {};
    for (const th of table.querySelectorAll('thead th')) {
        headers[th.getAttribute('aria-colindex')] = th.textContent;
    }
    return Array.from(table.querySelectorAll('tbody tr')).map((tr) => {
        const row = {};
        for (const td of tr.querySelectorAll('td')) {
            const name = headers[td.getAttribute('aria-colindex')];
            if (name !== undefined) row[name] = td.textContent;
        }
        return row;
    });
}"""

# How many body rows the grid says it has (its aria-rowcount counts the header row too).
ROW_COUNT_JS = """(frame) => {
    const table = frame.querySelector('table[role="grid"]');
    return table ? Number(table.getAttribute('aria-rowcount')) - 1 : 0;
}"""

# Height of the page's content: the main area scrolls inside a viewport-high app frame, so a
# plain full-page screenshot would stop at the viewport.
_CONTENT_HEIGHT_JS = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    return main ? Math.ceil(main.getBoundingClientRect().top + main.scrollHeight) : 0;
}"""
# Resolves after the browser has laid out and painted twice (canvases redraw on resize).
_NEXT_PAINT_JS = (
    "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
)


TRAINED = re.compile(r"\d+ optimizer\(s\), [\d,]+ epochs")  # the caption above the charts


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder `browser` and give it a timeout."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)
            if item.get_closest_marker("timeout") is None:
                item.add_marker(pytest.mark.timeout(TEST_TIMEOUT))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def health_ok(url: str, timeout: float = 2.0) -> bool:
    """True when the server at url answers /_stcore/health with ok within timeout seconds."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def _log_tail(log: Path = SERVER_LOG, lines: int = 40) -> str:
    if not log.exists():
        return "(no log)"
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


@dataclass(frozen=True)
class AppServer:
    """The app under test: its base URL and the process id of its `streamlit run`."""

    url: str  # http://127.0.0.1:<port>, no trailing slash
    pid: int  # the Python process that serves every session (memory is measured on it)
    log: Path = SERVER_LOG  # its stdout and stderr; the page redacts tracebacks, this has them


@contextmanager
def streamlit_server(log: Path) -> Iterator[AppServer]:
    """Run `streamlit run streamlit_app.py` on a free port while the block runs; log to log.

    The server is ready when /_stcore/health answers ok. That endpoint only asks the runtime
    whether it has started: it opens no session and runs no script (unlike
    /_stcore/script-health-check, which runs the app; never use it here). So the first page run
    on the server is the first browser's, as on a Community Cloud app that was just woken up.
    """
    if not (REPO_ROOT / "streamlit_app.py").exists():
        pytest.fail(f"no streamlit_app.py in {REPO_ROOT}: the browser tests need the app")
    log.parent.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "streamlit_app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("w", encoding="utf-8") as log_file:
        server = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not health_ok(url):
            if server.poll() is not None or time.monotonic() > deadline:
                state = (
                    f"exited with status {server.returncode}"
                    if server.poll() is not None
                    else f"did not answer {url}/_stcore/health within {SERVER_START_TIMEOUT:.0f} s"
                )
                pytest.fail(
                    f"the Streamlit server {state}. Its log ({log}):\n{_log_tail(log)}",
                    pytrace=False,
                )
            time.sleep(0.2)  # polling interval of the health check, not a wait for the page
        yield AppServer(url=url, pid=server.pid, log=log)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def app_server() -> Iterator[AppServer]:
    """The server every test shares (started once per session): its URL, pid and log."""
    with streamlit_server(SERVER_LOG) as server:
        yield server


@pytest.fixture
def fresh_server(request: pytest.FixtureRequest) -> Iterator[AppServer]:
    """A server of this test's own, started for it and stopped after it.

    The session's server has run the app for earlier tests, and Streamlit keeps some state per
    process, not per session (whether it is in its old `pages/` multipage mode, for one). Only
    the test's own requests reach this server, starting with whatever it opens first.
    """
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    with streamlit_server(FRESH_SERVER_LOGS / f"{name}.log") as server:
        yield server


@pytest.fixture(scope="session")
def app_url(app_server: AppServer) -> str:
    """The base URL of the app under test."""
    return app_server.url


def chromium_executable() -> str:
    """The path of Debian's chromium; skips the test when it is not on PATH."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip(
            "chromium is not on PATH: install Debian's chromium (scripts/test.sh does it as root)"
        )
    return executable


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium under Playwright; skips when chromium is not on PATH."""
    executable = chromium_executable()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@contextmanager
def _browser_page(browser, base_url: str) -> Iterator[object]:
    """A new browser context and page, 1280x900, with base_url as base; closed afterwards."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(IDLE_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser, app_url: str) -> Iterator[object]:
    """A fresh browser context and page per test on the shared server."""
    with _browser_page(browser, app_url) as page:
        yield page


@pytest.fixture
def fresh_page(browser, fresh_server: AppServer) -> Iterator[object]:
    """A fresh browser context and page on the test's own server, which nothing has opened yet."""
    with _browser_page(browser, fresh_server.url) as page:
        yield page


def wait_for_app_idle(page, timeout_ms: int = IDLE_TIMEOUT_MS) -> None:
    """Wait until the app is connected, its script has finished running and the view is drawn.

    After an interaction, also wait for the element the interaction should produce: the rerun may
    not have started yet when this is called. Right after a page load the app can look idle
    before its first run; wait for the page's title too (`open_page` does).
    """
    page.wait_for_selector(APP_IDLE_SELECTOR, state="attached", timeout=timeout_ms)
    page.wait_for_selector(RUNNING_ICON_SELECTOR, state="detached", timeout=timeout_ms)
    page.wait_for_selector(
        '[data-testid="stAppViewContainer"]', state="visible", timeout=timeout_ms
    )
    # Elements whose code loads on first use (tables, charts) show a placeholder meanwhile.
    page.wait_for_selector(SKELETON_SELECTOR, state="detached", timeout=timeout_ms)


def assert_no_exception(page, server_log: Path = SERVER_LOG) -> None:
    """Fail with the exception's text when the page shows an uncaught Streamlit exception.

    server_log: the log of the server the page is on (a fresh server's is not the shared one's).
    """
    exceptions = page.locator(EXCEPTION_SELECTOR)
    count = exceptions.count()
    if count:
        # The page redacts tracebacks (client.showErrorDetails); the server's log has them.
        pytest.fail(
            f"the page shows {count} exception(s): {exceptions.all_inner_texts()}\n"
            f"Last lines of the server's log ({server_log}):\n{_log_tail(server_log)}",
            pytrace=False,
        )


def save_screenshot(page, name: str, *, path: Path | None = None, full_page: bool = True) -> Path:
    """Save a screenshot to artifacts/screenshots/<name>.png (or path) and return its path.

    full_page: the whole content of the page. The app's main area scrolls inside a frame as high
    as the viewport, so the viewport is stretched to the content for the shot, then restored.
    """
    target = path or SCREENSHOTS / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    if full_page and viewport:
        height = viewport["height"]
        for _ in range(3):  # stretching can change the layout (and so the height) once more
            wanted = min(max(page.evaluate(_CONTENT_HEIGHT_JS), height), MAX_SCREENSHOT_HEIGHT)
            if wanted == height:
                break
            height = wanted
            page.set_viewport_size({"width": viewport["width"], "height": height})
            page.evaluate(_NEXT_PAINT_JS)
    try:
        page.evaluate(_NEXT_PAINT_JS)  # tables and charts draw on the next frames
        page.screenshot(path=str(target), full_page=full_page)
    finally:
        if viewport and page.viewport_size != viewport:
            page.set_viewport_size(viewport)
            page.evaluate(_NEXT_PAINT_JS)
    return target


def main_heading(page, title: str):
    """The page title (st.title) of the app page called title."""
    return page.get_by_test_id("stMain").get_by_role("heading", name=title, exact=True, level=1)


def open_page(page, path: str, title: str) -> None:
    """Load the app at a URL path (a new session) and wait until the page called title is idle.

    Right after loading, the app can look idle before its first run has started; the title is
    what says the page is there.
    """
    page.goto(path)
    main_heading(page, title).wait_for(state="visible")
    wait_for_app_idle(page)


def go_to_page(page, link: str, title: str) -> None:
    """Open another page with the sidebar's navigation (same session) and wait until it is idle."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=link, exact=True).click()
    main_heading(page, title).wait_for(state="visible")
    wait_for_app_idle(page)


def sidebar_text(page) -> str:
    """The sidebar's text: navigation and the 'Current data' summary."""
    return page.get_by_test_id("stSidebar").inner_text()


def upload_file(page, widget_key: str, path: Path) -> None:
    """Give the st.file_uploader with this key a file, as a drop or the file dialog would."""
    page.locator(f'.st-key-{widget_key} input[type="file"]').set_input_files(str(path))


def pick_option(page, widget_key: str, option: str, attempts: int = 3) -> None:
    """Open a selectbox or multiselect by its key and click one of its options.

    A rerun that is still drawing the page can close the list as it opens; then it is opened
    again, up to `attempts` times.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    choice = page.get_by_role("option", name=option, exact=True)
    for attempt in range(attempts):
        wait_for_app_idle(page)
        page.locator(f".st-key-{widget_key}").click()
        try:
            choice.wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
    choice.click()
    if page.get_by_role("listbox").count():  # a multiselect stays open after a choice
        page.keyboard.press("Escape")
    wait_for_app_idle(page)


def choose_target(page, name: str) -> None:
    """Choose the Data page's target (a new table has none) and wait until the sidebar says it."""
    pick_option(page, "w_data_target", name)
    page.get_by_test_id("stSidebar").get_by_text(f"Target: {name}").wait_for()
    wait_for_app_idle(page)


def read_dataframe(frame, timeout_s: float = 10.0) -> list[dict[str, str]]:
    """The rows an st.dataframe (a locator of [data-testid=stDataFrame]) shows, as text.

    The grid can draw its first row before the rest; so read until it holds as many rows as its
    aria-rowcount says it has (a table taller than the frame never does: then after timeout_s).
    """
    frame.locator('table[role="grid"] tbody tr').first.wait_for(state="attached")
    deadline = time.monotonic() + timeout_s
    while True:
        rows = frame.evaluate(DATAFRAME_JS)
        if len(rows) >= frame.evaluate(ROW_COUNT_JS) or time.monotonic() > deadline:
            return rows
        time.sleep(0.1)  # the interval between reads of the grid
