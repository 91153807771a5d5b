"""What the app says in words: errors, warnings and captions, with user text (file and column
names, messages quoting them) always shown literally (escape_md)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import streamlit as st

from linreg_core import MAX_FEATURES, numeric_columns
from linreg_core.errors import Said
from ui.i18n import say, t

if TYPE_CHECKING:  # types only: importing them loads torch, which the Start page does not need
    from linreg_core import Comparison, Dataset, Scaler
    from linreg_core.landscape import View

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:&])")
# The renderer turns www.x.com, http://x and a@b.x into links and :name: into icons after the
# backslashes are gone; an invisible word joiner after the "www", ":" or "@" stops it.
_AUTO_MARKUP = re.compile(r"\\:|@|(?i:www)(?=\\\.)")
WORD_JOINER = "\u2060"
MAX_EPOCHS_SHOWN = 500  # per optimizer in the loss and parameter charts (ui.tables.thin_epochs)
NAME_LIMIT = 60  # characters of a column or file name in a heading or the sidebar (two lines)


def empty_fix() -> str:
    """The fix for a column that reads as empty (a formula saved without its result)."""
    return t("messages.empty_fix")


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


def show_notice(notice: object) -> None:
    """st.info of a one-time notice: markdown as it is, or a catalog sentence whose text
    parameters (file and column names) are shown literally, in the session's language."""
    if isinstance(notice, Said):
        literal = {k: escape_md(v) if isinstance(v, str) else v for k, v in notice.params.items()}
        notice = say(Said(notice.code or str(notice), **literal))
    st.info(str(notice), icon=":material/info:")


def show_notes(df: pd.DataFrame | None) -> None:
    """One st.warning per change the reader made to df (df.attrs["notes"]: sentences or
    linreg_core.errors.Said), shown literally in the session's language."""
    for note in [] if df is None else df.attrs.get("notes", []):
        st.warning(escape_md(say(note)), icon=":material/edit_note:")


def show_split(ds: Dataset) -> None:
    """The training and test row counts; a warning when rows with a gap were left out."""
    st.success(
        t("messages.split.rows", train=len(ds.y_train), test=len(ds.y_test), dropped=ds.dropped)
        + (t("messages.split.filtered", filtered=ds.filtered) if ds.filtered else "")
        + (t("messages.split.outliers", outliers=ds.outliers) if ds.outliers else "")
        + t("messages.split.end")
    )
    if ds.dropped:
        st.warning(t("messages.split.dropped", dropped=ds.dropped), icon=":material/warning:")


def kept(name: str | None) -> str:
    """The sentence that says which table stays loaded after a refused one ('' if none)."""
    return "" if name is None else " " + t("messages.kept", name=repr(name))


def names(columns: list[str], limit: int = 10) -> str:
    """'a', 'b' and 3 more: column names quoted, for a message."""
    shown = ", ".join(repr(str(c)) for c in columns[:limit])
    if len(columns) <= limit:
        return shown
    return t("messages.names_more", names=shown, more=len(columns) - limit)


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
        parts.append(t("messages.unusable.text", names=names(text)))
    if empty:
        parts.append(t("messages.unusable.empty", names=names(empty)))
    if not parts:
        return None
    return t("messages.unusable.caption", parts="; ".join(parts))


def too_few_numeric(df: pd.DataFrame, numeric: list[str] | None = None) -> str:
    """Why a table with fewer than two numeric columns cannot be used, and the fix."""
    numeric = numeric_columns(df) if numeric is None else numeric
    text, empty = column_problems(df, numeric)
    if numeric:
        message = t("messages.too_few.some", names=names(numeric))
    else:
        message = t("messages.too_few.none")
    if text:
        message += " " + t("messages.too_few.text", names=names(text))
    if empty:
        message += " " + t("messages.too_few.empty", names=names(empty), fix=empty_fix())
    return message


def too_many_features(n_candidates: int) -> str:
    """Why a table with more numeric columns than a model may have starts with none chosen."""
    return t("messages.too_many_features", count=n_candidates, limit=MAX_FEATURES)


def target_scale_hint(target: Scaler, scaled: bool) -> str | None:
    """A nudge to scale the target when it sits far from 0 (a Scaler fitted on the target)."""
    mean, std = float(target.mean[0]), float(target.std[0])
    if scaled or abs(mean) < 3 * std:
        return None
    return t(
        "messages.target_scale_hint",
        mean=mean,
        sds=abs(mean) / std,
        toggle=t("normalise.target_toggle"),
    )


def batch_note(comp: Comparison) -> str | None:
    """Plain words when the batch size is at least the training rows (then it is full batch)."""
    size, rows = comp.config.batch_size, len(comp.dataset.y_train)
    if size is None or size < rows:
        return None
    return t("messages.batch_note", size=size, rows=rows)


