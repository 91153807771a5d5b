"""The pages' one way into the engine: session values -> RunConfig, and a cached comparison.

run_comparison() is served from st.cache_data, so pressing Train again with the same table and
settings returns the stored result at once instead of training again. The progress callback is
an underscore argument (not part of the cache key) and runs outside the cache's element
recording: a cache hit replays the elements a cached function drew, and a progress bar drawn
from inside would point at a block of an earlier run (CacheReplayClosureError).
"""

from __future__ import annotations

import contextvars
import hashlib
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from linreg_core import Comparison, OptimizerConfig, RunConfig, run
from linreg_core.config import HYPERPARAMETER_LIMITS
from ui import state

Progress = Callable[[int, int], None]  # (epochs done, epochs in all)
HYPERPARAMETERS = tuple(k for k in HYPERPARAMETER_LIMITS if k != "lr")  # beside lr


def optimizer_config(entry: Mapping[str, Any]) -> OptimizerConfig:
    """One TRAINING optimizer dict -> OptimizerConfig (absent or None = registry default)."""
    given = {k: entry.get(k) for k in HYPERPARAMETERS}
    if given["betas"] is not None:
        given["betas"] = tuple(given["betas"])
    return OptimizerConfig(name=entry["name"], lr=entry.get("lr", 0.01), **given)


def build_config(values: Mapping[str, Any]) -> RunConfig:
    """The session's choices (st.session_state or a dict) -> the RunConfig of a run.

    Raises LinRegError (ConfigError) with a message for the learner when a value is out of range.
    """
    training = values[state.TRAINING]
    return RunConfig(
        target=values[state.TARGET],
        features=tuple(values[state.FEATURES] or ()),
        normalize=bool(values[state.NORMALIZE]),
        normalize_target=bool(values[state.NORMALIZE_TARGET]),
        test_size=float(values[state.TEST_SIZE]),
        bias=bool(training.get("bias", True)),
        init=training.get("init", "zeros"),
        seed=int(values[state.SPLIT_SEED]),
        epochs=int(training["epochs"]),
        batch_size=training.get("batch_size"),
        optimizers=tuple(optimizer_config(o) for o in training["optimizers"]),
    )


def frame_key(df: pd.DataFrame) -> str:
    """A digest of every cell, header and dtype (Streamlit's own hash samples big frames).

    Any frame the reader returns hashes: a column pandas cannot hash (cells holding lists or
    dicts) is hashed by its cells' text instead.
    """
    h = hashlib.sha256(repr((df.shape, list(df.columns), list(map(str, df.dtypes)))).encode())
    h.update(pd.util.hash_pandas_object(df.index).to_numpy().tobytes())
    for i in range(df.shape[1]):
        column = df.iloc[:, i]
        try:
            digest = pd.util.hash_pandas_object(column, index=False)
        except TypeError:  # unhashable cells: lists, dicts
            digest = pd.util.hash_pandas_object(column.map(repr), index=False)
        h.update(digest.to_numpy().tobytes())
    return h.hexdigest()


@st.cache_data(
    show_spinner=False,
    max_entries=32,
    max_size="256MB",  # a comparison holds its rows; a few big tables must not fill the server
    hash_funcs={pd.DataFrame: frame_key},
)
def _cached_run(
    df: pd.DataFrame, cfg: RunConfig, test_df: pd.DataFrame | None, _progress: Progress | None
) -> Comparison:
    return run(df, cfg, test_df, progress=_progress)


def _outside_cache(progress: Progress) -> Progress:
    """Call progress in the caller's context, outside the cached function's element recording."""
    caller = contextvars.copy_context()  # taken before the cached function sets its own

    def call(done: int, total: int) -> None:
        caller.run(progress, done, total)

    return call


def run_comparison(
    df: pd.DataFrame,
    cfg: RunConfig,
    test_df: pd.DataFrame | None = None,
    progress: Progress | None = None,
) -> Comparison:
    """Train (or fetch from the cache) every optimizer of cfg on df; progress gets (done, total).

    Raises LinRegError when the table does not fit the settings (e.g. a constant column).
    """
    return _cached_run(df, cfg, test_df, None if progress is None else _outside_cache(progress))
