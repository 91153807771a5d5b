"""The engine's errors and the reader's notes speak both languages: str() is the English the
command line prints, in_language("ko") the Korean the dashboard shows; every error is raised
with a catalog key, never a sentence, so no message is left in one language only."""

from __future__ import annotations

import ast
import copy
import json
import pickle
import re
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from apptest_harness import DATA_PAGE, TIMEOUT, start_app, texts, upload

from linreg_core import ConfigError, DataError, LinRegError, OptimizerConfig, RunConfig, read_table
from linreg_core.budget import check
from linreg_core.data import column_values, prepare
from linreg_core.errors import DataWarning, Said
from linreg_core.i18n import catalog, has
from linreg_core.rows import condition_mask, parse_where, with_numbers_from_text
from linreg_core.sweep import parse_lrs
from ui import state as S

HANGUL = re.compile(r"[\uac00-\ud7a3]")
LEFTOVER = re.compile(r"\{[A-Za-z_]\w*(![rsa])?(:[^{}\"]*)?\}")  # an unfilled {name} or {n:,}
CORE = Path(__file__).resolve().parent.parent / "linreg_core"
TABLE = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [2.0, 4.1, 5.9, 8.2], "city": list("abab")})


def assert_both_languages(exc: LinRegError, english: list[str], korean: str) -> None:
    ko = exc.in_language("ko")
    for words in english:
        assert words in str(exc)
    assert not HANGUL.search(str(exc)), str(exc)
    assert korean in ko and HANGUL.search(ko), ko
    assert not LEFTOVER.search(ko) and not LEFTOVER.search(str(exc)), (ko, str(exc))


def _raised(make: Callable[[], object]) -> LinRegError:
    with pytest.raises(LinRegError) as info:
        make()
    return info.value


CASES = [
    pytest.param(
        lambda: read_table(b"", name="empty.csv"),
        ["'empty.csv' is empty.", "Choose a file with a header row"],
        "비어 있습니다",
        id="an empty file",
    ),
    pytest.param(
        lambda: read_table(b"   \n"),
        ["the file is empty."],
        "파일",
        id="an empty upload without a name",
    ),
    pytest.param(
        lambda: read_table(b"\x89PNG\r\n\x1a\n...", name="photo.csv"),
        ["This file is a PNG image, not a table."],
        "PNG 이미지",
        id="an image",
    ),
    pytest.param(
        lambda: read_table(b"a,b\n1,2\n1,2,3\n", name="ragged.csv"),
        ["line 3 has 3 cells but the header has 2"],
        "3번째 줄",
        id="a ragged csv",
    ),
    pytest.param(
        lambda: OptimizerConfig(lr=-1),
        ["Invalid learning rate: -1", "Use a positive step size"],
        "학습률",
        id="a bad setting",
    ),
    pytest.param(
        lambda: RunConfig(target="y", epochs=0),
        ["Invalid number of epochs: 0."],
        "에포크",
        id="a bad epoch count",
    ),
    pytest.param(
        lambda: OptimizerConfig(name="lion"),
        ["Unknown optimizer 'lion'. Known optimizers:"],
        "옵티마이저",
        id="an unknown optimizer",
    ),
    pytest.param(
        lambda: column_values(TABLE, "price"),
        ["No column named 'price'. The table has: 'x', 'y', 'city'."],
        "열이 없습니다",
        id="an unknown column",
    ),
    pytest.param(
        lambda: column_values(TABLE, "city"),
        ["Column 'city' is not numeric (e.g. 'a' in row 1)."],
        "숫자 열이 아닙니다",
        id="a text column",
    ),
    pytest.param(
        lambda: parse_where("city"),
        ["Invalid filter 'city'. Write it as COL OP VALUE"],
        "필터",
        id="a bad row filter",
    ),
    pytest.param(
        lambda: condition_mask(TABLE, parse_where("city > a")),
        ["The filter 'city > a' orders text"],
        "텍스트",
        id="a filter that orders text",
    ),
    pytest.param(
        lambda: prepare(
            TABLE, RunConfig(target="y", features=("x",), where=(parse_where("x > 9"),))
        ),
        ["No row is left: Rows where x > 9: 0 of 4 kept. Change or remove a filter."],
        "남은 행이 없습니다",
        id="filters that keep no row",
    ),
    pytest.param(
        lambda: prepare(TABLE.head(2), RunConfig(target="y", features=("x",), test_size=0.5)),
        ["Only 1 training row(s) for 1 feature(s) and a bias: at least 2 are needed"],
        "편향",
        id="too few rows",
    ),
    pytest.param(
        lambda: with_numbers_from_text(TABLE, ("city",)),
        ["Column 'city' is not numbers written with a unit"],
        "단위",
        id="numbers from text that has none",
    ),
    pytest.param(
        lambda: column_values(read_table(b"a;b\n1,5;1\n4.5;2\n", name="mixed.csv"), "a"),
        ["Column 'a' cannot be used: it mixes decimal commas and decimal points ('1,5' beside"],
        "섞여",
        id="numbers written two ways",
    ),
    pytest.param(
        lambda: parse_lrs("0.1,fast"),
        ["Invalid learning rate 'fast': not a number.", "e.g. 0.001,0.01,0.1."],
        "쉼표",
        id="a sweep's bad learning rate",
    ),
    pytest.param(
        lambda: check(1_000, 3, RunConfig(target="y", epochs=100_000, batch_size=1), 600),
        ["This run would take about", "x 100,000 epochs x 1,000 batches of 1 rows"],
        "에포크",
        id="a run too long",
    ),
]


