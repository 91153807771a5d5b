"""Which rows a run learns from: row filters, numbers written with units, outliers, and what the
rows say about each column and each weight.

Everything here is pandas and numpy on the table as read (linreg_core.data.read_table); prepare()
applies the filters and units before picking columns, and drops outliers after the split, from
the training rows' own statistics. The pages show the same functions' tables and sentences.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from linreg_core.config import WHERE_OPS, Condition
from linreg_core.errors import ConfigError, DataError, Said
from linreg_core.i18n import DEFAULT_LANGUAGE, text

OUTLIER_Z = 4.0  # the pages' |z| for an outlier: beyond it, a row is far from all the others
SMALL_TABLE = 10  # rows: fewer start with none held out, as every row is needed to train
SUGGESTED_TARGETS = ("price", "target", "y", "score", "label", "output", "value", "mpg")
_WHERE = re.compile(r"^\s*(?P<column>.+?)\s*(?P<op>==|!=|<=|>=|<|>|=)\s*(?P<value>.*?)\s*$")
# a number (1,234 grouped or not, a decimal point) followed by a unit: '19.67 kmpl', '1582 CC'
_NUMBER = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+]?\.\d+"
_UNIT = r"[^\W\d_][^\d]*?|%|°[^\d]*?"  # starts with a letter (any script), %, or °
_WITH_UNIT = re.compile(rf"^\s*(?P<number>{_NUMBER})\s*(?P<unit>{_UNIT})?\s*$")
_NO_NUMBER = re.compile(rf"^\s*(?P<word>[^\W\d_]+)\s+(?P<unit>{_UNIT})\s*$")  # 'null bhp'
_MISSING = {"", "nan", "none", "null", "na", "n/a", "-", "?"}
SAMPLE_CELLS = 1_000  # a text column's first cells, read before all of them
MIN_WITH_UNIT = 0.8  # of a column's non-empty cells, for it to be offered as numbers from text
_YEARS = (1800, 2100)
DATE_TEXT = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")


# -- row filters --------------------------------------------------------------------------------
def parse_where(text: str) -> Condition:
    """'COL OP VALUE' (OP one of == != < <= > >=) as a Condition; a ConfigError says the form."""
    found = _WHERE.match(text or "")
    if found is None or not found["value"]:
        raise ConfigError("error.rows.bad_filter", text=text, ops=" ".join(WHERE_OPS[:-1]))
    op = "==" if found["op"] == "=" else found["op"]
    return Condition(found["column"], op, found["value"].strip("'\""))


def _is_number_column(series: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series))


def _as_number(cond: Condition, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise DataError(
            "error.rows.not_a_number", filter=str(cond), column=cond.column, value=value
        ) from None


def condition_mask(df: pd.DataFrame, cond: Condition) -> np.ndarray:
    """(n_rows,) True where cond holds; a missing cell never does."""
    if cond.column not in df.columns:
        known = ", ".join(map(repr, list(df.columns)[:20]))
        raise DataError("error.rows.no_column", filter=str(cond), known=known)
    series = df[cond.column]
    values = cond.value if isinstance(cond.value, tuple) else (cond.value,)
    if _is_number_column(series):
        x = series.to_numpy(dtype=np.float64, na_value=np.nan)
        numbers = [_as_number(cond, v) for v in values]
        with np.errstate(invalid="ignore"):
            if cond.op == "in":
                return np.isin(x, numbers)
            v = numbers[0]
            return {
                "==": x == v,
                "!=": (x != v) & ~np.isnan(x),
                "<": x < v,
                "<=": x <= v,
                ">": x > v,
                ">=": x >= v,
            }[cond.op]
    if cond.op not in ("==", "!=", "in"):
        raise DataError("error.rows.orders_text", filter=str(cond), column=cond.column)
    text = series.astype("string").str.strip()
    present = text.notna().to_numpy()
    hit = text.isin(list(values)).fillna(False).to_numpy(dtype=bool)
    return (present & ~hit) if cond.op == "!=" else hit


def filter_mask(df: pd.DataFrame, where: tuple[Condition, ...]) -> np.ndarray:
    """(n_rows,) True for the rows where every condition holds."""
    keep = np.ones(len(df), dtype=bool)
    for cond in where:
        keep &= condition_mask(df, cond)
    return keep


def describe_filters(where: tuple[Condition, ...], kept: int, total: int) -> Said:
    """'Rows where Series == I: 11 of 44 kept.' (all rows when there is no filter; str() is
    English, in_language renders others)."""
    if not where:
        return Said("error.rows.filters_none", total=total)
    return Said(
        "error.rows.filters_kept", where=" and ".join(map(str, where)), kept=kept, total=total
    )


# -- numbers written with units -----------------------------------------------------------------
@dataclass(frozen=True)
class UnitColumn:
    """A text column whose cells are numbers followed by a unit, or numbers among placeholders
    for a missing value ('?', 'n/a')."""

    column: str
    units: tuple[tuple[str, int], ...]  # (unit, cells), the most common first
    numbers: int  # cells read as a number
    without_number: int  # cells such as 'null bhp': missing once read

    @property
    def unit(self) -> str:
        """The units as shown: 'bhp', or 'kmpl (5,951), km/kg (66)' when there are several."""
        if not self.units:
            return "no unit"
        if len(self.units) == 1:
            return self.units[0][0]
        return ", ".join(f"{u} ({n:,})" for u, n in self.units)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA


def unit_column(series: pd.Series, name: str) -> UnitColumn | None:
    """How a text column reads as numbers with units, or None when it does not."""
    if _is_number_column(series) or pd.api.types.is_datetime64_any_dtype(series):
        return None
    if len(series) > SAMPLE_CELLS:  # every cell is read only when a sample reads as numbers
        head = series.dropna().head(SAMPLE_CELLS)
        if len(head) and _read_units(head, name) is None:
            return None
    return _read_units(series, name)


def _read_units(series: pd.Series, name: str) -> UnitColumn | None:
    units: Counter[str] = Counter()
    numbers = without = other = 0
    for value, count in series.value_counts(dropna=True).items():  # each distinct cell once
        text = str(value).strip()
        if not text:
            continue
        if text.lower() in _MISSING:  # '?', 'n/a', 'null': a placeholder for a missing number
            without += count
            continue
        if (found := _WITH_UNIT.match(text)) is not None:
            numbers += count
            if found["unit"]:
                units[found["unit"].strip()] += count
        elif (found := _NO_NUMBER.match(text)) is not None and found["word"].lower() in _MISSING:
            without += count
            units[found["unit"].strip()] += 0
        else:
            other += count
    cells = numbers + without + other
    with_unit = sum(units.values()) > 0
    if not numbers or not (with_unit or without) or numbers + without < MIN_WITH_UNIT * cells:
        return None  # plain text, or numbers pandas reads already
    ranked = tuple(sorted(((u, n) for u, n in units.items() if n), key=lambda p: -p[1]))
    return UnitColumn(name, ranked, numbers, without + other)


def unit_columns(df: pd.DataFrame) -> dict[str, UnitColumn]:
    """Every text column of df that reads as numbers with units, by name."""
    found = {}
    for col in df.columns:
        if (info := unit_column(df[col], str(col))) is not None:
            found[col] = info
    return found


def number_from_text(series: pd.Series) -> pd.Series:
    """The numbers in cells like '19.67 kmpl' or '1,234 km' (float64); any other cell is NaN."""

    def read(value: object) -> float:
        if _blank(value):
            return np.nan
        found = _WITH_UNIT.match(str(value))
        return float(found["number"].replace(",", "")) if found else np.nan

    values = {value: read(value) for value in series.dropna().unique()}  # each distinct cell once
    return series.map(values).astype(np.float64)


def with_numbers_from_text(df: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """df with the named columns read as numbers from text (a new frame; attrs kept)."""
    if not columns:
        return df
    out = df.copy()
    for col in columns:
        if col not in df.columns:
            raise DataError("error.rows.no_column_for_units", column=col)
        if _is_number_column(df[col]):
            continue  # already numbers
        if unit_column(df[col], col) is None:
            raise DataError("error.rows.no_unit", column=col)
        out[col] = number_from_text(df[col])
    out.attrs = dict(df.attrs)
    return out


# -- outliers -----------------------------------------------------------------------------------
def zscores(values: np.ndarray) -> np.ndarray:
    """(n, k) z-scores by each column's mean and population std (ddof=0); 0 in a constant one."""
    mean, std = values.mean(axis=0), values.std(axis=0)  # (k,)
    safe = np.where(std > 0, std, 1.0)
    return np.where(std > 0, (values - mean) / safe, 0.0)


