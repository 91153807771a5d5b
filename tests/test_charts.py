"""Chart builders: inspect the Vega-Lite specs, never a browser."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from ui import charts

OPTIMIZERS = ["sgd", "momentum", "adam"]
ALTAIR_MAX_ROWS = 5_000  # Altair refuses a chart with more rows unless its limit is lifted
SCATTER_ROWS = 1_000  # points per optimizer at most; more only hide each other


# --- helpers -----------------------------------------------------------------------------------


def _rows(spec: dict, view: dict | None = None) -> list[dict]:
    """Rows of a view's named dataset (Altair moves layer data to the top-level `datasets`)."""
    data = (view or spec).get("data") or spec.get("data")
    if "values" in data:
        return data["values"]
    return spec["datasets"][data["name"]]


def _frame(spec: dict, view: dict | None = None) -> pd.DataFrame:
    return pd.DataFrame(_rows(spec, view))


def _mark(view: dict) -> str:
    mark = view["mark"]
    return mark if isinstance(mark, str) else mark["type"]


def _views(spec: dict, mark: str) -> list[dict]:
    """Views (layers, or a facet's inner layers) drawing the given mark."""
    inner = spec.get("spec", spec)
    views = inner.get("layer", [inner])
    return [view for view in views if "mark" in view and _mark(view) == mark]


def _one(spec: dict, mark: str) -> dict:
    views = _views(spec, mark)
    assert len(views) == 1, f"expected one {mark} layer, found {len(views)}"
    return views[0]


def _colour_of(spec: dict) -> dict[str, str]:
    """Optimizer -> colour, from every optimizer colour scale in the spec."""
    found: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            color = node.get("color")
            if isinstance(color, dict) and color.get("field") == "optimizer":
                scale = color["scale"]
                found.update(zip(scale["domain"], scale["range"], strict=True))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def _losses(epochs: int = 20) -> pd.DataFrame:
    rows = [
        (name, epoch, split, (k + 1) / epoch + (0.2 if split == "test" else 0.1))
        for k, name in enumerate(OPTIMIZERS)
        for epoch in range(1, epochs + 1)
        for split in ("train", "test")
    ]
    return pd.DataFrame(rows, columns=["optimizer", "epoch", "split", "loss"])


