"""The first premium model, kept under its own name: a trailing loading times the state.

Superseded by :func:`georisk.risk_premium`. On the 2022 war it put the Brent premium at
about 1 USD/bbl where analysts published 10-30, its loadings were no more significant
than chance, and its rolling z-score state forgets a war after a year. It stays for
comparison (``benchmarks/bench_signal_premium.py``, ``benchmarks/validate_premium.py``);
do not use it as the indicator.

Every estimate uses trailing windows that end at the session it is dated (the benchmark
beta ends the session before), so a value dated ``d`` uses only prices and articles
known at ``d``'s close.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from georisk.config import Universe
from georisk.errors import ConfigError, MissingDataError
from georisk.market import align_to_sessions, simple_returns
from georisk.premium._kernels import trailing_huber_slope, trailing_ols_slope, trailing_sum
from georisk.premium._model import sleeve_returns

__all__ = ["loading_premium"]


def _causal_z(series: pd.Series, window: int | None, min_periods: int) -> pd.Series:
    roll = (
        series.expanding(min_periods=min_periods) if window is None else series.rolling(window, min_periods=min_periods)
    )
    sd = roll.std()
    return (series - roll.mean()) / sd.where(sd > 0)


def loading_premium(
    signal: pd.DataFrame,
    prices: pd.DataFrame,
    universe: Universe,
    *,
    state: str = "escalation_z",
    neutral: float = 0.0,
    calendar: str = "XNYS",
    beta_window: int = 126,
    loading_window: int = 126,
    min_periods: int = 60,
    ridge: float = 1.0,
    zscore_window: int | None = 252,
    sleeve_weights: dict[str, float] | None = None,
    loading_method: Literal["ridge", "huber"] = "ridge",
    huber_c: float = 1.345,
) -> pd.DataFrame:
    """The superseded first premium: a trailing news loading times the state (not the indicator).

    Kept so that the old number can be reproduced and compared; see
    :func:`georisk.risk_premium` for the indicator.

    Parameters
    ----------
    signal : pandas.DataFrame
        From :func:`georisk.daily_signal`, or any frame indexed by sessions with a
        ``state`` column (for example an external index such as the Caldara-Iacoviello
        GPR, standardised).
    prices : pandas.DataFrame
        The wide price frame from :func:`georisk.load_prices`.
    universe : Universe
        Sleeves and instruments.
    state : str, default "escalation_z"
        Column of ``signal`` used as the news state :math:`s`.
    neutral : float, default 0.0
        The neutral state :math:`s_{neutral}` (0 is the trailing average of a z-score).
    calendar : str, default "XNYS"
        The signal calendar prices are aligned to.
    beta_window, loading_window : int, default 126
        Trailing windows (sessions) of the benchmark beta and of the news loading.
    min_periods : int, default 60
        Observations needed before a beta or a loading is defined (NaN before).
    ridge : float, default 1.0
        Ridge penalty of the loading regression, in units of squared state change.
    zscore_window : int or None, default 252
        Trailing window of ``grpi_z``; None for expanding.
    sleeve_weights : dict, optional
        Weights of the risk sleeves in ``grpi``; equal weights when None.
    loading_method : {"ridge", "huber"}, default "ridge"
        Estimator of the news loading: ridge least squares, or a Huber M-estimator
        (iteratively reweighted, with the same ridge penalty) that down-weights days
        whose abnormal return is an outlier for reasons other than the news.
    huber_c : float, default 1.345
        Huber threshold, in robust standard deviations of the residuals.

    Returns
    -------
    pandas.DataFrame
        Index: the signal's sessions. Columns: ``state``, ``state_change``; per risk
        sleeve ``k``: ``k_return``, ``k_beta``, ``k_abnormal``, ``k_theta``,
        ``k_premium``, ``k_premium_hawkish``, ``k_premium_peace``, ``k_implied_move``,
        ``k_realised_move``, ``k_gap``, ``grpi_k`` (its weighted contribution to
        ``grpi``); ``benchmark_return``; ``grpi``, ``grpi_z``, ``grpi_hawkish``,
        ``grpi_peace``, ``grpi_implied_move``, ``grpi_realised_move``, ``grpi_gap``;
        and, when the universe names an oil ticker, ``oil_beta``, ``oil_theta``,
        ``oil_premium`` (return units) and ``oil_premium_usd`` (price units).

    Notes
    -----
    For sleeve :math:`k` and session :math:`d`:

    1. Abnormal return :math:`ar_{k,d} = r_{k,d} - \\beta_{k,d} r_{b,d}`, with
       :math:`\\beta_{k,d}` the OLS slope of :math:`r_k` on :math:`r_b` over the
       ``beta_window`` sessions ending :math:`d-1` (the rolling estimate is shifted).
    2. News loading :math:`\\theta_{k,d}`: ridge slope of :math:`ar_k` on
       :math:`\\Delta s` over the ``loading_window`` sessions ending :math:`d`,
       :math:`\\theta = S_{xy} / (S_{xx} + \\lambda)` with centred sums (both
       regressions use cumulative-sum normal equations over all sleeves at once, see
       :mod:`georisk.premium._kernels`); with ``loading_method="huber"`` the sums are
       Huber-weighted (IRLS) within each window.
    3. Premium :math:`p_{k,d} = \\theta_{k,d} (s_d - s_{neutral})`: the part of the
       sleeve's relative price level that the current news state explains.
    4. :math:`grpi_d = \\sum_k w_k p_{k,d}`; ``grpi_z`` is its trailing z-score. When
       the signal has ``{state}_hawkish`` and ``{state}_peace`` parts (with
       ``state = hawkish - peace``), :math:`p_k` splits into
       :math:`\\theta (s^{h} - s_{neutral})` and :math:`-\\theta s^{p}`.
    5. Priced-in gap: the move the news implies over the loading window,
       :math:`\\theta_{k,d}(s_d - s_{d-W})`, minus the abnormal move already made,
       :math:`\\sum_{j=d-W+1}^{d} ar_{k,j}`. Positive: news implies more than the
       market has priced.

    The oil premium uses the oil instrument alone (its own beta and loading) and
    multiplies by its price at :math:`d` to give USD per barrel.

    Examples
    --------
    >>> from georisk.datasets import load_sample
    >>> from georisk import score_articles, daily_signal
    >>> from georisk.premium import loading_premium
    >>> s = load_sample()
    >>> sig = daily_signal(score_articles(s.articles))
    >>> prem = loading_premium(sig, s.prices, s.universe, state="escalation_z")
    >>> "grpi" in prem.columns
    True
    """
    if state not in signal.columns:
        raise ConfigError(f"state={state!r} is not a column of signal; choose one of {list(signal.columns)}")
    for name, value in (("beta_window", beta_window), ("loading_window", loading_window)):
        if value < 2:
            raise ConfigError(f"{name}={value} must be >= 2")
    if min_periods < 3 or min_periods > min(beta_window, loading_window):
        raise ConfigError(f"min_periods={min_periods} must be between 3 and min(beta_window, loading_window)")
    if ridge < 0:
        raise ConfigError(f"ridge={ridge} must be >= 0")
    risk = universe.risk_sleeves
    weights = sleeve_weights or {k: 1.0 / len(risk) for k in risk}
    unknown = set(weights) - set(risk)
    if unknown:
        raise ConfigError(f"sleeve_weights names unknown sleeve(s) {sorted(unknown)}; use {risk}")

    if loading_method not in ("ridge", "huber"):
        raise ConfigError(f"loading_method={loading_method!r} must be 'ridge' or 'huber'")
    if huber_c <= 0:
        raise ConfigError(f"huber_c={huber_c} must be > 0")
    absent = [t for t in universe.tickers if t not in prices.columns]
    if absent:
        raise MissingDataError(
            f"prices has no column for {absent}; load them (georisk.load_prices with this universe) "
            "or remove them from the universe"
        )
    index = pd.DatetimeIndex(signal.index, name="session")
    aligned = align_to_sessions(prices, universe, calendar=calendar, end=index[-1]).reindex(index)
    if aligned.dropna(how="all").empty:
        raise MissingDataError("no price falls within the signal's sessions; check the date ranges")
    rets = simple_returns(aligned)
    sleeves = sleeve_returns(rets, universe)
    rb = sleeves["benchmark"].to_numpy(dtype=float)

    s = signal[state].astype(float)
    ds = s.diff()
    hawk_col, peace_col = f"{state}_hawkish", f"{state}_peace"
    has_parts = hawk_col in signal.columns and peace_col in signal.columns

    names = list(risk)
    cols = [sleeves[k].to_numpy(dtype=float) for k in risk]
    oil = universe.oil_ticker
    if oil is not None:
        names.append("oil")
        cols.append(rets[oil].to_numpy(dtype=float))
    r = np.column_stack(cols)
    # Beta from the window ending d-1: the estimate dated d-1 moved to row d.
    beta = np.vstack([np.full((1, r.shape[1]), np.nan), trailing_ols_slope(r, rb, beta_window, min_periods)[:-1]])
    ar = r - beta * rb[:, None]
    x = ds.to_numpy(dtype=float)
    if loading_method == "huber":
        theta = trailing_huber_slope(ar, x, loading_window, min_periods, ridge=ridge, c=huber_c)
    else:
        theta = trailing_ols_slope(ar, x, loading_window, min_periods, ridge=ridge)
    realised = trailing_sum(ar, loading_window, min_periods)
    dev = (s - neutral).to_numpy(dtype=float)
    move = (s - s.shift(loading_window)).to_numpy(dtype=float)

    out = pd.DataFrame({"state": s, "state_change": ds}, index=index)
    new: dict[str, pd.Series | np.ndarray] = {}
    grpi = np.zeros(len(index))
    grpi_h = np.zeros(len(index))
    grpi_p = np.zeros(len(index))
    implied_total = np.zeros(len(index))
    realised_total = np.zeros(len(index))
    for j, k in enumerate(risk):
        th = theta[:, j]
        prem = th * dev
        new[f"{k}_return"] = r[:, j]
        new[f"{k}_beta"] = beta[:, j]
        new[f"{k}_abnormal"] = ar[:, j]
        new[f"{k}_theta"] = th
        new[f"{k}_premium"] = prem
        if has_parts:
            ph = th * (signal[hawk_col].to_numpy(dtype=float) - neutral)
            pp = -th * signal[peace_col].to_numpy(dtype=float)
        else:
            ph = pp = np.full(len(index), np.nan)
        new[f"{k}_premium_hawkish"] = ph
        new[f"{k}_premium_peace"] = pp
        implied = th * move
        new[f"{k}_implied_move"] = implied
        new[f"{k}_realised_move"] = realised[:, j]
        new[f"{k}_gap"] = implied - realised[:, j]
        w = weights.get(k, 0.0)
        new[f"grpi_{k}"] = w * prem
        grpi = grpi + w * prem
        grpi_h = grpi_h + w * ph
        grpi_p = grpi_p + w * pp
        implied_total = implied_total + w * implied
        realised_total = realised_total + w * realised[:, j]
    new["benchmark_return"] = rb
    out = pd.concat([out, pd.DataFrame(new, index=index)], axis=1)
    out["grpi"] = grpi
    out["grpi_z"] = _causal_z(out["grpi"], zscore_window, min_periods)
    out["grpi_hawkish"] = grpi_h
    out["grpi_peace"] = grpi_p
    out["grpi_implied_move"] = implied_total
    out["grpi_realised_move"] = realised_total
    out["grpi_gap"] = implied_total - realised_total
    if oil is not None:
        j = names.index("oil")
        out["oil_beta"] = beta[:, j]
        out["oil_theta"] = theta[:, j]
        out["oil_premium"] = theta[:, j] * dev
        out["oil_premium_usd"] = out["oil_premium"] * aligned[oil]
    return out
