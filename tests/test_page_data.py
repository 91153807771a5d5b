"""Data page: upload, sample and typed tables; target, features and held-out rows into state."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest
from apptest_harness import (
    DATA_PAGE,
    NORM_PAGE,
    SAMPLE_DATA,
    START_PAGE,
    TIMEOUT,
    english_left,
    shown,
    start_app,
    table_with,
    texts,
    upload,
)
from streamlit.testing.v1 import AppTest

from linreg_core import DataError, read_table
from ui import files
from ui import state as S

APARTMENTS = SAMPLE_DATA / "apartments.csv"
README = pd.DataFrame({"about": ["Two tables from one survey.", "Pick a sheet."]})
PRICES = pd.DataFrame({"area": [30, 45, 60, 75], "price": [2.5, 3.1, 4.0, 4.9]})
RENTS = pd.DataFrame(
    {"area": [30, 45, 60, 75, 90], "floor": [3, 7, 12, 5, 9], "rent": [80, 95, 120, 150, 170]}
)
NUMERIC = ["area_m2", "age_years", "station_km", "price_eok"]  # 'district' is text
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


@pytest.fixture
def app() -> AppTest:
    return start_app().switch_page(DATA_PAGE).run(timeout=TIMEOUT)


def pick(at: AppTest, target: str) -> AppTest:
    """Choose the target on the Data page (none is chosen for a new table)."""
    return at.selectbox(key=S.W_TARGET).set_value(target).run(timeout=TIMEOUT)


def columns(at: AppTest) -> tuple[str | None, tuple[str, ...]]:
    """The target and features in the session's settings."""
    cfg = at.session_state[S.SETTINGS]
    return cfg.target, cfg.features


def test_without_data_the_page_says_how_to_load_some(app: AppTest) -> None:
    assert not app.exception
    assert "Load a table above" in texts(app.info)
    assert not app.error
    assert app.session_state[S.DATA] is None


def test_uploading_a_csv_loads_it_and_picks_numeric_columns(app: AppTest) -> None:
    upload(app, "apartments.csv", APARTMENTS.read_bytes())

    assert not app.exception and not app.error
    expected = pd.read_csv(APARTMENTS)  # a plain CSV: pandas reads it the same
    ss = app.session_state
    pd.testing.assert_frame_equal(ss[S.DATA], expected)
    assert ss[S.DATA_NAME] == "apartments.csv"
    assert "apartments" in texts(app.sidebar.markdown)  # the sidebar, drawn first, is current
    assert columns(app) == (None, ())  # no target is guessed
    assert app.selectbox(key=S.W_TARGET).options == NUMERIC
    assert "Suggested by its name: 'price_eok'" in texts(app.caption)
    assert "Choose the target" in texts(app.info)
    pick(app, "price_eok")
    assert columns(app) == ("price_eok", ("area_m2", "age_years", "station_km"))
    overview = table_with(app, "usable").set_index("column")
    assert overview.loc["district", "usable"].startswith("no")
    assert "district" in texts(app.caption)
    n_test = math.ceil(0.2 * len(expected))
    assert f"{len(expected) - n_test:,} training rows, {n_test:,} test rows" in texts(app.success)


def test_a_bad_upload_shows_an_error_and_keeps_the_previous_table(app: AppTest) -> None:
    upload(app, "apartments.csv", APARTMENTS.read_bytes())
    before = app.session_state[S.DATA]

    upload(app, "data.csv", PNG)

    assert not app.exception
    assert "PNG image" in texts(app.error)
    assert app.session_state[S.DATA] is before
    assert app.session_state[S.DATA_NAME] == "apartments.csv"


