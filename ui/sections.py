"""Pieces of the Train and Predict pages that draw: the training form, the progress bar, a
page link that also works when a page runs alone, and sections that rerun on their own
(st.fragment: choosing a feature or a run there redraws only that section, not every chart).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from linreg_core import OPTIMIZERS, Comparison, report
from linreg_core.config import HYPERPARAMETER_LIMITS, INITS, MAX_EPOCHS
from ui import charts
from ui import state as S
from ui.session import escape_md
from ui.views import fit_frames, number_columns, typed_predictions


def page_link(page: str, label: str, icon: str | None = None) -> None:
    """st.page_link, or the page's name in words when the page runs on its own (tests)."""
    try:
        st.page_link(page, label=label, icon=icon)
    except StreamlitPageNotFoundError:  # the page runs on its own, without st.navigation
        st.markdown(f"Open **{label}** in the sidebar.")


class _Progress:
    """A progress callback for ui.engine: draws at most every `every` seconds, counts calls."""

    def __init__(self, bar: Any, every: float) -> None:
        self.bar, self.every, self.calls, self.last = bar, every, 0, -math.inf

    def __call__(self, done: int, total: int) -> None:
        self.calls += 1
        now = time.perf_counter()
        if now - self.last >= self.every or done == total:
            self.last = now
            self.bar.progress(done / total, text=f"Training… {done:,} of {total:,} epochs in all")


def progress_bar(every: float = 0.1) -> tuple[Any, _Progress]:
    """(placeholder, callback): a progress bar drawn in the placeholder as training goes on."""
    bar = st.empty()
    return bar, _Progress(bar, every)


# -- the training form ------------------------------------------------------------------------
def training_form(training: Mapping[str, Any]) -> dict[str, Any] | None:
    """The training settings in a form (edits wait for Train, so nothing reruns meanwhile).

    Returns the new TRAINING dict when Train is pressed, else None. Widget keys: ui.state.W_TRAIN_*.
    """
    with st.form(S.W_TRAIN_FORM):
        optimizers = optimizer_inputs(training["optimizers"])
        c1, c2, c3 = st.columns(3)
        epochs = c1.number_input(
            "Epochs (반복 횟수)",
            1,
            MAX_EPOCHS,  # the engine's limit, so a value beyond it never reaches a run
            int(training["epochs"]),
            step=100,
            key=S.W_TRAIN_EPOCHS,
        )
        batch = c2.number_input(
            "Batch size (0 = full batch, 전체 배치)",
            0,
            10_000_000,
            int(training["batch_size"] or 0),
            help="Full batch: one step per epoch on every row, as in the tutorials.",
            key=S.W_TRAIN_BATCH,
        )
        init = c3.radio(
            "Start (초기값)",
            INITS,
            index=INITS.index(training["init"]),
            horizontal=True,
            help="zeros: W = b = 0 as in the tutorials; random: nn.Linear's seeded start.",
            key=S.W_TRAIN_INIT,
        )
        bias = st.checkbox(
            "Fit a bias: y = Wx + b (편향 b)", value=bool(training["bias"]), key=S.W_TRAIN_BIAS
        )
        if not st.form_submit_button("Train", type="primary", icon=":material/play_arrow:"):
            return None
    return {
        "optimizers": optimizers,
        "epochs": int(epochs),
        "batch_size": int(batch) or None,
        "init": init,
        "bias": bias,
    }


def optimizer_slots(optimizers: Sequence[Mapping[str, Any]]) -> list[tuple[str, int, dict]]:
    """(name, occurrence, settings) for each registry optimizer, one per time it is chosen.

    Chosen ones carry their settings; unchosen ones appear once with {} (so one can be added).
    A name chosen twice (e.g. sgd at two learning rates) gets two slots, 0 and 1.
    """
    slots = []
    for name in OPTIMIZERS:
        chosen = [dict(o) for o in optimizers if o["name"] == name]
        for k, settings in enumerate(chosen or [{}]):
            slots.append((name, k, settings))
    return slots


