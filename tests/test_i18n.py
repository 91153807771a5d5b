"""The two catalogs (linreg_core/locales/en.toml, ko.toml): the same keys with the same
placeholders, every key the code names exists, every template fills, and no English sentence
is left in the Korean catalog. The pages in each language: tests/test_i18n_pages.py."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from linreg_core.errors import ConfigError, DataError, LinRegError, Said
from linreg_core.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    catalog,
    has,
    language_of,
    placeholders,
    text,
)

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "linreg_core" / "locales"
SOURCES = sorted(
    [
        *ROOT.glob("linreg_core/*.py"),
        *ROOT.glob("ui/*.py"),
        *ROOT.glob("app_pages/*.py"),
        ROOT / "streamlit_app.py",
    ]
)
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Words that only an English sentence has; names (SGD, Adam, PyTorch, CSV) are not among them.
ENGLISH_WORDS = re.compile(
    r"\b(the|and|of|to|is|are|with|for|your|this|that|on|in|from|than|when|it|its|be|or|a|an)\b"
)
# What a Korean sentence keeps as it is: placeholders, code, markdown links, material icons.
KEPT = re.compile(r"\{[^{}]*\}|`[^`]*`|\]\([^)]*\)|:material/[a-z_]+:|https?://\S+")
KEY = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")


def english_words(template: str) -> list[str]:
    return ENGLISH_WORDS.findall(KEPT.sub(" ", template))


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalog_is_valid_toml_with_only_strings(language: str) -> None:
    data = tomllib.loads((LOCALES / f"{language}.toml").read_text(encoding="utf-8"))
    assert catalog(language), "an empty catalog"
    assert all(isinstance(v, str) and v.strip() for v in catalog(language).values())
    assert set(data) == set(tomllib.loads((LOCALES / "en.toml").read_text("utf-8")))


def test_both_catalogs_hold_the_same_keys() -> None:
    en, ko = set(catalog("en")), set(catalog("ko"))
    assert sorted(en - ko) == [], "keys missing in ko.toml"
    assert sorted(ko - en) == [], "keys missing in en.toml"


def test_every_key_has_the_same_placeholders_in_both_languages() -> None:
    differ = {
        key: (placeholders(catalog("en")[key]), placeholders(catalog("ko")[key]))
        for key in catalog("en")
        if key in catalog("ko")
        and placeholders(catalog("en")[key]) != placeholders(catalog("ko")[key])
    }
    assert differ == {}


class _Any:
    """A parameter that takes any format spec: a number where the spec is a number's."""

    def __format__(self, spec: str) -> str:
        for value in (1234, 1234.5, "x"):
            try:
                return format(value, spec)
            except (ValueError, TypeError):
                continue
        raise ValueError(spec)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_fills(language: str) -> None:
    for key, template in catalog(language).items():
        params = {name: _Any() for name in placeholders(template)}
        filled = text(key, language, **params)  # raises on a bad field or format spec
        assert not re.search(r"\{[a-z_]+(:[^{}]*)?\}", filled), key  # no placeholder left over


def test_no_english_sentence_is_left_in_the_korean_catalog() -> None:
    english = {
        key: template
        for key, template in catalog("ko").items()
        if len(english_words(template)) >= 2
        or (not HANGUL.search(KEPT.sub(" ", template)) and len(english_words(template)) >= 1)
    }
    assert english == {}


def test_korean_differs_from_english_except_for_names() -> None:
    same = {
        key: t
        for key, t in catalog("ko").items()
        if t == catalog("en")[key] and re.search(r"[a-z]{3,} [a-z]{3,}", KEPT.sub(" ", t))
    }
    assert same == {}


def test_no_template_pairs_the_two_languages() -> None:
    """One language at a time: no English in a Korean sentence, no Korean in an English one."""
    mixed = {k: t for k, t in catalog("en").items() if HANGUL.search(KEPT.sub(" ", t))}
    assert mixed == {}


def _named_keys() -> list[tuple[str, int, str]]:
    """Every catalog key the code names as a string constant: t("..."), text("...", ...),
    Said("..."), an error or warning raised with a key."""
    calls = {"t", "text", "Said", "LinRegError", "DataError", "ConfigError", "DataWarning"}
    found = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if (
                name in calls
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and KEY.match(first.value)
            ):
                found.append((str(path.relative_to(ROOT)), node.lineno, first.value))
    return found


def test_every_key_the_code_names_is_in_the_catalog() -> None:
    named = _named_keys()
    assert len(named) > 20, "the scan found too few keys: it no longer reads the code"
    missing = [f"{path}:{line} {key}" for path, line, key in named if not has(key)]
    assert missing == []


def test_the_browser_language_picks_the_catalog() -> None:
    assert [language_of(x) for x in ("ko", "ko-KR", "ko_KR", "KO-kr")] == ["ko"] * 4
    assert [language_of(x) for x in ("en-US", "de-DE", "", None, "kok")] == ["en"] * 5
    assert DEFAULT_LANGUAGE == "en"


def test_an_error_keeps_its_key_and_renders_in_either_language() -> None:
    error = ConfigError("nav.open_in_sidebar", page="Data")
    assert error.code == "nav.open_in_sidebar"
    assert str(error) == "Open **Data** in the sidebar."
    assert "사이드바" in error.in_language("ko")
    assert isinstance(error, LinRegError) and isinstance(error, ValueError)


def test_a_message_that_is_not_a_key_is_kept_as_it_is() -> None:
    error = DataError("A library's own words.")
    assert error.code is None and str(error) == error.in_language("ko") == "A library's own words."


def test_a_sentence_inside_a_sentence_renders_in_the_same_language() -> None:
    inner = Said("nav.open_in_sidebar", page="X")
    assert "사이드바" in text("nav.open_in_sidebar", "ko", page=Said("nav.data").in_language("ko"))
    assert str(Said("nav.open_in_sidebar", page=inner)).startswith("Open **Open **X**")
    assert "사이드바" in Said("nav.open_in_sidebar", page=inner).in_language("ko")
