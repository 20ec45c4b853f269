"""Stage 6: backtest of sleeve tilts driven by the premium indicator.

Positions computed from information at the close of session ``d`` are traded
``execution_lag`` sessions later and earn the following session's return; costs are
charged on the turnover of both legs (the sleeves and their benchmark hedge). One numpy
engine (:func:`simulate`) runs any number of configurations at once: the single
backtest, its placebo runs and the parameter sweeps of :mod:`georisk.backtesting` all go
through it, so they agree to the last bit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from georisk.errors import ConfigError
from georisk.evaluation import (
    PERIODS_PER_YEAR,
    BacktestMetrics,
    block_shuffle,
    performance_metrics,
    placebo_summary,
    random_shift,
    significance,
)

if TYPE_CHECKING:
    from georisk.evaluation import TrialLedger

__all__ = [
    "STRATEGIES",
    "BacktestResult",
    "Strategy",
    "backtest",
    "capped",
    "hedge_betas",
    "raw_signal",
    "rms_scaled",
    "scaled_targets",
    "sharpe_matrix",
    "simulate",
    "target_positions",
]

Strategy = Literal["impulse", "level", "gap"]
_TRADING_KEYS = (
    "strategy",
    "horizon",
    "scale_window",
    "max_position",
    "threshold",
    "execution_lag",
    "cost_bps",
    "slippage_bps",
)
#: Strategies :func:`target_positions` understands.
STRATEGIES: tuple[str, ...] = ("impulse", "level", "gap")


def _check(name: str, ok: bool, rule: str) -> None:
    if not ok:
        raise ConfigError(f"{name} {rule}")


def raw_signal(premium: pd.DataFrame, sleeves: Sequence[str], strategy: str, horizon: int) -> np.ndarray:
    """Unscaled signal per sleeve, shape ``(sessions, sleeves)``; see :func:`target_positions`."""
    _check(f"strategy={strategy!r}", strategy in STRATEGIES, f"must be one of {list(STRATEGIES)}")
    _check(f"horizon={horizon}", horizon >= 1, "must be >= 1 session")
    cols = []
    for k in sleeves:
        legacy = strategy == "impulse" and f"{k}_impulse" not in premium.columns and f"{k}_theta" in premium.columns
        impulse = [f"{k}_theta", "state"] if legacy else [f"{k}_impulse"]
        need = {"impulse": impulse, "level": [f"{k}_premium"], "gap": [f"{k}_gap"]}[strategy]
        missing = [c for c in need if c not in premium.columns]
        if missing:
            raise ConfigError(
                f"premium lacks {missing} needed by strategy={strategy!r}; compute it with georisk.risk_premium "
                f"for sleeve {k!r}"
            )
        if strategy == "impulse" and not legacy:
            # the further abnormal move implied by the shocks of the last `horizon` sessions
            imp = premium[f"{k}_impulse"].astype(float)
            cols.append(imp.rolling(horizon, min_periods=1).sum().where(imp.notna()).to_numpy(dtype=float))
        elif strategy == "impulse":
            state = premium["state"].to_numpy(dtype=float)
            change = np.full_like(state, np.nan)
            change[horizon:] = state[horizon:] - state[:-horizon]
            cols.append(premium[f"{k}_theta"].to_numpy(dtype=float) * change)
        else:
            cols.append(premium[need[0]].to_numpy(dtype=float))
    return np.column_stack(cols) if cols else np.empty((len(premium), 0))


def rms_scaled(raw: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """Raw signals ``(T, C, K)`` divided by their trailing RMS over per-configuration ``windows`` ``(C,)``."""
    n = raw.shape[0]
    finite = np.isfinite(raw)
    sq = np.where(finite, raw * raw, 0.0)
    cs = np.concatenate([np.zeros((1, *raw.shape[1:])), np.cumsum(sq, axis=0)])
    cc = np.concatenate([np.zeros((1, *raw.shape[1:])), np.cumsum(finite, axis=0)])
    t1 = np.arange(1, n + 1)[:, None]
    lo = np.broadcast_to(np.maximum(t1 - windows[None, :], 0)[:, :, None], raw.shape)
    ssum = cs[1:] - np.take_along_axis(cs, lo, axis=0)
    cnt = cc[1:] - np.take_along_axis(cc, lo, axis=0)
    min_periods = np.maximum(2, windows // 2)[None, :, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        rms = np.sqrt(np.maximum(ssum, 0.0) / cnt)
        ok = (cnt >= min_periods) & (rms > 0) & finite
        out: np.ndarray = np.where(ok, raw / np.where(ok, rms, 1.0), np.nan)
    return out


def capped(scaled: np.ndarray, max_positions: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Targets from scaled signals ``(T, C, K)``: clipped, or stepped where a threshold is set."""
    cap = max_positions[None, :, None]
    thr = thresholds[None, :, None]
    cont = np.clip(scaled, -cap, cap)
    step = np.where(np.abs(scaled) >= thr, np.sign(scaled) * cap, 0.0)
    out: np.ndarray = np.where(thr > 0, np.where(np.isnan(scaled), np.nan, step), cont)
    return out


