"""The seeds' published numbers, reproduced to their last printed digit."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from linreg_core import OptimizerConfig, RunConfig, read_table, run
from linreg_core.report import epoch_log
from tests.conftest import ROOT, SAMPLES

SEED_000_LOG = """\
Epoch  100/1000 W: 26.1762, b: 8.6920, Cost: 10.890694
Epoch  200/1000 W: 26.9943, b: 6.8328, Cost: 6.729773
Epoch  300/1000 W: 27.6372, b: 5.3712, Cost: 4.158598
Epoch  400/1000 W: 28.1426, b: 4.2222, Cost: 2.569760
Epoch  500/1000 W: 28.5399, b: 3.3191, Cost: 1.587953
Epoch  600/1000 W: 28.8523, b: 2.6091, Cost: 0.981258
Epoch  700/1000 W: 29.0978, b: 2.0510, Cost: 0.606357
Epoch  800/1000 W: 29.2908, b: 1.6123, Cost: 0.374696
Epoch  900/1000 W: 29.4425, b: 1.2674, Cost: 0.231537
Epoch 1000/1000 W: 29.5617, b: 0.9963, Cost: 0.143077"""

# seed 003, printed before each step: (W after k steps, cost at that W)
SEED_003 = [
    (0.0, 4.666666507720947),
    (1.4000, 0.7466669678688049),
    (0.8400, 0.11946680396795273),
    (1.0640, 0.0191146582365036),
    (0.9744, 0.00305833644233644),
    (1.0102, 0.0004893290461041033),
    (0.9959, 7.829209789633751e-05),
    (1.0016, 1.2527179023891222e-05),
    (0.9993, 2.0041973129991675e-06),
    (1.0003, 3.206215808404522e-07),
    (0.9999, 5.128529423359396e-08),
]


def test_cli_defaults_print_seed_000_log_digit_for_digit():
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "linreg_core",
            "train",
            str(SAMPLES / "hours_money.csv"),
            "--target",
            "money",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert out.stdout.strip() == SEED_000_LOG
    assert out.stderr == ""


def test_gd_manual_follows_seed_000_within_2e_4():
    df = read_table(SAMPLES / "hours_money.csv")
    comp = run(df, RunConfig(target="money", optimizers=(OptimizerConfig("gd-manual"),)))
    h = comp.runs[0]
    for line in SEED_000_LOG.splitlines():
        epoch = int(line.split("/")[0].split()[-1])
        w, b, cost = (float(v) for v in re.findall(r": (-?[\d.]+)", line))
        assert h.weights[epoch, 0] == pytest.approx(w, abs=2e-4)
        assert h.bias[epoch] == pytest.approx(b, abs=2e-4)
        assert h.train_loss[epoch - 1] == pytest.approx(cost, abs=2e-4)


def test_seed_001_study_hours_reach_published_weights():
    df = read_table(SAMPLES / "study_score.csv")
    comp = run(df, RunConfig(target="score", epochs=2000))
    h = comp.runs[0]
    assert f"{h.final_weights[0]:.3f}" == "12.529"
    assert f"{h.final_bias:.3f}" == "42.415"


def test_seed_003_without_bias_matches_every_printed_epoch():
    df = read_table(SAMPLES / "hours_points.csv")
    cfg = RunConfig(
        target="points", bias=False, epochs=11, optimizers=(OptimizerConfig("sgd", lr=0.15),)
    )
    h = run(df, cfg).runs[0]
    assert h.bias is None
    for k, (w, cost) in enumerate(SEED_003):
        assert f"{h.weights[k, 0]:.4f}" == f"{w:.4f}"
        # the seed printed float32 costs with repr; ours are the same float32 values
        assert np.float32(h.train_loss[k]) == np.float32(cost)


def test_seed_002_used_cars_zscore_sgd_reaches_published_weights(used_cars_train):
    df = read_table(used_cars_train)
    assert "Unnamed" not in df.columns  # the saved index is not data
    cfg = RunConfig(
        target="Price",
        features=("Kilometers_Driven",),
        normalize=True,
        optimizers=(OptimizerConfig("sgd", lr=0.1),),
    )
    comp = run(df, cfg)
    h = comp.runs[0]
    assert round(h.final_weights[0], 3) == -0.129
    assert round(h.final_bias, 3) == 9.479
    # ../shared/data/README.md: least squares on z-scored km gives W = -0.128570, b = 9.479468
    assert comp.ols.weights[0] == pytest.approx(-0.128570, abs=1e-6)
    assert comp.ols.bias == pytest.approx(9.479468, abs=1e-6)
    km = pd.to_numeric(df["Kilometers_Driven"])
    assert comp.scaler.mean[0] == pytest.approx(km.mean())
    assert comp.scaler.std[0] == pytest.approx(km.std(ddof=0))


def test_seed_002_test_rows_use_training_statistics(used_cars_train):
    df = read_table(used_cars_train)
    cfg = RunConfig(
        target="Price",
        features=("Kilometers_Driven",),
        normalize=True,
        test_size=0.2,
        seed=1,
        optimizers=(OptimizerConfig("sgd", lr=0.1),),
    )
    comp = run(df, cfg)
    train_km = comp.dataset.X_train[:, 0]
    z_test = (comp.dataset.X_test[:, 0] - train_km.mean()) / train_km.std()
    np.testing.assert_allclose(comp.problem.X_test[:, 0], z_test, rtol=1e-12)
    assert abs(comp.problem.X_test[:, 0].mean()) > 0  # not re-centred on its own mean


def test_epoch_log_formats_several_features_without_bias():
    df = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [0.5, 0.1, 0.9, 0.3], "y": [1.0, 2, 2.5, 4]})
    comp = run(df, RunConfig(target="y", bias=False, epochs=20))
    lines = epoch_log(comp.runs[0])
    assert len(lines) == 10
    assert lines[-1].startswith("Epoch   20/20 W1: ")
    assert ", W2: " in lines[-1] and "b:" not in lines[-1]
