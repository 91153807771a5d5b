"""Every optimizer against a plain torch loop with torch.optim's classes; fast path = plain loop."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import linreg_core.train as train_module
from linreg_core import OPTIMIZERS, OptimizerConfig
from linreg_core.optimizers import Stepper
from linreg_core.train import Problem, mse_and_grad, train

# torch.optim's classes with the hyperparameters written out here, independently of the
# registry under test: a wrong default in the registry cannot hide behind its own numbers
TORCH_REFERENCE = {
    "sgd": lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.0, weight_decay=0.0),
    "momentum": lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9),
    "nesterov": lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9, nesterov=True),
    "rmsprop": lambda p, lr: torch.optim.RMSprop(p, lr=lr, alpha=0.99, eps=1e-8),
    "adam": lambda p, lr: torch.optim.Adam(p, lr=lr, betas=(0.9, 0.999), eps=1e-8),
    "adagrad": lambda p, lr: torch.optim.Adagrad(p, lr=lr, eps=1e-10),
    "adamw": lambda p, lr: torch.optim.AdamW(p, lr=lr, betas=(0.9, 0.999), weight_decay=0.01),
}
TORCH_OPTIMIZERS = list(TORCH_REFERENCE)
ADAPTIVE = ("rmsprop", "adam", "adagrad", "adamw")  # steps of about lr whatever the gradient


def test_every_registry_optimizer_but_the_hand_written_one_has_a_reference_here() -> None:
    assert set(TORCH_REFERENCE) == {n for n, spec in OPTIMIZERS.items() if spec.torch_class}


def make_problem(m: int = 64, d: int = 2, seed: int = 0, test: int = 0) -> Problem:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m + test, d))
    y = X @ rng.normal(size=d) + 0.7 + 0.3 * rng.normal(size=m + test)
    return Problem(X[:m], y[:m], X[m:], y[m:], bias=True)


def torch_loop(problem: Problem, name: str, lr: float, epochs: int, batch_size=None, seed=0):
    """The tutorials' loop, written independently: torch.optim class, autograd, float32."""
    X = torch.tensor(problem.X_train, dtype=torch.float32)
    y = torch.tensor(problem.y_train, dtype=torch.float32)
    W = torch.zeros(X.shape[1], requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    opt = TORCH_REFERENCE[name]([W, b], lr)
    gen = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(epochs):
        batches = [torch.arange(len(y))]
        if batch_size:
            order = torch.randperm(len(y), generator=gen)
            batches = [order[i : i + batch_size] for i in range(0, len(y), batch_size)]
        costs = []
        for idx in batches:
            cost = torch.mean(((X[idx] * W).sum(dim=1) + b - y[idx]) ** 2)
            opt.zero_grad()
            cost.backward()
            opt.step()
            costs.append(cost.item())
        losses.append(np.mean(costs))
    return W.detach().numpy(), b.item(), np.array(losses)


@pytest.mark.parametrize("name", TORCH_OPTIMIZERS)
def test_full_batch_matches_plain_torch_loop(name):
    p = make_problem()
    h = train(p, OptimizerConfig(name, lr=0.05), torch.zeros(3), epochs=200, path="plain")
    W, b, losses = torch_loop(p, name, 0.05, 200)
    np.testing.assert_allclose(h.final_weights, W, rtol=1e-6, atol=1e-7)
    assert h.final_bias == pytest.approx(b, rel=1e-6, abs=1e-7)
    np.testing.assert_allclose(h.train_loss, losses, rtol=1e-6)


@pytest.mark.parametrize("name", TORCH_OPTIMIZERS)
def test_mini_batch_matches_plain_torch_loop_with_same_batches(name):
    p = make_problem(m=50)
    h = train(p, OptimizerConfig(name, lr=0.02), torch.zeros(3), epochs=15, batch_size=8, seed=3)
    W, b, losses = torch_loop(p, name, 0.02, 15, batch_size=8, seed=3)
    assert h.path == "minibatch"
    np.testing.assert_allclose(h.final_weights, W, rtol=1e-6, atol=1e-7)
    assert h.final_bias == pytest.approx(b, rel=1e-6, abs=1e-7)
    np.testing.assert_allclose(h.train_loss, losses, rtol=1e-6)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_fast_path_agrees_with_plain_loop_to_float32_rounding(name):
    # an optimum far from the start keeps adaptive optimizers out of their jitter near the
    # minimum, where any rounding difference is amplified (that is chaos, not disagreement)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3500, 3))
    y = X @ np.array([5.0, -8.0, 6.0]) + 4 + 0.3 * rng.normal(size=3500)
    p = Problem(X[:3000], y[:3000], X[3000:], y[3000:])
    cfg = OptimizerConfig(name, lr=0.05)
    plain = train(p, cfg, torch.zeros(4), epochs=300, path="plain")
    fast = train(p, cfg, torch.zeros(4), epochs=300, path="fast")
    assert fast.path == "fast" and plain.path == "plain"
    np.testing.assert_allclose(fast.final_weights, plain.final_weights, rtol=1e-5, atol=1e-6)
    assert fast.final_bias == pytest.approx(plain.final_bias, rel=1e-5, abs=1e-6)
    np.testing.assert_allclose(fast.train_loss, plain.train_loss, rtol=1e-5)
    np.testing.assert_allclose(fast.test_loss, plain.test_loss, rtol=1e-5)


def test_fast_path_loss_does_not_cancel_on_offset_data():
    # y ~ 1e4 with a tiny residual: t'Gt - 2c't + s would lose every digit in float64
    rng = np.random.default_rng(1)
    X = rng.normal(size=(6000, 1))
    y = 1e4 + 2.0 * X[:, 0] + 1e-3 * rng.normal(size=6000)
    p = Problem(X, y, X[:0], y[:0])
    start = torch.tensor([2.0, 1e4])
    h = train(p, OptimizerConfig("sgd", lr=0.1), start, epochs=50, path="fast")
    t = np.append(h.weights[-2], h.bias[-2])
    exact = float(np.mean((X[:, 0] * t[0] + t[1] - y) ** 2))
    assert h.train_loss[-1] == pytest.approx(exact, rel=1e-6)


def test_gd_manual_agrees_with_sgd():
    p = make_problem(m=40)
    manual = train(p, OptimizerConfig("gd-manual", lr=0.05), torch.zeros(3), epochs=300)
    sgd = train(p, OptimizerConfig("sgd", lr=0.05), torch.zeros(3), epochs=300)
    np.testing.assert_allclose(manual.final_weights, sgd.final_weights, rtol=1e-5)
    np.testing.assert_allclose(manual.train_loss, sgd.train_loss, rtol=1e-5)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("path", ["plain", "fast"])
def test_divergence_stops_at_its_epoch_for_every_optimizer(name, path):
    rng = np.random.default_rng(0)
    X = rng.normal(1e4, 3e3, size=(200, 1))  # raw, unscaled inputs: seed 002's trap
    y = 3 * X[:, 0] + 5
    p = Problem(X, y, X[:0], y[:0])
    lr = 1e3
    h = train(p, OptimizerConfig(name, lr=lr), torch.zeros(2), epochs=5000, path=path)
    if name == "adamw":
        # its decoupled weight decay multiplies w by 1 - lr * 0.01 = -9 each step: that blows up
        assert h.diverged_at is not None and h.diverged_at < 100
    elif name in ADAPTIVE:
        # their step is about lr whatever the gradient (RMSProp's first is 1/sqrt(1 - alpha)
        # = 10 lr), so raw inputs make them crawl, never blow up
        assert not h.diverged, h.label
        steps = np.abs(np.diff(np.column_stack([h.weights, h.bias]), axis=0))
        assert steps.max() <= 10 * lr * 1.001
        return
    else:
        assert h.diverged_at is not None and h.diverged_at < 100
    assert h.epochs_run == h.diverged_at - 1 or h.epochs_run == h.diverged_at
    assert len(h.train_loss) == h.epochs_run
    assert np.isfinite(h.train_loss).all() and np.isfinite(h.weights).all()
    assert "lower the learning rate" in str(h.advice).lower()


def test_sgd_diverges_on_raw_inputs_and_records_up_to_that_epoch():
    rng = np.random.default_rng(0)
    X = rng.normal(1e4, 3e3, size=(200, 1))
    y = 3 * X[:, 0] + 5
    p = Problem(X, y, X[:0], y[:0])
    h = train(p, OptimizerConfig("sgd", lr=0.1), torch.zeros(2), epochs=1000)
    assert h.diverged and 1 < h.diverged_at < 100
    assert h.weights.shape == (h.epochs_run + 1, 1)


def test_progress_is_reported_and_a_run_can_be_cancelled(monkeypatch):
    monkeypatch.setattr(train_module, "CHECK_EVERY", 0.0)  # report after every epoch
    p = make_problem()
    seen = []
    h = train(
        p,
        OptimizerConfig("adam"),
        torch.zeros(3),
        epochs=1000,
        progress=lambda done, total: seen.append((done, total)),
        should_stop=lambda: len(seen) >= 3,
    )
    assert h.cancelled and h.epochs_run == 3
    assert seen == [(1, 1000), (2, 1000), (3, 1000)]
    assert h.weights.shape == (4, 2) and len(h.train_loss) == 3


def test_a_mini_batch_run_is_cancelled_inside_a_long_epoch(monkeypatch):
    monkeypatch.setattr(train_module, "CHECK_EVERY", 0.0)
    p = make_problem(m=64)
    asked = []
    h = train(
        p,
        OptimizerConfig("sgd"),
        torch.zeros(3),
        epochs=10,
        batch_size=1,
        should_stop=lambda: asked.append(1) or len(asked) >= 5,
    )
    assert h.cancelled and h.epochs_run == 0 and len(asked) == 5  # mid-way through epoch 1


def test_history_starts_at_the_given_parameters_and_does_not_modify_them():
    p = make_problem()
    start = torch.tensor([0.5, -0.25, 1.0])
    h = train(p, OptimizerConfig("momentum"), start, epochs=10)
    np.testing.assert_array_equal(h.weights[0], [0.5, -0.25])
    assert h.bias[0] == 1.0
    assert start.tolist() == [0.5, -0.25, 1.0]
    assert h.grad_norm.shape == (10,) and (h.grad_norm > 0).all()
    assert h.grad.shape == (10, 3)


@pytest.mark.parametrize("seed", range(40))
def test_formula_gradient_has_the_same_bits_as_autograd(seed):
    rng = np.random.default_rng(seed)
    m, d, bias = int(rng.integers(1, 3000)), int(rng.integers(1, 5)), bool(seed % 2)
    X = torch.tensor(rng.normal(size=(m, d)) * rng.uniform(0.1, 1e3), dtype=torch.float32)
    y = torch.tensor(rng.normal(size=m) * 50, dtype=torch.float32)
    theta = torch.tensor(rng.normal(size=d + bias), dtype=torch.float32)
    cost, grad = mse_and_grad(X, y, theta, d, bias)
    t = theta.clone().requires_grad_(True)
    out = (X * t[:d]).sum(dim=1)
    if bias:
        out = out + t[d]
    ref = torch.mean((out - y) ** 2)
    (ref_grad,) = torch.autograd.grad(ref, [t])
    assert torch.equal(cost, ref)
    assert torch.equal(grad, ref_grad)


@pytest.mark.parametrize("name", TORCH_OPTIMIZERS)
def test_the_stepper_keeps_torchs_state_under_torchs_names(name):
    rng = np.random.default_rng(1)
    grads = [torch.tensor(rng.normal(size=3), dtype=torch.float32) for _ in range(7)]
    mine = torch.tensor([0.5, -1.0, 2.0])
    theirs = mine.clone().requires_grad_(True)
    stepper = Stepper(OptimizerConfig(name, lr=0.03), [mine])
    reference = TORCH_REFERENCE[name]([theirs], 0.03)
    for g in grads:
        with torch.no_grad():
            stepper.step_([g.clone()])
        theirs.grad = g.clone()
        reference.step()
    torch.testing.assert_close(mine, theirs.detach(), rtol=1e-6, atol=1e-7)
    state = reference.state[theirs]
    used = OPTIMIZERS[name].state_used(OptimizerConfig(name).hyperparameters())
    assert set(used) == set(state) - {"step"}  # the names torch keeps, no more, no fewer
    for key in used:
        torch.testing.assert_close(stepper.state[key][0], state[key], rtol=1e-6, atol=1e-7)
    if "step" in state:
        assert float(stepper.state["step"][0]) == float(state["step"]) == len(grads)


def test_progress_is_reported_during_a_long_mini_batch_run(monkeypatch):
    # stop checks inside each epoch must not swallow the progress reports between epochs: each
    # epoch (256 steps) lasts longer than CHECK_EVERY, so each one ends with a report
    monkeypatch.setattr(train_module, "CHECK_EVERY", 0.001)
    p = make_problem(m=256)
    seen = []
    train(
        p,
        OptimizerConfig("sgd"),
        torch.zeros(3),
        epochs=5,
        batch_size=1,
        progress=lambda done, total: seen.append(done),
        should_stop=lambda: False,
    )
    assert seen == [1, 2, 3, 4, 5]
