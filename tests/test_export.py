"""`python -m linreg_core export`: a standalone script that prints exactly train's lines.

The exported scripts of the cases below all run in one Python process (run_scripts: each in a
fresh namespace, beside its data file, with its own stdout), so torch is imported once rather
than once a script; one script also runs on its own as a learner runs it (`python -I file.py`).
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import functools
import io
import json
import re
import shlex
import shutil
import subprocess
import sys
import tokenize
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import linreg_core.export
from linreg_core import ConfigError, DataError, OptimizerConfig, RunConfig, read_table
from linreg_core.cli import _config, _parser, command_line, main
from linreg_core.errors import Said
from linreg_core.export import TYPED_TABLE, _at_any_epoch, _words, export_script
from linreg_core.registry import OPTIMIZERS
from tests.conftest import SAMPLES
from tests.test_seeds import SEED_000_LOG

ALLOWED = {"torch", "pandas", "numpy"}
HANGUL = re.compile("[\uac00-\ud7a3]")

# Runs each script named on its command line as `python script.py` would, in its own folder,
# and prints a JSON list of what each printed (and the traceback of any that failed).
RUNNER = """
import contextlib, io, json, os, sys, traceback
done = []
for path in sys.argv[1:]:
    os.chdir(os.path.dirname(path))
    with open(path, encoding="utf-8") as f:
        code = compile(f.read(), path, "exec")
    out, error = io.StringIO(), None
    try:
        with contextlib.redirect_stdout(out):
            exec(code, {"__name__": "__main__", "__file__": path, "__builtins__": __builtins__})
    except BaseException:
        error = traceback.format_exc()
    done.append({"out": out.getvalue(), "error": error})
