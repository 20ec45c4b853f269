"""A self-contained HTML tear sheet of one pipeline run (needs the ``plot`` extra).

The page holds a summary table, the honesty panel (costs, placebo runs, Newey-West t,
bootstrap p-value, probabilistic and deflated Sharpe ratio) and the charts, each chart a
PNG embedded as base64, so the single file can be mailed, archived or opened offline.
A statistic the backtest does not provide is shown as "n/a", never invented.

The signal-evaluation charts (IC by horizon, event study, bucket returns) use the
functions of :mod:`georisk.evaluation` when it provides them; until then this module
computes a simple, documented version from the run's public outputs (see
:func:`evaluation_frames`).
"""

from __future__ import annotations

import base64
import html
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from georisk.errors import ConfigError

if TYPE_CHECKING:
    from georisk.pipeline import PipelineResult

__all__ = [
    "EvaluationFrames",
    "evaluation_frames",
    "honesty_table",
    "report_html",
    "signal_evaluation",
    "write_report",
]

log = logging.getLogger(__name__)

#: Keys looked up in ``BacktestResult.metrics`` for each honesty statistic, first match wins.
HONESTY_KEYS: dict[str, tuple[str, ...]] = {
    "Sharpe (net of costs)": ("sharpe",),
    "Sharpe (gross of costs)": ("sharpe_gross",),
    "cost drag (annualised return)": ("cost_drag",),
    "placebo Sharpe, mean": ("placebo_sharpe_mean",),
    "placebo Sharpe, 95th percentile": ("placebo_sharpe_p95",),
    "placebo p-value": ("placebo_p",),
    "Newey-West (HAC) t of mean return": ("nw_t", "hac_t"),
    "stationary-bootstrap p-value": ("bootstrap_p", "stationary_bootstrap_p"),
    "probabilistic Sharpe ratio": ("psr",),
    "deflated Sharpe ratio": ("dsr", "deflated_sharpe"),
    "configurations tried (trial ledger)": ("n_trials", "trials"),
}


def _metric(metrics: Mapping[str, Any], keys: Sequence[str]) -> float | None:
    for key in keys:
        if key in metrics and metrics[key] is not None:
            try:
                return float(metrics[key])
            except (TypeError, ValueError):
                return None
    return None


def _fmt(value: float | None, spec: str = ".3f") -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return format(value, spec)


def honesty_table(result: PipelineResult) -> pd.DataFrame:
    """The honesty panel as a table: each statistic beside the cost assumptions.

    Parameters
    ----------
    result : PipelineResult
        From :func:`georisk.pipeline.run`.

    Returns
    -------
    pandas.DataFrame
        Index: statistic; column ``value`` (float, NaN where the backtest does not
        provide it) and ``key`` (the ``metrics`` key used, empty when absent).
    """
    bt = result.backtest
    rows: dict[str, tuple[float, str]] = {
        "cost assumption (bp of turnover)": (
            float(bt.params.get("cost_bps", math.nan)) + float(bt.params.get("slippage_bps", 0.0)),
            "params",
        )
    }
    for label, keys in HONESTY_KEYS.items():
        value = _metric(bt.metrics, keys)
        used = next((k for k in keys if k in bt.metrics), "")
        rows[label] = (math.nan if value is None else value, used)
    return pd.DataFrame.from_dict(rows, orient="index", columns=["value", "key"])


# --------------------------------------------------------------------------- evaluation
@dataclass(frozen=True)
class EvaluationFrames:
    """Frames drawn by the evaluation charts, in the contracts of :mod:`georisk.plotting`.

    Attributes
    ----------
    ic : pandas.DataFrame
        By horizon: ``ic``, ``lower``, ``upper``, ``n``.
    event_study : dict of str to pandas.DataFrame
        ``"hawkish shocks"`` and ``"peace shocks"``: by event time, ``mean``, ``lower``,
        ``upper``, ``n``.
    buckets : pandas.DataFrame
        By quintile: ``mean``, ``lower``, ``upper``, ``n``.
    source : str
        ``"georisk.evaluation"`` or ``"local"`` (the simple versions below).
    """

    ic: pd.DataFrame
    event_study: dict[str, pd.DataFrame]
    buckets: pd.DataFrame
    source: str


