"""Start page: explains the app and loads a preset (data + settings) in one click."""

from __future__ import annotations

import pandas as pd
import pytest
from apptest_harness import DATA_PAGE, TIMEOUT, english_left, start_app, texts
from streamlit.testing.v1 import AppTest

from ui import state as S
from ui.presets import PRESETS, SAMPLE_DIR, get_preset

# what each preset promises on the Start page, written out here: (csv, target, features,
# z-score, held out, optimizers with their learning rates, epochs, bias)
PROMISED = {
    "seed002": (
        "used_cars_like.csv",
        "Price",
        ("Kilometers_Driven",),
        False,
        0.2,
        [("sgd", 0.01)],
        1000,
        True,
    ),
    "seed000": ("hours_money.csv", "money", ("hours",), False, 0.0, [("sgd", 0.01)], 1000, True),
    "seed001": ("study_score.csv", "score", ("hours",), False, 0.0, [("sgd", 0.01)], 2000, True),
    "seed003": ("hours_points.csv", "points", ("hour",), False, 0.0, [("sgd", 0.15)], 10, False),
    "apt_area": (
        "apartments.csv",
        "price_eok",
        ("area_m2",),
        True,
        0.2,
        [("sgd", 0.1), ("momentum", 0.1), ("rmsprop", 0.1), ("adam", 0.1)],
        1000,
        True,
    ),
    "apt_three": (
        "apartments.csv",
        "price_eok",
        ("area_m2", "age_years", "station_km"),
        True,
        0.2,
        [("sgd", 0.1), ("momentum", 0.1), ("rmsprop", 0.1), ("adam", 0.1)],
        1000,
        True,
    ),
}


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return start_app()


def test_start_page_explains_the_flow_and_offers_every_preset(app: AppTest) -> None:
    assert not app.exception
    assert app.title[0].value == "LinReg Lab"
    assert [b.key for b in app.button] == [S.W_PRESET_PREFIX + p.key for p in PRESETS]
    assert "No data loaded yet" in texts(app.sidebar.caption)
    assert app.session_state[S.DATA] is None


@pytest.mark.parametrize("key", [p.key for p in PRESETS])
def test_clicking_a_preset_loads_its_table_and_settings_and_opens_train(
    app: AppTest, key: str
) -> None:
    preset = get_preset(key)
    app.session_state[S.COMPARISON] = "a stale result"
    app.button(key=S.W_PRESET_PREFIX + key).click().run(timeout=TIMEOUT)

    assert not app.exception
    ss = app.session_state
    csv, target, features, zscore, held_out, optimizers, epochs, bias = PROMISED[key]
    pd.testing.assert_frame_equal(ss[S.DATA], pd.read_csv(SAMPLE_DIR / csv), check_dtype=False)
    assert ss[S.DATA_NAME] == csv
    cfg = ss[S.SETTINGS]
    assert (cfg.target, cfg.features, cfg.normalize, cfg.test_size) == (
        target,
        features,
        zscore,
        held_out,
    )
    assert [(o.name, o.lr) for o in cfg.optimizers] == optimizers
    assert (cfg.epochs, cfg.bias, cfg.batch_size, cfg.init) == (epochs, bias, None, "zeros")
    assert ss[S.TEST_DATA] is None
    assert ss[S.PRESET] == preset.name
    assert ss[S.PUBLISHED] is preset.published
    comp = ss[S.COMPARISON]  # trained on arrival, replacing the stale result
    assert comp != "a stale result" and comp.dataset.target == target
    assert len(comp.runs) == len(optimizers) and comp.config == cfg
    # the notice was shown once, above the Train page, and is used up
    assert preset.name in texts(app.info)
    assert ss[S.NOTICE] is None
    assert not [b for b in app.button if (b.key or "").startswith(S.W_PRESET_PREFIX)]


def test_a_seed_preset_shows_the_published_numbers_on_start(app: AppTest) -> None:
    tables = [d.value for d in app.dataframe]
    printed = [dict(t.to_numpy().tolist()) for t in tables if "published" in t.columns]
    assert len(printed) == sum(1 for p in PRESETS if p.published)
    assert printed[0] == get_preset("seed000").published.table()


def test_the_sidebar_names_the_loaded_data_after_a_preset(app: AppTest) -> None:
    app.button(key=S.W_PRESET_PREFIX + "apt_three").click().run(timeout=TIMEOUT)
    sidebar = texts(app.sidebar.markdown)
    assert "apartments" in sidebar and "800 rows" in sidebar
    assert "price" in sidebar and "station" in sidebar


