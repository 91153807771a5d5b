"""Watch it learn (Train page): one epoch slider that moves every view in the browser, one step
taken apart with its own numbers, each optimizer's internals over the epochs, and why the paths
differ, in words made from the run.

The slider is a Vega-Lite parameter shared by the views of one chart (ui.charts.watch_chart):
moving it redraws in the browser and never reruns the script. The frames hold the landscape's
sampled epochs (linreg_core.landscape.sample_epochs: every early one, then log-spaced), so
8 optimizers x 1,000 epochs stay a few thousand rows; at any slider epoch each optimizer is
drawn at its latest sampled epoch at or before it. Vega-Lite has no timer, so there is no
play button: the slider's arrow keys step it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import streamlit as st

from ui import charts, messages, tables
from ui import state as S

if TYPE_CHECKING:
    from linreg_core import Comparison
    from linreg_core.explain import OneStep

# words, in one place
SLIDER_HELP = (
    "Drag the epoch slider under the charts (or click it and use the arrow keys): every "
    "optimizer's point on the landscape, its line on the data and the cursor on the curves move "
    "to that epoch. {n} of the {epochs:,} epochs are drawn: every one up to {early}, then "
    "spaced further apart; between them each optimizer stays at the last one drawn."
)
SLIDER_HELP_ALL = (
    "Drag the epoch slider under the charts (or click it and use the arrow keys): every "
    "optimizer's point on the landscape, its line on the data and the cursor on the curves move "
    "to that epoch."
)
FIT_NOTE = "The lines are drawn along {feature}; the other features are held at their mean."
ONE_STEP_TITLE = "One step, with its numbers"
RUN_LABEL = "Optimizer"
EPOCH_LABEL = "Epoch"
LOG_SAYS = "The epoch log's line for this epoch: `{line}`"
HP_LINE = "Hyperparameters: {hp}"
COST_LINE = "Cost (training MSE) before the step: {cost:.6f}"
COL_QUANTITY = "quantity"
COL_BEFORE = "before"
COL_GRAD = "gradient"
COL_RATE = "effective lr"
COL_STEP = "step (after − before)"
COL_AFTER = "after"
STATE_BEFORE = "{name} before"
STATE_AFTER = "{name} after"
GRADIENT_HEAD = "**The gradient** (mean of the squared error's slope over the rows)"
ROWS_HEAD = "Each row's part of the gradient"
PARAM_HEAD = "# {name}"  # heads each parameter's lines in the update
UPDATE_HEAD = "**The update**, with the numbers put in"
INTERNALS_TITLE = "Inside each optimizer"
WHY_TITLE = "Why the paths differ"
GRAD_NORM = "gradient norm ‖g‖"
STEP_LENGTH = "step length ‖Δθ‖"
RATE_PANEL = "effective learning rate per parameter"
STATE_PANEL = "state norms (velocity, moments)"
PANELS = (GRAD_NORM, STEP_LENGTH, RATE_PANEL, STATE_PANEL)
CAP_GRAD = "Gradient norm, how steep the loss is where each optimizer stands: {pairs}."
CAP_STEP = "Step length, how far each epoch moved the parameters: {pairs}."
CAP_RATE = (
    "Effective learning rate on {name}, what its update multiplies by (SGD and Momentum use lr "
    "itself): {pairs}."
)
CAP_STATE = "State norms, the size of each optimizer's memory: {pairs}."
CAP_PAIR = "{label} {first} → {last}"
CAPTION_INTRO = "From epoch 1 to the last, on this data:"
NO_RATE = "None of these optimizers scales its learning rate, so that panel is empty."
# the sections' containers (CSS classes st-key-<key>, for the browser tests)
BOX_WHY, BOX_ONE_STEP, BOX_INTERNALS = "watch_why", "watch_one_step", "watch_internals"
MAX_WATCH_PARAMS = 4  # parameter curves under the slider's chart


def _g(value: float) -> str:
    return f"{float(value):.3g}"


# -- the frames the slider's chart draws ---------------------------------------------------------
def ticks(comp: Comparison) -> np.ndarray:
    """The epochs drawn (0 = the start), as the landscape samples them."""
    from linreg_core.landscape import sample_epochs

    last = max((h.epochs_run for h in comp.runs), default=0)
    return sample_epochs(last + 1)


def watch_frames(
    comp: Comparison, feature: int = 0, shown: tuple[int, ...] | None = None
) -> dict[str, pd.DataFrame]:
    """Every frame charts.watch_chart takes but the view: points, lines, now, params, each at
    the drawn epochs (ticks) up to the run's last (a run that diverged or was stopped ends early).
    shown: the landscape's parameters (positions in [w..., b]), as the View's plane.index.
    """
    epochs = ticks(comp)
    ds = comp.dataset
    d = len(ds.features)
    names = comp.param_names()
    shown_names = tables.shown_params(comp, MAX_WATCH_PARAMS)
    view_index = list(shown) if shown is not None else None
    points, lines, now = [], [], []
    lo, hi = float(np.nanmin(ds.X_train[:, feature])), float(np.nanmax(ds.X_train[:, feature]))
    if len(ds.X_test):
        lo = min(lo, float(np.nanmin(ds.X_test[:, feature])))
        hi = max(hi, float(np.nanmax(ds.X_test[:, feature])))
    xs = np.array([lo, hi])
    rows = np.tile(ds.X_train.mean(axis=0), (2, 1))
    rows[:, feature] = xs
    for h in comp.runs:
        at = epochs[epochs <= h.epochs_run]
        theta = h.params[at].astype(np.float64)  # (n, k)
        if view_index is not None:
            if len(view_index) == 2:
                x, y = theta[:, view_index[0]], theta[:, view_index[1]]
            else:
                x, y = theta[:, view_index[0]], np.full(len(at), np.nan)
            points.append(pd.DataFrame({"optimizer": h.label, "epoch": at, "x": x, "y": y}))
        ys = []
        for t in theta:
            w, b = comp.scaler.to_original(t[:d], t[d] if comp.config.bias else None)
            with np.errstate(over="ignore", invalid="ignore"):
                ys.append(rows @ w + (b or 0.0))
        line_y = np.asarray(ys)  # (n, 2)
        lines.append(
            pd.DataFrame(
                {
                    "optimizer": h.label,
                    "epoch": np.repeat(at, 2),
                    "x": np.tile(xs, len(at)),
                    "y": line_y.ravel(),
                }
            )
        )
        for name in shown_names:
            j = names.index(name)
            now.append(
                pd.DataFrame(
                    {
                        "optimizer": h.label,
                        "epoch": at,
                        "param": name,
                        "value": theta[:, j],
                    }
                )
            )
    return {
        "points": pd.concat(points, ignore_index=True) if points else pd.DataFrame(),
        "lines": pd.concat(lines, ignore_index=True),
        "now": pd.concat(now, ignore_index=True),
        "params": tables.params_frame(comp, shown_names),
    }


def watch_chart(comp: Comparison, domain: list[str], feature: int = 0):  # type: ignore[no-untyped-def]
    """The slider's chart for a comparison (see charts.watch_chart)."""
    view = comp.landscape(width=charts.LANDSCAPE_WIDTH, height=charts.LANDSCAPE_HEIGHT)
    frames = watch_frames(comp, feature, view.plane.index)
    if len(view.plane.names) == 1:  # a lone weight: its point sits on the cost curve
        pts = frames["points"]
        frames["points"] = pts.assign(y=view.plane.loss(pts[["x"]].to_numpy()))
    labels = messages.param_labels(comp)
    points, _ = tables.fit_frames(comp, feature)
    losses = tables.thin_epochs(tables.losses_frame(comp))
    return charts.watch_chart(
        int(ticks(comp)[-1]),
        losses[losses["split"] == "train"],
        view,
        frames["points"],
        points,
        frames["lines"],
        frames["params"],
        frames["now"],
        domain=domain,
        x_title=comp.dataset.features[feature],
        y_title=comp.dataset.target,
        land_titles=[labels[k] for k in view.plane.index],
    )