def scaled_targets(
    raw: np.ndarray, windows: np.ndarray, max_positions: np.ndarray, thresholds: np.ndarray
) -> np.ndarray:
    """Targets ``(T, C, K)`` from raw signals ``(T, C, K)`` with per-configuration parameters ``(C,)``."""
    return capped(rms_scaled(raw, windows), max_positions, thresholds)


def target_positions(
    premium: pd.DataFrame,
    sleeves: list[str],
    *,
    strategy: Strategy = "impulse",
    horizon: int = 5,
    scale_window: int = 63,
    max_position: float = 1.0,
    threshold: float = 0.0,
) -> pd.DataFrame:
    """Target tilt of each sleeve against the benchmark, from data up to each session.

    Parameters
    ----------
    premium : pandas.DataFrame
        From :func:`georisk.risk_premium`, indexed by session.
    sleeves : list of str
        Risk sleeves to trade.
    strategy : {"impulse", "level", "gap"}, default "impulse"
        ``"impulse"`` trades the further abnormal move that the shocks of the last
        ``horizon`` sessions imply, :math:`\\sum_{j<h} (b_k(h^*) - b_k(0))\\,
        \\varepsilon_{d-j}` (``{k}_impulse`` of :func:`georisk.risk_premium`), betting
        that the market has not absorbed them yet (a frame of the superseded
        :func:`georisk.premium.loading_premium` uses :math:`\\theta_{k,d}(s_d - s_{d-h})`);
        ``"level"`` trades the premium level :math:`p_{k,d}`;
        ``"gap"`` trades the priced-in gap ``{k}_gap`` (news implies more than the
        market has moved).
    horizon : int, default 5
        Sessions of news shocks the impulse strategy adds up.
    scale_window : int, default 63
        The raw signal is divided by its trailing root mean square over this many
        sessions (ending ``d``; at least ``max(2, scale_window // 2)`` observations)
        before clipping.
    max_position : float, default 1.0
        Positions are clipped to ``[-max_position, max_position]``.
    threshold : float, default 0.0
        0 scales continuously; a positive value trades ``sign * max_position`` when the
        scaled signal's magnitude reaches ``threshold`` and stays flat otherwise.

    Returns
    -------
    pandas.DataFrame
        One column per sleeve; NaN during warm-up.

    Notes
    -----
    :math:`z_{k,d} = x_{k,d} / \\sqrt{\\frac1{n}\\sum_{j=d-W+1}^{d} x_{k,j}^2}` (finite
    terms only), then :math:`w_{k,d} = \\mathrm{clip}(z_{k,d}, \\pm m)` or, with a
    threshold :math:`c > 0`, :math:`w_{k,d} = m\\,\\mathrm{sign}(z_{k,d})\\,1\\{|z_{k,d}| \\ge c\\}`.
    Only rows up to ``d`` enter the value dated ``d``.
    """
    _check(f"scale_window={scale_window}", scale_window >= 2, "must be >= 2")
    _check(f"max_position={max_position}", max_position > 0, "must be > 0")
    _check(f"threshold={threshold}", threshold >= 0, "must be >= 0 (0 scales continuously)")
    raw = raw_signal(premium, sleeves, strategy, horizon)[:, None, :]
    t = scaled_targets(raw, np.array([scale_window]), np.array([float(max_position)]), np.array([float(threshold)]))
    return pd.DataFrame(t[:, 0, :], index=premium.index, columns=list(sleeves))


