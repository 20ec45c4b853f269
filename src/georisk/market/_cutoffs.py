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

__all__ = ["CUTOFF_CONVENTIONS", "CutoffConvention", "cutoff_table", "known_at"]


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
    """

    name: str
    timezone: str
    regular: str
    early: str | None
    source: str


#: The documented cutoff table (also printed by :func:`cutoff_table`).
CUTOFF_CONVENTIONS: dict[str, CutoffConvention] = {
    c.name: c
    for c in (
        CutoffConvention(
            "nymex_energy",
            "America/New_York",
            "14:30",
            "13:45",
            "NYMEX WTI (CL) and Henry Hub (NG) daily settlement at 14:30 ET; on CME holiday-shortened "
            "sessions (Thanksgiving, the day after, Christmas Eve) energy halts at 12:45 CT = 13:45 ET, "
            "and the settlement is taken at that halt (the later bound).",
        ),
        CutoffConvention(
            "cbot_grains",
            "America/Chicago",
            "13:20",
            "12:05",
            "CBOT wheat (ZW) and corn (ZC) day session closes at 13:20 CT (settlement window ends then); "
            "on CME holiday-shortened sessions grains close at 12:05 CT.",
        ),
        CutoffConvention(
            "ice_brent",
            "Europe/London",
            "19:30",
            None,
            "ICE Futures Europe Brent (BZ=F on Yahoo) settles at 19:30 London time; ICE Futures Europe "
            "trades on US holidays and has no calendar in exchange_calendars, so the regular time is "
            "used on every date (a settlement on a New York holiday counts for the next New York session).",
        ),
    )
}


def cutoff_table() -> pd.DataFrame:
    """The cutoff table as a frame, one row per convention.

    Returns
    -------
    pandas.DataFrame
        Index ``convention``; columns ``timezone``, ``regular``, ``early``, ``source``.
        Instruments without a ``cutoff`` use their exchange calendar's close (early
        closes included), which is right for equities and ETFs.
    """
    rows = [
        {"convention": c.name, "timezone": c.timezone, "regular": c.regular, "early": c.early, "source": c.source}
        for c in CUTOFF_CONVENTIONS.values()
    ]
    return pd.DataFrame(rows).set_index("convention")


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
