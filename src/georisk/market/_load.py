"""``load_prices``: sources, cache, quality report."""

from __future__ import annotations

import contextlib
import logging
import re
import warnings
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd

from georisk.calendar import get_calendar
from georisk.config import PricesConfig, Universe, default_universe
from georisk.errors import ConfigError, InputDataError, MissingDataError
from georisk.market._cache import PriceCache, resolve_cache_dir
from georisk.market._cutoffs import expected_sessions, known_at
from georisk.market._quality import QualityReport, QualityThresholds, quality_report
from georisk.market._shape import FetchResult, wide_from_raw
from georisk.market._sources import CsvSource, FrameSource, ParquetSource, PriceSource

__all__ = [
    "PriceLoad",
    "check_universe",
    "dropped_rows",
    "fetch_detailed",
    "load_prices",
    "prices_from_config",
    "settled_through",
]

log = logging.getLogger(__name__)

#: Minutes after an instrument's cutoff before its daily price is treated as final.
SETTLE_GRACE = pd.Timedelta(minutes=30)


class PriceLoad(NamedTuple):
    """What :func:`load_prices` returns; unpack as ``prices, report = load_prices(...)``.

    Attributes
    ----------
    prices : pandas.DataFrame
        The wide price frame: index ``date`` (tz-naive local trading dates, sorted,
        unique), one float64 column per ticker, NaN where an instrument did not trade.
    report : QualityReport
        The per-ticker quality report of the data as read.
    """

    prices: pd.DataFrame
    report: QualityReport


def check_universe(universe: Universe) -> None:
    """Refuse an instrument whose explicit close time or time zone cannot exist.

    Parameters
    ----------
    universe : Universe

    Raises
    ------
    ConfigError
        Naming the ticker, the bad value and the fix (exit code 2).
    """
    from zoneinfo import ZoneInfo

    for ticker in universe.tickers:
        inst = universe.instrument(ticker)
        if inst.close_time is not None:
            m = re.fullmatch(r"(\d{2}):(\d{2})", inst.close_time)
            if m is None or int(m.group(1)) > 23 or int(m.group(2)) > 59:
                raise ConfigError(
                    f"universe: {ticker}: close_time={inst.close_time!r} is not a time of day; use HH:MM "
                    "with hours 00-23 and minutes 00-59"
                )
        if inst.timezone is not None:
            try:
                ZoneInfo(inst.timezone)
            except (ValueError, OSError, KeyError):  # ZoneInfoNotFoundError is a KeyError
                raise ConfigError(
                    f"universe: {ticker}: timezone={inst.timezone!r} is not an IANA time-zone name; use one such "
                    "as 'America/New_York' or 'Europe/London'"
                ) from None


def _date_arg(value: str | pd.Timestamp | None, name: str) -> pd.Timestamp | None:
    if value is None:
        return None
    why = f"{name}={value!r} is not a date; use YYYY-MM-DD (prices.{name}, --{name})"
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ConfigError(why) from None
    if pd.isna(ts):
        raise ConfigError(why)
    return ts


def _may_go_negative(universe: Universe, names: Sequence[str]) -> frozenset[str]:
    """The tickers whose prices may be zero or negative: futures (WTI settled at -37.63)."""
    return frozenset(t for t in names if universe.instrument(t).is_future)


def _check_values(raw: dict[str, pd.Series], allowed: Collection[str], where: str) -> None:
    """Refuse non-finite prices, and non-positive ones outside ``allowed``, before anything caches or uses them."""
    for t, s in raw.items():
        values = s.to_numpy(dtype="float64")
        present = ~np.isnan(values)
        bad = present & ~np.isfinite(values)
        if t not in allowed:
            bad |= present & (values <= 0)
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            day = pd.Timestamp(s.index[pos]).date()
            what = "not finite" if not np.isfinite(values[pos]) else "not positive (only futures may be)"
            raise InputDataError(
                f"the price of {t} on {day} is {values[pos]:g}: {what}; nothing was cached. Correct the source, "
                "or, for a future, say so in the universe (kind = 'future')",
                path=where,
                field=t,
            )


def dropped_rows(load: PriceLoad) -> dict[str, int]:
    """Count, per reason, the price rows the load left out (empty rows, repeated dates, unsettled dates).

    Parameters
    ----------
    load : PriceLoad

    Returns
    -------
    dict
        ``{reason: count}`` with only non-zero counts.
    """
    table = load.report.table
    out: dict[str, int] = {}
    for col, reason in (("empty_rows", "empty price row"), ("duplicate_dates", "date repeated with the same price")):
        if col in table.columns:
            n = int(pd.to_numeric(table[col], errors="coerce").fillna(0).sum())
            if n:
                out[reason] = n
    unsettled = 0
    for note in load.report.notes:
        m = re.search(r"(\d+) price\(s\) dated after .* dropped", note)
        if m:
            unsettled += int(m.group(1))
    if unsettled:
        out["price not settled yet"] = unsettled
    return out


