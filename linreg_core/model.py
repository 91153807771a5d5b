"""The linear model y = Xw + b for any number of features, with or without a bias: its starting
parameters and their names.

Parameters travel as one flat float32 tensor [w_1..w_d, b], as in the seeds
(torch.zeros(1, requires_grad=True)), so that every optimizer can take exactly the same start.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from linreg_core.errors import ConfigError

if TYPE_CHECKING:
    import torch


def init_params(
    n_features: int, *, bias: bool = True, init: str = "zeros", seed: int = 0
) -> torch.Tensor:
    """(d + bias,) zeros (the seeds' start) or nn.Linear's U(-1/sqrt(d), 1/sqrt(d)), seeded.

    The random draw takes the weights first, then the bias, from one generator.
    """
    import torch  # here, so that naming parameters (param_names) never imports torch

    k = n_features + int(bias)
    if init == "zeros":
        return torch.zeros(k)
    if init == "random":
        gen = torch.Generator().manual_seed(seed)
        bound = 1.0 / math.sqrt(max(n_features, 1))
        weight = torch.empty(n_features).uniform_(-bound, bound, generator=gen)
        parts = [weight]
        if bias:
            parts.append(torch.empty(1).uniform_(-bound, bound, generator=gen))
        return torch.cat(parts)
    raise ConfigError("error.model.init", init=init)


def param_names(n_features: int, bias: bool) -> list[str]:
    """The tutorials' names: W (one feature) or W1, W2, ...; then b when there is a bias."""
    names = ["W"] if n_features == 1 else [f"W{i + 1}" for i in range(n_features)]
    return [*names, "b"] if bias else names
