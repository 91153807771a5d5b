"""Why the optimizers' paths differ, in words made from the run's own numbers.

One finding per fact, each with the numbers it quotes: Momentum's overshoot (which parameter,
from which epoch, by how much past the least-squares optimum; Adam's too, from OVERSHOOT_MIN);
RMSProp and Adam taking steps of about lr whatever the gradient's size (each parameter's median
step against lr and its median gradient, while that gradient is still large: from epoch 1
until it first falls below STEADY_UNTIL of its first epoch's), RMSProp's warm-up; Adagrad's
steps shrinking (first step against last); SGD's step following the gradient (step = -lr x
gradient, quoted at epoch 1 and where the gradient has fallen to LATER of it); a diverged run
is only said to have diverged. Every sentence is a key of the catalogs' [why] section
(linreg_core/locales); a finding's text is a Said, English when printed, the numbers its
parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from linreg_core.compare import Comparison
from linreg_core.errors import Said
from linreg_core.internals import effective_lr
from linreg_core.registry import OPTIMIZERS
from linreg_core.train import History

STEADY_UNTIL = 0.1  # the adaptive window ends when |gradient| first falls below this x its first
OVERSHOOT_MIN = 0.01  # Adam's overshoot is told from 1% of the distance it started from
# a parameter's overshoot counts when it started at least this fraction of the whole start's
# distance from the optimum (one already there has no distance to overshoot by)
AWAY_MIN = 0.01
LATER = 0.1  # SGD's second quote: the first epoch its gradient is below this x the first
PAIR = "{name} {value}"  # a parameter's number in a list


@dataclass(frozen=True)
class Finding:
    """One fact about one run, with the numbers its sentence quotes: text is the catalog's
    why.<fact> with {label} the run's name and the numbers written with _g (an overshoot's
    cause is why.cause.momentum or why.cause.adam)."""

    label: str  # the run's name
    fact: str  # the sentence's key in the catalog: why.<fact>
    numbers: dict[str, object]
    text: Said


def _g(value: float) -> str:
    """A number in a sentence: 4 significant digits."""
    return f"{float(value):.4g}"


def _pairs(names: list[str], values: np.ndarray) -> str:
    return ", ".join(PAIR.format(name=n, value=_g(v)) for n, v in zip(names, values, strict=True))


def _finding(history: History, fact: str, **numbers: object) -> Finding:
    shown = {k: (_g(v) if isinstance(v, float) else v) for k, v in numbers.items()}
    return Finding(
        history.label, fact, dict(numbers), Said(f"why.{fact}", label=history.label, **shown)
    )


def why(comp: Comparison) -> list[Finding]:
    """Every run's findings, in the comparison's order."""
    optimum = np.asarray(comp.ols.weights, dtype=np.float64)
    if comp.config.bias:
        optimum = np.append(optimum, comp.ols.bias or 0.0)
    names = comp.param_names()
    return [f for h in comp.runs for f in findings(h, optimum, names)]


def findings(history: History, optimum: np.ndarray, names: list[str]) -> list[Finding]:
    """What this run's numbers show about its optimizer (optimum: (k,) least squares)."""
    if history.epochs_run == 0:
        return []
    if history.diverged:
        return [_finding(history, "diverged", epoch=int(history.diverged_at or 0))]
    spec = OPTIMIZERS[history.optimizer.name]
    hp = history.optimizer.hyperparameters()
    update = spec.update
    out: list[Finding] = []
    if update in ("torch.optim.sgd.sgd", None):
        if hp.get("momentum"):
            out += _overshoot(history, optimum, names, "momentum", required=True)
        else:
            out.append(_follows_gradient(history, names))
    elif update in ("torch.optim.adam.adam", "torch.optim.adamw.adamw"):
        out.append(_steady(history, names))
        out += _overshoot(history, optimum, names, "adam", required=False)
    elif update == "torch.optim.rmsprop.rmsprop":
        out.append(_steady(history, names))
        first = np.abs(history.step[0]).max() / float(hp["lr"])  # type: ignore[arg-type]
        if first > 2 and history.steps_per_epoch == 1:
            fill = 1 / (1 - float(hp["alpha"]))  # type: ignore[arg-type]
            out.append(_finding(history, "warm_up", ratio_first=float(first), fill=float(fill)))
    elif update == "torch.optim.adagrad.adagrad":
        out.append(_shrinking(history, names))
    return out


