"""Train & compare page: the form, training through the cache, charts, tables and errors."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from apptest_harness import (
    FOUR,
    OPTIMUM,
    REPO_ROOT,
    TIMEOUT,
    TRAIN_BUTTON,
    TRAIN_CHARTS,
    TRAIN_PAGE,
    chart_frames,
    choose,
    epoch_log,
    frame_with,
    least_squares,
    loss_frame,
    shown,
    start_app,
    table_with,
    texts,
    wide_table,
    zscored_to_original,
)
from streamlit.testing.v1 import AppTest

from linreg_core import Comparison, OptimizerConfig, RunConfig
from linreg_core import run as run_comparison
from linreg_core.i18n import text
from ui import run
from ui import state as S
from ui.presets import get_preset

PAGE = TRAIN_PAGE


@pytest.fixture
def app() -> AppTest:
    run.clear_cache()  # each test trains for itself
    return start_app()


def seed(at: AppTest, csv: str, target: str, features: list[str], **settings: object) -> AppTest:
    """A table and settings in the session (apptest_harness.choose), then the Train page."""
    choose(at, csv, target, features, **settings)
    return at.switch_page(PAGE).run(timeout=TIMEOUT)


def train(at: AppTest) -> AppTest:
    return at.button(key=TRAIN_BUTTON).click().run(timeout=TIMEOUT)


def test_without_data_the_page_points_to_the_data_page(app: AppTest) -> None:
    app.switch_page(PAGE).run(timeout=TIMEOUT)

    assert not app.exception
    assert "Load data" in texts(app.info)
    assert not app.get("vega_lite_chart") and not app.button


def test_the_page_runs_on_its_own_without_the_app() -> None:
    at = AppTest.from_file(str(REPO_ROOT / PAGE), default_timeout=TIMEOUT).run()

    assert not at.exception
    assert "Load data" in texts(at.info)
    assert "Data" in texts(at.markdown)  # the link's fallback names the page


def test_pressing_train_trains_each_chosen_optimizer_and_draws_one_loss_line_each(
    app: AppTest,
) -> None:
    seed(app, "apartments.csv", "price_eok", ["area_m2"])
    assert app.session_state[S.COMPARISON] is None

    train(app)

    assert not app.exception and not app.error
    comp = app.session_state[S.COMPARISON]
    assert [h.label for h in comp.runs] == FOUR
    losses = loss_frame(app)
    assert sorted(losses["optimizer"].unique()) == sorted(FOUR)
    assert set(losses["split"]) == {"train", "test"}
    paths = frame_with(app, "optimizer", "epoch", "x", "y", "rank")  # the landscape
    assert sorted(paths["optimizer"].unique()) == sorted(FOUR)


def test_unticking_an_optimizer_leaves_it_out(app: AppTest) -> None:
    seed(app, "apartments.csv", "price_eok", ["area_m2"])
    app.checkbox(key=S.W_TRAIN_USE.format(name="rmsprop", k=0)).uncheck()
    app.checkbox(key=S.W_TRAIN_USE.format(name="nesterov", k=0)).check()
    app.text_input(key=S.W_TRAIN_PARAM.format(param="lr", name="nesterov", k=0)).input("0.05")

    train(app)

    comp = app.session_state[S.COMPARISON]
    assert [h.label for h in comp.runs] == ["sgd", "momentum", "nesterov", "adam"]
    assert comp.runs[2].optimizer.lr == pytest.approx(0.05)
    losses = loss_frame(app)
    assert set(losses["optimizer"]) == {"sgd", "momentum", "nesterov", "adam"}
    nesterov = app.session_state[S.SETTINGS].optimizers[2]  # what the form left
    assert (nesterov.name, nesterov.lr, nesterov.momentum, nesterov.weight_decay) == (
        "nesterov",
        0.05,
        0.9,
        0.0,
    )
    assert (nesterov.alpha, nesterov.betas, nesterov.eps) == (None, None, None)  # not its own


def test_hyperparameters_typed_in_the_form_reach_the_optimizers(app: AppTest) -> None:
    seed(app, "apartments.csv", "price_eok", ["area_m2", "age_years"])
    app.number_input(key=S.W_TRAIN_PARAM.format(param="beta1", name="adam", k=0)).set_value(0.8)
    app.number_input(key=S.W_TRAIN_PARAM.format(param="momentum", name="momentum", k=0)).set_value(
        0.5
    )
    app.number_input(key=S.W_TRAIN_PARAM.format(param="alpha", name="rmsprop", k=0)).set_value(0.9)

    train(app)

    runs = {h.label: h.optimizer for h in app.session_state[S.COMPARISON].runs}
    assert runs["adam"].betas == pytest.approx((0.8, 0.999))
    assert runs["momentum"].momentum == pytest.approx(0.5)
    assert runs["rmsprop"].alpha == pytest.approx(0.9)


def test_a_diverging_learning_rate_is_explained_and_the_charts_still_draw(app: AppTest) -> None:
    # raw hours (1..3) at lr 10: every step overshoots more than the last
    seed(
        app,
        "hours_money.csv",
        "money",
        ["hours"],
        normalize=False,
        test_size=0.0,
        optimizers=[{"name": "sgd", "lr": 10.0}, {"name": "adam", "lr": 0.1}],
        epochs=100,
    )

    train(app)

    assert not app.exception
    sgd = app.session_state[S.COMPARISON].runs[0]
    assert sgd.diverged_at is not None
    warning = texts(app.warning)
    assert f"sgd diverged at epoch {sgd.diverged_at}" in warning
    hours = pd.read_csv(REPO_ROOT / "sample_data" / "hours_money.csv")[["hours"]].to_numpy(float)
    assert f"Use a learning rate below {stable_limit(hours):.3g}" in warning  # numpy's 2/lmax
    assert len(app.get("vega_lite_chart")) == TRAIN_CHARTS
    losses = loss_frame(app)
    assert set(losses["optimizer"]) == {"sgd", "adam"}
    paths = frame_with(app, "optimizer", "epoch", "x", "y", "rank")  # framed on adam, not sgd
    adam = app.session_state[S.COMPARISON].runs[1]
    assert paths.loc[paths["optimizer"] == "adam", "epoch"].max() == adam.epochs_run
    assert paths["x"].abs().max() < np.abs(sgd.weights).max() / 1000
    marks = frame_with(app, "optimizer", "marker", "size")
    assert "leaves the frame" in set(marks.loc[marks["optimizer"] == "sgd", "marker"])
    assert "sgd leaves the frame at epoch" in texts(app.caption)
    summary = table_with(app, "diverged at epoch").set_index("optimizer")
    assert summary.loc["sgd", "diverged at epoch"] == sgd.diverged_at
    assert pd.isna(summary.loc["adam", "diverged at epoch"])


def test_summary_matches_an_independent_least_squares_and_mse(app: AppTest) -> None:
    features = ["area_m2", "age_years", "station_km"]
    seed(app, "apartments.csv", "price_eok", features, epochs=300)
    train(app)
    comp = app.session_state[S.COMPARISON]
    summary = table_with(app, "train MSE").set_index("optimizer")

    df = pd.read_csv(REPO_ROOT / "sample_data" / "apartments.csv")
    rows = df.iloc[comp.dataset.train_rows]
    X, y = rows[features].to_numpy(float), rows["price_eok"].to_numpy(float)
    w, b = least_squares(X, y)
    best = summary.loc[OPTIMUM]
    got = [best[f"{f} weight"] for f in features] + [best["intercept"]]
    np.testing.assert_allclose(got, [*w, b], rtol=1e-8, atol=1e-10)
    assert best["train MSE"] == pytest.approx(np.mean((X @ w + b - y) ** 2), rel=1e-10)
    for name in FOUR:  # each row's MSE is the MSE of its own original-unit weights
        row = summary.loc[name]
        w = np.array([row[f"{f} weight"] for f in features])
        mse = np.mean((X @ w + row["intercept"] - y) ** 2)
        assert row["train MSE"] == pytest.approx(mse, rel=1e-9)


def test_the_same_settings_twice_come_from_the_cache(app: AppTest) -> None:
    seed(app, "apartments.csv", "price_eok", ["area_m2"])
    first = train(app).session_state[S.COMPARISON]
    assert "from the cache" not in texts(app.caption)

    second = train(app).session_state[S.COMPARISON]

    assert "from the cache" in texts(app.caption)
    assert [h.seconds for h in second.runs] == [h.seconds for h in first.runs]
    np.testing.assert_array_equal(second.runs[0].train_loss, first.runs[0].train_loss)


def test_no_optimizer_chosen_shows_the_error_and_keeps_the_last_result(app: AppTest) -> None:
    seed(app, "apartments.csv", "price_eok", ["area_m2"])
    before = train(app).session_state[S.COMPARISON]
    for name in FOUR:
        app.checkbox(key=S.W_TRAIN_USE.format(name=name, k=0)).uncheck()

    train(app)

    assert not app.exception
    assert "No optimizer chosen" in texts(app.error)
    assert app.session_state[S.COMPARISON] is before
    assert app.get("vega_lite_chart")  # the last result is still drawn


def test_seed_000_reproduces_the_published_numbers_digit_for_digit(app: AppTest) -> None:
    # the tutorial's settings, spelled out: raw hours, every row, SGD at 0.01 from W = b = 0
    seed(
        app,
        "hours_money.csv",
        "money",
        ["hours"],
        normalize=False,
        test_size=0.0,
        optimizers=[{"name": "sgd", "lr": 0.01}],
        epochs=1000,
    )
    app.session_state[S.PUBLISHED] = get_preset("seed000").published  # the printed numbers

    train(app)

    published = table_with(app, "published").set_index("quantity")
    assert list(published["published"]) == ["29.5617", "0.9963", "0.143077"]
    assert list(published["reproduced here"]) == list(published["published"])
    assert published["same digits"].all()
    log = epoch_log(app)
    assert log[-1] == "Epoch 1000/1000 W: 29.5617, b: 0.9963, Cost: 0.143077"


def test_the_epoch_log_shows_the_chosen_run(app: AppTest) -> None:
    seed(app, "hours_money.csv", "money", ["hours"], epochs=50)
    train(app)
    comp = app.session_state[S.COMPARISON]

    app.selectbox(key=S.W_TRAIN_LOG_RUN).set_value("adam").run(timeout=TIMEOUT)

    log = epoch_log(app)
    adam = comp.runs[3]
    assert len(log) == 10 and log[-1].split()[:3] == ["Epoch", "50/50", "W:"]
    assert f"b: {adam.bias[-1]:.4f}, Cost: {adam.train_loss[-1]:.6f}" in log[-1]


def test_long_runs_are_thinned_for_the_charts_but_keep_the_last_epoch(app: AppTest) -> None:
    seed(app, "hours_money.csv", "money", ["hours"], epochs=2000, test_size=0.0)
    train(app)

    losses = loss_frame(app)
    per_run = losses.groupby("optimizer")["epoch"].agg(["count", "min", "max"])
    assert (per_run["count"] <= 500).all() and (per_run["min"] == 1).all()
    for h in app.session_state[S.COMPARISON].runs:  # the log axis leaves out a loss of exactly 0
        last = np.flatnonzero(h.train_loss > 0)[-1] + 1
        assert last - 2000 / 499 <= per_run.loc[h.label, "max"] <= last
    assert per_run.loc["sgd", "max"] == 2000
    params = frame_with(app, "optimizer", "epoch", "param", "value")
    assert params.groupby(["optimizer", "param"]).size().max() <= 500


def test_the_landscape_draws_the_two_parameters_picked_with_the_others_held(app: AppTest) -> None:
    seed(app, "apartments.csv", "price_eok", ["area_m2", "age_years", "station_km"])
    train(app)
    app.selectbox(key=S.W_TRAIN_LAND_X).set_value("W2 (age_years)").run(timeout=TIMEOUT)
    app.selectbox(key=S.W_TRAIN_LAND_Y).set_value("W3 (station_km)").run(timeout=TIMEOUT)

    assert not app.exception and not app.error
    comp = app.session_state[S.COMPARISON]
    w1, b = comp.ols.weights[0], comp.ols.bias
    assert f"(W1 = {w1:.4g}, b = {b:.4g})" in texts(app.caption)
    paths = frame_with(app, "optimizer", "epoch", "x", "y", "rank")
    sgd = paths[(paths["optimizer"] == "sgd") & (paths["epoch"] == 5)]
    np.testing.assert_allclose(sgd[["x", "y"]].to_numpy()[0], comp.runs[0].weights[5, 1:3])

    app.selectbox(key=S.W_TRAIN_LAND_Y).set_value("W2 (age_years)").run(timeout=TIMEOUT)
    assert "Pick two different parameters" in texts(app.info)


def test_several_features_draw_the_line_of_the_chosen_feature(app: AppTest) -> None:
    seed(app, "apartments.csv", "price_eok", ["area_m2", "age_years"])
    train(app)
    assert "held at the least-squares optimum (W2 = " in texts(app.caption)  # W1 and b drawn

    app.selectbox(key=S.W_TRAIN_FIT_FEATURE).set_value("age_years").run(timeout=TIMEOUT)

    comp = app.session_state[S.COMPARISON]
    lines = next(f for f in chart_frames(app) if set(f.columns) == {"optimizer", "x", "y"})
    sgd = lines[lines["optimizer"] == "sgd"]
    X = comp.dataset.X_train  # z-scored for training with these rows' mean and std
    w, b = zscored_to_original(comp.runs[0].final_weights, comp.runs[0].final_bias, X)
    area_mean = X[:, 0].mean()
    np.testing.assert_allclose(sgd["y"], w[0] * area_mean + w[1] * sgd["x"] + b, rtol=1e-9)
    ages = np.concatenate([X[:, 1], comp.dataset.X_test[:, 1]])  # every point drawn
    assert sgd["x"].tolist() == [ages.min(), ages.max()]  # the line spans the points
    ols = lines[lines["optimizer"] == OPTIMUM]
    w_ols, b_ols = least_squares(X, comp.dataset.y_train)
    np.testing.assert_allclose(
        ols["y"], w_ols[0] * area_mean + w_ols[1] * ols["x"] + b_ols, rtol=1e-9
    )
    assert json.dumps(sorted(lines["optimizer"].unique())) == json.dumps(sorted(FOUR))


def test_a_run_that_ends_above_its_start_is_called_out(app: AppTest) -> None:
    # lr 0.2 is just past SGD's stable step on seed 000's raw table: the loss grows every
    # epoch but stays far inside float32 for 20 epochs, so it is not a divergence
    two = [{"name": "sgd", "lr": 0.2}, {"name": "momentum", "lr": 0.01}]
    seed(
        app,
        "hours_money.csv",
        "money",
        ["hours"],
        normalize=False,
        test_size=0.0,
        optimizers=two,
        epochs=20,
    )
    app = train(app)
    assert not app.exception
    uphill, downhill = app.session_state[S.COMPARISON].runs
    assert uphill.diverged_at is None and uphill.train_loss[-1] > uphill.train_loss[0]
    assert downhill.train_loss[-1] < downhill.train_loss[0]
    warned = texts(app.warning)
    assert "sgd ended with a larger loss" in warned
    assert "momentum" not in warned


def test_the_sidebar_is_drawn_on_a_page_that_stops_early(app: AppTest) -> None:
    app.switch_page(PAGE).run(timeout=TIMEOUT)  # no data: the page calls st.stop()
    assert not app.exception
    assert "No data loaded yet" in texts(app.sidebar.caption)


def wide_settings(df: pd.DataFrame, n_features: int, epochs: int = 1000) -> RunConfig:
    """The dashboard's settings (z-scored, 20% held out, four optimizers at lr 0.1) on the
    first n_features columns of df."""
    return RunConfig(
        target="y",
        features=tuple(df.columns[:n_features]),
        normalize=True,
        test_size=0.2,
        epochs=epochs,
        optimizers=tuple(OptimizerConfig(n, lr=0.1) for n in FOUR),
    )


@pytest.fixture(scope="module")
def at_the_limit() -> tuple[pd.DataFrame, Comparison]:
    """A table with as many features as a model may have (100), trained as the page would."""
    df = wide_table(100)
    return df, run_comparison(df, wide_settings(df, 100))


def show(at: AppTest, df: pd.DataFrame, comp: Comparison) -> AppTest:
    """The Train page of a session that has trained comp on df."""
    at.session_state[S.DATA], at.session_state[S.DATA_NAME] = df, "wide.csv"
    at.session_state[S.SETTINGS], at.session_state[S.COMPARISON] = comp.config, comp
    return at.switch_page(PAGE).run(timeout=TIMEOUT)


def test_more_features_than_the_limit_are_refused_with_the_limit_and_nothing_trains(
    app: AppTest,
) -> None:
    df = wide_table(101)
    app.session_state[S.DATA], app.session_state[S.DATA_NAME] = df, "wide.csv"
    app.session_state[S.SETTINGS] = wide_settings(df, 101, epochs=20)
    app.switch_page(PAGE).run(timeout=TIMEOUT)

    train(app)

    assert not app.exception
    error = texts(app.error)
    assert "101 features are chosen" in error and "at most 100 features" in error, error
    assert app.session_state[S.COMPARISON] is None


@pytest.mark.filterwarnings("error::pandas.errors.PerformanceWarning")
def test_at_the_feature_limit_the_page_draws_without_pandas_performance_warnings(
    app: AppTest, at_the_limit: tuple[pd.DataFrame, Comparison]
) -> None:
    # a frame built by 200 single-column inserts warns, and the warning is now an error
    show(app, *at_the_limit)

    assert not app.exception
    summary = table_with(app, "train MSE")
    weights = [c for c in summary.columns if c.endswith(" weight")]
    assert weights == [f"x{i} weight" for i in range(1, 101)]
    assert sum(c.endswith(" (z)") for c in summary.columns) == 101  # W1..W100 and b


def test_the_parameters_chart_draws_the_largest_parameters_and_says_which(
    app: AppTest, at_the_limit: tuple[pd.DataFrame, Comparison]
) -> None:
    show(app, *at_the_limit)
    comp = app.session_state[S.COMPARISON]

    assert not app.exception
    drawn = set(frame_with(app, "optimizer", "epoch", "param", "value")["param"])
    # numpy's least squares on the training rows z-scored with their own mean and (ddof=0) std
    X = comp.dataset.X_train
    w, _ = least_squares((X - X.mean(axis=0)) / X.std(axis=0), comp.dataset.y_train)
    largest = np.argsort(-np.abs(w))[:11]
    assert drawn == {f"W{i + 1}" for i in largest} | {"b"}
    caption = texts(app.caption)
    assert "12 of the 101 parameters" in caption, caption
    assert f"W{largest[0] + 1} (x{largest[0] + 1})" in caption  # which feature a weight is
    for chart in app.get("vega_lite_chart"):  # the browser gets each chart in one message
        assert chart.proto.ByteSize() < 2 * 2**20


def test_a_run_too_long_to_share_is_refused_with_its_estimate_and_the_last_result_stays(
    app: AppTest,
) -> None:
    seed(app, "apartments.csv", "price_eok", ["area_m2"], epochs=50)
    before = train(app).session_state[S.COMPARISON]
    assert before is not None

    app.number_input(key=S.W_TRAIN_BATCH).set_value(1)
    app.number_input(key=S.W_TRAIN_EPOCHS).set_value(100_000)
    train(app)

    assert not app.exception
    error = texts(app.error)
    # 4 optimizers x 100,000 epochs x 640 batches of one row: days, against a 10 min limit
    assert "This run would take about" in error and "the limit is 10 min" in error
    assert "4 optimizers x 100,000 epochs x 640 batches of 1 rows" in error
    assert "Use fewer epochs, a larger batch" in error
    assert app.session_state[S.COMPARISON] is before  # nothing trained, nothing lost


def stable_limit(X: np.ndarray, momentum: float = 0.0) -> float:
    """numpy's largest stable full-batch lr for heavy-ball momentum (0: plain gradient descent):
    (2 + 2 mu) / lambda_max of the MSE's Hessian (2/m) A^T A, A = [X, 1]."""
    A = np.column_stack([X, np.ones(len(X))])
    return (2 + 2 * momentum) / float(np.linalg.eigvalsh(2 * A.T @ A / len(A))[-1])