def run_warnings(comp: Comparison, advice: list[str | None] | None = None) -> list[str]:
    """Plain words for each run that blew up (its advice, one per run), or that ended with more
    loss than it started."""
    notes = []
    for i, h in enumerate(comp.runs):
        loss = h.train_loss
        if h.advice:  # diverged: the run's advice names its stable learning rate
            notes.append(say((advice[i] if advice else None) or h.advice))
        elif len(loss) > 1 and not h.cancelled and loss[-1] > loss[0]:
            notes.append(
                t(
                    "messages.loss_grew",
                    label=h.label,
                    last=loss[-1],
                    first=loss[0],
                    lr=h.optimizer.lr,
                )
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
        t("messages.loss.zscored")
        if cfg.normalize_target
        else t("messages.loss.units", target=escape_md(short(comp.dataset.target)))
    )
    text = t("messages.loss.head", space=space)
    text += t("messages.loss.split" if comp.dataset.y_test.size else "messages.loss.end") + " "
    if optimum_mse(comp) is None:
        text += t("messages.loss.exact")
    else:
        text += t("messages.loss.optimum", mse=comp.ols.mse)
    if cfg.epochs > MAX_EPOCHS_SHOWN:
        text += " " + t("messages.loss.thinned", count=MAX_EPOCHS_SHOWN)
    return text


def params_caption(comp: Comparison, shown: list[str]) -> str | None:
    """Which parameters the chart draws when it cannot draw them all (None when it does)."""
    names = comp.param_names()
    if len(shown) == len(names):
        return None
    feature = dict(zip(names, comp.dataset.features, strict=False))  # W1 -> its column
    listed = ", ".join(f"{n} ({escape_md(feature[n])})" if n in feature else n for n in shown)
    weights = len([n for n in shown if n in feature])
    return t(
        "messages.params.drawn",
        shown=len(shown),
        total=len(names),
        weights=weights,
        and_b=t("messages.params.and_b") if comp.config.bias else "",
        listed=listed,
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
    space = t("messages.landscape.zscored" if scaled else "messages.landscape.own")
    top = float(view.contours["loss"].max()) if "loss" in view.contours else pl.floor
    exact_fit = pl.floor <= 1e-12 * max(top, 1e-300)
    floor = t("messages.landscape.exact_floor") if exact_fit else f"{pl.floor:.4g}"
    if len(names) == 1:
        parts = [t("messages.landscape.one", name=names[0], space=space)]
    else:
        pair = {"first": names[0], "second": names[1]}
        parts = [t("messages.landscape.two", **pair, space=space, floor=floor)]
        equal = "messages.landscape.equal" if view.frame.equal else "messages.landscape.unequal"
        parts.append(t(equal, **pair))
    if pl.held:
        held = ", ".join(f"{escape_md(k)} = {v:.4g}" for k, v in pl.held.items())
        parts.append(t("messages.landscape.held", held=held, first=names[0], second=names[-1]))
    for group, exact in view.same:
        under = view.paths.loc[view.paths["optimizer"].isin(group)].sort_values("rank")
        first = escape_md(under["optimizer"].iloc[0])
        listed = t("messages.landscape.and").join(escape_md(g) for g in group)
        how = "messages.landscape.same_exact" if exact else "messages.landscape.same_near"
        parts.append(t(how, listed=listed, under=first))
    for label, epoch in view.left.items():
        parts.append(t("messages.landscape.left", label=escape_md(label), epoch=epoch))
    from linreg_core.landscape import EARLY_EPOCHS, PATH_POINTS

    longest = int(view.paths["epoch"].max()) if len(view.paths) else 0
    if longest >= PATH_POINTS:
        parts.append(t("messages.landscape.long", early=EARLY_EPOCHS))
    return " ".join(parts)


def missing_r2(comp: Comparison, split: str) -> str | None:
    """Why R² cannot be computed on a split's rows (None when it can)."""
    y = comp.dataset.y_test if split == "test" else comp.dataset.y_train
    which = "test" if split == "test" else "train"
    if len(y) < 2:
        return t(f"messages.r2.few_{which}", count=len(y))
    if np.ptp(y) == 0:
        return t(f"messages.r2.flat_{which}", value=y[0])
    return None


def summary_caption(comp: Comparison) -> str:
    cfg = comp.config
    text = t("messages.summary.head")
    if cfg.normalize or cfg.normalize_target:
        text += t("messages.summary.zscored")
    text += ". " + t("messages.summary.distance")
    split = "test" if comp.dataset.y_test.size else "train"
    return text + (f" {why}" if (why := missing_r2(comp, split)) else "")


def run_caption(comp: Comparison) -> str:
    """'4 optimizer(s), 1,000 epochs, 0.27 s.' ('1 of 4' when a run was stopped early)."""
    ran, chosen = len(comp.runs), len(comp.config.optimizers)
    key = "messages.run.all" if ran == chosen else "messages.run.some"
    return t(key, ran=ran, chosen=chosen, epochs=comp.config.epochs, seconds=comp.seconds)


def stopped_note(comp: Comparison) -> str | None:
    """Plain words when training ended early (Stop, another click): what was kept."""
    cfg = comp.config
    done = sum(h.epochs_run for h in comp.runs)
    if done >= cfg.epochs * len(cfg.optimizers) or not any(h.cancelled for h in comp.runs):
        return None
    ran = ", ".join(f"{h.label} {h.epochs_run:,}" for h in comp.runs)
    return t("messages.stopped", done=done, total=cfg.epochs * len(cfg.optimizers), ran=ran)


def estimate_note(seconds: float) -> str:
    """What a long run will cost, said before it starts."""
    from linreg_core.budget import duration

    return t("messages.estimate", duration=say(duration(seconds)))
