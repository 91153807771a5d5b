"""The optimizer registry: a name -> torch.optim's update rule with its hyperparameters.

Updates run through torch.optim's functional forms (torch.optim.sgd.sgd, torch.optim.adam.adam,
...), the very functions the optimizer classes call in their step(); the classes import
torch._dynamo on their first step (about a second), the functions do not. gd-manual is the seeds'
hand-written rule, w := w - lr * dL/dw, with the gradient from the formulas, no torch.optim.

Defaults, beside lr (0.01 unless given):
    sgd       momentum=0, weight_decay=0
    momentum  SGD with momentum=0.9          v := m v + g;  w := w - lr v
    nesterov  SGD with momentum=0.9, nesterov=True
    rmsprop   alpha=0.99, eps=1e-8, momentum=0, weight_decay=0
              s := alpha s + (1 - alpha) g^2;  w := w - lr g / (sqrt(s) + eps)
    adam      betas=(0.9, 0.999), eps=1e-8, weight_decay=0
    adagrad   eps=1e-10, weight_decay=0
    adamw     betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01 (decoupled)
    gd-manual (no hyperparameters beyond lr)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch.optim.adagrad import adagrad as _adagrad
from torch.optim.adam import adam as _adam
from torch.optim.adamw import adamw as _adamw
from torch.optim.rmsprop import rmsprop as _rmsprop
from torch.optim.sgd import sgd as _sgd

from linreg_core.config import OptimizerConfig


@dataclass(frozen=True)
class OptimizerSpec:
    """What the registry knows about one optimizer."""

    title: str  # shown to learners
    torch_class: str | None  # the torch.optim class with the same rule (None: gd-manual)
    defaults: dict[str, object] = field(default_factory=dict)  # hyperparameters beyond lr
    summary: str = ""  # one sentence on what it does


OPTIMIZERS: dict[str, OptimizerSpec] = {
    "sgd": OptimizerSpec(
        "SGD",
        "SGD",
        {"momentum": 0.0, "weight_decay": 0.0},
        "Steps straight down the gradient: w := w - lr * g.",
    ),
    "momentum": OptimizerSpec(
        "Momentum",
        "SGD",
        {"momentum": 0.9, "weight_decay": 0.0},
        "Keeps a running velocity of past gradients, so it speeds up along steady slopes "
        "and can overshoot and oscillate.",
    ),
    "nesterov": OptimizerSpec(
        "Nesterov",
        "SGD",
        {"momentum": 0.9, "weight_decay": 0.0},
        "Momentum that looks ahead along its velocity before correcting, which damps overshoot.",
    ),
    "rmsprop": OptimizerSpec(
        "RMSProp",
        "RMSprop",
        {"alpha": 0.99, "eps": 1e-8, "momentum": 0.0, "weight_decay": 0.0},
        "Divides each step by a running root-mean-square of its gradients, so every parameter "
        "moves at a similar pace whatever the scale of its feature.",
    ),
    "adam": OptimizerSpec(
        "Adam",
        "Adam",
        {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0},
        "Momentum plus RMSProp's per-parameter scaling, with a bias correction for the start.",
    ),
    "adagrad": OptimizerSpec(
        "Adagrad",
        "Adagrad",
        {"eps": 1e-10, "weight_decay": 0.0},
        "Divides by the root of all squared gradients so far, so its steps keep shrinking.",
    ),
    "adamw": OptimizerSpec(
        "AdamW",
        "AdamW",
        {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01},
        "Adam with weight decay applied directly to the weights (pulls them towards zero).",
    ),
    "gd-manual": OptimizerSpec(
        "Hand-written GD",
        None,
        {},
        "The tutorials' loop without torch.optim: gradients from the formulas "
        "D_W = 2/m sum((Wx + b - y) x), D_b = 2/m sum(Wx + b - y); w := w - lr * D.",
    ),
}


def torch_optimizer(cfg: OptimizerConfig, params: list[torch.Tensor]) -> torch.optim.Optimizer:
    """The torch.optim class instance with the same rule (the independent reference in tests)."""
    spec = OPTIMIZERS[cfg.name]
    if spec.torch_class is None:
        raise ValueError(f"{cfg.name} has no torch.optim class")
    hp = dict(cfg.hyperparameters())
    if cfg.name == "nesterov":
        hp["nesterov"] = True
    return getattr(torch.optim, spec.torch_class)(params, **hp)


class Stepper:
    """Applies one optimizer's update in place to a list of tensors, keeping its state."""

    def __init__(self, cfg: OptimizerConfig, params: list[torch.Tensor]) -> None:
        self.cfg = cfg
        self.params = params
        self.hp: dict[str, Any] = cfg.hyperparameters()
        n = len(params)
        zeros = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in params]
        self._buffers: list[torch.Tensor | None] = [None] * n  # momentum buffers, made lazily
        self._avg1 = zeros  # adam: exp_avg; rmsprop: square_avg; adagrad: state_sum
        self._avg2 = [torch.zeros_like(p) for p in params]  # adam: exp_avg_sq
        self._steps = [torch.tensor(0.0) for _ in params]  # float32 step counters, as the classes

    @torch.no_grad()
    def step(self, grads: list[torch.Tensor]) -> None:
        """One update with the given gradients (one per parameter, same shapes)."""
        self.step_(grads)

    def step_(self, grads: list[torch.Tensor]) -> None:
        """step() for callers already inside torch.no_grad() (the training loops)."""
        name, hp, p = self.cfg.name, self.hp, self.params
        lr = float(hp["lr"])
        if name == "gd-manual":
            for param, grad in zip(p, grads, strict=True):
                param -= lr * grad  # the seeds' W -= lr * D_W, rounded as they round it
        elif name in ("sgd", "momentum", "nesterov"):
            _sgd(
                p,
                grads,
                self._buffers,
                foreach=False,
                weight_decay=hp["weight_decay"],
                momentum=hp["momentum"],
                lr=lr,
                dampening=0.0,
                nesterov=name == "nesterov",
                maximize=False,
            )
        elif name == "rmsprop":
            momentum = float(hp["momentum"])
            buffers = self._avg2 if momentum > 0 else []
            _rmsprop(
                p,
                grads,
                self._avg1,
                [],
                buffers,
                self._steps,
                foreach=False,
                lr=lr,
                alpha=hp["alpha"],
                eps=hp["eps"],
                weight_decay=hp["weight_decay"],
                momentum=momentum,
                centered=False,
            )
        elif name in ("adam", "adamw"):
            beta1, beta2 = hp["betas"]
            fn = _adam if name == "adam" else _adamw
            fn(
                p,
                grads,
                self._avg1,
                self._avg2,
                [],
                self._steps,
                foreach=False,
                amsgrad=False,
                beta1=beta1,
                beta2=beta2,
                lr=lr,
                weight_decay=hp["weight_decay"],
                eps=hp["eps"],
                maximize=False,
            )
        elif name == "adagrad":
            _adagrad(
                p,
                grads,
                self._avg1,
                self._steps,
                foreach=False,
                lr=lr,
                weight_decay=hp["weight_decay"],
                lr_decay=0.0,
                eps=hp["eps"],
                maximize=False,
            )
        else:  # the registry and this dispatch are kept in step by test_optimizers
            raise AssertionError(f"no update rule for {name}")
