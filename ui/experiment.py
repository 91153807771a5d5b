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

from linreg_core import LinRegError, RunConfig
from linreg_core.errors import Said
from linreg_core.i18n import DEFAULT_LANGUAGE, text
from ui import files, links, state
from ui.i18n import language, say, t
from ui.messages import escape_md, show_error

if TYPE_CHECKING:
    from linreg_core import Comparison

FORMAT, VERSION = "LinReg Lab experiment", 1
KEYS = {"format", "version", "table", "settings", "results", "note"}
MAX_COLUMNS = 1_000


class ExperimentError(LinRegError):
    """Why an experiment file cannot be opened, and what to do (str(): English; say(): the
    session's language)."""


class _Joined(Said):
    """Several sentences in one, separated by '; ' (a link's problems in a file's settings)."""

    def __init__(self, parts: list[Said]) -> None:
        super().__init__("")
        self.parts = parts

    def in_language(self, language: str = DEFAULT_LANGUAGE) -> str:
        return "; ".join(p.in_language(language) for p in self.parts)


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


def dumps(
    df: pd.DataFrame,
    name: str,
    cfg: RunConfig,
    comp: Comparison | None,
    language: str = DEFAULT_LANGUAGE,
) -> bytes:
    """The experiment as the bytes of its JSON file; its note in `language` (its keys and the
    results' columns stay English: they are data)."""
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
        "note": text("experiment.note", language),
    }
    return json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")


def _refuse(problem: str, /, **params: Any) -> ExperimentError:
    """The error for a problem (a catalog key of [experiment], or several sentences joined)."""
    said = Said(f"experiment.{problem}", **params)
    return ExperimentError("experiment.refused", problem=said)


def _no_constants(name: str) -> None:
    raise _refuse("constant", name=name)


def _check_cell(value: Any, row: int, column: str) -> None:
    if value is None or (isinstance(value, str) and not value.startswith(files.FORMULA_STARTS)):
        return
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return
    shown = repr(value)[:40]
    problem = "formula" if isinstance(value, str) else "bad_cell"
    raise _refuse(problem, row=row + 1, column=repr(column), value=shown)


def loads(data: bytes) -> Experiment:
    """The experiment in a file's bytes; an ExperimentError says why it cannot be opened."""
    if len(data) > _max_bytes():
        raise _refuse("too_large", limit=files.upload_limit())
    try:
        body = json.loads(data.decode("utf-8"), parse_constant=_no_constants)
    except UnicodeDecodeError:
        raise _refuse("not_utf8") from None
    except json.JSONDecodeError as exc:
        raise _refuse("not_json", line=exc.lineno, column=exc.colno) from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise _refuse("not_format", format=FORMAT)
    if body.get("version") != VERSION:
        raise _refuse("version", version=repr(body.get("version")), expected=VERSION)
    if unknown := sorted(set(body) - KEYS):
        raise _refuse("unknown_keys", keys=", ".join(unknown))
    table = body.get("table")
    if not isinstance(table, dict) or set(table) != {"name", "columns", "rows"}:
        raise _refuse("table_shape")
    name, columns, rows = table["name"], table["columns"], table["rows"]
    if not isinstance(name, str) or not name.strip():
        raise _refuse("no_name")
    if (
        not isinstance(columns, list)
        or not 2 <= len(columns) <= MAX_COLUMNS
        or not all(isinstance(c, str) and c for c in columns)
        or len(set(columns)) != len(columns)
    ):
        raise _refuse("columns", most=MAX_COLUMNS)
    if not isinstance(rows, list) or not rows:
        raise _refuse("no_rows")
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(columns):
            raise _refuse("row_cells", row=i + 1, cells=len(columns))
        for value, column in zip(row, columns, strict=True):
            _check_cell(value, i, column)
    settings = body.get("settings")
    if not isinstance(settings, dict) or not all(
        isinstance(v, str) or (isinstance(v, list) and all(isinstance(x, str) for x in v))
        for v in settings.values()
    ):
        raise _refuse("settings_text")
    query = {str(k): v if isinstance(v, list) else [v] for k, v in settings.items()}
    got = links.read(query, state.DASHBOARD)
    if got.said:
        raise ExperimentError("experiment.refused", problem=_Joined(got.said))
    if got.source is not None:
        raise _refuse("names_table")
    results = body.get("results")
    if results is not None and not (
        isinstance(results, list) and all(isinstance(r, dict) for r in results)
    ):
        raise _refuse("results")
    df = pd.DataFrame(rows, columns=columns)
    missing = [c for c in (got.settings.target, *got.settings.features) if c not in columns]
    if got.settings.target is None or missing:
        raise _refuse("missing_columns", missing=missing)
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
        show_error(t("experiment.not_opened", problem=say(exc)))
        return
    if (problem := files.unusable(experiment.table)) is not None:
        show_error(t("experiment.cannot_train", problem=say(problem)))
        return
    state.use_data(experiment.table, experiment.name, state.Source("upload", experiment.name))
    state.use_link_settings(experiment.settings)
    st.session_state[state.NOTICE] = escape_md(  # the file's names are shown as typed
        t(
            "experiment.opened",
            name=experiment.name,
            rows=len(experiment.table),
            target=experiment.settings.target,
            trains=t("links.trains_on_arrival"),
        )
    )
    st.rerun()


def download_button(comp: Comparison) -> None:
    """A button that downloads the session's experiment, written when it is clicked."""
    ss = st.session_state
    df, name, cfg = ss[state.DATA], ss[state.DATA_NAME], comp.config
    st.download_button(
        t("experiment.download"),
        functools.partial(dumps, df, name, cfg, comp, language()),  # written on the click
        file_name=f"{name.rsplit('.', 1)[0]}_experiment.json",
        mime="application/json",
        icon=":material/download:",
        on_click="ignore",  # a download needs no rerun: the page stays as it is
        key=state.W_TRAIN_EXPERIMENT,
        help=t("experiment.download_help"),
    )
