"""What the app says in words: errors, warnings and captions, with user text (file and column
names, messages quoting them) always shown literally (escape_md)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import streamlit as st

from linreg_core import MAX_FEATURES, numeric_columns
from ui.i18n import say

if TYPE_CHECKING:  # types only: importing them loads torch, which the Start page does not need
    from linreg_core import Comparison, Dataset, Scaler
    from linreg_core.landscape import View

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:&])")
# The renderer turns www.x.com, http://x and a@b.x into links and :name: into icons after the
# backslashes are gone; an invisible word joiner after the "www", ":" or "@" stops it.
_AUTO_MARKUP = re.compile(r"\\:|@|(?i:www)(?=\\\.)")
WORD_JOINER = "\u2060"
EMPTY_FIX = (
    "A spreadsheet formula saved without its result reads as empty: open the file in Excel or "
    "LibreOffice, save it, and upload it again."
)
MAX_EPOCHS_SHOWN = 500  # per optimizer in the loss and parameter charts (ui.tables.thin_epochs)
NAME_LIMIT = 60  # characters of a column or file name in a heading or the sidebar (two lines)


def escape_md(text: object) -> str:
    """User text (file and column names, messages quoting them) shown literally in markdown.

    Every markdown-active character gets a backslash (which the renderer removes), links and
    :icons: get an invisible word joiner, and line breaks become spaces, so a name like
    "**x**", "<b>x</b>", "# x", "www.x.com" or ":material/home:" reads as typed.
    """
    flat = " ".join(str(text).splitlines())
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", flat)
    return _AUTO_MARKUP.sub(lambda m: m[0] + WORD_JOINER, escaped)


def short(name: object, limit: int = NAME_LIMIT) -> str:
    """A column or file name cut to `limit` characters for a heading, the sidebar or a chart
    (ui.charts.TITLE_LIMIT): its start and its end around '…' (the end often tells names apart:
    price_2023, price_2024). A name within the limit is returned as it is; the data's own names
    never change."""
    text = str(name)
    if len(text) <= limit:
        return text
    text = " ".join(text.splitlines())
    tail = limit // 4
    return text[: limit - tail - 1].rstrip() + "…" + text[-tail:].lstrip()


def full_names(*names: object, limit: int = NAME_LIMIT) -> str | None:
    """The names that short() cuts, in full and shown literally: help for hovering over the
    short ones (None when none is cut)."""
    cut = [escape_md(n) for n in names if len(str(n)) > limit]
    return "  \n".join(cut) if cut else None


def show_error(problem: object) -> None:
    """st.error of a LinRegError (or a message) that quotes user text, shown literally, in the
    session's language (ui.i18n.say)."""
    st.error(escape_md(say(problem)), icon=":material/error:")


def show_notes(df: pd.DataFrame | None) -> None:
    """One st.warning per change the reader made to df (df.attrs["notes"]: sentences or
    linreg_core.errors.Said), shown literally in the session's language."""
    for note in [] if df is None else df.attrs.get("notes", []):
        st.warning(escape_md(say(note)), icon=":material/edit_note:")


def show_split(ds: Dataset) -> None:
    """The training and test row counts; a warning when rows with a gap were left out."""
    st.success(
        f"{len(ds.y_train):,} training rows, {len(ds.y_test):,} test rows, "
        f"{ds.dropped:,} dropped for missing values"
        + (f", {ds.filtered:,} left out by the filters" if ds.filtered else "")
        + (f", {ds.outliers:,} outliers dropped from training" if ds.outliers else "")
        + "."
    )
    if ds.dropped:
        st.warning(
            f"{ds.dropped:,} row(s) have a missing value in the target or a chosen feature and "
            "are left out. Fill in the gaps in the file to use them. · 빈 값이 있는 행은 제외",
            icon=":material/warning:",
        )


def kept(name: str | None) -> str:
    """The sentence that says which table stays loaded after a refused one ('' if none)."""
    return "" if name is None else f" {name!r} stays loaded. · 이전 데이터를 유지합니다."


