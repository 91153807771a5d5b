"""Bad files, bad settings and divergence through the real app (streamlit_app.py).

Each failure is a message on the page that names the problem and the fix, never a traceback, and
the last good table and results stay in session_state. Also here: user text (file and column
names) is never rendered as markup, nothing uploaded is evaluated, the server keeps XSRF
protection on, and two sessions never share a table or a result.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import io
import json
import pickle
import re
import sys
import tomllib
from collections.abc import Callable, Iterator

import numpy as np
import openpyxl
import pandas as pd
import pytest
from apptest_harness import (
    DATA_PAGE,
    FOUR,
    NORM_PAGE,
    PREDICT_PAGE,
    REPO_ROOT,
    START_PAGE,
    TIMEOUT,
    TRAIN_BUTTON,
    TRAIN_CHARTS,
    TRAIN_PAGE,
    loss_frame,
    shown,
    start_app,
    table_with,
    texts,
    upload,
)
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from linreg_core import OPTIMIZERS
from ui import presets, run
from ui import state as S

MAX_EPOCHS = 100_000  # the engine's documented cap on epochs
# The optimizers whose full-batch step has a stability limit (lr * curvature < 2 or so) and
# those that divide each step by their own gradients' size (about lr whatever the curvature).
PLAIN_STEPS = ["sgd", "momentum", "nesterov", "gd-manual"]
ADAPTIVE = ["rmsprop", "adam", "adagrad", "adamw"]


def good_csv(n: int = 40, seed: int = 0) -> bytes:
    """x in the thousands, y = 3x + 100 + noise: fine z-scored, explosive raw at a large lr."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(1000, 5000, n).round(1)
    y = (3 * x + 100 + rng.normal(0, 50, n)).round(1)
    return pd.DataFrame({"x": x, "y": y}).to_csv(index=False).encode()


