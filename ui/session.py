"""Session helpers for the Start, Data and Normalise pages: put a table or a preset into the
shared state, keep a widget and its plain key in step, read an upload without a traceback,
describe a table's columns, and show messages that quote user text literally (escape_md).
Results shared across pages only ever go to the keys of ui.state.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pandas as pd
import streamlit as st

from linreg_core import Dataset, LinRegError, RunConfig, prepare, read_table
from linreg_core.data import numeric_columns
from ui import state as S
from ui.presets import get_preset, load_preset

UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "parquet", "json"]  # what linreg_core reads


def upload_limit() -> str:
    """'up to 50 MB': the server's limit, so a learner knows it before the upload fails."""
    return f"up to {st.get_option('server.maxUploadSize')} MB"


log = logging.getLogger(__name__)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:&])")
# The renderer turns www.x.com, http://x and a@b.x into links and :name: into icons after the
# backslashes are gone; an invisible word joiner after the "www", ":" or "@" stops it.
_AUTO_MARKUP = re.compile(r"\\:|@|(?i:www)(?=\\\.)")
WORD_JOINER = "\u2060"
EMPTY_FIX = (
    "A spreadsheet formula saved without its result reads as empty: open the file in Excel or "
    "LibreOffice, save it, and upload it again."
)


def default_columns(
    df: pd.DataFrame, target: str | None = None, features: list[str] | None = None
) -> tuple[str | None, list[str]]:
    """Keep a numeric target and features that still exist; else the last numeric column
    predicted from every other numeric column."""
    numeric = numeric_columns(df)
    if not numeric:
        return None, []
    if target not in numeric:
        target, features = numeric[-1], None
    kept = [c for c in (features or []) if c in numeric and c != target]
    return target, kept or [c for c in numeric if c != target]


def use_data(df: pd.DataFrame, name: str) -> None:
    """Make df the training table (an earlier result and test table no longer apply), then rerun
    so that the sidebar, drawn before the page, names it.

    A table that cannot be trained with any choice the page would make (see unusable) is not
    taken: the error is shown and the current table and results stay.
    """
    ss = st.session_state
    target, features = default_columns(df, ss[S.TARGET], ss[S.FEATURES])
    if (problem := unusable(df, target, features)) is not None:
        show_error(problem + kept(ss[S.DATA_NAME]))
        return
    ss[S.DATA], ss[S.DATA_NAME] = df, name
    ss[S.TEST_DATA], ss[S.TEST_DATA_NAME] = None, None
    ss[S.TARGET], ss[S.FEATURES] = target, features
    ss[S.COMPARISON], ss[S.PRESET], ss[S.PUBLISHED] = None, None, None
    st.rerun()


def use_test_data(df: pd.DataFrame, name: str) -> None:
    """Make df the held-out table if the chosen columns can be taken from it, then rerun; else
    show why and keep the current test table and results."""
    ss = st.session_state
    try:
        prepare(ss[S.DATA], data_config(), df)
    except LinRegError as exc:
        show_error(str(exc) + kept(ss[S.TEST_DATA_NAME]))
        return
    ss[S.TEST_DATA], ss[S.TEST_DATA_NAME] = df, name
    ss[S.COMPARISON], ss[S.PRESET], ss[S.PUBLISHED] = None, None, None
    st.rerun()  # the sidebar names the test table


def unusable(df: pd.DataFrame, target: str | None, features: list[str]) -> str | None:
    """Why df cannot be trained at all (None when it can): fewer than two numeric columns, or
    the target with its first feature fails with every row kept (too few rows, an infinite or
    out-of-range value). Problems a different choice of features or split can fix are left to
    the page, which names them once the table is loaded."""
    numeric = numeric_columns(df)
    if len(numeric) < 2 or target is None or not features:
        return too_few_numeric(df, numeric)
    bias = st.session_state[S.TRAINING].get("bias", True)
    try:
        prepare(df, RunConfig(target=target, features=(features[0],), bias=bias))
    except LinRegError as exc:
        return str(exc)
    return None


def kept(name: str | None) -> str:
    """The sentence that says which table stays loaded after a refused one ('' if none)."""
    return "" if name is None else f" {name!r} stays loaded. · 이전 데이터를 유지합니다."


