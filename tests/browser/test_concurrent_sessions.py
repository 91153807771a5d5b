"""Ten people use one server at once: each sees only their own table and results, the server keeps
answering, and its memory comes back down once they have left.

Driven with Playwright's async API (one Chromium, a context per person) on a thread of its own,
so it does not meet the sync API the other browser tests use on the main thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pytest

from .conftest import (
    APP_IDLE_SELECTOR,
    ARTIFACTS,
    CHROMIUM_ARGS,
    DATAFRAME_JS,
    EXCEPTION_SELECTOR,
    RUNNING_ICON_SELECTOR,
    SKELETON_SELECTOR,
    AppServer,
    chromium_executable,
    health_ok,
)

SESSIONS = 10
ROWS = 60
STEP_TIMEOUT_MS = 180_000  # one step while ten sessions share two cores
LOAD_TIMEOUT_S = 420  # all ten visits together
SETTLE_TIMEOUT_S = 60  # for the sessions to close and memory to settle
HEALTH_TIMEOUT_S = 10.0  # per check under load; a load balancer's probe waits about as long
MEMORY_MARGIN_MB = 300  # the freed memory may stay with the process (allocator, gc)
TOKEN = re.compile(r"(?:session_|_s)(\d{2})\b")  # what names a session in file and column names
MEMORY_REPORT = ARTIFACTS / "ten-sessions-memory.txt"


def session_table(k: int, folder: Path) -> Path:
    """session_kk.csv: y = k x + k (plus a little noise) in columns x_skk and y_skk."""
    rng = np.random.default_rng(k)
    x = rng.uniform(0.0, 10.0, ROWS)
    y = k * x + k + rng.normal(0.0, 0.01 * k, ROWS)
    path = folder / f"session_{k:02d}.csv"
    pd.DataFrame({f"x_s{k:02d}": x.round(4), f"y_s{k:02d}": y.round(4)}).to_csv(path, index=False)
    return path


def rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


def active_sessions(url: str) -> int:
    """Sessions with an open websocket, from Streamlit's /_stcore/metrics."""
    with urllib.request.urlopen(f"{url}/_stcore/metrics?families=active_sessions", timeout=10) as r:
        text = r.read().decode()
    match = re.search(r"^active_sessions (\d+)", text, re.MULTILINE)
    assert match, f"no active_sessions in /_stcore/metrics:\n{text}"
    return int(match.group(1))


@dataclass
class Load:
    """What the load phase saw besides the sessions' own results."""

    peak_mb: float = 0.0
    health_checks: int = 0
    slowest_health_s: float = 0.0
    health_failures: list[str] = field(default_factory=list)
    page_load_during_s: float | None = None


async def wait_idle(page) -> None:
    """The async form of conftest.wait_for_app_idle."""
    await page.wait_for_selector(APP_IDLE_SELECTOR, state="attached")
    await page.wait_for_selector(RUNNING_ICON_SELECTOR, state="detached")
    await page.wait_for_selector(SKELETON_SELECTOR, state="detached")


def title(page, text: str):
    return page.get_by_test_id("stMain").get_by_role("heading", name=text, exact=True, level=1)


async def open_start_page(browser, url: str) -> float:
    """Load Start on a new context; the seconds until it is idle."""
    started = time.monotonic()
    context = await browser.new_context(base_url=url)
    context.set_default_timeout(STEP_TIMEOUT_MS)
    try:
        page = await context.new_page()
        await page.goto("/")
        await title(page, "LinReg Lab").wait_for()
        await wait_idle(page)
        assert await page.locator(EXCEPTION_SELECTOR).count() == 0
    finally:
        await context.close()
    return time.monotonic() - started