def xlsx_with_formulas() -> bytes:
    """A workbook whose y column holds formulas that were never calculated (no saved values)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["x", "y"])
    for i in range(1, 6):
        ws.append([i, f"=A{i + 1}*2"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD = good_csv()
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
WIDE = (",".join(f"c{i}" for i in range(100_000)) + "\n" + ",".join("1" * 100_000) + "\n").encode()

# Files the reader refuses: (name, content, what the error must say).
UNREADABLE = [
    pytest.param("empty.csv", b"", "'empty.csv' is empty", id="empty file"),
    pytest.param("header.csv", b"x,y\n", "has a header but no data rows", id="header only"),
    pytest.param("photo.csv", PNG, "This file is a PNG image, not a table", id="png as csv"),
    pytest.param(
        "data.csv", pickle.dumps({"x": [1]}), "Python pickle, not a table", id="pickle as csv"
    ),
    pytest.param(
        "table.xlsx", b"x,y\n1,2\n", "ends in .xlsx but is not an Excel workbook", id="fake xlsx"
    ),
    pytest.param(
        "ragged.csv",
        b"x,y\n1,2\n3,4,5\n6,7\n",
        "line 3 has 3 cells but the header has 2",
        id="ragged rows",
    ),
    pytest.param("wide.csv", WIDE, "100,000 columns; the limit is 10,000", id="100k columns"),
    pytest.param("latin.csv", b"x,y\n\xff\xfe1,2\n", "is not UTF-8 or Korean", id="not utf8"),
    pytest.param("broken.json", b"[{", "'broken.json' is not valid JSON", id="broken json"),
]
# Files that read but cannot be trained with any choice of the page: refused on the Data page.
UNTRAINABLE = [
    pytest.param("one.csv", b"x,y\n1,2\n", "Only 1 training row(s)", id="single row"),
    pytest.param(
        "inf.csv", b"x,y\n1,2\ninf,3\n4,5\n", "'x' has an infinite value in row 2", id="infinity"
    ),
    pytest.param(
        "huge.csv", b"x,y\n1,2\n1e39,3\n4,5\n", "beyond the float32 range in row 2", id="1e39"
    ),
    pytest.param(
        "formulas.xlsx",
        xlsx_with_formulas(),
        "No values at all in 'y'. A spreadsheet formula saved without its result reads as empty",
        id="excel formulas without saved values",
    ),
    pytest.param(
        "words.csv",
        b"name,city\nann,seoul\nbob,busan\n",
        "no column holds numbers. Text, not numbers, in 'name', 'city'",
        id="text only",
    ),
]


# -- helpers ------------------------------------------------------------------------------------
def loaded(name: str = "good.csv", content: bytes = GOOD) -> AppTest:
    """A fresh session on the Data page with a table uploaded."""
    at = start_app()
    at.switch_page(DATA_PAGE).run(timeout=TIMEOUT)
    upload(at, name, content)
    boxes = [b for b in at.selectbox if b.key == S.W_TARGET]
    if boxes and boxes[0].value is None and boxes[0].options:  # the learner picks the target:
        boxes[0].set_value(boxes[0].options[-1]).run(timeout=TIMEOUT)  # here the last column
    return at


def train(at: AppTest, epochs: int = 50, setup: Callable[[AppTest], None] | None = None) -> AppTest:
    """Open the Train page, fill in the form (setup, then `epochs`) and press Train."""
    at.switch_page(TRAIN_PAGE).run(timeout=TIMEOUT)
    if setup is not None:
        setup(at)
    at.number_input(key=S.W_TRAIN_EPOCHS).set_value(epochs)
    return at.button(key=TRAIN_BUTTON).click().run(timeout=TIMEOUT)


def trained() -> AppTest:
    """Good data loaded and trained; back on the Data page."""
    at = train(loaded())
    assert at.session_state[S.COMPARISON] is not None
    return at.switch_page(DATA_PAGE).run(timeout=TIMEOUT)


def snapshot(at: AppTest) -> tuple[object, object, object]:
    ss = at.session_state
    return ss[S.DATA], ss[S.COMPARISON], ss[S.TEST_DATA]


def assert_kept(at: AppTest, before: tuple[object, object, object]) -> None:
    """No traceback, and the table, the result and the test table are the very same objects."""
    assert not at.exception
    after = snapshot(at)
    assert all(a is b for a, b in zip(after, before, strict=True)), "a good state was replaced"


# -- bad files on the Data page -----------------------------------------------------------------
@pytest.mark.parametrize(("name", "content", "message"), UNREADABLE)
def test_an_unreadable_file_is_an_error_and_the_table_and_results_stay(
    name: str, content: bytes, message: str
) -> None:
    at = trained()
    before = snapshot(at)

    upload(at, name, content)

    assert message in texts(at.error)
    assert "'good.csv' stays loaded" in texts(at.error)
    assert_kept(at, before)
    assert at.session_state[S.DATA_NAME] == "good.csv"


@pytest.mark.parametrize(("name", "content", "message"), UNTRAINABLE)
def test_a_table_no_choice_can_train_is_refused_and_the_last_one_stays(
    name: str, content: bytes, message: str
) -> None:
    at = trained()
    before = snapshot(at)

    upload(at, name, content)

    errors = texts(at.error)
    assert message in errors
    assert "'good.csv' stays loaded" in errors
    assert_kept(at, before)
    assert "good.csv" in texts(at.sidebar.markdown)


def test_an_untrainable_first_table_is_refused_with_nothing_loaded() -> None:
    at = loaded("one.csv", b"x,y\n1,2\n")

    assert not at.exception
    assert "Only 1 training row(s) for 1 feature(s) and a bias" in texts(at.error)
    assert at.session_state[S.DATA] is None
    assert "Load a table above" in texts(at.info)


@pytest.mark.parametrize(
    ("content", "note"),
    [
        pytest.param(
            b"x,x,y\n1,2,3\n2,3,5\n3,5,8\n4,4,9\n5,9,12\n6,1,8\n",
            "Some columns had the same name and were renamed: 'x' -> 'x (2)'.",
            id="duplicate names",
        ),
        pytest.param(
            b",x,y\n0,1,2\n1,2,4\n2,3,7\n",
            "The first column only numbered the rows (a saved index), so it was dropped.",
            id="saved index",
        ),
    ],
)
def test_what_the_reader_changed_is_a_warning_on_the_data_page(content: bytes, note: str) -> None:
    at = loaded("changed.csv", content)

    assert not at.exception and not at.error
    assert note in texts(at.warning)
    assert at.session_state[S.DATA_NAME] == "changed.csv"
    at.switch_page(NORM_PAGE).run(timeout=TIMEOUT)
    at.switch_page(DATA_PAGE).run(timeout=TIMEOUT)
    assert note in texts(at.warning)  # it stays with the table, not only right after the upload


def test_rows_with_a_gap_are_dropped_with_a_warning() -> None:
    at = loaded("gaps.csv", b"x,y\n1,2\n2,\n3,6\n,8\n5,10\n6,12\n")

    assert not at.exception and not at.error
    assert "2 row(s) have a missing value in the target or a chosen feature" in texts(at.warning)
    assert "2 dropped for missing values" in texts(at.success)


def test_thousands_separators_and_decimal_commas_are_read_as_numbers() -> None:
    at = loaded("thousands.csv", b'n,y\n"1,234",1\n"12,000.5",2\n7,3\n"2,500",4\n')
    assert not at.exception and not at.error
    assert at.session_state[S.DATA]["n"].tolist() == [1234.0, 12000.5, 7.0, 2500.0]
    assert "'n' is written with decimal points and ',' between thousands" in texts(at.warning)
    assert at.session_state[S.SETTINGS].features == ("n",)  # offered as a number, read as one
    assert "4 training rows, 0 test rows" in texts(at.success)  # a small table: none held out

    upload(at, "european.csv", b"a;b\n1.234,5;2\n2.000;3\n3.500;4\n4,75;6\n")
    assert not at.exception and not at.error
    assert at.session_state[S.DATA]["a"].tolist() == [1234.5, 2000.0, 3500.0, 4.75]


def test_date_text_and_empty_columns_are_not_offered_and_are_named() -> None:
    csv = (
        b"day,city,blank,x,y\n2024-01-02,seoul,,1,2\n2024-01-03,busan,,2,4\n2024-01-04,jeju,,3,7\n"
    )
    at = loaded("mixed.csv", csv)

    assert not at.exception and not at.error
    assert at.selectbox(key=S.W_TARGET).options == ["x", "y"]
    assert at.multiselect(key=S.W_FEATURES).options == ["x"]  # never the target itself
    caption = texts(at.caption)
    assert "no numbers in 'day', 'city'" in caption
    assert "no values at all in 'blank'" in caption


def test_a_korean_cp949_file_loads_with_its_headers() -> None:
    text = "공부시간,점수\n1,50\n2,70\n3,90\n4,85\n5,95\n"
    at = loaded("성적.csv", text.encode("cp949"))

    assert not at.exception and not at.error
    cfg = at.session_state[S.SETTINGS]
    assert (cfg.target, cfg.features) == ("점수", ("공부시간",))
    assert "성적" in texts(at.sidebar.markdown)
    train(at)
    assert not at.exception and not at.error
    assert [h.label for h in at.session_state[S.COMPARISON].runs] == FOUR


def test_fewer_rows_than_features_is_explained_and_fixed_by_choosing_fewer() -> None:
    at = loaded("narrow.csv", b"a,b,c,y\n1,5,2,10\n2,3,9,20\n3,8,1,31\n")

    assert not at.exception
    assert at.slider(key=S.W_TEST_SIZE).value == 0.0  # a small table: none held out
    assert "Only 3 training row(s) for 3 feature(s) and a bias: at least 4" in texts(at.error)
    at.slider(key=S.W_TEST_SIZE).set_value(0.3).run(timeout=TIMEOUT)  # 1 held out, 2 left
    assert "Only 2 training row(s) for 3 feature(s) and a bias: at least 4" in texts(at.error)
    at.slider(key=S.W_TEST_SIZE).set_value(0.0).run(timeout=TIMEOUT)
    assert "choose fewer features" in texts(at.error)

    at.multiselect(key=S.W_FEATURES).set_value(["a"]).run(timeout=TIMEOUT)

    assert not at.error
    assert "3 training rows, 0 test rows" in texts(at.success)


def test_a_constant_feature_with_z_score_is_an_error_on_normalise_and_train() -> None:
    at = loaded("constant.csv", b"x,y\n5,1\n5,2\n5,3\n5,4\n5,6\n")
    before = snapshot(at)
    assert not at.error  # usable as it is: the problem is z-scoring it

    at.switch_page(NORM_PAGE).run(timeout=TIMEOUT)
    assert "same value" in texts(at.error)
    train(at)

    assert "same value" in texts(at.error)
    assert_kept(at, before)
    at.switch_page(NORM_PAGE).run(timeout=TIMEOUT)
    at.toggle(key=S.W_NORMALIZE).set_value(False).run(timeout=TIMEOUT)
    train(at)  # without the z-score it trains (the weight of a constant column is not unique)
    assert not at.exception and not at.error
    assert at.session_state[S.COMPARISON] is not None


def test_a_constant_target_is_an_error_on_normalise() -> None:
    at = loaded("flat.csv", b"x,y\n1,5\n2,5\n3,5\n4,5\n5,5\n")

    at.switch_page(NORM_PAGE).run(timeout=TIMEOUT)

    assert not at.exception
    assert "The target 'y' has one value in every training row" in texts(at.error)
    assert "Choose another target on the Data page" in texts(at.error)


# -- the separate test file and the Predict page's new file -------------------------------------
def with_test_table() -> AppTest:
    """Good data, a good separate test table, trained; back on the Data page."""
    at = loaded()
    at.toggle(key=S.W_TEST_FILE).set_value(True).run(timeout=TIMEOUT)
    upload(at, "test.csv", good_csv(10, seed=1), key=S.W_TEST_UPLOAD)
    assert at.session_state[S.TEST_DATA_NAME] == "test.csv"
    train(at)
    assert len(at.session_state[S.COMPARISON].dataset.y_test) == 10
    return at.switch_page(DATA_PAGE).run(timeout=TIMEOUT)


TEST_TABLE_PROBLEMS = [
    pytest.param(
        "lacking.csv",
        b"x,z\n1,2\n3,4\n",
        "The test table has no 'y' column, the target",
        id="missing column",
    ),
    pytest.param(
        "text.csv",
        b"x,y\n1,2\nmany,3\n",
        "Column 'x' is not numeric (e.g. 'many' in row 2)",
        id="text in a feature",
    ),
    pytest.param(
        "dates.csv",
        b"x,y\n2024-01-02,2\n2024-01-03,3\n",
        "Column 'x' holds dates (e.g. '2024-01-02'), not numbers",
        id="dates in a feature",
    ),
    pytest.param(
        "gaps.csv", b"x,y\n,2\n,3\n", "Every row of the test table has a missing value", id="empty"
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), UNREADABLE + TEST_TABLE_PROBLEMS)
def test_a_bad_test_file_is_an_error_and_the_test_table_and_results_stay(
    name: str, content: bytes, message: str
) -> None:
    at = with_test_table()
    before = snapshot(at)

    upload(at, name, content, key=S.W_TEST_UPLOAD)

    assert message in texts(at.error)
    assert "'test.csv' stays loaded" in texts(at.error)
    assert_kept(at, before)
    assert at.session_state[S.TEST_DATA_NAME] == "test.csv"


def test_a_test_file_with_duplicate_names_shows_the_rename() -> None:
    at = loaded()
    at.toggle(key=S.W_TEST_FILE).set_value(True).run(timeout=TIMEOUT)

    upload(at, "dupes.csv", b"x,x,y\n1,2,3\n2,3,5\n", key=S.W_TEST_UPLOAD)

    assert not at.exception and not at.error
    assert "'x' -> 'x (2)'" in texts(at.warning)
    assert "2 test rows" in texts(at.success)


def on_predict_page() -> AppTest:
    at = train(loaded())
    return at.switch_page(PREDICT_PAGE).run(timeout=TIMEOUT)


NEW_FILE_PROBLEMS = [
    pytest.param(
        "lacking.csv", b"z\n1\n", "The file lacks the feature column(s) ['x']", id="no feature"
    ),
    pytest.param(
        "text.csv", b"x\n1\nmany\n", "Column 'x' is not numeric (e.g. 'many' in row 2)", id="text"
    ),
    pytest.param("inf.csv", b"x\n1\ninf\n", "'x' has an infinite value in row 2", id="infinity"),
    pytest.param("huge.csv", b"x\n1\n1e39\n", "beyond the float32 range", id="1e39"),
]


@pytest.mark.parametrize(("name", "content", "message"), UNREADABLE + NEW_FILE_PROBLEMS)
def test_a_bad_new_file_on_predict_is_an_error_and_the_results_stay(
    name: str, content: bytes, message: str
) -> None:
    at = on_predict_page()
    before = snapshot(at)

    upload(at, name, content, key=S.W_PREDICT_UPLOAD)

    assert message in texts(at.error)
    assert_kept(at, before)
    assert "RMSE" in [c for d in at.dataframe for c in d.value.columns]  # results still shown


def test_a_new_file_with_duplicate_names_shows_the_rename_and_predicts() -> None:
    at = on_predict_page()

    upload(at, "dupes.csv", b"x,x\n1000,1\n2000,2\n", key=S.W_PREDICT_UPLOAD)

    assert not at.exception and not at.error
    assert "'x' -> 'x (2)'" in texts(at.warning)
    table = table_with(at, "predicted y (sgd)")
    assert list(table.columns[:2]) == ["x", "x (2)"]


# -- settings -----------------------------------------------------------------------------------
def test_a_learning_rate_out_of_range_is_named_and_nothing_trains() -> None:
    at = train(loaded())
    before = snapshot(at)
    box = S.W_TRAIN_PARAM.format(param="lr", name="sgd", k=0)

    for bad in ("0", "-0.1", "1e7", "1e-13"):
        at.text_input(key=box).input(bad)
        at.button(key=TRAIN_BUTTON).click().run(timeout=TIMEOUT)
        message = texts(at.error)
        assert f"SGD: Invalid learning rate: {bad!r}; it must be >= 1e-12 and <= 1e+06" in message
        assert "from the cache" not in texts(at.caption)  # the old settings did not train
        assert_kept(at, before)
        assert at.text_input(key=box).value == bad  # the typed value stays to be corrected

    for words in ("", "0,01", "fast"):
        at.text_input(key=box).input(words)
        at.button(key=TRAIN_BUTTON).click().run(timeout=TIMEOUT)
        assert "SGD:" in texts(at.error) and "learning rate" in texts(at.error)
        assert_kept(at, before)

    for edge in ("1e-12", "1e6"):  # the engine's own bounds train
        at.text_input(key=box).input(edge)
        at.button(key=TRAIN_BUTTON).click().run(timeout=TIMEOUT)
        assert not at.exception and not at.error
        assert at.session_state[S.COMPARISON].runs[0].optimizer.lr == float(edge)


def test_epochs_box_stops_at_the_engines_cap() -> None:
    at = train(loaded())
    box = at.number_input(key=S.W_TRAIN_EPOCHS)
    assert (box.min, box.max) == (1, MAX_EPOCHS)

    for bad in (0, MAX_EPOCHS + 1):
        at.number_input(key=S.W_TRAIN_EPOCHS).set_value(bad)
        at.button(key=TRAIN_BUTTON).click().run(timeout=TIMEOUT)
        assert not at.exception and not at.error
        assert 1 <= at.session_state[S.COMPARISON].config.epochs <= MAX_EPOCHS


def test_a_batch_larger_than_the_data_is_full_batch_and_says_so() -> None:
    at = train(loaded(), setup=lambda at: at.number_input(key=S.W_TRAIN_BATCH).set_value(5000))

    assert not at.exception and not at.error
    comp = at.session_state[S.COMPARISON]
    assert comp.config.batch_size == 5000
    assert len(comp.dataset.y_train) == 32  # GOOD's 40 rows, 20% held out
    assert "Batch size 5,000 is at least the 32 training rows" in texts(at.info)
    assert "full-batch step" in texts(at.info)

    at.number_input(key=S.W_TRAIN_BATCH).set_value(8)
    at.button(key=TRAIN_BUTTON).click().run(timeout=TIMEOUT)
    assert "full-batch step" not in texts(at.info)


def test_the_held_out_fraction_cannot_take_every_row() -> None:
    at = loaded("two.csv", b"x,y\n1,2\n2,4\n")
    slider = at.slider(key=S.W_TEST_SIZE)
    assert (slider.min, slider.max) == (0.0, 0.95)  # the engine's largest test size
    slider.set_value(0.0).run(timeout=TIMEOUT)
    assert "2 training rows, 0 test rows" in texts(at.success)
    before = snapshot(at)

    at.slider(key=S.W_TEST_SIZE).set_value(0.5).run(timeout=TIMEOUT)

    assert "Only 1 training row(s) for 1 feature(s) and a bias" in texts(at.error)
    assert "hold out fewer rows" in texts(at.error)
    assert_kept(at, before)

    at.slider(key=S.W_TEST_SIZE).set_value(0.95).run(timeout=TIMEOUT)  # ceil(0.95 * 2) = 2

    assert "A test size of 0.95 holds out all 2 usable rows and leaves none" in texts(at.error)
    assert not at.success
    assert_kept(at, before)
    train(at)  # the Train page refuses it too, with the same words, and trains nothing
    assert "holds out all 2 usable rows" in texts(at.error)
    assert_kept(at, before)


def test_the_target_is_never_offered_as_a_feature() -> None:
    at = loaded("three.csv", b"a,b,y\n1,5,2\n2,3,4\n3,8,7\n4,1,9\n")
    for target in ("y", "a", "b"):
        at.selectbox(key=S.W_TARGET).set_value(target).run(timeout=TIMEOUT)
        assert target not in at.multiselect(key=S.W_FEATURES).options
        assert target not in at.session_state[S.SETTINGS].features
    assert not at.exception and not at.error


def test_no_feature_chosen_is_a_warning_and_train_does_not_offer_training() -> None:
    at = trained()
    before = snapshot(at)

    at.multiselect(key=S.W_FEATURES).set_value([]).run(timeout=TIMEOUT)

    assert "Choose at least one feature" in texts(at.warning)
    assert at.session_state[S.DATA] is before[0]
    at.switch_page(TRAIN_PAGE).run(timeout=TIMEOUT)
    assert not at.exception
    assert "Choose at least one feature (x) on the Data page" in texts(at.info)
    assert not at.button  # no Train button: it would silently use every column


def test_no_optimizer_chosen_is_an_error_and_the_last_result_stays() -> None:
    at = train(loaded())
    before = snapshot(at)
    for name in FOUR:
        at.checkbox(key=S.W_TRAIN_USE.format(name=name, k=0)).uncheck()

    at.button(key=TRAIN_BUTTON).click().run(timeout=TIMEOUT)

    assert "No optimizer chosen. Pick at least one, e.g. sgd." in texts(at.error)
    assert_kept(at, before)
    assert loss_frame(at)["optimizer"].nunique() == 4  # the last result is still drawn


# -- divergence ---------------------------------------------------------------------------------
def train_one_raw(name: str, lr: float, epochs: int = 200) -> AppTest:
    """GOOD's raw x (1,000 to 5,000, every row, no z-score) trained by one optimizer at lr."""

    def only(at: AppTest) -> None:
        for other in FOUR:
            at.checkbox(key=S.W_TRAIN_USE.format(name=other, k=0)).uncheck()
        at.checkbox(key=S.W_TRAIN_USE.format(name=name, k=0)).check()
        at.text_input(key=S.W_TRAIN_PARAM.format(param="lr", name=name, k=0)).input(str(lr))

    run.clear_cache()
    at = loaded()
    at.slider(key=S.W_TEST_SIZE).set_value(0.0).run(timeout=TIMEOUT)
    at.switch_page(NORM_PAGE).run(timeout=TIMEOUT)
    at.toggle(key=S.W_NORMALIZE).set_value(False).run(timeout=TIMEOUT)
    train(at, epochs=epochs, setup=only)
    assert not at.exception and not at.error
    comp = at.session_state[S.COMPARISON]
    assert [h.optimizer.lr for h in comp.runs] == [lr] and not comp.config.normalize
    return at


