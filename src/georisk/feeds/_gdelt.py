"""GDELT DOC 2.0: article lists for a query, and the daily total of articles GDELT monitored.

Plain HTTP (the standard library), not the ``gdeltdoc`` package. Compared with gdeltdoc
1.12.0 (read and timed on this machine): importing either takes the same time (pandas
dominates, about 1.5 s), but gdeltdoc makes one ``requests.get`` without a timeout (a
stalled server hangs the cron job), raises on a 429 instead of backing off, leaves the
250-record cap to the caller, and adds ``requests``. Here: a deadline per call, bounded
retries with back-off (``Retry-After`` obeyed), a window split in halves until each answer
is under the cap, a pause between calls, tolerant JSON decoding (GDELT's answers sometimes
hold raw control characters), and nothing to install.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pandas as pd

from georisk.feeds._http import FeedError, Response
from georisk.feeds._rss import FEED_COLUMNS

__all__ = ["gdelt_url", "parse_artlist", "parse_timeline", "query_string"]

log = logging.getLogger(__name__)

_STAMP = "%Y%m%d%H%M%S"
_MIN_SPAN = pd.Timedelta(minutes=15)


def query_string(query: str, *, language: str | None = None, country: str | None = None) -> str:
    """The query with GDELT's ``sourcelang:`` and ``sourcecountry:`` operators added."""
    parts = [query.strip()]
    if language:
        parts.append(f"sourcelang:{language}")
    if country:
        parts.append(f"sourcecountry:{country}")
    return " ".join(parts)


def gdelt_url(
    base: str, query: str, mode: str, start: pd.Timestamp, end: pd.Timestamp, *, max_records: int = 250
) -> str:
    """The DOC 2.0 request for ``mode`` (``"artlist"`` or ``"timelinevolraw"``) over ``[start, end)`` (UTC)."""
    params = {
        "query": query,
        "mode": mode,
        "format": "json",
        "startdatetime": start.tz_convert("UTC").strftime(_STAMP),
        "enddatetime": end.tz_convert("UTC").strftime(_STAMP),
    }
    if mode == "artlist":
        params.update({"maxrecords": str(max_records), "sort": "dateasc"})
    else:
        params["timezoom"] = "no"
    return f"{base}?{urlencode(params)}"


def _json(resp: Response, what: str) -> dict[str, Any]:
    text = resp.body.decode("utf-8", errors="replace").strip()
    if not text:
        return {}
    ctype = resp.headers.get("content-type", "")
    if not text.startswith(("{", "[")):
        # GDELT answers a refused query with a sentence in text/html and status 200
        raise FeedError(f"GDELT refused the {what} request: {text[:200]!r} ({ctype}); check articles.gdelt.query")
    try:
        data = json.loads(text, strict=False)  # raw control characters inside strings are tolerated
    except json.JSONDecodeError as exc:
        raise FeedError(
            f"GDELT's {what} answer is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
            "nothing of it was stored: rerun later"
        ) from None
    if not isinstance(data, dict):
        raise FeedError(f"GDELT's {what} answer is not a JSON object; rerun later")
    return data


def _seen(value: Any) -> pd.Timestamp | None:
    try:
        ts = pd.to_datetime(str(value), format="%Y%m%dT%H%M%SZ", utc=True)
    except (ValueError, TypeError):
        return None
    return None if pd.isna(ts) else pd.Timestamp(ts)


def parse_artlist(resp: Response) -> pd.DataFrame:
    """Rows for the store from an ``artlist`` answer (``{}`` is an empty window).

    Parameters
    ----------
    resp : Response
        The answer.

    Returns
    -------
    pandas.DataFrame
        :data:`~georisk.feeds.FEED_COLUMNS`; ``published_at`` is GDELT's ``seendate``
        (when its crawler saw the article, UTC); ``text`` is the title (GDELT gives no
        summary; the ``fulltext`` extra can add the page's text).

    Raises
    ------
    FeedError
        For an answer that is not JSON or a refused query.
    """
    data = _json(resp, "article list")
    items = data.get("articles", [])
    if not isinstance(items, list):
        raise FeedError("GDELT's article list has no list of 'articles'; rerun later")
    rows = []
    for item in items:
        if not isinstance(item, dict) or not item.get("url") or not str(item.get("title") or "").strip():
            continue
        title = " ".join(str(item["title"]).split())
        rows.append(
            {
                "published_at": _seen(item.get("seendate")) or pd.NaT,
                "title": title,
                "text": title,
                "source": str(item.get("domain") or "gdelt"),
                "url": str(item["url"]),
                "language": item.get("language") or None,
                "country": item.get("sourcecountry") or None,
                "domain": item.get("domain") or None,
            }
        )
    frame = pd.DataFrame(rows, columns=FEED_COLUMNS)
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    return frame


def parse_timeline(resp: Response) -> pd.DataFrame:
    """Per time step, the articles matching the query and all articles GDELT monitored.

    Parameters
    ----------
    resp : Response
        A ``timelinevolraw`` answer: ``{"timeline": [{"series": ..., "data": [{"date":
        "20240301T000000Z", "value": 12, "norm": 123456}, ...]}]}``.

    Returns
    -------
    pandas.DataFrame
        Index: UTC time of each step; columns ``matching`` and ``monitored``.
    """
    data = _json(resp, "timeline")
    series = data.get("timeline") or []
    if not series:
        return pd.DataFrame({"matching": [], "monitored": []}, index=pd.DatetimeIndex([], tz="UTC"))
    points = series[0].get("data") or []
    stamps, matching, monitored = [], [], []
    for p in points:
        when = _seen(p.get("date"))
        if when is None:
            raise FeedError(f"GDELT's timeline has a step without a readable date ({p.get('date')!r}); rerun later")
        stamps.append(when)
        matching.append(float(p.get("value") or 0))
        monitored.append(float(p.get("norm") or 0))
    return pd.DataFrame({"matching": matching, "monitored": monitored}, index=pd.DatetimeIndex(stamps))


def fetch_window(
    get: Callable[[str], Response],
    base: str,
    query: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    *,
    max_records: int = 250,
    min_span: pd.Timedelta = _MIN_SPAN,
) -> pd.DataFrame:
    """Every article of ``[start, end)``: a window whose answer reaches ``max_records`` is halved.

    Parameters
    ----------
    get : callable
        ``get(url) -> Response`` (with the deadline, retries and pause between calls).
    base, query : str
        The API address and the query string.
    start, end : pandas.Timestamp
        The window (UTC).
    max_records : int, default 250
        GDELT's cap per call.
    min_span : pandas.Timedelta, default 15 minutes
        GDELT's time resolution: a window this short is not split further (its first
        ``max_records`` articles are kept and the rest logged as lost).

    Returns
    -------
    pandas.DataFrame
    """
    parts = []
    stack = [(start, end)]
    while stack:
        lo, hi = stack.pop()
        got = parse_artlist(get(gdelt_url(base, query, "artlist", lo, hi, max_records=max_records)))
        if len(got) >= max_records and hi - lo > min_span:
            mid = lo + (hi - lo) / 2
            stack.extend([(mid, hi), (lo, mid)])
            continue
        if len(got) >= max_records:
            log.warning("GDELT: %s to %s holds more than %d articles; the rest are not listed", lo, hi, max_records)
        parts.append(got)
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=FEED_COLUMNS)
    return frame
