"""What the page sends for each chart: the spec st.altair_chart would send, built without Altair's
schema validation at run time (ui.charts.spec), and still valid by that schema (checked here)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.elements import vega_charts

from linreg_core import RunConfig, Scaler, prepare, read_table, run
from ui import charts, tables

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r'"name": "([0-9a-f]{32})"')


def _page_charts() -> list[alt.TopLevelMixin]:
    """Every chart the Train, Predict and Normalise pages draw, on the apartments sample (and
    seed 003's table for the cost curve of a lone weight), the learning-rate sweep's too."""
    df = read_table(ROOT / "sample_data" / "apartments.csv")
    cfg = RunConfig(target="price_eok", features=("area_m2",), normalize=True, test_size=0.2)
    comp = run(df, cfg)
    domain = [h.label for h in comp.runs]
    out = [
        charts.loss_chart(tables.thin_epochs(tables.losses_frame(comp)), comp.ols.mse),
        charts.landscape_chart(comp.landscape()),
        charts.params_chart(tables.params_frame(comp), tables.optimum(comp), domain=domain),
        charts.fit_chart(*tables.fit_frames(comp), x_title="area_m2", y_title="price_eok"),
    ]
    preds = tables.predictions_frame(comp, "test")
    out += [charts.pred_vs_actual_chart(preds), charts.residuals_chart(preds)]
    x = df[["area_m2", "price_eok"]].to_numpy(dtype=float)
    scaler = Scaler(x.mean(axis=0), x.std(axis=0))
    values, _ = tables.zscore_frame(["area_m2", "price_eok"], x, scaler, max_columns=2)
    from linreg_core.sweep import sweep
    from ui import sweep as sweep_ui

    done = sweep(prepare(df, cfg), cfg, [0.01, 0.1, 1.0, 10.0])
    limits = sweep_ui.sweep_limits(cfg, done.comparison.curvature)
    out.append(sweep_ui.sweep_chart(sweep_ui.sweep_frame(done.rows), limits, comp.ols.mse))
    seed003 = read_table(ROOT / "sample_data" / "hours_points.csv")
    one = run(seed003, RunConfig(target="points", features=("hour",), bias=False, epochs=30))
    from ui import watch

    out += [watch.watch_chart(comp, domain), watch.watch_chart(one, [h.label for h in one.runs])]
    out.append(charts.internals_chart(watch.internals_frame(comp), watch.PANELS, domain))
    return [*out, charts.distribution_chart(values), charts.cost_curve_chart(one.landscape())]


def _canonical(spec: dict[str, Any]) -> tuple[str, list[pd.DataFrame]]:
    """The spec with its dataset names replaced by their order, and the datasets as frames."""
    text = json.dumps({k: v for k, v in spec.items() if k != "datasets"}, sort_keys=True)
    names = list(dict.fromkeys(NAME.findall(text)))
    for i, name in enumerate(names):
        text = text.replace(name, f"dataset-{i}")
    frames = [pa.ipc.open_stream(spec["datasets"][n]).read_all().to_pandas() for n in names]
    return text, frames


CHARTS = _page_charts()


@pytest.mark.parametrize("i", range(len(CHARTS)))
def test_the_sent_spec_is_streamlits_own_without_the_validation(i):
    chart = CHARTS[i]
    ours, frames = _canonical(charts.spec(chart))
    theirs, their_frames = _canonical(vega_charts._convert_altair_to_vega_lite_spec(chart))
    assert ours == theirs
    assert len(frames) == len(their_frames) > 0
    for a, b in zip(frames, their_frames, strict=True):
        text = [c for c in b.columns if pd.api.types.is_string_dtype(b[c])]
        # the same values; text columns go as Arrow dictionaries (each name once), not strings
        assert all(isinstance(a[c].dtype, pd.CategoricalDtype) for c in text), a.dtypes
        pd.testing.assert_frame_equal(a.astype({c: b[c].dtype for c in text}), b)


@pytest.mark.parametrize("i", range(len(CHARTS)))
def test_every_page_chart_is_valid_vega_lite(i):
    with alt.data_transformers.disable_max_rows():
        CHARTS[i].to_dict(validate=True)  # raises SchemaValidationError on an invalid spec


def test_an_invalid_chart_is_caught_by_the_validation_these_tests_rely_on():
    bad = alt.Chart(pd.DataFrame({"x": [1.0]})).mark_point().encode(x=alt.X("x:Q", bin="yes"))
    with pytest.raises(alt.utils.schemapi.SchemaValidationError):
        bad.to_dict(validate=True)
    assert charts.spec(bad)["encoding"]["x"]["bin"] == "yes"  # sent as built: tests guard it


def test_the_datasets_sent_hold_the_frames_values():
    losses = pd.DataFrame(
        {"epoch": [1, 2], "loss": [2.5, np.nan], "optimizer": ["sgd"] * 2, "split": ["train"] * 2}
    )
    _, frames = _canonical(charts.spec(charts.loss_chart(losses, 0.5)))
    assert any(list(f.get("loss", [])) == [2.5] for f in frames)  # the diverged row dropped


def test_pages_draw_every_chart_through_charts_show():
    sources = [*ROOT.glob("app_pages/*.py"), *ROOT.glob("ui/*.py"), ROOT / "streamlit_app.py"]
    calls = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in sources
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.(altair_chart|vega_lite_chart)\(", line) and p.name != "charts.py"
    ]
    assert calls == []
