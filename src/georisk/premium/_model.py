"""The response model of the premium: news shocks, cumulative responses, historical decomposition, bands.

Every number dated ``d`` uses prices printed by ``d``'s close and news known by it: the
shocks are one-step-ahead innovations of the state, the factor betas come from a window
ending the session before, and the responses are estimated on the sessions up to ``d``.
"""

from __future__ import annotations

from statistics import NormalDist
from typing import Literal

import numpy as np
import pandas as pd

from georisk._validation import check_fraction, check_positive
from georisk.config import Universe
from georisk.errors import ConfigError, MissingDataError
from georisk.market import align_to_sessions, causal_roll_mask, simple_returns
from georisk.premium._kernels import (
    expanding_ar_innovations,
    expanding_wls_hac,
    lag_block_design,
    trailing_factor_betas,
)

__all__ = ["DEFAULT_BLOCKS", "Transform", "news_shocks", "risk_premium", "shock_diagnostics", "sleeve_returns"]

Transform = Literal["asinh", "log", "none"]

#: Default lag blocks of the response: the impact day, sessions 1-4, 5-19 and 20-39 after a shock.
DEFAULT_BLOCKS: tuple[tuple[int, int], ...] = ((0, 0), (1, 4), (5, 19), (20, 39))


def _transform(values: pd.Series, how: str) -> pd.Series:
    v = values.astype(float)
    if how == "asinh":
        return pd.Series(np.arcsinh(v.to_numpy()), index=v.index)
    if how == "log":
        bad = v[(v <= 0) & v.notna()]
        if len(bad):
            raise ConfigError(
                f"transform='log' needs a positive state; it is {bad.iloc[0]!r} on "
                f"{pd.Timestamp(bad.index[0]).date()}. "
                "Use transform='asinh' for a state that can be zero or negative"
            )
        return pd.Series(np.log(v.to_numpy()), index=v.index)
    if how == "none":
        return v
    raise ConfigError(f"transform={how!r} must be 'asinh', 'log' or 'none'")


def news_shocks(
    state: pd.Series,
    *,
    transform: Transform = "asinh",
    ar_order: int = 20,
    min_periods: int = 60,
) -> pd.DataFrame:
    """News shocks: what each session's news adds beyond what the state's own past predicted.

    Parameters
    ----------
    state : pandas.Series
        An anchored news state indexed by session, e.g. ``escalation_intensity`` of
        :func:`georisk.daily_signal` or GPR points from :func:`georisk.external_signal`.
    transform : {"asinh", "log", "none"}, default "asinh"
        Applied before the autoregression. ``"asinh"`` (inverse hyperbolic sine) is the
        signed analogue of a logarithm: for a large state a shock is a proportional
        change, and zero or negative values stay defined. ``"log"`` needs a positive
        state (GPR points).
    ar_order : int, default 20
        Order :math:`p` of the autoregression whose forecast errors are the shocks: a
        month of sessions, because daily news states are persistent for weeks and a
        shorter autoregression leaves shocks that its own past predicts (check a state
        with :func:`shock_diagnostics`).
    min_periods : int, default 60
        Sessions with a state before the first shock (NaN before).

    Returns
    -------
    pandas.DataFrame
        Same index; columns ``state`` (as given), ``level`` (transformed), ``forecast``
        and ``shock``.

    Notes
    -----
    With :math:`x_t` the transformed state, the shock is the one-step-ahead forecast
    error of an AR(:math:`p`) fitted by OLS on an expanding window ending the session
    before: :math:`\\varepsilon_t = x_t - \\hat c_{t-1} - \\sum_{i=1}^{p}
    \\hat\\phi_{i,t-1} x_{t-i}`. Nothing after :math:`t` enters, and a state that stays
    high produces no further shocks: the premium then follows the estimated response
    to the shocks that raised it.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([1.0, 2.0] * 50, index=pd.bdate_range("2024-01-01", periods=100))
    >>> shocks = news_shocks(s, ar_order=1, min_periods=10)
    >>> bool(shocks["shock"].iloc[-1] ** 2 < 1e-12)  # a perfectly predictable state has no shocks
    True
    """
    if ar_order < 0:
        raise ConfigError(f"ar_order={ar_order} must be >= 0")
    if min_periods < ar_order + 3:
        raise ConfigError(f"min_periods={min_periods} must be >= ar_order + 3 = {ar_order + 3}")
    level = _transform(state, transform)
    forecast, shock = expanding_ar_innovations(level.to_numpy(dtype=float), ar_order, min_periods)
    return pd.DataFrame(
        {"state": state.astype(float), "level": level, "forecast": forecast, "shock": shock}, index=state.index
    )


