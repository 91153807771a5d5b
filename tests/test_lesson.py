"""Z-score's lesson on the pages: the seed-002 preset's raw and z-scored runs side by side, the
learning-rate sweep on the Train page, and each run's advice beside its numbers.

Expected numbers come from numpy (the Hessian (2/m) A^T A and its eigvalsh, least squares),
never from the app's own code.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from apptest_harness import (
    SAMPLE_DATA,
    TIMEOUT,
    TRAIN_BUTTON,
    TRAIN_PAGE,
    chart_data,
    choose,
    least_squares,
    start_app,
    texts,
)
from streamlit.testing.v1 import AppTest

from ui import run
from ui import state as S


@pytest.fixture
def app() -> AppTest:
    run.clear_cache()  # each test trains for itself
    return start_app()


def lmax(X: np.ndarray) -> float:
    """numpy's largest eigenvalue of the training MSE's Hessian (2/m) A^T A, A = [X, 1]."""
    A = np.column_stack([X, np.ones(len(X))])
    return float(np.linalg.eigvalsh(2 * A.T @ A / len(A))[-1])


def condition(X: np.ndarray) -> float:
    A = np.column_stack([X, np.ones(len(X))])
    values = np.linalg.eigvalsh(2 * A.T @ A / len(A))
    return float(values[-1] / values[0])


def landscape_paths(at: AppTest) -> list[pd.DataFrame]:
    """Each landscape chart's path rows (optimizer, epoch, x = W, y = b), in page order."""
    path = {"optimizer", "epoch", "x", "y", "width"}
    return [
        next(f for f in frames if path <= set(f.columns))
        for frames in chart_data(at)
        if any(path <= set(f.columns) for f in frames)
    ]


def test_the_seed_002_preset_shows_raw_diverging_and_z_scored_converging_side_by_side(
    app: AppTest,
) -> None:
    app.button(key=S.W_PRESET_PREFIX + "seed002").click().run(timeout=TIMEOUT)

    assert not app.exception and not app.error
    comp = app.session_state[S.COMPARISON]  # the preset trains the raw kilometres
    df = pd.read_csv(SAMPLE_DATA / "used_cars_like.csv")
    rows = df.iloc[comp.dataset.train_rows]
    km, price = rows[["Kilometers_Driven"]].to_numpy(float), rows["Price"].to_numpy(float)
    z = (km - km.mean(axis=0)) / km.std(axis=0)
    raw_limit, z_limit = 2 / lmax(km), 2 / lmax(z)
    assert raw_limit < 0.01 < z_limit  # numpy: lr 0.01 must diverge raw and converge z-scored

    tiles = [(m.label, m.value) for m in app.metric]
    assert tiles == [
        ("Condition number", f"{condition(km):.3g}"),
        ("Stable lr (SGD)", f"{raw_limit:.3g}"),
        ("Condition number", f"{condition(z):.3g}"),
        ("Stable lr (SGD)", f"{z_limit:.3g}"),
    ]
    words = texts(app.markdown)
    raw_run = comp.runs[0]
    assert raw_run.diverged and f"SGD at lr 0.01 diverged at epoch {raw_run.diverged_at}" in words
    assert "SGD at lr 0.01 reached the least-squares loss" in words
    assert f"{0.01 / raw_limit:.3g}× it" in words
    assert f"from {raw_limit:.3g} to {z_limit:.3g}" in texts(app.info)
    assert "diverges on the raw features and converges on z-scores" in texts(app.info)

    raw_path, z_path, main_path = landscape_paths(app)  # both sides, then the page's own
    assert raw_path["epoch"].max() <= raw_run.diverged_at  # drawn until it left the map
    w, b = least_squares(z, price)  # the z-scored SGD path ends at numpy's optimum
    end = z_path.sort_values("epoch").iloc[-1]
    np.testing.assert_allclose([end["x"], end["y"]], [w[0], b], rtol=1e-3)
    pd.testing.assert_frame_equal(main_path, raw_path)  # the page's own run is the raw one


def sweep(at: AppTest, low: str, high: str, points: int) -> AppTest:
    at.text_input(key=S.W_SWEEP_LOW).input(low)
    at.text_input(key=S.W_SWEEP_HIGH).input(high)
    at.slider(key=S.W_SWEEP_POINTS).set_value(points)
    return at.button(key=S.W_SWEEP_RUN).click().run(timeout=120)


