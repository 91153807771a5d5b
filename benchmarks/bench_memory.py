"""The server's memory and the learner's wait for big uploads, on the real app.

    python benchmarks/bench_memory.py                        # every case
    python benchmarks/bench_memory.py --case wide            # the 5,000-column Parquet
    python benchmarks/bench_memory.py --case limit           # 100 features, the most allowed
    python benchmarks/bench_memory.py --case csv --sessions 3

Starts `streamlit run streamlit_app.py` on a free port (tests/browser/conftest.py's
streamlit_server) and drives it with Playwright and Debian's Chromium, as a learner would. The
server's resident memory (RSS, its children included) is sampled every 50 ms with psutil.

- wide: a seeded Parquet of 5,100 rows x 5,000 numeric columns (about 16 MB). Upload it on
  Data, hold out no rows (else 4,080 training rows are too few for 5,000 parameters and the
  table is refused for that), open Train & compare, press Train if the page offers it; record
  what the pages say, the peak RSS and the time from the upload to the last page being idle.
  Target: a clear message and a server that stays under 1 GB.
- limit: the same with 101 columns, as many features as a model may have: trained, then
  Predict opened. Target: no exception and a server under 1 GB.
- csv: a seeded CSV of 1,500,000 rows x 3 columns (about 44 MB). After a warm-up session on
  10,000 rows (torch, the reader, the charts and the download load once per process), each
  session in turn uploads its own table
  (seeded by its number; --same-file: all the same, so the cache can answer), trains the
  four optimizers, opens Predict and downloads the predictions; the sessions stay open. Each
  session's cost is the RSS after it minus the RSS before it. Target: at most +250 MB a session.
  Then all close, and one more session runs on the server they left (is their memory reused?).

The tables are written to a temporary folder and deleted afterwards. Prints one block per case,
the medians and whether each target is met; the last line is every number as JSON. Run it by
hand on a quiet machine: it is not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import psutil  # noqa: E402

from tests.browser.conftest import (  # noqa: E402
    ARTIFACTS,
    CHROMIUM_ARGS,
    go_to_page,
    open_page,
    streamlit_server,
    upload_file,
    wait_for_app_idle,
)

MB = 2**20
WIDE_SHAPE = (5_100, 5_000)  # rows, numeric columns (the last is the target)
LIMIT_SHAPE = (5_100, 101)  # as many features as a model may have (MAX_FEATURES)
CSV_ROWS = 1_500_000
SERVER_LIMIT_MB = 1024  # a Community Cloud container
SESSION_BUDGET_MB = 250  # per session, the 44 MB CSV uploaded, trained and predicted
STEP_TIMEOUT_MS = 900_000  # one step; the unbounded app took 386 s for the wide table
SETTLE_S = 3.0  # after a step, for the allocator to hand back freed memory
ALERTS = '[data-testid="stMain"] [data-testid^="stAlertContent"]'
EXCEPTIONS = '[data-testid="stMain"] [data-testid="stException"]'


def wide_parquet(folder: Path, shape: tuple[int, int] = WIDE_SHAPE) -> Path:
    """shape[0] rows of shape[1] - 1 features (whole numbers 0-9) and y = Xw + noise; seeded."""
    rows, columns = shape
    rng = np.random.default_rng(0)
    X = rng.integers(0, 10, (rows, columns - 1)).astype(np.float64)
    y = (X @ rng.normal(0, 1, columns - 1) + rng.normal(0, 1, rows)).round(2)
    frame = pd.DataFrame({f"x{i + 1:04d}": X[:, i] for i in range(columns - 1)} | {"y": y})
    path = folder / f"wide_{columns}.parquet"
    frame.to_parquet(path)
    return path


def big_csv(folder: Path, seed: int = 0, rows: int = CSV_ROWS) -> Path:
    """1,500,000 rows (or rows) of x1, x2 and y = 3 x1 - 2 x2 + 10 + noise; seeded."""
    rng = np.random.default_rng(seed)
    x1 = rng.uniform(0, 1000, rows).round(5)
    x2 = rng.uniform(-50, 50, rows).round(5)
    y = (3 * x1 - 2 * x2 + 10 + rng.normal(0, 5, rows)).round(5)
    path = folder / f"big_{seed}.csv"
    pd.DataFrame({"x1": x1, "x2": x2, "y": y}).to_csv(path, index=False)
    return path


class Memory:
    """Samples a process's RSS (children included) on a thread; keeps the peak."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        self.process = psutil.Process(pid)
        self.every, self.peak = every, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def now(self) -> float:
        """RSS in MB of the process and its children."""
        total = self.process.memory_info().rss
        for child in self.process.children(recursive=True):
            with suppress(psutil.NoSuchProcess):
                total += child.memory_info().rss
        return total / MB

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self.now())
            except psutil.NoSuchProcess:
                return
            time.sleep(self.every)

    def reset_peak(self) -> None:
        self.peak = self.now()

    def settled(self) -> float:
        time.sleep(SETTLE_S)
        return self.now()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def server_and_browser(name: str) -> Iterator[tuple[object, object, Memory]]:
    """A fresh `streamlit run`, headless Chromium, and the server's memory sampler."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        raise SystemExit("chromium is not on PATH: install Debian's chromium")
    log = ARTIFACTS / "bench-memory" / f"{name}.log"
    with streamlit_server(log) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        memory = Memory(server.pid)
        try:
            yield browser, server, memory
        finally:
            memory.stop()
            browser.close()


def new_page(browser, url: str):
    context = browser.new_context(base_url=url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    return context, context.new_page()


def idle(page) -> None:
    wait_for_app_idle(page, timeout_ms=STEP_TIMEOUT_MS)


def said(page) -> list[str]:
    """The alerts and exception boxes in the page's main area, as text."""
    alerts = [" ".join(t.split()) for t in page.locator(ALERTS).all_inner_texts()]
    boxes = [" ".join(t.split()) for t in page.locator(EXCEPTIONS).all_inner_texts()]
    return alerts + [f"EXCEPTION: {t}" for t in boxes]


