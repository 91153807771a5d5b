"""AppTest harness for the page tests: the whole app (streamlit_app.py) with its real navigation.

`start_app()` gives a fresh session that has run once (it shows the Start page); then
`at.switch_page(DATA_PAGE).run(timeout=TIMEOUT)` moves between pages. Each page-test file wraps
it in an `app` fixture. Test files import it one way, `from apptest_harness import ...`: tests/
has no __init__.py, so pytest's default (prepend) import mode puts it on sys.path.

The page scripts live in app_pages/, not pages/: a folder named pages/ switches Streamlit to its
older multipage mode until st.navigation has run once, so a shared deep link (/train) on a fresh
server, and every AppTest run after the first, would run a page without streamlit_app.py.

The decoders below (chart_data, chart_frames, frame_with, loss_frame, table_with) read what a
page sent to the browser: each Altair chart's datasets (Arrow IPC streams in the proto) and each
st.dataframe's frame. Expected values in the tests are computed independently (numpy, pandas or
literal numbers), never with the app's own functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from streamlit.testing.v1 import AppTest

from linreg_core import OptimizerConfig, RunConfig, read_table
from ui import state as S

REPO_ROOT = Path(__file__).resolve().parent.parent
APP = REPO_ROOT / "streamlit_app.py"
SAMPLE_DATA = REPO_ROOT / "sample_data"
TIMEOUT = 30  # s per script run: the first one imports torch
FOUR = ["sgd", "momentum", "rmsprop", "adam"]  # the optimizers the Train form starts with
MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: \ before ASCII punctuation
OPTIMUM = "least squares"  # the closed-form optimum's row and line label

# The page scripts (st.switch_page takes their paths) and the Train form's button.
START_PAGE = "app_pages/0_start.py"
DATA_PAGE = "app_pages/1_data.py"
NORM_PAGE = "app_pages/2_normalise.py"
TRAIN_PAGE = "app_pages/3_train.py"
PREDICT_PAGE = "app_pages/4_predict.py"
TRAIN_BUTTON = S.W_TRAIN_SUBMIT  # the form's button, by its own key in any language
TRAIN_CHARTS = 6  # on Train: loss, landscape, parameters, fit, the epoch slider's, internals


def start_app(locale: str | None = None) -> AppTest:
    """A fresh session of the app after its first run (the Start page), in a browser whose
    language is `locale` ("ko-KR", "en-US"; None: a browser that sends none, English)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if locale is not None:
        at.context["locale"] = locale
    return at.run(timeout=TIMEOUT)


def choose(
    at: AppTest,
    csv: str,
    target: str,
    features: list[str],
    *,
    normalize: bool = True,
    test_size: float = 0.2,
    optimizers: list[dict] | None = None,
    epochs: int = 200,
) -> tuple[pd.DataFrame, RunConfig]:
    """Put a sample table and settings into the session, as the Data, Normalise and Train pages
    would; the table and the settings it put. Optimizers are OptimizerConfig keyword
    dicts (default: the four at lr 0.1)."""
    df = read_table(SAMPLE_DATA / csv)
    cfg = RunConfig(
        target=target,
        features=tuple(features),
        normalize=normalize,
        test_size=test_size,
        epochs=epochs,
        optimizers=tuple(
            OptimizerConfig(**o) for o in optimizers or [{"name": n, "lr": 0.1} for n in FOUR]
        ),
    )
    at.session_state[S.DATA] = df
    at.session_state[S.DATA_NAME] = csv
    at.session_state[S.SETTINGS] = cfg
    return df, cfg


