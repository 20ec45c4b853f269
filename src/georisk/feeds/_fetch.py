"""``fetch_articles``: every configured source into the article store, incrementally."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from georisk.errors import ConfigError
from georisk.feeds._http import FeedError, Response, http_get

if TYPE_CHECKING:
    from georisk.articles import ArticleStore
    from georisk.config import ArticlesConfig, FeedConfig, GdeltConfig, GeoriskConfig

__all__ = ["FetchReport", "SourceReport", "fetch_articles"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceReport:
    """One source's fetch: ``status`` is ``"ok"``, ``"not modified"``, ``"failed"`` or ``"offline"``."""

    source: str
    status: str
    added: int = 0
    duplicates: int = 0
    seconds: float = 0.0
    error: str = ""
    last_success: str = ""


@dataclass
class FetchReport:
    """What :func:`fetch_articles` did, per source.

    Attributes
    ----------
    sources : list of SourceReport
    store : pathlib.Path
        The article store.
    """

    sources: list[SourceReport] = field(default_factory=list)
    store: Any = None

    @property
    def added(self) -> int:
        """New articles in all."""
        return sum(s.added for s in self.sources)

    @property
    def failed(self) -> list[SourceReport]:
        """Sources whose fetch failed."""
        return [s for s in self.sources if s.status == "failed"]

    def summary(self) -> pd.DataFrame:
        """One row per source: status, added, duplicates, seconds, error."""
        return pd.DataFrame([vars(s) for s in self.sources]).set_index("source") if self.sources else pd.DataFrame()

    def gap_message(self) -> str:
        """The failed sources and since when each has given nothing (empty when none failed)."""
        parts = []
        for s in self.failed:
            since = f"nothing fetched since {s.last_success}" if s.last_success else "never fetched successfully"
            parts.append(f"{s.source} ({since}): {s.error}")
        return "; ".join(parts)


def _store_of(acfg: ArticlesConfig) -> ArticleStore:
    from georisk.articles import ArticleStore

    if acfg.store is None:
        raise ConfigError(
            "fetching articles needs a store: set [articles] store = 'articles-store' (a folder) in the configuration"
        )
    return ArticleStore(acfg.store)


def _now(now: pd.Timestamp | None) -> pd.Timestamp:
    return pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now).tz_convert("UTC")


def _since(value: str | pd.Timestamp | None) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"--since {value!r} is not a date or time: {exc}; use YYYY-MM-DD or ISO 8601") from None
    return ts.tz_localize("UTC") if ts.tz is None else ts.tz_convert("UTC")


def _log_entry(state: dict[str, Any], now: pd.Timestamp, status: str, **extra: Any) -> dict[str, Any]:
    state = dict(state)
    state["last_fetch"] = now.isoformat()
    state["last_status"] = status
    if status in ("ok", "not modified"):
        state["last_success"] = now.isoformat()
        state.pop("last_error", None)
    else:
        state["last_error"] = extra.get("error", "")
    state["log"] = [*state.get("log", []), {"at": now.isoformat(), "status": status, **extra}]
    return state


def _fetch_rss(
    feed: FeedConfig,
    acfg: ArticlesConfig,
    store: ArticleStore,
    now: pd.Timestamp,
    since: pd.Timestamp | None,
    get: Callable[..., Response],
) -> SourceReport:
    from georisk.feeds._rss import parse_feed

    t0 = time.perf_counter()
    state = store.state(feed.name)
    headers = {}
    if since is None:  # a backfill reads the whole document again
        if state.get("etag"):
            headers["If-None-Match"] = str(state["etag"])
        if state.get("last_modified"):
            headers["If-Modified-Since"] = str(state["last_modified"])
    try:
        resp = get(feed.url, headers=headers, source=feed.name)
        if resp.status == 304:
            store.save_state(feed.name, _log_entry(state, now, "not modified", added=0))
            return SourceReport(feed.name, "not modified", seconds=time.perf_counter() - t0)
        rows = parse_feed(resp.body, name=feed.name, source=feed.source, date_only=feed.date_only)
        if since is not None:
            rows = rows[rows["published_at"].isna() | (rows["published_at"] >= since)]
        rows = _with_fulltext(rows, acfg, store, get, feed.name)
        res = store.append(rows, feed=feed.name, seen_at=now, backfill=since is not None)
    except FeedError as exc:
        why = str(exc).removeprefix(f"{feed.name}: ")
        store.save_state(feed.name, _log_entry(state, now, "failed", error=why))
        return SourceReport(
            feed.name,
            "failed",
            seconds=time.perf_counter() - t0,
            error=why,
            last_success=state.get("last_success", ""),
        )
    state = _log_entry(state, now, "ok", added=res.added, duplicates=res.duplicates, entries=len(rows))
    state["etag"] = resp.headers.get("etag")
    state["last_modified"] = resp.headers.get("last-modified")
    store.save_state(feed.name, state)
    return SourceReport(feed.name, "ok", res.added, res.duplicates, time.perf_counter() - t0)


