"""Classroom load: many sessions press Train together on one server, and a newcomer arrives.

    python benchmarks/bench_classroom.py                         # 25 sessions, once
    python benchmarks/bench_classroom.py --sessions 25 --repeat 2
    python benchmarks/bench_classroom.py --py-spy artifacts/bench-classroom/profile.txt

The reliability issue's targets: 25 sessions training together finish on the server within
15 s, the server's peak RSS stays under 700 MB, and a new visitor's first page arrives within
5 s meanwhile.

The server and the browsers are kept apart (2 cores):

- the server, `streamlit run streamlit_app.py`, runs pinned to core 0 (`taskset -c 0`), through
  classroom_server.py, which notes in artifacts/bench-classroom/runs.txt when each script run
  starts and ends on the server's clock (CLOCK_MONOTONIC, the one this script reads);
- Chromium runs pinned to core 1: Playwright launches a wrapper script as its executable that
  execs `taskset -c 1 chromium "$@"`, so every process Chromium starts inherits the affinity.
  The new visitor gets a Chromium of its own: Playwright starts each browser in a session of
  its own, and with the kernel's autogroup scheduling a session competes for the core as one
  group, so the visitor's browser gets about half of core 1 however busy the 25 sessions'
  renderers are (as far as other work on the machine lets it). This script (and Playwright's
  driver, which it starts) pins itself to core 1. The affinities and groups are printed.

Drawing a trained Train page takes Chromium about 4 CPU seconds (four Vega-Lite charts, the loss
landscape among them), so 25 of them on one core take minutes: "every page drawn" measures the
benchmark's browser core, not the server. The sessions' target is therefore judged on the
server's own record, the end of its last Train run; the browsers' numbers are printed beside it.

Each session is its own browser context: it uploads its own seeded 80-row CSV (y = 1.5 x + 0.5
+ noise, a seed per session and repetition, so no session can be answered from another's
cache) on Data, opens Train & compare and waits there. Once the server is quiet, every page is
told to click Train at the same wall-clock moment (a setTimeout in each page, armed a second
before; Playwright's own clicks, one after another through a busy core, took up to 12 s to go
out). --visitor-delay seconds after that moment the new visitor opens "/". Measured, from the
moment of the clicks:

- server done: the last Train run ended on the server (its first start shows when the clicks
  arrived); last result received: the last script_finished message arrived in a browser
  (decoded from the websocket's frames); every page drawn: each page shows the caption, the app
  is idle and all its charts have drawn their marks;
- the server's CPU seconds and resident memory (psutil, children included) every 0.1 s on a
  thread; peak RSS is the highest sample while the sessions train and draw;
- the visitor's first page: from goto("/") until Start is complete (title, app idle, the preset
  buttons and the last link drawn); also its HTML's load event and when the server ran its page;
- on the idle server, before: the same first page (best of three), one session training alone,
  and the fresh server's first training (it imports torch).

With --py-spy FILE, py-spy records the server (raw collapsed stacks, 100 Hz, non-blocking, from
core 1) from the clicks of the first repetition until its last Train run ends, and a summary of
where the server's busy samples went is printed (`pip install py-spy`).

Prints the numbers against the targets and, last, one JSON line with every number. Not part of
the test suite: run it by hand. The load average is printed with each measurement: the machine
may be shared, and other work on either core shows in the numbers. Exit status 1: a target
missed.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import math
import os
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import psutil  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from tests.browser.conftest import (  # noqa: E402
    APP_IDLE_SELECTOR,
    ARTIFACTS,
    CHROMIUM_ARGS,
    EXCEPTION_SELECTOR,
    RUNNING_ICON_SELECTOR,
    SKELETON_SELECTOR,
    health_ok,
)

TARGET_DONE_S = 15.0  # 25 sessions training together, the clicks to the server's last run end
TARGET_PEAK_MB = 700.0  # the server's peak RSS meanwhile
TARGET_VISITOR_S = 5.0  # a new visitor's first page meanwhile

MB = 2**20
ROWS = 80
SERVER_CORE, BROWSER_CORE = 0, 1
SERVER_START_TIMEOUT_S = 60.0
STEP_TIMEOUT_MS = 1_800_000  # one step; 25 pages drawing on one low-priority core take minutes
SAMPLE_EVERY_S = 0.1  # the memory and CPU sampler's interval
QUIET_CPU = 0.05  # the server is quiet below 5% of a core over QUIET_WINDOW_S
QUIET_WINDOW_S = 1.0
QUIET_TIMEOUT_S = 120.0
PREPARE_AT_ONCE = 5  # sessions that load their table at the same time (setup, not measured)
CLICK_LEAD_S = 1.0  # the clicks are armed this long before they fire
TRAIN_PAGE = "Train_&_compare"  # page names as classroom_server.py writes them
TRAINED = re.compile(r"4 optimizer\(s\), 1,000 epochs")  # the caption above the charts
FINISHED = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")

# Click Train at `at` (ms since the epoch, the machine's clock) and note when it did.
CLICK_AT_JS = """(at) => {
    const button = document.querySelector('[data-testid="stFormSubmitButton"] button');
    if (!button) return false;
    setTimeout(() => { window.benchClickedAt = Date.now(); button.click(); },
               Math.max(0, at - Date.now()));
    return true;
}"""
# Every Vega-Lite chart on the page has drawn its marks (a canvas or an SVG).
CHARTS_DRAWN_JS = """(n) => {
    const charts = document.querySelectorAll('[data-testid="stVegaLiteChart"]');
    return charts.length >= n
        && Array.from(charts).every((c) => c.querySelector('canvas.marks, svg.marks'));
}"""


# -- the server and its measurements ----------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Server:
    url: str
    pid: int
    log: Path
    timings: Path  # classroom_server.py's record of script runs


@dataclass(frozen=True)
class Run:
    """One script run on the server, from classroom_server.py's record (monotonic seconds)."""

    session: str
    page: str
    start: float
    end: float | None = None
    event: str = ""


