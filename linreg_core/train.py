"""The training loop and its history: one loop, every optimizer of a comparison together, over
one of three gradient sources.

Semantics (the seeds print exactly this): the loss logged for epoch e is computed before that
epoch's step(s); the parameters logged are those after it. Every optimizer starts from the same
parameters and, in mini-batch, sees the same batches in the same order. The sources:
- Rows: the tutorials' float32 full batch over the rows, the gradient from the MSE formula in
  autograd's own operations and order (the same bits as loss.backward()) and torch.optim's own
  update; it alone reproduces their logs digit for digit (tables up to config.PLAIN_MAX_ROWS,
  whose mini-batches it takes too, so that a plain torch loop prints the same digits);
- Statistics: full batch from sufficient statistics. MSE depends on the data only through
  G = A^T A / m (A = [X, 1]); with the least-squares optimum t* and its loss L*,
  L(t) = (t - t*)^T G (t - t*) + L* and grad = 2 G (t - t*), O(k^2) an epoch in float64,
  without the cancellation of t^T G t - 2 c^T t + s;
- Batches: mini-batches of a seeded shuffle; one batched product gives every run's gradient
  (larger tables).
The last two step with torch.optim's rules written in numpy on float32 parameters (rules.py),
which agree with the rows' loop to float32 rounding. Every path records, per epoch, the gradient
(mini-batch: the mean of the epoch's) and the optimizer's state after the epoch's (last) step
under torch.optim's names; internals.py derives the step and the effective learning rate.
Divergence (a non-finite loss or parameter, or a loss beyond float32) stops that run; it is a
result with its epoch, never an exception.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from linreg_core.config import PLAIN_MAX_ROWS, OptimizerConfig
from linreg_core.errors import Said
from linreg_core.optimizers import Stepper
from linreg_core.reference import LeastSquares, design, least_squares
from linreg_core.registry import OPTIMIZERS
from linreg_core.rules import rule_of

FLOAT32_MAX = float(torch.finfo(torch.float32).max)
CHECK_EVERY = 0.1  # s between progress reports and cancellation checks

Progress = Callable[[int, int], None]  # (epochs done, epochs in all)
StopCheck = Callable[[], bool]
Step = Callable[[np.ndarray], None]  # one update of a run's parameters, in place, by a gradient
StateNow = Callable[[], dict[str, np.ndarray]]  # the run's optimizer state, by torch's names


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
    # torch.optim's state name -> (epochs_run, d + bias) float32, after each epoch's last step
    state: dict[str, np.ndarray] = field(default_factory=dict)
    steps_per_epoch: int = 1  # optimizer steps an epoch (mini-batch: the batches)

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def grad_norm(self) -> np.ndarray:
        """(epochs_run,) the length of each epoch's gradient."""
        return np.linalg.norm(self.grad, axis=1)

    @property
    def params(self) -> np.ndarray:
        """(epochs_run + 1, d + bias) the parameters [w_1..w_d, b]; row 0 is the start."""
        if self.bias is None:
            return self.weights
        return np.column_stack([self.weights, self.bias])

    @property
    def step(self) -> np.ndarray:
        """(epochs_run, d + bias) what each epoch moved the parameters: after minus before
        (mini-batch: the epoch's steps together). Exact: a difference of float32 numbers."""
        return np.diff(self.params, axis=0)

    @property
    def final_weights(self) -> np.ndarray:
        return self.weights[-1]

    @property
    def final_bias(self) -> float | None:
        return None if self.bias is None else float(self.bias[-1])

    @property
    def advice(self) -> Said | None:
        """Plain words on a divergence (str() is English), or None."""
        if self.diverged_at is None:
            return None
        lr = self.optimizer.lr
        return Said(
            "advice.float32", label=self.label, epoch=self.diverged_at, lr=lr, lower=lr / 10
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
    """Train one optimizer from `start` and return its history (see train_all)."""
    return train_all(
        problem,
        [cfg],
        start,
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        path=path,
        stats=stats,
        labels=[label or cfg.name],
        progress=progress,
        should_stop=should_stop,
    )[0]


def train_all(
    problem: Problem,
    cfgs: list[OptimizerConfig],
    start: torch.Tensor,
    *,
    epochs: int,
    batch_size: int | None = None,
    seed: int = 0,
    path: str = "auto",
    stats: FullBatch | None = None,
    labels: list[str] | None = None,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> list[History]:
    """Train every optimizer of cfgs from `start`, together, and return their histories.

    Args:
        problem: the rows, already scaled.
        cfgs: the optimizers and their hyperparameters.
        start: (d + bias,) float32 starting parameters [w_1..w_d, b]; not modified.
        epochs: epochs to run. batch_size: None for full batch.
        seed: shuffles the mini-batches: every optimizer sees the same batches.
        path: "auto" (see choose_path), "plain" or "fast".
        stats: the statistics of `problem` for the fast path (computed here if needed).
        labels: the runs' names (default: the optimizers').
        progress: called with (epochs done, epochs) of all runs, every CHECK_EVERY seconds
            and at the end.
        should_stop: polled as often (inside long epochs too); True cancels every run,
            keeping what it did.
    """
    t0 = time.perf_counter()
    K, k, d = len(cfgs), len(start), problem.n_features
    kind = choose_path(len(problem.y_train), batch_size, path)
    source: _Source
    if kind == "fast":
        source = _Statistics(stats or FullBatch.of(problem))
    elif kind == "minibatch" and len(problem.y_train) > PLAIN_MAX_ROWS:
        assert batch_size is not None
        source = _Batches(problem, batch_size, seed)
    elif kind == "minibatch":  # a small table: torch's own bits, batch by batch
        source = _Rows(problem, batch_size, seed)
    else:
        source = _Rows(problem)
    # 1. every run's parameters, one float32 row each (torch steps the plain path's in place)
    current = np.tile(start.detach().to(torch.float32).numpy(), (K, 1))  # (K, k)
    optimizers = [source.stepper(cfg, current[i]) for i, cfg in enumerate(cfgs)]
    steps = [step for step, _ in optimizers]
    losses = np.full((K, epochs), np.nan)
    thetas = np.full((K, epochs + 1, k), np.nan)  # [i, e]: run i's parameters after epoch e
    grads = np.full((K, epochs, k), np.nan)  # [i, e - 1]: its gradient of epoch e (mean)
    states = [  # [i][name][e - 1]: run i's optimizer state after epoch e
        {name: np.full((epochs, k), np.nan, np.float32) for name in state_used(cfg)} for cfg in cfgs
    ]
    thetas[:, 0] = current
    run = np.zeros(K, dtype=int)
    diverged: list[int | None] = [None] * K
    alive, cancelled = list(range(K)), False
    clock, inner = _Clock(), _Clock()  # progress after epochs; stop checks inside long ones
    # 2. the epochs: each batch's gradients for every run still going, then each run's step
    with np.errstate(over="ignore", invalid="ignore"), torch.no_grad():
        for epoch in range(1, epochs + 1):
            loss_sum, grad_sum, batches = np.zeros(K), np.zeros((K, k)), 0
            for batch in source.batches():
                loss, grad = source.gradients(current, alive, batch)  # (n,), (n, k)
                for row, i in enumerate(alive):
                    if blown(float(loss[row])) or not np.isfinite(current[i]).all():
                        diverged[i] = epoch
                        continue
                    steps[i](grad[row])
                    loss_sum[i] += loss[row]
                    grad_sum[i] += grad[row]
                alive = [i for i in alive if diverged[i] is None]
                batches += 1
                if not alive or (should_stop and len(source) > 1 and inner.due() and should_stop()):
                    cancelled = bool(alive)  # stopped inside an epoch: it does not count
                    break
            if not alive or cancelled:
                break
            for i in alive:
                losses[i, epoch - 1] = loss_sum[i] / batches
                grads[i, epoch - 1] = grad_sum[i] / batches
                thetas[i, epoch] = current[i]
                run[i] = epoch
                for name, value in optimizers[i][1]().items():
                    states[i][name][epoch - 1] = value
            if epoch == epochs or clock.due():
                if progress is not None:
                    progress(epoch * K, epochs * K)
                if epoch < epochs and should_stop is not None and should_stop():
                    cancelled = True
                    break
    # 3. the histories, built in one place
    seconds = (time.perf_counter() - t0) / K
    out = []
    for i, cfg in enumerate(cfgs):
        n, at = int(run[i]), diverged[i]
        while n > 0 and not np.isfinite(thetas[i, n]).all():  # a step that overflowed
            at, n = n, n - 1
        theta = thetas[i, : n + 1]
        out.append(
            History(
                optimizer=cfg,
                label=labels[i] if labels else cfg.name,
                epochs=epochs,
                epochs_run=n,
                train_loss=losses[i, :n],
                test_loss=source.held_out(theta[:-1]),
                weights=theta[:, :d],
                bias=theta[:, d] if problem.bias else None,
                grad=grads[i, :n],
                path=kind,
                seconds=seconds,
                diverged_at=at,
                cancelled=cancelled and at is None,
                state={name: values[:n] for name, values in states[i].items()},
                steps_per_epoch=len(source),
            )
        )
    return out


def state_used(cfg: OptimizerConfig) -> tuple[str, ...]:
    """The state cfg's optimizer keeps, under torch.optim's names (none for plain SGD)."""
    return OPTIMIZERS[cfg.name].state_used(cfg.hyperparameters())


# -- gradient sources: the loss and gradient of every run still going, batch by batch --------
class _Source:
    def __len__(self) -> int:
        """Batches an epoch."""
        return 1

    def batches(self) -> list[np.ndarray | None]:
        """This epoch's batches, in order (full batch: one)."""
        return [None]

    def gradients(
        self, current: np.ndarray, alive: list[int], batch: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(n,) losses before the step and (n, k) float32 gradients of the rows `alive`."""
        raise NotImplementedError

    def stepper(self, cfg: OptimizerConfig, theta: np.ndarray) -> tuple[Step, StateNow]:
        """The update of cfg applied in place to theta (a float32 row of `current`):
        torch.optim's rule written in numpy (rules.py); and its state now, by torch's names."""
        rule, hp = rule_of(cfg)
        state: dict[str, np.ndarray] = {}
        names = state_used(cfg)
        return (
            lambda grad: rule(theta, grad, state, hp),
            lambda: {name: state[name] for name in names},
        )

    def held_out(self, thetas: np.ndarray) -> np.ndarray | None:
        """(n, k) parameters -> (n,) held-out MSE at each, or None without held-out rows."""
        raise NotImplementedError


class _Rows(_Source):
    """The tutorials' loop over the rows in float32, torch.optim's own update: the same bits as
    their loop (their logs, digit for digit). Full batch, or the mini-batches of a seeded
    shuffle (torch.randperm each epoch, as _Batches)."""

    def __init__(self, problem: Problem, batch_size: int | None = None, seed: int = 0) -> None:
        self.d, self.bias = problem.n_features, problem.bias
        self.X = torch.as_tensor(problem.X_train, dtype=torch.float32)  # (m, d)
        self.y = torch.as_tensor(problem.y_train, dtype=torch.float32)  # (m,)
        self.problem = problem
        self.manual: list[bool] = []  # per run, in order: the tutorials' hand-written gradient
        self.batch_size = batch_size
        self.gen = torch.Generator().manual_seed(seed)  # the batches' shuffle

    def __len__(self) -> int:
        return 1 if self.batch_size is None else -(-len(self.y) // self.batch_size)

    def batches(self) -> list[np.ndarray | None]:
        if self.batch_size is None:
            return [None]
        order = torch.randperm(len(self.y), generator=self.gen).numpy()
        return [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]

    def stepper(self, cfg: OptimizerConfig, theta: np.ndarray) -> tuple[Step, StateNow]:
        tensor = torch.from_numpy(theta)  # shares theta's memory: torch's steps show in it
        self.manual.append(OPTIMIZERS[cfg.name].update is None)
        stepper = Stepper(cfg, [tensor])
        names = state_used(cfg)
        return (
            lambda grad: stepper.step_([torch.from_numpy(grad)]),
            lambda: {name: stepper.state[name][0].numpy() for name in names},
        )

    def gradients(
        self, current: np.ndarray, alive: list[int], batch: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        losses, grads = np.empty(len(alive)), np.empty((len(alive), current.shape[1]), np.float32)
        X, y = (self.X, self.y) if batch is None else (self.X[batch], self.y[batch])
        for row, i in enumerate(alive):
            theta = torch.from_numpy(current[i])
            gradient = manual_gradient if self.manual[i] else mse_and_grad
            cost, grad = gradient(X, y, theta, self.d, self.bias)
            losses[row], grads[row] = cost.item(), grad.numpy()
        return losses, grads

    def held_out(self, thetas: np.ndarray) -> np.ndarray | None:
        return held_out_rows(self.problem, thetas)


class _Batches(_Source):
    """Mini-batches of a seeded shuffle, the same for every run; one pass over each batch gives
    every run's gradient (numpy float32, as torch's float32 loop would)."""

    def __init__(self, problem: Problem, batch_size: int, seed: int) -> None:
        self.problem, self.d, self.bias = problem, problem.n_features, problem.bias
        self.Xn = problem.X_train.astype(np.float32)  # (m, d)
        self.yn = problem.y_train.astype(np.float32)  # (m,)
        self.batch_size = batch_size
        self.gen = torch.Generator().manual_seed(seed)  # torch's shuffle: the same batches

    def __len__(self) -> int:
        return -(-len(self.yn) // self.batch_size)

    def batches(self) -> list[np.ndarray | None]:
        order = torch.randperm(len(self.yn), generator=self.gen).numpy()
        return [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]

    def gradients(
        self, current: np.ndarray, alive: list[int], batch: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        assert batch is not None
        X, y = self.Xn[batch], self.yn[batch]  # (b, d), (b,)
        theta = current[alive]  # (n, k) float32
        # each run's numbers in a row of its own, summed along that row: the same additions in
        # the same order however many runs share the batch (a matrix product would not be)
        pred = (theta[:, None, : self.d] * X[None, :, :]).sum(axis=2)  # (n, b)
        if self.bias:
            pred += theta[:, self.d, None]
        diff = pred - y  # (n, b)
        g = np.float32(2.0 / len(y)) * diff  # dL/dprediction
        grad = np.empty_like(theta)
        grad[:, : self.d] = (g[:, :, None] * X[None, :, :]).sum(axis=1)  # (n, d)
        if self.bias:
            grad[:, self.d] = g.sum(axis=1)
        return np.mean(diff.astype(np.float64) ** 2, axis=1), grad

    def held_out(self, thetas: np.ndarray) -> np.ndarray | None:
        return held_out_rows(self.problem, thetas)


class _Statistics(_Source):
    """Full batch from the training rows' statistics: O(k^2) an epoch whatever the rows."""

    def __init__(self, stats: FullBatch) -> None:
        self.stats = stats

    def gradients(
        self, current: np.ndarray, alive: list[int], batch: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        st = self.stats.train
        delta = current[alive] - st.optimum  # (n, k) float64 from the optimum: no cancellation
        # G is symmetric. einsum, not BLAS: a matrix product of several rows may sum in another
        # order than one row alone (OpenBLAS picks its kernel by shape and CPU), and a run must
        # give the same bits trained alone or beside others (tests/test_rules.py)
        Gd = np.einsum("ij,jk->ik", delta, st.G)
        loss = st.floor + np.einsum("ij,ij->i", delta, Gd)
        return loss, (2.0 * Gd).astype(np.float32)  # rounded as a float32 gradient would be

    def held_out(self, thetas: np.ndarray) -> np.ndarray | None:
        held = self.stats.held_out
        return None if held is None else held.losses(thetas - self.stats.train.optimum)


def held_out_rows(problem: Problem, thetas: np.ndarray) -> np.ndarray | None:
    """(n, k) parameters -> (n,) MSE on the held-out rows in float64 (None without any)."""
    if len(problem.y_test) == 0:
        return None
    A = design(problem.X_test, problem.bias)  # (m_test, k)
    out = np.empty(len(thetas))
    step = max(1, 2_000_000 // max(1, len(A)))  # bounded memory: (m_test, step) at a time
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(0, len(thetas), step):
            residual = A @ thetas[i : i + step].T - problem.y_test[:, None]  # (m_test, n)
            out[i : i + step] = np.mean(residual**2, axis=0)
    return out


# -- the MSE gradient, as autograd computes it and as the tutorials write it -----------------
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
    ols = ols or least_squares(X, y, bias=bias)
    optimum = np.append(ols.weights, ols.bias or 0.0) if bias else np.asarray(ols.weights)
    return Statistics(G=gram(X, bias), optimum=optimum, floor=ols.mse)


def gram(X: np.ndarray, bias: bool) -> np.ndarray:
    """(m, d) rows -> (k, k) G = A^T A / m, A = [X, 1] (X alone without a bias), float64."""
    A = design(X, bias)  # (m, k)
    return A.T @ A / len(A)


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
