"""Session helpers for the Start, Data and Normalise pages: put a table or a preset into the
shared state, keep a widget and its plain key in step, read an upload without a traceback, and
describe a table's columns. Results shared across pages only ever go to the keys of ui.state.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pandas as pd
import streamlit as st

from linreg_core import LinRegError, RunConfig, read_table
from linreg_core.data import numeric_columns
from ui import state as S
from ui.presets import get_preset, load_preset

log = logging.getLogger(__name__)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$])")


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
    so that the sidebar, drawn before the page, names it."""
    ss = st.session_state
    target, features = default_columns(df, ss[S.TARGET], ss[S.FEATURES])
    ss[S.DATA], ss[S.DATA_NAME] = df, name
    ss[S.TEST_DATA], ss[S.TEST_DATA_NAME] = None, None
    ss[S.TARGET], ss[S.FEATURES] = target, features
    ss[S.COMPARISON], ss[S.PRESET], ss[S.PUBLISHED] = None, None, None
    st.rerun()


def apply_preset(name: str) -> None:
    """Load a preset's table and every setting it fixes; the Train page picks them up."""
    df, settings = load_preset(name)
    preset = get_preset(name)
    ss = st.session_state
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


def new_upload(upload: Any, seen_key: str) -> pd.DataFrame | None:
    """The table of an upload not read before (a rerun keeps the file in the widget); errors are
    shown with st.error and give None, so the last good table stays."""
    if upload is None or upload.file_id == st.session_state[seen_key]:
        return None
    st.session_state[seen_key] = upload.file_id
    return read_upload(upload)


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


def read_upload(upload: Any) -> pd.DataFrame | None:
    """Read an st.file_uploader file; on any problem show st.error and return None."""
    try:
        return read_table(upload, name=upload.name)
    except LinRegError as exc:
        st.error(str(exc), icon=":material/error:")
    except Exception as exc:  # a reader bug must not reach the learner as a traceback
        log.exception("Unexpected error reading %r", upload.name)
        st.error(
            f"Could not read {upload.name!r} ({type(exc).__name__}). Save it as 'CSV UTF-8' "
            "and upload it again. · 파일을 CSV(UTF-8)로 저장해 다시 올려 주세요.",
            icon=":material/error:",
        )
    return None


def column_overview(df: pd.DataFrame) -> pd.DataFrame:
    """One row per column: its type, missing cells, and whether it can be used."""
    numeric = set(numeric_columns(df))
    rows = []
    for col in df.columns:
        series = df[col]
        if col in numeric:
            kind, usable = "number", "yes"
        elif series.notna().any():
            kind, usable = "text", "no (text)"
        else:
            kind, usable = "empty", "no (empty)"
        rows.append(
            {"column": col, "type": kind, "missing": int(series.isna().sum()), "usable": usable}
        )
    return pd.DataFrame(rows)


def escape_md(text: object) -> str:
    """User text (file and column names) shown literally inside st.markdown."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