def server_runs(server: Server) -> list[Run]:
    """Every script run the server has started, with its end once it has ended."""
    runs: list[Run] = []
    running: dict[str, int] = {}  # session -> index of its run in progress
    for line in server.timings.read_text(encoding="utf-8").splitlines():
        t, kind, session, page, *event = line.split()
        if kind == "start":
            running[session] = len(runs)
            runs.append(Run(session, page, float(t)))
        elif kind == "end" and session in running:
            i = running.pop(session)
            name = page if page != "?" else runs[i].page  # a first run learns its page late
            runs[i] = Run(session, name, runs[i].start, float(t), "".join(event))
    return runs


def train_runs(server: Server, since: float) -> list[Run]:
    """Train page runs that began after since and ended normally."""
    return [
        r
        for r in server_runs(server)
        if r.page == TRAIN_PAGE and r.start >= since and r.event == "SCRIPT_STOPPED_WITH_SUCCESS"
    ]


@contextmanager
def streamlit_server(
    log: Path, timings: Path, core: int | None, options: list[str]
) -> Iterator[Server]:
    """tests/browser/conftest.py's streamlit_server, started under `taskset -c core` through
    classroom_server.py, which notes when each script run starts and ends in timings.

    taskset execs Python, so the Popen's pid is the server's. Ready when /_stcore/health answers
    (which runs no script: the first page run is the first browser's).
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    timings.write_text("", encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        str(ROOT / "benchmarks" / "classroom_server.py"),  # `streamlit run`, noting its runs
        str(timings),
        "streamlit_app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
    ]
    for option in options:  # KEY=VALUE -> --KEY VALUE, e.g. runner.postScriptGC=false
        key, _, value = option.partition("=")
        command += [f"--{key}", value]
    if core is not None:
        command = ["taskset", "-c", str(core), *command]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("w", encoding="utf-8") as log_file:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not health_ok(url):
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start; its log: {log}")
            time.sleep(0.2)  # polling interval of the health check
        yield Server(url=url, pid=server.pid, log=log, timings=timings)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@dataclass
class Sample:
    t: float  # time.monotonic()
    rss_mb: float  # the process and its children
    cpu_s: float  # user + system CPU seconds so far, children included


class Sampler:
    """Samples a process's RSS and CPU time (children included) every 0.1 s on a thread."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def now(self) -> Sample:
        rss = cpu = 0.0
        for process in [self.process, *self.process.children(recursive=True)]:
            with suppress(psutil.NoSuchProcess):
                rss += process.memory_info().rss
                times = process.cpu_times()
                cpu += times.user + times.system
        return Sample(time.monotonic(), rss / MB, cpu)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.samples.append(self.now())
            except psutil.NoSuchProcess:
                return
            self._stop.wait(SAMPLE_EVERY_S)

    def between(self, start: float, end: float) -> list[Sample]:
        return [s for s in self.samples if start <= s.t <= end]

    def peak_mb(self, start: float, end: float) -> float:
        return max((s.rss_mb for s in self.between(start, end)), default=self.now().rss_mb)

    def cpu_s(self, start: float, end: float) -> float:
        window = self.between(start, end)
        return window[-1].cpu_s - window[0].cpu_s if len(window) > 1 else 0.0

    def usage(self, seconds: float) -> float:
        """Cores used over the last `seconds`."""
        end = time.monotonic()
        window = self.between(end - seconds, end)
        if len(window) < 2 or window[-1].t == window[0].t:
            return 1.0
        return (window[-1].cpu_s - window[0].cpu_s) / (window[-1].t - window[0].t)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


