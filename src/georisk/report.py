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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from georisk.errors import ConfigError
from georisk.evaluation import METRIC_SPECS, bucket_returns, event_study, information_coefficient, signal_shocks

if TYPE_CHECKING:
    from georisk.evaluation import PremiumValidation
    from georisk.pipeline import PipelineResult

__all__ = [
    "VALIDATION_SEEDS",
    "EvaluationFrames",
    "benchmark_comparison",
    "drawdown_table",
    "evaluation_frames",
    "honesty_table",
    "monthly_returns",
    "premium_validation",
    "report_html",
    "signal_evaluation",
    "sleeve_pnl",
    "sleeve_table",
    "state_change_z",
    "validation_of",
    "write_report",
]

log = logging.getLogger(__name__)

#: Fields of ``BacktestResult.metrics`` the honesty panel shows, in order; labels and units
#: come from :data:`georisk.evaluation.METRIC_SPECS`.
HONESTY_FIELDS: tuple[str, ...] = (
    "sharpe",
    "sharpe_gross",
    "cost_drag",
    "placebo_sharpe_mean",
    "placebo_sharpe_p95",
    "placebo_p",
    "nw_t",
    "nw_lags",
    "bootstrap_p",
    "bootstrap_block",
    "psr",
    "dsr",
    "n_trials",
)