# -- the internals over the epochs ---------------------------------------------------------------
def internals_frame(comp: Comparison) -> pd.DataFrame:
    """optimizer, epoch, panel, series, value: gradient norm, step length, each parameter's
    effective learning rate (at most MAX_WATCH_PARAMS of them, as the curves) and each state's
    norm, at the landscape's sampled epochs."""
    from linreg_core.internals import EFFECTIVE_LR, internals
    from linreg_core.landscape import sample_epochs

    names = comp.param_names()
    shown = tables.shown_params(comp, MAX_WATCH_PARAMS)
    parts = []
    for h in comp.runs:
        if h.epochs_run == 0:
            continue
        keep = sample_epochs(h.epochs_run)
        epoch = keep + 1
        got = internals(h)

        def add(
            panel: str,
            series: str,
            values: np.ndarray,
            label: str = h.label,
            keep: np.ndarray = keep,
            epoch: np.ndarray = epoch,
        ) -> None:
            parts.append(
                pd.DataFrame(
                    {
                        "optimizer": label,
                        "epoch": epoch,
                        "panel": panel,
                        "series": series,
                        "value": values[keep],
                    }
                )
            )

        add(GRAD_NORM, "‖g‖", np.linalg.norm(got["grad"].astype(np.float64), axis=1))
        add(STEP_LENGTH, "‖Δθ‖", np.linalg.norm(got["step"].astype(np.float64), axis=1))
        if EFFECTIVE_LR in got:  # a wide model's: the parameters its curves show
            for name in shown:
                add(RATE_PANEL, name, got[EFFECTIVE_LR][:, names.index(name)])
        for state in h.state:
            add(STATE_PANEL, state, np.linalg.norm(got[state].astype(np.float64), axis=1))
    return pd.concat(parts, ignore_index=True)


