"""Time the Train page's work on the sample tables: the core call, then the charts and tables.

    python benchmarks/bench_train_page.py [--repeat 3]

For each table: 4 optimizers (sgd, momentum, rmsprop, adam) x 1000 epochs, full batch, with the
page's settings (the apartments z-scored with 20% held out; the seeds as the tutorials ran them).
"core" is linreg_core.run(); "frames" builds the chart frames and tables; "specs" turns every
chart into its Vega-Lite dict (what st.altair_chart sends); "page" runs app_pages/3_train.py in
AppTest from the click on Train to the end of the script (core + frames + specs + Streamlit's
own serialisation, no browser). Times are the best of --repeat runs, in seconds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import altair as alt  # noqa: E402
import torch  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from linreg_core import read_table, run  # noqa: E402
from ui import charts, engine, views  # noqa: E402
from ui import state as S  # noqa: E402

FOUR = [{"name": n, "lr": 0.1} for n in ("sgd", "momentum", "rmsprop", "adam")]
CASES = {
    "apartments.csv, 3 features": ("apartments.csv", "price_eok", None, True, 0.2),
    "apartments.csv, area only": ("apartments.csv", "price_eok", ["area_m2"], True, 0.2),
    "hours_money.csv (seed 000)": ("hours_money.csv", "money", ["hours"], False, 0.0),
    "study_score.csv (seed 001)": ("study_score.csv", "score", ["hours"], False, 0.0),
}


def session(csv: str, target: str, features: list[str] | None, norm: bool, test: float) -> dict:
    df = read_table(ROOT / "sample_data" / csv)
    feats = features or [c for c in df.select_dtypes("number").columns if c != target]
    training = {"optimizers": FOUR, "epochs": 1000, "batch_size": None, "init": "zeros"}
    return {
        S.DATA: df,
        S.TARGET: target,
        S.FEATURES: feats,
        S.NORMALIZE: norm,
        S.NORMALIZE_TARGET: False,
        S.TEST_SIZE: test,
        S.SPLIT_SEED: 0,
        S.TEST_DATA: None,
        S.TRAINING: {**training, "bias": True},
    }


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def page_seconds(values: dict) -> float:
    """Click Train on a fresh session (a new table each time, so the cache cannot answer)."""
    at = AppTest.from_file(str(ROOT / "app_pages" / "3_train.py"), default_timeout=120)
    for key, value in values.items():
        at.session_state[key] = value
    at.session_state[S.DATA] = values[S.DATA].copy()
    at.session_state[S.DATA].index += int(time.time_ns() % 1_000_000)  # a new cache key
    at.run()
    t0 = time.perf_counter()
    at.button(key=f"FormSubmitter:{S.W_TRAIN_FORM}-Train").click().run()
    assert not at.exception, at.exception
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; best of {repeat}")
    for name, case in CASES.items():
        values = session(*case)
        cfg = engine.build_config(values)
        core, comp = best(lambda values=values, cfg=cfg: run(values[S.DATA], cfg), repeat)

        def frames(comp=comp):
            out = [views.thin_epochs(comp.losses_frame()), views.thin_epochs(comp.params_frame())]
            if comp.has_landscape():
                out.append(views.landscape_frames(comp))
            out += [views.fit_frames(comp), views.summary_table(comp)]
            return out

        frame_s, built = best(frames, repeat)

        def specs(comp=comp, built=built):
            domain = [h.label for h in comp.runs]
            out = [
                charts.loss_chart(built[0], comp.ols.mse, domain=domain),
                charts.params_chart(built[1], comp.optimum_dict(), domain=domain),
                charts.fit_chart(*built[-2], x_title="x", y_title="y", domain=domain),
            ]
            if comp.has_landscape():
                out.append(charts.landscape_chart(*built[2], comp.optimum_dict(), domain=domain))
            with alt.data_transformers.disable_max_rows():  # Streamlit sends data on its own
                return [c.to_dict() for c in out]

        spec_s, _ = best(specs, repeat)
        page_s = min(page_seconds(values) for _ in range(repeat))
        paths = ",".join(sorted({h.path for h in comp.runs}))
        print(
            f"{name:28s} core {core:6.3f}  frames {frame_s:6.3f}  specs {spec_s:6.3f}  "
            f"page {page_s:6.3f}  (path {paths}, {len(comp.dataset.y_train)} train rows)"
        )


if __name__ == "__main__":
    main()