def test_one_click_on_a_seed_preset_trains_and_the_sidebar_says_so(app: AppTest) -> None:
    app.button(key=S.W_PRESET_PREFIX + PRESETS[0].key).click().run(timeout=TIMEOUT)
    assert not app.exception
    comp = app.session_state[S.COMPARISON]
    assert comp is not None and comp.dataset.target == PRESETS[0].target
    assert app.session_state[S.AUTO_TRAIN] is False  # used up: a later visit does not retrain
    # the tutorial's 1000 epochs end at cost 0.143 of an exact fit (least squares' MSE is 0):
    # ready, but not at the optimum, and the sidebar says so
    assert [s.value for s in app.sidebar.warning] == [
        "Comparison ready, but 1 of 1 run(s) did not reach the optimum."
    ]
    published = PRESETS[0].published
    h = comp.runs[0]
    assert round(float(h.weights[published.epoch, 0]), published.decimals) == pytest.approx(
        published.weights[0]
    )


# -- in Korean ----------------------------------------------------------------------------------
def test_the_english_check_finds_an_english_sentence() -> None:
    at = start_app()  # English
    assert "LinReg Lab fits the straight line y = Wx + b" in texts(at.markdown)
    assert any(text.startswith("LinReg Lab fits") for text in english_left(at))


@pytest.fixture
def korean() -> AppTest:
    return start_app(locale="ko-KR")


def test_the_start_page_is_in_korean_for_a_korean_browser(korean: AppTest) -> None:
    at = korean
    assert not at.exception
    assert at.title[0].value == "LinReg Lab"
    assert "경사하강법을 한 단계씩" in texts(at.markdown)
    assert "최소제곱해" in texts(at.markdown)
    assert [h.value for h in at.main.subheader] == ["네 단계", "프리셋으로 시작하기"]
    assert "**튜토리얼 재현하기**" in [m.value for m in at.markdown]
    assert "Seed 000: 사냥 시간 → 번 돈" in texts(at.markdown)
    assert {b.label for b in at.button} == {"불러와서 학습하기"}
    assert [link.label for link in at.page_link][:4] == [
        "1. 데이터",
        "2. 정규화",
        "3. 학습과 비교",
        "4. 예측",
    ]
    printed = [d.value for d in at.dataframe if "튜토리얼 결과" in d.value.columns]
    assert dict(printed[0].to_numpy().tolist())["에포크"] == "1000"
    assert dict(printed[2].to_numpy().tolist())["b"] == "편향 없음"  # seed 003: no bias
    assert english_left(at) == []


def test_the_sidebar_is_in_korean_without_data_and_with_a_table(korean: AppTest) -> None:
    at = korean
    assert [h.value for h in at.sidebar.subheader] == ["현재 데이터"]
    assert texts(at.sidebar.caption).startswith("아직 불러온 데이터가 없습니다.")
    assert "No data" not in texts(at.sidebar.caption)  # one language at a time
    assert english_left(at) == []

    at.switch_page(DATA_PAGE).run(timeout=TIMEOUT)
    at.selectbox(key=S.W_SAMPLE).set_value("hours_money.csv").run(timeout=TIMEOUT)
    at.button(key=S.W_LOAD_SAMPLE).click().run(timeout=TIMEOUT)

    sidebar = texts(at.sidebar.markdown)
    assert "**hours_money.csv** · 3행" in sidebar
    assert "타깃: 아직 고르지 않았습니다" in sidebar
    assert "아직 학습하지 않았습니다" in texts(at.sidebar.caption)
    assert "주소창에 이 실험이 담겨 있습니다" in texts(at.sidebar.caption)
    at.selectbox(key=S.W_TARGET).set_value("money").run(timeout=TIMEOUT)
    assert "타깃: **money**  \n특성: hours" in texts(at.sidebar.markdown)
    assert english_left(at, "money", "hours", sidebar=True) == []  # type: ignore[arg-type]


def test_a_preset_loads_with_a_korean_notice_and_sidebar(korean: AppTest) -> None:
    at = korean
    at.button(key=S.W_PRESET_PREFIX + "apt_three").click().run(timeout=TIMEOUT)

    assert not at.exception
    notice = texts(at.info)
    assert "프리셋 “아파트: 특성 3개”을(를) 불러왔습니다" in notice
    assert "옵티마이저들을 비교합니다" in notice
    assert "Loaded the preset" not in notice
    assert "프리셋: 아파트: 특성 3개" in texts(at.sidebar.caption)
    assert "비교 결과가 준비되었습니다" in texts(at.sidebar.success)


def test_switching_the_language_in_the_sidebar_turns_the_page_korean() -> None:
    at = start_app()  # English by default
    assert [h.value for h in at.main.subheader] == ["Four steps", "Start from a preset"]

    at.segmented_control(key=S.W_LANGUAGE).set_value("ko").run(timeout=TIMEOUT)

    assert not at.exception
    assert [h.value for h in at.main.subheader] == ["네 단계", "프리셋으로 시작하기"]
    assert "경사하강법을 한 단계씩" in texts(at.markdown)
    assert english_left(at) == []

    at.switch_page(DATA_PAGE).run(timeout=TIMEOUT)  # the choice holds on the next page
    assert at.title[0].value == "데이터"
