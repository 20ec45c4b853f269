"""georisk.plotting: every function takes ax=None, returns the Axes, changes no global state."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from georisk.errors import ConfigError

mpl = pytest.importorskip("matplotlib")

from georisk import plotting as gp  # noqa: E402


@pytest.fixture(scope="module")
def frames(pipeline_result):  # type: ignore[no-untyped-def]
    from georisk.report import evaluation_frames

    return evaluation_frames(pipeline_result)


def _calls(res, frames):  # type: ignore[no-untyped-def]
    return {
        "signal_premium": lambda ax: gp.plot_signal_premium(res.signal, res.premium, ax=ax),
        "sleeves": lambda ax: gp.plot_sleeve_decomposition(res.premium, ax=ax),
        "components": lambda ax: gp.plot_sleeve_decomposition(res.premium, ax=ax, by="component"),
        "equity": lambda ax: gp.plot_equity(res.backtest, ax=ax),
        "equity_series": lambda ax: gp.plot_equity(res.backtest.returns, ax=ax),
        "ic": lambda ax: gp.plot_ic_by_horizon(frames.ic, ax=ax),
        "events": lambda ax: gp.plot_event_study(frames.event_study, ax=ax),
        "buckets": lambda ax: gp.plot_bucket_returns(frames.buckets, ax=ax),
        "scores": lambda ax: gp.plot_score_distribution(res.scores, ax=ax),
    }


NAMES = ["signal_premium", "sleeves", "components", "equity", "equity_series", "ic", "events", "buckets", "scores"]


@pytest.mark.parametrize("name", NAMES)
def test_returns_axes_new_and_given(name, pipeline_result, frames):
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    draw = _calls(pipeline_result, frames)[name]
    rc_before = dict(mpl.rcParams)
    ax = draw(None)
    assert isinstance(ax, Axes)
    assert isinstance(ax.figure, Figure)
    assert ax.has_data()
    given = Figure().subplots()
    assert draw(given) is given
    assert given.has_data()
    assert dict(mpl.rcParams) == rc_before  # no global style change
    png = gp.figure_png(ax, dpi=40)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_no_pyplot_state():
    # Run in a fresh interpreter: other tests may have imported pyplot themselves.
    import subprocess

    code = (
        "import sys, numpy as np, pandas as pd; from georisk import plotting as gp;"
        "cols = ['hawkish_tilt', 'peace_trade', 'relevance'];"
        "sc = pd.DataFrame(np.random.default_rng(0).random((50, 3)), columns=cols);"
        "ax = gp.plot_score_distribution(sc); gp.figure_png(ax);"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr


def test_import_is_lazy():
    import subprocess

    code = "import sys, georisk.plotting; assert 'matplotlib' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def test_sleeve_contributions_add_up_to_grpi(pipeline_result):
    prem = pipeline_result.premium
    sleeves = [c.removesuffix("_abnormal") for c in prem.columns if c.endswith("_abnormal")]
    ax = gp.plot_sleeve_decomposition(prem)
    # One positive and one negative band per sleeve, plus the GRPI line.
    assert len(ax.collections) == 2 * len(sleeves)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [*sleeves, "GRPI"]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), prem["grpi"].to_numpy() * 1e4)
    # The stacked bands add up to GRPI on every session: top of positives + bottom of negatives.
    top = np.zeros(len(prem))
    bottom = np.zeros(len(prem))
    for j, _ in enumerate(sleeves):
        pos, neg = ax.collections[2 * j], ax.collections[2 * j + 1]
        top = np.maximum(top, _y2(pos, len(prem)))
        bottom = np.minimum(bottom, _y2(neg, len(prem)))
    valid = prem["grpi"].notna().to_numpy()
    np.testing.assert_allclose((top + bottom)[valid], prem["grpi"].to_numpy()[valid] * 1e4, atol=1e-6)


def test_explicit_weights_scale_the_premia(pipeline_result):
    prem = pipeline_result.premium
    sleeves = [c.removesuffix("_abnormal") for c in prem.columns if c.endswith("_abnormal")]
    weights = dict.fromkeys(sleeves, 0.0) | {sleeves[0]: 2.0}
    ax = gp.plot_sleeve_decomposition(prem, weights=weights)
    top = _y2(ax.collections[0], len(prem))
    expected = np.clip(prem[f"{sleeves[0]}_premium"].fillna(0.0).to_numpy() * 2e4, 0, None)
    np.testing.assert_allclose(top, expected, atol=1e-6)


def _y2(coll, n: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    # fill_between(x, y1, y2)'s polygon: a start point, y1 forward (n points), the end
    # point, then y2 backward (n points). The bands are drawn from their base (y1) to
    # base + part (y2), so y2 is the outer edge.
    verts = coll.get_paths()[0].vertices
    return verts[n + 2 : 2 * n + 2, 1][::-1]


def test_signed_stacking_reaches_the_total():
    from matplotlib.figure import Figure

    idx = pd.date_range("2024-01-01", periods=4)
    parts = pd.DataFrame({"a": [1.0, -2.0, 3.0, 0.0], "b": [2.0, 1.0, -1.0, -4.0]}, index=idx)
    ax = Figure().subplots()
    gp._stack_signed(ax, idx, parts, {})
    tops = np.zeros(4)
    bottoms = np.zeros(4)
    for coll in ax.collections:
        verts = coll.get_paths()[0].vertices[:, 1]
        tops = np.maximum(tops, verts.max())  # overall envelope
        bottoms = np.minimum(bottoms, verts.min())
    assert tops.max() == pytest.approx(parts.clip(lower=0).sum(axis=1).max())
    assert bottoms.min() == pytest.approx(parts.clip(upper=0).sum(axis=1).min())


def test_equity_marks_the_max_drawdown():
    r = pd.Series([0.1, -0.5, 0.2, 0.0], index=pd.date_range("2024-01-01", periods=4))
    ax = gp.plot_equity(r)
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["max drawdown -50.0%"]
    np.testing.assert_allclose(ax.get_lines()[-1].get_ydata(), [1.1, 0.55, 0.66, 0.66])


def test_ic_bars_and_band_from_hac_t():
    ic = pd.DataFrame(
        {"ic": [0.1, -0.05, 0.2], "hac_t": [2.0, -1.0, np.nan]}, index=pd.Index([1, 5, 20], name="horizon")
    )
    ax = gp.plot_ic_by_horizon(ic)
    heights = [p.get_height() for p in ax.patches]
    assert heights == pytest.approx([0.1, -0.05, 0.2])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "5", "20"]
    assert "95% band" in ax.get_title()
    # Error bars: +/- 1.96 |ic / t| (0.098 and 0.098), none where t is missing.
    segments = ax.collections[0].get_segments()
    half = [(seg[1][1] - seg[0][1]) / 2 for seg in segments]
    assert half == pytest.approx([1.96 * 0.05, 1.96 * 0.05, 0.0], abs=1e-3)


def test_ic_of_evaluation_one_bar_group_per_sleeve(pipeline_result, frames):
    ax = gp.plot_ic_by_horizon(frames.ic)
    sleeves = list(frames.ic.index.unique("sleeve"))
    horizons = list(frames.ic.index.unique("horizon"))
    assert len(ax.patches) == len(sleeves) * len(horizons)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == sleeves
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(h) for h in horizons]
    # The bars of the first sleeve are its IC, left of the others at each horizon.
    first = [p.get_height() for p in ax.patches[: len(horizons)]]
    np.testing.assert_allclose(first, frames.ic.loc[sleeves[0], "ic"].to_numpy())


def test_ic_mapping_equals_two_level_frame(frames):
    as_map = {k: frames.ic.loc[k] for k in frames.ic.index.unique("sleeve")}
    a, b = gp.plot_ic_by_horizon(as_map), gp.plot_ic_by_horizon(frames.ic)
    assert [p.get_height() for p in a.patches] == [p.get_height() for p in b.patches]


def test_event_study_draws_one_curve_per_label_in_bp():
    t = pd.Index(range(-2, 4), name="rel_day")
    a = pd.DataFrame({"car": np.linspace(0, 0.01, 6), "car_lo": 0.0, "car_hi": 0.02, "n_events": 7}, index=t)
    b = a.assign(car=-a["car"], car_lo=-0.02, car_hi=0.0)
    ax = gp.plot_event_study({"hawkish shocks": a, "peace shocks": b})
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert "hawkish shocks (n=7)" in labels and "peace shocks (n=7)" in labels
    line = next(ln for ln in ax.get_lines() if ln.get_label() == "hawkish shocks (n=7)")
    np.testing.assert_allclose(line.get_ydata(), a["car"] * 1e4)
    assert len(ax.collections) == 2  # one band each


def test_event_study_output_one_curve_per_asset():
    from georisk.evaluation import event_study

    rng = np.random.default_rng(2)
    idx = pd.bdate_range("2022-01-03", periods=400)
    market = pd.Series(rng.standard_normal(400) * 0.01, index=idx)
    assets = pd.DataFrame({"energy": market * 0.5, "grain": market * 0.2}, index=idx)
    assets += rng.standard_normal((400, 2)) * 0.002
    es = event_study(assets, market, idx[[200, 300]], window=(-5, 20))
    ax = gp.plot_event_study(es)
    assert [ln.get_label() for ln in ax.get_lines()[:2]] == ["energy (n=2)", "grain (n=2)"]
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), es.loc["grain", "car"].to_numpy() * 1e4)
    ax = gp.plot_event_study({"hawkish": es})
    assert [ln.get_label() for ln in ax.get_lines()[:2]] == ["hawkish, energy (n=2)", "hawkish, grain (n=2)"]


def test_bucket_series_is_mean():
    ax = gp.plot_bucket_returns(pd.Series([-0.001, 0.0, 0.002], index=[1, 2, 3]))
    assert [p.get_height() for p in ax.patches] == pytest.approx([-10.0, 0.0, 20.0])
    assert "band" not in ax.get_title()


def test_buckets_of_evaluation_in_bp(frames):
    ax = gp.plot_bucket_returns(frames.buckets)
    sleeves = list(frames.buckets.index.unique("sleeve"))
    assert len(ax.patches) == 5 * len(sleeves)
    heights = [p.get_height() for p in ax.patches[5:10]]
    np.testing.assert_allclose(heights, frames.buckets.loc[sleeves[1], "mean"].to_numpy() * 1e4)
    assert "95% band" in ax.get_title()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: gp.plot_ic_by_horizon(pd.DataFrame({"x": [1.0]})), r"ic lacks column\(s\) \['ic'\]"),
        (lambda: gp.plot_bucket_returns(pd.DataFrame({"avg": [1.0]})), r"buckets lacks column\(s\) \['mean'\]"),
        (
            lambda: gp.plot_event_study({"a": pd.DataFrame({"m": [1.0]})}),
            r"event study 'a' lacks column\(s\) \['car'\]",
        ),
        (
            lambda: gp.plot_ic_by_horizon({"energy": pd.DataFrame({"x": [1.0]})}),
            r"ic 'energy' lacks column\(s\) \['ic'\]",
        ),
        (lambda: gp.plot_sleeve_decomposition(pd.DataFrame({"grpi": [1.0]})), "no '{sleeve}_abnormal'"),
        (lambda: gp.plot_signal_premium(pd.DataFrame({"x": [1.0]}), pd.DataFrame()), "daily_signal"),
    ],
)
def test_contract_errors_name_the_column(call, match):
    with pytest.raises(ConfigError, match=match):
        call()


def test_decomposition_rejects_bad_options(pipeline_result):
    with pytest.raises(ConfigError, match="by='x' must be"):
        gp.plot_sleeve_decomposition(pipeline_result.premium, by="x")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"unknown sleeve\(s\) \['oil'\]"):
        gp.plot_sleeve_decomposition(pipeline_result.premium, weights={"oil": 1.0})


def test_missing_matplotlib_names_the_extra(monkeypatch):
    from georisk.errors import OptionalDependencyError

    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(OptionalDependencyError, match=r"georisk\[plot\]"):
        gp.new_figure()


def test_readme_figure_is_small(request):
    from pathlib import Path

    png = Path(__file__).resolve().parents[1] / "docs" / "img" / "signal_premium.png"
    assert png.is_file()
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) < 150_000


def test_rolling_panels_skip_untraded_sessions():
    idx = pd.bdate_range("2024-01-01", periods=200)
    rng = np.random.default_rng(1)
    bench = pd.Series(rng.standard_normal(200) * 0.01, index=idx)
    r = 0.5 * bench + rng.standard_normal(200) * 0.001
    r.iloc[:50] = np.nan  # warm-up
    r.iloc[120] = np.nan  # one untraded session must not void 63 windows
    axes = gp.plot_rolling(r, bench, window=20)
    assert len(axes) == 3
    beta = axes[2].get_lines()[0].get_ydata()
    finite = beta[np.isfinite(beta)]
    assert len(finite) == 149 - 19
    assert np.allclose(finite, 0.5, atol=0.1)
    with pytest.raises(ConfigError, match="window"):
        gp.plot_rolling(r, bench, window=1)


def test_premium_bands_draw_both_panels(pipeline_result):
    axes = gp.plot_premium_bands(pipeline_result.premium)
    assert len(axes) == 2 and all(ax.has_data() for ax in axes)
    assert axes[0].get_ylabel() == "GRPI (bp)" and axes[1].get_ylabel() == "oil premium (USD/bbl)"
    with pytest.raises(ConfigError, match="grpi"):
        gp.plot_premium_bands(pipeline_result.premium[["state"]])
    # the superseded loading model has no bands: its premium is drawn without them
    bare = gp.plot_premium_bands(pipeline_result.premium[["grpi", "oil_premium_usd"]])
    assert all(ax.has_data() for ax in bare) and not bare[0].collections


def test_sleeve_pnl_lines_and_total(pipeline_result):
    from georisk.report import sleeve_pnl

    pnl = sleeve_pnl(pipeline_result)
    ax = gp.plot_sleeve_pnl(pnl)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[: len(pnl.columns)] == list(pnl.columns) and "all sleeves (gross)" in labels
    first = pnl.notna().any(axis=1).idxmax()
    assert ax.get_lines()[0].get_xdata()[0] == first  # no flat line through the warm-up


def test_demo_figure_says_synthetic(pipeline_result, tmp_path):
    from matplotlib.image import imread

    res = pipeline_result
    path = tmp_path / "demo.png"
    gp.save_demo_figure(res.signal, res.premium, res.backtest, path)
    pixels = imread(path)[..., :3]
    top = pixels[: pixels.shape[0] // 12]
    red = (top[..., 0] > 0.6) & (top[..., 1] < 0.35) & (top[..., 2] < 0.35)
    assert red.sum() > 50  # the red SYNTHETIC line across the top
    ax = gp.new_figure()
    gp.stamp(ax, "SYNTHETIC test")
    assert ax.figure.get_suptitle() == "SYNTHETIC test"
    gp.stamp(ax, None)
    assert ax.figure.get_suptitle() == "SYNTHETIC test"
