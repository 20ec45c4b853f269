"""Stage 5: the geopolitical risk premium indicator.

Every estimate uses trailing windows that end at the session it is dated (the benchmark
beta ends the session before), so a value dated ``d`` uses only prices and articles
known at ``d``'s close.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from georisk.config import Universe
from georisk.errors import ConfigError, MissingDataError
from georisk.market._align import align_to_sessions, simple_returns

__all__ = ["risk_premium", "sleeve_returns"]


def _causal_z(series: pd.Series, window: int | None, min_periods: int) -> pd.Series:
    roll = (
        series.expanding(min_periods=min_periods) if window is None else series.rolling(window, min_periods=min_periods)
    )
    sd = roll.std()
    return (series - roll.mean()) / sd.where(sd > 0)


def sleeve_returns(returns: pd.DataFrame, universe: Universe, *, min_periods: int = 20) -> pd.DataFrame:
    """Combine instrument returns into one return series per sleeve.

    Parameters
    ----------
    returns : pandas.DataFrame
        Simple returns per ticker on the signal sessions.
    universe : Universe
        Gives each sleeve's tickers and weighting (``"equal"`` or ``"inverse_vol"``).
    min_periods : int, default 20
        Returns needed before an inverse-volatility weight is defined.

    Returns
    -------
    pandas.DataFrame
        One column per sleeve (``benchmark`` included), same index.

    Notes
    -----
    Equal weighting averages the members that have a return that session. Inverse
    volatility weights use each member's standard deviation over ``vol_window``
    sessions ending the session before (no future data); members without a weight yet
    are left out, and a session where no member has one is NaN.
    """
    out = {}
    for name, sleeve in universe.sleeves.items():
        r = returns[sleeve.tickers]
        if sleeve.weighting == "equal":
            out[name] = r.mean(axis=1, skipna=True).where(r.notna().any(axis=1))
        else:
            vol = r.rolling(sleeve.vol_window, min_periods=min_periods).std().shift(1)
            w = (1.0 / vol.where(vol > 0)).where(r.notna())
            out[name] = (r * w).sum(axis=1, min_count=1) / w.sum(axis=1, min_count=1)
    return pd.DataFrame(out, index=returns.index)


def _trailing_beta(y: pd.Series, x: pd.Series, window: int, min_periods: int) -> pd.Series:
    both = y.notna() & x.notna()
    yy, xx = y.where(both), x.where(both)
    cov = yy.rolling(window, min_periods=min_periods).cov(xx)
    var = xx.rolling(window, min_periods=min_periods).var()
    return cov / var.where(var > 0)


def _ridge_slope(y: pd.Series, x: pd.Series, window: int, min_periods: int, ridge: float) -> pd.Series:
    both = y.notna() & x.notna()
    yy, xx = y.where(both), x.where(both)
    n = both.astype(float).rolling(window, min_periods=1).sum()
    mx = xx.rolling(window, min_periods=min_periods).mean()
    my = yy.rolling(window, min_periods=min_periods).mean()
    sxy = (xx * yy).rolling(window, min_periods=min_periods).sum() - n * mx * my
    sxx = (xx * xx).rolling(window, min_periods=min_periods).sum() - n * mx * mx
    return sxy / (sxx + ridge).where(sxx + ridge > 0)


def risk_premium(
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
) -> pd.DataFrame:
    """Compute sleeve premia and the geopolitical risk premium indicator ``grpi``.

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

    Returns
    -------
    pandas.DataFrame
        Index: the signal's sessions. Columns: ``state``, ``state_change``; per risk
        sleeve ``k``: ``k_return``, ``k_beta``, ``k_abnormal``, ``k_theta``,
        ``k_premium``, ``k_premium_hawkish``, ``k_premium_peace``, ``k_implied_move``,
        ``k_realised_move``, ``k_gap``; ``benchmark_return``; ``grpi``, ``grpi_z``,
        ``grpi_hawkish``, ``grpi_peace``; and, when the universe names an oil ticker,
        ``oil_premium`` (return units) and ``oil_premium_usd`` (price units).

    Notes
    -----
    For sleeve :math:`k` and session :math:`d`:

    1. Abnormal return :math:`ar_{k,d} = r_{k,d} - \\beta_{k,d} r_{b,d}`, with
       :math:`\\beta_{k,d}` the OLS slope of :math:`r_k` on :math:`r_b` over the
       ``beta_window`` sessions ending :math:`d-1` (the rolling estimate is shifted).
    2. News loading :math:`\\theta_{k,d}`: ridge slope of :math:`ar_k` on
       :math:`\\Delta s` over the ``loading_window`` sessions ending :math:`d`,
       :math:`\\theta = S_{xy} / (S_{xx} + \\lambda)` with centred sums.
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
    >>> from georisk import score_articles, daily_signal, risk_premium
    >>> from georisk.config import default_universe
    >>> s = load_sample()
    >>> sig = daily_signal(score_articles(s.articles))
    >>> prem = risk_premium(sig, s.prices, default_universe())
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

    index = pd.DatetimeIndex(signal.index, name="session")
    aligned = align_to_sessions(prices, universe, calendar=calendar, end=index[-1]).reindex(index)
    if aligned.dropna(how="all").empty:
        raise MissingDataError("no price falls within the signal's sessions; check the date ranges")
    rets = simple_returns(aligned)
    sleeves = sleeve_returns(rets, universe)
    rb = sleeves["benchmark"]

    s = signal[state].astype(float)
    ds = s.diff()
    out = pd.DataFrame({"state": s, "state_change": ds}, index=index)
    hawk_col, peace_col = f"{state}_hawkish", f"{state}_peace"
    has_parts = hawk_col in signal.columns and peace_col in signal.columns

    def one(r: pd.Series, prefix: str) -> pd.Series:
        beta = _trailing_beta(r, rb, beta_window, min_periods).shift(1)
        ar = r - beta * rb
        theta = _ridge_slope(ar, ds, loading_window, min_periods, ridge)
        prem = theta * (s - neutral)
        out[f"{prefix}_return"] = r
        out[f"{prefix}_beta"] = beta
        out[f"{prefix}_abnormal"] = ar
        out[f"{prefix}_theta"] = theta
        out[f"{prefix}_premium"] = prem
        return theta

    grpi = pd.Series(0.0, index=index)
    grpi_h = pd.Series(0.0, index=index)
    grpi_p = pd.Series(0.0, index=index)
    for k in risk:
        theta = one(sleeves[k], k)
        if has_parts:
            out[f"{k}_premium_hawkish"] = theta * (signal[hawk_col] - neutral)
            out[f"{k}_premium_peace"] = -theta * signal[peace_col]
        else:
            out[f"{k}_premium_hawkish"] = np.nan
            out[f"{k}_premium_peace"] = np.nan
        implied = theta * (s - s.shift(loading_window))
        realised = out[f"{k}_abnormal"].rolling(loading_window, min_periods=min_periods).sum()
        out[f"{k}_implied_move"] = implied
        out[f"{k}_realised_move"] = realised
        out[f"{k}_gap"] = implied - realised
        w = weights.get(k, 0.0)
        grpi = grpi + w * out[f"{k}_premium"]
        grpi_h = grpi_h + w * out[f"{k}_premium_hawkish"]
        grpi_p = grpi_p + w * out[f"{k}_premium_peace"]
    out["benchmark_return"] = rb
    out["grpi"] = grpi
    out["grpi_z"] = _causal_z(grpi, zscore_window, min_periods)
    out["grpi_hawkish"] = grpi_h
    out["grpi_peace"] = grpi_p
    if universe.oil_ticker is not None:
        oil = universe.oil_ticker
        beta = _trailing_beta(rets[oil], rb, beta_window, min_periods).shift(1)
        theta = _ridge_slope(rets[oil] - beta * rb, ds, loading_window, min_periods, ridge)
        out["oil_premium"] = theta * (s - neutral)
        out["oil_premium_usd"] = out["oil_premium"] * aligned[oil]
    return out
