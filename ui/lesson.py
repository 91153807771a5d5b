"""Z-score's lesson on the pages: learning rates typed as numbers (1e-9 included), each checked
against its optimizer's stable limit on the current data and scaling before training; a lesson
preset's raw and z-scored runs side by side; each run's advice beside its numbers; and the
Normalise page's curvature before and after z-scoring.

The curvature, the limits and the advice come from the engine (linreg_core.curvature, advice);
this module only lays them out and says them in words. Every string shown lives here, as a
constant or in a function that builds it from the numbers. The sweep is in ui/sweep.py.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from linreg_core import (
    HYPERPARAMETERS,
    OPTIMIZERS,
    ConfigError,
    LinRegError,
    OptimizerConfig,
    RunConfig,
    prepare,
)
from linreg_core.config import check_number
from ui import state

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

    from linreg_core import Comparison, History
    from linreg_core.curvature import Curvature

LR = HYPERPARAMETERS["lr"]
LR_HELP = (
    f"Any number from {LR.low:g} to {LR.high:g}, typed as it is: 0.01, 0.000001 or 1e-6 "
    "(= 10⁻⁶), 5e-11. Raw features in the tens of thousands need learning rates near 1e-10."
)
LR_PLACEHOLDER = "e.g. 0.01 or 1e-9"


def lr_text(lr: float) -> str:
    """A learning rate as the box shows it: 0.1, 0.0005, 1e-09 -> '1e-9'."""
    text = f"{lr:g}"
    mantissa, e, exponent = text.partition("e")
    return f"{mantissa}e{int(exponent)}" if e else text


def lr_input(col: DeltaGenerator, title: str, lr: float, key: str) -> str:
    """A text box for one optimizer's learning rate (inside the Train form).

    A text box, not a number box: a number box refuses a value outside its range in the
    browser (it turns red and keeps its last value), so Train would silently train the old
    settings. Here every typed value reaches the server, which trains it or says what is wrong.
    """
    return col.text_input(
        f"{title} learning rate",
        value=lr_text(lr),
        placeholder=LR_PLACEHOLDER,
        help=LR_HELP,
        label_visibility="collapsed",
        key=key,
    )


def checked_lr(text: Any, title: str) -> float:
    """The typed learning rate as a number; a ConfigError naming the optimizer, the value, the
    allowed range and the fix when it is not one the engine trains with."""
    typed = text.strip() if isinstance(text, str) else text  # a number: as it is
    if typed == "":
        raise ConfigError(f"{title}: no learning rate typed. {LR.fix}")
    try:
        return check_number(typed, LR)
    except ConfigError as exc:
        raise ConfigError(f"{title}: {exc}") from None


def optimizer_settings(rows: list[dict[str, Any]]) -> list[OptimizerConfig]:
    """The chosen rows of the form as OptimizerConfigs (lr checked first, with its title)."""
    return [
        OptimizerConfig(**{**row, "lr": checked_lr(row["lr"], OPTIMIZERS[row["name"]].title)})
        for row in rows
    ]


# -- the stable limits before training ----------------------------------------------------------
def curvatures(cfg: RunConfig | None = None) -> tuple[Curvature, Curvature] | None:
    """The training MSE's curvature on the session's rows, raw and z-scored (None when the
    table does not fit the settings; the pages say why). Kept per table and columns, so a page
    run computes it once."""
    ss = st.session_state
    cfg = cfg or state.settings()
    df, test_df = ss[state.DATA], ss[state.TEST_DATA]
    if df is None or not cfg.target or not cfg.features:
        return None
    about = (cfg.target, cfg.features, cfg.test_size, cfg.seed, cfg.bias)
    kept = ss[state.CURVATURE]
    if kept is not None and kept[0] is df and kept[1] is test_df and kept[2] == about:
        return kept[3]  # type: ignore[no-any-return]
    from linreg_core.compare import raw_and_zscored

    try:
        both = raw_and_zscored(prepare(df, cfg, test_df), cfg)
    except LinRegError:
        return None
    ss[state.CURVATURE] = (df, test_df, about, both)
    return both


def trained_curvature(cfg: RunConfig) -> Curvature | None:
    """The curvature of the space cfg trains in (z-scored or raw)."""
    both = curvatures(cfg)
    return None if both is None else both[1 if cfg.normalize else 0]


def space(cfg: RunConfig) -> str:
    return "z-scored features" if cfg.normalize else "raw features"


def limit_note(name: str, typed: Any, given: OptimizerConfig | None) -> str | None:
    """Markdown beside an optimizer's learning rate: its stable limit on the current data and
    scaling, flagged when the typed lr is above it (None: no closed form, or no data)."""
    cfg = state.settings()
    curv = trained_curvature(cfg)
    if curv is None:
        return None
    hp = (given or OptimizerConfig(name)).hyperparameters()
    limit = curv.lr_limit(name, hp)
    if limit is None:
        return None
    try:
        lr = checked_lr(typed, OPTIMIZERS[name].title)
    except ConfigError:
        lr = None
    if lr is not None and lr > limit:
        return (
            f":orange[:material/warning: **lr {lr:g} is above the stable limit {limit:.3g}** "
            f"({lr / limit:,.3g}× it) on these {space(cfg)}: expect it to diverge. Train it "
            "anyway to watch.]"
        )
    return f":gray[Stable up to lr {limit:.3g} on these {space(cfg)}.]"


# -- raw and z-scored side by side ---------------------------------------------------------------
SIDE_TITLE = "Raw and z-scored, side by side · 표준화 전후 비교"
SIDE_CAPTION = (
    "The same optimizer, learning rate, start and epochs on the raw features (left) and on the "
    "z-scored ones (right). Only the scale of the features differs."
)
SIDES = {False: "Raw features", True: "Z-scored features"}
LANDSCAPE_SIDE = (190, 210)  # px of plot (width, height): two panels fit side by side at 800 px


def lesson_wanted() -> bool:
    """Whether the session's preset is a lesson that shows raw and z-scored side by side."""
    from ui.presets import PRESETS

    name = st.session_state[state.PRESET]
    return any(p.lesson and name == p.name for p in PRESETS)


