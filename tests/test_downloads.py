"""The Train page's downloads: every epoch, the summary, the command line and the script."""

from __future__ import annotations

import ast
import dataclasses
import functools
import io
import shlex
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from apptest_harness import SAMPLE_DATA, TIMEOUT, TRAIN_BUTTON, TRAIN_PAGE, choose, start_app
from streamlit.delta_generator import DeltaGenerator

from linreg_core import OptimizerConfig, RunConfig
from linreg_core.cli import _config, _parser, main
from tests.test_export import HANGUL, code
from ui import run
from ui import state as S

OPTIMIZERS = [{"name": "sgd", "lr": 0.01}, {"name": "adam", "lr": 0.1, "betas": (0.8, 0.99)}]


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """What each download button of a run would send, by its widget key."""
    out: dict[str, object] = {}
    original = DeltaGenerator.download_button

    def record(self: DeltaGenerator, label: str, data: object, *args: object, **kw: object):
        out[str(kw.get("key"))] = data
        return original(self, label, data, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(DeltaGenerator, "download_button", record)
    # st.download_button is bound to the main area when streamlit is imported
    monkeypatch.setattr(st, "download_button", lambda *a, **kw: record(st._main, *a, **kw))
    return out


def clicked(data: object) -> bytes:
    """What a click downloads."""
    data = data() if callable(data) else data
    return data.encode() if isinstance(data, str) else data  # type: ignore[return-value,union-attr]


def trained(csv: str, target: str, features: list[str], locale: str | None = None, **settings):
    run.clear_cache()
    at = start_app(locale=locale)
    choose(at, csv, target, features, optimizers=OPTIMIZERS, **settings)
    at.switch_page(TRAIN_PAGE).run(timeout=TIMEOUT)
    at.button(key=TRAIN_BUTTON).click().run(timeout=TIMEOUT)
    assert not at.exception and not at.error
    return at


def test_every_epoch_downloads_at_full_precision(sent):
    at = trained("study_score.csv", "score", ["hours"], test_size=0.25, epochs=60)
    comp = at.session_state[S.COMPARISON]
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("Every epoch (CSV)") == 2 and labels.count("PyTorch script (.py)") == 2
    for i, h in enumerate(comp.runs):
        back = pd.read_csv(io.BytesIO(clicked(sent[S.W_TRAIN_HISTORY_CSV.format(i=i)])))
        assert list(back.columns) == ["epoch", "train loss", "test loss", "W", "b", "gradient norm"]
        assert back["epoch"].tolist() == list(range(61))  # 0: the start, then every epoch
        assert np.isnan(back.loc[0, "train loss"])
        # the engine's own History, to the last bit: this tests the export of those numbers
        np.testing.assert_array_equal(back["train loss"][1:], h.train_loss)
        np.testing.assert_array_equal(back["test loss"][1:], h.test_loss)
        np.testing.assert_array_equal(back["W"], h.weights[:, 0])
        np.testing.assert_array_equal(back["b"], h.bias)
        np.testing.assert_array_equal(back["gradient norm"][1:], np.linalg.norm(h.grad, axis=1))


def test_the_summary_csv_holds_the_summary_table_shown(sent):
    at = trained("study_score.csv", "score", ["hours"], test_size=0.25, epochs=60)
    shown = next(d.value for d in at.dataframe if "train MSE" in d.value.columns)
    back = pd.read_csv(io.BytesIO(clicked(sent[S.W_TRAIN_SUMMARY_CSV])), encoding="utf-8-sig")
    assert list(back.columns) == list(shown.columns)
    assert back["optimizer"].tolist() == shown["optimizer"].tolist()
    numbers = shown.select_dtypes("number").columns
    np.testing.assert_array_equal(back[numbers].to_numpy(float), shown[numbers].to_numpy(float))


def test_the_command_shown_parses_back_to_each_runs_settings(sent):
    at = trained("study_score.csv", "score", ["hours"], normalize=False, test_size=0.25)
    cfg = at.session_state[S.SETTINGS]
    commands = [  # as bash reads it: a backslash at a line's end joins the next line
        c.value.replace("\\\n", "")
        for c in at.code
        if c.value.startswith("python -m linreg_core train")
    ]
    assert len(commands) == 2
    for command, opt in zip(commands, cfg.optimizers, strict=True):
        args = _parser().parse_args(shlex.split(command)[3:])
        assert args.data == "study_score.csv"
        mine = dataclasses.replace(cfg, optimizers=(opt,))
        assert effective(_config(args)) == effective(mine)


def effective(cfg: RunConfig) -> RunConfig:
    opts = tuple(OptimizerConfig(o.name, **o.hyperparameters()) for o in cfg.optimizers)
    return dataclasses.replace(cfg, optimizers=opts, path="auto")


def test_the_downloaded_script_prints_what_the_shown_command_prints(
    sent, tmp_path, capsys: pytest.CaptureFixture[str]
):
    at = trained("study_score.csv", "score", ["hours"], test_size=0.25, epochs=80)
    command = next(c.value for c in at.code if "--optimizer adam" in c.value).replace("\\\n", "")
    script = clicked(sent[S.W_TRAIN_SCRIPT.format(i=1)]).decode()
    imported = {
        a.name.split(".")[0]
        for node in ast.walk(ast.parse(script))
        if isinstance(node, ast.Import)
        for a in node.names
    }
    assert imported == {"math", "numpy", "pandas", "torch"}
    shutil.copy(SAMPLE_DATA / "study_score.csv", tmp_path / "study_score.csv")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        assert main(shlex.split(command)[3:]) == 0
    expected = capsys.readouterr().out
    (tmp_path / "run.py").write_text(script, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-I", "run.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected and expected.count("\n") == 10


def test_a_typed_table_comes_with_its_csv_and_a_script_that_carries_it(
    sent, tmp_path, capsys: pytest.CaptureFixture[str]
):
    run.clear_cache()
    at = start_app()
    choose(at, "hours_money.csv", "money", ["hours"], normalize=False, test_size=0.0)
    at.session_state[S.DATA_NAME] = "typed table"  # as the Data page names a typed table
    at.session_state[S.SETTINGS] = RunConfig(target="money", features=("hours",), epochs=1000)
    at.switch_page(TRAIN_PAGE).run(timeout=TIMEOUT)
    at.button(key=TRAIN_BUTTON).click().run(timeout=TIMEOUT)
    assert not at.exception and not at.error
    (tmp_path / "typed_table.csv").write_bytes(clicked(sent[S.W_TRAIN_TYPED_CSV]))
    command = next(c.value for c in at.code if "typed_table.csv" in c.value)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        assert main(shlex.split(command.replace("\\\n", ""))[3:]) == 0
    expected = capsys.readouterr().out
    script = clicked(sent[S.W_TRAIN_SCRIPT.format(i=0)]).decode()
    assert "read_csv" not in script  # the numbers are in the script
    (tmp_path / "run.py").write_text(script, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-I", "run.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.stdout == expected
    assert expected.splitlines()[-1] == "Epoch 1000/1000 W: 29.5617, b: 0.9963, Cost: 0.143077"


def test_a_korean_session_downloads_with_korean_labels_and_a_script_with_korean_comments(sent):
    at = trained("study_score.csv", "score", ["hours"], locale="ko-KR", test_size=0.25, epochs=60)
    assert [s.value for s in at.subheader].count("내려받기") == 1
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("에포크별 기록 (CSV)") == 2 and labels.count("PyTorch 스크립트 (.py)") == 2
    assert "요약 (CSV)" in labels
    assert any("명령과 똑같은 에포크 로그" in c.value for c in at.caption)
    back = pd.read_csv(io.BytesIO(clicked(sent[S.W_TRAIN_HISTORY_CSV.format(i=0)])))
    assert list(back.columns) == ["epoch", "train loss", "test loss", "W", "b", "gradient norm"]
    bound = sent[S.W_TRAIN_SCRIPT.format(i=1)]  # the script, written on the click
    script = clicked(bound).decode()
    assert "# 1. 표를 읽고" in script and "에포크" in script
    assert isinstance(bound, functools.partial)
    english = bound.func(*bound.args[:-1], language="en")
    assert not HANGUL.search(english) and "# 1. read the table" in english
    assert code(script) == code(english)  # only the comments differ
