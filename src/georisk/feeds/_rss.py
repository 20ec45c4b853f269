"""RSS 2.0 and Atom feeds (``feedparser``, the ``rss`` extra), fetched with conditional requests."""

from __future__ import annotations

import calendar
import logging
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from georisk.articles import clean_text, html_to_text, parse_published, resolve_published
from georisk.errors import OptionalDependencyError
from georisk.feeds._http import FeedError

__all__ = ["FEED_COLUMNS", "parse_feed"]

log = logging.getLogger(__name__)

#: Columns of the frame a source returns for the store.
FEED_COLUMNS = ["published_at", "title", "text", "source", "url", "language", "country", "domain"]


def _feedparser() -> Any:
    try:
        import feedparser  # type: ignore[import-untyped,unused-ignore]
    except ImportError as exc:
        raise OptionalDependencyError(
            'reading RSS and Atom feeds needs feedparser: pip install "georisk[rss]"'
        ) from exc
    return feedparser


def _text(value: Any) -> str:
    if not value:
        return ""
    text = str(value)
    if "<" in text and ">" in text:
        _, text = html_to_text(text)
    return clean_text(text).strip()


def _entry_time(entry: Any, policy: str) -> pd.Timestamp | None:
    """The entry's publication time: its own string when georisk can read it, else feedparser's UTC time.

    A date without a time (or exactly midnight) is placed by ``policy`` in UTC
    (``end_of_day`` by default, so it never counts before that day ended).
    """
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if not raw:
            continue
        try:
            parsed = parse_published(str(raw))
            when = resolve_published(
                parsed,
                date_only=parsed.date_only or parsed.at_midnight,
                policy=policy,  # type: ignore[arg-type]
                timezone="UTC",
                shown=raw,
            )
            return pd.Timestamp(when).tz_convert("UTC")
        except ValueError:
            struct = entry.get(f"{key}_parsed")
            if struct:  # feedparser's reading (zone names such as EST), in UTC
                return pd.Timestamp(calendar.timegm(struct), unit="s", tz="UTC")
    return None


def parse_feed(data: bytes, *, name: str, source: str | None = None, date_only: str = "end_of_day") -> pd.DataFrame:
    """Entries of an RSS 2.0 or Atom document as rows for the article store.

    Parameters
    ----------
    data : bytes
        The document as served.
    name : str
        The feed's name (messages; ``source`` when none is given).
    source : str, optional
        The value of ``source`` for its articles.
    date_only : {"end_of_day", "start_of_day", "raise"}, default "end_of_day"
        Where an entry dated without a time is placed (in UTC); with ``"raise"`` such
        an entry has no usable time and counts from its fetch.

    Returns
    -------
    pandas.DataFrame
        :data:`FEED_COLUMNS`; ``published_at`` is NaT for an entry without a usable
        date (it then counts from its fetch time). ``text`` is the title and summary
        (the summary alone would miss the headline's words).

    Raises
    ------
    FeedError
        If the document is not a feed or is cut short (malformed XML): nothing of it
        is stored, and the fetch state is not advanced, so the next fetch reads it again.
    OptionalDependencyError
        Without feedparser (``pip install "georisk[rss]"``).
    """
    fp = _feedparser()
    parsed = fp.parse(data)
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        benign = type(exc).__name__ in ("CharacterEncodingOverride", "NonXMLContentType")
        if not benign:
            raise FeedError(
                f"the feed document is malformed or cut short ({type(exc).__name__}: {exc}); nothing was stored, "
                "the next fetch reads it again",
                source=name,
            )
    version = parsed.get("version") or ""
    if not version and not parsed.get("entries"):
        raise FeedError("the answer is not an RSS or Atom feed; check the feed's URL", source=name)
    feed_lang = (parsed.get("feed") or {}).get("language")
    rows: list[dict[str, Any]] = []
    for entry in parsed.get("entries", []):
        link = entry.get("link") or entry.get("id") or ""
        title = _text(entry.get("title"))
        summary = _text(entry.get("summary") or entry.get("description"))
        if not summary:
            content = entry.get("content") or []
            summary = _text(content[0].get("value")) if content else ""
        text = f"{title}\n{summary}".strip() if summary and summary != title else title
        if not text:
            continue
        policy = "end_of_day" if date_only == "raise" else date_only
        when = _entry_time(entry, policy)
        if date_only == "raise" and when is not None and when.hour == 23 and when.minute == 59:
            when = None
        rows.append(
            {
                "published_at": when if when is not None else pd.NaT,
                "title": title,
                "text": text,
                "source": source or name,
                "url": link or None,
                "language": entry.get("language") or feed_lang,
                "country": None,
                "domain": (urlsplit(link).hostname or "").removeprefix("www.") or None,
            }
        )
    frame = pd.DataFrame(rows, columns=FEED_COLUMNS)
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    return frame
