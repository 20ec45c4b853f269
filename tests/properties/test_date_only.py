"""Property: a date-only article never counts for a session that closed before its day ended.

Over many ways of writing a date (strings in a dozen formats, ``datetime.date``,
``datetime64`` midnights naive or aware, ISO midnights with an offset), over zones from
UTC-5 to UTC+14 and over dates from 2000 to 2025, through a DataFrame, a JSON Lines file
and a CSV file: with the default ``date_only="end_of_day"`` every article is placed at the
last microsecond of its day in its zone, and the XNYS session it is assigned to closes at
or after the next local midnight. All the ways of writing one date give one timestamp.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from georisk.articles import load_articles
from georisk.calendar import assign_sessions, session_closes
from georisk.errors import InputDataError

ZONES = ["UTC", "Europe/London", "Europe/Kyiv", "America/New_York", "Asia/Tokyo", "Pacific/Kiritimati"]
DATES = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2025, 12, 31))
_SETTINGS = settings(max_examples=60, deadline=None)


def _offset(day: dt.date, zone: str) -> str:
    """The zone's UTC offset at the start of ``day``, as +HH:MM."""
    return pd.Timestamp(day).tz_localize(zone).strftime("%z")


# name -> (writer, options for load_articles). A writer gets the date and the zone.
Writer = Callable[[dt.date, str], Any]
_STRINGS: dict[str, tuple[Writer, dict[str, Any]]] = {
    "iso": (lambda d, z: d.isoformat(), {}),
    "slashes year first": (lambda d, z: f"{d.year}/{d.month}/{d.day}", {}),
    "dots year first": (lambda d, z: d.strftime("%Y.%m.%d"), {}),
    "month/day/year": (lambda d, z: d.strftime("%m/%d/%Y"), {"dayfirst": False}),
    "day/month/year": (lambda d, z: d.strftime("%d/%m/%Y"), {"dayfirst": True}),
    "day.month.year": (lambda d, z: d.strftime("%d.%m.%Y"), {"dayfirst": True}),
    "day-month-year format": (lambda d, z: d.strftime("%d-%m-%Y"), {"date_format": "%d-%m-%Y"}),
    "compact": (lambda d, z: d.strftime("%Y%m%d"), {}),
    "Mon d, yyyy": (lambda d, z: f"{d:%b} {d.day}, {d.year}", {}),
    "d Month yyyy": (lambda d, z: f"{d.day} {d:%B} {d.year}", {}),
    "Weekday, d Month yyyy": (lambda d, z: f"{d:%A}, {d.day} {d:%B} {d.year}", {}),
    "yyyy-Mon-dd": (lambda d, z: d.strftime("%Y-%b-%d"), {}),
    "iso midnight naive": (lambda d, z: f"{d.isoformat()}T00:00:00", {}),
    "iso midnight with the zone's offset": (lambda d, z: f"{d.isoformat()}T00:00:00{_offset(d, z)}", {}),
}
_OBJECTS: dict[str, tuple[Writer, dict[str, Any]]] = {
    "datetime.date": (lambda d, z: d, {}),
    "datetime64 midnight naive": (lambda d, z: pd.Timestamp(d), {}),
    "datetime64 midnight aware": (lambda d, z: pd.Timestamp(d).tz_localize(z), {}),
}
FORMATS = {**_STRINGS, **_OBJECTS}


def _load(value: Any, zone: str, route: str, options: dict[str, Any]) -> pd.Timestamp:
    text = "Envoys met again in Istanbul for talks on the front line."
    if route == "frame":
        frame = pd.DataFrame({"published_at": pd.Series([value], dtype=object), "text": [text]})
        if isinstance(value, pd.Timestamp):
            frame["published_at"] = pd.Series([value])  # a datetime64 column, as pandas.to_datetime gives
        return load_articles(frame, timezone=zone, **options)["published_at"].iloc[0]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"feed.{route}"
        if route == "jsonl":
            path.write_text(json.dumps({"published_at": value, "text": text}) + "\n", encoding="utf-8")
        else:
            path.write_text(f'published_at,text\n"{value}","{text}"\n', encoding="utf-8")
        return load_articles(path, timezone=zone, **options)["published_at"].iloc[0]


def _next_midnight(day: dt.date, zone: str) -> pd.Timestamp:
    return pd.Timestamp(day + dt.timedelta(days=1)).tz_localize(zone)


@_SETTINGS
@given(
    day=DATES,
    zone=st.sampled_from(ZONES),
    name=st.sampled_from(sorted(FORMATS)),
    route=st.sampled_from(["frame", "jsonl", "csv"]),
)
# clock-change days, where a fixed offset written at midnight is not the offset at the day's end
@example(day=dt.date(2016, 11, 6), zone="America/New_York", name="iso midnight with the zone's offset", route="csv")
@example(day=dt.date(2000, 3, 26), zone="Europe/London", name="iso midnight with the zone's offset", route="jsonl")
def test_a_date_only_article_counts_only_for_a_session_closing_after_its_day(
    day: dt.date, zone: str, name: str, route: str
):
    write, options = FORMATS[name]
    if name in _OBJECTS:
        route = "frame"  # only a DataFrame holds Python or pandas objects
    published = _load(write(day, zone), zone, route, options)
    end = _next_midnight(day, zone)
    assert published == end - pd.Timedelta(microseconds=1)
    session = assign_sessions(pd.DatetimeIndex([published]))[0]
    close = session_closes("XNYS", str(session.date()), str(session.date())).iloc[0]
    assert close >= end, f"{name} {write(day, zone)!r} in {zone} counts for {session.date()}, closing {close}"


@pytest.mark.slow
@_SETTINGS
@given(day=DATES, zone=st.sampled_from(ZONES))
@example(day=dt.date(2016, 11, 6), zone="America/New_York")
@example(day=dt.date(2000, 3, 26), zone="Europe/London")
@example(day=dt.date(2022, 3, 27), zone="Europe/Kyiv")
def test_every_way_of_writing_a_date_gives_one_timestamp(day: dt.date, zone: str):
    seen = {name: _load(write(day, zone), zone, "frame", options) for name, (write, options) in FORMATS.items()}
    assert len(set(seen.values())) == 1, seen


@_SETTINGS
@given(day=DATES, zone=st.sampled_from(ZONES), name=st.sampled_from(sorted(FORMATS)))
def test_the_raise_policy_refuses_every_way_of_writing_a_date(day: dt.date, zone: str, name: str):
    write, options = FORMATS[name]
    with pytest.raises(InputDataError, match="date_only='raise'"):
        _load(write(day, zone), zone, "frame", {**options, "date_only": "raise"})


@_SETTINGS
@given(
    day=DATES,
    zone=st.sampled_from(ZONES),
    seconds=st.integers(1, 24 * 3600 - 1),
    route=st.sampled_from(["frame", "jsonl", "csv"]),
)
def test_a_time_of_day_is_kept_as_written(day: dt.date, zone: str, seconds: int, route: str):
    wall = pd.Timestamp(day) + pd.Timedelta(seconds=seconds)
    try:
        expected = wall.tz_localize(zone)
    except ValueError:  # a wall time a clock change skips or repeats: not this property's concern
        return
    published = _load(f"{wall.isoformat()}{expected.strftime('%z')}", zone, route, {})
    assert published == expected