# Settings that surely diverge on GOOD's raw x. A plain step: the loss's curvature is
# 2 mean(x^2) ~ 2e7, so any lr above ~1e-7 overshoots; at lr 1 the parameters grow ~1e7-fold
# per epoch and the loss leaves float32 within a few epochs. AdamW: its decoupled weight decay
# (0.01) multiplies the weights by 1 - lr * 0.01 = -9 each step at lr 1000.
# The advice names the stable limit (2 + 2 mu) / lmax of the MSE's Hessian (nesterov: divided
# by 1 + 2 mu as well); AdamW has none and is told a tenth of its rate.
STABLE = {"sgd": 2.0, "gd-manual": 2.0, "momentum": 3.8, "nesterov": 3.8 / 2.8}
DIVERGING = [*((name, 1.0, STABLE[name]) for name in PLAIN_STEPS)]
DIVERGING.append(("adamw", 1e3, None))


def raw_lmax() -> float:
    """numpy's largest eigenvalue of (2/m) A^T A, A = [x, 1], on GOOD's rows (all trained)."""
    x = pd.read_csv(io.BytesIO(GOOD))["x"].to_numpy(float)
    A = np.column_stack([x, np.ones(len(x))])
    return float(np.linalg.eigvalsh(2 * A.T @ A / len(A))[-1])


