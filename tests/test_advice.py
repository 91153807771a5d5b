"""Advice per run: each case on a table built here, its numbers checked against numpy."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from linreg_core import OptimizerConfig, RunConfig, run
from linreg_core.advice import advise
from linreg_core.errors import Said
from tests.conftest import SAMPLES
from tests.test_curvature import hessian, longley_like, zscore

CARS = pd.read_csv(SAMPLES / "used_cars_like.csv")
APARTMENTS = pd.read_csv(SAMPLES / "apartments.csv")


def _advice(df: pd.DataFrame, opt: OptimizerConfig, **settings: object) -> str | None:
    comp = run(df, RunConfig(optimizers=(opt,), **settings))  # type: ignore[arg-type]
    said = advise(comp, comp.runs[0])
    return None if said is None else str(said)  # str(): the English sentence


def test_a_diverged_run_names_its_stable_limit_and_the_z_scored_one():
    text = _advice(
        CARS, OptimizerConfig("sgd", lr=0.01), target="Price", features=("Kilometers_Driven",)
    )
    km = CARS[["Kilometers_Driven"]].to_numpy(dtype=float)
    limit = 2 / np.linalg.eigvalsh(hessian(km))[-1]  # numpy: 2 / lambda_max
    assert "diverged at epoch" in text
    assert f"stable limit {limit:.3g}" in text and f"below {limit:.3g}" in text
    assert f"{0.01 / limit:.3g} times" in text
    z_limit = 2 / np.linalg.eigvalsh(hessian(zscore(km)))[-1]  # 1: H = 2I
    assert f"z-scored features the limit would be {z_limit:.3g} " in text


def test_a_momentum_run_is_measured_against_the_heavy_ball_limit():
    text = _advice(
        CARS, OptimizerConfig("momentum", lr=0.01), target="Price", features=("Kilometers_Driven",)
    )
    km = CARS[["Kilometers_Driven"]].to_numpy(dtype=float)
    limit = (2 + 2 * 0.9) / np.linalg.eigvalsh(hessian(km))[-1]
    assert f"stable limit {limit:.3g}" in text


def test_a_run_still_blowing_up_when_it_stops_is_told_its_limit():
    text = _advice(
        APARTMENTS, OptimizerConfig("sgd", lr=1.5), target="price_eok", normalize=True, epochs=20
    )
    X = APARTMENTS[["area_m2", "age_years", "station_km"]].to_numpy(dtype=float)
    limit = 2 / np.linalg.eigvalsh(hessian(zscore(X)))[-1]
    assert "was growing" in text and f"stable limit {limit:.3g}" in text


def test_adam_far_from_the_optimum_is_told_the_distance_and_the_epochs_it_needs():
    rng = np.random.default_rng(11)
    X = longley_like(rng)
    y = 65_000 + X @ np.array([10, 0.02, -1.5, -0.5, -0.05, 30]) + 300 * rng.normal(size=len(X))
    df = pd.DataFrame({**{f"x{i}": X[:, i] for i in range(6)}, "y": y})
    opt = OptimizerConfig("adam", lr=0.01)
    comp = run(df, RunConfig(target="y", normalize=True, epochs=200, optimizers=(opt,)))
    text = str(advise(comp, comp.runs[0]))
    A = np.column_stack([zscore(X), np.ones(len(X))])
    best = np.linalg.lstsq(A, y, rcond=None)[0]  # numpy's least squares, z-scored features
    h = comp.runs[0]
    left = np.append(h.final_weights, h.final_bias) - best
    assert "far from the optimum" in text
    assert f"{np.linalg.norm(left):.3g} away" in text
    assert f"at least {math.ceil(np.abs(left).max() / 0.01):,} more epochs" in text
    assert f"whole way from the start is {np.abs(best).max():.3g} in b" in text
    assert "scale the target" in text
    assert "z-scor" not in text.lower()  # on already


def test_an_adaptive_run_that_hovers_is_told_its_steps_do_not_shrink():
    text = _advice(
        APARTMENTS,
        OptimizerConfig("rmsprop", lr=0.5),
        target="price_eok",
        normalize=True,
        features=("area_m2", "age_years", "station_km"),
    )
    assert "hovers without settling" in text and "do not shrink" in text
    # z-scored, each parameter's own curvature (H's diagonal) is 2: a step of 0.5 adds
    # 0.5 * 0.5**2 * 2 = 0.25 to the loss
    assert "changes the loss by about 0.25." in text


def test_a_run_still_going_down_is_told_to_train_longer_and_how_many_epochs():
    settings = {"target": "Price", "normalize": True, "features": ("Kilometers_Driven",)}
    text = _advice(CARS, OptimizerConfig("sgd", lr=0.01), epochs=50, **settings)
    assert "still going down steadily" in text and "Train longer" in text
    more = int(text.split("about ")[1].split(" more epochs")[0].replace(",", ""))
    # z-scored, one feature: H = 2I, so GD shrinks the gap by (1 - 0.02) an epoch and the
    # loss's excess by its square; the epochs from there to 1% of the optimum's loss:
    assert more == pytest.approx(_epochs_left(0.01, 50), rel=0.05)
    assert _advice(CARS, OptimizerConfig("sgd", lr=0.01), epochs=50 + more, **settings) is None


def _epochs_left(lr: float, done: int) -> float:
    """GD on H = 2I from zero: the loss's excess after e epochs is e0 (1 - 2 lr)^(2e)."""
    x = zscore(CARS[["Kilometers_Driven"]].to_numpy(dtype=float))[:, 0]
    y = CARS["Price"].to_numpy(dtype=float)
    w, b = np.polyfit(x, y, 1)
    excess0 = w**2 + b**2  # L(0) - L* = (t*)^T G t* with G = I
    bar = 0.01 * np.mean((w * x + b - y) ** 2)
    return math.log(bar / (excess0 * (1 - 2 * lr) ** (2 * done))) / (2 * math.log(1 - 2 * lr))