def _forward(returns: pd.DataFrame, lag: int, h: int) -> pd.DataFrame:
    # Return earned by a position set at the close of d and traded `lag` sessions later:
    # r_{d+lag+1} + ... + r_{d+lag+h}.
    return returns.rolling(h, min_periods=h).sum().shift(-(lag + h))


def _local_ic(signal: pd.DataFrame, returns: pd.DataFrame, lag: int, horizons: Sequence[int]) -> pd.DataFrame:
    # Simple version until georisk.evaluation provides one: pooled (sleeves x sessions)
    # Spearman rank correlation; the band uses n_eff = n / h to allow for the overlap of
    # h-session forward returns (a rough correction, not a HAC estimate).
    rows = {}
    for h in horizons:
        fwd = _forward(returns, lag, h)
        pairs = pd.DataFrame({"s": signal.stack(), "r": fwd.stack()}).dropna()
        n = len(pairs)
        ic = float(pairs["s"].rank().corr(pairs["r"].rank())) if n > 2 else math.nan
        se = 1.0 / math.sqrt(max(n / h - 3.0, 1.0))
        rows[h] = {"ic": ic, "lower": ic - 1.96 * se, "upper": ic + 1.96 * se, "n": float(n)}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("horizon")


def _local_buckets(signal: pd.DataFrame, returns: pd.DataFrame, lag: int, q: int) -> pd.DataFrame:
    # Simple version: pooled quantiles of the sleeve signals (ex post, descriptive), and
    # the mean next-period return each bucket earned, +/- 1.96 standard errors.
    pairs = pd.DataFrame({"s": signal.stack(), "r": _forward(returns, lag, 1).stack()}).dropna()
    if len(pairs) < q:
        return pd.DataFrame(columns=["mean", "lower", "upper", "n"])
    labels = pd.qcut(pairs["s"].rank(method="first"), q, labels=list(range(1, q + 1)))
    g = pairs.groupby(labels, observed=True)["r"]
    mean, sd, n = g.mean(), g.std(ddof=1), g.count().astype(float)
    se: pd.Series = sd / np.sqrt(n)
    out = pd.DataFrame({"mean": mean, "lower": mean - 1.96 * se, "upper": mean + 1.96 * se, "n": n})
    return out.rename_axis("bucket")


def _local_event_study(
    state_change: pd.Series, basket: pd.Series, *, threshold: float, window: tuple[int, int], gap: int
) -> dict[str, pd.DataFrame]:
    # Simple version: a shock is a session whose change of the news state exceeds
    # `threshold` trailing standard deviations (252 sessions ending the session before:
    # known at the close); shocks closer than `gap` sessions to the previous one of the
    # same sign are skipped. CAR of the equal-weight basket of sleeve abnormal returns,
    # rebased to 0 at event time -1; band +/- 1.96 standard errors across events.
    sd = state_change.rolling(252, min_periods=60).std().shift(1)
    z = (state_change / sd.where(sd > 0)).to_numpy(float)
    r = basket.to_numpy(float)
    before, after = window
    taus = np.arange(-before, after + 1)
    out: dict[str, pd.DataFrame] = {}
    for label, sign in (("hawkish shocks", 1.0), ("peace shocks", -1.0)):
        events: list[int] = []
        for hit in np.flatnonzero(np.nan_to_num(sign * z) > threshold).tolist():
            if hit - before >= 0 and hit + after < len(r) and (not events or hit - events[-1] >= gap):
                events.append(int(hit))
        paths = []
        for i in events:
            seg = np.nan_to_num(r[i - before : i + after + 1])
            cum = np.cumsum(seg)
            base = cum[before - 1] if before >= 1 else 0.0
            paths.append(cum - base)
        arr = np.array(paths) if paths else np.full((0, len(taus)), np.nan)
        n = arr.shape[0]
        mean = arr.mean(axis=0) if n else np.full(len(taus), np.nan)
        se = arr.std(axis=0, ddof=1) / math.sqrt(n) if n > 1 else np.full(len(taus), np.nan)
        out[label] = pd.DataFrame(
            {"mean": mean, "lower": mean - 1.96 * se, "upper": mean + 1.96 * se, "n": float(n)},
            index=pd.Index(taus, name="event_time"),
        )
    return out