#: Label of each honesty statistic -> the ``metrics`` key it reads (kept for existing callers;
#: derived from :data:`HONESTY_FIELDS` and :data:`georisk.evaluation.METRIC_SPECS`).
HONESTY_KEYS: dict[str, tuple[str, ...]] = {METRIC_SPECS[k].label: (k,) for k in HONESTY_FIELDS}


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
        Index: statistic (the label of :data:`georisk.evaluation.METRIC_SPECS`); column
        ``value`` (float, NaN where the backtest does not provide it) and ``key`` (the
        ``metrics`` field used, empty when absent; ``"params"`` for the cost assumption).
    """
    bt = result.backtest
    rows: dict[str, tuple[float, str]] = {
        "cost assumption (bp of turnover)": (
            float(bt.params.get("cost_bps", math.nan)) + float(bt.params.get("slippage_bps", 0.0)),
            "params",
        )
    }
    for key in HONESTY_FIELDS:
        value = bt.metrics.get(key)
        label = METRIC_SPECS[key].label
        rows[label] = (math.nan, "") if value is None else (float(value), key)
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


# --------------------------------------------------------------------------- performance
_PERIODS = 252


def _perf(r: pd.Series) -> dict[str, float]:
    r = r.dropna().astype(float)
    if r.empty:
        return {}
    equity = (1.0 + r).cumprod()
    sd = float(r.std())
    years = len(r) / _PERIODS
    total = float(equity.iloc[-1] - 1.0)
    return {
        "total return": total,
        "ann. return (CAGR)": float(equity.iloc[-1] ** (1.0 / years) - 1.0) if years > 0 else math.nan,
        "ann. volatility": sd * math.sqrt(_PERIODS),
        "Sharpe": float(r.mean()) / sd * math.sqrt(_PERIODS) if sd > 0 else math.nan,
        "max drawdown": float((equity / equity.cummax() - 1.0).min()),
        "best session": float(r.max()),
        "worst session": float(r.min()),
        "hit rate": float((r > 0).mean()),
    }


def benchmark_comparison(result: PipelineResult) -> pd.DataFrame:
    """The strategy's net returns beside the benchmark's, over the sessions it traded.

    Parameters
    ----------
    result : PipelineResult
        From :func:`georisk.pipeline.run`.

    Returns
    -------
    pandas.DataFrame
        Index: statistic (fractions, not percentages, except Sharpe, beta and
        correlation); columns ``strategy (net)`` and ``benchmark``. ``beta`` and
        ``correlation`` of the strategy to the benchmark fill the strategy column only.
    """
    net = result.backtest.returns.dropna()
    bench = result.premium["benchmark_return"].reindex(net.index)
    both = pd.concat([net.rename("s"), bench.rename("b")], axis=1).dropna()
    out = pd.DataFrame({"strategy (net)": _perf(both["s"]), "benchmark": _perf(both["b"])})
    var = float(both["b"].var())
    beta = float(both["s"].cov(both["b"])) / var if var > 0 else math.nan
    out.loc["beta to benchmark"] = [beta, math.nan]
    out.loc["correlation with benchmark"] = [float(both["s"].corr(both["b"])), math.nan]
    return out


def monthly_returns(returns: pd.Series) -> pd.DataFrame:
    """Compounded returns by calendar month and year.

    Parameters
    ----------
    returns : pandas.Series
        Per-session returns with a DatetimeIndex (NaN: not traded).

    Returns
    -------
    pandas.DataFrame
        One row per year, columns ``Jan`` ... ``Dec`` and ``Year`` (compounded over the
        sessions of the year); NaN where no session was traded.
    """
    r = returns.dropna().astype(float)
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    if r.empty:
        return pd.DataFrame(columns=[*names, "Year"], dtype=float)
    idx = pd.DatetimeIndex(r.index)
    growth = (1.0 + r).groupby([idx.year, idx.month]).prod() - 1.0
    table = growth.unstack().reindex(columns=range(1, 13))
    table.columns = pd.Index(names)
    table["Year"] = (1.0 + r).groupby(idx.year).prod() - 1.0
    table.index.name = "year"
    return table


def drawdown_table(returns: pd.Series, top: int = 5) -> pd.DataFrame:
    """The ``top`` deepest drawdowns of the equity curve, with their dates and recovery.

    Parameters
    ----------
    returns : pandas.Series
        Per-session returns (NaN counted as 0).
    top : int, default 5
        Drawdowns listed.

    Returns
    -------
    pandas.DataFrame
        ``peak``, ``trough``, ``recovery`` (NaT: not recovered by the last session),
        ``depth`` (fraction, negative), ``sessions to trough``, ``sessions to recover``
        (NaN when not recovered); deepest first.

    Notes
    -----
    A drawdown runs from a peak of equity :math:`E_t = \\prod_{s \\le t}(1 + r_s)`
    to the first session at which equity is back at that peak; its depth is the lowest
    :math:`E_t / \\max_{s \\le t} E_s - 1` in between.
    """
    r = returns.fillna(0.0).astype(float)
    equity = (1.0 + r).cumprod()
    dd = (equity / equity.cummax() - 1.0).to_numpy()
    idx = r.index
    rows = []
    i, n = 0, len(dd)
    while i < n:
        if dd[i] >= 0:
            i += 1
            continue
        start = i - 1 if i > 0 else 0
        j = i
        while j < n and dd[j] < 0:
            j += 1
        trough = i + int(dd[i:j].argmin())
        recovered = j < n
        rows.append(
            {
                "peak": idx[start],
                "trough": idx[trough],
                "recovery": idx[j] if recovered else pd.NaT,
                "depth": float(dd[trough]),
                "sessions to trough": trough - start,
                "sessions to recover": (j - trough) if recovered else math.nan,
            }
        )
        i = j
    cols = ["peak", "trough", "recovery", "depth", "sessions to trough", "sessions to recover"]
    if not rows:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame(rows, columns=cols).sort_values("depth").head(top).reset_index(drop=True)


def sleeve_pnl(result: PipelineResult) -> pd.DataFrame:
    """Per-session gross return contribution of each sleeve of the backtest.

    Parameters
    ----------
    result : PipelineResult
        From :func:`georisk.pipeline.run`.

    Returns
    -------
    pandas.DataFrame
        One column per sleeve: :math:`w_{k,t-1}\\,ar_{k,t} / K`, the position held into
        session :math:`t` times the sleeve's abnormal (hedged) return, over the
        :math:`K` sleeves; the columns sum to the backtest's gross return.
    """
    held = result.backtest.positions
    k = max(len(held.columns), 1)
    return pd.DataFrame(
        {
            s: held[s].shift(1) * result.premium[f"{s}_abnormal"].reindex(held.index) / k
            for s in held.columns
            if f"{s}_abnormal" in result.premium.columns
        },
        index=held.index,
    )


def sleeve_table(result: PipelineResult) -> pd.DataFrame:
    """P&L and exposure of each sleeve.

    Parameters
    ----------
    result : PipelineResult
        From :func:`georisk.pipeline.run`.

    Returns
    -------
    pandas.DataFrame
        Index: sleeve; ``total contribution`` and ``ann. contribution`` (fractions, gross
        of costs), ``share of gross P&L``, ``mean |position|``, ``mean position``,
        ``sessions long`` and ``sessions short`` (fractions of sessions held).
    """
    pnl = sleeve_pnl(result)
    held = result.backtest.positions[pnl.columns].dropna(how="all")
    total = pnl.sum()
    gross = float(total.sum())
    return pd.DataFrame(
        {
            "total contribution": total,
            "ann. contribution": pnl.mean() * _PERIODS,
            "share of gross P&L": total / gross if gross != 0 else math.nan,
            "mean |position|": held.abs().mean(),
            "mean position": held.mean(),
            "sessions long": (held > 0).mean(),
            "sessions short": (held < 0).mean(),
        }
    ).rename_axis("sleeve")


# --------------------------------------------------------------------------- HTML
_CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px auto;max-width:1000px;
color:#1b1f24;background:#fff}
h1{font-size:22px;margin-bottom:4px}h3{font-size:15px;margin:18px 0 4px}
h2{font-size:17px;border-bottom:1px solid #d0d7de;padding-bottom:4px;
margin-top:28px}
.meta{color:#57606a;font-size:13px}.warn{background:#fff8c5;border:1px solid #d4a72c;padding:8px 12px;
margin:12px 0;font-size:14px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #d0d7de;padding:4px 10px}
th{background:#f6f8fa;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr>th:first-child{white-space:nowrap}.na{color:#8c959f}
.synthetic{background:#ffebe9;border:2px solid #cf222e;color:#82071e;font-weight:700;
padding:8px 12px;margin:12px 0}.grid{display:flex;gap:24px;flex-wrap:wrap}.grid section{flex:1 1 0;min-width:380px}
figure{margin:12px 0}
figcaption{font-size:12px;color:#57606a}img{max-width:100%;height:auto;border:1px solid #eaeef2}
"""