def outlier_mask(values: np.ndarray, z: float) -> np.ndarray:
    """(n,) True for the rows where any column lies beyond |z| by the rows' own statistics."""
    if len(values) == 0:
        return np.zeros(0, dtype=bool)
    return np.asarray((np.abs(zscores(values)) > z).any(axis=1))


def outlier_table(
    X_train: np.ndarray,
    y_train: np.ndarray,
    names: tuple[str, ...],
    positions: np.ndarray,
    z: float = OUTLIER_Z,
) -> pd.DataFrame:
    """The training rows beyond |z| in a chosen column (features, then the target): the row's
    number in the table (from 1), its values, its largest |z| and which column that is."""
    values = np.column_stack([X_train, y_train])  # (n_train, d + 1)
    Z = zscores(values) if len(values) else values
    far = np.abs(Z) > z
    hit = far.any(axis=1) if len(values) else np.zeros(0, dtype=bool)
    largest = np.abs(Z[hit]).argmax(axis=1) if hit.any() else np.zeros(0, dtype=int)
    columns = {"row": positions[hit] + 1} | {name: values[hit, j] for j, name in enumerate(names)}
    columns["largest |z|"] = np.abs(Z[hit]).max(axis=1) if hit.any() else np.zeros(0)
    columns["in column"] = np.array([names[j] for j in largest], dtype=object)
    table = pd.DataFrame(columns)
    return table.sort_values("largest |z|", ascending=False, ignore_index=True)


