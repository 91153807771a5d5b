"""Z-score fitted on the training rows only, applied unchanged to held-out rows and new inputs.

mean and population std (ddof=0, as scikit-learn's StandardScaler). Weights learned on z-scored
inputs map back to the data's own units:
    W_orig = W * sy / sx,   b_orig = my + sy * (b - sum(W * mx / sx))
with (mx, sx) the features' and (my, sy) the target's statistics (my = 0, sy = 1 when the target
is not scaled).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from linreg_core.errors import DataError, Said

# a column whose std is this small relative to its size is constant up to rounding
_CONSTANT_RTOL = 1e-10


def _std(values: np.ndarray, mean: np.ndarray) -> np.ndarray:
    return np.sqrt(np.mean((values - mean) ** 2, axis=0))


def _check_spread(name: str, mean: float, std: float, *, target: bool = False) -> None:
    if not np.isfinite(std) or std <= _CONSTANT_RTOL * max(1.0, abs(mean)):
        fix = Said("error.scaling.fix_target" if target else "error.scaling.fix_feature")
        raise DataError("error.scaling.constant", column=name, mean=mean, fix=fix)


@dataclass(frozen=True)
class Scaler:
    """Training-row statistics; identity where a part is not scaled."""

    mean: np.ndarray  # (n_features,)
    std: np.ndarray  # (n_features,)
    target_mean: float | None = None  # None: the target is not scaled
    target_std: float | None = None

    @classmethod
    def fit(
        cls,
        X: np.ndarray,
        y: np.ndarray | None = None,
        *,
        features: tuple[str, ...] | None = None,
        target: str = "target",
        scale_target: bool = False,
    ) -> Scaler:
        """Fit on training rows X (m, d) and, with scale_target, y (m,)."""
        X = np.asarray(X, dtype=np.float64)
        mean = X.mean(axis=0)
        std = _std(X, mean)
        names = features or tuple(f"x{i + 1}" for i in range(X.shape[1]))
        for name, mu, sd in zip(names, mean, std, strict=True):
            _check_spread(name, float(mu), float(sd))
        if not scale_target:
            return cls(mean=mean, std=std)
        if y is None:
            raise ValueError("scale_target needs y")
        y = np.asarray(y, dtype=np.float64)
        my = float(y.mean())
        sy = float(np.sqrt(np.mean((y - my) ** 2)))
        _check_spread(target, my, sy, target=True)
        return cls(mean=mean, std=std, target_mean=my, target_std=sy)

    @property
    def shifts(self) -> bool:
        """Whether undoing this scaler moves the intercept (any nonzero mean)."""
        return bool(np.any(self.mean != 0)) or bool(self.target_mean)

    def transform(self, X: np.ndarray) -> np.ndarray:
        """(m, d) original units -> z-scores with the training statistics."""
        return (np.asarray(X, dtype=np.float64) - self.mean) / self.std

    def inverse(self, Z: np.ndarray) -> np.ndarray:
        """(m, d) z-scores -> original units."""
        return np.asarray(Z, dtype=np.float64) * self.std + self.mean

    def transform_target(self, y: np.ndarray) -> np.ndarray:
        if self.target_mean is None or self.target_std is None:
            return np.asarray(y, dtype=np.float64)
        return (np.asarray(y, dtype=np.float64) - self.target_mean) / self.target_std

    def inverse_target(self, y: np.ndarray) -> np.ndarray:
        if self.target_mean is None or self.target_std is None:
            return np.asarray(y, dtype=np.float64)
        return np.asarray(y, dtype=np.float64) * self.target_std + self.target_mean

    def to_original(
        self, weights: np.ndarray, bias: float | None
    ) -> tuple[np.ndarray, float | None]:
        """Weights (d,) and bias learned in scaled space -> the data's own units.

        The original bias is None only when there is no bias and nothing was shifted.
        """
        w = np.asarray(weights, dtype=np.float64)
        sy = 1.0 if self.target_std is None else self.target_std
        my = 0.0 if self.target_mean is None else self.target_mean
        w_orig = w * sy / self.std
        if bias is None and not self.shifts:
            return w_orig, None
        b = 0.0 if bias is None else float(bias)
        b_orig = my + sy * (b - float(np.sum(w * self.mean / self.std)))
        return w_orig, b_orig

    def as_dict(self) -> dict[str, object]:
        return {
            "mean": [float(v) for v in self.mean],
            "std": [float(v) for v in self.std],
            "target_mean": self.target_mean,
            "target_std": self.target_std,
        }


def identity(n_features: int) -> Scaler:
    """A scaler that changes nothing (normalisation off)."""
    return Scaler(mean=np.zeros(n_features), std=np.ones(n_features))