def fmt(value: float | None) -> str:
    """A number for a tile: 3 significant digits, or '—' when there is none."""
    return "—" if value is None else f"{value:.3g}"


def outcome(comp: Comparison, h: History, curv: Curvature) -> str:
    """One run's result in a sentence a student follows, from its numbers."""
    opt = h.optimizer
    title, lr = OPTIMIZERS[opt.name].title, opt.lr
    limit = curv.lr_limit(opt.name, opt.hyperparameters())
    where = (
        ""
        if limit is None
        else f" Its stable limit here is {limit:.3g}, lr is {lr / limit:.3g}× it."
    )
    if h.diverged:
        return (
            f"**{title} at lr {lr:g} diverged at epoch {h.diverged_at}**: the loss blew up.{where}"
        )
    if (epoch := comp.epochs_to_optimum(h)) is not None:
        return (
            f"**{title} at lr {lr:g} reached the least-squares loss** (within 1%) at epoch "
            f"{epoch:,} of {h.epochs_run:,}.{where}"
        )
    last, floor = float(h.train_loss[-1]), comp.ols.mse  # both in the trained space
    return (
        f"**{title} at lr {lr:g} is crawling**: after {h.epochs_run:,} epochs its loss is "
        f"{last:.4g}, {last / floor:,.3g}× the optimum's {floor:.4g}.{where}"
    )


def shape_words(curv: Curvature) -> str:
    """What the Hessian's eigenvalues say about the bowl's shape."""
    lo, hi = float(curv.eigenvalues[0]), curv.lmax
    cond = curv.condition_number
    if cond is None:
        return f"Curvatures {lo:.3g} to {hi:.3g}: some direction is flat (a singular Hessian)."
    text = f"Steepest curvature {hi:.3g}, flattest {lo:.3g}: condition number {cond:.3g}, "
    if cond < 10:
        return text + "a round bowl."
    return text + (
        f"a long, narrow valley. A step small enough for the steepest direction moves only "
        f"1/{cond:.3g} as far along the flattest."
    )


