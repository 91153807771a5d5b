"""ui.run and ui.forms.training_settings: a form's values -> RunConfig, and a cached comparison
that is not retrained."""

from __future__ import annotations

import dataclasses
import gc
import pickle
import tracemalloc

import numpy as np
import pandas as pd
import pytest
from apptest_harness import SAMPLE_DATA
from streamlit.runtime.caching.cache_data_api import get_data_cache_stats_provider
from streamlit.testing.v1 import AppTest

from linreg_core import (
    MAX_FEATURES,
    ConfigError,
    LinRegError,
    OptimizerConfig,
    RunConfig,
    read_table,
    report,
)
from linreg_core.config import MAX_HISTORY
from ui import run
from ui.forms import training_settings

# the columns, split and scaling the Data and Normalise pages leave in the settings
COLUMNS = RunConfig(
    target="price_eok",
    features=("area_m2", "age_years"),
    normalize=True,
    test_size=0.25,
    seed=7,
)
FORM_OPTIMIZERS = [  # as ui.forms.optimizer_inputs returns them
    {"name": "sgd", "lr": 0.05},
    {"name": "adam", "lr": 0.1, "betas": [0.8, 0.99], "eps": 1e-6},
]


def settings(**form: object) -> RunConfig:
    """COLUMNS with the Train form's values (30 epochs, full batch, random start, no bias)."""
    values: dict = {"epochs": 30, "batch": 0, "init": "random", "bias": False, **form}
    optimizers = values.pop("optimizers", FORM_OPTIMIZERS)
    return training_settings(COLUMNS, optimizers, **values)


class Recorder:
    """Stands in for ui.run.ProgressBar: run_comparison only calls its callback."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []
        self.callback = lambda done, total: self.calls.append((done, total))


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    run.clear_cache()


def test_the_form_replaces_the_training_settings_and_keeps_columns_and_split() -> None:
    cfg = settings(batch=16)

    assert cfg.target == "price_eok" and cfg.features == ("area_m2", "age_years")
    assert cfg.normalize and not cfg.normalize_target
    assert (cfg.test_size, cfg.seed, cfg.epochs, cfg.batch_size) == (0.25, 7, 30, 16)
    assert (cfg.init, cfg.bias) == ("random", False)
    sgd, adam = cfg.optimizers
    assert (sgd.name, sgd.lr, sgd.momentum) == ("sgd", 0.05, None)
    assert (adam.name, adam.lr, adam.betas, adam.eps) == ("adam", 0.1, (0.8, 0.99), 1e-6)
    assert isinstance(adam.betas, tuple)  # the form's list becomes a tuple
    assert settings(batch=0).batch_size is None  # 0 on the form: full batch


def test_the_form_rejects_a_bad_value_with_the_cores_message() -> None:
    with pytest.raises(ConfigError, match=r"Invalid learning rate: 0\.0"):
        settings(optimizers=[{"name": "sgd", "lr": 0.0}])
    with pytest.raises(LinRegError, match="No optimizer chosen"):
        settings(optimizers=[])
    with pytest.raises(ConfigError, match="sgd has no hyperparameter 'betas'"):
        settings(optimizers=[{"name": "sgd", "lr": 0.1, "betas": (0.9, 0.999)}])


def test_settings_are_frozen_so_a_page_cannot_change_them_in_place() -> None:
    cfg = settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.epochs = 5  # type: ignore[misc]
    assert isinstance(cfg.features, tuple) and isinstance(cfg.optimizers, tuple)


def test_a_repeat_with_equal_inputs_is_served_from_the_cache() -> None:
    df = read_table(SAMPLE_DATA / "apartments.csv")
    bar = Recorder()
    first = run.run_comparison(df, settings(), None, bar)  # type: ignore[arg-type]
    assert bar.calls[0] == (0, 60) and bar.calls[-1] == (60, 60)  # 2 optimizers x 30 epochs

    again_bar = Recorder()
    again = run.run_comparison(df.copy(), settings(), None, again_bar)  # type: ignore[arg-type]

    assert again_bar.calls == []  # not trained again
    assert [h.seconds for h in again.runs] == [h.seconds for h in first.runs]
    np.testing.assert_array_equal(again.runs[1].weights, first.runs[1].weights)


def test_a_change_in_one_cell_of_a_big_table_trains_again() -> None:
    # Streamlit's own hash samples 10,000 of the rows of a table this long
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=60_000)})
    df["y"] = 3 * df["x"] + 1
    cfg = RunConfig(target="y", features=("x",), normalize=True, epochs=5)
    first = run.run_comparison(df, cfg)
    changed = df.copy()
    changed.loc[12_345, "y"] += 1000.0
    bar = Recorder()

    again = run.run_comparison(changed, cfg, None, bar)  # type: ignore[arg-type]

    assert run.frame_key(changed) != run.frame_key(df)
    assert bar.calls  # trained, not served from the cache
    # numpy's slope on the changed table, in z-score units (the fit is on z-scored x)
    x, y = changed["x"].to_numpy(), changed["y"].to_numpy()
    slope = np.polyfit(x, y, 1)[0] * x.std()
    assert again.ols.weights[0] == pytest.approx(slope, rel=1e-6)
    assert again.ols.weights[0] != first.ols.weights[0]


def test_the_tables_digest_keeps_nothing_the_size_of_the_table() -> None:
    df = pd.DataFrame({"x": np.zeros(1_000_000)})
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        run.frame_key(df)
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()

    assert kept < 100_000  # the row positions, materialised by hashing the index, are 8 MB


def cached_bytes() -> int:
    """What st.cache_data holds for ui.run, by Streamlit's own count (pickled bytes)."""
    stats = get_data_cache_stats_provider().get_stats().get("cache_memory_bytes", [])
    return sum(s.byte_length for s in stats if s.cache_name.startswith("ui.run."))


