"""A run as a plain PyTorch script: the tutorials' loop, standing alone, printing train's log.

export_script() writes what `python -m linreg_core train` does for one optimizer as a script
that needs only torch, pandas, numpy and the standard library: read the table, drop incomplete
rows, split with the same seeded shuffle (data.split_rows), z-score with the training rows'
statistics, start from the same parameters (model.init_params), train with the torch.optim
class and autograd (hand-written gradients for gd-manual), and print the seed-style log.

It prints exactly train's lines where the engine trains the tutorials' way: full batch on tables
of up to config.PLAIN_MAX_ROWS training rows (the plain loop) and mini-batch (the same shuffle
each epoch). A larger full-batch table trains in the engine from the rows' statistics, which
agrees with this loop to float32 rounding: such a script is still written, with a note (in the
script and in Export.notes) that its last printed digits may differ.
"""

from __future__ import annotations

import io
import json
import math
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from linreg_core.advice import advise
from linreg_core.compare import compare, fit_scaler
from linreg_core.config import PLAIN_MAX_ROWS, RunConfig
from linreg_core.data import TYPED_TABLE, column_values, prepare, resolve_features
from linreg_core.errors import ConfigError, DataError
from linreg_core.model import param_names
from linreg_core.registry import OPTIMIZERS
from linreg_core.report import log_every
from linreg_core.train import FLOAT32_MAX, History, choose_path

INLINE_MAX_CELLS = 20_000  # a table the script cannot read as the engine does is written into it
_DIVERGED = 987_654_321  # stands for the epoch in the divergence message (filled in at run time)
# pandas' reader of each extension, and its options beyond the defaults
_READERS = {
    ".csv": "read_csv",
    ".tsv": "read_csv",
    ".txt": "read_csv",
    ".xlsx": "read_excel",
    ".parquet": "read_parquet",
    ".json": "read_json",
    ".jsonl": "read_json",
}


@dataclass(frozen=True)
class Export:
    """The script's text and what its reader should know (e.g. that the last digits may differ)."""

    text: str
    notes: tuple[str, ...]
    file_name: str  # a name to save it under, from the data's name and the optimizer


def export_script(
    df: pd.DataFrame,
    cfg: RunConfig,
    *,
    name: str | None,
    raw: bytes | None = None,
    test_df: pd.DataFrame | None = None,
    test_name: str | None = None,
    test_raw: bytes | None = None,
    every: int | None = None,
    command: str | None = None,
) -> Export:
    """The plain PyTorch script of cfg's one optimizer on df.

    Args:
        df: the table as the engine read it.
        cfg: the run's settings, with exactly one optimizer.
        name: the file the script reads, as the user gave it (None or TYPED_TABLE: the chosen
            columns are written into the script).
        raw: the file's bytes, if at hand: the script's pandas read is checked against the
            engine's, and the columns are written inline (small tables) when they differ.
        test_df, test_name, test_raw: a separate table of held-out rows, likewise.
        every: a log line every this many epochs (default: epochs/10, as train).
        command: the train command the script reproduces, quoted in its docstring.
    Returns:
        The script, notes for its reader, and a file name for it.
    Raises:
        ConfigError, DataError: what train would refuse, and a table the script cannot read.
    """
    if len(cfg.optimizers) != 1:
        raise ConfigError(
            f"A script trains one optimizer; these settings have {len(cfg.optimizers)}. "
            "Export each run on its own."
        )
    if every is not None and every < 1:
        raise ConfigError(f"Invalid --log-every: {every}. Use a whole number >= 1.")
    if cfg.where or cfg.numbers_from_text or cfg.drop_outliers is not None:
        raise ConfigError(
            "The script does not write row filters, numbers read from text or outlier drops "
            "yet: save the rows you want as a file and export that, without --where, "
            "--numbers-from-text and --drop-outliers."
        )
    ds = prepare(df, cfg, test_df)  # refuses what train refuses, with the same message
    fit_scaler(ds, cfg)  # a constant column cannot be z-scored: say so now, not in the script
    features = resolve_features(df, ds.target, cfg.features)
    notes: list[str] = []
    reads = [_read_block(df, name, raw, features, ds.target, "df", notes)]
    if test_df is not None:
        reads.append(
            _read_block(test_df, test_name, test_raw, features, ds.target, "df_test", notes)
        )
    m = len(ds.y_train)
    path = choose_path(m, cfg.batch_size, cfg.path)
    if m > PLAIN_MAX_ROWS:
        how = "from the rows' statistics" if path == "fast" else "with numpy's float32 batches"
        notes.append(
            f"The table has {m:,} training rows, more than {PLAIN_MAX_ROWS}: linreg_core trains "
            f"it {how}, which agrees with this script's torch loop to float32 rounding, so the "
            "last printed digits may differ."
        )
    # train's words on a divergence name the data's stable limit: take them from the engine's
    # own run, with the epoch left for the script to fill in
    comp = compare(ds, cfg)
    run = comp.runs[0]
    words = None
    if run.diverged_at is not None and (said := advise(comp, run)) is not None:
        words = said.replace(f"at epoch {run.diverged_at}", f"at epoch {_DIVERGED}", 1)
    text = _Writer(
        cfg, features, ds.target, reads, test_df is not None, every, notes, command, path, words
    )
    stem = Path(name).stem if name and name != TYPED_TABLE else "typed_table"
    opt = cfg.optimizers[0].name.replace("-", "_")
    return Export(text.render(), tuple(notes), f"{_identifier(stem)}_{opt}.py")


