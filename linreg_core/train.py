"""The training loop and its history: full batch (one step per epoch) or mini-batch.

Semantics (the seeds print exactly this): the loss logged for epoch e is computed before that
epoch's step(s); the parameters logged are those after it. Three paths, one result:
- plain: the seeds' float32 loop over the rows with autograd; it alone reproduces their logs
  digit for digit, and small tables always take it;
- fast: full batch from sufficient statistics. MSE depends on the data only through
  G = A^T A / m and c = A^T y / m (A = [X, 1]); with the least-squares optimum t* and its loss L*,
  L(t) = (t - t*)^T G (t - t*) + L* and grad = 2 (G t - c), both O(d^2) per epoch in float64,
  without the cancellation of t^T G t - 2 c^T t + s. torch.optim's rules still take the float32
  steps, so it agrees with the plain loop to float32 rounding;
- minibatch: the real loop over a seeded shuffle, the same batches for every optimizer.
Divergence (a non-finite loss or parameter, or a loss beyond float32) stops a run; it is a
result with its epoch, never an exception.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from linreg_core.config import OptimizerConfig
from linreg_core.optimizers import Stepper
from linreg_core.reference import LeastSquares, design, least_squares

PLAIN_MAX_ROWS = 5_000  # up to here the float32 loop is fast and is the reference semantics
FLOAT32_MAX = float(torch.finfo(torch.float32).max)

Progress = Callable[[int, int], None]  # (epochs done, epochs in all)
StopCheck = Callable[[], bool]


@dataclass(frozen=True)
class Problem:
    """Rows in the space the model is trained in (after any z-score); float64."""

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
    epochs: int  # asked for
    epochs_run: int  # steps taken (epochs completed)
    train_loss: np.ndarray  # (epochs_run,) MSE before each epoch's step(s), trained space
    test_loss: np.ndarray | None  # (epochs_run,) held-out MSE at the same parameters
    weights: np.ndarray  # (epochs_run + 1, d); row 0 is the start
    bias: np.ndarray | None  # (epochs_run + 1,) or None without a bias
    grad_norm: np.ndarray  # (epochs_run,) norm of the gradient used at each epoch
    path: str  # "plain", "fast" or "minibatch"
    seconds: float = 0.0
    diverged_at: int | None = None  # epoch whose loss or parameters blew up
    cancelled: bool = False
    label: str = field(default="")

    def __post_init__(self) -> None:
        if not self.label:
            self.label = self.optimizer.name

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

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


def _blown(loss: float) -> bool:
    return not np.isfinite(loss) or loss > FLOAT32_MAX


def train(
    problem: Problem,
    cfg: OptimizerConfig,
    start: torch.Tensor,
    *,
    epochs: int,
    batch_size: int | None = None,
    seed: int = 0,
    path: str = "auto",
    ols: LeastSquares | None = None,
    stats: FullBatch | None = None,
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
        path: "auto" (plain up to PLAIN_MAX_ROWS rows, else fast), "plain" or "fast".
        ols: the least-squares optimum of `problem`, reused by the fast path if given.
        stats: the fast path's statistics of `problem` (computed here if not given), so that
            a comparison makes its one pass over the rows once for every optimizer.
        progress: called now and then with (epochs done, epochs).
        should_stop: polled as often; True cancels the run, keeping what it did.
    """
    kind = choose_path(len(problem.y_train), batch_size, path)
    minibatch = kind == "minibatch"
    t0 = time.perf_counter()
    theta = start.detach().to(torch.float32).clone()  # (k,) one flat tensor: [w..., b]
    if kind == "fast":
        stats = stats or FullBatch.of(problem, ols)
        hist = _train_fast(problem, cfg, theta, epochs, stats, progress, should_stop)
    else:
        hist = _train_loop(
            problem,
            cfg,
            theta,
            epochs,
            batch_size if minibatch else None,
            seed,
            kind,
            progress,
            should_stop,
        )
    hist.seconds = time.perf_counter() - t0
    return hist


def choose_path(n_rows: int, batch_size: int | None, path: str = "auto") -> str:
    """'minibatch' when batches are smaller than the table, else 'plain' or 'fast'."""
    if batch_size is not None and batch_size < n_rows:
        return "minibatch"
    if path == "auto":
        return "plain" if n_rows <= PLAIN_MAX_ROWS else "fast"
    return path