def _preds(n: int = 40, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    actual = rng.normal(10.0, 3.0, n)
    frames = [
        pd.DataFrame(
            {"optimizer": name, "actual": actual, "predicted": actual + rng.normal(k, 1.0, n)}
        )
        for k, name in enumerate(OPTIMIZERS)
    ]
    return pd.concat(frames, ignore_index=True)


OPTIMUM = {"weights": [2.0], "bias": 1.0, "mse": 0.5}


# --- loss_chart --------------------------------------------------------------------------------


def test_loss_chart_draws_one_series_per_optimizer_and_split():
    spec = charts.loss_chart(_losses(), 0.1).to_dict()
    line = _one(spec, "line")
    series = _frame(spec, line)[["optimizer", "split"]].drop_duplicates()
    assert len(series) == len(OPTIMIZERS) * 2
    assert line["encoding"]["color"]["field"] == "optimizer"
    assert line["encoding"]["strokeDash"]["field"] == "split"


def test_loss_chart_dashes_test_lines_and_keeps_train_solid():
    dash = _one(charts.loss_chart(_losses(), 0.1).to_dict(), "line")["encoding"]["strokeDash"]
    by_split = dict(zip(dash["scale"]["domain"], dash["scale"]["range"], strict=True))
    assert len(by_split["train"]) == 2 and by_split["train"][1] == 0  # no gap: solid
    assert min(by_split["test"]) > 0  # dash and gap both drawn


def test_loss_chart_uses_a_log_y_scale_unless_asked_not_to():
    log_y = _one(charts.loss_chart(_losses(), 0.1).to_dict(), "line")["encoding"]["y"]
    lin_y = _one(charts.loss_chart(_losses(), 0.1, log_scale=False).to_dict(), "line")
    assert log_y["scale"]["type"] == "log"
    assert lin_y["encoding"]["y"].get("scale", {}).get("type", "linear") == "linear"


def test_loss_chart_marks_the_least_squares_optimum_with_a_labelled_rule():
    spec = charts.loss_chart(_losses(), 0.0731).to_dict()
    rule = _one(spec, "rule")
    assert [row[rule["encoding"]["y"]["field"]] for row in _rows(spec, rule)] == [0.0731]
    text = _one(spec, "text")
    assert _rows(spec, text)[0][text["encoding"]["text"]["field"]] == "least squares optimum"


@pytest.mark.parametrize("mse", [None, 0.0, -1.0, float("nan")])
def test_loss_chart_leaves_out_the_optimum_rule_without_a_positive_mse(mse):
    spec = charts.loss_chart(_losses(), mse).to_dict()
    assert _views(spec, "rule") == [] and _views(spec, "text") == []


def test_loss_chart_drops_divergent_rows_and_still_builds():
    losses = _losses()
    diverged = losses["optimizer"] == "adam"
    losses.loc[diverged & (losses["epoch"] == 5), "loss"] = np.inf
    losses.loc[diverged & (losses["epoch"] > 5), "loss"] = np.nan
    losses.loc[0, "loss"] = 0.0  # cannot sit on a log axis
    spec = charts.loss_chart(losses, 0.1).to_dict()
    line = _one(spec, "line")
    drawn = _frame(spec, line)
    assert np.isfinite(drawn["loss"]).all() and (drawn["loss"] > 0).all()
    expected = np.isfinite(losses["loss"]) & (losses["loss"] > 0)
    assert len(drawn) == int(expected.sum())
    # the diverged run keeps its colour, so the legend matches the other charts
    assert "adam" in line["encoding"]["color"]["scale"]["domain"]


def test_loss_chart_keeps_zero_losses_on_a_linear_scale():
    losses = _losses()
    losses.loc[0, "loss"] = 0.0
    spec = charts.loss_chart(losses, 0.1, log_scale=False).to_dict()
    assert len(_rows(spec, _one(spec, "line"))) == len(losses)


# --- landscape_chart and cost_curve_chart -------------------------------------------------------


@pytest.fixture(scope="module")
def line_table() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    x = rng.uniform(20, 120, 300)
    return pd.DataFrame({"area": x, "price": 0.08 * x + 3 + rng.normal(0, 0.6, 300)})


def _view(table: pd.DataFrame, optimizers: tuple, *, normalize: bool = True, epochs: int = 150):
    from linreg_core import RunConfig, run

    cfg = RunConfig(target="price", normalize=normalize, epochs=epochs, optimizers=optimizers)
    comp = run(table, cfg)
    view = comp.landscape(width=charts.LANDSCAPE_WIDTH, height=charts.LANDSCAPE_HEIGHT)
    return comp, view


def _three(lr: float = 0.1) -> tuple:
    from linreg_core import OptimizerConfig

    return tuple(OptimizerConfig(n, lr=lr) for n in OPTIMIZERS)


def _layer_with(spec: dict, *fields: str) -> dict:
    """The one layer whose rows have every given field."""
    found = [v for v in spec["layer"] if set(fields) <= set(_frame(spec, v).columns)]
    assert len(found) == 1, f"expected one layer with {fields}, found {len(found)}"
    return found[0]


def test_landscape_chart_draws_both_axes_at_the_same_data_units_per_pixel(line_table):
    _, view = _view(line_table, _three())
    spec = charts.landscape_chart(view).to_dict()
    assert spec["autosize"]["type"] == "pad"  # width and height are the plot's own
    x_scales = {json.dumps(v["encoding"]["x"]["scale"]) for v in spec["layer"]}
    y_scales = {json.dumps(v["encoding"]["y"]["scale"]) for v in spec["layer"]}
    assert len(x_scales) == len(y_scales) == 1  # every layer on the same frame
    x_dom, y_dom = json.loads(x_scales.pop())["domain"], json.loads(y_scales.pop())["domain"]
    x_per_px = (x_dom[1] - x_dom[0]) / spec["width"]
    y_per_px = (y_dom[1] - y_dom[0]) / spec["height"]
    assert x_per_px == pytest.approx(y_per_px, rel=1e-9)


def test_landscape_chart_shows_every_optimizer_in_the_paths_and_the_legend(line_table):
    _, view = _view(line_table, _three())
    spec = charts.landscape_chart(view, domain=OPTIMIZERS).to_dict()
    path = _layer_with(spec, "optimizer", "epoch", "rank", "width")
    assert set(_frame(spec, path)["optimizer"]) == set(OPTIMIZERS)
    enc = path["encoding"]
    assert enc["color"]["scale"]["domain"] == OPTIMIZERS and enc["color"].get("legend") is not None
    assert enc["strokeDash"]["scale"]["domain"] == OPTIMIZERS
    dashes = [json.dumps(d) for d in enc["strokeDash"]["scale"]["range"]]
    assert len(set(dashes)) == len(OPTIMIZERS)  # a dash of its own per optimizer
    marks = _frame(spec, _layer_with(spec, "optimizer", "marker", "size"))
    for name in OPTIMIZERS:  # a start and an end in the optimizer's own colour
        assert set(marks.loc[marks["optimizer"] == name, "marker"]) == {"start", "end"}
    # drawn in order: the longest path first, underneath; lower end marks are larger
    drawn = _frame(spec, path)
    assert drawn["rank"].is_monotonic_increasing
    assert marks.sort_values("rank")["size"].is_monotonic_decreasing


def test_landscape_chart_draws_the_optimum_under_the_runs_end_marks(line_table):
    _, view = _view(line_table, _three())
    spec = charts.landscape_chart(view).to_dict()
    layers = spec["layer"]
    star = next(i for i, v in enumerate(layers) if "mse" in _frame(spec, v).columns)
    ends = layers.index(_layer_with(spec, "optimizer", "marker", "size"))
    assert star < ends
    assert layers[star]["mark"]["filled"] is False  # an open cross: ends inside it show


@pytest.mark.parametrize(("normalize", "labels"), [(False, 1), (True, 3)])
def test_landscape_chart_contours_have_the_stated_loss_by_numpy(line_table, normalize, labels):
    _, view = _view(line_table, _three(), normalize=normalize)
    spec = charts.landscape_chart(view).to_dict()
    rings = _frame(spec, _layer_with(spec, "loss", "ring", "order"))
    x, y = line_table["area"].to_numpy(), line_table["price"].to_numpy()
    if normalize:  # z-scored with the population std, as trained
        x = (x - x.mean()) / x.std()
    direct = np.mean((np.outer(rings["x"], x) + rings["y"].to_numpy()[:, None] - y) ** 2, axis=1)
    np.testing.assert_allclose(direct, rings["loss"], rtol=1e-6)
    texts = _frame(spec, _one(spec, "text"))["text"]
    written = [float(t) for t in texts if not t.startswith("λ")]
    levels = sorted(rings["loss"].unique())
    assert len(written) >= labels  # raw, the ellipses are needles: one label, not a pile
    for value in written:  # each label is its level's loss, rounded
        assert min(abs(value - lv) / lv for lv in levels) < 5e-3


def test_landscape_chart_cuts_a_diverged_path_at_the_frame_and_marks_where_it_leaves(line_table):
    from linreg_core import OptimizerConfig

    runs = (OptimizerConfig("momentum", lr=0.001), OptimizerConfig("adam", lr=0.1))
    comp, view = _view(line_table, runs, normalize=False, epochs=300)
    assert comp.runs[0].diverged
    spec = charts.landscape_chart(view).to_dict()
    x_dom = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    y_dom = spec["layer"][0]["encoding"]["y"]["scale"]["domain"]
    drawn = _frame(spec, _layer_with(spec, "optimizer", "epoch", "rank", "width"))
    marks = _frame(spec, _layer_with(spec, "optimizer", "marker", "size"))
    for frame in (drawn, marks):
        assert frame["x"].between(*x_dom).all() and frame["y"].between(*y_dom).all()
    leaves = marks[marks["marker"] == "leaves the frame"]
    assert list(leaves["optimizer"]) == ["momentum"]
    on_edge = np.isclose(leaves["x"].iloc[0], x_dom) | np.isclose(leaves["y"].iloc[0], y_dom)
    assert on_edge.any()


def test_cost_curve_chart_puts_each_step_on_the_parabola():
    from linreg_core import OptimizerConfig, RunConfig, run

    table = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 3.0]})
    runs = (OptimizerConfig("sgd", lr=0.15), OptimizerConfig("momentum", lr=0.05))
    comp = run(table, RunConfig(target="y", bias=False, epochs=10, optimizers=runs))
    spec = charts.cost_curve_chart(comp.landscape(width=400, height=340)).to_dict()
    steps = _frame(spec, _layer_with(spec, "optimizer", "epoch", "rank", "width"))
    curve = next(
        _frame(spec, v) for v in spec["layer"] if list(_frame(spec, v).columns) == ["x", "y"]
    )
    for frame in (steps, curve):
        cost = np.mean((np.outer(frame["x"], table["x"]) - table["y"].to_numpy()) ** 2, axis=1)
        np.testing.assert_allclose(frame["y"], cost, rtol=1e-9, atol=1e-15)
    assert set(steps["optimizer"]) == {"sgd", "momentum"}
    assert steps.groupby("optimizer").size().eq(11).all()  # start and ten steps, each drawn


