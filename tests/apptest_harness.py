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

REPO_ROOT = Path(__file__).resolve().parent.parent
APP = REPO_ROOT / "streamlit_app.py"
SAMPLE_DATA = REPO_ROOT / "sample_data"
TIMEOUT = 30  # s per script run: the first one imports torch
MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: \ before ASCII punctuation


def start_app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """A fresh session of the app after its first run (the Start page)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    return at.run(timeout=TIMEOUT)


def shown(markdown: str) -> str:
    """Markdown as the reader sees it: without the backslash escapes and invisible word joiners
    that ui.session.escape_md puts into user text."""
    return MARKDOWN_ESCAPE.sub(r"\1", markdown).replace("\u2060", "")


def texts(elements: object) -> str:
    """The values of a list of AppTest elements (st.error, st.info, ...) as one string, as shown."""
    return "\n".join(shown(str(e.value)) for e in elements)  # type: ignore[attr-defined]
