"""AppTest harness for the page tests: the whole app (streamlit_app.py) with its real navigation.

`start_app(monkeypatch)` gives a fresh session that has run once (it shows the Start page); then
`at.switch_page("pages/1_data.py").run(timeout=TIMEOUT)` moves between pages. Each page-test
file wraps it in an `app` fixture.

Why the patch: a real server learns on the first st.navigation call that the app does not use
the old pages/ folder convention, and remembers it (PagesManager.uses_pages_directory = False).
AppTest resets that flag before every run, so from the second run on it would run a page of
pages/ on its own, without streamlit_app.py (no sidebar, no state initialised). start_app keeps
the flag as a server would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

REPO_ROOT = Path(__file__).resolve().parent.parent
APP = REPO_ROOT / "streamlit_app.py"
SAMPLE_DATA = REPO_ROOT / "sample_data"
TIMEOUT = 30  # s per script run: the first one imports torch


def start_app(monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """A fresh session of the app after its first run (the Start page)."""
    original_init = PagesManager.__init__

    def init_as_a_server_would(self: PagesManager, *args: object, **kwargs: object) -> None:
        original_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False  # the app calls st.navigation

    monkeypatch.setattr(PagesManager, "__init__", init_as_a_server_would)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    return at.run(timeout=TIMEOUT)


def texts(elements: object) -> str:
    """The values of a list of AppTest elements (st.error, st.info, ...) as one string."""
    return "\n".join(str(e.value) for e in elements)  # type: ignore[attr-defined]
