"""The Train page's form: optimizers with their hyperparameters, epochs, batch, start and bias.

Every default and bound comes from the engine (the registry's hyperparameters, RunConfig's
limits); the form returns new settings, built in one place (training_settings), when Train is
pressed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import streamlit as st

from linreg_core import HYPERPARAMETERS, INITS, MAX_EPOCHS, OPTIMIZERS, OptimizerConfig, RunConfig
from ui import lesson
from ui import state as S
from ui.i18n import say, t

WIDTHS = [2, 1.4, 4]  # optimizer, learning rate, summary


def training_form(cfg: RunConfig) -> RunConfig | None:
    """The training settings in a form (edits wait for Train, so nothing reruns meanwhile).

    Returns the new settings when Train is pressed, else None; raises ConfigError (the old
    settings stay) when a value is out of range. Widget keys: ui.state.W_TRAIN_*; the button's
    is W_TRAIN_SUBMIT, whatever its label says in the session's language.
    """
    with st.form(S.W_TRAIN_FORM):
        optimizers = optimizer_inputs(cfg.optimizers)
        c1, c2, c3 = st.columns(3)
        epochs = c1.number_input(
            t("train.epochs"), 1, MAX_EPOCHS, cfg.epochs, step=100, key=S.W_TRAIN_EPOCHS
        )
        batch = c2.number_input(
            t("train.batch"),
            0,
            10_000_000,
            cfg.batch_size or 0,
            help=t("train.batch_help"),
            key=S.W_TRAIN_BATCH,
        )
        init = c3.radio(
            t("train.init"),
            INITS,
            index=INITS.index(cfg.init),
            horizontal=True,
            help=t("train.init_help"),
            key=S.W_TRAIN_INIT,
        )
        bias = st.checkbox(t("train.bias"), value=cfg.bias, key=S.W_TRAIN_BIAS)
        if not st.form_submit_button(
            t("train.submit"),
            type="primary",
            icon=":material/play_arrow:",
            key=S.W_TRAIN_SUBMIT,
        ):
            return None
    return training_settings(
        cfg, optimizers, epochs=int(epochs), batch=int(batch), init=str(init), bias=bool(bias)
    )


def training_settings(
    cfg: RunConfig,
    optimizers: Sequence[dict[str, Any]],
    *,
    epochs: int,
    batch: int,
    init: str,
    bias: bool,
) -> RunConfig:
    """The one builder from the form's values: cfg with the training part replaced."""
    return dataclasses.replace(
        cfg,
        optimizers=tuple(lesson.optimizer_settings(list(optimizers))),
        epochs=epochs,
        batch_size=batch or None,  # 0 on the form: full batch
        init=init,
        bias=bias,
    )


def optimizer_slots(
    chosen: Sequence[OptimizerConfig],
) -> list[tuple[str, int, OptimizerConfig | None]]:
    """(name, occurrence, settings) for each registry optimizer, one per time it is chosen.

    Unchosen ones appear once with None (so one can be added). A name chosen twice (e.g. sgd at
    two learning rates) gets two slots, 0 and 1.
    """
    slots: list[tuple[str, int, OptimizerConfig | None]] = []
    for name in OPTIMIZERS:
        mine = [o for o in chosen if o.name == name]
        for k, opt in enumerate(mine or [None]):
            slots.append((name, k, opt))
    return slots


def optimizer_inputs(chosen: Sequence[OptimizerConfig]) -> list[dict[str, Any]]:
    """Inside a form: a checkbox and lr per optimizer, other hyperparameters in an expander.

    Returns the chosen optimizers as OptimizerConfig keyword arguments. Widget keys:
    ui.state.W_TRAIN_USE and W_TRAIN_PARAM (param: lr, momentum, alpha, beta1, beta2, eps,
    weight_decay).
    """
    helps = [None, lesson.lr_help(), None]  # the boxes' labels are hidden: their help is here
    headers = [t("train.optimizer_header"), t("train.lr_header"), ""]
    for col, text, hint in zip(st.columns(WIDTHS), headers, helps, strict=True):
        col.markdown(f"**{text}**" if text else "", help=hint)
    rows: list[dict[str, Any]] = []
    for name, k, given in optimizer_slots(chosen):
        spec = OPTIMIZERS[name]
        left, middle, right = st.columns(WIDTHS, vertical_alignment="center")
        use = left.checkbox(
            spec.title if k == 0 else f"{spec.title} #{k + 1}",
            value=given is not None,
            key=S.W_TRAIN_USE.format(name=name, k=k),
        )
        value = lesson.lr_input(  # typed text: checked on Train, never refused silently
            middle,
            spec.title,
            given.lr if given is not None else S.DASHBOARD_LR,
            S.W_TRAIN_PARAM.format(param="lr", name=name, k=k),
        )
        right.caption(say(spec.summary))
        if use and (note := lesson.limit_note(name, value, given)):  # its stable lr, flagged
            right.markdown(note)
        rows.append({"name": name, "k": k, "use": use, "given": given, "lr": value})
    with st.expander(t("train.more")):
        st.caption(t("train.defaults"))
        for row in rows:
            if OPTIMIZERS[row["name"]].defaults:
                row.update(_hyperparameter_inputs(row["name"], row["k"], row["given"]))
    return [
        {key: v for key, v in row.items() if key not in ("use", "given", "k")}
        for row in rows
        if row["use"]
    ]


def _hyperparameter_inputs(name: str, k: int, given: OptimizerConfig | None) -> dict[str, Any]:
    """One row of number inputs for the optimizer's hyperparameters beside lr."""
    spec = OPTIMIZERS[name]
    values = (given or OptimizerConfig(name)).hyperparameters()
    fields: list[tuple[str, str, float]] = []  # (widget param, hyperparameter, value)
    for key in spec.defaults:
        if key == "betas":
            beta1, beta2 = values["betas"]
            fields += [("beta1", "betas", float(beta1)), ("beta2", "betas", float(beta2))]
        else:
            fields.append((key, key, float(values[key])))
    cols = st.columns([1.5, 1, 1, 1, 1], vertical_alignment="bottom")
    cols[0].markdown(f"**{spec.title}**" if k == 0 else f"**{spec.title}** #{k + 1}")
    out: dict[str, Any] = {}
    for col, (param, key, value) in zip(cols[1:], fields, strict=False):  # up to 4 a row
        bound = HYPERPARAMETERS[key]
        out[param] = col.number_input(
            param.replace("_", " "),
            min_value=bound.low,
            max_value=bound.high,
            value=value,
            format="%g",
            key=S.W_TRAIN_PARAM.format(param=param, name=name, k=k),
        )
    if "beta1" in out:
        out["betas"] = (out.pop("beta1"), out.pop("beta2"))
    return out
