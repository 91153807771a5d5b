"""The typed settings of a run: which columns, how to scale, how to train, which optimizers.

Pages and the command line both build one RunConfig; the core never reads widgets or argv.
Every value is checked here, at the door, with a message that repeats it and says the fix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from linreg_core.errors import ConfigError, Said
from linreg_core.registry import HYPERPARAMETERS, OPTIMIZERS, TUTORIAL_LR, Bound

MAX_EPOCHS = 100_000  # beyond this a teaching run is a mistake, not an experiment
# The rule for how full batch trains, in one place (train.choose_path): tables up to this many
# rows, the tutorials' size, train with their float32 loop over the rows, which alone reproduces
# their printed digits; larger ones train every optimizer together from the rows' statistics
# (train.py, rules.py), which agrees with that loop to float32 rounding at a fraction of its cost.
PLAIN_MAX_ROWS = 50
MAX_TEST_SIZE = 0.95  # the largest fraction of rows that may be held out
# epochs x parameters x optimizers: each run keeps its weights and gradient for every epoch, 16
# bytes a value, so 2 million is 32 MB a comparison (100,000 epochs of 4 parameters x 4 runs fit;
# 100,000 epochs of 101 parameters would be 646 MB in one session); its optimizer's state adds 4
# bytes a value per state array (Adam's two: up to 16 MB more)
MAX_HISTORY = 2_000_000
INITS = ("zeros", "random")
PATHS = ("auto", "plain", "fast")
# A row filter's comparisons; "in" keeps rows whose value is one of several (the pages' choice).
WHERE_OPS = ("==", "!=", "<", "<=", ">", ">=", "in")


def check_number(value: object, bound: Bound) -> float:
    """value as a float within bound; else a ConfigError that repeats it and says the fix."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ConfigError("error.config.not_a_number", value=value, **_words(bound)) from None
    above = number > bound.low if bound.low_open else number >= bound.low
    if not math.isfinite(number) or not above or number > bound.high:
        low = f"> {bound.low:g}" if bound.low_open else f">= {bound.low:g}"
        raise ConfigError(
            "error.config.out_of_range", value=value, low=low, high=bound.high, **_words(bound)
        )
    return number


OUTLIER_Z = Bound(
    Said("error.config.bound.outlier_z"),
    0.0,
    1e6,
    Said("error.config.fix.outlier_z"),
    low_open=True,
)
TEST_SIZE = Bound(
    Said("error.config.bound.test_size"), 0.0, MAX_TEST_SIZE, Said("error.config.fix.test_size")
)


def _words(bound: Bound) -> dict[str, Any]:
    """A bound's name and fix (catalog sentences, rendered in the reader's language)."""
    return {"what": bound.label, "fix": bound.fix}


@dataclass(frozen=True)
class Condition:
    """Keep the rows where `column OP value` holds (linreg_core.rows applies it).

    The value is kept as written ("I", "2015", "USA"); a column of numbers compares it as a
    number. For "in" it is a tuple of such values.
    """

    column: str
    op: str  # one of WHERE_OPS
    value: str | tuple[str, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.column, str) or not self.column:
            raise ConfigError("error.config.filter_column", column=self.column)
        if self.op not in WHERE_OPS:
            raise ConfigError("error.config.filter_op", op=self.op, ops=" ".join(WHERE_OPS))
        if self.op == "in":
            values = (self.value,) if isinstance(self.value, str) else tuple(self.value)
            if not values:
                raise ConfigError("error.config.filter_empty", column=self.column)
            object.__setattr__(self, "value", tuple(str(v) for v in values))
        elif isinstance(self.value, (tuple, list)):
            raise ConfigError("error.config.filter_one_value", op=self.op, values=list(self.value))
        else:
            object.__setattr__(self, "value", str(self.value).strip())

    def __str__(self) -> str:
        if self.op == "in":
            return f"{self.column} in {{{', '.join(self.value)}}}"
        return f"{self.column} {self.op} {self.value}"