def internals_captions(comp: Comparison, frame: pd.DataFrame) -> list[str]:
    """One sentence per panel: each optimizer's first and last value on this data."""

    def pairs(part: pd.DataFrame) -> str:
        out = []
        for label, g in part.groupby("optimizer", sort=False):
            values = g.sort_values("epoch")["value"].to_numpy(dtype=float)
            values = values[np.isfinite(values)]
            if len(values):
                out.append(CAP_PAIR.format(label=label, first=_g(values[0]), last=_g(values[-1])))
        return "; ".join(out)

    out = [
        CAP_GRAD.format(pairs=pairs(frame[frame["panel"] == GRAD_NORM])),
        CAP_STEP.format(pairs=pairs(frame[frame["panel"] == STEP_LENGTH])),
    ]
    rates = frame[frame["panel"] == RATE_PANEL]
    if len(rates):
        first = str(rates["series"].iloc[0])
        out.append(CAP_RATE.format(name=first, pairs=pairs(rates[rates["series"] == first])))
    else:
        out.append(NO_RATE)
    states = frame[frame["panel"] == STATE_PANEL]
    if len(states):
        named = states.assign(optimizer=states["optimizer"] + " " + states["series"])
        out.append(CAP_STATE.format(pairs=pairs(named)))
    return out


# -- one step, with its numbers ------------------------------------------------------------------
def step_table(one: OneStep) -> pd.DataFrame:
    """One row per quantity (before, gradient, the state before and after, effective lr, step,
    after), one column per parameter: a ledger that stays narrow however many states."""
    rows: dict[str, np.ndarray] = {COL_BEFORE: one.before, COL_GRAD: one.gradient}
    for name, values in one.state_before.items():
        rows[STATE_BEFORE.format(name=name)] = values
    for name, values in one.state_after.items():
        rows[STATE_AFTER.format(name=name)] = values
    if one.effective_lr is not None:
        rows[COL_RATE] = one.effective_lr
    rows[COL_STEP] = one.step
    rows[COL_AFTER] = one.after
    table = pd.DataFrame(
        np.array([np.asarray(v, dtype=np.float64) for v in rows.values()]), columns=one.names
    )
    table.insert(0, COL_QUANTITY, list(rows))
    return table


