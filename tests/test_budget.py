"""The run-time estimate's arithmetic and the refusal of runs too long to share (no timings)."""

from __future__ import annotations

import pytest

from linreg_core import ConfigError, OptimizerConfig, RunConfig
from linreg_core.budget import check, describe, duration, estimate_seconds, steps

FOUR = tuple(OptimizerConfig(n) for n in ("sgd", "momentum", "rmsprop", "adam"))


def test_steps_count_epochs_batches_and_optimizers() -> None:
    full = RunConfig(target="y", epochs=1000, optimizers=FOUR)
    mini = RunConfig(target="y", epochs=10, batch_size=32, optimizers=FOUR)
    assert steps(640, full) == 4_000
    assert steps(640, mini) == 10 * 20 * 4
    assert steps(641, mini) == 10 * 21 * 4  # a last, shorter batch is a step too


def test_a_run_costs_more_with_more_steps_and_more_rows_a_step() -> None:
    base = RunConfig(target="y", epochs=1000)
    longer = RunConfig(target="y", epochs=2000)
    assert estimate_seconds(40, 1, base) < estimate_seconds(40, 1, longer)
    mini = RunConfig(target="y", epochs=10, batch_size=64)
    assert estimate_seconds(4000, 3, mini) < estimate_seconds(4000, 20, mini)
    # full batch from the statistics: a thousand times the rows is one more pass, not 1000x
    assert estimate_seconds(1_000_000, 3, base) < 10 * estimate_seconds(1_000, 3, base)


def test_durations_read_as_a_person_says_them() -> None:
    assert [str(duration(s)) for s in (0.2, 40, 720, 5400, 3 * 86400)] == [
        "1 s",
        "40 s",
        "12 min",
        "1.5 h",
        "3 days",
    ]


def test_a_run_over_the_limit_is_refused_with_the_estimate_what_makes_it_long_and_the_fix() -> None:
    cfg = RunConfig(target="y", epochs=100_000, batch_size=1, optimizers=FOUR)
    assert str(describe(5000, cfg)) == "4 optimizers x 100,000 epochs x 5,000 batches of 1 rows"
    # 4 x 100,000 x 5,000 = 2e9 mini-batch steps of 12 us + 20 ns x 1 row x 2 parameters: 6.7 h
    with pytest.raises(ConfigError, match=r"would take about 6\.7 h .* limit is 5 min\. Use fewer"):
        check(5000, 1, cfg, 300.0)
    assert check(5000, 1, RunConfig(target="y", epochs=10), 300.0) < 300.0