def test_landscape_chart_refuses_a_one_parameter_view():
    from linreg_core import RunConfig, run

    table = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 3.0]})
    view = run(table, RunConfig(target="y", bias=False, epochs=3)).landscape()
    with pytest.raises(ValueError, match="two parameters"):
        charts.landscape_chart(view)


# --- params_chart ------------------------------------------------------------------------------


def _params(names: list[str], epochs: int = 30) -> pd.DataFrame:
    rows = [
        (opt, epoch, name, (j + 1) * (1 - 0.9 ** (epoch * (k + 1))))
        for k, opt in enumerate(OPTIMIZERS)
        for epoch in range(epochs + 1)
        for j, name in enumerate(names)
    ]
    return pd.DataFrame(rows, columns=["optimizer", "epoch", "param", "value"])


def test_params_chart_draws_a_row_per_param_with_a_dashed_rule_at_its_optimum():
    chart = charts.params_chart(_params(["W", "b"]), {"weights": [1.5], "bias": -0.25, "mse": 1})
    spec = chart.to_dict()
    assert spec["facet"]["row"]["field"] == "param"
    assert spec["resolve"]["scale"]["y"] == "independent"
    rule = _one(spec, "rule")
    assert rule["mark"]["strokeDash"]
    data = _frame(spec)
    assert data.groupby("param")["optimum"].unique().map(list).to_dict() == {
        "W": [1.5],
        "b": [-0.25],
    }
    assert set(data["optimizer"]) == set(OPTIMIZERS)
    assert data["epoch"].min() == 0  # the start is drawn