def _table(rows: Sequence[tuple[str, str]], header: tuple[str, str] = ("", "value")) -> str:
    body = "".join(
        f'<tr><th>{html.escape(k)}</th><td class="num{" na" if v == "n/a" else ""}">{html.escape(v)}</td></tr>'
        for k, v in rows
    )
    return f"<table><tr><th>{html.escape(header[0])}</th><th>{html.escape(header[1])}</th></tr>{body}</table>"


def _pct(value: float, spec: str = ".1f") -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    text = f"{value * 100:{spec}}"
    return (text[1:] if text.startswith("-") and float(text) == 0 else text) + "%"  # never "-0.0%"


def _frame_table(frame: pd.DataFrame, fmt: Callable[[str, str, Any], str], index_label: str = "") -> str:
    esc = html.escape
    head = "".join(f"<th>{esc(str(c))}</th>" for c in frame.columns)
    body = []
    for idx, row in frame.iterrows():
        cells = "".join(
            f'<td class="num{" na" if (t := fmt(str(idx), str(c), v)) == "n/a" else ""}">{esc(t)}</td>'
            for c, v in row.items()
        )
        body.append(f"<tr><th>{esc(str(idx))}</th>{cells}</tr>")
    return f"<table><tr><th>{esc(index_label)}</th>{head}</tr>{''.join(body)}</table>"


def _num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


#: Shuffled placebo states the tear sheet runs (each one run of the premium model).
VALIDATION_SEEDS = 5


def validation_of(result: PipelineResult, *, seeds: int = VALIDATION_SEEDS) -> PremiumValidation:
    """:func:`georisk.evaluation.validation_table` of a pipeline run (its signal, prices, premium and model).

    Parameters
    ----------
    result : PipelineResult
        From :func:`georisk.pipeline.run`.
    seeds : int, default :data:`VALIDATION_SEEDS`
        Shuffled placebo states (each reruns the premium model once).

    Returns
    -------
    PremiumValidation
    """
    from georisk.evaluation import validation_table

    cfg = result.config
    return validation_table(
        result.signal,
        result.prices,
        cfg.universe,
        premium=result.premium,
        config=cfg.premium,
        calendar=cfg.signal.calendar,
        seeds=seeds,
    )


