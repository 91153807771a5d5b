"""Links: the address bar holds the data source and every setting; opening a link restores them.

The codec is checked against literal settings and literal query strings; the app through AppTest
with the link's query parameters on a fresh session, its numbers against numpy's least squares
and the seeds' printed log.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from apptest_harness import (
    APP,
    SAMPLE_DATA,
    TIMEOUT,
    TRAIN_PAGE,
    epoch_log,
    table_with,
    texts,
    upload,
)
from streamlit.testing.v1 import AppTest

from linreg_core import OptimizerConfig, RunConfig
from linreg_core.config import Condition
from ui import links
from ui import state as S

EVERY_SETTING_CHANGED = RunConfig(
    target="price",
    features=("km", "year, made"),
    normalize=False,
    normalize_target=True,
    test_size=0.3,
    bias=False,
    init="random",
    seed=7,
    epochs=250,
    batch_size=16,
    optimizers=(
        OptimizerConfig("sgd", lr=1e-11),
        OptimizerConfig("adam", lr=0.01, betas=(0.8, 0.99), eps=1e-7),
        OptimizerConfig("momentum", lr=0.1, momentum=0.5),
        OptimizerConfig("adamw", lr=0.003, weight_decay=0.02),
    ),
    path="plain",
    where=(Condition("town", "in", ("Seoul", "Busan")), Condition("year, made", ">=", "2010")),
    numbers_from_text=("km",),
    drop_outliers=4.0,
)


def _query(params: dict[str, str | list[str]]) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in params.items()}


def test_every_setting_has_a_link_parameter():
    assert set(links.CODECS) == {f.name for f in dataclasses.fields(RunConfig)}


def test_a_link_carries_every_setting_and_reads_back_the_same():
    params = links.params(S.Source("sample", "apartments.csv"), EVERY_SETTING_CHANGED)
    assert params["sample"] == "apartments.csv"
    assert params["features"] == ["km", "year, made"]
    assert params["optimizers"] == [
        "sgd:lr=1e-11",
        "adam:lr=0.01:betas=0.8/0.99:eps=1e-07",
        "momentum:lr=0.1:momentum=0.5",
        "adamw:lr=0.003:weight_decay=0.02",
    ]
    assert (params["batch_size"], params["normalize"], params["bias"]) == ("16", "false", "false")
    assert params["where"] == [
        '["town", "in", ["Seoul", "Busan"]]',
        '["year, made", ">=", "2010"]',
    ]
    assert (params["numbers_from_text"], params["drop_outliers"]) == (["km"], "4.0")
    got = links.read(_query(params), S.DASHBOARD)
    assert got.problems == []
    assert got.source == S.Source("sample", "apartments.csv")
    assert got.settings == EVERY_SETTING_CHANGED


def test_full_batch_and_a_missing_target_travel_too():
    cfg = RunConfig(target=None, batch_size=None)
    params = links.params(None, cfg)
    assert params["batch_size"] == "full" and "target" not in params
    assert links.read(_query(params), S.DASHBOARD).settings == cfg


def test_bad_and_unknown_parameters_are_named_and_the_valid_rest_applies():
    query = {
        "sample": ["apartments.csv"],
        "epochs": ["lots"],
        "test_size": ["0.99"],
        "optimizers": ["sgd:lr=0.05", "adam:lr=-1"],
        "seed": ["3"],
        "colour": ["red"],
        "normalize": ["maybe"],
    }
    got = links.read(query, S.DASHBOARD)
    text = "\n".join(got.problems)
    assert "epochs='lots'" in text and "a whole number" in text
    assert "test_size='0.99'" in text and "0.95" in text
    assert "lr" in text and "-1" in text  # the whole optimizer list is refused, kept as it was
    assert "'colour' is not a setting" in text
    assert "normalize='maybe'" in text and "true or false" in text
    assert len(got.problems) == 5
    assert got.settings.seed == 3  # the valid rest applies
    assert got.settings.epochs == S.DASHBOARD.epochs
    assert got.settings.optimizers == S.DASHBOARD.optimizers


def test_nothing_in_a_link_is_evaluated():
    query = {"epochs": ["__import__('os').system('echo hi')"], "target": ["=1+1"]}
    got = links.read(query, S.DASHBOARD)
    assert got.settings.epochs == S.DASHBOARD.epochs
    assert got.settings.target == "=1+1"  # a column name, taken as text
    cells = links.typed_table("x,y;=1+2,3;2,4")
    assert cells["x"].tolist() == ["=1+2", "2"] or cells["x"].tolist() == ["=1+2", 2]


def test_a_typed_table_travels_by_its_cells_up_to_a_limit():
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [30.0, 60.0, 90.0]})
    assert links.typed_text(df) == "x,y;1.0,30.0;2.0,60.0;3.0,90.0"
    back = links.typed_table(links.typed_text(df))
    np.testing.assert_array_equal(back.to_numpy(dtype=float), df.to_numpy())
    big = pd.DataFrame({"x": np.arange(40.0), "y": np.arange(40.0)})
    assert links.typed_source(big) == S.Source("typed", "")


# -- the app ------------------------------------------------------------------------------------


def open_link(query: dict[str, str | list[str]], page: str | None = None) -> AppTest:
    """A fresh session opened on a link with these query parameters (then on page)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    at.run(timeout=TIMEOUT)
    if page is not None:
        at.switch_page(page).run(timeout=TIMEOUT)
    return at