def upload(page, path: Path, rows: int, columns: int) -> None:
    """Open Data, upload path, wait until the table (or a message) is shown."""
    open_page(page, "/data", "Data")
    upload_file(page, "w_data_upload", path)
    loaded = page.get_by_text(f"{path.name}: {rows:,} rows × {columns} columns")
    loaded.or_(page.get_by_test_id("stAlertContentError")).first.wait_for()
    idle(page)


def hold_out_nothing(page) -> None:
    """Move the Data page's held-out slider to 0 (with 20% held out, 4,080 training rows are
    too few for 5,000 parameters and the table is refused for that, not for its width)."""
    page.get_by_role("slider", name="Fraction held out").press("Home")
    page.get_by_text(", 0 test rows").or_(page.get_by_text("Choose at least one feature")).or_(
        page.get_by_test_id("stAlertContentError")
    ).first.wait_for()
    idle(page)


def train(page) -> bool:
    """Open Train & compare and press Train when the page offers it; whether it did."""
    go_to_page(page, "Train & compare", "Train & compare")
    button = page.get_by_test_id("stFormSubmitButton").get_by_role("button")
    if button.count() == 0:
        return False
    button.click()
    page.get_by_text("optimizer(s),").or_(page.get_by_test_id("stAlertContentError")).or_(
        page.get_by_test_id("stException")
    ).first.wait_for()
    idle(page)
    return True


