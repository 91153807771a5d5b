"""The loss landscape: full-batch MSE over two chosen parameters, the others at the optimum.

The training MSE is a quadratic, L(t) = L* + (t - t*)^T G (t - t*) with G = A^T A / m, so its
slice through the optimum along parameters i and j is L* + d^T G_ij d, G_ij the 2 x 2 block of G,
and a one-parameter model's cost is the parabola L* + g (w - w*)^2. Everything here is exact and
needs no pass over the rows: iso-loss contours are ellipses, the eigen-directions are the block's
eigenvectors. A frame is a plot area in pixels with a data domain per axis, by default at equal
scale (as many data units per pixel on both axes). Paths are sampled so that early turns survive
long runs, and cut where they leave the frame.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from linreg_core.curvature import Curvature, curvature_of

if TYPE_CHECKING:  # types only: linreg_core.train loads torch
    from linreg_core.train import Statistics

EARLY_EPOCHS = 100  # every epoch up to here is kept on a path
PATH_POINTS = 300  # per path at most: EARLY_EPOCHS, then log-spaced epochs to the last
MARGIN = 0.12  # of the framed points' span, on each side
LINE_RATIO = 30.0  # equal scale off when the framed points would fill under 1/30 of an axis
CONTOUR_POINTS = 160  # per ellipse, evenly spaced in angle in pixel space
CONTOUR_RADII = (0.12, 0.3, 0.55, 0.85, 1.3, 2.0, 3.0)  # of the largest ellipse inside the frame
NICE_STEPS = (1.0, 2.0, 5.0)  # contour levels are L* x (1 + m), m = these times a power of ten
EIGEN_LENGTH = 0.22  # of the plot's smaller side, each side of the optimum
SAME_PIXELS = 1.0  # two paths closer than this everywhere are drawn one over the other
SAME_STEPS = 1e-4  # relative to the frame: the same points to float32 rounding


def sample_epochs(n: int, *, early: int = EARLY_EPOCHS, total: int = PATH_POINTS) -> np.ndarray:
    """Positions 0..n-1 to draw: every one below `early`, then log-spaced, the last always kept."""
    if n <= total:
        return np.arange(n)
    if not 0 < early < total:
        raise ValueError(f"Invalid early: {early} (need 0 < early < total = {total})")
    tail = np.geomspace(early, n - 1, total - early).round().astype(int)
    return np.unique(np.concatenate([np.arange(early), tail, [n - 1]]))


@dataclass(frozen=True)
class Plane:
    """The loss on the slice through the optimum along two parameters (or one, for a curve)."""

    names: tuple[str, ...]  # the shown parameters, e.g. ("W", "b")
    index: tuple[int, ...]  # their positions in [w_1..w_d, b]
    G: np.ndarray  # (p, p) the block of A^T A / m
    center: np.ndarray  # (p,) the optimum's shown parameters
    floor: float  # the least-squares MSE, L*
    held: dict[str, float]  # every other parameter, held at the optimum

    def loss(self, points: np.ndarray) -> np.ndarray:
        """(n, p) parameter values -> (n,) MSE on this slice."""
        d = np.asarray(points, dtype=np.float64) - self.center  # (n, p)
        with np.errstate(over="ignore", invalid="ignore"):
            return self.floor + np.einsum("ni,ij,nj->n", d, self.G, d)


def plane(stats: Statistics, names: list[str], shown: tuple[int, ...]) -> Plane:
    """The slice of stats along the parameters at positions `shown` (one or two, distinct)."""
    if len(set(shown)) != len(shown) or not 1 <= len(shown) <= 2:
        raise ValueError(f"Invalid parameters to show: {shown} (one or two distinct positions)")
    idx = list(shown)
    pairs = enumerate(zip(names, stats.optimum, strict=True))
    held = {n: float(v) for k, (n, v) in pairs if k not in idx}
    return Plane(
        names=tuple(names[k] for k in idx),
        index=tuple(idx),
        G=stats.G[np.ix_(idx, idx)],
        center=stats.optimum[idx],
        floor=float(stats.floor),
        held=held,
    )


@dataclass(frozen=True)
class Frame:
    """A plot area of width x height pixels showing x_domain x y_domain (y up)."""

    x_domain: tuple[float, float]
    y_domain: tuple[float, float]
    width: int  # px
    height: int  # px
    equal: bool  # as many data units per pixel on both axes

    @property
    def scale(self) -> np.ndarray:
        """(2,) pixels per data unit on x and y."""
        return np.array(
            [
                self.width / (self.x_domain[1] - self.x_domain[0]),
                self.height / (self.y_domain[1] - self.y_domain[0]),
            ]
        )

    def to_px(self, points: np.ndarray) -> np.ndarray:
        """(n, 2) data -> (n, 2) pixels from the lower-left corner."""
        lo = np.array([self.x_domain[0], self.y_domain[0]])
        with np.errstate(over="ignore", invalid="ignore"):
            return (np.asarray(points, dtype=np.float64) - lo) * self.scale

    def inside(self, points: np.ndarray, pad: float = 0.0) -> np.ndarray:
        """(n,) whether each point lies in the plot, at least pad pixels from its edges."""
        px = self.to_px(points)
        size = np.array([self.width, self.height])
        with np.errstate(invalid="ignore"):
            return np.all((px >= pad) & (px <= size - pad), axis=1)


def frame(points: np.ndarray, width: int, height: int, *, equal: bool | None = None) -> Frame:
    """The frame around every finite row of points (n, 2), plus a margin.

    equal: True for equal scale, False for each axis its own, None to choose: equal unless the
    points, drawn at equal scale, would fill less than 1/LINE_RATIO of one axis (raw data whose
    bowl is a line).
    """
    pts = np.asarray(points, dtype=np.float64)
    pts = pts[np.isfinite(pts).all(axis=1)]
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    span = np.maximum(hi - lo, 1e-3 * np.maximum(1.0, np.abs(hi).max()))
    lo, hi = lo - MARGIN * span, hi + MARGIN * span
    span = hi - lo
    size = np.array([width, height], dtype=np.float64)
    per_px = span / size  # data units per pixel
    if equal is None:
        equal = bool(per_px.max() / per_px.min() <= LINE_RATIO)
    if equal:
        middle = (lo + hi) / 2
        half = per_px.max() * size / 2
        lo, hi = middle - half, middle + half
    return Frame((float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1])), width, height, equal)


def _nice(values: np.ndarray) -> np.ndarray:
    """Each positive value rounded (on a log scale) to 1, 2 or 5 times a power of ten."""
    exp = np.floor(np.log10(values))
    steps = np.array(NICE_STEPS)
    cand = steps[None, :] * 10.0 ** exp[:, None]  # (n, 3)
    cand = np.concatenate([cand, 10.0 ** (exp[:, None] + 1)], axis=1)
    best = np.abs(np.log(cand) - np.log(values)[:, None]).argmin(axis=1)
    return cand[np.arange(len(values)), best]


def _pixel_shape(pl: Plane, fr: Frame) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (ascending) and eigenvectors of the loss's quadratic in pixels."""
    inv = 1.0 / fr.scale
    Gp = pl.G * np.outer(inv, inv)  # d = inv * p  ->  d^T G d = p^T Gp p
    mu, V = np.linalg.eigh(Gp)
    return np.maximum(mu, mu.max() * 1e-16), V


