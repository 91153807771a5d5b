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

from linreg_core.i18n import text
from ui import charts, i18n, messages, tables
from ui import state as S
from ui.i18n import say

if TYPE_CHECKING:
    from linreg_core import Comparison
    from linreg_core.explain import OneStep

# words: the catalog's [watch] section, rendered at draw time in the session's language
PARAM_HEAD = "# {name}"  # heads each parameter's lines in the update: code, not a sentence
# the internals' panels: their names in the frame (a data contract, English), titles from the
# catalog (watch.panel.<key>)
GRAD_NORM = "gradient norm ‖g‖"
STEP_LENGTH = "step length ‖Δθ‖"
RATE_PANEL = "effective learning rate per parameter"
STATE_PANEL = "state norms (velocity, moments)"
PANELS = (GRAD_NORM, STEP_LENGTH, RATE_PANEL, STATE_PANEL)
PANEL_KEYS = dict(zip(PANELS, ("grad", "step", "rate", "state"), strict=True))
# the one-step ledger's rows, in English in the frame, shown in the session's language
QUANTITIES = ("quantity", "before", "gradient", "effective_lr", "step", "after")
# the sections' containers (CSS classes st-key-<key>, for the browser tests)
BOX_WHY, BOX_ONE_STEP, BOX_INTERNALS = "watch_why", "watch_one_step", "watch_internals"
MAX_WATCH_PARAMS = 4  # parameter curves under the slider's chart
WATCH_EPOCHS = 200  # epochs drawn per optimizer at most: every one up to EARLY_EPOCHS, then
# log-spaced; 8 optimizers x 1,000 epochs send about a third of a megabyte


def _w(key: str, language: str | None = None, /, **params: object) -> str:
    """The [watch] section's sentence for key, in `language` (None: the session's)."""
    return text(f"watch.{key}", language or i18n.language(), **params)


def panel_titles(language: str | None = None) -> dict[str, str]:
    """Each internals panel's title in the language."""
    return {panel: _w(f"panel.{key}", language) for panel, key in PANEL_KEYS.items()}


def _g(value: float) -> str:
    return f"{float(value):.3g}"


# -- the frames the slider's chart draws ---------------------------------------------------------
def ticks(comp: Comparison) -> np.ndarray:
    """The epochs drawn (0 = the start): every one up to EARLY_EPOCHS, then log-spaced, at most
    WATCH_EPOCHS of them."""
    from linreg_core.landscape import sample_epochs

    last = max((h.epochs_run for h in comp.runs), default=0)
    return sample_epochs(last + 1, total=WATCH_EPOCHS)


