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

The script's comments, docstrings and notes, and the advice it prints on a divergence, are in the
language asked for (the catalog's [export] section); its code, its epoch log lines and its
numbers are the same in every language.
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
from linreg_core.errors import ConfigError, DataError, DataWarning, LinRegError, Said
from linreg_core.i18n import DEFAULT_LANGUAGE, text
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
    notes: tuple[str, ...]  # in the script's language
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
    language: str = DEFAULT_LANGUAGE,
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
        language: the language of the script's comments, of its notes and of what it prints
            besides the epoch log (linreg_core.i18n.LANGUAGES).
    Returns:
        The script, notes for its reader, and a file name for it.
    Raises:
        ConfigError, DataError: what train would refuse, and a table the script cannot read.
    """
    if len(cfg.optimizers) != 1:
        raise ConfigError("export.error.one_optimizer", count=len(cfg.optimizers))
    if every is not None and every < 1:
        raise ConfigError("export.error.log_every", every=every)
    if cfg.where or cfg.numbers_from_text or cfg.drop_outliers is not None:
        raise ConfigError("export.error.unsupported")
    ds = prepare(df, cfg, test_df)  # refuses what train refuses, with the same message
    fit_scaler(ds, cfg)  # a constant column cannot be z-scored: say so now, not in the script
    features = resolve_features(df, ds.target, cfg.features)
    notes: list[str] = []
    reads = [_read_block(df, name, raw, features, ds.target, "df", notes, language)]
    if test_df is not None:
        reads.append(
            _read_block(
                test_df, test_name, test_raw, features, ds.target, "df_test", notes, language
            )
        )
    m = len(ds.y_train)
    path = choose_path(m, cfg.batch_size, cfg.path)
    if m > PLAIN_MAX_ROWS:
        how = text(f"export.note.how_{'fast' if path == 'fast' else 'batches'}", language)
        notes.append(text("export.note.large", language, rows=m, limit=PLAIN_MAX_ROWS, how=how))
    # train's words on a divergence name the data's stable limit: take them from the engine's
    # own run, with the epoch left for the script to fill in
    comp = compare(ds, cfg)
    run = comp.runs[0]
    words = None
    if run.diverged_at is not None and (said := advise(comp, run)) is not None:
        words = _words(_at_any_epoch(said, run.diverged_at), language)
    writer = _Writer(
        cfg,
        features,
        ds.target,
        reads,
        test_df is not None,
        every,
        notes,
        command,
        path,
        words,
        language,
    )
    stem = Path(name).stem if name and name != TYPED_TABLE else "typed_table"
    opt = cfg.optimizers[0].name.replace("-", "_")
    return Export(writer.render(), tuple(notes), f"{_identifier(stem)}_{opt}.py")


def _words(said: object, language: str) -> str:
    """A core sentence in `language`: a Said, an error or a warning, several of them in a row,
    or plain text (kept as it is)."""
    if isinstance(said, Said | LinRegError | DataWarning):
        return said.in_language(language)
    if isinstance(said, list | tuple):
        return " ".join(_words(s, language) for s in said)
    return str(said)


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _at_any_epoch(said: object, epoch: int) -> object:
    """`said` with the epoch of a divergence replaced by _DIVERGED, which the script fills in
    with its own epoch. A sentence whose epoch cannot be found keeps the engine's epoch, which
    is the script's too wherever the script prints train's lines exactly."""
    if isinstance(said, Said) and said.code is not None:
        params = {
            k: _DIVERGED if _is_int(v) and v == epoch else _at_any_epoch(v, epoch)
            for k, v in said.params.items()
        }
        return Said(said.code, **params)
    if isinstance(said, list | tuple):
        return [_at_any_epoch(s, epoch) for s in said]
    if isinstance(said, str):
        return said.replace(f"at epoch {epoch}", f"at epoch {_DIVERGED}", 1)
    return said


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
    language: str = DEFAULT_LANGUAGE,
) -> list[str]:
    """The script's lines that read the table into `var`: by the file's name, or inline."""
    columns = [*features, target]
    label = Said("export.label.test_table" if var == "df_test" else "export.label.table")
    reader = _reader(name, df) if name and name != TYPED_TABLE else None
    why: Said | None = None
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
            why = Said("export.why.read_differently", func=func, name=name)
            reader = None
    elif reader is not None and _converted(df, columns):
        why = Said("export.why.text_numbers", name=name)
        reader = None
    elif name and name != TYPED_TABLE and reader is None:
        why = Said("export.why.no_reader", name=name)
    if reader is not None:
        assert name is not None
        func, options = reader
        args = ", ".join([_text(name), *(f"{k}={_literal(v)}" for k, v in options.items())])
        package = {"read_excel": "openpyxl", "read_parquet": "pyarrow"}.get(func)
        need = f"  # {text('export.comment.needs', language, package=package)}" if package else ""
        return [
            f"{var} = pd.{func}({args}){need}",
            f"{var}.columns = [str(c).strip() for c in {var}.columns]",
        ]
    cells = len(df) * len(columns)
    if cells > INLINE_MAX_CELLS:
        why = why or Said("export.why.no_file")
        raise DataError(
            "export.error.too_large", label=label, why=why, cells=cells, limit=INLINE_MAX_CELLS
        )
    if why is not None:
        said = why.in_language(language)  # a sentence's start: capitalised, but for pandas
        said = said if said.startswith("pandas") else said[:1].upper() + said[1:]
        notes.append(text("export.note.inline", language, why=said))
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
    """The script's text, step by step, for one optimizer, with its comments in one language."""

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
        language: str = DEFAULT_LANGUAGE,
    ) -> None:
        self.cfg, self.opt = cfg, cfg.optimizers[0]
        self.diverged_words = diverged_words  # train's words if the run diverges
        self.language = language
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

    def say(self, key: str, **params: object) -> str:
        """The catalog's export.<key> in the script's language."""
        return text(f"export.{key}", self.language, **params)

    def aside(self, name: str) -> str:
        """A comment at a line's end: export.comment.<name>."""
        return f"  # {self.say('comment.' + name)}"

    def step(self, key: str, **params: object) -> list[str]:
        """A numbered step's comment (render() numbers the steps), over as many lines as the
        catalog's sentence has."""
        first, *rest = self.say(key, **params).splitlines()
        return [f"# 1. {first}", *(f"# {line}" for line in rest)]

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
        batch = (
            self.say("doc.full_batch")
            if cfg.batch_size is None
            else self.say("doc.batches", size=cfg.batch_size)
        )
        title = self.say(
            "doc.title",
            target=self.target,
            features=", ".join(self.features),
            optimizer=_words(self.spec.title, self.language),
            lr=opt.lr,
            epochs=cfg.epochs,
            batch=batch,
        )
        doc = [f'"""{title}', ""]
        if self.command:
            doc += [*self.say("doc.intro_command").splitlines(), "", f"    {self.command}", ""]
        else:
            doc += [*self.say("doc.intro_train").splitlines(), ""]
        doc += [textwrap.fill(self.say("doc.note", note=n), 96) for n in self.notes]
        self.add(*doc, '"""', "", "import math", "", "import numpy as np", "import pandas as pd")
        self.add("import torch", "")

    def read(self) -> None:
        self.add(
            *self.step("step.read"),
            f"FEATURES = [{', '.join(map(_text, self.features))}]{self.aside('features')}",
            f"TARGET = {_text(self.target)}  # {self.say('comment.target')}",
            *self.reads[0],
            "df = df[FEATURES + [TARGET]].dropna()",
            f"# {self.say('comment.rows')}",
            "X = np.column_stack([df[c].to_numpy(dtype=np.float64) for c in FEATURES])",
            f"y = df[TARGET].to_numpy(dtype=np.float64)  # {self.say('comment.y_shape')}",
            "",
        )

    def split(self) -> None:
        cfg = self.cfg
        if self.separate_test:
            self.add(
                *self.step("step.test_table"),
                *self.reads[1],
                "df_test = df_test[FEATURES + [TARGET]].dropna()",
                "X_train, y_train = X, y",
                "X_test = np.column_stack([df_test[c].to_numpy(np.float64) for c in FEATURES])",
                "y_test = df_test[TARGET].to_numpy(dtype=np.float64)",
                "",
            )
        elif cfg.test_size > 0:
            self.add(
                *self.step("step.hold_out", share=cfg.test_size),
                f"n_test = math.ceil({cfg.test_size!r} * len(y))",
                f"order = np.random.default_rng({cfg.seed}).permutation(len(y))",
                "train_rows, test_rows = np.sort(order[n_test:]), np.sort(order[:n_test])",
                "X_train, y_train = X[train_rows], y[train_rows]",
                f"X_test, y_test = X[test_rows], y[test_rows]  # {self.say('comment.not_trained')}",
                "",
            )
        else:
            self.add(*self.step("step.no_test"), "X_train, y_train = X, y", "")

    def scale(self) -> None:
        cfg = self.cfg
        if not cfg.normalize and not cfg.normalize_target:
            return
        self.add(*self.step("step.scale"))
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
                f"y_train = (y_train - y_mean) / y_std  # {self.say('comment.z_cost')}",
            )
        self.add("")

    def tensors(self) -> None:
        self.add(
            *self.step("step.tensors"),
            f"x_train = torch.tensor(X_train, dtype=torch.float32){self.aside('x_shape')}",
            f"y_train = torch.tensor(y_train, dtype=torch.float32){self.aside('m_shape')}",
            "",
        )

    def parameters(self) -> None:
        d, cfg = self.d, self.cfg
        grad = "" if self.manual else ", requires_grad=True"
        if cfg.init == "zeros":
            self.add(*self.step("step.zeros"))
            self.add(f"W = torch.zeros({d}{grad})")
            if cfg.bias:
                self.add(f"b = torch.zeros(1{grad})")
        else:
            self.add(
                *self.step("step.random"),
                f"gen = torch.Generator().manual_seed({cfg.seed})",
                f"bound = 1 / math.sqrt({d})",
                f"W = torch.empty({d}).uniform_(-bound, bound, generator=gen)",
            )
            if cfg.bias:
                self.add("b = torch.empty(1).uniform_(-bound, bound, generator=gen)")
            if not self.manual:
                self.add("W.requires_grad_()", *(["b.requires_grad_()"] if cfg.bias else []))
        if not cfg.bias:
            self.add(f"# {self.say('comment.no_bias')}")
        self.add("")

    def optimizer(self) -> None:
        params = "[W, b]" if self.cfg.bias else "[W]"
        if self.manual:
            self.add(*self.step("step.manual"), f"lr = {self.opt.lr!r}", "")
            return
        hp = {**self.opt.hyperparameters(), **self.spec.class_options}
        args = ", ".join([params, *(f"{k}={v!r}" for k, v in hp.items())])
        title = _words(self.spec.title, self.language)
        summary = _words(self.spec.summary, self.language)
        self.add(
            *self.step("step.optimizer", title=title, summary=summary),
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
            f'    """{self.say("doc.log_line")}"""',
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
        said = self.diverged_words
        if said is None:
            said = _words(history.advice or "", self.language)
        text = said.replace("{", "{{").replace("}", "}}")
        return "f" + _text(text.replace(str(_DIVERGED), "{diverged_at}"))

    def step_lines(self, x: str, y: str, on_break: list[str]) -> list[str]:
        """One step on rows x, y, leaving `logged`, the cost shown in the log; on_break runs
        before the loop is left when the run blows up."""
        params = ["W", "b"] if self.cfg.bias else ["W"]
        finite = " and ".join(f"torch.isfinite({p}).all()" for p in params)
        stop = [*on_break, "break"]
        logged = "logged = cost.item()"
        hypothesis = f"H = {self.hypothesis(x)}  # {self.say('comment.hypothesis')}"
        cost = f"cost = torch.mean((H - {y}) ** 2)  # {self.say('comment.mse')}"
        if self.manual:
            body = [
                "with torch.no_grad():",
                f"    {hypothesis}",
                f"    {cost}",
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
                hypothesis,
                cost,
                logged,
                "if diverged(logged):",
                *("    " + s for s in stop),
                f"optimizer.zero_grad()  # {self.say('comment.zero_grad')}",
                f"cost.backward()  # {self.say('comment.backward')}",
                f"optimizer.step()  # {self.say('comment.step')}",
            ]
        overflow = f"if not ({finite}):  # {self.say('comment.overflow')}"
        return [*body, overflow, *("    " + s for s in stop)]

    def train(self) -> None:
        self.add(
            f"nb_epochs = {self.cfg.epochs}",
            f"LOG_EVERY = {self.every}  # {self.say('comment.log_every')}",
            f"FLOAT32_MAX = {FLOAT32_MAX!r}",
            "",
            "",
            "def diverged(cost):",
            f'    """{self.say("doc.diverged")}"""',
            "    return not math.isfinite(cost) or cost > FLOAT32_MAX",
            "",
            "",
            *self.log_line(),
            *self.step("step.train"),
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
            f"    if line is not None and not shown:  # {self.say('comment.last_epoch')}",
            "        print(line)",
            f"    print({self.advice()})",
        )

    def mini_batch(self) -> None:
        cfg = self.cfg
        self.add(
            f"# {self.say('comment.minibatch')}",
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
            f"    if len(costs) < n_batches:  # {self.say('comment.batch_blew_up')}",
            "        diverged_at = epoch",
            "        break",
            f"    logged = sum(costs) / len(costs)  # {self.say('comment.epoch_cost')}",
        )
