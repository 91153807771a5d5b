"""The project's error and warning types: bad user input is a LinRegError that names the value,
what is allowed and how to fix it; pages and the command line show it as is.

An error carries a catalog key and its parameters (linreg_core.i18n): str(error) is the English
sentence, which the command line prints; the dashboard renders error.in_language("ko"). A
message that is not a catalog key is kept as it is (text from a library, or a sentence built
from other sentences).
"""

from __future__ import annotations

from typing import Any

from linreg_core.i18n import DEFAULT_LANGUAGE, has, text


class Said:
    """A sentence from the catalog, kept as its key and parameters until it is rendered."""

    def __init__(self, code: str, /, **params: Any) -> None:
        self.code = code if has(code) else None
        self.params = params
        self._literal = None if self.code else code

    def in_language(self, language: str = DEFAULT_LANGUAGE) -> str:
        if self.code is None:
            return str(self._literal)
        params = {
            k: v.in_language(language) if isinstance(v, Said | LinRegError | DataWarning) else v
            for k, v in self.params.items()
        }
        return text(self.code, language, **params)

    def __str__(self) -> str:
        return self.in_language(DEFAULT_LANGUAGE)

    def __repr__(self) -> str:
        return f"Said({self.code or self._literal!r}, **{self.params!r})"

    def __eq__(self, other: object) -> bool:  # a value: copies of a sentence are equal
        if not isinstance(other, Said):
            return NotImplemented
        return (self.code, self._literal, self.params) == (other.code, other._literal, other.params)

    def __hash__(self) -> int:
        return hash((self.code, self._literal))


class _Sentence(Exception):
    """An exception or warning that carries a catalog key and its parameters (a Said)."""

    def __init__(self, code: str, /, **params: Any) -> None:
        self.said = Said(code, **params)
        self.code = self.said.code
        self.params = params
        super().__init__(code)

    def in_language(self, language: str = DEFAULT_LANGUAGE) -> str:
        return self.said.in_language(language)

    def __str__(self) -> str:
        return self.said.in_language(DEFAULT_LANGUAGE)

    def __reduce__(self) -> tuple[Any, ...]:  # pickled with its key and parameters
        return (_rebuild, (type(self), self.code or str(self), self.params))


def _rebuild(kind: type, code: str, params: dict[str, Any]) -> Any:
    return kind(code, **params)


class LinRegError(_Sentence, ValueError):
    """A user-facing problem with the data or the settings; the message says how to fix it.

    LinRegError("error.empty_file", label="'x.csv'"): a catalog key and its parameters (a
    parameter may itself be a Said or a LinRegError, rendered in the same language)."""


class DataError(LinRegError):
    """The table cannot be read or the chosen columns cannot be used."""


class ConfigError(LinRegError):
    """A setting is out of range or names something that does not exist."""


class DataWarning(_Sentence, UserWarning):
    """Something in the data was changed or ignored so that training could go on.

    Like LinRegError, it carries a catalog key and parameters: str() is English."""