NEVER_DIVERGING = [name for name in ADAPTIVE if name != "adamw"]  # no decay by default


def test_every_optimizer_is_either_a_plain_step_or_an_adaptive_one() -> None:
    assert sorted(PLAIN_STEPS + ADAPTIVE) == sorted(OPTIMIZERS)  # a new one must be sorted in


@pytest.mark.parametrize(("name", "lr", "stable"), DIVERGING)
def test_a_run_on_raw_thousands_that_must_diverge_does_and_the_pages_say_so(
    name: str, lr: float, stable: float | None
) -> None:
    at = train_one_raw(name, lr)

    (h,) = at.session_state[S.COMPARISON].runs
    assert h.diverged_at is not None and 2 <= h.diverged_at <= 50
    assert h.epochs_run == h.diverged_at - 1  # the epochs before the blow-up are kept
    warning = texts(at.warning)
    assert f"{name} diverged at epoch {h.diverged_at}" in warning
    if stable is None:
        assert f"Lower the learning rate, e.g. to {lr / 10:g}" in warning
    else:
        assert f"its stable limit {stable / raw_lmax():.3g}" in warning
    losses = loss_frame(at)
    assert losses["epoch"].max() == h.epochs_run  # drawn up to the last finite epoch
    assert np.isfinite(losses["loss"]).all()
    assert len(at.get("vega_lite_chart")) == TRAIN_CHARTS
    summary = table_with(at, "diverged at epoch").set_index("optimizer")
    assert summary.loc[name, "diverged at epoch"] == h.diverged_at
    at.switch_page(PREDICT_PAGE).run(timeout=TIMEOUT)
    assert not at.exception and not at.error
    assert f"Left out of the charts, as they diverged: {name}." in texts(at.caption)


