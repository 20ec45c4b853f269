"""When each instrument's daily price is known: the per-instrument cutoff table.

Neither calendar library is right about futures closes: exchange_calendars' ``CMES``
(alias ``CBOT``, ``NYMEX``) closes at 17:00 Chicago time, which is neither the NYMEX
energy settlement (14:30 New York) nor the CBOT grain close (13:20 Chicago), and no
library has ICE Futures Europe (Brent). The exchange calendar is therefore used only for
holidays and to know which sessions close early; the time of the daily price comes from
the table below, matching each series' close or settlement convention.

The rule is conservative: when in doubt the cutoff is the *later* time, because a price
treated as known too late costs one session of delay, while one treated as known too early
is look-ahead.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from georisk.calendar import get_calendar
from georisk.config import Instrument
from georisk.errors import ConfigError

__all__ = ["CUTOFF_CONVENTIONS", "CutoffConvention", "cutoff_table", "expected_sessions", "known_at"]


@dataclass(frozen=True)
class CutoffConvention:
    """A row of the cutoff table.

    Attributes
    ----------
    name : str
        Key used by :attr:`georisk.config.Instrument.cutoff`.
    timezone : str
        IANA zone of the times.
    regular : str
        ``HH:MM`` local time at which a regular session's daily price is known.
    early : str or None
        ``HH:MM`` local time on sessions that the instrument's calendar closes early
        (None: use ``regular`` on those days too).
    source : str
        Where the convention comes from.
    no_price_off : str or None
        An exchange calendar whose holidays bring no daily price although the
        instrument's own calendar has a session then. CME Globex trades a short session on
        US holidays (Martin Luther King Day, Presidents Day, Memorial Day, Juneteenth,
        Independence Day, Labor Day, Thanksgiving) that exchange_calendars' ``CMES``
        counts as an early-closing session, but those trades belong to the next trade
        date and no settlement is published: a daily series has no row then. The
        quality report does not count such sessions as missing (:func:`expected_sessions`).
        None: every session of the instrument's calendar should have a price.
    """

    name: str
    timezone: str
    regular: str
    early: str | None
    source: str
    no_price_off: str | None = None


#: The documented cutoff table (also printed by :func:`cutoff_table`).
CUTOFF_CONVENTIONS: dict[str, CutoffConvention] = {
    c.name: c
    for c in (
        CutoffConvention(
            "nymex_energy",
            "America/New_York",
            "14:30",
            "13:45",
            "NYMEX WTI (CL), Brent Last Day Financial (BZ, Yahoo's BZ=F) and Henry Hub (NG) daily settlement "
            "at 14:30 ET; on CME holiday-shortened "
            "sessions (Thanksgiving, the day after, Christmas Eve) energy halts at 12:45 CT = 13:45 ET, "
            "and the settlement is taken at that halt (the later bound). No settlement on US holidays.",
            "XNYS",
        ),
        CutoffConvention(
            "cbot_grains",
            "America/Chicago",
            "13:20",
            "12:05",
            "CBOT wheat (ZW) and corn (ZC) day session closes at 13:20 CT (settlement window ends then); "
            "on CME holiday-shortened sessions grains close at 12:05 CT. No settlement on US holidays.",
            "XNYS",
        ),
        CutoffConvention(
            "ice_brent",
            "Europe/London",
            "19:30",
            None,
            "ICE Futures Europe Brent settles at 19:30 London time; ICE Futures Europe trades on US "
            "holidays and has no calendar in exchange_calendars, so the regular time is used on every "
            "date (a settlement on a New York holiday counts for the next New York session). For ICE Brent "
            "series of your own: Yahoo's BZ=F is NYMEX's Brent Last Day Financial contract, settled with "
            "nymex_energy (the default universe's choice).",
        ),
    )
}


def cutoff_table() -> pd.DataFrame:
    """The cutoff table as a frame, one row per convention.

    Returns
    -------
    pandas.DataFrame
        Index ``convention``; columns ``timezone``, ``regular``, ``early``,
        ``no_price_off`` and ``source``.
        Instruments without a ``cutoff`` use their exchange calendar's close (early
        closes included), which is right for equities and ETFs.
    """
    rows = [
        {
            "convention": c.name,
            "timezone": c.timezone,
            "regular": c.regular,
            "early": c.early,
            "no_price_off": c.no_price_off,
            "source": c.source,
        }
        for c in CUTOFF_CONVENTIONS.values()
    ]
    return pd.DataFrame(rows).set_index("convention")


def expected_sessions(sessions: pd.DatetimeIndex, instrument: Instrument) -> pd.DatetimeIndex:
    """The sessions of ``instrument``'s calendar on which its daily series should have a price.

    Parameters
    ----------
    sessions : pandas.DatetimeIndex
        Sessions of the instrument's own calendar (tz-naive dates).
    instrument : Instrument

    Returns
    -------
    pandas.DatetimeIndex
        ``sessions`` less those that are holidays of the convention's ``no_price_off``
        calendar (for CME futures: US holidays, on which Globex trades but nothing
        settles). Unchanged for instruments without such a convention.

    Examples
    --------
    >>> import pandas as pd
    >>> from georisk.config import default_universe
    >>> days = pd.DatetimeIndex(["2024-07-03", "2024-07-04", "2024-07-05"])  # CMES sessions
    >>> [str(d.date()) for d in expected_sessions(days, default_universe().instrument("CL=F"))]
    ['2024-07-03', '2024-07-05']
    """
    sessions = pd.DatetimeIndex(sessions)
    conv = CUTOFF_CONVENTIONS.get(instrument.cutoff) if instrument.cutoff is not None else None
    if conv is None or conv.no_price_off is None or len(sessions) == 0 or instrument.close_time is not None:
        return sessions
    other = get_calendar(conv.no_price_off, str(sessions.min().date()), str(sessions.max().date()))
    lo, hi = pd.Timestamp(other.first_session), pd.Timestamp(other.last_session)
    inside = (sessions >= lo) & (sessions <= hi)
    open_other = sessions.isin(pd.DatetimeIndex(other.sessions).as_unit(sessions.unit))
    return sessions[~inside | open_other]


def _at(dates: pd.DatetimeIndex, hhmm: str) -> pd.DatetimeIndex:
    hh, mm = (int(x) for x in hhmm.split(":"))
    return dates + pd.Timedelta(hours=hh, minutes=mm)


def _localize(local: pd.DatetimeIndex, zone: str) -> pd.DatetimeIndex:
    return local.tz_localize(zone, ambiguous="raise", nonexistent="raise").tz_convert("UTC").as_unit("ns")


def known_at(dates: pd.DatetimeIndex, instrument: Instrument) -> pd.DatetimeIndex:
    """UTC time at which each daily price of ``instrument`` is known.

    Parameters
    ----------
    dates : pandas.DatetimeIndex
        The instrument's local trading dates (tz-naive).
    instrument : Instrument
        Its ``close_time``/``timezone`` (an explicit time on every date), else its
        ``cutoff`` convention from :data:`CUTOFF_CONVENTIONS`, else the session close of its
        ``calendar`` (early closes included).

    Returns
    -------
    pandas.DatetimeIndex
        ``datetime64[ns, UTC]``, one per date.

    Raises
    ------
    ConfigError
        If ``instrument.cutoff`` names no row of the table.

    Notes
    -----
    For a convention with regular time :math:`t_r` and early time :math:`t_e` in zone
    :math:`z`, the price dated :math:`D` is known at :math:`D + t_e` (in :math:`z`) when
    :math:`D` is an early-close session of the instrument's calendar, and at
    :math:`D + t_r` otherwise. A date that is not a session of an exchange-close
    instrument's calendar (a special session or bad data) is given the calendar's most
    common close time.

    Examples
    --------
    >>> import pandas as pd
    >>> from georisk.config import default_universe
    >>> wheat = default_universe().instrument("ZW=F")
    >>> str(known_at(pd.DatetimeIndex(["2024-11-27"]), wheat)[0])
    '2024-11-27 19:20:00+00:00'
    """
    dates = pd.DatetimeIndex(dates).as_unit("ns").normalize()
    if instrument.close_time is not None and instrument.timezone is not None:
        return _localize(_at(dates, instrument.close_time), instrument.timezone)
    if len(dates) == 0:
        return pd.DatetimeIndex([], dtype="datetime64[ns, UTC]")
    cal = get_calendar(instrument.calendar, str(dates.min().date()), str(dates.max().date()))
    if instrument.cutoff is not None:
        conv = CUTOFF_CONVENTIONS.get(instrument.cutoff)
        if conv is None:
            raise ConfigError(
                f"{instrument.ticker}: cutoff={instrument.cutoff!r} is not in the cutoff table; "
                f"use one of {sorted(CUTOFF_CONVENTIONS)} or give close_time and timezone"
            )
        local = _at(dates, conv.regular)
        if conv.early is not None:
            early = pd.DatetimeIndex(cal.early_closes).as_unit("ns")
            local = local.where(~dates.isin(early), _at(dates, conv.early))
        return _localize(pd.DatetimeIndex(local), conv.timezone)
    closes = pd.Series(pd.DatetimeIndex(cal.closes).tz_convert("UTC").as_unit("ns"), index=cal.closes.index)
    closes.index = pd.DatetimeIndex(closes.index).as_unit("ns")
    found = closes.reindex(dates)
    if found.isna().any():
        hours = closes.dt.hour.mode()[0]
        minutes = closes.dt.minute.mode()[0]
        typical = pd.Timedelta(hours=int(hours), minutes=int(minutes))
        found = found.fillna(pd.Series(dates.tz_localize("UTC") + typical, index=dates))
    return pd.DatetimeIndex(found).as_unit("ns")