# -- column summaries ---------------------------------------------------------------------------
def column_summary(
    df: pd.DataFrame, numeric: list[str], language: str = DEFAULT_LANGUAGE
) -> pd.DataFrame:
    """One row per column: type, missing, unique, min, max, mean, std (ddof=0) and whether it
    can be used, with the reason when it cannot; the type and reason in `language` (the
    headers stay English: the page names them).

    numeric: the columns that hold numbers (linreg_core.data.numeric_columns).
    """

    def said(key: str, **params: object) -> str:
        return text(f"rows.{key}", language, **params)

    why = df.attrs.get("unusable", {})  # the reader's reasons: nested cells, mixed conventions
    units = unit_columns(df)
    rows = []
    for col in df.columns:
        series = df[col]
        stats: dict[str, float | None] = dict.fromkeys(("min", "max", "mean", "std"))
        if col in numeric and _is_number_column(series):
            x = series.to_numpy(dtype=np.float64, na_value=np.nan)
            x = x[~np.isnan(x)]
            if len(x):
                stats = {"min": x.min(), "max": x.max(), "mean": x.mean(), "std": x.std()}
        if col in numeric:
            kind, usable = said("kind.number"), said("usable.yes")
            low, high = stats["min"], stats["max"]
            if (
                pd.api.types.is_integer_dtype(series)
                and low is not None
                and high is not None
                and _YEARS[0] <= low
                and high <= _YEARS[1]
            ):
                kind, usable = said("kind.years"), said("usable.years")
        elif col in units:
            info = units[col]
            kind = said("kind.with_unit", unit=info.unit)
            usable = said("usable.opt_in")
        elif col in why:
            why_not = why[col].in_language(language) if isinstance(why[col], Said) else why[col]
            kind, usable = said("kind.text"), said("usable.no", why=why_not)
        elif pd.api.types.is_datetime64_any_dtype(series) or _dates(series):
            kind, usable = said("kind.dates"), said("usable.dates")
        elif series.notna().any():
            kind, usable = said("kind.text"), said("usable.words")
        else:
            kind, usable = said("kind.empty"), said("usable.empty")
        rows.append(
            {
                "column": str(col),
                "type": kind,
                "missing": int(series.isna().sum()),
                "unique": int(series.nunique(dropna=True)),
                **stats,
                "usable": usable,
            }
        )
    table = pd.DataFrame(rows)
    for c in ("min", "max", "mean", "std"):
        table[c] = table[c].astype(float)
    return table


