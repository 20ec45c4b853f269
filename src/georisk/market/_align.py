"""Aligning each instrument's closes to the signal calendar, and returns."""

from __future__ import annotations

import logging
import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd

from georisk.calendar import session_closes
from georisk.config import Universe
from georisk.errors import ConfigError, DataQualityWarning, MissingDataWarning
from georisk.market._cutoffs import known_at

__all__ = ["Alignment", "align_to_sessions", "align_with_report", "known_at", "simple_returns"]

log = logging.getLogger(__name__)

#: Default number of signal sessions a price may be carried over its own holidays.
MAX_CARRY = 3


class Alignment(NamedTuple):
    """Result of :func:`align_with_report`.

    Attributes
    ----------
    prices : pandas.DataFrame
        Aligned prices (sessions x tickers).
    carried : pandas.DataFrame
        True where a price was carried from an earlier session (the instrument printed
        nothing new by that session's close, e.g. its own holiday).
    stale : pandas.DataFrame
        True where the carry limit was exceeded after the instrument's first price: the
        value is NaN, not an old price.
    """

    prices: pd.DataFrame
    carried: pd.DataFrame
    stale: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """Per ticker: sessions carried, sessions left NaN as stale, last fresh session."""
        fresh = self.prices.notna() & ~self.carried
        last = {t: (fresh.index[fresh[t].to_numpy()].max() if fresh[t].any() else pd.NaT) for t in fresh.columns}
        return pd.DataFrame(
            {
                "carried": self.carried.sum().astype("int64"),
                "stale": self.stale.sum().astype("int64"),
                "last_fresh": pd.Series(last, dtype="datetime64[ns]"),
            }
        )


def align_with_report(
    prices: pd.DataFrame,
    universe: Universe,
    *,
    calendar: str = "XNYS",
    end: str | pd.Timestamp | None = None,
    max_carry: int | None = MAX_CARRY,
) -> Alignment:
    """Align closes to the signal sessions and say what was carried or left stale.

    Parameters
    ----------
    prices : pandas.DataFrame
        The wide price frame (each column on its instrument's own trading dates).
    universe : Universe
        Gives each ticker's cutoff convention, close time or calendar.
    calendar : str, default "XNYS"
        The signal calendar.
    end : date-like, optional
        Last session of the output (default: the last session any price maps to).
    max_carry : int or None, default 3
        Sessions a price may be carried forward when its instrument printed nothing new
        (its own holidays); beyond that the value is NaN and counted as stale. ``0``
        carries nothing; ``None`` carries without limit (still reported).

    Returns
    -------
    Alignment

    Notes
    -----
    A price dated :math:`D` is known at :math:`k(D)` (:func:`known_at`); it belongs to the
    first signal session :math:`d` whose close :math:`c_d \\ge k(D)`. When two prices map
    to the same session the later one is kept (it supersedes the earlier). The value at
    :math:`d` is the last price mapped to a session :math:`\\le d`, carried at most
    ``max_carry`` sessions.
    """
    if prices.empty:
        raise ConfigError("prices is empty; load prices for the requested range first")
    if max_carry is not None and max_carry < 0:
        raise ConfigError(f"max_carry={max_carry} must be >= 0 or None")
    first = pd.Timestamp(prices.index.min())
    last = pd.Timestamp(end) if end is not None else pd.Timestamp(prices.index.max()) + pd.Timedelta(days=10)
    closes = session_closes(calendar, str(first.date()), str(last.date()))
    close_utc = pd.DatetimeIndex(closes)
    sessions = pd.DatetimeIndex(closes.index)
    raw_cols: dict[str, pd.Series] = {}
    # known_at depends on the timing fields only: compute it once per timing over all dates
    all_dates = pd.DatetimeIndex(prices.index)
    timing: dict[tuple[str, str | None, str | None, str | None], pd.Series] = {}
    for ticker in prices.columns:
        series = prices[ticker].dropna()
        inst = universe.instrument(str(ticker))
        key = (inst.calendar, inst.cutoff, inst.close_time, inst.timezone)
        if key not in timing:
            timing[key] = pd.Series(known_at(all_dates, inst), index=all_dates)
        t = pd.DatetimeIndex(timing[key].loc[series.index])
        pos = close_utc.searchsorted(t, side="left")
        keep = pos < len(close_utc)
        mapped = pd.Series(series.to_numpy()[keep], index=sessions[pos[keep]], dtype="float64")
        mapped = mapped[~mapped.index.duplicated(keep="last")]
        raw_cols[str(ticker)] = mapped.reindex(sessions)
    raw = pd.DataFrame(raw_cols, index=sessions)
    filled = raw.ffill() if max_carry is None else raw.ffill(limit=max_carry) if max_carry > 0 else raw
    started = raw.notna().cummax()
    carried = filled.notna() & raw.isna()
    stale = started & filled.isna()
    if end is None:
        mapped_any = raw.notna().any(axis=1)
        if mapped_any.any():
            cut = sessions[mapped_any.to_numpy()].max()
            filled, carried, stale = filled.loc[:cut], carried.loc[:cut], stale.loc[:cut]
    for frame in (filled, carried, stale):
        frame.index.name = "session"
        frame.columns.name = "ticker"
    return Alignment(filled, carried, stale)


