"""The pages' one way into the engine: the session's settings -> a cached comparison, with a
progress bar.

What training found is served from st.cache_data, so pressing Train again with the same table
and settings returns it at once instead of training again. The cache keeps the results without
the rows (linreg_core.compare.Trained: the histories, at most 32 MB with the engine's
MAX_HISTORY), keyed by a digest of the table: st.cache_data pickles what it keeps, and a
comparison with its rows was a third copy of an uploaded table per session, larger than the
cache's whole bound. The progress callback is an underscore argument (not part of the cache
key) and runs outside the cache's element recording: a cache hit replays the elements a cached
function drew, and a progress bar drawn from inside would point at a block of an earlier run
(CacheReplayClosureError).
"""

from __future__ import annotations

import contextvars
import hashlib
import math
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from linreg_core import RunConfig, prepare
from linreg_core.i18n import text
from ui import i18n, state

if TYPE_CHECKING:
    from linreg_core import Comparison, Dataset
    from linreg_core.compare import Trained

Progress = Callable[[int, int], None]  # (epochs done, epochs in all)


def frame_key(df: pd.DataFrame) -> str:
    """A digest of every cell, header and dtype (Streamlit's own hash samples big frames).

    Any frame the reader returns hashes: a column pandas cannot hash (cells holding lists or
    dicts) is hashed by its cells' text instead.
    """
    h = hashlib.sha256(repr((df.shape, list(df.columns), list(map(str, df.dtypes)))).encode())
    if isinstance(df.index, pd.RangeIndex):  # hashing it would materialise every position, and
        h.update(repr(df.index).encode())  # the index keeps them: 12 MB for 1.5 million rows
    else:
        h.update(pd.util.hash_pandas_object(df.index).to_numpy().tobytes())
    for i in range(df.shape[1]):
        column = df.iloc[:, i]
        try:
            digest = pd.util.hash_pandas_object(column, index=False)
        except TypeError:  # unhashable cells: lists, dicts
            digest = pd.util.hash_pandas_object(column.map(repr), index=False)
        h.update(digest.to_numpy().tobytes())
    return h.hexdigest()


class Stopped(Exception):
    """Training ended early (Stop, another click, or the tab closed); carries what it did.

    Raised out of the cached function so that a partial comparison is never cached."""

    def __init__(self, comparison: Comparison) -> None:
        super().__init__("training stopped early")
        self.comparison = comparison


