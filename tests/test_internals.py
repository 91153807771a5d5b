"""The engine's record of each optimizer's internals against torch.optim's classes stepping the
same problem with autograd, on the plain, fast and mini-batch paths."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch

from linreg_core import OPTIMIZERS, Comparison, ConfigError, OptimizerConfig, RunConfig, run
from linreg_core.errors import Said
from linreg_core.explain import explain_step, one_step, row_columns
from linreg_core.internals import effective_lr, internals
from linreg_core.report import epoch_log
from linreg_core.train import Problem, train
from linreg_core.why import findings, why
from tests.conftest import ROOT, SAMPLES

LR = 0.05
# torch.optim's classes, hyperparameters written out here (not read from the registry); the
# hand-written rule is SGD's update with the gradient from the formulas
TORCH = {
    "sgd": lambda p: torch.optim.SGD(p, lr=LR),
    "momentum": lambda p: torch.optim.SGD(p, lr=LR, momentum=0.9),
    "nesterov": lambda p: torch.optim.SGD(p, lr=LR, momentum=0.9, nesterov=True),
    "rmsprop": lambda p: torch.optim.RMSprop(p, lr=LR, alpha=0.99, eps=1e-8),
    "adam": lambda p: torch.optim.Adam(p, lr=LR, betas=(0.9, 0.999), eps=1e-8),
    "adamw": lambda p: torch.optim.AdamW(p, lr=LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01),
    "adagrad": lambda p: torch.optim.Adagrad(p, lr=LR, eps=1e-10),
    "gd-manual": lambda p: torch.optim.SGD(p, lr=LR),
}
EPOCHS = 30
RTOL = 1e-5
# where the paths run: (path argument, batch size)
PATHS = {"plain": ("auto", None), "fast": ("fast", None), "minibatch": ("auto", 8)}


def test_every_registry_optimizer_has_a_torch_reference_here() -> None:
    assert set(TORCH) == set(OPTIMIZERS)


def far_problem(m: int = 40) -> Problem:
    """Rows whose optimum is far from the zero start, so that the steps stay large."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(m, 2)) * np.array([1.0, 3.0])
    y = X @ np.array([5.0, -8.0]) + 4.0 + 0.3 * rng.normal(size=m)
    return Problem(X, y, X[:0], y[:0])