@contextlib.contextmanager
def _one_deadline(source: Any) -> Iterator[None]:
    """Every request of ``source`` inside shares one deadline (a source that offers it)."""
    scope = getattr(source, "shared_deadline", None)
    if scope is None:
        yield
        return
    with scope():
        yield


def _as_source(source: Any, non_positive: Collection[str] | None = None) -> Any:
    if isinstance(source, pd.DataFrame):
        return FrameSource(source)
    if isinstance(source, str | Path):
        path = Path(source)
        if path.is_dir():
            return CsvSource(path, non_positive=non_positive)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            return CsvSource(path, non_positive=non_positive)
        if suffix in {".parquet", ".pq"}:
            return ParquetSource(path, non_positive=non_positive)
        raise ConfigError(
            f"source={str(path)!r}: cannot tell the format; use a .csv or .parquet file or a source object"
        )
    if isinstance(source, PriceSource) or callable(getattr(source, "fetch_detailed", None)):
        return source
    raise ConfigError(f"source={source!r} is not a price source, a path or a DataFrame")


def fetch_detailed(source: Any, tickers: Sequence[str], start: str | None, end: str | None) -> FetchResult:
    """Call ``source.fetch_detailed`` when it has one, else wrap ``source.fetch``."""
    if hasattr(source, "fetch_detailed"):
        result: FetchResult = source.fetch_detailed(list(tickers), start, end)
        return result
    frame = source.fetch(list(tickers), start, end)
    got = FrameSource(frame).fetch_detailed(list(tickers))
    return got


def settled_through(
    universe: Universe, ticker: str, now: pd.Timestamp, grace: pd.Timedelta = SETTLE_GRACE
) -> pd.Timestamp:
    """The last local date whose daily price of ``ticker`` is final at ``now``.

    A date :math:`D` is final once ``now`` is at least ``grace`` (default
    :data:`SETTLE_GRACE`, 30 minutes) past the instrument's cutoff for :math:`D`
    (:func:`georisk.market.known_at`). The cache never stores a price that may still
    change, and :func:`load_prices` drops later dates on the uncached path too (today's
    unfinished bar is not a close).
    """
    utc = now.tz_convert("UTC") if now.tz is not None else now.tz_localize("UTC")
    today = utc.tz_localize(None).normalize()
    inst = universe.instrument(ticker)
    for d in (today + pd.Timedelta(days=1), today):
        if known_at(pd.DatetimeIndex([d]), inst)[0] + grace <= utc:
            return d
    return today - pd.Timedelta(days=1)


def _has_session(universe: Universe, ticker: str, start: pd.Timestamp, end: pd.Timestamp) -> bool:
    """Whether ``[start, end]`` holds a session on which ``ticker`` should have a price."""
    if not np.busday_count(start.date(), (end + pd.Timedelta(days=1)).date()):
        return False
    inst = universe.instrument(ticker)
    cal = get_calendar(inst.calendar, str(start.date()), str(end.date()))
    if end < pd.Timestamp(cal.first_session) or start > pd.Timestamp(cal.last_session):
        return True  # outside the calendar's range: ask the source
    sessions = pd.DatetimeIndex(cal.sessions_in_range(start, end))
    return len(expected_sessions(sessions, inst)) > 0


