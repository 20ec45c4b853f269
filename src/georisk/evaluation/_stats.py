"""Honest statistics: HAC t, stationary-bootstrap p, probabilistic and deflated Sharpe, placebos, SPA.

The core functions here need only numpy. Two use the optional ``stats`` extra
(``pip install "georisk[stats]"``, which installs statsmodels and arch):
:func:`optimal_block_length` (Politis and White's automatic block length, from arch;
without arch it falls back to :math:`\\lceil n^{1/3} \\rceil` and says so) and
:func:`spa_test` (Hansen's superior predictive ability test, from arch).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from georisk.errors import ConfigError, OptionalDependencyError
from georisk.evaluation._results import METRIC_SPECS, PlaceboSummary

__all__ = [
    "EULER_GAMMA",
    "Significance",
    "block_shuffle",
    "bootstrap_pvalue",
    "deflated_sharpe",
    "deflated_sharpe_from_stats",
    "expected_max_sharpe",
    "moments",
    "newey_west_t",
    "optimal_block_length",
    "placebo_summary",
    "probabilistic_sharpe",
    "probabilistic_sharpe_from_stats",
    "random_shift",
    "significance",
    "spa_test",
    "stationary_bootstrap_indices",
]

#: The Euler-Mascheroni constant used by the expected maximum of Gaussian Sharpe ratios.
EULER_GAMMA = 0.5772156649015329

_STATS_HINT = 'pip install "georisk[stats]"'


def _clean(x: pd.Series | np.ndarray | list[float]) -> np.ndarray:
    arr = np.asarray(x, dtype=float).ravel()
    out: np.ndarray = arr[np.isfinite(arr)]
    return out


def _norm_cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def _norm_ppf(p: float) -> float:
    if not 0.0 < p < 1.0:
        raise ConfigError(f"probability {p} must lie strictly between 0 and 1")
    from scipy.special import ndtri  # scipy comes with scikit-learn, a core dependency

    return float(ndtri(p))


def newey_west_t(x: pd.Series | np.ndarray, lags: int | None = None, *, horizon: int = 1) -> float:
    """t-statistic of the mean of ``x`` with a Newey-West (Bartlett) standard error.

    Parameters
    ----------
    x : array-like
        Observations (NaN dropped).
    lags : int, optional
        Bartlett lags; default ``max(floor(4 (n/100)^(2/9)), horizon - 1)``.
    horizon : int, default 1
        Length of the (overlapping) return horizon behind each observation; the lags
        are never fewer than ``horizon - 1``, since overlapping h-day returns are
        autocorrelated up to lag h-1 by construction.

    Returns
    -------
    float
        NaN when fewer than 3 observations or zero variance.

    Notes
    -----
    :math:`\\hat\\sigma^2 = \\gamma_0 + 2\\sum_{l=1}^{L}(1 - l/(L+1))\\gamma_l`, with
    :math:`\\gamma_l = \\frac1n\\sum_t e_t e_{t-l}` the autocovariance of the demeaned
    series; :math:`t = \\bar x / \\sqrt{\\hat\\sigma^2 / n}`. This equals statsmodels'
    ``OLS(x, 1).fit(cov_type="HAC", cov_kwds={"maxlags": L, "use_correction": False})``
    (tested), computed with numpy so the core backtest needs no extra.
    """
    if horizon < 1:
        raise ConfigError(f"horizon={horizon} must be >= 1 session")
    arr = _clean(x)
    n = arr.size
    if n < 3:
        return math.nan
    if lags is None:
        lags = max(math.floor(4 * (n / 100.0) ** (2.0 / 9.0)), horizon - 1)
    if lags < 0:
        raise ConfigError(f"lags={lags} must be >= 0")
    e = arr - arr.mean()
    var = float(e @ e) / n
    for lag in range(1, min(lags, n - 1) + 1):
        var += 2.0 * (1.0 - lag / (lags + 1.0)) * float(e[lag:] @ e[:-lag]) / n
    if var <= 0:
        return math.nan
    return float(arr.mean() / math.sqrt(var / n))


def moments(returns: pd.Series | np.ndarray) -> tuple[float, int, float, float]:
    """Per-period Sharpe ratio, sample size, skewness and (non-excess) kurtosis of ``returns``.

    Returns
    -------
    tuple
        ``(sharpe, n, skew, kurtosis)``; the Sharpe ratio is ``mean / std(ddof=1)``, not
        annualised; NaN entries when fewer than 3 observations or zero variance.
    """
    arr = _clean(returns)
    n = arr.size
    sd = arr.std(ddof=1) if n > 1 else 0.0
    if n < 3 or sd == 0:
        return math.nan, n, math.nan, math.nan
    z = (arr - arr.mean()) / arr.std(ddof=0)
    return float(arr.mean() / sd), n, float(np.mean(z**3)), float(np.mean(z**4))


def probabilistic_sharpe_from_stats(
    sharpe: float, n_obs: int, skew: float = 0.0, kurtosis: float = 3.0, benchmark_sharpe: float = 0.0
) -> float:
    """Probabilistic Sharpe ratio from summary statistics (per-period, not annualised).

    Notes
    -----
    :math:`PSR(SR^*) = \\Phi\\left(\\frac{(\\hat{SR} - SR^*)\\sqrt{n-1}}
    {\\sqrt{1 - \\gamma_3 \\hat{SR} + \\frac{\\gamma_4 - 1}{4}\\hat{SR}^2}}\\right)`
    (Bailey and López de Prado, 2012), :math:`\\gamma_3` the skewness and
    :math:`\\gamma_4` the non-excess kurtosis (3 for a normal distribution).
    """
    if not all(map(math.isfinite, (sharpe, skew, kurtosis, benchmark_sharpe))) or n_obs < 3:
        return math.nan
    denom = 1.0 - skew * sharpe + (kurtosis - 1.0) / 4.0 * sharpe**2
    if denom <= 0:
        return math.nan
    return _norm_cdf((sharpe - benchmark_sharpe) * math.sqrt(n_obs - 1) / math.sqrt(denom))


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
    See :func:`probabilistic_sharpe_from_stats`.
    """
    sr, n, skew, kurt = moments(returns)
    return probabilistic_sharpe_from_stats(sr, n, skew, kurt, benchmark_sharpe)


