"""Z-score's lesson on the pages: learning rates typed as numbers (1e-9 included), each checked
against its optimizer's stable limit on the current data and scaling before training; a lesson
preset's raw and z-scored runs side by side; each run's advice beside its numbers; and the
Normalise page's curvature before and after z-scoring.

The curvature, the limits and the advice come from the engine (linreg_core.curvature, advice);
this module only lays them out and says them in words. Every sentence shown is the catalog's
[lesson] section (linreg_core/locales), rendered at draw time in the session's language and
filled with the numbers; the engine's own sentences (advice) go through ui.i18n.say. The sweep
is in ui/sweep.py.
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
from linreg_core.errors import Said
from ui import state
from ui.i18n import say, t

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

    from linreg_core import Comparison, History
    from linreg_core.curvature import Curvature

LR = HYPERPARAMETERS["lr"]


def lr_help() -> str:
    """The learning-rate box's help, in the session's language."""
    return t("lesson.lr_help", low=LR.low, high=LR.high)


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
        t("lesson.lr_label", title=title),
        value=lr_text(lr),
        placeholder=t("lesson.lr_placeholder"),
        help=lr_help(),
        label_visibility="collapsed",
        key=key,
    )


def checked_lr(text: Any, title: str) -> float:
    """The typed learning rate as a number; a ConfigError naming the optimizer, the value, the
    allowed range and the fix when it is not one the engine trains with."""
    typed = text.strip() if isinstance(text, str) else text  # a number: as it is
    if typed == "":
        fix = LR.fix if isinstance(LR.fix, Said) else Said(str(LR.fix))
        raise ConfigError("lesson.lr_missing", title=title, fix=fix)
    try:
        return check_number(typed, LR)
    except ConfigError as exc:
        raise ConfigError("lesson.lr_invalid", title=title, problem=exc.said) from None


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
    return t("lesson.space_zscored") if cfg.normalize else t("lesson.space_raw")


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
        return t("lesson.limit_above", lr=lr, limit=limit, ratio=lr / limit, space=space(cfg))
    return t("lesson.limit_below", limit=limit, space=space(cfg))


# -- raw and z-scored side by side ---------------------------------------------------------------
SIDES = {False: "lesson.side_raw", True: "lesson.side_zscored"}  # each side's heading
LANDSCAPE_SIDE = (190, 210)  # px of plot (width, height): two panels fit side by side at 800 px


def lesson_wanted() -> bool:
    """Whether the session's preset is a lesson that shows raw and z-scored side by side."""
    from ui.presets import PRESETS

    name = st.session_state[state.PRESET]
    return any(p.lesson and name == p.name for p in PRESETS)


def fmt(value: float | None) -> str:
    """A number for a tile: 3 significant digits, or '—' when there is none."""
    return t("lesson.none") if value is None else f"{value:.3g}"


def outcome(comp: Comparison, h: History, curv: Curvature) -> str:
    """One run's result in a sentence a student follows, from its numbers."""
    opt = h.optimizer
    title, lr = OPTIMIZERS[opt.name].title, opt.lr
    limit = curv.lr_limit(opt.name, opt.hyperparameters())
    where = "" if limit is None else t("lesson.outcome_limit", limit=limit, ratio=lr / limit)
    if h.diverged:
        return t("lesson.outcome_diverged", title=title, lr=lr, epoch=h.diverged_at, where=where)
    if (epoch := comp.epochs_to_optimum(h)) is not None:
        return t(
            "lesson.outcome_reached",
            title=title,
            lr=lr,
            epoch=epoch,
            epochs=h.epochs_run,
            where=where,
        )
    last, floor = float(h.train_loss[-1]), comp.ols.mse  # both in the trained space
    return t(
        "lesson.outcome_crawling",
        title=title,
        lr=lr,
        epochs=h.epochs_run,
        last=last,
        ratio=last / floor,
        floor=floor,
        where=where,
    )


def shape_words(curv: Curvature) -> str:
    """What the Hessian's eigenvalues say about the bowl's shape."""
    lo, hi = float(curv.eigenvalues[0]), curv.lmax
    cond = curv.condition_number
    if cond is None:
        return t("lesson.shape_flat", lo=lo, hi=hi)
    if cond < 10:
        return t("lesson.shape_round", lo=lo, hi=hi, cond=cond)
    return t("lesson.shape_valley", lo=lo, hi=hi, cond=cond)


