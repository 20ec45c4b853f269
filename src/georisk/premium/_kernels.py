"""Trailing regressions for the premium indicator, vectorised over columns with numpy.

Every estimate dated ``t`` uses rows ``t-W+1 .. t`` only; callers shift by one session
where the design asks for a window ending the session before. Rows where ``y`` or ``x``
is NaN are skipped (``missing="skip"``); an estimate needs ``min_periods`` complete rows
in its window, and is NaN before (warm-up) or when the regressor does not vary.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from georisk.errors import ConfigError

__all__ = [
    "expanding_ar_innovations",
    "expanding_wls_hac",
    "lag_block_design",
    "trailing_factor_betas",
    "trailing_huber_slope",
    "trailing_ols_slope",
    "trailing_sum",
]

#: A centred sum of squares below this fraction of the raw sum is treated as zero.
_REL_EPS = 1e-12


def _as_2d(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    return a[:, None] if a.ndim == 1 else a


def _window_sums(v: np.ndarray, window: int) -> np.ndarray:
    """Sum over the trailing ``window`` rows (fewer at the start) via a cumulative sum."""
    c = np.cumsum(v, axis=0)
    out = c.copy()
    if len(v) > window:
        out[window:] -= c[:-window]
    return out


def _masked_median(a: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Median along the last axis over the entries where ``ok``; NaN where none."""
    n = ok.sum(axis=-1)
    srt = np.sort(np.where(ok, a, np.inf), axis=-1)
    lo = np.clip((n - 1) // 2, 0, None)[..., None]
    hi = np.clip(n // 2, 0, a.shape[-1] - 1)[..., None]
    med = 0.5 * (np.take_along_axis(srt, lo, axis=-1) + np.take_along_axis(srt, hi, axis=-1))[..., 0]
    return np.where(n > 0, med, np.nan)


def trailing_sum(v: np.ndarray, window: int, min_periods: int) -> np.ndarray:
    """Trailing sum of the non-NaN values of ``v`` over ``window`` rows.

    Parameters
    ----------
    v : numpy.ndarray
        Shape ``(T,)`` or ``(T, K)``.
    window, min_periods : int
        Window length and non-NaN values needed (NaN before).

    Returns
    -------
    numpy.ndarray
        Shape ``(T, K)``.
    """
    v2 = _as_2d(v)
    ok = ~np.isnan(v2)
    n = _window_sums(ok.astype(float), window)
    s = _window_sums(np.where(ok, v2, 0.0), window)
    return np.where(n >= min_periods, s, np.nan)


def trailing_ols_slope(
    y: np.ndarray, x: np.ndarray, window: int, min_periods: int, *, ridge: float = 0.0
) -> np.ndarray:
    """Slope of ``y`` on ``x`` (with intercept) over trailing windows, for many columns at once.

    Parameters
    ----------
    y : numpy.ndarray
        Shape ``(T, K)`` (or ``(T,)``): the dependent variables.
    x : numpy.ndarray
        Shape ``(T,)`` (one regressor for all columns) or ``(T, K)``.
    window : int
        Rows in each window, ending at (and including) the row the estimate is dated.
    min_periods : int
        Complete rows needed in the window.
    ridge : float, default 0.0
        Penalty :math:`\\lambda` added to the centred regressor sum of squares.

    Returns
    -------
    numpy.ndarray
        Shape ``(T, K)``.

    Notes
    -----
    With window sums over complete rows, :math:`S_{xy} = \\sum xy - n \\bar x \\bar y` and
    :math:`S_{xx} = \\sum x^2 - n \\bar x^2`, the slope is :math:`S_{xy}/(S_{xx}+\\lambda)`.
    The sums come from cumulative sums (normal equations), which costs :math:`O(TK)`
    whatever the window; run it on returns, not on price levels, to keep precision.
    """
    if window < 2 or min_periods < 2:
        raise ConfigError(f"window={window} and min_periods={min_periods} must be >= 2")
    y2 = _as_2d(y)
    x2 = np.broadcast_to(_as_2d(x), y2.shape)
    ok = ~(np.isnan(y2) | np.isnan(x2))
    x0, y0 = np.where(ok, x2, 0.0), np.where(ok, y2, 0.0)
    n = _window_sums(ok.astype(float), window)
    sx, sy = _window_sums(x0, window), _window_sums(y0, window)
    sxx, sxy = _window_sums(x0 * x0, window), _window_sums(x0 * y0, window)
    with np.errstate(invalid="ignore", divide="ignore"):
        cxx = sxx - sx * sx / n
        cxy = sxy - sx * sy / n
        cxx = np.where(cxx > _REL_EPS * sxx, cxx, 0.0)
        den = cxx + ridge
        slope = np.where((n >= min_periods) & (den > 0), cxy / np.where(den > 0, den, 1.0), np.nan)
    return slope


def trailing_huber_slope(
    y: np.ndarray,
    x: np.ndarray,
    window: int,
    min_periods: int,
    *,
    ridge: float = 0.0,
    c: float = 1.345,
    max_iter: int = 10,
    tol: float = 1e-10,
) -> np.ndarray:
    """Huber-robust slope of ``y`` on ``x`` (with intercept) over trailing windows.

    Parameters
    ----------
    y : numpy.ndarray
        Shape ``(T, K)`` (or ``(T,)``).
    x : numpy.ndarray
        Shape ``(T,)`` or ``(T, K)``.
    window, min_periods : int
        As in :func:`trailing_ols_slope`.
    ridge : float, default 0.0
        Penalty added to the weighted centred regressor sum of squares.
    c : float, default 1.345
        Huber threshold in robust standard deviations (95 % efficiency under normality).
    max_iter : int, default 10
        Iteratively reweighted least-squares iterations.
    tol : float, default 1e-10
        Stop when no slope moves by more than this.

    Returns
    -------
    numpy.ndarray
        Shape ``(T, K)``.

    Notes
    -----
    Iteratively reweighted least squares: start from the OLS fit; with residuals
    :math:`r_i` and scale :math:`\\hat\\sigma = 1.4826\\,\\mathrm{median}|r_i|`, weights are
    :math:`w_i = \\min(1, c\\hat\\sigma/|r_i|)` and the next slope is the weighted, ridge
    slope :math:`S^w_{xy}/(S^w_{xx} + \\lambda)`. Every window is solved from its own rows
    only and stops iterating on its own (when its slope moves by at most ``tol``, or after
    ``max_iter``), so an estimate never depends on later data. Cost :math:`O(TKW)` per iteration.
    """
    if c <= 0:
        raise ConfigError(f"huber c={c} must be > 0")
    y2 = _as_2d(y)
    x2 = np.broadcast_to(_as_2d(x), y2.shape)
    t, k = y2.shape
    out = np.full((t, k), np.nan)
    if t == 0:
        return out
    # Only windows with enough rows are solved; each from its own rows (no future data).
    pad = np.full((window - 1, k), np.nan)
    complete = (~(np.isnan(y2) | np.isnan(x2))).astype(float)
    nwin = sliding_window_view(np.vstack([np.zeros((window - 1, k)), complete]), window, axis=0)
    rows, cols = np.nonzero(nwin.sum(axis=2) >= min_periods)
    if len(rows) == 0:
        return out
    yw = np.ascontiguousarray(sliding_window_view(np.vstack([pad, y2]), window, axis=0)[rows, cols])  # (M, W)
    xw = np.ascontiguousarray(sliding_window_view(np.vstack([pad, x2]), window, axis=0)[rows, cols])
    ok = ~(np.isnan(yw) | np.isnan(xw))
    xv, yv = np.where(ok, xw, 0.0), np.where(ok, yw, 0.0)
    raw = (xv * xv).sum(axis=1)
    w = ok.astype(float)
    slope = np.full(len(rows), np.nan)
    # Each window stops on its own: a global stopping rule would let later windows decide
    # how many iterations an earlier one gets, and so leak future data into it.
    active = np.ones(len(rows), dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        for i in range(max_iter + 1):
            sw = w.sum(axis=1)
            mx = np.einsum("mw,mw->m", w, xv) / sw
            my = np.einsum("mw,mw->m", w, yv) / sw
            dx = (xv - mx[:, None]) * ok
            dy = (yv - my[:, None]) * ok
            wdx = w * dx
            sxx = np.einsum("mw,mw->m", wdx, dx)
            sxy = np.einsum("mw,mw->m", wdx, dy)
            sxx = np.where(sxx > _REL_EPS * raw, sxx, 0.0)
            den = sxx + ridge
            new = np.where(den > 0, sxy / np.where(den > 0, den, 1.0), np.nan)
            if i > 0:
                settled = np.abs(np.nan_to_num(new - slope, nan=0.0)) <= tol
                slope = np.where(active, new, slope)
                active &= ~settled
            else:
                slope = new
            if not active.any():
                break
            resid = np.abs(dy - np.nan_to_num(new)[:, None] * dx)
            scale = 1.4826 * _masked_median(resid, ok)
            u = resid / np.where(scale > 0, scale, np.inf)[:, None]
            w = np.where(active[:, None], np.where(u > c, c / np.where(u > 0, u, 1.0), 1.0) * ok, w)
    out[rows, cols] = slope
    return out


# ---------------------------------------------------------------------------------------
# Kernels of the response model (georisk.premium.risk_premium)
# ---------------------------------------------------------------------------------------


def _batched_solve(a: np.ndarray, b: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Solve ``a[t] x = b[t]`` where ``ok[t]``; NaN elsewhere or where ``a[t]`` is singular."""
    out = np.full(b.shape, np.nan)
    idx = np.flatnonzero(ok)
    if len(idx) == 0:
        return out
    k = a.shape[-1]
    # A relative jitter keeps a singular window (a regressor that never moved) finite; its
    # estimate is then flagged by the caller through the regressor's variation instead.
    scale = np.maximum(np.trace(a[idx], axis1=1, axis2=2) / k, 1e-300)
    jitter = (_REL_EPS * scale)[:, None, None] * np.eye(k)
    out[idx] = np.linalg.solve(a[idx] + jitter, b[idx][..., None])[..., 0]
    return out


def _lag_matrix(s: np.ndarray, order: int) -> np.ndarray:
    """Rows ``(1, s[t-1], ..., s[t-order])``; NaN where a lag falls before the start."""
    n = len(s)
    cols = [np.ones(n)] + [
        np.concatenate([np.full(min(lag, n), np.nan), s[: max(n - lag, 0)]]) for lag in range(1, order + 1)
    ]
    return np.column_stack(cols)


def expanding_ar_innovations(state: np.ndarray, order: int, min_periods: int) -> tuple[np.ndarray, np.ndarray]:
    """One-step-ahead innovations of an AR(p) fitted on an expanding window.

    Parameters
    ----------
    state : numpy.ndarray
        Shape ``(T,)``; NaN where the state is undefined.
    order : int
        Autoregressive order :math:`p` (0 for innovations around the expanding mean).
    min_periods : int
        Complete rows (state and its ``order`` lags) needed before a forecast is made.

    Returns
    -------
    (forecast, innovation) : tuple of numpy.ndarray
        Shape ``(T,)`` each; NaN in the warm-up and where a lag is still undefined;
        the innovation is 0 on a session without a state after the warm-up.

    Notes
    -----
    With :math:`x_t = (1, s_{t-1}, \\dots, s_{t-p})`, the forecast of :math:`s_t` is
    :math:`x_t' \\hat\\phi_{t-1}`, where :math:`\\hat\\phi_{t-1}` is the OLS estimate on the
    rows up to :math:`t-1` (cumulative normal equations), and the innovation is
    :math:`\\varepsilon_t = s_t - x_t'\\hat\\phi_{t-1}`: what the state adds beyond what
    its own past predicted. Row :math:`t` uses nothing after :math:`t`.

    A session without a state (no source published) is treated as a filter treats a
    missing observation: its value is taken to be its forecast, so it adds no news
    (:math:`\\varepsilon_t = 0`) and later forecasts use that value in its place. Only
    rows whose state and lags were all observed enter the estimate, so a gap costs one
    session, not the :math:`p` sessions whose lags it would otherwise break.
    """
    s = np.asarray(state, dtype=float)
    n = len(s)
    x = _lag_matrix(s, order)
    ok = np.isfinite(x).all(axis=1) & np.isfinite(s)
    x0 = np.where(ok[:, None], x, 0.0)
    y0 = np.where(ok, s, 0.0)
    xx = np.cumsum(x0[:, :, None] * x0[:, None, :], axis=0)
    xy = np.cumsum(x0 * y0[:, None], axis=0)
    count = np.cumsum(ok)
    # coefficients from rows up to t-1, used at row t
    prev_ok = np.zeros(n, dtype=bool)
    prev_ok[1:] = count[:-1] >= max(min_periods, order + 2)
    xx_prev = np.concatenate([np.zeros((1, *xx.shape[1:])), xx[:-1]])
    xy_prev = np.concatenate([np.zeros((1, xy.shape[1])), xy[:-1]])
    phi = _batched_solve(xx_prev, xy_prev, prev_ok)
    gaps = np.flatnonzero(~np.isfinite(s) & prev_ok)  # after the warm-up: filled, not left to break lags
    filled = s.copy()
    for t in gaps:  # in time order: a fill may use an earlier fill
        row = np.concatenate([[1.0], filled[max(t - order, 0) : t][::-1]])
        if len(row) == order + 1 and np.isfinite(row).all() and np.isfinite(phi[t]).all():
            filled[t] = float(row @ phi[t])
    xf = _lag_matrix(filled, order)
    live = prev_ok & np.isfinite(xf).all(axis=1) & np.isfinite(phi).all(axis=1)
    forecast = np.where(live, np.einsum("tk,tk->t", np.nan_to_num(xf), np.nan_to_num(phi)), np.nan)
    innovation = filled - forecast
    innovation[live & ~np.isfinite(s) & np.isfinite(filled)] = 0.0
    return forecast, innovation


def trailing_factor_betas(y: np.ndarray, factors: np.ndarray, window: int, min_periods: int) -> np.ndarray:
    """Multi-factor OLS slopes (with intercept) over the ``window`` rows ending the row before.

    Parameters
    ----------
    y : numpy.ndarray
        Shape ``(T, M)``: the returns to explain.
    factors : numpy.ndarray
        Shape ``(T, F)``: the factor returns.
    window, min_periods : int
        Rows in each window and complete rows needed (NaN before).

    Returns
    -------
    numpy.ndarray
        Shape ``(T, M, F)``: row ``t`` holds the slopes estimated on rows
        ``t-window .. t-1``, so it is known before the close of ``t``.

    Notes
    -----
    Windowed normal equations from cumulative sums of :math:`x x'` and :math:`x y` with
    :math:`x = (1, f_1, \\dots, f_F)`; a row enters only when ``y`` and every factor are
    finite. Each column of ``y`` has its own set of complete rows.
    """
    y2 = _as_2d(y)
    f = _as_2d(factors)
    t_len, m = y2.shape
    nf = f.shape[1]
    x = np.column_stack([np.ones(t_len), f])
    out = np.full((t_len, m, nf), np.nan)
    f_ok = np.isfinite(x).all(axis=1)
    for j in range(m):
        ok = f_ok & np.isfinite(y2[:, j])
        x0 = np.where(ok[:, None], x, 0.0)
        y0 = np.where(ok, y2[:, j], 0.0)
        xx = _window_sums(x0[:, :, None] * x0[:, None, :], window)
        xy = _window_sums(x0 * y0[:, None], window)
        cnt = _window_sums(ok.astype(float), window)
        # the estimate of rows ending t-1 moves to row t
        xx = np.concatenate([np.zeros((1, *xx.shape[1:])), xx[:-1]])
        xy = np.concatenate([np.zeros((1, xy.shape[1])), xy[:-1]])
        cnt = np.concatenate([[0.0], cnt[:-1]])
        b = _batched_solve(xx, xy, cnt >= min_periods)
        out[:, j, :] = b[:, 1:]
    return out


def lag_block_design(
    shocks: np.ndarray, blocks: tuple[tuple[int, int], ...], horizon: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Regressors and decomposition weights of the lag-block distributed-lag model.

    Parameters
    ----------
    shocks : numpy.ndarray
        Shape ``(T,)``: news shocks, NaN in their warm-up.
    blocks : tuple of (int, int)
        Inclusive lag ranges :math:`B_k = [a_k, b_k]` sharing one daily coefficient each.
    horizon : int
        :math:`H`, the last lag whose shock still counts in the premium (``>= b_K``).

    Returns
    -------
    (z, g, complete) : tuple of numpy.ndarray
        ``z`` shape ``(T, K+1)``: intercept and :math:`z_{k,t} = \\sum_{j \\in B_k}
        \\varepsilon_{t-j}`; ``g`` shape ``(T, K+1)``: :math:`g_{k,t} = \\sum_{i \\in B_k}
        \\sum_{j=i}^{H} \\varepsilon_{t-j}` (0 for the intercept), so that the premium is
        :math:`g_t'\\gamma`; ``complete``: rows whose regressors have no shock in warm-up.
    """
    e = np.asarray(shocks, dtype=float)
    n = len(e)
    finite = np.isfinite(e)
    e0 = np.where(finite, e, 0.0)
    c = np.concatenate([[0.0], np.cumsum(e0)])  # c[t+1] = sum_{s<=t} e_s

    def lag_sum(a: int, b: int) -> np.ndarray:
        # sum_{j=a}^{b} e_{t-j} = c[t-a+1] - c[t-b]
        t = np.arange(n)
        hi = np.clip(t - a + 1, 0, n)
        lo = np.clip(t - b, 0, n)
        out: np.ndarray = c[hi] - c[lo]
        return out

    ones = np.ones(n)
    z = np.column_stack([ones] + [lag_sum(a, b) for a, b in blocks])
    # g_k = sum_{i=a}^{b} sum_{j=i}^{H} e_{t-j} = sum_{j=a}^{H} (min(j, b) - a + 1) e_{t-j}
    g_cols = [np.zeros(n)]
    for a, b in blocks:
        # (min(j,b)-a+1) e_{t-j} for j in [a,b] plus (b-a+1) e_{t-j} for j in (b,H]
        jw = np.zeros(n)
        for j in range(a, b + 1):
            jw += (j - a + 1) * np.concatenate([np.zeros(min(j, n)), e0[: max(n - j, 0)]])
        if horizon > b:
            jw += (b - a + 1) * lag_sum(b + 1, horizon)
        g_cols.append(jw)
    g = np.column_stack(g_cols)
    last = max(b for _, b in blocks)
    fin = np.concatenate([[0], np.cumsum(~finite)])
    t = np.arange(n)
    complete = (fin[t + 1] - fin[np.clip(t - last, 0, n)] == 0) & (t >= last)
    return z, g, complete


def expanding_wls_hac(
    z: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    rows: np.ndarray,
    *,
    lags: int,
    min_periods: int,
    burn_in: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expanding weighted least squares with a recursive-residual HAC covariance, for many series.

    Parameters
    ----------
    z : numpy.ndarray
        Shape ``(T, K)``: regressors shared by every series.
    y, w : numpy.ndarray
        Shape ``(T, M)``: dependent series and their weights (``1 / sigma``).
    rows : numpy.ndarray
        Shape ``(T,)`` boolean: rows whose regressors are usable.
    lags : int
        Newey-West (Bartlett) lags of the meat.
    min_periods : int
        Rows of a series needed before its estimate is reported.
    burn_in : int
        Rows before recursive residuals start to enter the meat.

    Returns
    -------
    (gamma, bread, meat) : tuple of numpy.ndarray
        ``gamma`` shape ``(T, M, K)``; ``bread`` shape ``(T, M, K, K)``, the inverse of
        the weighted cross-product; ``meat`` shape ``(T, M, M, K, K)``, the HAC meat
        between every pair of series, so that
        :math:`\\mathrm{Cov}(\\hat\\gamma_m, \\hat\\gamma_n) = B_m M_{mn} B_n`.

    Notes
    -----
    Series :math:`m` uses rows with finite :math:`y_m` and :math:`w_m`. At row :math:`t`,
    :math:`\\hat\\gamma_t = (\\sum_{s \\le t} \\tilde z_s \\tilde z_s')^{-1}
    \\sum_{s \\le t} \\tilde z_s \\tilde y_s` with :math:`\\tilde z = w z`,
    :math:`\\tilde y = w y`. The meat sums scores :math:`\\tilde z_s u_s` built from the
    recursive (one-step-ahead) residual :math:`u_s = \\tilde y_s - \\tilde z_s'
    \\hat\\gamma_{s-1}`, with Bartlett weights :math:`1 - l/(L+1)` on lags
    :math:`l \\le L`. A recursive residual is never smaller in expectation than the
    in-sample one (its variance is :math:`\\sigma^2 (1 + h_s)` with :math:`h_s` the
    leverage of row :math:`s` against the past), so an episode that the past did not
    predict widens the band instead of vanishing into its own fit, as a jackknife
    (HC3) would; and every estimate dated :math:`t` stays a function of rows up to
    :math:`t` only.
    """
    n, k = z.shape
    m = y.shape[1]
    gamma = np.full((n, m, k), np.nan)
    bread = np.full((n, m, k, k), np.nan)
    scores = np.zeros((n, m, k))
    for j in range(m):
        ok = rows & np.isfinite(y[:, j]) & np.isfinite(w[:, j])
        zt = np.where(ok[:, None], z * w[:, j : j + 1], 0.0)
        zt = np.nan_to_num(zt)
        yt = np.where(ok, np.nan_to_num(y[:, j] * w[:, j]), 0.0)
        xx = np.cumsum(zt[:, :, None] * zt[:, None, :], axis=0)
        xy = np.cumsum(zt * yt[:, None], axis=0)
        count = np.cumsum(ok)
        est = count >= max(burn_in, k + 1)
        g = _batched_solve(xx, xy, est)
        prev = np.concatenate([np.full((1, k), np.nan), g[:-1]])
        u = yt - np.einsum("tk,tk->t", zt, prev)
        use = ok & np.isfinite(u)
        scores[:, j, :] = np.where(use[:, None], zt * np.where(use, u, 0.0)[:, None], 0.0)
        report = count >= min_periods
        gamma[report, j] = g[report]
        ridx = np.flatnonzero(report)
        if len(ridx):
            # the report rows passed the solve above; a jitter keeps a degenerate one finite
            k_eye = np.eye(k) * (_REL_EPS * np.maximum(np.trace(xx[ridx], axis1=1, axis2=2) / k, 1e-300))[:, None, None]
            bread[ridx, j] = np.linalg.inv(xx[ridx] + k_eye)
    # Meat between series m and n. The Bartlett lag terms sum_l w_l s_t s_{t-l}' are
    # s_t q_t' with q_t = sum_{l=1}^{L} w_l s_{t-l}, a causal weighted sum of past scores,
    # so the whole meat is three cumulative sums whatever the number of lags.
    q = np.zeros_like(scores)
    for lag in range(1, lags + 1):
        q[lag:] += (1.0 - lag / (lags + 1.0)) * scores[:-lag]
    step = scores[:, :, None, :, None] * scores[:, None, :, None, :]
    step += scores[:, :, None, :, None] * q[:, None, :, None, :]
    step += q[:, :, None, :, None] * scores[:, None, :, None, :]
    meat = np.cumsum(step, axis=0)
    return gamma, bread, meat