def _number_config(table: pd.DataFrame) -> dict:
    return {
        c: st.column_config.NumberColumn(c, format="%.6g")
        for c in table.columns
        if pd.api.types.is_numeric_dtype(table[c])
    }


@st.fragment
def one_step_section(comp: Comparison, domain: list[str]) -> None:
    """Pick an optimizer and an epoch; its step taken apart (linreg_core.explain)."""
    from linreg_core import LinRegError, report
    from linreg_core.explain import explain_step

    left, right = st.columns(2)
    label = left.selectbox(RUN_LABEL, domain, key=S.W_TRAIN_STEP_RUN)
    k = domain.index(label)
    history = comp.runs[k]
    if history.epochs_run == 0:
        st.info(f"{label} ran no epoch.")
        return
    epoch = right.number_input(
        EPOCH_LABEL,
        min_value=1,
        max_value=history.epochs_run,
        value=1,
        step=1,
        key=S.W_TRAIN_STEP_EPOCH.format(k=k),
    )
    try:
        one = explain_step(comp, k, int(epoch))
    except LinRegError as exc:
        messages.show_error(exc)
        return
    hp = ", ".join(f"{n} = {v}" for n, v in one.hyperparameters.items())
    st.caption(HP_LINE.format(hp=hp) + " · " + COST_LINE.format(cost=one.cost))
    table = step_table(one)
    st.dataframe(table, hide_index=True, column_config=_number_config(table))
    st.markdown(GRADIENT_HEAD)
    st.code("\n".join(one.gradient_lines), language=None, wrap_lines=True)
    if one.rows is not None:
        st.caption(ROWS_HEAD)
        st.dataframe(one.rows, hide_index=True, column_config=_number_config(one.rows))
    elif one.rows_note:
        st.caption(one.rows_note)
    st.markdown(UPDATE_HEAD)
    written = []
    for name, states, update in zip(one.names, one.state_lines, one.updates, strict=True):
        written += [PARAM_HEAD.format(name=name), *states, update, ""] if states else [update]
    st.code("\n".join(written).strip(), language=None, wrap_lines=True)
    st.caption(LOG_SAYS.format(line=report.log_line(history, one.epoch)))


# -- the section ---------------------------------------------------------------------------------
def watch_section(comp: Comparison, domain: list[str]) -> None:
    """The slider's chart, one step, the internals and why the paths differ."""
    from linreg_core.landscape import EARLY_EPOCHS
    from linreg_core.why import why

    chart = watch_chart(comp, domain)
    n = len(ticks(comp))
    last = max((h.epochs_run for h in comp.runs), default=0)
    if n < last + 1:
        st.caption(SLIDER_HELP.format(n=n, epochs=last, early=EARLY_EPOCHS))
    else:
        st.caption(SLIDER_HELP_ALL)
    charts.show(chart, width="content")
    if len(comp.dataset.features) > 1:
        st.caption(FIT_NOTE.format(feature=messages.escape_md(comp.dataset.features[0])))
    with st.container(key=BOX_WHY):
        st.markdown(f"**{WHY_TITLE}**")
        for finding in why(comp):
            st.markdown("- " + messages.escape_md(finding.text))
    with st.container(key=BOX_ONE_STEP):
        st.markdown(f"**{ONE_STEP_TITLE}**")
        one_step_section(comp, domain)
    with st.container(key=BOX_INTERNALS):
        st.markdown(f"**{INTERNALS_TITLE}**")
        frame = internals_frame(comp)
        charts.show(charts.internals_chart(frame, PANELS, domain), width="content")
        st.caption(CAPTION_INTRO)
        for sentence in internals_captions(comp, frame):
            st.caption("- " + messages.escape_md(sentence))