def _fetch_gdelt(
    gcfg: GdeltConfig,
    acfg: ArticlesConfig,
    store: ArticleStore,
    now: pd.Timestamp,
    since: pd.Timestamp | None,
    get: Callable[..., Response],
    sleep: Callable[[float], None],
) -> SourceReport:
    from georisk.feeds._gdelt import fetch_window, gdelt_url, parse_timeline, query_string

    t0 = time.perf_counter()
    name = "gdelt"
    state = store.state(name)
    earliest = now - pd.Timedelta(days=gcfg.window_days)  # GDELT DOC searches a rolling window
    if since is not None:
        start = since
    elif state.get("last_end"):
        start = pd.Timestamp(state["last_end"]) - pd.Timedelta(minutes=15)  # GDELT's lag: overlap, de-duplicated
    else:
        start = now - pd.Timedelta(days=1)
    if start < earliest:
        log.warning("GDELT searches the last %d days only: fetching from %s, not %s", gcfg.window_days, earliest, start)
        start = earliest
    query = query_string(gcfg.query, language=gcfg.language, country=gcfg.country)
    last_call = [-1e18]

    def paced(url: str) -> Response:
        wait = gcfg.min_interval - (time.monotonic() - last_call[0])
        if wait > 0:
            sleep(wait)
        try:
            return get(url, source=name)
        finally:
            last_call[0] = time.monotonic()

    try:
        rows = fetch_window(paced, gcfg.base_url, query, start, now, max_records=gcfg.max_records)
        totals = None
        if gcfg.monitored:
            day0 = start.floor("D")
            day1 = now.floor("D")  # complete days only: today's total is not final
            if day1 > day0:
                steps = parse_timeline(paced(gdelt_url(gcfg.base_url, query, "timelinevolraw", day0, day1)))
                if len(steps):
                    days = pd.DatetimeIndex(steps.index).tz_convert("UTC").floor("D")
                    inside = (days >= day0) & (days < day1)
                    totals = steps["monitored"][inside].groupby(days[inside].tz_localize(None)).sum()
        rows = _with_fulltext(rows, acfg, store, get, name)
        res = store.append(rows, feed=name, seen_at=now, backfill=since is not None)
        if totals is not None and len(totals):
            store.write_monitored(name, totals)
    except FeedError as exc:
        why = str(exc).removeprefix(f"{name}: ")
        store.save_state(name, _log_entry(state, now, "failed", error=why))
        return SourceReport(
            name, "failed", seconds=time.perf_counter() - t0, error=why, last_success=state.get("last_success", "")
        )
    state = _log_entry(state, now, "ok", added=res.added, duplicates=res.duplicates, entries=len(rows))
    if since is None or pd.Timestamp(state.get("last_end", start)) < now:
        state["last_end"] = now.isoformat()
    store.save_state(name, state)
    return SourceReport(name, "ok", res.added, res.duplicates, time.perf_counter() - t0)


def _with_fulltext(
    rows: pd.DataFrame, acfg: ArticlesConfig, store: ArticleStore, get: Callable[..., Response], name: str
) -> pd.DataFrame:
    if not acfg.fulltext or rows.empty:
        return rows
    from georisk.articles import canonical_url
    from georisk.feeds._fulltext import add_fulltext

    _, urls = store.keys()
    new = rows["url"].map(canonical_url).map(lambda u: bool(u) and u not in urls)
    return add_fulltext(rows, new.to_numpy(), get, name)


