"""What LinReg Lab says, in Korean and English: one catalog per language (locales/en.toml,
locales/ko.toml) and one function, text(key, language, **params), that renders a sentence.

A key is dotted, "error.empty_file"; its sentence is a str.format template, "{label} is empty.",
filled with the parameters (numbers keep their format specs: "{rows:,}"). Both catalogs hold
every key with the same placeholders (tests/test_i18n.py). The command line speaks English; the
dashboard renders in the learner's language. Names are never translated: SGD, Adam, PyTorch,
column and file names stay as they are.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

LANGUAGES = ("ko", "en")  # the switch's order: 한국어 first, the tutorials' language
DEFAULT_LANGUAGE = "en"  # a browser that is not Korean, and the command line
LANGUAGE_NAMES = {"ko": "한국어", "en": "English"}  # each in its own language


def language_of(locale: str | None) -> str:
    """The catalog for a browser locale (st.context.locale): ko, ko-KR, ko_KR -> "ko"; any
    other locale, or none, -> English."""
    if locale and locale.replace("_", "-").split("-")[0].strip().lower() == "ko":
        return "ko"
    return DEFAULT_LANGUAGE


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, key + "."))
        else:
            flat[key] = str(value)
    return flat


@cache
def catalog(language: str) -> dict[str, str]:
    """Every key of one language and its template (read once per process)."""
    if language not in LANGUAGES:
        raise KeyError(f"no catalog for language {language!r}; the languages are {LANGUAGES}")
    data = resources.files(__package__).joinpath("locales", f"{language}.toml").read_bytes()
    return _flatten(tomllib.loads(data.decode("utf-8")))


def has(key: str) -> bool:
    """Whether `key` is a catalog key (English holds every key)."""
    return key in catalog(DEFAULT_LANGUAGE)


def placeholders(template: str) -> set[str]:
    """The parameter names a template fills: "{rows:,} rows of {name}" -> {"rows", "name"}."""
    return {
        field.split(".")[0].split("[")[0]
        for _, field, _, _ in string.Formatter().parse(template)
        if field
    }


def text(key: str, language: str = DEFAULT_LANGUAGE, /, **params: Any) -> str:
    """The sentence for `key` in `language`, filled with `params`."""
    template = catalog(language if language in LANGUAGES else DEFAULT_LANGUAGE)[key]
    return template.format(**params) if params or "{" in template else template
