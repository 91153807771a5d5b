"""Start page: explains the app and loads a preset (data + settings) in one click."""

from __future__ import annotations

import pandas as pd
import pytest
from apptest_harness import TIMEOUT, start_app, texts
from streamlit.testing.v1 import AppTest

from linreg_core import read_table
from linreg_core.data import numeric_columns
from ui import state as S
from ui.presets import PRESETS, get_preset, sample_path


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return start_app(monkeypatch)


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
    expected = read_table(sample_path(preset.csv))
    pd.testing.assert_frame_equal(ss[S.DATA], expected)
    assert ss[S.DATA_NAME] == preset.csv
    assert ss[S.TARGET] in numeric_columns(expected)
    assert ss[S.TARGET] == preset.target
    assert ss[S.FEATURES] == list(preset.features)
    assert set(ss[S.FEATURES]) <= set(expected.columns)
    assert ss[S.NORMALIZE] is preset.normalize
    assert ss[S.TEST_SIZE] == preset.test_size
    assert ss[S.TEST_DATA] is None
    assert ss[S.TRAINING] == preset.training()
    assert ss[S.PRESET] == preset.name
    assert ss[S.PUBLISHED] == (preset.published.as_dict() if preset.published else None)
    assert ss[S.COMPARISON] is None or ss[S.COMPARISON] != "a stale result"
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
    assert [s.value for s in app.sidebar.success] == ["Comparison ready"]
    published = PRESETS[0].published
    h = comp.runs[0]
    assert round(float(h.weights[published.epoch, 0]), published.decimals) == pytest.approx(
        published.weights[0]
    )