def shock_diagnostics(
    state: pd.Series,
    *,
    orders: tuple[int, ...] = (1, 2, 5, 10, 15, 20, 30, 40),
    transform: Transform = "asinh",
    min_periods: int = 120,
    lags: int = 20,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    r"""How well autoregressions of each order turn a news state into shocks.

    A shock should be news: not forecastable from the state's past. For each order
    :math:`p` this computes the shocks of :func:`news_shocks` and reports how large the
    causal one-step forecast errors are and how much autocorrelation they keep, so the
    order of :func:`risk_premium` can be chosen for a new state on evidence.

    Parameters
    ----------
    state : pandas.Series
        The news state by session (as given to :func:`news_shocks`).
    orders : tuple of int, default (1, 2, 5, 10, 15, 20, 30, 40)
        Autoregressive orders to compare.
    transform : {"asinh", "log", "none"}, default "asinh"
        As in :func:`news_shocks`.
    min_periods : int, default 120
        Warm-up of every order (the same for all, so they are scored on the same sessions).
    lags : int, default 20
        Autocorrelations summed and tested (Ljung-Box).
    start, end : date-like, optional
        Sessions on which the forecast errors are scored (default: every session after
        the warm-up).

    Returns
    -------
    pandas.DataFrame
        Index ``ar_order``; columns ``mse`` (mean squared one-step forecast error, out of
        sample), ``autocorr_sum`` (sum of the first ``lags`` autocorrelations of the
        shocks), ``ljung_box`` and ``ljung_box_p`` (the test that they are all zero) and
        ``n`` (sessions scored).

    Notes
    -----
    Each forecast uses coefficients estimated on the sessions before it, so ``mse`` is
    an out-of-sample error and a larger order pays for its extra coefficients. With
    :math:`\hat\rho_k` the autocorrelations of the :math:`n` shocks scored,
    ``autocorr_sum`` is :math:`\sum_{k=1}^{L}\hat\rho_k` (positive when shocks in a row
    keep the same sign: the state's persistence was under-predicted, and a lasting
    episode keeps adding "news" every session) and the Ljung-Box statistic is
    :math:`Q = n(n+2)\sum_{k=1}^{L}\hat\rho_k^2/(n-k)`, compared with
    :math:`\chi^2_L`. Prefer the smallest order near the lowest ``mse`` whose shocks
    keep little autocorrelation.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> x = np.zeros(600)
    >>> for t in range(1, 600):
    ...     x[t] = 0.9 * x[t - 1] + rng.normal()
    >>> d = shock_diagnostics(pd.Series(x, index=pd.bdate_range("2020-01-01", periods=600)),
    ...                       orders=(0, 1), transform="none")
    >>> bool(d.loc[1, "mse"] < d.loc[0, "mse"])
    True
    """
    from scipy.stats import chi2

    if not orders:
        raise ConfigError("orders must name at least one autoregressive order, e.g. (5, 20)")
    if lags < 1:
        raise ConfigError(f"lags={lags} must be >= 1")
    if min_periods < max(orders) + 3:
        raise ConfigError(f"min_periods={min_periods} must be >= the largest order + 3 = {max(orders) + 3}")
    level = _transform(state, transform).to_numpy(dtype=float)
    index = pd.DatetimeIndex(state.index)
    keep = np.ones(len(index), dtype=bool)
    if start is not None:
        keep &= index >= pd.Timestamp(start)
    if end is not None:
        keep &= index <= pd.Timestamp(end)
    errors = {}
    for order in orders:
        if order < 0:
            raise ConfigError(f"orders holds {order}; every order must be >= 0")
        errors[int(order)] = expanding_ar_innovations(level, int(order), min_periods)[1]
    common = keep & np.logical_and.reduce([np.isfinite(e) for e in errors.values()])
    rows = {}
    for order, e in errors.items():
        v = e[common]
        n = len(v)
        if n <= lags + 1:
            raise ConfigError(f"only {n} sessions to score; need more than lags + 1 = {lags + 1}")
        c = v - v.mean()
        denom = float(c @ c)
        rho = np.array([float(c[k:] @ c[:-k]) / denom if denom > 0 else 0.0 for k in range(1, lags + 1)])
        q = n * (n + 2) * float(np.sum(rho**2 / (n - np.arange(1, lags + 1))))
        rows[order] = {
            "mse": float(np.mean(v**2)),
            "autocorr_sum": float(rho.sum()),
            "ljung_box": q,
            "ljung_box_p": float(chi2.sf(q, lags)),
            "n": n,
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "ar_order"
    return out


def sleeve_returns(returns: pd.DataFrame, universe: Universe, *, min_periods: int = 20) -> pd.DataFrame:
    """Combine instrument returns into one return series per sleeve.

    Parameters
    ----------
    returns : pandas.DataFrame
        Simple returns per ticker on the signal sessions.
    universe : Universe
        Gives each sleeve's tickers and weighting (``"equal"`` or ``"inverse_vol"``).
    min_periods : int, default 20
        Returns needed before an inverse-volatility weight is defined (capped at the
        sleeve's ``vol_window``).

    Returns
    -------
    pandas.DataFrame
        One column per sleeve (``benchmark`` and ``factors`` included), same index.

    Notes
    -----
    Equal weighting averages the members that have a return that session. Inverse
    volatility weights :math:`w_i \\propto 1/\\sigma_i` use each member's standard
    deviation over ``vol_window`` sessions ending the session before (no future data),
    so each member carries about the same share of the sleeve's risk; members without a
    weight yet are left out, and a session where no member has one is NaN.
    """
    out = {}
    for name, sleeve in universe.sleeves.items():
        r = returns[sleeve.tickers]
        if sleeve.weighting == "equal":
            out[name] = r.mean(axis=1, skipna=True).where(r.notna().any(axis=1))
        else:
            vol = r.rolling(sleeve.vol_window, min_periods=min(min_periods, sleeve.vol_window)).std().shift(1)
            w = (1.0 / vol.where(vol > 0)).where(r.notna())
            out[name] = (r * w).sum(axis=1, min_count=1) / w.sum(axis=1, min_count=1)
    return pd.DataFrame(out, index=returns.index)


def _check(
    blocks: tuple[tuple[int, int], ...], horizon: int, band: float, hac_lags: int, min_periods: int, vol_halflife: float
) -> None:
    if not blocks:
        raise ConfigError("blocks must name at least one lag block, e.g. ((0, 0), (1, 4), (5, 19), (20, 39))")
    prev = -1
    for a, b in blocks:
        if a != prev + 1 or b < a:
            raise ConfigError(
                f"blocks={blocks!r} must be contiguous inclusive lag ranges starting at 0, "
                "e.g. ((0, 0), (1, 4), (5, 19), (20, 39))"
            )
        prev = b
    if horizon < prev:
        raise ConfigError(f"horizon={horizon} must be >= the last lag of the blocks ({prev})")
    check_fraction(band, "band")
    if hac_lags < 0:
        raise ConfigError(f"hac_lags={hac_lags} must be >= 0")
    if min_periods < 4 * (len(blocks) + 1):
        raise ConfigError(f"min_periods={min_periods} must be >= {4 * (len(blocks) + 1)} (4 sessions per coefficient)")
    check_positive(vol_halflife, "vol_halflife")


def risk_premium(
    signal: pd.DataFrame,
    prices: pd.DataFrame,
    universe: Universe,
    *,
    state: str = "escalation_intensity",
    transform: Transform = "asinh",
    calendar: str = "XNYS",
    ar_order: int = 20,
    shock_min_periods: int = 60,
    blocks: tuple[tuple[int, int], ...] = DEFAULT_BLOCKS,
    horizon: int | None = None,
    hac_lags: int | None = None,
    min_periods: int = 120,
    beta_window: int = 126,
    beta_min_periods: int = 60,
    vol_halflife: float = 20.0,
    band: float = 0.90,
    sleeve_weights: dict[str, float] | None = None,
    roll_z: float = 3.0,
) -> pd.DataFrame:
    r"""Geopolitical risk premium of each sleeve, ``grpi`` and the oil premium, with bands.

    Parameters
    ----------
    signal : pandas.DataFrame
        Indexed by session, with the ``state`` column: :func:`georisk.daily_signal`
        (``escalation_intensity``, ``hawkish_intensity``, ``attention``) or
        :func:`georisk.external_signal` (GPR points, e.g. ``"gpr"``).
    prices : pandas.DataFrame
        The wide price frame from :func:`georisk.load_prices`.
    universe : Universe
        Sleeves, factors and instruments.
    state : str, default "escalation_intensity"
        Column of ``signal`` used as the anchored news state.
    transform : {"asinh", "log", "none"}, default "asinh"
        Transform of the state before its shocks are taken (:func:`news_shocks`).
    calendar : str, default "XNYS"
        The signal calendar prices are aligned to.
    ar_order, shock_min_periods : int, default 20 and 60
        Autoregression of the state and its warm-up (:func:`news_shocks`): the shocks
        are one-step forecast errors of an AR(20), a month of sessions
        (:func:`shock_diagnostics` compares orders on a state).
    blocks : tuple of (int, int), default ((0, 0), (1, 4), (5, 19), (20, 39))
        Lag blocks of the distributed-lag response; each block shares one daily
        coefficient, so the data say how the response builds and decays over two
        months. The last lag of the last block is the response horizon :math:`h^*`.
    horizon : int, optional
        :math:`H`: shocks of the last :math:`H+1` sessions make up the premium; default
        :math:`h^*`, so that every lag in the window has an estimated coefficient. A
        larger :math:`H` holds the cumulative response at :math:`b_{h^*}` from
        :math:`h^*` to :math:`H` (an assumption, not an estimate).
    hac_lags : int, optional
        Newey-West lags of the covariance; default :math:`h^*` (39 with the default
        blocks), so that the covariance of the response at every horizon :math:`h \le h^*`
        allows for at least :math:`h` lags of serial correlation.
    min_periods : int, default 120
        Sessions with a shock and an abnormal return before responses are estimated.
    beta_window, beta_min_periods : int, default 126 and 60
        Trailing window (ending the session before) of the factor betas.
    vol_halflife : float, default 20.0
        Half-life in sessions of the volatility weighting each session's abnormal return.
    band : float, default 0.90
        Coverage of the ``_lo`` / ``_hi`` bands.
    sleeve_weights : dict, optional
        Weights of the risk sleeves in ``grpi``; equal weights when None.
    roll_z : float, default 3.0
        Robust z-score past which a futures return on an expiry session is masked
        (:func:`georisk.market.causal_roll_mask`).

    Returns
    -------
    pandas.DataFrame
        Index: the signal's sessions. Columns ``state``, ``level``, ``state_change``,
        ``shock``, ``benchmark_return``; per risk sleeve ``k``: ``k_return``, ``k_beta``
        (on the benchmark), ``k_beta_<factor>``, ``k_abnormal``, ``k_response``
        (:math:`b_{h^*}`, return per unit shock) with ``k_response_se``, ``k_premium``
        with ``k_premium_se``, ``k_premium_lo``, ``k_premium_hi``,
        ``k_premium_hawkish`` and ``k_premium_peace`` (the parts built by positive and
        negative shocks), ``k_impulse`` (the further abnormal move today's shock
        implies), ``k_realised_move``, ``k_gap`` and ``grpi_k``; ``grpi``, ``grpi_se``,
        ``grpi_lo``, ``grpi_hi``, ``grpi_t``, ``grpi_hawkish``, ``grpi_peace``; and when
        the universe names an oil ticker ``oil_beta``, ``oil_beta_<factor>``,
        ``oil_abnormal_return``, ``oil_response`` (``_se``), ``oil_premium`` (``_se``,
        ``_lo``, ``_hi``), ``oil_price`` and ``oil_premium_usd`` with
        ``oil_premium_usd_se``, ``oil_premium_usd_lo``, ``oil_premium_usd_hi``.

    Notes
    -----
    1. Returns: simple returns of the aligned closes, with futures roll jumps and
       expiry squeezes masked causally; sleeves combine them (:func:`sleeve_returns`).
    2. Abnormal returns: :math:`ar_{k,t} = r_{k,t} - \beta_{k,t}' f_t`, with
       :math:`f_t` the sleeve's factor returns (benchmark, dollar, ...) and
       :math:`\beta_{k,t}` the OLS slopes over the ``beta_window`` sessions ending
       :math:`t-1`.
    3. Shocks: :math:`\varepsilon_t` from :func:`news_shocks`.
    4. Responses, a distributed-lag model with lag blocks :math:`B_1..B_K`:
       :math:`ar_{k,t} = \alpha_k + \sum_{b} \gamma_{k,b} \sum_{j \in B_b}
       \varepsilon_{t-j} + u_{k,t}`, so that the cumulative abnormal return
       :math:`h` sessions after a unit shock is
       :math:`b_k(h) = \sum_b \gamma_{k,b} |B_b \cap [0, h]|`. It is estimated on the
       pooled, expanding sample of sessions up to :math:`t` by weighted least squares
       with weights :math:`1/\hat\sigma_{k,t}`, the exponentially weighted volatility of
       :math:`ar_k` up to :math:`t-1` (a calm day and a panic day are not equally
       informative); every pair (shock, return) used has its outcome by :math:`t`.
    5. Premium, a historical decomposition: the part of the sleeve's level relative to
       its factors explained by the shocks of the last :math:`H+1` sessions,
       :math:`p_{k,t} = \sum_{j=0}^{H} b_k(\min(j, h^*))\, \varepsilon_{t-j} =
       g_t' \hat\gamma_{k,t}`. A premium persists while its shocks' estimated effect
       persists, and leaves with them.
    6. Uncertainty: :math:`\mathrm{Var}(p_{k,t}) = g_t' B_{k,t} M_{kk,t} B_{k,t} g_t`,
       the sandwich of :func:`georisk.premium._kernels.expanding_wls_hac`
       (Newey-West with ``hac_lags`` lags on recursive residuals); the band is
       :math:`p \pm z_{(1+c)/2}\,\mathrm{se}`. ``grpi`` :math:`= \sum_k w_k p_k` uses the
       cross-sleeve blocks :math:`M_{kl}`. A premium whose band includes zero is not
       distinguishable from zero and is reported with that band, never as precise;
       ``k_response_se`` tells whether the sleeve responds to this state at all.
    7. Oil: the oil ticker alone, with its sleeve's factors;
       :math:`\mathrm{USD}_t = P_t\, p_t / (1 + p_t)`, the price minus the price without
       the news (the band maps through the same monotone function; the standard error
       by the delta method, :math:`P_t\,\mathrm{se}/(1+p_t)^2`).

    Examples
    --------
    >>> from georisk.datasets import load_sample
    >>> from georisk import score_articles, daily_signal, risk_premium
    >>> s = load_sample()
    >>> prem = risk_premium(daily_signal(score_articles(s.articles)), s.prices, s.universe)
    >>> {"grpi", "grpi_lo", "grpi_hi", "oil_premium_usd_se"} <= set(prem.columns)
    True
    """
    if state not in signal.columns:
        raise ConfigError(f"state={state!r} is not a column of signal; choose one of {list(signal.columns)}")
    blocks = tuple((int(a), int(b)) for a, b in blocks)
    if not blocks:
        raise ConfigError("blocks must name at least one lag block, e.g. ((0, 0), (1, 4), (5, 19), (20, 39))")
    horizon = max(b for _, b in blocks) if horizon is None else horizon
    hac_lags = max(b for _, b in blocks) if hac_lags is None else hac_lags
    _check(blocks, horizon, band, hac_lags, min_periods, vol_halflife)
    if beta_window < 2 or not 3 <= beta_min_periods <= beta_window:
        raise ConfigError(f"beta_window={beta_window} and beta_min_periods={beta_min_periods}: need 3 <= min <= window")
    risk = universe.risk_sleeves
    weights = sleeve_weights or {k: 1.0 / len(risk) for k in risk}
    unknown = set(weights) - set(risk)
    if unknown:
        raise ConfigError(f"sleeve_weights names unknown sleeve(s) {sorted(unknown)}; use {risk}")
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
    raw = simple_returns(aligned)
    rets = raw.mask(causal_roll_mask(raw, universe, roll_z=roll_z))
    sleeves = sleeve_returns(rets, universe)

    shocks = news_shocks(signal[state], transform=transform, ar_order=ar_order, min_periods=shock_min_periods)
    eps = shocks["shock"].to_numpy(dtype=float)

    names = list(risk)
    ys = [sleeves[k].to_numpy(dtype=float) for k in risk]
    factor_sets = [universe.factors_of(k) for k in risk]
    oil = universe.oil_ticker
    if oil is not None:
        names.append("oil")
        ys.append(rets[oil].to_numpy(dtype=float))
        home = next(k for k, s in universe.sleeves.items() if oil in s.tickers)
        factor_sets.append(universe.factors_of(home) if home in risk else [universe.benchmark])
    n = len(index)
    y = np.column_stack(ys)
    ar = np.full_like(y, np.nan)
    betas: dict[str, dict[str, np.ndarray]] = {}
    for j, (name, fs) in enumerate(zip(names, factor_sets, strict=True)):
        f = rets[fs].to_numpy(dtype=float)
        b = trailing_factor_betas(y[:, j], f, beta_window, beta_min_periods)[:, 0, :]
        ar[:, j] = y[:, j] - np.einsum("tf,tf->t", b, f)
        betas[name] = {t: b[:, i] for i, t in enumerate(fs)}
    var = pd.DataFrame(ar**2).ewm(halflife=vol_halflife, min_periods=20).mean().shift(1).to_numpy()
    w = 1.0 / np.sqrt(np.where(var > 0, var, np.nan))

    z, g, complete = lag_block_design(eps, blocks, horizon)
    burn = 4 * z.shape[1]
    gamma, bread, meat = expanding_wls_hac(z, ar, w, complete, lags=hac_lags, min_periods=min_periods, burn_in=burn)
    # B_m g for every series, then Cov(p_m, p_n) = (B_m g)' M_mn (B_n g)
    bg = np.einsum("tmkl,tl->tmk", bread, g)
    sizes = np.array([0.0] + [b - a + 1 for a, b in blocks])
    impact = np.array([0.0] + [1.0 if a == 0 else 0.0 for a, _ in blocks])
    ba = np.einsum("tmkl,l->tmk", bread, sizes)
    zq = NormalDist().inv_cdf(0.5 + band / 2.0)

    e_pos = np.where(np.isfinite(eps), np.maximum(eps, 0.0), np.nan)
    _, g_pos, _ = lag_block_design(e_pos, blocks, horizon)
    ar_frame = pd.DataFrame(ar, index=index)
    realised = ar_frame.rolling(horizon + 1, min_periods=max(1, (horizon + 1) // 2)).sum().to_numpy()

    out = pd.DataFrame(
        {
            "state": shocks["state"],
            "level": shocks["level"],
            "state_change": shocks["level"].diff(),
            "shock": shocks["shock"],
            "benchmark_return": sleeves["benchmark"],
        },
        index=index,
    )
    new: dict[str, np.ndarray | pd.Series] = {}
    prem = np.einsum("tk,tmk->tm", g, gamma)
    prem_pos = np.einsum("tk,tmk->tm", g_pos, gamma)
    for j, name in enumerate(names):
        var_p = np.einsum("tk,tkl,tl->t", bg[:, j], meat[:, j, j], bg[:, j])
        se = np.sqrt(np.clip(var_p, 0.0, None))
        resp = gamma[:, j] @ sizes
        var_r = np.einsum("tk,tkl,tl->t", ba[:, j], meat[:, j, j], ba[:, j])
        p = prem[:, j]
        is_sleeve = name != "oil"
        if is_sleeve:
            new[f"{name}_return"] = y[:, j]
        new[f"{name}_beta"] = betas[name].get(universe.benchmark, np.zeros(n))
        for t, b in betas[name].items():
            new[f"{name}_beta_{t}"] = b
        # the oil series is not a sleeve: no "_abnormal" column, which marks tradable sleeves
        new[f"{name}_abnormal" if is_sleeve else "oil_abnormal_return"] = ar[:, j]
        new[f"{name}_response"] = resp
        new[f"{name}_response_se"] = np.sqrt(np.clip(var_r, 0.0, None))
        new[f"{name}_premium"] = p
        new[f"{name}_premium_se"] = se
        new[f"{name}_premium_lo"] = p - zq * se
        new[f"{name}_premium_hi"] = p + zq * se
        if is_sleeve:
            new[f"{name}_premium_hawkish"] = prem_pos[:, j]
            new[f"{name}_premium_peace"] = p - prem_pos[:, j]
            new[f"{name}_impulse"] = (resp - gamma[:, j] @ impact) * eps
            new[f"{name}_realised_move"] = realised[:, j]
            new[f"{name}_gap"] = p - realised[:, j]
    nr = len(risk)
    wv = np.array([weights.get(k, 0.0) for k in risk])
    grpi = prem[:, :nr] @ wv
    wbg = bg[:, :nr] * wv[None, :, None]
    var_g = np.einsum("tmk,tmnkl,tnl->t", wbg, meat[:, :nr, :nr], wbg, optimize=True)
    se_g = np.sqrt(np.clip(var_g, 0.0, None))
    for j, k in enumerate(risk):
        new[f"grpi_{k}"] = wv[j] * prem[:, j]
    new["grpi"] = grpi
    new["grpi_se"] = se_g
    new["grpi_lo"] = grpi - zq * se_g
    new["grpi_hi"] = grpi + zq * se_g
    with np.errstate(divide="ignore", invalid="ignore"):
        new["grpi_t"] = np.where(se_g > 0, grpi / se_g, np.nan)
    grpi_hawkish = prem_pos[:, :nr] @ wv
    new["grpi_hawkish"] = grpi_hawkish
    new["grpi_peace"] = grpi - grpi_hawkish
    if oil is not None:
        price = aligned[oil].to_numpy(dtype=float)
        p = np.asarray(new["oil_premium"], dtype=float)
        se = np.asarray(new["oil_premium_se"], dtype=float)

        def usd(v: np.ndarray) -> np.ndarray:
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(v > -1.0, price * v / (1.0 + v), np.nan)

        new["oil_price"] = price
        new["oil_premium_usd"] = usd(p)
        with np.errstate(divide="ignore", invalid="ignore"):
            new["oil_premium_usd_se"] = np.where(p > -1.0, price * se / (1.0 + p) ** 2, np.nan)
        new["oil_premium_usd_lo"] = usd(np.asarray(new["oil_premium_lo"], dtype=float))
        new["oil_premium_usd_hi"] = usd(np.asarray(new["oil_premium_hi"], dtype=float))
    out = pd.concat([out, pd.DataFrame(new, index=index)], axis=1)
    return out.replace([np.inf, -np.inf], np.nan)
