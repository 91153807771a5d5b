"""Presets: each names real columns of its sample table, and each trains as it promises."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pandas as pd
import pytest

from linreg_core import run
from ui.presets import PRESETS, SAMPLE_DIR, get_preset, load_preset, preset_names

SEEDS = [p.name for p in PRESETS if p.published]
COMPARISONS = [p.name for p in PRESETS if not p.published and not p.lesson]


@pytest.mark.parametrize("name", preset_names())
def test_preset_names_numeric_columns_of_its_sample_table(name: str) -> None:
    df, preset = load_preset(name)
    written = pd.read_csv(SAMPLE_DIR / preset.csv)  # the file as pandas reads it, independently
    pd.testing.assert_frame_equal(df, written, check_dtype=False)
    cfg = preset.settings
    numeric = {c for c in written.columns if pd.api.types.is_numeric_dtype(written[c])}
    assert cfg.target in numeric
    assert cfg.features and set(cfg.features) <= numeric
    assert cfg.target not in cfg.features


def test_a_presets_settings_cannot_be_changed_in_place() -> None:
    _, preset = load_preset(SEEDS[0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        preset.settings.epochs = 5  # type: ignore[misc]
    assert get_preset(SEEDS[0]).settings.optimizers[0].lr == 0.01


def test_a_preset_is_found_by_its_key_and_an_unknown_name_lists_the_known_ones() -> None:
    assert get_preset("seed000") is get_preset("Seed 000: hours → money")
    with pytest.raises(KeyError, match="Known presets: Seed 000"):
        get_preset("Seed 999")


@pytest.mark.parametrize("name", SEEDS)
def test_seed_preset_reproduces_the_published_numbers_to_the_printed_digits(name: str) -> None:
    df, preset = load_preset(name)
    published = preset.published
    comp = run(df, preset.settings)
    history = comp.runs[0]
    digits = published.decimals
    assert history.epochs_run == published.epoch
    assert np.round(history.final_weights, digits).tolist() == list(published.weights)
    if published.bias is None:
        assert history.final_bias is None
    else:
        assert round(history.final_bias, digits) == published.bias
    if published.cost is not None:  # the cost printed at the last epoch, before its step
        assert round(float(history.train_loss[-1]), 6) == published.cost


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
    df, preset = load_preset(name)
    comp = run(df, preset.settings)
    assert [h.optimizer.name for h in comp.runs] == ["sgd", "momentum", "rmsprop", "adam"]
    best = comp.ols.mse
    for history in comp.runs:
        assert not history.diverged, history.label
        # RMSProp hovers near the minimum (its step does not shrink): 0.5% instead of 0.01%
        tol = 5e-3 if history.optimizer.name == "rmsprop" else 1e-4
        assert history.train_loss[-1] <= best * (1 + tol), history.label


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.key)
def test_a_presets_english_title_is_its_name_and_it_has_korean_words(preset) -> None:
    assert preset.title() == preset.title("en") == preset.name  # links and load_preset take it
    assert preset.title("ko") != preset.name
    assert any(hangul(ch) for ch in preset.description("ko"))
    assert not any(hangul(ch) for ch in preset.description("en") + preset.name)


def hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def test_published_numbers_are_labelled_in_korean() -> None:
    assert get_preset("seed003").published.table("ko") == {
        "에포크": "10",
        "W": "0.9999",
        "b": "편향 없음",
        "손실(cost)": "—",
    }
    assert str(get_preset("seed000").published.note).startswith("Printed as `Epoch 1000/1000")
    assert get_preset("seed000").published.note.in_language("ko").startswith("튜토리얼에는")
    assert copy.deepcopy(get_preset("seed001").published) == get_preset("seed001").published