def _validation_sections(v: PremiumValidation) -> list[str]:
    """The premium model's validation table: monthly oil premium and CAR with placebos, placebo runs, events."""
    esc = html.escape
    band = f"{v.band:.0%}"
    shuffle = f"state shuffled in {v.block}-session blocks (mean of {v.seeds} seed(s))"
    shift = f"with the state shifted by {v.shift} sessions" if v.shift else "no shifted placebo (too few sessions)"
    runs = f"{v.seeds} shuffled seed(s)" + (f" and a shift of {v.shift} sessions" if v.shift else "")
    car = (
        f"beside the market-model CAR of {v.oil_ticker} since {v.car_start.date()} (beta to the benchmark over the "
        "year before), in USD/bbl"
        if v.car_start is not None
        else f"(no CAR of {v.oil_ticker}: too few of its prices to estimate a beta)"
    )
    monthly = v.monthly.rename(
        columns={
            "oil_premium_usd": "oil premium (USD/bbl)",
            "oil_premium_usd_lo": "band low",
            "oil_premium_usd_hi": "band high",
            "car_usd": f"{v.oil_ticker} CAR (USD/bbl)",
            "grpi_excludes_zero": "GRPI band excl. 0",
            "placebo_shuffle": "placebo: shuffled",
            "placebo_shift": "placebo: shifted",
        }
    )

    def fmt_month(_: str, col: str, x: Any) -> str:
        value = _num(x)
        if col == "sessions":
            return _fmt(value, ".0f")
        if "excl" in col or col.startswith("placebo"):
            return _pct(value, ".0f")
        return _fmt(value, "+.2f")

    placebo = v.placebo.rename(columns={"band_excludes_zero": "GRPI band excludes zero", "sessions": "sessions"})

    def fmt_placebo(_: str, col: str, x: Any) -> str:
        return _fmt(_num(x), ".0f") if col == "sessions" else _pct(_num(x))

    events = v.events.set_index("event") if len(v.events) else v.events
    events = events.rename(
        columns={
            "before_bp": "before (bp)",
            "after_bp": "after (bp)",
            "change_bp": "change (bp)",
            "as_expected": "as expected",
        }
    )

    def fmt_event(_: str, col: str, x: Any) -> str:
        if col in ("sleeve", "expected"):
            return str(x)
        if col == "as expected":
            return "yes" if bool(x) else "no"
        return _fmt(_num(x), "+.0f")

    hits = int(v.events["as_expected"].sum()) if len(v.events) else 0
    return [
        f"<h3>Oil premium by month, with placebos ({band} bands)</h3>",
        f'<p class="meta">Monthly means of the oil premium and its band {esc(car)}. The last three '
        f"columns: share of the month's sessions whose GRPI band excludes zero, with the news state, with the "
        f"{esc(shuffle)}, and {esc(shift)} (about {1 - v.band:.0%} by chance).</p>",
        _frame_table(monthly, fmt_month, "month") if len(monthly) else '<p class="meta">No premium yet.</p>',
        "<h3>Placebo runs</h3>",
        f'<p class="meta">The same premium model rerun on placebo states ({esc(runs)}; '
        f"georisk.evaluation.validation_table): the share of all sessions whose GRPI band excludes zero. "
        "A news state well above its placebos is evidence the bands do not exclude zero by construction.</p>",
        _frame_table(placebo, fmt_placebo, "state"),
        "<h3>Event windows</h3>",
        '<p class="meta">Change of each sleeve premium from the session before the event to two sessions after, '
        f"with the sign the event should give; as expected: {hits} of {len(v.events)}.</p>",
        _frame_table(events, fmt_event, "event")
        if len(events)
        else '<p class="meta">No event of the list falls in the run\'s sessions with a premium.</p>',
    ]