def _dates(series: pd.Series) -> bool:
    """Whether most of a text column's cells are dates such as 2024-01-02 or 02/01/2024."""
    text = series.dropna().astype(str).str.strip().head(200)
    return bool(len(text)) and text.map(lambda t: bool(DATE_TEXT.match(t))).mean() >= 0.8


def suggested_target(columns: list[str]) -> str | None:
    """A column whose name suggests the thing to predict (price, target, y, score, ...)."""
    for word in SUGGESTED_TARGETS:
        for col in columns:
            name = str(col).strip().lower()
            if name == word or re.split(r"[\s_()\-]+", name)[0] == word:
                return col
    return None


# -- a weight's sign on the training rows and on all rows ---------------------------------------
@dataclass(frozen=True)
class SignChange:
    """A weight whose least-squares sign on the training rows is not its sign on all rows."""

    feature: str
    train_weight: float  # least squares on the training rows, in the data's units
    all_weight: float  # on all rows
    std: float  # the feature's population std over all rows: weight * std is per std
    rows: pd.DataFrame  # the rows that move this weight most: row, split, feature, target, ...


def _lstsq(X: np.ndarray, y: np.ndarray, bias: bool) -> tuple[np.ndarray, np.ndarray]:
    A = np.column_stack([X, np.ones(len(y))]) if bias else X
    theta, *_ = np.linalg.lstsq(A, y, rcond=None)
    return theta, A


def sign_changes(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
    features: tuple[str, ...],
    target: str,
    positions: tuple[np.ndarray, np.ndarray],
    *,
    bias: bool = True,
    top: int = 3,
) -> list[SignChange]:
    """The weights whose sign on the training rows differs from their sign on all rows, each
    with the `top` rows that move that weight most (DFBETA: the change of the all-rows weight
    when the row is left out, (AᵀA)⁻¹ aᵢ rᵢ / (1 − hᵢᵢ)).

    positions: the table positions of the training and held-out rows.
    """
    if not len(y_test):
        return []
    X_all, y_all = np.vstack([X_train, X_test]), np.concatenate([y_train, y_test])
    w_train, _ = _lstsq(X_train, y_train, bias)
    w_all, A = _lstsq(X_all, y_all, bias)
    flips = [
        j
        for j in range(len(features))
        if np.sign(w_train[j]) != np.sign(w_all[j])
        and min(abs(w_train[j]), abs(w_all[j])) > 1e-12 * max(1.0, abs(w_all[j]))
    ]
    if not flips:
        return []
    inverse = np.linalg.pinv(A.T @ A)  # (p, p)
    leverage = np.einsum("ij,jk,ik->i", A, inverse, A)  # (m,) h_ii
    residual = y_all - A @ w_all  # (m,)
    with np.errstate(divide="ignore", invalid="ignore"):
        dfbeta = (A @ inverse) * (residual / (1.0 - leverage))[:, None]  # (m, p)
    split = np.array(["train"] * len(y_train) + ["held out"] * len(y_test))
    where = np.concatenate(positions)
    out = []
    for j in flips:
        order = np.argsort(-np.nan_to_num(np.abs(dfbeta[:, j]), nan=np.inf), kind="stable")[:top]
        rows = pd.DataFrame(
            {
                "row": where[order] + 1,
                "split": split[order],
                features[j]: X_all[order, j],
                target: y_all[order],
                "weight without this row": w_all[j] - dfbeta[order, j],
            }
        )
        std = float(X_all[:, j].std())
        out.append(SignChange(features[j], float(w_train[j]), float(w_all[j]), std, rows))
    return out
