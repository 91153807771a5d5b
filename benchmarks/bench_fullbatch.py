"""Full-batch training speed: the engine against the tutorials' loop, in one run.

For each table size (seeded data y = a x + b + noise, written as CSV to a temporary folder):
  - the seed-style loop (benchmarks/seed_style.py: float32 tensors, a torch.optim class,
    4 optimizers x 1000 epochs on z-scored x), in this process and as a whole script;
  - linreg_core.compare.compare() in this process (the fast path above 5,000 rows, the plain
    loop below), and the whole `python -m linreg_core compare ... --json` command;
  - the floor every command pays: `python -c "import torch, pandas"`;
  - agreement: the engine's final weights (original units) against the seed loop's;
  - peak memory (max RSS) of every command;
and once, mini-batch training (the real loop on both sides) with the same number of steps.

    python benchmarks/bench_fullbatch.py [--sizes 1000,100000,1000000] [--repeat 3] [--quick]

Prints a table, then one JSON line with every number. Exits 1 when the weights disagree.
Times are the minimum over repetitions; a measurement stops repeating once it has used
--budget seconds (the seed-style loop on a million rows takes one repetition).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for _p in (str(REPO), str(HERE)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import seed_style  # noqa: E402

from linreg_core import OptimizerConfig, RunConfig, prepare, read_table  # noqa: E402
from linreg_core.compare import compare  # noqa: E402
from linreg_core.config import PLAIN_MAX_ROWS  # noqa: E402

OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam")
LR = 0.01
EPOCHS = 1000
TARGET = "y"
FLOOR_COMMAND = [sys.executable, "-c", "import torch, pandas"]
AGREE_RTOL = 1e-5  # linreg_core/train.py: the fast path agrees with the float32 loop to 1e-5
TARGET_ROWS = 1_000_000  # the size the two targets below are stated for
TARGET_OVER_FLOOR = 0.5  # s: the compare command beyond the import floor
TARGET_SPEEDUP = 50.0  # seed-style loop / engine comparison, in process
DEFAULT_SIZES = (1_000, 100_000, 1_000_000)
QUICK_SIZES = (1_000, 100_000)

# y = sum(COEFS * x) + INTERCEPT + N(0, NOISE); x_i ~ N(MEANS_i, STDS_i). Small z-space
# parameters, so that all four optimizers converge in 1000 epochs at lr 0.01.
MEANS = (2.0, -1.0, 1.0)
STDS = (1.0, 0.5, 2.0)
COEFS = (1.5, -2.0, 0.5)
INTERCEPT = 0.5
NOISE = 0.3


# -- data ------------------------------------------------------------------------------------
def make_data(rows: int, features: int = 1, seed: int = 0) -> pd.DataFrame:
    """Seeded table: column x (or x1..x3) and y = a x + b + noise."""
    if not 1 <= features <= len(COEFS):
        raise ValueError(f"features must be 1..{len(COEFS)}")
    rng = np.random.default_rng(seed)
    X = rng.normal(MEANS[:features], STDS[:features], size=(rows, features))
    y = X @ np.array(COEFS[:features]) + INTERCEPT + rng.normal(0.0, NOISE, rows)
    names = ["x"] if features == 1 else [f"x{i + 1}" for i in range(features)]
    df = pd.DataFrame(X, columns=names)
    df[TARGET] = y
    return df


def write_csv(df: pd.DataFrame, folder: Path, features: int) -> Path:
    path = folder / f"linreg_{len(df)}_rows_{features}_features.csv"
    df.to_csv(path, index=False, float_format="%.6f")
    return path


def run_config(lr: float, epochs: int, batch_size: int | None = None) -> RunConfig:
    return RunConfig(
        target=TARGET,
        normalize=True,
        epochs=epochs,
        batch_size=batch_size,
        optimizers=tuple(OptimizerConfig(name=n, lr=lr) for n in OPTIMIZERS),
    )


# -- agreement -------------------------------------------------------------------------------
def relative_differences(engine: dict[str, list[float]], seed: dict[str, Any]) -> dict[str, float]:
    """Per optimizer |theta_e - theta_s| / |theta_s|, theta = [W..., b] in original units."""
    out = {}
    for name, theta in engine.items():
        s = seed["optimizers"][name]
        ref = np.array([*s["weights_original"], s["bias_original"]])
        out[name] = float(np.linalg.norm(np.array(theta) - ref) / np.linalg.norm(ref))
    return out


def from_optimum(weights: dict[str, list[float]], ols: list[float]) -> dict[str, float]:
    """Per optimizer: |theta - theta_ols| / |theta_ols|, how far from the least-squares optimum."""
    ref = np.array(ols)
    return {
        k: float(np.linalg.norm(np.array(v) - ref) / np.linalg.norm(ref))
        for k, v in weights.items()
    }


def engine_weights(comp) -> dict[str, list[float]]:
    """The comparison's final [W..., b] per optimizer, in the data's own units."""
    out = {}
    for h in comp.runs:
        w, b = comp.original(h)
        out[h.optimizer.name] = [*map(float, w), float(b)]
    return out


def check_agreement(
    rows: int = 1_000,
    features: int = 1,
    *,
    lr: float = LR,
    epochs: int = EPOCHS,
    batch_size: int | None = None,
    path: str = "auto",
) -> dict[str, float]:
    """The engine's comparison against the seed-style loop on generated data: rel. differences."""
    df = make_data(rows, features)
    cfg = run_config(lr, epochs, batch_size)
    if path != "auto":
        cfg = replace(cfg, path=path)
    comp = compare(prepare(df, cfg), cfg)
    seed = seed_style.run(df, TARGET, list(OPTIMIZERS), lr=lr, epochs=epochs, batch_size=batch_size)
    return relative_differences(engine_weights(comp), seed)


