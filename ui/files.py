"""Files in and out: reading an upload without a traceback, taking a table only when it can be
trained, and CSV downloads that a spreadsheet cannot run as formulas."""

from __future__ import annotations

import functools
import logging
import unicodedata
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.uploaded_file_manager import DeletedFile

from linreg_core import LinRegError, RunConfig, numeric_columns, prepare, read_table
from ui import navigation, state
from ui.i18n import say, t
from ui.messages import kept, show_error, too_few_numeric

UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "parquet", "json", "jsonl"]  # what linreg_core reads
# A cell starting with one of these is read as a formula by Excel, LibreOffice and Sheets
# (OWASP "CSV injection"); a leading single quote makes it plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

log = logging.getLogger(__name__)


def upload_limit() -> str:
    """'up to 50 MB' in the session's language: the server's limit, so a learner knows it
    before the upload fails."""
    return t("data.upload_limit", mb=st.get_option("server.maxUploadSize"))


def read_upload(
    upload: Any, keeping: str | None = None, sheet: str | None = None
) -> pd.DataFrame | None:
    """Read an st.file_uploader file (a workbook's `sheet`, or the reader's choice); on any
    problem show st.error (saying that the table named `keeping` stays, if given) and return
    None.

    What the reader changed on the way is in the table's attrs; pages show it with show_notes.
    """
    try:
        return read_table(upload, name=upload.name, sheet=sheet)
    except LinRegError as exc:
        show_error(t("data.upload_failed", problem=say(exc)) + kept(keeping))
    except Exception as exc:  # a reader bug must not reach the learner as a traceback
        log.exception("Unexpected error reading %r", upload.name)
        show_error(
            t("data.read_failed", name=repr(upload.name), kind=type(exc).__name__) + kept(keeping)
        )
    return None


def new_upload(upload: Any, seen_key: str, keeping: str | None = None) -> pd.DataFrame | None:
    """The table of an upload not read before (a rerun keeps the file in the widget); errors are
    shown with st.error and give None, so the last good table (named `keeping`) stays."""
    if upload is None or isinstance(upload, DeletedFile):  # DeletedFile: read and let go
        return None
    if upload.file_id == st.session_state[seen_key]:
        return None
    st.session_state[seen_key] = upload.file_id
    try:
        return read_upload(upload, keeping)
    finally:
        let_go(upload)


def let_go(upload: Any) -> None:
    """Drop the server's copy of an uploaded file once it is read: the table read from it is
    the one copy a session keeps (the file itself stayed for the session's life, 44 MB for a
    CSV of 1.5 million rows). The uploader still shows the file; later runs get it back as a
    DeletedFile, which new_upload skips."""
    ctx = get_script_run_ctx()
    remove = getattr(getattr(ctx, "uploaded_file_mgr", None), "remove_file", None)
    if ctx is not None and remove is not None:  # Streamlit's in-memory store of uploads
        remove(ctx.session_id, upload.file_id)


def upload_with_sheets(upload: Any, keeping: str | None = None) -> pd.DataFrame | None:
    """new_upload for the training table, and for a workbook with several sheets a selectbox
    of them, at the sheet read: the table of another sheet once it is chosen."""
    ss = st.session_state
    table = new_upload(upload, state.UPLOAD_SEEN, keeping)
    if table is not None and len(sheets := table.attrs.get("sheets", [])) > 1:
        ss[state.UPLOAD_SHEETS] = (upload.file_id, tuple(sheets), table.attrs["sheet"])
    book = ss[state.UPLOAD_SHEETS]
    if upload is None or book is None or book[0] != upload.file_id:
        return table
    file_id, sheets, read = book
    chosen = st.selectbox(
        t("data.sheet_label"),
        sheets,
        index=sheets.index(read),
        key=state.W_SHEET.format(file_id=file_id),
        help=t("data.sheet_help"),
    )
    if chosen != read:
        ss[state.UPLOAD_SHEETS] = (file_id, sheets, chosen)
        table = read_upload(upload, keeping, sheet=chosen)
    return table