def signal_evaluation(
    premium: pd.DataFrame,
    positions: pd.DataFrame,
    *,
    execution_lag: int = 1,
    horizons: Sequence[int] = (1, 2, 5, 10, 21),
    quantiles: int = 5,
    shock_threshold: float = 2.0,
    window: tuple[int, int] = (5, 20),
) -> EvaluationFrames:
    """IC by horizon, event study and bucket returns of sleeve signals.

    Parameters
    ----------
    premium : pandas.DataFrame
        From :func:`georisk.risk_premium`: ``{k}_abnormal`` per sleeve and
        ``state_change``.
    positions : pandas.DataFrame
        Target position per sleeve set at each session's close, e.g. from
        :func:`georisk.backtesting.target_positions` (``PipelineResult.positions``).
    execution_lag : int, default 1
        Sessions between the signal's close and the trade, as in the backtest.
    horizons : sequence of int
        Forward horizons in sessions for the IC.
    quantiles : int, default 5
        Buckets of the signal.
    shock_threshold : float, default 2.0
        A shock is a change of the news state beyond this many trailing standard
        deviations (upward: hawkish; downward: peace).
    window : (int, int), default (5, 20)
        Sessions before and after each shock.

    Returns
    -------
    EvaluationFrames

    Raises
    ------
    ConfigError
        If ``positions`` and ``premium`` share no sleeve, or a parameter is out of range.

    Notes
    -----
    The signal of sleeve :math:`k` at :math:`d` is its target position; its forward
    return over :math:`h` sessions is :math:`\\sum_{j=1}^{h} ar_{k,d+L+j}` with :math:`L`
    the execution lag, the return the backtest would earn. The IC is the pooled (sleeves
    and sessions) Spearman correlation of the two; its band is
    :math:`\\pm 1.96/\\sqrt{n/h - 3}` (``n/h`` allows roughly for overlapping forward
    returns). Buckets are pooled quantiles of the signal (ex post, descriptive) with the
    mean next-period return :math:`\\pm 1.96` standard errors. A hawkish (peace) shock is
    a session whose ``state_change`` exceeds (falls below minus) ``shock_threshold``
    standard deviations of the 252 sessions ending the session before; shocks within
    ``window[0]`` sessions of the previous one of the same sign are skipped; the curve is
    the mean cumulative abnormal return of the equal-weight sleeve basket, 0 at event
    time -1, with :math:`\\pm 1.96` standard errors across events.

    These are simple local versions, used while :mod:`georisk.evaluation` has no
    IC, event-study or quantile-return functions of its own.
    """
    if execution_lag < 0:
        raise ConfigError(f"execution_lag={execution_lag} must be >= 0")
    if not horizons or min(horizons) < 1:
        raise ConfigError(f"horizons={list(horizons)} must be positive session counts")
    if quantiles < 2:
        raise ConfigError(f"quantiles={quantiles} must be >= 2")
    if window[0] < 1 or window[1] < 0:
        raise ConfigError(f"window={window} must be (sessions before >= 1, sessions after >= 0)")
    sleeves = [k for k in positions.columns if f"{k}_abnormal" in premium.columns]
    if not sleeves:
        raise ConfigError(
            f"positions (columns {list(positions.columns)}) and premium share no sleeve with a '{{k}}_abnormal' "
            "column; pass georisk.risk_premium's frame and target positions of its sleeves"
        )
    if "state_change" not in premium.columns:
        raise ConfigError("premium lacks 'state_change'; pass the frame returned by georisk.risk_premium")
    signal = positions[sleeves].reindex(premium.index)
    returns = premium[[f"{k}_abnormal" for k in sleeves]].set_axis(sleeves, axis=1)
    ic = _local_ic(signal, returns, execution_lag, horizons)
    buckets = _local_buckets(signal, returns, execution_lag, quantiles)
    events = _local_event_study(
        premium["state_change"], returns.mean(axis=1), threshold=shock_threshold, window=window, gap=window[0]
    )
    return EvaluationFrames(ic, events, buckets, "local")


def evaluation_frames(result: PipelineResult, **kwargs: Any) -> EvaluationFrames:
    """:func:`signal_evaluation` of a pipeline run (its premium, positions and execution lag).

    Parameters
    ----------
    result : PipelineResult
        From :func:`georisk.pipeline.run`.
    **kwargs
        Passed to :func:`signal_evaluation` (``horizons``, ``quantiles``, ...).

    Returns
    -------
    EvaluationFrames
    """
    lag = int(result.backtest.params.get("execution_lag", 1))
    return signal_evaluation(result.premium, result.positions, execution_lag=lag, **kwargs)


