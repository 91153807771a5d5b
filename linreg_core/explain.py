"""One step explained with its own numbers: an optimizer's epoch taken apart, all read from the
engine's record (train.History), so every number equals the epoch log's.

For one epoch: the parameters before; the gradient, and for small tables each row's prediction,
residual and contribution in the tutorials' notation D_W = 2/m sum((Wx + b - y) x),
D_b = 2/m sum(Wx + b - y); the optimizer's state before and after under torch.optim's names;
the effective learning rate and the step per parameter; the update written out with the numbers
put in; the parameters after. Mini-batch epochs take several steps: they are shown as the
parameters before and after the epoch, its mean gradient and the state after its last step.
The words are keys of the catalogs' [explain] section (linreg_core/locales): notes and worded
lines are Said objects, English when printed; formulas and numbers are plain str. The per-row
table's columns keep their English names (data); row_columns gives them in a language to show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from linreg_core.compare import Comparison
from linreg_core.errors import ConfigError, Said
from linreg_core.i18n import DEFAULT_LANGUAGE, text
from linreg_core.internals import effective_lr
from linreg_core.model import param_names
from linreg_core.registry import OPTIMIZERS
from linreg_core.train import History, Problem

ROWS_SHOWN = 20  # tables up to this many training rows get the per-row breakdown
# the per-row table's columns beside the features: their English names are the data's
COL_Y = "y"
COL_PREDICTION = text("explain.column.prediction")
COL_RESIDUAL = text("explain.column.residual")
PART = "explain.column.part"  # one column per parameter: 2/m x residual (x feature)
GRADIENT_WEIGHT = "D_{name} = 2/m Σ({model} − y) × {x}"
GRADIENT_BIAS = "D_{name} = 2/m Σ({model} − y)"
GRADIENT_NUMBERS = "D_{name} = 2/{m} × {total} = {g}"


@dataclass(frozen=True)
class OneStep:
    """One epoch of one run, taken apart. Arrays are (k,) over the parameters [w_1..w_d, b]."""

    label: str  # the run's name
    optimizer: str  # the registry's name
    epoch: int  # 1-based
    names: list[str]  # the parameters' names: W (or W1, W2, ...) and b
    hyperparameters: dict[str, object]
    before: np.ndarray  # parameters before the epoch's step(s)
    cost: float  # the training MSE at `before`: the epoch log's Cost
    gradient: np.ndarray  # the gradient the step used (mini-batch: the epoch's mean)
    gradient_lines: list[str]  # per parameter: the formula, then (full batch) its numbers
    rows: pd.DataFrame | None  # per row: features, y, prediction, residual, parts of each D
    rows_note: Said | None  # why there is no per-row table
    state_before: dict[str, np.ndarray]  # torch.optim's names; zeros before the first step
    state_after: dict[str, np.ndarray]
    effective_lr: np.ndarray | None  # what the update multiplies by (internals.py), if any
    step: np.ndarray  # after - before
    state_lines: list[list[str | Said]]  # per parameter: each state's update with the numbers in
    updates: list[str | Said]  # per parameter: the update with the numbers in
    after: np.ndarray  # parameters after the epoch: the epoch log's W and b


def explain_step(comp: Comparison, run: str | int, epoch: int) -> OneStep:
    """One step of a comparison's run (its label or index) at a 1-based epoch."""
    labels = [h.label for h in comp.runs]
    if isinstance(run, str):
        if run not in labels:
            raise ConfigError("explain.unknown_run", run=run, runs=", ".join(labels))
        history = comp.runs[labels.index(run)]
    else:
        history = comp.runs[run]
    ds = comp.dataset
    return one_step(comp.problem, history, epoch, features=ds.features, target=ds.target)


