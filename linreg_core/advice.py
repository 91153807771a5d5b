"""Advice on one run, from its numbers: why it did not reach the least-squares optimum and what to
change, or None when it ended within 1% of the optimum's training loss.

The cases, in the order they are tried: diverged (its stable learning rate, by how much lr is
over it, and what z-scoring would make it); at the optimum (None); hovering around it (adaptive
steps, or mini-batch steps, do not shrink there); far from it with an adaptive optimizer (it
moves each parameter about lr per epoch, whatever the gradient's size); still going down (too
few epochs, and what would speed it up); stuck far from it. Advice never asks for what is already
on. Every sentence is a template below, in one place, for translation.
"""

from __future__ import annotations

import math

import numpy as np

from linreg_core.compare import NEAR_OPTIMUM, Comparison, near_optimum
from linreg_core.curvature import Curvature
from linreg_core.errors import LinRegError
from linreg_core.model import param_names
from linreg_core.registry import OPTIMIZERS
from linreg_core.train import History

TAIL = 0.1  # the share of the last epochs read for the trend (at least TAIL_MIN epochs)
TAIL_MIN = 10
JITTER_UPS = 0.2  # a tail whose loss goes up this often between epochs is oscillating
STEADY = 0.99  # a tail that ends below this share of its starting excess is still going down

# -- the sentences: one template each ---------------------------------------------------------
DIVERGED = "{label} diverged at epoch {epoch}"
GROWING = "{label}'s loss was growing when it stopped after {epoch:,} epochs"
OVER_LIMIT = (
    ": its learning rate {lr:g} is {factor:.3g} times its stable limit {limit:.3g} (the largest "
    "full-batch learning rate that does not blow up on this loss, from its steepest curvature "
    "{lmax:.3g}). Use a learning rate below {limit:.3g}."
)
DIVERGED_ZSCORE = (
    " With z-scored features the limit would be {zlimit:.3g} (condition number {zcond} instead "
    "of {cond})."
)
DIVERGED_BATCHES = (
    "{label} diverged at epoch {epoch} although its learning rate {lr:g} is below the full-batch "
    "stable limit {limit:.3g}: each mini-batch curves more steeply than the whole table. Use a "
    "smaller learning rate or larger batches."
)
DIVERGED_NO_LIMIT = (
    "{label} diverged at epoch {epoch} at learning rate {lr:g}. Lower the learning rate, e.g. to "
    "{lower:g}."
)
JITTER = (
    "{label} hovers without settling: over its last {n} epochs the loss went up and down "
    "between {low:.4g} and {high:.4g}, above the optimum's {floor:.4g}. {title} steps each "
    "parameter by about lr = {lr:g} per epoch however small the gradient gets, so its steps do "
    "not shrink near the optimum, and one such step in {param} alone changes the loss by about "
    "{rise:.3g}."
)
JITTER_LR = " A learning rate of about {lr_ok:.2g} keeps that within 1% of the optimum's loss."
JITTER_BATCHES = (
    "{label} hovers without settling: over its last {n} epochs the loss went up and down "
    "between {low:.4g} and {high:.4g}, above the optimum's {floor:.4g}. Each step follows one "
    "mini-batch's gradient, which does not vanish at the optimum. Use a smaller learning rate "
    "(e.g. {lower:g}), larger batches, or full batch."
)
FAR_ADAPTIVE = (
    "{label} ended far from the optimum: {distance:.3g} away from the least-squares parameters "
    "(the largest gap, {gap:.3g}, in {param}), with a training loss of {loss:.4g} against the "
    "optimum's {floor:.4g}. {title} moves each parameter by at most about lr = {lr:g} per epoch "
    "whatever the gradient's size, so that gap needs at least {needed:,} more epochs."
)
FAR_WHOLE_WAY = (
    " The whole way from the start is {whole:.3g} in {whole_param}, more than {epochs:,} epochs "
    "of lr = {lr:g} can cover."
)
FAR_LR = " A learning rate of about {lr_fit:.2g} can cover it in {epochs:,} epochs."
ADAGRAD_SHRINKS = (
    " Its steps also keep shrinking as its squared gradients add up, so a larger learning rate "
    "helps more than more epochs."
)
FAR_TARGET = (
    " Or scale the target too: the distance to travel shrinks with the target's spread "
    "({spread:.3g})."
)
ZSCORE_STEPS = (
    " Or z-score the features: then every parameter's curvature is 2 (now from {low:.3g} to "
    "{high:.3g}), so a step of lr fits every parameter alike."
)
STILL_FALLING = (
    "{label} was still going down steadily when it stopped after {epochs:,} epochs: its "
    "training loss is {loss:.4g} against the optimum's {floor:.4g}. Train longer{more}."
)
MORE_EPOCHS = " (about {more:,} more epochs at its present pace)"
RAISE_LR = (
    " Or raise the learning rate towards its stable limit {limit:.3g} (now {lr:g}, {share:.2g} "
    "of it)."
)
ZSCORE_SPEED = (
    " Or z-score the features: its slowest direction is {cond} times flatter than its "
    "steepest (the condition number), {zcond} after z-scoring, so it would need far fewer "
    "epochs."
)
STUCK = (
    "{label} ended {distance:.3g} away from the least-squares parameters with a training loss of "
    "{loss:.4g} against the optimum's {floor:.4g}, and its loss has almost stopped going down."
)