def expected_max_sharpe(n_trials: int, sharpe_variance: float, sharpe_mean: float = 0.0) -> float:
    """Expected maximum of ``n_trials`` Sharpe ratios whose true value is ``sharpe_mean``.

    Parameters
    ----------
    n_trials : int
        Number of (independent) configurations tried; 1 gives ``sharpe_mean``.
    sharpe_variance : float
        Variance of the estimated Sharpe ratios across the trials (same units as the
        Sharpe ratios, e.g. per period).
    sharpe_mean : float, default 0.0
        Mean Sharpe ratio under the null.

    Notes
    -----
    :math:`E[\\max_n \\widehat{SR}] \\approx \\mu + \\sqrt{V}\\left((1-\\gamma)\\Phi^{-1}(1 - 1/N)
    + \\gamma\\Phi^{-1}(1 - 1/(N e))\\right)`, :math:`\\gamma` the Euler-Mascheroni constant
    (Bailey, Borwein, López de Prado and Zhu, 2014).
    """
    if n_trials < 1:
        raise ConfigError(f"n_trials={n_trials} must be >= 1")
    if not sharpe_variance >= 0:
        raise ConfigError(f"sharpe_variance={sharpe_variance} must be >= 0")
    if n_trials == 1:
        return float(sharpe_mean)
    z = (1 - EULER_GAMMA) * _norm_ppf(1 - 1 / n_trials) + EULER_GAMMA * _norm_ppf(1 - 1 / (n_trials * math.e))
    return float(sharpe_mean + math.sqrt(sharpe_variance) * z)


