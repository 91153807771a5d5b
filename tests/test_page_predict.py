"""Predict page: metrics on held-out rows, typed-in values, a new file, and the downloads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from apptest_harness import (
    FOUR,
    OPTIMUM,
    PREDICT_PAGE,
    REPO_ROOT,
    TIMEOUT,
    chart_frames,
    choose,
    frame_with,
    least_squares,
    shown,
    start_app,
    table_with,
    texts,
    wide_table,
    zscored_to_original,
)
from streamlit.testing.v1 import AppTest

from linreg_core import Comparison, OptimizerConfig, RunConfig, run
from ui import files
from ui import state as S

PAGE = PREDICT_PAGE
FEATURES = ["area_m2", "age_years", "station_km"]


@pytest.fixture
def app() -> AppTest:
    return start_app()


def trained(
    at: AppTest,
    csv: str = "apartments.csv",
    target: str = "price_eok",
    features: list[str] | None = None,
    **settings: object,
) -> AppTest:
    """A session whose Train page has run (apptest_harness.choose, then the comparison), on the
    Predict page; by default the apartments with four optimizers for 150 epochs."""
    settings.setdefault("epochs", 150)
    df, cfg = choose(at, csv, target, features or FEATURES, **settings)
    at.session_state[S.COMPARISON] = run(df, cfg)
    return at.switch_page(PAGE).run(timeout=TIMEOUT)


def model(comp: Comparison, label: str) -> tuple[np.ndarray, float]:
    """A model's weights and intercept in the data's own units, worked out with numpy: the run's
    z-scored weights converted back, or numpy's least squares on the raw training rows."""
    ds = comp.dataset
    if label == OPTIMUM:
        return least_squares(ds.X_train, ds.y_train)
    h = next(h for h in comp.runs if h.label == label)
    if not comp.config.normalize:
        return h.final_weights.astype(float), float(h.final_bias or 0.0)
    return zscored_to_original(h.final_weights, h.final_bias, ds.X_train)


def numpy_metrics(y: np.ndarray, pred: np.ndarray) -> list[float]:
    err = pred - y
    mse = float(np.mean(err**2))
    r2 = 1 - np.sum(err**2) / np.sum((y - y.mean()) ** 2)
    return [mse, np.sqrt(mse), float(np.mean(np.abs(err))), r2]


def test_without_a_comparison_the_page_points_to_training(app: AppTest) -> None:
    app.switch_page(PAGE).run(timeout=TIMEOUT)

    assert not app.exception
    assert "Train the models first" in texts(app.info)
    assert not app.dataframe and not app.get("vega_lite_chart")


def test_the_page_runs_on_its_own_without_the_app() -> None:
    at = AppTest.from_file(str(REPO_ROOT / PAGE), default_timeout=TIMEOUT).run()

    assert not at.exception and "Train the models first" in texts(at.info)


def test_held_out_metrics_are_numpys_metrics_of_each_models_predictions(app: AppTest) -> None:
    trained(app)
    assert not app.exception and not app.error
    comp = app.session_state[S.COMPARISON]
    ds = comp.dataset
    table = table_with(app, "RMSE").set_index("optimizer")

    assert list(table.index) == [*FOUR, OPTIMUM]
    for label in [*FOUR, OPTIMUM]:
        w, b = model(comp, label)
        expected = numpy_metrics(ds.y_test, ds.X_test @ w + b)
        got = table.loc[label, ["MSE", "RMSE", "MAE", "R²"]]
        np.testing.assert_allclose(got.to_numpy(float), expected, rtol=1e-9)
    assert "No rows were held out" not in texts(app.info)


def test_the_charts_show_every_optimizer_on_the_held_out_rows(app: AppTest) -> None:
    trained(app)
    comp = app.session_state[S.COMPARISON]
    ds = comp.dataset

    preds = frame_with(app, "actual", "predicted", "error")
    assert set(preds["optimizer"]) == set(FOUR)
    assert len(preds) == len(FOUR) * len(ds.y_test)
    adam = preds[preds["optimizer"] == "adam"]
    np.testing.assert_allclose(np.sort(adam["actual"]), np.sort(ds.y_test))
    w, b = model(comp, "adam")
    np.testing.assert_allclose(np.sort(adam["predicted"]), np.sort(ds.X_test @ w + b), rtol=1e-9)
    residuals = frame_with(app, "start", "end", "count")
    assert residuals.groupby("optimizer")["count"].sum().to_dict() == {
        h: len(comp.dataset.y_test) for h in FOUR
    }


