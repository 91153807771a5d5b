"""Numbers written as text, read as written: one convention per column, chosen from evidence.

A cell like `0.125` or `2.500` is a decimal point unless the same column proves otherwise: a
decimal comma needs a cell such as `1.234,5` (dot thousands and a comma decimal) or `1,5` with no
`.` decimals beside it; thousands commas need a cell such as `1,234.5` or `1,234,567`. A column
whose cells contradict each other (`1,5` beside `4.5`) is not guessed: it stays text, with the
reason. Whatever convention is chosen is reported with a few cells as written and as read.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from linreg_core.errors import Said

_SIGN = r"[-+]?"
PLAIN = rf"^{_SIGN}(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$"  # 12, 0.125, 1e-3
COMMA_THOUSANDS = rf"^{_SIGN}[1-9]\d{{0,2}}(?:,\d{{3}})+(?:\.\d+)?$"  # 1,234 or 1,234.5
DOT_THOUSANDS = rf"^{_SIGN}[1-9]\d{{0,2}}(?:\.\d{{3}})+(?:,\d+)?$"  # 1.234 or 1.234,5
COMMA_DECIMAL = rf"^{_SIGN}\d+,\d+(?:[eE][-+]?\d+)?$"  # 1,5 or 0,125
_US_ONLY = r"(?:,.*\.|,.*,)"  # 1,234.5 or 1,234,567: a comma can only be a thousands mark
_EU_ONLY = r"(?:\..*,|,(?:\d{1,2}|\d{4,})(?:[eE]|$)|^[-+]?0,\d)"  # 1.234,5; 1,5; 1,2345; 0,125
_AMBIGUOUS_COMMA = r",\d{3}$"  # 1,234 alone: a thousand and more, or one and a fraction

# conventions: the name shown to learners (the catalog's warning.numbers.convention.*)
CONVENTIONS = {
    name: Said(f"warning.numbers.convention.{name}")
    for name in ("plain", "comma_thousands", "comma_decimal", "dot_thousands_comma_decimal")
}


@dataclass(frozen=True)
class NumberFormat:
    """How one text column was read: its convention and a few cells as written and as read."""

    column: str
    convention: str  # a key of CONVENTIONS
    percent: bool  # every cell ended in '%', which was dropped ('12.5%' -> 12.5)
    written: tuple[str, ...]  # up to 3 cells as written
    read: tuple[float, ...]  # the same cells as numbers

    def note(self) -> Said:
        """One sentence for the learner: which convention, with examples."""
        cells = zip(self.written, self.read, strict=True)
        shown = {f"{k}{i}": v for i, (w, r) in enumerate(cells, 1) for k, v in (("w", w), ("r", r))}
        pairs = Said(f"warning.numbers.pairs{len(self.written)}", **shown)  # 1 to 3 cells
        key = "warning.numbers.read_as_percent" if self.percent else "warning.numbers.read_as"
        return Said(key, column=self.column, how=CONVENTIONS[self.convention], pairs=pairs)


def _clean(series: pd.Series) -> pd.Series:
    """Stripped text with a typographic minus made ASCII and empty cells missing."""
    text = series.astype("string").str.strip().str.replace("\u2212", "-", regex=False)
    return text.replace("", pd.NA)


def parse_column(
    series: pd.Series, name: str, *, delimiter: str = ","
) -> tuple[pd.Series | None, NumberFormat | None, Said | None]:
    """Read a text column as numbers if every cell is a number in one convention.

    Args:
        series: the column's cells (text, possibly with missing cells).
        name: the column's name, for the note.
        delimiter: the file's delimiter; it settles `1,234` alone (a ',' file quotes such a
            cell as a thousand; a ';' or tab file writes decimal commas).
    Returns:
        (values, format, None) when the column is numeric: float64 values with NaN where a cell
        was empty, and the format when it was anything but plain decimal points;
        (None, None, reason) when its numbers contradict each other; (None, None, None) when it
        is simply text.
    """
    text = _clean(series)
    cells = text.dropna()
    if cells.empty:  # no cell at all: missing values, which numbers can be
        return pd.Series(float("nan"), index=series.index, dtype="float64"), None, None
    percent = bool(cells.str.endswith("%").all())
    if percent:
        cells = cells.str[:-1].str.rstrip()
        text = text.str.rstrip("%").str.rstrip()
    convention = _convention(cells, delimiter)
    if convention is None:
        return None, None, None
    if convention == "mixed":
        comma = cells[cells.str.contains(",", regex=False)].iloc[0]
        dot = cells[cells.str.contains(".", regex=False)].iloc[0]
        return None, None, Said("error.numbers.mixed", comma=comma, dot=dot)
    values = pd.to_numeric(_normalise(text, convention), errors="coerce").astype("float64")
    if convention == "plain" and not percent:
        return values, None, None
    shown = cells.index[:3]
    fmt = NumberFormat(
        column=name,
        convention=convention,
        percent=percent,
        written=tuple(str(series[i]).strip() for i in shown),
        read=tuple(float(values[i]) for i in shown),
    )
    return values, fmt, None


def _convention(cells: pd.Series, delimiter: str) -> str | None:
    """The one convention every cell fits, 'mixed' when the cells contradict, None for text."""
    plain = cells.str.fullmatch(PLAIN)
    if plain.all():
        return "plain"
    comma = cells.str.contains(",", regex=False)
    if not comma.any():
        return None  # not all plain and no comma: words, dates, units
    dotted = cells.str.contains(".", regex=False) & ~comma  # 4.5 or 2.250
    us_only = cells.str.contains(_US_ONLY) & comma
    eu_only = cells.str.contains(_EU_ONLY) & comma
    if us_only.any() and eu_only.any():
        return "mixed"
    if eu_only.any():
        dot_thousands = cells.str.contains(r"\..*,")  # a cell like 1.234,5 proves '.' groups
        if dotted.any() and not dot_thousands.any():
            return "mixed"  # 1,5 beside 2.250: is that two and a quarter or 2250?
        fits = cells.str.fullmatch(DOT_THOUSANDS) | cells.str.fullmatch(COMMA_DECIMAL)
        fits |= plain & ~cells.str.contains(".", regex=False)
        if not fits.all():
            return "mixed" if dotted.any() else None
        return (
            "dot_thousands_comma_decimal"
            if dot_thousands.any() or dotted.any()
            else ("comma_decimal")
        )
    fits_us = plain | cells.str.fullmatch(COMMA_THOUSANDS)
    if not fits_us.all():
        return None
    if us_only.any() or dotted.any():
        return "comma_thousands"  # a '.' decimal beside 1,234 makes the comma a thousands mark
    # only cells like 1,234 (and whole numbers): the file's habits decide
    ambiguous = cells[comma].str.contains(_AMBIGUOUS_COMMA).all()
    if ambiguous and delimiter != ",":
        return "comma_decimal"
    return "comma_thousands"


def _normalise(text: pd.Series, convention: str) -> pd.Series:
    """Cells rewritten with a decimal point and no thousands marks."""
    if convention == "comma_thousands":
        return text.str.replace(",", "", regex=False)
    if convention == "comma_decimal":
        return text.str.replace(",", ".", regex=False)
    if convention == "dot_thousands_comma_decimal":
        return text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    return text


def is_nested(series: pd.Series) -> bool:
    """Whether any cell holds a dict or a list (JSON objects or arrays in a column)."""
    return bool(
        series.map(lambda v: isinstance(v, (dict, list, tuple, set)), na_action="ignore").any()
    )