def advise(comp: Comparison, run: History) -> str | None:
    """Why `run` did not end at the optimum and what to change; None when it ended within 1%
    of the least-squares training loss (or of its start's 1e-6 for an exact fit)."""
    if run.diverged:
        return _diverged(comp, run)
    curv = comp.curvature
    scale = _loss_scale(comp)
    t_star = _optimum(comp)
    delta = _theta(run) - t_star  # (k,) what is left to travel, in the trained space
    floor = comp.ols.mse
    loss = floor + 0.5 * float(delta @ curv.hessian @ delta)  # exact: the loss is quadratic
    start = comp.start - t_star
    start_loss = floor + 0.5 * float(start @ curv.hessian @ start)
    if loss <= near_optimum(floor, start_loss) or run.epochs_run == 0:
        return None
    spec = OPTIMIZERS[run.optimizer.name]
    lr, hp = run.optimizer.lr, run.optimizer.hyperparameters()
    tail = _tail(run.train_loss)
    excess = tail - floor
    ups = float(np.mean(np.diff(tail) > 0)) if len(tail) > 1 else 0.0
    steady = excess[-1] < STEADY * excess[0]
    words = {
        "label": run.label,
        "title": spec.title,
        "lr": lr,
        "epochs": run.epochs_run,
        "loss": loss * scale,
        "floor": floor * scale,
        "lower": lr / 10,
        "distance": float(np.linalg.norm(delta)),
    }
    names = param_names(len(comp.dataset.features), comp.config.bias)
    adaptive = spec.lr_limit is None
    # 1. hovering: the loss goes up and down above the optimum instead of down
    if ups >= JITTER_UPS and not excess[-1] < 0.5 * excess[0]:
        seen = {"n": len(tail), "low": tail.min() * scale, "high": tail.max() * scale}
        if run.path == "minibatch":
            return JITTER_BATCHES.format(**seen, **words)
        if adaptive:
            return _jitter(comp, words, seen, names)
    # 2. adaptive steps of about lr: the gap in parameters sets the epochs it needs
    if adaptive:
        gaps, whole = np.abs(delta), np.abs(start)
        i, j = int(np.argmax(gaps)), int(np.argmax(whole))
        text = FAR_ADAPTIVE.format(
            gap=float(gaps[i]), param=names[i], needed=math.ceil(float(gaps[i]) / lr), **words
        )
        if whole[j] > lr * run.epochs_run:
            text += FAR_WHOLE_WAY.format(whole=float(whole[j]), whole_param=names[j], **words)
            if comp.config.normalize:  # one lr fits every parameter only on like scales
                text += FAR_LR.format(lr_fit=2 * float(whole[j]) / run.epochs_run, **words)
        if spec.name == "adagrad":
            text += ADAGRAD_SHRINKS
        if not comp.config.normalize_target and whole[j] > 2:
            text += FAR_TARGET.format(spread=float(np.std(comp.dataset.y_train)))
        return text + _zscore_steps(comp)
    # 3. full batch above its stable limit: blowing up, not yet past float32
    limit = curv.lr_limit(run.optimizer.name, hp)
    if limit is not None and lr > limit and run.path != "minibatch":
        return GROWING.format(label=run.label, epoch=run.epochs_run) + _over_limit(comp, run, limit)
    # 4. still going down: too few epochs, and how to need fewer
    if steady:
        more = ""
        bar_excess = near_optimum(floor, start_loss) - floor
        rate = (excess[-1] / excess[0]) ** (1 / max(len(tail) - 1, 1)) if excess[0] > 0 else 0
        if 0 < rate < 1 and excess[-1] > bar_excess > 0:
            needed = math.log(bar_excess / excess[-1]) / math.log(rate)
            more = MORE_EPOCHS.format(more=math.ceil(needed))
        text = STILL_FALLING.format(more=more, **words)
    else:
        text = STUCK.format(**words)
    if limit is not None and lr < 0.5 * limit:
        text += RAISE_LR.format(limit=limit, share=lr / limit, **words)
    z = _zscored(comp)
    if _worth_zscoring(curv, z):
        assert z is not None
        text += ZSCORE_SPEED.format(
            cond=_cond(curv.condition_number), zcond=_cond(z.condition_number)
        )
    return text


