"""The prices known at the close of a session: the one place the price cutoff rule lives.

A daily price of an instrument is known at its own cutoff (:func:`~georisk.market.known_at`:
its exchange's close, a settlement convention, or an explicit time), not at the
session's. The prices known at the close of session :math:`d` (its cutoff :math:`c_d`,
UTC) are those whose cutoff is at or before :math:`c_d`: a CME settlement printed after
an early New York close is not part of that session. :func:`known_prices` answers it for
one session; :class:`KnownPriceStream` for every session of a backfill, each step
costing what became known since the previous one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

import numpy as np
import pandas as pd

from georisk.calendar import session_closes
from georisk.config import Universe
from georisk.errors import ConfigError, NotASessionError
from georisk.market._cutoffs import known_at

__all__ = ["KnownPriceStream", "known_prices", "known_times"]

_NEVER = np.iinfo("int64").max


def known_times(prices: pd.DataFrame, universe: Universe) -> dict[str, pd.Series]:
    """When each price is known (UTC), per ticker: its date at the instrument's own cutoff.

    Parameters
    ----------
    prices : pandas.DataFrame
        Daily prices, one column per ticker, indexed by (tz-naive) date.
    universe : Universe
        Gives each ticker's instrument (calendar, cutoff convention, close time).

    Returns
    -------
    dict
        ``{ticker: Series}``: for each non-missing price, the UTC instant it is known,
        indexed by its date.

    Raises
    ------
    ConfigError
        If a column is not a ticker of ``universe``.
    """
    out: dict[str, pd.Series] = {}
    for ticker in prices.columns:
        name = str(ticker)
        if name not in universe.tickers:
            raise ConfigError(f"price column {name!r} is not a ticker of the universe {list(universe.tickers)}")
        dates = pd.DatetimeIndex(prices[ticker].dropna().index)
        out[name] = pd.Series(known_at(dates, universe.instrument(name)), index=dates)
    return out


def _ns(instant: pd.Timestamp | str) -> int:
    ts = pd.Timestamp(instant)
    if ts.tzinfo is None:
        raise ConfigError(f"cutoff {ts} has no time zone: give a UTC instant (e.g. a session's close)")
    return int(ts.tz_convert("UTC").as_unit("ns").value)


def _cutoff_of(as_of: str | pd.Timestamp, calendar: str) -> pd.Timestamp:
    day = pd.Timestamp(as_of)
    if day.tzinfo is not None or day != day.normalize():
        raise ConfigError(f"as_of={as_of!r} must be a session date (YYYY-MM-DD); pass an instant as cutoff=")
    closes = session_closes(calendar, str(day.date()), str(day.date()))
    if closes.empty:
        raise NotASessionError(f"{day.date()} is not a {calendar} session")
    return pd.Timestamp(closes.iloc[0])


def known_prices(
    prices: pd.DataFrame,
    universe: Universe,
    as_of: str | pd.Timestamp | None = None,
    *,
    calendar: str = "XNYS",
    cutoff: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """The prices known at the close of session ``as_of``, each instrument at its own cutoff.

    Parameters
    ----------
    prices : pandas.DataFrame
        Daily prices, one column per ticker of ``universe``, indexed by date.
    universe : Universe
        The instruments (their cutoff conventions).
    as_of : date-like, optional
        The session; its close on ``calendar`` is the cutoff.
    calendar : str, default "XNYS"
        The calendar whose close is the cutoff (the signal's calendar).
    cutoff : timestamp with a time zone, optional
        The instant itself, instead of ``as_of``.

    Returns
    -------
    pandas.DataFrame
        The rows of ``prices`` with at least one price known by the cutoff, the others
        NaN; same columns (and order) as ``prices``, sorted by date.

    Raises
    ------
    ConfigError
        If neither or both of ``as_of`` and ``cutoff`` are given, ``cutoff`` has no time
        zone, or a column is not a ticker of ``universe``.
    NotASessionError
        If ``as_of`` is not a session of ``calendar``.

    Notes
    -----
    Price :math:`p_{i,t}` (instrument :math:`i`, date :math:`t`) is known at session
    :math:`d` iff :math:`k_i(t) \\le c_d`, with :math:`k_i(t)` = :func:`known_at` and
    :math:`c_d` the close of :math:`d`. A price dated :math:`d` whose cutoff falls after
    :math:`c_d` (a later settlement) is not known at :math:`d`.

    Examples
    --------
    >>> import pandas as pd
    >>> from georisk.config import default_universe
    >>> p = pd.DataFrame({"CL=F": [70.0, 71.0]}, index=pd.to_datetime(["2024-11-27", "2024-11-29"]))
    >>> known_prices(p, default_universe(), "2024-11-29")["CL=F"].tolist()  # early close: CL=F settles later
    [70.0]
    """
    if as_of is not None and cutoff is None:
        cut = _cutoff_of(as_of, calendar)
    elif cutoff is not None and as_of is None:
        cut = pd.Timestamp(cutoff)
    else:
        raise ConfigError("give the session as as_of, or the instant as cutoff (one of them)")
    return KnownPriceStream(prices, universe).at(cut)


class KnownPriceStream:
    """The prices as they become known, cutoff after cutoff, for a backfill.

    Built once from a price frame; then :meth:`at` gives the prices known at any cutoff
    (what :func:`known_prices` gives), :meth:`advance` the prices first known since the
    previous call (for :class:`~georisk.market.QualityTracker`), and :meth:`digest` the
    SHA-256 of the known frame (as :func:`pandas.util.hash_pandas_object` hashes it,
    after its JSON column list) without building that frame: rows whose every price is
    known are hashed once into a running SHA-256, only rows still partly unknown are
    hashed again. For increasing cutoffs each step costs what it adds.

    Parameters
    ----------
    prices : pandas.DataFrame
        Daily prices, one column per ticker of ``universe``, indexed by date (sorted here
        if it is not).
    universe : Universe
        The instruments.
    known : mapping, optional
        ``{ticker: Series}`` of :func:`known_times`, if already computed.

    Attributes
    ----------
    prices : pandas.DataFrame
        The prices, sorted by date.
    matrix : numpy.ndarray
        int64 ns UTC instant each cell is known (``int64`` max where there is no price).

    Notes
    -----
    The cells are sorted by known time once (:math:`O(n \\log n)`); :meth:`advance` and
    :meth:`digest` with increasing cutoffs then cost :math:`O(\\text{new cells})` each,
    plus the rows not yet wholly known.
    """

    def __init__(self, prices: pd.DataFrame, universe: Universe, known: Mapping[str, pd.Series] | None = None) -> None:
        if not pd.DatetimeIndex(prices.index).is_monotonic_increasing:
            prices = prices.sort_index(kind="stable")
        known = known_times(prices, universe) if known is None else known
        self.prices = prices
        matrix = np.full(prices.shape, _NEVER, dtype="int64")
        for j, t in enumerate(prices.columns):
            k = known.get(str(t))
            if k is None or not len(k):
                continue
            times = pd.DatetimeIndex(k.to_numpy()).tz_convert("UTC").as_unit("ns").asi8
            rows = prices.index.get_indexer(pd.DatetimeIndex(k.index))
            matrix[rows[rows >= 0], j] = times[rows >= 0]
        self.matrix = matrix
        self._values = prices.to_numpy(dtype="float64")
        has = matrix != _NEVER
        rows, cols = np.nonzero(has)
        times = matrix[rows, cols]
        order = np.lexsort((rows, cols, times))
        self._cell_time, self._cell_row, self._cell_col = times[order], rows[order], cols[order]
        self._row_first = matrix.min(axis=1) if len(prices.columns) else np.full(len(prices), _NEVER)
        low = np.iinfo("int64").min
        self._row_last = np.where(has, matrix, low).max(axis=1, initial=low)
        self._suffix_first = np.minimum.accumulate(self._row_first[::-1])[::-1]
        final = pd.DataFrame(np.where(has, self._values, np.nan), index=prices.index, columns=prices.columns)
        self._row_hash = pd.util.hash_pandas_object(final, index=True).to_numpy()
        self._index_ns = pd.DatetimeIndex(prices.index).as_unit("ns").asi8
        self._names = [str(c) for c in prices.columns]
        self._running = hashlib.sha256(json.dumps(self._names).encode())
        self._done = 0  # rows < _done that are ever known are known in full and hashed
        self._cells = 0  # cells handed out by advance

    def at(self, cutoff: pd.Timestamp | str) -> pd.DataFrame:
        """The prices known at ``cutoff`` (a UTC instant); see :func:`known_prices`."""
        mask = self.matrix <= _ns(cutoff)
        rows = np.asarray(mask.any(axis=1), dtype=bool)
        values = np.where(mask[rows], self._values[rows], np.nan)
        return pd.DataFrame(values, index=self.prices.index[rows], columns=self.prices.columns)

    def fresh(self, before: pd.Timestamp | str, cutoff: pd.Timestamp | str) -> dict[str, pd.DatetimeIndex]:
        """Per ticker, the dates of the prices first known after ``before`` and by ``cutoff``."""
        lo, hi = _ns(before), _ns(cutoff)
        new = (self.matrix > lo) & (self.matrix <= hi)
        return {name: pd.DatetimeIndex(self.prices.index[new[:, j]]) for j, name in enumerate(self._names)}

    def advance(self, cutoff: pd.Timestamp | str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per ticker, ``(dates as int64 ns, values)`` of the prices first known after the previous call's cutoff.

        The first call gives every price known by ``cutoff``. A cutoff earlier than a
        previous one gives nothing (prices are handed out once).
        """
        stop = int(np.searchsorted(self._cell_time, _ns(cutoff), side="right"))
        start, self._cells = self._cells, max(stop, self._cells)
        if stop <= start:
            return {}
        rows, cols = self._cell_row[start:stop], self._cell_col[start:stop]
        out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for j in np.unique(cols):
            r = np.sort(rows[cols == j])
            out[self._names[j]] = (self._index_ns[r], self._values[r, j])
        return out

    def digest(self, cutoff: pd.Timestamp | str) -> tuple[str, pd.Timestamp]:
        """``(SHA-256 hex, last date)`` of the prices known at ``cutoff`` (``NaT`` when none).

        The SHA-256 is that of ``json.dumps(columns)`` followed by the row hashes of
        ``at(cutoff)`` (:func:`pandas.util.hash_pandas_object` with the index). Call it
        with increasing cutoffs (an earlier one after a later one is not supported).
        """
        cut = _ns(cutoff)
        end = int(np.searchsorted(self._suffix_first, cut, side="right"))  # no row after it is known yet
        done = self._done
        while done < end and self._row_last[done] <= cut:
            done += 1
        if done > self._done:
            part = slice(self._done, done)
            self._running.update(self._row_hash[part][self._row_first[part] != _NEVER].tobytes())
            self._done = done
        h = self._running.copy()
        tail = np.arange(done, end)
        tail = tail[self._row_first[tail] <= cut]
        if len(tail):
            vals = np.where(self.matrix[tail] <= cut, self._values[tail], np.nan)
            part_frame = pd.DataFrame(vals, index=self.prices.index[tail], columns=self.prices.columns)
            h.update(pd.util.hash_pandas_object(part_frame, index=True).to_numpy().tobytes())
        last = pd.Timestamp(self.prices.index[end - 1] if end else "NaT")
        return h.hexdigest(), last