def wide_table(n_features: int, rows: int = 300, seed: int = 0) -> pd.DataFrame:
    """Features x1..xn (standard normal) and y = sum of i * x_i + noise: weights of different
    sizes, so the largest are known; seeded."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, n_features))
    y = X @ np.arange(1.0, n_features + 1) + rng.normal(size=rows)
    return pd.DataFrame({f"x{i + 1}": X[:, i] for i in range(n_features)} | {"y": y})


def upload(at: AppTest, name: str, content: bytes, key: str = S.W_UPLOAD) -> AppTest:
    """Give a file uploader (by default the Data page's) a file and rerun."""
    at.file_uploader(key=key).set_value((name, content, "text/csv"))
    return at.run(timeout=TIMEOUT)


# -- what the page shows ------------------------------------------------------------------------
def shown(markdown: str) -> str:
    """Markdown as the reader sees it: without the backslash escapes and invisible word joiners
    that ui.messages.escape_md puts into user text."""
    return MARKDOWN_ESCAPE.sub(r"\1", markdown).replace("\u2060", "")


def texts(elements: object) -> str:
    """The values of a list of AppTest elements (st.error, st.info, ...) as one string, as shown."""
    return "\n".join(shown(str(e.value)) for e in elements)  # type: ignore[attr-defined]


FUNCTION_WORDS = frozenset(
    ["the", "and", "of", "to", "is", "are", "with", "for", "your", "this", "on", "in"]
)
TEXT_KINDS = frozenset(
    [
        "title",
        "header",
        "subheader",
        "caption",
        "markdown",
        "text",
        "info",
        "warning",
        "error",
        "success",
        "toast",
    ]
)
CODE = re.compile(r"`[^`]*`")  # `StandardScaler`, `.std()`: code, the same in every language
FILE_NAME = re.compile(r"[\w.-]+\.(?:csv|tsv|txt|xlsx|parquet|jsonl?)\b", re.IGNORECASE)


def english_left(at: AppTest, *names: str, sidebar: bool = False) -> list[str]:
    """The texts on the page that read as English sentences: each text element, widget label,
    help and table header with two or more of FUNCTION_WORDS, once backticked code and user
    names are taken out (`names`, the session's table's columns and file name).

    The main area only, unless `sidebar`. For the Korean pages: they should leave none.
    """
    ss = at.session_state
    user = [*names]
    if ss[S.DATA] is not None:  # the app has run: its state keys are there
        user += [str(c) for c in ss[S.DATA].columns]
    if ss[S.DATA_NAME]:
        user.append(str(ss[S.DATA_NAME]))
    user.sort(key=len, reverse=True)  # "price_eok_2" before "price_eok"

    def nodes(node: object) -> Iterator[object]:
        yield node
        for child in getattr(node, "children", {}).values():
            yield from nodes(child)

    found: list[str] = []
    roots = [at.main, at.sidebar] if sidebar else [at.main]
    for node in (n for root in roots for n in nodes(root)):
        kind = getattr(node, "type", "")
        pieces = [getattr(node, "label", None), getattr(node, "help", None)]
        if kind in TEXT_KINDS:
            pieces.append(getattr(node, "value", None))
        if kind == "dataframe":
            pieces += [str(c) for c in node.value.columns]  # type: ignore[attr-defined]
        for piece in pieces:
            if not isinstance(piece, str) or not piece.strip():
                continue
            words = shown(piece)
            for name in user:
                words = words.replace(name, " ")
            words = FILE_NAME.sub(" ", CODE.sub(" ", words))
            english = [w for w in re.findall(r"[a-z]+", words.lower()) if w in FUNCTION_WORDS]
            if len(english) >= 2:
                found.append(piece)
    return found


def epoch_log(at: AppTest) -> list[str]:
    """The Train page's epoch log: its longest code block of epoch lines (the one-step panel
    quotes a single line of it, and the downloads show commands after it)."""
    logs = [c.value.strip() for c in at.code if c.value.lstrip().startswith("Epoch")]
    return max(logs, key=len).splitlines()


def chart_data(at: AppTest) -> list[list[pd.DataFrame]]:
    """Each Altair chart on the page as the frames Streamlit sent (one per dataset)."""
    return [
        [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in chart.proto.datasets]
        for chart in at.get("vega_lite_chart")
    ]


def chart_frames(at: AppTest) -> Iterator[pd.DataFrame]:
    """Every dataset of every chart on the page, in order."""
    for frames in chart_data(at):
        yield from frames


def frame_with(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first chart dataset on the page that has these columns."""
    for frame in chart_frames(at):
        if set(columns) <= set(frame.columns):
            return frame
    raise AssertionError(f"no chart has the columns {columns}")


def loss_frame(at: AppTest) -> pd.DataFrame:
    """The loss chart's rows: optimizer, epoch, split, loss."""
    return frame_with(at, "optimizer", "epoch", "split", "loss")


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first st.dataframe on the page that has this column."""
    for d in at.dataframe:
        if column in d.value.columns:
            return d.value
    raise AssertionError(f"no table has the column {column!r}")


# -- independent references ---------------------------------------------------------------------
def zscored_to_original(
    w: np.ndarray, b: float | None, X_train: np.ndarray
) -> tuple[np.ndarray, float]:
    """Weights learnt on features z-scored with the training rows' mean and population std, in
    the data's own units: w / std and b - sum(w * mean / std) (numpy, not the app's code)."""
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    w = np.asarray(w, dtype=float)
    return w / std, float((b or 0.0) - np.sum(w * mean / std))


def least_squares(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """numpy's least squares of y on X with an intercept: (weights, intercept)."""
    A = np.column_stack([X, np.ones(len(y))])
    theta, *_ = np.linalg.lstsq(A, y, rcond=None)
    return theta[:-1], float(theta[-1])