@pytest.mark.parametrize("name", NEVER_DIVERGING)
def test_an_adaptive_step_on_raw_thousands_at_lr_1000_never_diverges(name: str) -> None:
    # each step is about lr whatever the gradient, so the parameters stay within 200 * ~1e4
    # and the loss far inside float32
    at = train_one_raw(name, lr=1e3)

    (h,) = at.session_state[S.COMPARISON].runs
    assert h.diverged_at is None and h.epochs_run == 200
    assert "diverged" not in texts(at.warning)
    losses = loss_frame(at)
    assert losses["epoch"].max() == 200 and np.isfinite(losses["loss"]).all()
    assert len(at.get("vega_lite_chart")) == TRAIN_CHARTS
    at.switch_page(PREDICT_PAGE).run(timeout=TIMEOUT)
    assert not at.exception and not at.error
    assert "diverged" not in texts(at.caption)


# -- user text is never markup --------------------------------------------------------------------
NASTY = [  # column names: two features and the target
    "<script>alert(1)</script>",
    "**bold** www.evil.com",
    "<img src=x onerror=alert(1)> :material/home:",
]
NASTY_FILE = "<b>x</b>.csv"
NASTY_NEW_FILE = "[link](http://evil.example).csv"
RAW = [*NASTY, NASTY_FILE, NASTY_NEW_FILE, "**bold", "<script", "<img", "<b>x", "www.evil"]
RAW += ["http://evil", ":material/home"]
MARKDOWN_FIELDS = ("body", "label", "help", "placeholder")  # rendered as markdown by Streamlit


