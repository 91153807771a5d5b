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
from typing import IO, Any

import numpy as np
import pandas as pd

from linreg_core import numbers, rows
from linreg_core.config import RunConfig
from linreg_core.errors import ConfigError, DataError, Said

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
_SIGNATURES = {  # the start of a file that is not a table -> what it is (error.data.kind.*)
    b"\x89PNG": "png",
    b"\xff\xd8\xff": "jpeg",
    b"GIF8": "gif",
    b"%PDF": "pdf",
    b"\xd0\xcf\x11\xe0": "xls",
    b"\x1f\x8b": "gzip",
    b"\x80": "pickle",
}
_RAGGED = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_ROW_NUMBER = re.compile(r"-?\d+")  # a JSON key that is a row number, as pandas writes it
JSON_SHAPES = Said("error.data.json_shapes")  # the shapes read: the fix for JSON that is no table
Label = str | Said  # a file in messages: its name in quotes, or "the file"

TYPED_TABLE = "typed table"  # the dashboard's name for a table typed in, not read from a file


class Note(str, Said):
    """A sentence of the reader's in a table's attrs: a Said (rendered in any language, as
    ui.i18n.say does) that is also its English text, so that attrs stay JSON for pyarrow, which
    Streamlit gives every frame it shows."""

    def __new__(cls, said: Said) -> Note:
        note = super().__new__(cls, str(said))
        note.__dict__.update(vars(said))
        return note

    def __init__(self, said: Said) -> None:  # the sentence was copied in __new__
        pass

    def __reduce__(self) -> tuple[Any, ...]:  # pickled (and deep-copied) as its Said
        return (Note, (Said(self.code or str(self), **self.params),))


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
    label: Label = repr(name) if name else Said("error.data.the_file")
    _check_size(len(data), label)
    if not data.strip():
        raise DataError("error.data.empty", label=label)
    kind = _detect_kind(data, name)
    if sheet is not None and kind != "xlsx":
        raise DataError("error.data.sheet_not_workbook", label=label)
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
    shown = str(path)
    try:
        mode, size = (info := os.stat(path)).st_mode, info.st_size
    except FileNotFoundError:
        raise DataError("error.data.no_such_file", path=shown) from None
    except OSError as exc:  # the system's own words for why (strerror)
        raise DataError("error.data.cannot_read", path=shown, reason=exc.strerror) from None
    if stat.S_ISDIR(mode):
        raise DataError("error.data.folder", path=shown)
    if not stat.S_ISREG(mode):
        raise DataError("error.data.not_regular", path=shown, kind=_file_type(mode))
    _check_size(size, repr(shown))
    try:
        with path.open("rb") as f:
            return f.read(MAX_FILE_BYTES + 1)  # a file that grew since the check stays bounded
    except OSError as exc:
        raise DataError("error.data.cannot_read", path=shown, reason=exc.strerror) from None


def _file_type(mode: int) -> Said:
    """What a path that is not a regular file or a folder is, in words."""
    if stat.S_ISFIFO(mode):
        return Said("error.data.file_type.fifo")
    if stat.S_ISCHR(mode):
        return Said("error.data.file_type.char_device")
    if stat.S_ISBLK(mode):
        return Said("error.data.file_type.block_device")
    if stat.S_ISSOCK(mode):
        return Said("error.data.file_type.socket")
    return Said("error.data.file_type.other")