def apply_preset(name: str) -> None:
    """Load a preset's table and every setting it fixes; the Train page picks them up."""
    df, settings = load_preset(name)
    preset = get_preset(name)
    ss = st.session_state
    ss[S.AUTO_TRAIN] = True  # one click: the Train page trains as soon as it opens
    ss[S.DATA], ss[S.DATA_NAME] = df, settings["data_name"]
    ss[S.TEST_DATA], ss[S.TEST_DATA_NAME] = None, None
    ss[S.TARGET], ss[S.FEATURES] = settings["target"], settings["features"]
    ss[S.TEST_SIZE], ss[S.SPLIT_SEED] = settings["test_size"], settings["split_seed"]
    ss[S.NORMALIZE], ss[S.NORMALIZE_TARGET] = settings["normalize"], settings["normalize_target"]
    ss[S.TRAINING], ss[S.PUBLISHED] = settings["training"], settings["published"]
    ss[S.COMPARISON], ss[S.PRESET] = None, preset.name
    what = "reproduce the tutorial" if preset.published else "compare the optimizers"
    ss[S.NOTICE] = (
        f"Loaded the preset “{preset.name}” ({preset.csv}, predicting {preset.target}). "
        f"Press Train to {what}. · 프리셋을 불러왔습니다. Train 버튼을 누르세요."
    )


def sync(widget_key: str, plain_key: str) -> None:
    """on_change callback: copy a widget's value to its plain key. The last result is stale, and
    the settings are no longer exactly a preset's (its published numbers no longer apply)."""
    ss = st.session_state
    value = ss[widget_key]
    ss[plain_key] = list(value) if isinstance(value, (list, tuple)) else value
    ss[S.COMPARISON], ss[S.PRESET], ss[S.PUBLISHED] = None, None, None


def bind(key: str, plain_key: str, on_change: Any = None) -> dict[str, Any]:
    """Widget keyword arguments that show plain_key's stored value and copy a change back to it
    (with sync, or the given callback); so a page shows the stored choice when it is revisited."""
    st.session_state[key] = st.session_state[plain_key]
    if on_change is not None:
        return {"key": key, "on_change": on_change}
    return {"key": key, "on_change": sync, "args": (key, plain_key)}


def set_target() -> None:
    """on_change of the target: if the new target was a feature, the old target takes its place."""
    ss = st.session_state
    old, new = ss[S.TARGET], ss[S.W_TARGET]
    ss[S.FEATURES] = [old if f == new else f for f in ss[S.FEATURES] if old is not None or f != new]
    sync(S.W_TARGET, S.TARGET)


def set_test_mode() -> None:
    """on_change of 'separate test file': back to a split forgets the separate test table."""
    ss = st.session_state
    if not ss[S.W_TEST_FILE]:
        ss[S.TEST_DATA], ss[S.TEST_DATA_NAME], ss[S.TEST_UPLOAD_SEEN] = None, None, None
    ss[S.COMPARISON], ss[S.PRESET], ss[S.PUBLISHED] = None, None, None


def new_upload(upload: Any, seen_key: str, keeping: str | None = None) -> pd.DataFrame | None:
    """The table of an upload not read before (a rerun keeps the file in the widget); errors are
    shown with st.error and give None, so the last good table (named `keeping`) stays."""
    if upload is None or upload.file_id == st.session_state[seen_key]:
        return None
    st.session_state[seen_key] = upload.file_id
    return read_upload(upload, keeping)


def data_config() -> RunConfig:
    """The RunConfig of the stored column and split choices (training settings left default)."""
    ss = st.session_state
    return RunConfig(
        target=ss[S.TARGET],
        features=tuple(ss[S.FEATURES]),
        test_size=ss[S.TEST_SIZE],
        seed=int(ss[S.SPLIT_SEED]),
        bias=ss[S.TRAINING].get("bias", True),
    )


def read_upload(upload: Any, keeping: str | None = None) -> pd.DataFrame | None:
    """Read an st.file_uploader file; on any problem show st.error (saying that the table named
    `keeping` stays, if given) and return None.

    What the reader changed on the way is in the table's attrs; pages show it with show_notes.
    """
    try:
        return read_table(upload, name=upload.name)
    except LinRegError as exc:
        show_error(str(exc) + kept(keeping))
    except Exception as exc:  # a reader bug must not reach the learner as a traceback
        log.exception("Unexpected error reading %r", upload.name)
        show_error(
            f"Could not read {upload.name!r} ({type(exc).__name__}). Save it as 'CSV UTF-8' "
            "and upload it again. · 파일을 CSV(UTF-8)로 저장해 다시 올려 주세요." + kept(keeping)
        )
    return None