def fetch_articles(
    config: GeoriskConfig | ArticlesConfig,
    *,
    since: str | pd.Timestamp | None = None,
    offline: bool = False,
    now: pd.Timestamp | None = None,
    sleep: Callable[[float], None] = time.sleep,
    raise_on_failure: bool = True,
) -> FetchReport:
    """Fetch every configured source (GDELT, RSS and Atom feeds) into the article store.

    Parameters
    ----------
    config : GeoriskConfig or ArticlesConfig
        ``[articles]``: ``store``, ``feeds``, ``gdelt``, ``timeout``, ``deadline``,
        ``retries``, ``fulltext``.
    since : date-like, optional
        Backfill from this time (UTC when naive): GDELT is asked for the window from
        ``since`` to now (within its rolling window), feeds are read whole, and every
        article stored is marked ``backfill``. Without it, each source continues from
        its last fetch (GDELT) or asks only for what changed (ETag, Last-Modified).
    offline : bool, default False
        Fetch nothing; report each source's last fetch from the store, and fail (exit
        4) for a source whose last success is older than ``max_feed_gap_hours``.
    now : pandas.Timestamp, optional
        The fetch time (default: the clock); stored as each article's ``seen_at``.
    sleep : callable, default time.sleep
        Waiting (tests pass their own).
    raise_on_failure : bool, default True
        Raise :class:`~georisk.feeds.FeedError` naming the failed sources and their
        gaps after storing what the others gave; False returns them in the report.

    Returns
    -------
    FetchReport

    Raises
    ------
    FeedError
        (exit code 4) if a source failed (an outage, 429 or 5xx past the retries, the
        deadline, a malformed answer); the other sources' articles are stored.
    ConfigError
        If no store or no source is configured.
    LockHeldError
        If another process writes the store for longer than its lock timeout.

    Notes
    -----
    Each article counts from the earlier of its fetch time and its publication time
    when that is not in the future of the fetch (:func:`georisk.articles.counting_time`);
    a second fetch of the same window adds nothing (articles are de-duplicated by id and
    canonical URL), and a fetch killed at any point leaves the store whole.
    """
    from georisk.config import GeoriskConfig

    acfg = config.articles if isinstance(config, GeoriskConfig) else config
    store = _store_of(acfg)
    if not acfg.feeds and acfg.gdelt is None:
        raise ConfigError("no source to fetch: add [[articles.feeds]] (name, url) or [articles.gdelt] (query)")
    at = _now(now)
    start = _since(since)
    report = FetchReport(store=store.root)
    names = [f.name for f in acfg.feeds] + (["gdelt"] if acfg.gdelt is not None else [])
    if offline:
        for name in names:
            st = store.state(name)
            last = st.get("last_success", "")
            stale = not last or (at - pd.Timestamp(last)) > pd.Timedelta(hours=acfg.max_feed_gap_hours)
            report.sources.append(
                SourceReport(
                    name,
                    "failed" if stale else "offline",
                    error=f"offline, and the last successful fetch is older than {acfg.max_feed_gap_hours:g} h"
                    if stale
                    else "",
                    last_success=last,
                )
            )
    else:

        def get(url: str, *, headers: dict[str, str] | None = None, source: str | None = None) -> Response:
            return http_get(
                url,
                headers=headers,
                timeout=acfg.timeout,
                deadline=acfg.deadline,
                retries=acfg.retries,
                user_agent=acfg.user_agent,
                sleep=sleep,
                source=source,
            )

        if acfg.gdelt is not None:
            report.sources.append(_fetch_gdelt(acfg.gdelt, acfg, store, at, start, get, sleep))
        for feed in acfg.feeds:
            report.sources.append(_fetch_rss(feed, acfg, store, at, start, get))
    for s in report.sources:
        log.info("%s: %s, %d new, %d already stored (%.2f s)", s.source, s.status, s.added, s.duplicates, s.seconds)
    if report.failed and raise_on_failure:
        raise FeedError(
            f"{len(report.failed)} of {len(report.sources)} source(s) failed, the others were stored: "
            f"{report.gap_message()}"
        )
    return report