def levels(pl: Plane, fr: Frame, radii: tuple[float, ...] = CONTOUR_RADII) -> np.ndarray:
    """Contour losses spread over the frame: L* x (1 + m) with m = 1, 2 or 5 times a power of
    ten (or 1, 2, 5 ... above L* when L* is 0), ascending, each drawn at least partly."""
    mu, V = _pixel_shape(pl, fr)
    c = fr.to_px(pl.center[None, :])[0]
    # the largest ellipse inside the frame touches its nearest edge along the axis of that edge
    reach = np.array([c[0], fr.width - c[0], c[1], fr.height - c[1]])
    Ginv = V @ np.diag(1 / mu) @ V.T  # the extent of d^T Gp d = e along axis k is sqrt(e Ginv_kk)
    e_in = float(min((reach[:2].min() ** 2) / Ginv[0, 0], (reach[2:].min() ** 2) / Ginv[1, 1]))
    corners = np.array([[0, 0], [fr.width, 0], [0, fr.height], [fr.width, fr.height]]) - c
    e_max = float(np.einsum("ni,ij,nj->n", corners, V @ np.diag(mu) @ V.T, corners).max())
    targets = np.array([e_in * r**2 for r in radii])
    targets = targets[targets < e_max]
    if e_in <= 0 or len(targets) == 0:
        targets = np.array([e_max / 4])
    if pl.floor > 1e-9 * targets.max():
        out = pl.floor * (1 + _nice(targets / pl.floor))
    else:
        out = _nice(targets)
    return np.unique(out[out > pl.floor])