def align_to_sessions(
    prices: pd.DataFrame,
    universe: Universe,
    *,
    calendar: str = "XNYS",
    end: str | pd.Timestamp | None = None,
    max_carry: int | None = MAX_CARRY,
) -> pd.DataFrame:
    """Last price of each instrument known at each signal session's close.

    Parameters
    ----------
    prices : pandas.DataFrame
        The wide price frame (each column on its instrument's own trading dates).
    universe : Universe
        Gives each ticker's cutoff convention, close time or calendar.
    calendar : str, default "XNYS"
        The signal calendar.
    end : date-like, optional
        Last session of the output (default: the last session any price maps to).
    max_carry : int or None, default 3
        See :func:`align_with_report`.

    Returns
    -------
    pandas.DataFrame
        Index: signal sessions named ``session``. A price printed at a time after a
        session's close is not known at that session: a Frankfurt close at 17:30 CET
        is known at the New York close the same day; a Brent settlement on a New York
        holiday first counts for the next New York session. Before an instrument's
        first price the value is NaN. Carried prices are logged; values left NaN because
        the carry limit was exceeded raise a :class:`~georisk.errors.MissingDataWarning`.

    Examples
    --------
    >>> from georisk.datasets import load_sample
    >>> s = load_sample()
    >>> align_to_sessions(s.prices, s.universe).index.name
    'session'
    """
    result = align_with_report(prices, universe, calendar=calendar, end=end, max_carry=max_carry)
    per_ticker = result.carried.sum()
    per_ticker = per_ticker[per_ticker > 0]
    if len(per_ticker):
        log.info(
            "carried %d price(s) over instruments' own holidays (max_carry=%s): %s "
            "(align_with_report(...).carried lists each one)",
            int(per_ticker.sum()),
            max_carry,
            ", ".join(f"{t}: {int(n)}" for t, n in per_ticker.items()),
        )
    stale = result.stale.sum()
    stale = stale[stale > 0]
    if len(stale):
        detail = ", ".join(f"{t}: {int(n)}" for t, n in stale.items())
        warnings.warn(
            f"sessions with no fresh price within max_carry={max_carry} sessions are NaN ({detail}); "
            "update the prices or raise max_carry",
            MissingDataWarning,
            stacklevel=2,
        )
    return result.prices


def simple_returns(aligned: pd.DataFrame, *, null: pd.DataFrame | None = None) -> pd.DataFrame:
    """Simple returns ``P_d / P_{d-1} - 1`` of aligned closes.

    Never takes the log of a price. A return whose start or end price is not positive
    (front-month WTI settled at -37.63 USD on 2020-04-20) is undefined and set to NaN
    with a :class:`~georisk.errors.DataQualityWarning`.

    Parameters
    ----------
    aligned : pandas.DataFrame
        Prices from :func:`align_to_sessions`.
    null : pandas.DataFrame, optional
        Boolean mask (same sessions and tickers) of returns to set to NaN, for example
        the causal :meth:`georisk.market.QualityReport.roll_mask` (its default) to null
        futures roll jumps; never ``roll_mask(causal=False)`` in a backtest, which looks
        at the price after each jump.

    Returns
    -------
    pandas.DataFrame
        Same shape; the first row is NaN.

    Notes
    -----
    :math:`r_{i,d} = P_{i,d} / P_{i,d-1} - 1`, defined only when both prices are
    positive.
    """
    prev = aligned.shift(1)
    bad = (aligned <= 0) | (prev <= 0)
    ret = aligned / prev - 1.0
    if bad.to_numpy().any():
        n = int(bad.to_numpy().sum())
        warnings.warn(
            f"{n} return(s) start or end at a non-positive price and are set to NaN; see the quality report",
            DataQualityWarning,
            stacklevel=2,
        )
        ret = ret.mask(bad)
    if null is not None:
        mask = null.reindex(index=ret.index, columns=ret.columns, fill_value=False).astype(bool)
        ret = ret.mask(mask)
    return ret.replace([np.inf, -np.inf], np.nan)
