"""The reader (formats, encodings, delimiters) and column picking, split and validation."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from linreg_core import DataError, RunConfig, prepare, read_table
from linreg_core.data import numeric_columns, split_rows

FRAME = pd.DataFrame({"키": [1.5, 2.0, 3.5, 4.0], "점수": [10.0, 20.0, 35.0, 41.0]})


def roundtrip(df: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(df.reset_index(drop=True), FRAME, check_dtype=False)


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_delimiter_is_detected(sep):
    data = FRAME.to_csv(index=False, sep=sep).encode()
    roundtrip(read_table(data, name="t.txt"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949", "euc-kr"])
def test_korean_headers_in_any_common_encoding(encoding):
    roundtrip(read_table(FRAME.to_csv(index=False).encode(encoding), name="k.csv"))


def test_semicolon_with_decimal_commas():
    text = "키;점수\n1,5;10\n2;20\n3,5;35\n4;41\n"
    roundtrip(read_table(text.encode(), name="eu.csv"))


def test_excel_parquet_and_json_records(tmp_path):
    xlsx = tmp_path / "t.xlsx"
    FRAME.to_excel(xlsx, index=False)
    roundtrip(read_table(xlsx))
    pq = tmp_path / "t.parquet"
    FRAME.to_parquet(pq)
    roundtrip(read_table(pq))
    roundtrip(read_table(FRAME.to_json(orient="records").encode(), name="t.json"))
    roundtrip(read_table(json.dumps(FRAME.to_dict(orient="list")).encode(), name="t.json"))


def test_uploaded_file_object_uses_its_name():
    buf = io.BytesIO(FRAME.to_csv(index=False, sep="\t").encode())
    buf.name = "upload.tsv"
    roundtrip(read_table(buf))


def test_saved_pandas_index_column_is_dropped():
    roundtrip(read_table(FRAME.to_csv().encode(), name="with_index.csv"))
    kept = pd.DataFrame({"id": [5, 9, 2, 7], "y": [1.0, 2, 3, 4]})
    assert list(read_table(kept.to_csv(index=False).encode(), name="k.csv").columns) == ["id", "y"]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "e.csv", "empty"),
        (b"a,b\n", "h.csv", "no data rows"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "img.csv", "PNG image"),
        (b"not a zip at all", "fake.xlsx", "not an Excel workbook"),
        (b"a,b\n1,2\n3,4,5,6\n", "ragged.csv", "different numbers of cells"),
        (b"[1, 2", "bad.json", "not valid JSON"),
        (bytes(range(256)) * 4, "bin.csv", "binary"),
    ],
)
def test_bad_files_raise_a_data_error_that_says_what_to_do(data, name, message):
    with pytest.raises(DataError, match=message):
        read_table(data, name=name)


def test_missing_values_are_dropped_and_counted():
    df = pd.DataFrame({"x": [1.0, None, 3, 4, 5], "y": [2.0, 4, None, 8, 10], "z": [None] * 5})
    ds = prepare(df, RunConfig(target="y", features=("x",)))
    assert ds.dropped == 2
    np.testing.assert_array_equal(ds.X_train[:, 0], [1.0, 4, 5])


def test_text_column_chosen_as_feature_names_the_column_and_a_bad_value():
    df = pd.DataFrame({"mileage": ["19.67 kmpl", "18 kmpl", "20 kmpl"], "y": [1.0, 2, 3]})
    with pytest.raises(DataError, match=r"'mileage' holds numbers with a unit \(e.g. '19.67 kmpl'"):
        prepare(df, RunConfig(target="y", features=("mileage",)))
    with pytest.raises(DataError, match=r"'name' is not numeric \(e.g. 'a' in row 1\)"):
        prepare(df.assign(name=["a", "b", "c"]), RunConfig(target="y", features=("name",)))


def test_numbers_written_as_text_are_numeric():
    df = pd.DataFrame({"x": ["1", "2", " 3"], "name": ["a", "b", "c"], "y": [1.0, 2, 3]})
    assert numeric_columns(df) == ["x", "y"]
    ds = prepare(df, RunConfig(target="y"))
    assert ds.features == ("x",)


def test_split_is_seeded_and_holds_out_the_ceiling_of_the_fraction():
    train, test = split_rows(10, 0.25, seed=7)
    assert len(test) == 3 and len(train) == 7
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(10))
    again = split_rows(10, 0.25, seed=7)
    np.testing.assert_array_equal(test, again[1])
    assert not np.array_equal(test, split_rows(10, 0.25, seed=8)[1])


def test_test_size_that_leaves_no_training_rows_is_an_error():
    df = pd.DataFrame({"x": [1.0, 2.0], "y": [1.0, 2.0]})
    with pytest.raises(DataError, match="leaves none"):
        prepare(df, RunConfig(target="y", test_size=0.9))


def test_fewer_training_rows_than_parameters_is_an_error():
    df = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 1.0], "y": [1.0, 2.0]})
    with pytest.raises(DataError, match="at least 3 are needed"):
        prepare(df, RunConfig(target="y"))


def test_separate_test_table_needs_the_same_columns():
    df = pd.DataFrame({"x": [1.0, 2, 3], "y": [1.0, 2, 3]})
    with pytest.raises(DataError, match=r"lacks the column\(s\) \['x'\]"):
        prepare(df, RunConfig(target="y"), test_df=pd.DataFrame({"w": [1.0], "y": [2.0]}))
    ds = prepare(df, RunConfig(target="y"), test_df=pd.DataFrame({"x": [4.0], "y": [4.0]}))
    assert len(ds.y_train) == 3 and ds.y_test.tolist() == [4.0]


def test_header_decides_between_delimiters_that_split_rows_equally():
    # every row splits into two on ',' too (the decimal comma), but the header does not
    df = read_table(b"a;b\n1,5;2\n3,5;4\n5,5;6\n7,5;8\n8,5;9\n", name="eu.csv")
    assert list(df.columns) == ["a", "b"]
    assert df["a"].tolist() == [1.5, 3.5, 5.5, 7.5, 8.5]


def wide(n_features: int, rows: int = 150) -> pd.DataFrame:
    """n_features numeric columns x1.. and a target y, seeded."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(rows, n_features))
    columns = {f"x{i + 1}": X[:, i] for i in range(n_features)}
    return pd.DataFrame(columns | {"y": X.sum(axis=1) + rng.normal(size=rows)})


def test_more_features_than_the_limit_are_refused_naming_the_count_the_limit_and_the_fix():
    df = wide(101)

    with pytest.raises(DataError) as every_column:  # no features chosen: every other column
        prepare(df, RunConfig(target="y"))
    with pytest.raises(DataError) as chosen:
        prepare(df, RunConfig(target="y", features=tuple(f"x{i + 1}" for i in range(101))))

    for message in (str(every_column.value), str(chosen.value)):
        assert "101 features" in message and "at most 100" in message, message
        assert "Data page" in message and "--features" in message, message
    assert "numeric column" in str(every_column.value)  # says where 101 came from
    assert prepare(df, RunConfig(target="y", features=tuple(df.columns[:100]))).X_train.shape == (
        150,
        100,
    )