@pytest.mark.parametrize(("make", "english", "korean"), CASES)
def test_an_engine_error_is_english_as_text_and_korean_in_korean(make, english, korean) -> None:
    assert_both_languages(_raised(make), english, korean)


def test_a_run_too_long_names_its_duration_in_korean_units() -> None:
    exc = _raised(lambda: check(1_000, 3, RunConfig(target="y", epochs=100_000, batch_size=1), 600))
    assert "about 20 min (" in str(exc) and "the limit is 10 min." in str(exc)
    assert "약 20분(" in exc.in_language("ko") and "한도는 10분입니다" in exc.in_language("ko")


def test_the_readers_notes_are_sentences_in_both_languages() -> None:
    df = read_table(b"x,x,y\n1,2,3\n2,3,5\n", name="twice.csv")
    [note] = df.attrs["notes"]
    assert isinstance(note, Said)
    assert str(note) == "Some columns had the same name and were renamed: 'x' -> 'x (2)'."
    assert "이름을 바꿨습니다" in note.in_language("ko") and "'x (2)'" in note.in_language("ko")


def test_a_number_format_note_gives_its_cells_in_both_languages() -> None:
    df = read_table(b"x;y\n1.234,5;1\n2,25;2\n3;3\n", name="eu.csv")
    [note] = df.attrs["notes"]
    assert str(note) == (
        "Column 'x' is written with decimal commas and '.' between thousands: "
        "read '1.234,5' as 1234.5, '2,25' as 2.25, '3' as 3."
    )
    ko = note.in_language("ko")
    assert "소수점 쉼표" in ko and "'1.234,5' → 1234.5" in ko and not LEFTOVER.search(ko)


def test_notes_survive_the_copies_pandas_makes_and_pickling() -> None:
    df = read_table(b",x,x\n0,1,2\n1,3,5\n", name="index.csv")  # a saved index and a clash
    english = [str(n) for n in df.attrs["notes"]]
    korean = [n.in_language("ko") for n in df.attrs["notes"]]
    assert len(english) == 2
    for copied in (
        df.copy(),
        df.head(1),
        df[["x"]],
        df.reset_index(drop=True),
        copy.deepcopy(df),
        pickle.loads(pickle.dumps(df)),
    ):
        notes = copied.attrs["notes"]
        assert all(isinstance(n, Said) for n in notes)
        assert [str(n) for n in notes] == english
        assert [n.in_language("ko") for n in notes] == korean


