"""Every st.session_state key the app uses, named once, and their initial values.

Results shared across pages live in these plain keys, never in widget keys (Streamlit drops a
page's widget state when the learner moves to another page).
"""

from __future__ import annotations

import copy
from typing import Any

import streamlit as st

DATA = "data"  # pd.DataFrame | None: the last good training table
DATA_NAME = "data_name"  # str: file name, sample name or "typed table"
TEST_DATA = "test_data"  # pd.DataFrame | None: a separate held-out table, if uploaded
TEST_DATA_NAME = "test_data_name"  # str | None
TARGET = "target"  # str | None: the column to predict
FEATURES = "features"  # list[str]: the chosen feature columns
TEST_SIZE = "test_size"  # float: fraction held out (ignored when TEST_DATA is set)
SPLIT_SEED = "split_seed"  # int: seed of the split, the mini-batches and a random start
NORMALIZE = "normalize"  # bool: z-score the features on the training rows
NORMALIZE_TARGET = "normalize_target"  # bool: z-score the target too
TRAINING = "training"  # dict: optimizers (list of dicts), epochs, batch_size, init, bias
COMPARISON = "comparison"  # linreg_core.Comparison | None: the last finished comparison
PRESET = "preset"  # str | None: the preset that loaded the current data and settings
NOTICE = "notice"  # str | None: a one-time message to show on the next page run

DEFAULT_TRAINING: dict[str, Any] = {
    "optimizers": [
        {"name": "sgd", "lr": 0.1},
        {"name": "momentum", "lr": 0.1},
        {"name": "rmsprop", "lr": 0.1},
        {"name": "adam", "lr": 0.1},
    ],
    "epochs": 1000,
    "batch_size": None,  # full batch
    "init": "zeros",
    "bias": True,
}

DEFAULTS: dict[str, Any] = {
    DATA: None,
    DATA_NAME: None,
    TEST_DATA: None,
    TEST_DATA_NAME: None,
    TARGET: None,
    FEATURES: [],
    TEST_SIZE: 0.2,
    SPLIT_SEED: 0,
    NORMALIZE: True,
    NORMALIZE_TARGET: False,
    TRAINING: DEFAULT_TRAINING,
    COMPARISON: None,
    PRESET: None,
    NOTICE: None,
}


def init_state() -> None:
    """Set every key that is missing to its default (called once per script run)."""
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = copy.deepcopy(value)
