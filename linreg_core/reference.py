"""The closed-form least-squares reference in float64, and the metrics (MSE, RMSE, MAE, R^2).

Solved with numpy's lstsq (SVD), never the normal equations in float32, so it survives
ill-conditioned data (features of very different scales, near-collinear columns).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

OPTIMUM_LABEL = "least squares"  # how the closed-form optimum is named beside the runs


@dataclass(frozen=True)
class LeastSquares:
    """The optimum of the MSE over the training rows, in the space the model is trained in."""

    weights: np.ndarray  # (n_features,)
    bias: float | None  # None without a bias
    mse: float  # training MSE at the optimum, in the trained space


def design(X: np.ndarray, bias: bool) -> np.ndarray:
    """(m, d) -> (m, d + 1) with a trailing column of ones when there is a bias."""
    X = np.asarray(X, dtype=np.float64)
    return np.hstack([X, np.ones((len(X), 1))]) if bias else X


def least_squares(X: np.ndarray, y: np.ndarray, *, bias: bool = True) -> LeastSquares:
    """Minimise mean((X w + b - y)^2) exactly (minimum-norm solution if it is not unique).

    Args:
        X: (m, d) inputs. y: (m,) targets. bias: fit an intercept.
    """
    A = design(X, bias)  # (m, d + bias)
    y = np.asarray(y, dtype=np.float64)
    if bias:
        # centring first keeps the intercept accurate when features sit far from zero
        mx, my = A[:, :-1].mean(axis=0), y.mean()
        w, *_ = np.linalg.lstsq(A[:, :-1] - mx, y - my, rcond=None)
        theta = np.append(w, my - mx @ w)
    else:
        theta, *_ = np.linalg.lstsq(A, y, rcond=None)
    residual = A @ theta - y
    mse = float(np.mean(residual**2))
    return LeastSquares(
        weights=theta[: X.shape[1]], bias=float(theta[-1]) if bias else None, mse=mse
    )


def metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """MSE, RMSE, MAE and R^2 (NaN when y_true is constant); non-finite predictions give NaN."""
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if len(y_true) == 0:
        raise ValueError("metrics need at least one row")
    with np.errstate(over="ignore", invalid="ignore"):
        err = y_pred - y_true
        mse = float(np.mean(err**2))
        mae = float(np.mean(np.abs(err)))
        total = float(np.sum((y_true - y_true.mean()) ** 2))
        r2 = 1.0 - float(np.sum(err**2)) / total if total > 0 else float("nan")
    if not np.isfinite(mse):
        return {"mse": float("nan"), "rmse": float("nan"), "mae": float("nan"), "r2": float("nan")}
    return {"mse": mse, "rmse": float(np.sqrt(mse)), "mae": mae, "r2": r2}