def test_params_chart_labels_several_weights_w1_w2_like_the_engine():
    params = _params(["W1", "W2"])
    chart = charts.params_chart(params, {"weights": [0.5, -2.0], "bias": None, "mse": 1.0})
    data = _frame(chart.to_dict())
    assert data.groupby("param")["optimum"].first().to_dict() == {"W1": 0.5, "W2": -2.0}


# --- fit_chart ---------------------------------------------------------------------------------


def _points(n: int = 50) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    x = rng.uniform(0.0, 10.0, n)
    split = np.where(np.arange(n) < 0.8 * n, "train", "test")
    return pd.DataFrame({"x": x, "y": 3.0 * x + 2.0 + rng.normal(0, 1, n), "split": split})


def _lines() -> pd.DataFrame:
    rows = [(name, x, (2.0 + k) * x + 1.0) for k, name in enumerate(OPTIMIZERS) for x in (0, 10)]
    rows += [("least squares", x, 3.0 * x + 2.0) for x in (0, 10)]
    return pd.DataFrame(rows, columns=["optimizer", "x", "y"])


def test_fit_chart_tells_train_from_test_and_draws_each_optimizers_line():
    spec = charts.fit_chart(_points(), _lines(), x_title="hours", y_title="money").to_dict()
    scatter = _one(spec, "point")
    shape = scatter["encoding"]["shape"]
    assert shape["field"] == "split" and len(set(shape["scale"]["range"])) == 2
    assert scatter["encoding"]["x"]["title"] == "hours"
    assert scatter["encoding"]["y"]["title"] == "money"
    fitted, optimum = _views(spec, "line")
    assert set(_frame(spec, fitted)["optimizer"]) == set(OPTIMIZERS)
    assert set(_frame(spec, optimum)["optimizer"]) == {"least squares"}
    assert optimum["mark"]["strokeDash"]
    colours = _colour_of(spec)  # the optimum stands apart from every optimizer
    assert colours["least squares"] not in {colours[name] for name in OPTIMIZERS}