def conclusion(comps: dict[bool, Comparison], curvs: dict[bool, Curvature]) -> str:
    """The lesson in one paragraph, from the two sides' numbers."""
    raw, z = curvs[False], curvs[True]
    opt = comps[False].config.optimizers[0]
    title = OPTIMIZERS[opt.name].title
    text = t(
        "lesson.conclusion_shape",
        raw=fmt(raw.condition_number),
        z=fmt(z.condition_number),
    )
    lim_raw = raw.lr_limit(opt.name, opt.hyperparameters())
    lim_z = z.lr_limit(opt.name, opt.hyperparameters())
    if lim_raw is not None and lim_z is not None:
        raw_run, z_run = comps[False].runs[0], comps[True].runs[0]
        raw_did = t("lesson.raw_diverges") if raw_run.diverged else t("lesson.raw_crawls")
        z_did = (
            t("lesson.z_converges")
            if comps[True].epochs_to_optimum(z_run) is not None
            else t("lesson.z_slow")
        )
        if raw_run.diverged or comps[False].epochs_to_optimum(raw_run) is None:
            result = t("lesson.conclusion_differ", raw_did=raw_did, z_did=z_did)
        else:
            result = t("lesson.conclusion_both")
        text += t(
            "lesson.conclusion_limits",
            title=title,
            before=lim_raw,
            after=lim_z,
            ratio=lim_z / lim_raw,
            lr=opt.lr,
            result=result,
        )
    return text


def raw_vs_zscored(df: pd.DataFrame, cfg: RunConfig, test_df: pd.DataFrame | None) -> None:
    """Train cfg on raw and on z-scored features (from the cache when trained already) and draw
    both side by side: curvature, stable lr, each run's outcome and its landscape."""
    from ui import run

    both = curvatures(cfg)
    if both is None:
        return
    st.subheader(t("lesson.side_title"))
    st.caption(t("lesson.side_caption"))
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
            st.markdown(f"**{t(SIDES[normalize])}**")
            opt = comp.config.optimizers[0]
            limit = curv.lr_limit(opt.name, opt.hyperparameters())
            st.metric(t("lesson.metric_condition"), fmt(curv.condition_number))
            st.metric(t("lesson.metric_stable", title=OPTIMIZERS[opt.name].title), fmt(limit))
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
def advice(comp: Comparison) -> list[Any]:
    """Each run's advice (linreg_core.advice: a sentence, rendered with say), None for a run at
    the optimum; once per result."""
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
        st.success(t("lesson.all_reached"), icon=":material/check_circle:")
    for _, text in shown:
        st.info(say(text), icon=":material/lightbulb:")


def far_runs(comp: Comparison) -> str | None:
    """For the sidebar: how many runs did not reach the optimum (None: all did)."""
    if not hasattr(comp, "runs"):  # not a comparison (a test's placeholder): nothing to say
        return None
    n = sum(a is not None for a in advice(comp))
    if not n:
        return None
    return t("lesson.far_runs", n=n, total=len(comp.runs))


# -- the Normalise page: curvature before and after ---------------------------------------------
ROWS = {False: "lesson.row_raw", True: "lesson.row_zscored"}


def curvature_table(cfg: RunConfig, both: tuple[Curvature, Curvature]) -> pd.DataFrame:
    """One row per scaling: λmax, λmin, condition number and each chosen optimizer's stable lr
    (as text, three significant digits: '—' where there is none)."""
    rows = []
    for normalize, curv in zip((False, True), both, strict=True):
        scaling = t(ROWS[normalize])
        row = {
            t("lesson.col_features"): t("lesson.row_used", scaling=scaling)
            if cfg.normalize == normalize
            else scaling,
            "λmax": fmt(curv.lmax),
            "λmin": fmt(float(curv.eigenvalues[0])),
            t("lesson.col_condition"): fmt(curv.condition_number),
        }
        for opt in cfg.optimizers:
            limit = curv.lr_limit(opt.name, opt.hyperparameters())
            if OPTIMIZERS[opt.name].lr_limit is not None:
                row[t("lesson.col_stable", title=OPTIMIZERS[opt.name].title)] = fmt(limit)
        rows.append(row)
    return pd.DataFrame(rows)


def curvature_words(cfg: RunConfig, both: tuple[Curvature, Curvature]) -> str:
    """What z-scoring does to the curvature, in a sentence from the numbers."""
    raw, z = both
    numbers = {"raw": fmt(raw.condition_number), "z": fmt(z.condition_number)}
    opt = next((o for o in cfg.optimizers if OPTIMIZERS[o.name].lr_limit is not None), None)
    if opt is None:
        return t("lesson.curvature_words", **numbers)
    before = raw.lr_limit(opt.name, opt.hyperparameters())
    after = z.lr_limit(opt.name, opt.hyperparameters())
    if before is None or after is None:
        return t("lesson.curvature_words", **numbers)
    title = OPTIMIZERS[opt.name].title
    return t("lesson.curvature_words_lr", **numbers, title=title, before=before, after=after)


def curvature_section(cfg: RunConfig) -> None:
    """The Normalise page's numbers: curvature and stable learning rates, raw and z-scored."""
    both = curvatures(cfg)
    if both is None:
        return
    st.subheader(t("lesson.curvature_title"))
    st.dataframe(curvature_table(cfg, both), hide_index=True, key="lesson_curvature")
    st.markdown(curvature_words(cfg, both))
    st.caption(t("lesson.curvature_caption"))