def test_a_run_at_the_optimum_gets_no_advice():
    opt = OptimizerConfig("sgd", lr=0.1)
    assert _advice(CARS, opt, target="Price", normalize=True) is None
    assert _advice(APARTMENTS, opt, target="price_eok", normalize=True) is None


@pytest.mark.parametrize(
    ("opt", "settings"),
    [
        (OptimizerConfig("sgd", lr=1.5), {}),
        (OptimizerConfig("sgd", lr=1.5), {"epochs": 20}),
        (OptimizerConfig("sgd", lr=5.0), {"batch_size": 32, "epochs": 20}),
        (OptimizerConfig("sgd", lr=0.9), {"batch_size": 32, "epochs": 50}),
        (OptimizerConfig("sgd", lr=0.01), {"epochs": 50}),
        (OptimizerConfig("sgd", lr=0.001), {"epochs": 1000}),
        (OptimizerConfig("adam", lr=0.01), {}),
        (OptimizerConfig("adagrad", lr=0.01), {}),
        (OptimizerConfig("rmsprop", lr=1.0), {}),
    ],
)
def test_advice_never_asks_to_z_score_when_it_is_on(opt, settings):
    text = _advice(APARTMENTS, opt, target="price_eok", normalize=True, **settings)
    assert text is not None
    assert "z-scor" not in text.lower()


def test_advice_offers_z_scoring_when_it_is_off_and_would_help():
    text = _advice(
        CARS, OptimizerConfig("adam", lr=0.01), target="Price", features=("Kilometers_Driven",)
    )
    assert "z-score the features" in text


def test_a_table_that_cannot_be_z_scored_gets_advice_without_it():
    x = np.arange(20.0) * 1000
    df = pd.DataFrame({"x": x, "c": 5.0, "y": 0.002 * x + 1})  # c is constant: no z-score
    text = _advice(df, OptimizerConfig("sgd", lr=0.01), target="y")
    assert "diverged at epoch" in text and "z-scor" not in text.lower()


# -- in Korean: the same advice, the same numbers, the learner's language ----------------------
HANGUL = re.compile("[가-힣]")