def test_fit_chart_scales_axes_to_the_data_not_to_a_diverged_line():
    lines = _lines()
    lines.loc[lines["optimizer"] == "adam", "y"] = [-1e30, 1e30]
    points = _points()
    spec = charts.fit_chart(points, lines, x_title="x", y_title="y").to_dict()
    lo, hi = _one(spec, "point")["encoding"]["y"]["scale"]["domain"]
    span = points["y"].max() - points["y"].min()
    assert points["y"].min() - span < lo <= points["y"].min()
    assert points["y"].max() <= hi < points["y"].max() + span


def test_fit_chart_keeps_user_text_as_plain_titles():
    title = "<img src=x onerror=alert(1)>"
    spec = charts.fit_chart(_points(), _lines(), x_title=title, y_title="y").to_dict()
    assert _one(spec, "point")["encoding"]["x"]["title"] == title
    assert '"href"' not in json.dumps(spec) and '"usermeta"' not in json.dumps(spec)


LONG_X = "hours studied per week, " * 200 + "x"  # 4,801 characters
LONG_Y = "money earned, " * 350 + "y"


def test_fit_chart_shortens_long_axis_titles_and_keeps_the_full_names_on_hover():
    spec = charts.fit_chart(_points(), _lines(), x_title=LONG_X, y_title=LONG_Y).to_dict()
    scatter = _one(spec, "point")
    x_title, y_title = scatter["encoding"]["x"]["title"], scatter["encoding"]["y"]["title"]
    assert len(x_title) <= 40 and len(y_title) <= 40
    assert x_title.startswith("hours studied per week") and x_title.endswith("week, x")
    assert y_title.startswith("money earned") and y_title.endswith("earned, y")
    tips = scatter["encoding"]["tooltip"]
    assert {tip.get("title") for tip in tips} >= {x_title, y_title}  # the values, short titles
    hover = {c["as"]: json.loads(c["calculate"]) for c in scatter["transform"]}
    shown = {tip["field"] for tip in tips}
    assert {name for field, name in hover.items() if field in shown} == {LONG_X, LONG_Y}
    assert LONG_X not in json.dumps(_rows(spec, scatter))  # not once per row


def test_fit_chart_keeps_short_titles_as_they_are_without_extra_hover_fields():
    spec = charts.fit_chart(_points(), _lines(), x_title="hours", y_title="money").to_dict()
    scatter = _one(spec, "point")
    assert "transform" not in scatter
    assert {tip["field"] for tip in scatter["encoding"]["tooltip"]} == {"x", "y", "split"}