def names(columns: list[str], limit: int = 10) -> str:
    """'a', 'b' and 3 more: column names quoted, for a message."""
    shown = ", ".join(repr(str(c)) for c in columns[:limit])
    return shown + (f" and {len(columns) - limit:,} more" if len(columns) > limit else "")


def column_problems(df: pd.DataFrame, numeric: list[str]) -> tuple[list[str], list[str]]:
    """(text columns, empty columns): the columns that are not numeric, by why."""
    others = [c for c in df.columns if c not in numeric]
    empty = [str(c) for c in others if df[c].isna().all()]
    return [str(c) for c in others if str(c) not in empty], empty


def unusable_caption(df: pd.DataFrame, numeric: list[str]) -> str | None:
    """A caption naming the columns that cannot be used and why (None when all can)."""
    text, empty = column_problems(df, numeric)
    parts = []
    if text:
        parts.append(f"no numbers in {names(text)}")
    if empty:
        parts.append(f"no values at all in {names(empty)}")
    if not parts:
        return None
    return f"Not usable: {'; '.join(parts)}. · 숫자가 아닌 열은 제외"


def too_few_numeric(df: pd.DataFrame, numeric: list[str] | None = None) -> str:
    """Why a table with fewer than two numeric columns cannot be used, and the fix."""
    numeric = numeric_columns(df) if numeric is None else numeric
    text, empty = column_problems(df, numeric)
    found = f"only {names(numeric)} holds" if numeric else "no column holds"
    message = (
        f"This table needs two numeric columns, one to predict and one to predict from, but "
        f"{found} numbers."
    )
    if text:
        message += f" Text, not numbers, in {names(text)}: clean them so they hold only numbers."
    if empty:
        message += f" No values at all in {names(empty)}. {EMPTY_FIX}"
    return message


def too_many_features(n_candidates: int) -> str:
    """Why a table with more numeric columns than a model may have starts with none chosen."""
    return (
        f"This table has {n_candidates:,} numeric columns besides the target; a model can have "
        f"at most {MAX_FEATURES} features, so none is chosen yet. Choose up to {MAX_FEATURES} "
        f"features above (type to search). · 입력 열은 최대 {MAX_FEATURES}개까지 고를 수 있습니다."
    )


def target_scale_hint(target: Scaler, scaled: bool) -> str | None:
    """A nudge to scale the target when it sits far from 0 (a Scaler fitted on the target)."""
    mean, std = float(target.mean[0]), float(target.std[0])
    if scaled or abs(mean) < 3 * std:
        return None
    return (
        f"The target's mean ({mean:.4g}) is {abs(mean) / std:.0f} standard deviations from 0. "
        "Adam, RMSProp and Adagrad move each weight by about one learning rate per step, so "
        "they need many epochs to get there: turn on 'Scale the target too' to compare the "
        "optimizers fairly. · 목표값도 정규화하면 적응형 옵티마이저가 빨리 수렴합니다."
    )


def batch_note(comp: Comparison) -> str | None:
    """Plain words when the batch size is at least the training rows (then it is full batch)."""
    size, rows = comp.config.batch_size, len(comp.dataset.y_train)
    if size is None or size < rows:
        return None
    return (
        f"Batch size {size:,} is at least the {rows:,} training rows, so every epoch is one "
        "full-batch step on all of them, the same as batch size 0. · 전체 배치와 같습니다."
    )


def run_warnings(comp: Comparison, advice: list[str | None] | None = None) -> list[str]:
    """Plain words for each run that blew up (its advice, one per run), or that ended with more
    loss than it started."""
    notes = []
    for i, h in enumerate(comp.runs):
        loss = h.train_loss
        if h.advice:  # diverged: the run's advice names its stable learning rate
            notes.append(f"{(advice[i] if advice else None) or h.advice} · 발산했습니다.")
        elif len(loss) > 1 and not h.cancelled and loss[-1] > loss[0]:
            notes.append(
                f"{h.label} ended with a larger loss ({loss[-1]:.4g}) than it started with "
                f"({loss[0]:.4g}): its steps are too large for this data. Lower the learning "
                f"rate (now {h.optimizer.lr:g}) or z-score the inputs. · 손실이 오히려 커졌습니다."
            )
    return notes


