"""The run history: every training is kept (the last ten), named after its settings and
renamable, drawable over the current run's losses, removable, kept across pages, and small."""

from __future__ import annotations

import pandas as pd
import pytest
from apptest_harness import (
    APP,
    DATA_PAGE,
    TIMEOUT,
    TRAIN_BUTTON,
    TRAIN_PAGE,
    loss_frame,
    table_with,
)
from streamlit.testing.v1 import AppTest

from ui import history
from ui import state as S

LINK = {
    "sample": "hours_money.csv",
    "target": "money",
    "features": "hours",
    "normalize": "true",
    "test_size": "0",
    "epochs": "40",
    "optimizers": ["sgd:lr=0.1"],
}


def _trained(**changes: str) -> AppTest:
    """A session opened on LINK (with changes), trained on the Train page."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({**LINK, **changes})
    at.run(timeout=TIMEOUT)
    at.switch_page(TRAIN_PAGE).run(timeout=TIMEOUT)
    assert not at.exception
    return at


def _train_with(at: AppTest, *, epochs: int | None = None, lr: float | None = None) -> None:
    if epochs is not None:
        at.number_input(key=S.W_TRAIN_EPOCHS).set_value(epochs)
    if lr is not None:
        at.text_input(key=S.W_TRAIN_PARAM.format(param="lr", name="sgd", k=0)).input(str(lr))
    at.button(key=TRAIN_BUTTON).click().run(timeout=TIMEOUT)
    assert not at.exception


def _names(at: AppTest) -> list[str]:
    return [e.name for e in at.session_state[S.HISTORY]]


def test_each_training_is_an_entry_named_after_its_settings():
    at = _trained()
    assert _names(at) == ["z-score · sgd lr 0.1 · 40 epochs"]
    _train_with(at, lr=0.01)
    assert _names(at) == ["z-score · sgd lr 0.1 · 40 epochs", "z-score · sgd lr 0.01 · 40 epochs"]
    at.run(timeout=TIMEOUT)  # a rerun shows the same comparison: no new entry
    assert len(_names(at)) == 2


def test_an_earlier_run_is_drawn_over_the_current_one_and_listed():
    at = _trained()
    _train_with(at, lr=0.01)
    first = at.session_state[S.HISTORY][0]
    at.checkbox(key=S.W_TRAIN_OVERLAY.format(number=first.number)).check().run(timeout=TIMEOUT)
    losses = loss_frame(at)
    labels = set(losses["optimizer"])
    assert labels == {"sgd", "sgd (z-score · sgd lr 0.1 · 40 epochs)"}
    earlier = losses[losses["optimizer"] == "sgd (z-score · sgd lr 0.1 · 40 epochs)"]
    now = losses[losses["optimizer"] == "sgd"]
    # lr 0.1 on z-scored rows descends faster than lr 0.01: compare the 40th epoch's losses
    assert earlier["loss"].iloc[-1] < now["loss"].iloc[-1]
    rows = table_with(at, "run")
    assert rows["run"].unique().tolist() == ["z-score · sgd lr 0.1 · 40 epochs"]
    assert rows["optimizer"].tolist() == ["sgd", "least squares"]


def test_a_run_is_renamed_and_removed():
    at = _trained()
    _train_with(at, epochs=20)
    first = at.session_state[S.HISTORY][0]
    at.text_input(key=S.W_TRAIN_RUN_NAME.format(number=first.number)).input("slow start").run(
        timeout=TIMEOUT
    )
    assert _names(at)[0] == "slow start"
    at.checkbox(key=S.W_TRAIN_OVERLAY.format(number=first.number)).check().run(timeout=TIMEOUT)
    assert "sgd (slow start)" in set(loss_frame(at)["optimizer"])
    at.button(key=S.W_TRAIN_REMOVE_RUN.format(number=first.number)).click().run(timeout=TIMEOUT)
    assert _names(at) == ["z-score · sgd lr 0.1 · 20 epochs"]
    assert set(loss_frame(at)["optimizer"]) == {"sgd"}


def test_the_history_survives_page_switches():
    at = _trained()
    at.switch_page(DATA_PAGE).run(timeout=TIMEOUT)
    at.switch_page(TRAIN_PAGE).run(timeout=TIMEOUT)
    assert _names(at) == ["z-score · sgd lr 0.1 · 40 epochs"]


@pytest.mark.slow
def test_fifty_trainings_keep_the_last_ten_and_little_memory():
    at = _trained(epochs="1000")
    for epochs in range(2, 52):
        _train_with(at, epochs=epochs * 10)
    kept = at.session_state[S.HISTORY]
    assert len(kept) == history.MAX_ENTRIES == 10
    assert [e.settings.epochs for e in kept] == [e * 10 for e in range(42, 52)]
    size = sum(
        e.losses.memory_usage(deep=True).sum() + e.summary.memory_usage(deep=True).sum()
        for e in kept
    )
    assert size < 1_000_000, size  # bytes: thinned curves and summaries, not full histories
    assert all(len(e.losses) <= 2 * history.MAX_EPOCHS_KEPT for e in kept)
    assert isinstance(kept[0].losses, pd.DataFrame)
