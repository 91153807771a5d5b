"""ui.files.safe_csv: text that a spreadsheet would run as a formula is defused, numbers kept."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from ui.files import safe_csv


def read_back(data: bytes) -> pd.DataFrame:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel then shows Korean text
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False)


def test_text_that_starts_like_a_formula_gets_a_leading_quote() -> None:
    df = pd.DataFrame({"note": ["=1+1", "@x", "+a", "-a", "\tb", "\rc", "plain", "a=b", "마포구"]})

    out = read_back(safe_csv(df))

    assert list(out["note"]) == [
        "'=1+1",
        "'@x",
        "'+a",
        "'-a",
        "'\tb",
        "'\rc",
        "plain",
        "a=b",
        "마포구",
    ]


def test_numbers_stay_numbers_even_when_negative() -> None:
    df = pd.DataFrame({"w": [-3.5, 2.0], "n": [-1, 4], "text": ["-3.5", "ok"]})

    data = safe_csv(df)
    out = read_back(data)

    assert out["w"].tolist() == [-3.5, 2.0] and out["n"].tolist() == [-1, 4]
    assert out["text"].tolist() == ["'-3.5", "ok"]  # the text "-3.5" is text, so it is escaped
    assert b"\r\n-3.5,-1," in data


def test_column_names_are_defused_too_and_missing_cells_stay_empty() -> None:
    df = pd.DataFrame({"=HYPERLINK(1)": ["a", None], "x": [1.0, np.nan]})

    out = read_back(safe_csv(df))

    assert list(out.columns) == ["'=HYPERLINK(1)", "x"]
    assert out.iloc[1].tolist() == ["", ""]


def test_the_input_frame_is_not_changed() -> None:
    df = pd.DataFrame({"a": ["=1"]})

    safe_csv(df)

    assert df["a"].tolist() == ["=1"] and list(df.columns) == ["a"]


def test_formula_signs_after_spaces_or_in_full_width_are_defused() -> None:
    df = pd.DataFrame({"note": [" =1+1", "\u3000=1+1", "\uff1d1+1", "\uff0bA1", "  @x", " a=b"]})

    out = read_back(safe_csv(df))

    assert list(out["note"]) == [
        "' =1+1",
        "'\u3000=1+1",
        "'\uff1d1+1",
        "'\uff0bA1",
        "'  @x",
        " a=b",
    ]
