"""AppTest harness for the page tests: the whole app (streamlit_app.py) with its real navigation.

`start_app(monkeypatch)` gives a fresh session that has run once (it shows the Start page); then
`at.switch_page("app_pages/1_data.py").run(timeout=TIMEOUT)` moves between pages. Each page-test
file wraps it in an `app` fixture.

The page scripts live in app_pages/, not pages/: a folder named pages/ switches Streamlit to its
older multipage mode until st.navigation has run once, so a shared deep link (/train) on a fresh
server, and every AppTest run after the first, would run a page without streamlit_app.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from linreg_core import read_table
from ui import state as S

REPO_ROOT = Path(__file__).resolve().parent.parent
APP = REPO_ROOT / "streamlit_app.py"
SAMPLE_DATA = REPO_ROOT / "sample_data"
TIMEOUT = 30  # s per script run: the first one imports torch
FOUR = ["sgd", "momentum", "rmsprop", "adam"]  # the optimizers the Train form starts with
MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: \ before ASCII punctuation


def start_app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """A fresh session of the app after its first run (the Start page)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    return at.run(timeout=TIMEOUT)


def choose(
    at: AppTest,
    csv: str,
    target: str,
    features: list[str],
    *,
    normalize: bool = True,
    test_size: float = 0.2,
    optimizers: list[dict] | None = None,
    epochs: int = 200,
) -> dict[str, object]:
    """Put a sample table and settings into the session, as the Data, Normalise and Train pages
    would; the values it put, keyed as in st.session_state."""
    values = {
        S.DATA: read_table(SAMPLE_DATA / csv),
        S.DATA_NAME: csv,
        S.TARGET: target,
        S.FEATURES: features,
        S.NORMALIZE: normalize,
        S.NORMALIZE_TARGET: False,
        S.TEST_SIZE: test_size,
        S.SPLIT_SEED: 0,
        S.TRAINING: {
            "optimizers": optimizers or [{"name": n, "lr": 0.1} for n in FOUR],
            "epochs": epochs,
            "batch_size": None,
            "init": "zeros",
            "bias": True,
        },
    }
    for key, value in values.items():
        at.session_state[key] = value
    return values


def shown(markdown: str) -> str:
    """Markdown as the reader sees it: without the backslash escapes and invisible word joiners
    that ui.session.escape_md puts into user text."""
    return MARKDOWN_ESCAPE.sub(r"\1", markdown).replace("\u2060", "")


def texts(elements: object) -> str:
    """The values of a list of AppTest elements (st.error, st.info, ...) as one string, as shown."""
    return "\n".join(shown(str(e.value)) for e in elements)  # type: ignore[attr-defined]