def hedge_betas(premium: pd.DataFrame, sleeves: Sequence[str]) -> np.ndarray:
    """Benchmark hedge ratio of each sleeve, shape ``(sessions, sleeves)``, as known at each close.

    Parameters
    ----------
    premium : pandas.DataFrame
        From :func:`georisk.risk_premium`, with a ``{k}_beta`` column per sleeve.
    sleeves : sequence of str
        Sleeves traded.

    Returns
    -------
    numpy.ndarray
        Row ``t`` is ``{k}_beta`` dated ``t``: the hedge ratio set at the close of ``t``
        for the position held over :math:`(t, t+1]`.

    Notes
    -----
    ``{k}_beta`` dated ``t`` is estimated from returns up to ``t - 1``, so it is known at
    the close of ``t``. The abnormal return of ``t + 1`` uses the estimate dated ``t + 1``
    (returns up to ``t``); charging that one would make the cost of session ``t`` depend
    on a row dated ``t + 1``, so costs use the hedge ratio one estimate older.
    """
    missing = [f"{k}_beta" for k in sleeves if f"{k}_beta" not in premium.columns]
    if missing:
        raise ConfigError(
            f"premium lacks {missing}, the benchmark hedge ratios that costs are charged on; compute it with "
            "georisk.risk_premium, or add the columns yourself (0 for a sleeve traded without a hedge)"
        )
    out: np.ndarray = premium[[f"{k}_beta" for k in sleeves]].to_numpy(dtype=float)
    return out


