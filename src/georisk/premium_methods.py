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

__all__ = ["trailing_huber_slope", "trailing_ols_slope", "trailing_sum"]

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
