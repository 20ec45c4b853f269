"""Publication timestamps: date-only values in any format are known at the end of their day."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from georisk.articles import load_articles, load_articles_report
from georisk.errors import ConfigError, InputDataError

END_KYIV = pd.Timestamp("2022-03-15T23:59:59.999999+02:00")  # Kyiv was on UTC+2 in mid-March 2022
DATE_ONLY = ["2022-03-15", "2022/3/15", "03/15/2022", "15.03.2022", "20220315", "Mar 15, 2022", "15 March 2022"]


def _frame(values: list[object], **extra: list[object]) -> pd.DataFrame:
    texts = [f"Envoys met for round {i} of the talks." for i in range(len(values))]
    return pd.DataFrame({"published_at": values, "text": texts, **extra})


@pytest.mark.parametrize("value", DATE_ONLY)
def test_every_date_string_format_is_the_end_of_that_day(value: str):
    arts = load_articles(_frame([value]), timezone="Europe/Kyiv")
    assert arts["published_at"].iloc[0] == END_KYIV


@pytest.mark.parametrize(
    "value",
    [
        dt.date(2022, 3, 15),
        pd.Timestamp("2022-03-15"),
        pd.Timestamp("2022-03-15", tz="Europe/Kyiv"),
        "2022-03-15T00:00:00",
        "2022-03-15 00:00",
        "2022-03-15T00:00:00+02:00",
    ],
)
def test_dates_and_midnights_of_any_type_are_the_end_of_that_day(value: object):
    arts = load_articles(_frame([value]), timezone="Europe/Kyiv")
    assert arts["published_at"].iloc[0] == END_KYIV


def test_a_to_datetime_column_of_midnights_naive_or_aware():
    naive = pd.to_datetime(pd.Series(["2022-03-14", "2022-03-15"]))
    arts = load_articles(_frame(list(naive)), timezone="Europe/Kyiv")
    assert arts["published_at"].iloc[1] == END_KYIV
    frame = _frame([None, None])
    frame["published_at"] = naive.dt.tz_localize("Europe/Kyiv")
    assert load_articles(frame)["published_at"].iloc[1] == END_KYIV  # an aware value keeps its own zone
    utc = _frame([None, None])
    utc["published_at"] = naive.dt.tz_localize("UTC")
    got = load_articles(utc, timezone="Europe/Kyiv")["published_at"].iloc[1]
    assert got == pd.Timestamp("2022-03-15T23:59:59.999999Z")  # the later end: in UTC, its own zone
    got = load_articles(utc, timezone="America/New_York")["published_at"].iloc[1]
    assert got == pd.Timestamp("2022-03-15T23:59:59.999999-04:00")  # the later end: in New York


def test_a_time_other_than_midnight_is_kept_as_given():
    arts = load_articles(_frame(["2022-03-15T00:00:01+02:00", "Mar 15, 2022 9:30 PM"]), timezone="Europe/Kyiv")
    assert arts["published_at"].tolist() == [
        pd.Timestamp("2022-03-14T22:00:01Z"),
        pd.Timestamp("2022-03-15T19:30:00Z"),
    ]


def test_date_only_values_reach_the_rule_from_every_source(tmp_path: Path):
    csv_file = tmp_path / "feed.csv"
    csv_file.write_text("published_at,text\n2022/3/15,Talks resumed in Istanbul.\n", encoding="utf-8")
    jsonl = tmp_path / "feed.jsonl"
    jsonl.write_text(json.dumps({"published_at": "15.03.2022", "text": "Talks resumed."}) + "\n", encoding="utf-8")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.txt").write_text("Headline one\nTalks resumed in Istanbul.", encoding="utf-8")
    (folder / "a.json").write_text(json.dumps({"published_at": "Mar 15, 2022"}), encoding="utf-8")
    (folder / "b.md").write_text("---\npublished_at: 20220315\n---\nHeadline two\nShelling went on.", "utf-8")
    (folder / "c.txt").write_text("Headline three\nA convoy moved north.", encoding="utf-8")
    stamps = {"c.txt": dt.date(2022, 3, 15)}
    for source in (csv_file, jsonl):
        assert load_articles(source, timezone="Europe/Kyiv")["published_at"].tolist() == [END_KYIV]
    arts = load_articles(folder, timezone="Europe/Kyiv", timestamps=stamps)
    assert arts["published_at"].tolist() == [END_KYIV] * 3


def test_an_ambiguous_day_and_month_is_refused_unless_declared(tmp_path: Path):
    f = tmp_path / "feed.csv"
    f.write_text("published_at,text\n03/04/2022,Talks resumed.\n", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"line 2, field 'published_at': '03/04/2022' is ambiguous.*dayfirst"):
        load_articles(f, timezone="UTC")
    march = pd.Timestamp("2022-03-04T23:59:59.999999Z")
    april = pd.Timestamp("2022-04-03T23:59:59.999999Z")
    assert load_articles(f, timezone="UTC", dayfirst=False)["published_at"].iloc[0] == march
    assert load_articles(f, timezone="UTC", dayfirst=True)["published_at"].iloc[0] == april
    assert load_articles(f, timezone="UTC", date_format="%d/%m/%Y")["published_at"].iloc[0] == april
    with pytest.raises(InputDataError, match=r"does not match date_format='%Y-%m-%d'"):
        load_articles(f, timezone="UTC", date_format="%Y-%m-%d")
    with pytest.raises(ConfigError, match="dayfirst='yes'"):
        load_articles(f, timezone="UTC", dayfirst="yes")  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("4 Mar 22", "is ambiguous"),  # a two-digit year could be the day
        ("2022-03-15 10:00 EST", "unknown time-zone name 'EST'"),
        ("March 2022", "not a whole date"),
        ("now", "cannot parse 'now'"),
        ("1709300000", "numeric timestamp"),
        ("2022-02-30", "not a valid date"),
    ],
)
def test_strings_that_cannot_be_placed_are_refused_with_a_reason(value: str, message: str):
    with pytest.raises(InputDataError, match=message):
        load_articles(_frame([value]), timezone="UTC")


def test_a_format_with_a_time_is_not_date_only():
    arts = load_articles(_frame(["15.03.2022 21:30"]), timezone="UTC", date_format="%d.%m.%Y %H:%M")
    assert arts["published_at"].iloc[0] == pd.Timestamp("2022-03-15T21:30:00Z")


def test_policies_start_of_day_raise_and_per_source():
    frame = _frame(["2022-03-15", "2022-03-15", "2022-03-15T10:00:00Z"], source=["bbc", "ruwa", "ruwa"])
    start = load_articles(frame, timezone="UTC", date_only="start_of_day")
    assert sorted(start["published_at"])[0] == pd.Timestamp("2022-03-15T00:00:00Z")
    with pytest.raises(InputDataError, match=r"line 0, field 'published_at': '2022-03-15' gives a day.*'raise'"):
        load_articles(frame, timezone="UTC", date_only="raise")
    rep = load_articles_report(
        frame,
        timezone="UTC",
        date_only={"*": "raise", "bbc": "start_of_day"},
        on_invalid="quarantine",
        near_duplicates=None,
    )
    mixed, q = rep.articles, rep.quarantine
    assert mixed["source"].tolist() == ["bbc", "ruwa"] and q["line"].tolist() == [1]
    assert mixed["published_at"].tolist() == [pd.Timestamp("2022-03-15T00:00Z"), pd.Timestamp("2022-03-15T10:00Z")]
    by_default = load_articles(frame, timezone="UTC", date_only={"bbc": "start_of_day"})  # others: end of day
    assert pd.Timestamp("2022-03-15T23:59:59.999999Z") in set(by_default["published_at"])
    with pytest.raises(InputDataError, match="is exactly midnight, read as a date"):
        load_articles(_frame([pd.Timestamp("2022-03-15", tz="UTC")]), date_only="raise")
    with pytest.raises(ConfigError, match=r"date_only\['bbc'\]='late'"):
        load_articles(frame, timezone="UTC", date_only={"bbc": "late"})  # type: ignore[dict-item]
    with pytest.raises(ConfigError, match="date_only='eod'"):
        load_articles(frame, timezone="UTC", date_only="eod")  # type: ignore[call-overload]


def test_a_date_without_a_zone_is_refused():
    with pytest.raises(InputDataError, match="has no time zone; pass timezone="):
        load_articles(_frame(["Mar 15, 2022"]))
    with pytest.raises(ConfigError, match="timezone='Mars/Olympus' is not a known time zone"):
        load_articles(_frame(["2022-03-15T10:00:00Z"]), timezone="Mars/Olympus")


def test_a_clock_change_at_midnight_takes_the_later_end_and_a_start_that_exists():
    # Beirut: clocks went back from 00:00 to 23:00 on 2022-10-30 (23:xx on the 29th happened twice)
    # and forward from 00:00 to 01:00 on 2022-03-27 (that midnight never happened).
    end = load_articles(_frame(["2022-10-29"]), timezone="Asia/Beirut")["published_at"].iloc[0]
    assert end == pd.Timestamp("2022-10-29T23:59:59.999999+02:00")
    start = load_articles(_frame(["2022-03-27"]), timezone="Asia/Beirut", date_only="start_of_day")
    assert start["published_at"].iloc[0] == pd.Timestamp("2022-03-27T01:00:00+03:00")


def test_loading_the_loaded_articles_again_changes_nothing():
    first = load_articles(_frame([*DATE_ONLY[:3], "2022-03-16T08:00:00Z"]), timezone="Asia/Tokyo", near_duplicates=None)
    again = load_articles(first, near_duplicates=None)
    pd.testing.assert_series_equal(again["published_at"], first["published_at"])
