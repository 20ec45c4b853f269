"""Publication timestamps: parsing, date-only detection and the end-of-day rule.

A value is *date-only* when it names a day but no time of day: a string without a time
part in any format read here (``2022-03-15``, ``2022/3/15``, ``03/15/2022``,
``15.03.2022``, ``20220315``, ``Mar 15, 2022``...), a :class:`datetime.date` that is not
a :class:`datetime.datetime`, or (decided by the loader with :attr:`Parsed.at_midnight`)
a timestamp at exactly midnight, which is how a column of dates parsed by pandas looks.
Such a value cannot say when in the day the article appeared, so by default it is taken
as known at the last microsecond of that day (23:59:59.999999 local time): it counts for
the first session that closes after the day ends, never for one that closed earlier.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from dateutil import parser as _dateutil  # type: ignore[import-untyped]

__all__ = [
    "DATE_ONLY_POLICIES",
    "DateOnlyPolicy",
    "Parsed",
    "parse_published",
    "resolve_published",
]

#: Where a date-only value is placed: end of the day (conservative), start of the day
#: (earliest possible; an article published after a session's close may then count for
#: that session), or refused.
DateOnlyPolicy = Literal["end_of_day", "start_of_day", "raise"]
DATE_ONLY_POLICIES: tuple[str, ...] = ("end_of_day", "start_of_day", "raise")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:\s*(?:Z|[+-]\d{2}(?::?\d{2})?))?",
    re.IGNORECASE,
)
_YEAR_FIRST = re.compile(r"(?:\d{4}|\d{8})(?!\d)")  # 2022/3/15, 2022-Mar-15, 20220315
_TIME_DIRECTIVES = re.compile(r"%[-#_^0]?[HIMSfpXcTRrkl]")
_UTC_NAMES = frozenset({"UTC", "GMT", "Z", "UT"})
# Two defaults that differ in every field: a field the text does not give differs between them.
# Naive on purpose: a parsed value is localised later, in its own zone or in timezone=.
_DEFAULT_A = dt.datetime(2000, 1, 1, 0, 0, 0, 0)  # noqa: DTZ001
_DEFAULT_B = dt.datetime(2001, 2, 2, 1, 1, 1, 1)  # noqa: DTZ001
_LAST_MICROSECOND = pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
_HOW = "use ISO 8601 (e.g. 2024-03-01T14:30:00Z) or pass date_format= (e.g. '%d/%m/%Y %H:%M')"


@dataclass(frozen=True)
class Parsed:
    """A parsed publication time, before its zone and the date-only policy are applied.

    Attributes
    ----------
    ts : pandas.Timestamp
        Naive or timezone-aware; midnight for a date-only value.
    date_only : bool
        True when the value itself names a day without a time.
    """

    ts: pd.Timestamp
    date_only: bool

    @property
    def at_midnight(self) -> bool:
        """Whether the time of day is exactly 00:00 in the value's own zone (or naive)."""
        ts = self.ts
        return ts.hour == 0 and ts.minute == 0 and ts.second == 0 and ts.microsecond == 0 and ts.nanosecond == 0


def _tzinfos(name: str | None, offset: int | None) -> int | None:
    """Zone names dateutil may use: UTC and GMT, or an explicit offset; anything else is refused."""
    if name is None and offset is None:
        return None  # no zone written: a naive value
    if offset is not None:
        return offset
    if name is not None and name.upper() in _UTC_NAMES:
        return 0
    raise ValueError(f"unknown time-zone name {name!r}; write a UTC offset instead, e.g. +02:00 or -05:00")


def _read(text: str, default: dt.datetime, dayfirst: bool, yearfirst: bool) -> dt.datetime:
    try:
        out: dt.datetime = _dateutil.parse(
            text, default=default, dayfirst=dayfirst, yearfirst=yearfirst, tzinfos=_tzinfos
        )
    except _dateutil.ParserError as exc:
        raise ValueError(f"cannot parse {text!r} as a timestamp; {_HOW}") from exc
    except OverflowError as exc:
        raise ValueError(f"cannot parse {text!r} as a timestamp (a number is out of range); {_HOW}") from exc
    return out