def contours(pl: Plane, fr: Frame, losses: np.ndarray) -> pd.DataFrame:
    """Columns loss, segment, order, x, y: each level's ellipse, its parts near the frame.

    Points are evenly spaced in angle in pixel space, so the polyline is within a pixel of the
    ellipse wherever it is drawn; runs of points far outside the frame are left out, and each
    visible run is its own segment (line) so no chord crosses the plot.
    """
    mu, V = _pixel_shape(pl, fr)
    t = np.linspace(0.0, 2 * np.pi, CONTOUR_POINTS + 1)
    circle = np.stack([np.cos(t), np.sin(t)])  # (2, n)
    parts = []
    for loss in losses:
        excess = loss - pl.floor
        px = (V @ (np.sqrt(excess / mu)[:, None] * circle)).T  # (n, 2) offsets in pixels
        xy = pl.center + px / fr.scale
        near = fr.inside(xy) | np.r_[fr.inside(xy)[1:], False] | np.r_[False, fr.inside(xy)[:-1]]
        if not near.any():
            continue
        segment = np.cumsum(np.r_[True, ~near[:-1]] & near)  # a new segment after each gap
        keep = np.flatnonzero(near)
        parts.append(
            pd.DataFrame(
                {
                    "loss": float(loss),
                    "segment": segment[keep],
                    "order": keep,
                    "x": xy[keep, 0],
                    "y": xy[keep, 1],
                }
            )
        )
    if not parts:
        return pd.DataFrame({"loss": [], "segment": [], "order": [], "x": [], "y": []})
    return pd.concat(parts, ignore_index=True)


def contour_labels(lines: pd.DataFrame, fr: Frame, room: float = 40.0) -> pd.DataFrame:
    """Columns loss, x, y: one place per level for its label, on the ellipse and in the frame
    with `room` pixels to its right for the text, as far up and right as it goes (nested levels
    line up outwards); from the outermost in, a label that would touch one already placed is
    left out."""
    rows: list[tuple[float, float, float]] = []
    placed: list[np.ndarray] = []
    for loss, group in sorted(lines.groupby("loss"), key=lambda g: -float(g[0])):
        xy = group[["x", "y"]].to_numpy()
        px = fr.to_px(xy)
        ok = (px[:, 0] >= 2) & (px[:, 0] <= fr.width - room) & (px[:, 1] >= 4)
        ok &= px[:, 1] <= fr.height - 14
        if not ok.any():
            continue
        best = int(np.argmax(np.where(ok, px[:, 0] + 1.5 * px[:, 1], -np.inf)))
        if any(abs(p[0] - px[best, 0]) < room and abs(p[1] - px[best, 1]) < 14 for p in placed):
            continue
        placed.append(px[best])
        rows.append((float(loss), *xy[best]))
    return pd.DataFrame(sorted(rows), columns=["loss", "x", "y"])


def eigen_lines(pl: Plane, fr: Frame, curv: Curvature) -> pd.DataFrame:
    """Columns axis, hessian_eigenvalue, x, y, x2, y2: a line through the optimum along each
    eigenvector of the slice's Hessian 2 G_ij (curv), EIGEN_LENGTH of the plot's smaller side
    each way."""
    lam, V = curv.eigenvalues, curv.eigenvectors  # ascending, eigenvectors as columns
    if lam[1] - lam[0] <= 1e-9 * abs(lam[1]):  # a round bowl: every direction is one; take the axes
        V = np.eye(2)
    reach = EIGEN_LENGTH * min(fr.width, fr.height)
    rows = []
    for k in range(2):
        v = V[:, k]
        s = reach / float(np.linalg.norm(v * fr.scale))  # data units for `reach` pixels
        a, b = pl.center - s * v, pl.center + s * v
        # (x2, y2), where λ is written: an end with room for the text in the frame, the lower
        # left one if both have it (away from the contours' labels, which go up and right)
        pa, pb = fr.to_px(np.array([a, b]))
        room = fr.inside(np.array([a, b]), pad=20.0)
        if (room[0] and not room[1]) or (
            room[0] == room[1] and pb[0] + 1.5 * pb[1] > pa[0] + 1.5 * pa[1]
        ):
            a, b = b, a
        rows.append((k + 1, float(lam[k]), a[0], a[1], b[0], b[1]))
    return pd.DataFrame(rows, columns=["axis", "hessian_eigenvalue", "x", "y", "x2", "y2"])


