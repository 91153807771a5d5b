"""The Train page's learning-rate sweep: the chosen optimizers over a log grid of rates from one
start (the engine's sweep, the command line's call), with a progress bar; the final training
loss against the rate, each optimizer's stable limit drawn, and its best rate named.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import streamlit as st

from linreg_core import OPTIMIZERS, LinRegError, OptimizerConfig, RunConfig, prepare
from ui import state
from ui.i18n import say, t
from ui.lesson import LR, checked_lr, lr_help, lr_text, trained_curvature

if TYPE_CHECKING:
    import altair as alt

    from linreg_core.curvature import Curvature

SWEEP_POINTS = (3, 25, 13)  # (fewest, most, default) learning rates in the grid


def sweep_defaults(cfg: RunConfig) -> tuple[float, float]:
    """A grid around the chosen optimizers' stable limits (a thousandth of the smallest to ten
    times the largest), or 1e-4 to 1 when none has one; within the engine's bounds."""
    curv = trained_curvature(cfg)
    limits = [
        x
        for o in cfg.optimizers
        if curv is not None and (x := curv.lr_limit(o.name, o.hyperparameters())) is not None
    ]
    low, high = (min(limits) / 1000, max(limits) * 10) if limits else (1e-4, 1.0)
    return float(f"{max(low, LR.low):.1g}"), float(f"{min(high, LR.high):.1g}")


@st.fragment
def sweep_section(df: pd.DataFrame, cfg: RunConfig, test_df: pd.DataFrame | None) -> None:
    """The sweep's range, its button and progress bar, and the last sweep's chart and best
    rates (a fragment: editing the range or sweeping redraws only this section)."""
    from linreg_core.sweep import log_grid
    from ui import charts, messages

    ss = st.session_state
    st.subheader(t("sweep.title"))
    names = list(dict.fromkeys(say(OPTIMIZERS[o.name].title) for o in cfg.optimizers))
    st.caption(t("sweep.caption", names=", ".join(names)))
    low, high = sweep_defaults(cfg)
    a, b, c = st.columns(3)
    low_text = a.text_input(t("sweep.low"), lr_text(low), help=lr_help(), key=state.W_SWEEP_LOW)
    high_text = b.text_input(t("sweep.high"), lr_text(high), help=lr_help(), key=state.W_SWEEP_HIGH)
    fewest, most, usual = SWEEP_POINTS
    points = c.slider(t("sweep.points"), fewest, most, usual, key=state.W_SWEEP_POINTS)
    if st.button(t("sweep.button"), icon=":material/insights:", key=state.W_SWEEP_RUN):
        try:
            smallest = checked_lr(low_text, t("sweep.low_name"))
            largest = checked_lr(high_text, t("sweep.high_name"))
            run_sweep(df, cfg, test_df, log_grid(smallest, largest, points))
        except LinRegError as exc:  # the message says what to change; the last sweep stays
            messages.show_error(exc)
    kept = ss[state.SWEEP]
    if kept is None or kept[0] != sweep_settings(cfg):
        return
    done = kept[1]
    limits = sweep_limits(kept[0], done.comparison.curvature)
    chart = sweep_chart(sweep_frame(done.rows), limits, done.comparison.ols_mse())
    charts.show(chart, width="stretch")
    st.markdown(best_words(done.rows))


def sweep_settings(cfg: RunConfig) -> RunConfig:
    """cfg with each optimizer once (the sweep gives each every learning rate)."""
    seen: dict[str, OptimizerConfig] = {}
    for o in cfg.optimizers:
        seen.setdefault(o.name, o)
    return dataclasses.replace(cfg, optimizers=tuple(seen.values()))


def run_sweep(
    df: pd.DataFrame, cfg: RunConfig, test_df: pd.DataFrame | None, lrs: list[float]
) -> None:
    """The engine's sweep (the command line's call) with a progress bar; kept in the session."""
    from linreg_core.sweep import sweep, sweep_config
    from ui import run

    settings = sweep_settings(cfg)
    seconds = run.check_budget(df, sweep_config(settings, lrs))  # refuses a sweep too long
    del seconds
    bar = run.ProgressBar()
    done = sweep(
        prepare(df, settings, test_df), settings, lrs, bar.callback, should_stop=run.interrupted
    )
    bar.clear()
    st.session_state[state.SWEEP] = (settings, done)


def sweep_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """The sweep's rows for the chart: optimizer, lr, final training MSE, diverged."""
    frame = pd.DataFrame(rows)
    frame["train_mse"] = pd.to_numeric(frame["train_mse"], errors="coerce")
    bad = ~np.isfinite(frame["train_mse"]) | frame["diverged"].astype(bool)
    frame["diverged"] = bad
    return frame[["optimizer", "lr", "train_mse", "diverged", "epochs_to_1pct"]]