def optimum_mse(comp: Comparison) -> float | None:
    """The optimum's training MSE for the loss chart, None when it is 0 up to rounding.

    On rows a line fits exactly (the tutorials' y = 30x) the optimum's MSE is ~1e-28; a log
    axis stretched down to it would squash every curve into the top of the chart.
    """
    start = max((float(h.train_loss[0]) for h in comp.runs if h.epochs_run), default=0.0)
    return comp.ols.mse if comp.ols.mse > 1e-12 * start else None


def loss_caption(comp: Comparison) -> str:
    cfg = comp.config
    space = (
        "z-scored target"
        if cfg.normalize_target
        else f"{escape_md(short(comp.dataset.target))}'s units"
    )
    text = f"MSE in the space the model trains in ({space})"
    text += "; solid: training rows, dashed: held-out rows. " if comp.dataset.y_test.size else ". "
    if optimum_mse(comp) is None:
        text += "A straight line fits these rows exactly: the least-squares MSE is 0."
    else:
        text += f"The dotted line is the least-squares optimum's training MSE, {comp.ols.mse:.6g}."
    if cfg.epochs > MAX_EPOCHS_SHOWN:
        text += f" Drawn at {MAX_EPOCHS_SHOWN} evenly spaced epochs per optimizer."
    return text


def params_caption(comp: Comparison, shown: list[str]) -> str | None:
    """Which parameters the chart draws when it cannot draw them all (None when it does)."""
    names = comp.param_names()
    if len(shown) == len(names):
        return None
    feature = dict(zip(names, comp.dataset.features, strict=False))  # W1 -> its column
    listed = ", ".join(f"{n} ({escape_md(feature[n])})" if n in feature else n for n in shown)
    weights = len([n for n in shown if n in feature])
    return (
        f"Drawn: {len(shown)} of the {len(names)} parameters, the {weights} weights farthest "
        f"from zero at the least-squares optimum (as trained){' and b' if comp.config.bias else ''}"
        f": {listed}. The summary below has every weight. · 큰 파라미터만 그렸습니다."
    )


def param_labels(comp: Comparison) -> list[str]:
    """Each parameter's name with its feature's column: "W1 (area_m2)", ..., "b"."""
    features = [short(f, 30) for f in comp.dataset.features]
    return [
        f"{n} ({features[k]})" if k < len(features) else n for k, n in enumerate(comp.param_names())
    ]