def torch_record(
    problem: Problem, name: str, epochs: int, batch_size: int | None = None, seed: int = 0
) -> dict[str, np.ndarray]:
    """The tutorials' loop with a torch.optim class: per epoch the mean gradient, the step and
    the class's own state after the epoch's last step, ordered [W..., b]."""
    X = torch.tensor(problem.X_train, dtype=torch.float32)
    y = torch.tensor(problem.y_train, dtype=torch.float32)
    W = torch.zeros(X.shape[1], requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    opt = TORCH[name]([W, b])
    gen = torch.Generator().manual_seed(seed)
    out: dict[str, list] = {"grad": [], "step": [], "t": []}

    def params() -> np.ndarray:
        return np.append(W.detach().numpy(), b.detach().numpy()).astype(np.float64)

    for _ in range(epochs):
        before = params()
        batches = [torch.arange(len(y))]
        if batch_size:
            order = torch.randperm(len(y), generator=gen)
            batches = [order[i : i + batch_size] for i in range(0, len(y), batch_size)]
        grads = []
        for idx in batches:
            cost = torch.mean(((X[idx] * W).sum(dim=1) + b - y[idx]) ** 2)
            opt.zero_grad()
            cost.backward()
            grads.append(np.append(W.grad.numpy(), b.grad.numpy()).astype(np.float64))
            opt.step()
        out["grad"].append(np.mean(grads, axis=0))
        out["step"].append(params() - before)
        for key, value in opt.state[W].items():
            if key == "step":
                out["t"].append(float(value))
                continue
            both = np.append(value.numpy(), opt.state[b][key].numpy())
            out.setdefault(key, []).append(both.astype(np.float64))
    return {k: np.array(v) for k, v in out.items()}


def assert_close(mine: np.ndarray, theirs: np.ndarray, what: str) -> None:
    """Within 1e-5 of each parameter's largest size over the run (a column of theirs): a
    gradient that crosses zero has no size of its own to be relative to, and paths that round
    differently in float32 differ by rounding of that largest size."""
    scale = RTOL * np.max(np.abs(theirs), axis=0)  # (k,)
    off = np.abs(mine - theirs)
    assert (off <= scale).all(), f"{what}: off by {off.max(axis=0)}, allowed {scale}"


@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_recorded_gradient_step_and_state_equal_torch_optims(name: str, path: str) -> None:
    problem = far_problem()
    how, batch = PATHS[path]
    h = train(
        problem,
        OptimizerConfig(name, lr=LR),
        torch.zeros(3),
        epochs=EPOCHS,
        batch_size=batch,
        seed=2,
        path=how,
    )
    assert h.path == path and h.epochs_run == EPOCHS
    ref = torch_record(problem, name, EPOCHS, batch_size=batch, seed=2)
    mine = internals(h)
    state_names = set(ref) - {"grad", "step", "t"}
    assert set(h.state) == state_names  # torch's names, no more, no fewer
    for key in ["grad", "step", *sorted(state_names)]:
        assert mine[key].shape == (EPOCHS, 3)
        assert_close(mine[key], ref[key], f"{name} {path} {key}")
        if path == "plain" and name != "gd-manual":  # autograd's bits and torch's own update
            np.testing.assert_array_equal(mine[key], ref[key], err_msg=f"{name} {key}")


# torch's effective rate, written out here from the class's own state and step counter
def torch_rate(name: str, ref: dict[str, np.ndarray]) -> np.ndarray | None:
    t = ref["t"][:, None]
    if name == "rmsprop":
        return LR / (np.sqrt(ref["square_avg"]) + 1e-8)
    if name == "adagrad":
        return LR / (np.sqrt(ref["sum"]) + 1e-10)
    if name in ("adam", "adamw"):
        return LR / (1 - 0.9**t) / (np.sqrt(ref["exp_avg_sq"]) / np.sqrt(1 - 0.999**t) + 1e-8)
    return None


@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_effective_learning_rate_is_torchs_and_makes_the_step(name: str, path: str) -> None:
    problem = far_problem()
    how, batch = PATHS[path]
    cfg = OptimizerConfig(name, lr=LR)
    h = train(problem, cfg, torch.zeros(3), epochs=EPOCHS, batch_size=batch, seed=2, path=how)
    ref = torch_record(problem, name, EPOCHS, batch_size=batch, seed=2)
    expected, mine = torch_rate(name, ref), effective_lr(h)
    if expected is None:
        assert mine is None and "effective_lr" not in internals(h)
        return
    assert mine is not None
    assert_close(mine, expected, f"{name} {path} effective_lr")
    if path != "minibatch":  # one step an epoch: the step is the rate times what it multiplies
        times = h.state["exp_avg"] if name.startswith("adam") else h.grad
        decay = h.params[:-1] * LR * 0.01 if name == "adamw" else 0.0  # AdamW's shrink first
        assert_close(
            -(mine * times) - decay, h.step, f"{name} {path} step = -rate x what it multiplies"
        )


# -- the command line ----------------------------------------------------------------------------
def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "linreg_core", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def strict(text: str) -> dict:
    def refuse(token: str):
        raise AssertionError(f"non-strict JSON token {token}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def far_csv(tmp_path_factory) -> tuple[str, Problem]:
    p = far_problem()
    df = pd.DataFrame({"x1": p.X_train[:, 0], "x2": p.X_train[:, 1], "y": p.y_train})
    path = tmp_path_factory.mktemp("internals") / "far.csv"
    df.to_csv(path, index=False)
    back = pd.read_csv(path)  # the rows exactly as the command reads them
    X = back[["x1", "x2"]].to_numpy()
    return str(path), Problem(X, back["y"].to_numpy(), X[:0], back["y"].to_numpy()[:0])


@pytest.mark.parametrize("name", ["momentum", "adam", "sgd"])
def test_train_json_internals_are_torchs_epochs_by_parameters(name, far_csv) -> None:
    path, problem = far_csv
    args = ["--target", "y", "--optimizer", name, "--lr", str(LR), "--epochs", str(EPOCHS)]
    out = cli("train", path, *args, "--json", "--internals")
    assert out.returncode == 0, out.stderr
    data = strict(out.stdout)
    ref = torch_record(problem, name, EPOCHS)
    got = data["internals"]
    states = set(ref) - {"grad", "step", "t"}
    rate = {"effective_lr"} if name == "adam" else set()
    assert list(got)[:2] == ["grad", "step"] and set(got) == {"grad", "step", *states, *rate}
    for key, values in got.items():
        assert np.array(values).shape == (EPOCHS, 3), key  # epochs x [w1, w2, b]
    for key in ["grad", "step", *states]:
        assert_close(np.array(got[key]), ref[key], f"cli {name} {key}")
    if rate:
        assert_close(np.array(got["effective_lr"]), torch_rate(name, ref), "cli effective_lr")
    # from the zero start, the steps add up to the final parameters, ordered as weights, bias
    total = np.sum(np.array(got["step"]), axis=0)
    np.testing.assert_allclose(total, [*data["weights"], data["bias"]], rtol=1e-5, atol=1e-6)


def test_train_json_internals_without_a_bias_have_one_column_per_weight(far_csv) -> None:
    path, problem = far_csv
    out = cli("train", path, "--target", "y", "--no-bias", "--epochs", "5", "--json", "--internals")
    assert out.returncode == 0, out.stderr
    got = strict(out.stdout)["internals"]
    assert set(got) == {"grad", "step"} and np.array(got["grad"]).shape == (5, 2)
    X, y = problem.X_train, problem.y_train
    first = -2 / len(y) * X.T @ y  # numpy's gradient of the MSE at the zero start
    np.testing.assert_allclose(got["grad"][0], first, rtol=1e-5)


def test_internals_without_json_is_refused_with_the_fix(far_csv) -> None:
    out = cli("train", far_csv[0], "--target", "y", "--internals")
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and "--json" in out.stderr


# -- one step explained --------------------------------------------------------------------------
LOG_LINE = re.compile(r"Epoch +(\d+)/\d+ W: (-?[\d.]+), b: (-?[\d.]+), Cost: ([\d.]+)")


@pytest.fixture(scope="module")
def seed_000() -> Comparison:
    """The tutorials' first table, trained as seed 000 does: sgd, lr 0.01, 1000 epochs, raw x."""
    df = pd.read_csv(SAMPLES / "hours_money.csv")
    return run(df, RunConfig(target="money", optimizers=(OptimizerConfig("sgd", lr=0.01),)))


def test_one_step_numbers_are_the_epoch_logs(seed_000) -> None:
    h = seed_000.runs[0]
    lines = epoch_log(h)
    assert len(lines) == 10
    X = np.array([1.0, 2.0, 3.0])  # the table itself
    y = np.array([30.0, 60.0, 90.0])
    for line in lines:
        epoch, w, b, cost = LOG_LINE.fullmatch(line).groups()
        s = explain_step(seed_000, "sgd", int(epoch))
        assert s.names == ["W", "b"]
        assert [f"{v:.4f}" for v in s.after] == [w, b]  # the log's W and b
        assert f"{s.cost:.6f}" == cost
        before_line = explain_step(seed_000, 0, int(epoch) - 1).after if int(epoch) > 1 else None
        if before_line is not None:
            np.testing.assert_array_equal(s.before, before_line)
        # numpy's gradient at the parameters before, and its per-row parts
        residual = s.before[0] * X + s.before[1] - y
        grad = 2 / 3 * np.array([residual @ X, residual.sum()])
        # the record is float32: predictions near 90 round by about 5e-6 before they are summed
        np.testing.assert_allclose(s.gradient, grad, rtol=1e-5, atol=1e-4)
        assert float(np.mean(residual**2)) == pytest.approx(s.cost, rel=1e-5)
        rows = s.rows
        assert rows is not None and list(rows["hours"]) == [1.0, 2.0, 3.0]
        np.testing.assert_allclose(rows["prediction"], s.before[0] * X + s.before[1], rtol=1e-12)
        np.testing.assert_allclose(rows["residual"], residual, rtol=1e-12)
        parts = rows[["part of D_W", "part of D_b"]].to_numpy().sum(axis=0)
        np.testing.assert_allclose(parts, grad, rtol=1e-12, atol=1e-12)
        # SGD: the step is -lr x the gradient, and the update shows those very numbers
        np.testing.assert_allclose(s.step, -0.01 * s.gradient, rtol=1e-4, atol=1e-6)
        np.testing.assert_array_equal(s.step, s.after - s.before)
        for j, name in enumerate(["W", "b"]):
            text = s.updates[j]
            assert text.startswith(f"{name} := {s.before[j]:.6g} − 0.01 × ")
            assert text.endswith(f" = {s.after[j]:.6g}") and f"{abs(s.gradient[j]):.6g}" in text


def test_one_step_of_a_three_feature_adam_run_carries_its_state_over() -> None:
    df = pd.read_csv(SAMPLES / "apartments.csv")
    feats = ("area_m2", "age_years", "station_km")
    cfg = RunConfig(
        target="price_eok",
        features=feats,
        normalize=True,
        epochs=50,
        optimizers=(OptimizerConfig("adam", lr=0.05),),
    )
    comp = run(df, cfg)
    h = comp.runs[0]
    first, second = explain_step(comp, "adam", 1), explain_step(comp, "adam", 2)
    assert first.names == ["W1", "W2", "W3", "b"]
    assert set(first.state_after) == {"exp_avg", "exp_avg_sq"}
    for key in first.state_after:
        np.testing.assert_array_equal(first.state_before[key], np.zeros(4))
        np.testing.assert_array_equal(second.state_before[key], first.state_after[key])
    # Adam's first step is lr against the gradient's sign, on every parameter
    np.testing.assert_allclose(first.step, -0.05 * np.sign(first.gradient), rtol=1e-5)
    assert first.effective_lr is not None
    np.testing.assert_allclose(first.step, -first.effective_lr * first.state_after["exp_avg"])
    np.testing.assert_array_equal(second.after, h.params[2])
    assert first.rows is None and "training rows" in str(first.rows_note)
    assert len(first.updates) == 4 and all("0.9^1" in u for u in first.updates)
    assert [len(lines) for lines in second.state_lines] == [2, 2, 2, 2]
    # numpy's gradient on the z-scored rows at the parameters before epoch 2
    p = comp.problem
    A = np.column_stack([p.X_train, np.ones(len(p.y_train))])
    grad = 2 / len(A) * A.T @ (A @ second.before - p.y_train)
    np.testing.assert_allclose(second.gradient, grad, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_writes_its_update_out(name) -> None:
    p = far_problem(12)
    h = train(p, OptimizerConfig(name, lr=LR), torch.zeros(3), epochs=3)
    s = one_step(p, h, 3)
    assert s.rows is not None and len(s.rows) == 12
    assert all(str(u).endswith(f"= {a:.6g}") for u, a in zip(s.updates, s.after, strict=True))
    # one line per state and parameter: torch's names, with the numbers after its step
    for key, values in s.state_after.items():
        for j, lines in enumerate(s.state_lines):
            assert any(str(line).startswith(f"{key} := ") for line in lines)
            assert any(str(line).endswith(f"= {values[j]:.6g}") for line in lines)


def test_a_mini_batch_epoch_is_shown_whole_and_a_missing_epoch_is_refused() -> None:
    p = far_problem()
    h = train(p, OptimizerConfig("momentum", lr=LR), torch.zeros(3), epochs=4, batch_size=8)
    s = one_step(p, h, 2)
    assert s.rows is None and "5 steps" in str(s.rows_note)
    np.testing.assert_array_equal(s.after - s.before, s.step)
    assert str(s.updates[0]).endswith("(5 mini-batch steps together)")
    with pytest.raises(ConfigError, match=r"Epoch 5 was not run: momentum ran epochs 1 to 4"):
        one_step(p, h, 5)
    with pytest.raises(ConfigError, match="Epoch 0 was not run"):
        one_step(p, h, 0)


# -- why the paths differ ------------------------------------------------------------------------
def line_problem() -> tuple[Problem, np.ndarray]:
    """One feature, y = 3x + 1 + noise, and numpy's least-squares [W, b]."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=30)
    y = 3 * x + 1 + 0.2 * rng.normal(size=30)
    A = np.column_stack([x, np.ones(30)])
    optimum = np.linalg.lstsq(A, y, rcond=None)[0]
    return Problem(x[:, None], y, x[:0, None], y[:0]), optimum


def heavy_ball(problem: Problem, lr: float, mu: float, epochs: int) -> np.ndarray:
    """(epochs + 1, 2) heavy-ball momentum in float64 numpy: v := mu v + g; t := t - lr v."""
    A = np.column_stack([problem.X_train, np.ones(len(problem.y_train))])
    t, v, path = np.zeros(2), np.zeros(2), [np.zeros(2)]
    for _ in range(epochs):
        g = 2 / len(A) * A.T @ (A @ t - problem.y_train)
        v = mu * v + g
        t = t - lr * v
        path.append(t)
    return np.array(path)


def test_momentums_overshoot_is_found_where_numpy_sees_it_pass_the_optimum() -> None:
    p, optimum = line_problem()
    h = train(p, OptimizerConfig("momentum", lr=0.1), torch.zeros(2), epochs=60)
    found = {f.fact: f for f in findings(h, optimum, ["W", "b"])}
    assert set(found) >= {"overshoot"}
    path = heavy_ball(p, 0.1, 0.9, 60)
    past = -(path[1:] - optimum) * np.sign(-optimum)  # > 0: beyond the optimum, seen from 0
    fraction = past.max(axis=0) / np.abs(optimum)
    j = int(np.argmax(fraction))
    first, peak = int(np.argmax(past[:, j] > 0)) + 1, int(np.argmax(past[:, j])) + 1
    numbers = found["overshoot"].numbers
    assert numbers["name"] == ["W", "b"][j]
    assert (numbers["first"], numbers["peak"]) == (first, peak)
    assert numbers["amount"] == pytest.approx(past[peak - 1, j], rel=1e-4)
    text = str(found["overshoot"].text)
    assert text.startswith(f"momentum passed the optimum's {['W', 'b'][j]} = ")
    assert f"at epoch {first}" in text and f"at epoch {peak}" in text
    assert f"{past[peak - 1, j]:.4g} past it" in text and "momentum_buffer" in text


def test_momentum_that_never_reaches_the_optimum_is_said_not_to_overshoot() -> None:
    p, optimum = line_problem()
    h = train(p, OptimizerConfig("momentum", lr=1e-3), torch.zeros(2), epochs=5)
    path = heavy_ball(p, 1e-3, 0.9, 5)
    assert (np.abs(path - optimum) <= np.abs(optimum)).all()  # numpy: still on the start's side
    (finding,) = findings(h, optimum, ["W", "b"])
    assert finding.fact == "no_overshoot" and "never passed the optimum" in str(finding.text)


@pytest.mark.parametrize("name", ["adam", "rmsprop"])
def test_adaptive_steps_are_quoted_near_lr_whatever_the_gradient(name) -> None:
    p = far_problem()
    h = train(p, OptimizerConfig(name, lr=LR), torch.zeros(3), epochs=EPOCHS)
    ref = torch_record(p, name, EPOCHS)
    steady = next(
        f for f in findings(h, np.zeros(3), ["W1", "W2", "b"]) if f.fact == "steady_steps"
    )
    g, steps = np.abs(ref["grad"]), np.abs(ref["step"])
    # torch's record: per parameter, the epochs until its gradient first falls below a tenth
    for j in range(3):
        small = np.flatnonzero(g[:, j] < 0.1 * g[0, j])
        w = max(1, small[0]) if len(small) else EPOCHS
        assert steady.numbers["step_median"][j] == pytest.approx(np.median(steps[:w, j]), rel=1e-4)
        assert steady.numbers["grad_median"][j] == pytest.approx(np.median(g[:w, j]), rel=1e-4)
    medians = np.array(steady.numbers["step_median"])
    assert (medians > 0.3 * LR).all() and (medians < 3 * LR).all()  # about lr ...
    grads = np.array(steady.numbers["grad_median"])
    assert grads.max() / grads.min() > 3  # ... while the gradients differ
    text = str(steady.text)
    assert f"(lr = {LR:.4g})" in text and f"W2 {medians[1]:.4g}" in text


def test_adagrads_shrinking_steps_are_quoted_first_against_last() -> None:
    p = far_problem()
    h = train(p, OptimizerConfig("adagrad", lr=LR), torch.zeros(3), epochs=EPOCHS)
    ref = torch_record(p, "adagrad", EPOCHS)
    (finding,) = findings(h, np.zeros(3), ["W1", "W2", "b"])
    lengths = np.linalg.norm(ref["step"], axis=1)
    assert finding.fact == "shrinking"
    assert finding.numbers["step_first"] == pytest.approx(lengths[0], rel=1e-5)
    assert finding.numbers["step_last"] == pytest.approx(lengths[-1], rel=1e-4)
    assert lengths[-1] < lengths[0]
    assert f"from {lengths[0]:.4g} at epoch 1 to {lengths[-1]:.4g} at epoch {EPOCHS}" in str(
        finding.text
    )


def test_sgds_step_is_quoted_as_lr_times_its_gradient() -> None:
    p = far_problem()
    h = train(p, OptimizerConfig("sgd", lr=0.01), torch.zeros(3), epochs=400)
    (finding,) = findings(h, np.zeros(3), ["W1", "W2", "b"])
    n = finding.numbers
    assert finding.fact == "follows_gradient" and n["name"] == "W2"  # x2 has 3x the spread
    assert n["step_first"] == pytest.approx(-0.01 * n["grad_first"], rel=1e-5)
    assert n["step_later"] == pytest.approx(-0.01 * n["grad_later"], rel=1e-3)
    assert abs(n["grad_later"]) < 0.1 * abs(n["grad_first"]) <= abs(h.grad[n["later"] - 2, 1])
    assert f"at epoch {n['later']} the gradient was {n['grad_later']:.4g}" in str(finding.text)


def test_why_tells_every_run_of_a_comparison_and_a_divergence() -> None:
    df = pd.read_csv(SAMPLES / "hours_money.csv")
    names = ("sgd", "momentum", "rmsprop", "adam", "adagrad")
    comp = run(
        df,
        RunConfig(
            target="money",
            epochs=200,
            optimizers=(*(OptimizerConfig(n) for n in names), OptimizerConfig("sgd", lr=1.0)),
        ),
    )
    facts = {(f.label, f.fact) for f in why(comp)}
    assert {
        ("sgd (lr=0.01)", "follows_gradient"),
        ("momentum", "overshoot"),
        ("rmsprop", "steady_steps"),
        ("rmsprop", "warm_up"),
        ("adam", "steady_steps"),
        ("adagrad", "shrinking"),
        ("sgd (lr=1)", "diverged"),
    } <= facts


def test_a_diverged_runs_record_ends_where_its_history_does() -> None:
    p, _ = line_problem()
    h = train(p, OptimizerConfig("momentum", lr=3.0), torch.zeros(2), epochs=500)
    assert h.diverged and 0 < h.epochs_run < 500
    for key, values in internals(h).items():
        assert values.shape == (h.epochs_run, 2), key
        assert np.isfinite(values).all(), key


# -- in Korean: one step and why, with the same numbers ------------------------------------------
HANGUL = re.compile("[가-힣]")


def test_one_step_speaks_korean_with_the_same_numbers() -> None:
    p = far_problem()
    h = train(p, OptimizerConfig("momentum", lr=LR), torch.zeros(3), epochs=3)
    s = one_step(p, h, 1)
    A = np.column_stack([p.X_train, np.ones(len(p.y_train))])
    grad = 2 / len(A) * A.T @ (A @ np.zeros(3) - p.y_train)  # numpy's first gradient
    first = s.state_lines[0][0]  # momentum_buffer's first line: it starts at the gradient
    assert isinstance(first, Said) and str(first).endswith(
        "(the first step starts it at the gradient)"
    )
    ko = first.in_language("ko")
    assert ko.startswith(f"momentum_buffer := {float(s.state_after['momentum_buffer'][0]):.6g} ")
    assert float(ko.split()[2]) == pytest.approx(grad[0], rel=1e-4)
    assert ko.endswith("(첫 스텝에서는 기울기 값으로 시작합니다)")
    assert "training rows" in str(s.rows_note)  # 40 rows: no per-row table
    assert (s.rows_note.in_language("ko") if isinstance(s.rows_note, Said) else "") == (
        "훈련 데이터가 40행입니다. 행별 계산표는 20행까지만 보여 줍니다."
    )
    sgd = train(p, OptimizerConfig("sgd", lr=LR), torch.zeros(3), epochs=2, batch_size=8)
    batches = one_step(p, sgd, 2)
    steps = math.ceil(40 / 8)  # 40 rows in batches of 8
    note, update = batches.rows_note, batches.updates[0]
    assert isinstance(note, Said) and isinstance(update, Said)
    assert f"미니배치로 학습하면 한 에포크에 스텝을 {steps}번" in note.in_language("ko")
    assert str(update).endswith(f"({steps} mini-batch steps together)")
    assert update.in_language("ko").endswith(f"(미니배치 스텝 {steps}번을 합친 값)")
    with pytest.raises(ConfigError, match="Epoch 7 was not run: momentum ran epochs 1 to 3") as err:
        one_step(p, h, 7)
    said = err.value.in_language("ko")
    assert said == (
        "momentum 실행은 에포크 1부터 3까지만 돌았으므로 에포크 7의 기록이 없습니다. "
        "이 범위에서 고르세요."
    )


def test_the_per_row_tables_columns_are_shown_in_korean(seed_000) -> None:
    s = explain_step(seed_000, "sgd", 1)
    assert s.rows is not None
    shown = s.rows.rename(columns=row_columns(s.names, "ko"))
    assert list(shown.columns) == ["hours", "money", "예측", "잔차", "D_W 기여분", "D_b 기여분"]
    assert row_columns(s.names) == {c: c for c in s.rows.columns[2:]}  # English: the data's


def test_why_speaks_korean_with_the_same_epochs() -> None:
    p, optimum = line_problem()
    h = train(p, OptimizerConfig("momentum", lr=0.1), torch.zeros(2), epochs=60)
    path = heavy_ball(p, 0.1, 0.9, 60)  # numpy's path
    past = -(path[1:] - optimum) * np.sign(-optimum)
    j = int(np.argmax(past.max(axis=0) / np.abs(optimum)))
    first, peak = int(np.argmax(past[:, j] > 0)) + 1, int(np.argmax(past[:, j])) + 1
    found = {f.fact: f for f in findings(h, optimum, ["W", "b"])}
    said = found["overshoot"].text
    assert str(said).startswith(f"momentum passed the optimum's {['W', 'b'][j]} = ")
    ko = said.in_language("ko")
    assert HANGUL.search(ko) and "{" not in ko and "passed" not in ko
    assert ko.startswith(f"momentum 실행은 {first}번째 에포크에서 최적점의 {['W', 'b'][j]} 값(")
    assert f"{peak}번째 에포크에는 " in ko and f"{past[peak - 1, j]:.4g}만큼 넘어섰습니다" in ko
    assert ko.endswith("속도(momentum_buffer)가 파라미터를 계속 밀고 갔기 때문입니다.")
    g = far_problem()
    (sgd,) = findings(
        train(g, OptimizerConfig("sgd", lr=0.01), torch.zeros(3), epochs=400),
        np.zeros(3),
        ["W1", "W2", "b"],
    )
    A = np.column_stack([g.X_train, np.ones(len(g.y_train))])
    grad0 = 2 / len(A) * A.T @ (-g.y_train)  # numpy's gradient at zero
    ko = sgd.text.in_language("ko")
    assert f"에포크 1에서 W2의 기울기는 {grad0[1]:.4g}, 스텝은 {-0.01 * grad0[1]:.4g}였고" in ko
    assert "경사가 가파른 곳에서는 크게 움직이고" in ko and "{" not in ko