def conclusion(comps: dict[bool, Comparison], curvs: dict[bool, Curvature]) -> str:
    """The lesson in one paragraph, from the two sides' numbers."""
    raw, z = curvs[False], curvs[True]
    opt = comps[False].config.optimizers[0]
    title = OPTIMIZERS[opt.name].title
    text = (
        f"Z-scoring changed only the features' scale, and with it the loss bowl's shape: the "
        f"condition number went from {fmt(raw.condition_number)} to {fmt(z.condition_number)}."
    )
    lim_raw = raw.lr_limit(opt.name, opt.hyperparameters())
    lim_z = z.lr_limit(opt.name, opt.hyperparameters())
    if lim_raw is not None and lim_z is not None:
        text += (
            f" {title}'s stable learning rate went from {lim_raw:.3g} to {lim_z:.3g} "
            f"({lim_z / lim_raw:,.3g}× larger), so one lr of {opt.lr:g} "
        )
        raw_run, z_run = comps[False].runs[0], comps[True].runs[0]
        raw_did = "diverges" if raw_run.diverged else "crawls"
        z_did = "converges" if comps[True].epochs_to_optimum(z_run) is not None else "is slow"
        if raw_run.diverged or comps[False].epochs_to_optimum(raw_run) is None:
            text += f"{raw_did} on the raw features and {z_did} on z-scores."
        else:
            text += "suits both here."
    return text


def raw_vs_zscored(df: pd.DataFrame, cfg: RunConfig, test_df: pd.DataFrame | None) -> None:
    """Train cfg on raw and on z-scored features (from the cache when trained already) and draw
    both side by side: curvature, stable lr, each run's outcome and its landscape."""
    from ui import run

    both = curvatures(cfg)
    if both is None:
        return
    st.subheader(SIDE_TITLE)
    st.caption(SIDE_CAPTION)
    bar = run.ProgressBar()
    comps: dict[bool, Comparison] = {}
    try:
        for normalize in (False, True):
            side = dataclasses.replace(cfg, normalize=normalize, normalize_target=False)
            run.check_budget(df, side)
            comps[normalize] = run.run_comparison(df, side, test_df, bar)
    except (LinRegError, run.Stopped):
        bar.clear()
        return
    bar.clear()
    curvs = {False: both[0], True: both[1]}
    for col, normalize in zip(st.columns(2, gap="small"), (False, True), strict=True):
        comp, curv = comps[normalize], curvs[normalize]
        with col, st.container(key=f"lesson_side_{'z' if normalize else 'raw'}"):
            st.markdown(f"**{SIDES[normalize]}**")
            opt = comp.config.optimizers[0]
            limit = curv.lr_limit(opt.name, opt.hyperparameters())
            st.metric("Condition number", fmt(curv.condition_number))
            st.metric(f"Stable lr ({OPTIMIZERS[opt.name].title})", fmt(limit))
            for h in comp.runs:
                st.markdown(outcome(comp, h, curv))
            landscape_panel(comp, equal=True if normalize else None)  # z-scored: round
            st.caption(shape_words(curv))
    st.info(conclusion(comps, curvs), icon=":material/school:")


def landscape_panel(comp: Comparison, *, equal: bool | None = None) -> None:
    """One side's loss landscape (the Train page's own chart builder); equal: both axes at one
    scale (None: unless the bowl would be a line, as the builder chooses)."""
    from ui import charts, messages

    view = comp.landscape(width=LANDSCAPE_SIDE[0], height=LANDSCAPE_SIDE[1], equal=equal)
    titles = [messages.param_labels(comp)[k] for k in view.plane.index]
    domain = [h.label for h in comp.runs]
    if len(titles) == 1:
        chart = charts.cost_curve_chart(view, domain=domain, x_title=titles[0])
    elif len(titles) == 2:
        chart = charts.landscape_chart(view, domain=domain, x_title=titles[0], y_title=titles[1])
    else:
        return
    charts.show(chart, width="content")
    st.caption(messages.landscape_caption(comp, view))


# -- advice beside each run's numbers -----------------------------------------------------------
ADVICE_TITLE = "**What to change** · 조언"
ALL_REACHED = "Every run ended within 1% of the least-squares training loss."


