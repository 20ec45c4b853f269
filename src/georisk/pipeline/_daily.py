"""The daily job: compute and publish the export of one session, or of a range (a backfill).

Reads the configured inputs once, checks them session by session (closes settled, article
feed not stale, prices present and of good quality as known at each cutoff), computes the
stages (:func:`georisk.pipeline.compute_stages`) and hands each session's row to
:func:`georisk.export.publish_session`, with its briefing beside it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np
import pandas as pd

from georisk._validation import renamed_keyword
from georisk.briefing_pages import BriefingData, export_briefing_data, prepare_briefings, write_briefing
from georisk.calendar import assign_sessions, get_calendar, parse_date, session_closes, to_session
from georisk.config import ExportConfig as _ExportConfig
from georisk.errors import (
    ConfigError,
    DataQualityError,
    MissingDataError,
    NotASessionError,
)
from georisk.export import (
    ExportResult,
    PublishBatch,
    check_keep_versions,
    check_previous,
    export_lock,
    export_root,
    hash_path,
    publish_session,
    recover,
)
from georisk.lock import check_seconds
from georisk.market import KnownPriceStream, QualityTracker
from georisk.schema import build_rows

if TYPE_CHECKING:
    from georisk.config import ExportConfig, GeoriskConfig


__all__ = ["SETTLE_MINUTES", "dropped_warnings", "export_daily", "export_range", "export_settings"]

log = logging.getLogger(__name__)


def _check_gap(max_article_gap: int) -> None:
    if isinstance(max_article_gap, bool) or not isinstance(max_article_gap, int) or max_article_gap < 0:
        raise ConfigError(
            f"max_article_gap={max_article_gap!r} must be a whole number >= 0 sessions (--max-article-gap)"
        )


class _SessionInputs(NamedTuple):
    n_articles: int
    last_article: pd.Timestamp
    warnings: list[str]
    articles_digest: dict[str, Any]
    prices_digest: dict[str, Any]
    prices_last: pd.Timestamp


class _ArticleIndex:
    """The articles' publication times and row hashes, computed once for a whole range.

    :meth:`used` gives, per session, the count, the last publication time and the
    :func:`hash_frame` digest of the articles published by its cutoff, without a copy
    of those articles (the row hashes of a subset are those of the whole frame).
    """

    def __init__(self, articles: pd.DataFrame) -> None:
        key = articles[["id", "published_at"]] if "id" in articles else articles
        self.articles = articles
        self.header = json.dumps([str(c) for c in key.columns]).encode()
        self.row_hash = pd.util.hash_pandas_object(key, index=True).to_numpy()
        self.times = pd.DatetimeIndex(articles["published_at"]).tz_convert("UTC").as_unit("ns").asi8
        # Articles in time order (as loaded): those published by a cutoff are a prefix, so
        # the digest of a later cutoff extends that of an earlier one (O(new) a session).
        self.in_order = bool(len(self.times) < 2 or (np.diff(self.times) >= 0).all())
        self._running = hashlib.sha256(self.header)
        self._hashed = 0
        self._cutoff = np.iinfo("int64").min
        self._closes: tuple[str, np.ndarray, pd.DatetimeIndex] | None = None

    def used(
        self, d: pd.Timestamp, cutoff: pd.Timestamp, calendar: str, max_gap: int
    ) -> tuple[int, pd.Timestamp, dict[str, Any]]:
        """``(count, last published_at, digest)`` of the articles published by ``cutoff``.

        Called with increasing cutoffs on articles in time order, each call costs the
        articles published since the previous cutoff (plus a binary search).
        """
        cut = pd.Timestamp(cutoff).tz_convert("UTC").as_unit("ns").value
        if self.in_order and cut >= self._cutoff:
            self._cutoff = cut
            n = int(np.searchsorted(self.times, cut, side="right"))
            if n == 0:
                raise _no_article(d, cutoff, self._first())
            self._running.update(self.row_hash[self._hashed : n].tobytes())
            self._hashed = n
            first_of_last = int(np.searchsorted(self.times, self.times[n - 1], side="left"))
            last = pd.Timestamp(self.articles["published_at"].iloc[first_of_last])
            if self._gap(int(self.times[n - 1]), d, calendar) > max_gap:
                _check_stale(last, d, cutoff, calendar, max_gap)  # raises, naming the gap
            return n, last, {"kind": "frame", "path": None, "sha256": self._running.copy().hexdigest()}
        mask = self.times <= cut
        n = int(mask.sum())
        if n == 0:
            raise _no_article(d, cutoff, self._first())
        positions = np.flatnonzero(mask)
        pos = int(positions[np.argmax(self.times[positions])])
        last = pd.Timestamp(self.articles["published_at"].iloc[pos])
        _check_stale(last, d, cutoff, calendar, max_gap)
        h = hashlib.sha256(self.header)
        h.update(self.row_hash[mask].tobytes())
        return n, last, {"kind": "frame", "path": None, "sha256": h.hexdigest()}

    def _gap(self, last_ns: int, d: pd.Timestamp, calendar: str) -> int:
        """Sessions from the one ``last_ns`` counts for to ``d`` (what :func:`_check_stale` measures).

        By binary search in the calendar's closes, fetched once for a whole range; -1
        (never stale) outside them, where :func:`_check_stale` itself decides.
        """
        got = self._closes
        if got is None or got[0] != calendar or len(got[2]) == 0 or d > got[2][-1]:
            lo = pd.Timestamp(self.times[0]).tz_localize(None) - pd.Timedelta(days=30) if len(self.times) else d
            closes = session_closes(calendar, str(lo.date()), str((d + pd.Timedelta(days=400)).date()))
            got = (calendar, pd.DatetimeIndex(closes).as_unit("ns").asi8, pd.DatetimeIndex(closes.index))
            self._closes = got
        _, ns, sessions = got
        i_last = int(np.searchsorted(ns, last_ns, side="left"))
        i_d = int(sessions.searchsorted(d))
        if i_last == 0 or i_last >= len(ns) or i_d >= len(sessions) or sessions[i_d] != d:
            return self._gap_slow(last_ns, d, calendar)
        return i_d - i_last

    def _gap_slow(self, last_ns: int, d: pd.Timestamp, calendar: str) -> int:
        last_session = assign_sessions(pd.DatetimeIndex([pd.Timestamp(last_ns, tz="UTC")]), calendar)[0]
        return len(session_closes(calendar, str(last_session.date()), str(d.date()))) - 1

    def _first(self) -> pd.Timestamp | None:
        return pd.Timestamp(self.articles["published_at"].min()) if len(self.articles) else None


def dropped_warnings(quarantine: pd.DataFrame, prices: pd.DataFrame) -> list[str]:
    """One warning per input whose rows were left out, with the count per reason."""
    out: list[str] = []
    if len(quarantine):
        reasons = quarantine["reason"].astype(str).map(_reason_key)
        fields = quarantine["field"].astype(str) if "field" in quarantine else pd.Series("", index=quarantine.index)
        named = fields.where(~fields.isin(["None", "nan", ""]), "record")
        keys = (named + ": " + reasons).value_counts()
        parts = "; ".join(f"{n} x {k}" for k, n in keys.items())
        out.append(f"dropped rows: {len(quarantine)} article record(s) were quarantined (lenient mode): {parts}")
    dropped = prices.attrs.get("georisk_dropped_rows") or {}
    if dropped:
        parts = "; ".join(f"{n} x {k}" for k, n in sorted(dropped.items()))
        out.append(f"dropped rows: {sum(dropped.values())} price(s) left out (counted per ticker): {parts}")
    out.extend(str(n) for n in prices.attrs.get("georisk_notes") or [])
    return out


def _reason_key(reason: str) -> str:
    """A reason without its location and values, so that equal causes count together."""
    text = re.sub(r"^.*?(?:line \d+, )?field '[^']*': ", "", reason, count=1)
    text = re.sub(r"^[^:]*(?:\.jsonl?|\.csv|\.txt)(?:, line \d+)?: ", "", text, count=1)
    text = text.split(";")[0]
    return re.sub(r"'[^']*'|\"[^\"]*\"|\d+(?:\.\d+)?", "…", text).strip()[:120]


def _no_article(d: pd.Timestamp, cutoff: pd.Timestamp, first: pd.Timestamp | None) -> MissingDataError:
    tail = f"; the first article is from {first}" if first is not None else "; the feed is empty"
    return MissingDataError(f"no article was published by the close of {d.date()} ({cutoff}){tail}")


def _check_stale(last: pd.Timestamp, d: pd.Timestamp, cutoff: pd.Timestamp, calendar: str, max_gap: int) -> None:
    """Refuse a feed whose last article by the cutoff is more than ``max_gap`` sessions old."""
    last_session = assign_sessions(pd.DatetimeIndex([last]), calendar)[0]
    gap = len(session_closes(calendar, str(last_session.date()), str(d.date()))) - 1
    if gap > max_gap:
        raise MissingDataError(
            f"the article feed is stale for session {d.date()}: the last article published by its close "
            f"({cutoff}) is from {last} (session {last_session.date()}), {gap} sessions earlier; at most "
            f"{max_gap} allowed. Check the feed, or raise max_article_gap (--max-article-gap)"
        )


def _price_gaps(prices: pd.DataFrame, d: pd.Timestamp, config: GeoriskConfig) -> list[str]:
    upto = prices[prices.index <= d]
    cal = config.signal.calendar
    if upto.empty:
        start = prices.index.min().date() if len(prices) else "nowhere (no prices at all)"
        raise MissingDataError(f"no prices up to session {d.date()}; the prices start {start}")
    last = pd.Timestamp(upto.index.max())
    if last < d:
        gap = session_closes(cal, str((last + pd.Timedelta(days=1)).date()), str(d.date())).index
        raise MissingDataError(
            f"no prices for session {d.date()}: the prices end {last.date()}, {len(gap)} session(s) missing "
            f"({', '.join(str(g.date()) for g in gap[:10])}{', ...' if len(gap) > 10 else ''}); refresh the "
            "price cache (georisk prices fetch) or export an earlier session"
        )
    gaps = []
    for ticker in config.universe.tickers:
        inst = config.universe.instrument(ticker)
        if not get_calendar(inst.calendar, str(d.date()), str(d.date())).is_session(d):
            continue
        col = upto[ticker] if ticker in upto.columns else pd.Series(dtype=float)
        if d not in col.index or pd.isna(col.loc[d]):
            valid = col.dropna()
            seen = valid.index.max().date() if len(valid) else "never"
            gaps.append(f"{ticker} (a {inst.calendar} session; last price {seen})")
    return [f"no price on {d.date()} for {', '.join(gaps)}"] if gaps else []


class _PriceGaps:
    """:func:`_price_gaps` for every session of a range, from lookups prepared once.

    ``at(d)`` returns what ``_price_gaps(prices, d, config)`` returns (and raises what it
    raises), with each calendar's sessions and each ticker's priced dates looked up by
    binary search instead of a copy of the prices and a calendar per ticker and session.
    """

    def __init__(self, prices: pd.DataFrame, config: GeoriskConfig, lo: pd.Timestamp, hi: pd.Timestamp) -> None:
        self.prices = prices
        self.config = config
        self.index = pd.DatetimeIndex(prices.index)
        self.tickers = list(config.universe.tickers)
        self.calendars: dict[str, set[pd.Timestamp]] = {}
        for t in self.tickers:
            name = config.universe.instrument(t).calendar
            if name not in self.calendars:
                cal = get_calendar(name, str(lo.date()), str(hi.date()))
                self.calendars[name] = set(pd.DatetimeIndex(cal.sessions_in_range(lo, hi)))
        self.valid = {
            t: pd.DatetimeIndex(prices[t].dropna().index) if t in prices.columns else pd.DatetimeIndex([])
            for t in self.tickers
        }

    def at(self, d: pd.Timestamp) -> list[str]:
        """The gaps of session ``d`` (see :func:`_price_gaps`)."""
        pos = int(self.index.searchsorted(d, side="right"))
        if pos == 0 or pd.Timestamp(self.index[pos - 1]) < d:
            return _price_gaps(self.prices, d, self.config)  # raises, naming the gap
        gaps = []
        for ticker in self.tickers:
            inst = self.config.universe.instrument(ticker)
            if d not in self.calendars[inst.calendar]:
                continue
            valid = self.valid[ticker]
            k = int(valid.searchsorted(d, side="right"))
            if k == 0 or pd.Timestamp(valid[k - 1]) != d:
                seen = pd.Timestamp(valid[k - 1]).date() if k else "never"
                gaps.append(f"{ticker} (a {inst.calendar} session; last price {seen})")
        return [f"no price on {d.date()} for {', '.join(gaps)}"] if gaps else []


def _previous_close(calendar: str, closes: pd.Series) -> pd.Timestamp:
    """Close (UTC) of the session before the first of ``closes``."""
    first = pd.Timestamp(closes.index[0])
    earlier = session_closes(
        calendar, str((first - pd.Timedelta(days=14)).date()), str((first - pd.Timedelta(days=1)).date())
    )
    return pd.Timestamp(earlier.iloc[-1]) if len(earlier) else pd.Timestamp("1900-01-01", tz="UTC")


def _prices_digest(stream: KnownPriceStream, cutoff: pd.Timestamp) -> tuple[dict[str, Any], pd.Timestamp]:
    """``(hash_frame(known prices), last date)`` at ``cutoff``, from the stream's running digest."""
    sha, last = stream.digest(cutoff)
    return {"kind": "frame", "path": None, "sha256": sha}, last


