"""Prices from Yahoo Finance through yfinance: the only module that imports it, lazily.

yfinance's ``download`` never raises: a failed ticker becomes all-NaN columns, a failure
of every ticker a 0-row frame, and its ``timeout=`` is not honoured end to end (one ticker
took 130 s with ``timeout=2`` against a hanging endpoint). :class:`YFinanceSource`
therefore captures yfinance's log records to learn why a ticker failed, retries transient
failures (rate limits, network errors) with exponential back-off, runs every request in a
worker thread under its own wall-clock deadline, and returns failures as data.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from georisk._progress import Progress
from georisk.errors import ConfigError, OptionalDependencyError
from georisk.lock import check_seconds
from georisk.market._shape import FetchResult, close_frame, normalize_download, wide_from_raw

__all__ = ["FetchResult", "YFinanceSource", "normalize_download"]

log = logging.getLogger(__name__)

#: Substrings of yfinance errors that are worth a retry (rate limits and network trouble).
TRANSIENT = (
    "too many requests",
    "rate limit",
    "ratelimit",
    "timed out",
    "timeout",
    "curl",
    "could not resolve",
    "connection",
    "dnserror",
    "failed to perform",
    "temporarily",
    "503",
    "502",
)


class _Capture(logging.Handler):
    """Collects yfinance's log records during one download."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            self.messages.append(record.getMessage())


def _is_transient(reason: str) -> bool:
    low = reason.lower()
    return any(key in low for key in TRANSIENT)


def _import_yfinance() -> Any:
    try:
        import yfinance
    except ImportError as exc:
        raise OptionalDependencyError(
            "YFinanceSource needs yfinance; install the extra: pip install 'georisk[yahoo]'"
        ) from exc
    return yfinance


