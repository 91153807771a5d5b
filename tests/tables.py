"""Public tables written out for the tests: Anscombe's quartet and an Auto MPG-like table."""

from __future__ import annotations

import numpy as np
import pandas as pd

# Anscombe's quartet (Anscombe 1973), long form: four series of 11 points with the same line.
ANSCOMBE_X = [10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5]
ANSCOMBE_X4 = [8, 8, 8, 8, 8, 8, 8, 19, 8, 8, 8]
ANSCOMBE_Y = {
    "I": [8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68],
    "II": [9.14, 8.14, 8.74, 8.77, 9.26, 8.10, 6.13, 3.10, 9.13, 7.26, 4.74],
    "III": [7.46, 6.77, 12.74, 7.11, 7.81, 8.84, 6.08, 5.39, 8.15, 6.42, 5.73],
    "IV": [6.58, 5.76, 7.71, 8.84, 8.47, 7.04, 5.25, 12.50, 5.56, 7.91, 6.89],
}
ANSCOMBE = pd.DataFrame(
    [
        {"Series": s, "X": x, "Y": y}
        for s, ys in ANSCOMBE_Y.items()
        for x, y in zip(ANSCOMBE_X4 if s == "IV" else ANSCOMBE_X, ys, strict=True)
    ]
)

AUTO_MPG_COLUMNS = [
    "mpg", "cylinders", "displacement", "horsepower", "weight", "acceleration", "model year",
    "origin", "car name",
]  # fmt: skip
AUTO_MPG_MISSING_HORSEPOWER = 3  # cells written '?', as in the UCI file


def auto_mpg(n: int = 60, seed: int = 8) -> pd.DataFrame:
    """A generated table with Auto MPG's column names and types (not its values): origin as
    text (USA/Europe/Japan) and a few horsepower cells written '?'. mpg comes first, so a
    guess of the last numeric column (model year) would be wrong."""
    rng = np.random.default_rng(seed)
    weight = rng.uniform(1600, 5000, n).round()
    horsepower = (weight / 30 + rng.normal(0, 8, n)).round()
    hp_text = [f"{h:g}" for h in horsepower]
    for i in range(AUTO_MPG_MISSING_HORSEPOWER):
        hp_text[7 * i + 3] = "?"
    mpg = (50 - 0.007 * weight + rng.normal(0, 2, n)).round(1)
    return pd.DataFrame(
        {
            "mpg": mpg,
            "cylinders": rng.choice([4, 6, 8], n),
            "displacement": (weight / 12 + rng.normal(0, 10, n)).round(),
            "horsepower": hp_text,
            "weight": weight,
            "acceleration": rng.uniform(8, 24, n).round(1),
            "model year": rng.integers(70, 83, n),
            "origin": rng.choice(["USA", "Europe", "Japan"], n),
            "car name": [f"car {i}" for i in range(n)],
        }
    )