def watch_frames(
    comp: Comparison, feature: int = 0, shown: tuple[int, ...] | None = None
) -> dict[str, pd.DataFrame]:
    """Every frame charts.watch_chart takes but the view and the rows, each at the drawn epochs
    (ticks) up to the run's last (a run that diverged or was stopped ends early): points (on
    the landscape), lines (x, y to x2, y2 along the feature), params (the shown parameters'
    values) and losses (the training MSE).
    shown: the landscape's parameters (positions in [w..., b]), as the View's plane.index.
    """
    epochs = ticks(comp)
    ds = comp.dataset
    d = len(ds.features)
    names = comp.param_names()
    shown_index = [names.index(n) for n in tables.shown_params(comp, MAX_WATCH_PARAMS)]
    view_index = list(shown) if shown is not None else None
    points, lines, params, losses = [], [], [], []
    lo, hi = float(np.nanmin(ds.X_train[:, feature])), float(np.nanmax(ds.X_train[:, feature]))
    if len(ds.X_test):
        lo = min(lo, float(np.nanmin(ds.X_test[:, feature])))
        hi = max(hi, float(np.nanmax(ds.X_test[:, feature])))
    rows = np.tile(ds.X_train.mean(axis=0), (2, 1))  # (2, d) an average row, twice
    rows[:, feature] = [lo, hi]
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
        for one in theta:
            w, b = comp.scaler.to_original(one[:d], one[d] if comp.config.bias else None)
            with np.errstate(over="ignore", invalid="ignore"):
                ys.append(rows @ w + (b or 0.0))
        ends = np.asarray(ys).reshape(len(at), 2)  # (n, 2) the line's y at lo and at hi
        lines.append(
            pd.DataFrame(
                {"optimizer": h.label, "epoch": at, "x": lo, "y": ends[:, 0], "x2": hi}
            ).assign(y2=ends[:, 1])
        )
        params.append(
            pd.DataFrame(
                {
                    "optimizer": h.label,
                    "epoch": np.tile(at, len(shown_index)),
                    "param": np.repeat([names[j] for j in shown_index], len(at)),
                    "value": theta[:, shown_index].T.ravel(),
                }
            )
        )
        trained = at[(at >= 1) & (at <= len(h.train_loss))]  # the loss after epoch 1, 2, ...
        losses.append(
            pd.DataFrame(
                {"optimizer": h.label, "epoch": trained, "loss": h.train_loss[trained - 1]}
            )
        )
    return {
        "points": pd.concat(points, ignore_index=True) if points else pd.DataFrame(),
        "lines": pd.concat(lines, ignore_index=True),
        "params": pd.concat(params, ignore_index=True),
        "losses": pd.concat(losses, ignore_index=True),
    }


