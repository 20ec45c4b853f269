"""Prices from Yahoo Finance through yfinance (the only module that imports it)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from georisk.errors import MissingDataError, OptionalDependencyError

__all__ = ["YFinanceSource", "normalize_download"]

log = logging.getLogger(__name__)


def normalize_download(raw: pd.DataFrame, tickers: Sequence[str]) -> pd.DataFrame:
    """Turn a ``yfinance.download`` frame into the wide close frame.

    Handles flat single-ticker columns and ``(Price, Ticker)`` MultiIndex columns in
    either level order, selecting levels by name; all-NaN tickers (yfinance's silent
    failures) are reported, not returned.

    Parameters
    ----------
    raw : pandas.DataFrame
        What ``yfinance.download(..., auto_adjust=True)`` returned.
    tickers : sequence of str
        The tickers requested, in the caller's spelling.

    Returns
    -------
    pandas.DataFrame
        Wide adjusted closes (index ``date``, tz-naive), columns in ``tickers`` order.

    Raises
    ------
    MissingDataError
        If the frame is empty or a requested ticker has no price.
    """
    if raw.empty:
        raise MissingDataError(f"yfinance returned no rows for {list(tickers)}; check tickers, dates and the network")
    if isinstance(raw.columns, pd.MultiIndex):
        names = list(raw.columns.names)
        level = names.index("Price") if "Price" in names else 0
        close = raw.xs("Close", axis=1, level=level)
    else:
        close = raw[["Close"]].set_axis([tickers[0]], axis=1)
    by_upper = {str(c).upper(): c for c in close.columns}
    out = pd.DataFrame({t: close[by_upper[t.upper()]] for t in tickers if t.upper() in by_upper})
    failed = [t for t in tickers if t not in out.columns or out[t].notna().sum() == 0]
    if failed:
        raise MissingDataError(f"yfinance returned no prices for {failed}; check the symbols on finance.yahoo.com")
    idx = pd.DatetimeIndex(out.index)
    out.index = (idx.tz_localize(None) if idx.tz is not None else idx).as_unit("ns").normalize()
    out.index.name = "date"
    return out.sort_index()


class YFinanceSource:
    """Daily adjusted closes from Yahoo Finance (needs network access; Yahoo's terms apply).

    Parameters
    ----------
    cache_dir : str or pathlib.Path, optional
        Where yfinance keeps its own caches (moved with ``set_tz_cache_location``).
    """

    def __init__(self, cache_dir: str | Path | None = None) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None

    def fetch(self, tickers: Sequence[str], start: str | None = None, end: str | None = None) -> pd.DataFrame:
        """Download adjusted closes for ``tickers``."""
        try:
            import yfinance as yf
        except ImportError as exc:  # pragma: no cover - yfinance is a core dependency
            raise OptionalDependencyError("YFinanceSource needs yfinance: pip install yfinance") from exc
        if self.cache_dir is not None:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            yf.set_tz_cache_location(str(self.cache_dir))
        end_excl = (pd.Timestamp(end) + pd.Timedelta(days=1)).strftime("%Y-%m-%d") if end else None
        raw = yf.download(
            list(tickers), start=start, end=end_excl, auto_adjust=True, progress=False, group_by="column", threads=False
        )
        return normalize_download(raw, tickers)
