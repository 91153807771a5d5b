"""`streamlit run` that also notes when each script run starts and ends, for bench_classroom.py.

    python benchmarks/classroom_server.py TIMINGS streamlit_app.py --server.port 8501 ...

Everything after TIMINGS goes to `streamlit run`. Streamlit's ScriptRunner (not the app) is
wrapped so that every run appends a line to TIMINGS when it starts and when it ends:

    <time.monotonic()> start <session id> <page name>
    <time.monotonic()> end <session id> <page name> <ScriptRunnerEvent name>

time.monotonic() is the machine's CLOCK_MONOTONIC, the clock the benchmark reads too, so the
benchmark can say when the server itself finished a run, whatever the browsers were doing.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

from streamlit.runtime.scriptrunner import script_runner
from streamlit.runtime.scriptrunner.script_runner import ScriptRunner, ScriptRunnerEvent
from streamlit.web import cli


def page_name(pages_manager: Any, page_script_hash: str | None) -> str:
    """The page's name for its hash ("?" before st.navigation has registered the pages)."""
    info = pages_manager.get_pages().get(page_script_hash or "", {})
    return str(info.get("page_name") or "?").replace(" ", "_")


def record_runs(path: str) -> None:
    out = open(path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 (open while serving)
    lock = threading.Lock()

    def note(*fields: object) -> None:
        line = " ".join(map(str, (f"{time.monotonic():.6f}", *fields)))
        with lock:
            out.write(line + "\n")

    original_init = ScriptRunner.__init__
    original_finished = ScriptRunner._on_script_finished

    def __init__(self: ScriptRunner, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)

        def on_event(_sender: object, event: ScriptRunnerEvent, **data: Any) -> None:
            if event == ScriptRunnerEvent.SCRIPT_STARTED:
                name = page_name(self._pages_manager, data.get("page_script_hash"))
                note("start", self._session_id, name)

        self.on_event.connect(on_event, weak=False)

    def _on_script_finished(self: ScriptRunner, ctx: Any, event: Any, *args: Any) -> None:
        note(
            "end", self._session_id, page_name(ctx.pages_manager, ctx.page_script_hash), event.name
        )
        original_finished(self, ctx, event, *args)

    script_runner.ScriptRunner.__init__ = __init__  # type: ignore[method-assign]
    script_runner.ScriptRunner._on_script_finished = _on_script_finished  # type: ignore[method-assign]


def main() -> None:
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    record_runs(sys.argv[1])
    sys.argv = ["streamlit", "run", *sys.argv[2:]]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