def clip(xy: np.ndarray, fr: Frame) -> tuple[int, np.ndarray | None]:
    """(how many leading rows of xy (n, 2) stay in the frame, where the path leaves it or None).

    The exit is where the segment from the last row inside to the first outside crosses the
    frame's edge; a non-finite row leaves at the last finite one.
    """
    inside = fr.inside(xy)
    if inside.all():
        return len(xy), None
    k = int(np.argmin(inside))  # the first row outside
    if k == 0:
        return 0, None
    a, b = xy[k - 1], xy[k]
    if not np.isfinite(b).all():
        return k, a.copy()
    lo = np.array([fr.x_domain[0], fr.y_domain[0]])
    hi = np.array([fr.x_domain[1], fr.y_domain[1]])
    d = b - a
    with np.errstate(divide="ignore", invalid="ignore"):
        t_hi = np.where(d > 0, (hi - a) / d, np.where(d < 0, (lo - a) / d, np.inf))
    t = float(np.clip(np.nanmin(t_hi), 0.0, 1.0))
    return k, np.clip(a + t * d, lo, hi)  # on the edge, not a rounding error beyond it


def path_length_px(xy: np.ndarray, fr: Frame) -> float:
    """The length in pixels of a path (n, 2) as drawn."""
    px = fr.to_px(xy)
    return float(np.linalg.norm(np.diff(px, axis=0), axis=1).sum()) if len(px) > 1 else 0.0


def coinciding(paths: dict[str, np.ndarray], fr: Frame) -> list[tuple[list[str], bool]]:
    """Groups of paths (label -> (n, 2), all sampled alike) drawn within SAME_PIXELS of each other
    at every point (two points at least: every path starts at the same one); each with whether
    they are the same points to float32 rounding."""
    labels = list(paths)
    groups: list[tuple[list[str], bool]] = []
    placed: set[str] = set()
    span = np.array([np.diff(fr.x_domain)[0], np.diff(fr.y_domain)[0]])
    for i, a in enumerate(labels):
        if a in placed:
            continue
        group, exact = [a], True
        for b in labels[i + 1 :]:
            pa, pb = paths[a], paths[b]
            if b in placed or pa.shape != pb.shape or len(pa) < 2:
                continue
            gap = np.abs(fr.to_px(pa) - fr.to_px(pb))
            if np.isfinite(gap).all() and gap.max() < SAME_PIXELS:
                group.append(b)
                exact &= bool((np.abs(pa - pb) / span).max() < SAME_STEPS)
        if len(group) > 1:
            placed.update(group)
            groups.append((group, exact))
    return groups


@dataclass(frozen=True)
class View:
    """Everything a landscape chart draws, in data units of the shown parameters."""

    plane: Plane
    frame: Frame
    contours: pd.DataFrame  # loss, segment, order, x, y (one parameter: the curve, x and y)
    labels: pd.DataFrame  # loss, x, y: where each contour's value is written
    eigen: pd.DataFrame  # axis, hessian_eigenvalue, x, y, x2, y2 (empty for one parameter)
    paths: pd.DataFrame  # optimizer, epoch, x, y, rank (rank 0 is drawn first, underneath);
    # a path that leaves the frame ends at its exit, on the edge, with the first epoch outside
    marks: pd.DataFrame  # optimizer, marker ("start", "end", "leaves"), epoch, x, y, rank
    same: list[tuple[list[str], bool]]  # paths drawn one over the other; same to rounding?
    left: dict[str, int]  # optimizer -> the first epoch outside the frame


START, END, LEAVES = "start", "end", "leaves the frame"  # the marks' names