# --- predictions -------------------------------------------------------------------------------


def test_pred_vs_actual_diagonal_spans_min_to_max_of_actual_and_predicted():
    preds = _preds()
    spec = charts.pred_vs_actual_chart(preds).to_dict()
    diagonal = _frame(spec, _one(spec, "line"))
    lo = min(preds["actual"].min(), preds["predicted"].min())
    hi = max(preds["actual"].max(), preds["predicted"].max())
    assert diagonal["actual"].tolist() == diagonal["predicted"].tolist() == [lo, hi]
    scatter = _one(spec, "point")
    assert scatter["encoding"]["color"]["field"] == "optimizer"
    assert set(_frame(spec, scatter)["optimizer"]) == set(OPTIMIZERS)
    # both axes on one range, so the diagonal is at 45 degrees
    assert scatter["encoding"]["x"]["scale"] == scatter["encoding"]["y"]["scale"]


def test_pred_vs_actual_samples_the_same_rows_for_every_optimizer():
    preds = _preds(n=3000)
    preds.loc[0, "predicted"] = np.nan  # a diverged prediction is dropped, not drawn
    spec = charts.pred_vs_actual_chart(preds).to_dict()
    drawn = _frame(spec, _one(spec, "point"))
    assert drawn.groupby("optimizer").size().max() <= SCATTER_ROWS
    rows = {name: set(group["actual"]) for name, group in drawn.groupby("optimizer")}
    assert rows["adam"] == rows["momentum"] and rows["sgd"] <= rows["adam"]
    assert drawn["predicted"].notna().all()


def test_residuals_chart_counts_every_held_out_row_once_per_optimizer():
    preds = _preds(n=57)
    preds.loc[0, "predicted"] = np.inf
    spec = charts.residuals_chart(preds).to_dict()
    hist = _frame(spec, _one(spec, "bar"))
    counts = hist.groupby("optimizer")["count"].sum().to_dict()
    assert counts == {"sgd": 56, "momentum": 57, "adam": 57}
    # shared bins, so the optimizers' bars line up
    edges = hist.groupby("optimizer")["start"].apply(tuple)
    assert edges.nunique() == 1
    zero = _one(spec, "rule")
    assert _rows(spec, zero)[0][zero["encoding"]["x"]["field"]] == 0.0


# --- distribution_chart ------------------------------------------------------------------------


def test_distribution_chart_shows_the_same_shape_after_z_score_on_its_own_scale():
    rng = np.random.default_rng(7)
    frames = []
    for column, raw in {"hours": rng.gamma(2.0, 3.0, 500), "age": rng.normal(40, 9, 500)}.items():
        z = (raw - raw.mean()) / raw.std()
        frames += [
            pd.DataFrame({"column": column, "stage": "original", "value": raw}),
            pd.DataFrame({"column": column, "stage": "z-scored", "value": z}),
        ]
    spec = charts.distribution_chart(pd.concat(frames), bins=25).to_dict()
    assert spec["facet"]["row"]["field"] == "column"
    assert spec["facet"]["column"]["field"] == "stage"
    assert spec["resolve"]["scale"]["x"] == "independent"
    hist = _frame(spec)
    for _, by_column in hist.groupby("column"):
        original = by_column[by_column["stage"] == "original"]["count"].tolist()
        scaled = by_column[by_column["stage"] == "z-scored"]["count"].tolist()
        assert original == scaled and sum(original) == 500
        z_range = by_column[by_column["stage"] == "z-scored"][["start", "end"]]
        assert z_range["start"].min() > -10 and z_range["end"].max() < 10


