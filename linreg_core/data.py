"""Read a table (csv/tsv/txt/xlsx/parquet/json), pick the target and features, validate, split.

Everything a learner may upload goes through read_table(); every problem with it is a DataError
whose message names the problem and the fix. Nothing is ever unpickled or evaluated.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import json
import math
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from linreg_core import numbers, rows
from linreg_core.config import RunConfig
from linreg_core.errors import ConfigError, DataError

TEXT_EXTENSIONS = (".csv", ".tsv", ".txt")
EXTENSIONS = (*TEXT_EXTENSIONS, ".xlsx", ".parquet", ".json", ".jsonl")
DELIMITERS = (",", ";", "\t", "|")
MAX_COLUMNS = 10_000  # a wider table is almost surely not a regression table
# Parsing holds the bytes, the decoded text and the frame at once, several times the file's
# size: a 512 MB file already needs a few GB. A table to learn regression from is far smaller
# (the dashboard's own upload limit is 50 MB), so a larger file is refused before it is read.
MAX_FILE_BYTES = 512 * 2**20

# Every feature gets a weight in the summary, a panel or line in the charts and an input on
# Predict, and training's statistics grow with its square: beyond 100 a learner can read none of
# them, and a table of thousands of columns held a small server for minutes and gigabytes.
MAX_FEATURES = 100
FLOAT32_MAX = float(np.finfo(np.float32).max)
_SIGNATURES = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old-style Excel (.xls) or Office file",
    b"\x1f\x8b": "a gzip archive",
    b"\x80": "a Python pickle",
}
_RAGGED = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_ROW_NUMBER = re.compile(r"-?\d+")  # a JSON key that is a row number, as pandas writes it
JSON_SHAPES = (
    'Use a list of records like [{"x": 1, "y": 2}, ...], columns like {"x": [...], "y": [...]}, '
    "one record per line (JSON lines) or any table pandas' DataFrame.to_json writes."
)

TYPED_TABLE = "typed table"  # the dashboard's name for a table typed in, not read from a file


@dataclass(frozen=True)
class Dataset:
    """The chosen columns as float64 arrays, split into training and held-out rows."""

    X_train: np.ndarray  # (n_train, n_features)
    y_train: np.ndarray  # (n_train,)
    X_test: np.ndarray  # (n_test, n_features); zero rows when nothing is held out
    y_test: np.ndarray  # (n_test,)
    features: tuple[str, ...]
    target: str
    dropped: int  # rows dropped for a missing value in a chosen column
    train_rows: np.ndarray  # (n_train,) positions of the training rows in the table
    test_rows: np.ndarray  # (n_test,) positions in the table (or in the separate test table)
    filtered: int = 0  # rows the row filters (cfg.where) left out, before the split
    outliers: int = 0  # training rows dropped beyond cfg.drop_outliers (training statistics)


def read_table(
    source: str | Path | bytes | IO[bytes],
    name: str | None = None,
    *,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Read a table from a path, bytes or a binary file object (e.g. a Streamlit upload).

    Args:
        source: the file. For bytes and file objects, `name` (or the object's .name) gives the
            extension; without one the format is recognised from the content.
        name: the file's name, used for its extension and in messages.
        sheet: a workbook's sheet, by name or position from 0; by default the first sheet that
            holds numbers. Only for .xlsx files.
    Returns:
        The table with stripped column names and a saved pandas index column dropped. Its
        attrs say what the reader changed ("notes") and, for a workbook, which sheet was read
        ("sheet") of which ("sheets").
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = name or path.name
        data = _read_file(path)
    elif isinstance(source, bytes):
        data = source
    else:
        name = name or getattr(source, "name", None)
        data = source.getvalue() if hasattr(source, "getvalue") else source.read(MAX_FILE_BYTES + 1)
    label = repr(name) if name else "the file"
    _check_size(len(data), label)
    if not data.strip():
        raise DataError(f"{label} is empty. Choose a file with a header row and data rows.")
    kind = _detect_kind(data, name)
    if sheet is not None and kind != "xlsx":
        raise DataError(
            f"{label} is not an Excel workbook, so it has no sheets. Choose a sheet only for an "
            ".xlsx file."
        )
    if kind == "xlsx":
        df = _read_excel(data, label, sheet)
    elif kind == "parquet":
        df = _read_parquet(data, label)
    elif kind == "json":
        df = _read_json(data, label, lines=Path(name or "").suffix.lower() == ".jsonl")
    else:
        df = _read_text(data, label)
    return _tidy(df, label)


def _read_file(path: Path) -> bytes:
    """A regular file's bytes. Its type and size are checked before it is opened: opening a
    named pipe waits for a writer, and a device such as /dev/zero never ends."""
    shown = repr(str(path))
    try:
        mode, size = (info := os.stat(path)).st_mode, info.st_size
    except FileNotFoundError:
        raise DataError(f"No such file: {shown}. Check the path.") from None
    except OSError as exc:
        raise DataError(f"Cannot read {shown}: {exc.strerror}.") from None
    if stat.S_ISDIR(mode):
        raise DataError(f"{shown} is a folder, not a file. Give a table file.")
    if not stat.S_ISREG(mode):
        raise DataError(
            f"{shown} is {_file_type(mode)}, not a regular file; only files saved on disk are "
            "read. Save the table to a file and give its path."
        )
    _check_size(size, shown)
    try:
        with path.open("rb") as f:
            return f.read(MAX_FILE_BYTES + 1)  # a file that grew since the check stays bounded
    except OSError as exc:
        raise DataError(f"Cannot read {shown}: {exc.strerror}.") from None


def _file_type(mode: int) -> str:
    """What a path that is not a regular file or a folder is, in words."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "an unusual kind of file"