class HealthProbe:
    """Asks the server's /_stcore/health every 0.2 s on a thread, keeping when each question
    was sent and how long its answer took.

    The endpoint runs no script: the server's event loop answers it, the same loop that serves
    every file and websocket message, so its answer time is how long the loop waits for a turn.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.answers: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            sent = time.monotonic()
            health_ok(self.url, timeout=60.0)
            self.answers.append((sent, time.monotonic() - sent))
            self._stop.wait(0.2)  # the probe's interval

    def seconds(self, start: float, end: float) -> list[float]:
        return [took for sent, took in self.answers if start <= sent <= end]

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


async def quiet(sampler: Sampler) -> None:
    """Wait until the server has used under 5% of a core for a second."""
    started = time.monotonic()
    while sampler.usage(QUIET_WINDOW_S) > QUIET_CPU:
        if time.monotonic() - started > QUIET_TIMEOUT_S:
            print(f"  (the server did not quieten within {QUIET_TIMEOUT_S:.0f} s)")
            return
        await asyncio.sleep(0.25)  # the polling interval of the sampler's record


async def runs_ended(server: Server, since: float, count: int) -> None:
    """Wait until count Train runs that began after since have ended on the server."""
    while len(train_runs(server, since)) < count:
        await asyncio.sleep(0.1)  # the polling interval of classroom_server.py's record


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# -- the browsers -----------------------------------------------------------------------------
def chromium_executable(folder: Path, name: str, core: int | None) -> str:
    """Debian's chromium, or a wrapper script that execs it under `taskset -c core`."""
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("chromium is not on PATH: install Debian's chromium")
    if core is None:
        return chromium
    wrapper = folder / name
    wrapper.write_text(
        f'#!/bin/sh\nexec taskset -c {core} {shlex.quote(chromium)} "$@"\n', encoding="utf-8"
    )
    wrapper.chmod(0o755)
    return str(wrapper)


def autogroup(pid: int) -> str:
    """The kernel's scheduling group of pid (a session: "/autogroup-<n>"), or "-"."""
    try:
        return Path(f"/proc/{pid}/autogroup").read_text(encoding="utf-8").split()[0]
    except (OSError, IndexError):
        return "-"


def chromium_processes() -> dict[str, int]:
    """{"cores <affinity>, <autogroup>": number of processes} over this script's Chromium."""
    found: Counter[str] = Counter()
    for child in psutil.Process().children(recursive=True):
        with suppress(psutil.Error):
            if "chrom" in child.name():
                cores = ",".join(map(str, child.cpu_affinity()))
                found[f"cores {cores}, {autogroup(child.pid)}"] += 1
    return dict(found)


def chromium_cpu_s() -> float:
    """CPU seconds used so far by this script's Chromium processes (both browsers)."""
    total = 0.0
    for child in psutil.Process().children(recursive=True):
        with suppress(psutil.Error):
            if "chrom" in child.name():
                times = child.cpu_times()
                total += times.user + times.system
    return total


def title(page, text: str):
    return page.get_by_test_id("stMain").get_by_role("heading", name=text, exact=True, level=1)


async def wait_idle(page) -> None:
    """The async form of conftest.wait_for_app_idle."""
    await page.wait_for_selector(APP_IDLE_SELECTOR, state="attached")
    await page.wait_for_selector(RUNNING_ICON_SELECTOR, state="detached")
    await page.wait_for_selector('[data-testid="stAppViewContainer"]', state="visible")
    await page.wait_for_selector(SKELETON_SELECTOR, state="detached")