def optimizer_inputs(optimizers: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Inside a form: a checkbox and lr per optimizer, other hyperparameters in an expander.

    Returns the chosen optimizers as TRAINING dicts. Widget keys: ui.state.W_TRAIN_USE and
    W_TRAIN_PARAM (param: lr, momentum, alpha, beta1, beta2, eps, weight_decay).
    """
    widths = [2, 1.4, 4]
    for col, text in zip(
        st.columns(widths), ["Optimizer", "Learning rate (학습률)", ""], strict=True
    ):
        col.markdown(f"**{text}**" if text else "")
    chosen: list[dict[str, Any]] = []
    for name, k, given in optimizer_slots(optimizers):
        spec = OPTIMIZERS[name]
        left, middle, right = st.columns(widths, vertical_alignment="center")
        use = left.checkbox(
            spec.title if k == 0 else f"{spec.title} #{k + 1}",
            value=bool(given),
            key=S.W_TRAIN_USE.format(name=name, k=k),
        )
        lr = middle.number_input(
            f"{spec.title} learning rate",
            min_value=1e-8,
            max_value=1e6,
            value=float(given.get("lr", 0.1)),
            format="%g",
            label_visibility="collapsed",
            key=S.W_TRAIN_PARAM.format(param="lr", name=name, k=k),
        )
        right.caption(spec.summary)
        chosen.append({"name": name, "lr": lr, "use": use, "given": given, "k": k})
    with st.expander("More hyperparameters: momentum, alpha, betas, eps, weight decay"):
        st.caption("Defaults are torch.optim's. 기본값은 torch.optim과 같습니다.")
        for entry in chosen:
            defaults = OPTIMIZERS[entry["name"]].defaults
            if defaults:
                entry.update(_hyperparameter_inputs(entry, defaults))
    return [
        {k: v for k, v in e.items() if k not in ("use", "given", "k")} for e in chosen if e["use"]
    ]


def _hyperparameter_inputs(entry: dict[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """One row of number inputs for the optimizer's hyperparameters beside lr."""
    given, k = entry["given"], entry["k"]
    fields: list[tuple[str, str, float]] = []
    for key, default in defaults.items():
        value = given.get(key)
        if key == "betas":
            betas = value if value is not None else default
            fields += [("beta1", "beta1", float(betas[0])), ("beta2", "beta2", float(betas[1]))]
        else:
            fields.append((key, key.replace("_", " "), float(default if value is None else value)))
    title = OPTIMIZERS[entry["name"]].title
    assert len(fields) <= 4, f"no room for {len(fields)} hyperparameters of {entry['name']}"
    cols = st.columns([1.5, 1, 1, 1, 1], vertical_alignment="bottom")
    cols[0].markdown(f"**{title}**" if k == 0 else f"**{title}** #{k + 1}")
    out: dict[str, float] = {}
    for col, (key, label, value) in zip(cols[1:], fields, strict=False):
        low, high, _, _ = HYPERPARAMETER_LIMITS["betas" if key.startswith("beta") else key]
        out[key] = col.number_input(
            label,
            min_value=low,
            max_value=high,
            value=value,
            format="%g",
            key=S.W_TRAIN_PARAM.format(param=key, name=entry["name"], k=k),
        )
    if "beta1" in out:
        out["betas"] = (out.pop("beta1"), out.pop("beta2"))
    return out


# -- sections that rerun on their own (st.fragment: a choice there redraws only them) ---------
@st.fragment
def fit_section(comp: Comparison, domain: list[str]) -> None:
    """The rows and every model's line along one feature, chosen when there are several."""
    features = list(comp.dataset.features)
    shown = features[0]
    if len(features) > 1:
        shown = st.selectbox("Feature on the x axis", features, key=S.W_TRAIN_FIT_FEATURE)
    points, lines = fit_frames(comp, features.index(shown))
    chart = charts.fit_chart(
        points, lines, x_title=shown, y_title=comp.dataset.target, domain=domain
    )
    st.altair_chart(chart, width="stretch")
    if len(features) > 1:
        st.caption(
            "Other features are held at their training mean, so the points scatter around the "
            "lines. 다른 특성은 학습 데이터 평균으로 고정했습니다."
        )


@st.fragment
def log_section(comp: Comparison, domain: list[str]) -> None:
    """The seed-style epoch log of one chosen run."""
    logged = st.selectbox("Run", domain, key=S.W_TRAIN_LOG_RUN)
    st.code("\n".join(report.epoch_log(comp.runs[domain.index(logged)])), language=None)
    space = "z-scored" if comp.config.normalize or comp.config.normalize_target else "original"
    st.caption(
        f"As the tutorials print it: W and b in the {space} units the model trains in, the cost "
        "before each epoch's step. `python -m linreg_core train` prints the same log. "
        "The summary above also gives the weights in the data's own units."
    )


@st.fragment
def typed_section(comp: Comparison) -> None:
    """A number per feature (starting at its training mean) and every model's prediction."""
    ds = comp.dataset
    cols = st.columns(4)
    x = [  # the mean, rounded to 4 significant digits
        cols[i % 4].number_input(
            escape_md(f), value=float(f"{m:.4g}"), format="%g", key=S.W_PREDICT_X.format(feature=f)
        )
        for i, (f, m) in enumerate(zip(ds.features, ds.X_train.mean(axis=0), strict=True))
    ]
    typed = typed_predictions(comp, x)
    st.dataframe(typed, hide_index=True, column_config=number_columns(typed))
    if comp.config.normalize:
        st.caption(
            "Type values in the data's own units; they are z-scored with the TRAINING rows' mean "
            "and std before the model sees them. 입력값은 학습 데이터의 평균·표준편차로 "
            "변환됩니다."
        )
