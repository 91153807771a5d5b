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
AUTO_TRAIN = "auto_train"  # bool: a preset asked the Train page to train on arrival
PUBLISHED = "published"  # dict | None: a seed preset's printed numbers (ui.presets.Published)
UPLOAD_SEEN = "upload_seen"  # str | None: file_id of the last upload read (read each file once)
TEST_UPLOAD_SEEN = "test_upload_seen"  # str | None: the same for the separate test table

# Widget keys of the Start, Data and Normalise pages (page-local). Where a widget edits a plain
# key above, a callback copies its value there and the page writes the stored value back before
# drawing it, so a revisited page shows the stored choice.
W_UPLOAD = "w_data_upload"  # Data: st.file_uploader of the training table
W_SAMPLE = "w_data_sample"  # Data: selectbox of sample_data/*.csv
W_LOAD_SAMPLE = "w_data_load_sample"  # Data: button
W_TYPED = "w_data_typed"  # Data: st.data_editor of the typed table
W_USE_TYPED = "w_data_use_typed"  # Data: button
W_TARGET = "w_data_target"  # Data: selectbox -> TARGET
W_FEATURES = "w_data_features"  # Data: multiselect -> FEATURES
W_TEST_FILE = "w_data_test_file"  # Data: toggle, held-out rows from a separate file
W_TEST_SIZE = "w_data_test_size"  # Data: slider -> TEST_SIZE
W_SPLIT_SEED = "w_data_split_seed"  # Data: number_input -> SPLIT_SEED
W_TEST_UPLOAD = "w_data_test_upload"  # Data: st.file_uploader of the test table
W_NORMALIZE = "w_norm_features"  # Normalise: toggle -> NORMALIZE
W_NORMALIZE_TARGET = "w_norm_target"  # Normalise: toggle -> NORMALIZE_TARGET
W_PRESET_PREFIX = "w_start_preset_"  # Start: one button per preset, + Preset.key
# Train and Predict: widgets read on the run they change; results go to TRAINING / COMPARISON.
# Keys with {fields} are templates: str.format them (k = 0, 1, ... for an optimizer used twice).
W_TRAIN_FORM = "w_train_form"  # Train: st.form; its button's key is FormSubmitter:<form>-Train
W_TRAIN_USE = "w_train_use_{name}_{k}"  # Train: checkbox, train this optimizer
W_TRAIN_PARAM = "w_train_{param}_{name}_{k}"  # Train: number_input, lr/momentum/alpha/beta1/...
W_TRAIN_EPOCHS = "w_train_epochs"  # Train: number_input
W_TRAIN_BATCH = "w_train_batch"  # Train: number_input, 0 = full batch
W_TRAIN_INIT = "w_train_init"  # Train: radio zeros/random
W_TRAIN_BIAS = "w_train_bias"  # Train: checkbox
W_TRAIN_FIT_FEATURE = "w_train_fit_feature"  # Train: selectbox, feature on the fit chart's x
W_TRAIN_LOG_RUN = "w_train_log_run"  # Train: selectbox, whose epoch log is shown
W_PREDICT_X = "w_predict_x_{feature}"  # Predict: number_input per feature, a typed-in row
W_PREDICT_UPLOAD = "w_predict_upload"  # Predict: st.file_uploader of a new table
W_PREDICT_MODEL = "w_predict_model"  # Predict: selectbox, the model to download as JSON
W_PREDICT_CSV = "w_predict_csv"  # Predict: download_button, predictions as CSV
W_PREDICT_JSON = "w_predict_json"  # Predict: download_button, the model as JSON

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
    AUTO_TRAIN: False,
    PUBLISHED: None,
    UPLOAD_SEEN: None,
    TEST_UPLOAD_SEEN: None,
}


def init_state() -> None:
    """Set every key that is missing to its default (called once per script run)."""
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = copy.deepcopy(value)
