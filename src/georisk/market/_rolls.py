"""Contract expiries of continuous front-month futures, and the causal roll mask.

A continuous front-month series (Yahoo's ``NG=F``, ``CL=F``, ``BZ=F``, ``ZW=F``) jumps
when it switches from the expiring contract to the next one, and can squeeze on the
expiry day itself: Henry Hub gained 25.8% on 2024-04-29 and 21.3% on 2024-10-30 at
rolls, and 46% on 2022-01-27 on an expiry day. Those moves are not news. The exchange
rules that fix the last trading day are published in advance, so the sessions around
each expiry are known before they happen: masking a large return on one of them uses no
future data.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from georisk.calendar import get_calendar
from georisk.config import Universe
from georisk.errors import ConfigError

__all__ = ["ROLL_RULES", "RollRule", "causal_roll_mask", "contract_expiries", "roll_window"]

RollRule = Literal["nymex_ng", "nymex_cl", "nymex_bz", "cbot_grain"]

#: Last-trading-day rules of the front-month contracts georisk knows, as the exchange states them.
ROLL_RULES: dict[str, str] = {
    "nymex_ng": "NYMEX Henry Hub (NG): three business days before the first calendar day of the delivery month",
    "nymex_cl": (
        "NYMEX WTI (CL): three business days before the 25th calendar day of the month before delivery "
        "(before the last business day preceding the 25th when the 25th is not a business day)"
    ),
    "nymex_bz": "NYMEX Brent last day financial (BZ): the last business day of the second month before delivery",
    "cbot_grain": "CBOT wheat and corn (March, May, July, September, December): the business day before the 15th",
}

_GRAIN_MONTHS = (3, 5, 7, 9, 12)


def contract_expiries(rule: str, start: str | pd.Timestamp, end: str | pd.Timestamp) -> pd.DatetimeIndex:
    """Last trading days of the front-month contracts between ``start`` and ``end``.

    Parameters
    ----------
    rule : {"nymex_ng", "nymex_cl", "nymex_bz", "cbot_grain"}
        The contract's rule (:data:`ROLL_RULES`).
    start, end : date-like
        Range of the expiries returned (inclusive).

    Returns
    -------
    pandas.DatetimeIndex
        Tz-naive dates, sorted, on CME (``CMES``) sessions.

    Notes
    -----
    Business days are sessions of the ``CMES`` calendar of exchange_calendars. For
    month :math:`M`: NG expires on the third session before the first day of
    :math:`M+1`; CL on the third session before the 25th of :math:`M` (counted from the
    last session before the 25th when the 25th is not one); BZ on the last session of
    :math:`M`; CBOT grains on the last session before the 15th of a contract month.

    Examples
    --------
    >>> [str(d.date()) for d in contract_expiries("nymex_ng", "2024-04-01", "2024-04-30")]
    ['2024-04-26']
    """
    if rule not in ROLL_RULES:
        raise ConfigError(f"roll rule {rule!r} is unknown; use one of {sorted(ROLL_RULES)} or leave roll unset")
    lo, hi = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if lo > hi:
        return pd.DatetimeIndex([])
    cal = get_calendar("CMES")
    sessions = pd.DatetimeIndex(cal.sessions).tz_localize(None).normalize()
    sessions = sessions[(sessions >= lo - pd.Timedelta(days=40)) & (sessions <= hi + pd.Timedelta(days=40))]
    values = sessions.to_numpy()
    out: list[pd.Timestamp] = []
    for month in pd.period_range(lo - pd.offsets.MonthBegin(1), hi + pd.offsets.MonthBegin(1), freq="M"):
        first = month.start_time
        if rule == "nymex_ng":
            pos = np.searchsorted(values, (first + pd.offsets.MonthBegin(1)).to_datetime64(), side="left") - 3
        elif rule == "nymex_cl":
            day25 = first + pd.Timedelta(days=24)
            pos = np.searchsorted(values, day25.to_datetime64(), side="left")
            is_session = pos < len(values) and values[pos] == day25.to_datetime64()
            pos -= 3 if is_session else 4
        elif rule == "nymex_bz":
            pos = np.searchsorted(values, (first + pd.offsets.MonthBegin(1)).to_datetime64(), side="left") - 1
        else:
            if month.month not in _GRAIN_MONTHS:
                continue
            pos = np.searchsorted(values, (first + pd.Timedelta(days=14)).to_datetime64(), side="left") - 1
        if 0 <= pos < len(values):
            day = pd.Timestamp(values[pos])
            if lo <= day <= hi:
                out.append(day)
    return pd.DatetimeIndex(sorted(set(out)))


def roll_window(rule: str, sessions: pd.DatetimeIndex, *, after: int = 1) -> np.ndarray:
    """Which ``sessions`` fall on an expiry day or within ``after`` sessions after one.

    Parameters
    ----------
    rule : str
        A rule of :data:`ROLL_RULES`.
    sessions : pandas.DatetimeIndex
        The sessions to mark (any calendar; matched by date).
    after : int, default 1
        Sessions after the expiry that still belong to the roll (the continuous series
        switches contract on the first session after the last trading day).

    Returns
    -------
    numpy.ndarray
        Boolean, one entry per session.
    """
    if len(sessions) == 0:
        return np.zeros(0, dtype=bool)
    idx = pd.DatetimeIndex(sessions).normalize()
    exp = contract_expiries(rule, idx.min() - pd.Timedelta(days=10), idx.max())
    out = np.zeros(len(idx), dtype=bool)
    if len(exp) == 0:
        return out
    pos = idx.searchsorted(exp, side="left")
    for p in pos:
        out[p : min(p + after + 1, len(idx))] = True
    return out


def causal_roll_mask(
    returns: pd.DataFrame,
    universe: Universe,
    *,
    roll_z: float = 3.0,
    jump_z: float = 8.0,
    window: int = 63,
    min_periods: int = 20,
) -> pd.DataFrame:
    """Mask (sessions x tickers) of futures returns that are roll jumps or expiry squeezes.

    Parameters
    ----------
    returns : pandas.DataFrame
        Simple returns aligned to sessions, one column per ticker.
    universe : Universe
        Says which tickers are futures and their ``roll`` rule.
    roll_z : float, default 3.0
        Robust z-score past which a return on an expiry session (the last trading day or
        the session after it) is masked, for futures with a ``roll`` rule.
    jump_z : float, default 8.0
        Robust z-score past which any return of a future without a rule is masked (the
        rule of :meth:`georisk.market.QualityReport.roll_mask`).
    window, min_periods : int, default 63 and 20
        Returns before the session used for the robust median and MAD.

    Returns
    -------
    pandas.DataFrame
        Boolean, same shape as ``returns``; equities and ETFs are never masked.

    Notes
    -----
    With median :math:`m_t` and MAD of the ``window`` returns before :math:`t`, the robust
    z-score is :math:`z_t = (r_t - m_t) / (1.4826\\,\\mathrm{MAD}_t)`. A future with a
    rule is masked at :math:`t` iff :math:`t` is an expiry session and :math:`|z_t| >`
    ``roll_z``; one without iff :math:`|z_t| >` ``jump_z``. Both use data up to
    :math:`t` and the published expiry calendar only, so appending prices never changes
    the mask of an earlier session.
    """
    if roll_z <= 0 or jump_z <= 0:
        raise ConfigError(f"roll_z={roll_z} and jump_z={jump_z} must be > 0")
    mask = pd.DataFrame(False, index=returns.index, columns=returns.columns)
    sessions = pd.DatetimeIndex(returns.index)
    for ticker in returns.columns:
        try:
            inst = universe.instrument(str(ticker))
        except ConfigError:
            continue
        if not inst.is_future:
            continue
        r = returns[ticker].astype(float)
        med = r.rolling(window, min_periods=min_periods).median().shift(1)
        mad = (r - med).abs().rolling(window, min_periods=min_periods).median().shift(1)
        z = ((r - med) / (1.4826 * mad).where(mad > 0)).abs().to_numpy()
        if inst.roll is not None:
            hit = roll_window(inst.roll, sessions) & (np.nan_to_num(z) > roll_z)
        else:
            hit = np.nan_to_num(z) > jump_z
        mask[ticker] = hit
    return mask