# -- measuring -------------------------------------------------------------------------------
def _log(msg: str) -> None:
    print(f"[{time.perf_counter() - _T0:6.1f} s] {msg}", file=sys.stderr, flush=True)


_T0 = time.perf_counter()


def repeated(
    fn: Callable[[], tuple[float, Any]], repeat: int, budget: float
) -> tuple[float, list[float], Any]:
    """Call fn (-> (seconds, result)) up to `repeat` times, or until `budget` s are used up.

    Returns the best seconds, all seconds, and the result of the best call.
    """
    times: list[float] = []
    best_result = None
    spent = 0.0
    while len(times) < repeat and (not times or spent < budget):
        t0 = time.perf_counter()
        seconds, result = fn()
        spent += time.perf_counter() - t0
        if not times or seconds < min(times):
            best_result = result
        times.append(seconds)
    return min(times), times, best_result


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


# Runs argv and writes its wall time and max RSS to a file. A child started straight from this
# process would report this process's peak RSS as its own (Linux keeps the high-water mark of the
# memory a process had before exec), so every command is started from this small launcher.
_LAUNCHER = """
import json, os, subprocess, sys, time
report, argv = sys.argv[1], json.loads(sys.argv[2])
t0 = time.perf_counter()
child = subprocess.Popen(argv)
_, status, usage = os.wait4(child.pid, 0)
wall = time.perf_counter() - t0
child.returncode = os.waitstatus_to_exitcode(status)
with open(report, "w") as f:
    json.dump({"wall": wall, "max_rss": usage.ru_maxrss, "returncode": child.returncode}, f)
"""


def run_command(argv: list[str]) -> tuple[float, dict[str, Any]]:
    """Run a command to its end: (wall seconds, {"stdout", "max_rss_mb"}). Fails loudly."""
    with (
        tempfile.TemporaryDirectory(prefix="linreg-bench-cmd-") as tmp,
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
    ):
        report = Path(tmp) / "report.json"
        launcher = [sys.executable, "-c", _LAUNCHER, str(report), json.dumps(argv)]
        subprocess.run(launcher, stdout=out, stderr=err, cwd=REPO, env=_child_env(), check=False)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
        info = json.loads(report.read_text()) if report.exists() else {"returncode": None}
    if info["returncode"] != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {info['returncode']}:\n{stderr[-2000:]}")
    rss_mb = info["max_rss"] / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return info["wall"], {"stdout": stdout, "max_rss_mb": rss_mb}


def measure_commands(
    commands: dict[str, list[str]], repeat: int, budget: float
) -> dict[str, dict[str, Any]]:
    """Run the commands in turn, up to `repeat` rounds or until `budget` s are used up, so that
    a slow spell of the machine hits all of them alike. Per command: the best wall time, all wall
    times, the largest max RSS, and the stdout of the best run."""
    out: dict[str, dict[str, Any]] = {k: {"walls": []} for k in commands}
    t0 = time.perf_counter()
    for _ in range(repeat):
        for key, argv in commands.items():
            wall, info = run_command(argv)
            m = out[key]
            if not m["walls"] or wall < m["wall"]:
                m.update(wall=wall, stdout=info["stdout"])
            m["walls"].append(wall)
            m["max_rss_mb"] = max(m.get("max_rss_mb", 0.0), info["max_rss_mb"])
        if time.perf_counter() - t0 >= budget:
            break
    return out