def watch_chart(comp: Comparison, domain: list[str], feature: int = 0):  # type: ignore[no-untyped-def]
    """The slider's chart for a comparison (see charts.watch_chart), in the session's language."""
    view = comp.landscape(width=charts.LANDSCAPE_WIDTH, height=charts.LANDSCAPE_HEIGHT)
    frames = watch_frames(comp, feature, view.plane.index)
    if len(view.plane.names) == 1:  # a lone weight: its point sits on the cost curve
        pts = frames["points"]
        frames["points"] = pts.assign(y=view.plane.loss(pts[["x"]].to_numpy()))
    labels = messages.param_labels(comp)
    points, _ = tables.fit_frames(comp, feature)
    return charts.watch_chart(
        int(ticks(comp)[-1]),
        frames["losses"],
        view,
        frames["points"],
        points,
        frames["lines"],
        frames["params"],
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


def internals_captions(
    comp: Comparison, frame: pd.DataFrame, language: str | None = None
) -> list[str]:
    """One sentence per panel: each optimizer's first and last value on this data."""

    def pairs(part: pd.DataFrame) -> str:
        out = []
        for label, g in part.groupby("optimizer", sort=False):
            values = g.sort_values("epoch")["value"].to_numpy(dtype=float)
            values = values[np.isfinite(values)]
            if len(values):
                first, last = _g(values[0]), _g(values[-1])
                out.append(_w("cap_pair", language, label=label, first=first, last=last))
        return _w("cap_join", language).join(out)

    out = [
        _w("cap_grad", language, pairs=pairs(frame[frame["panel"] == GRAD_NORM])),
        _w("cap_step", language, pairs=pairs(frame[frame["panel"] == STEP_LENGTH])),
    ]
    rates = frame[frame["panel"] == RATE_PANEL]
    if len(rates):
        first = str(rates["series"].iloc[0])
        chosen = pairs(rates[rates["series"] == first])
        out.append(_w("cap_rate", language, name=first, pairs=chosen))
    else:
        out.append(_w("no_rate", language))
    states = frame[frame["panel"] == STATE_PANEL]
    if len(states):
        named = states.assign(optimizer=states["optimizer"] + " " + states["series"])
        out.append(_w("cap_state", language, pairs=pairs(named)))
    return out


# -- one step, with its numbers ------------------------------------------------------------------
def step_table(one: OneStep, language: str | None = None) -> pd.DataFrame:
    """One row per quantity (before, gradient, the state before and after, effective lr, step,
    after), one column per parameter: a ledger that stays narrow however many states. The
    first column and its rows are named in the language."""
    word = {q: _w(f"col.{q}", language) for q in QUANTITIES}
    rows: dict[str, np.ndarray] = {word["before"]: one.before, word["gradient"]: one.gradient}
    for name, values in one.state_before.items():
        rows[_w("state_before", language, name=name)] = values
    for name, values in one.state_after.items():
        rows[_w("state_after", language, name=name)] = values
    if one.effective_lr is not None:
        rows[word["effective_lr"]] = one.effective_lr
    rows[word["step"]] = one.step
    rows[word["after"]] = one.after
    table = pd.DataFrame(
        np.array([np.asarray(v, dtype=np.float64) for v in rows.values()]), columns=one.names
    )
    table.insert(0, word["quantity"], list(rows))
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
    from linreg_core.explain import explain_step, row_columns

    left, right = st.columns(2)
    label = left.selectbox(_w("run_label"), domain, key=S.W_TRAIN_STEP_RUN)
    k = domain.index(label)
    history = comp.runs[k]
    if history.epochs_run == 0:
        st.info(_w("no_epoch", label=label))
        return
    epoch = right.number_input(
        _w("epoch_label"),
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
    st.caption(_w("hp_line", hp=hp) + " · " + _w("cost_line", cost=one.cost))
    table = step_table(one)
    st.dataframe(table, hide_index=True, column_config=_number_config(table))
    st.markdown(_w("gradient_head"))
    st.code("\n".join(map(say, one.gradient_lines)), language=None, wrap_lines=True)
    if one.rows is not None:
        st.caption(_w("rows_head"))
        shown = one.rows.rename(columns=row_columns(one.names, i18n.language()))
        st.dataframe(shown, hide_index=True, column_config=_number_config(shown))
    elif one.rows_note:
        st.caption(say(one.rows_note))
    st.markdown(_w("update_head"))
    written = []
    for name, states, update in zip(one.names, one.state_lines, one.updates, strict=True):
        states = [say(line) for line in states]
        written += (
            [PARAM_HEAD.format(name=name), *states, say(update), ""] if states else [say(update)]
        )
    st.code("\n".join(written).strip(), language=None, wrap_lines=True)
    st.caption(_w("log_says", line=report.log_line(history, one.epoch)))


# -- the section ---------------------------------------------------------------------------------
def watch_section(comp: Comparison, domain: list[str]) -> None:
    """The slider's chart, one step, the internals and why the paths differ."""
    from linreg_core.landscape import EARLY_EPOCHS
    from linreg_core.why import why

    chart = watch_chart(comp, domain)
    n = len(ticks(comp))
    last = max((h.epochs_run for h in comp.runs), default=0)
    if n < last + 1:
        st.caption(_w("slider_help", n=n, epochs=last, early=EARLY_EPOCHS))
    else:
        st.caption(_w("slider_help_all"))
    charts.show(chart, width="content")
    if len(comp.dataset.features) > 1:
        st.caption(_w("fit_note", feature=messages.escape_md(comp.dataset.features[0])))
    with st.container(key=BOX_WHY):
        st.markdown(f"**{_w('why_title')}**")
        for finding in why(comp):
            st.markdown("- " + messages.escape_md(say(finding.text)))
    with st.container(key=BOX_ONE_STEP):
        st.markdown(f"**{_w('one_step_title')}**")
        one_step_section(comp, domain)
    with st.container(key=BOX_INTERNALS):
        st.markdown(f"**{_w('internals_title')}**")
        frame = internals_frame(comp)
        chart = charts.internals_chart(frame, PANELS, domain, titles=panel_titles())
        charts.show(chart, width="content")
        st.caption(_w("caption_intro"))
        for sentence in internals_captions(comp, frame):
            st.caption("- " + messages.escape_md(sentence))
