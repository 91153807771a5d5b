"""Whatever a learner uploads or types: a DataError/ConfigError that says the fix, or a result.

Includes a hypothesis fuzz of the reader and the core on random bytes and generated tables:
nothing but the project's own error types may come out.
"""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linreg_core import (
    ConfigError,
    DataError,
    LinRegError,
    OptimizerConfig,
    RunConfig,
    read_table,
    report,
    run,
)
from linreg_core.data import numeric_columns


def notes(df: pd.DataFrame) -> list[str]:
    """The reader's notes on what it changed (each a linreg_core.errors.Said), in English."""
    return [str(note) for note in df.attrs["notes"]]


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def test_wide_file_is_refused_quickly_with_the_count():
    header = ",".join(f"c{i}" for i in range(100_000))
    data = csv_bytes(header + "\n" + ",".join("1" * 100_000) + "\n")
    with pytest.raises(DataError, match="100,000 columns; the limit is 10,000"):
        read_table(data, name="wide.csv")


def test_duplicate_and_blank_names_are_renamed_and_noted():
    df = read_table(csv_bytes("x,x,,y\n1,2,3,4\n2,3,4,6\n"), name="d.csv")
    assert list(df.columns) == ["x", "x (2)", "column 3", "y"]
    assert "renamed" in notes(df)[0]


def test_thousands_separators_and_decimal_commas_are_numbers():
    df = read_table(csv_bytes('n,y\n"1,234",1\n"12,000.5",2\n7,3\n'), name="t.csv")
    assert numeric_columns(df) == ["n", "y"]
    ds = run(df, RunConfig(target="y", epochs=1)).dataset
    assert ds.X_train[:, 0].tolist() == [1234.0, 12000.5, 7.0]
    eu = read_table(csv_bytes("a;b\n1.234,5;2\n2.000,25;3\n"), name="eu.csv")
    assert eu["a"].tolist() == [1234.5, 2000.25]


def test_dates_or_text_as_a_feature_name_the_column_and_the_value():
    df = pd.DataFrame({"day": ["2024-01-02", "2024-01-03", "2024-01-04"], "y": [1.0, 2, 3]})
    with pytest.raises(DataError, match="'day' holds dates"):
        run(df, RunConfig(target="y", features=("day",)))