def _parse_free(text: str, dayfirst: bool | None) -> Parsed:
    """Parse a non-ISO string; refuse it when its day/month/year order is ambiguous."""
    if _YEAR_FIRST.match(text):
        orders = [(False, True)]  # a four-digit year first is always year-month-day
    elif dayfirst is not None:
        orders = [(dayfirst, False)]
    else:
        orders = [(False, False), (True, False), (False, True)]
    readings = [_read(text, _DEFAULT_A, d, y) for d, y in orders]
    if len({r.date() for r in readings}) > 1:
        seen = ", ".join(sorted({r.date().isoformat() for r in readings}))
        raise ValueError(
            f"{text!r} is ambiguous: it reads as {seen} depending on the order of day, month and year; "
            "pass dayfirst=True or dayfirst=False, or date_format= (e.g. '%m/%d/%Y'); georisk never guesses"
        )
    first = readings[0]
    other = _read(text, _DEFAULT_B, *orders[0])
    if (first.year, first.month, first.day) != (other.year, other.month, other.day):
        raise ValueError(f"{text!r} is not a whole date (the year, month or day is missing); give a full date")
    return Parsed(pd.Timestamp(first), date_only=first.hour != other.hour)


@functools.lru_cache(maxsize=1 << 16)
def _parse_text(text: str, dayfirst: bool | None, date_format: str | None) -> Parsed:
    if date_format is not None:
        try:
            parsed = dt.datetime.strptime(text, date_format)  # noqa: DTZ007 (localised later)
        except ValueError as exc:
            raise ValueError(f"{text!r} does not match date_format={date_format!r} ({exc})") from exc
        return Parsed(pd.Timestamp(parsed), date_only=not _TIME_DIRECTIVES.search(date_format))
    if _ISO_DATE.fullmatch(text):
        try:
            return Parsed(pd.Timestamp(text), date_only=True)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a valid date ({exc})") from exc
    if _ISO_TIME.fullmatch(text):
        try:
            return Parsed(pd.Timestamp(text), date_only=False)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a valid timestamp ({exc})") from exc
    digits = text.lstrip("+-")
    if digits.isdigit() and len(digits) != 8:  # 8 digits is a date: 20220315
        raise ValueError(
            f"numeric timestamp {text!r} is ambiguous; write ISO 8601 (e.g. 2024-03-01T14:30:00Z) or convert "
            "epoch seconds first with pandas.to_datetime(values, unit='s', utc=True)"
        )
    return _parse_free(text, dayfirst)