def landscape_caption(comp: Comparison, view: View) -> str:
    """What the landscape (or a one-parameter model's cost curve) draws, and how to read it."""
    pl, names = view.plane, [escape_md(n) for n in view.plane.names]
    scaled = comp.config.normalize or comp.config.normalize_target
    space = "z-scored" if scaled else "the data's own"
    top = float(view.contours["loss"].max()) if "loss" in view.contours else pl.floor
    floor = "0, an exact fit" if pl.floor <= 1e-12 * max(top, 1e-300) else f"{pl.floor:.4g}"
    if len(names) == 1:
        parts = [
            f"The training MSE against {names[0]} (a parabola, exact), in {space} units; each "
            f"dot is one epoch's {names[0]}, joined in order; ■ start, ◆ end, ✚ least squares."
        ]
    else:
        parts = [
            f"The training MSE over {names[0]} and {names[1]} in {space} units. Grey ellipses are "
            f"equal-loss lines with their MSE (least squares: {floor} at ✚); the dashed "
            "lines are the bowl's steepest and flattest directions, with λ, the Hessian's "
            "eigenvalues on this slice. ■ start, ◆ end; the longest path is drawn first, "
            "underneath."
        ]
        if view.frame.equal:
            parts.append("Both axes have the same scale, so a round bowl looks round.")
        else:
            parts.append(
                f"{names[0]} and {names[1]} are drawn at different scales: at one scale this "
                "bowl would be a line."
            )
    if pl.held:
        held = ", ".join(f"{escape_md(k)} = {v:.4g}" for k, v in pl.held.items())
        parts.append(
            f"The other parameters are held at the least-squares optimum ({held}); the loss "
            f"drawn is that slice. The paths show where each optimizer took {names[0]} and "
            f"{names[1]} while it moved the others too, so a path may cross these lines."
        )
    for group, exact in view.same:
        under = view.paths.loc[view.paths["optimizer"].isin(group)].sort_values("rank")
        first = escape_md(under["optimizer"].iloc[0])
        listed = " and ".join(escape_md(g) for g in group)
        how = "the same points to float32 rounding" if exact else "within a pixel of each other"
        parts.append(f"{listed} take {how}: {first} is the wider line underneath.")
    for label, epoch in view.left.items():
        parts.append(f"{escape_md(label)} leaves the frame at epoch {epoch} (▲).")
    from linreg_core.landscape import EARLY_EPOCHS, PATH_POINTS

    longest = int(view.paths["epoch"].max()) if len(view.paths) else 0
    if longest >= PATH_POINTS:
        parts.append(f"Long runs show every epoch up to {EARLY_EPOCHS}, then fewer, log-spaced.")
    return " ".join(parts)


def missing_r2(comp: Comparison, split: str) -> str | None:
    """Why R² cannot be computed on a split's rows (None when it can)."""
    y = comp.dataset.y_test if split == "test" else comp.dataset.y_train
    rows = "held-out rows" if split == "test" else "training rows"
    if len(y) < 2:
        return f"R²: needs at least 2 {rows} (there is {len(y)}), so it is left empty."
    if np.ptp(y) == 0:
        return (
            f"R²: the {rows}' target has one value ({y[0]:g}), so there is no spread to "
            "explain; it is left empty."
        )
    return None


def summary_caption(comp: Comparison) -> str:
    cfg = comp.config
    text = (
        "MSE and R² in the target's own units; the last row is the closed-form optimum. The "
        "feature weights and the intercept are each model in the data's own units (원래 단위)"
    )
    if cfg.normalize or cfg.normalize_target:
        text += "; W and b (z) are the same model as trained, on z-scores"
    text += ". Distance to optimum: between the trained parameters and least squares'."
    split = "test" if comp.dataset.y_test.size else "train"
    return text + (f" {why}" if (why := missing_r2(comp, split)) else "")


def run_caption(comp: Comparison) -> str:
    """'4 optimizer(s), 1,000 epochs, 0.27 s.' ('1 of 4' when a run was stopped early)."""
    ran, chosen = len(comp.runs), len(comp.config.optimizers)
    count = f"{ran}" if ran == chosen else f"{ran} of {chosen}"
    return f"{count} optimizer(s), {comp.config.epochs:,} epochs, {comp.seconds:.2f} s."


def stopped_note(comp: Comparison) -> str | None:
    """Plain words when training ended early (Stop, another click): what was kept."""
    cfg = comp.config
    done = sum(h.epochs_run for h in comp.runs)
    if done >= cfg.epochs * len(cfg.optimizers) or not any(h.cancelled for h in comp.runs):
        return None
    ran = ", ".join(f"{h.label} {h.epochs_run:,}" for h in comp.runs)
    return (
        f"Training was stopped after {done:,} of {cfg.epochs * len(cfg.optimizers):,} epochs in "
        f"all (epochs per optimizer: {ran}); the charts show what it did. Press Train to run "
        "it again. · 학습을 중간에 멈췄습니다."
    )


def estimate_note(seconds: float) -> str:
    """What a long run will cost, said before it starts."""
    from linreg_core.budget import duration

    return (
        f"This run will take about {duration(seconds)}. Press Stop to end it early: what it did "
        "is kept and drawn. · 학습 시간이 깁니다."
    )
