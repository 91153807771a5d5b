"""Watch it learn (Train page): the slider's one parameter binds every view, the one-step panel's
numbers are the tutorials' log and torch.optim's own, and the internals draw every optimizer.

Expected numbers come from the seed's printed log (literals), the gradient formula worked by hand,
and torch.optim.Adam stepping the same rows; never from the code under test."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import torch
from apptest_harness import (
    FOUR,
    SAMPLE_DATA,
    TIMEOUT,
    TRAIN_BUTTON,
    TRAIN_PAGE,
    start_app,
    texts,
)
from streamlit.testing.v1 import AppTest

from linreg_core import OptimizerConfig, RunConfig, read_table
from linreg_core import run as run_comparison
from ui import run, watch
from ui import state as S

PARAM = "watch_epoch"
STEP_COLUMN = "step (after − before)"
# twelve rows, three features on different scales, y from known weights plus a wobble
THREE = pd.DataFrame(
    {
        "x1": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5],
        "x2": [0.2, 0.1, 0.4, 0.3, 0.6, 0.5, 0.8, 0.7, 1.0, 0.9, 0.3, 0.2],
        "x3": [10.0, 12.0, 9.0, 11.0, 8.0, 13.0, 7.0, 14.0, 10.5, 9.5, 12.5, 8.5],
    }
)
THREE["y"] = 2 * THREE["x1"] - 3 * THREE["x2"] + 0.5 * THREE["x3"] + 1 + 0.1 * np.sin(np.arange(12))


@pytest.fixture
def app() -> AppTest:
    run.clear_cache()  # each test trains for itself
    return start_app()


def trained(at: AppTest, df: pd.DataFrame, name: str, cfg: RunConfig) -> AppTest:
    at.session_state[S.DATA] = df
    at.session_state[S.DATA_NAME] = name
    at.session_state[S.SETTINGS] = cfg
    at.switch_page(TRAIN_PAGE).run(timeout=TIMEOUT)
    return at.button(key=TRAIN_BUTTON).click().run(timeout=TIMEOUT)


def step_table(at: AppTest) -> pd.DataFrame:
    """The one-step ledger turned to one row per parameter, one column per quantity."""
    ledger = next(d.value for d in at.dataframe if "quantity" in d.value.columns)
    return ledger.set_index("quantity").T.rename_axis("parameter").reset_index()


def seed_000(at: AppTest, epochs: int = 1000) -> AppTest:
    cfg = RunConfig(
        target="money",
        features=("hours",),
        normalize=False,
        epochs=epochs,
        optimizers=(OptimizerConfig("sgd", lr=0.01),),
    )
    return trained(at, read_table(SAMPLE_DATA / "hours_money.csv"), "hours_money.csv", cfg)


# -- the slider's spec ---------------------------------------------------------------------------
def _transforms(view: dict) -> list[str]:
    """Every filter and calculate expression of a view and its layers."""
    out = [json.dumps(t) for t in view.get("transform", []) if {"filter", "calculate"} & set(t)]
    for layer in view.get("layer", []):
        out += _transforms(layer)
    return out


def test_one_range_slider_moves_the_loss_landscape_fit_and_parameter_views() -> None:
    df = read_table(SAMPLE_DATA / "hours_money.csv")
    cfg = RunConfig(
        target="money",
        features=("hours",),
        normalize=False,
        epochs=1000,
        optimizers=tuple(OptimizerConfig(n, lr=0.01) for n in FOUR),
    )
    comp = run_comparison(df, cfg)
    spec = watch.watch_chart(comp, [h.label for h in comp.runs]).to_dict()

    (param,) = spec["params"]
    assert param["name"] == PARAM and param["bind"]["input"] == "range"
    assert param["bind"]["min"] == 0 and param["bind"]["max"] == 1000
    assert param["bind"]["step"] == 1 and param["value"] == 1000
    views = spec["vconcat"]
    assert len(views) == 5  # loss, landscape, fit, then W and b
    for view in views:  # each has a layer that reads the slider
        assert any(PARAM in t for t in _transforms(view)), view.get("title")
    # each optimizer's point on the landscape is its (W, b) at that epoch; every epoch up to 100
    # is drawn, then spaced out to the last
    datasets = spec["datasets"]
    points = next(
        pd.DataFrame(rows)
        for rows in datasets.values()
        if rows and set(rows[0]) == {"optimizer", "epoch", "x", "y"}
    )
    for h in comp.runs:
        mine = points[points["optimizer"] == h.label]
        assert mine["epoch"].iloc[:101].tolist() == list(range(101))
        assert mine["epoch"].iloc[-1] == 1000 and len(mine) <= 200
        epochs = mine["epoch"].to_numpy()
        np.testing.assert_allclose(mine["x"], h.weights[epochs, 0])
        np.testing.assert_allclose(mine["y"], h.bias[epochs])


# -- one step, with its numbers ------------------------------------------------------------------
def test_seed_000s_step_is_the_tutorials_log_and_the_gradient_worked_by_hand(app: AppTest) -> None:
    seed_000(app)
    assert not app.exception and not app.error

    # epoch 1 from W = b = 0 on hours 1, 2, 3 and money 30, 60, 90: every residual is -y, so
    # D_W = 2/3 (-30 - 120 - 270) = -280, D_b = 2/3 (-180) = -120, and SGD at 0.01 moves to
    # W = 2.8, b = 1.2
    table = step_table(app)
    assert table["parameter"].tolist() == ["W", "b"]
    np.testing.assert_allclose(table["before"], [0.0, 0.0])
    np.testing.assert_allclose(table["gradient"], [-280.0, -120.0], rtol=1e-6)
    np.testing.assert_allclose(table["after"], [2.8, 1.2], rtol=1e-6)
    rows = next(d.value for d in app.dataframe if "residual" in d.value.columns)
    np.testing.assert_allclose(rows["residual"], [-30.0, -60.0, -90.0])
    np.testing.assert_allclose(rows["part of D_W"], [-20.0, -80.0, -180.0])
    code = "\n".join(c.value for c in app.code)
    assert "W := 0 − 0.01 × (-280) = 2.8" in code

    # epoch 100 as the tutorial printed it: "Epoch  100/1000 W: 26.1762, b: 8.6920, Cost: 10.890694"
    app.number_input(key=S.W_TRAIN_STEP_EPOCH.format(k=0)).set_value(100).run(timeout=TIMEOUT)
    table = step_table(app)
    assert [f"{v:.4f}" for v in table["after"]] == ["26.1762", "8.6920"]
    assert "Cost (training MSE) before the step: 10.890694" in texts(app.caption)
    np.testing.assert_allclose(table[STEP_COLUMN], table["after"] - table["before"])
    np.testing.assert_allclose(table[STEP_COLUMN], -0.01 * table["gradient"], rtol=1e-4)
    # and the last: "Epoch 1000/1000 W: 29.5617, b: 0.9963, Cost: 0.143077"
    app.number_input(key=S.W_TRAIN_STEP_EPOCH.format(k=0)).set_value(1000).run(timeout=TIMEOUT)
    assert [f"{v:.4f}" for v in step_table(app)["after"]] == ["29.5617", "0.9963"]
    assert "Cost (training MSE) before the step: 0.143077" in texts(app.caption)


def torch_adam(df: pd.DataFrame, lr: float, epochs: int) -> list[dict[str, np.ndarray]]:
    """torch.optim.Adam on the raw rows, float32, full batch: per epoch the parameters before,
    the gradient, exp_avg and exp_avg_sq after, and the parameters after ([w1..w3, b])."""
    X = torch.tensor(df[["x1", "x2", "x3"]].to_numpy(), dtype=torch.float32)
    y = torch.tensor(df["y"].to_numpy(), dtype=torch.float32)
    w = torch.zeros(3, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    opt = torch.optim.Adam([w, b], lr=lr)
    out = []
    for _ in range(epochs):
        before = torch.cat([w, b]).detach().numpy().copy()
        opt.zero_grad()
        loss = torch.mean((X @ w + b - y) ** 2)
        loss.backward()
        grad = torch.cat([w.grad, b.grad]).numpy().copy()
        opt.step()
        state = [opt.state[p] for p in (w, b)]
        out.append(
            {
                "before": before,
                "gradient": grad,
                "exp_avg": torch.cat([s["exp_avg"] for s in state]).numpy().copy(),
                "exp_avg_sq": torch.cat([s["exp_avg_sq"] for s in state]).numpy().copy(),
                "after": torch.cat([w, b]).detach().numpy().copy(),
            }
        )
    return out


def test_a_three_feature_adam_step_is_torchs_own(app: AppTest) -> None:
    cfg = RunConfig(
        target="y",
        features=("x1", "x2", "x3"),
        normalize=False,
        epochs=30,
        optimizers=(OptimizerConfig("sgd", lr=0.001), OptimizerConfig("adam", lr=0.1)),
    )
    trained(app, THREE, "three.csv", cfg)
    app.selectbox(key=S.W_TRAIN_STEP_RUN).set_value("adam").run(timeout=TIMEOUT)
    app.number_input(key=S.W_TRAIN_STEP_EPOCH.format(k=1)).set_value(7).run(timeout=TIMEOUT)
    assert not app.exception and not app.error

    table = step_table(app)
    ref = torch_adam(THREE, 0.1, 7)
    assert table["parameter"].tolist() == ["W1", "W2", "W3", "b"]
    np.testing.assert_allclose(table["before"], ref[6]["before"], rtol=1e-5)
    np.testing.assert_allclose(table["gradient"], ref[6]["gradient"], rtol=1e-5)
    np.testing.assert_allclose(table["exp_avg before"], ref[5]["exp_avg"], rtol=1e-5)
    np.testing.assert_allclose(table["exp_avg after"], ref[6]["exp_avg"], rtol=1e-5)
    np.testing.assert_allclose(table["exp_avg_sq after"], ref[6]["exp_avg_sq"], rtol=1e-5)
    np.testing.assert_allclose(table["after"], ref[6]["after"], rtol=1e-5)
    # Adam's effective rate: lr / (1 - 0.9^7) / (sqrt(v) / sqrt(1 - 0.999^7) + 1e-8)
    v = ref[6]["exp_avg_sq"].astype(np.float64)
    rate = 0.1 / (1 - 0.9**7) / (np.sqrt(v) / np.sqrt(1 - 0.999**7) + 1e-8)
    np.testing.assert_allclose(table["effective lr"], rate, rtol=1e-5)
    rows = next(d.value for d in app.dataframe if "residual" in d.value.columns)
    X = THREE[["x1", "x2", "x3"]].to_numpy()
    residual = X @ ref[6]["before"][:3] + ref[6]["before"][3] - THREE["y"].to_numpy()
    np.testing.assert_allclose(rows["residual"], residual, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(rows["part of D_W3"].sum(), ref[6]["gradient"][2], rtol=1e-4)
    code = "\n".join(c.value for c in app.code)
    assert "exp_avg := 0.9 × " in code and "W3 := " in code


# -- the internals and why ---------------------------------------------------------------------
def internals_sent(at: AppTest) -> pd.DataFrame:
    """The internals chart's rows as sent, one dataset per panel, with each panel's title."""
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        views = spec.get("vconcat", [])
        if not views or views[0].get("title") != "gradient norm ‖g‖":
            continue
        sent = {d.name: d.data.data for d in chart.proto.datasets}
        frames = [pa.ipc.open_stream(sent[v["data"]["name"]]).read_all() for v in views]
        return pd.concat(
            f.to_pandas().assign(panel=v["title"]) for f, v in zip(frames, views, strict=True)
        )
    raise AssertionError("no internals chart")


def test_the_internals_draw_a_series_per_optimizer_with_captions(app: AppTest) -> None:
    cfg = RunConfig(
        target="money",
        features=("hours",),
        normalize=False,
        epochs=200,
        optimizers=tuple(OptimizerConfig(n, lr=0.01) for n in FOUR),
    )
    trained(app, read_table(SAMPLE_DATA / "hours_money.csv"), "hours_money.csv", cfg)
    assert not app.exception and not app.error

    got = internals_sent(app)
    per_panel = got.groupby("panel")["optimizer"].unique()
    for panel in ("gradient norm ‖g‖", "step length ‖Δθ‖"):
        assert sorted(per_panel[panel]) == sorted(FOUR)
    assert sorted(per_panel["effective learning rate per parameter"]) == ["adam", "rmsprop"]
    states = got[got["panel"] == "state norms (velocity, moments)"]
    assert set(states["series"]) == {"momentum_buffer", "square_avg", "exp_avg", "exp_avg_sq"}
    # SGD's first gradient norm: |(-280, -120)| from W = b = 0, as worked by hand above
    sgd = got[(got["optimizer"] == "sgd") & (got["panel"] == "gradient norm ‖g‖")]
    np.testing.assert_allclose(sgd["value"].iloc[0], np.hypot(280, 120), rtol=1e-6)
    caption = texts(app.caption)
    assert "each optimizer stands: sgd 305 → " in caption  # |(-280, -120)| = 304.6
    assert "lr itself): rmsprop " in caption
    why = "\n".join(m.value for m in app.markdown)
    assert "momentum passed the optimum" in why or "momentum never passed" in why
    assert "sgd's step is lr × the gradient" in why


def test_the_slider_chart_sends_each_drawn_epoch_once_for_eight_optimizers() -> None:
    from linreg_core import OPTIMIZERS
    from ui import charts

    df = read_table(SAMPLE_DATA / "apartments.csv")
    optimizers = tuple(OptimizerConfig(n, lr=0.01) for n in OPTIMIZERS)
    cfg = RunConfig(target="price_eok", features=("area_m2",), epochs=1000, optimizers=optimizers)
    comp = run_comparison(df, cfg)
    assert len(comp.runs) == 8
    sent = charts.spec(watch.watch_chart(comp, [h.label for h in comp.runs]))["datasets"]
    frames = [pa.ipc.open_stream(b).read_all() for b in sent.values()]
    assert max(f.num_rows for f in frames) <= 8 * 200  # at most 200 epochs per optimizer
    # every epoch's rows (1,000 x 8 optimizers) were 1.05 MB; the drawn ones are under 0.45 MB
    assert sum(len(b) for b in sent.values()) < 450_000