def _feed(stream: KnownPriceStream, tracker: QualityTracker, cutoff: pd.Timestamp) -> None:
    """Add to ``tracker`` the prices of its universe first known by ``cutoff``."""
    universe = set(tracker.universe.tickers)
    for t, (dates, values) in stream.advance(cutoff).items():
        if t in universe:
            tracker.add_ns(t, dates, values)


def _quality_warnings(
    failed: Mapping[str, str], issues: list[tuple[str, str, str]], d: pd.Timestamp, config: GeoriskConfig
) -> list[str]:
    """The warnings of :func:`_price_quality`; ``DataQualityError`` on a failure with ``prices.strict``."""
    found = [f"price quality: {t} fails the quality thresholds as of {d.date()} ({why})" for t, why in failed.items()]
    found += [f"price quality: {t} {check} on {d.date()} ({detail})" for t, check, detail in issues]
    if failed and config.prices.strict:
        raise DataQualityError(
            f"session {d.date()}: " + "; ".join(found[: len(failed)]) + "; fix the prices, or set "
            "prices.strict = false to export with the failure recorded as a warning in the manifest"
        )
    return found


def _tracked_quality(tracker: QualityTracker, d: pd.Timestamp, config: GeoriskConfig) -> list[str]:
    """:func:`_price_quality` of the prices added to ``tracker`` so far, the new ones being the fresh ones."""
    names = set(tracker.tickers)
    tickers = [t for t in config.universe.tickers if t in names]
    rows = tracker.rows(d, tickers)
    failed = {t: str(r["reasons"]) for t, r in rows.items() if r["status"] == "fail"}
    records, _ = tracker.take_issue_records(d, tickers)
    issues = [(str(r["ticker"]), str(r["check"]), str(r["detail"])) for r in records]
    return _quality_warnings(failed, issues, d, config)