def test_without_held_out_rows_it_says_so_and_shows_training_metrics(app: AppTest) -> None:
    trained(app, test_size=0.0)
    comp = app.session_state[S.COMPARISON]

    assert "No rows were held out" in texts(app.info)
    table = table_with(app, "RMSE").set_index("optimizer")
    ds = comp.dataset
    w, b = least_squares(ds.X_train, ds.y_train)
    expected = numpy_metrics(ds.y_train, ds.X_train @ w + b)
    got = table.loc[OPTIMUM, ["MSE", "RMSE", "MAE", "R²"]].to_numpy(float)
    np.testing.assert_allclose(got, expected, rtol=1e-9)
    assert len(ds.y_test) == 0 and f"{len(ds.y_train):,} rows" in texts(app.caption)


def test_a_typed_in_row_is_predicted_with_each_models_original_unit_weights(
    app: AppTest,
) -> None:
    trained(app)
    x = {"area_m2": 84.5, "age_years": 12.0, "station_km": 0.4}
    for feature, value in x.items():
        app.number_input(key=S.W_PREDICT_X.format(feature=feature)).set_value(value)
    app.run(timeout=TIMEOUT)

    comp = app.session_state[S.COMPARISON]
    table = table_with(app, "prediction").set_index("optimizer")
    row = np.array([x[f] for f in FEATURES])
    assert list(table.index) == [*FOUR, OPTIMUM]
    for label in [*FOUR, OPTIMUM]:
        w, b = model(comp, label)  # W / std and b - sum(W mean / std), in the data's units
        assert table.loc[label, "prediction"] == pytest.approx(float(row @ w + b), rel=1e-9)
    assert "TRAINING rows' mean and std" in texts(app.caption)


def test_a_new_file_gets_every_models_prediction_and_keeps_its_own_columns(
    app: AppTest,
) -> None:
    trained(app)
    csv = b"district,area_m2,age_years,station_km\n=cmd,60,3,1.2\nB,100,,0.5\n"

    app.file_uploader(key=S.W_PREDICT_UPLOAD).set_value(("new.csv", csv, "text/csv"))
    app.run(timeout=TIMEOUT)

    assert not app.exception and not app.error
    comp = app.session_state[S.COMPARISON]
    table = table_with(app, "predicted price_eok (sgd)")
    assert list(table["district"]) == ["=cmd", "B"]  # shown as is; the CSV download defuses it
    w, b = model(comp, "sgd")
    assert table.loc[0, "predicted price_eok (sgd)"] == pytest.approx(
        60 * w[0] + 3 * w[1] + 1.2 * w[2] + b, rel=1e-9
    )
    w, b = model(comp, OPTIMUM)
    assert table.loc[0, "predicted price_eok (least squares)"] == pytest.approx(
        60 * w[0] + 3 * w[1] + 1.2 * w[2] + b, rel=1e-9
    )
    assert np.isnan(table.loc[1, "predicted price_eok (least squares)"])  # age is missing
    labels = [shown(b.label) for b in app.get("download_button")]
    assert "Predictions for new.csv (CSV)" in labels


def test_a_long_new_file_shows_its_first_thousand_rows_and_says_so(app: AppTest) -> None:
    trained(app)
    rng = np.random.default_rng(2)
    rows = pd.DataFrame(rng.uniform(1, 100, size=(1_500, 3)), columns=FEATURES)

    app.file_uploader(key=S.W_PREDICT_UPLOAD).set_value(
        ("long.csv", rows.to_csv(index=False).encode(), "text/csv")
    )
    app.run(timeout=TIMEOUT)

    assert not app.exception and not app.error
    table = table_with(app, "predicted price_eok (sgd)")
    assert len(table) == 1_000
    np.testing.assert_allclose(table["area_m2"], rows["area_m2"].head(1_000))
    assert "The first 1,000 of 1,500 rows" in texts(app.caption)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("new.csv", b"area_m2,age_years\n60,3\n", "lacks the feature column(s) ['station_km']"),
        ("new.csv", b"area_m2,age_years,station_km\n60,old,1\n", "'age_years' is not numeric"),
        ("new.csv", b"\x89PNG\r\n\x1a\n0000", "PNG image"),
        ("new.csv", b"\r\x01", "new.csv"),  # the reader fails on it; the page still explains
    ],
)
def test_a_bad_new_file_shows_the_problem_and_keeps_the_results(
    app: AppTest, name: str, content: bytes, message: str
) -> None:
    trained(app)
    before = app.session_state[S.COMPARISON]

    app.file_uploader(key=S.W_PREDICT_UPLOAD).set_value((name, content, "text/csv"))
    app.run(timeout=TIMEOUT)

    assert not app.exception
    assert message in texts(app.error)
    assert app.session_state[S.COMPARISON] is before
    assert "RMSE" in table_with(app, "RMSE").columns  # the held-out results are still shown
    assert app.get("download_button")[0].label == "Predictions (CSV)"