def advice(comp: Comparison) -> list[str | None]:
    """Each run's advice (linreg_core.advice), None for a run at the optimum; once per result."""
    ss = st.session_state
    kept = ss[state.ADVICE]
    if kept is not None and kept[0] is comp:
        return kept[1]  # type: ignore[no-any-return]
    from linreg_core.advice import advise

    told = [advise(comp, h) for h in comp.runs]
    ss[state.ADVICE] = (comp, told)
    return told


def advice_notes(comp: Comparison) -> None:
    """Under the summary: the advice of every run that did not diverge (a diverged run's is at
    the top of the page) and did not reach the optimum; a line when all reached it."""
    told = advice(comp)
    shown = [(h, a) for h, a in zip(comp.runs, told, strict=True) if a and not h.diverged]
    if not any(told):
        st.success(ALL_REACHED, icon=":material/check_circle:")
    for _, text in shown:
        st.info(text, icon=":material/lightbulb:")


def far_runs(comp: Comparison) -> str | None:
    """For the sidebar: how many runs did not reach the optimum (None: all did)."""
    if not hasattr(comp, "runs"):  # not a comparison (a test's placeholder): nothing to say
        return None
    n = sum(a is not None for a in advice(comp))
    if not n:
        return None
    return f"Comparison ready, but {n} of {len(comp.runs)} run(s) did not reach the optimum."


# -- the Normalise page: curvature before and after ---------------------------------------------
CURVATURE_TITLE = "The loss's curvature, before and after · 곡률"
CURVATURE_CAPTION = (
    "From the Hessian of the training MSE, H = (2/m) AᵀA with A = [X, 1]: its largest and "
    "smallest eigenvalues are the steepest and flattest curvatures of the loss bowl. Full-batch "
    "SGD is stable below lr = 2 / λmax; Momentum below (2 + 2μ) / λmax. Adaptive optimizers "
    "have no such limit."
)
ROWS = {False: "raw", True: "z-scored"}


def curvature_table(cfg: RunConfig, both: tuple[Curvature, Curvature]) -> pd.DataFrame:
    """One row per scaling: λmax, λmin, condition number and each chosen optimizer's stable lr
    (as text, three significant digits: '—' where there is none)."""
    rows = []
    for normalize, curv in zip((False, True), both, strict=True):
        row = {
            "features": ROWS[normalize] + (" (used)" if cfg.normalize == normalize else ""),
            "λmax": fmt(curv.lmax),
            "λmin": fmt(float(curv.eigenvalues[0])),
            "condition number": fmt(curv.condition_number),
        }
        for opt in cfg.optimizers:
            limit = curv.lr_limit(opt.name, opt.hyperparameters())
            if OPTIMIZERS[opt.name].lr_limit is not None:
                row[f"stable lr: {OPTIMIZERS[opt.name].title}"] = fmt(limit)
        rows.append(row)
    return pd.DataFrame(rows)


def curvature_words(cfg: RunConfig, both: tuple[Curvature, Curvature]) -> str:
    """What z-scoring does to the curvature, in a sentence from the numbers."""
    raw, z = both
    text = (
        f"Z-scoring changes the condition number from {fmt(raw.condition_number)} to "
        f"{fmt(z.condition_number)}"
    )
    opt = next((o for o in cfg.optimizers if OPTIMIZERS[o.name].lr_limit is not None), None)
    if opt is None:
        return text + "."
    before = raw.lr_limit(opt.name, opt.hyperparameters())
    after = z.lr_limit(opt.name, opt.hyperparameters())
    if before is None or after is None:
        return text + "."
    return text + (
        f", and {OPTIMIZERS[opt.name].title}'s largest stable learning rate from {before:.3g} "
        f"to {after:.3g}: one learning rate then suits every direction."
    )


def curvature_section(cfg: RunConfig) -> None:
    """The Normalise page's numbers: curvature and stable learning rates, raw and z-scored."""
    both = curvatures(cfg)
    if both is None:
        return
    st.subheader(CURVATURE_TITLE)
    st.dataframe(curvature_table(cfg, both), hide_index=True, key="lesson_curvature")
    st.markdown(curvature_words(cfg, both))
    st.caption(CURVATURE_CAPTION)
