"""The repository's layout keeps Streamlit out of its old multipage mode."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRY_POINT = ROOT / "streamlit_app.py"


def test_nothing_named_pages_sits_beside_the_entry_point() -> None:
    # Streamlit checks only whether a path called `pages` exists beside the entry point: a file,
    # an empty folder or a symlink counts as much as a folder of scripts, and on a
    # case-insensitive disk (macOS, Windows) so does `Pages`. Broken symlinks are listed too.
    assert ENTRY_POINT.exists(), f"no {ENTRY_POINT.name} in {ROOT}"
    found = sorted(p.name for p in ROOT.iterdir() if p.name.casefold() == "pages")
    assert not found, (
        f"{found} beside {ENTRY_POINT.name}: rename it (the pages live in app_pages/). While a "
        "path named `pages` is there, Streamlit starts every server in its old multipage mode, "
        "which lasts until st.navigation has run once; so a link to a page such as /train, "
        "opened first on a freshly started (or woken-up) server, runs that page's script alone, "
        "without the app's navigation and sidebar."
    )