def _price_quality(
    upto: pd.DataFrame,
    d: pd.Timestamp,
    config: GeoriskConfig,
    fresh: Mapping[str, pd.DatetimeIndex] | None = None,
) -> list[str]:
    """Quality warnings of the prices known on session ``d`` (the report cut at ``d``, so causal).

    A ticker failing :class:`~georisk.market.QualityThresholds` as of ``d`` (stale run,
    missing sessions, lag, ...) and any issue dated ``d`` (outlier, roll jump, non-positive
    price) become warnings; with ``prices.strict`` a failure raises ``DataQualityError``.
    Tickers without any price yet are left to the gap check. ``fresh`` gives, per ticker,
    the dates of the prices first known at this session (default: those dated ``d``);
    their issues are the session's.
    """
    from georisk.market import quality_report

    tickers = [t for t in config.universe.tickers if t in upto.columns and upto[t].notna().any()]
    report = quality_report({t: upto[t].dropna() for t in tickers}, config.universe, tickers=tickers, end=d)
    table = report.table
    reasons = table["reasons"].astype(str)
    failed = {str(t): reasons[t] for t in table.index[table["status"] == "fail"]}
    issue_dates = pd.to_datetime(report.issues["date"])
    if fresh is None:
        today = report.issues[issue_dates == d]
    else:
        names = report.issues["ticker"].astype(str)
        new = [bool(t in fresh and day in fresh[t]) for t, day in zip(names, issue_dates, strict=True)]
        today = report.issues[new]
    issues = [(str(r.ticker), str(r.check), str(r.detail)) for r in today.itertuples(index=False)]
    return _quality_warnings(failed, issues, d, config)


