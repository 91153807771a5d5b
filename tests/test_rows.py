"""Which rows a run learns from: --where, --numbers-from-text and --drop-outliers on generated
tables, each against pandas and numpy references; and the row helpers' own rules."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from linreg_core import ConfigError, DataError, RunConfig, prepare
from linreg_core.config import Condition
from linreg_core.rows import (
    column_summary,
    outlier_table,
    parse_where,
    sign_changes,
    suggested_target,
    unit_columns,
)
from tests.test_cli import cli

USED_CARS = Path(__file__).resolve().parents[2] / "shared" / "data" / "used_cars_train.csv"
if not USED_CARS.exists():
    USED_CARS = Path("/work/shared/data/used_cars_train.csv")


def lstsq(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """numpy's least squares with an intercept: (weights, intercept)."""
    theta, *_ = np.linalg.lstsq(np.column_stack([X, np.ones(len(y))]), y, rcond=None)
    return theta[:-1], float(theta[-1])


def run_json(*args: str) -> dict:
    out = cli("train", *args, "--json", "--epochs", "1")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def groups(tmp_path_factory) -> tuple[str, pd.DataFrame]:
    """Three series with their own lines, a text column and a numeric one to filter on."""
    rng = np.random.default_rng(5)
    n = 240
    series = rng.choice(["I", "II", "III"], size=n)
    x = rng.normal(10, 3, n)
    slope = pd.Series(series).map({"I": 2.0, "II": -1.0, "III": 0.5}).to_numpy()
    df = pd.DataFrame(
        {"Series": series, "X": x, "Z": rng.normal(size=n), "Y": slope * x + rng.normal(size=n)}
    )
    path = tmp_path_factory.mktemp("rows") / "groups.csv"
    df.to_csv(path, index=False)
    return str(path), df


def test_where_keeps_the_rows_pandas_keeps_and_fits_them_alone(groups) -> None:
    path, df = groups
    doc = run_json(path, "--target", "Y", "--features", "X", "--where", "Series == I")
    kept = df[df["Series"] == "I"]
    w, b = lstsq(kept[["X"]].to_numpy(), kept["Y"].to_numpy())
    np.testing.assert_allclose(doc["ols"]["weights_original"], w, rtol=1e-9)
    assert doc["ols"]["bias_original"] == pytest.approx(b, rel=1e-9)
    assert doc["rows"]["train"] == len(kept)
    assert doc["rows"]["filtered"] == len(df) - len(kept)


@pytest.mark.parametrize(
    ("wheres", "query"),
    [
        (["Series != II", "X >= 9.5"], "Series != 'II' and X >= 9.5"),
        (["X < 8", "Z > -1"], "X < 8 and Z > -1"),
        (["Z <= 0.25"], "Z <= 0.25"),
    ],
)
def test_every_where_must_hold(groups, wheres: list[str], query: str) -> None:
    path, df = groups
    args = [a for w in wheres for a in ("--where", w)]
    doc = run_json(path, "--target", "Y", "--features", "X,Z", *args)
    kept = df.query(query)
    w, _b = lstsq(kept[["X", "Z"]].to_numpy(), kept["Y"].to_numpy())
    np.testing.assert_allclose(doc["ols"]["weights_original"], w, rtol=1e-8)
    assert doc["rows"]["train"] == len(kept)


def test_where_comes_before_the_split(groups) -> None:
    path, df = groups
    doc = run_json(path, "--target", "Y", "--where", "Series == III", "--test-size", "0.25")
    n = int((df["Series"] == "III").sum())
    assert doc["rows"]["test"] == int(np.ceil(0.25 * n))
    assert doc["rows"]["train"] + doc["rows"]["test"] == n


@pytest.mark.parametrize(
    ("where", "says"),
    [
        ("Series < II", "orders text"),
        ("Series", "COL OP VALUE"),
        ("Nope == 1", "names no column"),
        ("X > ten", "not a number"),
        ("Series == IV", "No row is left"),
    ],
)
def test_a_bad_where_is_one_line_and_status_2(groups, where: str, says: str) -> None:
    out = cli("train", groups[0], "--target", "Y", "--where", where)
    assert out.returncode == 2
    assert says in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def cars(tmp_path_factory) -> tuple[str, pd.DataFrame]:
    """Numbers written with units, some cells without a number, thousands with commas."""
    rng = np.random.default_rng(7)
    n = 120
    power = rng.uniform(50, 300, n).round(2)
    km = rng.integers(1_000, 200_000, n)
    price = 0.05 * power - 0.00002 * km + rng.normal(size=n)
    power_text = [f"{p} bhp" for p in power]
    for i in (3, 17, 40, 77):
        power_text[i] = "null bhp"
    df = pd.DataFrame(
        {"Power": power_text, "Distance": [f"{k:,} km" for k in km], "Price": price.round(4)}
    )
    path = tmp_path_factory.mktemp("units") / "cars.csv"
    df.to_csv(path, index=False)
    return str(path), df