# --------------------------------------------------------------------------- HTML
_CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px auto;max-width:1000px;
color:#1b1f24;background:#fff}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;border-bottom:1px solid #d0d7de;padding-bottom:4px;
margin-top:28px}
.meta{color:#57606a;font-size:13px}.warn{background:#fff8c5;border:1px solid #d4a72c;padding:8px 12px;
margin:12px 0;font-size:14px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #d0d7de;padding:4px 10px}
th{background:#f6f8fa;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
.na{color:#8c959f}.grid{display:flex;gap:24px;flex-wrap:wrap}figure{margin:12px 0}
figcaption{font-size:12px;color:#57606a}img{max-width:100%;height:auto;border:1px solid #eaeef2}
"""


def _table(rows: Sequence[tuple[str, str]], header: tuple[str, str] = ("", "value")) -> str:
    body = "".join(
        f'<tr><th>{html.escape(k)}</th><td class="num{" na" if v == "n/a" else ""}">{html.escape(v)}</td></tr>'
        for k, v in rows
    )
    return f"<table><tr><th>{html.escape(header[0])}</th><th>{html.escape(header[1])}</th></tr>{body}</table>"


def _summary_rows(result: PipelineResult) -> list[tuple[str, str]]:
    sig, prem, bt = result.signal, result.premium, result.backtest
    rows = [
        ("sessions", f"{sig.index[0].date()} to {sig.index[-1].date()} ({len(sig)})"),
        ("articles scored", f"{len(result.scores)}"),
        ("quarantined records", f"{len(result.quarantine)}"),
    ]
    valid = prem["grpi"].dropna()
    if len(valid):
        last = valid.index[-1]
        row = {str(k): float(v) for k, v in pd.to_numeric(prem.loc[last], errors="coerce").items()}
        rows.append(("latest premium session", str(last.date())))
        rows.append(("GRPI (bp)", _fmt(row["grpi"] * 1e4, "+.1f")))
        if "grpi_z" in row:
            rows.append(("GRPI z-score", _fmt(row["grpi_z"], "+.2f")))
        for k in result.positions.columns:
            if f"{k}_premium" in row:
                rows.append((f"{k} premium (bp)", _fmt(row[f"{k}_premium"] * 1e4, "+.1f")))
        if "oil_premium_usd" in row:
            rows.append(("oil premium (USD/bbl)", _fmt(row["oil_premium_usd"], "+.2f")))
    try:
        summary = bt.summary()["value"]
        rows += [(str(k), _fmt(float(v))) for k, v in summary.items()]
    except (KeyError, TypeError, ValueError):  # summary layout changed: show the raw metrics
        rows += [(k, _fmt(float(v))) for k, v in bt.metrics.items() if isinstance(v, int | float)]
    return rows


def _charts(result: PipelineResult, frames: EvaluationFrames, dpi: int) -> list[tuple[str, str, bytes]]:
    from georisk import plotting as gp

    weights = result.config.premium.sleeve_weights
    specs: list[tuple[str, str, Callable[[Any], Any]]] = [
        (
            "News signal and premium",
            "Net escalation z-score (red) and the risk premium indicator GRPI in basis points (blue).",
            lambda ax: gp.plot_signal_premium(result.signal, result.premium, ax=ax),
        ),
        (
            "Sleeve decomposition",
            "GRPI split into the weighted premium of each sleeve.",
            lambda ax: gp.plot_sleeve_decomposition(result.premium, ax=ax, weights=weights),
        ),
        (
            "Hawkish and peace components",
            "GRPI split into its hawkish and peace components.",
            lambda ax: gp.plot_sleeve_decomposition(result.premium, ax=ax, by="component"),
        ),
        (
            "Equity and drawdowns",
            "Net and gross equity of the backtest; shaded: drawdown.",
            lambda ax: gp.plot_equity(result.backtest, ax=ax),
        ),
        (
            "IC by horizon",
            "Rank IC of the sleeve signals with forward abnormal returns (95% band).",
            lambda ax: gp.plot_ic_by_horizon(frames.ic, ax=ax),
        ),
        (
            "Event study",
            "Cumulative abnormal return of the sleeve basket around news-state shocks (95% band).",
            lambda ax: gp.plot_event_study(frames.event_study, ax=ax),
        ),
        (
            "Bucket returns",
            "Mean next-period abnormal return by quintile of the sleeve signal (95% band).",
            lambda ax: gp.plot_bucket_returns(frames.buckets, ax=ax),
        ),
    ]
    out = []
    for title, caption, draw in specs:
        ax = gp.new_figure(width=8.0, height=3.0)
        draw(ax)
        out.append((title, caption, gp.figure_png(ax, dpi=dpi)))
    return out


def report_html(result: PipelineResult, *, title: str | None = None, dpi: int = 80) -> str:
    """Render the tear sheet of a pipeline run as one self-contained HTML document.

    Parameters
    ----------
    result : PipelineResult
        From :func:`georisk.pipeline.run`.
    title : str, optional
        Page title; "georisk tear sheet" with the last session when None.
    dpi : int, default 80
        Resolution of the embedded PNG charts.

    Returns
    -------
    str
        The HTML text; it references no external file, script or font.

    Raises
    ------
    OptionalDependencyError
        If matplotlib is not installed (install the ``plot`` extra).
    """
    from georisk._version import __version__

    frames = evaluation_frames(result)
    charts = _charts(result, frames, dpi)
    last = result.signal.index[-1].date()
    title = title or f"georisk tear sheet, {last}"
    synthetic = result.config.prices.source == "sample" or result.config.articles.path is None
    honesty = honesty_table(result)
    honesty_rows = [(str(k), _fmt(float(v))) for k, v in honesty["value"].items()]
    bt = result.backtest
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">georisk {html.escape(__version__)}; as of {html.escape(str(last))}; strategy '
        f"{html.escape(str(bt.params.get('strategy', 'n/a')))}, execution lag "
        f"{html.escape(str(bt.params.get('execution_lag', 'n/a')))} session(s), sleeves "
        f"{html.escape(', '.join(map(str, bt.params.get('sleeves', []))))}</p>",
    ]
    if synthetic:
        parts.append(
            '<div class="warn">Built from the bundled SYNTHETIC sample (simulated prices and composed '
            "articles): a demonstration, not research and not for trading.</div>"
        )
    parts += [
        '<div class="grid"><section><h2>Summary</h2>',
        _table(_summary_rows(result)),
        "</section><section><h2>Honesty panel</h2>",
        _table(honesty_rows, ("statistic", "value")),
        '<p class="meta">"n/a": the backtest does not report this statistic.</p></section></div>',
        "<h2>Charts</h2>",
    ]
    for chart_title, caption, png in charts:
        b64 = base64.b64encode(png).decode("ascii")
        parts.append(
            f'<figure><img alt="{html.escape(chart_title)}" src="data:image/png;base64,{b64}">'
            f"<figcaption><b>{html.escape(chart_title)}.</b> {html.escape(caption)}</figcaption></figure>"
        )
    if frames.source == "local":
        parts.append(
            '<p class="meta">IC, event study and bucket returns: simple versions computed by georisk.report '
            "(pooled rank IC with an overlap-adjusted band; shocks beyond 2 trailing standard deviations of the "
            "news-state change).</p>"
        )
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_report(result: PipelineResult, path: str | Path, *, title: str | None = None, dpi: int = 80) -> Path:
    """Write :func:`report_html` to ``path`` atomically and return the path.

    Parameters
    ----------
    result : PipelineResult
        From :func:`georisk.pipeline.run`.
    path : str or pathlib.Path
        The ``.html`` file to write (its folder is created if needed).
    title : str, optional
        Page title.
    dpi : int, default 80
        Resolution of the charts.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ConfigError
        If ``path`` does not end in ``.html`` or ``.htm``.
    """
    from georisk.export import atomic_write_bytes

    out = Path(path)
    if out.suffix.lower() not in (".html", ".htm"):
        raise ConfigError(f"report path {out}: use a file name ending in .html")
    atomic_write_bytes(out, report_html(result, title=title, dpi=dpi).encode("utf-8"))
    out.chmod(0o644)  # a document to share, not a secret (the atomic writer creates 0600)
    log.info("wrote the tear sheet to %s", out)
    return out