@dataclass(frozen=True)
class OptimizerConfig:
    """One optimizer with its hyperparameters, named as in torch.optim (None = registry default)."""

    name: str = "sgd"  # a key of linreg_core.registry.OPTIMIZERS
    lr: float = TUTORIAL_LR  # learning rate (step size)
    momentum: float | None = None  # sgd/momentum/nesterov/rmsprop
    alpha: float | None = None  # rmsprop: smoothing of the squared-gradient average
    betas: tuple[float, float] | None = None  # adam/adamw: decay of 1st and 2nd moments
    eps: float | None = None  # rmsprop/adam/adamw/adagrad: added to the denominator
    weight_decay: float | None = None  # L2 penalty (adamw: decoupled)

    def __post_init__(self) -> None:
        if self.name not in OPTIMIZERS:
            known = ", ".join(OPTIMIZERS)
            raise ConfigError("error.config.unknown_optimizer", name=self.name, known=known)
        own = OPTIMIZERS[self.name].defaults
        for key, bound in HYPERPARAMETERS.items():
            value = getattr(self, key)
            if value is None:
                continue
            if key != "lr" and key not in own:
                takes = ", ".join(["lr", *own])
                raise ConfigError(
                    "error.config.no_hyperparameter", name=self.name, key=key, takes=takes
                )
            if key == "betas":
                if not isinstance(value, (tuple, list)) or len(value) != 2:
                    raise ConfigError("error.config.betas", value=value, fix=_words(bound)["fix"])
                checked: Any = tuple(check_number(v, bound) for v in value)
            else:
                checked = check_number(value, bound)
            object.__setattr__(self, key, checked)

    def hyperparameters(self) -> dict[str, Any]:
        """The full hyperparameters this optimizer runs with, defaults filled in."""
        values: dict[str, Any] = {"lr": self.lr}
        for key, default in OPTIMIZERS[self.name].defaults.items():
            given = getattr(self, key)
            values[key] = default if given is None else given
        return values

    @property
    def label(self) -> str:
        """A short readable name, e.g. 'adam (lr=0.01)'."""
        return f"{self.name} (lr={self.lr:g})"


@dataclass(frozen=True)
class RunConfig:
    """Everything that decides a run's numbers; equal configs on equal data give equal results."""

    target: str | None = None  # column to predict (None: not chosen yet; training refuses)
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
    where: tuple[Condition, ...] = ()  # keep rows where all hold, before the split
    numbers_from_text: tuple[str, ...] = ()  # columns read as numbers from '19.67 kmpl' cells
    drop_outliers: float | None = None  # drop training rows beyond this |z| (None: keep all)

    def __post_init__(self) -> None:
        if self.target is not None and (not isinstance(self.target, str) or not self.target):
            raise ConfigError("error.config.target", target=self.target)
        object.__setattr__(self, "features", tuple(self.features))
        if self.target in self.features:
            raise ConfigError("error.config.target_feature", target=self.target)
        if len(set(self.features)) != len(self.features):
            raise ConfigError("error.config.feature_twice", features=list(self.features))
        object.__setattr__(self, "test_size", check_number(self.test_size, TEST_SIZE))
        epochs: Any = self.epochs
        if isinstance(epochs, float) and epochs.is_integer():
            epochs = int(epochs)
        if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 1:
            raise ConfigError("error.config.epochs", epochs=self.epochs)
        if epochs > MAX_EPOCHS:
            raise ConfigError("error.config.epochs_limit", epochs=epochs, limit=MAX_EPOCHS)
        object.__setattr__(self, "epochs", epochs)
        if self.batch_size is not None and (
            not isinstance(self.batch_size, int)
            or isinstance(self.batch_size, bool)
            or self.batch_size < 1
        ):
            raise ConfigError("error.config.batch_size", batch_size=self.batch_size)
        if self.init not in INITS:
            raise ConfigError("error.config.init", init=self.init, inits=", ".join(INITS))
        if self.path not in PATHS:
            raise ConfigError("error.config.path", path=self.path, paths=", ".join(PATHS))
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise ConfigError("error.config.seed", seed=self.seed)
        object.__setattr__(self, "where", tuple(self.where))
        for cond in self.where:
            if not isinstance(cond, Condition):
                raise ConfigError("error.config.not_a_filter", cond=cond)
        object.__setattr__(self, "numbers_from_text", tuple(self.numbers_from_text))
        if not all(isinstance(c, str) and c for c in self.numbers_from_text):
            raise ConfigError(
                "error.config.numbers_from_text", columns=list(self.numbers_from_text)
            )
        if self.drop_outliers is not None:
            object.__setattr__(self, "drop_outliers", check_number(self.drop_outliers, OUTLIER_Z))
        object.__setattr__(self, "optimizers", tuple(self.optimizers))
        if not self.optimizers:
            raise ConfigError("error.config.no_optimizer")
        for opt in self.optimizers:
            if not isinstance(opt, OptimizerConfig):
                raise ConfigError("error.config.not_an_optimizer", opt=opt)
