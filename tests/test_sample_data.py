"""The shipped sample tables are exactly what sample_data/make_samples.py documents and writes."""

from __future__ import annotations

import csv
import importlib.util
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

SAMPLE_DATA = Path(__file__).resolve().parent.parent / "sample_data"


def _make_samples():
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLE_DATA / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(name: str) -> list[dict[str, str]]:
    with (SAMPLE_DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_files_on_disk_match_the_generator_byte_for_byte() -> None:
    assert _make_samples().main(["--check"]) == 0


def test_seed_tables_hold_the_tutorials_numbers() -> None:
    assert _read("hours_money.csv") == [
        {"hours": "1", "money": "30"},
        {"hours": "2", "money": "60"},
        {"hours": "3", "money": "90"},
    ]
    assert [(r["hours"], r["score"]) for r in _read("study_score.csv")] == [
        ("1", "50"),
        ("2", "70"),
        ("3", "90"),
        ("4", "85"),
    ]
    assert [(r["hour"], r["points"]) for r in _read("hours_points.csv")] == [
        ("1", "1"),
        ("2", "2"),
        ("3", "3"),
    ]


def test_apartments_follow_the_documented_line_except_the_outlier() -> None:
    gen = _make_samples()
    rows = _read("apartments.csv")
    assert len(rows) == gen.N_ROWS
    features = ["area_m2", "age_years", "station_km"]
    x = np.array([[float(r[c]) for c in features] for r in rows])  # (n_rows, 3)
    y = np.array([float(r["price_eok"]) for r in rows])  # (n_rows,)
    assert {r["district"] for r in rows} <= set(gen.DISTRICTS)
    assert x[gen.OUTLIER_ROW, 0] == 10 * gen.OUTLIER_TRUE_AREA
    keep = np.arange(len(rows)) != gen.OUTLIER_ROW
    design = np.c_[x[keep], np.ones(keep.sum())]
    coef, *_ = np.linalg.lstsq(design, y[keep], rcond=None)
    truth = [*gen.TRUE_COEFS.values(), gen.TRUE_INTERCEPT]
    # Tolerances are a few standard errors of each least-squares coefficient at this noise.
    assert np.all(np.abs(coef - truth) <= [0.005, 0.005, 0.1, 0.2]), (coef, truth)
    residual_std = np.std(y[keep] - design @ coef)
    assert abs(residual_std - gen.NOISE_STD) < 0.1
    # The outlier is what makes the area coefficient collapse on the full table.
    full, *_ = np.linalg.lstsq(np.c_[x, np.ones(len(x))], y, rcond=None)
    assert full[0] < 0.5 * coef[0]


def test_used_cars_like_is_shaped_like_seed_002s_table() -> None:
    gen = _make_samples()
    rows = _read("used_cars_like.csv")
    assert len(rows) == gen.CARS_ROWS
    km = np.array([float(r["Kilometers_Driven"]) for r in rows])
    price = np.array([float(r["Price"]) for r in rows])
    year = np.array([int(r["Year"]) for r in rows])
    assert km[gen.CARS_EXTREME_ROW] == 6_500_000 == km.max()
    others = np.delete(km, gen.CARS_EXTREME_ROW)
    assert 10_000 < np.median(others) < 100_000 and others.max() < 500_000  # tens of thousands
    assert np.mean(others) > np.median(others)  # a heavy right tail
    assert (np.abs(km - km.mean()) / km.std()).max() > 20  # the extreme row stands far out
    assert price.min() > 0.2 and 5 < np.median(price) < 15  # lakh
    assert year.max() == gen.CARS_LAST_YEAR and year.min() >= gen.CARS_LAST_YEAR - 21


def test_used_cars_like_diverges_raw_and_converges_z_scored_at_the_tutorials_rate() -> None:
    from linreg_core import RunConfig, run
    from linreg_core.config import OptimizerConfig

    df = pd.read_csv(SAMPLE_DATA / "used_cars_like.csv")
    x = df["Kilometers_Driven"].to_numpy(dtype=float)
    A = np.column_stack([x, np.ones(len(x))])
    assert 2 / np.linalg.eigvalsh(2 * A.T @ A / len(A))[-1] < 1e-10  # SGD's limit, raw
    sgd = (OptimizerConfig("sgd", lr=0.01),)
    raw = RunConfig(target="Price", features=("Kilometers_Driven",), optimizers=sgd)
    assert run(df, raw).runs[0].diverged
    z = run(df, replace(raw, normalize=True))
    least, *_ = np.linalg.lstsq(
        np.column_stack([(x - x.mean()) / x.std(), np.ones(len(x))]),
        df["Price"].to_numpy(),
        rcond=None,
    )
    assert not z.runs[0].diverged
    np.testing.assert_allclose([z.runs[0].final_weights[0], z.runs[0].final_bias], least, rtol=1e-4)