def parse_published(value: Any, *, dayfirst: bool | None = None, date_format: str | None = None) -> Parsed:
    """Parse one ``published_at`` value and tell whether it names a day without a time.

    Parameters
    ----------
    value : Any
        A string, :class:`datetime.datetime`, :class:`pandas.Timestamp`,
        :class:`numpy.datetime64` or :class:`datetime.date`.
    dayfirst : bool, optional
        Order of a numeric day and month (``03/04/2022``). None refuses a string whose
        reading depends on that order. A string starting with a four-digit year is always
        read year-month-day.
    date_format : str, optional
        A :meth:`datetime.datetime.strptime` format every string must match; the value is
        date-only when the format has no time directive (``%H``, ``%I``, ``%M``, ``%S``...).

    Returns
    -------
    Parsed
        The timestamp (naive or aware, as written) and whether it is date-only.

    Raises
    ------
    ValueError
        With a message that says how to fix the value.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("no timestamp; give published_at (ISO 8601 with a UTC offset)")
    if isinstance(value, bool | int | float | np.integer | np.floating):
        if isinstance(value, float | np.floating) and np.isnan(value):
            raise ValueError("no timestamp; give published_at (ISO 8601 with a UTC offset)")
        raise ValueError(
            f"numeric timestamp {value!r} is ambiguous; write ISO 8601 (e.g. 2024-03-01T14:30:00Z) or convert "
            "epoch seconds first with pandas.to_datetime(values, unit='s', utc=True)"
        )
    if isinstance(value, str):
        return _parse_text(value.strip(), dayfirst, date_format)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return Parsed(pd.Timestamp(value), date_only=True)
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"cannot parse {value!r} as a timestamp; {_HOW}") from exc
    if pd.isna(ts):
        raise ValueError("no timestamp; give published_at (ISO 8601 with a UTC offset)")
    return Parsed(ts, date_only=False)


def _localize(wall: pd.Timestamp, zone: Any, *, later: bool) -> pd.Timestamp:
    # An hour repeated by a clock change: the later instant for the end of a day, the
    # earlier one for its start; a skipped wall time moves forward.
    out: pd.Timestamp = wall.tz_localize(zone, ambiguous=not later, nonexistent="shift_forward")
    return out


def resolve_published(
    parsed: Parsed,
    *,
    date_only: bool,
    policy: DateOnlyPolicy,
    timezone: str | None,
    shown: object,
) -> pd.Timestamp:
    """Place a parsed value in time: its zone, and for a date-only value the policy.

    Parameters
    ----------
    parsed : Parsed
        From :func:`parse_published`.
    date_only : bool
        Whether to treat the value as a day without a time (``parsed.date_only``, or a
        timestamp at midnight).
    policy : {"end_of_day", "start_of_day", "raise"}
        ``"end_of_day"``: 23:59:59.999999 local time of that day (the later instant
        when a clock change repeats that hour); ``"start_of_day"``: 00:00 local;
        ``"raise"``: refuse it.
    timezone : str, optional
        Zone of naive values. A date-only aware value that is midnight in ``timezone``
        too ends with that day in ``timezone`` (a fixed offset does not know the clock
        change); another ends at the later of the ends of its day in its own zone and in
        ``timezone``; without ``timezone``, in its own zone.
    shown : object
        The value as written, for messages.

    Returns
    -------
    pandas.Timestamp
        Timezone-aware, at most microsecond precision (rounded up, never earlier).

    Raises
    ------
    ValueError
        With a message that says how to fix the value.
    """
    ts = parsed.ts
    if date_only:
        if policy == "raise":
            what = "gives a day without a time" if parsed.date_only else "is exactly midnight, read as a date"
            raise ValueError(
                f"{shown!r} {what}, and date_only='raise'; give the time of publication (ISO 8601 with a UTC "
                "offset, e.g. 2022-03-15T14:30:00Z), or pass date_only='end_of_day' to count it from the end of "
                "that day (or date_only={source: 'start_of_day'} for a source whose midnights are real times)"
            )
        zone = ts.tz if ts.tz is not None else timezone
        if zone is None:
            raise ValueError(
                f"date-only timestamp {shown!r} has no time zone; pass timezone= (e.g. 'UTC') so it can be "
                "placed at the end of that day"
            )
        day = (ts.tz_localize(None) if ts.tz is not None else ts).normalize()
        if policy == "start_of_day":
            return _localize(day, zone, later=False)
        end = _localize(day + _LAST_MICROSECOND, zone, later=True)
        if ts.tz is not None and timezone is not None:
            named = _localize(day + _LAST_MICROSECOND, timezone, later=True)
            if ts.tz_convert(timezone).tz_localize(None) == day:
                return named  # midnight in timezone too: a fixed offset does not know its day's clock change
            end = max(end, named)  # e.g. a local date parsed as UTC: the later end is never too early
        return end
    if ts.nanosecond:
        ts = ts.ceil("us")  # Python datetimes hold microseconds; round later, never earlier
    if ts.tz is None:
        if timezone is None:
            raise ValueError(
                f"timestamp {shown!r} is naive (no UTC offset); add an offset or pass timezone= to name its zone"
            )
        try:
            ts = ts.tz_localize(timezone)
        except ValueError as exc:
            raise ValueError(
                f"timestamp {shown!r} does not exist or is ambiguous in {timezone} (a clock change): {exc}; "
                "add a UTC offset"
            ) from exc
    return ts
