"""A self-contained HTML tear sheet of one pipeline run (needs the ``plot`` extra).

The page holds a summary table, the honesty panel (costs, placebo runs, Newey-West t,
bootstrap p-value, probabilistic and deflated Sharpe ratio) and the charts, each chart a
PNG embedded as base64, so the single file can be mailed, archived or opened offline.
A statistic the backtest does not provide is shown as "n/a", never invented.

The signal-evaluation charts (IC by horizon, event study, bucket returns) draw the
frames of :mod:`georisk.evaluation`, computed from the run's public outputs by
:func:`evaluation_frames`; no statistic is computed twice.
"""

from __future__ import annotations

import base64
import html
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from georisk.errors import ConfigError
from georisk.evaluation import bucket_returns, event_study, information_coefficient, signal_shocks

if TYPE_CHECKING:
    from georisk.pipeline import PipelineResult

__all__ = [
    "EvaluationFrames",
    "evaluation_frames",
    "honesty_table",
    "report_html",
    "signal_evaluation",
    "state_change_z",
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


#: Rows that count things (sessions, trials): shown as whole numbers, not as "601.000".
_COUNT_LABELS = frozenset({"sessions", "trials (for deflation)", "configurations tried (trial ledger)"})


def _fmt_stat(label: str, value: float) -> str:
    if label in _COUNT_LABELS and math.isfinite(value) and float(value).is_integer():
        return f"{int(value)}"
    return _fmt(value)


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
    """Frames of :mod:`georisk.evaluation` drawn by the evaluation charts of :mod:`georisk.plotting`.

    Attributes
    ----------
    ic : pandas.DataFrame
        :func:`georisk.evaluation.information_coefficient` of each sleeve, stacked:
        MultiIndex ``(sleeve, horizon)``; ``ic``, ``hac_t``, ``nw_lags``, ``hit_rate``,
        ``mean_when_positive``, ``mean_when_negative``, ``n_obs``.
    event_study : dict of str to pandas.DataFrame
        ``"hawkish shocks"`` and ``"peace shocks"``: :func:`georisk.evaluation.event_study`
        of the equal-weight sleeve basket, indexed by ``rel_day``; ``mean_ar``, ``car``,
        ``car_lo``, ``car_hi``, ``t``, ``n_events``.
    buckets : pandas.DataFrame
        :func:`georisk.evaluation.bucket_returns` of each sleeve, stacked: MultiIndex
        ``(sleeve, bucket)``; ``mean``, ``hac_t``, ``hit_rate``, ``n_obs``.
    source : str
        The module that computed the frames, ``"georisk.evaluation"``.
    shocks : dict of str to pandas.DatetimeIndex
        ``"hawkish"`` and ``"peace"`` shock sessions from :func:`georisk.evaluation.signal_shocks`.
    """

    ic: pd.DataFrame
    event_study: dict[str, pd.DataFrame]
    buckets: pd.DataFrame
    source: str = "georisk.evaluation"
    shocks: dict[str, pd.DatetimeIndex] = field(default_factory=dict)


def state_change_z(state_change: pd.Series, *, window: int = 252, min_periods: int = 60) -> pd.Series:
    """Change of the news state in trailing standard deviations, known at each close.

    Parameters
    ----------
    state_change : pandas.Series
        ``state_change`` of :func:`georisk.risk_premium`.
    window : int, default 252
        Sessions of the trailing standard deviation.
    min_periods : int, default 60
        Sessions needed before a value is produced (NaN before).

    Returns
    -------
    pandas.Series
        :math:`z_d = \\Delta s_d / \\sigma_{d-1}`, with :math:`\\sigma_{d-1}` the standard
        deviation of :math:`\\Delta s` over the ``window`` sessions ending the session
        before :math:`d` (NaN where it is zero or undefined), so :math:`z_d` uses nothing
        after :math:`d`'s close.
    """
    sd = state_change.astype(float).rolling(window, min_periods=min_periods).std().shift(1)
    return (state_change.astype(float) / sd.where(sd > 0)).rename("state_change_z")


def signal_evaluation(
    premium: pd.DataFrame,
    positions: pd.DataFrame,
    *,
    execution_lag: int = 1,
    horizons: Sequence[int] = (1, 2, 5, 10, 21),
    quantiles: int = 5,
    shock_threshold: float = 2.0,
    window: tuple[int, int] = (-5, 20),
    min_gap: int = 20,
    shock_signal: pd.Series | None = None,
) -> EvaluationFrames:
    """IC by horizon, bucket returns and event study of sleeve signals, by :mod:`georisk.evaluation`.

    Parameters
    ----------
    premium : pandas.DataFrame
        From :func:`georisk.risk_premium`: ``{k}_abnormal`` and ``{k}_return`` per
        sleeve, ``benchmark_return`` and ``state_change``.
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
        A hawkish (peace) shock is a session where ``shock_signal`` crosses
        ``+shock_threshold`` (``-shock_threshold``).
    window : (int, int), default (-5, 20)
        First and last session of the event window relative to the shock (day 0), as in
        :func:`georisk.evaluation.event_study`.
    min_gap : int, default 20
        Sessions after a shock during which no new shock of the same kind is counted.
    shock_signal : pandas.Series, optional
        A causal z-score whose crossings are the shocks, e.g. ``escalation_z`` of
        :func:`georisk.daily_signal`; default :func:`state_change_z` of ``premium``.

    Returns
    -------
    EvaluationFrames

    Raises
    ------
    ConfigError
        If ``positions`` and ``premium`` share no sleeve, ``premium`` lacks a column, or a
        parameter is out of range.

    Notes
    -----
    The signal of sleeve :math:`k` at :math:`d` is its target position :math:`w_{k,d}`;
    its forward return over :math:`h` sessions is the compounded abnormal return
    :math:`\\prod_{j=L+1}^{L+h}(1 + ar_{k,d+j}) - 1` with :math:`L` the execution lag, the
    return the backtest would earn. Per sleeve:

    - IC: :func:`georisk.evaluation.information_coefficient` (Spearman, Newey-West t of
      the rank slope with at least :math:`h-1` lags);
    - buckets: :func:`georisk.evaluation.bucket_returns` of the next-session return
      (:math:`h = 1`), bucket edges from the expanding (past-only) quantiles of the signal.

    Event study: shocks from :func:`georisk.evaluation.signal_shocks`; the asset is the
    equal-weight basket :math:`\\frac1K\\sum_k r_{k,d}` of the sleeves' returns and the
    market ``benchmark_return``, passed to :func:`georisk.evaluation.event_study`
    (market-model abnormal returns estimated before each event, CAR cumulated from
    ``window[0]``, Brown-Warner confidence bands).

    The IC and bucket charts draw :math:`\\pm 1.96` HAC standard errors,
    :math:`|\\hat\\theta / t|` (see :func:`georisk.plotting.plot_ic_by_horizon`); the
    event-study chart draws ``car_lo`` and ``car_hi``.
    """
    if execution_lag < 0:
        raise ConfigError(f"execution_lag={execution_lag} must be >= 0")
    if not horizons or min(horizons) < 1:
        raise ConfigError(f"horizons={list(horizons)} must be positive session counts")
    if quantiles < 2:
        raise ConfigError(f"quantiles={quantiles} must be >= 2")
    if not window[0] <= 0 <= window[1]:
        raise ConfigError(
            f"window={window} must be (first, last) session relative to the shock with first <= 0 <= last, "
            "e.g. (-5, 20) as in georisk.evaluation.event_study"
        )
    sleeves = [k for k in positions.columns if f"{k}_abnormal" in premium.columns]
    if not sleeves:
        raise ConfigError(
            f"positions (columns {list(positions.columns)}) and premium share no sleeve with a '{{k}}_abnormal' "
            "column; pass georisk.risk_premium's frame and target positions of its sleeves"
        )
    needed = ["state_change", "benchmark_return", *(f"{k}_return" for k in sleeves)]
    missing = [c for c in needed if c not in premium.columns]
    if missing:
        raise ConfigError(
            f"premium lacks {', '.join(repr(c) for c in missing)}; pass the frame returned by georisk.risk_premium"
        )
    signal = positions[sleeves].reindex(premium.index).astype(float)
    ic = pd.concat(
        {
            k: information_coefficient(
                signal[k], premium[f"{k}_abnormal"], horizons=tuple(horizons), execution_lag=execution_lag
            )
            for k in sleeves
        },
        names=["sleeve"],
    )
    buckets = pd.concat(
        {
            k: bucket_returns(signal[k], premium[f"{k}_abnormal"], n_buckets=quantiles, execution_lag=execution_lag)
            for k in sleeves
        },
        names=["sleeve"],
    )
    z = state_change_z(premium["state_change"]) if shock_signal is None else shock_signal.reindex(premium.index)
    shocks = signal_shocks(z, threshold=shock_threshold, min_gap=min_gap)
    basket = premium[[f"{k}_return" for k in sleeves]].mean(axis=1, skipna=False).rename("basket")
    events = {
        f"{kind} shocks": event_study(basket, premium["benchmark_return"], shocks[kind], window=window).droplevel(
            "asset"
        )
        for kind in ("hawkish", "peace")
    }
    return EvaluationFrames(ic, events, buckets, "georisk.evaluation", shocks)


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

        def banded(name: str, scale: float, fmt: str) -> str:
            value = _fmt(row[name] * scale, fmt)
            if f"{name}_lo" in row and f"{name}_hi" in row:
                lo, hi = _fmt(row[f"{name}_lo"] * scale, fmt), _fmt(row[f"{name}_hi"] * scale, fmt)
                value += f" [{lo}, {hi}]"
            return value

        rows.append(("GRPI (bp, 90% band)", banded("grpi", 1e4, "+.1f")))
        for k in result.positions.columns:
            if f"{k}_premium" in row:
                rows.append((f"{k} premium (bp, 90% band)", banded(f"{k}_premium", 1e4, "+.1f")))
        if "oil_premium_usd" in row:
            rows.append(("oil premium (USD/bbl, 90% band)", banded("oil_premium_usd", 1.0, "+.2f")))
    try:
        summary = bt.summary()["value"]
        # The backtest's "sessions" are those it traded; the first row already names the signal's.
        rows += [
            ("backtest sessions" if str(k) == "sessions" else str(k), _fmt_stat(str(k), float(v)))
            for k, v in summary.items()
        ]
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
            "Rank IC of each sleeve's position with its forward abnormal return, by horizon "
            "(band: 1.96 Newey-West standard errors).",
            lambda ax: gp.plot_ic_by_horizon(frames.ic, ax=ax),
        ),
        (
            "Event study",
            "Market-model cumulative abnormal return of the equal-weight sleeve basket around shocks of the "
            "news state (95% band across events).",
            lambda ax: gp.plot_event_study(frames.event_study, ax=ax),
        ),
        (
            "Bucket returns",
            "Mean next-session abnormal return by quintile of each sleeve's position, bucket edges from past "
            "data only (band: 1.96 Newey-West standard errors).",
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
    honesty_rows = [(str(k), _fmt_stat(str(k), float(v))) for k, v in honesty["value"].items()]
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
    n_shocks = ", ".join(f"{len(v)} {k}" for k, v in frames.shocks.items())
    parts.append(
        f'<p class="meta">IC, bucket returns and event study: {html.escape(frames.source)} '
        "(information_coefficient, bucket_returns, event_study); shocks: crossings of 2 trailing standard "
        f"deviations of the news-state change ({html.escape(n_shocks)}).</p>"
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
