"""Exchange sessions and the publication cutoff.

The cutoff is the whole defence against look-ahead: an article (or a price) belongs to
the first session of the signal calendar whose close is at or after its timestamp. An
article published one second after the close counts for the next session.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from typing import TYPE_CHECKING

import pandas as pd

from georisk.errors import ConfigError, NotASessionError

if TYPE_CHECKING:
    import exchange_calendars

__all__ = ["assign_sessions", "get_calendar", "parse_date", "session_closes", "to_session"]

#: First date georisk asks exchange_calendars for; its own default is only 20 years back.
CALENDAR_START = "1990-01-01"


@lru_cache(maxsize=16)
def _cached_calendar(name: str, start: str, end: str) -> exchange_calendars.ExchangeCalendar:
    import exchange_calendars

    try:
        with warnings.catch_warnings():
            # exchange_calendars 4.13 trips pandas 3.1's deprecation of Series.values on
            # tz-aware data; the values it computes are right, the warning is noise.
            warnings.simplefilter("ignore", DeprecationWarning)
            return exchange_calendars.get_calendar(name, start=start, end=end)
    except exchange_calendars.errors.InvalidCalendarName as exc:
        raise ConfigError(
            f"calendar={name!r} is not an exchange_calendars name; use e.g. 'XNYS' (New York), "
            "'XETR' (Xetra), 'XLON' (London)"
        ) from exc


def get_calendar(
    name: str = "XNYS", start: str | None = None, end: str | None = None
) -> exchange_calendars.ExchangeCalendar:
    """Return an exchange calendar covering ``start`` to ``end``.

    Parameters
    ----------
    name : str, default "XNYS"
        An exchange_calendars name (``"XNYS"``, ``"XETR"``, ``"XLON"``, ...).
    start, end : str, optional
        ISO dates. The calendar's default window (20 years back to 1 year ahead) is
        widened so that older data and a year of future sessions are covered.

    Returns
    -------
    exchange_calendars.ExchangeCalendar
    """
    today = pd.Timestamp.now(tz="UTC").normalize().tz_localize(None)
    start_ts = min(pd.Timestamp(start or CALENDAR_START), pd.Timestamp(CALENDAR_START))
    end_ts = max(pd.Timestamp(end) if end else today, today) + pd.DateOffset(years=1)
    # Calendars are immutable; caching by the rounded window keeps repeated calls cheap.
    return _cached_calendar(name, start_ts.strftime("%Y-01-01"), end_ts.strftime("%Y-12-31"))


def session_closes(calendar: str = "XNYS", start: str | None = None, end: str | None = None) -> pd.Series:
    """Session close times (UTC) indexed by session date.

    Parameters
    ----------
    calendar : str, default "XNYS"
        Exchange calendar name.
    start, end : str, optional
        ISO dates bounding the sessions returned (inclusive).

    Returns
    -------
    pandas.Series
        ``datetime64[ns, UTC]`` close times; index: tz-naive session dates named ``session``.
    """
    cal = get_calendar(calendar, start, end)
    closes = cal.closes
    if start is not None:
        closes = closes[closes.index >= pd.Timestamp(start)]
    if end is not None:
        closes = closes[closes.index <= pd.Timestamp(end)]
    out: pd.Series = closes.dt.tz_convert("UTC").dt.as_unit("ns").rename("close")
    out.index = pd.DatetimeIndex(closes.index).as_unit("ns")
    out.index.name = "session"
    return out


def assign_sessions(timestamps: pd.Series | pd.DatetimeIndex, calendar: str = "XNYS") -> pd.DatetimeIndex:
    """Map timezone-aware timestamps to the first session whose close is at or after them.

    Parameters
    ----------
    timestamps : pandas.Series or pandas.DatetimeIndex
        Timezone-aware publication times. Naive timestamps are rejected: georisk never
        guesses a time zone.
    calendar : str, default "XNYS"
        Exchange calendar name.

    Returns
    -------
    pandas.DatetimeIndex
        One tz-naive session date per input timestamp, in input order. A timestamp exactly
        at a close belongs to that session; one a second later belongs to the next.

    Raises
    ------
    ConfigError
        If the timestamps are naive.
    """
    idx = pd.DatetimeIndex(timestamps)
    if idx.tz is None:
        raise ConfigError(
            "timestamps are naive; localise them first (e.g. ts.dt.tz_localize('UTC')) so the "
            "session cutoff is unambiguous"
        )
    utc = idx.tz_convert("UTC").as_unit("ns")
    if len(utc) == 0:
        return pd.DatetimeIndex([], dtype="datetime64[ns]", name="session")
    cal = get_calendar(calendar, str(utc.min().date()), str(utc.max().date()))
    closes = pd.DatetimeIndex(cal.closes).tz_convert("UTC").as_unit("ns")
    # side="left": a timestamp equal to a close maps to that close's session.
    pos = closes.searchsorted(utc, side="left")
    if (pos >= len(closes)).any():
        raise ConfigError(f"timestamps after the calendar's last session ({closes[-1]}): widen the calendar")
    sessions = pd.DatetimeIndex(cal.closes.index[pos]).as_unit("ns")
    sessions.name = "session"
    return sessions


def to_session(date: str | pd.Timestamp, calendar: str = "XNYS", *, roll: str = "raise") -> pd.Timestamp:
    """Validate that ``date`` is a session, or roll it to one.

    Parameters
    ----------
    date : str or pandas.Timestamp
        A calendar date.
    calendar : str, default "XNYS"
        Exchange calendar name.
    roll : {"raise", "previous", "next"}, default "raise"
        What to do when ``date`` is not a session.

    Returns
    -------
    pandas.Timestamp
        The tz-naive session date.

    Raises
    ------
    NotASessionError
        If ``date`` is not a session and ``roll="raise"``.
    """
    if roll not in {"raise", "previous", "next"}:
        raise ConfigError(f"roll={roll!r} must be 'raise', 'previous' or 'next'")
    ts = pd.Timestamp(date)
    if ts.tz is not None:
        raise ConfigError(f"date={date!r} must be a calendar date without a time zone")
    ts = ts.normalize()
    cal = get_calendar(calendar, str(ts.date()), str(ts.date()))
    if cal.is_session(ts):
        return ts
    if roll == "raise":
        prev = cal.date_to_session(ts, direction="previous")
        raise NotASessionError(
            f"{ts.date()} is not a {calendar} session (weekend or holiday); the previous session is "
            f"{prev.date()}. Pass that date, or roll to it with --previous-session (roll='previous' in Python)."
        )
    return pd.Timestamp(cal.date_to_session(ts, direction=roll))


def parse_date(value: object, name: str) -> pd.Timestamp:
    """Parse a calendar date given on the command line or in Python; ``ConfigError`` if it is not one."""
    try:
        ts = pd.Timestamp(value)  # type: ignore[arg-type]
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{name}={value!r} is not a date: {exc}; use YYYY-MM-DD") from None
    if pd.isna(ts):
        raise ConfigError(f"{name}={value!r} is not a date; use YYYY-MM-DD")
    if ts.tz is not None:
        raise ConfigError(f"{name}={value!r} must be a calendar date without a time zone (YYYY-MM-DD)")
    return ts.normalize()