def _both(df: pd.DataFrame, opt: OptimizerConfig, **settings: object) -> tuple[str, str, object]:
    """The run's advice in English (str) and in Korean, and the comparison."""
    comp = run(df, RunConfig(optimizers=(opt,), **settings))  # type: ignore[arg-type]
    said = advise(comp, comp.runs[0])
    assert isinstance(said, Said) and said.code is not None  # a catalog key, not a literal
    return str(said), said.in_language("ko"), comp


def _korean(text: str) -> None:
    assert HANGUL.search(text) and "{" not in text and "}" not in text


def test_a_diverged_runs_advice_in_korean_gives_the_same_limits():
    en, ko, _ = _both(
        CARS, OptimizerConfig("sgd", lr=0.01), target="Price", features=("Kilometers_Driven",)
    )
    km = CARS[["Kilometers_Driven"]].to_numpy(dtype=float)
    limit = 2 / np.linalg.eigvalsh(hessian(km))[-1]  # numpy: 2 / lambda_max
    z_limit = 2 / np.linalg.eigvalsh(hessian(zscore(km)))[-1]
    _korean(ko)
    assert en.startswith("sgd diverged at epoch ") and f"stable limit {limit:.3g}" in en
    assert ko.startswith("sgd 실행은 ") and "번째 에포크에서 발산했습니다. " in ko
    assert f"학습률(0.01)이 안정 한계({limit:.3g})의 {0.01 / limit:.3g}배입니다." in ko
    assert f"학습률을 {limit:.3g}보다 작게 하세요." in ko
    assert f"z-점수 정규화하면 안정 한계는 {z_limit:.3g}입니다" in ko
    assert "diverged" not in ko and "limit" not in ko  # one language at a time


def test_a_slow_runs_advice_in_korean_says_to_train_longer_with_the_same_epochs():
    settings = {"target": "Price", "normalize": True, "features": ("Kilometers_Driven",)}
    en, ko, comp = _both(CARS, OptimizerConfig("sgd", lr=0.01), epochs=50, **settings)
    more = int(en.split("about ")[1].split(" more epochs")[0].replace(",", ""))
    assert more == pytest.approx(_epochs_left(0.01, 50), rel=0.05)  # numpy's count
    ds = comp.dataset
    A = np.column_stack([ds.X_train, np.ones(len(ds.y_train))])
    best = np.linalg.lstsq(A, ds.y_train, rcond=None)[0]
    floor = np.mean((A @ best - ds.y_train) ** 2)  # numpy's least-squares training MSE
    _korean(ko)
    assert "50 에포크 뒤에 멈출 때까지도 손실이 꾸준히 줄고 있었습니다." in ko
    assert f"(최적점은 {floor:.4g})" in ko and f"the optimum's {floor:.4g}" in en
    assert f"더 오래 학습하세요(지금 속도라면 약 {more:,} 에포크 더)." in ko


@pytest.mark.parametrize(
    ("opt", "settings"),
    [
        (OptimizerConfig("sgd", lr=1.5), {"epochs": 20}),  # still growing
        (OptimizerConfig("sgd", lr=5.0), {"batch_size": 32, "epochs": 20}),
        (OptimizerConfig("sgd", lr=0.9), {"batch_size": 32, "epochs": 50}),
        (OptimizerConfig("sgd", lr=0.001), {"epochs": 1000}),
        (OptimizerConfig("adam", lr=0.01), {}),
        (OptimizerConfig("adagrad", lr=0.01), {}),
        (OptimizerConfig("rmsprop", lr=1.0), {}),
        (OptimizerConfig("rmsprop", lr=0.5), {}),
        (OptimizerConfig("adam", lr=1e6), {"epochs": 5}),  # adaptive, diverged: no limit
    ],
)
def test_every_kind_of_advice_has_a_korean_sentence(opt, settings):
    en, ko, _ = _both(APARTMENTS, opt, target="price_eok", normalize=True, **settings)
    _korean(ko)
    assert "실행은 " in ko and en.startswith(opt.name)
    assert not HANGUL.search(en)