def view(
    stats: Statistics,
    names: list[str],
    shown: tuple[int, ...],
    runs: dict[str, np.ndarray],
    framed: list[str],
    *,
    width: int,
    height: int,
    equal: bool | None = None,
) -> View:
    """The landscape of stats along the shown parameters, with every run's path.

    Args:
        names: every parameter's name, [w_1..w_d, b].
        shown: the positions of the one or two parameters drawn (x, then y).
        runs: label -> (epochs + 1, k) the parameters from the start on, every epoch.
        framed: the labels whose whole path the frame contains (those that did not diverge);
            the start and the optimum are always in it.
        width, height: the plot area in pixels.
        equal: equal scale (None: unless the bowl would be a line, see frame()).
    """
    pl = plane(stats, names, shown)
    cols = list(shown)
    first = next(iter(runs.values()))[0, cols] if runs else pl.center
    pts = [pl.center[None, :], first[None, :], *(runs[k][:, cols] for k in framed)]
    one = len(cols) == 1
    if one:  # a curve: x frames the paths, y the parabola over that x range
        xs = np.concatenate(pts)[:, 0]
        x_fr = frame(np.column_stack([xs, xs]), width, height, equal=False)
        ends = np.array([[x_fr.x_domain[0]], [x_fr.x_domain[1]]])
        top = float(np.nanmax(pl.loss(ends)))
        fr = frame(
            np.array([[x_fr.x_domain[0], pl.floor], [x_fr.x_domain[1], top]]),
            width,
            height,
            equal=False,
        )
        fr = Frame(x_fr.x_domain, fr.y_domain, width, height, False)
        x = np.linspace(*fr.x_domain, CONTOUR_POINTS + 1)
        lines = pd.DataFrame({"x": x, "y": pl.loss(x[:, None])})
        labels = pd.DataFrame({"loss": [], "x": [], "y": []})
        eigen = pd.DataFrame(
            {"axis": [], "hessian_eigenvalue": [], "x": [], "y": [], "x2": [], "y2": []}
        )
    else:
        fr = frame(np.concatenate(pts), width, height, equal=equal)
        lines = contours(pl, fr, levels(pl, fr))
        labels = contour_labels(lines, fr)
        eigen = eigen_lines(pl, fr, curvature_of(replace(stats, G=pl.G, optimum=pl.center)))

    def on_plot(xy: np.ndarray) -> np.ndarray:
        """(n, p) parameters -> (n, 2) drawn points (a curve's y is the loss)."""
        return np.column_stack([xy[:, 0], pl.loss(xy)]) if one else xy

    drawn: dict[str, pd.DataFrame] = {}
    exits: dict[str, np.ndarray] = {}
    left: dict[str, int] = {}
    for label, params in runs.items():
        xy = on_plot(params[:, cols])
        kept, exit_at = clip(xy, fr)
        epochs = sample_epochs(kept)
        x, y = xy[epochs, 0], xy[epochs, 1]
        if exit_at is not None:  # the line goes on to the edge, towards the first epoch outside
            exits[label], left[label] = exit_at, kept
            epochs, x, y = np.r_[epochs, kept], np.r_[x, exit_at[0]], np.r_[y, exit_at[1]]
        drawn[label] = pd.DataFrame({"optimizer": label, "epoch": epochs, "x": x, "y": y})
    # the longest path as drawn first (underneath): a shorter one on top stays visible
    length = {k: path_length_px(d[["x", "y"]].to_numpy(), fr) for k, d in drawn.items()}
    order = sorted(drawn, key=lambda k: -length[k])
    rank = {k: i for i, k in enumerate(order)}
    paths = pd.concat([drawn[k].assign(rank=rank[k]) for k in order], ignore_index=True)
    marks = []
    for k in order:
        d = drawn[k]
        if len(d):
            marks.append((k, START, int(d["epoch"].iloc[0]), *d[["x", "y"]].iloc[0], rank[k]))
        if k in exits:
            marks.append((k, LEAVES, left[k], *exits[k], rank[k]))
        elif len(d):
            marks.append((k, END, int(d["epoch"].iloc[-1]), *d[["x", "y"]].iloc[-1], rank[k]))
    marks_df = pd.DataFrame(marks, columns=["optimizer", "marker", "epoch", "x", "y", "rank"])
    same = coinciding({k: drawn[k][["x", "y"]].to_numpy() for k in order}, fr)
    return View(pl, fr, lines, labels, eigen, paths, marks_df, same, left)
