"""How long a run will take, estimated before it starts, and the limits that refuse a run too long
for a shared machine.

Costs per optimizer step, measured on a 2-core machine with linreg_core.compare.run: the
tutorials' float32 loop over the rows (up to PLAIN_MAX_ROWS rows, full or mini-batch) about 80
microseconds; a mini-batch step taken together with the other optimizers about 12 microseconds
plus 20 nanoseconds per row and parameter of the batch; a full-batch step from the statistics
about 10 microseconds, whatever the rows. Estimates are rough on purpose: they decide whether
to warn or refuse, never a number a test compares with a clock.
"""

from __future__ import annotations

import math

from linreg_core.config import PLAIN_MAX_ROWS, RunConfig
from linreg_core.errors import ConfigError, Said

STEP_SECONDS = 80e-6  # one step of the tutorials' float32 loop over the rows (torch)
BATCH_STEP_SECONDS = 12e-6  # one optimizer's mini-batch step, taken with the others
ELEMENT_SECONDS = 2e-8  # per row x parameter of a mini-batch
STATS_STEP_SECONDS = 10e-6  # one optimizer's full-batch step from the statistics
WARN_SECONDS = 20.0  # a run this long is announced with its estimate
PROGRESS_SECONDS = 5.0  # the command line reports progress on stderr for a run this long
DASHBOARD_LIMIT = 600.0  # s: the dashboard refuses a longer run (a classroom shares one server)
CLI_LIMIT = 300.0  # s: the command line asks for --allow-long beyond this


def steps(n_rows: int, cfg: RunConfig) -> int:
    """Optimizer steps of the whole comparison: epochs x batches per epoch x optimizers."""
    batches = 1 if cfg.batch_size is None else math.ceil(n_rows / cfg.batch_size)
    return cfg.epochs * max(1, batches) * len(cfg.optimizers)


def estimate_seconds(n_rows: int, n_features: int, cfg: RunConfig) -> float:
    """Rough wall time of a comparison on n_rows training rows with n_features features."""
    full_batch = cfg.batch_size is None or cfg.batch_size >= n_rows
    if not full_batch and n_rows > PLAIN_MAX_ROWS:
        batch = min(cfg.batch_size or n_rows, n_rows)
        per_step = BATCH_STEP_SECONDS + ELEMENT_SECONDS * batch * (n_features + 1)
        return steps(n_rows, cfg) * per_step
    if n_rows > PLAIN_MAX_ROWS and cfg.path != "plain":
        return steps(n_rows, cfg) * STATS_STEP_SECONDS + n_rows * n_features * 1e-8
    return steps(n_rows, cfg) * STEP_SECONDS


def duration(seconds: float) -> Said:
    """'40 s', '12 min', '3.5 h' or '2 days' (str() is English; in_language renders others)."""
    if seconds < 90:
        return Said("error.budget.seconds", n=max(seconds, 1))
    if seconds < 90 * 60:
        return Said("error.budget.minutes", n=seconds / 60)
    if seconds < 48 * 3600:
        return Said("error.budget.hours", n=seconds / 3600)
    return Said("error.budget.days", n=seconds / 86400)


def describe(n_rows: int, cfg: RunConfig) -> Said:
    """'4 optimizers x 1,000 epochs x 157 batches of 32 rows' (what makes a run long)."""
    count = len(cfg.optimizers)
    opt = Said(
        "error.budget.optimizers" if count > 1 else "error.budget.one_optimizer", count=count
    )
    if cfg.batch_size is not None and cfg.batch_size < n_rows:
        batches = math.ceil(n_rows / cfg.batch_size)
        return Said(
            "error.budget.in_batches",
            optimizers=opt,
            epochs=cfg.epochs,
            batches=batches,
            batch=cfg.batch_size,
        )
    return Said("error.budget.on_rows", optimizers=opt, epochs=cfg.epochs, rows=n_rows)


def check(
    n_rows: int, n_features: int, cfg: RunConfig, limit: float, *, extra_fix: object = ""
) -> float:
    """The estimate, or a ConfigError naming it and the fix when it is over `limit` seconds.

    extra_fix: words added to the fix (a str or a linreg_core.errors.Said), e.g. the command
    line's flag."""
    seconds = estimate_seconds(n_rows, n_features, cfg)
    if seconds > limit:
        raise ConfigError(
            "error.budget.too_long",
            estimate=duration(seconds),
            what=describe(n_rows, cfg),
            limit=duration(limit),
            extra_fix=extra_fix,
        )
    return seconds
