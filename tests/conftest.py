"""Shared fixtures: paths to the samples that ship with the app and to ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_data"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def used_cars_train() -> Path:
    """The Kaggle used-car table of seed 002, when ../shared/data is beside the project."""
    path = SHARED_DATA / "used_cars_train.csv"
    if not path.exists():
        pytest.skip(f"{path} not found: the shared reference data is not beside this checkout")
    return path
