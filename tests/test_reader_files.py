"""What the reader makes of odd files: pipes, devices and sockets, files too large to read,
workbooks with several sheets, UTF-16 without a byte-order mark, a Parquet file's index and the
other shapes pandas writes JSON in."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from linreg_core import DataError, read_table


def notes(df: pd.DataFrame) -> list[str]:
    """The reader's notes on what it changed (each a linreg_core.errors.Said), in English."""
    return [str(note) for note in df.attrs["notes"]]


FRAME = pd.DataFrame({"키": [1.5, 2.0, 3.5, 4.0], "점수": [10.0, 20.0, 35.0, 41.0]})


# -- only regular files, and none too large -----------------------------------------------------
def test_a_socket_is_refused_as_not_a_regular_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # a relative name keeps the socket's path under its length limit
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind("t.csv")
        with pytest.raises(DataError, match=r"'t.csv' is a socket, not a regular file"):
            read_table("t.csv")


def test_a_character_device_is_refused_as_not_a_regular_file() -> None:
    with pytest.raises(DataError, match=r"'/dev/null' is a character device, not a regular file"):
        read_table("/dev/null")


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:
        f.truncate(600 * 2**20)  # sparse: 600 MB long, no disk used
    with pytest.raises(DataError) as caught:
        read_table(path)
    message = str(caught.value)
    assert f"{str(path)!r} is 600.0 MB (629,145,600 bytes)" in message
    assert "the limit is 512 MB" in message
    assert "Keep a sample of the rows" in message