def _safe_text(value: object) -> object:
    """Text a spreadsheet would run gets a leading quote: a formula sign first, after leading
    spaces, or in full width (＝, ＋, －, ＠, which spreadsheets may fold to ASCII)."""
    if not isinstance(value, str):
        return value
    folded = unicodedata.normalize("NFKC", value).lstrip(" \u00a0\u3000")
    if value.startswith(FORMULA_STARTS) or folded.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_csv(df: pd.DataFrame) -> bytes:
    """df as UTF-8 CSV (with a BOM, so Excel shows Korean text), formula-like text defused.

    Only text cells and column names are changed; numbers stay numbers, so -3.5 is written as
    -3.5 while the text "-a" becomes "'-a".
    """
    out = df.copy()
    out.columns = [_safe_text(str(c)) for c in out.columns]
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            out[col] = out[col].map(_safe_text, na_action="ignore")
    # CRLF rows (RFC 4180) also make the writer quote a cell holding a lone carriage return
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def csv_when_clicked(rows: pd.DataFrame | Callable[[], pd.DataFrame]) -> Callable[[], bytes]:
    """st.download_button data that writes rows (or what rows() returns) with safe_csv when
    the button is clicked. It holds rows alone: a lambda written on a page would keep every
    variable of that page's run (the charts' frames too) until the next run."""
    return functools.partial(_write_csv, rows)


def _write_csv(rows: pd.DataFrame | Callable[[], pd.DataFrame]) -> bytes:
    return safe_csv(rows() if callable(rows) else rows)


def load_table(df: pd.DataFrame, name: str, source: state.Source | None = None) -> None:
    """Make df the training table, then rerun so that the sidebar, drawn before the page,
    names it (with the sheet, for a workbook of several). A table that no choice of the page
    can train is refused: the error is shown and the current table and results stay. source:
    where df came from, for links (None: an upload)."""
    if len(df.attrs.get("sheets", [])) > 1:
        name = f"{name} ({df.attrs['sheet']})"
    if (problem := unusable(df)) is not None:
        show_error(problem + kept(st.session_state[state.DATA_NAME]))
        return
    state.use_data(df, name, source)
    st.rerun()


def load_test_table(df: pd.DataFrame, name: str) -> None:
    """Make df the held-out table if the chosen columns can be taken from it, then rerun; else
    show why and keep the current test table and results."""
    ss = st.session_state
    try:
        prepare(ss[state.DATA], state.settings(), df)
    except LinRegError as exc:
        show_error(say(exc) + kept(ss[state.TEST_DATA_NAME]))
        if state.settings().target not in df.columns:  # rows to predict, not to score
            label = t("data.predict_new_file", page=navigation.PREDICT.title)
            navigation.page_link(navigation.PREDICT, label)
        return
    state.use_test_data(df, name)
    st.rerun()  # the sidebar names the test table


def unusable(df: pd.DataFrame) -> str | None:
    """Why df cannot be trained at all (None when it can): fewer than two numeric columns, or
    the target it would get with its first feature fails with every row kept (too few rows, an
    infinite or out-of-range value), in the session's language. Problems a different choice
    of features or split can fix are left to the page, which names them once the table is
    loaded."""
    numeric = numeric_columns(df)
    target, features = state.default_columns(df, state.settings().target, state.settings().features)
    target = target or (numeric[-1] if numeric else None)  # for this check only: not chosen
    # a table too wide for every column to be a feature starts with none chosen: try the first
    first = features[:1] or tuple(c for c in numeric if c != target)[:1]
    if len(numeric) < 2 or target is None or not first:
        return too_few_numeric(df, numeric)
    try:
        prepare(df, RunConfig(target=target, features=first, bias=state.settings().bias))
    except LinRegError as exc:
        return say(exc)
    return None