def test_numbers_from_text_read_as_pandas_extracts_them(cars) -> None:
    path, df = cars
    doc = run_json(path, "--target", "Price", "--features", "Power,Distance", "--numbers-from-text")
    power = pd.to_numeric(df["Power"].str.extract(r"^([\d.]+) bhp$")[0], errors="coerce")
    distance = pd.to_numeric(df["Distance"].str.replace(",", "").str.removesuffix(" km"))
    ok = power.notna()
    X = np.column_stack([power[ok], distance[ok]])
    w, _b = lstsq(X, df["Price"][ok].to_numpy())
    np.testing.assert_allclose(doc["ols"]["weights_original"], w, rtol=1e-8)
    assert doc["rows"]["dropped"] == 4  # the 'null bhp' cells
    assert doc["rows"]["train"] == len(df) - 4


def test_numbers_from_text_without_features_uses_every_column_with_units(cars) -> None:
    path, _ = cars
    doc = run_json(path, "--target", "Price", "--numbers-from-text")
    assert len(doc["weights_original"]) == 2


def test_without_the_flag_a_column_with_units_says_how_to_read_it(cars) -> None:
    out = cli("train", cars[0], "--target", "Price", "--features", "Power")
    assert out.returncode == 2
    assert "--numbers-from-text" in out.stderr and "bhp" in out.stderr


@pytest.fixture(scope="module")
def far(tmp_path_factory) -> tuple[str, pd.DataFrame]:
    """One row far out in x (z ~ 13), a second that is beyond |z| 3 only once the first is gone,
    and an outlier in the target."""
    rng = np.random.default_rng(11)
    n = 200
    x = rng.normal(0, 1, n)
    y = 3 * x + rng.normal(size=n)
    x[0], x[1] = 40.0, 4.5
    y[2] = 30.0
    df = pd.DataFrame({"x": x, "y": y})
    path = tmp_path_factory.mktemp("far") / "far.csv"
    df.to_csv(path, index=False)
    return str(path), df


def test_drop_outliers_uses_the_statistics_taken_before_the_drop(far) -> None:
    path, df = far
    doc = run_json(path, "--target", "y", "--drop-outliers", "3")
    z = (df - df.mean()) / df.std(ddof=0)
    keep = ~(z.abs() > 3).any(axis=1)
    # the reference drops in one pass: row 1 (x = 4.5) stays, though it is beyond 3 by the
    # statistics of the rows that are left
    assert keep[1] and not keep[0] and not keep[2]
    rest = df[keep]
    assert abs((rest["x"][1] - rest["x"].mean()) / rest["x"].std(ddof=0)) > 3
    w, _b = lstsq(rest[["x"]].to_numpy(), rest["y"].to_numpy())
    np.testing.assert_allclose(doc["ols"]["weights_original"], w, rtol=1e-9)
    assert doc["rows"]["outliers"] == int((~keep).sum())
    assert doc["rows"]["train"] == int(keep.sum())


def test_drop_outliers_takes_training_statistics_only(far) -> None:
    path, df = far
    doc = run_json(path, "--target", "y", "--drop-outliers", "3", "--test-size", "0.3")
    n_test = int(np.ceil(0.3 * len(df)))
    order = np.random.default_rng(0).permutation(len(df))  # the split's seeded shuffle
    train = df.iloc[np.sort(order[n_test:])]
    z = (train - train.mean()) / train.std(ddof=0)
    keep = ~(z.abs() > 3).any(axis=1)
    assert doc["rows"] == {
        "train": int(keep.sum()),
        "test": n_test,
        "dropped": 0,
        "filtered": 0,
        "outliers": int((~keep).sum()),
    }


@pytest.mark.parametrize("z", ["0", "-1", "nan"])
def test_a_bad_outlier_z_is_refused(far, z: str) -> None:
    out = cli("train", far[0], "--target", "y", "--drop-outliers", z)
    assert out.returncode == 2 and "outlier z" in out.stderr


def test_conditions_are_hashable_and_read_back() -> None:
    cfg = RunConfig(target="y", where=(parse_where("Origin = 'USA'"), parse_where("Year>=2010")))
    assert hash(cfg) == hash(RunConfig(target="y", where=cfg.where))
    assert [str(c) for c in cfg.where] == ["Origin == USA", "Year >= 2010"]
    assert str(Condition("Origin", "in", ("USA", "Japan"))) == "Origin in {USA, Japan}"
    with pytest.raises(ConfigError, match="Unknown comparison"):
        Condition("x", "~", "1")


