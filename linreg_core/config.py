"""The typed settings of a run: which columns, how to scale, how to train, which optimizers.

Pages and the command line both build one RunConfig; the core never reads widgets or argv.
Every value is checked here, at the door, with a message that repeats it and says the fix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from linreg_core.errors import ConfigError

MAX_EPOCHS = 100_000  # beyond this a teaching run is a mistake, not an experiment
INITS = ("zeros", "random")
PATHS = ("auto", "plain", "fast")


def _check_number(
    name: str, value: object, *, low: float, high: float, fix: str, low_open: bool = False
) -> float:
    """Return value as a float in [low, high] ((low, high] if low_open); else raise ConfigError."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ConfigError(f"Invalid {name}: {value!r} is not a number. {fix}") from None
    above = number > low if low_open else number >= low
    if not math.isfinite(number) or not above or number > high:
        bound = f"> {low:g}" if low_open else f">= {low:g}"
        raise ConfigError(f"Invalid {name}: {value!r}; it must be {bound} and <= {high:g}. {fix}")
    return number


# name -> (lowest, highest, lowest excluded, how to fix a bad value); betas: each of the two
HYPERPARAMETER_LIMITS: dict[str, tuple[float, float, bool, str]] = {
    "lr": (0.0, 1e6, True, "Use a positive step size such as 0.01."),
    "momentum": (0.0, 0.9999, False, "Use momentum in [0, 1), e.g. 0.9."),
    "alpha": (0.0, 0.9999, False, "Use alpha in [0, 1), e.g. 0.99."),
    "betas": (0.0, 0.9999, False, "Use betas in [0, 1), e.g. (0.9, 0.999)."),
    "eps": (0.0, 1.0, True, "Use a small eps like 1e-8."),
    "weight_decay": (0.0, 10.0, False, "Use 0 (none) or a small value like 0.01."),
}


@dataclass(frozen=True)
class OptimizerConfig:
    """One optimizer with its hyperparameters, named as in torch.optim (None = registry default)."""

    name: str = "sgd"  # a key of linreg_core.optimizers.OPTIMIZERS
    lr: float = 0.01  # learning rate (step size)
    momentum: float | None = None  # sgd/momentum/nesterov/rmsprop
    alpha: float | None = None  # rmsprop: smoothing of the squared-gradient average
    betas: tuple[float, float] | None = None  # adam/adamw: decay of 1st and 2nd moments
    eps: float | None = None  # rmsprop/adam/adamw/adagrad: added to the denominator
    weight_decay: float | None = None  # L2 penalty (adamw: decoupled)

    def __post_init__(self) -> None:
        from linreg_core.optimizers import OPTIMIZERS

        if self.name not in OPTIMIZERS:
            known = ", ".join(OPTIMIZERS)
            raise ConfigError(f"Unknown optimizer {self.name!r}. Known optimizers: {known}.")
        for key, (low, high, low_open, fix) in HYPERPARAMETER_LIMITS.items():
            value = getattr(self, key)
            if value is None:
                continue
            if key == "betas":
                if not isinstance(value, (tuple, list)) or len(value) != 2:
                    raise ConfigError(f"Invalid betas: {value!r}; give two numbers. {fix}")
                checked: Any = tuple(
                    _check_number("beta", v, low=low, high=high, low_open=low_open, fix=fix)
                    for v in value
                )
            else:
                name = key.replace("_", " ") if key != "lr" else "learning rate"
                checked = _check_number(name, value, low=low, high=high, low_open=low_open, fix=fix)
            object.__setattr__(self, key, checked)

    def hyperparameters(self) -> dict[str, Any]:
        """The full hyperparameters this optimizer runs with, defaults filled in."""
        from linreg_core.optimizers import OPTIMIZERS

        spec = OPTIMIZERS[self.name]
        values: dict[str, Any] = {"lr": self.lr}
        for key, default in spec.defaults.items():
            given = getattr(self, key, None)
            values[key] = default if given is None else given
        return values

    @property
    def label(self) -> str:
        """A short readable name, e.g. 'adam (lr=0.01)'."""
        return f"{self.name} (lr={self.lr:g})"


@dataclass(frozen=True)
class RunConfig:
    """Everything that decides a run's numbers; equal configs on equal data give equal results."""

    target: str  # column to predict
    features: tuple[str, ...] = ()  # empty: every other numeric column
    normalize: bool = False  # z-score the features on the training rows (ddof=0)
    normalize_target: bool = False  # z-score the target too; results are reported in its units
    test_size: float = 0.0  # fraction of rows held out, 0 <= f < 1 (ignored with a test table)
    bias: bool = True  # y = Wx + b, or the seeds' H = Wx
    init: str = "zeros"  # "zeros" as in the seeds, or "random" as nn.Linear's
    seed: int = 0  # shuffles the split and the mini-batches, and draws the random start
    epochs: int = 1000  # full batch: one step per epoch
    batch_size: int | None = None  # None: full batch
    optimizers: tuple[OptimizerConfig, ...] = field(default=(OptimizerConfig(),))
    path: str = "auto"  # "plain" float32 loop, "fast" sufficient statistics, or "auto"

    def __post_init__(self) -> None:
        if not isinstance(self.target, str) or not self.target:
            raise ConfigError("No target column chosen. Pick the column to predict.")
        object.__setattr__(self, "features", tuple(self.features))
        if self.target in self.features:
            raise ConfigError(
                f"The target {self.target!r} is also chosen as a feature. "
                "A column cannot predict itself: remove it from the features."
            )
        if len(set(self.features)) != len(self.features):
            raise ConfigError(
                f"A feature is chosen twice in {list(self.features)}. Choose each once."
            )
        test_size = _check_number(
            "test size",
            self.test_size,
            low=0.0,
            high=0.95,
            fix="Use a fraction such as 0.2, or 0 to keep every row.",
        )
        object.__setattr__(self, "test_size", test_size)
        epochs: Any = self.epochs
        if isinstance(epochs, float) and epochs.is_integer():
            epochs = int(epochs)
        if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 1:
            raise ConfigError(
                f"Invalid number of epochs: {self.epochs!r}. Use a whole number >= 1."
            )
        if epochs > MAX_EPOCHS:
            raise ConfigError(
                f"{epochs:,} epochs is more than the limit of {MAX_EPOCHS:,}. "
                "Use fewer epochs or a larger learning rate."
            )
        object.__setattr__(self, "epochs", epochs)
        if self.batch_size is not None and (
            not isinstance(self.batch_size, int)
            or isinstance(self.batch_size, bool)
            or self.batch_size < 1
        ):
            raise ConfigError(
                f"Invalid batch size: {self.batch_size!r}. Use a whole number >= 1, or full batch."
            )
        if self.init not in INITS:
            raise ConfigError(f"Unknown start {self.init!r}. Use one of: {', '.join(INITS)}.")
        if self.path not in PATHS:
            raise ConfigError(f"Unknown path {self.path!r}. Use one of: {', '.join(PATHS)}.")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise ConfigError(f"Invalid seed: {self.seed!r}. Use a whole number >= 0.")
        if not self.optimizers:
            raise ConfigError("No optimizer chosen. Pick at least one, e.g. sgd.")
        for opt in self.optimizers:
            if not isinstance(opt, OptimizerConfig):
                raise ConfigError(f"Not an optimizer configuration: {opt!r}.")
