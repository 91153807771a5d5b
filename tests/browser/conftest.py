"""Browser-test harness: the real app served by `streamlit run`, driven by headless Chromium.

One Streamlit server per test session (fixture `app_url`), one Chromium per session (`browser`)
and a fresh context and page per test (`page`). Every test in this folder is marked `browser` and
gets a timeout. Tests wait for the app to be idle with `wait_for_app_idle(page)`, never with
sleeps, and check for uncaught exceptions with `assert_no_exception(page)`:

    from .conftest import assert_no_exception, save_screenshot, wait_for_app_idle

Chromium is Debian's (`/usr/bin/chromium`, installed by scripts/test.sh); without it the tests
skip with a reason. Screenshots and the server's log go to artifacts/ (gitignored).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
ARTIFACTS = REPO_ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
SERVER_LOG = ARTIFACTS / "streamlit-server.log"

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

# Streamlit marks its root element with the script's run state and the connection state.
_APP_IDLE = (
    '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
    ':is([data-test-script-state="notRunning"], [data-test-script-state="compilationError"])'
)


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


def _health_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def _log_tail(lines: int = 40) -> str:
    if not SERVER_LOG.exists():
        return "(no log)"
    return "\n".join(SERVER_LOG.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """Start `streamlit run streamlit_app.py` on a free port and yield its base URL."""
    if not (REPO_ROOT / "streamlit_app.py").exists():
        pytest.fail(f"no streamlit_app.py in {REPO_ROOT}: the browser tests need the app")
    ARTIFACTS.mkdir(exist_ok=True)
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
    with SERVER_LOG.open("w", encoding="utf-8") as log:
        server = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _health_ok(url):
            if server.poll() is not None or time.monotonic() > deadline:
                state = (
                    f"exited with status {server.returncode}"
                    if server.poll() is not None
                    else f"did not answer {url}/_stcore/health within {SERVER_START_TIMEOUT:.0f} s"
                )
                pytest.fail(
                    f"the Streamlit server {state}. Its log ({SERVER_LOG}):\n{_log_tail()}",
                    pytrace=False,
                )
            time.sleep(0.2)  # polling interval of the health check, not a wait for the page
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium under Playwright; skips when chromium is not on PATH."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip(
            "chromium is not on PATH: install Debian's chromium (scripts/test.sh does it as root)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, app_url: str) -> Iterator[object]:
    """A fresh browser context and page per test, 1280x900, with the app's URL as base."""
    context = browser.new_context(base_url=app_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(IDLE_TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def wait_for_app_idle(page, timeout_ms: int = IDLE_TIMEOUT_MS) -> None:
    """Wait until the app is connected, its script has finished running and the view is shown.

    After an interaction, also wait for the element the interaction should produce: the rerun may
    not have started yet when this is called.
    """
    page.wait_for_selector(_APP_IDLE, state="attached", timeout=timeout_ms)
    page.wait_for_selector(
        '[data-testid="stStatusWidget"] [data-testid="stStatusWidgetRunningIcon"]',
        state="detached",
        timeout=timeout_ms,
    )
    page.wait_for_selector(
        '[data-testid="stAppViewContainer"]', state="visible", timeout=timeout_ms
    )


def assert_no_exception(page) -> None:
    """Fail with the exception's text when the page shows an uncaught Streamlit exception."""
    exceptions = page.locator('[data-testid="stException"]')
    count = exceptions.count()
    if count:
        # The page redacts tracebacks (client.showErrorDetails); the server's log has them.
        pytest.fail(
            f"the page shows {count} exception(s): {exceptions.all_inner_texts()}\n"
            f"Last lines of the server's log ({SERVER_LOG}):\n{_log_tail()}",
            pytrace=False,
        )


def save_screenshot(page, name: str) -> Path:
    """Save a full-page screenshot to artifacts/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