def _check_size(size: int, label: str) -> None:
    if size > MAX_FILE_BYTES:
        raise DataError(
            f"{label} is {size / 2**20:,.1f} MB ({size:,} bytes); the limit is "
            f"{MAX_FILE_BYTES // 2**20:,} MB. Keep a sample of the rows, or only the columns you "
            "need, and save it again."
        )


def _detect_kind(data: bytes, name: str | None) -> str:
    """Which reader to use: trust the content's signature first, then the extension."""
    head = data[:8]
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    for signature, what in _SIGNATURES.items():
        if head.startswith(signature):
            raise DataError(
                f"This file is {what}, not a table. Upload CSV, TSV, XLSX, Parquet or JSON."
            )
    ext = Path(name).suffix.lower() if name else ""
    if ext == ".xlsx":
        raise DataError(
            f"{name!r} ends in .xlsx but is not an Excel workbook (an .xlsx is a zip file). "
            "Open it in Excel and save it again as .xlsx, or export it as CSV."
        )
    if ext == ".parquet":
        raise DataError(f"{name!r} ends in .parquet but is not a Parquet file. Export it again.")
    utf16 = _utf16(data)
    if b"\x00" in data[:4096] and utf16 is None:
        raise DataError(
            "This file holds binary data, not text. Upload CSV, TSV, XLSX, Parquet or JSON."
        )
    head = data[:4096].decode(utf16, errors="ignore").encode() if utf16 else data
    first = head.lstrip().removeprefix(b"\xef\xbb\xbf")[:1]
    if ext in (".json", ".jsonl") or first in (b"[", b"{"):
        return "json"
    return "text"


