"""Stage 6: performance metrics of a return series."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["PERIODS_PER_YEAR", "max_drawdown", "performance_metrics"]

#: Sessions per year used to annualise.
PERIODS_PER_YEAR = 252


def max_drawdown(returns: pd.Series) -> float:
    """Largest peak-to-trough fall of the compounded equity curve, as a negative fraction."""
    equity = (1.0 + returns.fillna(0.0)).cumprod()
    if equity.empty:
        return math.nan
    return float((equity / equity.cummax() - 1.0).min())


def performance_metrics(
    returns: pd.Series,
    *,
    turnover: pd.Series | None = None,
    exposure: pd.Series | None = None,
    periods_per_year: int = PERIODS_PER_YEAR,
) -> dict[str, float]:
    """Annualised return and volatility, Sharpe, Sortino, drawdown, Calmar, hit rate.

    Parameters
    ----------
    returns : pandas.Series
        Per-session net returns; NaN sessions (warm-up) are excluded.
    turnover, exposure : pandas.Series, optional
        Per-session turnover and gross exposure, averaged into the result.
    periods_per_year : int, default 252
        Annualisation factor.

    Returns
    -------
    dict
        ``ann_return``, ``ann_vol``, ``sharpe``, ``sortino``, ``max_drawdown``,
        ``calmar``, ``hit_rate`` (share of non-zero sessions with a gain), ``n_obs``,
        and ``turnover`` (annualised) and ``exposure`` (mean) when given.

    Notes
    -----
    ``ann_return`` is the arithmetic mean times ``periods_per_year``; Sharpe is
    :math:`\\sqrt{P}\\,\\bar r / s` with no risk-free rate (the strategies are
    market-neutral tilts); Sortino divides by the root mean square of negative returns.
    """
    r = returns.dropna()
    n = len(r)
    mean = float(r.mean()) if n else math.nan
    sd = float(r.std(ddof=1)) if n > 1 else math.nan
    downside = float(np.sqrt(np.mean(np.minimum(r.to_numpy(), 0.0) ** 2))) if n else math.nan
    ann_ret = mean * periods_per_year
    mdd = max_drawdown(r)
    active = r[r != 0]
    out = {
        "ann_return": ann_ret,
        "ann_vol": sd * math.sqrt(periods_per_year) if sd == sd else math.nan,
        "sharpe": mean / sd * math.sqrt(periods_per_year) if sd and sd == sd else math.nan,
        "sortino": mean / downside * math.sqrt(periods_per_year) if downside else math.nan,
        "max_drawdown": mdd,
        "calmar": ann_ret / abs(mdd) if mdd and mdd == mdd else math.nan,
        "hit_rate": float((active > 0).mean()) if len(active) else math.nan,
        "n_obs": float(n),
    }
    if turnover is not None:
        out["turnover"] = float(turnover.reindex(r.index).mean() * periods_per_year)
    if exposure is not None:
        out["exposure"] = float(exposure.reindex(r.index).mean())
    return out
