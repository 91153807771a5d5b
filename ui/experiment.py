"""An experiment file: a teacher's own table, every setting and the results summary in one JSON
file, downloaded from Train & compare and opened again on the Data page to train the same run.

The file is data only: read with json (never unpickled or evaluated), checked against FORMAT's
shape and the upload limit, its settings read by the link codec (ui.links) and RunConfig's own
checks. A file that fails any check is refused whole, with a message naming the problem, and
changes nothing.

    {"format": "LinReg Lab experiment", "version": 1,
     "table": {"name": "scores.csv", "columns": ["hours", "score"], "rows": [[1, 10], ...]},
     "settings": {"target": "score", "features": ["hours"], ...},   # as in a link
     "results": [{"optimizer": "sgd", "train MSE": 1.2, ...}, ...] | null,
     "note": "..."}
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from linreg_core import RunConfig
from ui import files, links, state
from ui.messages import escape_md, show_error

if TYPE_CHECKING:
    from linreg_core import Comparison

FORMAT, VERSION = "LinReg Lab experiment", 1
KEYS = {"format", "version", "table", "settings", "results", "note"}
NOTE = (
    "Open this file on LinReg Lab's Data page (Open an experiment file) to train the same "
    "run again: the table, every setting, and the results it gave."
)
MAX_COLUMNS = 1_000


class ExperimentError(ValueError):
    """Why an experiment file cannot be opened, and what to do."""


@dataclass(frozen=True)
class Experiment:
    """What an experiment file holds."""

    table: pd.DataFrame
    name: str
    settings: RunConfig
    results: list[dict[str, Any]] | None


def _max_bytes() -> int:
    return int(st.get_option("server.maxUploadSize")) * 1024 * 1024


def _cell(value: Any) -> Any:
    """A cell as JSON: a finite number, text or null."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    if pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else str(value)


def dumps(df: pd.DataFrame, name: str, cfg: RunConfig, comp: Comparison | None) -> bytes:
    """The experiment as the bytes of its JSON file."""
    rows = [[_cell(v) for v in row] for row in df.itertuples(index=False, name=None)]
    results = None
    if comp is not None:
        from linreg_core import report  # with the results, so torch is already loaded

        results = [
            {str(k): _cell(v) for k, v in row.items()}
            for row in report.summary(comp).to_dict(orient="records")
        ]
    body = {
        "format": FORMAT,
        "version": VERSION,
        "table": {"name": name, "columns": [str(c) for c in df.columns], "rows": rows},
        "settings": links.settings_params(cfg),
        "results": results,
        "note": NOTE,
    }
    return json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")


def _refuse(problem: str) -> ExperimentError:
    return ExperimentError(f"This experiment file cannot be opened: {problem}.")


def _no_constants(name: str) -> None:
    raise _refuse(f"it holds {name}, which JSON does not allow")


def _check_cell(value: Any, row: int, column: str) -> None:
    if value is None or (isinstance(value, str) and not value.startswith(files.FORMULA_STARTS)):
        return
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return
    shown = repr(value)[:40]
    if isinstance(value, str):
        raise _refuse(f"row {row + 1}, column {column!r} holds {shown}, which reads as a formula")
    raise _refuse(f"row {row + 1}, column {column!r} holds {shown}: a cell is a number or text")


