"""The curvature of the training MSE: its Hessian, eigenvalues and condition number, and the
largest learning rate each optimizer stays stable at on it.

For MSE over the training rows, L(t) = (t - t*)^T G (t - t*) + L* with G = A^T A / m (A = [X, 1],
no ones column without a bias), so the Hessian is H = 2 G in the space the model is trained in
(after any z-score). It comes from the statistics the fast path already keeps (train.Statistics),
never from another pass over the rows. Full-batch gradient descent on a quadratic is stable while
lr * lambda_max < 2 (heavy-ball momentum: 2 + 2 mu); the formulas live with the optimizers in
registry.py. numpy only: importing this module does not import torch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from linreg_core.errors import Said
from linreg_core.registry import OPTIMIZERS

if TYPE_CHECKING:
    from linreg_core.train import Statistics


@dataclass(frozen=True)
class Curvature:
    """The Hessian of the training MSE in the trained space, and what follows from it.

    condition_number is lambda_max / lambda_min, or None when the Hessian is singular as far as
    float64 can tell: with each parameter's scale divided out (H = D S D, D = sqrt(diag H)),
    lambda_min(S) <= lambda_max(S) * k * machine epsilon (numpy's matrix_rank rule). That is an
    all-zero column, a constant column beside the bias, or columns that are (nearly) copies of
    each other; columns of very different sizes alone are not singular, only ill-conditioned.
    """

    hessian: np.ndarray  # (k, k) 2 A^T A / m, k = features + bias
    eigenvalues: np.ndarray  # (k,) ascending
    eigenvectors: np.ndarray  # (k, k) column i belongs to eigenvalues[i]
    condition_number: float | None  # None: singular (see above)

    @property
    def lmax(self) -> float:
        """The largest eigenvalue: the steepest direction's curvature."""
        return float(self.eigenvalues[-1])

    def lr_limit(self, name: str, hyperparameters: Mapping[str, object]) -> float | None:
        """The largest stable full-batch learning rate of optimizer `name`, or None where no
        closed form exists (the adaptive ones: see why_no_limit) or nothing curves.

        Weight decay adds weight_decay to every eigenvalue (torch adds wd * w to the gradient).
        """
        rule = OPTIMIZERS[name].lr_limit
        steepest = self.lmax + float(hyperparameters.get("weight_decay") or 0.0)  # type: ignore[arg-type]
        if rule is None or not steepest > 0:
            return None
        return rule(steepest, hyperparameters)

    def why_no_limit(self, name: str) -> Said | None:
        """Why optimizer `name` has no stable limit, in words (None when it has one)."""
        return OPTIMIZERS[name].no_limit

    def as_dict(self) -> dict[str, object]:
        """The command line's JSON: {"hessian_eigenvalues": ascending, "condition_number"}."""
        return {
            "hessian_eigenvalues": [_finite(v) for v in self.eigenvalues],
            "condition_number": _finite(self.condition_number),
        }


def _finite(value: float | None) -> float | None:
    """Strict JSON: a finite float, else None (as report.dumps writes)."""
    return float(value) if value is not None and math.isfinite(value) else None


def curvature_of(stats: Statistics) -> Curvature:
    """The curvature of the MSE whose statistics are stats (H = 2 G)."""
    return from_gram(stats.G)


def from_gram(G: np.ndarray) -> Curvature:
    """The curvature of an MSE with G = A^T A / m (H = 2 G)."""
    H = 2.0 * np.asarray(G, dtype=np.float64)  # (k, k)
    H = (H + H.T) / 2  # symmetric to the last bit, as eigh assumes
    values, vectors = np.linalg.eigh(H)  # ascending
    cond = None
    small = _small_eigen(H)
    if small is not None:
        # the flat directions from the inverse: eigh alone resolves eigenvalues only down to
        # about 1e-16 of the largest, and raw columns (a year beside the ones column) go lower
        small_values, small_vectors = small
        use = values < np.sqrt(small_values[0] * values[-1])  # the flat half
        values = np.where(use, small_values, values)
        vectors = np.where(use, small_vectors, vectors)
        cond = float(values[-1] / values[0])
    return Curvature(hessian=H, eigenvalues=values, eigenvectors=vectors, condition_number=cond)


def _small_eigen(H: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """H's eigenvalues (ascending) and eigenvectors through its inverse, accurate for the small
    ones; None when H is singular as far as float64 can tell.

    H = D S D with D its diagonal's roots: S is as well conditioned as the columns are
    independent, whatever their scales, so S's inverse is accurate, and the largest
    eigenvalues of H^-1 = D^-1 S^-1 D^-1 (H's smallest, inverted) are resolved by eigh.
    """
    d = np.sqrt(np.diag(H))  # (k,)
    if not np.all(d > 0) or not np.all(np.isfinite(H)):
        return None
    S = H / np.outer(d, d)  # (k, k) unit diagonal
    s_values = np.linalg.eigvalsh(S)
    if not s_values[0] > len(d) * np.finfo(np.float64).eps * s_values[-1]:
        return None
    inverse = np.linalg.inv(S) / np.outer(d, d)  # (k, k) H^-1
    inv_values, inv_vectors = np.linalg.eigh((inverse + inverse.T) / 2)
    return 1.0 / inv_values[::-1], inv_vectors[:, ::-1]
