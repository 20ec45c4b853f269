"""Price sources behind one interface: ``fetch(tickers, start, end) -> wide frame``.

The wide price frame is the contract between sources and the rest of georisk: index a
tz-naive ``DatetimeIndex`` named ``date`` (each instrument's own local trading date),
one float column of adjusted closes per ticker, NaN where that instrument did not trade.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import pandas as pd

from georisk.config import Universe
from georisk.errors import ConfigError, InputDataError, MissingDataError

__all__ = ["CsvSource", "ParquetSource", "PriceSource", "load_prices", "validate_prices"]

log = logging.getLogger(__name__)


@runtime_checkable
class PriceSource(Protocol):
    """Anything with ``fetch(tickers, start, end)`` returning the wide price frame."""

    def fetch(self, tickers: Sequence[str], start: str | None = None, end: str | None = None) -> pd.DataFrame:
        """Return adjusted closes for ``tickers`` between ``start`` and ``end`` (inclusive)."""
        ...


def validate_prices(prices: pd.DataFrame, where: str = "prices") -> pd.DataFrame:
    """Check and normalise a wide price frame.

    Parameters
    ----------
    prices : pandas.DataFrame
        Wide frame of closes with a DatetimeIndex.
    where : str
        Name of the input, for error messages.

    Returns
    -------
    pandas.DataFrame
        Sorted, ``datetime64[ns]`` index named ``date``, float64 columns.

    Raises
    ------
    InputDataError
        On a non-datetime or tz-aware index, duplicate dates or non-numeric values.
    """
    if not isinstance(prices.index, pd.DatetimeIndex):
        raise InputDataError("the index must be a DatetimeIndex of trading dates", path=where)
    if prices.index.tz is not None:
        raise InputDataError(
            "dates must be tz-naive local trading dates (drop the zone with tz_localize(None))", path=where
        )
    dup = prices.index[prices.index.duplicated()]
    if len(dup):
        raise InputDataError(f"duplicate date {dup[0].date()}; keep one row per date", path=where, field="date")
    out = prices.sort_index()
    try:
        out = out.astype("float64")
    except (TypeError, ValueError) as exc:
        raise InputDataError(f"non-numeric price: {exc}", path=where) from exc
    out.index = pd.DatetimeIndex(out.index).as_unit("ns").normalize()
    out.index.name = "date"
    out.columns = pd.Index([str(c) for c in out.columns], name="ticker")
    return out


def _subset(
    frame: pd.DataFrame, tickers: Sequence[str], start: str | None, end: str | None, where: str
) -> pd.DataFrame:
    missing = [t for t in tickers if t not in frame.columns]
    if missing:
        raise MissingDataError(f"{where} has no prices for {missing}; add them or remove them from the universe")
    out = frame[list(tickers)]
    if start is not None:
        out = out[out.index >= pd.Timestamp(start)]
    if end is not None:
        out = out[out.index <= pd.Timestamp(end)]
    return out


def _from_table(table: pd.DataFrame, where: str, columns: Mapping[str, str] | None) -> pd.DataFrame:
    cols = {"date": "date", "ticker": "ticker", "close": "close", **(columns or {})}
    table = table.rename(columns={v: k for k, v in cols.items()})
    if "date" not in table.columns:
        raise InputDataError(f"no date column (looked for {cols['date']!r}); pass columns={{'date': ...}}", path=where)
    try:
        table["date"] = pd.to_datetime(table["date"], format="ISO8601")
    except (ValueError, TypeError) as exc:
        raise InputDataError(f"cannot parse dates: {exc}; use YYYY-MM-DD", path=where, field="date") from exc
    if "ticker" in table.columns and "close" in table.columns:
        dup = table.duplicated(["date", "ticker"])
        if dup.any():
            row = int(dup.to_numpy().nonzero()[0][0])
            raise InputDataError("duplicate (date, ticker); keep one price per day", path=where, line=row + 2)
        wide = table.pivot(index="date", columns="ticker", values="close")
    else:
        wide = table.set_index("date")
    return validate_prices(wide, where)


class CsvSource:
    """Prices from a CSV file, wide or long.

    Wide: ``date`` plus one column per ticker. Long: ``date``, ``ticker``, ``close``.

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV file.
    columns : mapping, optional
        ``{"date": ..., "ticker": ..., "close": ...}`` names of the file's columns.
    """

    def __init__(self, path: str | Path, columns: Mapping[str, str] | None = None) -> None:
        self.path = Path(path)
        self.columns = dict(columns or {})

    def fetch(self, tickers: Sequence[str], start: str | None = None, end: str | None = None) -> pd.DataFrame:
        """Read the file and return the wide price frame for ``tickers``."""
        if not self.path.exists():
            raise InputDataError("price file does not exist; check the path", path=str(self.path))
        table = pd.read_csv(self.path)
        return _subset(_from_table(table, str(self.path), self.columns), tickers, start, end, str(self.path))


class ParquetSource(CsvSource):
    """Prices from a Parquet file, in the same wide or long layouts as :class:`CsvSource`."""

    def fetch(self, tickers: Sequence[str], start: str | None = None, end: str | None = None) -> pd.DataFrame:
        """Read the file and return the wide price frame for ``tickers``."""
        if not self.path.exists():
            raise InputDataError("price file does not exist; check the path", path=str(self.path))
        table = pd.read_parquet(self.path)
        if isinstance(table.index, pd.DatetimeIndex):
            table = table.rename_axis("date").reset_index()
        return _subset(_from_table(table, str(self.path), self.columns), tickers, start, end, str(self.path))


def load_prices(
    source: PriceSource | str | Path | pd.DataFrame,
    universe: Universe | None = None,
    *,
    tickers: Sequence[str] | None = None,
    start: str | None = None,
    end: str | None = None,
) -> pd.DataFrame:
    """Load adjusted closes for a universe from any price source.

    Parameters
    ----------
    source : PriceSource, path or pandas.DataFrame
        A source object (:class:`CsvSource`, :class:`ParquetSource`,
        :class:`~georisk.market.YFinanceSource`), a ``.csv``/``.parquet`` path, or a wide frame.
    universe : Universe, optional
        Whose tickers to load; the default universe when neither it nor ``tickers`` is given.
    tickers : sequence of str, optional
        Explicit tickers (instead of a universe).
    start, end : str, optional
        ISO dates bounding the rows (inclusive).

    Returns
    -------
    pandas.DataFrame
        The wide price frame: index ``date`` (tz-naive local trading dates), one
        float64 column per ticker, NaN where an instrument did not trade.

    Raises
    ------
    MissingDataError
        If a requested ticker has no column or no price at all.

    Examples
    --------
    >>> from georisk import load_prices
    >>> from georisk.datasets import sample_prices_path
    >>> load_prices(sample_prices_path()).shape[1]
    14
    """
    from georisk.config import default_universe

    if tickers is None:
        tickers = (universe or default_universe()).tickers
    if isinstance(source, pd.DataFrame):
        frame = _subset(validate_prices(source, "<DataFrame>"), tickers, start, end, "<DataFrame>")
    elif isinstance(source, str | Path):
        path = Path(source)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            frame = CsvSource(path).fetch(tickers, start, end)
        elif suffix in {".parquet", ".pq"}:
            frame = ParquetSource(path).fetch(tickers, start, end)
        else:
            raise ConfigError(f"cannot tell the format of {path}; use a .csv or .parquet file or a source object")
    elif isinstance(source, PriceSource):
        frame = validate_prices(source.fetch(list(tickers), start, end), type(source).__name__)
    else:
        raise ConfigError(f"source={source!r} is not a price source, a path or a DataFrame")
    empty = [t for t in tickers if t not in frame.columns or frame[t].notna().sum() == 0]
    if empty:
        raise MissingDataError(f"no prices at all for {empty} in the requested range; check the tickers and dates")
    return frame[list(tickers)]