def loads(data: bytes) -> Experiment:
    """The experiment in a file's bytes; an ExperimentError says why it cannot be opened."""
    if len(data) > _max_bytes():
        raise _refuse(f"it is larger than the upload limit ({files.upload_limit()})")
    try:
        body = json.loads(data.decode("utf-8"), parse_constant=_no_constants)
    except UnicodeDecodeError:
        raise _refuse("it is not UTF-8 text; download the experiment again") from None
    except json.JSONDecodeError as exc:
        raise _refuse(f"it is not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise _refuse(f'it is not a {FORMAT} file (no "format": "{FORMAT}")')
    if body.get("version") != VERSION:
        raise _refuse(f"its version {body.get('version')!r} is not {VERSION}")
    if unknown := sorted(set(body) - KEYS):
        raise _refuse(f"it has keys this app does not know: {', '.join(unknown)}")
    table = body.get("table")
    if not isinstance(table, dict) or set(table) != {"name", "columns", "rows"}:
        raise _refuse('its "table" needs exactly "name", "columns" and "rows"')
    name, columns, rows = table["name"], table["columns"], table["rows"]
    if not isinstance(name, str) or not name.strip():
        raise _refuse("the table has no name")
    if (
        not isinstance(columns, list)
        or not 2 <= len(columns) <= MAX_COLUMNS
        or not all(isinstance(c, str) and c for c in columns)
        or len(set(columns)) != len(columns)
    ):
        raise _refuse(f"its columns must be 2 to {MAX_COLUMNS:,} different names")
    if not isinstance(rows, list) or not rows:
        raise _refuse("its table has no rows")
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(columns):
            raise _refuse(f"row {i + 1} does not have {len(columns)} cells")
        for value, column in zip(row, columns, strict=True):
            _check_cell(value, i, column)
    settings = body.get("settings")
    if not isinstance(settings, dict) or not all(
        isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))
        for v in settings.values()
    ):
        raise _refuse('its "settings" must map each setting to text, as in a link')
    query = {str(k): v if isinstance(v, list) else [v] for k, v in settings.items()}
    got = links.read(query, state.DASHBOARD)
    if got.problems or got.source is not None:
        problems = got.problems or ["it names a table in its settings"]
        raise _refuse("; ".join(problems))
    results = body.get("results")
    if results is not None and not (
        isinstance(results, list) and all(isinstance(r, dict) for r in results)
    ):
        raise _refuse('its "results" must be a list of rows, or null')
    df = pd.DataFrame(rows, columns=columns)
    missing = [c for c in (got.settings.target, *got.settings.features) if c not in columns]
    if got.settings.target is None or missing:
        raise _refuse(f"its settings name columns the table does not have: {missing}")
    return Experiment(df, name, got.settings, results)


def open_upload(upload: Any) -> None:
    """Open an uploaded experiment file: its table and settings replace the session's, and Train
    trains them; a file that cannot be opened changes nothing and says why."""
    if upload is None or upload.file_id == st.session_state[state.EXPERIMENT_SEEN]:
        return
    st.session_state[state.EXPERIMENT_SEEN] = upload.file_id
    try:
        data = upload.getvalue()
        files.let_go(upload)
        experiment = loads(data)
    except ExperimentError as exc:
        show_error(str(exc) + " The current table and settings stay.")
        return
    if (problem := files.unusable(experiment.table)) is not None:
        show_error(f"The experiment's table cannot be trained: {problem}")
        return
    state.use_data(experiment.table, experiment.name, state.Source("upload", experiment.name))
    state.use_link_settings(experiment.settings)
    st.session_state[state.NOTICE] = escape_md(  # the file's names are shown as typed
        f"Opened the experiment file: {experiment.name}, {len(experiment.table):,} rows, "
        f"predicting {experiment.settings.target}. {links.TRAINS_ON_ARRIVAL}"
    )
    st.rerun()


def download_button(comp: Comparison) -> None:
    """A button that downloads the session's experiment, written when it is clicked."""
    ss = st.session_state
    df, name, cfg = ss[state.DATA], ss[state.DATA_NAME], comp.config
    st.download_button(
        "Experiment file (table, settings and results, JSON)",
        functools.partial(dumps, df, name, cfg, comp),  # written on the click
        file_name=f"{name.rsplit('.', 1)[0]}_experiment.json",
        mime="application/json",
        icon=":material/download:",
        on_click="ignore",  # a download needs no rerun: the page stays as it is
        key=state.W_TRAIN_EXPERIMENT,
        help="Open it on the Data page to train this run again, on this or another computer.",
    )
