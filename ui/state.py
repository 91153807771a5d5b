"""Every st.session_state key the app uses, named once, their initial values, and every write of
shared state.

A session keeps one frozen settings object, SETTINGS (a linreg_core RunConfig), which the pages
change through update(): the Data page its columns and split, Normalise its scaling, Train its
optimizers. Results shared across pages live in plain keys, never in widget keys (Streamlit drops
a page's widget state when the learner moves to another page).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from linreg_core import MAX_FEATURES, OptimizerConfig, RunConfig, numeric_columns
from linreg_core.data import TYPED_TABLE
from linreg_core.errors import Said
from linreg_core.rows import SMALL_TABLE

if TYPE_CHECKING:
    from ui.presets import Preset

DATA = "data"  # pd.DataFrame | None: the last good training table
DATA_NAME = "data_name"  # str | None: file name, sample name or TYPED_NAME
SOURCE = "source"  # Source | None: where the training table came from (for links)
TEST_DATA = "test_data"  # pd.DataFrame | None: a separate held-out table, if uploaded
TEST_DATA_NAME = "test_data_name"  # str | None
SETTINGS = "settings"  # RunConfig: columns, split, scaling and training, all in one
COMPARISON = "comparison"  # linreg_core.Comparison | None: the last finished comparison
PRESET = "preset"  # str | None: the preset that loaded the current data and settings
NOTICE = "notice"  # str (markdown) | Said (its text parameters shown literally) | None: a
# one-time message for the next page run (ui.messages.show_notice)
AUTO_TRAIN = "auto_train"  # bool: a preset asked the Train page to train on arrival
PUBLISHED = "published"  # ui.presets.Published | None: a tutorial's printed numbers
UPLOAD_SEEN = "upload_seen"  # str | None: file_id of the last upload read (read each file once)
TEST_UPLOAD_SEEN = "test_upload_seen"  # str | None: the same for the separate test table
HANDOVER = "handover"  # ui.run.Handover: a training lock and what a stopped run did
LINK_READ = "link_read"  # bool: this session has read its link's parameters (ui.links)
PENDING_LINK = "pending_link"  # RunConfig | None: a link's settings waiting for its upload
EXPERIMENT_SEEN = "experiment_seen"  # str | None: file_id of the last experiment file opened
HISTORY = "history"  # tuple[ui.history.Entry, ...]: the session's last trainings, oldest first
CURRENT_ENTRY = "current_entry"  # int | None: id() of the comparison recorded last
CURRENT_NUMBER = "current_number"  # int | None: its entry's number
CURVATURE = "curvature"  # ui.lesson: (what it was computed for, (raw, z-scored)) | None
ADVICE = "advice"  # ui.lesson: (the comparison, one advice or None per run) | None
SWEEP = "sweep"  # ui.lesson: (settings, linreg_core.sweep.Sweep) | None, the last sweep
# (file_id, sheet names, sheet read last) | None: the uploaded workbook, when it has several sheets
UPLOAD_SHEETS = "upload_sheets"
COLOR_BY = "color_by"  # str | None: a text column whose values colour the data and fit charts
LANGUAGE = "language"  # "ko" | "en" | None: chosen in the sidebar or by a link (ui.i18n)

# Widget keys (page-local). Where a widget edits the settings, its on_change callback writes
# them with update() and the page shows the stored value when it is revisited.
W_LANGUAGE = "w_language"  # sidebar: segmented control, 한국어 / English -> LANGUAGE
W_UPLOAD = "w_data_upload"  # Data: st.file_uploader of the training table
W_SAMPLE = "w_data_sample"  # Data: selectbox of sample_data/*.csv
W_LOAD_SAMPLE = "w_data_load_sample"  # Data: button
W_TYPED = "w_data_typed"  # Data: st.data_editor of the typed table
W_USE_TYPED = "w_data_use_typed"  # Data: button
W_EXPERIMENT = "w_data_experiment"  # Data: st.file_uploader of an experiment file (JSON)
W_TARGET = "w_data_target"  # Data: selectbox -> settings.target
W_FEATURES = "w_data_features"  # Data: multiselect -> settings.features
W_TEST_FILE = "w_data_test_file"  # Data: toggle, held-out rows from a separate file
W_TEST_SIZE = "w_data_test_size"  # Data: slider -> settings.test_size
W_SPLIT_SEED = "w_data_split_seed"  # Data: number_input -> settings.seed
W_TEST_UPLOAD = "w_data_test_upload"  # Data: st.file_uploader of the test table
W_SHEET = "w_data_sheet_{file_id}"  # Data: selectbox of an uploaded workbook's sheets
W_UNITS = "w_data_units"  # Data: multiselect -> settings.numbers_from_text
W_FILTER_COLUMN = "w_data_filter_column"  # Data: selectbox, the column of a new row filter
W_FILTER_VALUES = "w_data_filter_values"  # Data: multiselect, a text column's values to keep
W_FILTER_LOW = "w_data_filter_low"  # Data: number_input, a number column's lowest value kept
W_FILTER_HIGH = "w_data_filter_high"  # Data: number_input, its highest value kept
W_FILTER_ADD = "w_data_filter_add"  # Data: button, adds the filter to settings.where
W_FILTER_CLEAR = "w_data_filter_clear"  # Data: button, settings.where = ()
W_COLOR_BY = "w_data_color_by"  # Data: selectbox -> COLOR_BY
W_DATA_CHART_X = "w_data_chart_x"  # Data: selectbox, the feature on the data chart's x axis
W_OUTLIERS_DROP = "w_outliers_drop_{page}"  # Data/Normalise: button, drop_outliers = OUTLIER_Z
W_OUTLIERS_KEEP = "w_outliers_keep_{page}"  # Data/Normalise: button, drop_outliers = None
W_HIST_BINS = "w_norm_hist_bins"  # Normalise: slider, bins per histogram
W_HIST_LOG = "w_norm_hist_log"  # Normalise: toggle, log count axis
W_NORMALIZE = "w_norm_features"  # Normalise: toggle -> settings.normalize
W_NORMALIZE_TARGET = "w_norm_target"  # Normalise: toggle -> settings.normalize_target
W_PRESET_PREFIX = "w_start_preset_"  # Start: one button per preset, + Preset.key
# Train and Predict: widgets read on the run they change; results go to SETTINGS / COMPARISON.
# Keys with {fields} are templates: str.format them (k = 0, 1, ... for an optimizer used twice).
W_TRAIN_FORM = "w_train_form"  # Train: st.form
W_TRAIN_SUBMIT = (
    "w_train_submit"  # Train: the form's Train button (its own key, whatever its label)
)
W_TRAIN_STOP = "w_train_stop"  # Train: button shown while training; any click stops it
W_TRAIN_USE = "w_train_use_{name}_{k}"  # Train: checkbox, train this optimizer
W_TRAIN_PARAM = "w_train_{param}_{name}_{k}"  # Train: number_input, lr/momentum/alpha/beta1/...
W_TRAIN_EPOCHS = "w_train_epochs"  # Train: number_input
W_TRAIN_BATCH = "w_train_batch"  # Train: number_input, 0 = full batch
W_TRAIN_INIT = "w_train_init"  # Train: radio zeros/random
W_TRAIN_BIAS = "w_train_bias"  # Train: checkbox
W_TRAIN_FIT_FEATURE = "w_train_fit_feature"  # Train: selectbox, feature on the fit chart's x
W_TRAIN_LOG_RUN = "w_train_log_run"  # Train: selectbox, whose epoch log is shown
W_TRAIN_STEP_RUN = "w_train_step_run"  # Train: selectbox, the run whose step is explained
W_TRAIN_STEP_EPOCH = "w_train_step_epoch_{k}"  # Train: number_input, that run's epoch
W_TRAIN_EXPERIMENT = "w_train_experiment"  # Train: download_button, the experiment file
W_TRAIN_OVERLAY = "w_train_overlay_{number}"  # Train: checkbox, draw an earlier run
W_TRAIN_RUN_NAME = "w_train_run_name_{number}"  # Train: text_input, an earlier run's name
W_TRAIN_REMOVE_RUN = "w_train_remove_run_{number}"  # Train: button, forget an earlier run
W_SWEEP_LOW = "w_sweep_low"  # Train: text_input, the sweep's smallest learning rate
W_SWEEP_HIGH = "w_sweep_high"  # Train: text_input, its largest
W_SWEEP_POINTS = "w_sweep_points"  # Train: slider, learning rates in the grid
W_SWEEP_RUN = "w_sweep_run"  # Train: button, runs the sweep
W_TRAIN_LAND_X = "w_train_land_x"  # Train: selectbox, the landscape's parameter across
W_TRAIN_LAND_Y = "w_train_land_y"  # Train: selectbox, the landscape's parameter up
W_TRAIN_SUMMARY_CSV = "w_train_summary_csv"  # Train: download_button, the summary table
W_TRAIN_HISTORY_CSV = "w_train_history_csv_{i}"  # Train: download_button, run i's every epoch
W_TRAIN_SCRIPT = "w_train_script_{i}"  # Train: download_button, run i as a PyTorch script
W_TRAIN_TYPED_CSV = "w_train_typed_csv"  # Train: download_button, a typed table as CSV
W_PREDICT_X = "w_predict_x_{feature}"  # Predict: number_input per feature, a typed-in row
W_PREDICT_UPLOAD = "w_predict_upload"  # Predict: st.file_uploader of a new table
W_PREDICT_MODEL = "w_predict_model"  # Predict: selectbox, the model to download as JSON
W_PREDICT_CSV = "w_predict_csv"  # Predict: download_button, predictions as CSV
W_PREDICT_JSON = "w_predict_json"  # Predict: download_button, the model as JSON

# The dashboard z-scores the features by default, where lr 0.1 reaches the optimum in about a
# hundred epochs; the command line keeps the tutorials' 0.01 on raw features (TUTORIAL_LR).
DASHBOARD_LR = 0.1
DASHBOARD_OPTIMIZERS = tuple(
    OptimizerConfig(name, lr=DASHBOARD_LR) for name in ("sgd", "momentum", "rmsprop", "adam")
)
DASHBOARD = RunConfig(normalize=True, test_size=0.2, optimizers=DASHBOARD_OPTIMIZERS)

TYPED_NAME = TYPED_TABLE  # the name of a table typed on the Data page
SOURCES = ("preset", "sample", "typed", "upload")  # kinds of Source, in a link's precedence


@dataclass(frozen=True)
class Source:
    """Where the training table came from: a kind of SOURCES and the preset's key, the sample's
    or upload's file name, or a typed table's cells ("" when too many to carry)."""

    kind: str
    value: str

    @property
    def name(self) -> str:
        """As the sidebar names a sample, typed or uploaded table (a preset: by its file's)."""
        return TYPED_NAME if self.kind == "typed" else self.value


DEFAULTS: dict[str, Any] = {
    DATA: None,
    DATA_NAME: None,
    TEST_DATA: None,
    TEST_DATA_NAME: None,
    SETTINGS: DASHBOARD,
    COMPARISON: None,
    PRESET: None,
    NOTICE: None,
    AUTO_TRAIN: False,
    PUBLISHED: None,
    UPLOAD_SEEN: None,
    TEST_UPLOAD_SEEN: None,
    UPLOAD_SHEETS: None,
    SOURCE: None,
    LINK_READ: False,
    PENDING_LINK: None,
    EXPERIMENT_SEEN: None,
    HISTORY: (),
    CURRENT_ENTRY: None,
    CURRENT_NUMBER: None,
    CURVATURE: None,
    ADVICE: None,
    SWEEP: None,
    COLOR_BY: None,
    LANGUAGE: None,
}


def init_state() -> None:
    """Set every key that is missing to its default (called once per script run)."""
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = value  # every default is immutable or None


def settings() -> RunConfig:
    """The session's settings."""
    return st.session_state[SETTINGS]  # type: ignore[no-any-return]


def update(**changes: Any) -> None:
    """New settings with these fields changed (raises ConfigError, keeping the old ones, when a
    value is out of range). The last result no longer matches them, nor a preset's numbers."""
    ss = st.session_state
    ss[SETTINGS] = dataclasses.replace(ss[SETTINGS], **changes)
    forget_results()


def forget_results() -> None:
    """The last comparison and the preset's published numbers no longer apply."""
    ss = st.session_state
    ss[COMPARISON], ss[PRESET], ss[PUBLISHED] = None, None, None


def default_columns(
    df: pd.DataFrame, target: str | None = None, features: tuple[str, ...] = ()
) -> tuple[str | None, tuple[str, ...]]:
    """Keep a numeric target and features that still exist; else no target: the learner
    chooses it (the Data page may suggest one by name), never a guess."""
    numeric = numeric_columns(df)
    if target not in numeric:
        return None, ()
    kept = tuple(c for c in features if c in numeric and c != target)
    return target, kept or suggested_features(numeric, target)


def suggested_features(numeric: list[str], target: str) -> tuple[str, ...]:
    """Every other numeric column, or none when there are more of them than a model may have
    (MAX_FEATURES): the learner chooses which, the Data page says why."""
    others = tuple(c for c in numeric if c != target)
    return others if len(others) <= MAX_FEATURES else ()


def table_settings(df: pd.DataFrame) -> dict[str, Any]:
    """The settings that belong to a table, as it starts: no filters, no numbers from text, no
    outliers dropped, and a held-out fraction that suits its size (none for a small table)."""
    small = len(df) < SMALL_TABLE
    return {
        "test_size": 0.0 if small else DASHBOARD.test_size,
        "where": (),
        "numbers_from_text": (),
        "drop_outliers": None,
    }


def use_data(df: pd.DataFrame, name: str, source: Source | None = None) -> None:
    """Make df the training table with columns that fit it (an earlier result and test table
    no longer apply). The caller checks first that the table can be trained at all. source:
    None for an upload; an upload that a link waits for takes the link's settings."""
    ss = st.session_state
    target, features = default_columns(df, settings().target, settings().features)
    ss[SETTINGS] = dataclasses.replace(
        settings(), target=target, features=features, **table_settings(df)
    )
    ss[DATA], ss[DATA_NAME] = df, name
    ss[SOURCE] = source or Source("upload", name)
    ss[TEST_DATA], ss[TEST_DATA_NAME] = None, None
    ss[COLOR_BY] = None
    forget_results()
    if source is None and (pending := ss[PENDING_LINK]) is not None:
        ss[PENDING_LINK] = None
        if {pending.target, *pending.features} <= set(df.columns):
            use_link_settings(pending)
            ss[NOTICE] = Said("links.settings_applied", name=name)
        else:
            ss[NOTICE] = Said("links.settings_not_applied", name=name)


def use_link_settings(cfg: RunConfig) -> None:
    """A link's settings on the table just loaded; the Train page trains them on arrival. A
    preset's published numbers stay only when the link keeps the preset's settings."""
    ss = st.session_state
    if cfg != ss[SETTINGS]:
        ss[SETTINGS] = cfg
        forget_results()
    ss[AUTO_TRAIN] = True


def use_test_data(df: pd.DataFrame | None, name: str | None) -> None:
    """Make df the held-out table (None: back to a split of the training table)."""
    ss = st.session_state
    ss[TEST_DATA], ss[TEST_DATA_NAME] = df, name
    if df is None:
        ss[TEST_UPLOAD_SEEN] = None
    forget_results()


def use_preset(df: pd.DataFrame, preset: Preset) -> None:
    """A preset's table and settings; the Train page trains them as soon as it opens."""
    ss = st.session_state
    ss[DATA], ss[DATA_NAME] = df, preset.csv
    ss[SOURCE] = Source("preset", preset.key)
    ss[TEST_DATA], ss[TEST_DATA_NAME] = None, None
    ss[SETTINGS] = preset.settings
    ss[COMPARISON], ss[PRESET], ss[PUBLISHED] = None, preset.name, preset.published
    ss[AUTO_TRAIN] = True  # the caller says so in the session's language (ui.state.NOTICE)


def choose_target() -> None:
    """on_change of the target: if the new target was a feature, the old target takes its place;
    a first choice of target suggests every other usable column as a feature."""
    old, new = settings().target, st.session_state[W_TARGET]
    if new is None:
        update(target=None, features=())
        return
    if old is None and not settings().features:
        df = st.session_state[DATA]
        chosen = {*numeric_columns(df), *settings().numbers_from_text}
        usable = [c for c in df.columns if c in chosen]  # in table order
        update(target=new, features=suggested_features(usable, new))
        return
    features = tuple(
        old if f == new else f for f in settings().features if old is not None or f != new
    )
    update(target=new, features=features)


def choose_features() -> None:
    """on_change of the features."""
    update(features=tuple(st.session_state[W_FEATURES]))


def choose(field: str, widget_key: str) -> None:
    """on_change of a widget that edits one setting as it is (args=(field, widget_key))."""
    update(**{field: st.session_state[widget_key]})


def choose_test_mode() -> None:
    """on_change of 'separate test file': back to a split forgets the separate test table."""
    if not st.session_state[W_TEST_FILE]:
        use_test_data(None, None)
    forget_results()


def shown(widget_key: str, value: Any) -> dict[str, Any]:
    """Widget keyword arguments that show the stored value when a page is (re)visited."""
    st.session_state[widget_key] = value
    return {"key": widget_key}