def measure_command(argv: list[str], repeat: int, budget: float) -> dict[str, Any]:
    return measure_commands({"command": argv}, repeat, budget)["command"]


def first_optimizer_cost() -> float:
    """Seconds of the first torch.optim class instance and step in this process (it imports
    torch._dynamo); every seed-style script pays it once, the engine never."""
    W = torch.zeros(1, requires_grad=True)
    t0 = time.perf_counter()
    optimizer = torch.optim.SGD([W], lr=0.1)
    (W * 2).sum().backward()
    optimizer.step()
    return time.perf_counter() - t0


def warm_up() -> None:
    """Exercise both sides once so lazy initialisation is not billed to the first size."""
    df = make_data(6_000)
    for batch_size in (None, 2_000):
        for path in ("plain", "fast"):
            cfg = replace(run_config(LR, 3, batch_size), path=path)
            compare(prepare(df, cfg), cfg)
        seed_style.run(df, TARGET, list(OPTIMIZERS), lr=LR, epochs=3, batch_size=batch_size)


# -- one size --------------------------------------------------------------------------------
def bench_size(path: Path, rows: int, features: int, args: argparse.Namespace) -> dict[str, Any]:
    r: dict[str, Any] = {"rows": rows, "features": features}
    repeat, budget = args.repeat, args.budget

    # engine, in process: read once, then time compare()
    t0 = time.perf_counter()
    df_engine = read_table(path)
    r["engine_read_table_s"] = time.perf_counter() - t0
    cfg = run_config(args.lr, args.epochs)
    ds = prepare(df_engine, cfg)

    def engine_once():
        t = time.perf_counter()
        comp = compare(ds, cfg)
        return time.perf_counter() - t, comp

    _log(f"{rows:,} rows: engine compare() in process")
    wall, walls, comp = repeated(engine_once, repeat, budget)
    r["engine_path"] = comp.runs[0].path
    r["engine_compare_wall_s"] = wall
    r["engine_compare_walls_s"] = walls
    r["engine_compare_seconds"] = comp.seconds
    engine = engine_weights(comp)
    r["engine_weights_original"] = engine
    ols_w, ols_b = comp.original(None)
    r["ols_original"] = [*map(float, ols_w), float(ols_b)]

    # seed-style loop, in process
    t0 = time.perf_counter()
    df_seed = pd.read_csv(path)
    r["seed_read_csv_s"] = time.perf_counter() - t0

    def seed_once():
        out = seed_style.run(df_seed, TARGET, list(OPTIMIZERS), lr=args.lr, epochs=args.epochs)
        return out["loop_seconds"], out

    _log(f"{rows:,} rows: seed-style loop in process")
    loop, loops, seed = repeated(seed_once, repeat, budget)
    r["seed_loop_s"] = loop
    r["seed_loop_runs_s"] = loops
    r["seed_weights_original"] = {
        k: [*v["weights_original"], v["bias_original"]] for k, v in seed["optimizers"].items()
    }
    r["rel_diff"] = relative_differences(engine, seed)
    r["rel_diff_max"] = max(r["rel_diff"].values())
    r["from_optimum"] = {
        "engine": from_optimum(engine, r["ols_original"]),
        "seed": from_optimum(r["seed_weights_original"], r["ols_original"]),
    }

    # whole commands
    common = ["--lr", repr(args.lr), "--epochs", str(args.epochs)]
    cli = [sys.executable, "-m", "linreg_core", "compare", str(path), "--target", TARGET]
    cli += ["--optimizers", ",".join(OPTIMIZERS), "--normalize", "zscore", *common, "--json"]
    _log(f"{rows:,} rows: python -m linreg_core compare --json, and the import floor")
    both = measure_commands({"floor": FLOOR_COMMAND, "cmd": cli}, repeat, budget)
    floor, cmd = both["floor"], both["cmd"]
    floor.pop("stdout")
    r["floor"] = floor
    cmd_json = json.loads(cmd.pop("stdout"))
    r["compare_cmd"] = {**cmd, "seconds": cmd_json["seconds"]}
    cli_engine = {
        run["optimizer"]: [*run["weights_original"], run["bias_original"]]
        for run in cmd_json["runs"]
    }

    script = [sys.executable, str(HERE / "seed_style.py"), str(path), "--target", TARGET]
    script += ["--optimizers", ",".join(OPTIMIZERS), *common]
    _log(f"{rows:,} rows: seed-style script")
    sc = measure_command(script, repeat, budget)
    sc_json = json.loads(sc.pop("stdout"))
    r["seed_script"] = {**sc, "loop_seconds": sc_json["loop_seconds"]}
    r["rel_diff_commands_max"] = max(relative_differences(cli_engine, sc_json).values())

    # ratios
    r["speedup_in_process"] = r["seed_loop_s"] / r["engine_compare_seconds"]
    r["speedup_whole"] = r["seed_script"]["wall"] / r["compare_cmd"]["wall"]
    r["compare_cmd_over_floor_s"] = r["compare_cmd"]["wall"] - floor["wall"]
    return r