def _identifier(text: str) -> str:
    """A file-name-safe version of text."""
    out = "".join(c if c.isalnum() or c in "_-" else "_" for c in text)
    return out.strip("_") or "data"


# -- reading the table -------------------------------------------------------------------------
def _reader(name: str, df: pd.DataFrame) -> tuple[str, dict[str, object]] | None:
    """pandas' reader for the file and its options, or None for a kind pandas cannot read alone."""
    ext = Path(name).suffix.lower()
    func = _READERS.get(ext)
    if func is None:
        return None
    options: dict[str, object] = {}
    if func == "read_csv":
        if (sep := df.attrs.get("delimiter", ",")) != ",":
            options["sep"] = sep
        options["skipinitialspace"] = True
        if (encoding := df.attrs.get("encoding")) not in (None, "utf-8-sig", "utf-8"):
            options["encoding"] = encoding
    elif func == "read_excel" and df.attrs.get("sheet") is not None:
        options["sheet_name"] = df.attrs["sheet"]
    elif ext == ".jsonl":
        options["lines"] = True
    return func, options


def _chosen(df: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The script's view of the table: the chosen columns, complete rows, as float64."""
    df = df.rename(columns=lambda c: str(c).strip())
    return df[columns].dropna().to_numpy(dtype=np.float64)


def _engine_rows(df: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The engine's view of the same columns (numbers as the engine reads them)."""
    values = np.column_stack([column_values(df, c) for c in columns])
    return values[~np.isnan(values).any(axis=1)]


def _read_block(
    df: pd.DataFrame,
    name: str | None,
    raw: bytes | None,
    features: tuple[str, ...],
    target: str,
    var: str,
    notes: list[str],
) -> list[str]:
    """The script's lines that read the table into `var`: by the file's name, or inline."""
    columns = [*features, target]
    label = "the test table" if var == "df_test" else "the table"
    reader = _reader(name, df) if name and name != TYPED_TABLE else None
    why = ""
    if reader is not None and raw is not None:
        func, options = reader
        try:
            same = np.array_equal(
                _chosen(getattr(pd, func)(io.BytesIO(raw), **options), columns),
                _engine_rows(df, columns),
            )
        except Exception:  # any failure of pandas' plain read: it differs
            same = False
        if not same:
            why = f"pandas.{func} reads {name!r} differently from linreg_core (e.g. numbers "
            why += "written with units or thousands separators)"
            reader = None
    elif reader is not None and _converted(df, columns):
        why = f"some chosen columns of {name!r} hold numbers written as text"
        reader = None
    elif name and name != TYPED_TABLE and reader is None:
        why = f"pandas has no plain reader for {name!r}"
    if reader is not None:
        assert name is not None
        func, options = reader
        args = ", ".join([_text(name), *(f"{k}={_literal(v)}" for k, v in options.items())])
        need = {"read_excel": "  # needs openpyxl", "read_parquet": "  # needs pyarrow"}
        return [
            f"{var} = pd.{func}({args}){need.get(func, '')}",
            f"{var}.columns = [str(c).strip() for c in {var}.columns]",
        ]
    cells = len(df) * len(columns)
    if cells > INLINE_MAX_CELLS:
        raise DataError(
            f"The script cannot read {label} by its name: {why}. It is too large to write into "
            f"the script ({cells:,} cells; the limit is {INLINE_MAX_CELLS:,}). Save the chosen "
            "columns as a plain CSV with numbers like 1234.5 and export from that file."
        )
    if why:
        notes.append(
            f"{why[0].upper()}{why[1:]}, so its chosen columns are written into the script."
        )
    data = {c: [_number(v) for v in column_values(df, c)] for c in columns}
    lines = [f"{var} = pd.DataFrame(" + "{"]
    lines += [f"    {_text(c)}: [{', '.join(v)}]," for c, v in data.items()]
    return [*lines, "})"]


def _converted(df: pd.DataFrame, columns: list[str]) -> bool:
    """Whether the engine's reader turned any chosen column from text into numbers."""
    written = {f["column"] for f in df.attrs.get("number_formats", [])}
    return bool(written & set(columns))


def _text(value: str) -> str:
    """A string as a double-quoted Python literal (JSON's escapes are Python's too)."""
    return json.dumps(value, ensure_ascii=False)


def _literal(value: object) -> str:
    return _text(value) if isinstance(value, str) else repr(value)


def _number(value: float) -> str:
    """A cell as a Python literal that reads back to the same float64 (None when missing)."""
    return "None" if math.isnan(value) else repr(float(value))


# -- the script ---------------------------------------------------------------------------------
class _Writer:
    """The script's text, step by step, for one optimizer."""

    def __init__(
        self,
        cfg: RunConfig,
        features: tuple[str, ...],
        target: str,
        reads: list[list[str]],
        separate_test: bool,
        every: int | None,
        notes: list[str],
        command: str | None,
        path: str,
        diverged_words: str | None = None,
    ) -> None:
        self.cfg, self.opt = cfg, cfg.optimizers[0]
        self.diverged_words = diverged_words  # train's words if the run diverges
        self.spec = OPTIMIZERS[self.opt.name]
        self.features, self.target, self.reads = features, target, reads
        self.separate_test, self.notes, self.command = separate_test, notes, command
        self.d = len(features)
        self.every = every or log_every(cfg.epochs)
        self.manual = self.spec.update is None
        self.minibatch = path == "minibatch"
        self.out: list[str] = []

    def add(self, *lines: str) -> None:
        self.out.extend(lines)

    def render(self) -> str:
        self.header()
        self.read()
        self.split()
        self.scale()
        self.tensors()
        self.parameters()
        self.optimizer()
        self.train()
        steps = iter(range(1, 100))  # the steps numbered as they appear (some are optional)
        lines = [re.sub(r"^# \d+\. ", lambda _: f"# {next(steps)}. ", s) for s in self.out]
        return "\n".join(lines) + "\n"

    def header(self) -> None:
        cfg, opt = self.cfg, self.opt
        batch = "full batch" if cfg.batch_size is None else f"batches of {cfg.batch_size}"
        xs = ", ".join(self.features)
        doc = [
            f'"""Linear regression of {self.target} on {xs}: {self.spec.title} '
            f"(lr {opt.lr:g}), {cfg.epochs} epochs, {batch}.",
            "",
            "Exported from LinReg Lab. Needs only torch, pandas and numpy; run it with `python`",
            "in the folder that holds the data file. It prints the same lines as",
        ]
        if self.command:
            doc += ["", f"    {self.command}", ""]
        else:
            doc += ["`python -m linreg_core train` with the same settings.", ""]
        doc += [textwrap.fill(f"Note: {n}", 96) for n in self.notes]
        self.add(*doc, '"""', "", "import math", "", "import numpy as np", "import pandas as pd")
        self.add("import torch", "")

    def read(self) -> None:
        self.add(
            "# 1. read the table and keep the rows that have a value in every chosen column",
            f"FEATURES = [{', '.join(map(_text, self.features))}]  # x",
            f"TARGET = {_text(self.target)}  # y, the column to predict",
            *self.reads[0],
            "df = df[FEATURES + [TARGET]].dropna()",
            "# (rows, features), stored row after row: sums over a row add in one order",
            "X = np.column_stack([df[c].to_numpy(dtype=np.float64) for c in FEATURES])",
            "y = df[TARGET].to_numpy(dtype=np.float64)  # (rows,)",
            "",
        )

    def split(self) -> None:
        cfg = self.cfg
        if self.separate_test:
            self.add(
                "# 2. the held-out rows come from their own table",
                *self.reads[1],
                "df_test = df_test[FEATURES + [TARGET]].dropna()",
                "X_train, y_train = X, y",
                "X_test = np.column_stack([df_test[c].to_numpy(np.float64) for c in FEATURES])",
                "y_test = df_test[TARGET].to_numpy(dtype=np.float64)",
                "",
            )
        elif cfg.test_size > 0:
            self.add(
                f"# 2. hold out {cfg.test_size:.0%} of the rows, picked by a seeded shuffle; both",
                "# parts keep the table's order",
                f"n_test = math.ceil({cfg.test_size!r} * len(y))",
                f"order = np.random.default_rng({cfg.seed}).permutation(len(y))",
                "train_rows, test_rows = np.sort(order[n_test:]), np.sort(order[:n_test])",
                "X_train, y_train = X[train_rows], y[train_rows]",
                "X_test, y_test = X[test_rows], y[test_rows]  # not used for training",
                "",
            )
        else:
            self.add("# 2. no rows are held out: train on all of them", "X_train, y_train = X, y")
            self.add("")

    def scale(self) -> None:
        cfg = self.cfg
        if not cfg.normalize and not cfg.normalize_target:
            return
        self.add(
            "# 3. z-score with the TRAINING rows' mean and population std (ddof=0); held-out",
            "# rows would use the very same numbers",
        )
        if cfg.normalize:
            self.add(
                "mean = X_train.mean(axis=0)",
                "std = np.sqrt(np.mean((X_train - mean) ** 2, axis=0))",
                "X_train = (X_train - mean) / std",
            )
        if cfg.normalize_target:
            self.add(
                "y_mean = y_train.mean()",
                "y_std = np.sqrt(np.mean((y_train - y_mean) ** 2))",
                "y_train = (y_train - y_mean) / y_std  # the cost is in z-scored units",
            )
        self.add("")

    def tensors(self) -> None:
        self.add(
            "# 4. float32 tensors, as torch.FloatTensor gives",
            "x_train = torch.tensor(X_train, dtype=torch.float32)  # (m, features)",
            "y_train = torch.tensor(y_train, dtype=torch.float32)  # (m,)",
            "",
        )

    def parameters(self) -> None:
        d, cfg = self.d, self.cfg
        grad = "" if self.manual else ", requires_grad=True"
        if cfg.init == "zeros":
            self.add("# 5. the parameters start at zero")
            self.add(f"W = torch.zeros({d}{grad})")
            if cfg.bias:
                self.add(f"b = torch.zeros(1{grad})")
        else:
            self.add(
                "# 5. a seeded random start, as nn.Linear draws it: U(-1/sqrt(d), 1/sqrt(d)),",
                "# the weights first, then the bias, from one generator",
                f"gen = torch.Generator().manual_seed({cfg.seed})",
                f"bound = 1 / math.sqrt({d})",
                f"W = torch.empty({d}).uniform_(-bound, bound, generator=gen)",
            )
            if cfg.bias:
                self.add("b = torch.empty(1).uniform_(-bound, bound, generator=gen)")
            if not self.manual:
                self.add("W.requires_grad_()", *(["b.requires_grad_()"] if cfg.bias else []))
        if not cfg.bias:
            self.add("# no bias: the hypothesis is H = Wx")
        self.add("")

    def optimizer(self) -> None:
        params = "[W, b]" if self.cfg.bias else "[W]"
        if self.manual:
            self.add(
                "# 6. no torch.optim: the gradients come from the formulas",
                "# D_W = 2/m sum((H - y) x), D_b = 2/m sum(H - y), and W := W - lr * D_W",
                f"lr = {self.opt.lr!r}",
                "",
            )
            return
        hp = {**self.opt.hyperparameters(), **self.spec.class_options}
        args = ", ".join([params, *(f"{k}={v!r}" for k, v in hp.items())])
        self.add(
            f"# 6. {self.spec.title}. {self.spec.summary}",
            f"optimizer = torch.optim.{self.spec.torch_class}({args})",
            "",
        )

    def hypothesis(self, x: str) -> str:
        h = f"({x} * W).sum(dim=1)"
        return f"{h} + b" if self.cfg.bias else h

    def log_line(self) -> list[str]:
        width = max(4, len(str(self.cfg.epochs)))
        names = param_names(self.d, False)  # W, or W1, W2, ...
        ws = f'", ".join(f"{{n}}: {{w:.4f}}" for n, w in zip({json.dumps(names)}, W.tolist()))'
        b = ' + f", b: {b.item():.4f}"' if self.cfg.bias else ""
        return [
            "def log_line(epoch, cost):",
            '    """The log: W and b after the epoch, the cost before its step(s)."""',
            f"    params = {ws}{b}",
            f'    return f"Epoch {{epoch:{width}d}}/{{nb_epochs}} {{params}}, Cost: {{cost:.6f}}"',
            "",
            "",
        ]

    def advice(self) -> str:
        """train's message for a diverged run, with {diverged_at} for the epoch."""
        k = self.d + int(self.cfg.bias)
        history = History(
            optimizer=self.opt,
            label=self.opt.name,
            epochs=self.cfg.epochs,
            epochs_run=0,
            train_loss=np.empty(0),
            test_loss=None,
            weights=np.zeros((1, self.d)),
            bias=None,
            grad=np.zeros((0, k)),
            path="plain",
            diverged_at=_DIVERGED,
        )
        said = self.diverged_words or history.advice or ""
        text = said.replace("{", "{{").replace("}", "}}")
        return "f" + _text(text.replace(str(_DIVERGED), "{diverged_at}"))

    def step_lines(self, x: str, y: str, on_break: list[str]) -> list[str]:
        """One step on rows x, y, leaving `logged`, the cost shown in the log; on_break runs
        before the loop is left when the run blows up."""
        params = ["W", "b"] if self.cfg.bias else ["W"]
        finite = " and ".join(f"torch.isfinite({p}).all()" for p in params)
        stop = [*on_break, "break"]
        logged = "logged = cost.item()"
        if self.manual:
            body = [
                "with torch.no_grad():",
                f"    H = {self.hypothesis(x)}  # the hypothesis, one row per example",
                f"    cost = torch.mean((H - {y}) ** 2)  # MSE, before the step",
                f"    {logged}",
                "    if diverged(logged):",
                *("        " + s for s in stop),
                f"    D_W = 2 * torch.mean((H - {y})[:, None] * {x}, dim=0)",
                "    W -= lr * D_W",
            ]
            if self.cfg.bias:
                body += [f"    D_b = 2 * torch.mean(H - {y}).reshape(1)", "    b -= lr * D_b"]
        else:
            body = [
                f"H = {self.hypothesis(x)}  # the hypothesis, one row per example",
                f"cost = torch.mean((H - {y}) ** 2)  # MSE, before the step",
                logged,
                "if diverged(logged):",
                *("    " + s for s in stop),
                "optimizer.zero_grad()  # gradients add up: clear the last step's",
                "cost.backward()  # d cost / d W (and d b) by autograd",
                "optimizer.step()  # W (and b) move against the gradient",
            ]
        return [*body, f"if not ({finite}):  # the step overflowed", *("    " + s for s in stop)]

    def train(self) -> None:
        self.add(
            f"nb_epochs = {self.cfg.epochs}",
            f"LOG_EVERY = {self.every}  # a log line every LOG_EVERY epochs, and the last",
            f"FLOAT32_MAX = {FLOAT32_MAX!r}",
            "",
            "",
            "def diverged(cost):",
            '    """A cost that is not finite or beyond float32: the run has blown up."""',
            "    return not math.isfinite(cost) or cost > FLOAT32_MAX",
            "",
            "",
            *self.log_line(),
            "# 7. train: the cost of an epoch is taken before its step, W and b are shown after",
            "# it; a run that blows up stops there",
            "diverged_at, line, shown = None, None, False",
        )
        if self.minibatch:
            self.mini_batch()
        else:
            self.add(
                "for epoch in range(1, nb_epochs + 1):",
                *(
                    "    " + s
                    for s in self.step_lines("x_train", "y_train", ["diverged_at = epoch"])
                ),
            )
        self.add(
            "    line = log_line(epoch, logged)",
            "    shown = epoch % LOG_EVERY == 0 or epoch == nb_epochs",
            "    if shown:",
            "        print(line)",
            "if diverged_at is not None:",
            "    if line is not None and not shown:  # the last epoch that ran",
            "        print(line)",
            f"    print({self.advice()})",
        )

    def mini_batch(self) -> None:
        cfg = self.cfg
        self.add(
            "# mini-batches: every epoch reshuffles the rows with one seeded generator",
            f"batch_size = {cfg.batch_size}",
            "n_batches = math.ceil(len(y_train) / batch_size)",
            f"shuffle = torch.Generator().manual_seed({cfg.seed})",
            "for epoch in range(1, nb_epochs + 1):",
            "    order = torch.randperm(len(y_train), generator=shuffle)",
            "    costs = []",
            "    for start in range(0, len(order), batch_size):",
            "        rows = order[start : start + batch_size]",
            "        x_batch, y_batch = x_train[rows], y_train[rows]",
            *("        " + s for s in self.step_lines("x_batch", "y_batch", [])),
            "        costs.append(logged)",
            "    if len(costs) < n_batches:  # a batch blew up: this epoch does not count",
            "        diverged_at = epoch",
            "        break",
            "    logged = sum(costs) / len(costs)  # the epoch's cost: the mean of its batches'",
        )