class YFinanceSource:
    """Daily adjusted closes from Yahoo Finance (network needed; Yahoo's terms apply).

    Parameters
    ----------
    cache_dir : str or pathlib.Path, optional
        Where yfinance keeps its own SQLite caches (moved there with
        ``yfinance.set_tz_cache_location`` before the first request). When None,
        yfinance's default location is left alone.
    retries : int, default 3
        Extra attempts for tickers that failed for a transient reason (rate limit,
        network error, an exception from ``download``).
    backoff : float, default 2.0
        Seconds before the first retry; doubled at each further attempt.
    deadline : float, default 300.0
        Wall-clock budget in seconds (finite, > 0) for one :meth:`fetch`, every batch and
        retry included (for several calls, see :meth:`shared_deadline`); requests still
        running then are abandoned and their tickers reported as failed.
    batch_size : int, default 10
        Tickers per ``yfinance.download`` call.
    progress : bool, optional
        Show a progress line on stderr; default: only when stderr is a terminal.
    sleep : callable, default time.sleep
        Used between retries (tests pass a no-op).

    Notes
    -----
    Requests ``auto_adjust=True`` (so ``Close`` is adjusted whatever the installed
    version's default), ``progress=False``, ``threads=False``, ``group_by="column"``;
    :func:`georisk.market.close_frame` accepts every shape yfinance returns. A fetch adds
    one process-wide warnings filter ignoring ``DeprecationWarning`` raised from
    yfinance's modules (pandas deprecations inside yfinance that would otherwise turn a
    good ticker into NaN under ``-W error``).
    """

    def __init__(
        self,
        cache_dir: str | Path | None = None,
        *,
        retries: int = 3,
        backoff: float = 2.0,
        deadline: float = 300.0,
        batch_size: int = 10,
        progress: bool | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise ConfigError(f"retries={retries!r} must be a whole number >= 0 (prices.retries, --retries)")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ConfigError(f"batch_size={batch_size!r} must be a whole number >= 1")
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.retries = retries
        self.backoff = check_seconds(backoff, "backoff")
        self.deadline = check_seconds(deadline, "deadline (prices.deadline)", positive=True)
        self._deadline_at: float | None = None
        self.batch_size = batch_size
        self.progress = progress
        self.sleep = sleep

    def __repr__(self) -> str:
        return f"YFinanceSource(cache_dir={self.cache_dir!r}, retries={self.retries}, deadline={self.deadline})"

    @contextlib.contextmanager
    def shared_deadline(self) -> Iterator[None]:
        """Make every :meth:`fetch_detailed` call inside share one ``deadline``, retries included.

        :func:`~georisk.market.load_prices` fetches each group of tickers missing from the
        cache with its own call; inside this block they all stop ``deadline`` seconds
        after the block began, whatever the number of groups, tickers or retries.
        """
        if self._deadline_at is not None:  # nested: the outer deadline holds
            yield
            return
        self._deadline_at = time.monotonic() + self.deadline
        try:
            yield
        finally:
            self._deadline_at = None

    def fetch(self, tickers: Sequence[str], start: str | None = None, end: str | None = None) -> pd.DataFrame:
        """Download adjusted closes; failed tickers are all-NaN columns (see :meth:`fetch_detailed`)."""
        return self.fetch_detailed(tickers, start, end).prices

    def _configure(self, yf: Any) -> None:
        # yfinance 1.7 trips pandas' deprecations of inplace= (Pandas4Warning) inside
        # download's per-ticker try: printed on every call, and under ``-W error`` they turn
        # good tickers into all-NaN columns. Only warnings raised from yfinance's own modules
        # are ignored.
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"yfinance(\.|$)")
        if self.cache_dir is not None:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            yf.set_tz_cache_location(str(self.cache_dir))

    def _download(self, yf: Any, batch: list[str], start: str | None, end: str | None, budget: float) -> Any:
        """One ``yfinance.download`` call in a daemon thread joined with a timeout."""
        box: dict[str, Any] = {}
        capture = _Capture()
        yf_log = logging.getLogger("yfinance")

        def work() -> None:
            try:
                box["raw"] = yf.download(
                    list(batch),
                    start=start,
                    end=end,
                    interval="1d",
                    auto_adjust=True,
                    actions=False,
                    progress=False,
                    threads=False,
                    group_by="column",
                )
            except Exception as exc:  # any failure of the library is data for the retry loop
                box["error"] = f"{type(exc).__name__}: {exc}"

        yf_log.addHandler(capture)
        try:
            worker = threading.Thread(target=work, name="georisk-yfinance", daemon=True)
            worker.start()
            worker.join(timeout=max(budget, 0.0))
        finally:
            yf_log.removeHandler(capture)
        if worker.is_alive():
            return None, f"deadline of {self.deadline:.0f} s exceeded", capture.messages
        return box.get("raw"), box.get("error"), capture.messages

    def fetch_detailed(self, tickers: Sequence[str], start: str | None = None, end: str | None = None) -> FetchResult:
        """Download adjusted closes for ``tickers`` between ``start`` and ``end`` (inclusive).

        Parameters
        ----------
        tickers : sequence of str
            Yahoo symbols.
        start, end : str, optional
            ISO dates, both inclusive (yfinance's ``end`` is exclusive; one day is added).

        Returns
        -------
        FetchResult
            Failed tickers (after retries, or at the deadline) are all-NaN columns with
            their reason in ``failed``; nothing raises for a partial failure.
        """
        yf = _import_yfinance()
        self._configure(yf)
        tickers = list(dict.fromkeys(tickers))
        end_excl = (pd.Timestamp(end) + pd.Timedelta(days=1)).strftime("%Y-%m-%d") if end else None
        stop = self._deadline_at if self._deadline_at is not None else time.monotonic() + self.deadline
        frames: list[pd.DataFrame] = []
        failed: dict[str, str] = {}
        zones: dict[str, str] = {}
        batches = [tickers[i : i + self.batch_size] for i in range(0, len(tickers), self.batch_size)]
        with Progress(len(tickers), "yfinance", enabled=self.progress) as bar:
            for batch in batches:
                todo = list(batch)
                for attempt in range(self.retries + 1):
                    remaining = stop - time.monotonic()
                    if remaining <= 0:
                        failed.update({t: f"deadline of {self.deadline:.0f} s exceeded" for t in todo})
                        todo = []
                        break
                    raw, error, messages = self._download(yf, todo, start, end_excl, remaining)
                    reasons: dict[str, str] = {}
                    if raw is None or error is not None:
                        reasons = {t: error or "no response" for t in todo}
                    elif len(raw) == 0:
                        reasons = {t: _reason(t, messages, "empty frame (0 rows)") for t in todo}
                    else:
                        got = close_frame(raw, todo)
                        ok = [t for t in todo if t not in got.failed]
                        if ok:
                            frames.append(got.prices[ok])
                            zones.update(dict.fromkeys(ok, got.timezone))
                            bar.advance(len(ok), ok[-1])
                        reasons = {t: _reason(t, messages, why) for t, why in got.failed.items()}
                    if not reasons:
                        todo = []
                        break
                    retry = {t: r for t, r in reasons.items() if _is_transient(r) or r.startswith(("empty", "no "))}
                    for t, r in reasons.items():
                        if t not in retry:
                            failed[t] = r
                    todo = list(retry)
                    if not todo or attempt == self.retries:
                        failed.update(retry)
                        todo = []
                        break
                    wait = min(self.backoff * 2**attempt, max(stop - time.monotonic(), 0.0))
                    log.warning(
                        "yfinance: %d ticker(s) failed (%s); retry %d of %d in %.1f s",
                        len(retry),
                        next(iter(retry.values())),
                        attempt + 1,
                        self.retries,
                        wait,
                    )
                    self.sleep(wait)
                if todo:  # pragma: no cover - the loop always empties todo
                    failed.update(dict.fromkeys(todo, "not fetched"))
                bar.advance(len([t for t in batch if t in failed]), batch[-1])
        for t, reason in failed.items():
            log.warning("yfinance: no prices for %s: %s", t, reason)
        per_ticker: dict[str, pd.Series] = {}
        for frame in frames:
            for t in frame.columns:
                per_ticker[str(t)] = frame[t].dropna()
        return FetchResult(wide_from_raw(per_ticker, tickers), failed, zones, per_ticker)


def _reason(ticker: str, messages: list[str], default: str) -> str:
    """The captured yfinance message that names ``ticker``, else ``default``."""
    up = ticker.upper()
    for msg in messages:
        if up in msg.upper():
            return msg.strip().splitlines()[0][:300]
    return messages[-1].strip().splitlines()[0][:300] if messages else default