def test_a_learning_rate_above_its_stable_limit_is_flagged_with_the_limit_before_training(
    app: AppTest,
) -> None:
    optimizers = [{"name": "sgd", "lr": 10.0}, {"name": "momentum", "lr": 0.01}]
    seed(app, "hours_money.csv", "money", ["hours"], normalize=False, test_size=0.0,
         optimizers=optimizers, epochs=50)  # fmt: skip
    hours = pd.read_csv(REPO_ROOT / "sample_data" / "hours_money.csv")[["hours"]].to_numpy(float)
    sgd, momentum = stable_limit(hours), stable_limit(hours, 0.9)

    assert app.session_state[S.COMPARISON] is None  # nothing trained yet
    notes = texts(app.markdown)
    assert f"lr 10 is above the stable limit {sgd:.3g}" in notes
    assert f"({10 / sgd:.3g}× it) on these raw features" in notes
    assert f"Stable up to lr {momentum:.3g} on these raw features" in notes

    train(app)  # allowed: the learner may watch it diverge

    runs = app.session_state[S.COMPARISON].runs
    assert runs[0].diverged_at is not None and runs[1].diverged_at is None


# -- in Korean ----------------------------------------------------------------------------------
ENGLISH_WORDS = re.compile(r"\b(the|and|of|to|is|are|with|for|your|this|on|in)\b", re.IGNORECASE)
CODE = re.compile(r"```.*?```|`[^`]*`", re.DOTALL)  # code: the epoch log, commands, file names
# Sentences other helpers' modules draw on these pages, left to them (each pattern with its
# owner); once they speak Korean these never match. Sections of the page drawn wholly by another
# module are skipped by their place instead (OTHER_SECTIONS).
OTHERS = {
    "ui/lesson.py LR_HELP": r"^Any number from",
    "ui/lesson.py limit_note": r"Stable up to lr",
    "ui/lesson.py advice": r"ended far from the optimum|within 1% of the least-squares",
    "ui/messages.py loss_caption": r"^MSE in the space the model trains in",
    "ui/messages.py landscape_caption": r"^The training MSE over",
    "ui/messages.py summary_caption": r"^MSE and R² in the target's own units",
    "ui/messages.py params_caption": r"^The largest",
}
# (owner, the heading that opens it, the heading of the next section of this page)
OTHER_SECTIONS = [("ui/watch.py", "train.watch_title", "sweep.title")]


