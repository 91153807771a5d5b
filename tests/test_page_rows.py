"""Data, Normalise and Predict pages on real tables: numbers written with units, row filters and
colours, outliers, column summaries, small tables, a weight whose sign depends on the split and a
test file without the target. Expected values come from pandas and numpy."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from apptest_harness import (
    DATA_PAGE,
    NORM_PAGE,
    PREDICT_PAGE,
    SAMPLE_DATA,
    TIMEOUT,
    TRAIN_BUTTON,
    TRAIN_PAGE,
    choose,
    frame_with,
    start_app,
    table_with,
    texts,
    upload,
)
from streamlit.testing.v1 import AppTest

from linreg_core import run
from linreg_core.config import Condition
from tests.tables import ANSCOMBE, ANSCOMBE_Y
from ui import state as S


def cars_table(n: int = 60, seed: int = 4) -> pd.DataFrame:
    """Used-car-like rows: Power written with a unit (some 'null bhp'), Kilometers with one car
    far beyond the others, a Fuel category and the Price."""
    rng = np.random.default_rng(seed)
    power = rng.uniform(60, 200, n).round(1)
    km = rng.integers(10_000, 90_000, n).astype(float)
    km[5] = 6_500_000.0
    price = (0.06 * power - 0.00003 * np.minimum(km, 200_000) + rng.normal(0, 0.5, n)).round(3)
    text = [f"{p} bhp" for p in power]
    for i in (2, 9, 31):
        text[i] = "null bhp"
    fuel = rng.choice(["Diesel", "Petrol"], n)
    return pd.DataFrame({"Fuel_Type": fuel, "Kilometers_Driven": km, "Power": text, "Price": price})


@pytest.fixture
def app() -> AppTest:
    return start_app().switch_page(DATA_PAGE).run(timeout=TIMEOUT)


def load(at: AppTest, table: pd.DataFrame, name: str = "table.csv") -> AppTest:
    return upload(at, name, table.to_csv(index=False).encode())


def pick(at: AppTest, target: str) -> AppTest:
    return at.selectbox(key=S.W_TARGET).set_value(target).run(timeout=TIMEOUT)


def settings(at: AppTest):
    return at.session_state[S.SETTINGS]


def test_numbers_written_with_units_are_read_once_chosen_and_gaps_counted(app: AppTest) -> None:
    cars = cars_table()
    load(app, cars, "cars.csv")
    assert "Power" not in app.selectbox(key=S.W_TARGET).options  # text until chosen
    units = app.multiselect(key=S.W_UNITS)
    assert units.options == ["Power (bhp)"]  # the unit shown with the name

    units.set_value(["Power"]).run(timeout=TIMEOUT)
    pick(app, "Price")

    assert not app.exception and not app.error
    assert settings(app).numbers_from_text == ("Power",)
    assert settings(app).features == ("Kilometers_Driven", "Power")
    missing = int(cars["Power"].str.startswith("null").sum())  # pandas: 3 'null bhp' cells
    assert f"{missing} cell(s) without a number become missing" in texts(app.caption)
    usable = len(cars) - missing
    n_test = math.ceil(0.2 * usable)
    assert (
        f"{usable - n_test} training rows, {n_test} test rows, {missing} dropped for missing"
        in texts(app.success)
    )


def test_anscombe_filtered_to_one_series_and_coloured_by_series(app: AppTest) -> None:
    load(app, ANSCOMBE, "anscombe.csv")
    pick(app, "Y")
    app.selectbox(key=S.W_FILTER_COLUMN).set_value("Series").run(timeout=TIMEOUT)
    app.multiselect(key=S.W_FILTER_VALUES).set_value(["I"]).run(timeout=TIMEOUT)
    app.button(key=S.W_FILTER_ADD).click().run(timeout=TIMEOUT)

    assert not app.exception and not app.error
    assert settings(app).where == (Condition("Series", "==", "I"),)
    kept = int((ANSCOMBE["Series"] == "I").sum())
    assert f"Rows where Series == I: {kept} of {len(ANSCOMBE)} kept." in texts(app.info)
    n_test = math.ceil(0.2 * kept)
    assert f"{kept - n_test} training rows, {n_test} test rows" in texts(app.success)
    assert f"{len(ANSCOMBE) - kept} left out by the filters" in texts(app.success)

    app.selectbox(key=S.W_COLOR_BY).set_value("Series").run(timeout=TIMEOUT)
    points = frame_with(app, "x", "y", "split", "group")
    assert set(points["group"]) == {"I"}
    expected = ANSCOMBE[ANSCOMBE["Series"] == "I"].sort_values(["X", "Y"])
    got = points.sort_values(["x", "y"])
    np.testing.assert_allclose(got[["x", "y"]].to_numpy(), expected[["X", "Y"]].to_numpy())

    app.button(key=S.W_FILTER_CLEAR).click().run(timeout=TIMEOUT)
    assert settings(app).where == ()
    assert set(frame_with(app, "x", "y", "split", "group")["group"]) == set(ANSCOMBE_Y)


def test_a_number_range_filter_keeps_the_rows_pandas_keeps(app: AppTest) -> None:
    load(app, ANSCOMBE, "anscombe.csv")
    pick(app, "Y")
    app.selectbox(key=S.W_FILTER_COLUMN).set_value("X").run(timeout=TIMEOUT)
    app.number_input(key=S.W_FILTER_LOW).set_value(6.0)
    app.number_input(key=S.W_FILTER_HIGH).set_value(12.0).run(timeout=TIMEOUT)
    app.button(key=S.W_FILTER_ADD).click().run(timeout=TIMEOUT)

    assert settings(app).where == (Condition("X", ">=", "6"), Condition("X", "<=", "12"))
    kept = int(ANSCOMBE["X"].between(6, 12).sum())
    assert f"{kept} of {len(ANSCOMBE)} kept" in texts(app.info)


def test_outliers_are_listed_with_their_values_and_one_click_drops_them(app: AppTest) -> None:
    cars = cars_table()
    load(app, cars)
    app.multiselect(key=S.W_UNITS).set_value(["Power"]).run(timeout=TIMEOUT)
    pick(app, "Price")
    app.slider(key=S.W_TEST_SIZE).set_value(0.0).run(timeout=TIMEOUT)

    # pandas: the rows left after the gaps, z by their mean and population std
    power = pd.to_numeric(cars["Power"].str.removesuffix(" bhp"), errors="coerce")
    rows = pd.DataFrame({"km": cars["Kilometers_Driven"], "power": power, "price": cars["Price"]})
    rows = rows.dropna()
    far = ((rows - rows.mean()) / rows.std(ddof=0)).abs().gt(4).any(axis=1)
    assert far.sum() == 1
    table = table_with(app, "largest |z|")
    assert table["row"].tolist() == [int(rows.index[far][0]) + 1]
    assert table["Kilometers_Driven"].tolist() == [6_500_000.0]

    app.button(key=S.W_OUTLIERS_DROP.format(page="data")).click().run(timeout=TIMEOUT)

    assert settings(app).drop_outliers == 4.0
    assert f"{len(rows) - 1} training rows" in texts(app.success)
    assert "1 outliers dropped from training" in texts(app.success)

    app.switch_page(NORM_PAGE).run(timeout=TIMEOUT)
    assert not app.exception and not app.error
    assert "1 training row(s) beyond |z| > 4 are dropped" in texts(app.warning)
    means = table_with(app, "training mean").set_index("column")["training mean"]
    kept = rows[~far]
    assert means["Kilometers_Driven"] == pytest.approx(kept["km"].mean())

    app.button(key=S.W_OUTLIERS_KEEP.format(page="normalise")).click().run(timeout=TIMEOUT)
    assert settings(app).drop_outliers is None


def test_the_histograms_take_more_bins_and_a_log_count_axis(app: AppTest) -> None:
    load(app, cars_table())
    pick(app, "Price")
    app.switch_page(NORM_PAGE).run(timeout=TIMEOUT)

    def spec() -> dict:
        chart = next(c for c in app.get("vega_lite_chart") if "facet" in c.proto.spec)
        return json.loads(chart.proto.spec)

    assert "symlog" not in json.dumps(spec())
    app.slider(key=S.W_HIST_BINS).set_value(100).run(timeout=TIMEOUT)
    app.toggle(key=S.W_HIST_LOG).set_value(True).run(timeout=TIMEOUT)

    assert not app.exception
    assert "symlog" in json.dumps(spec())
    counts = frame_with(app, "column", "stage", "start", "end", "count")
    one = counts[(counts["column"] == "Kilometers_Driven") & (counts["stage"] == "original")]
    assert len(one) == 100


def test_the_column_summary_matches_pandas(app: AppTest) -> None:
    table = pd.read_csv(SAMPLE_DATA / "apartments.csv")
    load(app, table, "apartments.csv")

    summary = table_with(app, "usable").set_index("column")
    for col in ("area_m2", "price_eok"):
        x = table[col].dropna()
        assert summary.loc[col, "min"] == x.min() and summary.loc[col, "max"] == x.max()
        assert summary.loc[col, "mean"] == pytest.approx(x.mean())
        assert summary.loc[col, "std"] == pytest.approx(x.std(ddof=0))
        assert summary.loc[col, "unique"] == x.nunique()
    assert summary.loc["district", "usable"].startswith("no")


def test_a_small_table_starts_with_none_held_out_and_says_why(app: AppTest) -> None:
    app.button(key=S.W_USE_TYPED).click().run(timeout=TIMEOUT)  # seed 000's three rows
    pick(app, "y")

    assert settings(app).test_size == 0.0
    assert "fewer than 10: it starts with none held out" in texts(app.caption)
    assert "3 training rows, 0 test rows" in texts(app.success)

    load(app, ANSCOMBE, "anscombe.csv")  # 44 rows: the dashboard's fraction again
    assert settings(app).test_size == 0.2


def test_a_weight_whose_sign_depends_on_the_held_out_rows_is_named_with_its_rows(
    app: AppTest,
) -> None:
    n = 20
    held = np.sort(np.random.default_rng(0).permutation(n)[: math.ceil(0.2 * n)])  # the split
    x = np.arange(n, dtype=float)
    y = x + np.random.default_rng(1).normal(0, 0.1, n)
    x[held[0]], y[held[0]] = 200.0, -400.0  # one held-out row pulls the line down
    load(app, pd.DataFrame({"x": x, "y": y}))
    pick(app, "y")

    train = np.setdiff1d(np.arange(n), held)
    w_train = np.polyfit(x[train], y[train], 1)[0]
    w_all = np.polyfit(x, y, 1)[0]
    assert w_train > 0 > w_all
    said = texts(app.warning)
    std = x.std()  # numpy's population std over all rows: the weights per std of x
    assert f"{w_train * std:+.4g} on the training rows but {w_all * std:+.4g} on all rows" in said
    rows = table_with(app, "weight without this row")
    assert rows["row"].iloc[0] == held[0] + 1 and rows["split"].iloc[0] == "held out"


def test_a_test_file_without_the_target_points_at_predicts_new_file(app: AppTest) -> None:
    load(app, ANSCOMBE[ANSCOMBE["Series"] == "I"][["X", "Y"]], "one.csv")
    pick(app, "Y")
    app.toggle(key=S.W_TEST_FILE).set_value(True).run(timeout=TIMEOUT)
    test = pd.DataFrame({"X": [1.0, 2.0]}).to_csv(index=False).encode()
    upload(app, "new.csv", test, key=S.W_TEST_UPLOAD)

    assert not app.exception
    assert "has no 'Y' column, the target" in texts(app.error)
    assert "A new file" in texts(app.error)
    assert any(link.label == "Predict: A new file" for link in app.get("page_link"))
    assert app.session_state[S.TEST_DATA] is None


def test_predict_says_why_r2_is_missing_for_one_held_out_row() -> None:
    at = start_app()
    df, cfg = choose(at, "hours_money.csv", "money", ["hours"], test_size=0.3, epochs=20)
    at.session_state[S.COMPARISON] = run(df, cfg)
    at.switch_page(PREDICT_PAGE).run(timeout=TIMEOUT)

    assert len(df) == 3 and math.ceil(0.3 * len(df)) == 1
    assert not at.exception
    assert "R²: needs at least 2 held-out rows (there is 1)" in texts(at.caption)


def test_the_fit_chart_on_train_colours_the_points_by_the_chosen_category(app: AppTest) -> None:
    load(app, ANSCOMBE, "anscombe.csv")
    pick(app, "Y")
    app.selectbox(key=S.W_COLOR_BY).set_value("Series").run(timeout=TIMEOUT)
    app.switch_page(TRAIN_PAGE).run(timeout=TIMEOUT)
    app.number_input(key=S.W_TRAIN_EPOCHS).set_value(20)
    app.button(key=TRAIN_BUTTON).click().run(timeout=TIMEOUT)

    assert not app.exception and not app.error
    points = frame_with(app, "x", "y", "split", "group")
    # every point with its own series: the table's rows, looked up by value
    merged = points.merge(ANSCOMBE, left_on=["x", "y"], right_on=["X", "Y"])
    assert len(merged) == len(ANSCOMBE)
    assert (merged["group"] == merged["Series"]).all()


def test_the_row_sections_speak_korean() -> None:
    at = start_app(locale="ko-KR").switch_page(DATA_PAGE).run(timeout=TIMEOUT)
    cars = cars_table()
    load(at, cars, "cars.csv")
    assert at.multiselect(key=S.W_UNITS).label == "이 열들을 숫자로 읽기"
    at.multiselect(key=S.W_UNITS).set_value(["Power"]).run(timeout=TIMEOUT)
    pick(at, "Price")

    assert not at.exception and not at.error
    captions = texts(at.caption)
    assert "Power: 숫자 57개, 단위 bhp; 숫자가 없는 셀 3개는 빈 값이 됩니다" in captions
    assert "필터는 훈련/테스트 데이터를 나누기 전에 적용됩니다." in captions
    assert at.selectbox(key=S.W_FILTER_COLUMN).label == "남길 행의 조건이 되는 열"
    assert at.button(key=S.W_FILTER_ADD).label == "필터 추가"
    assert at.selectbox(key=S.W_COLOR_BY).label == "점의 색을 나눌 열"
    assert at.slider(key=S.W_TEST_SIZE).label == "테스트 데이터 비율"

    at.slider(key=S.W_TEST_SIZE).set_value(0.0).run(timeout=TIMEOUT)  # the far car trains
    at.button(key=S.W_OUTLIERS_DROP.format(page="data")).click().run(timeout=TIMEOUT)

    assert "|z| > 4를 넘는 훈련 데이터 행 1개를 뺐습니다" in texts(at.warning)
    assert at.button(key=S.W_OUTLIERS_KEEP.format(page="data")).label == "다시 포함하기"
    assert table_with(at, "가장 큰 |z|")["Kilometers_Driven"].tolist() == [6_500_000.0]
