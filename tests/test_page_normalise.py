"""Normalise page: toggles into state, the training rows' mean and population std, and errors."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from apptest_harness import (
    DATA_PAGE,
    NORM_PAGE,
    SAMPLE_DATA,
    TIMEOUT,
    english_left,
    start_app,
    table_with,
    texts,
)
from streamlit.testing.v1 import AppTest

from linreg_core import Scaler
from ui import state as S
from ui.messages import target_scale_hint

FEATURES = ["area_m2", "age_years", "station_km"]
APARTMENTS = SAMPLE_DATA / "apartments.csv"


@pytest.fixture
def app() -> AppTest:
    return start_app()


def show_normalise(
    at: AppTest,
    df: pd.DataFrame,
    target: str,
    features: list[str],
    test_df: pd.DataFrame | None = None,
) -> AppTest:
    """The table, its columns (the session's other settings as they start) and an optional
    separate test table in the session, then the Normalise page."""
    at.session_state[S.DATA] = df
    at.session_state[S.DATA_NAME] = "table.csv"
    at.session_state[S.TEST_DATA] = test_df
    at.session_state[S.TEST_DATA_NAME] = None if test_df is None else "test.csv"
    at.session_state[S.SETTINGS] = dataclasses.replace(
        at.session_state[S.SETTINGS], target=target, features=tuple(features)
    )
    return at.switch_page(NORM_PAGE).run(timeout=TIMEOUT)


def statistics_table(at: AppTest) -> pd.DataFrame:
    return table_with(at, "training mean").set_index("column")


def test_without_data_the_page_points_to_the_data_page(app: AppTest) -> None:
    app.switch_page(NORM_PAGE).run(timeout=TIMEOUT)

    assert not app.exception
    assert "Load data" in texts(app.info)
    assert not app.error and not app.toggle


def test_mean_and_std_are_numpys_population_statistics_of_the_training_rows(
    app: AppTest,
) -> None:
    # a separate test table, so the training rows are known without the app's split
    df = pd.read_csv(APARTMENTS)
    train_df, test_df = df.iloc[:600].reset_index(drop=True), df.iloc[600:].reset_index(drop=True)
    show_normalise(app, train_df, "price_eok", FEATURES, test_df)
    assert not app.exception and not app.error

    columns = [*FEATURES, "price_eok"]
    train = train_df[columns].to_numpy(dtype=float)
    test = test_df[columns].to_numpy(dtype=float)
    assert "Training statistics (600 rows)" in texts(app.subheader)
    stats = statistics_table(app)
    assert list(stats.index) == columns
    assert list(stats["role"]) == ["feature"] * 3 + ["target"]
    mean, std = train.mean(axis=0), train.std(axis=0)
    np.testing.assert_allclose(stats["training mean"], mean, rtol=1e-12)
    np.testing.assert_allclose(stats["training std (ddof=0)"], std, rtol=1e-12)
    assert not np.allclose(stats["training std (ddof=0)"], train.std(axis=0, ddof=1))
    # held-out rows scaled with the TRAINING statistics: near 0 and 1, not exactly
    z = (test - mean) / std
    np.testing.assert_allclose(stats["test rows' mean after z-score"], z.mean(axis=0), atol=1e-12)
    np.testing.assert_allclose(stats["test rows' std after z-score"], z.std(axis=0), rtol=1e-12)
    test_means = stats["test rows' mean after z-score"].to_numpy()
    assert np.all(np.abs(test_means) < 0.5) and not np.allclose(test_means, 0.0)


def test_with_a_split_the_statistics_are_of_the_training_rows_only(app: AppTest) -> None:
    df = pd.read_csv(APARTMENTS)
    show_normalise(app, df, "price_eok", FEATURES)  # 20% held out, as the session starts
    assert not app.exception and not app.error

    assert "Training statistics (640 rows)" in texts(app.subheader)
    stats = statistics_table(app)
    whole = df[[*FEATURES, "price_eok"]].to_numpy(dtype=float)
    assert not np.allclose(stats["training mean"], whole.mean(axis=0), rtol=1e-9)
    # 640 of the 800 rows: each mean lies within what any 640 of them can average to
    for j, column in enumerate([*FEATURES, "price_eok"]):
        values = np.sort(whole[:, j])
        low, high = values[:640].mean(), values[-640:].mean()
        assert low <= stats.loc[column, "training mean"] <= high


def test_distributions_are_drawn_before_and_after_z_score(app: AppTest) -> None:
    df = pd.read_csv(APARTMENTS)
    show_normalise(app, df, "price_eok", FEATURES)

    charts = app.get("vega_lite_chart")
    assert len(charts) == 1
    spec = json.dumps(json.loads(charts[0].proto.spec))
    assert "z-scored" in spec


def test_toggles_go_to_state_and_clear_an_old_comparison(app: AppTest) -> None:
    df = pd.read_csv(SAMPLE_DATA / "hours_money.csv")
    app.session_state[S.COMPARISON] = "a stale result"
    show_normalise(app, df, "money", ["hours"])
    assert app.toggle(key=S.W_NORMALIZE).value is True  # the dashboard's default

    app.toggle(key=S.W_NORMALIZE).set_value(False).run(timeout=TIMEOUT)
    app.toggle(key=S.W_NORMALIZE_TARGET).set_value(True).run(timeout=TIMEOUT)

    ss = app.session_state
    assert (ss[S.SETTINGS].normalize, ss[S.SETTINGS].normalize_target) == (False, True)
    assert ss[S.COMPARISON] is None
    app.switch_page(DATA_PAGE).run(timeout=TIMEOUT)
    app.switch_page(NORM_PAGE).run(timeout=TIMEOUT)
    assert app.toggle(key=S.W_NORMALIZE).value is False
    assert app.toggle(key=S.W_NORMALIZE_TARGET).value is True


def test_a_constant_feature_shows_the_cores_message(app: AppTest) -> None:
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0], "c": 7.0, "y": [2.0, 4.0, 6.0, 8.0, 10.0]})
    show_normalise(app, df, "y", ["x", "c"])

    assert not app.exception
    error = texts(app.error)
    assert "'c'" in error and "same value" in error
    assert not app.get("vega_lite_chart")


def test_a_target_far_from_zero_gets_a_hint_to_scale_it() -> None:
    y = np.array([90.0, 95.0, 100.0, 105.0])
    hint = target_scale_hint(Scaler.fit(y[:, None]), scaled=False)
    assert hint is not None and f"{abs(y.mean()) / y.std():.0f} standard deviations" in hint
    assert target_scale_hint(Scaler.fit(y[:, None]), scaled=True) is None
    assert target_scale_hint(Scaler.fit((y - y.mean())[:, None]), scaled=False) is None


def test_the_hint_shows_on_the_page_for_seed_001(app: AppTest) -> None:
    app.button(key=S.W_PRESET_PREFIX + "seed001").click().run(timeout=TIMEOUT)
    app.switch_page(NORM_PAGE).run(timeout=TIMEOUT)
    assert not app.exception
    assert "Scale the target too" in texts(app.info)


def hessian_eigenvalues(X: np.ndarray) -> np.ndarray:
    """numpy's eigvalsh of the training MSE's Hessian (2/m) A^T A, A = [X, 1] (ascending)."""
    A = np.column_stack([X, np.ones(len(X))])
    return np.linalg.eigvalsh(2 * A.T @ A / len(A))


def test_the_curvature_before_and_after_z_scoring_matches_numpy(app: AppTest) -> None:
    df = pd.read_csv(SAMPLE_DATA / "used_cars_like.csv")
    show_normalise(app, df, "Price", ["Kilometers_Driven", "Year"])
    assert not app.exception and not app.error

    table = table_with(app, "condition number").set_index("features")
    # the training rows: the session's split (20% held out, seed 0), read back from its settings
    from linreg_core import prepare  # the rows only; every expected number comes from numpy

    ds = prepare(df, app.session_state[S.SETTINGS])
    X = df.iloc[ds.train_rows][["Kilometers_Driven", "Year"]].to_numpy(float)
    raw = hessian_eigenvalues(X)
    z = hessian_eigenvalues((X - X.mean(axis=0)) / X.std(axis=0))
    assert app.session_state[S.SETTINGS].normalize  # the dashboard's default: marked as used
    for name, values in (("raw", raw), ("z-scored (used)", z)):
        assert table.loc[name, "λmax"] == f"{values[-1]:.3g}"
        assert table.loc[name, "λmin"] == f"{values[0]:.3g}"
        assert table.loc[name, "condition number"] == f"{values[-1] / values[0]:.3g}"
        assert table.loc[name, "stable lr: SGD"] == f"{2 / values[-1]:.3g}"
        assert table.loc[name, "stable lr: Momentum"] == f"{3.8 / values[-1]:.3g}"
    assert "stable lr: Adam" not in table.columns  # no closed form for the adaptive ones
    words = texts(app.markdown)
    assert f"condition number from {raw[-1] / raw[0]:.3g} to {z[-1] / z[0]:.3g}" in words
    assert f"from {2 / raw[-1]:.3g} to {2 / z[-1]:.3g}" in words


# -- in Korean ------------------------------------------------------------------------------------
def korean_normalise(sample: str = "apartments.csv", target: str = "price_eok") -> AppTest:
    """A Korean browser's session: a sample loaded on the Data page, its target chosen, then the
    Normalise page."""
    at = start_app(locale="ko-KR")
    at.switch_page(DATA_PAGE).run(timeout=TIMEOUT)
    at.selectbox(key=S.W_SAMPLE).set_value(sample).run(timeout=TIMEOUT)
    at.button(key=S.W_LOAD_SAMPLE).click().run(timeout=TIMEOUT)
    at.selectbox(key=S.W_TARGET).set_value(target).run(timeout=TIMEOUT)
    return at.switch_page(NORM_PAGE).run(timeout=TIMEOUT)


def test_a_korean_browser_reads_the_page_in_korean() -> None:
    at = korean_normalise()
    assert not at.exception and not at.error

    assert [t.value for t in at.title] == ["정규화"]
    assert "평균과 표준편차는 훈련 데이터로만 구합니다" in texts(at.caption)
    assert "훈련 데이터 통계 (640행)" in texts(at.subheader)
    assert "정규화 전과 후 (훈련 데이터)" in texts(at.subheader)
    assert "**모집단** 표준편차입니다" in texts(at.markdown)
    assert at.toggle(key=S.W_NORMALIZE).label == "특성을 z-점수로 정규화하기"
    assert at.toggle(key=S.W_NORMALIZE_TARGET).label == "타깃도 정규화하기"
    assert at.slider(key=S.W_HIST_BINS).label == "구간 수"
    # price_eok's mean is about 4 standard deviations from 0: the hint names the Korean toggle
    hint = texts(at.info)
    assert "표준편차의 4배만큼" in hint and "'타깃도 정규화하기'를 켜세요" in hint
    assert [link.label for link in at.get("page_link")] == ["다음: 학습과 비교"]
    # the table's headers and roles are shown in Korean; the numbers and names are the data's
    stats = table_with(at, "훈련 데이터 평균")
    assert list(stats.columns[:4]) == [
        "열",
        "역할",
        "훈련 데이터 평균",
        "훈련 데이터 표준편차 (ddof=0)",
    ]
    assert list(stats["역할"]) == ["특성"] * 3 + ["타깃"]
    assert list(stats["열"]) == [*FEATURES, "price_eok"]
    assert "정규화한 테스트 데이터의 평균" in stats.columns


def test_the_korean_page_leaves_no_english_sentence() -> None:
    at = korean_normalise()
    assert not at.exception and not at.error
    assert english_left(at) == []
    # the same page in English is caught, so the check can fail
    english = start_app()
    show_normalise(english, pd.read_csv(APARTMENTS), "price_eok", FEATURES)
    assert any("population" in text for text in english_left(english))


def test_a_korean_browser_without_data_is_sent_to_the_data_page_in_korean() -> None:
    at = start_app(locale="ko-KR")
    at.switch_page(NORM_PAGE).run(timeout=TIMEOUT)
    assert "먼저 데이터를 불러오고 사용할 열을 고르세요." in texts(at.info)
    assert english_left(at) == []


def test_a_constant_target_is_explained_in_korean() -> None:
    at = start_app(locale="ko-KR")
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "y": 3.0})
    show_normalise(at, df, "y", ["x"])
    assert not at.exception
    assert "타깃 'y'의 값이 모든 훈련 데이터 행에서 같아서 예측할 것이 없습니다" in texts(at.error)
