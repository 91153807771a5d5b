"""Files the learner downloads: predictions as CSV that a spreadsheet cannot run as formulas."""

from __future__ import annotations

import unicodedata

import pandas as pd

# A cell starting with one of these is read as a formula by Excel, LibreOffice and Sheets
# (OWASP "CSV injection"); a leading single quote makes it plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