def _through_cache(
    source: Any,
    cache: PriceCache,
    universe: Universe,
    tickers: list[str],
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    offline: bool,
    now: pd.Timestamp,
    allowed: Collection[str] = frozenset(),
) -> tuple[dict[str, pd.Series], dict[str, str], dict[str, str], list[str]]:
    failed: dict[str, str] = {}
    zones: dict[str, str] = {}
    notes: list[str] = []
    groups: dict[tuple[pd.Timestamp, pd.Timestamp], list[str]] = {}
    want_end: dict[str, pd.Timestamp] = {}
    for t in tickers:
        settled = settled_through(universe, t, now)
        t_end = min(end, settled) if end is not None else settled
        want_end[t] = t_end
        cov = cache.coverage(t)
        t_start = start if start is not None else (cov[0] if cov is not None else None)
        if t_start is None:
            raise ConfigError(f"start is needed to fill the cache for {t}; pass start='YYYY-MM-DD'")
        for rng in cache.missing_ranges(t, t_start, t_end):
            if not offline and not _has_session(universe, t, rng[0], rng[1]):
                # a gap of weekends and holidays has no price to fetch: record it as covered
                cache.store(t, pd.Series(dtype="float64"), rng[0], rng[1], source="(no session)", now=now)
                continue
            groups.setdefault(rng, []).append(t)
    if offline:
        for t in tickers:
            cov = cache.coverage(t)
            if cov is None:
                failed[t] = "offline and not in the cache"
            elif cov[1] < want_end[t]:
                notes.append(f"{t} is stale: cached through {cov[1].date()}, requested {want_end[t].date()} (offline)")
    else:
        with _one_deadline(source):
            _fetch_groups(source, cache, groups, failed, zones, notes, allowed, now)
    notes.extend(cache.notes)
    cache.notes.clear()
    raw: dict[str, pd.Series] = {}
    for t in tickers:
        cached = cache.read(t)
        if start is not None:
            cached = cached[cached.index >= start]
        if end is not None:
            cached = cached[cached.index <= end]
        if len(cached):
            raw[t] = cached
            zones.setdefault(t, "naive")
    notes.extend(cache.notes)
    cache.notes.clear()
    return raw, failed, zones, notes


def _fetch_groups(
    source: Any,
    cache: PriceCache,
    groups: dict[tuple[pd.Timestamp, pd.Timestamp], list[str]],
    failed: dict[str, str],
    zones: dict[str, str],
    notes: list[str],
    allowed: Collection[str],
    now: pd.Timestamp,
) -> None:
    """Fetch each group of tickers missing from the cache, check the prices, and cache them."""
    for (s, e), group in groups.items():
        log.info("fetching %s from %s to %s", group, s.date(), e.date())
        got = fetch_detailed(source, group, str(s.date()), str(e.date()))
        _check_values({t: v for t, v in got.raw.items() if t in group}, allowed, repr(source))
        zones.update(got.timezone)
        for t in group:
            if t in got.failed:
                failed[t] = got.failed[t]
                continue
            new = got.prices[t].dropna()
            old = cache.read(t)
            overlap = new.index.intersection(old.index)
            rebased = bool(len(overlap) and not np.allclose(new.loc[overlap], old.loc[overlap], rtol=1e-6, atol=0.0))
            if rebased:
                log.info("%s: adjusted closes were re-based at the source; refetching its history", t)
                cov = cache.coverage(t)
                full_start = min(cov[0], s) if cov is not None else s
                again = fetch_detailed(source, [t], str(full_start.date()), str(e.date()))
                _check_values({t: again.prices[t]}, allowed, repr(source))
                if t in again.failed:
                    failed[t] = again.failed[t]
                    continue
                cache.store(t, again.prices[t], full_start, e, source=repr(source), replace=True, now=now)
                notes.append(f"{t}: history re-fetched because the source re-based its adjusted closes")
            else:
                cache.store(t, new, s, e, source=repr(source), now=now)


def _cut_unsettled(
    raw: dict[str, pd.Series], settled: dict[str, pd.Timestamp]
) -> tuple[dict[str, pd.Series], list[str]]:
    """Drop the dates of each ticker after its last settled date (an unfinished bar)."""
    out: dict[str, pd.Series] = {}
    notes: list[str] = []
    for t, s in raw.items():
        limit = settled.get(t)
        if limit is None:
            out[t] = s
            continue
        late = pd.DatetimeIndex(s.index) > limit
        if late.any():
            dropped = pd.DatetimeIndex(s.index[late])
            notes.append(
                f"{t}: {int(late.sum())} price(s) dated after {limit.date()} dropped "
                f"(not settled yet; first {dropped.min().date()})"
            )
            log.info("%s: dropping %d unsettled price(s) after %s", t, int(late.sum()), limit.date())
        out[t] = s[~late]
    return out, notes