def test_in_keeps_rows_with_one_of_the_values() -> None:
    df = pd.DataFrame(
        {"Origin": ["USA", "Japan", "Europe", "USA", "Japan", None], "x": range(6), "y": range(6)}
    )
    cond = Condition("Origin", "in", ("USA", "Japan"))
    ds = prepare(df, RunConfig(target="y", features=("x",), where=(cond,)))
    assert sorted(ds.train_rows.tolist()) == [0, 1, 3, 4]  # positions in the table as read
    assert ds.filtered == 2


def test_unit_columns_name_the_units_and_count_the_cells_without_a_number() -> None:
    df = pd.DataFrame(
        {
            "Mileage": ["19.67 kmpl", "26.6 km/kg", "18.2 kmpl", None],
            "Power": ["126.2 bhp", "null bhp", "58.16 bhp", "88 bhp"],
            "Name": ["Maruti 800", "Honda City", "i20 Asta", "Audi A4"],
        }
    )
    found = unit_columns(df)
    assert set(found) == {"Mileage", "Power"}
    assert found["Mileage"].unit == "kmpl (2), km/kg (1)"
    assert (found["Power"].unit, found["Power"].without_number) == ("bhp", 1)


def test_column_summary_matches_pandas() -> None:
    df = pd.DataFrame(
        {"a": [1.0, 2.0, np.nan, 7.0], "Year": [2001, 2005, 2005, 2019], "t": ["x", "y", "x", None]}
    )
    table = column_summary(df, ["a", "Year"]).set_index("column")
    a = df["a"].dropna()
    assert table.loc["a", ["min", "max", "mean"]].tolist() == [a.min(), a.max(), a.mean()]
    assert table.loc["a", "std"] == pytest.approx(a.std(ddof=0))
    assert table.loc["a", "missing"] == 1 and table.loc["Year", "unique"] == 3
    assert table.loc["Year", "type"] == "number (years)"
    assert table.loc["t", "usable"].startswith("no")
    dates = column_summary(pd.DataFrame({"day": ["2024-01-02", "2024-01-03"], "x": [1, 2]}), ["x"])
    assert dates.set_index("column").loc["day", "type"] == "dates"
    assert "year" in dates.set_index("column").loc["day", "usable"]


def test_suggested_target_goes_by_name() -> None:
    assert suggested_target(["km", "Seats", "Price"]) == "Price"
    assert suggested_target(["x", "y"]) == "y"
    assert suggested_target(["Cylinders", "Horsepower"]) is None


def test_outlier_table_lists_the_rows_beyond_z_with_their_values() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(100, 1))
    X[10, 0] = 25.0
    y = rng.normal(size=100)
    table = outlier_table(X, y, ("x", "y"), np.arange(100) + 50)
    assert table["row"].tolist() == [61]  # position 60 in the table, numbered from 1
    assert table["x"].tolist() == [25.0]
    z = (25.0 - X[:, 0].mean()) / X[:, 0].std()
    assert table["largest |z|"].iloc[0] == pytest.approx(z)


@pytest.mark.skipif(not USED_CARS.exists(), reason="the used cars table is not on this machine")
def test_the_used_cars_weight_changes_sign_with_the_held_out_rows() -> None:
    from linreg_core import read_table

    df = read_table(USED_CARS)
    ds = prepare(df, RunConfig(target="Price", features=("Kilometers_Driven",), test_size=0.2))
    flips = sign_changes(
        ds.X_train, ds.y_train, ds.X_test, ds.y_test, ds.features, ds.target,
        (ds.train_rows, ds.test_rows),
    )  # fmt: skip
    X = df[["Kilometers_Driven"]].to_numpy(float)
    w_all, _ = lstsq(X, df["Price"].to_numpy())
    w_train, _ = lstsq(ds.X_train, ds.y_train)
    assert np.sign(w_all[0]) != np.sign(w_train[0])
    assert [f.feature for f in flips] == ["Kilometers_Driven"]
    assert flips[0].all_weight == pytest.approx(w_all[0])
    # the row that moves the weight most is the car with 6,500,000 km
    assert flips[0].rows["Kilometers_Driven"].iloc[0] == 6_500_000
    assert w_all[0] * X[:, 0].std() == pytest.approx(-0.128570, abs=5e-7)  # the README's number


def test_a_test_table_without_the_target_points_at_predict() -> None:
    train = pd.DataFrame({"x": [1.0, 2, 3, 4], "y": [2.0, 4, 6, 8]})
    with pytest.raises(DataError, match="A new file"):
        prepare(train, RunConfig(target="y", features=("x",)), train[["x"]])