def run_wide(folder: Path, shape: tuple[int, int]) -> dict[str, Any]:
    path = wide_parquet(folder, shape)
    out: dict[str, Any] = {"shape": shape, "file_mb": round(path.stat().st_size / 1e6, 1)}
    with server_and_browser(path.stem) as (browser, server, memory):
        context, page = new_page(browser, server.url)
        open_page(page, "/", "LinReg Lab")
        out["idle_mb"] = round(memory.settled(), 0)
        memory.reset_peak()
        started = time.monotonic()
        upload(page, path, *shape)
        hold_out_nothing(page)
        out["data_page_s"] = round(time.monotonic() - started, 1)
        out["data_page_says"] = said(page)
        out["trained"] = train(page)
        out["train_page_says"] = said(page)
        if out["trained"]:
            go_to_page(page, "Predict", "Predict")
            idle(page)
            out["predict_page_says"] = said(page)
        out["seconds"] = round(time.monotonic() - started, 1)
        out["peak_mb"] = round(memory.peak, 0)
        out["after_mb"] = round(memory.settled(), 0)
        out["cache_mb"] = cache_mb(server.url)
        context.close()
        out["session_closed_mb"] = round(closed(server.url, memory), 0)
        out["cache_closed_mb"] = cache_mb(server.url)
    return out


def one_csv_session(browser, url: str, path: Path) -> object:
    """Upload, train, predict and download; the context stays open (the session lives)."""
    context, page = new_page(browser, url)
    upload(page, path, sum(1 for _ in path.open()) - 1, 3)  # rows: the lines but the header
    train(page)
    go_to_page(page, "Predict", "Predict")
    with page.expect_download(timeout=STEP_TIMEOUT_MS) as download:
        page.get_by_role("button", name="Predictions (CSV)").click()
    download.value.delete()
    idle(page)
    return context


def run_csv(folder: Path, sessions: int, same_file: bool) -> dict[str, Any]:
    paths = [big_csv(folder, 0 if same_file else k) for k in range(sessions)]
    out: dict[str, Any] = {"file_mb": round(paths[0].stat().st_size / 1e6, 1), "sessions": []}
    with server_and_browser("csv") as (browser, server, memory):
        # a whole session on a small table first: torch, the CSV reader, the charts and the
        # download are loaded once per process, not once per session
        one_csv_session(browser, server.url, big_csv(folder, seed=99, rows=10_000)).close()
        before = closed(server.url, memory)
        out["warm_mb"] = round(before, 0)
        contexts = []
        for path in paths:
            memory.reset_peak()
            started = time.monotonic()
            contexts.append(one_csv_session(browser, server.url, path))
            seconds = time.monotonic() - started
            after = memory.settled()
            out["sessions"].append(
                {
                    "seconds": round(seconds, 1),
                    "peak_mb": round(memory.peak, 0),
                    "after_mb": round(after, 0),
                    "cost_mb": round(after - before, 0),
                }
            )
            before = after
        out["cache_mb"] = cache_mb(server.url)
        for context in contexts:
            context.close()
        out["all_closed_mb"] = round(closed(server.url, memory), 0)
        out["cache_closed_mb"] = cache_mb(server.url)
        # one more learner on the server the others left: is their memory used again?
        path = big_csv(folder, 0 if same_file else sessions)
        one_csv_session(browser, server.url, path).close()
        out["next_session_mb"] = round(closed(server.url, memory) - out["all_closed_mb"], 0)
    return out


def metrics(url: str, family: str) -> str:
    with urllib.request.urlopen(f"{url}/_stcore/metrics?families={family}", timeout=30) as r:
        return r.read().decode()


def cache_mb(url: str) -> float:
    """What st.cache_data holds, by Streamlit's own count (pickled bytes), in MB."""
    text = metrics(url, "cache_memory_bytes")
    rows = re.findall(r"^cache_memory_bytes\{([^}]*)\} (\d+)", text, re.MULTILINE)
    return round(sum(int(n) for labels, n in rows if "st_cache_data" in labels) / MB, 1)


