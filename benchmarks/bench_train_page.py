"""Time the Train page's work on the sample tables: the core call, then the charts and tables.

    python benchmarks/bench_train_page.py [--repeat 3]

For each table: 4 optimizers (sgd, momentum, rmsprop, adam) x 1000 epochs, full batch, with the
page's settings (the apartments z-scored with 20% held out; the seeds as the tutorials ran them).
"core" is linreg_core.run(); "frames" builds the chart frames and tables; "specs" turns every
chart into the Vega-Lite dict the page sends (ui.charts.spec: no schema validation, frames as
Arrow); "validated" does the same through st.altair_chart's own conversion, which validates;
"page" runs app_pages/3_train.py in AppTest from the click on Train to the end of the script
(core + frames + specs + Streamlit's own serialisation, no browser). Times are the best of
--repeat runs, in seconds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402
from streamlit.elements import vega_charts  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from linreg_core import RunConfig, read_table, run  # noqa: E402
from ui import charts, tables  # noqa: E402
from ui import state as S  # noqa: E402

CASES = {
    "apartments.csv, 3 features": ("apartments.csv", "price_eok", None, True, 0.2),
    "apartments.csv, area only": ("apartments.csv", "price_eok", ["area_m2"], True, 0.2),
    "hours_money.csv (seed 000)": ("hours_money.csv", "money", ["hours"], False, 0.0),
    "study_score.csv (seed 001)": ("study_score.csv", "score", ["hours"], False, 0.0),
}


def session(
    csv: str, target: str, features: list[str] | None, norm: bool, test: float
) -> tuple[object, RunConfig]:
    """The table and the page's settings: four optimizers at the dashboard's lr, 1000 epochs."""
    df = read_table(ROOT / "sample_data" / csv)
    feats = features or [c for c in df.select_dtypes("number").columns if c != target]
    cfg = RunConfig(
        target=target,
        features=tuple(feats),
        normalize=norm,
        test_size=test,
        epochs=1000,
        optimizers=S.DASHBOARD_OPTIMIZERS,
    )
    return df, cfg


def best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def page_seconds(df, cfg: RunConfig) -> float:
    """Click Train on a fresh session (a new table each time, so the cache cannot answer)."""
    at = AppTest.from_file(str(ROOT / "app_pages" / "3_train.py"), default_timeout=120)
    at.session_state[S.SETTINGS] = cfg
    at.session_state[S.DATA] = df.copy()
    at.session_state[S.DATA].index += int(time.time_ns() % 1_000_000)  # a new cache key
    at.run()
    t0 = time.perf_counter()
    at.button(key=S.W_TRAIN_SUBMIT).click().run()
    assert not at.exception, at.exception
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; best of {repeat}")
    for name, case in CASES.items():
        df, cfg = session(*case)
        core, comp = best(lambda df=df, cfg=cfg: run(df, cfg), repeat)

        def frames(comp=comp):
            out = [
                tables.thin_epochs(tables.losses_frame(comp)),
                tables.thin_epochs(tables.params_frame(comp)),
            ]
            out.append(comp.landscape(width=charts.LANDSCAPE_WIDTH, height=charts.LANDSCAPE_HEIGHT))
            out += [tables.fit_frames(comp), tables.summary_table(comp)]
            return out

        frame_s, built = best(frames, repeat)

        def specs(comp=comp, built=built):
            domain = [h.label for h in comp.runs]
            out = [
                charts.loss_chart(built[0], comp.ols.mse, domain=domain),
                charts.params_chart(built[1], tables.optimum(comp), domain=domain),
                charts.fit_chart(*built[-2], x_title="x", y_title="y", domain=domain),
            ]
            view = built[2]
            if len(view.plane.names) == 2:
                out.append(charts.landscape_chart(view, domain=domain))
            else:
                out.append(charts.cost_curve_chart(view, domain=domain))
            return out

        def sent(convert, built=built):
            return [convert(c) for c in specs(built=built)]

        spec_s, _ = best(lambda: sent(charts.spec), repeat)
        checked_s, _ = best(lambda: sent(vega_charts._convert_altair_to_vega_lite_spec), repeat)
        page_s = min(page_seconds(df, cfg) for _ in range(repeat))
        paths = ",".join(sorted({h.path for h in comp.runs}))
        print(
            f"{name:28s} core {core:6.3f}  frames {frame_s:6.3f}  specs {spec_s:6.3f}  "
            f"(validated {checked_s:6.3f})  page {page_s:6.3f}  "
            f"(path {paths}, {len(comp.dataset.y_train)} train rows)"
        )


if __name__ == "__main__":
    main()
