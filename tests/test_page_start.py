"""Start page: explains the app and loads a preset (data + settings) in one click."""

from __future__ import annotations

import pandas as pd
import pytest
from apptest_harness import TIMEOUT, start_app, texts
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