def _check_size(size: int, label: Label) -> None:
    if size > MAX_FILE_BYTES:
        raise DataError(
            "error.data.too_big",
            label=label,
            mb=size / 2**20,
            size=size,
            limit=MAX_FILE_BYTES // 2**20,
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
            raise DataError("error.data.not_a_table", what=Said(f"error.data.kind.{what}"))
    ext = Path(name).suffix.lower() if name else ""
    if ext == ".xlsx":
        raise DataError("error.data.fake_xlsx", name=name)
    if ext == ".parquet":
        raise DataError("error.data.fake_parquet", name=name)
    utf16 = _utf16(data)
    if b"\x00" in data[:4096] and utf16 is None:
        raise DataError("error.data.binary")
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


def _encoding(data: bytes, label: Label) -> str:
    """UTF-8 (with or without BOM), UTF-16 (with or without BOM), or the Korean cp949/EUC-KR."""
    if (utf16 := _utf16(data)) is not None:
        try:
            data.decode(utf16)
        except UnicodeDecodeError:
            raise DataError("error.data.utf16_damaged", label=label) from None
        return utf16
    for encoding in ("utf-8-sig", "cp949"):
        try:
            data.decode(encoding)  # checks every byte; pandas then parses the bytes themselves
            return encoding
        except UnicodeDecodeError:
            continue
    raise DataError("error.data.encoding", label=label)


def _decode(data: bytes, label: Label) -> str:
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


def _read_text(data: bytes, label: Label) -> pd.DataFrame:
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
        raise DataError("error.data.no_columns", label=label) from None
    except pd.errors.ParserError as exc:
        found = _RAGGED.search(str(exc))
        where: Label = (
            Said("error.data.ragged_line", line=found[2], cells=found[3], header=found[1])
            if found
            else str(exc).strip().splitlines()[-1]  # pandas' own words
        )
        raise DataError("error.data.ragged", label=label, where=where) from None
    except (ValueError, csv.Error) as exc:  # the parser's own words for the problem
        raise DataError("error.data.unreadable_text", label=label, problem=str(exc)) from None
    if len(header) == df.shape[1]:  # the names as written, before pandas' renaming of blanks/dupes
        df.columns = [h.strip() for h in header]
    df.attrs["delimiter"] = sep  # settles a column of cells like 1,234 (see numbers.py)
    return df


def _read_excel(data: bytes, label: Label, sheet: str | int | None = None) -> pd.DataFrame:
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
                note = "warning.data.sheet_chosen"
            else:
                chosen, df = _first_table(book, names)
                note = (
                    "warning.data.sheet_first_numbers"
                    if numeric_columns(df)
                    else "warning.data.sheet_no_numbers"
                )
    except DataError:
        raise
    except ImportError:
        raise DataError("error.data.needs_openpyxl") from None
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise DataError("error.data.bad_workbook", label=label, kind=type(exc).__name__) from None
    others = [n for n in names if n != chosen]
    df.attrs["notes"] = (
        [Said(note, sheet=chosen, count=len(names), others=_quoted(others))] if others else []
    )
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


def _sheet_name(names: list[str], sheet: str | int, label: Label) -> str:
    """The sheet asked for, by name or position; a DataError listing the sheets if none."""
    if isinstance(sheet, int):
        if 0 <= sheet < len(names):
            return names[sheet]
        raise DataError(
            "error.data.no_sheet_number",
            label=label,
            count=len(names),
            last=len(names) - 1,
            sheet=sheet,
            sheets=_quoted(names),
        )
    if sheet in names:
        return sheet
    raise DataError("error.data.no_sheet_name", label=label, sheet=sheet, sheets=_quoted(names))


def _quoted(names: list[str], limit: int = 10) -> Label:
    """'a', 'b' and 3 more."""
    shown = ", ".join(repr(n) for n in names[:limit])
    if len(names) > limit:
        return Said("error.data.and_more", shown=shown, more=len(names) - limit)
    return shown


def _read_parquet(data: bytes, label: Label) -> pd.DataFrame:
    try:
        df = pd.read_parquet(io.BytesIO(data))
    except ImportError:
        raise DataError("error.data.needs_pyarrow") from None
    except Exception as exc:  # pyarrow raises ArrowInvalid and friends: its own words
        raise DataError("error.data.bad_parquet", label=label, problem=str(exc)) from None
    return _index_as_columns(df, Said("warning.data.parquet_source"))


def _index_as_columns(df: pd.DataFrame, whose: Said) -> pd.DataFrame:
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
    note = (
        Said("warning.data.index_one", source=whose, column=kept[0])
        if len(kept) == 1
        else Said("warning.data.index_many", source=whose, columns=kept)
    )
    out.attrs["notes"] = [*notes, note]
    return out


def _read_json(data: bytes, label: Label, *, lines: bool = False) -> pd.DataFrame:
    """A JSON table in any of the shapes pandas writes, or JSON lines (one record a line)."""
    text = _decode(data, label)
    if lines:
        return _json_frame(_json_lines(text, label), label)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # a second document after the first: JSON lines
            return _json_frame(_json_lines(text, label), label)
        raise DataError(  # the json module's own words for the problem (exc.msg)
            "error.data.bad_json",
            label=label,
            problem=exc.msg,
            line=exc.lineno,
            shapes=JSON_SHAPES,
        ) from None
    return _json_frame(doc, label)


def _json_lines(text: str, label: Label) -> list[object]:
    """The records of JSON lines: one JSON object on each line that is not blank."""
    records = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise DataError(
                "error.data.bad_json_line", label=label, line=number, problem=exc.msg
            ) from None
    return records


def _json_frame(doc: object, label: Label) -> pd.DataFrame:
    """The table in a parsed JSON document, by its shape; a DataError for anything else.

    Shapes: records [{col: value}]; columns {col: [values]}; pandas' to_json orients "columns"
    (its default, {col: {row: value}}), "index" ({row: {col: value}}), "split" and "table".
    Row labels that are not row numbers become a column, as a Parquet file's index does.
    """
    try:
        df = _json_shape(doc, label)
    except (ValueError, TypeError) as exc:  # e.g. rows of different lengths in "split"
        raise DataError(
            "error.data.json_not_table_because", label=label, problem=str(exc), shapes=JSON_SHAPES
        ) from None
    if df is None:
        raise DataError("error.data.json_not_table", label=label, shapes=JSON_SHAPES)
    if all(isinstance(v, str) and _ROW_NUMBER.fullmatch(v) for v in df.index):
        df.index = pd.Index([int(v) for v in df.index])  # JSON keys are text: "0", "1", ...
    return _index_as_columns(df, Said("warning.data.json_source"))


def _json_shape(doc: object, label: Label) -> pd.DataFrame | None:
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
            raise DataError("error.data.json_lengths", label=label, lengths=sorted(lengths))
        return pd.DataFrame(doc)
    if all(isinstance(v, dict) for v in values):
        inner = list(values[0])
        by_row = all(_ROW_NUMBER.fullmatch(k) for k in doc) and not all(
            _ROW_NUMBER.fullmatch(str(k)) for k in inner
        )
        return pd.DataFrame.from_dict(doc, orient="index" if by_row else "columns")
    return None


def _check_width(n_columns: int, label: Label) -> None:
    if n_columns > MAX_COLUMNS:
        raise DataError("error.data.too_wide", label=label, columns=n_columns, limit=MAX_COLUMNS)


def _tidy(df: pd.DataFrame, label: Label) -> pd.DataFrame:
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
        notes.append(Said("warning.data.renamed", renamed=", ".join(renamed)))
    if df.shape[1] and _is_row_number(df.columns[0], df.iloc[:, 0]):
        df = df.iloc[:, 1:]
        notes.append(Said("warning.data.index_dropped"))
    if df.shape[1] == 0:
        raise DataError("error.data.no_columns", label=label)
    if len(df) == 0:
        raise DataError("error.data.no_rows", label=label)
    delimiter = df.attrs.get("delimiter", ",")
    df = df.reset_index(drop=True)
    formats, unusable = _read_numbers(df, delimiter)
    notes += [f.note() for f in formats]
    df.attrs["notes"] = [Note(n) for n in notes]  # what the reader changed, for the page to show
    # how each text column of numbers was read, as plain dicts (Streamlit sends attrs as JSON)
    df.attrs["number_formats"] = [dataclasses.asdict(f) for f in formats]
    # column -> why it cannot be used (beyond "text"): a Note
    df.attrs["unusable"] = {col: Note(why) for col, why in unusable.items()}
    return df


def _read_numbers(
    df: pd.DataFrame, delimiter: str
) -> tuple[list[numbers.NumberFormat], dict[str, Said]]:
    """Turn text columns of numbers into numbers in place, one convention per column.

    Returns the conventions used (beyond plain decimal points) and the columns that cannot be
    used with the reason: numbers written in contradicting ways, or cells holding lists or
    objects (kept as their JSON text, so every cell of the table can be hashed and shown).
    """
    formats: list[numbers.NumberFormat] = []
    unusable: dict[str, Said] = {}
    for col in df.columns:
        series = df[col]
        if not (series.dtype == object or pd.api.types.is_string_dtype(series)):
            continue
        if numbers.is_nested(series):
            df[col] = series.map(_json_text, na_action="ignore").astype(object)
            unusable[col] = Said("error.data.nested_reason")
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
        raise DataError("error.data.no_column", column=col, known=known)
    series = df[col]
    if isinstance(series, pd.DataFrame):
        raise DataError("error.data.duplicate_column", column=col)
    if pd.api.types.is_datetime64_any_dtype(series):
        raise DataError("error.data.dates_column", column=col)
    if (reason := df.attrs.get("unusable", {}).get(col)) is not None:
        raise DataError("error.data.unusable", column=col, reason=reason)
    if pd.api.types.is_bool_dtype(series):
        series = series.astype(float)
    if not pd.api.types.is_numeric_dtype(series):
        if numbers.is_nested(series):
            raise DataError("error.data.nested", column=col)
        values, _, reason = numbers.parse_column(series, col)
        if reason is not None:
            raise DataError("error.data.unusable", column=col, reason=reason)
        text = series.astype("string").str.strip().replace("", pd.NA)
        if values is None:  # text: name the first cell that is not a number on its own
            values = pd.to_numeric(text, errors="coerce")
        bad = text.notna() & values.isna()
        if bad.any() and (units := rows.unit_column(series, col)) is not None:
            raise DataError(
                "error.data.with_unit", column=col, example=text[bad].iloc[0], unit=units.unit
            )
        if bad.any():
            example = text[bad].iloc[0]
            row = int(np.argmax(bad.to_numpy())) + 1
            if rows.DATE_TEXT.match(example):
                raise DataError("error.data.dates_text", column=col, example=example)
            raise DataError("error.data.not_numeric", column=col, example=example, row=row)
        series = values
    out = series.to_numpy(dtype=np.float64, na_value=np.nan)
    finite = np.isfinite(out) | np.isnan(out)
    if not finite.all():
        row = int(np.argmin(finite)) + 1
        raise DataError("error.data.infinite", column=col, row=row)
    big = np.abs(np.nan_to_num(out)) > FLOAT32_MAX
    if big.any():
        row = int(np.argmax(big)) + 1
        raise DataError("error.data.beyond_float32", column=col, row=row, value=out[row - 1])
    return out


def _pick(
    df: pd.DataFrame, target: str, features: tuple[str, ...], label: Said
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
        raise DataError("error.data.all_rows_missing", label=label, target=target)
    rows = np.flatnonzero(keep)
    return X[keep], y[keep], rows, int((~keep).sum())


def resolve_features(df: pd.DataFrame, target: str, features: tuple[str, ...]) -> tuple[str, ...]:
    """The chosen features, or every other numeric column when none are chosen."""
    if features:
        return features
    chosen = tuple(c for c in numeric_columns(df) if c != target)
    if not chosen:
        raise DataError("error.data.no_feature", target=target)
    return chosen


def check_feature_count(features: tuple[str, ...], target: str, chosen: bool) -> None:
    """A DataError naming the count, the limit and the fix when there are too many features.

    chosen: whether the features were chosen, or are every other numeric column by default.
    """
    if len(features) <= MAX_FEATURES:
        return
    where = (
        Said("error.data.features_chosen", count=len(features))
        if chosen
        else Said("error.data.features_default", count=len(features), target=target)
    )
    raise DataError("error.data.too_many_features", where=where, limit=MAX_FEATURES)


def split_rows(n_rows: int, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded shuffle: ceil(test_size * n) held-out positions; both parts in table order."""
    if test_size <= 0:
        return np.arange(n_rows), np.arange(0)
    n_test = math.ceil(test_size * n_rows)
    if n_test >= n_rows:
        raise DataError("error.data.test_size_all", test_size=test_size, rows=n_rows)
    order = np.random.default_rng(seed).permutation(n_rows)
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def prepare(df: pd.DataFrame, cfg: RunConfig, test_df: pd.DataFrame | None = None) -> Dataset:
    """Pick the columns of cfg, drop rows with gaps, and split (or use test_df as held-out rows)."""
    if cfg.target is None:
        raise ConfigError("error.config.no_target")
    table = rows.with_numbers_from_text(df, cfg.numbers_from_text)
    positions = np.arange(len(table))
    if cfg.where:  # before the split, so the held-out fraction is of the rows kept
        keep = rows.filter_mask(table, cfg.where)
        if not keep.any():
            raise DataError(
                "error.data.no_row_left", filters=rows.describe_filters(cfg.where, 0, len(table))
            )
        table, positions = table[keep].reset_index(drop=True), positions[keep]
    features = resolve_features(table, cfg.target, cfg.features)
    check_feature_count(features, cfg.target, chosen=bool(cfg.features))
    if cfg.target in features:
        raise DataError("error.data.target_is_feature", target=cfg.target)
    X, y, kept, dropped = _pick(table, cfg.target, features, Said("error.data.the_table"))
    kept = positions[kept]  # positions in the table as read, before the filters
    if test_df is not None:
        missing = [c for c in (*features, cfg.target) if c not in test_df.columns]
        if cfg.target in missing:
            raise DataError("error.data.test_no_target", target=cfg.target)
        if missing:
            raise DataError("error.data.test_lacks", missing=missing)
        test_table = rows.with_numbers_from_text(test_df, cfg.numbers_from_text)
        if cfg.where and all(c.column in test_table.columns for c in cfg.where):
            test_table = test_table[rows.filter_mask(test_table, cfg.where)]
            test_table = test_table.reset_index(drop=True)
        X_test, y_test, test_rows, dropped_test = _pick(
            test_table, cfg.target, features, Said("error.data.the_test_table")
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
            "error.data.too_few_rows_outliers" if outliers else "error.data.too_few_rows",
            rows=len(y_train),
            features=len(features),
            bias=Said("error.data.and_bias") if cfg.bias else "",
            needed=needed,
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
