"""The training loop and its history: one loop over a gradient source.

Semantics (the seeds print exactly this): the loss logged for epoch e is computed before that
epoch's step(s); the parameters logged are those after it. Three gradient sources, one loop:
- Rows: the seeds' float32 full batch over the rows, the gradient from the MSE formula in
  autograd's own operations and order (the same bits as loss.backward()) and torch.optim's own
  update; it alone reproduces their logs digit for digit (tables up to
  config.PLAIN_MAX_ROWS rows);
- Statistics: full batch from sufficient statistics. MSE depends on the data only through
  G = A^T A / m (A = [X, 1]); with the least-squares optimum t* and its loss L*,
  L(t) = (t - t*)^T G (t - t*) + L* and grad = 2 G (t - t*), both O(d^2) per epoch in float64,
  without the cancellation of t^T G t - 2 c^T t + s. Every optimizer of a comparison steps in
  lockstep, with torch.optim's rules in float64 (lockstep.py); it agrees with the rows to
  float32 rounding;
- Batches: mini-batches of a seeded shuffle, the same batches for every optimizer.
Divergence (a non-finite loss or parameter, or a loss beyond float32) stops a run; it is a
result with its epoch, never an exception. The rule for which source a run takes is
choose_path(), used by the dashboard and the command line alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from linreg_core.config import PLAIN_MAX_ROWS, OptimizerConfig
from linreg_core.lockstep import run_lockstep
from linreg_core.optimizers import Stepper
from linreg_core.reference import LeastSquares, design, least_squares
from linreg_core.registry import OPTIMIZERS

FLOAT32_MAX = float(torch.finfo(torch.float32).max)
CHECK_EVERY = 0.1  # s between progress reports and cancellation checks

Progress = Callable[[int, int], None]  # (epochs done, epochs in all)
StopCheck = Callable[[], bool]
Gradient = Callable[
    [torch.Tensor, torch.Tensor, torch.Tensor, int, bool], tuple[torch.Tensor, torch.Tensor]
]


@dataclass(frozen=True)
class Problem:
    """Rows in the space the model is trained in (after any z-score), float64: the Dataset's
    own arrays when nothing is scaled, never a second copy of them."""

    X_train: np.ndarray  # (m, d)
    y_train: np.ndarray  # (m,)
    X_test: np.ndarray  # (m_test, d), possibly no rows
    y_test: np.ndarray  # (m_test,)
    bias: bool = True

    @property
    def n_features(self) -> int:
        return int(self.X_train.shape[1])


@dataclass
class History:
    """What one optimizer did, epoch by epoch. Arrays cover the epochs actually run."""

    optimizer: OptimizerConfig
    label: str  # the run's name in a comparison (the optimizer's, with its lr if repeated)
    epochs: int  # asked for
    epochs_run: int  # steps taken (epochs completed)
    train_loss: np.ndarray  # (epochs_run,) MSE before each epoch's step(s), trained space
    test_loss: np.ndarray | None  # (epochs_run,) held-out MSE at the same parameters
    weights: np.ndarray  # (epochs_run + 1, d); row 0 is the start
    bias: np.ndarray | None  # (epochs_run + 1,) or None without a bias
    grad: np.ndarray  # (epochs_run, d + bias) the gradient of each epoch (mini-batch: its mean)
    path: str  # "plain", "fast" or "minibatch"
    seconds: float = 0.0
    diverged_at: int | None = None  # epoch whose loss or parameters blew up
    cancelled: bool = False

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def grad_norm(self) -> np.ndarray:
        """(epochs_run,) the length of each epoch's gradient."""
        return np.linalg.norm(self.grad, axis=1)

    @property
    def final_weights(self) -> np.ndarray:
        return self.weights[-1]

    @property
    def final_bias(self) -> float | None:
        return None if self.bias is None else float(self.bias[-1])

    @property
    def advice(self) -> str | None:
        """Plain words on a divergence, or None."""
        if self.diverged_at is None:
            return None
        return (
            f"{self.label} diverged at epoch {self.diverged_at}: the loss grew past what float32 "
            f"can hold, so training stopped there. Lower the learning rate (now "
            f"{self.optimizer.lr:g}, try {self.optimizer.lr / 10:g}) or z-score the inputs."
        )


def blown(loss: float) -> bool:
    """A loss that is not finite or that float32 cannot hold: the run has diverged."""
    return not np.isfinite(loss) or loss > FLOAT32_MAX


