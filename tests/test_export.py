"""`python -m linreg_core export`: a standalone script that prints exactly train's lines."""

from __future__ import annotations

import ast
import dataclasses
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from linreg_core import OptimizerConfig, RunConfig, read_table
from linreg_core.cli import _config, _parser, command_line, main
from linreg_core.export import TYPED_TABLE, export_script
from tests.conftest import SAMPLES
from tests.test_seeds import SEED_000_LOG

ALLOWED = {"torch", "pandas", "numpy"}


def small_table(path: Path) -> Path:
    """40 rows, two features, a text column and one incomplete row: the plain loop's size."""
    rng = np.random.default_rng(5)
    x1 = np.round(rng.normal(50, 10, 40), 2)
    x2 = np.round(rng.uniform(0, 5, 40), 3)
    y = np.round(3 + 0.4 * x1 - 2 * x2 + rng.normal(0, 1, 40), 3)
    df = pd.DataFrame({"x1": x1, "town": ["a", "b"] * 20, "x2": x2, "y": y})
    df.loc[7, "x2"] = np.nan
    df.to_csv(path, index=False)
    return path


def train_lines(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["train", *args]) == 0
    return capsys.readouterr().out


def export(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    assert main(["export", *args]) == 0
    captured = capsys.readouterr()
    return captured.out, captured.err


def run_script(text: str, folder: Path) -> str:
    """The script run as a learner would: plain `python`, isolated, beside the data file."""
    script = folder / "exported.py"
    script.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-I", str(script)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


# every optimizer, full batch and mini-batch; the other options spread over the cases
CASES = [
    ("sgd", ["--lr", "0.0003", "--epochs", "300"]),
    ("sgd", ["--batch-size", "8", "--normalize", "zscore", "--lr", "0.05", "--epochs", "40"]),
    ("momentum", ["--normalize", "zscore", "--init", "random", "--seed", "3", "--lr", "0.05"]),
    ("momentum", ["--batch-size", "16", "--momentum", "0.5", "--lr", "1e-4", "--epochs", "60"]),
    ("nesterov", ["--normalize", "zscore", "--normalize-target", "--test-size", "0.25"]),
    ("nesterov", ["--batch-size", "5", "--normalize", "zscore", "--no-bias", "--epochs", "30"]),
    ("rmsprop", ["--alpha", "0.9", "--momentum", "0.3", "--normalize", "zscore", "--epochs", "77"]),
    ("rmsprop", ["--batch-size", "7", "--lr", "0.05", "--init", "random", "--epochs", "25"]),
    ("adam", ["--lr", "0.1", "--betas", "0.8,0.99", "--eps", "1e-6", "--no-bias"]),
    ("adam", ["--batch-size", "8", "--normalize", "zscore", "--normalize-target", "--seed", "4"]),
    ("adagrad", ["--lr", "0.5", "--normalize", "zscore", "--features", "x1", "--log-every", "7"]),
    ("adagrad", ["--batch-size", "12", "--lr", "0.5", "--test-size", "0.2", "--epochs", "50"]),
    ("adamw", ["--lr", "0.05", "--weight-decay", "0.1", "--init", "random", "--epochs", "200"]),
    ("adamw", ["--batch-size", "9", "--normalize", "zscore", "--features", "x2,x1", "--seed", "2"]),
    ("gd-manual", ["--lr", "0.01", "--epochs", "100"]),  # raw inputs at lr 0.01: it diverges
    ("gd-manual", ["--batch-size", "4", "--normalize", "zscore", "--normalize-target"]),
]


@pytest.mark.parametrize(("optimizer", "options"), CASES)
def test_a_script_prints_trains_lines_exactly(optimizer, options, tmp_path, capsys):
    small_table(tmp_path / "table.csv")
    args = ["table.csv", "--target", "y", "--optimizer", optimizer, *options]
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        expected = train_lines(args, capsys)
        script, notes = export(args, capsys)
    assert expected.count("\n") >= 2 and notes == ""
    assert run_script(script, tmp_path) == expected


@pytest.mark.parametrize(
    ("sample", "args"),
    [
        ("hours_money.csv", ["--target", "money"]),
        ("hours_points.csv", ["--target", "points", "--no-bias", "--lr", "0.15", "--epochs", "10"]),
        ("study_score.csv", ["--target", "score", "--epochs", "2000", "--batch-size", "2"]),
    ],
)
def test_scripts_of_the_seeds_tables_print_trains_lines(sample, args, tmp_path, capsys):
    shutil.copy(SAMPLES / sample, tmp_path / sample)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        expected = train_lines([sample, *args], capsys)
        script, _ = export([sample, *args], capsys)
    out = run_script(script, tmp_path)
    assert out == expected
    if sample == "hours_money.csv":
        assert out.strip() == SEED_000_LOG  # the tutorial's own printed log


def test_a_diverging_run_ends_with_trains_advice(tmp_path, capsys):
    small_table(tmp_path / "table.csv")
    args = ["table.csv", "--target", "y", "--lr", "0.01", "--epochs", "100"]
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        expected = train_lines(args, capsys)
        script, _ = export(args, capsys)
    assert "diverged at epoch" in expected.splitlines()[-1]
    assert run_script(script, tmp_path) == expected


def test_the_script_imports_only_torch_pandas_numpy_and_the_standard_library(tmp_path, capsys):
    small_table(tmp_path / "table.csv")
    for optimizer in ("adam", "gd-manual"):
        args = [str(tmp_path / "table.csv"), "--target", "y", "--optimizer", optimizer]
        script, _ = export([*args, "--batch-size", "4", "--init", "random"], capsys)
        imported = set()
        for node in ast.walk(ast.parse(script)):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add((node.module or "").split(".")[0])
        assert imported, "no imports found"
        assert imported <= ALLOWED | set(sys.stdlib_module_names), imported
        assert "linreg_core" not in imported


def test_a_held_out_table_of_its_own_is_read_by_the_script_too(tmp_path, capsys):
    small_table(tmp_path / "table.csv")
    pd.read_csv(tmp_path / "table.csv").head(10).to_csv(tmp_path / "held.csv", index=False)
    args = ["table.csv", "--target", "y", "--test", "held.csv", "--normalize", "zscore"]
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        expected = train_lines(args, capsys)
        script, _ = export(args, capsys)
    assert "held.csv" in script
    assert run_script(script, tmp_path) == expected


def test_numbers_pandas_reads_as_text_are_written_into_the_script(tmp_path, capsys):
    rows = [f'"{1000 + 37 * i:,}",{i % 7},{3 * i + 1}' for i in range(12)]
    (tmp_path / "prices.csv").write_text("area,age,price\n" + "\n".join(rows) + "\n")
    args = ["prices.csv", "--target", "price", "--normalize", "zscore", "--lr", "0.1"]
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        expected = train_lines(args, capsys)
        script, notes = export(args, capsys)
    assert "pd.read_csv" not in script and "reads 'prices.csv' differently" in notes
    (tmp_path / "prices.csv").unlink()  # the script needs no file now
    assert run_script(script, tmp_path) == expected


def test_a_typed_table_is_written_into_the_script(tmp_path, capsys):
    df = pd.DataFrame({"hours": [1.0, 2.0, 3.0], "money": [30.0, 60.0, 90.0]})
    out = export_script(df, RunConfig(target="money", features=("hours",)), name=TYPED_TABLE)
    assert out.file_name == "typed_table_sgd.py" and "read_csv" not in out.text
    assert run_script(out.text, tmp_path).strip() == SEED_000_LOG


def test_a_table_larger_than_the_plain_loop_gets_a_note(tmp_path, capsys):
    args = [str(SAMPLES / "apartments.csv"), "--target", "price_eok", "--normalize", "zscore"]
    script, notes = export(args, capsys)
    assert "more than 50" in notes and "last printed digits may differ" in notes
    assert "last printed digits may differ" in " ".join(script.split())  # the docstring says so


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--optimizer", "lbfgs"], "Unknown optimizer 'lbfgs'"),
        (["--optimizer", "adam", "--momentum", "0.9"], "adam has no hyperparameter 'momentum'"),
        (["--betas", "0.9"], "two numbers like 0.9,0.999"),
        (["--features", "nope"], "No column named 'nope'"),
        (["--log-every", "0"], "Invalid --log-every: 0"),
    ],
)
def test_bad_options_exit_2_with_one_line(options, message, capsys):
    args = [str(SAMPLES / "hours_money.csv"), "--target", "money", *options]
    assert main(["export", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and message in captured.err, captured.err


def effective(cfg: RunConfig) -> RunConfig:
    """cfg with every optimizer's hyperparameters written out (defaults given or not)."""
    opts = tuple(OptimizerConfig(o.name, **o.hyperparameters()) for o in cfg.optimizers)
    return dataclasses.replace(cfg, optimizers=opts)


@pytest.mark.parametrize(
    "cfg",
    [
        RunConfig(target="money"),
        RunConfig(
            target="price eok",
            features=("area m2", "age"),
            normalize=True,
            normalize_target=True,
            test_size=0.2,
            bias=False,
            init="random",
            seed=7,
            epochs=250,
            batch_size=32,
            optimizers=(OptimizerConfig("adam", lr=0.003, betas=(0.8, 0.99), eps=1e-6),),
        ),
        RunConfig(
            target="y",
            features=("x",),
            optimizers=(OptimizerConfig("rmsprop", lr=1e-5, alpha=0.9, momentum=0.1),),
        ),
        RunConfig(target="y", optimizers=(OptimizerConfig("momentum", lr=0.1, momentum=0.9),)),
    ],
)
def test_the_command_line_shown_parses_back_to_the_same_settings(cfg):
    line = command_line(cfg, "my data.csv")
    argv = shlex.split(line)
    assert argv[:4] == ["python", "-m", "linreg_core", "train"]
    args = _parser().parse_args(argv[3:])
    assert args.data == "my data.csv"
    assert effective(_config(args)) == effective(cfg)


def test_the_command_line_leaves_out_defaults():
    assert command_line(RunConfig(target="money"), "hours_money.csv") == (
        "python -m linreg_core train hours_money.csv --target money"
    )
    momentum = RunConfig(target="y", optimizers=(OptimizerConfig("momentum", momentum=0.9),))
    assert "--momentum" not in command_line(momentum, "t.csv")


def test_export_reads_the_table_as_train_does_for_a_workbook_sheet(tmp_path, capsys):
    book = tmp_path / "book.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"note": ["read me"]}).to_excel(writer, sheet_name="README", index=False)
        read_table(SAMPLES / "hours_money.csv").to_excel(writer, sheet_name="data", index=False)
    args = ["book.xlsx", "--target", "money", "--sheet", "data", "--epochs", "50"]
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        expected = train_lines(args, capsys)
        script, _ = export(args, capsys)
    assert 'sheet_name="data"' in script
    assert run_script(script, tmp_path) == expected