json.dump(done, sys.__stdout__)
"""


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


def run_scripts(scripts: Sequence[Path]) -> list[dict[str, str | None]]:
    """What each script printed, run one after another in one isolated `python` (RUNNER)."""
    runner = scripts[0].parent.parent / "run_scripts.py"
    runner.write_text(RUNNER, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-I", str(runner), *map(str, scripts)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def cli(command: str, args: list[str]) -> tuple[str, str]:
    """What `python -m linreg_core <command> <args>` prints: (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert main([command, *args]) == 0, err.getvalue()
    return out.getvalue(), err.getvalue()


# every optimizer, full batch and mini-batch; the other options spread over the cases
CASES = {
    "sgd-full": ("sgd", "--lr 0.0003 --epochs 300"),
    "sgd-minibatch": ("sgd", "--batch-size 8 --normalize zscore --lr 0.05 --epochs 40"),
    "momentum-full": ("momentum", "--normalize zscore --init random --seed 3 --lr 0.05"),
    "momentum-minibatch": ("momentum", "--batch-size 16 --momentum 0.5 --lr 1e-4 --epochs 60"),
    "nesterov-full": ("nesterov", "--normalize zscore --normalize-target --test-size 0.25"),
    "nesterov-minibatch": ("nesterov", "--batch-size 5 --normalize zscore --no-bias --epochs 30"),
    "rmsprop-full": ("rmsprop", "--alpha 0.9 --momentum 0.3 --normalize zscore --epochs 77"),
    "rmsprop-minibatch": ("rmsprop", "--batch-size 7 --lr 0.05 --init random --epochs 25"),
    "adam-full": ("adam", "--lr 0.1 --betas 0.8,0.99 --eps 1e-6 --no-bias"),
    "adam-minibatch": (
        "adam",
        "--batch-size 8 --normalize zscore --normalize-target --seed 4 --epochs 200",
    ),
    "adagrad-full": ("adagrad", "--lr 0.5 --normalize zscore --features x1 --log-every 7"),
    "adagrad-minibatch": ("adagrad", "--batch-size 12 --lr 0.5 --test-size 0.2 --epochs 50"),
    "adamw-full": ("adamw", "--lr 0.05 --weight-decay 0.1 --init random --epochs 200"),
    "adamw-minibatch": (
        "adamw",
        "--batch-size 9 --normalize zscore --features x2,x1 --seed 2 --epochs 150",
    ),
    "gd-manual-full": ("gd-manual", "--lr 0.01 --epochs 100"),  # raw inputs at 0.01: diverges
    "gd-manual-minibatch": (
        "gd-manual",
        "--batch-size 4 --normalize zscore --normalize-target --epochs 120",
    ),
}
KOREAN = ["gd-manual-full", "adam-minibatch"]  # also exported in Korean: one diverges
SEEDS = {
    "hours_money.csv": ["--target", "money"],
    "hours_points.csv": ["--target", "points", "--no-bias", "--lr", "0.15", "--epochs", "10"],
    "study_score.csv": ["--target", "score", "--epochs", "2000", "--batch-size", "2"],
}


def _prices(folder: Path) -> None:
    rows = [f'"{1000 + 37 * i:,}",{i % 7},{3 * i + 1}' for i in range(12)]
    (folder / "prices.csv").write_text("area,age,price\n" + "\n".join(rows) + "\n")


def _held_out(folder: Path) -> None:
    small_table(folder / "table.csv")
    pd.read_csv(folder / "table.csv").head(10).to_csv(folder / "held.csv", index=False)


def _workbook(folder: Path) -> None:
    with pd.ExcelWriter(folder / "book.xlsx") as writer:
        pd.DataFrame({"note": ["read me"]}).to_excel(writer, sheet_name="README", index=False)
        read_table(SAMPLES / "hours_money.csv").to_excel(writer, sheet_name="data", index=False)


@dataclasses.dataclass
class Job:
    """One exported script: its folder's files, the command's arguments, what train printed."""

    files: Callable[[Path], object]
    args: list[str]
    language: str = "en"
    before_run: Callable[[Path], object] | None = None  # e.g. delete the data file
    expected: str = ""  # train's lines
    notes: str = ""  # export's stderr
    script: str = ""
    out: str = ""  # what the script printed


def jobs() -> dict[str, Job]:
    table = ["table.csv", "--target", "y"]
    out = {
        name: Job(
            lambda f: small_table(f / "table.csv"), [*table, "--optimizer", opt, *options.split()]
        )
        for name, (opt, options) in CASES.items()
    }
    for name in KOREAN:
        out[f"ko:{name}"] = dataclasses.replace(out[name], language="ko")
    for sample, args in SEEDS.items():
        copy = functools.partial(lambda s, f: shutil.copy(SAMPLES / s, f / s), sample)
        out[sample] = Job(copy, [sample, *args])
    out["diverging"] = Job(
        lambda f: small_table(f / "table.csv"), [*table, "--lr", "0.01", "--epochs", "100"]
    )
    out["held out"] = Job(_held_out, [*table, "--test", "held.csv", "--normalize", "zscore"])
    out["numbers as text"] = Job(
        _prices,
        ["prices.csv", "--target", "price", "--normalize", "zscore", "--lr", "0.1"],
        before_run=lambda f: (f / "prices.csv").unlink(),  # the script needs no file now
    )
    out["workbook"] = Job(
        _workbook, ["book.xlsx", "--target", "money", "--sheet", "data", "--epochs", "50"]
    )
    return out


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Job]:
    """Every job trained and exported here, and its script run (all in one `python`)."""
    done = jobs()
    root = tmp_path_factory.mktemp("scripts")
    scripts = []
    for i, job in enumerate(done.values()):
        folder = root / f"job{i}"
        folder.mkdir()
        job.files(folder)
        with contextlib.chdir(folder), pytest.MonkeyPatch.context() as mp:
            if job.language == "en":  # another language's script is checked against English
                job.expected, _ = cli("train", job.args)
            # cli._export imports export_script when it runs: this gives it the job's language
            mp.setattr(
                linreg_core.export,
                "export_script",
                functools.partial(export_script, language=job.language),
            )
            job.script, job.notes = cli("export", job.args)
        if job.before_run is not None:
            job.before_run(folder)
        scripts.append(folder / "exported.py")
        scripts[-1].write_text(job.script, encoding="utf-8")
    for job, result in zip(done.values(), run_scripts(scripts), strict=True):
        assert result["error"] is None, result["error"]
        job.out = str(result["out"])
    return done


def test_every_optimizer_is_checked_on_full_batches_and_mini_batches():
    assert set(CASES) == {f"{o}-{mode}" for o in OPTIMIZERS for mode in ("full", "minibatch")}
    for name, (optimizer, options) in CASES.items():
        assert name.startswith(optimizer + "-")
        assert ("--batch-size" in options) == name.endswith("-minibatch")


