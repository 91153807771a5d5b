"""The project's error and warning types: bad user input is a LinRegError with a message that
names the value, what is allowed and how to fix it; pages and the command line show it as is."""

from __future__ import annotations


class LinRegError(ValueError):
    """A user-facing problem with the data or the settings; the message says how to fix it."""


class DataError(LinRegError):
    """The table cannot be read or the chosen columns cannot be used."""


class ConfigError(LinRegError):
    """A setting is out of range or names something that does not exist."""


class DataWarning(UserWarning):
    """Something in the data was changed or ignored so that training could go on."""