def deflated_sharpe_from_stats(
    sharpe: float,
    n_obs: int,
    n_trials: int,
    sharpe_variance: float,
    skew: float = 0.0,
    kurtosis: float = 3.0,
) -> float:
    """Deflated Sharpe ratio from summary statistics (per-period Sharpe ratios).

    Notes
    -----
    :math:`DSR = PSR(SR_0)` with :math:`SR_0` the expected maximum Sharpe ratio of
    ``n_trials`` skill-less configurations (:func:`expected_max_sharpe`), Bailey and
    López de Prado (2014). Their worked example (:math:`\\widehat{SR}=2.5/\\sqrt{250}`,
    :math:`T=1250`, :math:`N=100`, :math:`V=0.5/250`, skew -3, kurtosis 10) gives
    :math:`SR_0 \\approx 0.1132` and :math:`DSR \\approx 0.9004`; the tests pin it.
    """
    sr0 = expected_max_sharpe(n_trials, sharpe_variance)
    return probabilistic_sharpe_from_stats(sharpe, n_obs, skew, kurtosis, sr0)


def deflated_sharpe(returns: pd.Series | np.ndarray, n_trials: int, sharpe_variance: float | None = None) -> float:
    """Deflated Sharpe ratio of a return series selected among ``n_trials`` configurations.

    Parameters
    ----------
    returns : array-like
        Per-period returns of the selected configuration (NaN dropped).
    n_trials : int
        Number of configurations tried (take it from a :class:`georisk.evaluation.TrialLedger`).
    sharpe_variance : float, optional
        Variance of the per-period Sharpe ratios across the trials. When None, the
        sampling variance of one Sharpe estimate, :math:`(1 + \\widehat{SR}^2/2)/(n-1)`,
        stands in (the trials are then taken as independent noise around zero).

    Returns
    -------
    float
        Probability in [0, 1] that the true Sharpe ratio exceeds the best one expected
        from ``n_trials`` skill-less trials. Equals :func:`probabilistic_sharpe` when
        ``n_trials`` is 1.

    Notes
    -----
    See :func:`deflated_sharpe_from_stats`.
    """
    sr, n, skew, kurt = moments(returns)
    if not math.isfinite(sr):
        return math.nan
    if sharpe_variance is None:
        sharpe_variance = (1 + 0.5 * sr**2) / (n - 1)
    return deflated_sharpe_from_stats(sr, n, n_trials, sharpe_variance, skew, kurt)


def optimal_block_length(x: pd.Series | np.ndarray) -> tuple[float, str]:
    """Stationary-bootstrap block length for ``x`` and the rule that gave it.

    Returns
    -------
    tuple
        ``(block, method)``: Politis and White's (2004, corrected 2009) automatic length
        from :func:`arch.bootstrap.optimal_block_length` with ``method="politis-white"``
        when arch is installed, otherwise :math:`n^{1/3}` with ``method="n^(1/3)"``.
        Never below 1.
    """
    arr = _clean(x)
    try:
        from arch.bootstrap import optimal_block_length as _obl
    except ImportError:
        return max(1.0, arr.size ** (1.0 / 3.0)), "n^(1/3)"
    if arr.size < 10 or arr.std() == 0:
        return 1.0, "politis-white"
    return max(1.0, float(_obl(arr)["stationary"].iloc[0])), "politis-white"


def stationary_bootstrap_indices(n: int, reps: int, block: float, rng: np.random.Generator) -> np.ndarray:
    """Index matrix ``(reps, n)`` of Politis and Romano's stationary bootstrap.

    Notes
    -----
    Each resample starts at a uniform position; at each later step a new block starts
    at a uniform position with probability :math:`1/b`, otherwise the index advances by
    one (wrapping around), so block lengths are geometric with mean :math:`b`. Built
    without a Python loop over time: position = start of current block + steps since.
    """
    if n < 1 or reps < 1:
        raise ConfigError(f"n={n} and reps={reps} must be >= 1")
    if block < 1:
        raise ConfigError(f"block={block} must be >= 1")
    new = rng.random((reps, n)) < 1.0 / block
    new[:, 0] = True
    starts = rng.integers(0, n, size=(reps, n))
    t = np.broadcast_to(np.arange(n), (reps, n))
    block_t = np.maximum.accumulate(np.where(new, t, 0), axis=1)
    origin = np.take_along_axis(starts, block_t, axis=1)
    out: np.ndarray = (origin + (t - block_t)) % n
    return out


