"""Pure transformations of yfinance-shaped price frames (no I/O, no yfinance import).

yfinance's output shape has changed across releases (MultiIndex columns for one ticker
from 0.2.51, ``auto_adjust=True`` by default from 0.2.54, ``(Ticker, Price)`` order with
``group_by="ticker"``, a stray ``Adj Close`` field on partial failures, an object index on
empty ``Ticker.history`` results). :func:`close_frame` absorbs all of these, selecting
column levels by name or content, never by position.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import pandas as pd

from georisk.errors import InputDataError, MissingDataError

__all__ = [
    "PRICE_FIELDS",
    "CloseFrame",
    "FetchResult",
    "close_frame",
    "normalize_download",
    "normalize_index",
    "wide_from_raw",
]

#: Field names yfinance uses (and writes to CSV) for daily bars.
PRICE_FIELDS = frozenset(
    {"Open", "High", "Low", "Close", "Adj Close", "Volume", "Dividends", "Stock Splits", "Capital Gains", "Repaired?"}
)


class CloseFrame(NamedTuple):
    """Wide adjusted closes extracted from a yfinance-shaped frame.

    Attributes
    ----------
    prices : pandas.DataFrame
        Index ``date`` (tz-naive local dates, ``datetime64[ns]``), one float column per
        requested ticker in the caller's spelling; all-NaN for failed tickers. Rows are
        kept in the order received (sorting is the quality report's business).
    failed : dict
        Ticker -> reason, for tickers that came back empty or missing.
    timezone : str
        ``"naive"`` or the zone the input index carried before it was dropped.
    field : dict
        Ticker -> the field used (``"Adj Close"`` or ``"Close"``).
    """

    prices: pd.DataFrame
    failed: dict[str, str]
    timezone: str
    field: dict[str, str]


class FetchResult(NamedTuple):
    """What a price source returns: prices plus failures and raw rows, as data.

    Attributes
    ----------
    prices : pandas.DataFrame
        The wide price frame: sorted unique ``date`` index, one float column per requested
        ticker (all-NaN when it failed).
    failed : dict
        Ticker -> reason, for tickers without a single price.
    timezone : dict
        Ticker -> time zone of the source's dates before they were reduced to local dates
        (``"naive"`` when they had none).
    raw : dict
        Ticker -> the series as read (original order, duplicates and empty rows kept), for
        the quality report.
    """

    prices: pd.DataFrame
    failed: dict[str, str]
    timezone: dict[str, str]
    raw: dict[str, pd.Series]


def wide_from_raw(raw: dict[str, pd.Series], tickers: Sequence[str]) -> pd.DataFrame:
    """Sorted wide frame from per-ticker raw series: empty rows dropped, last duplicate kept.

    Parameters
    ----------
    raw : dict
        Ticker -> series indexed by tz-naive dates.
    tickers : sequence of str
        Column order; tickers missing from ``raw`` become all-NaN columns.

    Returns
    -------
    pandas.DataFrame
        Index ``date`` (``datetime64[ns]``), columns named ``ticker``, float64.
    """
    cols = {}
    for t in tickers:
        s = raw.get(t)
        if s is None:
            continue
        s = s.dropna()
        s = s[~s.index.duplicated(keep="last")].sort_index()
        cols[t] = s.astype("float64")
    if cols:
        out = pd.concat(cols, axis=1, sort=True)
    else:
        out = pd.DataFrame(index=pd.DatetimeIndex([], dtype="datetime64[ns]"))
    out = out.reindex(columns=list(tickers)).astype("float64")
    out.index = pd.DatetimeIndex(out.index).as_unit("ns")
    out.index.name = "date"
    out.columns.name = "ticker"
    return out


def normalize_index(index: pd.Index) -> tuple[pd.DatetimeIndex, str]:
    """Return tz-naive local dates (``datetime64[ns]``, named ``date``) and the original zone.

    Parameters
    ----------
    index : pandas.Index
        A DatetimeIndex (naive or tz-aware local midnights), or an empty object index.

    Returns
    -------
    tuple
        ``(dates, timezone)`` with ``timezone`` ``"naive"`` or the zone name.
    """
    if len(index) == 0:
        return pd.DatetimeIndex([], dtype="datetime64[ns]", name="date"), "naive"
    idx = pd.DatetimeIndex(index)
    zone = "naive" if idx.tz is None else str(idx.tz)
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    out = idx.as_unit("ns").normalize()
    out.name = "date"
    return out, zone


def _levels(columns: pd.MultiIndex) -> tuple[int, int]:
    """(field level, ticker level), by name, else by which level holds price fields."""
    names = [str(n) if n is not None else "" for n in columns.names]
    if "Price" in names:
        f = names.index("Price")
    else:
        hits = [i for i in range(columns.nlevels) if set(map(str, columns.get_level_values(i))) & PRICE_FIELDS]
        if not hits:
            raise InputDataError("MultiIndex columns hold no price field (Close, Adj Close)")
        f = hits[0]
    t = next(i for i in range(columns.nlevels) if i != f)
    return f, t


def close_frame(raw: pd.DataFrame, tickers: Sequence[str]) -> CloseFrame:
    """Extract adjusted closes for ``tickers`` from a yfinance-shaped frame.

    Parameters
    ----------
    raw : pandas.DataFrame
        What ``yfinance.download`` or ``Ticker.history`` returned (any ``group_by``,
        ``auto_adjust`` or ``multi_level_index`` setting), or a frame read back from a
        CSV that yfinance's frame was saved to.
    tickers : sequence of str
        Tickers requested, in the caller's spelling (yfinance upper-cases them).

    Returns
    -------
    CloseFrame

    Raises
    ------
    InputDataError
        If flat columns are given for more than one ticker, or no price field exists.

    Notes
    -----
    The price of ticker :math:`i` is ``Adj Close`` when that field exists and holds at least
    one number for :math:`i` (it is adjusted by definition), else ``Close``; georisk
    requests ``auto_adjust=True``, under which ``Close`` is adjusted and ``Adj Close`` only
    appears as an all-NaN placeholder on partial failures.
    """
    tickers = list(tickers)
    dates, zone = normalize_index(raw.index)
    failed: dict[str, str] = {}
    field: dict[str, str] = {}
    cols: dict[str, pd.Series] = {}
    if isinstance(raw.columns, pd.MultiIndex):
        _, t = _levels(raw.columns)
        by_upper: dict[str, object] = {}
        for key in raw.columns.get_level_values(t).unique():
            by_upper.setdefault(str(key).upper(), key)
        for ticker in tickers:
            key = by_upper.get(ticker.upper())
            if key is None:
                failed[ticker] = "not in the response"
                continue
            sub = pd.DataFrame(raw.xs(key, axis=1, level=t))
            sub.columns = [str(c) for c in sub.columns]
            cols[ticker], field[ticker] = _pick(sub)
    else:
        names = {str(c) for c in raw.columns}
        if not names & {"Close", "Adj Close"}:
            raise InputDataError(f"no Close or Adj Close column among {sorted(names)}")
        if len(tickers) != 1:
            raise InputDataError(f"flat columns hold one ticker, but {len(tickers)} were requested: {tickers}")
        sub = raw.copy()
        sub.columns = [str(c) for c in sub.columns]
        cols[tickers[0]], field[tickers[0]] = _pick(sub)
    data = {}
    for ticker in tickers:
        if ticker in cols:
            values = pd.to_numeric(cols[ticker], errors="coerce").to_numpy(dtype="float64")
        else:
            values = pd.Series(float("nan"), index=range(len(dates))).to_numpy()
        data[ticker] = values
        if ticker not in failed and not pd.notna(values).any():
            failed[ticker] = "no prices in the response (yfinance returns all-NaN columns for failed tickers)"
    out = pd.DataFrame(data, index=dates, columns=tickers, dtype="float64")
    out.columns.name = "ticker"
    return CloseFrame(out, failed, zone, field)


def _pick(sub: pd.DataFrame) -> tuple[pd.Series, str]:
    if "Adj Close" in sub.columns and sub["Adj Close"].notna().any():
        return sub["Adj Close"], "Adj Close"
    if "Close" in sub.columns:
        return sub["Close"], "Close"
    return sub["Adj Close"], "Adj Close"


def normalize_download(raw: pd.DataFrame, tickers: Sequence[str]) -> pd.DataFrame:
    """Turn a ``yfinance.download`` frame into the sorted wide close frame, or raise.

    Parameters
    ----------
    raw : pandas.DataFrame
        What ``yfinance.download`` returned.
    tickers : sequence of str
        The tickers requested, in the caller's spelling.

    Returns
    -------
    pandas.DataFrame
        Wide adjusted closes (index ``date``, tz-naive, sorted), columns in ``tickers`` order.

    Raises
    ------
    MissingDataError
        If the frame is empty or a requested ticker has no price.
    """
    if raw.empty:
        raise MissingDataError(f"yfinance returned no rows for {list(tickers)}; check tickers, dates and the network")
    result = close_frame(raw, tickers)
    if result.failed:
        raise MissingDataError(
            f"yfinance returned no prices for {sorted(result.failed)}; check the symbols on finance.yahoo.com"
        )
    return result.prices.sort_index()
