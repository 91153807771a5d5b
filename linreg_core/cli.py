"""`python -m linreg_core train|compare|sweep`: the dashboard's runs, reproducible from a terminal.

Bad input exits with status 2 and one line on stderr; never a traceback.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from collections.abc import Sequence
from typing import NoReturn

import pandas as pd

from linreg_core import budget
from linreg_core.advice import advise
from linreg_core.compare import Comparison, compare
from linreg_core.config import OptimizerConfig, RunConfig
from linreg_core.data import prepare, read_table
from linreg_core.errors import LinRegError
from linreg_core.internals import internals_dict
from linreg_core.registry import OPTIMIZERS, TUTORIAL_LR
from linreg_core.report import dumps, epoch_log, ols_dict, run_dict, summary
from linreg_core.sweep import ROW_KEYS, Sweep, best_lrs, parse_lrs, sweep, sweep_config

# the sweep table's column headers, in ROW_KEYS' order
SWEEP_COLUMNS = (
    "optimizer",
    "lr",
    "diverged",
    "diverged at epoch",
    "train MSE",
    "test MSE",
    "epochs to 1% of optimum",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage block
        raise LinRegError(f"{message} (see: {self.prog} --help)")


def _parser() -> argparse.ArgumentParser:
    top = _Parser(prog="python -m linreg_core", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in ("train", "compare", "sweep"):
        p = sub.add_parser(
            name,
            help=f"{name} on a table (csv/tsv/txt/xlsx/parquet/json/jsonl)",
            allow_abbrev=name != "sweep",  # --lr would be read as --lrs
        )
        p.add_argument("data", help="the table file")
        p.add_argument(
            "--sheet",
            metavar="NAME",
            help="the workbook's sheet to read (default: the first that holds numbers)",
        )
        p.add_argument("--target", required=True, help="column to predict")
        p.add_argument("--features", help="comma-separated columns (default: all other numeric)")
        if name == "train":
            p.add_argument("--optimizer", default="sgd", help=f"one of {', '.join(OPTIMIZERS)}")
        else:
            p.add_argument(
                "--optimizers",
                default="sgd,momentum,rmsprop,adam",
                help="comma-separated optimizer names",
            )
        if name == "sweep":
            p.add_argument(
                "--lrs",
                required=True,
                help="comma-separated learning rates, e.g. 0.001,0.01,0.1",
            )
        else:
            p.add_argument(
                "--lr",
                type=float,
                default=TUTORIAL_LR,
                help=f"learning rate (default {TUTORIAL_LR})",
            )
        p.add_argument("--epochs", type=int, default=1000, help="default 1000")
        p.add_argument("--batch-size", type=int, default=None, help="default: full batch")
        p.add_argument("--normalize", choices=("zscore", "none"), default="none")
        p.add_argument("--normalize-target", action="store_true")
        p.add_argument("--no-bias", action="store_true", help="fit H = Wx")
        p.add_argument("--init", choices=("zeros", "random"), default="zeros")
        p.add_argument("--seed", type=int, default=0)
        held = p.add_mutually_exclusive_group()
        held.add_argument("--test-size", type=float, default=0.0, help="fraction held out")
        held.add_argument("--test", help="a separate table of held-out rows")
        p.add_argument("--log-every", type=int, default=None, help="default: epochs/10")
        p.add_argument("--json", action="store_true", help="print one JSON object")
        if name == "train":
            p.add_argument(
                "--internals",
                action="store_true",
                help="with --json: each epoch's gradient, step and optimizer state",
            )
        p.add_argument(
            "--allow-long",
            action="store_true",
            help=f"run even when estimated over {budget.duration(budget.CLI_LIMIT)}",
        )
    return top


def _config(args: argparse.Namespace) -> RunConfig:
    """The run's settings (a sweep's: each optimizer once, at the first of its rates)."""
    lr = parse_lrs(args.lrs)[0] if args.command == "sweep" else args.lr
    names = [args.optimizer] if args.command == "train" else args.optimizers.split(",")
    names = [n.strip() for n in names if n.strip()]
    features = (
        tuple(f.strip() for f in args.features.split(",") if f.strip()) if args.features else ()
    )
    return RunConfig(
        target=args.target,
        features=features,
        normalize=args.normalize == "zscore",
        normalize_target=args.normalize_target,
        test_size=args.test_size,
        bias=not args.no_bias,
        init=args.init,
        seed=args.seed,
        epochs=args.epochs,
        batch_size=args.batch_size,
        optimizers=tuple(OptimizerConfig(name=n, lr=lr) for n in names),
    )


def _print_text(comp: Comparison, args: argparse.Namespace) -> None:
    if args.log_every is not None and args.log_every < 1:
        raise LinRegError(f"Invalid --log-every: {args.log_every}. Use a whole number >= 1.")
    for h in comp.runs:
        if args.command == "compare":
            print(f"== {h.label}")
        # the seeds' log stays theirs line for line: only a divergence adds words to it
        print("\n".join(epoch_log(h, args.log_every, advise(comp, h) if h.diverged else None)))
    if args.command == "compare":
        table = summary(comp)[
            [
                "optimizer",
                "train MSE",
                "test MSE",
                "train R²",
                "epochs to 1% of optimum",
                "diverged at epoch",
                "seconds",
            ]
        ]
        print()
        print(table.to_string(index=False, float_format=lambda v: f"{v:.6g}"))
        advice = [text for h in comp.runs if not h.diverged and (text := advise(comp, h))]
        if advice:
            print()
            print("\n".join(advice))


def _sweep_text(result: Sweep) -> str:
    """The sweep as a table, then the curvature, each optimizer's stable limit and best rate."""
    table = pd.DataFrame(result.rows)[list(ROW_KEYS)]
    table.columns = pd.Index(SWEEP_COLUMNS)
    for col in ("diverged at epoch", "epochs to 1% of optimum"):
        table[col] = table[col].astype("Int64")
    lines = [table.to_string(index=False, float_format=lambda v: f"{v:.6g}"), ""]
    curv = result.curvature
    values = ", ".join(f"{v:.6g}" for v in curv.eigenvalues)
    cond = "none (singular)" if curv.condition_number is None else f"{curv.condition_number:.6g}"
    lines.append(f"Hessian eigenvalues: {values}; condition number: {cond}")
    best = best_lrs(result.rows)
    for opt in dict.fromkeys(h.optimizer.name for h in result.comparison.runs):
        hp = next(h.optimizer for h in result.comparison.runs if h.optimizer.name == opt)
        limit = curv.lr_limit(opt, hp.hyperparameters())
        stable = f"stable below lr {limit:.6g}" if limit else curv.why_no_limit(opt) or ""
        pick = "every rate diverged" if best[opt] is None else f"best lr {best[opt]:g}"
        lines.append(f"{opt}: {pick}; {stable}")
    return "\n".join(lines)