def _strings(node: object, out: list[str]) -> list[str]:
    """Every text an AppTest element tree shows, in page order: bodies, labels, helps."""
    proto = getattr(node, "proto", None)
    for field in ("body", "label", "help", "placeholder"):
        value = getattr(proto, field, None) if proto is not None else None
        if isinstance(value, str) and value:
            out.append(value)
    for child in getattr(node, "children", {}).values():
        _strings(child, out)
    return out


def english_sentences(at: AppTest, after: str | None = None) -> list[str]:
    """The page's texts (main area; up to the heading `after` opens the downloads, if given)
    that read as English: two or more common English function words outside code, skipping
    other helpers' sentences (OTHERS) and sections (OTHER_SECTIONS)."""
    from linreg_core import OPTIMIZERS
    from linreg_core.i18n import text

    found = [shown(s) for s in _strings(at.main, [])]
    for _, opens, closes in OTHER_SECTIONS:
        start, end = text(opens, "ko"), text(closes, "ko")
        if start in found and end in found:
            found = found[: found.index(start) + 1] + found[found.index(end) :]
    if after is not None and after in found:
        found = found[: found.index(after) + 1]
    summaries = {str(spec.summary) for spec in OPTIMIZERS.values()}  # linreg_core/registry.py
    return [
        s
        for s in found
        if len(ENGLISH_WORDS.findall(CODE.sub("", s))) >= 2
        and s not in summaries
        and not any(re.search(p, s) for p in OTHERS.values())
    ]


