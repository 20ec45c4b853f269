"""A local Parquet cache of daily closes: incremental, atomic, at an explicit location.

Layout: ``<directory>/prices/<TICKER>.parquet`` (columns ``date``, ``close``) and
``<directory>/prices/manifest.json`` recording, per ticker, the date range that was
fetched completely (``start``, ``end``), when, and from which source. Every file is
written to a temporary file in the same folder and moved into place with
:func:`os.replace`, so a crash leaves the previous version whole.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from georisk._io import atomic_write
from georisk.errors import ConfigError, InputDataError

__all__ = ["ENV_CACHE_DIR", "PriceCache", "resolve_cache_dir"]

log = logging.getLogger(__name__)

#: Environment variable naming the cache folder when no explicit location is given.
ENV_CACHE_DIR = "GEORISK_CACHE_DIR"

_UNSAFE = re.compile(r"[^A-Za-z0-9._=^-]")
_CACHE_WHAT = "cannot write the price cache (cache_dir, GEORISK_CACHE_DIR)"


def resolve_cache_dir(explicit: str | Path | None = None) -> Path | None:
    """The cache folder: ``explicit`` if given, else ``$GEORISK_CACHE_DIR``, else None.

    There is deliberately no default in the home directory: caching is opt-in and its
    location always visible in the configuration or the environment.
    """
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get(ENV_CACHE_DIR, "").strip()
    return Path(env) if env else None


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    # a cache can be refetched: atomic (old or new, never a fragment) without the cost of fsync
    atomic_write(path, write, what=_CACHE_WHAT, durable=False)


def _stamp() -> str:
    return pd.Timestamp.now(tz="UTC").strftime("%Y%m%dT%H%M%S%fZ")


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


class PriceCache:
    """Daily closes per ticker in Parquet files under ``directory``.

    Parameters
    ----------
    directory : str or pathlib.Path
        The cache folder (created on first write).

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> cache = PriceCache(tempfile.mkdtemp())
    >>> s = pd.Series([1.0, 2.0], index=pd.to_datetime(["2024-01-02", "2024-01-03"]))
    >>> cache.store("SPY", s, "2024-01-01", "2024-01-03", source="example")
    >>> cache.coverage("SPY")
    (Timestamp('2024-01-01 00:00:00'), Timestamp('2024-01-03 00:00:00'))
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        if self.directory.exists() and not self.directory.is_dir():
            raise ConfigError(f"cache directory {self.directory} is a file; point cache_dir at a folder")
        #: Warnings about damaged entries set aside since the caller last cleared it.
        self.notes: list[str] = []

    def _set_aside(self, path: Path, why: str) -> Path:
        """Rename a damaged cache file out of the way (kept for inspection) and say so."""
        dest = path.with_name(f"{path.name}.corrupt-{_stamp()}")
        try:
            os.replace(path, dest)
        except OSError as exc:
            raise ConfigError(
                f"the price cache file {path} is damaged ({why}) and cannot be moved aside: {exc.strerror}; "
                "delete it by hand"
            ) from None
        note = f"price cache: {path.name} was damaged ({why}); set aside as {dest.name} and fetched again"
        log.warning("%s", note)
        self.notes.append(note)
        return dest

    def __repr__(self) -> str:
        return f"PriceCache({str(self.directory)!r})"

    @property
    def folder(self) -> Path:
        """Where the Parquet files live."""
        return self.directory / "prices"

    def path(self, ticker: str) -> Path:
        """The Parquet file of ``ticker`` (unsafe characters percent-encoded)."""
        safe = _UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", ticker)
        return self.folder / f"{safe}.parquet"

    def manifest(self) -> dict[str, dict[str, Any]]:
        """Ticker -> ``{"start", "end", "fetched_at", "source"}`` of what is cached."""
        p = self.folder / "manifest.json"
        if not p.exists():
            return {}
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except PermissionError as exc:
            raise ConfigError(
                f"cannot read the price cache manifest {p}: {exc.strerror}; fix its permissions"
            ) from None
        except (ValueError, OSError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            self._set_aside(p, f"not valid JSON: {type(exc).__name__}")
            return {}
        if not isinstance(data, dict) or not all(
            isinstance(v, dict) and {"start", "end"} <= set(v) for v in data.values()
        ):
            self._set_aside(p, "not a manifest")
            return {}
        return data

    def coverage(self, ticker: str) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """The date range fetched completely for ``ticker``, or None."""
        entry = self.manifest().get(ticker)
        if entry is None or not self.path(ticker).exists():
            return None
        if self.read(ticker).empty and not self.path(ticker).exists():
            return None  # the file was damaged and has been set aside: fetch again
        try:
            return pd.Timestamp(entry["start"]), pd.Timestamp(entry["end"])
        except (ValueError, TypeError):
            self._set_aside(self.folder / "manifest.json", f"bad dates for {ticker}")
            return None

    def read(self, ticker: str) -> pd.Series:
        """Cached closes of ``ticker`` (empty when nothing is cached)."""
        p = self.path(ticker)
        empty = pd.Series(dtype="float64", index=pd.DatetimeIndex([], dtype="datetime64[ns]", name="date"))
        if not p.exists():
            return empty.rename(ticker)
        try:
            table = pd.read_parquet(p)
            s = pd.Series(table["close"].to_numpy(dtype="float64"), index=pd.DatetimeIndex(table["date"]).as_unit("ns"))
            if s.index.hasnans or not np.isfinite(s.to_numpy()).all() or s.index.has_duplicates:
                raise ValueError("missing dates, repeated dates or non-finite prices")
        except PermissionError as exc:
            raise ConfigError(f"cannot read the price cache file {p}: {exc.strerror}; fix its permissions") from None
        except (OSError, ValueError, KeyError, TypeError) as exc:  # pyarrow's errors are OSError/ValueError
            self._set_aside(p, f"{type(exc).__name__}: {str(exc)[:120]}")
            self._forget(ticker)
            return empty.rename(ticker)
        s.index.name = "date"
        return s.rename(ticker)

    def _forget(self, ticker: str) -> None:
        manifest = self.manifest()
        if manifest.pop(ticker, None) is not None:
            text = json.dumps(manifest, indent=1, sort_keys=True)
            _atomic_write(self.folder / "manifest.json", lambda tmp: _write_text(tmp, text))

    def missing_ranges(
        self, ticker: str, start: pd.Timestamp, end: pd.Timestamp
    ) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
        """Date ranges within ``[start, end]`` not yet fetched for ``ticker``.

        The range after the cached end starts *at* the last cached price, so the fetch
        overlaps it by one row: if the source's adjusted close for that date changed (a
        dividend or split re-based the history), :meth:`store` is told to replace the
        ticker's history instead of appending to it.
        """
        cov = self.coverage(ticker)
        if cov is None:
            return [(start, end)] if start <= end else []
        c0, c1 = cov
        out = []
        if start < c0:
            out.append((start, c0 - pd.Timedelta(days=1)))
        if end > c1:
            cached = self.read(ticker)
            anchor = pd.Timestamp(cached.index.max()) if len(cached) else c1 + pd.Timedelta(days=1)
            out.append((min(anchor, c1 + pd.Timedelta(days=1)), end))
        return out

    def store(
        self,
        ticker: str,
        series: pd.Series,
        start: str | pd.Timestamp,
        end: str | pd.Timestamp,
        *,
        source: str,
        replace: bool = False,
        now: pd.Timestamp | None = None,
    ) -> None:
        """Merge ``series`` (complete for ``[start, end]``) into the cache, atomically.

        Parameters
        ----------
        ticker : str
        series : pandas.Series
            Closes indexed by local dates; NaN rows are not stored.
        start, end : date-like
            The range the series covers completely (extends the recorded coverage).
        source : str
            Name of the source, recorded in the manifest.
        replace : bool, default False
            Drop the ticker's cached rows first (after an adjustment re-base).
        now : pandas.Timestamp, optional
            Recorded as ``fetched_at`` (default: the current UTC time).
        """
        s0, s1 = pd.Timestamp(start), pd.Timestamp(end)
        new = series.dropna().astype("float64")
        if not np.isfinite(new.to_numpy()).all():
            raise InputDataError(f"refusing to cache non-finite prices of {ticker}", path=str(self.path(ticker)))
        new.index = pd.DatetimeIndex(new.index).as_unit("ns")
        old = pd.Series(dtype="float64") if replace else self.read(ticker)
        merged = pd.concat([old, new])
        merged = merged[~merged.index.duplicated(keep="last")].sort_index()
        table = pd.DataFrame({"date": pd.DatetimeIndex(merged.index).as_unit("ns"), "close": merged.to_numpy()})
        _atomic_write(self.path(ticker), lambda tmp: table.to_parquet(tmp, index=False))
        manifest = self.manifest()
        entry = manifest.get(ticker)
        if entry is not None and not replace:
            s0, s1 = min(s0, pd.Timestamp(entry["start"])), max(s1, pd.Timestamp(entry["end"]))
        stamp = now if now is not None else pd.Timestamp.now(tz="UTC")
        manifest[ticker] = {
            "start": s0.strftime("%Y-%m-%d"),
            "end": s1.strftime("%Y-%m-%d"),
            "fetched_at": stamp.isoformat(),
            "source": source,
        }
        text = json.dumps(manifest, indent=1, sort_keys=True)
        _atomic_write(self.folder / "manifest.json", lambda tmp: _write_text(tmp, text))
