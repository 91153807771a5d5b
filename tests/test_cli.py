"""`python -m linreg_core` as a user runs it: the log, strict JSON, and exit status 2."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from tests.conftest import ROOT, SAMPLES


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "linreg_core", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        preexec_fn=_memory_cap,
    )


def _memory_cap() -> None:
    """At most 4 GB of address space: a reader that reads without end fails, not the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))


def strict(text: str) -> dict:
    def refuse(token: str):
        raise AssertionError(f"non-strict JSON token {token}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def table(tmp_path_factory) -> str:
    rng = np.random.default_rng(2)
    x1, x2 = rng.normal(50, 10, 300), rng.normal(-3, 2, 300)
    df = pd.DataFrame({"x1": x1, "x2": x2, "y": 2 * x1 - 4 * x2 + 7 + rng.normal(size=300)})
    path = tmp_path_factory.mktemp("cli") / "t.csv"
    df.to_csv(path, index=False)
    return str(path)


def test_compare_json_follows_the_contract(table):
    out = cli(
        "compare",
        table,
        "--target",
        "y",
        "--optimizers",
        "sgd,adam",
        "--normalize",
        "zscore",
        "--lr",
        "0.1",
        "--test-size",
        "0.2",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    doc = strict(out.stdout)
    assert set(doc) == {"runs", "ols", "seconds", "curvature"}
    keys = {
        "optimizer",
        "epochs",
        "epochs_run",
        "diverged",
        "diverged_at",
        "weights",
        "bias",
        "weights_original",
        "bias_original",
        "train_metrics",
        "test_metrics",
        "rows",
        "scaler",
        "ols",
        "seconds",
        "lr_limit",
        "advice",
    }
    assert [r["optimizer"] for r in doc["runs"]] == ["sgd", "adam"]
    for r in doc["runs"]:
        assert keys <= set(r)
        assert r["rows"] == {"train": 240, "test": 60, "dropped": 0, "filtered": 0, "outliers": 0}
        assert set(r["train_metrics"]) == {"mse", "rmse", "mae", "r2"}
    sgd = doc["runs"][0]
    assert sgd["scaler"]["target_mean"] is None and len(sgd["scaler"]["mean"]) == 2
    # the optimum in original units fits the training rows no worse than any other line
    assert doc["ols"]["mse"] <= sgd["train_metrics"]["mse"] + 1e-9
    np.testing.assert_allclose(sgd["weights_original"], doc["ols"]["weights_original"], rtol=1e-3)


def test_train_json_without_split_equals_lstsq_on_all_rows(table):
    out = cli("train", table, "--target", "y", "--normalize", "zscore", "--lr", "0.1", "--json")
    doc = strict(out.stdout)
    df = pd.read_csv(table)
    A = np.hstack([df[["x1", "x2"]].to_numpy(), np.ones((300, 1))])
    theta, *_ = np.linalg.lstsq(A, df["y"].to_numpy(), rcond=None)
    np.testing.assert_allclose(doc["ols"]["weights_original"], theta[:2], rtol=1e-9)
    assert doc["ols"]["bias_original"] == pytest.approx(theta[2], rel=1e-9)
    assert doc["ols"]["mse"] == pytest.approx(np.mean((A @ theta - df["y"]) ** 2), rel=1e-9)
    np.testing.assert_allclose(doc["weights_original"], theta[:2], rtol=1e-4)
    assert doc["test_metrics"] is None and doc["rows"]["test"] == 0


def test_divergence_is_reported_as_strict_json_with_nulls():
    out = cli("train", str(SAMPLES / "hours_money.csv"), "--target", "money", "--lr", "5", "--json")
    assert out.returncode == 0
    doc = strict(out.stdout)
    assert doc["diverged"] is True and doc["diverged_at"] == doc["epochs_run"] + 1
    assert out.stderr == ""


def test_text_log_tells_about_divergence_in_words():
    out = cli("train", str(SAMPLES / "hours_money.csv"), "--target", "money", "--lr", "5")
    assert out.returncode == 0
    limit = 2 / np.linalg.eigvalsh(_hessian_of(np.array([1.0, 2.0, 3.0])))[-1]  # 0.18
    assert "diverged at epoch" in out.stdout
    assert f"Use a learning rate below {limit:.3g}." in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "missing.csv", "--target", "y"], "No such file"),
        (["train", "{hm}", "--target", "nope"], "No column named 'nope'"),
        (["train", "{hm}", "--target", "money", "--lr", "-1"], "Invalid learning rate"),
        (["train", "{hm}", "--target", "money", "--lr", "abc"], "invalid float value"),
        (["train", "{hm}", "--target", "money", "--optimizer", "lbfgs"], "Known optimizers"),
        (["train", "{hm}", "--target", "money", "--epochs", "0"], "epochs"),
        (["train", "{hm}", "--target", "money", "--test-size", "0.9"], "leaves none"),
        (["train", "{hm}", "--target", "money", "--features", "money"], "cannot predict itself"),
        (["compare", "{hm}"], "--target"),
        (["sweep", "{hm}", "--target", "money", "--lrs", "0.1,abc"], "'abc': not a number"),
        (["sweep", "{hm}", "--target", "money", "--lrs", "0.1,-2"], "Invalid learning rate"),
        (["sweep", "{hm}", "--target", "money", "--lrs", ","], "No learning rate"),
        (["sweep", "{hm}", "--target", "money"], "--lrs"),
        (["sweep", "{hm}", "--target", "money", "--lrs", "0.1", "--lr", "1"], "--lr"),
        (["compare", "{hm}", "--target", "money", "--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_input_exits_2_with_one_line_on_stderr(args, message):
    hm = str(SAMPLES / "hours_money.csv")
    out = cli(*[a.replace("{hm}", hm) for a in args])
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], out.stderr
    assert "Traceback" not in out.stderr


def test_mini_batch_log_and_separate_test_file(tmp_path, table):
    df = pd.read_csv(table)
    df.iloc[:250].to_csv(tmp_path / "train.csv", index=False)
    df.iloc[250:].to_csv(tmp_path / "test.csv", index=False)
    out = cli(
        "train",
        str(tmp_path / "train.csv"),
        "--target",
        "y",
        "--test",
        str(tmp_path / "test.csv"),
        "--batch-size",
        "32",
        "--epochs",
        "20",
        "--normalize",
        "zscore",
        "--log-every",
        "5",
        "--json",
    )
    doc = strict(out.stdout)
    assert doc["rows"] == {"train": 250, "test": 50, "dropped": 0, "filtered": 0, "outliers": 0}
    assert doc["epochs_run"] == 20 and doc["test_metrics"]["r2"] > 0.9


def test_a_run_estimated_too_long_is_refused_with_the_estimate_and_the_fix():
    # 1 optimizer x 100,000 epochs x 800 batches of one row: about 80 million steps
    out = cli(
        "train",
        str(SAMPLES / "apartments.csv"),
        "--target",
        "price_eok",
        "--epochs",
        "100000",
        "--batch-size",
        "1",
    )
    assert out.returncode == 2 and out.stdout == ""
    (line,) = out.stderr.strip().splitlines()
    assert "would take about" in line and "100,000 epochs x 800 batches of 1 rows" in line
    assert "limit is 5 min" in line and "--allow-long" in line


def test_a_long_run_allowed_reports_progress_on_stderr_and_keeps_stdout_json():
    # about 10 s by the estimate: announced, and reported every 5 s, on stderr only
    out = cli(
        "train",
        str(SAMPLES / "apartments.csv"),
        "--target",
        "price_eok",
        "--features",
        "area_m2",
        "--epochs",
        "1000",
        "--batch-size",
        "1",
        "--normalize",
        "zscore",
        "--allow-long",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["epochs_run"] == 1000
    lines = out.stderr.strip().splitlines()
    assert lines[0].startswith("training: about ")
    assert lines[-1].startswith("training: 1,000 of 1,000 epochs (100%)")


def refused(out: subprocess.CompletedProcess, message: str) -> None:
    """Exit status 2, nothing on stdout and one line on stderr that says `message`."""
    assert out.returncode == 2, out.stderr
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], out.stderr


def test_a_named_pipe_without_a_writer_is_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    out = cli("train", str(fifo), "--target", "y", timeout=30)  # opening it would wait forever
    refused(out, f"{str(fifo)!r} is a named pipe (FIFO), not a regular file")


def test_an_endless_character_device_is_refused_without_reading_it():
    out = cli("train", "/dev/zero", "--target", "y", timeout=30)
    refused(out, "'/dev/zero' is a character device, not a regular file")


def test_a_file_over_the_size_limit_is_refused_with_its_size_and_the_limit(tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:
        f.truncate(2**30)  # sparse: 1 GB long, no disk used
    out = cli("train", str(path), "--target", "y", timeout=30)
    refused(out, f"{str(path)!r} is 1,024.0 MB (1,073,741,824 bytes); the limit is 512 MB")


def test_sheet_option_reads_that_sheet_of_a_workbook(tmp_path):
    book = tmp_path / "book.xlsx"
    x = np.arange(1.0, 9.0)
    sheets = {
        "README": pd.DataFrame({"about": ["survey", "of two rooms"]}),
        "first": pd.DataFrame({"x": x, "y": 2 * x + 1}),
        "second": pd.DataFrame({"x": x, "y": 3 * x - 4}),
    }
    with pd.ExcelWriter(book) as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    default = strict(cli("train", str(book), "--target", "y", "--json").stdout)
    assert default["ols"]["weights_original"] == pytest.approx([2.0])  # the first with numbers
    for command in ("train", "compare"):
        out = cli(command, str(book), "--target", "y", "--sheet", "second", "--json")
        assert out.returncode == 0, out.stderr
        doc = strict(out.stdout)
        assert doc["ols"]["weights_original"] == pytest.approx([3.0])
        assert doc["ols"]["bias_original"] == pytest.approx(-4.0)


def test_an_unknown_sheet_exits_2_naming_the_sheets(tmp_path):
    book = tmp_path / "book.xlsx"
    table = pd.DataFrame({"x": [1.0, 2, 3], "y": [2.0, 4, 6]})
    table.to_excel(book, sheet_name="data", index=False)
    out = cli("train", str(book), "--target", "y", "--sheet", "Data2")
    refused(out, "'book.xlsx' has no sheet named 'Data2'. Its sheets: 'data'.")


def test_a_table_wider_than_the_feature_limit_exits_2_and_says_to_choose_features(tmp_path):
    rng = np.random.default_rng(4)
    df = pd.DataFrame(rng.normal(size=(40, 121)), columns=[f"c{i}" for i in range(121)])
    df.to_csv(tmp_path / "wide.csv", index=False)

    out = cli("compare", str(tmp_path / "wide.csv"), "--target", "c120", "--epochs", "5")

    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "120 features" in out.stderr and "--features" in out.stderr, out.stderr


def test_an_unknown_flag_points_to_help_once():
    out = cli("compare", str(SAMPLES / "hours_money.csv"), "--target", "money", "--bogus")
    refused(out, "(see: python -m linreg_core --help)")
    out = cli("train", str(SAMPLES / "hours_money.csv"))
    refused(out, "(see: python -m linreg_core train --help)")


def _cars_hessian(features: list[str], normalize: bool = False) -> np.ndarray:
    """(2/m) A^T A of the used-car-like table, A = [X, 1], built here with numpy."""
    X = pd.read_csv(SAMPLES / "used_cars_like.csv")[features].to_numpy(dtype=float)
    if normalize:
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    A = np.column_stack([X, np.ones(len(X))])
    return 2 * A.T @ A / len(A)


def test_compare_json_gives_the_curvature_each_run_s_limit_and_advice():
    cars = str(SAMPLES / "used_cars_like.csv")
    args = ["--target", "Price", "--features", "Kilometers_Driven", "--json"]
    out = cli("compare", cars, *args, "--optimizers", "sgd,momentum,adam")
    assert out.returncode == 0, out.stderr
    doc = strict(out.stdout)
    values = np.linalg.eigvalsh(_cars_hessian(["Kilometers_Driven"]))
    np.testing.assert_allclose(doc["curvature"]["hessian_eigenvalues"], values, rtol=1e-7)
    assert doc["curvature"]["condition_number"] == pytest.approx(values[1] / values[0], rel=1e-6)
    sgd, momentum, adam = doc["runs"]
    assert sgd["lr_limit"] == pytest.approx(2 / values[1], rel=1e-9)
    assert momentum["lr_limit"] == pytest.approx(3.8 / values[1], rel=1e-9)
    assert adam["lr_limit"] is None
    assert sgd["diverged"] and f"stable limit {2 / values[1]:.3g}" in sgd["advice"]
    # z-scored, sgd at 0.1 reaches the optimum: no advice; the limit is 2 / 2 = 1
    out = cli("train", cars, *args, "--normalize", "zscore", "--lr", "0.1")
    doc = strict(out.stdout)
    assert doc["advice"] is None and doc["lr_limit"] == pytest.approx(1.0, rel=1e-9)
    assert doc["curvature"]["condition_number"] == pytest.approx(1.0, rel=1e-9)


def test_sweep_json_has_a_row_per_optimizer_and_rate_and_the_curvature():
    cars = str(SAMPLES / "used_cars_like.csv")
    common = ["--target", "Price", "--normalize", "zscore", "--epochs", "200"]
    out = cli("sweep", cars, *common, "--optimizers", "sgd,adam", "--lrs", "0.01,0.1,3", "--json")
    assert out.returncode == 0, out.stderr
    doc = strict(out.stdout)
    assert set(doc) == {"runs", "curvature"}
    assert [(r["optimizer"], r["lr"]) for r in doc["runs"]] == [
        (n, lr) for n in ("sgd", "adam") for lr in (0.01, 0.1, 3.0)
    ]
    keys = {"optimizer", "lr", "diverged", "diverged_at", "train_mse", "test_mse", "epochs_to_1pct"}
    assert all(set(r) == keys for r in doc["runs"])
    features = ["Year", "Kilometers_Driven", "Engine"]
    lmax = np.linalg.eigvalsh(_cars_hessian(features, normalize=True))[-1]
    assert [r["diverged"] for r in doc["runs"][:3]] == [lr > 2 / lmax for lr in (0.01, 0.1, 3)]
    # the same run as compare makes it
    alone = strict(cli("train", cars, *common, "--lr", "0.1", "--json").stdout)
    assert doc["runs"][1]["train_mse"] == pytest.approx(alone["train_metrics"]["mse"], rel=1e-6)


def test_sweep_text_is_a_table_with_each_optimizer_s_limit_and_best_rate():
    out = cli(
        "sweep",
        str(SAMPLES / "hours_money.csv"),
        "--target",
        "money",
        "--optimizers",
        "sgd,rmsprop",
        "--lrs",
        "0.001,0.01,0.1",
    )
    assert out.returncode == 0, out.stderr
    x = np.array([1.0, 2.0, 3.0])
    limit = 2 / np.linalg.eigvalsh(_hessian_of(x))[-1]
    assert "epochs to 1% of optimum" in out.stdout
    assert f"sgd: best lr 0.1; stable below lr {limit:.6g}" in out.stdout  # 0.1 < 0.18
    assert "rmsprop: best lr" in out.stdout and "whatever the curvature" in out.stdout


def _hessian_of(x: np.ndarray) -> np.ndarray:
    A = np.column_stack([x, np.ones(len(x))])
    return 2 * A.T @ A / len(A)


def test_a_sweep_estimated_too_long_is_refused_before_it_starts():
    # 2 optimizers x 10 rates x 100,000 epochs x 800 batches of one row
    out = cli(
        "sweep",
        str(SAMPLES / "apartments.csv"),
        "--target",
        "price_eok",
        "--optimizers",
        "sgd,adam",
        "--lrs",
        ",".join(str(10.0**-k) for k in range(10)),
        "--epochs",
        "100000",
        "--batch-size",
        "1",
    )
    refused(out, "20 optimizers x 100,000 epochs x 800 batches of 1 rows")