@pytest.mark.parametrize("case", CASES)
def test_a_script_prints_trains_lines_exactly(case, ran):
    job = ran[case]
    assert job.expected.count("\n") >= 2 and job.notes == ""
    assert job.out == job.expected


@pytest.mark.parametrize("sample", SEEDS)
def test_scripts_of_the_seeds_tables_print_trains_lines(sample, ran):
    job = ran[sample]
    assert job.out == job.expected
    if sample == "hours_money.csv":
        assert job.out.strip() == SEED_000_LOG  # the tutorial's own printed log


def test_a_diverging_run_ends_with_trains_advice(ran):
    job = ran["diverging"]
    assert "diverged at epoch" in job.expected.splitlines()[-1]
    assert job.out == job.expected


def test_the_advice_a_script_prints_leaves_the_epoch_to_the_script():
    # the engine's words come as plain English or as catalog sentences (Said), one or several
    said = [Said("export.error.log_every", every=np.int64(12)), "then at epoch 12 it stopped"]
    marked = _at_any_epoch(said, 12)
    assert _words(marked, "en") == (
        "Invalid --log-every: 987654321. Use a whole number >= 1. "
        "then at epoch 987654321 it stopped"
    )
    assert _words(marked, "ko").startswith("--log-every 값 987654321은(는)")


def epoch_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("Epoch ")]


@pytest.mark.parametrize("case", KOREAN)
def test_a_korean_script_prints_the_same_numbers_as_the_english_one(case, ran):
    english, korean = ran[case], ran[f"ko:{case}"]
    assert english.out == english.expected
    assert len(epoch_lines(korean.out)) >= 2
    assert epoch_lines(korean.out) == epoch_lines(english.out)  # the log is a data contract
    assert len(korean.out.splitlines()) == len(english.out.splitlines())
    if match := re.search(r"diverged at epoch (\d+)", english.out):
        assert match[1] in korean.out.splitlines()[-1]  # the advice names the same epoch


def comments(script: str) -> list[str]:
    """The script's comments and docstrings."""
    tokens = tokenize.generate_tokens(io.StringIO(script).readline)
    found = [t.string for t in tokens if t.type == tokenize.COMMENT]
    for node in ast.walk(ast.parse(script)):
        if isinstance(node, ast.Module | ast.FunctionDef) and (doc := ast.get_docstring(node)):
            found.append(doc)
    return found


def code(script: str) -> list[tuple[int, str]]:
    """The script's tokens but its comments and docstrings (and the advice it prints)."""
    kept = []
    for t in tokenize.generate_tokens(io.StringIO(script).readline):
        if t.type == tokenize.COMMENT or (t.type == tokenize.STRING and HANGUL.search(t.string)):
            continue
        if t.type == tokenize.STRING and (t.string.startswith('"""') or "diverged" in t.string):
            continue
        kept.append((t.type, t.string))
    return kept


@pytest.mark.parametrize("case", KOREAN)
def test_a_korean_scripts_comments_are_korean_and_its_code_the_same(case, ran):
    english, korean = ran[case].script, ran[f"ko:{case}"].script
    said = comments(korean)
    assert sum(bool(HANGUL.search(c)) for c in said) >= 0.8 * len(said)
    assert "# 1. 표를 읽고, 고른 열에 모두 값이 있는 행만 남깁니다" in korean
    docstring = str(ast.get_docstring(ast.parse(korean)))
    assert docstring.startswith("x1") and "학습률" in docstring.splitlines()[0]
    assert "에포크" in korean
    assert not HANGUL.search(english)
    assert code(korean) == code(english)


def test_the_script_imports_only_torch_pandas_numpy_and_the_standard_library(tmp_path, capsys):
    small_table(tmp_path / "table.csv")
    for optimizer in ("adam", "gd-manual"):
        args = [str(tmp_path / "table.csv"), "--target", "y", "--optimizer", optimizer]
        script, _ = export(
            [*args, "--batch-size", "4", "--init", "random", "--epochs", "9"], capsys
        )
        imported = set()
        for node in ast.walk(ast.parse(script)):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add((node.module or "").split(".")[0])
        assert imported, "no imports found"
        assert imported <= ALLOWED | set(sys.stdlib_module_names), imported
        assert "linreg_core" not in imported