def load_prices(
    universe: Universe | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    *,
    source: PriceSource | str | Path | pd.DataFrame,
    cache: PriceCache | str | Path | None = None,
    tickers: Sequence[str] | None = None,
    offline: bool = False,
    strict: bool = False,
    missing: Literal["raise", "warn", "drop"] = "raise",
    thresholds: QualityThresholds | None = None,
    now: pd.Timestamp | None = None,
    allow_missing: bool | None = None,
) -> PriceLoad:
    """Load adjusted closes for a universe, through an optional cache, with a quality report.

    Parameters
    ----------
    universe : Universe, optional
        Whose tickers to load and how to check them (default: :func:`default_universe`).
    start, end : date-like, optional
        First and last local date (inclusive).
    source : PriceSource, path or pandas.DataFrame
        :class:`~georisk.market.YFinanceSource`, :class:`CsvSource`,
        :class:`ParquetSource`, a ``.csv``/``.parquet`` file or folder, or a wide frame.
    cache : PriceCache or path, optional
        The local Parquet cache; default ``$GEORISK_CACHE_DIR`` when set, else no cache.
        With a cache only dates not yet cached are fetched.
    tickers : sequence of str, optional
        A subset of the universe's tickers.
    offline : bool, default False
        Serve from the cache only (no source call); stale tickers are named in the
        report's ``notes`` and ``stale``. Needs a cache.
    strict : bool, default False
        Raise :class:`~georisk.errors.DataQualityError` when a ticker fails the
        thresholds (:class:`QualityThresholds`).
    missing : {"raise", "warn", "drop"}, default "raise"
        A ticker without any price in the range: ``"raise"`` a
        :class:`~georisk.errors.MissingDataError`; ``"warn"`` keep it as an all-NaN
        column; ``"drop"`` leave its column out. Either way the report's ``notes`` name it.
    thresholds : QualityThresholds, optional
        Limits of the quality report.
    now : pandas.Timestamp, optional
        The current time (default: the clock at call time), deciding which dates are
        final (:func:`settled_through`): later dates are neither cached nor returned,
        with or without a cache (a note in the report names what was dropped).
    allow_missing : bool, optional
        Deprecated: ``allow_missing=True`` is ``missing="warn"``.

    Returns
    -------
    PriceLoad
        ``(prices, report)``.

    Raises
    ------
    MissingDataError
        If a ticker has no price at all (with ``missing="raise"``), or ``offline``
        without a cache.
    DataQualityError
        In strict mode, when the report fails.

    Notes
    -----
    Nothing is dropped silently: empty rows, duplicated dates (the last is kept) and
    unsorted rows are listed in ``report.issues`` before the frame is normalised.

    Examples
    --------
    >>> from georisk import load_prices
    >>> from georisk.datasets import sample_prices_path
    >>> prices, report = load_prices(source=sample_prices_path())
    >>> prices.shape[1], report.table["status"].isin(["ok", "warn"]).all()
    (15, np.True_)
    """
    if allow_missing is not None:
        warnings.warn(
            'allow_missing= is deprecated; use missing="warn" (was allow_missing=True) or missing="raise"',
            DeprecationWarning,
            stacklevel=2,
        )
        missing = "warn" if allow_missing else "raise"
    if missing not in ("raise", "warn", "drop"):
        raise ConfigError(f'missing={missing!r} must be "raise", "warn" or "drop"')
    if isinstance(universe, str | Path | pd.DataFrame) or (universe is not None and not isinstance(universe, Universe)):
        raise ConfigError(
            "load_prices(universe, start, end, source=...): the first argument is the universe; "
            "pass the file or source as source=..."
        )
    universe = universe or default_universe()
    names = list(tickers) if tickers is not None else universe.tickers
    for t in names:
        universe.instrument(t)  # raises ConfigError naming an unknown ticker
    check_universe(universe)
    allowed = _may_go_negative(universe, names)
    start_ts = _date_arg(start, "start")
    end_ts = _date_arg(end, "end")
    if start_ts is not None and end_ts is not None and start_ts > end_ts:
        raise ConfigError(f"start={start} is after end={end}")
    src = _as_source(source, allowed)
    cache_dir = cache.directory if isinstance(cache, PriceCache) else resolve_cache_dir(cache)
    notes: list[str] = []
    report_end = end_ts
    if cache_dir is not None:
        store = cache if isinstance(cache, PriceCache) else PriceCache(cache_dir)
        clock = now if now is not None else pd.Timestamp.now(tz="UTC")
        raw, failed, zones, notes = _through_cache(
            src, store, universe, names, start_ts, end_ts, offline, clock, allowed
        )
        if report_end is None:
            report_end = clock.tz_convert("UTC").tz_localize(None).normalize() - pd.Timedelta(days=1)
    elif offline:
        raise MissingDataError("offline=True needs a cache: pass cache= or set GEORISK_CACHE_DIR")
    else:
        clock = now if now is not None else pd.Timestamp.now(tz="UTC")
        settled = {t: settled_through(universe, t, clock) for t in names}
        fetch_end = max(settled.values())
        if end_ts is not None:
            fetch_end = min(fetch_end, end_ts)
        if start_ts is not None and fetch_end < start_ts:
            raise MissingDataError(
                f"start={start_ts.date()}: no price from then on has settled at {clock} (settled through "
                f"{fetch_end.date()}); pass an earlier start or wait for the close"
            )
        got = fetch_detailed(
            src,
            names,
            str(start_ts.date()) if start_ts is not None else None,
            str(fetch_end.date()) if end_ts is not None else None,
        )
        raw, failed, zones = got.raw, dict(got.failed), dict(got.timezone)
        _check_values({t: v for t, v in raw.items() if t in names}, allowed, repr(src))
        raw, notes = _cut_unsettled(raw, settled)
    report = quality_report(
        raw, universe, tickers=names, timezones=zones, failed=failed, end=report_end, thresholds=thresholds
    )
    report.notes.extend(notes)
    prices = wide_from_raw(raw, names)
    if start_ts is not None:
        prices = prices[prices.index >= start_ts]
    if end_ts is not None:
        prices = prices[prices.index <= end_ts]
    empty = [t for t in names if prices[t].notna().sum() == 0]
    if empty:
        why = "; ".join(f"{t}: {failed.get(t, 'no price in the range')}" for t in empty)
        if missing == "raise":
            raise MissingDataError(
                f"no prices at all for {empty} ({why}); check the tickers, dates and source, "
                'or pass missing="warn" (all-NaN columns) or "drop"'
            )
        if missing == "drop":
            prices = prices.drop(columns=empty)
        kept = "left out" if missing == "drop" else "kept as all-NaN columns"
        report.notes.append(f"no prices at all for {empty} ({why}): {kept} (missing={missing!r})")
    if strict:
        report.raise_if_failed()
    return PriceLoad(prices, report)


