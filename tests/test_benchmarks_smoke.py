"""The full-batch benchmark's agreement check, on 1,000 generated rows (no timings here)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_fullbatch.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_fullbatch", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def test_engine_agrees_with_the_seed_style_loop_at_1k_rows(bench) -> None:
    diffs = bench.check_agreement(1_000, epochs=200)  # the plain loop, as the benchmark at 1k
    assert set(diffs) == set(bench.OPTIMIZERS)
    assert max(diffs.values()) <= bench.AGREE_RTOL, diffs


def test_fast_path_agrees_with_the_seed_style_loop(bench) -> None:
    diffs = bench.check_agreement(1_000, epochs=300, path="fast")
    assert max(diffs.values()) <= bench.AGREE_RTOL, diffs


def test_minibatch_agrees_with_the_seed_style_loop(bench) -> None:
    diffs = bench.check_agreement(1_000, epochs=2, batch_size=64)
    assert max(diffs.values()) <= bench.AGREE_RTOL, diffs


def test_generated_data_is_seeded(bench) -> None:
    a, b = bench.make_data(50, 3), bench.make_data(50, 3)
    assert list(a.columns) == ["x1", "x2", "x3", "y"]
    assert a.equals(b)