def test_the_cache_keeps_what_training_found_not_the_rows() -> None:
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"x": rng.normal(size=200_000)})
    df["y"] = 2 * df["x"] + rng.normal(size=200_000)
    cfg = RunConfig(target="y", features=("x",), normalize=True, test_size=0.2, epochs=10)
    first = run.run_comparison(df, cfg)

    assert cached_bytes() < 100_000  # the rows alone are 200,000 x 2 x 8 bytes = 3.2 MB

    bar = Recorder()
    again = run.run_comparison(df.copy(), cfg, None, bar)  # type: ignore[arg-type]
    assert bar.calls == []  # from the cache, with the rows put back
    np.testing.assert_array_equal(again.dataset.X_test, first.dataset.X_test)
    np.testing.assert_array_equal(again.runs[0].weights, first.runs[0].weights)
    assert (
        report.summary(again)
        .drop(columns="seconds")
        .equals(report.summary(first).drop(columns="seconds"))
    )


def test_the_largest_comparison_the_limits_allow_fits_the_cache_bound() -> None:
    # 100 features and b, 4 optimizers, as many epochs as MAX_HISTORY lets them have
    rng = np.random.default_rng(2)
    X = rng.normal(size=(150, MAX_FEATURES))
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(MAX_FEATURES)]).assign(y=X.sum(axis=1))
    optimizers = tuple(OptimizerConfig(n, lr=0.01) for n in ("sgd", "momentum", "rmsprop", "adam"))
    epochs = MAX_HISTORY // ((MAX_FEATURES + 1) * len(optimizers))
    cfg = RunConfig(target="y", normalize=True, epochs=epochs, optimizers=optimizers)

    run.run_comparison(df, cfg)

    # each value of history is a weight and a gradient, 8 bytes each
    assert 16 * MAX_HISTORY * 0.99 < cached_bytes() < run.CACHE_MAX_BYTES


def test_a_comparison_survives_pickling_as_cache_data_stores_it() -> None:
    df = read_table(SAMPLE_DATA / "hours_money.csv")
    cfg = dataclasses.replace(settings(), target="money", features=("hours",), test_size=0.0)
    comp = run.run_comparison(df, cfg)

    copy = pickle.loads(pickle.dumps(comp))

    assert copy.config == comp.config
    np.testing.assert_array_equal(copy.runs[1].train_loss, comp.runs[1].train_loss)
    np.testing.assert_array_equal(copy.runs[1].grad, comp.runs[1].grad)
    assert report.summary(copy).equals(report.summary(comp))


def _script() -> None:
    import streamlit as st

    from linreg_core import read_table
    from ui import run

    df = read_table(st.session_state["csv"])
    bar = run.ProgressBar()
    comp = run.run_comparison(df, st.session_state["cfg"], None, bar)
    st.session_state.setdefault("fresh", []).append(bar.fresh)
    bar.clear()
    st.write(f"W = {comp.runs[0].final_weights[0]:.4f}")


def test_a_progress_bar_drawn_during_training_does_not_break_a_cache_hit() -> None:
    # Elements drawn inside a cached function are replayed on a hit; the bar is drawn outside
    # it, so a hit must neither raise CacheReplayClosureError nor draw progress again.
    at = AppTest.from_function(_script, default_timeout=60)
    at.session_state["csv"] = str(SAMPLE_DATA / "hours_money.csv")
    at.session_state["cfg"] = dataclasses.replace(
        settings(), target="money", features=("hours",), test_size=0.0
    )
    at.run()
    assert not at.exception and at.session_state["fresh"] == [True]
    shown = at.markdown[0].value
    assert shown.startswith("W = ")

    at.run()

    assert not at.exception
    assert at.session_state["fresh"] == [True, False]  # the second came from the cache
    assert at.markdown[0].value == shown