class _StderrProgress:
    """Progress of a long run on stderr (stdout stays the log or the JSON): a line every 5 s."""

    def __init__(self, estimate: float) -> None:
        self.t0 = time.perf_counter()
        self.last = self.t0
        print(f"training: about {budget.duration(estimate)}", file=sys.stderr, flush=True)

    def __call__(self, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - self.last < 5.0 and done < total:
            return
        self.last = now
        left = (now - self.t0) / max(done, 1) * (total - done)
        print(
            f"training: {done:,} of {total:,} epochs ({done / total:.0%}), "
            f"about {budget.duration(left)} left",
            file=sys.stderr,
            flush=True,
        )


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        if getattr(args, "internals", False) and not args.json:
            raise LinRegError("--internals adds to the JSON output: add --json.")
        cfg = _config(args)
        lrs = parse_lrs(args.lrs) if args.command == "sweep" else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a warning is no reason to break the JSON contract
            df = read_table(args.data, sheet=args.sheet)
            test_df = read_table(args.test) if args.test else None
            t0 = time.perf_counter()
            ds = prepare(df, cfg, test_df)
            limit = math.inf if args.allow_long else budget.CLI_LIMIT
            fix = ", or pass --allow-long to run it anyway"
            every_run = cfg if lrs is None else sweep_config(cfg, lrs)
            estimate = budget.check(
                len(ds.y_train), len(ds.features), every_run, limit, extra_fix=fix
            )
            report = _StderrProgress(estimate) if estimate > budget.PROGRESS_SECONDS else None
            if lrs is not None:
                result = sweep(ds, cfg, lrs, progress=report)
                print(dumps(result.as_dict()) if args.json else _sweep_text(result))
                return 0
            comp = compare(ds, cfg, progress=report)
            seconds = time.perf_counter() - t0
        if args.json:
            curvature = comp.curvature.as_dict()
            if args.command == "train":
                out = {**run_dict(comp, comp.runs[0]), "curvature": curvature}
                if args.internals:
                    out["internals"] = internals_dict(comp.runs[0])
                print(dumps(out))
            else:
                print(
                    dumps(
                        {
                            "runs": [run_dict(comp, h) for h in comp.runs],
                            "ols": ols_dict(comp),
                            "seconds": seconds,
                            "curvature": curvature,
                        }
                    )
                )
        else:
            _print_text(comp, args)
    except LinRegError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print("error: the table does not fit in memory; use fewer rows or columns", file=sys.stderr)
        return 2
    return 0
