"""The address bar holds the experiment: the data source and every setting as query parameters.

At the end of every script run, publish() writes the session's source and settings into the
URL, so a link copied at any moment reproduces what the learner sees. On a session's first run,
restore() reads a link's parameters back: it loads the sample, preset or typed table it names
(an uploaded table cannot travel in a link: the learner is asked to upload it again, and the
rest is restored once it is), applies every valid setting, names every invalid or unknown one,
and lets the Train page train on arrival. Nothing from the URL is evaluated: each value is parsed
as the number, flag or name its setting takes and checked by RunConfig like any other input.

Parameters (the RunConfig field names, one per setting; a list repeats its parameter):
    sample=apartments.csv | preset=apt_area | typed=x,y;1,30;2,60 | upload=file.csv
    target=price_eok  features=area_m2  normalize=true  normalize_target=false  test_size=0.2
    bias=true  init=zeros  seed=0  epochs=1000  batch_size=full  path=auto
    optimizers=sgd:lr=0.1  optimizers=adam:lr=0.01:betas=0.9/0.999
    where=["Series", "==", "I"]  numbers_from_text=Power  drop_outliers=4
    lang=ko | lang=en (the page's language: ui.i18n)
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from linreg_core import (
    HYPERPARAMETERS,
    OPTIMIZERS,
    ConfigError,
    DataError,
    OptimizerConfig,
    RunConfig,
    read_table,
)
from linreg_core.config import Condition
from linreg_core.errors import Said
from ui import i18n, state
from ui.messages import escape_md
from ui.presets import SAMPLE_DIR, get_preset, load_preset, sample_path
from ui.state import Source

SOURCES = state.SOURCES  # the kinds of data a link can name
LANGUAGE_KEY = i18n.QUERY_KEY  # lang=ko|en: the page's language, read by ui.i18n.restore
MAX_TYPED_CELLS = 60  # a typed table of up to this many cells travels in the link itself
FULL_BATCH = "full"  # batch_size=full: one step per epoch over every training row
TRUE, FALSE = "true", "false"


# -- values <-> text ---------------------------------------------------------------------------


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _whole(text: str) -> int:
    value = _number(text)
    if not value.is_integer():
        raise ValueError(text)
    return int(value)


def _flag(text: str) -> bool:
    if text.lower() not in (TRUE, FALSE):
        raise ValueError(text)
    return text.lower() == TRUE


def _optimizer_text(opt: OptimizerConfig) -> str:
    """'adam:lr=0.01:betas=0.8/0.99': the name, lr, and each hyperparameter off its default."""
    parts = [opt.name, f"lr={opt.lr!r}"]
    defaults = OPTIMIZERS[opt.name].defaults
    for key in HYPERPARAMETERS:
        value = getattr(opt, key)
        if key != "lr" and value is not None and value != defaults.get(key):
            shown = "/".join(repr(v) for v in value) if key == "betas" else repr(value)
            parts.append(f"{key}={shown}")
    return ":".join(parts)


def _condition_text(cond: Condition) -> str:
    """A row filter as JSON text, ["Series", "==", "I"] or ["Origin", "in", ["USA", "Japan"]]."""
    value = list(cond.value) if isinstance(cond.value, tuple) else cond.value
    return json.dumps([cond.column, cond.op, value], ensure_ascii=False)


def _condition(text: str) -> Condition:
    """A row filter read back (json only: nothing is evaluated); RunConfig checks it."""
    parts = json.loads(text)
    if not (isinstance(parts, list) and len(parts) == 3 and isinstance(parts[0], str)):
        raise ValueError(text)
    column, op, value = parts
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = tuple(value)
    elif not isinstance(value, str):
        raise ValueError(text)
    return Condition(column, op, value)


def _optimizer(text: str) -> OptimizerConfig:
    name, *pairs = text.split(":")
    values: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key not in HYPERPARAMETERS:
            raise ValueError(pair)
        values[key] = (
            tuple(_number(v) for v in value.split("/")) if key == "betas" else _number(value)
        )
    return OptimizerConfig(name=name, **values)  # checks the name and every value


# Each setting: (to text, from text, what it takes); a tuple-valued setting repeats its parameter.
_Codec = tuple[Callable[[Any], str], Callable[[str], Any], Said]
_FLAG: _Codec = (
    lambda v: TRUE if v else FALSE,
    _flag,
    Said("links.takes_flag", true=TRUE, false=FALSE),
)
_NUMBER: _Codec = (repr, _number, Said("links.takes_number"))
_WHOLE: _Codec = (str, _whole, Said("links.takes_whole"))
_TEXT: _Codec = (str, str, Said("links.takes_name"))
CODECS: dict[str, _Codec] = {
    "target": _TEXT,
    "features": _TEXT,
    "normalize": _FLAG,
    "normalize_target": _FLAG,
    "test_size": _NUMBER,
    "bias": _FLAG,
    "init": _TEXT,
    "seed": _WHOLE,
    "epochs": _WHOLE,
    "batch_size": (
        lambda v: FULL_BATCH if v is None else str(v),
        lambda t: None if t == FULL_BATCH else _whole(t),
        Said("links.takes_batch", full=FULL_BATCH),
    ),
    "optimizers": (_optimizer_text, _optimizer, Said("links.takes_optimizer")),
    "path": _TEXT,
    "where": (_condition_text, _condition, Said("links.takes_where")),
    "numbers_from_text": _TEXT,
    "drop_outliers": _NUMBER,
}
LISTS = (
    "features",
    "optimizers",
    "where",
    "numbers_from_text",
)  # settings that are lists: the parameter repeats


def settings_params(cfg: RunConfig) -> dict[str, str | list[str]]:
    """Every setting of cfg as query parameters."""
    out: dict[str, str | list[str]] = {}
    for f in dataclasses.fields(cfg):
        value = getattr(cfg, f.name)
        to_text = CODECS[f.name][0]
        if f.name in LISTS:
            out[f.name] = [to_text(v) for v in value]
        elif value is not None or f.name == "batch_size":
            out[f.name] = to_text(value)
    return out


def typed_text(df: pd.DataFrame) -> str | None:
    """A small typed table as 'x,y;1,30;2,60' (None when it has more than MAX_TYPED_CELLS)."""
    if df.size > MAX_TYPED_CELLS:
        return None
    return df.to_csv(index=False, lineterminator=";").rstrip(";")


def typed_table(text: str) -> pd.DataFrame:
    """The table of a typed= parameter (read as a CSV; a formula is never evaluated)."""
    df = read_table(io.BytesIO(text.replace(";", "\n").encode("utf-8")), name="typed.csv")
    if df.size > MAX_TYPED_CELLS:
        raise DataError("links.too_many_cells", limit=MAX_TYPED_CELLS)
    return df


def typed_source(df: pd.DataFrame) -> Source:
    """The source of a typed table: its cells, or none to carry when it is too large."""
    return Source("typed", typed_text(df) or "")


def params(source: Source | None, cfg: RunConfig) -> dict[str, str | list[str]]:
    """The query parameters of an experiment: its source first, then every setting."""
    head = {} if source is None else {source.kind: source.value}
    return {**head, **settings_params(cfg)}


# -- reading a link --------------------------------------------------------------------------


@dataclass
class Restored:
    """What a link's parameters give: the source, the settings, and what could not be used
    (each a sentence to render in the session's language)."""

    source: Source | None
    settings: RunConfig
    said: list[Said]

    @property
    def problems(self) -> list[str]:
        """What could not be used, in English."""
        return [str(p) for p in self.said]


def _problem(key: str, text: str, why: Said) -> Said:
    return Said("links.not_used", key=key, value=repr(text), why=why)


def read(query: Mapping[str, Sequence[str]], base: RunConfig) -> Restored:
    """The source and settings a link's parameters give (query: each key's values), starting
    from base for any setting the link leaves out. Never raises on the link's contents."""
    problems: list[Said] = []
    sources = [k for k in SOURCES if k in query]
    source = Source(sources[0], query[sources[0]][-1]) if sources else None
    if len(sources) > 1:
        problems.append(Said("links.several", names=", ".join(sources), first=sources[0]))
    for key in query:
        if key not in CODECS and key not in SOURCES and key != LANGUAGE_KEY:
            problems.append(Said("links.not_a_setting", key=repr(key)))
    cfg = base
    for key, (_, from_text, takes) in CODECS.items():
        if key not in query:
            continue
        texts = list(query[key])
        try:
            value = (
                tuple(from_text(t) for t in texts if t) if key in LISTS else from_text(texts[-1])
            )
            cfg = dataclasses.replace(cfg, **{key: value})
        except ConfigError as exc:  # a value out of range: RunConfig's own message
            problems.append(_problem(key, ",".join(texts), exc.said))
        except (ValueError, TypeError):
            problems.append(_problem(key, ",".join(texts), Said("links.takes", what=takes)))
    return Restored(source, cfg, problems)


def _table(source: Source) -> pd.DataFrame:
    """The table a sample, preset or typed source names (a ValueError when there is none)."""
    if source.kind == "preset":
        try:
            return load_preset(source.value)[0]
        except KeyError as exc:
            raise ValueError(exc.args[0]) from None
    if source.kind == "sample":
        if source.value not in {p.name for p in SAMPLE_DIR.glob("*.csv")}:
            raise DataError("links.no_sample", name=repr(source.value))
        return read_table(sample_path(source.value))
    return typed_table(source.value)


def _base(query: Mapping[str, Sequence[str]]) -> RunConfig:
    """The settings a link starts from: its preset's, else the dashboard's defaults."""
    try:
        return get_preset(query["preset"][-1]).settings if "preset" in query else state.DASHBOARD
    except KeyError:  # an unknown preset: restore() says so
        return state.DASHBOARD


def _missing_columns(df: pd.DataFrame, cfg: RunConfig) -> list[str]:
    return [c for c in (cfg.target, *cfg.features) if c is not None and c not in df.columns]


def restore() -> None:
    """On a session's first run, take the experiment a link carries (once per session)."""
    ss = st.session_state
    if ss[state.LINK_READ]:
        return
    ss[state.LINK_READ] = True
    query = {k: st.query_params.get_all(k) for k in st.query_params}
    if not query:
        return
    got = read(query, _base(query))
    notes = [f"{p[0].upper()}{p[1:]}." for p in map(i18n.say, got.said)]
    source, opened = got.source, None
    if source is None:
        notes.append(i18n.t("links.no_table"))
    elif source.kind == "upload":
        notes.append(i18n.t("links.upload", name=repr(source.value)))
        ss[state.PENDING_LINK] = got.settings
    elif source.kind == "typed" and not source.value:
        notes.append(i18n.t("links.typed_too_large"))
    else:
        try:
            df = _table(source)
        except ValueError as exc:  # LinRegError and pandas' parser errors are ValueErrors
            notes.append(i18n.t("links.table_failed", problem=i18n.say(exc)))
        else:
            if missing := _missing_columns(df, got.settings):
                notes.append(i18n.t("links.no_column", names=", ".join(map(repr, missing))))
            else:
                if source.kind == "preset":
                    state.use_preset(*load_preset(source.value))
                else:
                    state.use_data(df, source.name, source)
                state.use_link_settings(got.settings)
                opened = ss[state.DATA_NAME]
    if opened is not None:
        trains = i18n.t("links.trains_on_arrival")
        notes.insert(0, i18n.t("links.opened", name=opened, trains=trains))
    ss[state.NOTICE] = escape_md(" ".join(notes))  # the link's text is shown as typed


def publish() -> None:
    """Write the session's source and settings into the address bar (only when they changed)."""
    ss = st.session_state
    if ss[state.SOURCE] is None:  # no table yet: nothing to share (a link's own stays as it is)
        return
    wanted = {**params(ss[state.SOURCE], state.settings()), LANGUAGE_KEY: i18n.language()}
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    if current != {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}:
        st.query_params.from_dict(wanted)