def test_distribution_chart_shortens_long_column_names_and_keeps_them_apart():
    same_start_and_end = ["area " * 1000 + "1" + " m2" * 10, "area " * 1000 + "2" + " m2" * 10]
    frames = [
        pd.DataFrame({"column": name, "stage": stage, "value": np.arange(10.0) * k})
        for k, name in enumerate(same_start_and_end, 1)
        for stage in ("original", "z-scored")
    ]
    spec = charts.distribution_chart(pd.concat(frames)).to_dict()
    hist = _frame(spec)
    headers = list(spec["facet"]["row"]["sort"])
    assert len(headers) == 2 and len(set(headers)) == 2  # two panels, not one
    assert all(len(h) <= 45 and h.startswith("area area") for h in headers)
    assert set(hist["column"]) == set(headers)
    tip = next(t for t in spec["spec"]["encoding"]["tooltip"] if t.get("title") == "column")
    assert set(hist[tip["field"]]) == set(same_start_and_end)  # the full name on hover


# --- colours -----------------------------------------------------------------------------------


def test_every_chart_gives_an_optimizer_the_same_colour(line_table):
    specs = [
        charts.loss_chart(_losses(), 0.1).to_dict(),
        charts.landscape_chart(_view(line_table, _three())[1], domain=OPTIMIZERS).to_dict(),
        charts.params_chart(_params(["W", "b"]), OPTIMUM).to_dict(),
        charts.fit_chart(_points(), _lines(), x_title="x", y_title="y").to_dict(),
        charts.pred_vs_actual_chart(_preds()).to_dict(),
        charts.residuals_chart(_preds()).to_dict(),
    ]
    colours = [{k: v for k, v in _colour_of(s).items() if k in OPTIMIZERS} for s in specs]
    assert all(c == colours[0] for c in colours)
    assert len(set(colours[0].values())) == len(OPTIMIZERS)


def test_a_chart_showing_a_subset_keeps_colours_when_given_the_domain():
    full = _colour_of(charts.pred_vs_actual_chart(_preds()).to_dict())
    only_adam = _preds()[lambda d: d["optimizer"] == "adam"]
    subset = _colour_of(charts.pred_vs_actual_chart(only_adam, domain=OPTIMIZERS).to_dict())
    assert subset["adam"] == full["adam"]
    unpinned = _colour_of(charts.pred_vs_actual_chart(only_adam).to_dict())
    assert unpinned["adam"] != full["adam"]  # why pages pass `domain`


def test_charts_show_the_plotted_values_in_tooltips():
    loss_line = _one(charts.loss_chart(_losses(), 0.1).to_dict(), "line")
    pred_points = _one(charts.pred_vs_actual_chart(_preds()).to_dict(), "point")
    for view, needed in [
        (loss_line, {"optimizer", "split", "epoch", "loss"}),
        (pred_points, {"optimizer", "actual", "predicted"}),
    ]:
        assert needed <= {tip["field"] for tip in view["encoding"]["tooltip"]}


