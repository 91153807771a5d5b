"""Time what a learner waits for, with the real server (`streamlit run`) and headless Chromium.

    python benchmarks/bench_browser.py [--repeat 3]

Run by hand, never by the test suite. Every repetition starts a new server (nothing cached,
torch not imported yet) and goes through, in one sequence:

1. cold first paint: the first visitor opens "/" on the new server; timed from the navigation
   until the Start page is complete (its title shown, the app idle, every preset's button
   visible). The server's start, from the process to /_stcore/health answering ok, is reported
   apart (the harness polls every 0.2 s, so that figure is 0.2 s coarse).
   Then, in the same tab, the "Apartments: 3 features" preset, timed like 2 and reported as
   extra: the first training on the server, which imports torch.
2. a second visitor opens "/" and clicks the one-feature apartments preset (apt_area): from the
   click until every chart is drawn. torch is imported by then, the run is not cached.
3. on that Train page, epochs set to 1001 + the repetition's number (a value no earlier run
   used, so the cache cannot answer), 4 optimizers: Train clicked until every chart is drawn;
4. the same with all 8 optimizers ticked;
5. 4 optimizers x 1,000 epochs at batch size 32;
6. a third visitor's first page ("/" until the Start page is complete, as in 1) on the server
   idle, then again while the second visitor trains 8 optimizers x (100,000 - repetition)
   epochs (full batch: in lockstep). The ratio of the medians is the target. Should the page
   refuse that run (its 10-minute budget), the epochs are halved until it is accepted; the
   results say what ran and whether it was still running when the page was complete.

"Every chart drawn", after a click (the whole condition, checked in this order):

- the caption of the run the click asked for is in the main area ("4 optimizer(s), 1,001
  epochs, ..."), so it is not the previous run's page;
- the app is idle: conftest.wait_for_app_idle (connected, script not running, no running icon,
  no skeleton), and no element of the main area is stale;
- the main area holds as many [data-testid=stVegaLiteChart] as the page draws (6: loss,
  landscape, parameters, fit, the epoch slider's and the internals), and Vega has drawn into
  each one's marks (canvas.marks or svg.marks) since the click. Streamlit updates a chart whose
  data changed in place, on the same canvas or SVG, so the marks being there proves nothing; a
  script added to every page before its own counts Vega's drawing (a canvas render ends with
  the 2D context's restore(); an SVG's marks change under a MutationObserver), and the wait
  needs a drawing after the click in every chart. The browser puts that on screen at its next
  frame, which is not waited for (a frame is 17 ms). When this was written, no chart drew again
  in the 2 s after the wait ended, and the counting took the page at most 11 ms per click.

Each click also reports when the caption was there, when the app was idle and when the charts
were drawn (seconds after the click), and the run's own time from its caption ("training
itself"): the rest is the page's and the browser's.

All waits are Playwright's (wait_for, wait_for_function, which polls on animation frames),
never sleeps; times are time.perf_counter() around the navigation or the click and the waits.
Each line gives the 1-minute load average when it was taken: the benchmark's own server and
Chromium load the machine too, but a load well above 2 (two cores) before it starts means
other work shares the CPU and the numbers are noisy. Output: one line per measurement, a
table of medians with min and max against each target, and last one JSON line with every
number (`... | tail -1 | jq .`). No screenshots; the servers' logs go to
artifacts/bench-browser/. Needs Debian's chromium on PATH (scripts/test.sh installs it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.conftest import (  # noqa: E402
    APP_IDLE_SELECTOR,
    CHROMIUM_ARGS,
    EXCEPTION_SELECTOR,
    RUNNING_ICON_SELECTOR,
    main_heading,
    streamlit_server,
    wait_for_app_idle,
)
from ui.presets import PRESETS  # noqa: E402

LOGS = ROOT / "artifacts" / "bench-browser"
STEP_TIMEOUT_MS = 60_000  # one page or one run of 8 x 1,000 epochs on 2 shared cores
LONG_RUN_TIMEOUT_MS = 900_000  # the long run, up to the page's 10-minute budget and then some
EXTRA = ("nesterov", "adagrad", "adamw", "gd-manual")  # beyond the presets' four
LONG_EPOCHS = 100_000  # the page's largest
TRAIN_CHARTS = 6  # loss, landscape, parameters, fit, the epoch slider's, the internals
SUBMIT = '[data-testid="stFormSubmitButton"] button'

# Runs before any of the page's scripts: numbers every drawing into a Vega chart's marks, and
# each chart keeps the number of its last. Streamlit has Vega draw some charts on a canvas and
# some as SVG (here the landscape on a canvas, the others as SVG), and updates a chart whose data
# changed in place, so neither the canvas nor the SVG being there says the new data is drawn.
# A canvas: Vega's canvas renderer ends each render with the 2D context's restore(). An SVG:
# Vega's SVG renderer writes the marks' elements and attributes, seen by a MutationObserver.
DRAW_COUNTER_JS = """(() => {
    let draws = 0;
    window.__benchDraws = () => draws;
    const proto = CanvasRenderingContext2D.prototype;
    const restore = proto.restore;
    proto.restore = function (...args) {
        const canvas = this.canvas;
        if (canvas && canvas.classList && canvas.classList.contains('marks')) {
            canvas.__benchDraw = ++draws;
        }
        return restore.apply(this, args);
    };
    const svgOf = (node) => {
        const element = node.nodeType === 1 ? node : node.parentElement;
        return element ? element.closest('svg.marks') : null;
    };
    new MutationObserver((records) => {
        for (const record of records) {
            let svg = svgOf(record.target);
            if (!svg) {
                for (const added of record.addedNodes) {
                    if (added.nodeType !== 1) continue;
                    svg = added.matches('svg.marks') ? added : added.querySelector('svg.marks');
                    if (svg) break;
                }
            }
            if (svg) svg.__benchDraw = ++draws;
        }
    }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
})();"""

# The last part of "every chart drawn" (see the docstring), for page.wait_for_function.
CHARTS_DRAWN_JS = """([expected, since, idle, running]) => {
    const main = document.querySelector('[data-testid="stMain"]');
    if (!main || !document.querySelector(idle) || document.querySelector(running)) return false;
    if (main.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
    const charts = main.querySelectorAll('[data-testid="stVegaLiteChart"]');
    if (charts.length !== expected) return false;
    return Array.from(charts).every((chart) => {
        const marks = chart.querySelector('canvas.marks, svg.marks');
        return marks !== null && (marks.__benchDraw || 0) > since;
    });
}"""

TRAINED_SECONDS = re.compile(r"epochs, ([\d.]+) s\.")  # the run's own time, in its caption


def load1() -> float:
    return os.getloadavg()[0]


def caption(optimizers: int, epochs: int) -> re.Pattern[str]:
    """The Train page's caption of a finished run with these numbers."""
    return re.compile(rf"^{optimizers} optimizer\(s\), {epochs:,} epochs, [\d.]+ s\.$")


@dataclass
class Click:
    """A click timed to every chart drawn; phases: seconds after the click at which the caption
    was shown, the app was idle and the charts were drawn."""

    seconds: float
    trained: float  # the run's own seconds, from its caption
    phases: list[float]


@dataclass
class Target:
    """One line of the table: samples in seconds (or a ratio), the load beside each."""

    name: str
    limit: float | None  # the target, None: reported only
    unit: str = "s"
    note: str = ""
    samples: list[float] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)
    trained: list[float] = field(default_factory=list)  # the run's own seconds (its caption)
    phases: list[list[float]] = field(default_factory=list)  # caption, idle, drawn (s)

    def add(self, rep: int, value: float) -> None:
        self._add(rep, value, "")

    def add_click(self, rep: int, click: Click) -> None:
        self.trained.append(click.trained)
        self.phases.append(click.phases)
        caption_s, idle_s, drawn_s = click.phases
        self._add(
            rep,
            click.seconds,
            f"  (caption {caption_s:.2f}, idle {idle_s:.2f}, drawn {drawn_s:.2f}; "
            f"training itself {click.trained:.2f} s)",
        )

    def _add(self, rep: int, value: float, extra: str) -> None:
        self.samples.append(value)
        self.loads.append(load1())
        print(
            f"  rep {rep}: {self.name}: {value:.3f} {self.unit}{extra}  "
            f"[load {self.loads[-1]:.2f}]",
            flush=True,
        )

    def summary(self) -> dict[str, object]:
        out: dict[str, object] = {
            "samples": [round(v, 4) for v in self.samples],
            "load1": [round(v, 2) for v in self.loads],
            "target": self.limit,
            "unit": self.unit,
        }
        if self.samples:
            out |= {
                "median": round(statistics.median(self.samples), 4),
                "min": round(min(self.samples), 4),
                "max": round(max(self.samples), 4),
            }
        if self.trained:
            out["training_s"] = self.trained
            out["phases_s"] = [[round(v, 4) for v in p] for p in self.phases]
        if self.limit is not None and self.samples:
            out["met"] = statistics.median(self.samples) <= self.limit
        return out


TARGETS = {
    "server": Target("server start (process -> health ok)", None),
    "cold": Target("1. cold first paint (/ -> Start complete)", 2.5),
    "first_train": Target("   first training on the server (apt_three preset)", None),
    "preset": Target("2. apt_area preset: click -> every chart drawn", 1.5),
    "epochs4": Target("3. Train, 4 opt x 1,00N epochs", 1.0),
    "epochs8": Target("4. Train, 8 opt x 1,00N epochs", 1.5),
    "batch32": Target("5. Train, 4 opt x 1,000 epochs, batch 32", None, note="old: 8.6 s"),
    "idle_page": Target("6a. first page, server idle", None),
    "busy_page": Target("6b. first page while 8 opt x 100,000 epochs train", None),
    "ratio": Target("6. 6b / 6a (per repetition)", 2.0, unit="x"),
}
LONG_RUNS: list[dict[str, object]] = []  # what the long run of each repetition was
PROBLEMS: list[str] = []  # what made a measurement unreliable


def note(rep: int, text: str) -> None:
    PROBLEMS.append(f"rep {rep}: {text}")
    print(f"  rep {rep}: NOTE {text}", flush=True)


@contextmanager
def new_page(browser, url: str):
    """A fresh context (its own cache and cookies: a new visitor) and page, drawing counted."""
    context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    context.add_init_script(DRAW_COUNTER_JS)
    try:
        yield context.new_page()
    finally:
        context.close()


def check_page(page, rep: int, what: str) -> None:
    """Stop the repetition when the page shows an exception; note a run served from the cache."""
    if page.locator(EXCEPTION_SELECTOR).count():
        texts = page.locator(EXCEPTION_SELECTOR).all_inner_texts()
        raise RuntimeError(f"{what}: the page shows an exception: {texts}")
    if page.get_by_text("from the cache, not retrained").count():
        note(rep, f"{what}: the run came from the cache")


def open_start(page) -> float:
    """Seconds from the navigation to "/" until the Start page is complete."""
    started = time.perf_counter()
    page.goto("/")
    main_heading(page, "LinReg Lab").wait_for(state="visible")
    wait_for_app_idle(page, STEP_TIMEOUT_MS)
    for preset in PRESETS:
        page.locator(f".st-key-w_start_preset_{preset.key} button").wait_for(state="visible")
    return time.perf_counter() - started


def every_chart_drawn(
    page, ran: re.Pattern[str], charts: int, since: int, timeout_ms: int
) -> tuple[str, list[float]]:
    """Wait until every chart of the run whose caption matches ran is drawn (see the docstring).

    Returns that caption and the perf_counter() times at which the caption was shown, the app
    was idle and the charts were drawn.
    """
    shown = page.get_by_test_id("stMain").get_by_text(ran).first
    shown.wait_for(state="visible", timeout=timeout_ms)
    times = [time.perf_counter()]
    wait_for_app_idle(page, timeout_ms)
    times.append(time.perf_counter())
    page.wait_for_function(
        CHARTS_DRAWN_JS,
        arg=[charts, since, APP_IDLE_SELECTOR, RUNNING_ICON_SELECTOR],
        timeout=timeout_ms,
    )
    times.append(time.perf_counter())
    return shown.inner_text(), times


def draws(page) -> int:
    """How many times the page has drawn into a chart's marks so far."""
    return int(page.evaluate("window.__benchDraws()"))


def timed_click(page, button, ran: re.Pattern[str], charts: int) -> Click:
    """Click, then wait until every chart of the run is drawn."""
    since = draws(page)
    started = time.perf_counter()
    button.click()
    text, times = every_chart_drawn(page, ran, charts, since, STEP_TIMEOUT_MS)
    match = TRAINED_SECONDS.search(text)
    return Click(
        seconds=times[-1] - started,
        trained=float(match.group(1)) if match else float("nan"),
        phases=[t - started for t in times],
    )


def set_number(page, key: str, value: int) -> None:
    box = page.locator(f".st-key-{key} input")
    box.fill(str(value))
    box.press("Tab")  # the number input takes the value when it loses focus


def tick(page, name: str, on: bool) -> None:
    """Tick or untick an optimizer's checkbox in the Train form."""
    slot = page.locator(f".st-key-w_train_use_{name}_0")
    if slot.locator("input").is_checked() != on:
        slot.locator("label").click()
    if slot.locator("input").is_checked() != on:
        raise RuntimeError(f"the checkbox of {name} did not change")


def start_long_run(page, rep: int) -> tuple[int, int]:
    """Press Train with 8 optimizers x the largest epochs the page accepts: (the epochs, the
    drawing count before the click)."""
    epochs = LONG_EPOCHS - rep
    for name in EXTRA:
        tick(page, name, True)
    set_number(page, "w_train_batch", 0)
    while True:
        set_number(page, "w_train_epochs", epochs)
        since = draws(page)
        page.locator(SUBMIT).click()
        refused = page.get_by_test_id("stMain").get_by_text("the limit is")
        started = page.locator(".st-key-w_train_stop button")
        started.or_(refused).first.wait_for(state="visible")
        if not refused.count():
            page.get_by_test_id("stProgress").wait_for(state="visible")  # training is under way
            return epochs, since
        note(rep, f"8 x {epochs:,} epochs refused: {refused.first.inner_text()}")
        wait_for_app_idle(page, STEP_TIMEOUT_MS)
        epochs //= 2


def repetition(browser, rep: int) -> None:
    """One new server and every measurement on it, in the order of the docstring."""
    LOGS.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with streamlit_server(LOGS / f"server-{rep}.log") as server:
        TARGETS["server"].add(rep, time.perf_counter() - started)

        with new_page(browser, server.url) as first:
            TARGETS["cold"].add(rep, open_start(first))
            button = first.locator(".st-key-w_start_preset_apt_three button")
            TARGETS["first_train"].add_click(
                rep, timed_click(first, button, caption(4, 1000), TRAIN_CHARTS)
            )
            check_page(first, rep, "apt_three preset")

        with new_page(browser, server.url) as page:
            open_start(page)
            button = page.locator(".st-key-w_start_preset_apt_area button")
            TARGETS["preset"].add_click(
                rep, timed_click(page, button, caption(4, 1000), TRAIN_CHARTS)
            )
            check_page(page, rep, "apt_area preset")

            epochs = 1000 + rep
            set_number(page, "w_train_epochs", epochs)
            submit = page.locator(SUBMIT)
            TARGETS["epochs4"].add_click(
                rep, timed_click(page, submit, caption(4, epochs), TRAIN_CHARTS)
            )
            check_page(page, rep, "4 optimizers")

            for name in EXTRA:
                tick(page, name, True)
            TARGETS["epochs8"].add_click(
                rep, timed_click(page, submit, caption(8, epochs), TRAIN_CHARTS)
            )
            check_page(page, rep, "8 optimizers")

            for name in EXTRA:
                tick(page, name, False)
            set_number(page, "w_train_epochs", 1000)
            set_number(page, "w_train_batch", 32)
            TARGETS["batch32"].add_click(
                rep, timed_click(page, submit, caption(4, 1000), TRAIN_CHARTS)
            )
            check_page(page, rep, "batch 32")

            with new_page(browser, server.url) as visitor:
                idle = open_start(visitor)
            TARGETS["idle_page"].add(rep, idle)

            long_started = time.perf_counter()
            epochs, since = start_long_run(page, rep)
            with new_page(browser, server.url) as visitor:
                busy = open_start(visitor)
            still = page.locator(".st-key-w_train_stop").count() > 0
            progress = page.get_by_test_id("stProgress").all_inner_texts()
            TARGETS["busy_page"].add(rep, busy)
            if not still:
                note(rep, "the long run had ended before the visitor's page was complete")
            TARGETS["ratio"].add(rep, busy / idle)
            text, _ = every_chart_drawn(
                page, caption(8, epochs), TRAIN_CHARTS, since, LONG_RUN_TIMEOUT_MS
            )
            run = {
                "rep": rep,
                "ran": text,
                "wall_s": round(time.perf_counter() - long_started, 2),
                "running_when_visitor_done": still,
                "progress_then": progress[0] if progress else None,
            }
            LONG_RUNS.append(run)
            print(f"  rep {rep}: long run: {run}", flush=True)
            check_page(page, rep, "long run")


def table() -> None:
    print()
    print(f"{'measurement':52s} {'median':>8s} {'min':>8s} {'max':>8s}  {'target':>8s}  verdict")
    for t in TARGETS.values():
        if not t.samples:
            print(f"{t.name:52s} {'no data':>8s}")
            continue
        med, low, high = statistics.median(t.samples), min(t.samples), max(t.samples)
        goal = f"<= {t.limit:g}{t.unit}" if t.limit is not None else "report"
        verdict = "" if t.limit is None else ("met" if med <= t.limit else "MISSED")
        extra = f"  {t.note}" if t.note else ""
        if t.trained:
            extra += f"  (training itself {statistics.median(t.trained):.2f} s)"
        print(
            f"{t.name:52s} {med:8.3f} {low:8.3f} {high:8.3f}  {goal:>8s}  {verdict}"
            f"  load {min(t.loads):.2f}-{max(t.loads):.2f}{extra}"
        )
    idle, busy = TARGETS["idle_page"].samples, TARGETS["busy_page"].samples
    if idle and busy:
        ratio = statistics.median(busy) / statistics.median(idle)
        verdict = "met" if ratio <= 2.0 else "MISSED"
        print(f"{'6. median 6b / median 6a':52s} {ratio:8.3f}x {'':17s}  {'<= 2x':>8s}  {verdict}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="repetitions, a new server each")
    repeat = parser.parse_args().repeat
    executable = shutil.which("chromium")
    if executable is None:
        print("chromium is not on PATH: install Debian's chromium (scripts/test.sh does it)")
        return 2
    load_start = os.getloadavg()
    print(
        f"bench_browser: {repeat} repetitions, a new server each; {os.cpu_count()} cores; "
        f"load average at start {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}; "
        f"server logs in {LOGS.relative_to(ROOT)}/",
        flush=True,
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            for rep in range(1, repeat + 1):
                print(f"repetition {rep} [load {load1():.2f}]", flush=True)
                try:
                    repetition(browser, rep)
                except Exception as exc:  # a timeout or an exception: say it, go on
                    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                    note(rep, f"stopped: {type(exc).__name__}: {first_line}")
        finally:
            browser.close()
    table()
    if PROBLEMS:
        print("\nNotes:\n" + "\n".join(f"- {p}" for p in PROBLEMS))
    idle, busy = TARGETS["idle_page"].samples, TARGETS["busy_page"].samples
    print(
        json.dumps(
            {
                "benchmark": "bench_browser",
                "repeat": repeat,
                "cores": os.cpu_count(),
                "loadavg_start": [round(v, 2) for v in load_start],
                "loadavg_end": [round(v, 2) for v in os.getloadavg()],
                "results": {key: t.summary() for key, t in TARGETS.items()},
                "ratio_of_medians": (
                    round(statistics.median(busy) / statistics.median(idle), 3)
                    if idle and busy
                    else None
                ),
                "long_runs": LONG_RUNS,
                "notes": PROBLEMS,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