async def choose_target(page, name: str, attempts: int = 5) -> None:
    """Pick the Data page's target: a rerun still drawing the page can close the list as it
    opens, so it is opened again (as conftest.pick_option does for the other tests)."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    choice = page.get_by_role("option", name=name, exact=True)
    for attempt in range(attempts):
        await wait_idle(page)
        await page.locator(".st-key-w_data_target").click()
        try:
            await choice.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
    await choice.click()
    await page.get_by_test_id("stSidebar").get_by_text(f"Target: {name}").wait_for()
    await wait_idle(page)


async def one_session(browser, url: str, k: int, table: Path, training: asyncio.Event):
    """Upload session k's table, train, and return (context, what the page showed)."""
    context = await browser.new_context(base_url=url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = await context.new_page()
    await page.goto("/data")
    await title(page, "Data").wait_for()
    await wait_idle(page)
    await page.locator('.st-key-w_data_upload input[type="file"]').set_input_files(str(table))
    await page.get_by_text(f"{table.name}: {ROWS} rows × 2 columns").wait_for()
    await wait_idle(page)
    await choose_target(page, f"y_s{k:02d}")  # a new table has no target yet

    nav = page.get_by_test_id("stSidebarNav")
    await nav.get_by_role("link", name="Train & compare", exact=True).click()
    await title(page, "Train & compare").wait_for()
    await wait_idle(page)
    await page.get_by_test_id("stFormSubmitButton").get_by_role("button").click()
    training.set()
    await page.get_by_text(re.compile(r"4 optimizer\(s\), 1,000 epochs")).wait_for()
    await wait_idle(page)
    # open the page again so the sidebar, drawn before the page runs, shows the result too
    await nav.get_by_role("link", name="Train & compare", exact=True).click()
    await page.get_by_test_id("stSidebar").get_by_text("Comparison ready").wait_for()
    await wait_idle(page)

    summary = page.get_by_test_id("stDataFrame").filter(has_text="train MSE").first
    await summary.locator('table[role="grid"] tbody tr').first.wait_for(state="attached")
    shown = {
        "exceptions": await page.locator(EXCEPTION_SELECTOR).count(),
        "sidebar": await page.get_by_test_id("stSidebar").inner_text(),
        "text": await page.locator("body").inner_text(),
        "summary": await read_summary(summary, k),
        "log": await page.get_by_test_id("stCode").filter(has_text="Epoch").first.inner_text(),
    }
    return context, shown


async def read_summary(summary, k: int) -> list[dict[str, str]]:
    """The summary grid's rows once it holds every row and column the test reads.

    The grid fills its accessible table after its first row appears, and under ten sessions on
    two cores a read can come between the two; so read until the rows are all there, and give
    back the last read if they never are (the test then says what it saw).
    """
    wanted = {"sgd", "least squares"}
    columns = {"optimizer", f"x_s{k:02d} weight", "intercept"}
    deadline = time.monotonic() + STEP_TIMEOUT_MS / 1000
    while True:
        rows = await summary.evaluate(DATAFRAME_JS)
        complete = [row for row in rows if columns <= row.keys()]
        if wanted <= {row["optimizer"] for row in complete} or time.monotonic() > deadline:
            return rows
        await asyncio.sleep(0.25)  # the interval between reads of the grid


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Wait until stop is set or seconds have passed: the interval of a polling loop."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def sample_memory(pid: int, load: Load, stop: asyncio.Event) -> None:
    while not stop.is_set():
        load.peak_mb = max(load.peak_mb, rss_mb(pid))
        await pause(stop, 0.25)  # the sampling interval


async def check_health(url: str, load: Load, stop: asyncio.Event) -> None:
    while not stop.is_set():
        started = time.monotonic()
        ok = await asyncio.to_thread(health_ok, url, HEALTH_TIMEOUT_S)
        seconds = time.monotonic() - started
        load.health_checks += 1
        load.slowest_health_s = max(load.slowest_health_s, seconds)
        if not ok:
            load.health_failures.append(f"no answer after {seconds:.1f} s")
        await pause(stop, 1.0)  # one check a second


async def load_phase(server: AppServer, tables: list[Path], load: Load):
    """Ten sessions at once, with memory, health and a newcomer's page load measured meanwhile."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_executable(), args=CHROMIUM_ARGS, headless=True
        )
        try:
            await open_start_page(browser, server.url)  # warm-up, then the baseline
            baseline = rss_mb(server.pid)

            stop, training = asyncio.Event(), asyncio.Event()
            watchers = [
                asyncio.create_task(sample_memory(server.pid, load, stop)),
                asyncio.create_task(check_health(server.url, load, stop)),
            ]

            async def newcomer_during_load() -> None:
                await training.wait()
                load.page_load_during_s = await open_start_page(browser, server.url)

            try:
                sessions = [
                    one_session(browser, server.url, k, table, training)
                    for k, table in enumerate(tables, 1)
                ]
                *results, _ = await asyncio.wait_for(
                    asyncio.gather(*sessions, newcomer_during_load()), LOAD_TIMEOUT_S
                )
            finally:
                stop.set()
                await asyncio.gather(*watchers)
            load.peak_mb = max(load.peak_mb, rss_mb(server.pid))
            for context, _ in results:
                await context.close()
            after_load_s = await open_start_page(browser, server.url)
        finally:
            await browser.close()
    return baseline, [shown for _, shown in results], after_load_s


def run_in_thread(coroutine, timeout: float):
    """asyncio.run(coroutine) on a daemon thread, so the main thread's sync Playwright is free."""
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        pytest.fail(f"the ten sessions did not finish within {timeout:.0f} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@pytest.mark.slow
@pytest.mark.timeout(LOAD_TIMEOUT_S + 3 * SETTLE_TIMEOUT_S + 60)
def test_ten_concurrent_sessions_each_see_only_their_own_data_and_results(
    app_server: AppServer, tmp_path: Path
) -> None:
    tables = [session_table(k, tmp_path) for k in range(1, SESSIONS + 1)]
    load = Load()
    started = time.monotonic()
    baseline, shown, after_load_s = run_in_thread(
        load_phase(app_server, tables, load), LOAD_TIMEOUT_S + 2 * SETTLE_TIMEOUT_S
    )
    load_seconds = time.monotonic() - started

    # 1. Each session saw its own table and results, and nobody else's
    for k, page in enumerate(shown, 1):
        assert page["exceptions"] == 0, f"session {k} shows an exception"
        assert f"session_{k:02d}.csv · {ROWS} rows" in page["sidebar"], page["sidebar"]
        rows = {row.get("optimizer"): row for row in page["summary"]}
        assert {"sgd", "least squares"} <= rows.keys(), f"session {k}: {page['summary']}"
        optimum = rows["least squares"]
        slope, intercept = float(optimum[f"x_s{k:02d} weight"]), float(optimum["intercept"])
        assert abs(slope - k) < 0.01 * k, f"session {k}: least-squares slope {slope}"
        assert abs(intercept - k) < 0.05 * k, f"session {k}: intercept {intercept}"
        assert abs(float(rows["sgd"][f"x_s{k:02d} weight"]) - k) < 0.01 * k
        everything = " ".join([page["text"], page["log"], repr(page["summary"])])
        others = {int(n) for n in TOKEN.findall(everything)} - {k}
        assert not others, f"session {k} shows names of sessions {sorted(others)}"

    # 2. The server kept answering while the ten trained
    assert load.health_checks > 0
    assert not load.health_failures, f"/_stcore/health failed: {load.health_failures}"
    assert load.page_load_during_s is not None, "a new visitor's page loaded during the load"
    assert health_ok(app_server.url), "the server answers after the load"

    # 3. Once everyone has left, the sessions close and the memory settles
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while (open_sessions := active_sessions(app_server.url)) and time.monotonic() < deadline:
        time.sleep(0.5)  # polling interval of the metrics endpoint
    assert open_sessions == 0, f"{open_sessions} sessions still open {SETTLE_TIMEOUT_S} s later"
    deadline, final = time.monotonic() + SETTLE_TIMEOUT_S, rss_mb(app_server.pid)
    while final > baseline + MEMORY_MARGIN_MB and time.monotonic() < deadline:
        time.sleep(1.0)  # polling interval of the process's memory
        final = rss_mb(app_server.pid)

    report = (
        f"server RSS: baseline {baseline:.0f} MB, peak {load.peak_mb:.0f} MB, "
        f"after the sessions closed {final:.0f} MB; {SESSIONS} sessions in {load_seconds:.0f} s; "
        f"a new page loaded in {load.page_load_during_s:.1f} s during the load and "
        f"{after_load_s:.1f} s after; {load.health_checks} health checks, all ok, the slowest "
        f"in {load.slowest_health_s:.1f} s"
    )
    print(report)
    MEMORY_REPORT.write_text(report + "\n", encoding="utf-8")
    assert final <= baseline + MEMORY_MARGIN_MB, report
