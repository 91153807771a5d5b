"""LinReg Lab's engine: read a table, z-score it on the training rows, train y = Wx + b with
several optimizers from the same start, and compare them with the closed-form least squares.

Pure Python + torch + pandas; never imports streamlit or altair. The command line is
`python -m linreg_core`.
"""

from linreg_core.compare import Comparison, compare, run
from linreg_core.config import OptimizerConfig, RunConfig
from linreg_core.data import Dataset, prepare, read_table
from linreg_core.errors import ConfigError, DataError, DataWarning, LinRegError
from linreg_core.optimizers import OPTIMIZERS
from linreg_core.reference import LeastSquares, least_squares, metrics
from linreg_core.scaling import Scaler
from linreg_core.train import History, train

__all__ = [
    "OPTIMIZERS",
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
    "compare",
    "least_squares",
    "metrics",
    "prepare",
    "read_table",
    "run",
    "train",
]