# -- mini-batch ------------------------------------------------------------------------------
def bench_minibatch(args: argparse.Namespace) -> dict[str, Any]:
    rows, bs, epochs = args.minibatch_rows, args.batch_size, args.minibatch_epochs
    df = make_data(rows)
    cfg = run_config(args.lr, epochs, bs)
    ds = prepare(df, cfg)

    def engine_once():
        t = time.perf_counter()
        comp = compare(ds, cfg)
        return time.perf_counter() - t, comp

    def seed_once():
        out = seed_style.run(df, TARGET, list(OPTIMIZERS), lr=args.lr, epochs=epochs, batch_size=bs)
        return out["loop_seconds"], out

    _log(f"mini-batch {rows:,} rows, batch {bs}, {epochs} epochs: engine")
    wall, walls, comp = repeated(engine_once, args.repeat, args.budget)
    _log(f"mini-batch {rows:,} rows, batch {bs}, {epochs} epochs: seed-style loop")
    loop, loops, seed = repeated(seed_once, args.repeat, args.budget)
    rel = relative_differences(engine_weights(comp), seed)
    return {
        "rows": rows,
        "batch_size": bs,
        "epochs": epochs,
        "steps": math.ceil(rows / bs) * epochs * len(OPTIMIZERS),
        "engine_path": comp.runs[0].path,
        "engine_compare_wall_s": wall,
        "engine_compare_walls_s": walls,
        "engine_compare_seconds": comp.seconds,
        "seed_loop_s": loop,
        "seed_loop_runs_s": loops,
        "ratio": loop / comp.seconds,
        "rel_diff": rel,
        "rel_diff_max": max(rel.values()),
    }


# -- report ----------------------------------------------------------------------------------
def _s(v: float) -> str:
    return f"{v:.3f}" if v < 10 else f"{v:.1f}"


def _runs(times: list[float], repeat: int) -> str:
    return "" if len(times) >= repeat else f" ({len(times)}x)"


def _agree(r: dict[str, Any], name: str) -> str:
    """The relative difference; when too large, also how far each side is from the optimum."""
    rel = r["rel_diff"][name]
    if rel <= AGREE_RTOL:
        return f"{rel:.1e}"
    engine, seed = r["from_optimum"]["engine"][name], r["from_optimum"]["seed"][name]
    return f"FAIL {rel:.1e} (optimum {engine:.0e}/{seed:.0e})"


