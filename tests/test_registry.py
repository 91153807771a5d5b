"""The registry's words: each optimizer's summary, each hyperparameter's label and fix and the
no-limit sentence are catalog sentences, English when printed and Korean on a Korean page."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from linreg_core import OPTIMIZERS, OptimizerConfig, RunConfig, run
from linreg_core.errors import Said
from linreg_core.i18n import catalog, placeholders, text
from linreg_core.registry import HYPERPARAMETERS
from tests.conftest import SAMPLES

HANGUL = re.compile("[가-힣]")
# a word each optimizer's Korean summary must hold: what it does, in the tutorials' terms
SUMMARY_WORDS = {
    "sgd": "기울기의 반대 방향",
    "momentum": "속도",
    "nesterov": "모멘텀",
    "rmsprop": "제곱평균제곱근",
    "adam": "편향 보정",
    "adagrad": "계속 작아집니다",
    "adamw": "가중치 감쇠",
    "gd-manual": "튜토리얼",
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_each_optimizers_summary_is_a_sentence_in_either_language(name):
    said = OPTIMIZERS[name].summary
    assert isinstance(said, Said) and said.code == f"optimizer.{name}.summary"
    english, korean = str(said), said.in_language("ko")
    assert english.endswith(".") and not HANGUL.search(english)
    assert HANGUL.search(korean) and "{" not in korean
    assert SUMMARY_WORDS[name] in korean


def test_the_summaries_english_is_what_it_was():
    assert str(OPTIMIZERS["sgd"].summary) == "Steps straight down the gradient: w := w - lr * g."
    assert str(OPTIMIZERS["adagrad"].summary) == (
        "Divides by the root of all squared gradients so far, so its steps keep shrinking."
    )


def test_the_hyperparameters_labels_and_fixes_are_translated_but_names_stay():
    lr = HYPERPARAMETERS["lr"]
    assert (str(lr.label), str(lr.fix)) == (
        "learning rate",
        "Use a positive step size such as 0.01.",
    )
    assert isinstance(lr.label, Said) and lr.label.in_language("ko") == "학습률"
    assert isinstance(lr.fix, Said) and "0.01처럼" in lr.fix.in_language("ko")
    decay = HYPERPARAMETERS["weight_decay"].label
    assert isinstance(decay, Said) and decay.in_language("ko") == "가중치 감쇠"
    eps = HYPERPARAMETERS["eps"]
    assert isinstance(eps.label, Said) and eps.label.in_language("ko") == "eps"  # a name
    assert isinstance(eps.fix, Said) and eps.fix.in_language("ko").startswith("eps는 1e-8처럼")
    for bound in HYPERPARAMETERS.values():
        for said in (bound.label, bound.fix):
            assert isinstance(said, Said) and said.code is not None
            assert "{" not in said.in_language("ko")


def test_why_an_adaptive_optimizer_has_no_limit_in_korean():
    df = pd.read_csv(SAMPLES / "hours_money.csv")
    curv = run(df, RunConfig(target="money", epochs=2)).curvature
    for name in ("rmsprop", "adam", "adagrad", "adamw"):
        hp = OptimizerConfig(name).hyperparameters()
        assert curv.lr_limit(name, hp) is None
        said = curv.why_no_limit(name)
        assert isinstance(said, Said)
        title = OPTIMIZERS[name].title
        assert str(said).startswith(f"{title} divides each step by a running size")
        korean = said.in_language("ko")
        assert korean.startswith(f"{title} 옵티마이저는 ") and "{" not in korean
        assert "어떤 학습률로도 발산하지 않고" in korean and "곡률" in korean
    assert curv.why_no_limit("sgd") is None and OPTIMIZERS["sgd"].no_limit is None


SECTIONS = ("optimizer", "advice", "explain", "why")
NAMES_ONLY = {"optimizer.hp.alpha.label", "optimizer.hp.betas.label", "optimizer.hp.eps.label"}


def test_every_engine_sentence_has_its_korean_with_the_same_placeholders():
    english, korean = catalog("en"), catalog("ko")
    keys = [k for k in english if k.split(".")[0] in SECTIONS]
    assert len(keys) > 50 and [k for k in korean if k in keys] == keys  # the same order
    for key in keys:
        assert placeholders(english[key]) == placeholders(korean[key]), key
        filled = dict.fromkeys(placeholders(korean[key]), 1.5)
        shown = text(key, "ko", **filled)
        assert "{" not in shown and "}" not in shown, key
        assert key in NAMES_ONLY or HANGUL.search(shown), key
        assert not HANGUL.search(text(key, "en", **filled)), key
