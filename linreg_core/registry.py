"""The optimizers, declared once, as data: names, words, hyperparameters, torch's rules and state.

Everything else reads this table: validation (config.py), the update dispatch (optimizers.py),
the forms and the command line. It imports nothing from torch, so checking a setting is instant;
torch's classes and functional updates are named here and resolved where they run.

Updates go through torch.optim's functional forms (torch.optim.sgd.sgd, torch.optim.adam.adam,
...), the very functions the classes call in their step(); the classes' constructors import
torch._dynamo (about a second), the functions do not. gd-manual is the tutorials' hand-written
rule, w := w - lr * D, with the gradient from the formulas and no torch.optim.

The words learners read (each optimizer's summary, each hyperparameter's label and fix, why an
adaptive optimizer has no stable limit) live in the catalogs' [optimizer] section
(linreg_core/locales): they are Said objects here, English when printed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from linreg_core.errors import Said

TUTORIAL_LR = 0.01  # the tutorials' learning rate: the command line's default


@dataclass(frozen=True)
class Bound:
    """The allowed values of one hyperparameter, and how to fix a bad one."""

    label: str | Said  # in messages and on the form
    low: float
    high: float
    fix: str | Said
    low_open: bool = False  # low itself is not allowed


def _bound(name: str, low: float, high: float, *, low_open: bool = False) -> Bound:
    """A hyperparameter's bound, its label and fix from the catalog (optimizer.hp.<name>)."""
    return Bound(
        Said(f"optimizer.hp.{name}.label"), low, high, Said(f"optimizer.hp.{name}.fix"), low_open
    )


HYPERPARAMETERS: Mapping[str, Bound] = MappingProxyType(
    {
        # down to 1e-12: raw features in the tens of thousands need ~1e-10 to stay stable
        "lr": _bound("lr", 1e-12, 1e6),
        "momentum": _bound("momentum", 0.0, 0.9999),
        "alpha": _bound("alpha", 0.0, 0.9999),
        "betas": _bound("betas", 0.0, 0.9999),
        "eps": _bound("eps", 0.0, 1.0, low_open=True),
        "weight_decay": _bound("weight_decay", 0.0, 10.0),
    }
)

LrLimit = Callable[[float, Mapping[str, object]], float]  # (largest Hessian eigenvalue, hp) -> lr


def _heavy_ball(lmax: float, hp: Mapping[str, object]) -> float:
    """v := mu v + g; w := w - lr v is stable on a quadratic while lr * lmax < 2 + 2 mu."""
    return (2.0 + 2.0 * float(hp.get("momentum", 0.0))) / lmax  # type: ignore[arg-type]


def _nesterov(lmax: float, hp: Mapping[str, object]) -> float:
    """torch's Nesterov step w := w - lr (g + mu v) is stable while lr * lmax < (2 + 2mu)/(1 + 2mu).

    On an eigen-direction with a = lr * lambda the iteration's characteristic polynomial is
    z^2 - (1 + mu)(1 - a) z + mu (1 - a); its root reaches -1 at a = (2 + 2 mu) / (1 + 2 mu).
    """
    mu = float(hp.get("momentum", 0.0))  # type: ignore[arg-type]
    return (2.0 + 2.0 * mu) / ((1.0 + 2.0 * mu) * lmax)


@dataclass(frozen=True)
class OptimizerSpec:
    """One optimizer: what learners read, its hyperparameters, and torch's rule and state."""

    name: str  # the key on the command line and in settings
    title: str  # shown to learners; a name, the same in every language
    defaults: Mapping[str, object]  # hyperparameters beside lr, torch's names and defaults
    torch_class: str | None  # the torch.optim class with the same rule (None: gd-manual)
    update: str | None  # the functional update torch's class calls (None: w := w - lr g)
    state: tuple[str, ...] = ()  # the update's per-parameter state lists, in its order
    lazy: tuple[str, ...] = ()  # state torch creates on the first step (starts as None)
    fixed: Mapping[str, object] = field(default_factory=dict)  # the update's other keywords
    class_options: Mapping[str, object] = field(default_factory=dict)  # e.g. nesterov=True
    lr_limit: LrLimit | None = None  # the largest stable full-batch lr, where a closed form exists

    @property
    def summary(self) -> Said:
        """One sentence on what it does (the catalog's optimizer.<name>.summary)."""
        return Said(f"optimizer.{self.name}.summary")

    @property
    def no_limit(self) -> Said | None:
        """Why it has no stable learning rate in closed form, or None when it has one."""
        return None if self.lr_limit is not None else Said("optimizer.no_limit", title=self.title)

    def state_used(self, hp: Mapping[str, object]) -> tuple[str, ...]:
        """The state this optimizer keeps with these hyperparameters, as torch's class keeps it
        (no momentum_buffer without momentum; the step counter and unused slots left out)."""
        unused = {"step", "max_exp_avg_sq", "grad_avg"}
        if not hp.get("momentum"):
            unused.add("momentum_buffer")
        return tuple(s for s in self.state if s not in unused)


SGD = OptimizerSpec(
    "sgd",
    "SGD",
    {"momentum": 0.0, "weight_decay": 0.0},
    "SGD",
    "torch.optim.sgd.sgd",
    state=("momentum_buffer",),
    lazy=("momentum_buffer",),
    fixed={"dampening": 0.0, "nesterov": False, "maximize": False},
    lr_limit=_heavy_ball,
)
ADAM = OptimizerSpec(
    "adam",
    "Adam",
    {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0},
    "Adam",
    "torch.optim.adam.adam",
    state=("exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"),
    fixed={"amsgrad": False, "maximize": False},
)

OPTIMIZERS: Mapping[str, OptimizerSpec] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            SGD,
            replace(
                SGD,
                name="momentum",
                title="Momentum",
                defaults={"momentum": 0.9, "weight_decay": 0.0},
            ),
            replace(
                SGD,
                name="nesterov",
                title="Nesterov",
                defaults={"momentum": 0.9, "weight_decay": 0.0},
                fixed={**SGD.fixed, "nesterov": True},
                class_options={"nesterov": True},
                lr_limit=_nesterov,
            ),
            OptimizerSpec(
                "rmsprop",
                "RMSProp",
                {"alpha": 0.99, "eps": 1e-8, "momentum": 0.0, "weight_decay": 0.0},
                "RMSprop",
                "torch.optim.rmsprop.rmsprop",
                state=("square_avg", "grad_avg", "momentum_buffer", "step"),
                fixed={"centered": False},
            ),
            ADAM,
            OptimizerSpec(
                "adagrad",
                "Adagrad",
                {"eps": 1e-10, "weight_decay": 0.0},
                "Adagrad",
                "torch.optim.adagrad.adagrad",
                state=("sum", "step"),
                fixed={"lr_decay": 0.0, "maximize": False},
            ),
            replace(
                ADAM,
                name="adamw",
                title="AdamW",
                defaults={"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01},
                torch_class="AdamW",
                update="torch.optim.adamw.adamw",
            ),
            OptimizerSpec(
                "gd-manual",
                "Hand-written GD",
                {},
                None,
                None,
                lr_limit=_heavy_ball,
            ),
        )
    }
)
