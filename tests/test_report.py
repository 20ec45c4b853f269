"""georisk.report and ``georisk report``: the self-contained HTML tear sheet."""

from __future__ import annotations

import base64
import math
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from georisk.cli import main
from georisk.errors import ConfigError
from georisk.evaluation import bucket_returns, information_coefficient

pytest.importorskip("matplotlib")

from georisk.report import (
    HONESTY_KEYS,
    benchmark_comparison,
    drawdown_table,
    evaluation_frames,
    honesty_table,
    monthly_returns,
    report_html,
    signal_evaluation,
    sleeve_pnl,
    sleeve_table,
    state_change_z,
    write_report,
)


@pytest.fixture(scope="module")
def html_text(pipeline_result) -> str:  # type: ignore[no-untyped-def]
    return report_html(pipeline_result)


# ----------------------------------------------------------------------------- evaluation
def _panel(n: int = 400, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2023-01-02", periods=n)
    signal = pd.DataFrame(rng.standard_normal((n, 2)), index=idx, columns=["energy", "grain"])
    premium = pd.DataFrame(index=idx)
    premium["benchmark_return"] = rng.standard_normal(n) * 0.01
    for k in signal:
        premium[f"{k}_abnormal"] = rng.standard_normal(n) * 0.01
        premium[f"{k}_return"] = 0.8 * premium["benchmark_return"] + premium[f"{k}_abnormal"]
    premium["state_change"] = rng.standard_normal(n)
    return signal, premium


def test_ic_is_georisk_evaluation_per_sleeve_after_the_execution_lag():
    signal, premium = _panel()
    lag = 2
    # The return earned by the position set at d is ar_{d+lag+1}: plant the signal there.
    for k in signal:
        premium[f"{k}_abnormal"] = signal[k].shift(lag + 1) * 0.01
    frames = signal_evaluation(premium, signal, execution_lag=lag, horizons=(1, 5))
    assert frames.source == "georisk.evaluation"
    assert frames.ic.index.names == ["sleeve", "horizon"]
    assert list(frames.ic.index) == [("energy", 1), ("energy", 5), ("grain", 1), ("grain", 5)]
    assert frames.ic.loc[("energy", 1), "ic"] == pytest.approx(1.0)
    assert 0.2 < frames.ic.loc[("grain", 5), "ic"] < 0.8  # one of five compounded returns carries it
    assert frames.ic.loc[("energy", 5), "hac_t"] > 3
    for k in signal:
        direct = information_coefficient(signal[k], premium[f"{k}_abnormal"], horizons=(1, 5), execution_lag=lag)
        pd.testing.assert_frame_equal(frames.ic.loc[k], direct)
    # The wrong lag sees nothing.
    wrong = signal_evaluation(premium, signal, execution_lag=0, horizons=(1,))
    assert (wrong.ic["ic"].abs() < 0.15).all()


def test_ic_of_noise_is_not_significant():
    signal, premium = _panel(seed=3)
    ic = signal_evaluation(premium, signal, horizons=(1, 10)).ic
    assert (ic["hac_t"].abs() < 1.96).all()
    assert (ic["nw_lags"].xs(10, level="horizon") >= 9).all()  # overlap of 10-session returns


def test_buckets_use_past_only_edges_and_are_monotone_for_a_linear_signal():
    n = 1000
    signal, premium = _panel(n=n, seed=1)
    for k in signal:
        premium[f"{k}_abnormal"] = signal[k].shift(2) * 0.001 + premium[f"{k}_abnormal"] * 0.01
    b = signal_evaluation(premium, signal, execution_lag=1, quantiles=5).buckets
    assert b.index.names == ["sleeve", "bucket"]
    for k in signal:
        assert list(b.loc[k].index) == [1, 2, 3, 4, 5]
        assert b.loc[k, "mean"].is_monotonic_increasing
        # Bucketed from the 60th signal value on, while the next-session return after the lag exists.
        assert b.loc[k, "n_obs"].sum() == (n - 3) - 59 + 1
        direct = bucket_returns(signal[k], premium[f"{k}_abnormal"], n_buckets=5, execution_lag=1)
        pd.testing.assert_frame_equal(b.loc[k], direct)
    # Edges from past values only: a signal that keeps rising is always in the top bucket
    # (full-sample quintiles would spread it evenly over the five).
    rising = pd.DataFrame({k: np.arange(n, dtype=float) for k in signal}, index=signal.index)
    top = signal_evaluation(premium, rising, quantiles=5).buckets
    assert (top["n_obs"].xs(5, level="bucket") == (n - 3) - 59 + 1).all()
    assert (top["n_obs"].drop(5, level="bucket") == 0).all()


def _shock_panel(n: int = 600, seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame, list[int]]:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2022-01-03", periods=n)
    market = pd.Series(rng.standard_normal(n) * 0.01, index=idx)
    own = pd.Series(rng.standard_normal(n) * 0.0005, index=idx)
    state_change = pd.Series(np.tile([0.1, -0.1], n // 2), index=idx)
    events = [300, 400, 500]
    for e in events:
        state_change.iloc[e] = 5.0
        own.iloc[e : e + 3] += 0.01  # +1% beyond the market on the shock session and the next two
    premium = pd.DataFrame(
        {
            "energy_abnormal": own,
            "energy_return": 0.5 * market + own,
            "benchmark_return": market,
            "state_change": state_change,
        }
    )
    return premium, pd.DataFrame({"energy": 0.0}, index=idx), events


def test_event_study_recovers_a_planted_response():
    premium, positions, events = _shock_panel()
    frames = signal_evaluation(premium, positions, window=(-5, 10))
    assert list(frames.shocks["hawkish"]) == list(premium.index[events])
    assert len(frames.shocks["peace"]) == 0
    hawk, peace = frames.event_study["hawkish shocks"], frames.event_study["peace shocks"]
    assert list(hawk.index) == list(range(-5, 11))
    assert (hawk["n_events"] == 3).all() and (peace["n_events"] == 0).all()
    assert abs(hawk.loc[-1, "car"]) < 0.004  # nothing before the shock
    assert hawk.loc[0, "car"] - hawk.loc[-1, "car"] == pytest.approx(0.01, abs=0.003)
    assert hawk.loc[10, "car"] - hawk.loc[-1, "car"] == pytest.approx(0.03, abs=0.005)
    assert (hawk["car_lo"] <= hawk["car"]).all() and (hawk["car"] <= hawk["car_hi"]).all()
    assert peace["car"].isna().all()


def test_shocks_from_a_given_signal_and_the_default_z_score():
    premium, positions, _ = _shock_panel()
    z = state_change_z(premium["state_change"])
    # Causal: changing later values leaves earlier z-scores as they were.
    bumped = premium["state_change"].copy()
    bumped.iloc[450:] *= 7.0
    pd.testing.assert_series_equal(state_change_z(bumped).iloc[:450], z.iloc[:450])
    assert list(z.iloc[:59].isna()) == [True] * 59
    own = pd.Series(0.0, index=premium.index)
    own.iloc[[250, 350]] = [3.0, -3.0]
    frames = signal_evaluation(premium, positions, shock_signal=own)
    assert list(frames.shocks["hawkish"]) == [premium.index[250]]
    assert list(frames.shocks["peace"]) == [premium.index[350]]


def test_evaluation_rejects_bad_inputs():
    signal, premium = _panel()
    with pytest.raises(ConfigError, match="share no sleeve"):
        signal_evaluation(premium, signal.rename(columns=str.upper))
    with pytest.raises(ConfigError, match="lacks 'state_change'"):
        signal_evaluation(premium.drop(columns="state_change"), signal)
    with pytest.raises(ConfigError, match="lacks 'benchmark_return', 'grain_return'"):
        signal_evaluation(premium.drop(columns=["benchmark_return", "grain_return"]), signal)
    with pytest.raises(ConfigError, match="horizons"):
        signal_evaluation(premium, signal, horizons=(0, 1))
    with pytest.raises(ConfigError, match="quantiles=1"):
        signal_evaluation(premium, signal, quantiles=1)
    with pytest.raises(ConfigError, match=r"window=\(5, 20\).*\(-5, 20\)"):
        signal_evaluation(premium, signal, window=(5, 20))
    with pytest.raises(ConfigError, match="execution_lag=-1"):
        signal_evaluation(premium, signal, execution_lag=-1)


# ----------------------------------------------------------------------------- honesty
def test_honesty_table_reads_metrics_and_marks_missing(pipeline_result):
    table = honesty_table(pipeline_result)
    m = pipeline_result.backtest.metrics
    assert table.loc["Sharpe (net of costs)", "value"] == pytest.approx(m["sharpe"])
    assert table.loc["placebo p-value", "value"] == pytest.approx(m["placebo_p"])
    for label, keys in HONESTY_KEYS.items():
        present = [k for k in keys if k in m]
        if present:
            assert table.loc[label, "key"] == present[0]
        else:
            assert math.isnan(table.loc[label, "value"]) and table.loc[label, "key"] == ""


@pytest.mark.slow
def test_missing_statistic_shows_na_not_a_number(pipeline_result):
    from dataclasses import replace

    bt = pipeline_result.backtest
    stripped = replace(bt.metrics, dsr=math.nan, bootstrap_p=math.nan)  # a statistic the run could not compute
    res = replace(pipeline_result, backtest=replace(bt, metrics=stripped))
    table = honesty_table(res)
    assert math.isnan(table.loc["deflated Sharpe ratio", "value"])
    text = report_html(res)
    row = re.search(r"<th>deflated Sharpe ratio</th><td[^>]*>([^<]*)</td>", text)
    assert row is not None and row.group(1) == "n/a"


# ----------------------------------------------------------------------------- HTML
def test_html_is_self_contained(html_text: str):
    assert html_text.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?!data:)""", html_text)
    assert "http://" not in html_text and "https://" not in html_text
    assert "<script" not in html_text


def test_html_embeds_every_chart_as_png(html_text: str):
    images = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,([^"]+)"', html_text)
    titles = [t for t, _ in images]
    assert titles == [
        "News signal and premium",
        "Sleeve decomposition",
        "Hawkish and peace components",
        "Equity and drawdowns",
        "IC by horizon",
        "Event study",
        "Bucket returns",
        "Premium with bands",
        "Rolling Sharpe, volatility and beta",
        "Sleeve contributions",
    ]
    for _, b64 in images:
        assert base64.b64decode(b64)[:8] == b"\x89PNG\r\n\x1a\n"


def test_html_has_summary_and_honesty_panel(html_text: str, pipeline_result):
    for needle in (
        "<h2>Summary</h2>",
        "<h2>Honesty panel</h2>",
        "Newey-West (HAC) t",
        "placebo p-value",
        "stationary-bootstrap p-value",
        "deflated Sharpe ratio",
        "cost assumption",
        "SYNTHETIC",
        "georisk.evaluation (information_coefficient, bucket_returns, event_study)",
    ):
        assert needle in html_text
    sharpe = pipeline_result.backtest.metrics["sharpe"]
    assert f'<th>Sharpe (net of costs)</th><td class="num">{sharpe:.3f}</td>' in html_text
    last = str(pipeline_result.signal.index[-1].date())
    assert f"georisk tear sheet, {last}" in html_text


def test_counts_are_whole_numbers_and_labels_unique(html_text: str, pipeline_result):
    summary = html_text.split("<h2>Summary</h2>")[1].split("</table>")[0]
    labels = re.findall(r"<tr><th>([^<]*)</th><td", summary)
    assert len(labels) == len(set(labels)), labels  # one "sessions" row: the backtest's is named apart
    n = int(pipeline_result.backtest.summary()["value"]["sessions with a return"])
    assert n == pipeline_result.backtest.metrics.n_obs
    assert f'<th>sessions with a return</th><td class="num">{n}</td>' in summary
    trials = re.search(r"<th>configurations tried \(trial ledger\)</th><td[^>]*>([^<]*)</td>", html_text)
    assert trials is not None and re.fullmatch(r"\d+", trials.group(1)), trials


@pytest.mark.slow
def test_title_is_escaped(pipeline_result):
    text = report_html(pipeline_result, title="<b>&</b>", dpi=30)
    assert "<title>&lt;b&gt;&amp;&lt;/b&gt;</title>" in text


def test_write_report_rejects_other_suffixes(pipeline_result, tmp_path: Path):
    with pytest.raises(ConfigError, match=r"\.html"):
        write_report(pipeline_result, tmp_path / "report.pdf")


def test_evaluation_frames_of_a_run(pipeline_result):
    frames = evaluation_frames(pipeline_result, horizons=(1, 3))
    assert set(frames.ic.index.get_level_values("horizon")) == {1, 3}
    assert list(frames.ic.index.unique("sleeve")) == list(pipeline_result.positions.columns)
    assert set(frames.event_study) == {"hawkish shocks", "peace shocks"}
    assert set(frames.shocks) == {"hawkish", "peace"}
    assert frames.source == "georisk.evaluation"
    lag = int(pipeline_result.backtest.params["execution_lag"])
    k = pipeline_result.positions.columns[0]
    direct = information_coefficient(
        pipeline_result.positions[k], pipeline_result.premium[f"{k}_abnormal"], horizons=(1, 3), execution_lag=lag
    )
    pd.testing.assert_frame_equal(frames.ic.loc[k], direct)


# ----------------------------------------------------------------------------- command line
@pytest.mark.slow
def test_cli_report_writes_html(tmp_path: Path, capsys):
    out = tmp_path / "sub" / "report.html"
    assert main(["report", "--sample", "--out", str(out), "--as-of", "2024-06-28"]) == 0
    text = out.read_text("utf-8")
    assert "georisk tear sheet, 2024-06-28" in text
    assert str(out) in capsys.readouterr().out
    assert out.stat().st_mode & 0o044  # readable by others: a document to share


def test_cli_report_bad_suffix_exit_2(tmp_path: Path, capsys):
    assert main(["report", "--out", str(tmp_path / "r.csv")]) == 2
    assert "--out" in capsys.readouterr().err


# ----------------------------------------------------------------------------- performance
def test_monthly_and_yearly_returns_compound():
    idx = pd.bdate_range("2024-01-01", "2024-03-29")
    r = pd.Series(0.0, index=idx)
    r[idx.month == 2] = 0.01
    r.iloc[:3] = math.nan
    table = monthly_returns(r)
    feb = (idx.month == 2).sum()
    assert table.loc[2024, "Feb"] == pytest.approx(1.01**feb - 1)
    assert table.loc[2024, "Jan"] == 0.0 and math.isnan(table.loc[2024, "Apr"])
    assert table.loc[2024, "Year"] == pytest.approx(1.01**feb - 1)


def test_percentages_never_show_negative_zero():
    from georisk.report import _pct

    assert _pct(-0.00001) == "0.0%" and _pct(-0.001) == "-0.1%" and _pct(0.1234, ".2f") == "12.34%"
    assert _pct(math.nan) == "n/a"


def test_drawdown_table_dates_depth_and_recovery():
    idx = pd.bdate_range("2024-01-01", periods=10)
    r = pd.Series([0.1, -0.2, 0.0, 0.25, 0.01, -0.05, -0.05, 0.0, 0.0, 0.0], index=idx)
    dd = drawdown_table(r, top=5)
    assert len(dd) == 2
    first = dd.iloc[0]
    assert first["depth"] == pytest.approx(-0.2)
    assert (first["peak"], first["trough"], first["recovery"]) == (idx[0], idx[1], idx[3])
    assert first["sessions to trough"] == 1 and first["sessions to recover"] == 2
    second = dd.iloc[1]
    assert second["depth"] == pytest.approx(0.95 * 0.95 - 1)
    assert second["peak"] == idx[4] and second["trough"] == idx[6] and pd.isna(second["recovery"])
    assert math.isnan(second["sessions to recover"])
    assert drawdown_table(pd.Series(0.01, index=idx)).empty


def test_sleeve_pnl_sums_to_the_gross_return(pipeline_result):
    pnl = sleeve_pnl(pipeline_result)
    gross = pipeline_result.backtest.gross_returns
    both = pd.concat([pnl.sum(axis=1, min_count=1), gross], axis=1).dropna()
    assert len(both) > 100
    np.testing.assert_allclose(both.iloc[:, 0], both.iloc[:, 1], atol=1e-12)
    table = sleeve_table(pipeline_result)
    assert list(table.index) == list(pipeline_result.backtest.positions.columns)
    assert table["share of gross P&L"].sum() == pytest.approx(1.0)


def test_benchmark_comparison(pipeline_result):
    table = benchmark_comparison(pipeline_result)
    m = pipeline_result.backtest.metrics
    assert table.loc["Sharpe", "strategy (net)"] == pytest.approx(m["sharpe"], rel=1e-6)
    assert table.loc["max drawdown", "strategy (net)"] == pytest.approx(m["max_drawdown"], rel=1e-6)
    assert -1 <= table.loc["correlation with benchmark", "strategy (net)"] <= 1
    assert math.isfinite(table.loc["Sharpe", "benchmark"])


def test_tear_sheet_sections_percentages_and_the_panel_once(html_text: str, pipeline_result):
    for heading in (
        "Benchmark comparison",
        "Monthly and yearly returns (net)",
        "Worst drawdowns",
        "Sleeves: P&amp;L and exposure",
    ):
        assert f"<h2>{heading}</h2>" in html_text
    summary = html_text.split("<h2>Summary</h2>")[1].split("</table>")[0]
    for repeated in ("placebo p-value", "Newey-West", "deflated Sharpe", "Sharpe (gross)"):
        assert repeated not in summary
    m = pipeline_result.backtest.metrics
    assert f'<th>ann. return (arithmetic mean)</th><td class="num">{m["ann_return"] * 100:.2f}%</td>' in summary
    assert f'<th>max drawdown</th><td class="num">{m["max_drawdown"] * 100:.2f}%</td>' in summary
    assert html_text.count("<th>placebo p-value</th>") == 1
    assert "not recovered" in html_text or "<th>recovery</th>" in html_text


@pytest.mark.slow
def test_psr_label_when_nothing_was_deflated(html_text: str, pipeline_result):
    assert pipeline_result.backtest.metrics["n_trials"] <= 1
    assert "<th>deflated Sharpe ratio: PSR (no trial ledger)</th>" in html_text
    from dataclasses import replace

    bt = pipeline_result.backtest
    res = replace(pipeline_result, backtest=replace(bt, metrics=replace(bt.metrics, n_trials=12)))
    text = report_html(res, dpi=30)
    assert "PSR (no trial ledger)" not in text and "<th>deflated Sharpe ratio</th>" in text


@pytest.mark.slow
def test_mixed_data_is_labelled_as_it_is(pipeline_result, tmp_path: Path):
    from dataclasses import replace

    from georisk.config import ArticlesConfig

    cfg = pipeline_result.config.model_copy(update={"articles": ArticlesConfig(path=tmp_path / "mine.jsonl")})
    text = report_html(replace(pipeline_result, config=cfg), dpi=30)
    assert "SYNTHETIC prices" in text and "composed articles" not in text


# ----------------------------------------------------------------------------- browser
def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.slow
def test_report_renders_in_headless_chromium(tmp_path: Path, pipeline_result):
    browser = _chromium()
    if browser is None:
        pytest.skip("no Chromium or Chrome binary on PATH (apt-get install chromium to run this check)")
    from matplotlib.image import imread

    page = write_report(pipeline_result, tmp_path / "report.html")
    shot = tmp_path / "shot.png"
    cmd = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--hide-scrollbars",
        "--window-size=1100,9600",  # the whole page: tables, then every chart
        f"--screenshot={shot}",
        page.as_uri(),
    ]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    pixels = imread(shot)[..., :3]
    assert pixels.shape[:2] == (9600, 1100)
    # Not blank: the page has text, tables and charts, so pixels vary and many are not white.
    assert float(pixels.std()) > 0.05
    non_white = float((pixels.min(axis=2) < 0.9).mean())
    assert non_white > 0.03
    # The charts painted colour (a blank or broken image would be grey or white).
    saturation = pixels.max(axis=2) - pixels.min(axis=2)
    assert float((saturation > 0.3).mean()) > 0.005
    # The key numbers are in the text the browser renders.
    dom = subprocess.run(
        [*cmd[:-3], "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    text = re.sub(r"<[^>]+>", " ", dom.stdout)
    m = pipeline_result.backtest.metrics
    assert "SYNTHETIC" in text and "Worst drawdowns" in text and "Benchmark comparison" in text
    assert f"{m['sharpe']:.3f}" in text and f"{m['max_drawdown'] * 100:.2f}%" in text
    grpi = pipeline_result.premium["grpi"].dropna().iloc[-1] * 1e4
    assert f"{grpi:+.1f}" in text
    from georisk.report import validation_of

    v = validation_of(pipeline_result)
    assert "Placebo runs" in text and "Oil premium by month" in text
    for name, r in v.placebo.iterrows():
        assert f"{name}" in text and f"{r['band_excludes_zero'] * 100:.1f}%" in text


def test_premium_validation_table(pipeline_result, html_text: str):
    from georisk.report import premium_validation

    table = premium_validation(pipeline_result)
    sleeves = list(pipeline_result.config.universe.risk_sleeves)
    assert list(table.index) == ["GRPI", *sleeves, "oil (USD/bbl)"]
    prem = pipeline_result.premium
    last = prem["grpi"].dropna().index[-1]
    assert table.loc["GRPI", "latest"] == pytest.approx(prem.loc[last, "grpi"] * 1e4)
    assert table.loc["GRPI", "latest t"] == pytest.approx(prem.loc[last, "grpi"] / prem.loc[last, "grpi_se"])
    assert (table["band low"] <= table["latest"]).all() and (table["latest"] <= table["band high"]).all()
    assert table["band excludes zero"].between(0, 1).all()
    k = sleeves[0]
    assert table.loc[k, "response t"] == pytest.approx(
        prem.loc[last, f"{k}_response"] / prem.loc[last, f"{k}_response_se"]
    )
    assert "<h2>Premium validation (90% bands)</h2>" in html_text


def test_tear_sheet_shows_the_validation_table(html_text: str, pipeline_result):
    """Monthly oil premium with its band and the oil CAR, placebo columns and runs, event signs."""
    from georisk.report import VALIDATION_SEEDS, validation_of

    v = validation_of(pipeline_result)
    assert v.seeds == VALIDATION_SEEDS
    for heading in ("Oil premium by month, with placebos (90% bands)", "Placebo runs", "Event windows"):
        assert f"<h3>{heading}</h3>" in html_text
    assert f"mean of {VALIDATION_SEEDS} seed(s)" in html_text
    oil = v.oil_ticker
    assert f"<th>{oil} CAR (USD/bbl)</th>" in html_text and "<th>placebo: shuffled</th>" in html_text
    month, row = next(iter(v.monthly.iterrows()))
    cells = html_text.split(f"<th>{month}</th>", 1)[1].split("</tr>", 1)[0]
    for value in (row["oil_premium_usd"], row["oil_premium_usd_lo"], row["oil_premium_usd_hi"]):
        assert f">{value:+.2f}<" in cells
    assert f">{row['grpi_excludes_zero'] * 100:.0f}%<" in cells
    for name, r in v.placebo.iterrows():
        assert f"<th>{name}</th>" in html_text
        assert f">{r['band_excludes_zero'] * 100:.1f}%<" in html_text
    assert f"as expected: {int(v.events['as_expected'].sum())} of {len(v.events)}" in html_text
    assert "dashed: the market-model CAR of" in html_text


@pytest.mark.slow
def test_tear_sheet_of_the_loading_model_says_there_is_nothing_to_validate():
    """The superseded loading model has no bands: the page says so instead of failing."""
    from georisk.config import GeoriskConfig, PremiumConfig
    from georisk.pipeline import run

    result = run(GeoriskConfig(premium=PremiumConfig(method="loading", state="escalation_z")))
    assert "grpi_lo" not in result.premium.columns
    text = report_html(result, dpi=30)
    assert "nothing to validate" in text and "<h3>Placebo runs</h3>" not in text
    assert "<th>GRPI (bp)</th>" in text and "90% band)</th>" not in text
