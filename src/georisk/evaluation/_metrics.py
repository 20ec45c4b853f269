"""Stage 6: performance metrics and time-series signal evaluation.

Built for a handful of assets (cross-sectional tools drop single-asset data):
information coefficient by horizon with HAC t, bucket returns with causal bucket edges,
hit rates, and an event study around news shocks.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd

from georisk.errors import ConfigError
from georisk.evaluation._results import PerformanceMetrics

__all__ = [
    "PERIODS_PER_YEAR",
    "bucket_returns",
    "event_study",
    "forward_returns",
    "hac_slope_t",
    "information_coefficient",
    "max_drawdown",
    "performance_metrics",
    "signal_shocks",
]

#: Sessions per year used to annualise.
PERIODS_PER_YEAR = 252


def max_drawdown(returns: pd.Series) -> float:
    """Largest peak-to-trough fall of the compounded equity curve, as a negative fraction.

    Parameters
    ----------
    returns : pandas.Series
        Per-session returns; NaN counts as 0.

    Returns
    -------
    float
        :math:`\\min_t E_t / \\max_{s \\le t} E_s - 1` (0 with no loss, NaN when empty).

    Notes
    -----
    :math:`E_0 = 1` is the initial capital and :math:`E_t = \\prod_{s \\le t} (1 + r_s)`, so
    a loss on the first session counts: ``[-0.5, 0.1]`` has a drawdown of -0.5.
    """
    if returns.empty:
        return math.nan
    growth = 1.0 + returns.fillna(0.0).to_numpy(dtype=float)
    equity = np.concatenate([[1.0], np.cumprod(growth)])
    return float((equity / np.maximum.accumulate(equity) - 1.0).min())


def performance_metrics(
    returns: pd.Series,
    *,
    turnover: pd.Series | None = None,
    exposure: pd.Series | None = None,
    periods_per_year: int = PERIODS_PER_YEAR,
) -> PerformanceMetrics:
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
    PerformanceMetrics
        Frozen: ``ann_return``, ``ann_vol``, ``sharpe``, ``sortino``, ``max_drawdown``,
        ``calmar``, ``hit_rate`` (share of non-zero sessions with a gain), ``n_obs``,
        and ``turnover`` (annualised) and ``exposure`` (mean) when given (None
        otherwise). Also a read-only mapping: ``m["sharpe"]`` is ``m.sharpe`` as a float.

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
    return PerformanceMetrics(
        ann_return=ann_ret,
        ann_vol=sd * math.sqrt(periods_per_year) if sd == sd else math.nan,
        sharpe=mean / sd * math.sqrt(periods_per_year) if sd and sd == sd else math.nan,
        sortino=mean / downside * math.sqrt(periods_per_year) if downside else math.nan,
        max_drawdown=mdd,
        calmar=ann_ret / abs(mdd) if mdd and mdd == mdd else math.nan,
        hit_rate=float((active > 0).mean()) if len(active) else math.nan,
        n_obs=n,
        turnover=None if turnover is None else float(turnover.reindex(r.index).mean() * periods_per_year),
        exposure=None if exposure is None else float(exposure.reindex(r.index).mean()),
    )


def _as_series(x: pd.Series | pd.DataFrame, name: str) -> pd.Series:
    if isinstance(x, pd.DataFrame):
        if x.shape[1] != 1:
            raise ConfigError(f"{name} must be a Series or a one-column DataFrame; got columns {list(x.columns)}")
        x = x.iloc[:, 0]
    if not isinstance(x.index, pd.DatetimeIndex):
        raise ConfigError(f"{name} must be indexed by sessions (a DatetimeIndex)")
    return x.astype(float)


def forward_returns(returns: pd.Series, horizon: int, execution_lag: int = 0) -> pd.Series:
    """Compounded return over the ``horizon`` sessions after ``d + execution_lag``, dated ``d``.

    Notes
    -----
    :math:`R^{(h)}_d = \\prod_{j=\\ell+1}^{\\ell+h}(1 + r_{d+j}) - 1`; NaN when any of
    those returns is missing or lies past the end (never filled).
    """
    if horizon < 1 or execution_lag < 0:
        raise ConfigError(f"horizon={horizon} must be >= 1 and execution_lag={execution_lag} >= 0")
    growth = pd.Series(np.log1p(returns.to_numpy(dtype=float)), index=returns.index)
    total = growth.rolling(horizon, min_periods=horizon).sum()
    return pd.Series(np.expm1(total.to_numpy()), index=returns.index).shift(-(horizon + execution_lag))


def hac_slope_t(x: np.ndarray, y: np.ndarray, lags: int) -> tuple[float, float]:
    """OLS slope of ``y`` on ``x`` (with intercept) and its Newey-West t-statistic.

    Notes
    -----
    With :math:`\\psi_t = (x_t - \\bar x)\\hat u_t`, :math:`\\widehat{Var}(\\hat b) =
    \\frac{n\\,\\hat\\Omega_\\psi}{S_{xx}^2}`, :math:`\\hat\\Omega_\\psi` the Bartlett
    long-run variance (see :func:`georisk.evaluation.newey_west_t`). Equals statsmodels'
    ``OLS(...).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": False})``
    (tested).
    """
    n = x.size
    if n < 3:
        return math.nan, math.nan
    xc = x - x.mean()
    sxx = float(xc @ xc)
    if sxx == 0:
        return math.nan, math.nan
    b = float(xc @ (y - y.mean())) / sxx
    u = y - y.mean() - b * xc
    psi = xc * u
    omega = float(psi @ psi) / n
    for lag in range(1, min(lags, n - 1) + 1):
        omega += 2.0 * (1.0 - lag / (lags + 1.0)) * float(psi[lag:] @ psi[:-lag]) / n
    var = n * omega / sxx**2
    return b, (b / math.sqrt(var) if var > 0 else math.nan)


def information_coefficient(
    signal: pd.Series,
    returns: pd.Series,
    *,
    horizons: tuple[int, ...] = (1, 5, 20),
    method: Literal["spearman", "pearson"] = "spearman",
    execution_lag: int = 0,
) -> pd.DataFrame:
    """Time-series information coefficient of a signal for one asset, by horizon, with HAC t.

    Parameters
    ----------
    signal : pandas.Series
        Signal known at the close of each session (DatetimeIndex).
    returns : pandas.Series
        The asset's per-session simple returns on the same sessions.
    horizons : tuple of int, default (1, 5, 20)
        Forward horizons in sessions.
    method : {"spearman", "pearson"}, default "spearman"
        Rank or linear correlation.
    execution_lag : int, default 0
        Sessions skipped before the forward return starts (1 matches the backtest).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``horizon``: ``ic``, ``hac_t`` (Newey-West t of the slope of the
        forward return on the signal, with ``nw_lags`` lags, at least ``h - 1``),
        ``hit_rate`` (share of sessions where signal and forward return have the same
        sign, among non-zero ones), ``mean_when_positive``, ``mean_when_negative``,
        ``n_obs``.

    Notes
    -----
    Overlapping :math:`h`-session returns are autocorrelated up to lag :math:`h-1` by
    construction, which is why the lag count never falls below it. For Spearman the
    slope and t-statistic are those of the ranks.
    """
    s = _as_series(signal, "signal")
    r = _as_series(returns, "returns").reindex(s.index)
    rows = []
    for h in horizons:
        fwd = forward_returns(r, h, execution_lag)
        ok = s.notna() & fwd.notna()
        x, y = s[ok], fwd[ok]
        n = len(x)
        lags = max(math.floor(4 * (max(n, 1) / 100.0) ** (2.0 / 9.0)), h - 1)
        if method == "spearman":
            xr, yr = x.rank().to_numpy(), y.rank().to_numpy()
        elif method == "pearson":
            xr, yr = x.to_numpy(), y.to_numpy()
        else:
            raise ConfigError(f"method={method!r} must be 'spearman' or 'pearson'")
        ic = float(np.corrcoef(xr, yr)[0, 1]) if n > 2 and xr.std() > 0 and yr.std() > 0 else math.nan
        _, t = hac_slope_t(xr.astype(float), yr.astype(float), lags)
        nz = (x != 0) & (y != 0)
        rows.append(
            {
                "horizon": h,
                "ic": ic,
                "hac_t": t,
                "nw_lags": lags,
                "hit_rate": float((np.sign(x[nz]) == np.sign(y[nz])).mean()) if nz.any() else math.nan,
                "mean_when_positive": float(y[x > 0].mean()) if (x > 0).any() else math.nan,
                "mean_when_negative": float(y[x < 0].mean()) if (x < 0).any() else math.nan,
                "n_obs": n,
            }
        )
    return pd.DataFrame(rows).set_index("horizon")


def bucket_returns(
    signal: pd.Series,
    returns: pd.Series,
    *,
    horizon: int = 1,
    n_buckets: int = 5,
    min_periods: int = 60,
    execution_lag: int = 0,
) -> pd.DataFrame:
    """Mean forward return by signal bucket, with bucket edges from past data only.

    Parameters
    ----------
    signal, returns : pandas.Series
        As in :func:`information_coefficient`.
    horizon : int, default 1
    n_buckets : int, default 5
    min_periods : int, default 60
        Signal observations before a session can be bucketed (earlier sessions are left out).
    execution_lag : int, default 0

    Returns
    -------
    pandas.DataFrame
        Indexed by ``bucket`` (1 = lowest signal): ``mean``, ``hac_t`` (Newey-West t of
        the mean, lags at least ``horizon - 1``), ``hit_rate`` (share positive), ``n_obs``.

    Notes
    -----
    The bucket of session :math:`d` compares :math:`x_d` with the expanding quantiles of
    :math:`x_1..x_d`, so no later signal value decides an earlier bucket (unlike
    full-sample quantiles).
    """
    from georisk.evaluation._stats import newey_west_t

    if n_buckets < 2:
        raise ConfigError(f"n_buckets={n_buckets} must be >= 2")
    s = _as_series(signal, "signal")
    fwd = forward_returns(_as_series(returns, "returns").reindex(s.index), horizon, execution_lag)
    pct = s.expanding(min_periods=min_periods).rank(pct=True)
    bucket = np.ceil(pct * n_buckets).clip(1, n_buckets)
    rows = []
    for b in range(1, n_buckets + 1):
        y = fwd[(bucket == b) & fwd.notna()]
        rows.append(
            {
                "bucket": b,
                "mean": float(y.mean()) if len(y) else math.nan,
                "hac_t": newey_west_t(y, horizon=horizon),
                "hit_rate": float((y > 0).mean()) if len(y) else math.nan,
                "n_obs": len(y),
            }
        )
    return pd.DataFrame(rows).set_index("bucket")


def signal_shocks(signal: pd.Series, *, threshold: float = 2.0, min_gap: int = 20) -> dict[str, pd.DatetimeIndex]:
    """Sessions where a (z-scored) signal crosses ``+threshold`` (hawkish) or ``-threshold`` (peace).

    Parameters
    ----------
    signal : pandas.Series
        A causal z-score, e.g. ``escalation_z`` from :func:`georisk.daily_signal`.
    threshold : float, default 2.0
        Crossing level.
    min_gap : int, default 20
        Sessions after a shock during which no new shock of the same kind is counted
        (so overlapping event windows do not count one episode many times).

    Returns
    -------
    dict
        ``{"hawkish": DatetimeIndex, "peace": DatetimeIndex}``.

    Notes
    -----
    A hawkish shock at :math:`d` means :math:`s_d \\ge c` and :math:`s_{d-1} < c`; peace
    mirrors it at :math:`-c`. Only values up to :math:`d` decide whether :math:`d` is a shock.
    """
    if threshold <= 0 or min_gap < 0:
        raise ConfigError(f"threshold={threshold} must be > 0 and min_gap={min_gap} >= 0")
    s = _as_series(signal, "signal")
    out = {}
    for name, up in (("hawkish", s >= threshold), ("peace", s <= -threshold)):
        cross = (up & ~up.shift(1, fill_value=False)).to_numpy()
        keep: list[int] = []
        last = -(10**9)
        for i in np.flatnonzero(cross).tolist():
            if i - last > min_gap:
                keep.append(i)
                last = i
        out[name] = pd.DatetimeIndex(s.index[keep])
    return out


def event_study(
    returns: pd.DataFrame | pd.Series,
    market: pd.Series,
    events: pd.DatetimeIndex | list[pd.Timestamp],
    *,
    window: tuple[int, int] = (-5, 20),
    estimation: int = 120,
    gap: int = 5,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Market-model abnormal returns, cumulated over an event window, with confidence bands.

    Parameters
    ----------
    returns : pandas.DataFrame or Series
        Per-session simple returns of the assets (e.g. sleeves), one column each.
    market : pandas.Series
        Market (benchmark) returns on the same sessions.
    events : DatetimeIndex or list
        Event sessions (day 0), e.g. from :func:`signal_shocks`. Events whose windows do
        not fit in the data are left out (the count is in ``n_events``).
    window : tuple of int, default (-5, 20)
        First and last relative session of the event window.
    estimation : int, default 120
        Sessions of the market-model estimation window.
    gap : int, default 5
        Sessions between the end of the estimation window and the start of the event
        window, so the event does not contaminate its own baseline.
    confidence : float, default 0.95
        Level of the two-sided bands.

    Returns
    -------
    pandas.DataFrame
        MultiIndex ``(asset, rel_day)``; columns ``mean_ar``, ``car`` (mean cumulative
        abnormal return from ``window[0]``), ``car_lo``, ``car_hi``, ``t`` and
        ``n_events``.

    Notes
    -----
    Per event :math:`e` and asset: :math:`\\hat\\alpha, \\hat\\beta` by OLS of
    :math:`r` on :math:`r_m` over sessions :math:`[e+w_0-g-L, e+w_0-g)`;
    :math:`AR_{e,\\tau} = r_{e+\\tau} - \\hat\\alpha - \\hat\\beta r_{m,e+\\tau}`;
    :math:`CAR_{e,\\tau} = \\sum_{j=w_0}^{\\tau} AR_{e,j}`. Bands:
    :math:`\\overline{CAR}_\\tau \\pm t_{N-1,(1+c)/2}\\, s_\\tau / \\sqrt{N}` with
    :math:`s_\\tau` the cross-event standard deviation (Brown and Warner's
    cross-sectional test; robust to event-induced variance, not to clustered events).
    """
    from scipy.stats import t as student_t  # scipy comes with scikit-learn, a core dependency

    lo, hi = window
    if lo > hi or estimation < 10 or gap < 0 or not 0 < confidence < 1:
        raise ConfigError(
            f"window={window} must have start <= end, estimation={estimation} >= 10, gap={gap} >= 0 and "
            f"0 < confidence={confidence} < 1"
        )
    frame = returns.to_frame() if isinstance(returns, pd.Series) else returns
    m = market.reindex(frame.index).to_numpy(dtype=float)
    index = frame.index
    positions = [int(index.searchsorted(e)) for e in pd.DatetimeIndex(events) if e in index]
    rel = np.arange(lo, hi + 1)
    pieces = []
    for asset in frame.columns:
        r = frame[asset].to_numpy(dtype=float)
        cars = []
        for p in positions:
            est_end = p + lo - gap
            est_start = est_end - estimation
            if est_start < 0 or p + hi >= len(index):
                continue
            x, y = m[est_start:est_end], r[est_start:est_end]
            ok = np.isfinite(x) & np.isfinite(y)
            if ok.sum() < max(10, estimation // 2) or np.var(x[ok]) == 0:
                continue
            beta = float(np.cov(x[ok], y[ok], ddof=1)[0, 1] / np.var(x[ok], ddof=1))
            alpha = float(y[ok].mean() - beta * x[ok].mean())
            ar = r[p + lo : p + hi + 1] - alpha - beta * m[p + lo : p + hi + 1]
            if np.isfinite(ar).all():
                cars.append(ar)
        ars = np.array(cars).reshape(len(cars), rel.size)
        car = np.cumsum(ars, axis=1)
        n = len(cars)
        mean_car = car.mean(axis=0) if n else np.full(rel.size, np.nan)
        sd = car.std(axis=0, ddof=1) if n > 1 else np.full(rel.size, np.nan)
        q = float(student_t.ppf((1 + confidence) / 2, n - 1)) if n > 1 else math.nan
        se = sd / math.sqrt(n) if n else sd
        with np.errstate(invalid="ignore", divide="ignore"):
            tstat = mean_car / se
        pieces.append(
            pd.DataFrame(
                {
                    "asset": asset,
                    "rel_day": rel,
                    "mean_ar": ars.mean(axis=0) if n else np.nan,
                    "car": mean_car,
                    "car_lo": mean_car - q * se,
                    "car_hi": mean_car + q * se,
                    "t": tstat,
                    "n_events": n,
                }
            )
        )
    return pd.concat(pieces, ignore_index=True).set_index(["asset", "rel_day"])