def elements(at: AppTest) -> Iterator[object]:
    stack: list[object] = [at._tree]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(getattr(node, "children", {}).values())


def markdown_texts(at: AppTest) -> list[str]:
    """Every string the page renders as markdown: bodies, labels and help of every element."""
    out = []
    for node in elements(at):
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "ListFields"):
            continue
        assert not getattr(proto, "allow_html", False), f"HTML allowed in {node}"
        out += [
            v for f, v in proto.ListFields() if f.name in MARKDOWN_FIELDS and isinstance(v, str)
        ]
    return out


def assert_no_raw_markup(at: AppTest) -> None:
    assert not at.exception
    rendered = markdown_texts(at)
    assert rendered
    for text in rendered:
        active = re.sub(r"\\.|\u2060", "\0", text)  # escaped characters are inert
        for raw in RAW:
            assert raw not in active, f"user text {raw!r} rendered as markup in {text!r}"


def test_column_and_file_names_are_shown_as_typed_never_as_html_or_markdown() -> None:
    rows = "\n".join(f"{i},{i * i % 7},{3 * i + 1}" for i in range(12))
    at = loaded(NASTY_FILE, (",".join(f'"{n}"' for n in NASTY) + "\n" + rows).encode())
    assert not at.error
    assert_no_raw_markup(at)
    assert f"{NASTY_FILE}: 12 rows" in texts(at.subheader)  # shown literally, once unescaped
    assert f"Target: **{NASTY[2]}**" in texts(at.sidebar.markdown)
    assert NASTY in [list(d.value.columns) for d in at.dataframe]  # the table: raw text
    assert at.multiselect(key=S.W_FEATURES).value == NASTY[:2]

    at.switch_page(NORM_PAGE).run(timeout=TIMEOUT)
    assert_no_raw_markup(at)
    train(at)
    assert_no_raw_markup(at)
    at.switch_page(PREDICT_PAGE).run(timeout=TIMEOUT)
    assert_no_raw_markup(at)
    assert f"in {NASTY[2]}'s units" in texts(at.caption)
    new = (",".join(f'"{n}"' for n in NASTY[:2]) + "\n1,2\n").encode()
    upload(at, NASTY_NEW_FILE, new, key=S.W_PREDICT_UPLOAD)
    assert not at.error
    assert_no_raw_markup(at)
    labels = [shown(b.label) for b in at.get("download_button")]
    assert f"Predictions for {NASTY_NEW_FILE} (CSV)" in labels
    # an error that quotes user strings (the engine puts names in its messages)
    upload(at, NASTY_NEW_FILE, (f'"{NASTY[0]}"\n1\n').encode(), key=S.W_PREDICT_UPLOAD)
    assert f"lacks the feature column(s) ['{NASTY[1]}']" in texts(at.error)
    assert_no_raw_markup(at)


def test_no_page_or_helper_allows_html() -> None:
    for path in app_files():
        text = path.read_text(encoding="utf-8")
        assert "unsafe_allow_html" not in text, path
        assert not re.search(r"\bst\.html\s*\(", text), path
        assert not re.search(r"components\.v1", text), path


# -- nothing uploaded is evaluated; downloads are defused; the server config -------------------
def app_files() -> list:
    roots = [REPO_ROOT / "ui", REPO_ROOT / "app_pages", REPO_ROOT / "linreg_core"]
    return [REPO_ROOT / "streamlit_app.py", *(p for r in roots for p in sorted(r.glob("*.py")))]


UNSAFE_MODULES = {"pickle", "cPickle", "dill", "cloudpickle", "joblib", "marshal", "shelve"}
UNSAFE_CALLS = {"eval", "exec", "compile", "__import__"}
UNSAFE_ATTRIBUTES = {"read_pickle", "to_pickle", "load", "loads", "unsafe_load", "full_load"}
SAFE_LOADERS = {"json", "tomllib"}  # json.load(s) and tomllib.loads (the catalogs) only parse data


