"""The loss landscape: MSE on a grid over (W, b) for a one-feature model with a bias.

Computed from the sufficient statistics, L = L* + (t - t*)^T G (t - t*), so a 200 x 200 grid
costs 40,000 small quadratic forms and no pass over the rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from linreg_core.train import Statistics


def bounds(points: np.ndarray, *, margin: float = 0.15) -> tuple[float, float, float, float]:
    """(w_lo, w_hi, b_lo, b_hi) containing every finite (w, b) row of points, plus a margin."""
    pts = points[np.isfinite(points).all(axis=1)]
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    span = np.maximum(hi - lo, 1e-3 * np.maximum(1.0, np.abs(hi)))
    lo, hi = lo - margin * span, hi + margin * span
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def grid(
    stats: Statistics, box: tuple[float, float, float, float], *, size: int = 200
) -> pd.DataFrame:
    """Columns W, b, loss on a size x size grid over box = (w_lo, w_hi, b_lo, b_hi)."""
    if stats.G.shape != (2, 2):
        raise ValueError("the landscape is drawn for one feature with a bias")
    w = np.linspace(box[0], box[1], size)
    b = np.linspace(box[2], box[3], size)
    W, B = np.meshgrid(w, b)  # (size, size)
    dw, db = W - stats.optimum[0], B - stats.optimum[1]
    G = stats.G
    loss = stats.floor + G[0, 0] * dw**2 + 2 * G[0, 1] * dw * db + G[1, 1] * db**2
    return pd.DataFrame({"W": W.ravel(), "b": B.ravel(), "loss": loss.ravel()})