def sweep_limits(cfg: RunConfig, curv: Curvature) -> pd.DataFrame:
    """Each swept optimizer's stable limit on this curvature (rows only where one exists)."""
    rows = []
    for o in cfg.optimizers:
        limit = curv.lr_limit(o.name, o.hyperparameters())
        if limit is not None:
            label = t("sweep.limit_label", title=say(OPTIMIZERS[o.name].title), limit=limit)
            rows.append({"optimizer": o.name, "limit": limit, "label": label})
    return pd.DataFrame(rows, columns=["optimizer", "limit", "label"])


def sweep_chart(frame: pd.DataFrame, limits: pd.DataFrame, optimum: float) -> alt.LayerChart:
    """Final training MSE (log) against lr (log): one line per optimizer, a × at the top for a
    diverged run, a vertical rule at each stable limit and a dotted one at least squares' MSE.

    One dataset holds every run (column `shown`: its MSE, or the top of the chart if it
    diverged); the lines draw the runs that did not diverge, the crosses those that did.
    """
    import altair as alt

    from ui import charts

    color = charts.optimizer_color(charts.optimizer_domain(frame["optimizer"]))
    ok = frame.loc[~frame["diverged"], "train_mse"]
    top = float(ok.max()) * 3 if len(ok) else optimum * 10
    data = frame.assign(shown=frame["train_mse"].where(~frame["diverged"], top))
    data["train_mse"] = data["train_mse"].where(~data["diverged"], None)  # strict JSON
    base = alt.Chart(data).encode(
        x=alt.X("lr:Q", title=t("sweep.x_title"), scale=alt.Scale(type="log")),
        y=alt.Y("shown:Q", title=t("sweep.y_title"), scale=alt.Scale(type="log")),
        color=color,
        tooltip=[
            alt.Tooltip("optimizer:N", title=t("sweep.tip_optimizer")),
            alt.Tooltip("lr:Q", format=".3g"),
            alt.Tooltip("train_mse:Q", title=t("sweep.tip_mse"), format=".4g"),
            alt.Tooltip("epochs_to_1pct:Q", title=t("sweep.tip_epochs")),
            alt.Tooltip("diverged:N", title=t("sweep.tip_diverged")),
        ],
    )
    lines = base.transform_filter("!datum.diverged").mark_line(point=True)
    crosses = base.transform_filter("datum.diverged").mark_point(
        shape="cross", size=90, filled=True, angle=45
    )
    rules = (
        alt.Chart(limits)
        .mark_rule(strokeDash=[6, 4], strokeWidth=1.5)
        .encode(
            x="limit:Q", color=color, tooltip=[alt.Tooltip("label:N", title=t("sweep.tip_limit"))]
        )
    )
    labels = (
        alt.Chart(limits)
        .mark_text(angle=270, align="right", baseline="bottom", dx=-4, dy=-3)
        .encode(x="limit:Q", y=alt.value(0), text="label:N", color=color)
    )
    ref = alt.Chart(pd.DataFrame({"mse": [optimum], "label": [charts.optimum_mark()]}))
    floor = ref.mark_rule(color=charts.OPTIMUM_COLOR, strokeDash=[2, 3]).encode(
        y="mse:Q", tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("mse:Q", format=".4g")]
    )
    floor_label = ref.mark_text(
        align="left", baseline="bottom", dx=4, dy=-3, color=charts.OPTIMUM_COLOR
    ).encode(y="mse:Q", x=alt.value(0), text="label:N")
    return alt.layer(lines, crosses, rules, labels, floor, floor_label).properties(
        width="container", height=charts.HEIGHT
    )


def best_words(rows: list[dict[str, object]]) -> str:
    """Each optimizer's best learning rate in the sweep, in words (the engine's choice)."""
    from linreg_core.sweep import best_lrs

    parts = []
    for name, lr in best_lrs(rows).items():
        title = say(OPTIMIZERS[name].title)
        if lr is None:
            parts.append(t("sweep.best_all_diverged", title=title))
            continue
        row = next(r for r in rows if r["optimizer"] == name and r["lr"] == lr)
        epochs = row["epochs_to_1pct"]
        reach = (
            t("sweep.best_within", epochs=epochs)
            if isinstance(epochs, int)
            else t("sweep.best_final", mse=float(row["train_mse"]))  # type: ignore[arg-type]
        )
        parts.append(t("sweep.best_one", title=title, lr=lr, reach=reach))
    return t("sweep.best_head", parts="; ".join(parts))