async def new_context(browser, url: str):
    context = await browser.new_context(base_url=url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    return context


# -- a new visitor ----------------------------------------------------------------------------
# Notes when the page opens a websocket (performance.now(), ms), for the visit's timeline.
NOTE_SOCKETS_JS = """(() => {
    const Native = window.WebSocket;
    window.benchSockets = [];
    window.WebSocket = class extends Native {
        constructor(...args) { super(...args); window.benchSockets.push(performance.now()); }
    };
})();"""
# The page's own timeline (ms): its origin on the machine's clock, every HTTP request it made
# (the document and each file: request sent, response complete) and its websockets' openings.
TIMELINE_JS = """() => ({
    origin: performance.timeOrigin,
    requests: performance.getEntriesByType('navigation')
        .concat(performance.getEntriesByType('resource'))
        .filter((e) => e.requestStart > 0)
        .map((e) => [e.requestStart, e.responseEnd]),
    sockets: window.benchSockets || [],
})"""


def covered(intervals: list[tuple[float, float]]) -> float:
    """The length of the union of the intervals."""
    total, reach = 0.0, -math.inf
    for start, end in sorted(intervals):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


@dataclass
class Visit:
    """A new visitor's first page, on the monotonic clock: its goto, the HTML's load event, the
    complete Start page, the HTTP requests it made (request sent, response complete), when it
    opened the websocket, and the server's run of the page once matched (match_visit)."""

    goto: float
    html: float
    complete: float
    requests: list[tuple[float, float]]
    socket: float | None
    run: Run | None = None

    def numbers(self, since: float | None = None) -> dict[str, float | None]:
        """Seconds from the goto.

        server_wait: how long the visitor waited on the server, the union of its HTTP requests
        in flight and the span from opening the websocket to the server's end of the page's run;
        browser: the rest of the time to the complete page, the browser's own work.
        """
        run, g = self.run, self.goto
        waits = list(self.requests)
        if run and run.end and self.socket is not None:
            waits.append((self.socket, run.end))
        server_wait = covered(waits) if run and run.end else None
        out = {
            "html_s": self.html - g,
            "requests": len(self.requests),
            "request_median_s": statistics.median([b - a for a, b in self.requests] or [0.0]),
            "request_max_s": max((b - a for a, b in self.requests), default=0.0),
            "last_response_s": max((end for _, end in self.requests), default=g) - g,
            "socket_s": None if self.socket is None else self.socket - g,
            "run_start_s": run.start - g if run else None,
            "run_end_s": run.end - g if run and run.end else None,
            "server_wait_s": server_wait,
            "browser_s": None if server_wait is None else self.complete - g - server_wait,
            "complete_s": self.complete - g,
        }
        if since is not None:
            out["arrived_s"] = g - since
        return {k: v if v is None or isinstance(v, int) else round(v, 3) for k, v in out.items()}


async def first_page(browser, url: str) -> Visit:
    """A new visitor (a fresh context) opens "/" and waits for the complete Start page."""
    context = await new_context(browser, url)
    await context.add_init_script(NOTE_SOCKETS_JS)
    try:
        page = await context.new_page()
        goto = time.monotonic()
        await page.goto("/")
        html = time.monotonic()
        await title(page, "LinReg Lab").wait_for()
        await wait_idle(page)
        await page.locator(".st-key-w_start_preset_apt_area button").wait_for()
        await page.get_by_text("Or start with your own table").wait_for()
        complete = time.monotonic()
        if await page.locator(EXCEPTION_SELECTOR).count():
            raise RuntimeError("the Start page shows an exception")
        timeline = await page.evaluate(TIMELINE_JS)
    finally:
        await context.close()
    # the page's clock: ms from its origin, itself ms since the epoch on the machine's clock
    origin = timeline["origin"] / 1000 - (time.time() - time.monotonic())
    requests = [(origin + a / 1000, origin + b / 1000) for a, b in timeline["requests"]]
    sockets = [origin + t / 1000 for t in timeline["sockets"]]
    return Visit(goto, html, complete, requests, min(sockets, default=None))


def match_visit(visit: Visit, server: Server) -> Visit:
    """The visit with the server's run of its Start page: the last Start run that began after
    the goto and ended before the page was complete."""
    runs = [
        r
        for r in server_runs(server)
        if r.page == "Start" and r.end and visit.goto <= r.start and r.end <= visit.complete
    ]
    return dataclasses.replace(visit, run=runs[-1] if runs else None)


# -- the sessions -----------------------------------------------------------------------------
def session_table(folder: Path, name: str, seed: int, features: int) -> Path:
    """name.csv, 80 rows: x1 (x2) uniform in [0, 10), y = 1.5 x1 (+ 0.7 x2) + 0.5 + noise;
    seeded, so every session's table (and so its cache key) is its own."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 10.0, (ROWS, features))
    y = x @ np.array([1.5, 0.7][:features]) + 0.5 + rng.normal(0.0, 0.5, ROWS)
    frame = pd.DataFrame({f"x{i + 1}": x[:, i].round(4) for i in range(features)})
    frame["y"] = y.round(4)
    path = folder / f"{name}.csv"
    frame.to_csv(path, index=False)
    return path


@dataclass
class Session:
    """One visitor's context and page, its table loaded and Train & compare open."""

    context: Any
    page: Any
    table: Path
    finished: list[tuple[float, int]] = field(default_factory=list)  # script_finished messages

    def watch(self, websocket) -> None:
        websocket.on("framereceived", self.frame)

    def frame(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes):
            msg = ForwardMsg()
            with suppress(Exception):
                msg.ParseFromString(payload)
                if msg.WhichOneof("type") == "script_finished":
                    self.finished.append((time.monotonic(), msg.script_finished))


async def prepare(browser, url: str, table: Path, features: int) -> Session:
    """A new context uploads table on Data and opens Train & compare."""
    context = await new_context(browser, url)
    page = await context.new_page()
    session = Session(context, page, table)
    page.on("websocket", session.watch)
    await page.goto("/data")
    await title(page, "Data").wait_for()
    await wait_idle(page)
    await page.locator('.st-key-w_data_upload input[type="file"]').set_input_files(str(table))
    await page.get_by_text(f"{table.name}: {ROWS} rows × {features + 1} columns").wait_for()
    await wait_idle(page)
    nav = page.get_by_test_id("stSidebarNav")
    await nav.get_by_role("link", name="Train & compare", exact=True).click()
    await title(page, "Train & compare").wait_for()
    await wait_idle(page)
    await page.get_by_test_id("stFormSubmitButton").get_by_role("button").wait_for()
    return session


async def prepare_all(browser, url: str, tables: list[Path], features: int) -> list[Session]:
    limit = asyncio.Semaphore(PREPARE_AT_ONCE)

    async def one(table: Path) -> Session:
        async with limit:
            return await prepare(browser, url, table, features)

    return list(await asyncio.gather(*(one(t) for t in tables)))


async def arm_clicks(sessions: list[Session]) -> float:
    """Tell every page to click Train at one moment, CLICK_LEAD_S from now; that moment on the
    monotonic clock."""
    wall, mono = time.time(), time.monotonic()
    at_ms = (wall + CLICK_LEAD_S) * 1000
    armed = await asyncio.gather(*(s.page.evaluate(CLICK_AT_JS, at_ms) for s in sessions))
    if not all(armed):
        raise RuntimeError("a Train page has no Train button")
    if (late := time.monotonic() - mono) >= CLICK_LEAD_S:
        print(f"  (arming the clicks took {late:.2f} s: the first fired before the last armed)")
    return mono + CLICK_LEAD_S


@dataclass
class Drawn:
    """One session's click on Train, its script_finished arriving in the browser and its page
    drawn (monotonic times)."""

    clicked: float
    received: float
    drawn: float


async def trained_page(session: Session, armed: float, charts: int) -> Drawn:
    """Wait until the page armed to click at `armed` shows the trained page with every chart."""
    page = session.page
    await page.get_by_text(TRAINED).wait_for()
    await wait_idle(page)
    await page.wait_for_function(CHARTS_DRAWN_JS, arg=charts, polling=100)
    drawn = time.monotonic()
    if await page.locator(EXCEPTION_SELECTOR).count():
        raise RuntimeError(f"{session.table.name}: the Train page shows an exception")
    clicked_ms = await page.evaluate("() => window.benchClickedAt")  # the machine's clock
    clicked = clicked_ms / 1000 - (time.time() - time.monotonic())
    done = [t for t, status in session.finished if status == FINISHED and t >= armed - 0.5]
    return Drawn(clicked, min(done) if done else math.nan, drawn)


# -- py-spy -----------------------------------------------------------------------------------
# What a sampled server stack was doing: the first category with a marker in any frame of the
# stack, the innermost frame first (the app's frames are named by their files). Streamlit runs
# gc.collect(2) at the end of every script run (its runner.postScriptGC option, on by default);
# the collection, a C call, shows as ScriptRunner._on_script_finished at the stack's end.
CATEGORIES = [
    ("Streamlit's gc.collect(2) after each run", ("ScriptRunner._on_script_finished",)),
    ("torch (training, loss landscape)", ("torch/", "linreg_core/")),
    ("Altair: jsonschema validation", ("jsonschema",)),
    ("Altair: chart to Vega-Lite spec", ("altair/", "elements/vega_charts.py")),
    ("Arrow: frames to bytes", ("pyarrow", "arrow_", "dataframe_util")),
    ("st.cache_data: hashing, pickling", ("pickle", "cache_utils", "cache_data_api", "hashing")),
    ("pandas (chart frames, tables)", ("pandas/",)),
    ("protobuf, websocket, sending", ("protobuf", "forward_msg", "websocket", "starlette")),
    ("Streamlit's secrets file watcher", ("polling_path_watcher",)),
]
IDLE_FRAMES = ("wait (threading.py", "select (selectors.py", "run_forever", "_worker (", "epoll")


def py_spy_summary(path: Path) -> list[tuple[str, int, float]]:
    """(category, samples, share) over the server's busy samples (all its threads).

    py-spy's raw format is one line per distinct stack, `frame;frame;... count`, outermost
    first; stacks whose innermost frame waits (a lock, a queue, select) are left out.
    """
    totals: Counter[str] = Counter()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        if any(marker in frames[-1] for marker in IDLE_FRAMES):
            continue
        for name, markers in CATEGORIES:
            if any(m in f for f in reversed(frames) for m in markers):
                totals[name] += int(count)
                break
        else:
            totals["other (Streamlit, the app's pages, interpreter)"] += int(count)
    everything = sum(totals.values()) or 1
    return [(name, n, n / everything) for name, n in totals.most_common()]


@contextmanager
def py_spy(pid: int, output: Path | None) -> Iterator[None]:
    """py-spy record on pid while the block runs (on this script's core; raw stacks, 100 Hz,
    non-blocking, so the server is not paused; only the thread holding the GIL, so that the
    samples share out the time the server's Python ran, at most one thread at a time)."""
    if output is None:
        yield
        return
    executable = shutil.which("py-spy")
    if executable is None:
        raise SystemExit("py-spy is not installed: pip install py-spy")
    output.parent.mkdir(parents=True, exist_ok=True)
    command = [executable, "record", "--pid", str(pid), "--rate", "100", "--format", "raw"]
    command += ["--nonblocking", "--gil", "--threads", "--output", str(output)]
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
        try:
            spy.wait(timeout=60)
        except subprocess.TimeoutExpired:
            spy.kill()
            spy.wait()


# -- the measurement --------------------------------------------------------------------------
def training_numbers(server: Server, drawn: list[Drawn]) -> tuple[float, dict[str, Any]]:
    """t0, the first click, and seconds from it for the sessions that clicked."""
    t0 = min(d.clicked for d in drawn)
    runs = train_runs(server, t0 - 0.1)  # the two clocks are read a little apart
    if len(runs) != len(drawn):
        print(f"  ({len(drawn)} sessions clicked, the server ended {len(runs)} Train runs)")
    ends = [r.end - t0 for r in runs if r.end]
    out = {
        "clicks_spread_s": max(d.clicked for d in drawn) - t0,
        "server_runs": len(runs),
        "server_first_start_s": min((r.start - t0 for r in runs), default=math.nan),
        "server_last_start_s": max((r.start - t0 for r in runs), default=math.nan),
        "server_done_s": max(ends, default=math.nan),
        "server_done_median_s": statistics.median(ends or [math.nan]),
        "server_run_median_s": statistics.median([r.end - r.start for r in runs if r.end] or [0]),
        "received_s": max(d.received - t0 for d in drawn),
        "drawn_s": max(d.drawn - t0 for d in drawn),
        "drawn_median_s": statistics.median(d.drawn - t0 for d in drawn),
    }
    return t0, {k: v if isinstance(v, int) else round(v, 3) for k, v in out.items()}


async def solo(browser, server: Server, sampler: Sampler, folder: Path, seed: int, args):
    """One session uploads its table and trains alone."""
    table = session_table(folder, f"solo_{seed}", seed, args.features)
    session = await prepare(browser, server.url, table, args.features)
    try:
        await quiet(sampler)
        load = load_average()
        armed = await arm_clicks([session])
        drawn = await trained_page(session, armed, 4 if args.features == 1 else 3)
    finally:
        await session.context.close()
    return {"load_average": load, **training_numbers(server, [drawn])[1]}


async def classroom(browsers, server: Server, sampler: Sampler, probe: HealthProbe, r: int, args):
    """One repetition: prepare the sessions, all click Train, a newcomer arrives meanwhile."""
    classroom_browser, visitor_browser = browsers
    folder = Path(args.tmp)
    charts = 4 if args.features == 1 else 3
    tables = [
        session_table(folder, f"r{r}_s{k:02d}", 1000 * (r + 1) + k, args.features)
        for k in range(1, args.sessions + 1)
    ]
    started = time.monotonic()
    sessions = await prepare_all(classroom_browser, server.url, tables, args.features)
    prepared_s = time.monotonic() - started
    await quiet(sampler)
    load = load_average()
    baseline = sampler.now().rss_mb
    browser_cpu = chromium_cpu_s()

    async def newcomer(armed: float) -> Visit:
        await asyncio.sleep(max(0.0, armed + args.visitor_delay - time.monotonic()))
        return await first_page(visitor_browser, server.url)

    async def profile_training(armed: float) -> None:
        with py_spy(server.pid, args.py_spy):  # from just before the clicks
            await runs_ended(server, armed - 0.5, args.sessions)

    armed = await arm_clicks(sessions)
    profiled = [profile_training(armed)] if args.py_spy is not None and r == 0 else []
    visit, *drawn = await asyncio.gather(
        newcomer(armed), *(trained_page(s, armed, charts) for s in sessions), *profiled
    )
    drawn = drawn[: len(sessions)]
    end = time.monotonic()
    browser_cpu = chromium_cpu_s() - browser_cpu
    for session in sessions:
        await session.context.close()
    t0, numbers = training_numbers(server, drawn)
    done = t0 + numbers["server_done_s"]
    before, during = probe.seconds(t0 - CLICK_LEAD_S, t0), probe.seconds(t0, done)
    return {
        "load_average": load,
        "load_average_after": load_average(),
        "prepare_s": round(prepared_s, 1),
        **numbers,
        "server_cpu_to_done_s": round(sampler.cpu_s(t0, done + SAMPLE_EVERY_S), 2),
        "server_cpu_s": round(sampler.cpu_s(t0, end), 2),
        "chromium_cpu_s": round(browser_cpu, 1),
        "baseline_rss_mb": round(baseline, 1),
        "peak_rss_mb": round(sampler.peak_mb(t0, end), 1),
        "health_before_median_s": round(statistics.median(before or [math.nan]), 3),
        "health_median_s": round(statistics.median(during or [math.nan]), 3),
        "health_max_s": round(max(during, default=math.nan), 3),
        "visitor": match_visit(visit, server).numbers(since=t0),
    }


def show_visit(v: dict[str, Any], indent: str) -> str:
    if v["server_wait_s"] is None:
        return f"{v['complete_s']:6.2f} s (its run is not in the server's record)"
    socket = "-" if v["socket_s"] is None else f"{v['socket_s']:.2f} s"
    return (
        f"{v['complete_s']:6.2f} s complete in the browser: {v['server_wait_s']:.2f} s waiting on "
        f"the server, {v['browser_s']:.2f} s the browser's own work\n"
        f"{indent}(load event {v['html_s']:.2f} s; {v['requests']} HTTP requests, each "
        f"answered in {v['request_median_s']:.3f} s median, {v['request_max_s']:.2f} s at most, "
        f"the last at {v['last_response_s']:.2f} s;\n{indent} websocket opened {socket}; the "
        f"server ran the page {v['run_start_s']:.2f}-{v['run_end_s']:.2f} s)"
    )


def show_training(one: dict[str, Any]) -> str:
    return (
        f"  server done (last run end)  {one['server_done_s']:6.2f} s   ({one['server_runs']} "
        f"runs began {one['server_first_start_s']:.2f}-{one['server_last_start_s']:.2f} s; "
        f"median end {one['server_done_median_s']:.2f} s, median run "
        f"{one['server_run_median_s']:.2f} s)\n"
        f"  last result received        {one['received_s']:6.2f} s\n"
        f"  every page drawn            {one['drawn_s']:6.2f} s   (median "
        f"{one['drawn_median_s']:.2f} s; the clicks fired within {one['clicks_spread_s']:.3f} s)"
    )


async def run(
    args, server: Server, sampler: Sampler, probe: HealthProbe, executables: tuple[str, str]
) -> dict:
    from playwright.async_api import async_playwright

    folder = Path(args.tmp)
    result: dict[str, Any] = {}
    async with async_playwright() as playwright:
        browsers = [
            await playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS, headless=True
            )
            for executable in executables
        ]
        classroom_browser, visitor_browser = browsers
        try:
            result["chromium"] = chromium_processes()
            print(f"chromium processes: {result['chromium']}")

            print(f"\nwarm-up (load average {load_average()})")
            cold = match_visit(await first_page(visitor_browser, server.url), server).numbers()
            result["cold_first_page"] = cold
            print(f"  first page of the fresh server  {show_visit(cold, ' ' * 34)}")
            cold_training = await solo(classroom_browser, server, sampler, folder, 1, args)
            result["cold_training"] = cold_training
            print(f"  first training (imports torch)\n{show_training(result['cold_training'])}")

            result["alone"] = await solo(classroom_browser, server, sampler, folder, 2, args)
            print(f"\none session alone (load average {result['alone']['load_average']})")
            print(show_training(result["alone"]))

            await quiet(sampler)
            result["idle_load_average"] = load_average()
            visits = []
            for _ in range(3):
                visit = await first_page(visitor_browser, server.url)
                visits.append(match_visit(visit, server).numbers())
            result["idle_first_page"] = min(visits, key=lambda v: v["complete_s"])
            print(
                f"\nnew visitor's first page, idle server (load average "
                f"{result['idle_load_average']}; best of {[v['complete_s'] for v in visits]})\n"
                f"                              {show_visit(result['idle_first_page'], ' ' * 30)}"
            )

            result["repeats"] = []
            for r in range(args.repeat):
                one = await classroom(browsers, server, sampler, probe, r, args)
                result["repeats"].append(one)
                print(
                    f"\n{args.sessions} sessions click Train together, repetition {r + 1} "
                    f"(load average {one['load_average']} before, "
                    f"{one['load_average_after']} after; sessions prepared in "
                    f"{one['prepare_s']} s)\n{show_training(one)}\n"
                    f"  server CPU                  {one['server_cpu_to_done_s']:6.2f} s "
                    f"to done, {one['server_cpu_s']:.1f} s in all; Chromium "
                    f"{one['chromium_cpu_s']:.0f} s\n"
                    f"  server RSS                  {one['peak_rss_mb']:6.0f} MB peak "
                    f"(before: {one['baseline_rss_mb']:.0f} MB)\n"
                    f"  /_stcore/health answered    {one['health_median_s']:6.3f} s median, "
                    f"{one['health_max_s']:.2f} s at most, until the server was done (before "
                    f"the clicks: {one['health_before_median_s']:.3f} s)\n"
                    f"  new visitor, {one['visitor']['arrived_s']:.2f} s after the clicks: "
                    f"{show_visit(one['visitor'], ' ' * 4)}"
                )
        finally:
            for browser in browsers:
                await browser.close()
    return result


