"""ui.engine: session values -> RunConfig, and a cached comparison that is not retrained."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from apptest_harness import SAMPLE_DATA
from streamlit.testing.v1 import AppTest

from linreg_core import ConfigError, LinRegError, OptimizerConfig, read_table
from ui import engine
from ui import state as S


def values(**training: object) -> dict:
    """Session values as the Data, Normalise and Train pages leave them."""
    return {
        S.TARGET: "price_eok",
        S.FEATURES: ["area_m2", "age_years"],
        S.NORMALIZE: True,
        S.NORMALIZE_TARGET: False,
        S.TEST_SIZE: 0.25,
        S.SPLIT_SEED: 7,
        S.TRAINING: {
            "optimizers": [
                {"name": "sgd", "lr": 0.05},
                {"name": "adam", "lr": 0.1, "betas": [0.8, 0.99], "eps": 1e-6},
            ],
            "epochs": 30,
            "batch_size": None,
            "init": "random",
            "bias": False,
            **training,
        },
    }


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    engine._cached_run.clear()


def test_build_config_carries_every_session_value() -> None:
    cfg = engine.build_config(values(batch_size=16))

    assert cfg.target == "price_eok" and cfg.features == ("area_m2", "age_years")
    assert cfg.normalize and not cfg.normalize_target
    assert (cfg.test_size, cfg.seed, cfg.epochs, cfg.batch_size) == (0.25, 7, 30, 16)
    assert (cfg.init, cfg.bias) == ("random", False)
    assert cfg.optimizers == (
        OptimizerConfig("sgd", lr=0.05),
        OptimizerConfig("adam", lr=0.1, betas=(0.8, 0.99), eps=1e-6),
    )
    assert isinstance(cfg.optimizers[1].betas, tuple)


def test_build_config_rejects_a_bad_value_with_the_cores_message() -> None:
    bad = values(optimizers=[{"name": "sgd", "lr": 0.0}])

    with pytest.raises(ConfigError, match=r"Invalid learning rate: 0\.0"):
        engine.build_config(bad)
    with pytest.raises(LinRegError, match="No optimizer chosen"):
        engine.build_config(values(optimizers=[]))


def test_a_repeat_with_equal_inputs_is_served_from_the_cache() -> None:
    df = read_table(SAMPLE_DATA / "apartments.csv")
    calls: list[tuple[int, int]] = []
    first = engine.run_comparison(
        df, engine.build_config(values()), None, lambda d, t: calls.append((d, t))
    )
    assert calls and calls[-1] == (60, 60)
    calls.clear()

    again = engine.run_comparison(
        df.copy(), engine.build_config(values()), None, lambda d, t: calls.append((d, t))
    )

    assert calls == []  # not trained again
    assert [h.seconds for h in again.runs] == [h.seconds for h in first.runs]
    np.testing.assert_array_equal(again.runs[1].weights, first.runs[1].weights)


def test_a_change_in_one_cell_of_a_big_table_trains_again() -> None:
    # Streamlit's own hash samples 10,000 of the rows of a table this long
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=60_000)})
    df["y"] = 3 * df["x"] + 1
    cfg = engine.build_config(
        {**values(epochs=5), S.TARGET: "y", S.FEATURES: ["x"], S.TEST_SIZE: 0.0}
    )
    first = engine.run_comparison(df, cfg)
    changed = df.copy()
    changed.loc[12_345, "y"] += 1000.0

    again = engine.run_comparison(changed, cfg)

    assert engine.frame_key(changed) != engine.frame_key(df)
    assert again.ols.weights[0] != first.ols.weights[0]


def test_a_comparison_survives_pickling_as_cache_data_stores_it() -> None:
    df = read_table(SAMPLE_DATA / "hours_money.csv")
    cfg = engine.build_config(
        {**values(), S.TARGET: "money", S.FEATURES: ["hours"], S.TEST_SIZE: 0.0}
    )
    comp = engine.run_comparison(df, cfg)

    copy = pickle.loads(pickle.dumps(comp))

    assert copy.config == comp.config
    np.testing.assert_array_equal(copy.runs[1].train_loss, comp.runs[1].train_loss)
    assert copy.summary().equals(comp.summary())


def _script() -> None:
    import streamlit as st

    from linreg_core import read_table
    from ui import engine

    df = read_table(st.session_state["csv"])
    bar = st.progress(0.0)
    calls = st.session_state.setdefault("calls", [])
    comp = engine.run_comparison(
        df, st.session_state["cfg"], None, lambda d, t: (calls.append(d), bar.progress(d / t))
    )
    bar.empty()
    st.write(f"W = {comp.runs[0].final_weights[0]:.4f}")


def test_a_progress_bar_drawn_during_training_does_not_break_a_cache_hit() -> None:
    # Elements drawn inside a cached function are replayed on a hit; a bar made outside it
    # would raise CacheReplayClosureError then.
    at = AppTest.from_function(_script, default_timeout=60)
    at.session_state["csv"] = str(SAMPLE_DATA / "hours_money.csv")
    at.session_state["cfg"] = engine.build_config(
        {**values(), S.TARGET: "money", S.FEATURES: ["hours"], S.TEST_SIZE: 0.0}
    )
    at.run()
    assert not at.exception and at.session_state["calls"]
    shown = at.markdown[0].value
    at.session_state["calls"] = []

    at.run()

    assert not at.exception
    assert at.session_state["calls"] == []
    assert at.markdown[0].value == shown