def interrupted() -> bool:
    """Whether the session asked this script run to end: a click (a rerun request) or a closed
    tab (Streamlit requests a stop when the browser disconnects). Read from the script run's
    own request state, so training can stop cleanly and keep what it did."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    requests = getattr(get_script_run_ctx(), "script_requests", None)
    state = getattr(requests, "_state", None)  # Streamlit 1.67's ScriptRequests (pinned)
    return getattr(state, "name", "CONTINUE") in ("RERUN", "STOP")


# What the cache may hold, counted as Streamlit counts it: pickled bytes, which is what it keeps.
# Streamlit keeps a single value larger than the bound (it held 695 MB of one wide comparison);
# no entry here is that large, as the engine's MAX_HISTORY caps the histories at 32 MB.
CACHE_MAX_BYTES = 64 * 2**20


@st.cache_data(show_spinner=False, max_entries=32, max_size=CACHE_MAX_BYTES)
def _cached_training(
    table: str,
    test_table: str | None,
    cfg: RunConfig,
    _ds: Dataset,
    _progress: Progress | None,
    _fresh: list[Comparison],
) -> Trained:
    """Train cfg on _ds, the rows of the tables whose digests are table and test_table; the
    new comparison goes to _fresh (the caller's, with its rows), the rest to the cache."""
    from linreg_core.compare import compare  # torch: imported with the first training

    _use_the_cores()
    if _progress is not None:
        _progress(0, cfg.epochs * len(cfg.optimizers))  # says the run is fresh, not from cache
    comp = compare(_ds, cfg, progress=_progress, should_stop=interrupted)
    if any(h.cancelled for h in comp.runs):
        raise Stopped(comp)
    _fresh.append(comp)
    return comp.trained()


_WARMING = threading.Event()  # set once a server process has started importing the engine


def warm_up() -> None:
    """Import the engine's torch side in the background, once per server process, after the
    first page is drawn: the Start page needs no torch (a cold first page is drawn without it),
    and the first Train click then finds it loaded."""
    if not _WARMING.is_set():
        _WARMING.set()
        threading.Thread(target=_load_engine, name="warm-up", daemon=True).start()


def _load_engine() -> None:
    import linreg_core.compare  # noqa: F401  (torch, the optimizers' updates)

    _use_the_cores()


def _use_the_cores() -> None:
    """One torch thread per core (a Community Cloud container has 2): more threads than cores
    only make the small matrix products of training slower."""
    import os

    import torch

    threads = min(2, os.cpu_count() or 1)
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


class ProgressBar:
    """A progress callback drawn in a placeholder at most every `every` seconds; `fresh` says
    whether training ran (False: the result came from the cache)."""

    def __init__(self, every: float = 0.1) -> None:
        self.placeholder = st.empty()
        self.language = i18n.language()  # read now: the callback runs inside the cached function
        self.every, self.last, self.fresh = every, -math.inf, False
        caller = contextvars.copy_context()  # taken before the cached function sets its own
        self.callback: Progress = lambda done, total: caller.run(self._draw, done, total)

    def _draw(self, done: int, total: int) -> None:
        self.fresh = True
        if interrupted():  # drawing now would end the script before training keeps its work
            return
        now = time.perf_counter()
        if now - self.last >= self.every or done == total:
            self.last = now
            words = text("train.progress", self.language, done=done, total=total)
            self.placeholder.progress(done / total if total else 1.0, text=words)

    def clear(self) -> None:
        self.placeholder.empty()


def run_comparison(
    df: pd.DataFrame,
    cfg: RunConfig,
    test_df: pd.DataFrame | None = None,
    progress: ProgressBar | None = None,
) -> Comparison:
    """Train (or fetch from the cache) every optimizer of cfg on df.

    Raises LinRegError when the table does not fit the settings (e.g. a constant column), and
    Stopped, with what was trained, when the session asked the run to end.
    """
    from linreg_core.compare import Comparison

    ds = prepare(df, cfg, test_df)  # the rows, once; from the cache comes the rest
    fresh: list[Comparison] = []
    trained = _cached_training(
        frame_key(df),
        None if test_df is None else frame_key(test_df),
        cfg,
        ds,
        None if progress is None else progress.callback,
        fresh,
    )
    return fresh[0] if fresh else Comparison.of(ds, cfg, trained)


LOCK_WAIT = 5.0  # s: at most this long for a stopped run to hand over what it did


class Handover:
    """Per session: a lock held while it trains, and what a stopped run did.

    A click during training stops that script run and starts a new one at once; once stopped,
    the old run cannot write session state (every access raises Streamlit's stop), so it leaves
    its partial comparison here, on an object it fetched before training, and the new run takes
    it (take) after waiting for the lock.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stopped: Comparison | None = None

    def take(self) -> Comparison | None:
        """What a stopping run left, once it has left it (None if nothing)."""
        if self.lock.acquire(timeout=LOCK_WAIT):
            self.lock.release()
        stopped, self.stopped = self.stopped, None
        return stopped


def handover() -> Handover:
    """The session's Handover."""
    ss = st.session_state
    if state.HANDOVER not in ss:
        ss[state.HANDOVER] = Handover()
    return ss[state.HANDOVER]  # type: ignore[no-any-return]


def check_budget(df: pd.DataFrame, cfg: RunConfig) -> float:
    """The run's estimated seconds; a ConfigError naming the estimate and the fix when it is over
    the dashboard's limit (a classroom shares one server)."""
    from linreg_core import budget

    rows = max(1, round(len(df) * (1 - cfg.test_size)))
    return budget.check(rows, max(1, len(cfg.features)), cfg, budget.DASHBOARD_LIMIT)


def clear_cache() -> None:
    """Forget every cached comparison (tests that must train for themselves)."""
    _cached_training.clear()