def print_report(res: dict[str, Any], repeat: int) -> None:
    meta, sizes = res["meta"], res["sizes"]
    print(
        f"LinReg Lab full-batch benchmark: {', '.join(OPTIMIZERS)} x {meta['epochs']} epochs, "
        f"lr {meta['lr']:g}, z-scored x, zero start"
    )
    print(
        f"python {meta['python']}, torch {meta['torch']}, numpy {meta['numpy']}, pandas "
        f"{meta['pandas']}; {meta['cpus']} CPUs, torch threads {meta['torch_threads']}; "
        f"load average {meta['loadavg_start']:.2f} at start, {meta['loadavg_end']:.2f} at end"
    )
    print(
        f"times in seconds, the minimum of up to {repeat} runs ('(1x)': fewer runs fit "
        f"the {meta['budget_s']:g} s budget)"
    )
    print(
        f'imports: python -c "import torch, pandas" {_s(res["floor"]["wall"])} s, '
        f'python -c "import linreg_core" {_s(res["import_linreg_core"]["wall"])} s; '
        "the first torch.optim class in a process (imports torch._dynamo) "
        f"{_s(res['first_torch_optim_s'])} s"
    )
    print()
    label_w = 50
    cols = [f"{r['rows']:,} x {r['features']}" for r in sizes]
    texts = [*cols, *(_agree(r, n) for r in sizes for n in OPTIMIZERS)]
    width = max(14, *(len(t) + 2 for t in texts))

    def row(label: str, values: list[str]) -> None:
        print(f"{label:<{label_w}}" + "".join(f"{v:>{width}}" for v in values))

    row("rows x features", cols)
    row(f"engine path (float32 loop <= {PLAIN_MAX_ROWS:,} rows)", [r["engine_path"] for r in sizes])
    print("in process, seconds")
    row(
        "  seed-style loop, 4 optimizers x epochs",
        [_s(r["seed_loop_s"]) + _runs(r["seed_loop_runs_s"], repeat) for r in sizes],
    )
    row("  engine compare(), its .seconds", [_s(r["engine_compare_seconds"]) for r in sizes])
    row("  engine compare(), wall", [_s(r["engine_compare_wall_s"]) for r in sizes])
    row("  RATIO seed loop / engine", [f"{r['speedup_in_process']:.1f}x" for r in sizes])
    row("  (reading the CSV: pandas.read_csv)", [_s(r["seed_read_csv_s"]) for r in sizes])
    row(
        "  (reading the CSV: linreg_core read_table)", [_s(r["engine_read_table_s"]) for r in sizes]
    )
    print("whole command, wall seconds")
    row(
        "  seed-style script",
        [_s(r["seed_script"]["wall"]) + _runs(r["seed_script"]["walls"], repeat) for r in sizes],
    )
    row("    its training loops", [_s(r["seed_script"]["loop_seconds"]) for r in sizes])
    row(
        "  python -m linreg_core compare --json",
        [_s(r["compare_cmd"]["wall"]) + _runs(r["compare_cmd"]["walls"], repeat) for r in sizes],
    )
    row('    its "seconds"', [_s(r["compare_cmd"]["seconds"]) for r in sizes])
    row('  import floor: python -c "import torch, pandas"', [_s(r["floor"]["wall"]) for r in sizes])
    row("  RATIO seed script / compare command", [f"{r['speedup_whole']:.1f}x" for r in sizes])
    row("  compare command - import floor", [_s(r["compare_cmd_over_floor_s"]) for r in sizes])
    print("peak memory, max RSS in MB")
    row("  seed-style script", [f"{r['seed_script']['max_rss_mb']:.0f}" for r in sizes])
    row("  compare command", [f"{r['compare_cmd']['max_rss_mb']:.0f}" for r in sizes])
    row("  import floor", [f"{r['floor']['max_rss_mb']:.0f}" for r in sizes])
    print(
        "agreement of the final [W, b] in original units, |d theta| / |theta| "
        f"(must be <= {AGREE_RTOL:g})"
    )
    row("  engine vs seed loop, in process (max)", [f"{r['rel_diff_max']:.1e}" for r in sizes])
    for name in OPTIMIZERS:
        row(f"    {name}", [_agree(r, name) for r in sizes])
    row(
        "  compare command vs seed script (max)",
        [f"{r['rel_diff_commands_max']:.1e}" for r in sizes],
    )
    mb = res.get("minibatch")
    if mb:
        print()
        print(
            f"mini-batch: {mb['rows']:,} rows, batch {mb['batch_size']}, {mb['epochs']} epochs, "
            f"{mb['steps']:,} steps in all (engine path: {mb['engine_path']})"
        )
        print(
            f"  seed-style loop {_s(mb['seed_loop_s'])} s{_runs(mb['seed_loop_runs_s'], repeat)}; "
            f"engine compare() {_s(mb['engine_compare_seconds'])} s; "
            f"ratio {mb['ratio']:.2f}x; agreement {mb['rel_diff_max']:.1e}"
        )
    print()
    for t in res["targets"]:
        print(f"target: {t['what']}: {t['result']}")
    print(f"agreement within {AGREE_RTOL:g}: {'ok' if res['agreement_ok'] else 'FAILED'}")
    if not res["agreement_ok"]:
        print(
            "  (optimum a/b: relative distance of the engine's / the seed loop's weights to the "
            "least-squares optimum; see benchmarks/README.md)"
        )


