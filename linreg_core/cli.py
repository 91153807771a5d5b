"""`python -m linreg_core train|compare|sweep|export`: the dashboard's runs, reproducible from a
terminal.

Bad input exits with status 2 and one line on stderr; never a traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import shlex
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import pandas as pd

from linreg_core import budget, rows
from linreg_core.advice import advise
from linreg_core.compare import Comparison, compare
from linreg_core.config import OptimizerConfig, RunConfig
from linreg_core.data import prepare, read_table
from linreg_core.errors import LinRegError
from linreg_core.internals import internals_dict
from linreg_core.registry import HYPERPARAMETERS, OPTIMIZERS, TUTORIAL_LR
from linreg_core.report import dumps, epoch_log, ols_dict, run_dict, summary
from linreg_core.sweep import ROW_KEYS, Sweep, best_lrs, parse_lrs, sweep, sweep_config

ONE_OPTIMIZER = ("train", "export")  # the commands that train one optimizer (the others: several)
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
        raise LinRegError("error.cli.usage", message=message, prog=self.prog)


def _parser() -> argparse.ArgumentParser:
    top = _Parser(prog="python -m linreg_core", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True, parser_class=_Parser)
    helps = {"export": "print a plain PyTorch script that trains as `train` does"}
    for name in ("train", "compare", "sweep", "export"):
        what = f"{name} on a table (csv/tsv/txt/xlsx/parquet/json/jsonl)"
        p = sub.add_parser(
            name,
            help=helps.get(name, what),
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
        if name in ONE_OPTIMIZER:
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
        if name in ONE_OPTIMIZER:
            _hyperparameter_options(p)
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
        _row_options(p)
        p.add_argument("--log-every", type=int, default=None, help="default: epochs/10")
        if name != "export":
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


def _row_options(p: argparse.ArgumentParser) -> None:
    """Which rows a run learns from: filters, numbers written with units, outliers."""
    p.add_argument(
        "--where",
        action="append",
        default=[],
        metavar='"COL OP VALUE"',
        help="keep rows where this holds (OP: == != < <= > >=); repeatable, all must hold",
    )
    p.add_argument(
        "--numbers-from-text",
        action="store_true",
        help="read cells such as '19.67 kmpl' as 19.67 in the chosen columns (no number: missing)",
    )
    p.add_argument(
        "--drop-outliers",
        type=float,
        default=None,
        metavar="Z",
        help="drop training rows where a chosen column lies beyond |z| > Z (training statistics)",
    )


def _rows_config(args: argparse.Namespace, cfg: RunConfig, df: object) -> RunConfig:
    """cfg with the row options: --numbers-from-text reads the chosen columns (every column of
    numbers with units when no features are given)."""
    columns: tuple[str, ...] = ()
    if args.numbers_from_text:
        chosen = (cfg.target, *cfg.features) if cfg.features else None
        found = rows.unit_columns(df)  # type: ignore[arg-type]
        columns = tuple(c for c in found if chosen is None or c in chosen)
        if chosen is None:
            columns = tuple(c for c in columns if c != cfg.target) + (
                (cfg.target,) if cfg.target in found else ()
            )
    return dataclasses.replace(
        cfg,
        where=tuple(rows.parse_where(w) for w in args.where),
        numbers_from_text=columns,
        drop_outliers=args.drop_outliers,
    )


def command_line(
    cfg: RunConfig,
    data: str,
    *,
    sheet: str | None = None,
    test: str | None = None,
    every: int | None = None,
) -> str:
    """The `train` command that reproduces cfg's (first) optimizer's run on the file `data`.

    Built from the parser's own options: a value equal to an option's default is left out, and
    parsing the line back gives cfg again (tests/test_export.py checks).
    """
    opt = cfg.optimizers[0]
    defaults = OPTIMIZERS[opt.name].defaults
    hp = {k: v for k, v in opt.hyperparameters().items() if k != "lr" and v != defaults.get(k)}
    values: dict[str, object] = {
        "sheet": sheet,
        "target": cfg.target,
        "features": ",".join(cfg.features) or None,
        "optimizer": opt.name,
        "lr": opt.lr,
        **{k: hp.get(k) for k in HYPERPARAMETERS if k != "lr"},
        "epochs": cfg.epochs,
        "batch_size": cfg.batch_size,
        "normalize": "zscore" if cfg.normalize else "none",
        "normalize_target": cfg.normalize_target,
        "no_bias": not cfg.bias,
        "init": cfg.init,
        "seed": cfg.seed,
        "test_size": 0.0 if test else cfg.test_size,
        "test": test,
        "log_every": every,
        "where": [str(c) for c in cfg.where if c.op != "in"] or None,
        "numbers_from_text": bool(cfg.numbers_from_text),
        "drop_outliers": cfg.drop_outliers,
    }
    argv = ["python", "-m", "linreg_core", "train", data]
    for action in _subparser("train")._actions:
        if action.dest not in values or not action.option_strings:
            continue
        value = values[action.dest]
        if value is None or value == action.default:
            continue
        flag = action.option_strings[-1]
        if isinstance(action, argparse._StoreTrueAction):
            argv.append(flag)
        elif isinstance(value, list):  # a repeated option
            for item in value:
                argv += [flag, item]
        elif isinstance(value, tuple):
            argv += [flag, ",".join(repr(float(v)) for v in value)]
        else:
            argv += [flag, repr(value) if isinstance(value, float) else str(value)]
    return shlex.join(argv)


def _subparser(command: str) -> argparse.ArgumentParser:
    top = _parser()
    sub = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[command]  # type: ignore[no-any-return]


def _hyperparameter_options(p: argparse.ArgumentParser) -> None:
    """The optimizer's hyperparameters beside lr, under torch.optim's names (default: torch's)."""
    for key in HYPERPARAMETERS:
        if key == "lr":
            continue
        flag = "--" + key.replace("_", "-")
        if key == "betas":
            p.add_argument(flag, type=_pair, metavar="B1,B2", help="adam/adamw: two decays")
        else:
            p.add_argument(
                flag, type=float, help=f"{HYPERPARAMETERS[key].label} (default: torch's)"
            )


def _pair(text: str) -> tuple[float, float]:
    parts = text.split(",")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"give two numbers like 0.9,0.999, not {text!r}")
    try:
        return float(parts[0]), float(parts[1])
    except ValueError:
        raise argparse.ArgumentTypeError(f"give two numbers like 0.9,0.999, not {text!r}") from None