#: Default minutes after a session's close before it may be exported (``[export] settle_minutes``,
#: defined in :class:`georisk.config.ExportConfig`); the same grace as
#: :data:`georisk.market._load.SETTLE_GRACE`, after which cached prices count as final.
SETTLE_MINUTES: float = _ExportConfig.model_fields["settle_minutes"].default


def _wait_text(delta: pd.Timedelta) -> str:
    minutes = max(int(-(-delta.total_seconds() // 60)), 1)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d"] if days else []
    if hours:
        parts.append(f"{hours} h")
    if mins or not parts:
        parts.append(f"{mins} min")
    return " ".join(parts)


def _require_closed(
    config: GeoriskConfig,
    session: pd.Timestamp,
    close: pd.Timestamp,
    now: pd.Timestamp | None,
    settle_minutes: float,
) -> None:
    """Refuse a session whose close (and every instrument's cutoff) plus the grace has not passed."""
    from georisk.market import known_at

    clock = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)
    clock = clock.tz_localize("UTC") if clock.tz is None else clock.tz_convert("UTC")
    close_utc = pd.Timestamp(close).tz_convert("UTC")
    day = pd.DatetimeIndex([session])
    cutoffs = [known_at(day, config.universe.instrument(t))[0] for t in config.universe.tickers]
    last = max([close_utc, *cutoffs])
    ready = last + pd.Timedelta(minutes=settle_minutes)
    if clock >= ready:
        return
    late = f" (the last instrument cutoff is {last:%Y-%m-%d %H:%M} UTC)" if last > close_utc else ""
    raise MissingDataError(
        f"session {session.date()} has not settled: its {config.signal.calendar} close is "
        f"{close_utc:%Y-%m-%d %H:%M} UTC{late}, and the export waits settle_minutes={settle_minutes:g} more "
        f"for final prices and articles, until {ready:%Y-%m-%d %H:%M} UTC; it is {clock:%Y-%m-%d %H:%M} UTC, "
        f"so wait {_wait_text(ready - clock)} and rerun, or export an earlier session"
    )


def _as_of_argument(as_of: Any, old: Any, old_name: str) -> Any:
    """``as_of``, or the value given under its deprecated name ``old_name`` (with a ``DeprecationWarning``)."""
    as_of = renamed_keyword(old_name, old, "as_of", as_of, stacklevel=4)
    if as_of is None:
        raise ConfigError("no session given: pass as_of (a session date, YYYY-MM-DD)")
    return as_of


def export_settings(config: GeoriskConfig, **given: Any) -> ExportConfig:
    """The export's settings: ``config.export`` with each keyword given (not None) in its place.

    The defaults live in :class:`georisk.config.ExportConfig` only; ``georisk export``'s
    options and the keywords of :func:`export_daily` and :func:`export_range` override the
    ``[export]`` section of the configuration one by one.

    Parameters
    ----------
    config : GeoriskConfig
        The configuration (its ``export`` section).
    **given
        ``lock_timeout``, ``max_article_gap``, ``missing_prices``, ``keep_versions``,
        ``settle_minutes`` or ``out_dir``; None leaves the configured value.

    Returns
    -------
    ExportConfig

    Raises
    ------
    ConfigError
        If a value is out of range (named with its option).

    Examples
    --------
    >>> from georisk.config import GeoriskConfig
    >>> export_settings(GeoriskConfig(), keep_versions=1, lock_timeout=None).keep_versions
    1
    """
    if given.get("missing_prices") not in (None, "raise", "warn"):
        raise ConfigError(f"missing_prices={given['missing_prices']!r} must be 'raise' or 'warn'")
    if given.get("max_article_gap") is not None:
        _check_gap(given["max_article_gap"])
    for key, option in (("settle_minutes", "--settle-minutes"), ("lock_timeout", "--lock-timeout")):
        if given.get(key) is not None:
            given[key] = check_seconds(given[key], f"{key} ({option})")
    if given.get("keep_versions") is not None:
        check_keep_versions(given["keep_versions"])
    update = {k: v for k, v in given.items() if v is not None}
    unknown = set(update) - set(type(config.export).model_fields)
    if unknown:
        raise ConfigError(
            f"unknown export setting(s) {sorted(unknown)}; known: {sorted(type(config.export).model_fields)}"
        )
    return config.export.model_copy(update=update)


def export_range(
    config: GeoriskConfig | str | Path | None,
    start: str | pd.Timestamp,
    end: str | pd.Timestamp,
    *,
    out_dir: str | Path | None = None,
    lock_timeout: float | None = None,
    overwrite_corrupt: bool = False,
    max_article_gap: int | None = None,
    missing_prices: Literal["raise", "warn"] | None = None,
    keep_versions: int | None = None,
    settle_minutes: float | None = None,
    now: pd.Timestamp | None = None,
) -> list[ExportResult]:
    """Export every session from ``start`` to ``end`` (a backfill); see :func:`export_daily`.

    Stages are computed once as of the last session: they are causal (a value dated d
    uses data up to d only), so each row equals the one a run on d's evening writes,
    byte for byte, and so does each session's briefing (``briefings/briefing-D.html``
    and ``.md``, written beside its data). Sessions are published in order; if one
    fails, the earlier ones stay published and a rerun skips them as unchanged. A
    publication a killed run left half done is completed (or found not to have
    happened) first.

    The cost is linear in the number of sessions: the inputs are read once and walked
    session by session, each step costing what became known since the previous one.
    The prices known at each cutoff (:class:`~georisk.market.KnownPriceStream`, the
    market's one cutoff rule) feed a :class:`~georisk.market.QualityTracker`
    (the same statuses, reasons and issues as the quality report over the whole known
    history) and a running SHA-256 (the same ``prices_used`` digest as hashing the
    known frame); the articles published by each cutoff extend a running digest too.
    Per session only its digests, counts and warnings are kept, so memory does not grow
    with the number of sessions.

    Durability: a backfill groups its fsyncs (:class:`~georisk.export.PublishBatch`):
    every session published before the last checkpoint (one every
    :data:`~georisk.export.CHECKPOINT_SESSIONS` sessions, and one at the end) is
    durable; after a power loss the sessions since then are at their previous version
    or unpublished (never pointed to while incomplete) and a rerun publishes them. A
    killed process leaves every session whole, as a single export does. One session
    (:func:`export_daily`) is durable when the call returns.

    Parameters
    ----------
    config : GeoriskConfig, path to a TOML file, or None
        The configuration (the bundled synthetic sample when None).
    start, end : date-like
        First and last calendar dates of the range (inclusive); the sessions between
        them are exported, so neither end needs to be a session.
    out_dir, lock_timeout, overwrite_corrupt, max_article_gap, missing_prices, keep_versions
        As for :func:`export_daily` (None: the configuration's ``[export]`` value).
    settle_minutes, now
        As for :func:`export_daily`; the last session of the range must have settled.

    Returns
    -------
    list of ExportResult
        One per session, in order.

    Raises
    ------
    NotASessionError
        If the range holds no session.
    MissingDataError, DataQualityError, LockHeldError, CorruptExportError, ConfigError
        As for :func:`export_daily`, checked for every session before anything is written
        (the close of the last session is checked before any input is read).
    """
    from georisk.config import GeoriskConfig, data_label
    from georisk.pipeline._run import compute_stages, load_inputs

    cfg = GeoriskConfig.from_toml(config) if isinstance(config, str | Path) else (config or GeoriskConfig())
    opts = export_settings(
        cfg,
        lock_timeout=lock_timeout,
        max_article_gap=max_article_gap,
        missing_prices=missing_prices,
        keep_versions=keep_versions,
        settle_minutes=settle_minutes,
    )
    lock_timeout, max_article_gap, keep_versions = opts.lock_timeout, opts.max_article_gap, opts.keep_versions
    missing_prices, settle_minutes = opts.missing_prices, opts.settle_minutes
    lo, hi = parse_date(start, "start"), parse_date(end, "end")
    cal = cfg.signal.calendar
    if lo > hi:
        raise ConfigError(f"--from {lo.date()} is after --to {hi.date()}")
    closes = session_closes(cal, str(lo.date()), str(hi.date()))
    if closes.empty:
        raise NotASessionError(f"no {cal} session between {lo.date()} and {hi.date()}")
    _require_closed(cfg, pd.Timestamp(closes.index[-1]), pd.Timestamp(closes.iloc[-1]), now, settle_minutes)
    out = export_root(out_dir if out_dir is not None else cfg.export.out_dir)
    results: list[ExportResult] = []
    with export_lock(out, lock_timeout):
        if not overwrite_corrupt:
            check_previous(out, pd.DatetimeIndex(closes.index))
        recover(out)
        articles, quarantine, prices, inputs = load_inputs(cfg, strict=False)  # strict per session below
        stream = KnownPriceStream(prices, cfg.universe)  # the prices known at each cutoff, as they come
        price_gaps = _PriceGaps(prices, cfg, pd.Timestamp(closes.index[0]), pd.Timestamp(closes.index[-1]))
        index = _ArticleIndex(articles)
        tracker = QualityTracker(cfg.universe)
        # The prices known before the first session are history; their issues are not news.
        _feed(stream, tracker, _previous_close(cal, closes))
        tracker.take_issue_records(pd.Timestamp(closes.index[0]))
        # One pass over the sessions, each costing what it adds: only what each session's
        # manifest needs is kept (digests, counts, warnings), so memory does not grow with
        # the range and time grows linearly with it.
        checks: dict[pd.Timestamp, _SessionInputs] = {}
        for key, cutoff in closes.items():
            d = pd.Timestamp(key)  # type: ignore[arg-type]
            cut = pd.Timestamp(cutoff)
            n_used, last, digest = index.used(d, cut, cal, max_article_gap)
            gaps = price_gaps.at(d)
            if gaps and missing_prices == "raise":
                raise MissingDataError(gaps[0] + "; refresh those prices or pass missing_prices='warn'")
            _feed(stream, tracker, cut)
            prices_digest, prices_last = _prices_digest(stream, cut)
            checks[d] = _SessionInputs(
                n_used, last, gaps + _tracked_quality(tracker, d, cfg), digest, prices_digest, prices_last
            )
        del tracker, stream
        stages = compute_stages(cfg, articles, prices, as_of=closes.index[-1])
        rows = build_rows(
            stages.signal,
            stages.premium,
            stages.positions,
            pd.DatetimeIndex(closes.index),
            sleeves=cfg.universe.risk_sleeves,
            closes=closes,
            calendar=cal,
        )
        params = cfg.model_dump(mode="json")
        params_sha = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()
        file_inputs = {k: hash_path(Path(p)) for k, p in inputs.items()}
        # dropped input rows carry no usable date: reported, but not part of a version
        feed_notes = dropped_warnings(quarantine, prices)
        for w in feed_notes:
            log.warning("%s", w)
        # a run on the bundled sample (whole or mixed) says so in every manifest, first
        synthetic = [label] if (label := data_label(cfg)) is not None else []
        # the evidence phrases of every page in one call of the scorer's explain
        prepare_briefings(stages, cfg, list(checks))
        # a backfill: one pending file and a group commit of the fsyncs every few sessions
        # (PublishBatch); each session is still whole and durable before session=D and
        # latest point to it. One session: every file durable at once, as ever.
        batch = PublishBatch(out, list(checks)) if len(rows) > 1 else None
        with batch if batch is not None else contextlib.nullcontext():
            for row, (d, inp) in zip(rows, checks.items(), strict=True):
                warnings = [*synthetic, *inp.warnings]
                if row.n_articles == 0:
                    warnings.append(f"no article assigned to session {d.date()}; the signal decays from earlier news")
                if row.grpi is None:
                    warnings.append("grpi is missing (warm-up: not enough history yet)")
                base = {
                    "configuration": params,
                    "configuration_sha256": params_sha,
                    "inputs": {"articles_used": inp.articles_digest, "prices_used": inp.prices_digest},
                    "articles_used": inp.n_articles,
                    "last_article_at": inp.last_article.isoformat(),
                    "prices_last_date": str(pd.Timestamp(inp.prices_last).date()),
                }
                results.append(
                    publish_session(
                        out,
                        row,
                        base,
                        warnings=warnings,
                        overwrite_corrupt=overwrite_corrupt,
                        keep_versions=keep_versions,
                        provenance=file_inputs,
                        feed_warnings=feed_notes,
                        batch=batch,
                    )
                )
                # the page beside the data: O(the session's articles) once the run's lookups exist
                brief = export_briefing_data(stages, cfg, d)
                if batch is None:
                    if brief is not None:
                        write_briefing(brief, out / "briefings")
                    continue
                if brief is not None:  # written once the session is pointed to, made durable with it
                    batch.defer(functools.partial(_write_page, batch, brief, out / "briefings"))
                batch.session_done(d)
    return results


def _write_page(batch: PublishBatch, brief: BriefingData, folder: Path) -> None:
    """A deferred step of a backfill's batch: write a session's briefing, durable at the batch's next barrier."""
    files = write_briefing(brief, folder, durable=False)
    batch.wrote(files.html, files.markdown, folder)


def export_daily(
    config: GeoriskConfig | str | Path | None,
    as_of: str | pd.Timestamp | None = None,
    *,
    date: str | pd.Timestamp | None = None,
    out_dir: str | Path | None = None,
    previous_session: bool = False,
    lock_timeout: float | None = None,
    overwrite_corrupt: bool = False,
    max_article_gap: int | None = None,
    missing_prices: Literal["raise", "warn"] | None = None,
    keep_versions: int | None = None,
    settle_minutes: float | None = None,
    now: pd.Timestamp | None = None,
) -> ExportResult:
    """Compute and publish the signal, premium and positions of session ``as_of``.

    Loads the configured inputs (cached prices, the article feed), keeps only what was
    known by the close of ``as_of`` (its cutoff), checks the inputs for gaps, computes the stages and
    writes Parquet, CSV and JSON plus a manifest, atomically, under a lock; then the
    session's briefing for readers (``out_dir/briefings/briefing-YYYY-MM-DD.html`` and
    ``.md``, see :func:`georisk.pipeline.briefing`), which never stops the data's
    publication: if it cannot be built, a warning is logged and no page is written.

    Parameters
    ----------
    config : GeoriskConfig, path to a TOML file, or None
        The configuration (the bundled synthetic sample when None).
    as_of : date-like
        The session to export (a session date; its close is the cutoff).
    date : date-like, optional
        Deprecated name of ``as_of`` (a ``DeprecationWarning``; removed in the next release).
    out_dir : str or pathlib.Path, optional
        Export root; ``config.export.out_dir`` when None.
    previous_session : bool, default False
        If ``as_of`` is not a session, export the previous one instead of raising.
    lock_timeout : float, optional
        Seconds to wait while another run holds the export root's lock
        (``[export] lock_timeout``, 0 unless configured).
    overwrite_corrupt : bool, default False
        Set a corrupted previous export of the session aside (it is kept, renamed
        ``corrupt-...`` under ``.versions``) instead of raising.
    max_article_gap : int, optional
        Most sessions allowed between the session of the last article published by
        the cutoff and ``as_of``; more means a stale feed (``[export] max_article_gap``,
        5 unless configured).
    missing_prices : {"raise", "warn"}, optional
        What to do when an instrument whose own exchange traded on ``as_of`` has no
        price (``[export] missing_prices``, "raise" unless configured).
    keep_versions : int, optional
        Older versions of the session's export kept beside the current one
        (``[export] keep_versions``, 3 unless configured).
    settle_minutes : float, optional
        Minutes after the session's close (and after the latest cutoff of the
        universe's instruments on ``as_of``) before the session may be exported; the
        same grace after which :func:`georisk.market.settled_through` treats a price as
        final (``[export] settle_minutes``, 30 unless configured).
    now : pandas.Timestamp, optional
        The current time (default: the clock at call time; a tz-naive value is UTC).

    Returns
    -------
    ExportResult

    Raises
    ------
    NotASessionError
        If ``as_of`` is not a session and not ``previous_session``.
    MissingDataError
        If the session has not settled yet (``now`` is before its close plus
        ``settle_minutes``; the message gives the close in UTC and how long to wait),
        or prices for ``as_of`` are missing, or the article feed is empty or stale; the
        message gives the exact gap.
    DataQualityError
        With ``prices.strict``, if a ticker fails the price quality thresholds as of
        ``as_of`` (without it, the failure is a warning in the manifest).
    LockHeldError
        If another run holds the lock after ``lock_timeout`` seconds.
    CorruptExportError
        If the previous export of the session is corrupted (unless ``overwrite_corrupt``).
    ConfigError
        If ``as_of`` is not a date, an option is out of range, or the output folder
        cannot be written.

    Notes
    -----
    The cutoff of session :math:`d` (``as_of``) is its close :math:`c_d`: an article counts iff
    ``published_at`` :math:`\\le c_d`, a price iff dated :math:`\\le d`. The export
    runs only when :math:`\\text{now} \\ge \\max(c_d, k_{i,d}) + g`, with
    :math:`k_{i,d}` the cutoff of instrument :math:`i` (:func:`georisk.market.known_at`)
    and :math:`g` = ``settle_minutes``: before that the day's bar is not a close and
    more articles may still be published. The manifest's ``warnings`` list gaps let
    through with ``missing_prices="warn"``, the price quality report of the prices known on
    ``as_of`` (tickers failing the thresholds, issues dated ``as_of``), quarantined articles,
    a session without articles, and a premium still in warm-up; a run on the bundled
    SYNTHETIC sample (the default when ``config`` is None, or one input of it) lists
    :func:`georisk.config.data_label` first, naming which inputs are synthetic. The data files
    hold no timestamp of the run, so the same inputs give the same bytes; the manifest's
    ``version`` is the SHA-256 (first 16 hex digits) of everything in it but ``created_at``.

    Examples
    --------
    >>> import tempfile
    >>> from georisk import export_daily
    >>> res = export_daily(None, "2024-12-31", out_dir=tempfile.mkdtemp())  # doctest: +SKIP
    >>> res.folder.name  # doctest: +SKIP
    'session=2024-12-31'
    """
    from georisk.config import GeoriskConfig

    day = parse_date(_as_of_argument(as_of, date, "date"), "as_of")
    cfg = GeoriskConfig.from_toml(config) if isinstance(config, str | Path) else (config or GeoriskConfig())
    session = to_session(day, cfg.signal.calendar, roll="previous" if previous_session else "raise")
    if session != day:
        log.info("%s is not a session: exporting the previous session %s", day.date(), session.date())
    return export_range(
        cfg,
        session,
        session,
        out_dir=out_dir,
        lock_timeout=lock_timeout,
        overwrite_corrupt=overwrite_corrupt,
        max_article_gap=max_article_gap,
        missing_prices=missing_prices,
        keep_versions=keep_versions,
        settle_minutes=settle_minutes,
        now=now,
    )[0]