def bootstrap_pvalue(
    x: pd.Series | np.ndarray,
    *,
    reps: int = 1000,
    block: float | None = None,
    seed: int | np.random.Generator | None = 0,
) -> tuple[float, float]:
    """One-sided stationary-bootstrap p-value of :math:`H_0: E[x] \\le 0`.

    Parameters
    ----------
    x : array-like
        Per-period returns (NaN dropped).
    reps : int, default 1000
        Bootstrap resamples.
    block : float, optional
        Mean block length; :func:`optimal_block_length` when None.
    seed : int, Generator or None, default 0
        Randomness of the resampling.

    Returns
    -------
    tuple
        ``(p, block)``; p is NaN with fewer than 10 observations.

    Notes
    -----
    The series is centred (:math:`x - \\bar x`, imposing the null) and resampled with
    the stationary bootstrap; :math:`p = (1 + \\#\\{\\bar x^*_b \\ge \\bar x\\}) / (1 + B)`.
    Centring makes the test equivalent to asking how often a mean as large as the
    observed one arises from data with the same dependence and no edge.
    """
    if reps < 1:
        raise ConfigError(f"reps={reps} must be >= 1")
    arr = _clean(x)
    if arr.size < 10:
        return math.nan, math.nan
    if block is None:
        block = optimal_block_length(arr)[0]
    rng = np.random.default_rng(seed)
    centred = arr - arr.mean()
    means = np.empty(reps)
    chunk = max(1, 4_000_000 // arr.size)
    for start in range(0, reps, chunk):
        k = min(chunk, reps - start)
        idx = stationary_bootstrap_indices(arr.size, k, block, rng)
        means[start : start + k] = centred[idx].mean(axis=1)
    p = (1 + int(np.sum(means >= arr.mean()))) / (1 + reps)
    return float(p), float(block)


def block_shuffle(
    values: pd.DataFrame | pd.Series | np.ndarray, block: int, rng: np.random.Generator | int
) -> np.ndarray:
    """Permute ``values`` in contiguous blocks of ``block`` rows (a placebo signal).

    Keeps the signal's autocorrelation within blocks and destroys its timing relative
    to returns.

    Parameters
    ----------
    values : pandas.DataFrame, pandas.Series or numpy.ndarray
        Rows in time order.
    block : int
        Rows per block (the last block may be shorter).
    rng : numpy.random.Generator or int
        The random stream, or a seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    numpy.ndarray
        The same rows, blocks in a random order.

    Examples
    --------
    >>> block_shuffle(np.arange(6), 2, 0).tolist()
    [4, 5, 0, 1, 2, 3]
    """
    if block < 1:
        raise ConfigError(f"block={block} must be >= 1")
    rng = np.random.default_rng(rng) if isinstance(rng, int) else rng
    arr = np.asarray(values)
    n = arr.shape[0]
    starts = np.arange(0, n, block)
    order = rng.permutation(len(starts))
    idx = np.concatenate([np.arange(starts[i], min(starts[i] + block, n)) for i in order]) if n else np.arange(0)
    out: np.ndarray = arr[idx]
    return out


def random_shift(values: pd.DataFrame | pd.Series | np.ndarray, min_shift: int, rng: np.random.Generator) -> np.ndarray:
    """Shift ``values`` circularly by a random lag of at least ``min_shift`` rows (a placebo signal).

    Keeps the whole signal path, its autocorrelation and its distribution; only its
    alignment with returns is broken. The lag is uniform on ``[min_shift, n - min_shift]``.
    """
    arr = np.asarray(values)
    n = arr.shape[0]
    if min_shift < 1 or 2 * min_shift > n:
        raise ConfigError(f"min_shift={min_shift} must be >= 1 and at most half the {n} rows")
    out: np.ndarray = np.roll(arr, int(rng.integers(min_shift, n - min_shift + 1)), axis=0)
    return out


def spa_test(
    models: pd.DataFrame,
    benchmark: pd.Series | None = None,
    *,
    reps: int = 1000,
    block: float | None = None,
    seed: int | None = 0,
) -> dict[str, Any]:
    """Hansen's (2005) test of superior predictive ability across many configurations.

    Needs the ``stats`` extra (arch). The null is that no configuration beats the
    benchmark; a small p-value says at least one does, after accounting for all of them.

    Parameters
    ----------
    models : pandas.DataFrame
        One column of per-period net returns per configuration (e.g.
        :meth:`georisk.evaluation.TrialLedger.returns_frame`); rows with any NaN are dropped.
    benchmark : pandas.Series, optional
        Benchmark returns; zero (no position) when None.
    reps : int, default 1000
        Bootstrap resamples.
    block : float, optional
        Mean block length; Politis-White on the mean of the models' returns when None.
    seed : int or None, default 0

    Returns
    -------
    dict
        ``p_lower``, ``p_consistent``, ``p_upper`` (Hansen's three p-values), ``best``
        (column with the highest mean), ``n_models``, ``n_obs``, ``block``.

    Notes
    -----
    arch's :class:`arch.bootstrap.SPA` works with losses, so the losses passed are the
    negated returns (:math:`L = -r`): lower loss is higher return.
    """
    try:
        from arch.bootstrap import SPA
    except ImportError as exc:
        raise OptionalDependencyError(f"spa_test needs arch: {_STATS_HINT}") from exc
    data = models.copy()
    bench = pd.Series(0.0, index=data.index) if benchmark is None else benchmark.reindex(data.index)
    data = data.assign(__bench__=bench).dropna()
    if len(data) < 20 or data.shape[1] < 2:
        raise ConfigError(f"spa_test needs >= 20 complete rows and >= 1 model; got {len(data)} rows")
    b = data.pop("__bench__")
    if block is None:
        block = optimal_block_length(data.mean(axis=1).to_numpy())[0]
    spa = SPA(-b.to_numpy(), -data.to_numpy(), block_size=max(1, round(block)), reps=reps, seed=seed)
    spa.compute()
    pv = spa.pvalues
    return {
        "p_lower": float(pv["lower"]),
        "p_consistent": float(pv["consistent"]),
        "p_upper": float(pv["upper"]),
        "best": str(data.mean().idxmax()),
        "n_models": int(data.shape[1]),
        "n_obs": len(data),
        "block": float(block),
    }


@dataclass(frozen=True)
class Significance:
    """The significance of a return series' mean and Sharpe ratio, one definition for every caller.

    Attributes
    ----------
    nw_t : float
        Newey-West t of the mean return (:func:`newey_west_t`).
    nw_lags : int
        Its Bartlett lags: ``max(floor(4 (n/100)^(2/9)), horizon - 1)``.
    psr : float
        Probabilistic Sharpe ratio against 0 (:func:`probabilistic_sharpe_from_stats`).
    dsr : float
        Deflated Sharpe ratio over ``n_trials`` (:func:`deflated_sharpe_from_stats`);
        equals ``psr`` when ``n_trials`` is 1.
    n_trials : int
        Configurations tried (1 without a trial ledger).
    bootstrap_p : float
        One-sided stationary-bootstrap p-value of a non-positive mean (NaN if skipped).
    bootstrap_block : float
        Its mean block length (NaN if skipped).
    bootstrap_block_method : str
        The rule that chose the block (``"politis-white"``, ``"n^(1/3)"`` or ``"none"``).
    """

    nw_t: float
    nw_lags: int
    psr: float
    dsr: float
    n_trials: int
    bootstrap_p: float
    bootstrap_block: float
    bootstrap_block_method: str

    def as_metrics(self) -> dict[str, float]:
        """The numeric fields as floats, keyed as in the backtest's ``metrics``."""
        return {k: float(v) for k, v in asdict(self).items() if not isinstance(v, str)}

    def summary(self) -> pd.DataFrame:
        """One-column table of the numeric fields, labelled from :data:`~georisk.evaluation.METRIC_SPECS`."""
        m = self.as_metrics()
        names = [n for n in METRIC_SPECS if n in m]
        return pd.DataFrame(
            {"value": pd.Series([m[n] for n in names], index=[METRIC_SPECS[n].label for n in names], dtype=float)}
        )


def significance(
    returns: pd.Series | np.ndarray,
    *,
    horizon: int = 1,
    bootstrap_reps: int = 1000,
    seed: int | np.random.Generator | None = 0,
    n_trials: int = 1,
    sharpe_variance: float = math.nan,
) -> Significance:
    r"""Newey-West t, probabilistic and deflated Sharpe and bootstrap p of one return series.

    The single definition behind :func:`georisk.backtest` and
    :func:`georisk.backtesting.walk_forward`, so the same name means the same number.

    Parameters
    ----------
    returns : array-like
        Per-period net returns (NaN dropped).
    horizon : int, default 1
        Longest holding horizon behind the returns; the Newey-West lags are never fewer
        than ``horizon - 1``.
    bootstrap_reps : int, default 1000
        Stationary-bootstrap resamples (0 skips the bootstrap).
    seed : int, Generator or None, default 0
        Randomness of the bootstrap.
    n_trials : int, default 1
        Configurations tried, for the deflated Sharpe ratio.
    sharpe_variance : float, default NaN
        Variance of the Sharpe ratios across those trials; when NaN, the sampling
        variance of one Sharpe estimate is used.

    Returns
    -------
    Significance

    Notes
    -----
    :math:`L = \max(\lfloor 4 (n/100)^{2/9} \rfloor, h - 1)` Bartlett lags; the
    bootstrap block is Politis and White's automatic length (:func:`optimal_block_length`).
    Without a cross-trial variance, :math:`V = (1 + \widehat{SR}^2/2)/(n - 1)`
    (Lo, 2002), the sampling variance of a per-period Sharpe estimate.
    """
    if horizon < 1:
        raise ConfigError(f"horizon={horizon} must be >= 1 session")
    if bootstrap_reps < 0:
        raise ConfigError(f"bootstrap_reps={bootstrap_reps} must be >= 0 (0 skips the bootstrap)")
    if n_trials < 1:
        raise ConfigError(f"n_trials={n_trials} must be >= 1")
    arr = _clean(returns)
    lags = max(math.floor(4 * (arr.size / 100.0) ** (2.0 / 9.0)), horizon - 1)
    sr, n_obs, skew, kurt = moments(arr)
    var = sharpe_variance
    if not math.isfinite(var):
        var = (1 + 0.5 * sr**2) / (n_obs - 1) if n_obs > 1 and math.isfinite(sr) else math.nan
    dsr = deflated_sharpe_from_stats(sr, n_obs, n_trials, var, skew, kurt) if math.isfinite(var) else math.nan
    p = block = math.nan
    method = "none"
    if bootstrap_reps:
        block, method = optimal_block_length(arr)
        p, block = bootstrap_pvalue(arr, reps=bootstrap_reps, block=block, seed=seed)
    return Significance(
        nw_t=newey_west_t(arr, lags),
        nw_lags=lags,
        psr=probabilistic_sharpe_from_stats(sr, n_obs, skew, kurt),
        dsr=dsr,
        n_trials=n_trials,
        bootstrap_p=p,
        bootstrap_block=block,
        bootstrap_block_method=method,
    )


def placebo_summary(sharpe: float, placebo: np.ndarray) -> PlaceboSummary:
    r"""Mean and 95th percentile of placebo Sharpe ratios and the placebo p-value of ``sharpe``.

    Parameters
    ----------
    sharpe : float
        The real run's Sharpe ratio.
    placebo : numpy.ndarray
        The placebo runs' Sharpe ratios (NaN ignored).

    Returns
    -------
    PlaceboSummary
        ``placebo_sharpe_mean``, ``placebo_sharpe_p95``, ``placebo_p``; also a read-only
        mapping with those keys.

    Notes
    -----
    :math:`p = (1 + \#\{SR_i \ge SR\}) / (1 + N)` over the N finite placebo Sharpe
    ratios; all NaN when there is none.
    """
    good = np.asarray(placebo, dtype=float)
    good = good[np.isfinite(good)]
    if not good.size:
        return PlaceboSummary(placebo_sharpe_mean=math.nan, placebo_sharpe_p95=math.nan, placebo_p=math.nan)
    return PlaceboSummary(
        placebo_sharpe_mean=float(good.mean()),
        placebo_sharpe_p95=float(np.percentile(good, 95)),
        placebo_p=float((1 + np.sum(good >= sharpe)) / (1 + good.size)),
    )