def test_an_unexpected_reader_failure_is_a_friendly_error_not_a_traceback(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> pd.DataFrame:
        raise RuntimeError("boom")

    monkeypatch.setattr(files, "read_table", broken)
    upload(app, "fine.csv", b"x,y\n1,2\n2,4\n")

    assert not app.exception
    assert "Could not read 'fine.csv'" in texts(app.error)
    assert app.session_state[S.DATA] is None


def test_choosing_the_target_and_features_updates_state(app: AppTest) -> None:
    upload(app, "apartments.csv", APARTMENTS.read_bytes())
    pick(app, "price_eok")
    app.session_state[S.COMPARISON] = "a stale result"

    app.selectbox(key=S.W_TARGET).set_value("area_m2").run(timeout=TIMEOUT)
    # the old target takes the new target's place among the features
    assert columns(app) == ("area_m2", ("price_eok", "age_years", "station_km"))
    assert app.session_state[S.COMPARISON] is None

    app.multiselect(key=S.W_FEATURES).set_value(["age_years"]).run(timeout=TIMEOUT)
    assert columns(app) == ("area_m2", ("age_years",))
    assert not app.exception and not app.error


def test_test_size_and_split_seed_go_to_state_and_change_the_counts(app: AppTest) -> None:
    upload(app, "apartments.csv", APARTMENTS.read_bytes())
    pick(app, "price_eok")
    app.slider(key=S.W_TEST_SIZE).set_value(0.5).run(timeout=TIMEOUT)
    app.number_input(key=S.W_SPLIT_SEED).set_value(7).run(timeout=TIMEOUT)

    cfg = app.session_state[S.SETTINGS]
    assert (cfg.test_size, cfg.seed) == (0.5, 7)
    assert "400 training rows, 400 test rows" in texts(app.success)


def test_a_sample_table_loads_from_the_picker(app: AppTest) -> None:
    app.selectbox(key=S.W_SAMPLE).set_value("study_score.csv").run(timeout=TIMEOUT)
    app.button(key=S.W_LOAD_SAMPLE).click().run(timeout=TIMEOUT)

    expected = pd.read_csv(SAMPLE_DATA / "study_score.csv")
    pd.testing.assert_frame_equal(app.session_state[S.DATA], expected)
    assert app.session_state[S.DATA_NAME] == "study_score.csv"
    assert columns(app) == (None, ())
    assert "Suggested by its name: 'score'" in texts(app.caption)
    assert columns(pick(app, "score")) == ("score", ("hours",))


def test_a_typed_table_with_an_added_row_is_used(app: AppTest) -> None:
    app.session_state[S.W_TYPED] = {
        "edited_rows": {},
        "added_rows": [{"x": 4.0, "y": 120.0}],
        "deleted_rows": [],
    }
    app.button(key=S.W_USE_TYPED).click().run(timeout=TIMEOUT)

    df = app.session_state[S.DATA]
    assert app.session_state[S.DATA_NAME] == "typed table"
    assert df["x"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert df["y"].tolist() == [30.0, 60.0, 90.0, 120.0]
    assert columns(pick(app, "y")) == ("y", ("x",))


def test_too_few_training_rows_shows_the_cores_message(app: AppTest) -> None:
    app.button(key=S.W_USE_TYPED).click().run(timeout=TIMEOUT)  # seed 000's three rows
    pick(app, "y")
    app.slider(key=S.W_TEST_SIZE).set_value(0.5).run(timeout=TIMEOUT)  # 2 held out, 1 left

    assert not app.exception
    assert "Only 1 training row(s)" in texts(app.error)
    assert not app.success


def test_a_separate_test_file_becomes_the_held_out_rows(app: AppTest) -> None:
    upload(app, "apartments.csv", APARTMENTS.read_bytes())
    pick(app, "price_eok")
    app.toggle(key=S.W_TEST_FILE).set_value(True).run(timeout=TIMEOUT)
    test_csv = pd.read_csv(APARTMENTS).head(50).to_csv(index=False).encode()
    upload(app, "test.csv", test_csv, key=S.W_TEST_UPLOAD)

    assert not app.exception and not app.error
    assert app.session_state[S.TEST_DATA_NAME] == "test.csv"
    assert "test" in texts(app.sidebar.markdown)
    assert len(app.session_state[S.TEST_DATA]) == 50
    assert "800 training rows, 50 test rows" in texts(app.success)

    app.toggle(key=S.W_TEST_FILE).set_value(False).run(timeout=TIMEOUT)
    assert app.session_state[S.TEST_DATA] is None


def test_choices_survive_a_visit_to_another_page(app: AppTest) -> None:
    upload(app, "apartments.csv", APARTMENTS.read_bytes())
    pick(app, "price_eok")
    app.selectbox(key=S.W_TARGET).set_value("area_m2").run(timeout=TIMEOUT)
    app.slider(key=S.W_TEST_SIZE).set_value(0.3).run(timeout=TIMEOUT)
    data = app.session_state[S.DATA]

    app.switch_page(NORM_PAGE).run(timeout=TIMEOUT)
    app.switch_page(DATA_PAGE).run(timeout=TIMEOUT)

    assert not app.exception
    assert app.session_state[S.DATA] is data
    assert app.selectbox(key=S.W_TARGET).value == "area_m2"
    assert app.multiselect(key=S.W_FEATURES).value == ["price_eok", "age_years", "station_km"]
    assert app.slider(key=S.W_TEST_SIZE).value == 0.3


def test_changing_a_choice_after_a_seed_preset_forgets_its_published_numbers(
    app: AppTest,
) -> None:
    app.switch_page(START_PAGE).run(timeout=TIMEOUT)
    app.button(key=S.W_PRESET_PREFIX + "seed000").click().run(timeout=TIMEOUT)
    app.switch_page(DATA_PAGE).run(timeout=TIMEOUT)
    assert app.session_state[S.PUBLISHED] is not None
    assert app.slider(key=S.W_TEST_SIZE).value == 0.0  # the preset's choice is shown

    app.slider(key=S.W_TEST_SIZE).set_value(0.25).run(timeout=TIMEOUT)

    assert app.session_state[S.PUBLISHED] is None
    assert app.session_state[S.PRESET] is None


def book() -> bytes:
    """A workbook whose first sheet is a README, then two tables."""
    out = io.BytesIO()
    with pd.ExcelWriter(out) as writer:
        for name, frame in (("README", README), ("prices", PRICES), ("rents", RENTS)):
            frame.to_excel(writer, sheet_name=name, index=False)
    return out.getvalue()


def sheet_box(at: AppTest):
    """The Data page's selectbox of the uploaded workbook's sheets."""
    boxes = [box for box in at.selectbox if box.label == "Sheet of the workbook"]
    assert len(boxes) == 1, [box.label for box in at.selectbox]
    return boxes[0]


def test_a_workbook_starting_with_a_readme_loads_its_first_table_and_offers_the_sheets(
    app: AppTest,
) -> None:
    upload(app, "survey.xlsx", book())

    assert not app.exception and not app.error
    pd.testing.assert_frame_equal(app.session_state[S.DATA], PRICES)
    assert app.session_state[S.DATA_NAME] == "survey.xlsx (prices)"
    assert columns(pick(app, "price")) == ("price", ("area",))
    box = sheet_box(app)
    assert (box.options, box.value) == (["README", "prices", "rents"], "prices")
    assert (
        "Read the sheet 'prices', the first of the workbook's 3 sheets that holds numbers; "
        "the others are 'README', 'rents'."
    ) in texts(app.warning)


def test_choosing_another_sheet_loads_it_and_a_sheet_without_numbers_keeps_the_table(
    app: AppTest,
) -> None:
    upload(app, "survey.xlsx", book())

    sheet_box(app).set_value("rents").run(timeout=TIMEOUT)

    assert not app.exception and not app.error
    pd.testing.assert_frame_equal(app.session_state[S.DATA], RENTS)
    assert app.session_state[S.DATA_NAME] == "survey.xlsx (rents)"
    assert columns(pick(app, "rent")) == ("rent", ("area", "floor"))
    assert sheet_box(app).value == "rents"

    sheet_box(app).set_value("README").run(timeout=TIMEOUT)

    assert not app.exception
    assert "no column holds numbers" in texts(app.error)
    assert "'survey.xlsx (rents)' stays loaded" in texts(app.error)
    pd.testing.assert_frame_equal(app.session_state[S.DATA], RENTS)


def test_a_one_sheet_workbook_or_a_csv_shows_no_sheet_choice(app: AppTest) -> None:
    out = io.BytesIO()
    PRICES.to_excel(out, sheet_name="prices", index=False)
    upload(app, "one.xlsx", out.getvalue())

    assert not app.exception and not app.error
    assert app.session_state[S.DATA_NAME] == "one.xlsx"
    assert "Sheet of the workbook" not in [box.label for box in app.selectbox]


LONG_X = "floor area of the apartment in square metres " * 110 + "(x)"  # 4,953 characters
LONG_Y = "sale price in hundred millions of won " * 130 + "(y)"
LONG_FILE = "survey of apartment sales " * 12 + ".csv"


def test_long_names_are_shortened_in_the_sidebar_and_heading_with_the_full_name_on_hover(
    app: AppTest,
) -> None:
    table = pd.DataFrame({LONG_X: [30.0, 45, 60, 75, 90, 105], LONG_Y: [2.5, 3, 4, 5, 5.5, 7]})
    upload(app, LONG_FILE, table.to_csv(index=False).encode())

    assert not app.exception and not app.error
    assert list(app.session_state[S.DATA].columns) == [LONG_X, LONG_Y]  # the data keeps them
    assert columns(pick(app, LONG_Y)) == (LONG_Y, (LONG_X,))
    sidebar = {shown(m.value): shown(m.proto.help) for m in app.sidebar.markdown}
    target = next(text for text in sidebar if text.startswith("Target:"))
    assert len(target) < 160  # 'Target: **…**  \nFeatures: …', two names of 60 at most
    assert "sale price in hundred" in target and "(y)" in target
    assert "floor area of the" in target and "(x)" in target
    assert LONG_X in sidebar[target] and LONG_Y in sidebar[target]
    name = next(text for text in sidebar if "6 rows" in text)
    assert len(name) < 80 and LONG_FILE in sidebar[name]
    heading = next(h for h in app.subheader if "6 rows" in h.value)
    assert len(shown(heading.value)) < 100 and LONG_FILE in shown(heading.proto.help)


def test_a_table_wider_than_the_feature_limit_starts_with_no_features_and_says_why(
    app: AppTest,
) -> None:
    rng = np.random.default_rng(1)
    wide = pd.DataFrame(rng.normal(size=(200, 151)), columns=[f"c{i}" for i in range(151)])

    upload(app, "wide.csv", wide.to_csv(index=False).encode())

    assert not app.exception and not app.error
    assert app.session_state[S.DATA_NAME] == "wide.csv"  # taken, not refused
    assert columns(pick(app, "c150")) == ("c150", ())  # none of the 150 preselected
    said = texts(app.info)
    assert "150 numeric columns" in said and "at most 100 features" in said, said
    assert app.multiselect(key=S.W_FEATURES).proto.max_selections == 100

    app.multiselect(key=S.W_FEATURES).set_value([f"c{i}" for i in range(100)]).run(timeout=TIMEOUT)

    assert not app.exception and not app.error
    assert len(columns(app)[1]) == 100
    assert "160 training rows, 40 test rows" in texts(app.success)


# -- in Korean ----------------------------------------------------------------------------------
@pytest.fixture
def korean() -> AppTest:
    return start_app(locale="ko-KR").switch_page(DATA_PAGE).run(timeout=TIMEOUT)


def test_without_data_the_page_says_in_korean_how_to_load_some(korean: AppTest) -> None:
    at = korean
    assert not at.exception
    assert at.title[0].value == "데이터"
    assert "계속하려면 먼저 위에서 표를 불러오세요." in texts(at.info)
    assert [tab.label for tab in at.tabs] == [
        "파일 올리기",
        "예제 데이터",
        "표 직접 입력",
        "실험 파일 열기",
    ]
    assert at.button(key=S.W_LOAD_SAMPLE).label == "이 예제 불러오기"
    assert at.button(key=S.W_USE_TYPED).label == "이 표 사용하기"
    assert "최대 50 MB" in at.file_uploader(key=S.W_UPLOAD).label
    assert english_left(at) == []


def test_a_sample_table_is_described_in_korean(korean: AppTest) -> None:
    at = korean
    at.button(key=S.W_LOAD_SAMPLE).click().run(timeout=TIMEOUT)  # apartments.csv
    assert "apartments.csv: 800행 × 5열" in texts(at.subheader)
    assert at.selectbox(key=S.W_TARGET).label == "타깃 y: 예측할 열"
    assert "열 이름을 보고 추천한 타깃: 'price_eok'" in texts(at.caption)
    assert "위에서 타깃, 즉 예측할 열을 고르세요." in texts(at.info)
    names = list(at.session_state[S.DATA].columns)
    assert english_left(at, *names) == []

    pick(at, "price_eok")

    assert not at.exception and not at.error
    assert at.multiselect(key=S.W_FEATURES).label == "특성 x: 예측에 쓸 열"
    assert "**타깃**(y)은 모델이 예측할 열이고" in texts(at.markdown)
    assert [h.value for h in at.main.subheader][1:] == [
        "열 고르기",
        "행 고르기",
        "테스트 데이터",
        "데이터 그래프",
        "이상치",
    ]
    assert "동그라미는 훈련 데이터, 세모는 테스트 데이터입니다" in texts(at.caption)
    assert "|z| > 4를 넘는 훈련 데이터 행이 5개 있습니다" in texts(at.warning)
    assert at.button(key=S.W_OUTLIERS_DROP.format(page="data")).label == (
        "이 5개 행을 훈련 데이터에서 빼기"
    )
    outliers = table_with(at, "가장 큰 |z|")  # the core's columns, named in Korean
    assert {"행", "해당 열", "price_eok"} <= set(outliers.columns)
    assert [link.label for link in at.page_link][-1] == "다음: 정규화"
    assert english_left(at, *names) == []


def test_an_empty_upload_says_in_korean_that_the_file_could_not_be_read(korean: AppTest) -> None:
    at = korean
    upload(at, "empty.csv", b"")

    assert not at.exception
    said = texts(at.error)
    assert said.startswith("파일을 읽지 못했습니다.") and "empty.csv" in said
    assert at.session_state[S.DATA] is None
    assert "계속하려면 먼저 위에서 표를 불러오세요." in texts(at.info)
    with pytest.raises(DataError) as problem:
        read_table(b"", name="empty.csv")
    if problem.value.code is not None:  # once the engine's sentence is in the catalogs
        assert problem.value.in_language("ko") in said
        assert english_left(at) == []
    else:
        assert english_left(at, str(problem.value)) == []