def prices_from_config(
    config: PricesConfig,
    universe: Universe,
    *,
    tickers: Sequence[str] | None = None,
    missing: Literal["raise", "warn", "drop"] = "raise",
    progress: bool | None = None,
) -> tuple[PriceLoad, Path | None]:
    """Load prices as a ``[prices]`` configuration says (the pipeline's entry point).

    Parameters
    ----------
    config : PricesConfig
        ``source`` (``"sample"``, ``"csv"``, ``"parquet"``, ``"yfinance"``), ``path``,
        ``cache_dir`` (else ``$GEORISK_CACHE_DIR``), ``start``, ``end``, ``offline``,
        ``strict``, ``columns``, ``retries``, ``deadline``.
    universe : Universe
    tickers : sequence of str, optional
        A subset of the universe's tickers.
    missing : {"raise", "warn", "drop"}, default "raise"
        A ticker without any price (:func:`load_prices`).
    progress : bool, optional
        Progress line for yfinance downloads (default: when stderr is a terminal).

    Returns
    -------
    tuple
        ``(PriceLoad, input_path)``; ``input_path`` is the price file (None for yfinance).
    """
    cache_dir = resolve_cache_dir(config.cache_dir)
    path: Path | None = None
    src: Any
    if config.source == "sample":
        raise ConfigError(
            'prices.source = "sample" names the bundled sample, which the pipeline resolves: call '
            "georisk.pipeline.resolved_prices_config(config) first, or load it with georisk.datasets.load_sample()"
        )
    if config.source in ("csv", "parquet"):
        if config.path is None:  # pragma: no cover - PricesConfig guarantees it
            raise ConfigError(f"prices.source={config.source!r} needs prices.path")
        path = Path(config.path)
        cls = CsvSource if config.source == "csv" else ParquetSource
        src = cls(path, config.columns, non_positive=_may_go_negative(universe, list(tickers or universe.tickers)))
    else:
        from georisk.market._yahoo import YFinanceSource

        src = YFinanceSource(
            cache_dir=cache_dir / "yfinance" if cache_dir is not None else None,
            retries=config.retries,
            deadline=config.deadline,
            progress=progress,
        )
    loaded = load_prices(
        universe,
        config.start,
        config.end,
        source=src,
        cache=cache_dir if config.source == "yfinance" else None,
        offline=config.offline and config.source == "yfinance",
        strict=config.strict,
        tickers=tickers,
        missing=missing,
    )
    # What the load left out, per reason, for the export's manifest (a small dict).
    loaded.prices.attrs["georisk_dropped_rows"] = dropped_rows(loaded)
    loaded.prices.attrs["georisk_notes"] = [n for n in loaded.report.notes if "set aside" in n]
    return loaded, path
