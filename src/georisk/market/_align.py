"""Aligning each instrument's closes to the signal calendar, and returns."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from georisk.calendar import get_calendar, session_closes
from georisk.config import Instrument, Universe
from georisk.errors import DataQualityWarning

__all__ = ["align_to_sessions", "known_at", "simple_returns"]

log = logging.getLogger(__name__)


def known_at(dates: pd.DatetimeIndex, instrument: Instrument) -> pd.DatetimeIndex:
    """UTC time at which each daily price of ``instrument`` is known.

    Parameters
    ----------
    dates : pandas.DatetimeIndex
        The instrument's local trading dates (tz-naive).
    instrument : Instrument
        Gives ``close_time`` and ``timezone``, or else the exchange ``calendar`` whose
        session close (early closes included) is used.

    Returns
    -------
    pandas.DatetimeIndex
        ``datetime64[ns, UTC]``, one per date.
    """
    dates = pd.DatetimeIndex(dates).as_unit("ns")
    if instrument.close_time is not None and instrument.timezone is not None:
        hh, mm = (int(x) for x in instrument.close_time.split(":"))
        local = dates + pd.Timedelta(hours=hh, minutes=mm)
        return local.tz_localize(instrument.timezone, ambiguous="raise", nonexistent="raise").tz_convert("UTC")
    if len(dates) == 0:
        return pd.DatetimeIndex([], dtype="datetime64[ns, UTC]")
    cal = get_calendar(instrument.calendar, str(dates.min().date()), str(dates.max().date()))
    closes = pd.Series(pd.DatetimeIndex(cal.closes).tz_convert("UTC").as_unit("ns"), index=cal.closes.index)
    found = closes.reindex(dates)
    # A date that is not a session of its own calendar (bad data or a special session):
    # assume the regular close of the calendar's most common close time.
    if found.isna().any():
        typical = pd.Timedelta(closes.dt.hour.mode()[0], unit="h") + pd.Timedelta(closes.dt.minute.mode()[0], unit="m")
        fill = pd.Series(dates.tz_localize("UTC") + typical, index=dates)
        found = found.fillna(fill)
    return pd.DatetimeIndex(found)


def align_to_sessions(
    prices: pd.DataFrame, universe: Universe, *, calendar: str = "XNYS", end: str | pd.Timestamp | None = None
) -> pd.DataFrame:
    """Last price of each instrument known at each signal session's close.

    Parameters
    ----------
    prices : pandas.DataFrame
        The wide price frame (each column on its instrument's own trading dates).
    universe : Universe
        Gives each ticker's close time or calendar.
    calendar : str, default "XNYS"
        The signal calendar.
    end : date-like, optional
        Last session of the output (default: the last session any price maps to).

    Returns
    -------
    pandas.DataFrame
        Index: signal sessions named ``session``. A price printed at a time after a
        session's close is not known at that session: a Frankfurt close at 17:30 CET
        is known at the New York close the same day; a Brent settlement on a New York
        holiday first counts for the next New York session. Before an instrument's
        first price the value is NaN.
    """
    if prices.empty:
        raise ValueError("prices is empty")
    first = prices.index.min()
    last = pd.Timestamp(end) if end is not None else prices.index.max() + pd.Timedelta(days=10)
    closes = session_closes(calendar, str(first.date()), str(last.date()))
    close_utc = pd.DatetimeIndex(closes)
    cols = {}
    for ticker in prices.columns:
        series = prices[ticker].dropna()
        t = known_at(pd.DatetimeIndex(series.index), universe.instrument(str(ticker)))
        pos = close_utc.searchsorted(t, side="left")
        keep = pos < len(close_utc)
        mapped = pd.Series(series.to_numpy()[keep], index=closes.index[pos[keep]])
        mapped = mapped[~mapped.index.duplicated(keep="last")]
        # As-of: the last known price at each session (a real printed price, never invented).
        cols[ticker] = mapped.reindex(closes.index).ffill()
    out = pd.DataFrame(cols, index=closes.index)
    if end is None:
        last_mapped = max(pd.DatetimeIndex(s.dropna().index).max() for s in cols.values())
        out = out.loc[:last_mapped]
    out.index.name = "session"
    out.columns.name = "ticker"
    return out


def simple_returns(aligned: pd.DataFrame) -> pd.DataFrame:
    """Simple returns ``P_d / P_{d-1} - 1`` of aligned closes.

    Never takes the log of a price. A return whose start or end price is not positive
    (front-month WTI settled at -37.63 USD on 2020-04-20) is undefined and set to NaN
    with a :class:`~georisk.errors.DataQualityWarning`.

    Parameters
    ----------
    aligned : pandas.DataFrame
        Prices from :func:`align_to_sessions`.

    Returns
    -------
    pandas.DataFrame
        Same shape; the first row is NaN.
    """
    prev = aligned.shift(1)
    bad = (aligned <= 0) | (prev <= 0)
    ret = aligned / prev - 1.0
    if bad.to_numpy().any():
        n = int(bad.to_numpy().sum())
        warnings.warn(
            f"{n} return(s) start or end at a non-positive price and are set to NaN; see the quality report",
            DataQualityWarning,
            stacklevel=2,
        )
        ret = ret.mask(bad)
    return ret.replace([np.inf, -np.inf], np.nan)