def test_the_sweep_draws_one_line_per_optimizer_and_their_stable_limits(app: AppTest) -> None:
    optimizers = [{"name": n, "lr": 0.1} for n in ("sgd", "momentum", "adam")]
    df, _ = choose(app, "apartments.csv", "price_eok", ["area_m2"], optimizers=optimizers)
    app.switch_page(TRAIN_PAGE).run(timeout=TIMEOUT)
    app.button(key=TRAIN_BUTTON).click().run(timeout=TIMEOUT)

    sweep(app, "0.001", "10", 9)

    assert not app.exception and not app.error
    frames = next(f for f in chart_data(app) if any("train_mse" in x.columns for x in f))
    points = next(f for f in frames if "train_mse" in f.columns)
    assert sorted(points["optimizer"].unique()) == ["adam", "momentum", "sgd"]
    assert points.groupby("optimizer").size().to_dict() == {"adam": 9, "momentum": 9, "sgd": 9}
    np.testing.assert_allclose(np.unique(points["lr"]), np.geomspace(0.001, 10, 9), rtol=2e-3)
    rows = df.iloc[app.session_state[S.COMPARISON].dataset.train_rows][["area_m2"]]
    X = rows.to_numpy(float)
    z = (X - X.mean(axis=0)) / X.std(axis=0)
    limits = next(f for f in frames if "limit" in f.columns).set_index("optimizer")["limit"]
    assert sorted(limits.index) == ["momentum", "sgd"]  # Adam has no closed form
    assert limits["sgd"] == pytest.approx(2 / lmax(z), rel=1e-9)
    assert limits["momentum"] == pytest.approx(3.8 / lmax(z), rel=1e-9)
    above = points[(points["optimizer"] == "sgd") & (points["lr"] > 1.1 * limits["sgd"])]
    assert above["diverged"].all()  # every rate above SGD's limit blew up, as numpy said
    best = texts(app.markdown)
    assert "Best learning rate" in best and "SGD: **" in best and "Adam: **" in best


def test_a_bad_sweep_range_is_named_and_keeps_the_last_sweep(app: AppTest) -> None:
    choose(app, "apartments.csv", "price_eok", ["area_m2"], optimizers=[{"name": "sgd", "lr": 0.1}])
    app.switch_page(TRAIN_PAGE).run(timeout=TIMEOUT)
    app.button(key=TRAIN_BUTTON).click().run(timeout=TIMEOUT)
    sweep(app, "0.01", "1", 3)
    before = app.session_state[S.SWEEP]

    sweep(app, "1e-13", "1", 3)

    assert "Smallest: Invalid learning rate: '1e-13'" in texts(app.error)
    assert app.session_state[S.SWEEP] is before
    sweep(app, "1", "0.01", 3)
    assert "must be above its smallest" in texts(app.error)
    assert app.session_state[S.SWEEP] is before


def test_each_run_that_ends_far_from_the_optimum_gets_its_advice_and_the_sidebar_says_so(
    app: AppTest,
) -> None:
    optimizers = [{"name": "sgd", "lr": 0.1}, {"name": "adam", "lr": 0.001}]
    df, _ = choose(app, "apartments.csv", "price_eok", ["area_m2"], optimizers=optimizers)
    app.switch_page(TRAIN_PAGE).run(timeout=TIMEOUT)
    app.button(key=TRAIN_BUTTON).click().run(timeout=TIMEOUT)

    comp = app.session_state[S.COMPARISON]
    rows = df.iloc[comp.dataset.train_rows]
    X, y = rows[["area_m2"]].to_numpy(float), rows["price_eok"].to_numpy(float)
    w, b = least_squares(X, y)
    floor = np.mean((X @ w + b - y) ** 2)  # numpy's least-squares training MSE
    sgd, adam = (comp.metrics(h, "train")["mse"] for h in comp.runs)
    assert sgd <= 1.01 * floor < adam  # SGD reached it; Adam's steps of ~0.001 did not

    shown = texts(app.info)
    assert "adam ended far from the optimum" in shown
    assert "sgd " not in shown  # nothing for a run at the optimum
    app.switch_page(TRAIN_PAGE).run(timeout=TIMEOUT)  # the sidebar is drawn before the page
    assert "1 of 2 run(s) did not reach the optimum" in texts(app.sidebar.warning)
    assert "Comparison ready" not in texts(app.sidebar.success)


def test_a_korean_session_shows_the_lesson_and_watch_it_learn_in_korean() -> None:
    run.clear_cache()
    app = start_app(locale="ko-KR")
    app.button(key=S.W_PRESET_PREFIX + "seed002").click().run(timeout=TIMEOUT)

    assert not app.exception
    # the lesson: raw and z-scored side by side, in Korean sentences with the same numbers
    assert "정규화 전후 나란히 비교하기" in texts(app.subheader)
    assert [m.label for m in app.metric][:2] == ["조건수", "안정적인 학습률 상한 (SGD)"]
    words = texts(app.markdown)
    assert "에포크" in words and "발산했습니다" in words and "at lr 0.01 diverged" not in words
    assert "최소제곱해의 손실에 도달했습니다" in words
    assert "원래 특성에서는 발산하고" in texts(app.info)
    # watch it learn: the slider's help, the sections' titles, the ledger and the captions
    captions = texts(app.caption)
    assert "에포크 슬라이더" in captions and "Drag the epoch slider" not in captions
    assert "경로가 서로 다른 이유" in words and "한 걸음을 숫자로 따라가기" in words
    assert "옵티마이저의 내부 들여다보기" in words
    ledger = next(d.value for d in app.dataframe if "항목" in d.value.columns)
    assert {"이전 값", "기울기(gradient)", "이후 값"} <= set(ledger["항목"])
    assert "이 에포크의 학습 로그" in captions and "기울기의 크기는" in captions
    specs = [  # the sent specs' text, Korean letters as they are
        json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)
        for chart in app.get("vega_lite_chart")
    ]
    assert any("에포크별 손실" in s and "옵티마이저별 현재 위치" in s for s in specs)
    assert any("기울기의 크기 ‖g‖" in s for s in specs)  # the internals' panel titles
