"""Numbers written as text are read as written: a corpus of tricky files, value by value.

Each file's expected values are written out here by hand, as a person reads the cells; nothing
is taken from the reader under test.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from linreg_core import DataError, RunConfig, read_table, run
from linreg_core.data import column_values, numeric_columns


def notes(df: pd.DataFrame) -> list[str]:
    """The reader's notes on what it changed (each a linreg_core.errors.Said), in English."""
    return [str(note) for note in df.attrs["notes"]]


# (file name, content, {column: the values as written, or a reason it cannot be used})
CORPUS = [
    pytest.param(
        "dots.tsv",
        "x\ty\n0.5\t1\n2.25\t2\n0.125\t3\n1.0\t4\n2.500\t5\n",
        {"x": [0.5, 2.25, 0.125, 1.0, 2.5], "y": [1, 2, 3, 4, 5]},
        id="tsv with 0.125-like cells keeps decimal points",
    ),
    pytest.param(
        "dots.csv",
        "x;y\n1.250;0.5\n2.500;1.0\n0.125;2.25\n",
        {"x": [1.25, 2.5, 0.125], "y": [0.5, 1.0, 2.25]},
        id="semicolon file with decimal points only",
    ),
    pytest.param(
        "eu.csv",
        "x;y\n1.234,5;1,5\n2.000,25;2\n3;0,125\n",
        {"x": [1234.5, 2000.25, 3.0], "y": [1.5, 2.0, 0.125]},
        id="dot thousands and decimal commas, proved per column",
    ),
    pytest.param(
        "per_column.csv",
        "a;b;c\n1,5;2.250;7\n2,75;4.5;8\n",
        {"a": [1.5, 2.75], "b": [2.25, 4.5], "c": [7, 8]},
        id="one column with decimal commas, the next with decimal points",
    ),
    pytest.param(
        "mixed.csv",
        "a;b\n1,5;1\n2.250;2\n4.5;3\n",
        {"a": "mixes decimal commas and decimal points", "b": [1, 2, 3]},
        id="commas beside points in one column are not guessed",
    ),
    pytest.param(
        "us.csv",
        'n,y\n"1,234",1\n"12,000.5",2\n7,3\n"-2,500",4\n',
        {"n": [1234.0, 12000.5, 7.0, -2500.0], "y": [1, 2, 3, 4]},
        id="quoted thousands commas in a comma file",
    ),
    pytest.param(
        "us_semicolon.csv",
        "n;y\n1,234;0.5\n2,345,678;1.5\n",
        {"n": [1234.0, 2345678.0], "y": [0.5, 1.5]},
        id="thousands commas proved by 2,345,678",
    ),
    pytest.param(
        "quoted.csv",
        'x,y\n"1.5","2"\n"3.25","4"\n',
        {"x": [1.5, 3.25], "y": [2, 4]},
        id="quoted plain numbers",
    ),
    pytest.param(
        "signs.tsv",
        "x\ty\n-1.5e3\t+2\n\u22122\t3E-2\n.5\t-0.0\n",
        {"x": [-1500.0, -2.0, 0.5], "y": [2.0, 0.03, 0.0]},
        id="negative numbers, exponents and a typographic minus",
    ),
    pytest.param(
        "percent.csv",
        "rate;y\n12,5%;1\n3%;2\n100%;3\n",
        {"rate": [12.5, 3.0, 100.0], "y": [1, 2, 3]},
        id="percent signs with decimal commas",
    ),
    pytest.param(
        "gaps.tsv",
        "x\ty\n1,5\t1\n\t2\n2,5\t\n",
        {"x": [1.5, math.nan, 2.5], "y": [1.0, 2.0, math.nan]},
        id="missing cells stay missing",
    ),
    pytest.param(
        "zero_comma.tsv",
        "x\ty\n0,125\t1\n0,5\t2\n",
        {"x": [0.125, 0.5], "y": [1, 2]},
        id="0,125 is a decimal comma",
    ),
]


@pytest.mark.parametrize(("name", "content", "expected"), CORPUS)
def test_every_value_is_read_as_written(name: str, content: str, expected: dict) -> None:
    df = read_table(content.encode(), name=name)

    for column, want in expected.items():
        if isinstance(want, str):
            assert column not in numeric_columns(df)
            with pytest.raises(DataError, match=want):
                column_values(df, column)
            assert want in str(df.attrs["unusable"][column])
        else:
            got = column_values(df, column)
            assert got.tolist() == pytest.approx(want, nan_ok=True, rel=1e-15), column


def test_a_chosen_convention_is_reported_with_cells_as_written_and_as_read() -> None:
    df = read_table(b"x;y\n1.234,5;1\n2,25;2\n3;3\n", name="eu.csv")

    note = " ".join(notes(df))
    assert "'x' is written with decimal commas and '.' between thousands" in note
    assert "'1.234,5' as 1234.5" in note and "'2,25' as 2.25" in note
    assert [f["column"] for f in df.attrs["number_formats"]] == ["x"]  # y is plain: no note


def test_a_plain_file_gets_no_note() -> None:
    df = read_table(b"x\ty\n0.125\t1\n2.500\t2\n", name="plain.tsv")
    assert notes(df) == [] and df.attrs["number_formats"] == []


def test_the_same_reader_serves_a_test_table() -> None:
    train = read_table(b"x;y\n1;2\n2;4\n3;6\n4;8\n", name="train.csv")
    test = read_table(b"x;y\n0.125;0.25\n2.500;5\n", name="test.csv")

    comp = run(train, RunConfig(target="y", features=("x",), epochs=1), test)
    assert comp.dataset.X_test[:, 0].tolist() == [0.125, 2.5]
    assert comp.dataset.y_test.tolist() == [0.25, 5.0]


NESTED = json.dumps(
    [
        {"x": 1, "y": 2.0, "tags": ["a", "b"], "meta": {"k": 1}},
        {"x": 2, "y": 4.1, "tags": [], "meta": {"k": 2}},
        {"x": 3, "y": 5.9, "tags": ["c"], "meta": None},
    ]
).encode()


def test_json_cells_holding_lists_or_objects_make_that_column_unusable_with_a_reason() -> None:
    df = read_table(NESTED, name="nested.json")

    assert numeric_columns(df) == ["x", "y"]
    assert "lists or objects" in str(df.attrs["unusable"]["tags"])
    with pytest.raises(DataError, match="'meta' cannot be used: its cells hold lists or objects"):
        column_values(df, "meta")
    assert df["tags"].tolist() == ['["a", "b"]', "[]", '["c"]']  # shown as their JSON text
    comp = run(df, RunConfig(target="y", epochs=5))  # the other columns train
    assert comp.dataset.features == ("x",)


def test_a_frame_with_list_cells_has_a_cache_key() -> None:
    from ui.run import frame_key

    df = pd.DataFrame({"x": [1, 2], "obj": [{"a": 1}, [1, 2]]})
    other = pd.DataFrame({"x": [1, 2], "obj": [{"a": 2}, [1, 2]]})
    assert frame_key(df) == frame_key(df.copy())
    assert frame_key(df) != frame_key(other)