def _utf16(data: bytes) -> str | None:
    """The UTF-16 codec of data, with a byte-order mark or without one, or None.

    Without a mark, UTF-16 is recognised by its zero bytes: every character of the ASCII range
    (digits, delimiters, line breaks, Latin names) has one, always on the same side of the
    two-byte unit (the second byte in little-endian, the first in big-endian). Binary data has
    zero bytes too, but also units that are all zero or decode to control characters.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[: min(len(data), 4096) & ~1]  # whole two-byte units
    units = len(head) // 2
    if units < 2:
        return None
    first, second = head[0::2], head[1::2]
    if any(a == 0 and b == 0 for a, b in zip(first, second, strict=True)):
        return None  # a NUL character: binary
    encoding = "utf-16-le" if second.count(0) > first.count(0) else "utf-16-be"
    if max(first.count(0), second.count(0)) < units / 4:
        return None
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    if any(ch < " " and ch not in "\t\n\r" for ch in text):
        return None
    return encoding


def _encoding(data: bytes, label: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 (with or without BOM), or the Korean cp949/EUC-KR."""
    if (utf16 := _utf16(data)) is not None:
        try:
            data.decode(utf16)
        except UnicodeDecodeError:
            raise DataError(
                f"{label} looks like UTF-16 text but is cut or damaged (e.g. an odd number of "
                "bytes). Save it as 'CSV UTF-8' and retry."
            ) from None
        return utf16
    for encoding in ("utf-8-sig", "cp949"):
        try:
            data.decode(encoding)  # checks every byte; pandas then parses the bytes themselves
            return encoding
        except UnicodeDecodeError:
            continue
    raise DataError(
        f"{label} is not UTF-8 or Korean (cp949/EUC-KR) text. Save it as 'CSV UTF-8' and retry."
    )


def _decode(data: bytes, label: str) -> str:
    return data.decode(_encoding(data, label))