def one_step(
    problem: Problem,
    history: History,
    epoch: int,
    *,
    features: Sequence[str] | None = None,
    target: str | None = None,
) -> OneStep:
    """One step of `history`, trained on `problem`, at a 1-based epoch.

    Args:
        problem: the rows as trained (z-scored if the run was).
        history: the run; its record gives every number.
        epoch: 1..history.epochs_run.
        features: the features' names for the per-row table (default x1, x2, ...).
        target: the target's name there (default y).
    """
    last = history.epochs_run
    if last == 0:
        raise ConfigError("explain.no_epochs", label=history.label)
    if (
        not isinstance(epoch, (int, np.integer))
        or isinstance(epoch, bool)
        or not 1 <= epoch <= last
    ):
        raise ConfigError("explain.bad_epoch", epoch=epoch, label=history.label, last=last)
    d, e = problem.n_features, int(epoch)
    names = param_names(d, problem.bias)
    params = history.params
    before, after = params[e - 1], params[e]
    grad = history.grad[e - 1].astype(np.float64)
    k = len(names)
    after_state = {n: v[e - 1].astype(np.float64) for n, v in history.state.items()}
    before_state = {
        n: (v[e - 2].astype(np.float64) if e > 1 else np.zeros(k)) for n, v in history.state.items()
    }
    rates = effective_lr(history)
    rate = None if rates is None else rates[e - 1]
    minibatch = history.steps_per_epoch > 1
    rows, note = _rows(problem, before, names, features, target, minibatch, history.steps_per_epoch)
    hp = history.optimizer.hyperparameters()
    step = after - before
    state_lines: list[list[str | Said]]
    updates: list[str | Said]
    if minibatch:
        n = history.steps_per_epoch
        state_lines = [[] for _ in names]
        updates = [
            Said(
                "explain.minibatch_update", name=name, p=_n(p, True), step=_n(s), q=_n(q, True), n=n
            )
            for name, p, s, q in zip(names, before, step, after, strict=True)
        ]
    else:
        state_lines, updates = _written(
            history.optimizer.name, hp, e, names, before, grad, before_state, after_state, after
        )
    return OneStep(
        label=history.label,
        optimizer=history.optimizer.name,
        epoch=e,
        names=names,
        hyperparameters=hp,
        before=before,
        cost=float(history.train_loss[e - 1]),
        gradient=grad,
        gradient_lines=_gradient_lines(problem, before, names, grad, minibatch),
        rows=rows,
        rows_note=note,
        state_before=before_state,
        state_after=after_state,
        effective_lr=rate,
        step=step,
        state_lines=state_lines,
        updates=updates,
        after=after,
    )


# -- the gradient, row by row --------------------------------------------------------------------
def _residual(problem: Problem, theta: np.ndarray) -> np.ndarray:
    """(m,) Wx + b - y at theta, in float64."""
    d = problem.n_features
    pred = problem.X_train @ theta[:d] + (theta[d] if problem.bias else 0.0)
    return pred - problem.y_train


