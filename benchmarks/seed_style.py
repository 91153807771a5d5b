"""The tutorials' training loop, as a learner writes it: the reference the engine is timed against.

Plain float32 tensors, W and b as leaf tensors, a torch.optim class, and per epoch
    hypothesis = x_train * W + b
    cost = torch.mean((hypothesis - y_train) ** 2)
    optimizer.zero_grad(); cost.backward(); optimizer.step()
on z-scored features (mean and population std of the rows). Only pandas and torch: this file
must not import linreg_core, so that running it as a script measures what a learner's script costs.

    python benchmarks/seed_style.py DATA.csv --target y [--lr 0.01] [--epochs 1000]
        [--optimizers sgd,momentum,rmsprop,adam] [--batch-size N] [--seed 0]

prints one JSON object: per optimizer the weights in z-space and in the data's own units, and
the seconds of the training loops alone.
"""

from __future__ import annotations

import argparse
import json
import time

import pandas as pd
import torch

# name -> (torch.optim class, arguments beside lr); torch's defaults otherwise
OPTIMIZERS = {
    "sgd": ("SGD", {}),
    "momentum": ("SGD", {"momentum": 0.9}),
    "rmsprop": ("RMSprop", {}),
    "adam": ("Adam", {}),
}


def zscore(df: pd.DataFrame, target: str) -> tuple[torch.Tensor, torch.Tensor, list, list]:
    """x_train (m, d) z-scored and y_train (m, 1), float32; the features' means and stds."""
    X = df.drop(columns=[target]).to_numpy(dtype="float64")
    mean = X.mean(axis=0)
    std = X.std(axis=0)  # ddof=0
    x_train = torch.tensor((X - mean) / std, dtype=torch.float32)
    y_train = torch.tensor(df[target].to_numpy(dtype="float64"), dtype=torch.float32).view(-1, 1)
    return x_train, y_train, mean.tolist(), std.tolist()


def _hypothesis(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    # one feature: the tutorials' x_train * W + b; several: x_train.matmul(W) + b
    return x * W + b if x.shape[1] == 1 else x.matmul(W) + b


def train(
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    name: str,
    *,
    lr: float,
    epochs: int,
    batch_size: int | None = None,
    seed: int = 0,
) -> tuple[list[float], float]:
    """One optimizer from zero; full batch, or mini-batches of a seeded torch.randperm."""
    d = x_train.shape[1]
    W = torch.zeros(1 if d == 1 else (d, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    cls, kwargs = OPTIMIZERS[name]
    optimizer = getattr(torch.optim, cls)([W, b], lr=lr, **kwargs)
    if batch_size is None:
        for _epoch in range(epochs):
            hypothesis = _hypothesis(x_train, W, b)
            cost = torch.mean((hypothesis - y_train) ** 2)
            optimizer.zero_grad()
            cost.backward()
            optimizer.step()
    else:
        m = len(y_train)
        generator = torch.Generator().manual_seed(seed)
        for _epoch in range(epochs):
            order = torch.randperm(m, generator=generator)
            for i in range(0, m, batch_size):
                idx = order[i : i + batch_size]
                hypothesis = _hypothesis(x_train[idx], W, b)
                cost = torch.mean((hypothesis - y_train[idx]) ** 2)
                optimizer.zero_grad()
                cost.backward()
                optimizer.step()
    return W.detach().flatten().tolist(), float(b.item())


def to_original(weights: list[float], bias: float, mean: list, std: list) -> tuple[list, float]:
    """z-space W, b -> the data's units: W / std, b - sum(W * mean / std) (float64)."""
    w_orig = [w / s for w, s in zip(weights, std, strict=True)]
    b_orig = bias - sum(w * mu / s for w, mu, s in zip(weights, mean, std, strict=True))
    return w_orig, b_orig


def run(
    df: pd.DataFrame,
    target: str,
    names: list[str],
    *,
    lr: float,
    epochs: int,
    batch_size: int | None = None,
    seed: int = 0,
) -> dict:
    """Z-score, then train every optimizer; the result as the script prints it."""
    x_train, y_train, mean, std = zscore(df, target)
    out: dict = {"optimizers": {}, "loop_seconds": 0.0}
    t0 = time.perf_counter()
    for name in names:
        w, b = train(x_train, y_train, name, lr=lr, epochs=epochs, batch_size=batch_size, seed=seed)
        w_orig, b_orig = to_original(w, b, mean, std)
        out["optimizers"][name] = {
            "weights": w,
            "bias": b,
            "weights_original": w_orig,
            "bias_original": b_orig,
        }
    out["loop_seconds"] = time.perf_counter() - t0
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data")
    p.add_argument("--target", default="y")
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--epochs", type=int, default=1000)
    p.add_argument("--optimizers", default=",".join(OPTIMIZERS))
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    t0 = time.perf_counter()
    df = pd.read_csv(args.data)
    read_seconds = time.perf_counter() - t0
    out = run(
        df,
        args.target,
        args.optimizers.split(","),
        lr=args.lr,
        epochs=args.epochs,
        batch_size=args.batch_size,
        seed=args.seed,
    )
    out["read_seconds"] = read_seconds
    print(json.dumps(out))


if __name__ == "__main__":
    main()