def _performance_sections(result: PipelineResult, validation: PremiumValidation | None = None) -> list[str]:
    """Premium validation, benchmark comparison, monthly and yearly returns, drawdowns, sleeves (HTML)."""
    ratio_rows = {"Sharpe", "beta to benchmark", "correlation with benchmark"}
    bench = benchmark_comparison(result)
    months = monthly_returns(result.backtest.returns)
    months.index = months.index.map(str)
    dds = drawdown_table(result.backtest.returns)
    dds.index = pd.Index([str(i + 1) for i in range(len(dds))])
    sleeves = sleeve_table(result)

    def date_or(value: Any, missing: str) -> str:
        return missing if pd.isna(value) else str(pd.Timestamp(value).date())

    def fmt_dd(_: str, col: str, v: Any) -> str:
        if col in ("peak", "trough"):
            return date_or(v, "n/a")
        if col == "recovery":
            return date_or(v, "not recovered")
        if col == "depth":
            return _pct(_num(v))
        return "n/a" if pd.isna(v) else f"{int(v)}"

    band = float(result.config.premium.band)
    valid = premium_validation(result)

    def fmt_valid(row: str, col: str, v: Any) -> str:
        x = _num(v)
        if col == "sessions":
            return _fmt(x, ".0f")
        if col == "band excludes zero":
            return _pct(x)
        if col in ("latest t", "response t"):
            return _fmt(x, "+.2f")
        return _fmt(x, "+.2f" if row.startswith("oil") and col != "response" else "+.1f")

    def fmt_sleeve(_: str, col: str, v: Any) -> str:
        if col == "mean |position|":
            return _fmt(_num(v), ".2f")
        if col.startswith("mean"):
            return _fmt(_num(v), "+.2f")
        return _pct(_num(v))

    banded = "grpi_lo" in result.premium.columns
    no_valid = (
        "No premium yet (warm-up)."
        if banded
        else "This premium has no bands or standard errors (the superseded method = &quot;loading&quot;): "
        "nothing to validate; the response model (method = &quot;response&quot;) has them."
    )
    return [
        f"<h2>Premium validation ({band:.0%} bands)</h2>",
        '<p class="meta">Latest premium with its band and t; the share of sessions whose band excludes zero '
        f"(about {1 - band:.0%} by chance when there is no premium); the response of each sleeve's abnormal "
        "return to a unit news shock (bp) and its t, at the last session.</p>",
        _frame_table(valid, fmt_valid) if len(valid) else f'<p class="meta">{no_valid}</p>',
        *(_validation_sections(validation) if validation is not None and banded else []),
        "<h2>Benchmark comparison</h2>",
        '<p class="meta">Net returns of the strategy and the benchmark sleeve over the sessions the strategy '
        "traded; beta and correlation of the strategy to the benchmark.</p>",
        _frame_table(bench, lambda r, _c, v: _fmt(_num(v), ".2f") if r in ratio_rows else _pct(_num(v), ".2f")),
        "<h2>Monthly and yearly returns (net)</h2>",
        _frame_table(months, lambda _r, _c, v: "" if pd.isna(v) else _pct(_num(v)))
        if len(months)
        else '<p class="meta">n/a</p>',
        '<p class="meta">Compounded over the sessions traded; blank: no session traded that month.</p>',
        "<h2>Worst drawdowns</h2>",
        '<p class="meta">Peak, trough and the first session back at the peak (net equity).</p>',
        _frame_table(dds, fmt_dd, "#") if len(dds) else '<p class="meta">No drawdown.</p>',
        "<h2>Sleeves: P&amp;L and exposure</h2>",
        '<p class="meta">Contribution to the gross return: position held into each session times the '
        "sleeve's abnormal (hedged) return, over the number of sleeves; the contributions sum to the gross "
        "return. Positions are in units of the maximum position.</p>",
        _frame_table(sleeves, fmt_sleeve, "sleeve"),
    ]