def _split_line(line: str, sep: str) -> list[str]:
    """One line's cells as csv reads them ([] for a line csv refuses, e.g. a lone CR)."""
    try:
        return next(csv.reader([line], delimiter=sep), [])
    except csv.Error:
        return []


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the header into 2+ names and most rows into as many cells."""
    best, best_score = ",", (0.0, 1)
    rows = [line for line in lines[1:] if line.strip()]
    for delimiter in DELIMITERS:
        width = len(_split_line(lines[0], delimiter)) if lines else 0
        if width < 2:
            continue
        agree = (
            sum(len(_split_line(r, delimiter)) == width for r in rows) / len(rows) if rows else 1.0
        )
        if (agree, width) > best_score:
            best, best_score = delimiter, (agree, width)
    return best


def _read_text(data: bytes, label: str) -> pd.DataFrame:
    encoding = _encoding(data, label)
    sample = data[:65536].decode(encoding, errors="ignore").splitlines()[:50]
    sep = _sniff_delimiter(sample)
    if encoding.startswith("utf-16"):  # a byte 0x0A can be half of another character
        first_line = data.decode(encoding, errors="ignore").split("\n", 1)[0]
    else:
        first_line = data.split(b"\n", 1)[0].decode(encoding, errors="ignore")
    header = _split_line(first_line.lstrip("\ufeff").rstrip("\r"), sep)
    _check_width(len(header), label)
    try:
        df = pd.read_csv(
            io.BytesIO(data),
            sep=sep,
            encoding=encoding,
            skipinitialspace=True,
        )
    except pd.errors.EmptyDataError:
        raise DataError(f"{label} has no columns. Choose a file with a header row.") from None
    except pd.errors.ParserError as exc:
        found = _RAGGED.search(str(exc))
        where = (
            f"line {found[2]} has {found[3]} cells but the header has {found[1]}"
            if found
            else str(exc).strip().splitlines()[-1]
        )
        raise DataError(
            f"{label} has rows with different numbers of cells: {where}. "
            "Make every row have one cell per column (quote cells that contain the delimiter), "
            "then upload it again."
        ) from None
    except (ValueError, csv.Error) as exc:
        raise DataError(f"{label} cannot be read as a table: {exc}.") from None
    if len(header) == df.shape[1]:  # the names as written, before pandas' renaming of blanks/dupes
        df.columns = [h.strip() for h in header]
    df.attrs["delimiter"] = sep  # settles a column of cells like 1,234 (see numbers.py)
    return df


def _read_excel(data: bytes, label: str, sheet: str | int | None = None) -> pd.DataFrame:
    """The chosen sheet, or the first that holds numbers (a workbook often opens on a README).

    The sheet read and the workbook's sheets go to attrs, and a note names them when there
    are several.
    """
    try:
        with pd.ExcelFile(io.BytesIO(data), engine="openpyxl") as book:
            names = [str(n) for n in book.sheet_names]
            if sheet is not None:
                chosen = _sheet_name(names, sheet, label)
                df = pd.read_excel(book, sheet_name=chosen)
                note = f"Read the sheet {chosen!r} of the workbook's {len(names)} sheets"
            else:
                chosen, df = _first_table(book, names)
                note = (
                    f"Read the sheet {chosen!r}, the first of the workbook's {len(names)} "
                    "sheets that holds numbers"
                    if numeric_columns(df)
                    else f"No sheet of the workbook holds numbers: read the first, {chosen!r}"
                )
    except DataError:
        raise
    except ImportError:
        raise DataError("Reading .xlsx needs openpyxl: pip install openpyxl.") from None
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise DataError(
            f"{label} is not a readable Excel workbook ({type(exc).__name__}). "
            "Save it again as .xlsx, or export it as CSV."
        ) from None
    others = [n for n in names if n != chosen]
    df.attrs["notes"] = [f"{note}; the others are {_quoted(others)}."] if others else []
    df.attrs["sheet"], df.attrs["sheets"] = chosen, names
    return df


def _first_table(book: pd.ExcelFile, names: list[str]) -> tuple[str, pd.DataFrame]:
    """The first sheet with a column of numbers under its header, or else the first sheet."""
    first = pd.read_excel(book, sheet_name=names[0])
    if numeric_columns(first):
        return names[0], first
    for name in names[1:]:
        df = pd.read_excel(book, sheet_name=name)
        if numeric_columns(df):
            return name, df
    return names[0], first


def _sheet_name(names: list[str], sheet: str | int, label: str) -> str:
    """The sheet asked for, by name or position; a DataError listing the sheets if none."""
    if isinstance(sheet, int):
        if 0 <= sheet < len(names):
            return names[sheet]
        raise DataError(
            f"{label} has {len(names)} sheets, numbered 0 to {len(names) - 1}: there is no "
            f"sheet {sheet}. Its sheets: {_quoted(names)}."
        )
    if sheet in names:
        return sheet
    raise DataError(
        f"{label} has no sheet named {sheet!r}. Its sheets: {_quoted(names)}. "
        "Give one of these names."
    )


def _quoted(names: list[str], limit: int = 10) -> str:
    """'a', 'b' and 3 more."""
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit:,} more" if len(names) > limit else "")


def _read_parquet(data: bytes, label: str) -> pd.DataFrame:
    try:
        df = pd.read_parquet(io.BytesIO(data))
    except ImportError:
        raise DataError("Reading Parquet needs pyarrow: pip install pyarrow.") from None
    except Exception as exc:  # pyarrow raises ArrowInvalid and friends
        raise DataError(f"{label} is not a readable Parquet file ({exc}).") from None
    return _index_as_columns(df, "The Parquet file's")


def _index_as_columns(df: pd.DataFrame, whose: str) -> pd.DataFrame:
    """The row index as the first column(s), with a note, unless it only numbers the rows.

    A named index or one of dates or text holds data (a time stamp, an id); a RangeIndex or
    unnamed whole numbers (what a slice or a shuffle leaves) only number the rows.
    """
    index = df.index
    if index.nlevels == 1 and index.name is None and pd.api.types.is_integer_dtype(index):
        return df
    notes = df.attrs.get("notes", [])
    out = df.reset_index(allow_duplicates=True)  # a clash with a column is renamed by _tidy
    kept = [str(c) for c in out.columns[: index.nlevels]]
    where = f"first column, {kept[0]!r}" if len(kept) == 1 else f"first columns, {kept}"
    out.attrs["notes"] = [*notes, f"{whose} row index was kept as the {where}."]
    return out


def _read_json(data: bytes, label: str, *, lines: bool = False) -> pd.DataFrame:
    """A JSON table in any of the shapes pandas writes, or JSON lines (one record a line)."""
    text = _decode(data, label)
    if lines:
        return _json_frame(_json_lines(text, label), label)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # a second document after the first: JSON lines
            return _json_frame(_json_lines(text, label), label)
        raise DataError(
            f"{label} is not valid JSON ({exc.msg} at line {exc.lineno}). {JSON_SHAPES}"
        ) from None
    return _json_frame(doc, label)


def _json_lines(text: str, label: str) -> list[object]:
    """The records of JSON lines: one JSON object on each line that is not blank."""
    records = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise DataError(
                f"{label} line {number} is not valid JSON ({exc.msg}). "
                'Write one record per line, like {"x": 1, "y": 2}.'
            ) from None
    return records


def _json_frame(doc: object, label: str) -> pd.DataFrame:
    """The table in a parsed JSON document, by its shape; a DataError for anything else.

    Shapes: records [{col: value}]; columns {col: [values]}; pandas' to_json orients "columns"
    (its default, {col: {row: value}}), "index" ({row: {col: value}}), "split" and "table".
    Row labels that are not row numbers become a column, as a Parquet file's index does.
    """
    try:
        df = _json_shape(doc, label)
    except (ValueError, TypeError) as exc:  # e.g. rows of different lengths in "split"
        raise DataError(f"{label} is JSON but not a table ({exc}). {JSON_SHAPES}") from None
    if df is None:
        raise DataError(f"{label} is JSON but not a table. {JSON_SHAPES}")
    if all(isinstance(v, str) and _ROW_NUMBER.fullmatch(v) for v in df.index):
        df.index = pd.Index([int(v) for v in df.index])  # JSON keys are text: "0", "1", ...
    return _index_as_columns(df, "The JSON file's")


def _json_shape(doc: object, label: str) -> pd.DataFrame | None:
    if isinstance(doc, list):
        if doc and all(isinstance(r, dict) for r in doc):
            return pd.DataFrame.from_records(doc)
        return None
    if not isinstance(doc, dict) or not doc:
        return None
    keys = set(doc)
    if {"columns", "data"} <= keys <= {"columns", "index", "data", "name"}:  # orient="split"
        index = doc.get("index")
        return pd.DataFrame(doc["data"], columns=doc["columns"], index=index)
    if keys == {"schema", "data"} and isinstance(doc["schema"], dict):  # orient="table"
        df = pd.DataFrame.from_records(doc["data"])
        primary = doc["schema"].get("primaryKey") or []
        if isinstance(primary, list) and primary and set(primary) <= set(df.columns):
            df = df.set_index(primary)
            if list(df.index.names) == ["index"]:  # pandas' name for an unnamed index
                df.index.name = None
        return df
    values = list(doc.values())
    if all(isinstance(v, list) for v in values):
        lengths = {len(v) for v in values}
        if len(lengths) > 1:
            raise DataError(f"{label}: the JSON columns have different lengths {sorted(lengths)}.")
        return pd.DataFrame(doc)
    if all(isinstance(v, dict) for v in values):
        inner = list(values[0])
        by_row = all(_ROW_NUMBER.fullmatch(k) for k in doc) and not all(
            _ROW_NUMBER.fullmatch(str(k)) for k in inner
        )
        return pd.DataFrame.from_dict(doc, orient="index" if by_row else "columns")
    return None


def _check_width(n_columns: int, label: str) -> None:
    if n_columns > MAX_COLUMNS:
        raise DataError(
            f"{label} has {n_columns:,} columns; the limit is {MAX_COLUMNS:,}. "
            "Keep only the columns you want to use."
        )


def _tidy(df: pd.DataFrame, label: str) -> pd.DataFrame:
    """Strip names, name blank ones, drop a saved row-number column; refuse empty tables."""
    _check_width(df.shape[1], label)
    notes = list(df.attrs.get("notes", []))  # what the format's reader changed
    names: list[str] = []
    renamed = []
    for i, col in enumerate(df.columns):
        text = str(col).strip()
        if not text or text.startswith("Unnamed: "):
            text = "Unnamed" if i == 0 else f"column {i + 1}"
        base, n = text, 1
        while text in names:
            n += 1
            text = f"{base} ({n})"
        if n > 1:
            renamed.append(f"{base!r} -> {text!r}")
        names.append(text)
    df.columns = names
    if renamed:
        notes.append("Some columns had the same name and were renamed: " + ", ".join(renamed) + ".")
    if df.shape[1] and _is_row_number(df.columns[0], df.iloc[:, 0]):
        df = df.iloc[:, 1:]
        notes.append("The first column only numbered the rows (a saved index), so it was dropped.")
    if df.shape[1] == 0:
        raise DataError(f"{label} has no columns. Choose a file with a header row.")
    if len(df) == 0:
        raise DataError(f"{label} has a header but no data rows. Add rows and upload it again.")
    delimiter = df.attrs.get("delimiter", ",")
    df = df.reset_index(drop=True)
    formats, unusable = _read_numbers(df, delimiter)
    notes += [f.note() for f in formats]
    df.attrs["notes"] = notes  # what was changed while reading, for the page to show
    # how each text column of numbers was read, as plain dicts (Streamlit sends attrs as JSON)
    df.attrs["number_formats"] = [dataclasses.asdict(f) for f in formats]
    df.attrs["unusable"] = unusable  # column -> why it cannot be used (beyond "text")
    return df


def _read_numbers(
    df: pd.DataFrame, delimiter: str
) -> tuple[list[numbers.NumberFormat], dict[str, str]]:
    """Turn text columns of numbers into numbers in place, one convention per column.

    Returns the conventions used (beyond plain decimal points) and the columns that cannot be
    used with the reason: numbers written in contradicting ways, or cells holding lists or
    objects (kept as their JSON text, so every cell of the table can be hashed and shown).
    """
    formats: list[numbers.NumberFormat] = []
    unusable: dict[str, str] = {}
    for col in df.columns:
        series = df[col]
        if not (series.dtype == object or pd.api.types.is_string_dtype(series)):
            continue
        if numbers.is_nested(series):
            df[col] = series.map(_json_text, na_action="ignore").astype(object)
            unusable[col] = "its cells hold lists or objects (nested JSON), not single values"
            continue
        values, fmt, reason = numbers.parse_column(series, col, delimiter=delimiter)
        if values is not None:
            df[col] = values
            if fmt is not None:
                formats.append(fmt)
        elif reason is not None:
            unusable[col] = reason
    return formats, unusable


def _json_text(value: object) -> object:
    """A list or dict cell as its JSON text; other cells unchanged."""
    if isinstance(value, (dict, list, tuple, set)):
        items = sorted(value, key=str) if isinstance(value, set) else value
        return json.dumps(items, ensure_ascii=False, default=str)
    return value


def _is_row_number(name: str, values: pd.Series) -> bool:
    """A leading unnamed column holding 0..m-1 or 1..m is a saved pandas index, not data."""
    if name not in ("Unnamed", "index"):
        return False
    if not pd.api.types.is_integer_dtype(values) or values.isna().any():
        return False
    start = int(values.iloc[0])
    return start in (0, 1) and bool(
        np.array_equal(values.to_numpy(), np.arange(start, start + len(values)))
    )


def numeric_columns(df: pd.DataFrame) -> list[str]:
    """Columns that hold numbers (or numbers written as text), in table order."""
    out = []
    for col in df.columns:
        series = df[col]
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
            if series.notna().any():
                out.append(col)
        elif _text_of_numbers(df, col):
            out.append(col)
    return out


def _text_of_numbers(df: pd.DataFrame, col: str) -> bool:
    """Whether a text column reads as numbers in one convention (see numbers.py)."""
    series = df[col]
    if col in df.attrs.get("unusable", {}) or numbers.is_nested(series):
        return False
    if not (series.dtype == object or pd.api.types.is_string_dtype(series)):
        return False
    values = numbers.parse_column(series, col)[0]
    return values is not None and bool(values.notna().any())


def column_values(df: pd.DataFrame, col: str) -> np.ndarray:
    """One column as float64 with NaN for missing; a DataError if it holds text or huge values."""
    if col not in df.columns:
        known = ", ".join(map(repr, df.columns[:20]))
        raise DataError(f"No column named {col!r}. The table has: {known}.")
    series = df[col]
    if isinstance(series, pd.DataFrame):
        raise DataError(f"Two columns are named {col!r}. Rename one of them in the file.")
    if pd.api.types.is_datetime64_any_dtype(series):
        raise DataError(
            f"Column {col!r} holds dates, not numbers. Choose a numeric column, "
            "or convert the dates to a number (e.g. the year) in the file."
        )
    if (reason := df.attrs.get("unusable", {}).get(col)) is not None:
        raise DataError(f"Column {col!r} cannot be used: {reason}.")
    if pd.api.types.is_bool_dtype(series):
        series = series.astype(float)
    if not pd.api.types.is_numeric_dtype(series):
        if numbers.is_nested(series):
            raise DataError(
                f"Column {col!r} cannot be used: its cells hold lists or objects, not numbers."
            )
        values, _, reason = numbers.parse_column(series, col)
        if reason is not None:
            raise DataError(f"Column {col!r} cannot be used: {reason}.")
        text = series.astype("string").str.strip().replace("", pd.NA)
        if values is None:  # text: name the first cell that is not a number on its own
            values = pd.to_numeric(text, errors="coerce")
        bad = text.notna() & values.isna()
        if bad.any() and (units := rows.unit_column(series, col)) is not None:
            raise DataError(
                f"Column {col!r} holds numbers with a unit (e.g. {text[bad].iloc[0]!r}, unit "
                f"{units.unit}). Read them as numbers from text: the Data page's 'Numbers "
                "written with units', or --numbers-from-text on the command line."
            )
        if bad.any():
            example = text[bad].iloc[0]
            row = int(np.argmax(bad.to_numpy())) + 1
            if rows.DATE_TEXT.match(example):
                raise DataError(
                    f"Column {col!r} holds dates (e.g. {example!r}), not numbers. Choose a "
                    "numeric column, or turn the dates into a number (e.g. the year) in the file."
                )
            raise DataError(
                f"Column {col!r} is not numeric (e.g. {example!r} in row {row}). "
                "Choose numeric columns, or clean the file so the column holds only numbers."
            )
        series = values
    out = series.to_numpy(dtype=np.float64, na_value=np.nan)
    finite = np.isfinite(out) | np.isnan(out)
    if not finite.all():
        row = int(np.argmin(finite)) + 1
        raise DataError(f"Column {col!r} has an infinite value in row {row}. Remove or replace it.")
    big = np.abs(np.nan_to_num(out)) > FLOAT32_MAX
    if big.any():
        row = int(np.argmax(big)) + 1
        raise DataError(
            f"Column {col!r} has a value beyond the float32 range in row {row} "
            f"({out[row - 1]:.3g}). Rescale the column (e.g. to thousands) or remove the row."
        )
    return out


def _pick(
    df: pd.DataFrame, target: str, features: tuple[str, ...], label: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The chosen columns as (X, y, kept positions, dropped count), rows with a gap dropped."""
    y = column_values(df, target)
    X = (
        np.column_stack([column_values(df, f) for f in features])
        if features
        else np.empty((len(df), 0))
    )
    keep = ~(np.isnan(y) | np.isnan(X).any(axis=1))  # (n_rows,)
    if not keep.any():
        raise DataError(
            f"Every row of {label} has a missing value in {target!r} or the chosen features. "
            "Choose other columns or fill in the gaps."
        )
    rows = np.flatnonzero(keep)
    return X[keep], y[keep], rows, int((~keep).sum())


