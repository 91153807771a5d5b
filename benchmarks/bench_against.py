"""The engine of this tree against the engine of an earlier commit, in one process.

Both versions are imported side by side (the earlier one from `git archive REV`, its package
renamed) and their compare() calls are interleaved with the seed-style loop, so that a busy
machine slows all three alike; each time is the minimum over the repetitions of the process's
CPU time (time.process_time: on a shared machine, wall time mostly measures the wait for a core;
the wall times are in the JSON too). Per setting it prints the two engines' seconds, their
ratio (this tree / REV: above 1 is slower) and each against the seed-style loop measured in the
same run (benchmarks/seed_style.py, timed every fifth repetition: it is the slow side).

    python benchmarks/bench_against.py REV [--repeat 25]

The settings are bench_fullbatch.py's default comparison (sgd, momentum, rmsprop, adam, lr 0.01,
z-scored) on its generated table: 50 rows x 1000 epochs (the float32 loop over the rows),
1,000 rows x 1000 epochs (the statistics), 1,000 rows in batches of 32 x 50 epochs.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for _p in (str(REPO), str(HERE)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import bench_fullbatch as bf  # noqa: E402
import seed_style  # noqa: E402

import linreg_core  # noqa: E402

SETTINGS = ((50, None, 1000), (1000, None, 1000), (1000, 32, 50))  # rows, batch size, epochs
OLD = "linreg_core_then"  # the earlier commit's package, renamed


def import_then(rev: str, folder: Path):
    """The package linreg_core as it was at rev, importable as OLD."""
    archive = folder / "then.tar"
    with archive.open("wb") as f:
        subprocess.run(["git", "archive", rev, "linreg_core"], cwd=REPO, stdout=f, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    (folder / "linreg_core").rename(folder / OLD)
    for path in (folder / OLD).glob("*.py"):
        path.write_text(re.sub(r"\blinreg_core\b", OLD, path.read_text()))
    sys.path.insert(0, str(folder))
    return importlib.import_module(OLD)


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


def measure(pkg, rows: int, batch: int | None, epochs: int) -> Callable[[], object]:
    """One setting's comparison with one package, ready to run."""
    compare = importlib.import_module(f"{pkg.__name__}.compare").compare
    cfg = pkg.RunConfig(
        target=bf.TARGET,
        normalize=True,
        epochs=epochs,
        batch_size=batch,
        optimizers=tuple(pkg.OptimizerConfig(name=n, lr=bf.LR) for n in bf.OPTIMIZERS),
    )
    ds = pkg.prepare(bf.make_data(rows), cfg)
    compare(ds, cfg)  # warm
    return lambda: compare(ds, cfg)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("rev", help="the earlier commit, e.g. HEAD~3")
    p.add_argument("--repeat", type=int, default=25)
    args = p.parse_args()
    out = {}
    with tempfile.TemporaryDirectory(prefix="linreg-then-") as tmp:
        then = import_then(args.rev, Path(tmp))
        for rows, batch, epochs in SETTINGS:
            now_run, then_run = (measure(pkg, rows, batch, epochs) for pkg in (linreg_core, then))
            df = bf.make_data(rows)
            times: dict[str, list[tuple[float, float]]] = {"now": [], "then": [], "seed": []}

            def seed_run(df=df, epochs=epochs, batch=batch) -> object:
                return seed_style.run(
                    df, bf.TARGET, list(bf.OPTIMIZERS), lr=bf.LR, epochs=epochs, batch_size=batch
                )

            for i in range(args.repeat):
                times["then"].append(timed(then_run))
                times["now"].append(timed(now_run))
                if i % 5 == 0:
                    times["seed"].append(timed(seed_run))
            m = {k: min(cpu for cpu, _ in v) for k, v in times.items()}
            key = f"{rows} rows, batch {batch or 'full'}, {epochs} epochs"
            out[key] = {
                "now_cpu_s": m["now"],
                "then_cpu_s": m["then"],
                "seed_cpu_s": m["seed"],
                "now_over_then": m["now"] / m["then"],
                "seed_over_now": m["seed"] / m["now"],
                "seed_over_then": m["seed"] / m["then"],
                "wall_min_s": {k: min(w for _, w in v) for k, v in times.items()},
            }
            print(
                f"{key}, CPU: this tree {m['now']:.4f} s, {args.rev} {m['then']:.4f} s "
                f"(ratio {m['now'] / m['then']:.3f}); seed-style loop {m['seed']:.4f} s, "
                f"{m['seed'] / m['now']:.2f}x this tree, {m['seed'] / m['then']:.2f}x {args.rev}",
                flush=True,
            )
    print(json.dumps({"rev": args.rev, "repeat": args.repeat, "settings": out}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
