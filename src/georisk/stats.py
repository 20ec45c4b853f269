"""Honest statistics: HAC t-statistics, probabilistic Sharpe ratio, placebo signals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from georisk.errors import ConfigError

__all__ = ["block_shuffle", "newey_west_t", "probabilistic_sharpe"]


def newey_west_t(x: pd.Series | np.ndarray, lags: int | None = None) -> float:
    """t-statistic of the mean of ``x`` with a Newey-West (Bartlett) standard error.

    Parameters
    ----------
    x : array-like
        Observations (NaN dropped).
    lags : int, optional
        Bartlett lags; default ``floor(4 (n/100)^(2/9))`` (Newey and West, 1994).

    Returns
    -------
    float
        NaN when fewer than 3 observations or zero variance.

    Notes
    -----
    :math:`\\hat\\sigma^2 = \\gamma_0 + 2\\sum_{l=1}^{L}(1 - l/(L+1))\\gamma_l`, with
    :math:`\\gamma_l` the lag-:math:`l` autocovariance of the demeaned series;
    :math:`t = \\bar x / \\sqrt{\\hat\\sigma^2 / n}`.
    """
    arr = np.asarray(pd.Series(x).dropna(), dtype=float)
    n = arr.size
    if n < 3:
        return math.nan
    if lags is None:
        lags = math.floor(4 * (n / 100.0) ** (2.0 / 9.0))
    if lags < 0:
        raise ConfigError(f"lags={lags} must be >= 0")
    e = arr - arr.mean()
    var = float(e @ e) / n
    for lag in range(1, min(lags, n - 1) + 1):
        var += 2.0 * (1.0 - lag / (lags + 1.0)) * float(e[lag:] @ e[:-lag]) / n
    if var <= 0:
        return math.nan
    return float(arr.mean() / math.sqrt(var / n))


def probabilistic_sharpe(returns: pd.Series | np.ndarray, benchmark_sharpe: float = 0.0) -> float:
    """Probability that the true (per-period) Sharpe ratio exceeds ``benchmark_sharpe``.

    Bailey and López de Prado (2012): adjusts for sample length, skewness and kurtosis.

    Parameters
    ----------
    returns : array-like
        Per-period returns (NaN dropped).
    benchmark_sharpe : float, default 0.0
        Per-period (not annualised) Sharpe ratio to beat.

    Returns
    -------
    float
        In [0, 1]; NaN with fewer than 3 observations or zero variance.

    Notes
    -----
    :math:`PSR = \\Phi\\left(\\frac{(\\hat{SR} - SR^*)\\sqrt{n-1}}
    {\\sqrt{1 - \\gamma_3 \\hat{SR} + \\frac{\\gamma_4 - 1}{4}\\hat{SR}^2}}\\right)`
    with :math:`\\gamma_3` the skewness and :math:`\\gamma_4` the (non-excess) kurtosis.
    """
    arr = np.asarray(pd.Series(returns).dropna(), dtype=float)
    n = arr.size
    sd = arr.std(ddof=1) if n > 1 else 0.0
    if n < 3 or sd == 0:
        return math.nan
    sr = arr.mean() / sd
    z = (arr - arr.mean()) / arr.std(ddof=0)
    skew = float(np.mean(z**3))
    kurt = float(np.mean(z**4))
    denom = 1.0 - skew * sr + (kurt - 1.0) / 4.0 * sr**2
    if denom <= 0:
        return math.nan
    stat = (sr - benchmark_sharpe) * math.sqrt(n - 1) / math.sqrt(denom)
    return 0.5 * (1.0 + math.erf(stat / math.sqrt(2.0)))


def block_shuffle(values: pd.DataFrame | pd.Series, block: int, rng: np.random.Generator) -> np.ndarray:
    """Permute ``values`` in contiguous blocks of ``block`` rows (a placebo signal).

    Keeps the signal's autocorrelation within blocks and destroys its timing relative
    to returns.
    """
    if block < 1:
        raise ConfigError(f"block={block} must be >= 1")
    arr = np.asarray(values)
    n = arr.shape[0]
    starts = np.arange(0, n, block)
    order = rng.permutation(len(starts))
    idx = np.concatenate([np.arange(starts[i], min(starts[i] + block, n)) for i in order]) if n else np.arange(0)
    out: np.ndarray = arr[idx]
    return out
