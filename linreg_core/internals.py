"""An optimizer's internals epoch by epoch, read from the engine's record (train.History).

Per epoch, parameters ordered [w_1..w_d, b] as in the trained space:
- grad: the gradient the epoch used (mini-batch: the mean of its batches' gradients);
- step: the parameters after the epoch minus before (mini-batch: the epoch's steps together);
- the optimizer's state after the epoch's (last) step, under torch.optim's names
  (momentum_buffer; square_avg; exp_avg, exp_avg_sq; sum), as train.py recorded it;
- effective_lr, where the optimizer has one: the number its update multiplies by, per parameter,
  after the epoch's (last) step. RMSProp lr / (sqrt(square_avg) + eps) times the gradient;
  Adagrad lr / (sqrt(sum) + eps) times the gradient; Adam and AdamW
  lr / (1 - beta1^t) / (sqrt(exp_avg_sq) / sqrt(1 - beta2^t) + eps) times exp_avg, t the
  optimizer's step count (mini-batch: epochs x batches). SGD, Momentum and Nesterov have none:
  their rate is lr itself.
"""

from __future__ import annotations

import numpy as np

from linreg_core.registry import OPTIMIZERS
from linreg_core.train import History

EFFECTIVE_LR = "effective_lr"


def effective_lr(history: History) -> np.ndarray | None:
    """(epochs_run, d + bias) each parameter's effective learning rate after each epoch, or None
    for an optimizer without one (see the module's docstring)."""
    update = OPTIMIZERS[history.optimizer.name].update
    hp = history.optimizer.hyperparameters()
    state = history.state
    lr = float(hp["lr"])
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if update == "torch.optim.rmsprop.rmsprop":
            return lr / (np.sqrt(state["square_avg"].astype(np.float64)) + hp["eps"])
        if update == "torch.optim.adagrad.adagrad":
            return lr / (np.sqrt(state["sum"].astype(np.float64)) + hp["eps"])
        if update in ("torch.optim.adam.adam", "torch.optim.adamw.adamw"):
            beta1, beta2 = hp["betas"]
            t = np.arange(1, history.epochs_run + 1)[:, None] * history.steps_per_epoch
            root_v = np.sqrt(state["exp_avg_sq"].astype(np.float64))
            return lr / (1 - beta1**t) / (root_v / np.sqrt(1 - beta2**t) + hp["eps"])
    return None


def internals(history: History) -> dict[str, np.ndarray]:
    """Every internal of a run by name, each (epochs_run, d + bias): grad, step, the state's
    names in torch's order, then effective_lr where there is one."""
    out = {"grad": history.grad, "step": history.step, **history.state}
    rate = effective_lr(history)
    if rate is not None:
        out[EFFECTIVE_LR] = rate
    return out


def internals_dict(history: History) -> dict[str, list[list[float]]]:
    """internals() as lists of lists (epochs x parameters), for JSON."""
    return {name: values.astype(np.float64).tolist() for name, values in internals(history).items()}
