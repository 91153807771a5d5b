"""Advice on one run, from its numbers: why it did not reach the least-squares optimum and what to
change, or None when it ended within 1% of the optimum's training loss.

The cases, in the order they are tried: diverged (its stable learning rate, by how much lr is
over it, and what z-scoring would make it); at the optimum (None); hovering around it (adaptive
steps, or mini-batch steps, do not shrink there); far from it with an adaptive optimizer (it
moves each parameter about lr per epoch, whatever the gradient's size); still going down (too
few epochs, and what would speed it up); stuck far from it. Advice never asks for what is already
on. Every sentence is a key of the catalogs' [advice] section (linreg_core/locales): advice is a
Said, English when printed, with its optional parts as Said parameters ("" when left out).
"""

from __future__ import annotations

import math

import numpy as np

from linreg_core.compare import NEAR_OPTIMUM, Comparison, near_optimum
from linreg_core.curvature import Curvature
from linreg_core.errors import LinRegError, Said
from linreg_core.model import param_names
from linreg_core.registry import OPTIMIZERS
from linreg_core.train import History

TAIL = 0.1  # the share of the last epochs read for the trend (at least TAIL_MIN epochs)
TAIL_MIN = 10
JITTER_UPS = 0.2  # a tail whose loss goes up this often between epochs is oscillating
STEADY = 0.99  # a tail that ends below this share of its starting excess is still going down


def advise(comp: Comparison, run: History) -> Said | None:
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
            return Said("advice.jitter_batches", **seen, **words)
        if adaptive:
            return _jitter(comp, words, seen, names)
    # 2. adaptive steps of about lr: the gap in parameters sets the epochs it needs
    if adaptive:
        gaps, whole = np.abs(delta), np.abs(start)
        i, j = int(np.argmax(gaps)), int(np.argmax(whole))
        whole_way: Said | str = ""
        if whole[j] > lr * run.epochs_run:
            lr_fit: Said | str = ""
            if comp.config.normalize:  # one lr fits every parameter only on like scales
                lr_fit = Said("advice.far_lr", lr_fit=2 * float(whole[j]) / run.epochs_run, **words)
            whole_way = Said(
                "advice.far_whole_way",
                whole=float(whole[j]),
                whole_param=names[j],
                lr_fit=lr_fit,
                **words,
            )
        target: Said | str = ""
        if not comp.config.normalize_target and whole[j] > 2:
            target = Said("advice.far_target", spread=float(np.std(comp.dataset.y_train)))
        return Said(
            "advice.far_adaptive",
            gap=float(gaps[i]),
            param=names[i],
            needed=math.ceil(float(gaps[i]) / lr),
            whole_way=whole_way,
            adagrad=Said("advice.adagrad_shrinks") if spec.name == "adagrad" else "",
            target=target,
            zscore=_zscore_steps(comp),
            **words,
        )
    # 3. full batch above its stable limit: blowing up, not yet past float32
    limit = curv.lr_limit(run.optimizer.name, hp)
    if limit is not None and lr > limit and run.path != "minibatch":
        return Said(
            "advice.growing",
            label=run.label,
            epoch=run.epochs_run,
            over_limit=_over_limit(comp, run, limit),
        )
    # 4. still going down: too few epochs, and how to need fewer
    raise_lr: Said | str = ""
    if limit is not None and lr < 0.5 * limit:
        raise_lr = Said("advice.raise_lr", limit=limit, share=lr / limit, **words)
    z = _zscored(comp)
    zscore: Said | str = ""
    if _worth_zscoring(curv, z):
        assert z is not None
        zscore = Said(
            "advice.zscore_speed",
            cond=_cond(curv.condition_number),
            zcond=_cond(z.condition_number),
        )
    if steady:
        more: Said | str = ""
        bar_excess = near_optimum(floor, start_loss) - floor
        rate = (excess[-1] / excess[0]) ** (1 / max(len(tail) - 1, 1)) if excess[0] > 0 else 0
        if 0 < rate < 1 and excess[-1] > bar_excess > 0:
            needed = math.log(bar_excess / excess[-1]) / math.log(rate)
            more = Said("advice.more_epochs", more=math.ceil(needed))
        return Said("advice.still_falling", more=more, raise_lr=raise_lr, zscore=zscore, **words)
    return Said("advice.stuck", raise_lr=raise_lr, zscore=zscore, **words)


def _jitter(
    comp: Comparison, words: dict[str, object], seen: dict[str, object], names: list[str]
) -> Said:
    """An adaptive run hovering: one step of lr in the steepest parameter, and the lr that fits."""
    lr = float(words["lr"])  # type: ignore[arg-type]
    curvatures = np.diag(comp.curvature.hessian)  # (k,) each parameter's own curvature
    i = int(np.argmax(curvatures))
    rise = 0.5 * lr**2 * float(curvatures[i])  # L(t + lr e_i) - L(t) near the optimum
    lr_ok: Said | str = ""
    if comp.ols.mse > 0:
        ok = math.sqrt(2 * NEAR_OPTIMUM * comp.ols.mse / curvatures[i])
        lr_ok = Said("advice.jitter_lr", lr_ok=ok)
    return Said(
        "advice.jitter",
        param=names[i],
        rise=rise * _loss_scale(comp),
        lr_ok=lr_ok,
        zscore=_zscore_steps(comp),
        **seen,
        **words,
    )


def _zscore_steps(comp: Comparison) -> Said | str:
    """Advice to z-score for adaptive steps, when it is off and the parameters' curvatures
    differ tenfold or more (z-scored, each is 2)."""
    if comp.config.normalize:
        return ""
    curvatures = np.diag(comp.curvature.hessian)
    low, high = float(curvatures.min()), float(curvatures.max())
    if not high > 10 * low and not high > 20:
        return ""
    return Said("advice.zscore_steps", low=low, high=high)


def _diverged(comp: Comparison, run: History) -> Said:
    opt = run.optimizer
    limit = comp.curvature.lr_limit(opt.name, opt.hyperparameters())
    words = {"label": run.label, "epoch": run.diverged_at, "lr": opt.lr}
    if limit is None:
        return Said("advice.diverged_no_limit", lower=opt.lr / 10, **words)
    if opt.lr <= limit:
        return Said("advice.diverged_batches", limit=limit, **words)
    return Said("advice.diverged", over_limit=_over_limit(comp, run, limit), **words)


def _over_limit(comp: Comparison, run: History, limit: float) -> Said:
    """By how much lr is over its stable limit, and the limit z-scoring would give."""
    opt = run.optimizer
    z = _zscored(comp)
    zlimit = None if z is None else z.lr_limit(opt.name, opt.hyperparameters())
    zscore: Said | str = ""
    if z is not None and zlimit is not None:
        zscore = Said(
            "advice.diverged_zscore",
            zlimit=zlimit,
            zcond=_cond(z.condition_number),
            cond=_cond(comp.curvature.condition_number),
        )
    return Said(
        "advice.over_limit",
        lr=opt.lr,
        factor=opt.lr / limit,
        limit=limit,
        lmax=comp.curvature.lmax,
        zscore=zscore,
    )


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


def _cond(value: float | None) -> Said | str:
    """A condition number in words: None is a singular Hessian."""
    return Said("advice.singular") if value is None else f"{value:.3g}"


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