def overshoot(history: History, optimum: np.ndarray) -> dict[str, float | int] | None:
    """The largest excursion past the optimum over the parameters, or None if none passed it.

    A parameter passes when it lands on the other side of its optimum from where it started;
    how far is measured on that side, and as a fraction of its starting distance.
    """
    params = history.params  # (n + 1, k)
    start = params[0] - optimum  # (k,)
    best: dict[str, float | int] | None = None
    for j in np.flatnonzero(np.abs(start) > AWAY_MIN * np.linalg.norm(start)):
        past = -(params[1:, j] - optimum[j]) * np.sign(start[j])  # (n,) > 0: beyond it
        if not (past > 0).any():
            continue
        peak = int(np.argmax(past))
        side = past > 0
        found = {
            "param": int(j),
            "first": int(np.argmax(side)) + 1,
            "peak": peak + 1,
            "amount": float(past[peak]),
            "fraction": float(past[peak] / abs(start[j])),
            "crossings": int(np.count_nonzero(np.diff(np.concatenate([[False], side])))),
        }
        if best is None or found["fraction"] > best["fraction"]:
            best = found
    return best


def _overshoot(
    history: History, optimum: np.ndarray, names: list[str], cause: str, *, required: bool
) -> list[Finding]:
    found = overshoot(history, optimum)
    if found is None or (not required and found["fraction"] < OVERSHOOT_MIN):
        return [_finding(history, "no_overshoot", epochs=history.epochs_run)] if required else []
    j, peak = int(found["param"]), int(found["peak"])
    name = names[j]
    out = [
        _finding(
            history,
            "overshoot",
            name=name,
            optimum=float(optimum[j]),
            first=int(found["first"]),
            peak=peak,
            peak_value=float(history.params[peak, j]),
            amount=float(found["amount"]),
            percent=f"{found['fraction']:.0%}",
            cause=Said(f"why.cause.{cause}"),
        )
    ]
    if found["crossings"] > 1:
        out.append(
            _finding(
                history,
                "crossings",
                name=name,
                crossings=int(found["crossings"]),
                epochs=history.epochs_run,
            )
        )
    return out


def steady_windows(history: History) -> np.ndarray:
    """(k,) per parameter, the epochs from 1 while its gradient is still large: until its size
    first falls below STEADY_UNTIL of its first epoch's (at least 1)."""
    g = np.abs(history.grad)  # (n, k)
    out = np.full(g.shape[1], len(g))
    for j in range(g.shape[1]):
        small = np.flatnonzero(g[:, j] < STEADY_UNTIL * g[0, j])
        if len(small):
            out[j] = max(1, int(small[0]))
    return out


def _steady(history: History, names: list[str]) -> Finding:
    windows, n = steady_windows(history), history.steps_per_epoch
    steps = np.array([np.median(np.abs(history.step[:w, j])) for j, w in enumerate(windows)])
    grads = np.array([np.median(np.abs(history.grad[:w, j])) for j, w in enumerate(windows)])
    steps /= n  # mini-batch: per step
    lr = float(history.optimizer.lr)
    return _finding(
        history,
        "steady_steps" if n == 1 else "steady_steps_batches",
        steps=_pairs(names, steps),
        grads=_pairs(names, grads),
        lr=lr,
        windows=windows.tolist(),
        step_median=steps.tolist(),
        grad_median=grads.tolist(),
    )


def _shrinking(history: History, names: list[str]) -> Finding:
    lengths = np.linalg.norm(history.step, axis=1)
    rate = effective_lr(history)
    assert rate is not None  # Adagrad has one
    return _finding(
        history,
        "shrinking",
        step_first=float(lengths[0]),
        step_last=float(lengths[-1]),
        epochs=history.epochs_run,
        times=f"{lengths[0] / lengths[-1]:.3g}" if lengths[-1] > 0 else "∞",
        name=names[0],
        rate_first=float(rate[0, 0]),
        rate_last=float(rate[-1, 0]),
    )


def _follows_gradient(history: History, names: list[str]) -> Finding:
    j = int(np.argmax(np.abs(history.grad[0])))  # the parameter the first gradient pulls hardest
    g = history.grad[:, j]
    small = np.flatnonzero(np.abs(g) < LATER * abs(g[0]))
    later = int(small[0]) if len(small) else len(g) - 1  # 0-based
    fact = "follows_gradient" if history.steps_per_epoch == 1 else "follows_gradient_batches"
    return _finding(
        history,
        fact,
        name=names[j],
        grad_first=float(g[0]),
        step_first=float(history.step[0, j]),
        later=later + 1,
        grad_later=float(g[later]),
        step_later=float(history.step[later, j]),
        batches=history.steps_per_epoch,
    )