def test_a_held_out_table_of_its_own_is_read_by_the_script_too(ran):
    job = ran["held out"]
    assert "held.csv" in job.script
    assert job.out == job.expected


def test_numbers_pandas_reads_as_text_are_written_into_the_script(ran):
    job = ran["numbers as text"]
    assert "pd.read_csv" not in job.script and "reads 'prices.csv' differently" in job.notes
    assert job.out == job.expected  # without prices.csv, deleted before the script ran


def test_a_korean_script_says_why_its_numbers_are_inside_it(tmp_path):
    _prices(tmp_path)
    cfg = RunConfig(target="price", normalize=True)
    df, raw = read_table(tmp_path / "prices.csv"), (tmp_path / "prices.csv").read_bytes()
    out = export_script(df, cfg, name="prices.csv", raw=raw, language="ko")
    assert out.notes == (
        "pandas.read_csv는 'prices.csv'을(를) linreg_core와 다르게 읽습니다(예: 단위나 천 단위 "
        "쉼표가 붙은 숫자). 그래서 고른 열의 값을 스크립트 안에 직접 적었습니다.",
    )
    assert "참고: pandas.read_csv는" in out.text  # the docstring says so too


def test_a_typed_table_is_written_into_the_script(tmp_path, capsys):
    df = pd.DataFrame({"hours": [1.0, 2.0, 3.0], "money": [30.0, 60.0, 90.0]})
    out = export_script(df, RunConfig(target="money", features=("hours",)), name=TYPED_TABLE)
    assert out.file_name == "typed_table_sgd.py" and "read_csv" not in out.text
    assert run_script(out.text, tmp_path).strip() == SEED_000_LOG  # as a learner runs it


def test_a_table_larger_than_the_plain_loop_gets_a_note(tmp_path, capsys):
    args = [str(SAMPLES / "apartments.csv"), "--target", "price_eok", "--normalize", "zscore"]
    script, notes = export(args, capsys)
    assert "more than 50" in notes and "last printed digits may differ" in notes
    assert "last printed digits may differ" in " ".join(script.split())  # the docstring says so


def test_the_refusals_are_errors_in_either_language():
    df = pd.DataFrame({"hours": [1.0, 2.0, 3.0], "money": [30.0, 60.0, 90.0]})
    two = (OptimizerConfig("sgd"), OptimizerConfig("adam"))
    with pytest.raises(ConfigError) as caught:
        export_script(df, RunConfig(target="money", optimizers=two), name=TYPED_TABLE)
    assert caught.value.code == "export.error.one_optimizer"
    assert "these settings have 2" in str(caught.value)
    assert "옵티마이저가 2개" in caught.value.in_language("ko")
    for refused in ({"numbers_from_text": ("hours",)}, {"drop_outliers": 3.0}):
        with pytest.raises(ConfigError) as caught:
            export_script(df, RunConfig(target="money", **refused), name=TYPED_TABLE)  # type: ignore[arg-type]
        assert caught.value.code == "export.error.unsupported"
        assert "without --where, --numbers-from-text and --drop-outliers" in str(caught.value)
        assert "행 필터" in caught.value.in_language("ko")
    with pytest.raises(ConfigError) as caught:
        export_script(df, RunConfig(target="money"), name=TYPED_TABLE, every=0)
    assert str(caught.value) == "Invalid --log-every: 0. Use a whole number >= 1."
    big = pd.DataFrame({"hours": np.arange(10_001.0), "money": np.arange(10_001.0)})
    with pytest.raises(DataError) as caught:
        export_script(big, RunConfig(target="money", normalize=True), name=TYPED_TABLE)
    assert caught.value.code == "export.error.too_large"
    assert "(20,002 cells; the limit is 20,000)" in str(caught.value)
    assert "셀 20,002개" in caught.value.in_language("ko")


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


def test_export_reads_the_table_as_train_does_for_a_workbook_sheet(ran):
    job = ran["workbook"]
    assert 'sheet_name="data"' in job.script
    assert job.out == job.expected
