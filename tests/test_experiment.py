"""Experiment files: a table, its settings and results in one JSON file that opens again on the
Data page and trains the same run; every malformed, oversized, wrong-typed or formula-laden file
is refused whole with a message, and the session keeps what it had."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from apptest_harness import (
    APP,
    DATA_PAGE,
    SAMPLE_DATA,
    TIMEOUT,
    TRAIN_PAGE,
    start_app,
    table_with,
    texts,
)
from streamlit.testing.v1 import AppTest

from linreg_core import OptimizerConfig, RunConfig
from ui import experiment
from ui import state as S

SCORES = pd.DataFrame(
    {"hours": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "score": [12.0, 19.0, 33.0, 41.0, 48.0, 61.0]}
)
CFG = RunConfig(
    target="score",
    features=("hours",),
    normalize=True,
    test_size=0.0,
    epochs=120,
    optimizers=(OptimizerConfig("sgd", lr=0.1), OptimizerConfig("adam", lr=0.2)),
)


def _file(**changes) -> bytes:
    body = json.loads(experiment.dumps(SCORES, "scores.csv", CFG, None))
    body.update(changes)
    return json.dumps(body).encode()


def test_an_experiment_file_reads_back_its_table_and_settings():
    data = experiment.dumps(SCORES, "scores.csv", CFG, None)
    body = json.loads(data)
    assert body["format"] == "LinReg Lab experiment" and body["version"] == 1
    assert body["table"]["rows"][2] == [3.0, 33.0]
    assert body["settings"]["optimizers"] == ["sgd:lr=0.1", "adam:lr=0.2"]
    got = experiment.loads(data)
    assert got.name == "scores.csv"
    assert got.settings == CFG
    np.testing.assert_array_equal(got.table.to_numpy(), SCORES.to_numpy())
    assert list(got.table.columns) == ["hours", "score"]


def test_text_and_missing_cells_survive_the_round_trip():
    df = pd.DataFrame({"town": ["Seoul", None, "Busan"], "x": [1.0, np.nan, 3.0], "y": [2, 4, 6]})
    cfg = RunConfig(target="y", features=("x",))
    got = experiment.loads(experiment.dumps(df, "t.csv", cfg, None))
    assert got.table["town"].isna().tolist() == [False, True, False]
    assert got.table["town"].iloc[[0, 2]].tolist() == ["Seoul", "Busan"]
    assert got.table["x"].isna().tolist() == [False, True, False]
    assert got.table["y"].tolist() == [2, 4, 6]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b" " * (50 * 1024 * 1024 + 1), "larger than the upload limit (up to 50 MB)"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"format": "LinReg Lab experiment", ', "not valid JSON"),
        (b"[1, 2]", "not a LinReg Lab experiment file"),
        (b'{"format": "something else"}', "not a LinReg Lab experiment file"),
        (_file(version=2), "version 2 is not 1"),
        (_file(extra=1), "keys this app does not know: extra"),
        (_file(table={"name": "t", "columns": ["a"], "rows": [[1]]}), "2 to 1,000 different"),
        (
            _file(table={"name": "t", "columns": ["hours", "score"], "rows": [[1, 2, 3]]}),
            "row 1 does not have 2 cells",
        ),
        (
            _file(table={"name": "t", "columns": ["hours", "score"], "rows": [[1, {"a": 1}]]}),
            "a cell is a number or text",
        ),
        (
            _file(table={"name": "t", "columns": ["hours", "score"], "rows": [[True, 2]]}),
            "a cell is a number or text",
        ),
        (
            _file(
                table={
                    "name": "t",
                    "columns": ["hours", "score"],
                    "rows": [[1, '=HYPERLINK("http://x")']],
                }
            ),
            "reads as a formula",
        ),
        (
            b'{"format": "LinReg Lab experiment", "version": 1, "table": {"name": "t", '
            b'"columns": ["hours", "score"], "rows": [[1, NaN]]}, "settings": {}}',
            "NaN, which JSON does not allow",
        ),
        (_file(settings={"epochs": "many", "target": "score"}), "epochs='many'"),
        (_file(settings={"epochs": 5}), "must map each setting to text"),
        (_file(settings={"target": "price"}), "columns the table does not have"),
        (_file(settings={"target": "score", "sample": "hours_money.csv"}), "names a table"),
        (_file(results="good"), "must be a list of rows"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_a_bad_file_is_refused_with_its_problem_named(data, problem):
    with pytest.raises(experiment.ExperimentError) as info:
        experiment.loads(data)
    assert problem in str(info.value)
    assert str(info.value).startswith("This experiment file cannot be opened")


# -- in the app ---------------------------------------------------------------------------------


def _train_page_with(at: AppTest) -> pd.DataFrame:
    at.switch_page(TRAIN_PAGE).run(timeout=TIMEOUT)
    assert not at.exception
    return table_with(at, "train MSE")


def test_a_downloaded_experiment_opens_on_data_and_trains_the_same_numbers():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(
        {
            "sample": "hours_money.csv",
            "target": "money",
            "features": "hours",
            "normalize": "false",
            "test_size": "0",
            "epochs": "60",
            "optimizers": ["sgd:lr=0.01", "momentum:lr=0.005"],
        }
    )
    at.run(timeout=TIMEOUT)
    before = _train_page_with(at)
    button = at.get("download_button")
    assert any("Experiment file" in str(b.proto.label) for b in button)
    comp = at.session_state[S.COMPARISON]
    data = experiment.dumps(at.session_state[S.DATA], "hours_money.csv", comp.config, comp)
    results = json.loads(data)["results"]
    assert [r["optimizer"] for r in results] == ["sgd", "momentum", "least squares"]

    fresh = start_app()
    fresh.switch_page(DATA_PAGE).run(timeout=TIMEOUT)
    fresh.get("file_uploader")[-1].set_value(("hours_money_experiment.json", data, "x")).run(
        timeout=TIMEOUT
    )
    assert not fresh.exception
    assert "Opened the experiment file: hours_money.csv" in texts(fresh.info)
    after = _train_page_with(fresh)
    cols = ["optimizer", "train MSE", "train R²"]
    pd.testing.assert_frame_equal(after[cols], before[cols])
    file_mse = [r["train MSE"] for r in results]
    assert after["train MSE"].tolist() == pytest.approx(file_mse, rel=1e-12)
    df = pd.read_csv(SAMPLE_DATA / "hours_money.csv")
    slope, intercept = np.polyfit(df["hours"], df["money"], 1)
    ols_mse = np.mean((slope * df["hours"] + intercept - df["money"]) ** 2)
    assert after["train MSE"].iloc[-1] == pytest.approx(ols_mse, rel=1e-9)


def test_a_bad_experiment_file_changes_nothing():
    at = start_app()
    at.switch_page(DATA_PAGE).run(timeout=TIMEOUT)
    at.get("button")  # the Data page is drawn
    at.selectbox(key=S.W_SAMPLE).set_value("hours_money.csv").run(timeout=TIMEOUT)
    at.button(key=S.W_LOAD_SAMPLE).click().run(timeout=TIMEOUT)
    settings = at.session_state[S.SETTINGS]
    bad = _file(table={"name": "t", "columns": ["hours", "score"], "rows": [[1, "=1+1"]]})
    at.get("file_uploader")[-1].set_value(("bad.json", bad, "x")).run(timeout=TIMEOUT)
    assert not at.exception
    assert "'=1+1', which reads as a formula" in texts(at.error)
    assert "The current table and settings stay." in texts(at.error)
    assert at.session_state[S.DATA_NAME] == "hours_money.csv"
    assert at.session_state[S.SETTINGS] == settings


def test_in_korean_the_note_and_a_refusal_are_korean_and_the_files_keys_stay_english():
    body = json.loads(experiment.dumps(SCORES, "scores.csv", CFG, None, "ko"))
    assert set(body) == experiment.KEYS and body["format"] == "LinReg Lab experiment"
    assert "데이터 페이지에서 이 파일을 열면" in body["note"]
    assert "Open this file" in json.loads(_file())["note"]  # English by default

    with pytest.raises(experiment.ExperimentError) as info:
        experiment.loads(_file(settings={"target": "score", "epochs": "lots"}))
    said = info.value.in_language("ko")
    assert said.startswith("이 실험 파일을 열 수 없습니다: ")
    assert "epochs='lots'는 쓰지 않았습니다" in said and "정수" in said
    assert str(info.value).startswith("This experiment file cannot be opened: the link's epochs")


def test_in_korean_a_bad_file_is_refused_in_korean():
    at = start_app(locale="ko-KR")
    at.switch_page(DATA_PAGE).run(timeout=TIMEOUT)
    bad = _file(table={"name": "t", "columns": ["hours", "score"], "rows": [[1, "=1+1"]]})
    at.get("file_uploader")[-1].set_value(("bad.json", bad, "x")).run(timeout=TIMEOUT)

    assert not at.exception
    error = texts(at.error)
    assert "이 실험 파일을 열 수 없습니다: 1번째 행, 'score' 열의 값 '=1+1'는 수식으로" in error
    assert "지금의 표와 설정은 그대로 둡니다." in error