def test_in_korean_the_trained_page_its_form_history_and_sweep_speak_korean() -> None:
    run.clear_cache()
    at = start_app(locale="ko-KR")
    seed(at, "apartments.csv", "price_eok", ["area_m2", "age_years"], epochs=100)
    train(at)

    assert not at.exception
    assert at.title[0].value == "학습과 비교"
    heads = texts(at.subheader)
    for head in (
        "에포크별 손실",
        "손실 지형",
        "데이터와 학습된 직선",
        "요약",
        "이전 실행",
        "학습 로그",
    ):
        assert head in heads
    assert at.button(key=TRAIN_BUTTON).label == "학습"
    assert at.number_input(key=S.W_TRAIN_EPOCHS).label == "에포크 수"
    assert at.checkbox(key=S.W_TRAIN_BIAS).label.startswith("편향도 학습하기")
    assert at.selectbox(key=S.W_TRAIN_FIT_FEATURE).label == "x축에 놓을 특성"
    captions = texts(at.caption)
    assert "다른 특성은 훈련 데이터의 평균으로 고정했기" in captions
    assert "튜토리얼이 출력하는 형식 그대로입니다" in captions
    assert "이전 실행" in heads and "최근 10번의 실행" in captions  # the run history
    entry = at.text_input(key=S.W_TRAIN_RUN_NAME.format(number=at.session_state[S.CURRENT_NUMBER]))
    assert entry.value.startswith("z-점수 · sgd lr 0.1") and entry.value.endswith("100에포크")

    at.slider(key=S.W_SWEEP_POINTS).set_value(3)
    at.button(key=S.W_SWEEP_RUN).click().run(timeout=TIMEOUT)
    assert not at.exception and not at.error
    assert "학습률 탐색" in texts(at.subheader)
    assert "**가장 좋은 학습률**:" in texts(at.markdown)
    assert at.button(key=S.W_SWEEP_RUN).label == "탐색 실행"

    downloads = text("train.log_caption", "ko", space=text("train.space_zscored", "ko"))
    left = english_sentences(at, after=shown(downloads))  # ui/downloads.py's below: theirs
    assert left == [], left
    experiment = [b.proto for b in at.get("download_button") if "실험 파일" in b.proto.label]
    assert experiment and "데이터 페이지에서 이 파일을 열면" in experiment[0].help