def choose_path(n_rows: int, batch_size: int | None, path: str = "auto") -> str:
    """'minibatch' when batches are smaller than the table, else 'plain' or 'fast'."""
    if batch_size is not None and batch_size < n_rows:
        return "minibatch"
    if path == "auto":
        return "plain" if n_rows <= PLAIN_MAX_ROWS else "fast"
    return path


class _Clock:
    """Says when CHECK_EVERY seconds have passed since it last said so."""

    def __init__(self) -> None:
        self.next = time.perf_counter() + CHECK_EVERY

    def due(self) -> bool:
        now = time.perf_counter()
        if now < self.next:
            return False
        self.next = now + CHECK_EVERY
        return True


def train(
    problem: Problem,
    cfg: OptimizerConfig,
    start: torch.Tensor,
    *,
    epochs: int,
    batch_size: int | None = None,
    seed: int = 0,
    path: str = "auto",
    stats: FullBatch | None = None,
    label: str | None = None,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> History:
    """Train one optimizer from `start` and return its history.

    Args:
        problem: the rows, already scaled.
        cfg: the optimizer and its hyperparameters.
        start: (d + bias,) float32 starting parameters [w_1..w_d, b]; not modified.
        epochs: epochs to run. batch_size: None for full batch.
        seed: shuffles the mini-batches (the same seed gives every optimizer the same batches).
        path: "auto" (see choose_path), "plain" or "fast".
        stats: the fast path's statistics of `problem` (computed here if needed and not given),
            so that a comparison makes its one pass over the rows once for every optimizer.
        label: the run's name (default: the optimizer's).
        progress: called with (epochs done, epochs) every CHECK_EVERY seconds and at the end.
        should_stop: polled as often; True cancels the run, keeping what it did.
    """
    t0 = time.perf_counter()
    kind = choose_path(len(problem.y_train), batch_size, path)
    if kind == "fast":
        stats = stats or FullBatch.of(problem)
        return train_lockstep(
            problem,
            [cfg],
            start,
            epochs=epochs,
            stats=stats,
            labels=[label or cfg.name],
            progress=progress,
            should_stop=should_stop,
        )[0]
    manual = OPTIMIZERS[cfg.name].update is None  # the tutorials' formulas, not autograd's
    source: _Source
    if kind == "minibatch":
        assert batch_size is not None
        source = _Batches(problem, manual, batch_size, seed)
    else:
        source = _Rows(problem, manual)
    theta = start.detach().to(torch.float32).clone()  # (k,) [w..., b], stepped in place
    stepper = Stepper(cfg, [theta])
    k = len(theta)
    losses = np.full(epochs, np.nan)
    thetas = torch.full((epochs + 1, k), float("nan"))  # row e: parameters after epoch e
    grads = torch.full((epochs, k), float("nan"))  # row e - 1: the gradient of epoch e
    thetas[0] = theta
    clock = _Clock()
    run, diverged, cancelled = 0, None, False
    with torch.no_grad():  # gradients come from formulas or statistics, never from a graph
        for epoch in range(1, epochs + 1):
            loss = source.epoch(_Epoch(theta, stepper, grads[epoch - 1], clock, should_stop))
            if loss is None:  # stopped inside a long epoch: it does not count
                cancelled = True
                break
            if blown(loss):
                diverged = epoch
                break
            losses[epoch - 1] = loss
            thetas[epoch] = theta
            run = epoch
            if epoch == epochs or clock.due():
                if progress is not None:
                    progress(epoch, epochs)
                if epoch < epochs and should_stop is not None and should_stop():
                    cancelled = True
                    break
    values = thetas.numpy().astype(np.float64)
    while run > 0 and not np.isfinite(values[run]).all():  # a step that overflowed the weights
        diverged, run = run, run - 1
    d = problem.n_features
    return History(
        optimizer=cfg,
        label=label or cfg.name,
        epochs=epochs,
        epochs_run=run,
        train_loss=losses[:run],
        test_loss=source.held_out(values[:run]),
        weights=values[: run + 1, :d],
        bias=values[: run + 1, d] if problem.bias else None,
        grad=grads[:run].numpy().astype(np.float64),
        path=kind,
        seconds=time.perf_counter() - t0,
        diverged_at=diverged,
        cancelled=cancelled,
    )


def train_lockstep(
    problem: Problem,
    cfgs: list[OptimizerConfig],
    start: torch.Tensor,
    *,
    epochs: int,
    stats: FullBatch,
    labels: list[str],
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> list[History]:
    """Full batch for several optimizers at once, from the statistics (see lockstep.py).

    progress gets (epochs done by all optimizers, epochs of all), as a comparison reports it.
    """
    t0 = time.perf_counter()
    K, clock = len(cfgs), _Clock()

    def tick(epoch: int) -> bool:
        if epoch == epochs or clock.due():
            if progress is not None:
                progress(epoch * K, epochs * K)
            return epoch < epochs and should_stop is not None and should_stop()
        return False

    st = stats.train
    begin = start.detach().to(torch.float32).numpy().astype(np.float64)  # the float32 start
    losses, thetas, grads, diverged, cancelled = run_lockstep(
        st.G, st.optimum, st.floor, cfgs, begin, epochs, blown=blown, tick=tick
    )
    held, d = stats.held_out, problem.n_features
    seconds = (time.perf_counter() - t0) / K
    return [
        History(
            optimizer=cfg,
            label=label,
            epochs=epochs,
            epochs_run=len(loss),
            train_loss=loss,
            test_loss=None if held is None else held.losses(theta[:-1] - st.optimum),
            weights=theta[:, :d],
            bias=theta[:, d] if problem.bias else None,
            grad=grad,
            path="fast",
            seconds=seconds,
            diverged_at=at,
            cancelled=cancelled and at is None,
        )
        for cfg, label, loss, theta, grad, at in zip(
            cfgs, labels, losses, thetas, grads, diverged, strict=True
        )
    ]


# -- gradient sources: one epoch's step(s) on theta, returning the epoch's loss ---------------
@dataclass(frozen=True)
class _Epoch:
    """What a gradient source needs for one epoch."""

    theta: torch.Tensor  # (k,) the parameters, stepped in place
    stepper: Stepper
    grad: torch.Tensor  # (k,) where the epoch's gradient is written
    clock: _Clock
    should_stop: StopCheck | None


class _Source:
    def epoch(self, e: _Epoch) -> float | None:
        """Step e.theta for one epoch; write the epoch's gradient to e.grad; return the loss
        before the step(s) (a blown loss: no step taken; None: cancelled mid-epoch)."""
        raise NotImplementedError

    def held_out(self, thetas: np.ndarray) -> np.ndarray | None:
        """(n, k) parameters -> (n,) held-out MSE at each, or None without held-out rows."""
        raise NotImplementedError


class _Rows(_Source):
    """Full batch over the rows in float32, as the seeds."""

    def __init__(self, problem: Problem, manual: bool) -> None:
        self.d, self.bias = problem.n_features, problem.bias
        self.X = torch.as_tensor(problem.X_train, dtype=torch.float32)  # (m, d)
        self.y = torch.as_tensor(problem.y_train, dtype=torch.float32)  # (m,)
        self.gradient: Gradient = manual_gradient if manual else mse_and_grad
        self.test = problem

    def epoch(self, e: _Epoch) -> float | None:
        cost, grad = self.gradient(self.X, self.y, e.theta, self.d, self.bias)
        loss = cost.item()
        if not blown(loss):
            e.stepper.step_([grad])
            e.grad.copy_(grad)
        return loss

    def held_out(self, thetas: np.ndarray) -> np.ndarray | None:
        p = self.test
        if len(p.y_test) == 0:
            return None
        A = design(p.X_test, p.bias)  # (m_test, k) float64
        out = np.empty(len(thetas))
        step = max(1, 2_000_000 // max(1, len(A)))  # bounded memory: (m_test, step) at a time
        with np.errstate(over="ignore", invalid="ignore"):
            for i in range(0, len(thetas), step):
                residual = A @ thetas[i : i + step].T - p.y_test[:, None]  # (m_test, n)
                out[i : i + step] = np.mean(residual**2, axis=0)
        return out


class _Batches(_Rows):
    """Mini-batches of a seeded shuffle; the epoch's loss is the mean of its batch losses."""

    def __init__(self, problem: Problem, manual: bool, batch_size: int, seed: int) -> None:
        super().__init__(problem, manual)
        self.batch_size = batch_size
        self.gen = torch.Generator().manual_seed(seed)

    def epoch(self, e: _Epoch) -> float | None:
        m = len(self.y)
        order = torch.randperm(m, generator=self.gen)
        total, losses = torch.zeros_like(e.theta), []
        for i in range(0, m, self.batch_size):
            idx = order[i : i + self.batch_size]
            cost, grad = self.gradient(self.X[idx], self.y[idx], e.theta, self.d, self.bias)
            losses.append(cost.item())
            if blown(losses[-1]):
                return losses[-1]
            e.stepper.step_([grad])
            total += grad
            if e.should_stop is not None and e.clock.due() and e.should_stop():
                return None
        e.grad.copy_(total / len(losses))
        return float(np.mean(losses))


# -- the MSE gradient, as autograd computes it and as the tutorials write it ------------------
def mse_and_grad(
    X: torch.Tensor, y: torch.Tensor, theta: torch.Tensor, d: int, bias: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """MSE and its gradient in float32, with autograd's very operations in autograd's order.

    backward of mean((x * W + b - y) ** 2) is: mean -> 1/m per row; pow -> (1/m) * (2 * diff);
    mul -> rows times x, summed over the rows; add -> summed over the rows. Doing just that
    gives the same bits as cost.backward() (tests/test_train.py checks) at a third of the cost.
    """
    diff = forward(X, theta, d, bias) - y  # (m,)
    cost = torch.mean(diff**2)
    g = (torch.ones((), dtype=diff.dtype) / diff.numel()) * (2.0 * diff)  # (m,) dL/dprediction
    grad = (g[:, None] * X).sum(dim=0)  # (d,)
    if bias:
        grad = torch.cat([grad, g.sum(dim=0, keepdim=True)])
    return cost, grad


def manual_gradient(
    X: torch.Tensor, y: torch.Tensor, theta: torch.Tensor, d: int, bias: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """The seeds' hand-written formulas: D_W = 2/m sum((Wx+b-y) x), D_b = 2/m sum(Wx+b-y)."""
    diff = forward(X, theta, d, bias) - y  # (m,)
    parts = [2 * torch.mean(diff[:, None] * X, dim=0)]
    if bias:
        parts.append(2 * torch.mean(diff).reshape(1))
    return torch.mean(diff**2), torch.cat(parts)


def forward(X: torch.Tensor, theta: torch.Tensor, d: int, bias: bool) -> torch.Tensor:
    """(m, d) -> (m,): the seeds' x * W + b, so float32 rounding matches theirs."""
    out = (X * theta[:d]).sum(dim=1)
    return out + theta[d] if bias else out


# -- the statistics of full-batch MSE ----------------------------------------------------------
@dataclass(frozen=True)
class Statistics:
    """Everything full-batch MSE needs from the rows, in float64."""

    G: np.ndarray  # (k, k) A^T A / m
    optimum: np.ndarray  # (k,) least-squares parameters
    floor: float  # MSE at the optimum


def statistics(
    X: np.ndarray, y: np.ndarray, bias: bool, ols: LeastSquares | None = None
) -> Statistics:
    """Sufficient statistics of full-batch MSE; one pass over the rows."""
    A = design(X, bias)  # (m, k)
    ols = ols or least_squares(X, y, bias=bias)
    optimum = np.append(ols.weights, ols.bias or 0.0) if bias else np.asarray(ols.weights)
    return Statistics(G=A.T @ A / len(A), optimum=optimum, floor=ols.mse)


@dataclass(frozen=True)
class HeldOut:
    """Held-out MSE as a quadratic around the training optimum t*: r = A t* - y."""

    G: np.ndarray  # (k, k)
    q1: np.ndarray  # (k,) A^T r / m
    q0: float  # mean(r^2)

    @classmethod
    def of(cls, X: np.ndarray, y: np.ndarray, bias: bool, optimum: np.ndarray) -> HeldOut:
        A = design(X, bias)
        r = A @ optimum - np.asarray(y, dtype=np.float64)
        m = len(r)
        return cls(G=A.T @ A / m, q1=A.T @ r / m, q0=float(r @ r / m))

    def losses(self, deltas: np.ndarray) -> np.ndarray:
        """(n, k) offsets from the training optimum -> (n,) held-out MSE."""
        with np.errstate(over="ignore", invalid="ignore"):
            quad = np.einsum("ei,ij,ej->e", deltas, self.G, deltas)
            return self.q0 + 2 * deltas @ self.q1 + quad


@dataclass(frozen=True)
class FullBatch:
    """The fast path's view of a problem: training statistics and the held-out quadratic."""

    train: Statistics
    held_out: HeldOut | None

    @classmethod
    def of(cls, problem: Problem, ols: LeastSquares | None = None) -> FullBatch:
        st = statistics(problem.X_train, problem.y_train, problem.bias, ols)
        held = None
        if len(problem.y_test):
            held = HeldOut.of(problem.X_test, problem.y_test, problem.bias, st.optimum)
        return cls(st, held)