def verdict(result: dict, args) -> dict[str, Any]:
    """The worst repetition against each target, judged on the server's side: the sessions on
    the end of the server's last Train run, the visitor on its time waiting on the server."""
    repeats, idle = result["repeats"], result["idle_first_page"]
    visits = [r["visitor"] for r in repeats]
    worst = {
        "server_done_s": max(r["server_done_s"] for r in repeats),
        "drawn_s": max(r["drawn_s"] for r in repeats),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in repeats),
        "visitor_server_wait_s": max((v["server_wait_s"] or math.inf) for v in visits),
        "visitor_complete_s": max(v["complete_s"] for v in visits),
        # as a visitor whose browser works as fast as on the idle server would see the page
        "visitor_estimate_s": max((v["server_wait_s"] or math.inf) for v in visits)
        + (idle["browser_s"] or 0.0),
    }
    met = {
        "sessions_done": worst["server_done_s"] <= TARGET_DONE_S,
        "peak_rss": worst["peak_rss_mb"] < TARGET_PEAK_MB,
        "visitor": worst["visitor_server_wait_s"] <= TARGET_VISITOR_S,
    }
    word = {True: "met", False: "MISSED"}
    print(f"\nTARGETS (worst of {len(repeats)} repetition(s))")
    print(
        f"  {args.sessions} sessions done on the server within {TARGET_DONE_S:.0f} s:  "
        f"{worst['server_done_s']:6.2f} s  {word[met['sessions_done']]}   (every page drawn "
        f"in the benchmark's one-core browser: {worst['drawn_s']:.2f} s)"
    )
    print(
        f"  server's peak RSS under {TARGET_PEAK_MB:.0f} MB:            "
        f"{worst['peak_rss_mb']:6.0f} MB {word[met['peak_rss']]}"
    )
    print(
        f"  new visitor waits on the server under {TARGET_VISITOR_S:.0f} s: "
        f"{worst['visitor_server_wait_s']:6.2f} s  {word[met['visitor']]}   (page complete in "
        f"the benchmark's browser {worst['visitor_complete_s']:.2f} s; with the idle "
        f"server's browser work, {idle['browser_s']:.2f} s: {worst['visitor_estimate_s']:.2f} s; "
        f"idle server: {idle['complete_s']:.2f} s complete, {idle['server_wait_s']:.2f} s "
        "waiting on it)"
    )
    return {"worst": worst, "met": met}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--features", type=int, choices=(1, 2), default=1, help="x columns (1)")
    parser.add_argument(
        "--visitor-delay",
        type=float,
        default=1.0,
        help="seconds after the clicks at which the new visitor opens / (1.0)",
    )
    parser.add_argument("--py-spy", type=Path, help="record the server with py-spy to this file")
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a Streamlit config option for the server, as `streamlit run --KEY VALUE` "
        "(repeatable; an experiment: the app's own config is left as it is)",
    )
    args = parser.parse_args()

    cores = sorted(os.sched_getaffinity(0))
    pin = len(cores) >= 2
    if pin:
        os.sched_setaffinity(0, {BROWSER_CORE})  # this script and Playwright's driver
    else:
        print("one core only: nothing is pinned")
    print(
        f"LinReg Lab classroom load: {args.sessions} sessions x {ROWS} rows, {args.features} "
        f"feature(s), 4 optimizers x 1,000 epochs; cores {cores}; load average {load_average()}"
        + (f"; server options {args.option}" if args.option else "")
    )
    log = ARTIFACTS / "bench-classroom" / "server.log"
    with tempfile.TemporaryDirectory(prefix="classroom-") as tmp:
        args.tmp = tmp
        browser_core, server_core = (BROWSER_CORE, SERVER_CORE) if pin else (None, None)
        executables = (
            chromium_executable(Path(tmp), "chromium-classroom", browser_core),
            chromium_executable(Path(tmp), "chromium-visitor", browser_core),
        )
        timings = log.with_name("runs.txt")
        with streamlit_server(log, timings, server_core, args.option) as server:
            sampler, probe = Sampler(server.pid), HealthProbe(server.url)
            try:
                print(
                    f"server pid {server.pid}, cores {psutil.Process(server.pid).cpu_affinity()}; "
                    f"this script's cores {sorted(os.sched_getaffinity(0))}; log {log}"
                )
                result = asyncio.run(run(args, server, sampler, probe, executables))
            finally:
                sampler.stop()
                probe.stop()
    result["verdict"] = verdict(result, args)
    if args.py_spy is not None and args.py_spy.exists():
        print(f"\nwhere the server's busy samples went, clicks to last run end ({args.py_spy}):")
        summary = py_spy_summary(args.py_spy)
        for name, n, share in summary:
            print(f"  {share:6.1%}  {n:6d}  {name}")
        result["py_spy"] = {name: round(share, 4) for name, _, share in summary}
    result.update(
        sessions=args.sessions,
        features=args.features,
        pinned=pin,
        visitor_delay_s=args.visitor_delay,
        server_options=args.option,
        targets={"done_s": TARGET_DONE_S, "peak_mb": TARGET_PEAK_MB, "visitor_s": TARGET_VISITOR_S},
    )
    print(json.dumps(result))
    return 0 if all(result["verdict"]["met"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