def closed(url: str, memory: Memory, timeout: float = 120.0) -> float:
    """RSS once the server has no session left (it keeps a closed one for a moment)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"^active_sessions (\d+)", metrics(url, "active_sessions"), re.M)
        if found and int(found[1]) == 0:
            break
        time.sleep(0.5)  # polling interval of the metrics endpoint
    return memory.settled()


def report_wide(r: dict[str, Any]) -> bool:
    """The wide table: refused with the limit said. At the limit: trained, no exception."""
    rows, columns = r["shape"]
    print(f"\n== {rows:,} x {columns:,} Parquet, {r['file_mb']} MB")
    print(f"idle server {r['idle_mb']:.0f} MB; peak {r['peak_mb']:.0f} MB")
    print(f"upload to Data page {r['data_page_s']} s; to the end {r['seconds']} s")
    print(
        f"after {r['after_mb']:.0f} MB; session closed {r['session_closed_mb']:.0f} MB; "
        f"st.cache_data holds {r['cache_mb']} MB with the session, {r['cache_closed_mb']} without"
    )
    print(f"Train pressed: {r['trained']}")
    pages = ("data_page_says", "train_page_says", "predict_page_says")
    texts = [t for where in pages for t in r.get(where, [])]
    for where in pages:
        for text in r.get(where, []):
            print(f"  {where.removesuffix('_says')}: {text}")
    exception = any(t.startswith("EXCEPTION") for t in texts)
    if columns - 1 > 100:
        said_limit = any("at most 100" in t for t in texts)
        met = said_limit and not exception and r["peak_mb"] < SERVER_LIMIT_MB
        target = "the limit said, no exception"
    else:
        met = r["trained"] and not exception and r["peak_mb"] < SERVER_LIMIT_MB
        target = "trained and predicted, no exception"
    print(f"target ({target}, peak < {SERVER_LIMIT_MB} MB): {_met(met)}")
    return met


def _met(met: bool) -> str:
    return "met" if met else "MISSED"


def report_csv(r: dict[str, Any]) -> bool:
    runs = r["sessions"]
    print(f"\n== csv: {CSV_ROWS:,} rows x 3, {r['file_mb']} MB; warm server {r['warm_mb']:.0f} MB")
    for i, s in enumerate(runs, 1):
        print(
            f"session {i}: {s['seconds']:6.1f} s, peak {s['peak_mb']:.0f} MB, "
            f"after {s['after_mb']:.0f} MB, cost {s['cost_mb']:+.0f} MB"
        )
    cost = statistics.median(s["cost_mb"] for s in runs)
    seconds = statistics.median(s["seconds"] for s in runs)
    peak = max(s["peak_mb"] for s in runs)
    print(f"median cost {cost:+.0f} MB a session, median {seconds:.1f} s; peak {peak:.0f} MB")
    print(
        f"all sessions closed: {r['all_closed_mb']:.0f} MB; st.cache_data holds "
        f"{r['cache_mb']} MB with the sessions, {r['cache_closed_mb']} MB without"
    )
    print(f"one more session after they all left: {r['next_session_mb']:+.0f} MB")
    met = cost <= SESSION_BUDGET_MB
    print(f"target (<= +{SESSION_BUDGET_MB} MB a session): {_met(met)}")
    r["median_cost_mb"], r["median_seconds"] = cost, seconds
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=("wide", "limit", "csv", "all"), default="all")
    parser.add_argument("--sessions", type=int, default=3, help="csv: sessions in turn")
    parser.add_argument(
        "--same-file", action="store_true", help="csv: every session uploads the same table"
    )
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for case, shape in (("wide", WIDE_SHAPE), ("limit", LIMIT_SHAPE)):
            if args.case in (case, "all"):
                results[case] = run_wide(Path(tmp), shape)
                results[f"{case}_met"] = report_wide(results[case])
        if args.case in ("csv", "all"):
            results["csv"] = run_csv(Path(tmp), args.sessions, args.same_file)
            results["csv_met"] = report_csv(results["csv"])
    print(json.dumps(results))


if __name__ == "__main__":
    main()