def row_columns(names: Sequence[str], language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """The per-row table's own columns (prediction, residual, part of D_W ...) in `language`,
    for DataFrame.rename when it is shown: names are the parameters' (OneStep.names)."""
    shown = {
        COL_PREDICTION: text("explain.column.prediction", language),
        COL_RESIDUAL: text("explain.column.residual", language),
    }
    for name in names:
        shown[text(PART, name=name)] = text(PART, language, name=name)
    return shown


def _rows(
    problem: Problem,
    theta: np.ndarray,
    names: list[str],
    features: Sequence[str] | None,
    target: str | None,
    minibatch: bool,
    batches: int,
) -> tuple[pd.DataFrame | None, Said | None]:
    m, d = len(problem.y_train), problem.n_features
    if minibatch:
        return None, Said("explain.no_rows_batches", n=batches)
    if m > ROWS_SHOWN:
        return None, Said("explain.no_rows_many", m=m, most=ROWS_SHOWN)
    cols = list(features) if features else [f"x{i + 1}" for i in range(d)]
    residual = _residual(problem, theta)
    table = pd.DataFrame(problem.X_train, columns=cols)
    table[target or COL_Y] = problem.y_train
    table[COL_PREDICTION] = residual + problem.y_train
    table[COL_RESIDUAL] = residual
    for j, name in enumerate(names):
        x = problem.X_train[:, j] if j < d else 1.0
        table[text(PART, name=name)] = 2.0 / m * residual * x
    return table, None


def _gradient_lines(
    problem: Problem, theta: np.ndarray, names: list[str], grad: np.ndarray, minibatch: bool
) -> list[str]:
    d, m = problem.n_features, len(problem.y_train)
    weights = names[:d]
    xs = ["x"] if d == 1 else [f"x{i + 1}" for i in range(d)]
    model = " + ".join(f"{w}{x}" for w, x in zip(weights, xs, strict=True))
    model += " + b" if problem.bias else ""
    residual = None if minibatch else _residual(problem, theta)
    out = []
    for j, name in enumerate(names):
        if j < d:
            line = GRADIENT_WEIGHT.format(name=name, model=model, x=xs[j])
        else:
            line = GRADIENT_BIAS.format(name=name, model=model)
        if residual is not None:
            x = problem.X_train[:, j] if j < d else 1.0
            total = float(np.sum(residual * x))
            line += "; " + GRADIENT_NUMBERS.format(
                name=name, m=m, total=_n(total), g=_n(grad[j], True)
            )
        out.append(line)
    return out


# -- the update, written out --------------------------------------------------------------------
def _n(value: float, lead: bool = False) -> str:
    """A number as written in an update: 6 significant digits; negative ones in brackets
    unless they lead."""
    text = f"{float(value):.6g}"
    return f"({text})" if value < 0 and not lead else text


def _written(
    optimizer: str,
    hp: dict[str, Any],
    t: int,
    names: list[str],
    before: np.ndarray,
    grad: np.ndarray,
    state_before: dict[str, np.ndarray],
    state_after: dict[str, np.ndarray],
    after: np.ndarray,
) -> tuple[list[list[str | Said]], list[str | Said]]:
    """Per parameter: the state's updates and the parameter's, with the numbers put in."""
    update = OPTIMIZERS[optimizer].update
    lr, wd = float(hp["lr"]), float(hp.get("weight_decay", 0.0))
    decoupled = update == "torch.optim.adamw.adamw"
    all_states: list[list[str | Said]] = []
    all_updates: list[str | Said] = []
    for j, name in enumerate(names):
        p, q = before[j], after[j]
        prev = {s: v[j] for s, v in state_before.items()}
        now = {s: v[j] for s, v in state_after.items()}
        lines: list[str | Said] = []
        g = grad[j]
        if wd and not decoupled:
            used = g + wd * p
            lines.append(f"g := {_n(g, True)} + {_n(wd)} × {_n(p)} = {_n(used, True)}")
            g = used
        head = f"{name} := {_n(p, True)}"
        if update in ("torch.optim.sgd.sgd", None):
            mu = float(hp.get("momentum", 0.0))
            if mu:
                buf = now["momentum_buffer"]
                if t == 1:
                    lines.append(Said("explain.first_buffer", g=_n(buf, True)))
                else:
                    lines.append(
                        f"momentum_buffer := {_n(mu, True)} × {_n(prev['momentum_buffer'])} + "
                        f"{_n(g)} = {_n(buf, True)}"
                    )
                if hp.get("nesterov") or OPTIMIZERS[optimizer].class_options.get("nesterov"):
                    body = f"{_n(lr)} × ({_n(g, True)} + {_n(mu)} × {_n(buf)})"
                else:
                    body = f"{_n(lr)} × {_n(buf)}"
            else:
                body = f"{_n(lr)} × {_n(g)}"
        elif update == "torch.optim.rmsprop.rmsprop":
            alpha, eps = hp["alpha"], hp["eps"]
            mu = float(hp.get("momentum", 0.0))
            s = now["square_avg"]
            lines.append(
                f"square_avg := {_n(alpha, True)} × {_n(prev['square_avg'])} + "
                f"(1 − {_n(alpha)}) × {_n(g)}² = {_n(s, True)}"
            )
            scaled = f"{_n(g)} / (√{_n(s)} + {_n(eps)})"
            if mu:
                buf = now["momentum_buffer"]
                lines.append(
                    f"momentum_buffer := {_n(mu, True)} × {_n(prev['momentum_buffer'])} + "
                    f"{scaled} = {_n(buf, True)}"
                )
                body = f"{_n(lr)} × {_n(buf)}"
            else:
                body = f"{_n(lr)} × {scaled}"
        elif update == "torch.optim.adagrad.adagrad":
            s = now["sum"]
            lines.append(f"sum := {_n(prev['sum'], True)} + {_n(g)}² = {_n(s, True)}")
            body = f"{_n(lr)} × {_n(g)} / (√{_n(s)} + {_n(hp['eps'])})"
        else:  # Adam and AdamW
            b1, b2 = hp["betas"]
            m, v = now["exp_avg"], now["exp_avg_sq"]
            lines.append(
                f"exp_avg := {_n(b1, True)} × {_n(prev['exp_avg'])} + (1 − {_n(b1)}) × {_n(g)}"
                f" = {_n(m, True)}"
            )
            lines.append(
                f"exp_avg_sq := {_n(b2, True)} × {_n(prev['exp_avg_sq'])} + (1 − {_n(b2)}) × "
                f"{_n(g)}² = {_n(v, True)}"
            )
            body = (
                f"{_n(lr)} / (1 − {_n(b1)}^{t}) × {_n(m)} / "
                f"(√{_n(v)} / √(1 − {_n(b2)}^{t}) + {_n(hp['eps'])})"
            )
            if decoupled and wd:
                head = f"{name} := {_n(p, True)} × (1 − {_n(lr)} × {_n(wd)})"
        all_states.append(lines)
        all_updates.append(f"{head} − {body} = {_n(q, True)}")
    return all_states, all_updates
