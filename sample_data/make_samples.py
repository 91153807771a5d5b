"""Write the sample tables that ship with LinReg Lab (numpy only, deterministic).

The three tiny tables are the seed tutorials' own data, copied as facts. The fourth,
apartments.csv, is the project's own synthetic data set: 800 apartment sales with a real linear
relationship, Gaussian noise and one planted outlier, generated from a fixed seed:

    area_m2    ~ Normal(78, 24), clipped to [18, 170], 1 decimal      floor area, m²
    age_years  ~ Integer uniform 0..40                                building age, years
    station_km ~ 0.1 + Gamma(shape 2, scale 0.45), clipped to 4, 2 decimals
                                                                      walk to the station, km
    district   ~ one of five Seoul district names (text, unrelated to the price)
    price_eok  = 3.0 + 0.085 * area_m2 - 0.04 * age_years - 0.6 * station_km
                 + Normal(0, 0.7), 2 decimals                         price in 억 (100,000,000 KRW)

Outlier: row index OUTLIER_ROW (0-based data row, line OUTLIER_ROW + 2 of the file) has
area_m2 recorded as ten times its true value (a slipped decimal point: 845.0 instead of 84.5)
while its price is that of the true 84.5 m² flat. It is a high-leverage point that pulls the
least-squares area coefficient down, which is what the dashboard's outlier lesson shows.

The fifth, used_cars_like.csv, is generated in the shape of seed 002's used cars (India): 500
listings with Year, Kilometers_Driven (log-normal, tens of thousands of km, one extreme row of
6,500,000 km), Engine (CC) and Price (lakh, log-linear in age, distance and engine size); see
used_cars_rows() and README.md. None of the Kaggle rows are in it.

Run `python sample_data/make_samples.py` to rewrite the files, or add `--check` to verify that the
files on disk are exactly what this script writes (exit status 1 if not).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SEED = 20240611  # fixed: the file must be byte-identical on every machine
N_ROWS = 800
OUTLIER_ROW = 417
OUTLIER_TRUE_AREA = 84.5  # m²; stored as ten times this
DISTRICTS = ("마포구", "노원구", "송파구", "은평구", "성북구")
TRUE_INTERCEPT = 3.0  # 억
TRUE_COEFS = {"area_m2": 0.085, "age_years": -0.04, "station_km": -0.6}  # 억 per unit
NOISE_STD = 0.7  # 억

# The seed tutorials' tables: (file name, header, rows).
SEED_TABLES = (
    ("hours_money.csv", ("hours", "money"), ((1, 30), (2, 60), (3, 90))),  # seed 000
    ("study_score.csv", ("hours", "score"), ((1, 50), (2, 70), (3, 90), (4, 85))),  # seed 001
    ("hours_points.csv", ("hour", "points"), ((1, 1), (2, 2), (3, 3))),  # seed 003, no bias
)


def apartments_rows() -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Return the header and the formatted rows of apartments.csv."""
    rng = np.random.default_rng(SEED)
    # 1. Features, each drawn as a whole column so that the order of draws is fixed.
    area = np.round(np.clip(rng.normal(78.0, 24.0, N_ROWS), 18.0, 170.0), 1)  # (n_rows,)
    age = rng.integers(0, 41, N_ROWS)  # (n_rows,) 0..40 inclusive
    station = np.round(np.clip(0.1 + rng.gamma(2.0, 0.45, N_ROWS), 0.1, 4.0), 2)  # (n_rows,)
    district = rng.integers(0, len(DISTRICTS), N_ROWS)  # (n_rows,) index into DISTRICTS
    noise = rng.normal(0.0, NOISE_STD, N_ROWS)  # (n_rows,)
    # 2. The outlier's true area sets its price; the stored area has the slipped decimal point.
    area[OUTLIER_ROW] = OUTLIER_TRUE_AREA
    price = (
        TRUE_INTERCEPT
        + TRUE_COEFS["area_m2"] * area
        + TRUE_COEFS["age_years"] * age
        + TRUE_COEFS["station_km"] * station
        + noise
    )
    price = np.round(price, 2)
    area[OUTLIER_ROW] = OUTLIER_TRUE_AREA * 10
    assert price.min() > 0, "a price came out non-positive; the formula needs another look"
    # 3. Fixed formatting, so the bytes do not depend on numpy's repr.
    header = ("area_m2", "age_years", "station_km", "district", "price_eok")
    rows = [
        (f"{a:.1f}", f"{g:d}", f"{s:.2f}", DISTRICTS[d], f"{p:.2f}")
        for a, g, s, d, p in zip(area, age, station, district, price, strict=True)
    ]
    return header, rows