def test_the_model_to_save_can_be_any_optimizer_or_least_squares(app: AppTest) -> None:
    trained(app)

    app.selectbox(key=S.W_PREDICT_MODEL).set_value(OPTIMUM).run(timeout=TIMEOUT)

    assert not app.exception
    assert "least squares model (JSON)" in [b.label for b in app.get("download_button")]


def test_a_diverged_model_is_in_the_table_but_left_out_of_the_charts(app: AppTest) -> None:
    trained(
        app,
        "hours_money.csv",
        "money",
        ["hours"],
        normalize=False,
        test_size=0.0,
        optimizers=[{"name": "sgd", "lr": 10.0}, {"name": "adam", "lr": 0.1}],
        epochs=100,
    )

    assert not app.exception
    assert app.session_state[S.COMPARISON].runs[0].diverged_at is not None
    assert list(table_with(app, "RMSE")["optimizer"]) == ["sgd", "adam", OPTIMUM]
    assert "as they diverged: sgd" in texts(app.caption)
    drawn = {label for frame in chart_frames(app) for label in frame.get("optimizer", [])}
    assert drawn == {"adam"}


@pytest.mark.parametrize(("n_features", "inputs"), [(12, 12), (13, 0)])
def test_values_are_typed_in_for_a_dozen_features_and_come_from_a_file_beyond(
    app: AppTest, n_features: int, inputs: int
) -> None:
    df = wide_table(n_features, rows=120)
    cfg = RunConfig(
        target="y",
        features=tuple(df.columns[:n_features]),
        normalize=True,
        test_size=0.2,
        epochs=30,
        optimizers=(OptimizerConfig("adam", lr=0.1),),
    )
    app.session_state[S.DATA], app.session_state[S.SETTINGS] = df, cfg
    app.session_state[S.COMPARISON] = run(df, cfg)

    app.switch_page(PAGE).run(timeout=TIMEOUT)

    assert not app.exception
    typed = [n for n in app.number_input if n.key.startswith(S.W_PREDICT_X.format(feature=""))]
    assert len(typed) == inputs
    if not inputs:  # the page says where to put a row instead
        assert f"{n_features} features" in texts(app.caption)
        assert "A new file" in texts(app.caption)
        assert app.file_uploader(key=S.W_PREDICT_UPLOAD)


def test_the_predictions_csv_is_built_when_clicked_not_on_every_run(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    write = files.safe_csv
    monkeypatch.setattr(files, "safe_csv", lambda df: built.append(len(df)) or write(df))
    trained(app)
    app.run(timeout=TIMEOUT)  # a rerun, as any click elsewhere on the page makes

    assert not app.exception
    button = next(b for b in app.get("download_button") if b.label == "Predictions (CSV)")
    assert built == []  # no CSV yet: a 1.5 million-row table made 100 MB on every rerun
    assert button.proto.deferred_file_id and not button.proto.url  # made on the click


def test_in_korean_the_page_speaks_korean_and_no_english_sentence_is_left() -> None:
    from test_page_train import english_sentences  # the same check as on Train

    at = start_app(locale="ko-KR")
    trained(at, test_size=0.0)

    assert not at.exception
    assert at.title[0].value == "예측"
    heads = texts(at.subheader)
    for head in ("테스트 데이터에서", "값을 직접 입력해서 예측", "새 파일", "내려받기"):
        assert head in heads
    assert "테스트 데이터로 떼어 둔 행이 없어서" in texts(at.info)  # test size 0
    assert "개 행입니다" in texts(at.caption)
    assert "z-점수 정규화됩니다" in texts(at.caption)  # typed values, normalised
    assert at.selectbox(key=S.W_PREDICT_MODEL).label == "저장할 모델"
    labels = [b.proto.label for b in at.get("download_button")]
    assert "예측값 (CSV)" in labels and any(label.endswith("모델 (JSON)") for label in labels)
    assert "열이 있는 표" in at.get("file_uploader")[0].proto.label
    left = english_sentences(at)
    assert left == [], left
    at.selectbox(key=S.W_PREDICT_MODEL).set_value(OPTIMUM).run(timeout=TIMEOUT)
    assert "최소제곱해 모델 (JSON)" in [b.proto.label for b in at.get("download_button")]


def test_in_korean_a_big_file_says_how_many_rows_it_shows() -> None:
    at = start_app(locale="ko-KR")
    trained(at)
    big = pd.DataFrame({f: np.linspace(1, 9, 1_500) for f in FEATURES})
    at.file_uploader(key=S.W_PREDICT_UPLOAD).set_value(
        ("big.csv", big.to_csv(index=False).encode(), "text/csv")
    )
    at.run(timeout=TIMEOUT)

    assert not at.exception
    assert "전체 1,500개 행 중 처음 1,000개입니다" in texts(at.caption)
    assert any("big.csv의 예측값" in shown(b.proto.label) for b in at.get("download_button"))