# -- workbooks: which sheet --------------------------------------------------------------------
def workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    """An .xlsx with these sheets (name -> rows, the first row the header), in this order."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


README = [["About this workbook"], ["Prices from the survey"], ["See the sheet 'prices'."]]
PRICES = [["area", "price"], [30, 2.5], [45, 3.1], [60, 4.0]]
RENTS = [["area", "rent"], [30, 80], [45, 95], [60, 120], [75, 150]]
BOOK = workbook({"README": README, "prices": PRICES, "rents": RENTS})


def test_a_workbook_is_read_from_its_first_sheet_that_holds_numbers() -> None:
    df = read_table(BOOK, name="book.xlsx")
    expected = pd.DataFrame({"area": [30, 45, 60], "price": [2.5, 3.1, 4.0]})
    pd.testing.assert_frame_equal(df, expected)
    assert (df.attrs["sheet"], df.attrs["sheets"]) == ("prices", ["README", "prices", "rents"])
    assert notes(df) == [
        "Read the sheet 'prices', the first of the workbook's 3 sheets that holds numbers; "
        "the others are 'README', 'rents'."
    ]


@pytest.mark.parametrize("sheet", ["rents", 2])
def test_a_sheet_is_chosen_by_name_or_position(sheet: str | int) -> None:
    df = read_table(BOOK, name="book.xlsx", sheet=sheet)
    expected = pd.DataFrame({"area": [30, 45, 60, 75], "rent": [80, 95, 120, 150]})
    pd.testing.assert_frame_equal(df, expected)
    assert df.attrs["sheet"] == "rents"
    assert "Read the sheet 'rents' of the workbook's 3 sheets" in notes(df)[0]


@pytest.mark.parametrize(
    ("sheet", "message"),
    [
        ("Rent", r"'book.xlsx' has no sheet named 'Rent'. Its sheets: 'README', 'prices', 'rents'"),
        (3, r"'book.xlsx' has 3 sheets, numbered 0 to 2: there is no sheet 3"),
    ],
)
def test_an_unknown_sheet_is_an_error_that_lists_the_sheets(sheet: str | int, message: str) -> None:
    with pytest.raises(DataError, match=message):
        read_table(BOOK, name="book.xlsx", sheet=sheet)


def test_a_sheet_for_a_file_that_is_not_a_workbook_is_an_error() -> None:
    with pytest.raises(DataError, match=r"'t\.csv' is not an Excel workbook, so it has no sheets"):
        read_table(b"x,y\n1,2\n", name="t.csv", sheet="data")


def test_a_one_sheet_workbook_has_no_note_and_a_workbook_without_numbers_reads_its_first() -> None:
    one = read_table(workbook({"only": PRICES}), name="one.xlsx")
    assert notes(one) == [] and one.attrs["sheets"] == ["only"]
    words = read_table(workbook({"a": README, "b": [["name"], ["ann"]]}), name="w.xlsx")
    assert list(words.columns) == ["About this workbook"]
    assert notes(words) == [
        "No sheet of the workbook holds numbers: read the first, 'a'; the others are 'b'."
    ]


# -- UTF-16 without a byte-order mark -------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("sep", [",", "\t"])
def test_utf16_text_without_a_byte_order_mark_is_read(encoding: str, sep: str) -> None:
    data = FRAME.to_csv(index=False, sep=sep).encode(encoding)
    assert not data.startswith((b"\xff\xfe", b"\xfe\xff"))  # no BOM
    pd.testing.assert_frame_equal(read_table(data, name="u16.txt"), FRAME)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_json_without_a_byte_order_mark_is_read(encoding: str) -> None:
    data = FRAME.to_json(orient="records", force_ascii=False).encode(encoding)
    pd.testing.assert_frame_equal(read_table(data, name="u16.json"), FRAME)


@pytest.mark.parametrize(
    "data",
    [bytes(200), b"\x00\x01" * 100, bytes(range(256)) * 4, b"a\x00b\x00\x00\x00c\x00" * 50],
    ids=["all zero", "zero then one", "every byte value", "text with NUL characters"],
)
def test_binary_data_with_zero_bytes_is_still_binary(data: bytes) -> None:
    with pytest.raises(DataError, match="binary data, not text"):
        read_table(data, name="b.csv")


# -- a Parquet file's index -----------------------------------------------------------------------
def parquet(frame: pd.DataFrame) -> bytes:
    return frame.to_parquet()  # pyarrow saves any index but a RangeIndex as a column of its own


def test_a_parquet_files_date_index_is_kept_as_a_column_with_a_note() -> None:
    days = pd.date_range("2024-01-01", periods=4, freq="D", name="day")
    df = read_table(parquet(FRAME.set_index(days)), name="t.parquet")
    assert list(df.columns) == ["day", "키", "점수"]
    assert df["day"].tolist() == list(days)
    pd.testing.assert_frame_equal(df[["키", "점수"]], FRAME)
    assert "The Parquet file's row index was kept as the first column, 'day'." in notes(df)


def test_an_unnamed_date_index_is_kept_as_a_column_named_index() -> None:
    days = pd.date_range("2024-01-01", periods=4, freq="D")
    df = read_table(parquet(FRAME.set_index(days)), name="t.parquet")
    assert list(df.columns) == ["index", "키", "점수"]
    assert df["index"].tolist() == list(days)
    note = "The Parquet file's row index was kept as the first column, 'index'."
    assert note in notes(df)


def test_a_named_index_is_kept_and_a_clash_with_a_column_is_renamed() -> None:
    frame = FRAME.set_index(pd.Index([5, 9, 2, 7], name="id"))
    df = read_table(parquet(frame), name="t.parquet")
    assert list(df.columns) == ["id", "키", "점수"]
    assert df["id"].tolist() == [5, 9, 2, 7]
    clashing = FRAME.set_index(pd.Index([1, 2, 3, 4], name="키"))
    clash = read_table(parquet(clashing), name="c.parquet")
    assert list(clash.columns) == ["키", "키 (2)", "점수"]
    assert clash["키"].tolist() == [1, 2, 3, 4]


def test_a_plain_row_numbering_index_is_not_a_column() -> None:
    for index in (pd.RangeIndex(10, 14), pd.Index([3, 0, 2, 1])):  # a slice, a shuffle
        df = read_table(parquet(FRAME.set_index(index)), name="t.parquet")
        pd.testing.assert_frame_equal(df, FRAME)
        assert notes(df) == []


# -- the shapes pandas writes JSON in -------------------------------------------------------------
@pytest.mark.parametrize("orient", [None, "columns", "split", "index", "table"])
def test_every_table_shape_of_pandas_to_json_is_read(orient: str | None) -> None:
    data = FRAME.to_json() if orient is None else FRAME.to_json(orient=orient)
    df = read_table(data.encode(), name="t.json")
    pd.testing.assert_frame_equal(df, FRAME)
    assert notes(df) == []  # the row numbers pandas writes are not a column


def test_pandas_default_json_keeps_the_rows_in_their_order_and_text_labels_as_a_column() -> None:
    shuffled = FRAME.iloc[[2, 0, 3, 1]]  # labels 2, 0, 3, 1: still only row numbers
    df = read_table(shuffled.to_json().encode(), name="s.json")
    pd.testing.assert_frame_equal(df, shuffled.reset_index(drop=True))
    cities = FRAME.set_axis(["seoul", "busan", "incheon", "daegu"])
    df = read_table(cities.to_json().encode(), name="c.json")
    assert list(df.columns) == ["index", "키", "점수"]
    assert df["index"].tolist() == ["seoul", "busan", "incheon", "daegu"]
    assert "The JSON file's row index was kept as the first column, 'index'." in notes(df)


@pytest.mark.parametrize("name", ["t.jsonl", "t.json", None])
def test_json_lines_one_record_a_line_are_read(name: str | None) -> None:
    data = FRAME.to_json(orient="records", lines=True).encode()
    pd.testing.assert_frame_equal(read_table(data, name=name), FRAME)


def test_a_broken_json_line_names_the_line() -> None:
    data = b'{"x": 1, "y": 2}\n{"x": 2, "y": 4}\n{"x": 3, "y"\n'
    with pytest.raises(DataError, match=r"'t.jsonl' line 3 is not valid JSON"):
        read_table(data, name="t.jsonl")
