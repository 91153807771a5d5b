"""Presets: each names real columns of its sample table, and each trains as it promises."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from linreg_core import read_table, run
from linreg_core.data import numeric_columns
from ui.presets import PRESETS, get_preset, load_preset, preset_names, run_config, sample_path

SEEDS = [p.name for p in PRESETS if p.published]
COMPARISONS = [p.name for p in PRESETS if not p.published]


@pytest.mark.parametrize("name", preset_names())
def test_preset_names_numeric_columns_of_its_sample_table(name: str) -> None:
    df, settings = load_preset(name)
    pd.testing.assert_frame_equal(df, read_table(sample_path(get_preset(name).csv)))
    numeric = numeric_columns(df)
    assert settings["target"] in numeric
    assert settings["features"] and set(settings["features"]) <= set(numeric)
    assert settings["target"] not in settings["features"]
    assert run_config(settings).target == settings["target"]


def test_settings_are_fresh_copies_so_a_page_can_change_them() -> None:
    _, first = load_preset(SEEDS[0])
    first["training"]["optimizers"][0]["lr"] = 99.0
    first["features"].append("other")
    _, second = load_preset(SEEDS[0])
    assert second["training"]["optimizers"][0]["lr"] == 0.01
    assert second["features"] == ["hours"]


def test_a_preset_is_found_by_its_key_and_an_unknown_name_lists_the_known_ones() -> None:
    assert get_preset("seed000") is get_preset("Seed 000: hours → money")
    with pytest.raises(KeyError, match="Known presets: Seed 000"):
        get_preset("Seed 999")


@pytest.mark.parametrize("name", SEEDS)
def test_seed_preset_reproduces_the_published_numbers_to_the_printed_digits(name: str) -> None:
    df, settings = load_preset(name)
    published = settings["published"]
    comp = run(df, run_config(settings))
    history = comp.runs[0]
    digits = published["decimals"]
    assert history.epochs_run == published["epoch"]
    assert np.round(history.final_weights, digits).tolist() == published["weights"]
    if published["bias"] is None:
        assert history.final_bias is None
    else:
        assert round(history.final_bias, digits) == published["bias"]
    if published["cost"] is not None:  # the cost printed at the last epoch, before its step
        assert round(float(history.train_loss[-1]), 6) == published["cost"]


def test_published_numbers_are_shown_as_printed() -> None:
    assert get_preset("seed000").published.table() == {
        "epoch": "1000",
        "W": "29.5617",
        "b": "0.9963",
        "cost": "0.143077",
    }
    assert get_preset("seed003").published.table()["b"] == "no bias"


@pytest.mark.parametrize("name", COMPARISONS)
def test_apartment_presets_converge_with_every_optimizer(name: str) -> None:
    df, settings = load_preset(name)
    comp = run(df, run_config(settings))
    assert [h.optimizer.name for h in comp.runs] == ["sgd", "momentum", "rmsprop", "adam"]
    best = comp.ols.mse
    for history in comp.runs:
        assert not history.diverged, history.label
        # RMSProp hovers near the minimum (its step does not shrink): 0.5% instead of 0.01%
        tol = 5e-3 if history.optimizer.name == "rmsprop" else 1e-4
        assert history.train_loss[-1] <= best * (1 + tol), history.label