def targets(sizes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    big = [r for r in sizes if r["rows"] == TARGET_ROWS and r["features"] == 1]
    goals = [
        (
            f"compare command - import floor <= {TARGET_OVER_FLOOR} s at {TARGET_ROWS:,} rows",
            "compare_cmd_over_floor_s",
            lambda v: v <= TARGET_OVER_FLOOR,
            lambda v: f"{v:.3f} s",
        ),
        (
            f"seed-style loop / engine comparison >= {TARGET_SPEEDUP:g}x at {TARGET_ROWS:,} rows",
            "speedup_in_process",
            lambda v: v >= TARGET_SPEEDUP,
            lambda v: f"{v:.1f}x",
        ),
    ]
    out = []
    for what, key, ok, fmt in goals:
        if not big:
            out.append({"what": what, "value": None, "met": None, "result": "not measured"})
            continue
        v = big[0][key]
        met = bool(ok(v))
        out.append(
            {
                "what": what,
                "value": v,
                "met": met,
                "result": f"{fmt(v)} ({'met' if met else 'NOT met'})",
            }
        )
    return out


# -- main ------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--sizes", default=None, help="rows, comma-separated (default 1000,100000,1000000)"
    )
    p.add_argument("--features", default="1", help="features per table, e.g. 1 or 1,3 (default 1)")
    p.add_argument("--repeat", type=int, default=None, help="runs per measurement (default 3)")
    p.add_argument(
        "--budget", type=float, default=20.0, help="s per measurement before it stops repeating"
    )
    p.add_argument("--lr", type=float, default=LR)
    p.add_argument("--epochs", type=int, default=EPOCHS)
    p.add_argument("--minibatch-rows", type=int, default=1_000)  # the speed issue's table
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--minibatch-epochs", type=int, default=50)
    p.add_argument("--no-minibatch", action="store_true", help="skip the mini-batch comparison")
    p.add_argument("--quick", action="store_true", help="smoke run: sizes 1000,100000, repeat 1")
    args = p.parse_args(argv)
    default_sizes = QUICK_SIZES if args.quick else DEFAULT_SIZES
    args.sizes = (
        [int(s.replace("_", "")) for s in args.sizes.split(",")]
        if args.sizes
        else list(default_sizes)
    )
    args.features = [int(f) for f in args.features.split(",")]
    args.repeat = args.repeat or (1 if args.quick else 3)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_start = os.getloadavg()[0]
    res: dict[str, Any] = {}
    _log("first torch.optim class, warm-up")
    res["first_torch_optim_s"] = first_optimizer_cost()
    warm_up()
    run_command([sys.executable, "-c", "import linreg_core"])  # byte-compile, fill the disk cache
    _log("import floor")
    floor = measure_command(
        [sys.executable, "-c", "import torch, pandas"], args.repeat, args.budget
    )
    floor.pop("stdout")
    res["floor"] = floor
    lib = measure_command([sys.executable, "-c", "import linreg_core"], args.repeat, args.budget)
    lib.pop("stdout")
    res["import_linreg_core"] = lib

    sizes = []
    with tempfile.TemporaryDirectory(prefix="linreg-bench-") as tmp:
        for features in args.features:
            for rows in args.sizes:
                _log(f"{rows:,} rows x {features}: writing the CSV")
                path = write_csv(make_data(rows, features), Path(tmp), features)
                sizes.append(bench_size(path, rows, features, args))
                path.unlink()
    res["sizes"] = sizes
    if not args.no_minibatch:
        res["minibatch"] = bench_minibatch(args)
    res["targets"] = targets(sizes)
    worst = [r["rel_diff_max"] for r in sizes]
    if "minibatch" in res:
        worst.append(res["minibatch"]["rel_diff_max"])
    res["agreement_ok"] = bool(max(worst) <= AGREE_RTOL)
    res["meta"] = {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "cpus": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "loadavg_start": load_start,
        "loadavg_end": os.getloadavg()[0],
        "optimizers": list(OPTIMIZERS),
        "lr": args.lr,
        "epochs": args.epochs,
        "repeat": args.repeat,
        "budget_s": args.budget,
        "agree_rtol": AGREE_RTOL,
        "data": {
            "means": MEANS,
            "stds": STDS,
            "coefs": COEFS,
            "intercept": INTERCEPT,
            "noise": NOISE,
        },
        "total_s": time.perf_counter() - _T0,
    }
    print_report(res, args.repeat)
    print(json.dumps(res), flush=True)
    return 0 if res["agreement_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
