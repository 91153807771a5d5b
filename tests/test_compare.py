"""Several optimizers on one problem: same start, summary rows, the landscape."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from linreg_core import ConfigError, OptimizerConfig, RunConfig, report, run

FOUR = tuple(OptimizerConfig(n, lr=0.1) for n in ("sgd", "momentum", "rmsprop", "adam"))


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    x = rng.uniform(20, 120, 400)
    return pd.DataFrame({"area": x, "price": 0.08 * x + 3 + rng.normal(0, 0.6, 400)})


@pytest.fixture(scope="module")
def comp(table):
    cfg = RunConfig(
        target="price",
        normalize=True,
        test_size=0.25,
        epochs=300,
        init="random",
        seed=3,
        optimizers=FOUR,
    )
    return run(table, cfg)


def test_every_optimizer_starts_from_the_same_parameters(comp):
    starts = {(h.weights[0, 0], h.bias[0]) for h in comp.runs}
    assert len(starts) == 1
    assert starts.pop() == tuple(np.float32(comp.start))
    assert comp.start[0] != 0  # a random start really is random


def test_summary_has_a_row_per_optimizer_and_the_optimum(comp):
    s = report.summary(comp)
    assert s["optimizer"].tolist() == ["sgd", "momentum", "rmsprop", "adam", "least squares"]
    ds = comp.dataset
    A = np.column_stack([ds.X_train[:, 0], np.ones(len(ds.y_train))])
    theta, *_ = np.linalg.lstsq(A, ds.y_train, rcond=None)
    best = s.iloc[-1]
    assert best["weights (original units)"][0] == pytest.approx(theta[0], rel=1e-9)
    assert best["bias (original units)"] == pytest.approx(theta[1], rel=1e-9)
    assert best["train MSE"] == pytest.approx(np.mean((A @ theta - ds.y_train) ** 2), rel=1e-9)
    test_mse = np.mean((ds.X_test[:, 0] * theta[0] + theta[1] - ds.y_test) ** 2)
    assert best["test MSE"] == pytest.approx(test_mse, rel=1e-9)
    assert (s["train MSE"].iloc[:-1] >= best["train MSE"] - 1e-9).all()


def test_epochs_to_optimum_is_where_the_loss_stays_within_one_percent(comp):
    bar = comp.ols.mse * 1.01
    for h in comp.runs:
        e = comp.epochs_to_optimum(h)
        if e is None:
            assert h.train_loss[-1] > bar
        else:
            assert (h.train_loss[e - 1 :] <= bar).all()
            assert e == 1 or h.train_loss[e - 2] > bar


def test_epochs_to_optimum_of_an_exact_fit_uses_a_bar_relative_to_the_start():
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [30.0, 60.0, 90.0]})
    cfg = RunConfig(
        target="y", epochs=1000, optimizers=(OptimizerConfig("sgd"), OptimizerConfig("momentum"))
    )
    comp = run(df, cfg)
    sgd, momentum = comp.runs
    assert comp.epochs_to_optimum(sgd) is None  # seed 000: the loss is still 0.14 at epoch 1000
    e = comp.epochs_to_optimum(momentum)
    bar = comp.ols.mse + 1e-6 * momentum.train_loss[0]
    assert e is not None and (momentum.train_loss[e - 1 :] <= bar).all()
    assert momentum.train_loss[e - 2] > bar


def test_landscape_contours_are_the_mse_over_the_rows_and_the_frame_holds_every_path(comp):
    view = comp.landscape(width=400, height=340)
    X, y = comp.problem.X_train[:, 0], comp.problem.y_train
    for _, row in view.contours.sample(20, random_state=0).iterrows():
        direct = np.mean((row["x"] * X + row["y"] - y) ** 2)
        assert row["loss"] == pytest.approx(direct, rel=1e-9)
    for h in comp.runs:
        assert view.frame.inside(np.column_stack([h.weights[:, 0], h.bias])).all()
    assert view.frame.inside(np.array([[comp.ols.weights[0], comp.ols.bias]])).all()


def test_predict_undoes_the_target_scaling(table):
    cfg = RunConfig(
        target="price",
        normalize=True,
        normalize_target=True,
        epochs=500,
        optimizers=(OptimizerConfig("adam", lr=0.05),),
    )
    comp = run(table, cfg)
    h = comp.runs[0]
    w, b = comp.original(h)
    X = table[["area"]].to_numpy()
    np.testing.assert_allclose(comp.predict(X, h), X @ w + b, rtol=1e-9)
    assert abs(comp.problem.y_train.mean()) < 1e-9  # the target really was scaled


def test_same_optimizer_twice_gets_distinct_labels(table):
    cfg = RunConfig(
        target="price",
        normalize=True,
        epochs=5,
        optimizers=(OptimizerConfig("sgd", lr=0.1), OptimizerConfig("sgd", lr=0.01)),
    )
    labels = [h.label for h in run(table, cfg).runs]
    assert labels == ["sgd (lr=0.1)", "sgd (lr=0.01)"]


def test_landscape_frames_the_runs_that_did_not_diverge(table):
    cfg = RunConfig(
        target="price",
        epochs=200,
        optimizers=(OptimizerConfig("sgd", lr=1.0), OptimizerConfig("adam", lr=0.1)),
    )
    comp = run(table, cfg)  # raw areas up to 120: SGD at lr 1 blows up, Adam does not
    blown, calm = comp.runs
    assert blown.diverged and not calm.diverged
    view = comp.landscape(width=400, height=340)
    assert view.frame.inside(np.column_stack([calm.weights[:, 0], calm.bias])).all()
    assert view.frame.x_domain[1] < np.abs(blown.weights[:, 0]).max()  # not stretched to it
    assert blown.label in view.left and calm.label not in view.left


def test_a_saved_model_says_whether_it_diverged() -> None:
    from linreg_core import report

    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [30.0, 60.0, 90.0]})
    cfg = RunConfig(
        target="y",
        epochs=100,
        optimizers=(OptimizerConfig("sgd", lr=10.0), OptimizerConfig("adam", lr=0.1)),
    )
    comp = run(df, cfg)

    blown, calm = (report.model_dict(comp, h) for h in comp.runs)
    assert blown["diverged"] is True and blown["diverged_at"] == comp.runs[0].diverged_at
    assert calm["diverged"] is False and calm["diverged_at"] is None
    assert report.model_dict(comp, None)["diverged"] is False


def test_a_comparison_keeps_each_chosen_row_once_even_when_it_trained_on_z_scores():
    rng = np.random.default_rng(8)
    x = rng.normal(50, 10, size=(100_000, 2))
    table = pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "y": x @ [2.0, -1.0] + 3})
    comp = run(table, RunConfig(target="y", normalize=True, test_size=0.2, epochs=5))
    ds = comp.dataset
    rows = sum(a.nbytes for a in (ds.X_train, ds.y_train, ds.X_test, ds.y_test))
    rows += ds.train_rows.nbytes + ds.test_rows.nbytes
    history = sum(h.weights.nbytes + h.grad.nbytes + h.train_loss.nbytes * 2 for h in comp.runs)

    held = len(pickle.dumps(comp))  # every array the comparison holds, once each

    assert held < 1.05 * (rows + history) + 100_000, (held, rows)  # no z-scored second copy
    z = comp.problem.X_train  # the z-scored rows are there when asked for
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(z.std(axis=0), 1, rtol=1e-9)


def test_a_history_too_big_to_keep_is_refused_before_training_with_the_epochs_that_fit():
    rng = np.random.default_rng(9)
    X = rng.normal(size=(120, 60))
    table = pd.DataFrame(X, columns=[f"f{i}" for i in range(60)]).assign(y=X.sum(axis=1))
    cfg = RunConfig(target="y", epochs=10_000, normalize=True, optimizers=FOUR)  # 2.44 million

    with pytest.raises(ConfigError) as refused:
        run(table, cfg)

    message = str(refused.value)
    assert "10,000 epochs" in message and "61 parameters" in message and "4 optimizers" in message
    assert "at most 8,196 epochs" in message, message  # 2,000,000 // (61 * 4)
    assert run(table, RunConfig(target="y", epochs=8_196, normalize=True, optimizers=FOUR)).runs
