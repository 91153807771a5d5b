"""Z-score's lesson on the pages: learning rates typed as numbers (1e-9 included), each checked
against its optimizer's stable limit on the current data and scaling before training.

The curvature and the limits come from the engine (linreg_core.curvature); this module only
lays them out and says them in words. Every string shown lives here, as a constant or in a
function that builds it from the numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import streamlit as st

from linreg_core import (
    HYPERPARAMETERS,
    OPTIMIZERS,
    ConfigError,
    LinRegError,
    OptimizerConfig,
    RunConfig,
    prepare,
)
from linreg_core.config import check_number
from ui import state

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

    from linreg_core.curvature import Curvature

LR = HYPERPARAMETERS["lr"]
LR_HELP = (
    f"Any number from {LR.low:g} to {LR.high:g}, typed as it is: 0.01, 0.000001 or 1e-6 "
    "(= 10⁻⁶), 5e-11. Raw features in the tens of thousands need learning rates near 1e-10."
)
LR_PLACEHOLDER = "e.g. 0.01 or 1e-9"


def lr_text(lr: float) -> str:
    """A learning rate as the box shows it: 0.1, 0.0005, 1e-09 -> '1e-9'."""
    text = f"{lr:g}"
    mantissa, e, exponent = text.partition("e")
    return f"{mantissa}e{int(exponent)}" if e else text


def lr_input(col: DeltaGenerator, title: str, lr: float, key: str) -> str:
    """A text box for one optimizer's learning rate (inside the Train form).

    A text box, not a number box: a number box refuses a value outside its range in the
    browser (it turns red and keeps its last value), so Train would silently train the old
    settings. Here every typed value reaches the server, which trains it or says what is wrong.
    """
    return col.text_input(
        f"{title} learning rate",
        value=lr_text(lr),
        placeholder=LR_PLACEHOLDER,
        help=LR_HELP,
        label_visibility="collapsed",
        key=key,
    )


def checked_lr(text: Any, title: str) -> float:
    """The typed learning rate as a number; a ConfigError naming the optimizer, the value, the
    allowed range and the fix when it is not one the engine trains with."""
    typed = text.strip() if isinstance(text, str) else text  # a number: as it is
    if typed == "":
        raise ConfigError(f"{title}: no learning rate typed. {LR.fix}")
    try:
        return check_number(typed, LR)
    except ConfigError as exc:
        raise ConfigError(f"{title}: {exc}") from None


def optimizer_settings(rows: list[dict[str, Any]]) -> list[OptimizerConfig]:
    """The chosen rows of the form as OptimizerConfigs (lr checked first, with its title)."""
    return [
        OptimizerConfig(**{**row, "lr": checked_lr(row["lr"], OPTIMIZERS[row["name"]].title)})
        for row in rows
    ]


# -- the stable limits before training ----------------------------------------------------------
def curvatures(cfg: RunConfig | None = None) -> tuple[Curvature, Curvature] | None:
    """The training MSE's curvature on the session's rows, raw and z-scored (None when the
    table does not fit the settings; the pages say why). Kept per table and columns, so a page
    run computes it once."""
    ss = st.session_state
    cfg = cfg or state.settings()
    df, test_df = ss[state.DATA], ss[state.TEST_DATA]
    if df is None or not cfg.target or not cfg.features:
        return None
    about = (cfg.target, cfg.features, cfg.test_size, cfg.seed, cfg.bias)
    kept = ss[state.CURVATURE]
    if kept is not None and kept[0] is df and kept[1] is test_df and kept[2] == about:
        return kept[3]  # type: ignore[no-any-return]
    from linreg_core.curvature import raw_and_zscored

    try:
        both = raw_and_zscored(prepare(df, cfg, test_df), cfg)
    except LinRegError:
        return None
    ss[state.CURVATURE] = (df, test_df, about, both)
    return both


def trained_curvature(cfg: RunConfig) -> Curvature | None:
    """The curvature of the space cfg trains in (z-scored or raw)."""
    both = curvatures(cfg)
    return None if both is None else both[1 if cfg.normalize else 0]


def space(cfg: RunConfig) -> str:
    return "z-scored features" if cfg.normalize else "raw features"


def limit_note(name: str, typed: Any, given: OptimizerConfig | None) -> str | None:
    """Markdown beside an optimizer's learning rate: its stable limit on the current data and
    scaling, flagged when the typed lr is above it (None: no closed form, or no data)."""
    cfg = state.settings()
    curv = trained_curvature(cfg)
    if curv is None:
        return None
    hp = (given or OptimizerConfig(name)).hyperparameters()
    limit = curv.lr_limit(name, hp)
    if limit is None:
        return None
    try:
        lr = checked_lr(typed, OPTIMIZERS[name].title)
    except ConfigError:
        lr = None
    if lr is not None and lr > limit:
        return (
            f":orange[:material/warning: **lr {lr:g} is above the stable limit {limit:.3g}** "
            f"({lr / limit:,.3g}× it) on these {space(cfg)}: expect it to diverge. Train it "
            "anyway to watch.]"
        )
    return f":gray[Stable up to lr {limit:.3g} on these {space(cfg)}.]"