def show_error(problem: object) -> None:
    """st.error of a LinRegError (or a message) that quotes user text, shown literally."""
    st.error(escape_md(problem), icon=":material/error:")


def show_notes(df: pd.DataFrame | None) -> None:
    """One st.warning per change the reader made to df (df.attrs["notes"]), shown literally."""
    for note in [] if df is None else df.attrs.get("notes", []):
        st.warning(escape_md(note), icon=":material/edit_note:")


def show_split(ds: Dataset) -> None:
    """The training and test row counts; a warning when rows with a gap were left out."""
    st.success(
        f"{len(ds.y_train):,} training rows, {len(ds.y_test):,} test rows, "
        f"{ds.dropped:,} dropped for missing values."
    )
    if ds.dropped:
        st.warning(
            f"{ds.dropped:,} row(s) have a missing value in the target or a chosen feature and "
            "are left out. Fill in the gaps in the file to use them. · 빈 값이 있는 행은 제외",
            icon=":material/warning:",
        )


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


def too_few_numeric(df: pd.DataFrame, numeric: list[str]) -> str:
    """Why a table with fewer than two numeric columns cannot be used, and the fix."""
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


def names(columns: list[str], limit: int = 10) -> str:
    """'a', 'b' and 3 more: column names quoted, for a message."""
    shown = ", ".join(repr(str(c)) for c in columns[:limit])
    return shown + (f" and {len(columns) - limit:,} more" if len(columns) > limit else "")


def column_overview(df: pd.DataFrame) -> pd.DataFrame:
    """One row per column: its type, missing cells, and whether it can be used."""
    numeric = set(numeric_columns(df))
    why = df.attrs.get("unusable", {})  # the reader's reasons: nested cells, mixed conventions
    rows = []
    for col in df.columns:
        series = df[col]
        if col in numeric:
            kind, usable = "number", "yes"
        elif col in why:
            kind, usable = "text", f"no: {why[col]}"
        elif series.notna().any():
            kind, usable = "text", "no (text)"
        else:
            kind, usable = "empty", "no (empty)"
        rows.append(
            {"column": col, "type": kind, "missing": int(series.isna().sum()), "usable": usable}
        )
    return pd.DataFrame(rows)


def escape_md(text: object) -> str:
    """User text (file and column names, messages quoting them) shown literally in markdown.

    Every markdown-active character gets a backslash (which the renderer removes), links and
    :icons: get an invisible word joiner, and line breaks become spaces, so a name like
    "**x**", "<b>x</b>", "# x", "www.x.com" or ":material/home:" reads as typed.
    """
    flat = " ".join(str(text).splitlines())
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", flat)
    return _AUTO_MARKUP.sub(lambda m: m[0] + WORD_JOINER, escaped)


def sidebar_status(ss: Any) -> None:
    """The sidebar's summary: which table, target and features are loaded; trained or not."""
    st.subheader("Current data")
    df = ss[S.DATA]
    if df is None:
        st.caption("No data loaded yet: pick a preset on Start or load a table on Data.")
        st.caption("아직 데이터가 없습니다.")
    else:
        st.markdown(f"**{escape_md(ss[S.DATA_NAME])}** · {len(df):,} rows")
        if ss[S.TARGET] is not None:
            features = ", ".join(escape_md(f) for f in ss[S.FEATURES]) or "none chosen"
            st.markdown(f"Target: **{escape_md(ss[S.TARGET])}**  \nFeatures: {features}")
        if ss[S.TEST_DATA] is not None:
            st.markdown(f"Test table: {escape_md(ss[S.TEST_DATA_NAME])}")
        if ss[S.PRESET]:
            st.caption(f"Preset: {ss[S.PRESET]}")
    if ss[S.COMPARISON] is not None:
        st.success("Comparison ready", icon=":material/check_circle:")
    elif df is not None:
        st.caption("Not trained yet: go to Train & compare.")


def target_scale_hint(target: Any, scaled: bool) -> str | None:
    """A nudge to scale the target when it sits far from 0 (a linreg_core Scaler of it)."""
    mean, std = float(target.mean[0]), float(target.std[0])
    if scaled or abs(mean) < 3 * std:
        return None
    return (
        f"The target's mean ({mean:.4g}) is {abs(mean) / std:.0f} standard deviations from 0. "
        "Adam, RMSProp and Adagrad move each weight by about one learning rate per step, so "
        "they need many epochs to get there: turn on 'Scale the target too' to compare the "
        "optimizers fairly. · 목표값도 정규화하면 적응형 옵티마이저가 빨리 수렴합니다."
    )
