"""Ready-made experiments: a sample table, its columns and training settings, in one click.

Presets are data. The seed presets rerun a tutorial exactly (zero start, full batch, no scaling)
and carry the numbers the tutorial printed, so a page can show them beside the reproduced ones;
the apartment presets compare four optimizers on z-scored data. Each preset's settings are one
RunConfig, as the pages and the command line build. Titles and descriptions are catalog keys
(presets.<key>.title, .description) rendered in the language asked for. Pure Python: no
streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from linreg_core import OptimizerConfig, RunConfig, param_names, read_table
from linreg_core.errors import Said
from linreg_core.i18n import DEFAULT_LANGUAGE, text
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
    note: Said | None = None  # how to read the printed numbers; shown with ui.i18n.say

    def table(self, language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
        """The printed numbers as display text, one entry per quantity ('—': not printed), with
        the words in `language` (W and b are names)."""
        names = param_names(len(self.weights), False)
        row = {text("presets.published.epoch", language): str(self.epoch)}
        row |= {n: f"{w:.{self.decimals}f}" for n, w in zip(names, self.weights, strict=True)}
        no_bias = text("presets.published.no_bias", language)
        row["b"] = no_bias if self.bias is None else f"{self.bias:.{self.decimals}f}"
        cost = "—" if self.cost is None else f"{self.cost:g}"
        row[text("presets.published.cost", language)] = cost
        return row


@dataclass(frozen=True)
class Preset:
    """One experiment: which table, which columns, how to scale and how to train."""

    name: str  # its English title (presets.<key>.title); the name load_preset() and links take
    key: str  # short identifier for widget keys, tests and its catalog keys
    csv: str  # file name in sample_data/
    settings: RunConfig  # columns, split, scaling and training
    published: Published | None = None
    lesson: bool = False  # the Train page also shows it raw and z-scored, side by side

    @property
    def target(self) -> str:
        return str(self.settings.target)

    def title(self, language: str = DEFAULT_LANGUAGE) -> str:
        """The preset's title in `language` (its name in English)."""
        return text(f"presets.{self.key}.title", language)

    def description(self, language: str = DEFAULT_LANGUAGE) -> str:
        """One or two sentences for the Start page, in `language`."""
        return text(f"presets.{self.key}.description", language)


PRESETS: tuple[Preset, ...] = (
    Preset(
        name="Seed 000: hours → money",
        key="seed000",
        csv="hours_money.csv",
        settings=RunConfig(target="money", features=("hours",)),
        published=Published(
            source="Seed 000",
            epoch=1000,
            weights=(29.5617,),
            bias=0.9963,
            cost=0.143077,
            decimals=4,
            note=Said("presets.seed000.note"),
        ),
    ),
    Preset(
        name="Seed 001: study hours → score",
        key="seed001",
        csv="study_score.csv",
        settings=RunConfig(target="score", features=("hours",), epochs=2000),
        published=Published(
            source="Seed 001",
            epoch=2000,
            weights=(12.529,),
            bias=42.415,
            cost=None,
            decimals=3,
            note=Said("presets.seed001.note"),
        ),
    ),
    Preset(
        name="Seed 003: H = Wx without bias",
        key="seed003",
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
            note=Said("presets.seed003.note"),
        ),
    ),
    Preset(
        name="Apartments: area → price (landscape)",
        key="apt_area",
        csv="apartments.csv",
        settings=replace(DASHBOARD, target="price_eok", features=("area_m2",)),
    ),
    Preset(
        name="Apartments: 3 features",
        key="apt_three",
        csv="apartments.csv",
        settings=replace(
            DASHBOARD, target="price_eok", features=("area_m2", "age_years", "station_km")
        ),
    ),
    Preset(
        name="Seed 002: used cars, raw vs z-scored",
        key="seed002",
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
