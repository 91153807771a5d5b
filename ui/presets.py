"""Ready-made experiments: a sample table, its columns and training settings, in one click.

Presets are data. The seed presets rerun a tutorial exactly (zero start, full batch, no scaling)
and carry the numbers the tutorial printed, so a page can show them beside the reproduced ones;
the apartment presets compare four optimizers on z-scored data. Each preset's settings are one
RunConfig, as the pages and the command line build. Pure Python: no streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from linreg_core import OptimizerConfig, RunConfig, param_names, read_table
from ui.state import DASHBOARD

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"


@dataclass(frozen=True)
class Published:
    """What a tutorial printed at its last epoch (bias None: no bias; cost None: not printed)."""

    source: str  # which post printed it
    epoch: int  # the epoch the numbers belong to
    weights: tuple[float, ...]  # one per feature
    bias: float | None
    cost: float | None
    decimals: int  # digits after the point as printed; compare after rounding to these
    note: str = ""

    def table(self) -> dict[str, str]:
        """The printed numbers as display text, one entry per quantity ('—': not printed)."""
        names = param_names(len(self.weights), False)
        row = {"epoch": str(self.epoch)}
        row |= {n: f"{w:.{self.decimals}f}" for n, w in zip(names, self.weights, strict=True)}
        row["b"] = "no bias" if self.bias is None else f"{self.bias:.{self.decimals}f}"
        row["cost"] = "—" if self.cost is None else f"{self.cost:g}"
        return row


@dataclass(frozen=True)
class Preset:
    """One experiment: which table, which columns, how to scale and how to train."""

    name: str  # shown on the button; also the key of load_preset()
    key: str  # short identifier for widget keys and tests
    description: str  # one or two sentences for the Start page
    hint_ko: str  # a short Korean hint shown under the description
    csv: str  # file name in sample_data/
    settings: RunConfig  # columns, split, scaling and training
    published: Published | None = None
    lesson: bool = False  # the Train page also shows it raw and z-scored, side by side

    @property
    def target(self) -> str:
        return str(self.settings.target)


PRESETS: tuple[Preset, ...] = (
    Preset(
        name="Seed 000: hours → money",
        key="seed000",
        description="Hours hunted (1, 2, 3) against money earned (30, 60, 90), trained with "
        "SGD at lr 0.01 for 1000 epochs from W = b = 0, exactly as the tutorial.",
        hint_ko="튜토리얼 000: 사냥 시간 → 번 돈, SGD lr 0.01, 1000 epoch",
        csv="hours_money.csv",
        settings=RunConfig(target="money", features=("hours",)),
        published=Published(
            source="Seed 000",
            epoch=1000,
            weights=(29.5617,),
            bias=0.9963,
            cost=0.143077,
            decimals=4,
            note="Printed as `Epoch 1000/1000 W: 29.5617, b: 0.9963, Cost: 0.143077`.",
        ),
    ),
    Preset(
        name="Seed 001: study hours → score",
        key="seed001",
        description="Study hours (1-4) against exam scores (50, 70, 90, 85), SGD at lr 0.01 "
        "for 2000 epochs from zero. The line cannot pass through every point.",
        hint_ko="튜토리얼 001: 공부 시간 → 점수, 2000 epoch",
        csv="study_score.csv",
        settings=RunConfig(target="score", features=("hours",), epochs=2000),
        published=Published(
            source="Seed 001",
            epoch=2000,
            weights=(12.529,),
            bias=42.415,
            cost=None,
            decimals=3,
            note="The post logs W and b with 3 decimals; its nn.Linear run (random start) "
            "ends at W 12.5297, b 42.4155.",
        ),
    ),
    Preset(
        name="Seed 003: H = Wx without bias",
        key="seed003",
        description="y = x on three points with no bias term (H = Wx), SGD at lr 0.15 for "
        "10 epochs: W jumps past 1 and settles on it.",
        hint_ko="튜토리얼 003: 편향(b) 없는 가설 H = Wx",
        csv="hours_points.csv",
        settings=RunConfig(
            target="points",
            features=("hour",),
            epochs=10,
            bias=False,
            optimizers=(OptimizerConfig("sgd", lr=0.15),),
        ),
        published=Published(
            source="Seed 003",
            epoch=10,
            weights=(0.9999,),
            bias=None,
            cost=None,
            decimals=4,
            note="The post prints W before each step for epochs 0..10, so its `EPOCH 10` line "
            "shows W after 10 steps (0.9999) with the cost at that W (5.13e-08); here the "
            "cost of epoch 10 is taken before the 10th step.",
        ),
    ),
    Preset(
        name="Apartments: area → price (landscape)",
        key="apt_area",
        description="800 made-up apartment sales: price (억) from floor area alone, z-scored, "
        "20% held out. One feature, so the Train page can draw the loss landscape and each "
        "optimizer's path across it.",
        hint_ko="아파트: 면적 → 가격, 손실 지형(landscape)에서 네 옵티마이저 비교",
        csv="apartments.csv",
        settings=replace(DASHBOARD, target="price_eok", features=("area_m2",)),
    ),
    Preset(
        name="Apartments: 3 features",
        key="apt_three",
        description="The same sales with area, age and distance to the station, z-scored, 20% "
        "held out: SGD, Momentum, RMSProp and Adam at lr 0.1 from the same start.",
        hint_ko="아파트: 면적·연식·역 거리 → 가격, 옵티마이저 4종 비교",
        csv="apartments.csv",
        settings=replace(
            DASHBOARD, target="price_eok", features=("area_m2", "age_years", "station_km")
        ),
    ),
    Preset(
        name="Seed 002: used cars, raw vs z-scored",
        key="seed002",
        description="500 made-up used cars shaped like seed 002's: price (lakh) from "
        "kilometres driven, in the tens of thousands with a heavy tail. SGD at the tutorials' "
        "lr 0.01 on the raw kilometres and on z-scored ones, side by side: one blows up, one "
        "converges, and the curvature says why.",
        hint_ko="튜토리얼 002: 중고차 주행거리 → 가격, 표준화 전후 비교",
        csv="used_cars_like.csv",
        settings=RunConfig(
            target="Price",
            features=("Kilometers_Driven",),
            test_size=0.2,
            epochs=1000,
            optimizers=(OptimizerConfig("sgd", lr=0.01),),
        ),
        lesson=True,
    ),
)


def preset_names() -> list[str]:
    return [p.name for p in PRESETS]


def get_preset(name: str) -> Preset:
    """The preset called name (or with that key); a KeyError lists the known names."""
    for preset in PRESETS:
        if name in (preset.name, preset.key):
            return preset
    raise KeyError(f"Unknown preset {name!r}. Known presets: {', '.join(preset_names())}.")


def sample_path(csv: str) -> Path:
    return SAMPLE_DIR / csv


def load_preset(name: str) -> tuple[pd.DataFrame, Preset]:
    """The preset's table (read like any upload) and the preset."""
    preset = get_preset(name)
    return read_table(sample_path(preset.csv)), preset