def premium_validation(result: PipelineResult) -> pd.DataFrame:
    """Checks of the premium model: is each premium distinguishable from zero, and how often.

    Parameters
    ----------
    result : PipelineResult
        From :func:`georisk.pipeline.run` with the ``response`` premium method.

    Returns
    -------
    pandas.DataFrame
        Index: ``GRPI``, each risk sleeve and ``oil (USD/bbl)``. Columns: ``sessions``
        with a premium, ``latest``, ``band low``, ``band high`` (bp, USD/bbl for oil),
        ``latest t`` (premium over its standard error), ``band excludes zero`` (share of
        sessions; a band of coverage :math:`c` excludes zero on about :math:`1 - c` of
        sessions by chance when there is no premium), and for sleeves and oil
        ``response`` (abnormal return per unit shock, bp) with ``response t`` at the last
        session.
    """
    prem = result.premium
    rows: dict[str, dict[str, float]] = {}
    names = [("GRPI", "grpi", 1e4, "")]
    names += [(k, f"{k}_premium", 1e4, k) for k in result.config.universe.risk_sleeves]
    names += [("oil (USD/bbl)", "oil_premium_usd", 1.0, "oil")]
    for label, col, scale, stem in names:
        if col not in prem.columns or f"{col}_lo" not in prem.columns:
            continue
        valid = prem[[col, f"{col}_lo", f"{col}_hi"]].dropna()
        if valid.empty:
            continue
        last = valid.index[-1]
        se = _num(prem.loc[last, f"{col}_se"]) if f"{col}_se" in prem.columns else math.nan
        excl = ((valid[f"{col}_lo"] > 0) | (valid[f"{col}_hi"] < 0)).mean()
        row = {
            "sessions": float(len(valid)),
            "latest": _num(valid.loc[last, col]) * scale,
            "band low": _num(valid.loc[last, f"{col}_lo"]) * scale,
            "band high": _num(valid.loc[last, f"{col}_hi"]) * scale,
            "latest t": _num(valid.loc[last, col]) / se if se and math.isfinite(se) and se > 0 else math.nan,
            "band excludes zero": float(excl),
            "response": math.nan,
            "response t": math.nan,
        }
        if stem and f"{stem}_response" in prem.columns:
            resp = _num(prem.loc[last, f"{stem}_response"])
            rse = _num(prem.loc[last, f"{stem}_response_se"]) if f"{stem}_response_se" in prem.columns else math.nan
            row["response"] = resp * 1e4
            row["response t"] = resp / rse if math.isfinite(rse) and rse > 0 else math.nan
        rows[label] = row
    return pd.DataFrame.from_dict(rows, orient="index")


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

        with_band = f", {float(result.config.premium.band):.0%} band" if "grpi_lo" in row else ""
        rows.append((f"GRPI (bp{with_band})", banded("grpi", 1e4, "+.1f")))
        for k in result.positions.columns:
            if f"{k}_premium" in row:
                rows.append((f"{k} premium (bp{with_band})", banded(f"{k}_premium", 1e4, "+.1f")))
        if "oil_premium_usd" in row:
            rows.append((f"oil premium (USD/bbl{with_band})", banded("oil_premium_usd", 1.0, "+.2f")))
    # the rest of the backtest's metrics, the honesty panel's rows not repeated
    rows += [
        (METRIC_SPECS[k].label, METRIC_SPECS[k].format(v)) for k, v in bt.metrics.items() if k not in HONESTY_FIELDS
    ]
    return rows


