"""The Train page's downloads: every number of a comparison as a file, and each run as the
command line and the plain PyTorch script that reproduce it.

Files are written when their button is clicked (a big table's history or script is not built on
every rerun); CSVs go through ui.files.safe_csv. Labels and captions are in the session's
language, and so are the script's comments; the CSVs' headers stay English (a data contract).
"""

from __future__ import annotations

import dataclasses
import functools
import shlex

import numpy as np
import pandas as pd
import streamlit as st

from linreg_core import Comparison, History, LinRegError
from linreg_core.cli import command_line
from linreg_core.export import TYPED_TABLE, export_script
from linreg_core.i18n import DEFAULT_LANGUAGE
from ui import experiment, tables
from ui import state as S
from ui.files import csv_when_clicked
from ui.i18n import language, t
from ui.presets import sample_path


def history_frame(comp: Comparison, history: History) -> pd.DataFrame:
    """One row per epoch (0 = the start): train and test loss, parameters, gradient norm."""
    n = history.epochs_run
    nan = np.full(1, np.nan)
    columns: dict[str, object] = {"epoch": np.arange(n + 1)}
    columns["train loss"] = np.concatenate([nan, history.train_loss])
    if history.test_loss is not None:
        columns["test loss"] = np.concatenate([nan, history.test_loss])
    names = comp.param_names()
    for i, name in enumerate(names[: len(comp.dataset.features)]):
        columns[name] = history.weights[:, i]
    if history.bias is not None:
        columns[names[-1]] = history.bias
    columns["gradient norm"] = np.concatenate([nan, history.grad_norm])
    return pd.DataFrame(columns)


def shown_command(command: str, width: int = 44) -> str:
    """The command over several lines ending in a backslash, each option with its value, so
    that it neither runs off a narrow page nor breaks inside an option."""
    words = shlex.split(command)
    parts: list[str] = []  # an option and its value stay together
    for word in map(shlex.quote, words):
        if (
            parts
            and not word.startswith("--")
            and parts[-1].startswith("--")
            and " " not in parts[-1]
        ):
            parts[-1] += " " + word
        else:
            parts.append(word)
    lines = [""]
    for part in parts:
        if lines[-1] and len(lines[-1]) + len(part) + 1 > width:
            lines.append("")
        lines[-1] = f"{lines[-1]} {part}".strip()
    return " \\\n    ".join(lines)


def data_file(name: str | None, df: pd.DataFrame) -> tuple[str, str | None]:
    """(the file name a command reads, the workbook's sheet) for the table named `name`."""
    if not name or name == TYPED_TABLE:
        return "typed_table.csv", None
    sheet = df.attrs.get("sheet") if len(df.attrs.get("sheets", [])) > 1 else None
    if sheet is not None:
        name = name.removesuffix(f" ({sheet})")
    return name, sheet


def run_command(comp: Comparison, history: History, name: str | None, test: str | None) -> str:
    """The `train` command of one run of the comparison."""
    cfg = dataclasses.replace(comp.config, optimizers=(history.optimizer,))
    data, sheet = data_file(name, st.session_state[S.DATA])
    return command_line(cfg, data, sheet=sheet, test=test)


def script_text(
    df: pd.DataFrame,
    comp: Comparison,
    history: History,
    name: str | None,
    test_df: pd.DataFrame | None,
    test_name: str | None,
    command: str,
    language: str = DEFAULT_LANGUAGE,
) -> str:
    """The run's PyTorch script, its comments in `language` (the session's, taken when the
    page is drawn: the script is written later, on the click); a script that says why when
    it cannot be written."""
    cfg = dataclasses.replace(comp.config, optimizers=(history.optimizer,))
    file, _ = data_file(name, df)
    raw = None
    if name and (path := sample_path(file)).is_file():  # a sample or a preset: its bytes
        raw = path.read_bytes()
    try:
        return export_script(
            df,
            cfg,
            name=file if name and name != TYPED_TABLE else None,
            raw=raw,
            test_df=test_df,
            test_name=test_name,
            command=command,
            language=language,
        ).text
    except LinRegError as exc:
        return f"raise SystemExit({exc.in_language(language)!r})\n"


def section(comp: Comparison) -> None:
    """The downloads: the summary, then for each run its command, history and script."""
    ss = st.session_state
    st.subheader(t("downloads.title"))
    summary = tables.summary_table(comp)
    st.download_button(
        t("downloads.summary_label"),
        csv_when_clicked(summary),
        file_name="summary.csv",
        mime="text/csv",
        icon=":material/table:",
        on_click="ignore",  # a download needs no rerun: the page stays as it is
        key=S.W_TRAIN_SUMMARY_CSV,
    )
    experiment.download_button(comp)  # the table, every setting and the results, to reopen
    st.caption(t("downloads.command_note"))
    name, test_name = ss[S.DATA_NAME], ss[S.TEST_DATA_NAME]
    if name == TYPED_TABLE:  # the file the commands read
        st.download_button(
            t("downloads.typed_label"),
            csv_when_clicked(ss[S.DATA]),
            file_name="typed_table.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
            key=S.W_TRAIN_TYPED_CSV,
        )
    stem = data_file(name, ss[S.DATA])[0].rsplit(".", 1)[0]
    for i, h in enumerate(comp.runs):
        command = run_command(comp, h, name, test_name)
        st.markdown(f"**{h.label}**")
        st.code(shown_command(command), language="bash")
        row = st.container(horizontal=True)  # buttons as wide as their labels, wrapping
        left = right = row
        safe = "".join(c if c.isalnum() else "_" for c in h.label).strip("_")
        left.download_button(
            t("downloads.history_label"),
            csv_when_clicked(functools.partial(history_frame, comp, h)),
            file_name=f"{stem}_{safe}_history.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
            key=S.W_TRAIN_HISTORY_CSV.format(i=i),
        )
        right.download_button(
            t("downloads.script_label"),
            functools.partial(
                script_text,
                ss[S.DATA],
                comp,
                h,
                name,
                ss[S.TEST_DATA],
                test_name,
                command,
                language(),
            ),
            file_name=f"{stem}_{safe}.py",
            mime="text/x-python",
            icon=":material/code:",
            on_click="ignore",
            key=S.W_TRAIN_SCRIPT.format(i=i),
        )
    typed = " " + t("downloads.typed_note") if name == TYPED_TABLE else ""
    st.caption(t("downloads.caption") + typed)
