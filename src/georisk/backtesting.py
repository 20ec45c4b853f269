"""Stage 6: backtest of sleeve tilts driven by the premium indicator.

Positions computed from information at the close of session ``d`` are traded
``execution_lag`` sessions later and earn the following session's return; costs are
charged on turnover.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from georisk.errors import ConfigError
from georisk.evaluation import performance_metrics
from georisk.stats import block_shuffle, newey_west_t, probabilistic_sharpe

__all__ = ["BacktestResult", "backtest", "target_positions"]


def target_positions(
    premium: pd.DataFrame,
    sleeves: list[str],
    *,
    strategy: Literal["impulse", "level"] = "impulse",
    horizon: int = 5,
    scale_window: int = 63,
    max_position: float = 1.0,
) -> pd.DataFrame:
    """Target tilt of each sleeve against the benchmark, from data up to each session.

    Parameters
    ----------
    premium : pandas.DataFrame
        From :func:`georisk.risk_premium`.
    sleeves : list of str
        Risk sleeves to trade.
    strategy : {"impulse", "level"}, default "impulse"
        ``"impulse"`` trades the news-implied abnormal move of the last ``horizon``
        sessions, :math:`\\theta_{k,d}\\,(s_d - s_{d-h})`, betting that the market has
        not absorbed it yet; ``"level"`` trades the premium level :math:`p_{k,d}`.
    horizon : int, default 5
        Sessions over which the impulse strategy measures the change of the state.
    scale_window : int, default 63
        The raw signal is divided by its trailing root mean square over this many
        sessions (ending ``d``) before clipping.
    max_position : float, default 1.0
        Positions are clipped to ``[-max_position, max_position]``.

    Returns
    -------
    pandas.DataFrame
        One column per sleeve; NaN during warm-up.
    """
    if strategy not in ("impulse", "level"):
        raise ConfigError(f"strategy={strategy!r} must be 'impulse' or 'level'")
    if horizon < 1:
        raise ConfigError(f"horizon={horizon} must be >= 1 session")
    if scale_window < 2:
        raise ConfigError(f"scale_window={scale_window} must be >= 2")
    if max_position <= 0:
        raise ConfigError(f"max_position={max_position} must be > 0")
    out = {}
    for k in sleeves:
        missing = [c for c in (f"{k}_theta", f"{k}_premium") if c not in premium.columns]
        if missing:
            raise ConfigError(f"premium lacks {missing}; compute it with georisk.risk_premium for sleeve {k!r}")
        if strategy == "impulse":
            raw = premium[f"{k}_theta"] * (premium["state"] - premium["state"].shift(horizon))
        else:
            raw = premium[f"{k}_premium"]
        rms = np.sqrt((raw**2).rolling(scale_window, min_periods=max(2, scale_window // 2)).mean())
        out[k] = (raw / rms.where(rms > 0)).clip(-max_position, max_position)
    return pd.DataFrame(out, index=premium.index)


def _run(
    targets: pd.DataFrame, returns: pd.DataFrame, lag: int, cost_rate: float
) -> tuple[pd.DataFrame, pd.Series, pd.Series, pd.Series, pd.Series]:
    # Weight held over (t, t+1] is the target computed at t - lag; it earns r_{t+1}.
    held = targets.shift(lag)
    n = max(len(targets.columns), 1)
    gross = (held.shift(1) * returns).sum(axis=1, min_count=1) / n
    turnover = held.fillna(0.0).diff().abs().sum(axis=1) / n
    turnover.iloc[:1] = held.fillna(0.0).iloc[:1].abs().sum(axis=1) / n
    # Costs are paid when the trade happens (at t), i.e. in the return of period t.
    costs = turnover * cost_rate
    net = gross - costs.reindex(gross.index).fillna(0.0)
    net = net.where(gross.notna() | (costs > 0))
    exposure = held.abs().sum(axis=1, min_count=1) / n
    return held, gross, net, turnover, exposure


@dataclass
class BacktestResult:
    """Positions, returns and honest statistics of one backtest.

    Attributes
    ----------
    positions : pandas.DataFrame
        Weight held per sleeve over the period after each session.
    gross_returns, returns, costs, turnover, exposure : pandas.Series
        Per-session gross and net returns, costs paid, turnover and gross exposure.
    metrics : dict
        :func:`georisk.evaluation.performance_metrics` of the net returns, plus
        ``sharpe_gross``, ``cost_drag`` (annualised), ``nw_t`` (Newey-West t of the
        mean net return), ``psr`` (probabilistic Sharpe ratio against 0),
        ``placebo_sharpe_mean``, ``placebo_sharpe_p95`` and ``placebo_p`` (share of
        placebo runs with a Sharpe at least the real one).
    placebo_sharpes : numpy.ndarray
        Net Sharpe ratios of the block-shuffled placebo runs.
    params : dict
        The parameters of the run.
    """

    positions: pd.DataFrame
    gross_returns: pd.Series
    returns: pd.Series
    costs: pd.Series
    turnover: pd.Series
    exposure: pd.Series
    metrics: dict[str, float]
    placebo_sharpes: np.ndarray
    params: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """One-column table: every Sharpe ratio beside its costs, placebo and significance."""
        m = self.metrics
        rows = {
            "Sharpe (net of costs)": m["sharpe"],
            "Sharpe (gross)": m["sharpe_gross"],
            "cost drag (ann.)": m["cost_drag"],
            "placebo Sharpe, mean": m["placebo_sharpe_mean"],
            "placebo Sharpe, 95th pct": m["placebo_sharpe_p95"],
            "placebo p-value": m["placebo_p"],
            "Newey-West t": m["nw_t"],
            "probabilistic Sharpe": m["psr"],
            "ann. return": m["ann_return"],
            "ann. volatility": m["ann_vol"],
            "Sortino": m["sortino"],
            "max drawdown": m["max_drawdown"],
            "Calmar": m["calmar"],
            "hit rate": m["hit_rate"],
            "turnover (ann.)": m["turnover"],
            "exposure": m["exposure"],
            "sessions": m["n_obs"],
        }
        return pd.DataFrame({"value": pd.Series(rows)})

    def plot(self, ax: Any = None) -> Any:
        """Equity curve (net and gross) with drawdown shading; needs the ``plot`` extra."""
        from georisk.plotting import plot_equity

        return plot_equity(self, ax=ax)


def backtest(
    premium: pd.DataFrame,
    *,
    sleeves: list[str] | None = None,
    strategy: Literal["impulse", "level"] = "impulse",
    horizon: int = 5,
    execution_lag: int = 1,
    cost_bps: float = 5.0,
    slippage_bps: float = 0.0,
    scale_window: int = 63,
    max_position: float = 1.0,
    placebo_runs: int = 20,
    placebo_block: int = 20,
    seed: int | None = 0,
) -> BacktestResult:
    """Backtest sleeve tilts against the benchmark driven by the premium indicator.

    Parameters
    ----------
    premium : pandas.DataFrame
        From :func:`georisk.risk_premium` (``{k}_theta``, ``{k}_premium``,
        ``{k}_abnormal``, ``state_change``).
    sleeves : list of str, optional
        Sleeves to trade; every sleeve with an ``{k}_abnormal`` column when None.
    strategy : {"impulse", "level"}, default "impulse"
        See :func:`target_positions`.
    execution_lag : int, default 1
        Sessions between the close whose information sets a position and the close at
        which it is traded. With 1, a signal at the close of ``d`` is traded at the
        close of ``d+1`` and earns the return from ``d+1`` to ``d+2``.
    cost_bps, slippage_bps : float
        Costs and slippage in basis points of turnover (sum of absolute weight changes).
    horizon, scale_window, max_position : see :func:`target_positions`.
    placebo_runs : int, default 20
        Runs with the target positions block-shuffled in time (blocks of
        ``placebo_block`` sessions), reported beside the real Sharpe ratio.
    seed : int or None, default 0
        Seed of the placebo shuffles.

    Returns
    -------
    BacktestResult

    Notes
    -----
    Each sleeve position :math:`w_{k,t}` holds the sleeve's abnormal return (long the
    sleeve, short :math:`\\beta` times the benchmark). Net return of period
    :math:`t+1`: :math:`\\frac{1}{K}\\sum_k w_{k,t}\\,ar_{k,t+1} - c\\,\\tau_{t+1}`,
    with :math:`\\tau` the turnover :math:`\\frac1K\\sum_k |w_{k,t} - w_{k,t-1}|` and
    :math:`c` the cost rate ``(cost_bps + slippage_bps) / 1e4``.

    Examples
    --------
    >>> from georisk.datasets import load_sample
    >>> from georisk import score_articles, daily_signal, risk_premium, backtest
    >>> from georisk.config import default_universe
    >>> s = load_sample()
    >>> prem = risk_premium(daily_signal(score_articles(s.articles)), s.prices, default_universe())
    >>> res = backtest(prem, placebo_runs=5)
    >>> res.positions.columns.tolist()
    ['energy', 'defense', 'grain']
    """
    if execution_lag < 0:
        raise ConfigError(
            f"execution_lag={execution_lag} must be >= 0 (1 or more avoids trading on the close that made the signal)"
        )
    if cost_bps < 0 or slippage_bps < 0:
        raise ConfigError("cost_bps and slippage_bps must be >= 0")
    if placebo_runs < 0:
        raise ConfigError(f"placebo_runs={placebo_runs} must be >= 0")
    if sleeves is None:
        sleeves = [c.removesuffix("_abnormal") for c in premium.columns if c.endswith("_abnormal")]
    if not sleeves:
        raise ConfigError("premium has no '{sleeve}_abnormal' columns; compute it with georisk.risk_premium")
    targets = target_positions(
        premium, sleeves, strategy=strategy, horizon=horizon, scale_window=scale_window, max_position=max_position
    )
    returns = premium[[f"{k}_abnormal" for k in sleeves]].set_axis(sleeves, axis=1)
    cost_rate = (cost_bps + slippage_bps) / 1e4
    held, gross, net, turnover, exposure = _run(targets, returns, execution_lag, cost_rate)

    metrics = performance_metrics(net, turnover=turnover, exposure=exposure)
    metrics["sharpe_gross"] = performance_metrics(gross)["sharpe"]
    metrics["cost_drag"] = float((turnover * cost_rate).reindex(net.dropna().index).mean() * 252)
    metrics["nw_t"] = newey_west_t(net)
    metrics["psr"] = probabilistic_sharpe(net)

    rng = np.random.default_rng(seed)
    placebo = np.empty(placebo_runs)
    valid = targets.notna().any(axis=1)
    first = int(np.argmax(valid.to_numpy())) if valid.any() else len(targets)
    for i in range(placebo_runs):
        shuffled = targets.copy()
        shuffled.iloc[first:] = block_shuffle(targets.iloc[first:], placebo_block, rng)
        placebo[i] = performance_metrics(_run(shuffled, returns, execution_lag, cost_rate)[2])["sharpe"]
    sharpe = metrics["sharpe"]
    metrics["placebo_sharpe_mean"] = float(np.nanmean(placebo)) if placebo_runs else math.nan
    metrics["placebo_sharpe_p95"] = float(np.nanpercentile(placebo, 95)) if placebo_runs else math.nan
    metrics["placebo_p"] = float((1 + np.sum(placebo >= sharpe)) / (1 + placebo_runs)) if placebo_runs else math.nan
    params = {
        "sleeves": sleeves,
        "strategy": strategy,
        "horizon": horizon,
        "execution_lag": execution_lag,
        "cost_bps": cost_bps,
        "slippage_bps": slippage_bps,
        "scale_window": scale_window,
        "max_position": max_position,
        "placebo_runs": placebo_runs,
        "placebo_block": placebo_block,
        "seed": seed,
    }
    return BacktestResult(held, gross, net, turnover * cost_rate, turnover, exposure, metrics, placebo, params)