def _charts(
    result: PipelineResult,
    frames: EvaluationFrames,
    dpi: int,
    label: str | None = None,
    validation: PremiumValidation | None = None,
) -> list[tuple[str, str, bytes]]:
    from georisk import plotting as gp

    weights = result.config.premium.sleeve_weights
    specs: list[tuple[str, str, Callable[[Any], Any]]] = [
        (
            "News signal and premium",
            "The news state the premium model reads (red) and the risk premium indicator GRPI in basis points "
            f"with its {float(result.config.premium.band):.0%} band (blue).",
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
        gp.stamp(ax, label)
        out.append((title, caption, gp.figure_png(ax, dpi=dpi)))
    band = float(result.config.premium.band)
    window = 63
    car = validation.car if validation is not None and len(validation.car) else None
    oil = validation.oil_ticker if validation is not None else "oil"
    net = result.backtest.returns
    multi: list[tuple[str, str, Any]] = [
        (
            "Premium with bands",
            f"GRPI in basis points and the oil premium in USD per barrel, each with its {band:.0%} band"
            + (
                f"; dashed: the market-model CAR of {validation.oil_ticker} since {validation.car_start.date()} "
                "(see the validation table)."
                if car is not None and validation is not None and validation.car_start is not None
                else "."
            ),
            lambda: gp.plot_premium_bands(
                result.premium, band=band, car=car, car_label=f"{oil} market-model CAR (USD/bbl)"
            ),
        ),
        (
            "Rolling Sharpe, volatility and beta",
            f"Over the last {window} sessions: annualised Sharpe ratio and volatility of the net returns, and "
            "their beta to the benchmark sleeve.",
            lambda: gp.plot_rolling(net, result.premium["benchmark_return"], window=window),
        ),
        (
            "Sleeve contributions",
            "Cumulative gross contribution of each sleeve (see the sleeve table).",
            lambda: gp.plot_sleeve_pnl(sleeve_pnl(result), ax=gp.new_figure(width=8.0, height=3.0)),
        ),
    ]
    for title, caption, make in multi:
        axes = make()
        first = axes if not hasattr(axes, "__len__") else axes[0]
        gp.stamp(first, label)
        out.append((title, caption, gp.figure_png(first, dpi=dpi)))
    return out


def _honesty_rows(honesty: pd.DataFrame) -> list[tuple[str, str]]:
    trials = float(honesty["value"].get(METRIC_SPECS["n_trials"].label, math.nan))
    undeflated = not (math.isfinite(trials) and trials > 1)
    rows = []
    for k, value, key in zip(honesty.index, honesty["value"].astype(float), honesty["key"], strict=True):
        label = str(k)
        spec = METRIC_SPECS.get(str(key))
        text = _fmt(value, ".1f") if spec is None else spec.format(value)
        if key == "dsr" and undeflated and math.isfinite(value):
            label += ": PSR (no trial ledger)"
        rows.append((label, text))
    return rows


def report_html(
    result: PipelineResult, *, title: str | None = None, dpi: int = 100, seeds: int = VALIDATION_SEEDS
) -> str:
    """Render the tear sheet of a pipeline run as one self-contained HTML document.

    Parameters
    ----------
    result : PipelineResult
        From :func:`georisk.pipeline.run`.
    title : str, optional
        Page title; "georisk tear sheet" with the last session when None.
    dpi : int, default 100
        Resolution of the embedded PNG charts.
    seeds : int, default :data:`VALIDATION_SEEDS`
        Shuffled placebo states of the validation table (:func:`validation_of`).

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
    from georisk.config import data_label

    frames = evaluation_frames(result)
    validation = validation_of(result, seeds=seeds)
    charts = _charts(result, frames, dpi, data_label(result.config), validation)
    last = result.signal.index[-1].date()
    label = data_label(result.config)
    title = title or f"georisk tear sheet, {last}" + (f" ({label.split(':')[0]})" if label else "")
    honesty = honesty_table(result)
    honesty_rows = _honesty_rows(honesty)
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
    if label:
        parts.append(
            f'<div class="synthetic">{html.escape(label)}: a demonstration, not research and not for trading.</div>'
        )
    parts += [
        '<div class="grid"><section><h2>Summary</h2>',
        _table(_summary_rows(result)),
        "</section><section><h2>Honesty panel</h2>",
        _table(honesty_rows, ("statistic", "value")),
        '<p class="meta">"n/a": the backtest does not report this statistic. Percentages are of capital '
        "(returns, drawdown, cost drag) or of sessions (hit rate, exposure).</p></section></div>",
        *_performance_sections(result, validation),
        "<h2>Charts</h2>",
    ]
    for chart_title, caption, png in charts:
        b64 = base64.b64encode(png).decode("ascii")
        parts.append(
            f'<figure><img alt="{html.escape(chart_title)}" src="data:image/png;base64,{b64}">'
            f"<figcaption><b>{html.escape(chart_title)}.</b> {html.escape(caption)}</figcaption></figure>"
        )
    counts = []
    for kind, dates in frames.shocks.items():
        study = frames.event_study.get(f"{kind} shocks")
        used = int(study["n_events"].max()) if study is not None and len(study) else 0
        counts.append(f"{len(dates)} {kind}, {used} of them with the whole event window drawn")
    parts.append(
        f'<p class="meta">IC, bucket returns and event study: {html.escape(frames.source)} '
        "(information_coefficient, bucket_returns, event_study); shocks: crossings of 2 trailing standard "
        f"deviations of the news-state change ({html.escape('; '.join(counts))}). The event-study chart's n "
        "counts the shocks whose whole window lies in the data.</p>"
    )
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_report(
    result: PipelineResult,
    path: str | Path,
    *,
    title: str | None = None,
    dpi: int = 100,
    seeds: int = VALIDATION_SEEDS,
) -> Path:
    """Write :func:`report_html` to ``path`` atomically and return the path.

    Parameters
    ----------
    result : PipelineResult
        From :func:`georisk.pipeline.run`.
    path : str or pathlib.Path
        The ``.html`` file to write (its folder is created if needed).
    title : str, optional
        Page title.
    dpi : int, default 100
        Resolution of the charts.
    seeds : int, default :data:`VALIDATION_SEEDS`
        Shuffled placebo states of the validation table.

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
    atomic_write_bytes(out, report_html(result, title=title, dpi=dpi, seeds=seeds).encode("utf-8"))
    out.chmod(0o644)  # a document to share, not a secret (the atomic writer creates 0600)
    log.info("wrote the tear sheet to %s", out)
    return out