def _every(epochs: int) -> int:
    return max(1, epochs // 100)


def _report(epoch: int, epochs: int, progress: Progress | None, stop: StopCheck | None) -> bool:
    """Tell the progress callback; True when the caller asked to stop before the end."""
    if progress is not None:
        progress(epoch, epochs)
    return stop is not None and epoch < epochs and stop()


def _last_finite(thetas: np.ndarray, run: int, diverged: int | None) -> tuple[int, int | None]:
    """Drop trailing epochs whose step overflowed the weights: (epochs run, diverged at)."""
    while run > 0 and not np.isfinite(thetas[run]).all():
        diverged, run = run, run - 1
    return run, diverged


def _train_loop(problem, cfg, theta, epochs, batch_size, seed, kind, progress, should_stop):
    d, bias = problem.n_features, problem.bias
    X = torch.as_tensor(problem.X_train, dtype=torch.float32)  # (m, d)
    y = torch.as_tensor(problem.y_train, dtype=torch.float32)  # (m,)
    has_test = len(problem.y_test) > 0
    Xt = torch.as_tensor(problem.X_test, dtype=torch.float32)
    yt = torch.as_tensor(problem.y_test, dtype=torch.float32)
    gradient = _manual_gradient if cfg.name == "gd-manual" else _mse_and_grad
    stepper = Stepper(cfg, [theta])
    k, m = len(theta), len(y)
    losses = np.full(epochs, np.nan)
    tests = np.full(epochs, np.nan) if has_test else None
    thetas = torch.full((epochs + 1, k), float("nan"))  # row e: parameters after epoch e
    grads = torch.full((epochs, k), float("nan"))  # the gradient of each full-batch step
    norms = np.full(epochs, np.nan)  # mini-batch: mean gradient norm of the epoch
    thetas[0] = theta
    gen = torch.Generator().manual_seed(seed)
    every = _every(epochs)
    run, diverged, cancelled = 0, None, False
    with torch.no_grad():  # gradients come from the formulas, never from a graph
        for epoch in range(1, epochs + 1):
            if tests is not None:
                tests[epoch - 1] = torch.mean((_forward(Xt, theta, d, bias) - yt) ** 2).item()
            if batch_size is None:
                cost, grad = gradient(X, y, theta, d, bias)
                loss = cost.item()
                if _blown(loss):
                    diverged = epoch
                    break
                stepper.step_([grad])
                grads[epoch - 1] = grad
            else:
                batch_losses, batch_norms = [], []
                order = torch.randperm(m, generator=gen)
                for i in range(0, m, batch_size):
                    idx = order[i : i + batch_size]
                    cost, grad = gradient(X[idx], y[idx], theta, d, bias)
                    batch_losses.append(cost.item())
                    if _blown(batch_losses[-1]):
                        break
                    stepper.step_([grad])
                    batch_norms.append(float(torch.linalg.vector_norm(grad)))
                loss = float(np.mean(batch_losses))
                if _blown(loss):
                    diverged = epoch
                    break
                norms[epoch - 1] = np.mean(batch_norms)
            losses[epoch - 1] = loss
            thetas[epoch] = theta
            run = epoch
            if (epoch % every == 0 or epoch == epochs) and _report(
                epoch, epochs, progress, should_stop
            ):
                cancelled = True
                break
    values = thetas.numpy().astype(np.float64)
    run, diverged = _last_finite(values, run, diverged)
    if batch_size is None:
        norms = torch.linalg.vector_norm(grads, dim=1).numpy().astype(np.float64)
    return History(
        optimizer=cfg,
        epochs=epochs,
        epochs_run=run,
        train_loss=losses[:run],
        test_loss=None if tests is None else tests[:run],
        weights=values[: run + 1, :d],
        bias=values[: run + 1, d] if bias else None,
        grad_norm=norms[:run],
        path=kind,
        diverged_at=diverged,
        cancelled=cancelled,
    )


def _manual_gradient(X, y, theta, d, bias):
    """The seeds' hand-written formulas: D_W = 2/m sum((Wx+b-y) x), D_b = 2/m sum(Wx+b-y)."""
    diff = _forward(X, theta, d, bias) - y  # (m,)
    parts = [2 * torch.mean(diff[:, None] * X, dim=0)]
    if bias:
        parts.append(2 * torch.mean(diff).reshape(1))
    return torch.mean(diff**2), torch.cat(parts)


@torch.no_grad()
def mse_and_grad(
    X: torch.Tensor, y: torch.Tensor, theta: torch.Tensor, d: int, bias: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """MSE and its gradient in float32, with autograd's very operations in autograd's order.

    backward of mean((x * W + b - y) ** 2) is: mean -> 1/m per row; pow -> (1/m) * (2 * diff);
    mul -> rows times x, summed over the rows; add -> summed over the rows. Doing just that
    gives the same bits as cost.backward() (tests/test_train.py checks) at a third of the cost.
    """
    return _mse_and_grad(X, y, theta, d, bias)


def _mse_and_grad(X, y, theta, d, bias):
    diff = _forward(X, theta, d, bias) - y  # (m,)
    cost = torch.mean(diff**2)
    g = (torch.ones((), dtype=diff.dtype) / diff.numel()) * (2.0 * diff)  # (m,) dL/dprediction
    grad = (g[:, None] * X).sum(dim=0)  # (d,)
    if bias:
        grad = torch.cat([grad, g.sum(dim=0, keepdim=True)])
    return cost, grad


def _forward(X: torch.Tensor, theta: torch.Tensor, d: int, bias: bool) -> torch.Tensor:
    """(m, d) -> (m,): the seeds' x * W + b, so float32 rounding matches theirs."""
    out = (X * theta[:d]).sum(dim=1)
    return out + theta[d] if bias else out


@dataclass(frozen=True)
class Statistics:
    """Everything full-batch MSE needs from the rows, in float64."""

    G: np.ndarray  # (k, k) A^T A / m
    c: np.ndarray  # (k,) A^T y / m
    optimum: np.ndarray  # (k,) least-squares parameters
    floor: float  # MSE at the optimum


def statistics(
    X: np.ndarray, y: np.ndarray, bias: bool, ols: LeastSquares | None = None
) -> Statistics:
    """Sufficient statistics of full-batch MSE; one pass over the rows."""
    A = design(X, bias)  # (m, k)
    y = np.asarray(y, dtype=np.float64)
    m = len(y)
    ols = ols or least_squares(X, y, bias=bias)
    optimum = np.append(ols.weights, ols.bias or 0.0) if bias else np.asarray(ols.weights)
    return Statistics(G=A.T @ A / m, c=A.T @ y / m, optimum=optimum, floor=ols.mse)


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
        return self.q0 + 2 * deltas @ self.q1 + np.einsum("ei,ij,ej->e", deltas, self.G, deltas)


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


def _train_fast(problem, cfg, theta, epochs, stats, progress, should_stop):
    d, bias = problem.n_features, problem.bias
    st, held = stats.train, stats.held_out
    G, optimum, floor = st.G, st.optimum, st.floor
    stepper = Stepper(cfg, [theta])
    k = len(theta)
    losses = np.full(epochs, np.nan)
    thetas = np.full((epochs + 1, k), np.nan)
    view = theta.numpy()  # shares memory with theta: the optimizer's in-place steps show here
    thetas[0] = view
    grad32 = torch.empty_like(theta)
    g32 = grad32.numpy()
    every = _every(epochs)
    run, diverged, cancelled = 0, None, False
    with torch.no_grad():
        for epoch in range(1, epochs + 1):
            delta = view - optimum  # (k,) float64, measured from the optimum: no cancellation
            Gd = G @ delta
            loss = floor + float(delta @ Gd)
            if _blown(loss):
                diverged = epoch
                break
            g32[:] = 2.0 * Gd  # the gradient 2 (G t - c), as G t* = c
            stepper.step_([grad32])
            losses[epoch - 1] = loss
            thetas[epoch] = view
            run = epoch
            if (epoch % every == 0 or epoch == epochs) and _report(
                epoch, epochs, progress, should_stop
            ):
                cancelled = True
                break
    run, diverged = _last_finite(thetas, run, diverged)
    deltas = thetas[:run] - optimum  # (run, k): the parameters each epoch started from
    norms = 2.0 * np.sqrt(np.einsum("ei,ij,ej->e", deltas, G @ G, deltas))
    tests = None if held is None else held.losses(deltas)
    return History(
        optimizer=cfg,
        epochs=epochs,
        epochs_run=run,
        train_loss=losses[:run],
        test_loss=tests,
        weights=thetas[: run + 1, :d],
        bias=thetas[: run + 1, d] if bias else None,
        grad_norm=norms,
        path="fast",
        diverged_at=diverged,
        cancelled=cancelled,
    )
