"""The session's run history: every training is kept as an entry (its table, settings, loss
curves and summary, with a name the learner may edit), the last MAX_ENTRIES of them, so earlier
runs can be drawn over the current one (raw against z-scored, lr 0.1 against 0.01).

An entry keeps only what the overlay draws: the loss curves thinned to MAX_EPOCHS_KEPT epochs
per optimizer and the summary's numbers, a few kilobytes, never the run's full history, so a
session's memory stays bounded however often it trains.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from linreg_core import OPTIMUM_LABEL, RunConfig
from linreg_core.i18n import DEFAULT_LANGUAGE, text
from ui import i18n, state, tables
from ui.i18n import t
from ui.messages import escape_md, short

if TYPE_CHECKING:
    from linreg_core import Comparison

MAX_ENTRIES = 10  # the most recent trainings kept
MAX_EPOCHS_KEPT = 300  # per optimizer and split, on an entry's loss curves
COLUMNS = [0.7, 3.0, 2.2, 1.0]  # widths: overlay tick, name, what it trained, remove
HEADERS = ["history.col_show", "history.col_name", "history.col_about", None]  # catalog keys
SUMMARY = ["optimizer", "train MSE", "test MSE", "train R²", "epochs to 1% of optimum"]
_numbers = itertools.count(1)  # entry numbers, unique in the process


@dataclass(frozen=True)
class Entry:
    """One training of the session, as the overlay needs it."""

    number: int
    name: str
    data_name: str
    settings: RunConfig
    losses: pd.DataFrame  # optimizer, epoch, split, loss (the space it trained in)
    summary: pd.DataFrame  # SUMMARY's columns, one row per optimizer and least squares
    shown: bool = False  # drawn over the current run

    def label(self, optimizer: str) -> str:
        """The optimizer first, so a legend that shortens long labels still tells them apart."""
        return f"{optimizer} ({self.name})"


def default_name(cfg: RunConfig, language: str = DEFAULT_LANGUAGE) -> str:
    """'raw · sgd lr 1e-08' or 'z-score · sgd lr 0.1, adam lr 0.1 · 200 epochs', in `language`
    (the name is kept as written when the run is recorded; the learner may edit it)."""
    scaling = text("history.name_zscore" if cfg.normalize else "history.name_raw", language)
    runs = ", ".join(f"{o.name} lr {o.lr:g}" for o in cfg.optimizers[:3])
    if len(cfg.optimizers) > 3:
        runs += f" +{len(cfg.optimizers) - 3}"
    parts = [scaling, runs, text("history.name_epochs", language, epochs=cfg.epochs)]
    if cfg.batch_size is not None:
        parts.append(text("history.name_batch", language, batch=cfg.batch_size))
    return " · ".join(parts)


def entries() -> tuple[Entry, ...]:
    return st.session_state[state.HISTORY]  # type: ignore[no-any-return]


def record(comp: Comparison, data_name: str) -> None:
    """Keep comp as the newest entry (not again when it is the newest already)."""
    from linreg_core import report  # with the results, so torch is already loaded

    kept = entries()
    if kept and st.session_state[state.CURRENT_ENTRY] == id(comp):
        return
    entry = Entry(
        number=next(_numbers),
        name=default_name(comp.config, i18n.language()),
        data_name=data_name,
        settings=comp.config,
        losses=tables.thin_epochs(tables.losses_frame(comp), MAX_EPOCHS_KEPT),
        summary=report.summary(comp)[SUMMARY].reset_index(drop=True),
    )
    st.session_state[state.HISTORY] = (*kept, entry)[-MAX_ENTRIES:]
    st.session_state[state.CURRENT_ENTRY] = id(comp)
    st.session_state[state.CURRENT_NUMBER] = entry.number


def overlaid() -> list[Entry]:
    """The earlier entries the learner chose to draw over the current run."""
    current = st.session_state[state.CURRENT_NUMBER]
    return [e for e in entries() if e.shown and e.number != current]


def with_overlay(losses: pd.DataFrame) -> pd.DataFrame:
    """The current run's loss curves, then each overlaid entry's, labelled 'optimizer (name)'."""
    parts = [losses]
    for e in overlaid():
        parts.append(e.losses.assign(optimizer=e.losses["optimizer"].map(e.label)))
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else losses


def overlay_summary() -> pd.DataFrame | None:
    """The overlaid entries' summaries, one block per entry, with its name (None: none)."""
    shown = overlaid()
    if not shown:
        return None
    return pd.concat(
        [e.summary.assign(run=e.name, table=e.data_name) for e in shown], ignore_index=True
    )[["run", "table", *SUMMARY]]


def _set(number: int, **changes: object) -> None:
    """Change the entry with this number (its name, or whether it is overlaid)."""
    st.session_state[state.HISTORY] = tuple(
        dataclasses.replace(e, **changes) if e.number == number else e  # type: ignore[arg-type]
        for e in entries()
    )


def _rename(number: int, key: str) -> None:
    if name := str(st.session_state[key]).strip():
        _set(number, name=name)


def _toggle(number: int, key: str) -> None:
    _set(number, shown=bool(st.session_state[key]))


def _remove(number: int) -> None:
    st.session_state[state.HISTORY] = tuple(e for e in entries() if e.number != number)


def section() -> None:
    """The run history, newest first: an overlay tick, an editable name and a remove button."""
    current = st.session_state[state.CURRENT_NUMBER]
    for column, title in zip(st.columns(COLUMNS), HEADERS, strict=True):
        column.caption(t(title) if title else "")
    for e in reversed(entries()):
        tick, name, about, remove = st.columns(COLUMNS, vertical_alignment="center")
        if e.number == current:
            tick.caption(t("history.this_run"))
        else:
            key = state.W_TRAIN_OVERLAY.format(number=e.number)
            tick.checkbox(
                t("history.overlay"),
                value=e.shown,
                key=key,
                on_change=_toggle,
                args=(e.number, key),
                label_visibility="collapsed",
            )
        key = state.W_TRAIN_RUN_NAME.format(number=e.number)
        name.text_input(
            t("history.name_label"),
            value=e.name,
            key=key,
            max_chars=80,
            label_visibility="collapsed",
            on_change=_rename,
            args=(e.number, key),
        )
        runs = e.summary[e.summary["optimizer"] != OPTIMUM_LABEL]
        best = runs.loc[runs["train MSE"].idxmin()] if runs["train MSE"].notna().any() else None
        table = escape_md(short(e.data_name))  # a file's name is the learner's text
        about.caption(
            t(
                "history.best",
                table=table,
                mse=best["train MSE"],
                optimizer=escape_md(best["optimizer"]),
            )
            if best is not None
            else t("history.all_diverged", table=table)
        )
        remove.button(
            ":material/delete:",  # the icon alone fits a narrow column
            key=state.W_TRAIN_REMOVE_RUN.format(number=e.number),
            help=t("history.remove_help"),
            on_click=_remove,
            args=(e.number,),
        )
    st.caption(t("history.caption", n=MAX_ENTRIES))
    if (rows := overlay_summary()) is not None:
        rows = tables.shown(rows)  # headers in the session's language; the data keeps its own
        st.dataframe(rows, hide_index=True, column_config=tables.number_columns(rows))
