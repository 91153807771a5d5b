"""The loss landscape's geometry against numpy on the rows: contours, eigen-directions, frames,
clipped paths, epoch sampling and a one-parameter model's cost curve."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from linreg_core import OptimizerConfig, RunConfig, landscape, run

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"
WIDTH, HEIGHT = 400, 340  # px of plot area
THREE = ("area_m2", "age_years", "station_km")


@pytest.fixture(scope="module")
def apartments() -> pd.DataFrame:
    return pd.read_csv(SAMPLES / "apartments.csv")


def _design(df: pd.DataFrame, features: tuple[str, ...], zscore: bool, bias: bool) -> np.ndarray:
    """The rows as trained, [X, 1], z-scored with numpy (population std) when asked."""
    X = df[list(features)].to_numpy(dtype=np.float64)
    if zscore:
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    return np.column_stack([X, np.ones(len(X))]) if bias else X


def _mse(A: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """(n, k) parameter rows -> (n,) MSE over the rows, directly."""
    return np.mean((np.atleast_2d(theta) @ A.T - y) ** 2, axis=1)


def _comp(df, features, *, zscore=True, bias=True, optimizers=None, epochs=200):
    cfg = RunConfig(
        target="price_eok" if "price_eok" in df else "points",
        features=features,
        normalize=zscore,
        bias=bias,
        epochs=epochs,
        optimizers=optimizers or (OptimizerConfig("sgd", lr=0.1),),
    )
    return run(df, cfg)


# --- sampling the epochs of a path -------------------------------------------------------------


def test_sample_epochs_keeps_every_early_epoch_and_the_last_then_log_spaced():
    kept = landscape.sample_epochs(100_001, early=100, total=300)
    assert list(kept[:100]) == list(range(100))
    assert kept[-1] == 100_000
    assert len(kept) <= 300 and (np.diff(kept) > 0).all()
    ratios = kept[101:] / kept[100:-1]  # log-spaced: about the same ratio from one to the next
    assert ratios.max() < 1.1 and ratios.min() > 1.0
    # a turn near epoch 150 is still drawn with its neighbours a few epochs away (300 evenly
    # spaced epochs of 100,000 would be 334 apart)
    assert np.diff(kept[(kept > 100) & (kept < 200)]).max() <= 8


def test_sample_epochs_keeps_a_short_run_whole():
    assert list(landscape.sample_epochs(50)) == list(range(50))


# --- the slice, its contours and its eigen-directions, against numpy on the rows ---------------


@pytest.mark.parametrize(("zscore", "shown"), [(True, (0, 3)), (True, (1, 2)), (False, (0, 3))])
def test_every_point_on_a_drawn_contour_has_the_stated_loss(apartments, zscore, shown):
    comp = _comp(apartments, THREE, zscore=zscore, epochs=50)
    view = comp.landscape(shown, width=WIDTH, height=HEIGHT)
    A, y = _design(apartments, THREE, zscore, True), apartments["price_eok"].to_numpy()
    best = np.linalg.lstsq(A, y, rcond=None)[0]
    assert view.contours["loss"].nunique() >= 3
    for loss, ring in view.contours.groupby("loss"):
        theta = np.tile(best, (len(ring), 1))  # the other parameters at the optimum
        theta[:, list(shown)] = ring[["x", "y"]].to_numpy()
        np.testing.assert_allclose(_mse(A, y, theta), loss, rtol=1e-6)
    # each level is written once, at a point of its own ellipse
    for _, label in view.labels.iterrows():
        ring = view.contours[view.contours["loss"] == label["loss"]]
        assert ((ring["x"] == label["x"]) & (ring["y"] == label["y"])).any()


def test_contour_levels_are_the_floor_times_one_plus_a_round_number(apartments):
    comp = _comp(apartments, ("area_m2",), epochs=50)
    view = comp.landscape(width=WIDTH, height=HEIGHT)
    A, y = _design(apartments, ("area_m2",), True, True), apartments["price_eok"].to_numpy()
    floor = _mse(A, y, np.linalg.lstsq(A, y, rcond=None)[0])[0]
    m = np.sort(view.contours["loss"].unique()) / floor - 1
    mantissa = m / 10 ** np.floor(np.log10(m) + 1e-9)
    np.testing.assert_allclose(mantissa, np.round(mantissa), atol=1e-6)
    assert set(np.round(mantissa)) <= {1, 2, 5}


@pytest.mark.parametrize(("zscore", "shown"), [(True, (0, 3)), (False, (0, 3)), (True, (0, 1))])
def test_eigen_lines_run_along_numpys_eigenvectors_of_the_slices_hessian(apartments, zscore, shown):
    comp = _comp(apartments, THREE, zscore=zscore, epochs=20)
    view = comp.landscape(shown, width=WIDTH, height=HEIGHT)
    A = _design(apartments, THREE, zscore, True)
    H = 2 * A.T @ A / len(A)
    lam, V = np.linalg.eigh(H[np.ix_(shown, shown)])
    lines = view.eigen.sort_values("axis")
    np.testing.assert_allclose(lines["hessian_eigenvalue"], lam, rtol=1e-9)
    for k, (_, line) in enumerate(lines.iterrows()):
        d = np.array([line["x2"] - line["x"], line["y2"] - line["y"]])
        block = H[np.ix_(shown, shown)]
        np.testing.assert_allclose(block @ d, lam[k] * d, atol=1e-9 * lam[1] * np.linalg.norm(d))
        if lam[1] - lam[0] > 1e-6 * lam[1]:  # distinct: the one direction numpy gives
            assert abs(d @ V[:, k]) / np.linalg.norm(d) == pytest.approx(1.0, abs=1e-9)
        middle = np.array([line["x"] + line["x2"], line["y"] + line["y2"]]) / 2
        np.testing.assert_allclose(middle, view.plane.center, rtol=1e-9, atol=1e-12)


def test_the_other_parameters_are_held_at_numpys_least_squares(apartments):
    comp = _comp(apartments, THREE, epochs=20)
    view = comp.landscape((0, 2), width=WIDTH, height=HEIGHT)
    A, y = _design(apartments, THREE, True, True), apartments["price_eok"].to_numpy()
    best = np.linalg.lstsq(A, y, rcond=None)[0]
    assert view.plane.names == ("W1", "W3")
    assert list(view.plane.held) == ["W2", "b"]
    np.testing.assert_allclose(list(view.plane.held.values()), best[[1, 3]], rtol=1e-9)


# --- the frame -----------------------------------------------------------------------------


def test_a_z_scored_one_feature_bowl_is_framed_at_equal_scale_and_drawn_round(apartments):
    view = _comp(apartments, ("area_m2",), epochs=100).landscape(width=WIDTH, height=HEIGHT)
    fr = view.frame
    assert fr.equal
    x_per_px = (fr.x_domain[1] - fr.x_domain[0]) / WIDTH
    y_per_px = (fr.y_domain[1] - fr.y_domain[0]) / HEIGHT
    assert x_per_px == pytest.approx(y_per_px, rel=1e-12)
    # z-scored x has mean 0 and variance 1: the Hessian is 2 I, so every contour is a circle
    for _, ring in view.contours.groupby("loss"):
        r = np.hypot(ring["x"] - view.plane.center[0], ring["y"] - view.plane.center[1])
        assert r.max() == pytest.approx(r.min(), rel=1e-9)


def test_raw_data_whose_bowl_is_a_line_gets_its_own_scale_per_axis(apartments):
    comp = _comp(apartments, ("area_m2",), zscore=False, epochs=100)
    view = comp.landscape(width=WIDTH, height=HEIGHT)
    assert not view.frame.equal  # W about 0.04, b about 7: at one scale W would be a line
    forced = comp.landscape(width=WIDTH, height=HEIGHT, equal=True)
    per_px = np.diff(forced.frame.x_domain) / WIDTH, np.diff(forced.frame.y_domain) / HEIGHT
    assert per_px[0] == pytest.approx(per_px[1], rel=1e-12)


def test_the_frame_holds_the_start_the_optimum_and_every_path_that_did_not_diverge(apartments):
    four = tuple(OptimizerConfig(n, lr=0.1) for n in ("sgd", "momentum", "rmsprop", "adam"))
    comp = _comp(apartments, ("area_m2",), optimizers=four, epochs=300)
    view = comp.landscape(width=WIDTH, height=HEIGHT)
    for h in comp.runs:
        xy = np.column_stack([h.weights[:, 0], h.bias])
        assert view.frame.inside(xy).all(), h.label
    assert set(view.paths["optimizer"]) == {h.label for h in comp.runs}
    assert view.left == {}


# --- a diverged path, cut at the frame ---------------------------------------------------------


def test_a_diverged_path_stops_at_the_frame_and_its_exit_is_marked(apartments):
    runs = (OptimizerConfig("momentum", lr=0.0005), OptimizerConfig("adam", lr=0.1))
    comp = _comp(apartments, ("area_m2",), zscore=False, optimizers=runs, epochs=300)
    blown = comp.runs[0]
    assert blown.diverged  # raw areas, squared about 6,700: lr 5e-4 is above momentum's limit
    view = comp.landscape(width=WIDTH, height=HEIGHT)
    fr = view.frame
    drawn = view.paths[view.paths["optimizer"] == blown.label]
    assert fr.inside(drawn[["x", "y"]].to_numpy()).all()  # nothing drawn across the map
    exit_mark = view.marks[(view.marks["optimizer"] == blown.label)]
    assert set(exit_mark["marker"]) == {"start", "leaves the frame"}
    leaves = exit_mark[exit_mark["marker"] == "leaves the frame"].iloc[0]
    on_edge = (
        np.isclose(leaves["x"], fr.x_domain).any() or np.isclose(leaves["y"], fr.y_domain).any()
    )
    assert on_edge
    # the first epoch outside, checked directly on the run's parameters
    xy = np.column_stack([blown.weights[:, 0], blown.bias])
    x_in = (xy[:, 0] >= fr.x_domain[0]) & (xy[:, 0] <= fr.x_domain[1])
    y_in = (xy[:, 1] >= fr.y_domain[0]) & (xy[:, 1] <= fr.y_domain[1])
    first_out = int(np.argmin(x_in & y_in))
    assert view.left[blown.label] == leaves["epoch"] == first_out
    # drawn up to the last epoch inside, then on to the exit on the edge
    assert list(drawn["epoch"].iloc[-2:]) == [first_out - 1, first_out]
    assert (drawn["x"].iloc[-1], drawn["y"].iloc[-1]) == (leaves["x"], leaves["y"])


# --- paths drawn one over the other ------------------------------------------------------------


def test_paths_that_coincide_are_named_and_the_longest_path_is_drawn_first(apartments):
    runs = tuple(OptimizerConfig(n, lr=0.1) for n in ("sgd", "gd-manual", "momentum"))
    comp = _comp(apartments, ("area_m2",), optimizers=runs, epochs=200)
    view = comp.landscape(width=WIDTH, height=HEIGHT)
    assert view.same == [(["sgd", "gd-manual"], True)] or view.same == [
        (["gd-manual", "sgd"], True)
    ]
    rank = view.paths.groupby("optimizer")["rank"].first()
    px = {
        k: np.abs(np.diff(view.frame.to_px(g[["x", "y"]].to_numpy()), axis=0))
        for k, g in view.paths.groupby("optimizer")
    }
    length = {k: np.hypot(*d.T).sum() for k, d in px.items()}
    assert rank.idxmin() == max(length, key=length.get) == "momentum"  # momentum overshoots
    assert (view.paths["rank"].diff().fillna(0) >= 0).all()  # rows in drawing order


# --- seed 003: one parameter, cost against W ---------------------------------------------------


def test_seed_003_cost_curve_and_steps_lie_on_numpys_parabola():
    df = pd.read_csv(SAMPLES / "hours_points.csv")
    cfg = RunConfig(
        target="points",
        features=("hour",),
        bias=False,
        epochs=10,
        optimizers=(OptimizerConfig("sgd", lr=0.15), OptimizerConfig("adam", lr=0.3)),
    )
    comp = run(df, cfg)
    view = comp.landscape(width=WIDTH, height=HEIGHT)
    assert view.plane.names == ("W",)
    x, y = df["hour"].to_numpy(float), df["points"].to_numpy(float)

    def cost(w: np.ndarray) -> np.ndarray:
        return np.mean((np.outer(w, x) - y) ** 2, axis=1)

    np.testing.assert_allclose(view.contours["y"], cost(view.contours["x"].to_numpy()), atol=1e-12)
    for h in comp.runs:
        steps = view.paths[view.paths["optimizer"] == h.label]
        assert list(steps["epoch"]) == list(range(11))
        np.testing.assert_array_equal(steps["x"], h.weights[:, 0])
        np.testing.assert_allclose(steps["y"], cost(steps["x"].to_numpy()), rtol=1e-9, atol=1e-15)
    sgd = view.paths[view.paths["optimizer"] == "sgd"]
    assert sgd["x"].iloc[1] == pytest.approx(1.4, rel=1e-6)  # seed 003 jumps past 1 first