# used_cars_like.csv: shaped like seed 002's used cars (India), generated, never copied
CARS_SEED = 20021002  # fixed: the file must be byte-identical on every machine
CARS_ROWS = 500
CARS_LAST_YEAR = 2019
CARS_EXTREME_ROW = 137
CARS_EXTREME_KM = 6_500_000  # the extreme row's odometer: 65,000 km with two zeros too many
CARS_ENGINES = (998, 1197, 1248, 1364, 1498, 1582, 1995, 2179, 2494, 2982)  # CC
CARS_ENGINE_SHARES = (0.12, 0.2, 0.14, 0.08, 0.12, 0.1, 0.08, 0.06, 0.06, 0.04)
CARS_MEDIAN_KM = 50_000.0
CARS_MEDIAN_PRICE = 7.5  # lakh, for a 6-year-old 1,500 CC car at the median distance
CARS_LOG_PRICE = {"age": -0.11, "log_km": -0.12, "log_engine": 1.3}  # per year, per log unit
CARS_PRICE_NOISE = 0.3  # standard deviation of log price


def used_cars_rows() -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Return the header and the formatted rows of used_cars_like.csv."""
    rng = np.random.default_rng(CARS_SEED)
    n = CARS_ROWS
    # 1. Age in years (mostly recent cars, a tail of old ones), then the model year.
    age = np.clip(np.round(rng.gamma(2.5, 2.4, n)), 0, 21).astype(int)  # (n,)
    year = CARS_LAST_YEAR - age
    # 2. Distance driven grows with age; log-normal: tens of thousands with a heavy tail.
    log_km = np.log(CARS_MEDIAN_KM) + 0.08 * (age - 6) + rng.normal(0.0, 0.5, n)
    km = np.round(np.clip(np.exp(log_km), 1_000, 400_000), -2).astype(int)  # (n,) whole 100s
    engine = rng.choice(np.array(CARS_ENGINES), size=n, p=CARS_ENGINE_SHARES)  # (n,)
    noise = rng.normal(0.0, CARS_PRICE_NOISE, n)  # (n,)
    # 3. Price in lakh (100,000 rupees), log-linear in age, distance and engine size.
    km[CARS_EXTREME_ROW] = CARS_EXTREME_KM // 100  # its price is that of a 65,000 km car
    log_price = (
        np.log(CARS_MEDIAN_PRICE)
        + CARS_LOG_PRICE["age"] * (age - 6)
        + CARS_LOG_PRICE["log_km"] * np.log(km / CARS_MEDIAN_KM)
        + CARS_LOG_PRICE["log_engine"] * np.log(engine / 1500)
        + noise
    )
    price = np.round(np.exp(log_price), 2)
    km[CARS_EXTREME_ROW] = CARS_EXTREME_KM
    assert price.min() > 0.2, "a price came out implausibly low; the formula needs another look"
    header = ("Year", "Kilometers_Driven", "Engine", "Price")
    rows = [
        (f"{y:d}", f"{k:d}", f"{e:d}", f"{p:.2f}")
        for y, k, e, p in zip(year, km, engine, price, strict=True)
    ]
    return header, rows


def render(header: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    """CSV text with LF line endings; no field needs quoting."""
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    return "\n".join(lines) + "\n"


def expected_files() -> dict[str, str]:
    """Every sample file's name and exact text."""
    files = {name: render(header, list(rows)) for name, header, rows in SEED_TABLES}
    files["apartments.csv"] = render(*apartments_rows())
    files["used_cars_like.csv"] = render(*used_cars_rows())
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    stale = []
    for name, text in expected_files().items():
        path = HERE / name
        if args.check:
            on_disk = path.read_text(encoding="utf-8") if path.exists() else None
            if on_disk != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8", newline="\n")
            print(f"wrote {path.relative_to(HERE.parent)} ({text.count(chr(10)) - 1} rows)")
    if stale:
        print(f"out of date: {', '.join(stale)}; run python sample_data/make_samples.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