def _jitter(
    comp: Comparison, words: dict[str, object], seen: dict[str, object], names: list[str]
) -> str:
    """An adaptive run hovering: one step of lr in the steepest parameter, and the lr that fits."""
    lr = float(words["lr"])  # type: ignore[arg-type]
    curvatures = np.diag(comp.curvature.hessian)  # (k,) each parameter's own curvature
    i = int(np.argmax(curvatures))
    rise = 0.5 * lr**2 * float(curvatures[i])  # L(t + lr e_i) - L(t) near the optimum
    text = JITTER.format(param=names[i], rise=rise * _loss_scale(comp), **seen, **words)
    if comp.ols.mse > 0:
        text += JITTER_LR.format(lr_ok=math.sqrt(2 * NEAR_OPTIMUM * comp.ols.mse / curvatures[i]))
    return text + _zscore_steps(comp)


def _zscore_steps(comp: Comparison) -> str:
    """Advice to z-score for adaptive steps, when it is off and the parameters' curvatures
    differ tenfold or more (z-scored, each is 2)."""
    if comp.config.normalize:
        return ""
    curvatures = np.diag(comp.curvature.hessian)
    low, high = float(curvatures.min()), float(curvatures.max())
    if not high > 10 * low and not high > 20:
        return ""
    return ZSCORE_STEPS.format(low=low, high=high)


def _diverged(comp: Comparison, run: History) -> str:
    opt = run.optimizer
    limit = comp.curvature.lr_limit(opt.name, opt.hyperparameters())
    words = {"label": run.label, "epoch": run.diverged_at, "lr": opt.lr}
    if limit is None:
        return DIVERGED_NO_LIMIT.format(lower=opt.lr / 10, **words)
    if opt.lr <= limit:
        return DIVERGED_BATCHES.format(limit=limit, **words)
    return DIVERGED.format(**words) + _over_limit(comp, run, limit)


def _over_limit(comp: Comparison, run: History, limit: float) -> str:
    """By how much lr is over its stable limit, and the limit z-scoring would give."""
    opt = run.optimizer
    text = OVER_LIMIT.format(
        lr=opt.lr, factor=opt.lr / limit, limit=limit, lmax=comp.curvature.lmax
    )
    z = _zscored(comp)
    zlimit = None if z is None else z.lr_limit(opt.name, opt.hyperparameters())
    if z is not None and zlimit is not None:
        text += DIVERGED_ZSCORE.format(
            zlimit=zlimit,
            zcond=_cond(z.condition_number),
            cond=_cond(comp.curvature.condition_number),
        )
    return text


def _zscored(comp: Comparison) -> Curvature | None:
    """The curvature z-scoring would give, or None when z-score is on or cannot be done."""
    if comp.config.normalize:
        return None
    try:
        return comp.zscored_curvature
    except LinRegError:  # a constant column: z-scoring is no advice to give
        return None


def _worth_zscoring(raw: Curvature, z: Curvature | None) -> bool:
    """z-scoring would cut the condition number at least tenfold."""
    if z is None or z.condition_number is None:
        return False
    return raw.condition_number is None or raw.condition_number > 10 * z.condition_number


def _cond(value: float | None) -> str:
    """A condition number in words: None is a singular Hessian."""
    return "infinite (singular)" if value is None else f"{value:.3g}"


def _tail(loss: np.ndarray) -> np.ndarray:
    """The last epochs' losses: TAIL of them, at least TAIL_MIN (fewer if the run is shorter)."""
    n = max(TAIL_MIN, int(len(loss) * TAIL))
    return np.asarray(loss[-n:], dtype=np.float64)


def _theta(run: History) -> np.ndarray:
    """The run's last parameters [w..., b] in the trained space, float64."""
    w = np.asarray(run.final_weights, dtype=np.float64)
    return w if run.final_bias is None else np.append(w, run.final_bias)


def _optimum(comp: Comparison) -> np.ndarray:
    w = np.asarray(comp.ols.weights, dtype=np.float64)
    return w if comp.ols.bias is None else np.append(w, comp.ols.bias)


def _loss_scale(comp: Comparison) -> float:
    """Trained-space MSE -> the target's own units (the target's variance when it is scaled)."""
    std = comp.scaler.target_std
    return 1.0 if std is None or not comp.config.normalize_target else float(std) ** 2