def test_a_tables_attrs_stay_json_for_the_arrow_table_streamlit_sends() -> None:
    df = read_table(b"x,x,y\n1,2,3\n2,3,5\n", name="twice.csv")
    assert json.loads(json.dumps(df.attrs))["notes"] == [str(n) for n in df.attrs["notes"]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pyarrow warns when attrs are not JSON, and drops them
        pa.Table.from_pandas(df)


def test_a_korean_session_shows_the_readers_notes_and_the_cores_errors_in_korean() -> None:
    at = start_app(locale="ko-KR").switch_page(DATA_PAGE).run(timeout=TIMEOUT)
    upload(at, "twice.csv", b"x,x,y\n1,2,3\n2,3,5\n3,4,7\n")
    assert not at.exception
    assert "이름이 같은 열이 있어서 이름을 바꿨습니다: 'x' -> 'x (2)'" in texts(at.warning)
    assert "renamed" not in texts(at.warning)

    at.button(key=S.W_USE_TYPED).click().run(timeout=TIMEOUT)  # seed 000's three rows
    at.selectbox(key=S.W_TARGET).set_value("y").run(timeout=TIMEOUT)
    at.slider(key=S.W_TEST_SIZE).set_value(0.5).run(timeout=TIMEOUT)  # 2 held out, 1 left
    assert not at.exception
    assert "훈련 행이 1개뿐입니다" in texts(at.error) and "Only 1" not in texts(at.error)


def test_a_pickled_error_keeps_its_korean() -> None:
    # what st.cache_data and a process pool do to an error: pickle it and build it again
    for exc in (
        _raised(lambda: read_table(b"", name="empty.csv")),
        _raised(lambda: read_table(b"  ")),  # a Said as a parameter: "the file"
        _raised(lambda: OptimizerConfig(lr=-1)),  # Saids for the bound's name and fix
    ):
        again = pickle.loads(pickle.dumps(exc))
        assert type(again) is type(exc)
        assert str(again) == str(exc)
        assert again.in_language("ko") == exc.in_language("ko")
        assert HANGUL.search(again.in_language("ko"))


def test_a_data_error_is_still_a_value_error_with_its_key() -> None:
    exc = _raised(lambda: read_table(b"", name="empty.csv"))
    assert isinstance(exc, DataError) and isinstance(exc, ValueError)
    assert exc.code == "error.data.empty" and exc.params == {"label": "'empty.csv'"}
    with pytest.raises(ConfigError, match=r"Invalid seed: -1\. Use a whole number >= 0\."):
        RunConfig(target="y", seed=-1)


# -- every error is raised with a catalog key (an AST scan of linreg_core/*.py) -----------------
# Modules whose errors are still sentences because their own helper converts them (issue 14):
# remove a module from here once its branch is merged (the scan then fails on a stale entry).
PENDING: dict[str, str] = {}  # module -> why its raises are not catalog keys yet (none left)
# (module, function) whose error passes a message that is not ours to translate, with the reason.
# None today: a library's own words (an OSError's strerror, pandas' or json's message, argparse's
# usage error) go into a catalog sentence as a parameter, e.g. problem=str(exc).
LIBRARY_TEXT: dict[tuple[str, str], str] = {}


def _subclasses(cls: type) -> set[str]:
    return {cls.__name__} | {name for sub in cls.__subclasses__() for name in _subclasses(sub)}


def _error_classes(trees: dict[str, ast.Module]) -> set[str]:
    """LinRegError, DataWarning and every class in the core that derives from them."""
    names = _subclasses(LinRegError) | _subclasses(DataWarning)
    while True:
        found = {
            node.name
            for tree in trees.values()
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef)
            and any(getattr(b, "id", getattr(b, "attr", None)) in names for b in node.bases)
        }
        if found <= names:
            return names
        names |= found


def _keys(arg: ast.expr) -> list[str] | None:
    """The catalog keys a first argument can be: a constant, or either side of `a if c else b`."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return [arg.value]
    if isinstance(arg, ast.IfExp):
        body, orelse = _keys(arg.body), _keys(arg.orelse)
        return None if body is None or orelse is None else body + orelse
    return None


def _functions(tree: ast.Module) -> dict[ast.AST, str]:
    """Each node of tree -> the name of the function that holds it ('' at module level)."""
    owner: dict[ast.AST, str] = {}
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(fn):
                if node is not fn:
                    owner.setdefault(node, fn.name)  # the innermost function is walked last
    return owner


def _problems(core: Path = CORE) -> dict[str, list[str]]:
    """Module -> its calls that build an error from a sentence or from a key not in the catalog."""
    trees = {p.name: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(core.glob("*.py"))}
    errors = _error_classes(trees)
    found: dict[str, list[str]] = {}
    for module, tree in trees.items():
        owner = _functions(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name == "Said" and node.args and isinstance(node.args[0], ast.JoinedStr):
                prefix = node.args[0].values[0]  # f"error.data.kind.{what}": a family of keys
                start = prefix.value if isinstance(prefix, ast.Constant) else ""
                if not any(k.startswith(str(start)) for k in catalog("en")) or not start:
                    found.setdefault(module, []).append(f"line {node.lineno}: no key {start}...")
                continue
            if name not in errors | {"Said"}:
                continue
            keys = _keys(node.args[0]) if node.args else None
            if name == "Said" and keys is None:
                continue  # Said(variable): the variable holds a key checked where it is set
            if (module, owner.get(node, "")) in LIBRARY_TEXT:
                continue
            if keys is None or not all(has(k) for k in keys):
                shown = ast.unparse(node.args[0]) if node.args else "(no message)"
                found.setdefault(module, []).append(f"line {node.lineno}: {name}({shown[:60]})")
    return found


def test_every_error_in_the_core_is_raised_with_a_catalog_key() -> None:
    problems = _problems()
    stale = sorted(m for m in PENDING if m not in problems)
    assert not stale, f"{stale} raise only catalog keys now: remove them from PENDING"
    left = {m: lines for m, lines in problems.items() if m not in PENDING}
    assert not left, "raise LinRegError('error.area.key', **params), not a sentence:\n" + "\n".join(
        f"{m} {line}" for m, lines in left.items() for line in lines
    )


def test_the_scan_catches_a_sentence_and_an_unknown_key(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(
        "from linreg_core.errors import DataError\n"
        "def f(x):\n"
        "    raise DataError(f'Column {x!r} is bad.')\n"
        "def g():\n"
        "    raise DataError('error.data.no_such_key')\n",
        encoding="utf-8",
    )
    assert [line.split(":")[0] for line in _problems(tmp_path)["bad.py"]] == ["line 3", "line 5"]