def _config(args: argparse.Namespace) -> RunConfig:
    """The run's settings (a sweep's: each optimizer once, at the first of its rates)."""
    lr = parse_lrs(args.lrs)[0] if args.command == "sweep" else args.lr
    names = [args.optimizer] if args.command in ONE_OPTIMIZER else args.optimizers.split(",")
    names = [n.strip() for n in names if n.strip()]
    given = {
        k: getattr(args, k)
        for k in HYPERPARAMETERS
        if k != "lr" and getattr(args, k, None) is not None
    }
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
        optimizers=tuple(OptimizerConfig(name=n, lr=lr, **given) for n in names),
    )


def _print_text(comp: Comparison, args: argparse.Namespace) -> None:
    if args.log_every is not None and args.log_every < 1:
        raise LinRegError("error.cli.log_every", value=args.log_every)
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
        advice = [str(said) for h in comp.runs if not h.diverged and (said := advise(comp, h))]
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


def _export(
    args: argparse.Namespace, cfg: RunConfig, df: pd.DataFrame, test_df: pd.DataFrame | None
) -> int:
    """Print the script on stdout, and what its reader should know on stderr."""
    from linreg_core.export import export_script  # only this command writes scripts

    out = export_script(
        df,
        cfg,
        name=args.data,
        raw=Path(args.data).read_bytes(),
        test_df=test_df,
        test_name=args.test,
        test_raw=Path(args.test).read_bytes() if args.test else None,
        every=args.log_every,
        command=command_line(
            cfg, args.data, sheet=args.sheet, test=args.test, every=args.log_every
        ),
    )
    for note in out.notes:
        print(f"note: {note}", file=sys.stderr)
    print(out.text, end="")
    return 0


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
            raise LinRegError("error.cli.internals_needs_json")
        cfg = _config(args)
        lrs = parse_lrs(args.lrs) if args.command == "sweep" else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a warning is no reason to break the JSON contract
            df = read_table(args.data, sheet=args.sheet)
            test_df = read_table(args.test) if args.test else None
            cfg = _rows_config(args, cfg, df)
            if args.command == "export":
                return _export(args, cfg, df, test_df)
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