def resolve_features(df: pd.DataFrame, target: str, features: tuple[str, ...]) -> tuple[str, ...]:
    """The chosen features, or every other numeric column when none are chosen."""
    if features:
        return features
    chosen = tuple(c for c in numeric_columns(df) if c != target)
    if not chosen:
        raise DataError(
            f"No numeric feature besides the target {target!r}. "
            "Choose a table with at least one numeric column to predict from."
        )
    return chosen


def check_feature_count(features: tuple[str, ...], target: str, chosen: bool) -> None:
    """A DataError naming the count, the limit and the fix when there are too many features.

    chosen: whether the features were chosen, or are every other numeric column by default.
    """
    if len(features) <= MAX_FEATURES:
        return
    where = (
        f"{len(features):,} features are chosen"
        if chosen
        else f"The table has {len(features):,} numeric columns besides the target {target!r}, "
        f"and with no features chosen all {len(features):,} features are used"
    )
    raise DataError(
        f"{where}; a model can have at most {MAX_FEATURES} features. Choose up to "
        f"{MAX_FEATURES} features: in the Data page's feature list, or with --features A,B,... "
        "on the command line."
    )


def split_rows(n_rows: int, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded shuffle: ceil(test_size * n) held-out positions; both parts in table order."""
    if test_size <= 0:
        return np.arange(n_rows), np.arange(0)
    n_test = math.ceil(test_size * n_rows)
    if n_test >= n_rows:
        raise DataError(
            f"A test size of {test_size:g} holds out all {n_rows} usable rows and leaves none "
            "to train on. Use a smaller test size or a larger table."
        )
    order = np.random.default_rng(seed).permutation(n_rows)
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def prepare(df: pd.DataFrame, cfg: RunConfig, test_df: pd.DataFrame | None = None) -> Dataset:
    """Pick the columns of cfg, drop rows with gaps, and split (or use test_df as held-out rows)."""
    if cfg.target is None:
        raise ConfigError("No target column chosen. Pick the column to predict.")
    table = rows.with_numbers_from_text(df, cfg.numbers_from_text)
    positions = np.arange(len(table))
    if cfg.where:  # before the split, so the held-out fraction is of the rows kept
        keep = rows.filter_mask(table, cfg.where)
        if not keep.any():
            raise DataError(
                f"No row is left: {rows.describe_filters(cfg.where, 0, len(table))} "
                "Change or remove a filter."
            )
        table, positions = table[keep].reset_index(drop=True), positions[keep]
    features = resolve_features(table, cfg.target, cfg.features)
    check_feature_count(features, cfg.target, chosen=bool(cfg.features))
    if cfg.target in features:
        raise DataError(f"The target {cfg.target!r} cannot also be a feature. Remove it.")
    X, y, kept, dropped = _pick(table, cfg.target, features, "the table")
    kept = positions[kept]  # positions in the table as read, before the filters
    if test_df is not None:
        missing = [c for c in (*features, cfg.target) if c not in test_df.columns]
        if cfg.target in missing:
            raise DataError(
                f"The test table has no {cfg.target!r} column, the target, so it cannot score the "
                "models. To predict its rows instead, train, then give it to Predict under "
                "'A new file'."
            )
        if missing:
            raise DataError(
                f"The test table lacks the column(s) {missing}. "
                "It needs the same feature and target columns as the training table."
            )
        test_table = rows.with_numbers_from_text(test_df, cfg.numbers_from_text)
        if cfg.where and all(c.column in test_table.columns for c in cfg.where):
            test_table = test_table[rows.filter_mask(test_table, cfg.where)]
            test_table = test_table.reset_index(drop=True)
        X_test, y_test, test_rows, dropped_test = _pick(
            test_table, cfg.target, features, "the test table"
        )
        train_idx, test_idx = np.arange(len(y)), np.arange(len(y_test))
        dropped += dropped_test
    else:
        train_idx, test_idx = split_rows(len(y), cfg.test_size, cfg.seed)
        X_test, y_test, test_rows = X[test_idx], y[test_idx], kept[test_idx]
    outliers = 0
    if cfg.drop_outliers is not None:  # by the training rows' statistics before any drop
        far = rows.outlier_mask(np.column_stack([X[train_idx], y[train_idx]]), cfg.drop_outliers)
        train_idx, outliers = train_idx[~far], int(far.sum())
    X_train, y_train = X[train_idx], y[train_idx]
    needed = len(features) + int(cfg.bias)
    if len(y_train) < needed:
        raise DataError(
            f"Only {len(y_train)} training row(s) for {len(features)} feature(s)"
            f"{' and a bias' if cfg.bias else ''}: at least {needed} are needed for a unique line. "
            "Add rows, choose fewer features, or hold out fewer rows"
            + (", or drop fewer outliers." if outliers else ".")
        )
    return Dataset(
        X_train=X_train,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
        features=features,
        target=cfg.target,
        dropped=dropped,
        train_rows=kept[train_idx],
        test_rows=test_rows,
        filtered=len(df) - len(table),
        outliers=outliers,
    )