def test_a_link_to_a_sample_restores_its_settings_and_trains_on_train():
    link = {
        "sample": "hours_money.csv",
        "target": "money",
        "features": ["hours"],
        "normalize": "false",
        "test_size": "0",
        "epochs": "30",
        "optimizers": ["sgd:lr=0.01", "adam:lr=0.5"],
    }
    at = open_link(link)
    assert not at.exception
    assert "Opened the experiment in the link (hours_money.csv)" in texts(at.info)
    cfg = at.session_state[S.SETTINGS]
    assert (cfg.target, cfg.features, cfg.normalize, cfg.test_size, cfg.epochs) == (
        "money",
        ("hours",),
        False,
        0.0,
        30,
    )
    assert [(o.name, o.lr) for o in cfg.optimizers] == [("sgd", 0.01), ("adam", 0.5)]
    at.switch_page(TRAIN_PAGE).run(timeout=TIMEOUT)
    assert not at.exception
    summary = table_with(at, "train MSE")
    assert summary["optimizer"].tolist() == ["sgd", "adam", "least squares"]
    df = pd.read_csv(SAMPLE_DATA / "hours_money.csv")
    A = np.column_stack([df["hours"], np.ones(len(df))])
    theta, *_ = np.linalg.lstsq(A, df["money"], rcond=None)
    ols_mse = float(np.mean((A @ theta - df["money"]) ** 2))
    assert summary["train MSE"].iloc[-1] == pytest.approx(ols_mse, rel=1e-9)


def test_the_address_bar_follows_the_settings_as_they_change():
    at = open_link({"sample": "apartments.csv", "target": "price_eok", "features": "area_m2"})
    assert at.query_params["normalize"] == "true"
    at.switch_page("app_pages/2_normalise.py").run(timeout=TIMEOUT)
    at.toggle(key=S.W_NORMALIZE).set_value(False).run(timeout=TIMEOUT)
    assert at.query_params["normalize"] == "false"
    assert at.query_params["sample"] == "apartments.csv"
    assert at.query_params["target"] == "price_eok"


def test_a_link_to_a_typed_table_trains_the_typed_rows():
    at = open_link(
        {
            "typed": "x,y;1,30;2,60;3,90",
            "target": "y",
            "features": "x",
            "normalize": "false",
            "test_size": "0",
            "epochs": "1000",
            "optimizers": "sgd:lr=0.01",
            "bias": "false",
        },
        TRAIN_PAGE,
    )
    assert not at.exception
    assert at.session_state[S.DATA_NAME] == S.TYPED_NAME
    log = epoch_log(at)
    # seed 003's table (H = Wx, lr 0.01, 1000 epochs): W reaches 30 and the cost 0
    assert log[-1] == "Epoch 1000/1000 W: 30.0000, Cost: 0.000000"


def test_a_link_to_a_preset_gives_the_tutorials_numbers():
    at = open_link({"preset": "seed000"}, TRAIN_PAGE)
    assert not at.exception
    log = epoch_log(at)
    assert log[-1] == "Epoch 1000/1000 W: 29.5617, b: 0.9963, Cost: 0.143077"  # seed 000


def test_a_link_made_with_an_upload_asks_for_it_and_applies_to_it():
    at = open_link({"upload": "my scores.csv", "target": "score", "epochs": "40"})
    assert not at.exception
    assert "upload it again on the Data page" in texts(at.info)
    assert at.session_state[S.DATA] is None
    at.switch_page("app_pages/1_data.py").run(timeout=TIMEOUT)
    content = b"hours,score\n1,10\n2,20\n3,31\n4,39\n5,52\n6,60\n7,71\n8,79\n9,90\n10,101\n"
    upload(at, "my scores.csv", content)
    assert not at.exception
    cfg = at.session_state[S.SETTINGS]
    assert (cfg.target, cfg.epochs) == ("score", 40)


def test_a_link_to_a_missing_sample_says_so_and_breaks_nothing():
    at = open_link({"sample": "../../etc/passwd", "epochs": "12"})
    assert not at.exception
    assert "could not be opened" in texts(at.info)
    assert at.session_state[S.DATA] is None
    at.switch_page(TRAIN_PAGE).run(timeout=TIMEOUT)
    assert not at.exception


def test_in_korean_a_links_notes_are_korean():
    link = {"lang": "ko", "sample": "hours_money.csv", "target": "money", "features": "hours"}
    at = open_link({**link, "epochs": "lots", "colour": "red"})

    assert not at.exception
    notice = texts(at.info)
    assert "링크에 담긴 실험을 열었습니다(hours_money.csv)" in notice
    assert "학습과 비교 페이지를 열면 바로 학습합니다." in notice
    assert "링크의 epochs='lots'는 쓰지 않았습니다: 이 설정에 쓸 수 있는 값은 정수입니다." in notice
    assert "링크의 매개변수 'colour'는 설정이 아니어서 무시했습니다." in notice
    assert "lang" not in notice  # the language is a parameter of the link, not a problem


def test_in_korean_a_link_made_with_an_upload_asks_for_it_in_korean():
    at = open_link({"lang": "ko", "upload": "my scores.csv", "target": "score"})

    assert not at.exception
    assert "이 링크는 업로드한 표 'my scores.csv'로 만들었는데" in texts(at.info)
