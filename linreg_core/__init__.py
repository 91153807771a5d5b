"""LinReg Lab's engine: read a table, z-score it on the training rows, train y = Wx + b with
several optimizers from the same start, and compare them with the closed-form least squares.

Pure Python + torch + pandas; never imports streamlit or altair. The command line is
`python -m linreg_core`. Names are imported on first use, so `from linreg_core import RunConfig`
(settings, the registry, errors) does not import torch; anything that trains does. The
functions named like their modules stay there: linreg_core.compare.compare and
linreg_core.train.train.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> the module that defines it
_EXPORTS = {
    "Comparison": "compare",
    "run": "compare",
    "INITS": "config",
    "MAX_EPOCHS": "config",
    "MAX_TEST_SIZE": "config",
    "OptimizerConfig": "config",
    "RunConfig": "config",
    "Dataset": "data",
    "MAX_FEATURES": "data",
    "column_values": "data",
    "numeric_columns": "data",
    "prepare": "data",
    "read_table": "data",
    "ConfigError": "errors",
    "DataError": "errors",
    "DataWarning": "errors",
    "LinRegError": "errors",
    "param_names": "model",
    "LeastSquares": "reference",
    "OPTIMUM_LABEL": "reference",
    "least_squares": "reference",
    "metrics": "reference",
    "HYPERPARAMETERS": "registry",
    "OPTIMIZERS": "registry",
    "TUTORIAL_LR": "registry",
    "Scaler": "scaling",
    "History": "train",
}
__all__ = [
    "HYPERPARAMETERS",
    "INITS",
    "MAX_EPOCHS",
    "MAX_FEATURES",
    "MAX_TEST_SIZE",
    "OPTIMIZERS",
    "OPTIMUM_LABEL",
    "TUTORIAL_LR",
    "Comparison",
    "ConfigError",
    "DataError",
    "DataWarning",
    "Dataset",
    "History",
    "LeastSquares",
    "LinRegError",
    "OptimizerConfig",
    "RunConfig",
    "Scaler",
    "column_values",
    "least_squares",
    "metrics",
    "numeric_columns",
    "param_names",
    "prepare",
    "read_table",
    "run",
]

if TYPE_CHECKING:
    from linreg_core.compare import Comparison, run
    from linreg_core.config import INITS, MAX_EPOCHS, MAX_TEST_SIZE, OptimizerConfig, RunConfig
    from linreg_core.data import (
        MAX_FEATURES,
        Dataset,
        column_values,
        numeric_columns,
        prepare,
        read_table,
    )
    from linreg_core.errors import ConfigError, DataError, DataWarning, LinRegError
    from linreg_core.model import param_names
    from linreg_core.reference import OPTIMUM_LABEL, LeastSquares, least_squares, metrics
    from linreg_core.registry import HYPERPARAMETERS, OPTIMIZERS, TUTORIAL_LR
    from linreg_core.scaling import Scaler
    from linreg_core.train import History


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'linreg_core' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"linreg_core.{_EXPORTS[name]}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value
