"""The app's pages, named once: their scripts, titles, icons and addresses, and a page link that
also works when a page script runs on its own (tests)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from ui.i18n import t


@dataclass(frozen=True)
class Page:
    script: str  # path from the repository root
    name: str  # its title's catalog key: nav.<name>
    icon: str
    url_path: str | None  # None: the default page, served at "/"

    @property
    def title(self) -> str:
        """The page's title in the session's language."""
        return t(f"nav.{self.name}")


START = Page("app_pages/0_start.py", "start", ":material/home:", None)
DATA = Page("app_pages/1_data.py", "data", ":material/table:", "data")
NORMALISE = Page("app_pages/2_normalise.py", "normalise", ":material/tune:", "normalise")
TRAIN = Page("app_pages/3_train.py", "train", ":material/model_training:", "train")
PREDICT = Page("app_pages/4_predict.py", "predict", ":material/online_prediction:", "predict")
PAGES = (START, DATA, NORMALISE, TRAIN, PREDICT)


def st_pages() -> list[st.Page]:  # type: ignore[name-defined]
    """The pages for st.navigation; Start is the default, served at "/"."""
    return [
        st.Page(p.script, title=p.title, icon=p.icon, default=True)
        if p.url_path is None
        else st.Page(p.script, title=p.title, icon=p.icon, url_path=p.url_path)
        for p in PAGES
    ]


def page_link(page: Page, label: str | None = None, icon: str | None = None) -> None:
    """st.page_link, or the page's name in words when the page runs on its own (tests)."""
    label = label or page.title
    try:
        st.page_link(page.script, label=label, icon=icon or page.icon)
    except StreamlitPageNotFoundError:  # the page runs on its own, without st.navigation
        st.markdown(t("nav.open_in_sidebar", page=label))
