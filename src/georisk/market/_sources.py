"""Price sources behind one interface: ``fetch(tickers, start, end) -> wide frame``.

The wide price frame is the contract between sources and the rest of georisk: index a
tz-naive ``DatetimeIndex`` named ``date`` (each instrument's own local trading date),
one float column of adjusted closes per ticker, NaN where that instrument did not trade.

Sources also offer ``fetch_detailed`` returning a :class:`FetchResult` with the rows as
read (original order, duplicated dates and empty rows kept) so that the quality report
can say what was sorted, de-duplicated or dropped: nothing is removed silently.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import pandas as pd

from georisk.errors import ConfigError, InputDataError
from georisk.market._shape import PRICE_FIELDS, FetchResult, close_frame, wide_from_raw

__all__ = ["CsvSource", "FetchResult", "FrameSource", "ParquetSource", "PriceSource", "validate_prices"]

log = logging.getLogger(__name__)

_ISO_DATE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})")
_OFFSET = re.compile(r"\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?\s*(?:[+-]\d{2}:?\d{2}|Z)\s*$")


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


def _parse_dates(values: pd.Series, where: str, header_rows: int) -> tuple[pd.DatetimeIndex, str]:
    """Local dates from ISO strings (a time and UTC offset, as ``history()`` writes, are dropped)."""
    text = values.astype("string").fillna("")
    head = text.str.extract(_ISO_DATE, expand=False)
    bad = head.isna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise InputDataError(
            f"cannot read date {text.iloc[row]!r}; use YYYY-MM-DD", path=where, line=row + header_rows + 1, field="date"
        )
    zone = "UTC offsets in file" if text.str.contains(_OFFSET).any() else "naive"
    return pd.DatetimeIndex(pd.to_datetime(head, format="%Y-%m-%d")).as_unit("ns"), zone


def _sniff(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        return [row for _, row in zip(range(3), reader, strict=False)]


def _table_to_raw(
    table: pd.DataFrame,
    where: str,
    *,
    columns: Mapping[str, str],
    ticker: str | None,
    header_rows: int,
    multi: pd.MultiIndex | None = None,
) -> tuple[dict[str, pd.Series], str]:
    """Per-ticker raw series from a table read from a file."""
    date_col = columns.get("date", "date")
    if date_col not in table.columns:
        alt = {c.lower(): c for c in map(str, table.columns)}.get("date")
        if alt is None:
            raise InputDataError(
                f"no date column (looked for {date_col!r}); pass columns={{'date': ...}}", path=where, line=1
            )
        date_col = alt
    dates, zone = _parse_dates(table[date_col], where, header_rows)
    body = table.drop(columns=[date_col])
    body.index = dates
    if multi is not None:
        body.columns = multi
        got = close_frame(body, [str(t) for t in multi.get_level_values("Ticker").unique()])
        return _wide_raw(got.prices), zone
    tcol, ccol = columns.get("ticker", "ticker"), columns.get("close", "close")
    if tcol in body.columns and ccol in body.columns:  # long: date, ticker, close
        long = pd.DataFrame({"ticker": body[tcol].astype("string").to_numpy(), "close": body[ccol].to_numpy()})
        long.index = dates
        dup = pd.Series(list(zip(long.index, long["ticker"], strict=True))).duplicated()
        if dup.any():
            row = int(dup.to_numpy().nonzero()[0][0])
            raise InputDataError(
                "duplicate (date, ticker); keep one price per day", path=where, line=row + header_rows + 1
            )
        return {
            str(t): pd.to_numeric(g["close"], errors="coerce").astype("float64") for t, g in long.groupby("ticker")
        }, zone
    fields = {str(c) for c in body.columns} & PRICE_FIELDS
    if fields & {"Close", "Adj Close"} or ccol in body.columns:  # one ticker's bars (yfinance layout)
        name = ticker or Path(where).stem
        if ccol in body.columns:
            return {name: pd.to_numeric(body[ccol], errors="coerce").astype("float64")}, zone
        got = close_frame(body, [name])
        return {name: got.prices[name]}, zone
    return _wide_raw(body), zone


def _wide_raw(body: pd.DataFrame) -> dict[str, pd.Series]:
    """Per-column series of a wide table: a NaN is kept (as an empty row) only when the whole row is empty.

    In a wide file a blank cell on a date where other tickers traded is that ticker's
    holiday, not an empty row.
    """
    numeric = body.apply(pd.to_numeric, errors="coerce").astype("float64")
    all_empty = numeric.isna().all(axis=1).to_numpy()
    return {str(c): numeric[c][numeric[c].notna().to_numpy() | all_empty] for c in numeric.columns}


def read_price_table(
    path: str | Path, *, columns: Mapping[str, str] | None = None, ticker: str | None = None
) -> tuple[dict[str, pd.Series], str]:
    """Read one price file into per-ticker raw series (rows in file order).

    Recognised layouts: wide (``date`` + one column per ticker), long (``date``,
    ``ticker``, ``close``), one ticker's bars (``Date,Open,High,Low,Close,Adj Close,Volume``
    in any order; ``Adj Close`` is used when present), and the two shapes a yfinance
    MultiIndex frame takes when saved with ``to_csv``: a second header row holding the
    ticker (``,ZW=F,ZW=F,...``) and the three-row ``Price/Ticker/Date`` header.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.csv`` or ``.parquet`` file.
    columns : mapping, optional
        ``{"date": ..., "ticker": ..., "close": ...}``: the file's names for them.
    ticker : str, optional
        The ticker of a one-ticker file (default: the file name without suffix).

    Returns
    -------
    tuple
        ``(raw, timezone)``: ticker -> float series indexed by local dates, and
        ``"naive"`` or ``"UTC offsets in file"``.

    Raises
    ------
    InputDataError
        Naming the file, line and field of a missing column or unreadable date.
    """
    p = Path(path)
    cols = dict(columns or {})
    if not p.exists():
        raise InputDataError("price file does not exist; check the path", path=str(p))
    if p.suffix.lower() in {".parquet", ".pq"}:
        table = pd.read_parquet(p)
        if isinstance(table.index, pd.DatetimeIndex):
            table = table.rename_axis(cols.get("date", "date")).reset_index()
        if isinstance(table.columns, pd.MultiIndex):
            raise InputDataError("flatten MultiIndex columns before saving to Parquet", path=str(p))
        return _table_to_raw(table, str(p), columns=cols, ticker=ticker, header_rows=0)
    head = _sniff(p)
    if len(head) >= 3 and head[0][:1] == ["Price"] and head[1][:1] == ["Ticker"]:
        fields, tickers = head[0][1:], head[1][1:]
        table = pd.read_csv(p, skiprows=3, header=None, names=["Date", *range(len(fields))], dtype={"Date": "string"})
        multi = pd.MultiIndex.from_arrays([fields, tickers], names=["Price", "Ticker"])
        return _table_to_raw(table, str(p), columns=cols, ticker=ticker, header_rows=3, multi=multi)
    if len(head) >= 2 and head[1] and head[1][0].strip() == "" and not _ISO_DATE.match(head[1][0]):
        second = {c.strip() for c in head[1][1:] if c.strip()}
        numeric = all(re.fullmatch(r"[-+0-9.eE]+", c) for c in second)
        if second and not numeric:
            fields, tickers = head[0][1:], head[1][1:]
            table = pd.read_csv(p, skiprows=2, header=None, names=[head[0][0], *range(len(fields))])
            table[head[0][0]] = table[head[0][0]].astype("string")
            multi = pd.MultiIndex.from_arrays([fields, tickers], names=["Price", "Ticker"])
            log.debug("%s: second header row (ticker level of a saved yfinance frame) read as tickers", p)
            return _table_to_raw(table, str(p), columns=cols, ticker=ticker, header_rows=2, multi=multi)
    date_name = cols.get("date", "date")
    table = pd.read_csv(p, dtype={date_name: "string", "Date": "string"})
    return _table_to_raw(table, str(p), columns=cols, ticker=ticker, header_rows=1)


def _subset_result(
    raw: dict[str, pd.Series],
    zone: dict[str, str],
    tickers: Sequence[str],
    start: str | None,
    end: str | None,
    where: str,
) -> FetchResult:
    out: dict[str, pd.Series] = {}
    failed: dict[str, str] = {}
    for t in tickers:
        s = raw.get(t)
        if s is None:
            failed[t] = f"{where} has no column or file for {t}"
            continue
        if start is not None:
            s = s[s.index >= pd.Timestamp(start)]
        if end is not None:
            s = s[s.index <= pd.Timestamp(end)]
        out[t] = s
        if s.notna().sum() == 0:
            failed[t] = f"{where} has no price for {t} in the requested range"
    return FetchResult(wide_from_raw(out, tickers), failed, {t: zone.get(t, "naive") for t in out}, out)


class CsvSource:
    """Prices from a CSV file or a folder of ``<TICKER>.csv`` files.

    Parameters
    ----------
    path : str or pathlib.Path
        A file (wide, long, one ticker's bars, or a saved yfinance frame: see
        :func:`read_price_table`) or a folder holding one file per ticker named
        ``<TICKER>.csv`` (``<TICKER>.parquet`` for :class:`ParquetSource`).
    columns : mapping, optional
        ``{"date": ..., "ticker": ..., "close": ...}`` names of the file's columns, e.g.
        ``{"date": "Date", "close": "Close"}`` to use the unadjusted close of a bar file.
    ticker : str, optional
        The ticker of a one-ticker file whose name is not the ticker.

    Examples
    --------
    >>> from georisk.datasets import sample_prices_path
    >>> CsvSource(sample_prices_path()).fetch(["SPY"]).columns.tolist()
    ['SPY']
    """

    suffix = ".csv"

    def __init__(
        self, path: str | Path, columns: Mapping[str, str] | None = None, *, ticker: str | None = None
    ) -> None:
        self.path = Path(path)
        self.columns = dict(columns or {})
        self.ticker = ticker
        unknown = set(self.columns) - {"date", "ticker", "close"}
        if unknown:
            raise ConfigError(f"columns has unknown key(s) {sorted(unknown)}; use 'date', 'ticker' and 'close'")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r})"

    def fetch(self, tickers: Sequence[str], start: str | None = None, end: str | None = None) -> pd.DataFrame:
        """Read the file(s) and return the wide price frame for ``tickers``."""
        return self.fetch_detailed(tickers, start, end).prices

    def fetch_detailed(self, tickers: Sequence[str], start: str | None = None, end: str | None = None) -> FetchResult:
        """Read the file(s); rows as read are kept in ``raw`` for the quality report.

        Parameters
        ----------
        tickers : sequence of str
            Tickers to return.
        start, end : str, optional
            ISO dates bounding the rows (inclusive).

        Returns
        -------
        FetchResult
        """
        if not self.path.exists():
            raise InputDataError("price file or folder does not exist; check the path", path=str(self.path))
        raw: dict[str, pd.Series] = {}
        zone: dict[str, str] = {}
        if self.path.is_dir():
            for t in tickers:
                f = self.path / f"{t}{self.suffix}"
                if f.exists():
                    series, z = read_price_table(f, columns=self.columns, ticker=t)
                    raw[t] = series.get(t, next(iter(series.values())))
                    zone[t] = z
        else:
            raw, z = read_price_table(self.path, columns=self.columns, ticker=self.ticker)
            zone = dict.fromkeys(raw, z)
        return _subset_result(raw, zone, tickers, start, end, str(self.path))


class ParquetSource(CsvSource):
    """Prices from a Parquet file or folder, in the same layouts as :class:`CsvSource`."""

    suffix = ".parquet"


class FrameSource:
    """Prices from a wide DataFrame already in memory (index: dates; one column per ticker).

    Parameters
    ----------
    frame : pandas.DataFrame
        Index a DatetimeIndex (tz-naive local dates, or tz-aware: the zone is dropped and
        reported), one column of closes per ticker.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        if not isinstance(frame.index, pd.DatetimeIndex):
            raise InputDataError("the index must be a DatetimeIndex of trading dates", path="<DataFrame>")
        self.frame = frame

    def fetch(self, tickers: Sequence[str], start: str | None = None, end: str | None = None) -> pd.DataFrame:
        """Return the wide price frame for ``tickers``."""
        return self.fetch_detailed(tickers, start, end).prices

    def fetch_detailed(self, tickers: Sequence[str], start: str | None = None, end: str | None = None) -> FetchResult:
        """Return prices with the rows as given kept in ``raw``."""
        idx = pd.DatetimeIndex(self.frame.index)
        zone = "naive" if idx.tz is None else str(idx.tz)
        dates = (idx.tz_localize(None) if idx.tz is not None else idx).as_unit("ns").normalize()
        for c in self.frame.columns:
            try:
                pd.to_numeric(self.frame[c])
            except (TypeError, ValueError) as exc:
                raise InputDataError(f"non-numeric price: {exc}", path="<DataFrame>", field=str(c)) from exc
        body = self.frame.copy()
        body.index = dates
        raw = _wide_raw(body)
        return _subset_result(raw, dict.fromkeys(raw, zone), tickers, start, end, "<DataFrame>")
