"""The optimizers, declared once, as data: names, words, hyperparameters, torch's rules and state.

Everything else reads this table: validation (config.py), the update dispatch (optimizers.py),
the forms and the command line. It imports nothing from torch, so checking a setting is instant;
torch's classes and functional updates are named here and resolved where they run.

Updates go through torch.optim's functional forms (torch.optim.sgd.sgd, torch.optim.adam.adam,
...), the very functions the classes call in their step(); the classes' constructors import
torch._dynamo (about a second), the functions do not. gd-manual is the tutorials' hand-written
rule, w := w - lr * D, with the gradient from the formulas and no torch.optim.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

TUTORIAL_LR = 0.01  # the tutorials' learning rate: the command line's default


@dataclass(frozen=True)
class Bound:
    """The allowed values of one hyperparameter, and how to fix a bad one."""

    label: str  # in messages and on the form
    low: float
    high: float
    fix: str
    low_open: bool = False  # low itself is not allowed


HYPERPARAMETERS: Mapping[str, Bound] = MappingProxyType(
    {
        # down to 1e-12: raw features in the tens of thousands need ~1e-10 to stay stable
        "lr": Bound("learning rate", 1e-12, 1e6, "Use a positive step size such as 0.01."),
        "momentum": Bound("momentum", 0.0, 0.9999, "Use momentum in [0, 1), e.g. 0.9."),
        "alpha": Bound("alpha", 0.0, 0.9999, "Use alpha in [0, 1), e.g. 0.99."),
        "betas": Bound("beta", 0.0, 0.9999, "Use betas in [0, 1), e.g. (0.9, 0.999)."),
        "eps": Bound("eps", 0.0, 1.0, "Use a small eps like 1e-8.", low_open=True),
        "weight_decay": Bound(
            "weight decay", 0.0, 10.0, "Use 0 (none) or a small value like 0.01."
        ),
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


ADAPTIVE_NO_LIMIT = (
    "divides each step by a running size of its own gradients, so its step is about lr "
    "whatever the curvature: no learning rate makes it diverge on a quadratic, and none is "
    "given by a closed form"
)


@dataclass(frozen=True)
class OptimizerSpec:
    """One optimizer: what learners read, its hyperparameters, and torch's rule and state."""

    name: str  # the key on the command line and in settings
    title: str  # shown to learners
    summary: str  # one sentence on what it does
    defaults: Mapping[str, object]  # hyperparameters beside lr, torch's names and defaults
    torch_class: str | None  # the torch.optim class with the same rule (None: gd-manual)
    update: str | None  # the functional update torch's class calls (None: w := w - lr g)
    state: tuple[str, ...] = ()  # the update's per-parameter state lists, in its order
    lazy: tuple[str, ...] = ()  # state torch creates on the first step (starts as None)
    fixed: Mapping[str, object] = field(default_factory=dict)  # the update's other keywords
    class_options: Mapping[str, object] = field(default_factory=dict)  # e.g. nesterov=True
    lr_limit: LrLimit | None = None  # the largest stable full-batch lr, where a closed form exists
    no_limit: str = ""  # why there is no closed form, in words

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
    "Steps straight down the gradient: w := w - lr * g.",
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
    "Momentum plus RMSProp's per-parameter scaling, with a bias correction for the start.",
    {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0},
    "Adam",
    "torch.optim.adam.adam",
    state=("exp_avg", "exp_avg_sq", "max_exp_avg_sq", "step"),
    fixed={"amsgrad": False, "maximize": False},
    no_limit=ADAPTIVE_NO_LIMIT,
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
                summary="Keeps a running velocity of past gradients, so it speeds up along "
                "steady slopes and can overshoot and oscillate.",
                defaults={"momentum": 0.9, "weight_decay": 0.0},
            ),
            replace(
                SGD,
                name="nesterov",
                title="Nesterov",
                summary="Momentum that looks ahead along its velocity before correcting, which "
                "damps overshoot.",
                defaults={"momentum": 0.9, "weight_decay": 0.0},
                fixed={**SGD.fixed, "nesterov": True},
                class_options={"nesterov": True},
                lr_limit=_nesterov,
            ),
            OptimizerSpec(
                "rmsprop",
                "RMSProp",
                "Divides each step by a running root-mean-square of its gradients, so every "
                "parameter moves at a similar pace whatever the scale of its feature.",
                {"alpha": 0.99, "eps": 1e-8, "momentum": 0.0, "weight_decay": 0.0},
                "RMSprop",
                "torch.optim.rmsprop.rmsprop",
                state=("square_avg", "grad_avg", "momentum_buffer", "step"),
                fixed={"centered": False},
                no_limit=ADAPTIVE_NO_LIMIT,
            ),
            ADAM,
            OptimizerSpec(
                "adagrad",
                "Adagrad",
                "Divides by the root of all squared gradients so far, so its steps keep shrinking.",
                {"eps": 1e-10, "weight_decay": 0.0},
                "Adagrad",
                "torch.optim.adagrad.adagrad",
                state=("sum", "step"),
                fixed={"lr_decay": 0.0, "maximize": False},
                no_limit=ADAPTIVE_NO_LIMIT,
            ),
            replace(
                ADAM,
                name="adamw",
                title="AdamW",
                summary="Adam with weight decay applied directly to the weights (pulls them "
                "towards zero).",
                defaults={"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01},
                torch_class="AdamW",
                update="torch.optim.adamw.adamw",
            ),
            OptimizerSpec(
                "gd-manual",
                "Hand-written GD",
                "The tutorials' loop without torch.optim: gradients from the formulas "
                "D_W = 2/m sum((Wx + b - y) x), D_b = 2/m sum(Wx + b - y); w := w - lr * D.",
                {},
                None,
                None,
                lr_limit=_heavy_ball,
            ),
        )
    }
)