@pytest.mark.parametrize(
    ("frame", "cfg", "message"),
    [
        ({"x": [None, None, None], "y": [1.0, 2, 3]}, {"features": ("x",)}, "missing value"),
        ({"x": [5.0, 5, 5], "y": [1.0, 2, 3]}, {"normalize": True}, "same value"),
        ({"x": [1.0], "y": [2.0]}, {}, "at least 2 are needed"),
        ({"x": [1.0, np.inf, 3], "y": [1.0, 2, 3]}, {}, "infinite value in row 2"),
        ({"x": [1.0, 1e39, 3], "y": [1.0, 2, 3]}, {}, "beyond the float32 range"),
        ({"x": [1.0, 2, 3], "y": [1.0, 2, 3]}, {"features": ("y",)}, "cannot predict itself"),
        ({"x": [1.0, 2, 3], "y": [1.0, 2, 3]}, {"features": ("nope",)}, "No column named"),
        ({"x": [1.0, 2, 3], "y": [1.0, 2, 3]}, {"test_size": 0.95}, "leaves none"),
    ],
)
def test_unusable_columns_and_splits_are_explained(frame, cfg, message):
    with pytest.raises(LinRegError, match=message):
        run(pd.DataFrame(frame), RunConfig(target="y", epochs=2, **cfg))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr": 0}, "Invalid learning rate: 0"),
        ({"lr": -0.1}, "Invalid learning rate: -0.1"),
        ({"lr": "fast"}, "'fast' is not a number"),
        ({"lr": float("nan")}, "Invalid learning rate"),
        ({"lr": 1e9}, "<= 1e\\+06"),
        ({"name": "lbfgs"}, "Known optimizers: sgd, momentum"),
        ({"momentum": 1.5}, "Invalid momentum"),
        ({"name": "adam", "betas": (0.9,)}, "two numbers"),
        ({"name": "sgd", "betas": (0.9, 0.99)}, "sgd has no hyperparameter 'betas'; it takes lr"),
        ({"lr": 1e-13}, ">= 1e-12"),
    ],
)
def test_bad_optimizer_settings_repeat_the_value(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        OptimizerConfig(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 0}, "Invalid number of epochs: 0"),
        ({"epochs": 10**9}, "more than the limit of 100,000"),
        ({"epochs": 2.5}, "Invalid number of epochs"),
        ({"batch_size": 0}, "Invalid batch size"),
        ({"test_size": 1.0}, "Invalid test size"),
        ({"optimizers": ()}, "No optimizer chosen"),
        ({"target": ""}, "Invalid target ''"),
    ],
)
def test_bad_run_settings_say_the_fix(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        RunConfig(**{"target": "y", **kwargs})


def test_batch_larger_than_the_table_is_full_batch():
    df = pd.DataFrame({"x": [1.0, 2, 3], "y": [30.0, 60, 90]})
    big = run(df, RunConfig(target="y", batch_size=1000, epochs=50)).runs[0]
    full = run(df, RunConfig(target="y", epochs=50)).runs[0]
    assert big.path == "plain"
    np.testing.assert_array_equal(big.train_loss, full.train_loss)


def test_excel_with_formulas_reads_saved_values_or_reports_gaps(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["x", "y"])
    for i in range(1, 6):
        ws.append([i, f"=A{i + 1}*2"])  # formulas without cached values
    path = tmp_path / "f.xlsx"
    wb.save(path)
    df = read_table(path)
    with pytest.raises(DataError, match="missing value"):
        run(df, RunConfig(target="y", features=("x",), epochs=1))


def test_korean_cp949_headers_train_end_to_end():
    text = "공부시간,점수\n1,50\n2,70\n3,90\n4,85\n"
    df = read_table(text.encode("cp949"), name="성적.csv")
    h = run(df, RunConfig(target="점수", epochs=2000)).runs[0]
    assert f"{h.final_weights[0]:.3f}" == "12.529"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.sampled_from(["a.csv", "a.xlsx", "a.json", "a.parquet", None]))
def test_random_bytes_never_crash_the_reader(data, name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with contextlib.suppress(LinRegError):
            read_table(data, name=name)


CELLS = st.sampled_from(
    [
        "1",
        "2.5",
        "-3",
        "",
        "nan",
        "inf",
        "1e39",
        "abc",
        "2020-01-01",
        '"1,234"',
        "가",
        "=1+1",
        " 7 ",
        "TRUE",
        "0",
        "0.0001",
        "1e-30",
        "99999999",
    ]
)


@st.composite
def tables(draw) -> bytes:
    ncol = draw(st.integers(1, 4))
    sep = draw(st.sampled_from([",", ";", "\t"]))
    names = [draw(st.sampled_from(["x", "y", "z", "가격", "", "x"])) for _ in range(ncol)]
    rows = [sep.join(names)]
    for _ in range(draw(st.integers(0, 12))):
        width = ncol + draw(st.sampled_from([0, 0, 0, 0, 1, -1]))
        rows.append(sep.join(draw(CELLS) for _ in range(max(width, 1))))
    return "\n".join(rows).encode(draw(st.sampled_from(["utf-8", "cp949", "utf-8-sig"])))


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tables(),
    st.sampled_from(["sgd", "adam", "gd-manual", "rmsprop"]),
    st.sampled_from([0.01, 10.0, 1e5]),
    st.booleans(),
    st.sampled_from([0.0, 0.3]),
    st.sampled_from([None, 2]),
)
def test_generated_tables_train_or_fail_with_a_project_error(data, opt, lr, norm, test, batch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            df = read_table(io.BytesIO(data), name="t.csv")
            cols = numeric_columns(df)
            if not cols:
                return
            cfg = RunConfig(
                target=cols[-1],
                normalize=norm,
                test_size=test,
                batch_size=batch,
                epochs=3,
                optimizers=(OptimizerConfig(opt, lr=lr),),
            )
            comp = run(df, cfg)
        except LinRegError:
            return
    h = comp.runs[0]
    assert len(h.train_loss) == h.epochs_run
    assert np.isfinite(h.weights).all()
    report.summary(comp)