# --- groups and log counts (the Data page's category, Normalise's heavy tails) -----------------
def test_fit_chart_fills_points_by_group_apart_from_the_optimizer_colours() -> None:
    points = _points().assign(group=["USA", "Japan"] * (len(_points()) // 2))
    spec = charts.fit_chart(
        points, _lines(), x_title="x", y_title="y", group_title="origin"
    ).to_dict()
    fill = _one(spec, "point")["encoding"]["fill"]
    assert fill["field"] == "group" and fill["title"] == "origin"
    assert fill["scale"]["domain"] == ["Japan", "USA"]  # sorted: the same colour on every page
    assert fill["scale"]["range"] == charts.GROUP_COLORS
    assert not set(charts.GROUP_COLORS) & set(charts.TABLEAU10)


def test_distribution_chart_log_count_marks_powers_of_ten() -> None:
    values = pd.DataFrame(
        {"column": "km", "stage": "original", "value": np.r_[np.zeros(2_000), [6.5e6]]}
    )
    y = charts.distribution_chart(values, bins=50, log_count=True).to_dict()["spec"]["encoding"][
        "y"
    ]
    assert y["scale"]["type"] == "symlog"
    assert y["axis"]["values"] == [0, 1, 10, 100, 1000]  # up to the 2,000 rows of the first bin
    plain = charts.distribution_chart(values).to_dict()["spec"]["encoding"]["y"]
    assert "scale" not in plain and "axis" not in plain


# --- one language at a time -------------------------------------------------------------------
def _words(spec: dict) -> list[str]:
    """Every title in a spec (chart, axes, legends, tooltips) and every labelExpr, as shown."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("title", "labelExpr", "name") and isinstance(value, str):
                    found.append(value)
                elif key != "datasets":
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


# English chart words a Korean chart must not show (the catalog's [charts] English, as literals)
ENGLISH = {"epoch", "optimizer", "split", "MSE", "MSE (log scale)", "marker", "direction"}
ENGLISH |= {"MSE (training)", "Loss per epoch", "Where each optimizer is", "The fitted lines"}


def test_a_korean_loss_chart_says_loss_and_epoch_in_korean_and_the_english_one_is_unchanged():
    ko = charts.loss_chart(_losses(), 0.0731, language="ko").to_dict()
    line, text = _one(ko, "line"), _one(ko, "text")
    assert line["encoding"]["x"]["title"] == "에포크"
    assert "손실" in line["encoding"]["y"]["title"] and "로그" in line["encoding"]["y"]["title"]
    assert line["encoding"]["color"]["title"] == "옵티마이저"
    tips = {t["field"]: t.get("title") for t in line["encoding"]["tooltip"]}
    assert tips["epoch"] == "에포크" and tips["optimizer"] == "옵티마이저"
    assert "훈련" in line["encoding"]["strokeDash"]["legend"]["labelExpr"]  # train/test in Korean
    assert "최소제곱해" in _rows(ko, text)[0][text["encoding"]["text"]["field"]]
    assert not ENGLISH & set(_words(ko))
    assert list(_frame(ko, line)["split"].unique()) == ["train", "test"]  # the data stay English

    en = charts.loss_chart(_losses(), 0.0731, language="en").to_dict()
    line = _one(en, "line")
    assert line["encoding"]["x"]["title"] == "epoch"
    assert line["encoding"]["y"]["title"] == "MSE (log scale)"
    assert "legend" not in line["encoding"]["strokeDash"]  # Vega's own labels: train, test
    assert not any("\uac00" <= ch <= "\ud7a3" for w in _words(en) for ch in w)  # no Hangul
    assert en == charts.loss_chart(_losses(), 0.0731).to_dict()  # outside a session: English


def test_a_korean_landscape_and_epoch_slider_chart_have_korean_titles(line_table):
    from ui import watch

    comp, view = _view(line_table, _three())
    ko = _words(charts.landscape_chart(view, language="ko").to_dict())
    assert {"옵티마이저", "표시"} <= set(ko) and not ENGLISH & set(ko)
    assert any("시작" in w and "끝" in w for w in ko)  # the markers' legend labels
    assert "W" in ko  # a parameter's name is a name

    domain = [h.label for h in comp.runs]
    frames = watch.watch_frames(comp, 0, view.plane.index)
    chart = charts.watch_chart(
        150,
        frames["losses"],
        view,
        frames["points"],
        pd.DataFrame({"x": [1.0, 2.0], "y": [1.0, 2.0], "split": "train"}),
        frames["lines"],
        frames["params"],
        domain=domain,
        x_title="area",
        y_title="price",
        land_titles=["W", "b"],
        language="ko",
    ).to_dict()
    words = set(_words(chart))
    assert {"에포크별 손실", "옵티마이저별 현재 위치", "학습된 직선", "에포크 "} <= words
    assert not ENGLISH & words
    loss_layers = chart["vconcat"][0]["layer"]
    calculated = [t["calculate"] for v in loss_layers for t in v.get("transform", [])]
    assert '"에포크 " + watch_epoch' in calculated  # the epoch written over the loss
