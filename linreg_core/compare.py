"""Several optimizers on one problem: same rows, same start, same batches; and their summary.

run() is the one call pages and the command line make: table + RunConfig -> Comparison. A
Comparison keeps the chosen rows once (its Dataset); the z-scored rows it trained on are rebuilt
when asked for. What training found without the rows (Trained) is small enough for a cache.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from linreg_core import landscape
from linreg_core.config import MAX_HISTORY, RunConfig
from linreg_core.curvature import Curvature, curvature_of, from_gram
from linreg_core.data import Dataset, prepare
from linreg_core.errors import ConfigError
from linreg_core.landscape import View
from linreg_core.model import init_params, param_names
from linreg_core.reference import LeastSquares, least_squares, metrics
from linreg_core.scaling import Scaler, identity
from linreg_core.train import (
    FullBatch,
    History,
    Problem,
    Progress,
    Statistics,
    StopCheck,
    choose_path,
    gram,
    statistics,
    train_all,
)

NEAR_OPTIMUM = 0.01  # "within 1% of the optimum's loss"


def near_optimum(floor: float, start: float) -> float:
    """The loss a run must stay under to count as at the optimum: 1% above the optimum's loss
    `floor`, or floor + 1e-6 of the starting loss `start` when floor is (nearly) 0."""
    return floor * (1 + NEAR_OPTIMUM) if floor > 1e-6 * start else floor + 1e-6 * start


@dataclass(frozen=True)
class Trained:
    """What training found, without the rows: the scaler, the shared start, the optimum and
    every run. Comparison.of() puts it back together with the rows."""

    scaler: Scaler
    start: np.ndarray  # (k,) the shared starting parameters [w..., b]
    ols: LeastSquares  # in the trained space
    runs: list[History]
    seconds: float  # wall time of the comparison, statistics included
    curvature: Curvature | None = None  # the training MSE's, once known


@dataclass
class Comparison:
    """Every optimizer's history on one problem, with the data, the scaler and the optimum."""

    config: RunConfig
    dataset: Dataset
    scaler: Scaler
    start: np.ndarray  # (k,) the shared starting parameters [w..., b]
    ols: LeastSquares  # in the trained space
    runs: list[History]
    seconds: float  # wall time of the comparison, statistics included
    _metrics: dict[tuple[int, str], dict[str, float] | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _curvature: Curvature | None = field(default=None, repr=False, compare=False)
    _zscored: Curvature | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def of(cls, dataset: Dataset, config: RunConfig, trained: Trained) -> Comparison:
        """The comparison that trained is the result of, on dataset with config."""
        return cls(
            config,
            dataset,
            trained.scaler,
            trained.start,
            trained.ols,
            trained.runs,
            trained.seconds,
            trained.curvature,
        )

    def trained(self) -> Trained:
        """Everything but the rows."""
        return Trained(self.scaler, self.start, self.ols, self.runs, self.seconds, self._curvature)

    @property
    def curvature(self) -> Curvature:
        """The training MSE's Hessian in the trained space (curvature.py): from the fast path's
        statistics when it trained, else from one pass over the (small or batched) rows."""
        if self._curvature is None:
            rows = self.problem
            stats = statistics(rows.X_train, rows.y_train, self.config.bias, self.ols)
            self._curvature = curvature_of(stats)
        return self._curvature

    @property
    def zscored_curvature(self) -> Curvature:
        """The curvature z-scoring the features gives (this one when they are z-scored); a
        DataError when a feature is constant."""
        if self.config.normalize:
            return self.curvature
        if self._zscored is None:
            self._zscored = curvature_under(self.dataset, self.config, normalize=True)
        return self._zscored

    @property
    def problem(self) -> Problem:
        """The rows as trained (z-scored if asked), built anew on each call: keeping them would
        hold every chosen row twice."""
        return trained_rows(self.dataset, self.config, self.scaler)

    # -- predictions and metrics, in the target's own units ------------------------------
    def predict(self, X: np.ndarray, history: History | None = None) -> np.ndarray:
        """(n, d) rows in original units -> (n,) predictions (the optimum when no history)."""
        Z = self.scaler.transform(X) if self.config.normalize else np.asarray(X, dtype=np.float64)
        w, b = self._parameters(history)
        with np.errstate(over="ignore", invalid="ignore"):
            out = Z @ w + (0.0 if b is None else b)
        return self.scaler.inverse_target(out)

    def metrics(self, history: History | None, split: str) -> dict[str, float] | None:
        """MSE, RMSE, MAE, R^2 on the training or held-out rows, in the target's own units."""
        slot = -1 if history is None else next(i for i, h in enumerate(self.runs) if h is history)
        key = (slot, split)
        if key not in self._metrics:  # each needs a pass over the rows: do it once
            self._metrics[key] = self._row_metrics(history, split)
        return self._metrics[key]

    def _row_metrics(self, history: History | None, split: str) -> dict[str, float] | None:
        ds = self.dataset
        X, y = (ds.X_train, ds.y_train) if split == "train" else (ds.X_test, ds.y_test)
        if len(y) == 0:
            return None
        return metrics(y, self.predict(X, history))

    def _parameters(self, history: History | None) -> tuple[np.ndarray, float | None]:
        if history is None:
            return self.ols.weights, self.ols.bias
        return history.final_weights, history.final_bias

    def original(self, history: History | None) -> tuple[np.ndarray, float | None]:
        """Weights and bias in the data's own units."""
        return self.scaler.to_original(*self._parameters(history))

    def ols_mse(self) -> float:
        """The optimum's training MSE in the target's own units."""
        return self.metrics(None, "train")["mse"]  # type: ignore[index]

    # -- summaries and tidy frames for charts ----------------------------------------------
    def epochs_to_optimum(self, history: History) -> int | None:
        """The epoch from which the loss stays within 1% of the optimum's (None if it never does).

        "Stays": an optimizer that dips near the optimum and bounces away has not got there.
        When the optimum's loss is 0 (an exact fit, as in the seeds' tables), 1% of it would
        ask for float32 zero, so the bar is then 1e-6 of the starting loss.
        """
        loss = history.train_loss
        if len(loss) == 0:
            return None
        bar = near_optimum(self.ols.mse, float(loss[0]))
        above = np.flatnonzero(~(loss <= bar))  # NaN counts as above
        if len(above) == 0:
            return 1
        last = int(above[-1]) + 1  # 1-based epoch of the last loss above the bar
        return last + 1 if last < len(loss) else None

    def distance_to_optimum(self, history: History) -> float:
        theta = np.append(history.final_weights, history.final_bias or 0.0)
        best = np.append(self.ols.weights, self.ols.bias or 0.0)
        return float(np.linalg.norm(theta - best))

    def param_names(self) -> list[str]:
        """W or W1, W2, ...; then b with a bias."""
        return param_names(len(self.dataset.features), self.config.bias)

    def landscape(
        self,
        shown: tuple[int, ...] | None = None,
        *,
        width: int = 400,
        height: int = 340,
        equal: bool | None = None,
    ) -> View:
        """The training loss over one or two parameters (positions in [w..., b]; by default
        W and b, or W1 and W2, or W alone), the others at the optimum, with every run's path.

        The frame holds the start, the optimum and every path that did not diverge: a
        diverged path reaches 1e10 and beyond, and would shrink the others to a dot.
        """
        names = self.param_names()
        if shown is None:
            shown = (0, len(names) - 1) if len(names) > 1 else (0,)
        if any(not 0 <= k < len(names) for k in shown):
            raise ConfigError("error.compare.params", shown=shown, names=names)
        runs = {h.label: _params(h) for h in self.runs}
        framed = [h.label for h in self.runs if not h.diverged]
        bias = [] if self.ols.bias is None else [self.ols.bias]
        best = np.append(self.ols.weights, bias)  # (k,) [w..., b]
        # G = H / 2 from the curvature, which the fast path already has: no pass over the rows
        stats = Statistics(G=self.curvature.hessian / 2, optimum=best, floor=self.ols.mse)
        return landscape.view(
            stats, names, shown, runs, framed, width=width, height=height, equal=equal
        )


def _params(h: History) -> np.ndarray:
    """(epochs + 1, k) a run's parameters [w..., b] from the start on."""
    return h.weights if h.bias is None else np.column_stack([h.weights, h.bias])


def fit_scaler(ds: Dataset, cfg: RunConfig) -> Scaler:
    """The z-score of the training rows' features and target, each only if cfg asks for it."""
    if not cfg.normalize and not cfg.normalize_target:
        return identity(len(ds.features))
    scaler = Scaler.fit(
        ds.X_train,
        ds.y_train,
        features=ds.features,
        target=ds.target,
        scale_target=cfg.normalize_target,
    )
    if not cfg.normalize:
        return Scaler(
            np.zeros(len(ds.features)),
            np.ones(len(ds.features)),
            scaler.target_mean,
            scaler.target_std,
        )
    return scaler


def raw_and_zscored(ds: Dataset, cfg: RunConfig) -> tuple[Curvature, Curvature]:
    """The curvature of ds's training MSE on raw and on z-scored features (cfg's bias for
    both): z-score's lesson in two numbers."""
    return curvature_under(ds, cfg, normalize=False), curvature_under(ds, cfg, normalize=True)


def curvature_under(ds: Dataset, cfg: RunConfig, *, normalize: bool) -> Curvature:
    """The curvature of ds's training MSE with its features z-scored or not (the target's
    scaling does not change it); one pass over the training rows, a DataError for a constant
    feature when z-scoring."""
    if not normalize:
        return from_gram(gram(ds.X_train, cfg.bias))
    scaler = fit_scaler(ds, replace(cfg, normalize=True, normalize_target=False))
    return from_gram(gram(scaler.transform(ds.X_train), cfg.bias))


def trained_rows(ds: Dataset, cfg: RunConfig, scaler: Scaler) -> Problem:
    """Every part of ds in the space the model trains in (the Dataset's own arrays when nothing
    is scaled, never a second copy of them)."""
    if not cfg.normalize and not cfg.normalize_target:
        return Problem(ds.X_train, ds.y_train, ds.X_test, ds.y_test, bias=cfg.bias)
    return Problem(
        X_train=scaler.transform(ds.X_train),
        y_train=scaler.transform_target(ds.y_train),
        X_test=scaler.transform(ds.X_test),
        y_test=scaler.transform_target(ds.y_test),
        bias=cfg.bias,
    )


def scaled_problem(ds: Dataset, cfg: RunConfig) -> tuple[Problem, Scaler]:
    """Fit the z-score on the training rows (if asked) and apply it to every part."""
    scaler = fit_scaler(ds, cfg)
    return trained_rows(ds, cfg, scaler), scaler


def check_history(n_params: int, cfg: RunConfig) -> None:
    """A ConfigError, before any training, when the runs' histories would not fit MAX_HISTORY."""
    runs = len(cfg.optimizers)
    kept = cfg.epochs * n_params * runs
    if kept <= MAX_HISTORY:
        return
    fits = MAX_HISTORY // (n_params * runs)
    raise ConfigError(
        "error.compare.history_many" if runs > 1 else "error.compare.history_one",
        epochs=cfg.epochs,
        params=n_params,
        runs=runs,
        millions=kept / 1e6,
        mb=16 * kept / 2**20,
        limit=MAX_HISTORY / 1e6,
        fits=fits,
    )


def compare(
    ds: Dataset,
    cfg: RunConfig,
    *,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> Comparison:
    """Train every optimizer of cfg on ds from one start; progress gets (done, total) epochs."""
    check_history(len(ds.features) + int(cfg.bias), cfg)
    t0 = time.perf_counter()
    problem, scaler = scaled_problem(ds, cfg)
    ols = least_squares(problem.X_train, problem.y_train, bias=cfg.bias)
    start = init_params(problem.n_features, bias=cfg.bias, init=cfg.init, seed=cfg.seed)  # (k,)
    stats = None
    if choose_path(len(problem.y_train), cfg.batch_size, cfg.path) == "fast":
        stats = FullBatch.of(problem, ols)  # one pass over the rows, reusing the optimum
    runs = train_all(
        problem,
        list(cfg.optimizers),
        start,
        epochs=cfg.epochs,
        batch_size=cfg.batch_size,
        seed=cfg.seed,
        path=cfg.path,
        stats=stats,
        labels=_labels(cfg),
        progress=progress,
        should_stop=should_stop,
    )
    return Comparison(
        config=cfg,
        dataset=ds,
        scaler=scaler,
        start=start.numpy().astype(np.float64),
        ols=ols,
        runs=runs,
        seconds=time.perf_counter() - t0,
        _curvature=None if stats is None else curvature_of(stats.train),
    )


def _labels(cfg: RunConfig) -> list[str]:
    """Names for the runs: the optimizer's name, with its lr where a name repeats."""
    names = [o.name for o in cfg.optimizers]
    labels = [o.name if names.count(o.name) == 1 else o.label for o in cfg.optimizers]
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    return out


def run(
    df: pd.DataFrame,
    cfg: RunConfig,
    test_df: pd.DataFrame | None = None,
    *,
    progress: Progress | None = None,
    should_stop: StopCheck | None = None,
) -> Comparison:
    """Table + settings -> comparison: pick columns, split, scale, train every optimizer."""
    ds = prepare(df, cfg, test_df)
    return compare(ds, cfg, progress=progress, should_stop=should_stop)