def test_nothing_in_the_app_unpickles_or_evaluates_anything() -> None:
    for path in app_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                modules = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not {m.split(".")[0] for m in modules} & UNSAFE_MODULES, (path, node.lineno)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in UNSAFE_CALLS, (path, node.lineno)
            elif isinstance(node, ast.Attribute) and node.attr in UNSAFE_ATTRIBUTES:
                owner = node.value.id if isinstance(node.value, ast.Name) else ""
                assert owner in SAFE_LOADERS, f"{path}:{node.lineno} calls {owner}.{node.attr}"


def test_the_only_uploads_are_the_three_tables_and_the_experiment_file() -> None:
    # The three tables go through the tables reader (below); an experiment file is JSON read by
    # ui.experiment.loads alone, strictly checked (tests/test_experiment.py).
    uploads = []
    for path in app_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "file_uploader":
                keys = [k.value for k in node.keywords if k.arg == "key"]
                uploads += [ast.unparse(k).rsplit(".", 1)[-1] for k in keys]  # S.X / state.X
    assert sorted(uploads) == ["W_EXPERIMENT", "W_PREDICT_UPLOAD", "W_TEST_UPLOAD", "W_UPLOAD"]


def quoted_thousands(n: int = 40, seed: int = 0) -> tuple[bytes, list[float]]:
    """GOOD's table with x written as "1,234.5" (quoted, a thousands separator), and x."""
    table = pd.read_csv(io.BytesIO(good_csv(n, seed)))
    text = table.assign(x=[f"{v:,.1f}" for v in table["x"]])
    return text.to_csv(index=False, quoting=1).encode(), table["x"].tolist()


def test_every_upload_is_read_by_the_tables_reader() -> None:
    # The reader's checks and conversions show on each of the three uploaders: a pickle is
    # refused unread with the reader's words, and quoted numbers with thousands separators
    # arrive as numbers (pandas alone would read them as text).
    pickled = pickle.dumps({"x": [1]})
    train_csv, train_x = quoted_thousands()
    at = loaded("thousands.csv", train_csv)
    assert not at.error and at.session_state[S.DATA]["x"].tolist() == train_x
    upload(at, "model.csv", pickled)
    assert "Python pickle, not a table" in texts(at.error)
    assert at.session_state[S.DATA_NAME] == "thousands.csv"

    at.toggle(key=S.W_TEST_FILE).set_value(True).run(timeout=TIMEOUT)
    upload(at, "model.csv", pickled, key=S.W_TEST_UPLOAD)
    assert "Python pickle, not a table" in texts(at.error)
    assert at.session_state[S.TEST_DATA] is None
    test_csv, test_x = quoted_thousands(10, seed=1)
    upload(at, "test.csv", test_csv, key=S.W_TEST_UPLOAD)
    assert not at.error and at.session_state[S.TEST_DATA]["x"].tolist() == test_x

    train(at)
    at.switch_page(PREDICT_PAGE).run(timeout=TIMEOUT)
    upload(at, "model.csv", pickled, key=S.W_PREDICT_UPLOAD)
    assert "Python pickle, not a table" in texts(at.error)
    new_csv, new_x = quoted_thousands(5, seed=2)
    upload(at, "new.csv", new_csv, key=S.W_PREDICT_UPLOAD)
    assert not at.exception and not at.error
    table = table_with(at, "predicted y (sgd)")
    assert table["x"].tolist() == new_x
    assert np.isfinite(table["predicted y (least squares)"]).all()


def test_every_csv_download_goes_through_safe_csv() -> None:
    calls = []
    for path in app_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "download_button":
                kwargs = {k.arg: k.value for k in node.keywords}
                mime = kwargs.get("mime")
                if isinstance(mime, ast.Constant) and mime.value == "text/csv":
                    data = node.args[1] if len(node.args) > 1 else kwargs.get("data")
                    if isinstance(data, ast.Lambda):  # built on the click: lambda: safe_csv(...)
                        data = data.body
                    func = getattr(data, "func", None)  # safe_csv(...) or files.safe_csv(...)
                    name = getattr(func, "id", None) or getattr(func, "attr", None)
                    # csv_when_clicked writes with safe_csv when the button is clicked
                    calls.append(name in ("safe_csv", "csv_when_clicked"))
    assert calls and all(calls)