def simulate(
    targets: np.ndarray,
    returns: np.ndarray,
    lags: np.ndarray,
    cost_rates: np.ndarray,
    betas: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Vectorised engine: run ``C`` configurations over ``T`` sessions and ``K`` sleeves.

    Parameters
    ----------
    targets : numpy.ndarray
        Target weights ``(T, C, K)`` set from information at each session's close (NaN
        while undefined).
    returns : numpy.ndarray
        Sleeve returns ``(T, K)`` (abnormal returns, from the previous close to this one).
    lags : numpy.ndarray
        Execution lag of each configuration ``(C,)``, in sessions.
    cost_rates : numpy.ndarray
        Cost per unit of turnover of each configuration ``(C,)`` (``bps / 1e4``).
    betas : numpy.ndarray, optional
        Benchmark hedge ratio ``(T, K)`` of a unit sleeve position set at each close (see
        :func:`hedge_betas`; NaN counts as 0). None trades the sleeves without a hedge leg.

    Returns
    -------
    dict of numpy.ndarray
        ``held`` ``(T, C, K)``; ``gross``, ``net``, ``costs``, ``turnover`` (both legs),
        ``turnover_sleeve``, ``turnover_hedge``, ``hedge`` (net benchmark weight) and
        ``exposure`` ``(T, C)``.

    Notes
    -----
    :math:`h_{t} = w_{t-\\ell}` is held over :math:`(t, t+1]`;
    :math:`g_{t} = \\frac1K\\sum_k h_{k,t-1} r_{k,t}` (NaN when no sleeve has both);
    the net benchmark weight is :math:`H_t = -\\frac1K\\sum_k h_{k,t}\\,\\beta_{k,t}`;
    turnover counts both legs,
    :math:`\\tau_t = \\frac1K\\sum_k |h_{k,t} - h_{k,t-1}| + |H_t - H_{t-1}|` (undefined
    weights and betas count as 0), so trading the hedge, beta drift included, is charged;
    :math:`n_t = g_t - c\\,\\tau_t`, the cost paid in the period the trade happens. A
    session with no gross return but a trade has net return :math:`-c\\,\\tau_t`.
    """
    n, c, k = targets.shape
    held = np.full_like(targets, np.nan)
    for lag in np.unique(lags):
        sel = np.flatnonzero(lags == lag)
        if lag < n:
            held[lag:, sel, :] = targets[: n - lag, sel, :] if lag else targets[:, sel, :]
    kk = max(k, 1)
    prev = np.concatenate([np.full((1, c, k), np.nan), held[:-1]])
    prod = prev * returns[:, None, :]
    have = np.isfinite(prod)
    gross = np.where(have.any(axis=2), np.where(have, prod, 0.0).sum(axis=2) / kk, np.nan)
    h0 = np.nan_to_num(held, nan=0.0)
    turnover_sleeve = np.abs(np.diff(h0, axis=0, prepend=0.0)).sum(axis=2) / kk
    b0 = np.zeros((n, k)) if betas is None else np.nan_to_num(betas, nan=0.0)
    hedge = -(h0 * b0[:, None, :]).sum(axis=2) / kk
    turnover_hedge = np.abs(np.diff(hedge, axis=0, prepend=0.0))
    turnover = turnover_sleeve + turnover_hedge
    costs = turnover * cost_rates[None, :]
    traded = costs > 0
    net = np.where(np.isfinite(gross) | traded, np.nan_to_num(gross, nan=0.0) - costs, np.nan)
    hf = np.isfinite(held)
    exposure = np.where(hf.any(axis=2), np.where(hf, np.abs(held), 0.0).sum(axis=2) / kk, np.nan)
    return {
        "held": held,
        "gross": gross,
        "net": net,
        "costs": costs,
        "turnover": turnover,
        "turnover_sleeve": turnover_sleeve,
        "turnover_hedge": turnover_hedge,
        "hedge": hedge,
        "exposure": exposure,
    }


def sharpe_matrix(net: np.ndarray, periods_per_year: int = PERIODS_PER_YEAR) -> np.ndarray:
    """Annualised Sharpe ratio of each column of ``net`` ``(T, C)``, NaN rows (warm-up) excluded."""
    ok = np.isfinite(net)
    cnt = ok.sum(axis=0)
    x = np.where(ok, net, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = x.sum(axis=0) / cnt
        var = (np.where(ok, x - mean, 0.0) ** 2).sum(axis=0) / (cnt - 1)
        sd = np.sqrt(var)
        out: np.ndarray = np.where((cnt > 1) & (sd > 0), mean / sd * math.sqrt(periods_per_year), np.nan)
    return out


@dataclass
class BacktestResult:
    """Positions, returns and honest statistics of one backtest.

    Attributes
    ----------
    positions : pandas.DataFrame
        Weight held per sleeve over the period after each session.
    gross_returns, returns, costs, turnover, exposure : pandas.Series
        Per-session gross and net returns, costs paid, turnover (sleeve and hedge legs,
        see :func:`simulate`) and gross exposure of the sleeve legs.
    metrics : BacktestMetrics
        Frozen and typed (also a read-only mapping, ``metrics["sharpe"]``):
        :func:`georisk.evaluation.performance_metrics` of the net returns, plus
        ``turnover_hedge`` (annualised turnover of the benchmark leg, part of
        ``turnover``), ``sharpe_gross``, ``cost_drag`` (annualised), ``nw_t`` and ``nw_lags``
        (Newey-West t of the mean net return), ``psr`` (probabilistic Sharpe ratio
        against 0), ``bootstrap_p`` and ``bootstrap_block`` (stationary bootstrap of the
        mean net return), ``dsr`` and ``n_trials`` (deflated Sharpe ratio given the
        configurations tried), ``placebo_sharpe_mean``, ``placebo_sharpe_p95`` and
        ``placebo_p`` (share of placebo runs with a Sharpe at least the real one).
    placebo_sharpes : numpy.ndarray
        Net Sharpe ratios of the placebo runs.
    params : dict
        The parameters of the run (``bootstrap_block_method`` says which block rule ran).
    hedge : pandas.Series or None
        Net benchmark weight held over the period after each session,
        :math:`-\\frac1K\\sum_k w_{k,t}\\beta_{k,t}`.
    """

    positions: pd.DataFrame
    gross_returns: pd.Series
    returns: pd.Series
    costs: pd.Series
    turnover: pd.Series
    exposure: pd.Series
    metrics: BacktestMetrics
    placebo_sharpes: np.ndarray
    params: dict[str, Any] = field(default_factory=dict)
    hedge: pd.Series | None = None

    def summary(self) -> pd.DataFrame:
        """One-column table: every Sharpe ratio beside its costs, placebo and significance.

        Index: the labels of :data:`georisk.evaluation.METRIC_SPECS`; column ``value``
        (see :meth:`georisk.evaluation.BacktestMetrics.summary`).
        """
        return self.metrics.summary()

    def plot(self, ax: Any = None) -> Any:
        """Equity curve (net and gross) with drawdown shading; needs the ``plot`` extra."""
        from georisk.plotting import plot_equity

        return plot_equity(self, ax=ax)


def _placebo_targets(targets: np.ndarray, runs: int, kind: str, block: int, rng: np.random.Generator) -> np.ndarray:
    """``(T, runs, K)`` placebo targets: the defined part of ``targets`` ``(T, K)`` block-shuffled or shifted."""
    valid = np.isfinite(targets).any(axis=1)
    first = int(np.argmax(valid)) if valid.any() else len(targets)
    out = np.repeat(targets[:, None, :], runs, axis=1)
    live = targets[first:]
    for i in range(runs):
        if kind == "shuffle":
            out[first:, i, :] = block_shuffle(live, block, rng)
        else:
            out[first:, i, :] = random_shift(live, block, rng)
    return out


def backtest(
    premium: pd.DataFrame,
    *,
    sleeves: list[str] | None = None,
    strategy: Strategy = "impulse",
    horizon: int = 5,
    execution_lag: int = 1,
    cost_bps: float = 5.0,
    slippage_bps: float = 0.0,
    scale_window: int = 63,
    max_position: float = 1.0,
    threshold: float = 0.0,
    placebo_runs: int = 20,
    placebo_block: int = 20,
    placebo_kind: Literal["shuffle", "shift"] = "shuffle",
    bootstrap_reps: int = 1000,
    ledger: TrialLedger | None = None,
    seed: int | None = 0,
) -> BacktestResult:
    """Backtest sleeve tilts against the benchmark driven by the premium indicator.

    Parameters
    ----------
    premium : pandas.DataFrame
        From :func:`georisk.risk_premium` (``{k}_impulse``, ``{k}_premium``,
        ``{k}_abnormal``, ``{k}_beta``, ``state``), indexed by session.
    sleeves : list of str, optional
        Sleeves to trade; every sleeve with an ``{k}_abnormal`` column when None.
    strategy : {"impulse", "level", "gap"}, default "impulse"
        See :func:`target_positions`.
    execution_lag : int, default 1
        Sessions between the close whose information sets a position and the close at
        which it is traded. With 1, a signal at the close of ``d`` is traded at the
        close of ``d+1`` and earns the return from ``d+1`` to ``d+2``.

        .. warning:: ``execution_lag=0`` trades at the very close that produced the
           signal, which no one can do; use it only to measure that optimism.
    cost_bps, slippage_bps : float
        Costs and slippage in basis points of turnover (absolute weight changes of the
        sleeve legs and of the benchmark hedge).
    horizon, scale_window, max_position, threshold : see :func:`target_positions`.
    placebo_runs : int, default 20
        Runs with the target positions made uninformative, reported beside the real
        Sharpe ratio.
    placebo_block : int, default 20
        Block length of the shuffle, or the minimum lag of the shift.
    placebo_kind : {"shuffle", "shift"}, default "shuffle"
        Block-shuffle the targets in time, or shift them circularly by a random lag.
    bootstrap_reps : int, default 1000
        Stationary-bootstrap resamples of the net returns (0 skips the bootstrap).
    ledger : TrialLedger, optional
        When given, this run is recorded in it and the deflated Sharpe ratio uses its
        number of trials and the variance of their Sharpe ratios.
    seed : int or None, default 0
        Seed of the placebo runs and the bootstrap.

    Returns
    -------
    BacktestResult

    Notes
    -----
    Each sleeve position :math:`w_{k,t}` holds the sleeve's abnormal return (long the
    sleeve, short :math:`\\beta` times the benchmark). Net return of period
    :math:`t+1`: :math:`\\frac{1}{K}\\sum_k w_{k,t}\\,ar_{k,t+1} - c\\,\\tau_{t+1}`,
    with :math:`\\tau` the turnover of both legs,
    :math:`\\tau_t = \\frac1K\\sum_k |w_{k,t} - w_{k,t-1}| + |H_t - H_{t-1}|`, where
    :math:`H_t = -\\frac1K\\sum_k w_{k,t}\\,\\beta_{k,t}` is the net benchmark hedge set
    at the close of :math:`t` with the ``{k}_beta`` known then (see :func:`hedge_betas`),
    and :math:`c` the cost rate ``(cost_bps + slippage_bps) / 1e4`` (see :func:`simulate`).
    The statistics beside the Sharpe ratio: Newey-West t of the mean net return
    (:func:`georisk.evaluation.newey_west_t`, lags at least ``horizon - 1``), the one-sided
    stationary-bootstrap p-value (:func:`georisk.evaluation.bootstrap_pvalue`), the
    probabilistic and the deflated Sharpe ratios
    (:func:`georisk.evaluation.deflated_sharpe_from_stats`; with no ledger one trial, so DSR
    equals PSR), and the placebo distribution with
    :math:`p = (1 + \\#\\{SR_{placebo} \\ge SR\\}) / (1 + R)`.

    Examples
    --------
    >>> from georisk.datasets import load_sample
    >>> from georisk import score_articles, daily_signal, risk_premium, backtest
    >>> from georisk.config import default_universe
    >>> s = load_sample()
    >>> prem = risk_premium(daily_signal(score_articles(s.articles)), s.prices, default_universe())
    >>> res = backtest(prem, placebo_runs=5, bootstrap_reps=200)
    >>> res.positions.columns.tolist()
    ['energy', 'defense', 'grain']
    """
    _check(
        f"execution_lag={execution_lag}",
        execution_lag >= 0,
        "must be >= 0 (1 or more avoids trading on the close that made the signal)",
    )
    _check(f"cost_bps={cost_bps}, slippage_bps={slippage_bps}", cost_bps >= 0 and slippage_bps >= 0, "must be >= 0")
    _check(f"placebo_runs={placebo_runs}", placebo_runs >= 0, "must be >= 0")
    _check(f"placebo_kind={placebo_kind!r}", placebo_kind in ("shuffle", "shift"), "must be 'shuffle' or 'shift'")
    _check(f"bootstrap_reps={bootstrap_reps}", bootstrap_reps >= 0, "must be >= 0 (0 skips the bootstrap)")
    if sleeves is None:
        sleeves = [c.removesuffix("_abnormal") for c in premium.columns if c.endswith("_abnormal")]
    if not sleeves:
        raise ConfigError("premium has no '{sleeve}_abnormal' columns; compute it with georisk.risk_premium")
    missing = [f"{k}_abnormal" for k in sleeves if f"{k}_abnormal" not in premium.columns]
    if missing:
        raise ConfigError(f"premium lacks {missing}; compute it with georisk.risk_premium or pick other sleeves")
    targets = target_positions(
        premium,
        sleeves,
        strategy=strategy,
        horizon=horizon,
        scale_window=scale_window,
        max_position=max_position,
        threshold=threshold,
    ).to_numpy()
    returns = premium[[f"{k}_abnormal" for k in sleeves]].to_numpy(dtype=float)
    betas = hedge_betas(premium, sleeves)
    cost_rate = (cost_bps + slippage_bps) / 1e4
    sim = simulate(targets[:, None, :], returns, np.array([execution_lag]), np.array([cost_rate]), betas)
    idx = premium.index

    def col(name: str) -> pd.Series:
        return pd.Series(sim[name][:, 0], index=idx, name=name)

    held = pd.DataFrame(sim["held"][:, 0, :], index=idx, columns=sleeves)
    gross, net, costs, turnover, exposure = (col(n) for n in ("gross", "net", "costs", "turnover", "exposure"))

    perf = performance_metrics(net, turnover=turnover, exposure=exposure)
    turnover_hedge = performance_metrics(net, turnover=col("turnover_hedge")).turnover
    sharpe_gross = performance_metrics(gross).sharpe
    cost_drag = float(costs.reindex(net.dropna().index).mean() * PERIODS_PER_YEAR)
    params: dict[str, Any] = {
        "sleeves": list(sleeves),
        "strategy": strategy,
        "horizon": horizon,
        "execution_lag": execution_lag,
        "cost_bps": cost_bps,
        "slippage_bps": slippage_bps,
        "scale_window": scale_window,
        "max_position": max_position,
        "threshold": threshold,
        "placebo_runs": placebo_runs,
        "placebo_block": placebo_block,
        "placebo_kind": placebo_kind,
        "bootstrap_reps": bootstrap_reps,
        "seed": seed,
    }
    rng = np.random.default_rng(seed)
    if ledger is not None:
        ledger.record({k: params[k] for k in (*_TRADING_KEYS, "sleeves")}, net)
        n_trials, sr_var = ledger.n_trials, ledger.sharpe_variance()
    else:
        n_trials, sr_var = 1, math.nan
    sig = significance(
        net, horizon=horizon, bootstrap_reps=bootstrap_reps, seed=rng, n_trials=n_trials, sharpe_variance=sr_var
    )
    params["bootstrap_block_method"] = sig.bootstrap_block_method

    placebo = np.empty(0)
    if placebo_runs:
        pt = _placebo_targets(targets, placebo_runs, placebo_kind, placebo_block, rng)
        ps = simulate(pt, returns, np.full(placebo_runs, execution_lag), np.full(placebo_runs, cost_rate), betas)
        placebo = sharpe_matrix(ps["net"])
    metrics = BacktestMetrics.combine(
        perf,
        sig,
        placebo_summary(perf.sharpe, placebo),
        sharpe_gross=sharpe_gross,
        cost_drag=cost_drag,
        turnover_hedge=math.nan if turnover_hedge is None else turnover_hedge,
    )
    return BacktestResult(held, gross, net, costs, turnover, exposure, metrics, placebo, params, col("hedge"))
