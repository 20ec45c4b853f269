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

pytest.importorskip("matplotlib")

from georisk.report import (
    HONESTY_KEYS,
    evaluation_frames,
    honesty_table,
    report_html,
    signal_evaluation,
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
    for k in signal:
        premium[f"{k}_abnormal"] = rng.standard_normal(n) * 0.01
    premium["state_change"] = rng.standard_normal(n)
    return signal, premium


def test_ic_uses_the_return_after_the_execution_lag():
    signal, premium = _panel()
    lag = 2
    # The return earned by the position set at d is r_{d+lag+1}: plant the signal there.
    for k in signal:
        premium[f"{k}_abnormal"] = signal[k].shift(lag + 1) * 0.01
    frames = signal_evaluation(premium, signal, execution_lag=lag, horizons=(1, 5))
    assert frames.ic.loc[1, "ic"] == pytest.approx(1.0)
    assert 0.2 < frames.ic.loc[5, "ic"] < 0.8  # one of five summed returns carries it
    # The wrong lag sees nothing.
    wrong = signal_evaluation(premium, signal, execution_lag=0, horizons=(1,))
    assert abs(wrong.ic.loc[1, "ic"]) < 0.15
    assert list(frames.ic.columns) == ["ic", "lower", "upper", "n"]
    assert (frames.ic["lower"] < frames.ic["ic"]).all() and (frames.ic["ic"] < frames.ic["upper"]).all()


def test_ic_of_noise_is_inside_its_band():
    signal, premium = _panel(seed=3)
    ic = signal_evaluation(premium, signal, horizons=(1, 10)).ic
    assert ((ic["lower"] < 0) & (ic["upper"] > 0)).all()
    # The band widens with the horizon (overlapping forward returns).
    width = ic["upper"] - ic["lower"]
    assert width.loc[10] > 2 * width.loc[1]


def test_buckets_are_monotone_for_a_linear_signal():
    signal, premium = _panel(n=1000, seed=1)
    for k in signal:
        premium[f"{k}_abnormal"] = signal[k].shift(2) * 0.001 + premium[f"{k}_abnormal"] * 0.01
    b = signal_evaluation(premium, signal, execution_lag=1, quantiles=5).buckets
    assert list(b.index) == [1, 2, 3, 4, 5]
    assert b["mean"].is_monotonic_increasing
    assert b["n"].sum() == pytest.approx(2 * (1000 - 2), abs=2)


def test_event_study_recovers_a_planted_response():
    n = 600
    idx = pd.bdate_range("2022-01-03", periods=n)
    state_change = pd.Series(np.tile([0.1, -0.1], n // 2), index=idx)
    ret = pd.Series(0.0, index=idx)
    events = [300, 400, 500]
    for e in events:
        state_change.iloc[e] = 5.0
        ret.iloc[e : e + 3] = 0.01  # +1% on the shock session and the next two
    premium = pd.DataFrame({"energy_abnormal": ret, "state_change": state_change})
    positions = pd.DataFrame({"energy": 0.0}, index=idx)
    ev = signal_evaluation(premium, positions, window=(5, 10)).event_study
    hawk, peace = ev["hawkish shocks"], ev["peace shocks"]
    assert hawk["n"].iloc[0] == 3 and peace["n"].iloc[0] == 0
    assert hawk.loc[-1, "mean"] == 0.0  # rebased the session before the shock
    assert hawk.loc[0, "mean"] == pytest.approx(0.01)
    assert hawk.loc[10, "mean"] == pytest.approx(0.03)
    assert peace["mean"].isna().all()


def test_evaluation_rejects_bad_inputs():
    signal, premium = _panel()
    with pytest.raises(ConfigError, match="share no sleeve"):
        signal_evaluation(premium, signal.rename(columns=str.upper))
    with pytest.raises(ConfigError, match="lacks 'state_change'"):
        signal_evaluation(premium.drop(columns="state_change"), signal)
    with pytest.raises(ConfigError, match="horizons"):
        signal_evaluation(premium, signal, horizons=(0, 1))
    with pytest.raises(ConfigError, match="quantiles=1"):
        signal_evaluation(premium, signal, quantiles=1)


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


def test_missing_statistic_shows_na_not_a_number(pipeline_result):
    from dataclasses import replace

    bt = pipeline_result.backtest
    stripped = {k: v for k, v in bt.metrics.items() if k not in ("dsr", "deflated_sharpe", "bootstrap_p")}
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
    ):
        assert needle in html_text
    sharpe = pipeline_result.backtest.metrics["sharpe"]
    assert f'<th>Sharpe (net of costs)</th><td class="num">{sharpe:.3f}</td>' in html_text
    last = str(pipeline_result.signal.index[-1].date())
    assert f"georisk tear sheet, {last}" in html_text


def test_title_is_escaped(pipeline_result):
    text = report_html(pipeline_result, title="<b>&</b>", dpi=30)
    assert "<title>&lt;b&gt;&amp;&lt;/b&gt;</title>" in text


def test_write_report_rejects_other_suffixes(pipeline_result, tmp_path: Path):
    with pytest.raises(ConfigError, match=r"\.html"):
        write_report(pipeline_result, tmp_path / "report.pdf")


def test_evaluation_frames_of_a_run(pipeline_result):
    frames = evaluation_frames(pipeline_result, horizons=(1, 3))
    assert list(frames.ic.index) == [1, 3]
    assert set(frames.event_study) == {"hawkish shocks", "peace shocks"}
    assert frames.source in ("local", "georisk.evaluation")


# ----------------------------------------------------------------------------- command line
def test_cli_report_writes_html(tmp_path: Path, capsys):
    out = tmp_path / "sub" / "report.html"
    assert main(["report", "--out", str(out), "--as-of", "2024-06-28"]) == 0
    text = out.read_text("utf-8")
    assert "georisk tear sheet, 2024-06-28" in text
    assert str(out) in capsys.readouterr().out
    assert out.stat().st_mode & 0o044  # readable by others: a document to share


def test_cli_report_bad_suffix_exit_2(tmp_path: Path, capsys):
    assert main(["report", "--out", str(tmp_path / "r.csv")]) == 2
    assert "--out" in capsys.readouterr().err


# ----------------------------------------------------------------------------- browser
def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


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
        "--window-size=1100,2400",
        f"--screenshot={shot}",
        page.as_uri(),
    ]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    pixels = imread(shot)[..., :3]
    assert pixels.shape[:2] == (2400, 1100)
    # Not blank: the page has text, tables and charts, so pixels vary and many are not white.
    assert float(pixels.std()) > 0.05
    non_white = float((pixels.min(axis=2) < 0.9).mean())
    assert non_white > 0.03
    # The charts painted colour (a blank or broken image would be grey or white).
    saturation = pixels.max(axis=2) - pixels.min(axis=2)
    assert float((saturation > 0.3).mean()) > 0.005
