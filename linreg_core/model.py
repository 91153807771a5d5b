"""The linear model y = Xw + b for any number of features, with or without a bias.

Parameters are plain float32 tensors, as in the seeds (torch.zeros(1, requires_grad=True)),
so that every optimizer can take exactly the same start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass
class Params:
    """The trainable tensors: weights (d,) and bias (1,) or None for H = Wx."""

    weight: torch.Tensor  # (n_features,)
    bias: torch.Tensor | None  # (1,)

    def tensors(self) -> list[torch.Tensor]:
        return [self.weight] if self.bias is None else [self.weight, self.bias]

    def clone(self) -> Params:
        bias = None if self.bias is None else self.bias.detach().clone()
        return Params(self.weight.detach().clone(), bias)


def init_params(
    n_features: int, *, bias: bool = True, init: str = "zeros", seed: int = 0
) -> Params:
    """Zeros (the seeds' start) or nn.Linear's U(-1/sqrt(d), 1/sqrt(d)) from a seeded generator."""
    if init == "zeros":
        weight = torch.zeros(n_features)
        b = torch.zeros(1) if bias else None
    elif init == "random":
        gen = torch.Generator().manual_seed(seed)
        bound = 1.0 / math.sqrt(max(n_features, 1))
        weight = torch.empty(n_features).uniform_(-bound, bound, generator=gen)
        b = torch.empty(1).uniform_(-bound, bound, generator=gen) if bias else None
    else:
        raise ValueError(f"unknown init {init!r}")
    return Params(weight, b)


def predict(X: torch.Tensor, params: Params) -> torch.Tensor:
    """(m, d) -> (m,). Written as the seeds' x * W + b so float32 rounding matches theirs."""
    out = (X * params.weight).sum(dim=1)  # (m,)
    if params.bias is not None:
        out = out + params.bias
    return out