def test_the_predictions_csv_defuses_formula_text_from_an_uploaded_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: dict[str, bytes] = {}
    original = DeltaGenerator.download_button

    def record(self: DeltaGenerator, label: str, data: object, *args: object, **kw: object):
        if kw.get("mime") == "text/csv":
            sent[shown(label)] = data  # type: ignore[assignment]
        return original(self, label, data, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(DeltaGenerator, "download_button", record)
    at = on_predict_page()
    csv = b'name,x\n=HYPERLINK("http://evil"),1000\n+1+2,2000\n@SUM(A1),3000\nplain,4000\n'

    upload(at, "new.csv", csv, key=S.W_PREDICT_UPLOAD)

    assert not at.exception and not at.error
    assert list(table_with(at, "predicted y (sgd)")["name"])[:1] == ['=HYPERLINK("http://evil")']
    data = sent["Predictions for new.csv (CSV)"]
    if callable(data):  # written when the button is clicked: what a click downloads
        data = data()
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back["name"].tolist() == ['\'=HYPERLINK("http://evil")', "'+1+2", "'@SUM(A1)", "plain"]
    assert back["x"].tolist() == [1000, 2000, 3000, 4000]  # numbers stay numbers


def test_server_config_keeps_xsrf_protection_and_hides_tracebacks() -> None:
    config = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"].get("enableCORS", True) is True
    assert config["client"]["showErrorDetails"] not in ("full", "stacktrace", True)
    assert config["client"]["showErrorDetails"] == "none"


# -- sessions stay apart ------------------------------------------------------------------------
def test_two_sessions_with_different_uploads_never_share_data_or_results() -> None:
    run.clear_cache()
    a = loaded("a.csv", GOOD)
    b = loaded("b.csv", good_csv(30, seed=5))
    train(a)
    upload(b.switch_page(DATA_PAGE).run(timeout=TIMEOUT), "bad.csv", PNG)  # B's error stays B's
    train(b)

    assert not a.error and "PNG image" not in texts(a.error)
    ssa, ssb = a.session_state, b.session_state
    assert (ssa[S.DATA_NAME], ssb[S.DATA_NAME]) == ("a.csv", "b.csv")
    assert ssa[S.DATA] is not ssb[S.DATA] and len(ssa[S.DATA]) == 40 and len(ssb[S.DATA]) == 30
    assert ssa[S.COMPARISON] is not ssb[S.COMPARISON]
    assert len(ssa[S.COMPARISON].dataset.y_train) == 32
    assert len(ssb[S.COMPARISON].dataset.y_train) == 24
    a.run(timeout=TIMEOUT)
    assert a.session_state[S.DATA_NAME] == "a.csv"  # B's later upload did not reach A


def test_a_cached_result_is_a_copy_per_session_and_pages_never_change_it() -> None:
    run.clear_cache()
    a = train(loaded())
    b = train(loaded())
    assert "from the cache" in texts(b.caption)  # same table and settings: one training
    comp_a, comp_b = a.session_state[S.COMPARISON], b.session_state[S.COMPARISON]
    assert comp_a is not comp_b and comp_a.runs is not comp_b.runs
    frozen = pickle.dumps(comp_b)

    comp_a.runs[0].label = "changed in A"  # what a page must never do, and if one did:
    comp_a.runs.pop()
    c = train(loaded())
    assert [h.label for h in c.session_state[S.COMPARISON].runs] == FOUR
    assert [h.label for h in b.session_state[S.COMPARISON].runs] == FOUR

    for page in (TRAIN_PAGE, PREDICT_PAGE):  # every page that reads the result
        b.switch_page(page).run(timeout=TIMEOUT)
    b.selectbox(key=S.W_PREDICT_MODEL).set_value("adam").run(timeout=TIMEOUT)
    upload(b, "new.csv", b"x\n1000\n2000\n", key=S.W_PREDICT_UPLOAD)
    b.switch_page(TRAIN_PAGE).run(timeout=TIMEOUT)
    b.selectbox(key=S.W_TRAIN_LOG_RUN).set_value("adam").run(timeout=TIMEOUT)
    assert not b.exception
    assert b.session_state[S.COMPARISON] is comp_b
    assert pickle.dumps(comp_b) == frozen  # not changed in place by any page


def test_ui_modules_hold_no_session_data_and_their_defaults_stay_unchanged() -> None:
    def defaults() -> object:
        presets_now = [(p.settings, p.published) for p in presets.PRESETS]
        return copy.deepcopy((S.DEFAULTS, S.DASHBOARD, S.DASHBOARD_OPTIMIZERS, presets_now))

    before = defaults()
    a = trained()
    a.switch_page(START_PAGE).run(timeout=TIMEOUT)
    a.button(key=S.W_PRESET_PREFIX + presets.PRESETS[0].key).click().run(timeout=TIMEOUT)
    a.button(key=TRAIN_BUTTON).click().run(timeout=TIMEOUT)
    # settings and a preset's numbers are frozen: a page can replace them, never change them in
    # place, so a preset or the dashboard's defaults shared with a session stay as they are
    cfg, published = a.session_state[S.SETTINGS], a.session_state[S.PUBLISHED]
    assert isinstance(cfg.features, tuple) and isinstance(cfg.optimizers, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.features = ("extra",)  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.optimizers[0].lr = 9.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        published.weights = (9.0,)
    b = train(loaded("b.csv", good_csv(20, seed=3)))
    b.switch_page(NORM_PAGE).run(timeout=TIMEOUT)
    b.toggle(key=S.W_NORMALIZE).set_value(False).run(timeout=TIMEOUT)  # a session's own change
    train(b)
    assert not b.exception and not b.error
    assert b.session_state[S.COMPARISON].config.normalize is False

    assert defaults() == before
    assert S.DASHBOARD.normalize is True  # b's change stayed b's
    session_objects = {  # the mutable objects of a session: tables and results
        id(at.session_state[key]) for at in (a, b) for key in (S.DATA, S.COMPARISON)
    }
    for name, module in list(sys.modules.items()):
        if name == "ui" or name.startswith("ui."):
            for attr, value in vars(module).items():
                assert id(value) not in session_objects, f"{name}.{attr} holds a session's data"


def test_json_with_nested_cells_trains_and_names_the_unusable_column() -> None:
    records = [
        {"x": i, "y": 2.0 * i + 1, "tags": ["a"] * (i % 3), "meta": {"i": i}} for i in range(12)
    ]
    at = loaded("nested.json", json.dumps(records).encode())

    assert not at.exception and not at.error
    overview = table_with(at, "usable")
    reasons = dict(zip(overview["column"], overview["usable"], strict=True))
    assert "lists or objects" in reasons["tags"] and "lists or objects" in reasons["meta"]
    at = train(at)
    assert not at.exception and not at.error
    assert at.session_state[S.COMPARISON].dataset.features == ("x",)
