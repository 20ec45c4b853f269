"""The per-ticker data-quality report and its documented thresholds."""

from __future__ import annotations

import math
from bisect import bisect_left, insort_right
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from georisk.calendar import get_calendar, session_closes
from georisk.config import Instrument, Universe
from georisk.errors import ConfigError, DataQualityError
from georisk.market._cutoffs import expected_sessions, known_at
from georisk.market._rolls import contract_expiries, roll_window

__all__ = ["JUMP_COLUMNS", "QualityReport", "QualityThresholds", "QualityTracker", "quality_report"]

#: Columns of :attr:`QualityReport.table`, in order.
TABLE_COLUMNS = [
    "calendar",
    "timezone",
    "rows",
    "prices",
    "first",
    "last",
    "empty_rows",
    "duplicate_dates",
    "conflicting_duplicates",
    "unsorted_rows",
    "off_calendar",
    "missing_sessions",
    "missing_share",
    "stale_runs",
    "longest_stale_run",
    "outliers",
    "non_positive",
    "roll_jumps",
    "lag_sessions",
    "status",
    "reasons",
]

#: Columns of :attr:`QualityReport.issues`.
ISSUE_COLUMNS = ["ticker", "date", "check", "value", "detail"]

#: Columns of :attr:`QualityReport.jumps`.
JUMP_COLUMNS = ["ticker", "date", "value", "z"]


def _no_jumps() -> pd.DataFrame:
    frame = pd.DataFrame(columns=JUMP_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


class QualityThresholds(BaseModel):
    """Documented limits past which a ticker *fails* (``strict`` raises on a failure).

    Attributes
    ----------
    max_missing_share : float, default 0.05
        Share of the instrument's own calendar sessions between its first and last price
        that have no price.
    max_stale_run : int, default 5
        Longest run of identical consecutive closes allowed (a run of 6 fails).
    stale_min_run : int, default 3
        Runs at least this long are listed as stale runs.
    outlier_z : float, default 8.0
        Robust z-score of a simple return, against the median and MAD of the 63 returns
        before it, past which the return is an outlier (flagged, never a failure).
    roll_z : float, default 3.0
        For a future with a ``roll`` rule, the robust z-score past which a return on an
        expiry session (the last trading day or the session after it) is flagged as a
        ``roll_jump``: a contract switch or an expiry squeeze, not news.
    max_conflicting_duplicates : int, default 0
        Dates given twice with different prices.
    max_lag_sessions : int, default 5
        Sessions of the instrument's calendar between its last price and the requested
        end (stale feed or stale cache).
    allow_non_positive_futures : bool, default True
        Non-positive prices fail equities and ETFs always; futures (WTI settled at -37.63
        on 2020-04-20) are flagged but pass unless this is False.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_missing_share: float = Field(default=0.05, ge=0, le=1)
    max_stale_run: int = Field(default=5, ge=1)
    stale_min_run: int = Field(default=3, ge=2)
    outlier_z: float = Field(default=8.0, gt=0)
    roll_z: float = Field(default=3.0, gt=0)
    max_conflicting_duplicates: int = Field(default=0, ge=0)
    max_lag_sessions: int = Field(default=5, ge=0)
    allow_non_positive_futures: bool = True


@dataclass
class QualityReport:
    """Per-ticker data-quality report.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per ticker, columns :data:`TABLE_COLUMNS`; ``status`` is ``"ok"``,
        ``"warn"`` (flagged, within thresholds), ``"fail"`` or ``"no data"``.
    issues : pandas.DataFrame
        One row per flagged date: ``ticker``, ``date``, ``check`` (``non_positive``,
        ``outlier``, ``roll_jump``, ``stale_run``, ``missing_session``, ``empty_row``,
        ``duplicate_date``, ``unsorted``, ``off_calendar``), ``value``, ``detail``.
        The ``roll_jump``/``outlier`` split looks at the price *after* the jump (does it
        come back?), so it is a diagnostic of the data, never an input of a backtest.
    thresholds : QualityThresholds
    notes : list of str
        Other findings (source failures, tickers served stale from the cache).
    jumps : pandas.DataFrame
        Causal jump candidates of futures, columns :data:`JUMP_COLUMNS`: every date
        whose simple return is more than ``outlier_z`` robust scales (median and MAD of
        the 63 returns before it) from the median, decided from prices up to and
        including that date only. :meth:`roll_mask` is built from these.
    """

    table: pd.DataFrame
    issues: pd.DataFrame
    thresholds: QualityThresholds = field(default_factory=QualityThresholds)
    notes: list[str] = field(default_factory=list)
    jumps: pd.DataFrame = field(default_factory=_no_jumps)

    @property
    def failed(self) -> list[str]:
        """Tickers whose status is ``"fail"`` or ``"no data"``."""
        return [str(t) for t in self.table.index[self.table["status"].isin(["fail", "no data"])]]

    @property
    def stale(self) -> list[str]:
        """Tickers whose last price lags the requested end by more than ``max_lag_sessions``."""
        lag = self.table["lag_sessions"]
        return [str(t) for t in self.table.index[lag.notna() & (lag > self.thresholds.max_lag_sessions)]]

    def raise_if_failed(self) -> None:
        """Raise :class:`~georisk.errors.DataQualityError` if any ticker failed."""
        if self.failed:
            reasons = self.table["reasons"].astype(str)
            why = "; ".join(f"{t}: {reasons[t]}" for t in self.failed)
            raise DataQualityError(
                f"price data failed the quality thresholds ({why}); fix the data, or loosen "
                "QualityThresholds (prices.strict = false reports without stopping)"
            )

    def to_string(self) -> str:
        """The table as text, for the command line."""
        cols = [
            "first",
            "last",
            "prices",
            "missing_sessions",
            "off_calendar",
            "stale_runs",
            "longest_stale_run",
            "outliers",
            "non_positive",
            "roll_jumps",
            "duplicate_dates",
            "unsorted_rows",
            "empty_rows",
            "lag_sessions",
            "timezone",
            "status",
        ]
        view = self.table[cols].copy()
        for c in ("first", "last"):
            view[c] = pd.DatetimeIndex(view[c]).strftime("%Y-%m-%d")
        text = view.to_string()
        reasons = [f"  {t}: {r}" for t, r in self.table["reasons"].items() if r]
        if reasons:
            text += "\n\nreasons:\n" + "\n".join(reasons)
        if self.notes:
            text += "\n\nnotes:\n" + "\n".join(f"  {n}" for n in self.notes)
        return text

    def roll_mask(
        self,
        sessions: pd.DatetimeIndex,
        universe: Universe,
        calendar: str = "XNYS",
        *,
        causal: bool = True,
        roll_dates: Mapping[str, Sequence[str | pd.Timestamp]] | None = None,
        window: int = 3,
    ) -> pd.DataFrame:
        """Boolean mask (sessions x tickers) of futures jumps, at the session each is first known.

        Pass the causal mask (the default) as ``simple_returns(aligned, null=mask)`` to
        null roll-jump returns in a backtest.

        Parameters
        ----------
        sessions : pandas.DatetimeIndex
            Sessions of the mask (those of the aligned prices).
        universe : Universe
            Gives each ticker's cutoff, to place a jump at the session it is known.
        calendar : str, default "XNYS"
            Calendar of ``sessions``.
        causal : bool, default True
            True: the jumps of :attr:`jumps`, each decided from prices up to and
            including its date only; safe for backtests and live use. False: the
            ``roll_jump`` rows of :attr:`issues`, which look at the *following* price
            (a jump not reverted the next day); a retrospective diagnostic that must
            never null returns in a backtest (it changes when later prices arrive, and
            always treats a jump on the newest date as a roll).
        roll_dates : mapping, optional
            Ticker -> dates of its contract rolls known in advance (for example the
            roll schedule of a continuous contract). When a ticker is given, only its
            causal jumps within ``window`` sessions of one of these dates are masked,
            so that a real crash away from a roll keeps its return. Ignored when
            ``causal`` is False.
        window : int, default 3
            Sessions either side of a roll date within which a jump counts as a roll.

        Returns
        -------
        pandas.DataFrame
            Boolean, index ``sessions``, one column per ticker of the report.

        Notes
        -----
        The causal rule flags date :math:`t` of a future iff
        :math:`|r_t - m_t| > k \\cdot 1.4826\\,\\mathrm{MAD}_t` with :math:`k` =
        ``outlier_z`` and median :math:`m_t` and MAD over the 63 returns before
        :math:`t`: appending later prices never changes the mask at earlier dates. It
        cannot tell a roll from a crash of the same size; ``roll_dates`` narrows it to
        the known roll periods.
        """
        if window < 0:
            raise ConfigError(f"roll_mask(window={window!r}): window must be >= 0 sessions")
        sessions = pd.DatetimeIndex(sessions)
        tickers = [str(t) for t in self.table.index]
        mask = pd.DataFrame(False, index=sessions, columns=tickers)
        if causal:
            rolls = self.jumps[["ticker", "date"]]
        else:
            rolls = self.issues.loc[self.issues["check"] == "roll_jump", ["ticker", "date"]]
        if rolls.empty or len(sessions) == 0:
            return mask
        closes = session_closes(
            calendar, str(sessions.min().date()), str((sessions.max() + pd.Timedelta(days=10)).date())
        )
        close_utc = pd.DatetimeIndex(closes)
        for ticker, group in rolls.groupby("ticker"):
            dates = pd.DatetimeIndex(group["date"])
            if causal and roll_dates is not None and str(ticker) in roll_dates:
                dates = dates[
                    _near(dates, pd.DatetimeIndex([pd.Timestamp(x) for x in roll_dates[str(ticker)]]), window)
                ]
            if len(dates) == 0:
                continue
            t = known_at(dates, universe.instrument(str(ticker)))
            pos = close_utc.searchsorted(t, side="left")
            hit = pd.DatetimeIndex(closes.index[pos[pos < len(close_utc)]])
            mask.loc[mask.index.isin(hit), str(ticker)] = True
        return mask


def _near(dates: pd.DatetimeIndex, rolls: pd.DatetimeIndex, window: int) -> np.ndarray:
    """Which ``dates`` lie within ``window`` business days of one of ``rolls``."""
    if len(rolls) == 0:
        return np.zeros(len(dates), dtype=bool)
    d = dates.normalize().to_numpy().astype("datetime64[D]")
    r = np.sort(rolls.normalize().to_numpy().astype("datetime64[D]"))
    out = np.zeros(len(d), dtype=bool)
    for i, day in enumerate(d):
        gaps = np.abs(np.busday_count(np.minimum(day, r), np.maximum(day, r)))
        out[i] = bool((gaps <= window).any())
    return out


def _runs(values: np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of runs of equal consecutive values."""
    out = []
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            out.append((start, i - start))
            start = i
    return out


def _robust_z(ret: pd.Series, window: int = 63, min_periods: int = 20) -> pd.Series:
    med = ret.rolling(window, min_periods=min_periods).median().shift(1)
    mad = (ret - med).abs().rolling(window, min_periods=min_periods).median().shift(1)
    return (ret - med) / (1.4826 * mad).where(mad > 0)


def _one(
    ticker: str,
    raw: pd.Series,
    universe: Universe,
    zone: str,
    end: pd.Timestamp | None,
    th: QualityThresholds,
    issues: list[dict[str, object]],
    jumps: list[dict[str, object]],
) -> dict[str, object]:
    inst = universe.instrument(ticker)

    def flag(date: object, check: str, value: float, detail: str) -> None:
        issues.append({"ticker": ticker, "date": date, "check": check, "value": value, "detail": detail})

    idx = pd.DatetimeIndex(raw.index)
    row: dict[str, object] = {"calendar": inst.calendar, "timezone": zone, "rows": len(raw)}
    empty = raw.isna().to_numpy()
    last_valid = idx[~empty].max() if (~empty).any() else None
    for d in idx[empty]:
        where = " after the last price" if last_valid is not None and d > last_valid else ""
        flag(d, "empty_row", float("nan"), f"row with a date but no price{where} (dropped)")
    valid = raw[~empty]
    vidx = pd.DatetimeIndex(valid.index)
    dup_mask = vidx.duplicated(keep=False)
    dups = valid[dup_mask]
    spread = dups.groupby(level=0).agg(["min", "max"]) if len(dups) else None
    conflicting = int((spread["max"] > spread["min"]).sum()) if spread is not None else 0
    for d in pd.DatetimeIndex(dups.index).unique():
        vals = dups.loc[d]
        flag(d, "duplicate_date", float(np.asarray(vals)[-1]), f"{len(np.atleast_1d(vals))} rows; the last is kept")
    unsorted = int((np.diff(idx.asi8) < 0).sum()) if len(idx) > 1 else 0
    if unsorted:
        first_bad = idx[1:][np.diff(idx.asi8) < 0][0]
        flag(first_bad, "unsorted", float("nan"), f"{unsorted} row(s) out of date order (sorted)")
    series = valid[~vidx.duplicated(keep="last")].sort_index()
    sidx = pd.DatetimeIndex(series.index)
    row.update(
        prices=len(series),
        empty_rows=int(empty.sum()),
        duplicate_dates=int(vidx.duplicated().sum()),
        conflicting_duplicates=conflicting,
        unsorted_rows=unsorted,
    )
    if series.empty:
        row.update(first=pd.NaT, last=pd.NaT, status="no data", reasons="no prices")
        return row
    first, last = sidx.min(), sidx.max()
    row.update(first=first, last=last)
    cal = get_calendar(inst.calendar, str(first.date()), str((end or last).date()))
    calendar_sessions = pd.DatetimeIndex(cal.sessions).as_unit("ns")
    # sessions on which the series should have a price (CME: not on US holidays)
    sessions = expected_sessions(calendar_sessions, inst)
    inside = sessions[(sessions >= first) & (sessions <= last)]
    missing = inside.difference(sidx)
    off = sidx.difference(calendar_sessions)
    for d in missing:
        flag(d, "missing_session", float("nan"), f"a {inst.calendar} session without a price")
    for d in off:
        flag(d, "off_calendar", float(series.loc[d]), f"not a {inst.calendar} session")
    row.update(
        off_calendar=len(off),
        missing_sessions=len(missing),
        missing_share=len(missing) / max(len(inside), 1),
    )
    values = series.to_numpy(dtype="float64")
    runs = [(s, n) for s, n in _runs(values) if n >= th.stale_min_run]
    for s, n in runs:
        flag(sidx[s], "stale_run", values[s], f"{n} identical closes through {sidx[s + n - 1].date()}")
    row.update(stale_runs=len(runs), longest_stale_run=max((n for _, n in runs), default=1))
    nonpos = series[series <= 0]
    for d, v in zip(pd.DatetimeIndex(nonpos.index), nonpos.to_numpy(), strict=True):
        flag(d, "non_positive", float(v), "returns into and out of it are undefined and set to NaN")
    row["non_positive"] = len(nonpos)
    pos = series.where(series > 0)
    ret = pos / pos.shift(1) - 1.0
    z = _robust_z(ret)
    out_mask = (z.abs() > th.outlier_z).to_numpy()
    n_out = n_roll = 0
    if inst.is_future and inst.roll is not None and len(sidx):
        expiry = roll_window(inst.roll, sidx) & (z.abs() > th.roll_z).to_numpy()
        for i in (int(k) for k in np.flatnonzero(expiry)):
            # causal: the expiry calendar is published in advance and z uses earlier returns only
            jumps.append({"ticker": ticker, "date": sidx[i], "value": float(ret.iloc[i]), "z": float(z.iloc[i])})
            n_roll += 1
            flag(
                sidx[i],
                "roll_jump",
                float(ret.iloc[i]),
                f"expiry session of its {inst.roll} contract (robust z {z.iloc[i]:.1f}): roll or expiry squeeze",
            )
        out_mask = out_mask & ~expiry
    for i in (int(k) for k in np.flatnonzero(out_mask)):
        if inst.is_future:
            # causal: decided from prices up to and including this date
            jumps.append({"ticker": ticker, "date": sidx[i], "value": float(ret.iloc[i]), "z": float(z.iloc[i])})
        prev, cur = values[i - 1], values[i]
        nxt = values[i + 1] if i + 1 < len(values) else np.nan
        reverts = bool(np.isfinite(nxt) and abs(nxt - prev) < 0.5 * abs(cur - prev))
        if inst.is_future and not reverts:
            n_roll += 1
            flag(sidx[i], "roll_jump", float(ret.iloc[i]), f"level shift (robust z {z.iloc[i]:.1f}): contract roll?")
        else:
            n_out += 1
            kind = "spike that reverts" if reverts else "jump"
            flag(sidx[i], "outlier", float(ret.iloc[i]), f"{kind} (robust z {z.iloc[i]:.1f})")
    row.update(outliers=n_out, roll_jumps=n_roll)
    lag = np.nan
    if end is not None:
        lag = float(len(sessions[(sessions > last) & (sessions <= end)]))
    row["lag_sessions"] = lag
    _judge(row, inst, th, pd.Timestamp(nonpos.index[0]) if len(nonpos) else None)
    return row


def _judge(row: dict[str, object], inst: Instrument, th: QualityThresholds, first_nonpos: pd.Timestamp | None) -> None:
    """Set ``status`` and ``reasons`` of a report row from its counts (shared by the report and the tracker)."""
    reasons: list[str] = []
    share = float(row["missing_share"])  # type: ignore[arg-type]
    if share > th.max_missing_share:
        reasons.append(f"{row['missing_sessions']} missing sessions ({share:.1%} > {th.max_missing_share:.0%})")
    if row["longest_stale_run"] > th.max_stale_run:  # type: ignore[operator]
        reasons.append(f"{row['longest_stale_run']} identical closes in a row (> {th.max_stale_run})")
    conflicting = int(row["conflicting_duplicates"])  # type: ignore[call-overload]
    if conflicting > th.max_conflicting_duplicates:
        reasons.append(f"{conflicting} date(s) given twice with different prices")
    n_nonpos = int(row["non_positive"])  # type: ignore[call-overload]
    if n_nonpos and first_nonpos is not None and (not inst.is_future or not th.allow_non_positive_futures):
        reasons.append(f"{n_nonpos} non-positive price(s), first on {first_nonpos.date()}")
    lag = float(row["lag_sessions"])  # type: ignore[arg-type]
    if np.isfinite(lag) and lag > th.max_lag_sessions:
        reasons.append(f"last price {pd.Timestamp(row['last']).date()} is {int(lag)} sessions before the requested end")  # type: ignore[arg-type]
    flagged = any(
        row[k]
        for k in (
            "empty_rows",
            "duplicate_dates",
            "unsorted_rows",
            "missing_sessions",
            "stale_runs",
            "outliers",
            "roll_jumps",
            "non_positive",
            "off_calendar",
        )
    )
    row["status"] = "fail" if reasons else ("warn" if flagged else "ok")
    row["reasons"] = "; ".join(reasons)


def quality_report(
    raw: Mapping[str, pd.Series],
    universe: Universe,
    *,
    tickers: list[str] | None = None,
    timezones: Mapping[str, str] | None = None,
    failed: Mapping[str, str] | None = None,
    end: str | pd.Timestamp | None = None,
    thresholds: QualityThresholds | None = None,
) -> QualityReport:
    """Check each ticker's prices as read, before anything is sorted, dropped or aligned.

    Parameters
    ----------
    raw : mapping
        Ticker -> price series as read (index: tz-naive local dates, file order).
    universe : Universe
        Gives each ticker's calendar and kind (futures may be non-positive and roll).
    tickers : list of str, optional
        Tickers to report (default: those of ``raw``); one without data gets ``"no data"``.
    timezones : mapping, optional
        Ticker -> time zone of the source's dates.
    failed : mapping, optional
        Ticker -> why the source returned nothing.
    end : date-like, optional
        The requested end, to measure how many sessions each last price lags.
    thresholds : QualityThresholds, optional

    Returns
    -------
    QualityReport

    Notes
    -----
    Missing sessions are sessions :math:`d` of the instrument's own calendar with
    ``first <= d <= last`` and no price, less the sessions on which its cutoff convention
    publishes no price (CME futures: US holidays, see
    :func:`georisk.market.expected_sessions`). A stale run is a run of at least
    ``stale_min_run`` identical consecutive closes. An outlier is a simple return
    :math:`r_t` with :math:`|r_t - m_t| / (1.4826\\,\\mathrm{MAD}_t) >` ``outlier_z``,
    median and MAD over the 63 returns before :math:`t`. For a future, an outlier after
    which the price does not come back at least half-way is reported as a roll jump;
    that split looks at the following price, so it is a diagnostic only. Every futures
    outlier is also listed in ``jumps``, decided from prices up to its date only, and
    :meth:`QualityReport.roll_mask` (causal by default) builds the mask that may null
    returns in a backtest.
    """
    th = thresholds or QualityThresholds()
    names = tickers if tickers is not None else list(raw)
    end_ts = pd.Timestamp(end) if end is not None else None
    issues: list[dict[str, object]] = []
    jumps: list[dict[str, object]] = []
    rows = {}
    for t in names:
        s = raw.get(t)
        if s is None or s.notna().sum() == 0:
            reason = (failed or {}).get(t, "no prices")
            base: dict[str, object] = dict.fromkeys(TABLE_COLUMNS, 0)
            base.update(
                calendar=universe.instrument(t).calendar,
                timezone=(timezones or {}).get(t, "n/a"),
                rows=0 if s is None else len(s),
                empty_rows=0 if s is None else int(s.isna().sum()),
                first=pd.NaT,
                last=pd.NaT,
                missing_share=np.nan,
                lag_sessions=np.nan,
                status="no data",
                reasons=reason,
            )
            rows[t] = base
            continue
        rows[t] = _one(t, s, universe, (timezones or {}).get(t, "naive"), end_ts, th, issues, jumps)
    table = _table_frame(rows)
    zones = {z for z in table["timezone"] if z not in ("naive", "n/a")}
    notes = [f"source failure for {t}: {r}" for t, r in (failed or {}).items()]
    if zones:
        notes.append(f"time zones dropped to local dates: {sorted(zones)}")
    return QualityReport(table, _issue_frame(issues), th, notes, _jump_frame(jumps))


def _table_frame(rows: Mapping[str, Mapping[str, object]]) -> pd.DataFrame:
    """The report's table from one row dict per ticker (the dtypes of :attr:`QualityReport.table`)."""
    table = pd.DataFrame.from_dict(dict(rows), orient="index").reindex(columns=TABLE_COLUMNS)
    table.index.name = "ticker"
    for c in ("first", "last"):
        table[c] = pd.to_datetime(table[c])
    table["missing_share"] = table["missing_share"].astype("float64")
    table["lag_sessions"] = table["lag_sessions"].astype("float64")
    return table


def _issue_frame(issues: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(issues, columns=ISSUE_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def _jump_frame(jumps: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(jumps, columns=JUMP_COLUMNS) if jumps else _no_jumps()
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


# --------------------------------------------------------------------------- incremental
_WINDOW = 63  # returns before t in the robust median and MAD (as _robust_z)
_MIN_PERIODS = 20


class _RollingMedian:
    """Median of the non-NaN values among the last ``_WINDOW`` appended, as pandas' rolling median.

    NaN with fewer than ``_MIN_PERIODS`` of them. The values are kept sorted as they come
    and go (an insertion and a removal a step), not sorted again at every step.
    """

    __slots__ = ("_sorted", "_window")

    def __init__(self) -> None:
        self._window: deque[float] = deque(maxlen=_WINDOW)
        self._sorted: list[float] = []  # the window's non-NaN values, ascending; equal ones oldest first

    def append(self, value: float) -> None:
        if len(self._window) == _WINDOW:
            old = self._window[0]
            if old == old:
                del self._sorted[bisect_left(self._sorted, old)]
        self._window.append(value)
        if value == value:
            insort_right(self._sorted, value)

    def median(self) -> float:
        got = self._sorted
        n = len(got)
        if n < _MIN_PERIODS:
            return math.nan
        mid = n // 2
        return got[mid] if n % 2 else (got[mid] + got[mid - 1]) / 2


class _Calendars:
    """Sessions and expected sessions of one instrument's calendar window, as int64 nanoseconds."""

    def __init__(self, inst: Instrument, cal: Any, key: tuple[str, ...]) -> None:
        sessions = pd.DatetimeIndex(cal.sessions).as_unit("ns")
        self.key = key
        self.sessions = sessions.asi8
        self.expected = pd.DatetimeIndex(expected_sessions(sessions, inst)).as_unit("ns").asi8

    def count_expected(self, lo: int, hi: int, *, left_open: bool) -> int:
        """Expected sessions in ``[lo, hi]`` (``(lo, hi]`` when ``left_open``)."""
        a = int(np.searchsorted(self.expected, lo, side="right" if left_open else "left"))
        return max(int(np.searchsorted(self.expected, hi, side="right")) - a, 0)


def _member(sorted_values: np.ndarray, x: np.ndarray) -> np.ndarray:
    pos = np.searchsorted(sorted_values, x)
    inside = pos < len(sorted_values)
    out = np.zeros(len(x), dtype=bool)
    out[inside] = sorted_values[pos[inside]] == x[inside]
    return out


class _Track:
    """Running state of one ticker: what :func:`_one` needs, kept up to date price by price."""

    def __init__(self, ticker: str, inst: Instrument, th: QualityThresholds) -> None:
        self.ticker, self.inst, self.th = ticker, inst, th
        self.dates: list[int] = []  # ns, strictly increasing
        self.values: list[float] = []
        self.rets: list[float] = []
        self.zs: list[float] = []
        self.expiry: list[bool] = []  # expiry session with |z| > roll_z (futures with a roll rule)
        self.ret_window = _RollingMedian()
        self.dev_window = _RollingMedian()
        self.run_start = 0
        self.closed_runs = 0
        self.closed_longest = 0
        self.n_nonpos = 0
        self.first_nonpos: int | None = None
        self.n_expiry = 0
        self.out_settled = 0
        self.roll_settled = 0
        self.fresh = 0  # index of the first price not yet reported
        self.fresh_dates: set[int] | None = None  # after an out-of-order price: which of them are new
        self.dirty = False  # a price arrived out of date order: replay before the next use
        self.cal_key: tuple[str, ...] | None = None
        # (first date, start and end of a year, calendars): QualityTracker._calendars for an end in that year
        self.cal_memo: tuple[int, int, int, _Calendars] | None = None
        self.classified = 0  # prices whose calendar membership is counted
        self.n_expected = 0
        self.n_off = 0
        self.rule_expiries = np.zeros(0, dtype="int64")
        self.expiries_to = -(2**62)

    # -- appending
    def add(self, date: int, value: float) -> None:
        if self.dates and date <= self.dates[-1]:
            if self.fresh_dates is None:
                self.fresh_dates = set(self.dates[self.fresh :])
            self.fresh_dates.add(date)
            self.dirty = True
            pos = int(np.searchsorted(np.asarray(self.dates, dtype="int64"), date))
            if pos < len(self.dates) and self.dates[pos] == date:
                self.values[pos] = value
            else:
                self.dates.insert(pos, date)
                self.values.insert(pos, value)
            self.fresh = min(self.fresh, pos)
            return
        if self.fresh_dates is not None:
            self.fresh_dates.add(date)
        self.dates.append(date)
        self.values.append(value)
        if not self.dirty:
            self._step(len(self.dates) - 1)

    def _replay(self) -> None:
        """Rebuild the running state from the stored prices (after an out-of-order price)."""
        dates, values, fresh, fresh_dates = self.dates, self.values, self.fresh, self.fresh_dates
        self.__init__(self.ticker, self.inst, self.th)  # type: ignore[misc]
        for d, v in zip(dates, values, strict=True):
            self.add(d, v)
        self.fresh, self.fresh_dates = fresh, fresh_dates

    def _step(self, i: int) -> None:
        """Account for price ``i`` (the newest)."""
        values, th = self.values, self.th
        v = values[i]
        # stale runs: a run closes when the value changes
        if i > 0 and v != values[i - 1]:
            n = i - self.run_start
            if n >= th.stale_min_run:
                self.closed_runs += 1
                self.closed_longest = max(self.closed_longest, n)
            self.run_start = i
        if v <= 0:
            self.n_nonpos += 1
            if self.first_nonpos is None:
                self.first_nonpos = self.dates[i]
        prev = values[i - 1] if i > 0 else math.nan
        ret = v / prev - 1.0 if (i > 0 and v > 0 and prev > 0) else math.nan
        med = self.ret_window.median()
        mad = self.dev_window.median()
        z = (ret - med) / (1.4826 * mad) if mad > 0 else math.nan
        self.ret_window.append(ret)
        self.dev_window.append(abs(ret - med))
        self.rets.append(ret)
        self.zs.append(z)
        expiry = False
        if self.inst.is_future and self.inst.roll is not None:
            expiry = self._on_expiry(i) and abs(z) > th.roll_z
        self.expiry.append(expiry)
        self.n_expiry += expiry
        # the previous price's outlier (if any) is settled now that the next price is known
        if i > 0 and self._is_out(i - 1):
            if self.inst.is_future and not self._reverts(i - 1):
                self.roll_settled += 1
            else:
                self.out_settled += 1

    def _on_expiry(self, i: int) -> bool:
        """``roll_window(rule, dates)[i]``: an expiry in ``(dates[i-2], dates[i]]``, not before first - 10 d."""
        d = self.dates[i]
        if d > self.expiries_to:
            first = pd.Timestamp(self.dates[0])
            hi = max(pd.Timestamp(d), first) + pd.DateOffset(years=2)
            exp = contract_expiries(str(self.inst.roll), first - pd.Timedelta(days=10), hi)
            self.rule_expiries = pd.DatetimeIndex(exp).as_unit("ns").asi8
            self.expiries_to = hi.value
        lo = self.dates[i - 2] if i >= 2 else -(2**62)
        a = int(np.searchsorted(self.rule_expiries, lo, side="right"))
        return a < len(self.rule_expiries) and int(self.rule_expiries[a]) <= d

    def _is_out(self, i: int) -> bool:
        return abs(self.zs[i]) > self.th.outlier_z and not self.expiry[i]

    def _reverts(self, i: int) -> bool:
        prev, cur = self.values[i - 1], self.values[i]
        nxt = self.values[i + 1] if i + 1 < len(self.values) else math.nan
        return bool(math.isfinite(nxt) and abs(nxt - prev) < 0.5 * abs(cur - prev))

    # -- reading
    def _classify(self, cals: _Calendars) -> None:
        if cals.key != self.cal_key:
            self.cal_key, self.classified, self.n_expected, self.n_off = cals.key, 0, 0, 0
        if self.classified < len(self.dates):
            new = np.asarray(self.dates[self.classified :], dtype="int64")
            self.n_expected += int(_member(cals.expected, new).sum())
            self.n_off += int((~_member(cals.sessions, new)).sum())
            self.classified = len(self.dates)

    def row(self, cals: _Calendars, end: pd.Timestamp | None) -> dict[str, object]:
        """The row :func:`_one` gives for these prices and ``end``."""
        if self.dirty:
            self._replay()
        self._classify(cals)
        n = len(self.dates)
        first, last = self.dates[0], self.dates[-1]
        inside = cals.count_expected(first, last, left_open=False)
        missing = inside - self.n_expected
        run = n - self.run_start
        current = run >= self.th.stale_min_run
        pending = n > 0 and self._is_out(n - 1)
        future = self.inst.is_future
        lag = math.nan
        if end is not None:
            lag = float(cals.count_expected(last, end.value, left_open=True))
        row: dict[str, object] = {
            "calendar": self.inst.calendar,
            "timezone": "naive",
            "rows": n,
            "prices": n,
            "first": pd.Timestamp(first),
            "last": pd.Timestamp(last),
            "empty_rows": 0,
            "duplicate_dates": 0,
            "conflicting_duplicates": 0,
            "unsorted_rows": 0,
            "off_calendar": self.n_off,
            "missing_sessions": missing,
            "missing_share": missing / max(inside, 1),
            "stale_runs": self.closed_runs + int(current),
            "longest_stale_run": max(self.closed_longest, run if current else 1, 1),
            "outliers": self.out_settled + int(pending and not future),
            "non_positive": self.n_nonpos,
            "roll_jumps": self.n_expiry + self.roll_settled + int(pending and future),
            "lag_sessions": lag,
        }
        first_nonpos = pd.Timestamp(self.first_nonpos) if self.first_nonpos is not None else None
        _judge(row, self.inst, self.th, first_nonpos)
        return row

    def take(self, cals: _Calendars, issues: list[dict[str, object]], jumps: list[dict[str, object]]) -> None:
        """Append the issues (and futures jumps) dated at the prices added since the last call."""
        if self.dirty:
            self._replay()
        self._classify(cals)
        start, n, ticker = self.fresh, len(self.dates), self.ticker
        chosen = self.fresh_dates
        self.fresh, self.fresh_dates = n, None
        if start >= n:
            return
        dates, values = self.dates, self.values

        def flag(i: int, check: str, value: float, detail: str) -> None:
            issues.append(
                {"ticker": ticker, "date": pd.Timestamp(dates[i]), "check": check, "value": value, "detail": detail}
            )

        fresh = [i for i in range(start, n) if chosen is None or dates[i] in chosen]
        off = ~_member(cals.sessions, np.asarray(dates[start:], dtype="int64"))
        for i in fresh:
            if off[i - start]:
                flag(i, "off_calendar", float(values[i]), f"not a {self.inst.calendar} session")
        for s, length in _runs(np.asarray(values[start:], dtype="float64")):
            i = start + s
            if chosen is not None and dates[i] not in chosen:
                continue
            if length >= self.th.stale_min_run and (s > 0 or start == 0 or values[start] != values[start - 1]):
                through = pd.Timestamp(dates[i + length - 1]).date()
                flag(i, "stale_run", values[i], f"{length} identical closes through {through}")
        for i in fresh:
            if values[i] <= 0:
                flag(i, "non_positive", float(values[i]), "returns into and out of it are undefined and set to NaN")
        future = self.inst.is_future
        for i in fresh:
            if self.expiry[i]:
                jumps.append({"ticker": ticker, "date": pd.Timestamp(dates[i]), "value": self.rets[i], "z": self.zs[i]})
                flag(
                    i,
                    "roll_jump",
                    self.rets[i],
                    f"expiry session of its {self.inst.roll} contract (robust z {self.zs[i]:.1f}): "
                    "roll or expiry squeeze",
                )
        for i in fresh:
            if not self._is_out(i):
                continue
            z = self.zs[i]
            if future:
                jumps.append({"ticker": ticker, "date": pd.Timestamp(dates[i]), "value": self.rets[i], "z": z})
            reverts = self._reverts(i)
            if future and not reverts:
                flag(i, "roll_jump", self.rets[i], f"level shift (robust z {z:.1f}): contract roll?")
            else:
                kind = "spike that reverts" if reverts else "jump"
                flag(i, "outlier", self.rets[i], f"{kind} (robust z {z:.1f})")


class QualityTracker:
    """:func:`quality_report` kept up to date as prices become known, at O(1) cost a price.

    A backfill asks for the quality of the prices known at each session; rebuilding the
    report from the whole history every session costs O(N) a session, O(N²) in all. The
    tracker keeps, per ticker, what the checks need (counts, the current run of identical
    closes, the trailing 63 returns and deviations of the robust z-score, the first
    non-positive price, the expiry calendar) and gives the same table as
    :func:`quality_report` over the prices added so far.

    Parameters
    ----------
    universe : Universe
        Gives each ticker's calendar, kind and roll rule.
    thresholds : QualityThresholds, optional

    Notes
    -----
    Prices are added clean: one finite value per date and ticker, as known (no empty
    rows; a date added again replaces its value). A price dated before the ticker's
    newest is allowed; the ticker's state is then rebuilt from its stored prices, which
    costs O(its prices) once. Each check is causal or depends on a bounded neighbourhood:
    the robust z-score of a return uses the 63 returns before it, a stale run grows only
    at the end, the outlier/roll split of a futures jump waits for the next price, and
    the missing sessions and the lag are counts over the instrument's expected sessions,
    looked up by binary search. So :meth:`table` equals
    ``quality_report(prices, universe, tickers=..., end=end).table`` and the issues of
    :meth:`take_issues` equal that report's issues dated at the prices added since the
    previous call (a stale run is reported at its first price, with its length then).

    Examples
    --------
    >>> import pandas as pd
    >>> from georisk.config import default_universe
    >>> tr = QualityTracker(default_universe())
    >>> tr.add("SPY", pd.DatetimeIndex(["2024-01-02", "2024-01-03"]), [470.0, 468.0])
    >>> str(tr.table("2024-01-03").at["SPY", "status"])
    'ok'
    """

    def __init__(self, universe: Universe, *, thresholds: QualityThresholds | None = None) -> None:
        self.universe = universe
        self.thresholds = thresholds or QualityThresholds()
        self._tracks: dict[str, _Track] = {}
        self._cals: dict[tuple[str, ...], _Calendars] = {}
        self._windows: dict[tuple[str, int, int], Any] = {}

    @property
    def tickers(self) -> list[str]:
        """Tickers with at least one price, in the order they were first added."""
        return list(self._tracks)

    def add(
        self,
        ticker: str,
        dates: pd.DatetimeIndex | list[pd.Timestamp] | list[str],
        values: Sequence[float] | np.ndarray,
    ) -> None:
        """Add prices of ``ticker`` that became known (dates in increasing order are the cheap case).

        Parameters
        ----------
        ticker : str
            A ticker of the universe.
        dates : pandas.DatetimeIndex or sequence of dates
            Tz-naive local dates of the prices.
        values : sequence of float
            The closes, finite.

        Raises
        ------
        ConfigError
            If the lengths differ or a value is not finite.
        """
        self.add_ns(ticker, pd.DatetimeIndex(dates).as_unit("ns").asi8, values)

    def add_ns(self, ticker: str, dates: np.ndarray, values: Sequence[float] | np.ndarray) -> None:
        """:meth:`add` with the dates as int64 nanoseconds since the epoch (of tz-naive local dates)."""
        vals = np.asarray(values, dtype="float64")
        if len(dates) != len(vals):
            raise ConfigError(f"QualityTracker.add({ticker!r}): {len(dates)} dates but {len(vals)} values")
        if len(vals) and not np.isfinite(vals).all():
            raise ConfigError(f"QualityTracker.add({ticker!r}): values must be finite (drop empty rows first)")
        if not len(vals):
            return
        track = self._tracks.get(ticker)
        if track is None:
            track = self._tracks[ticker] = _Track(ticker, self.universe.instrument(ticker), self.thresholds)
        for d, v in zip(np.asarray(dates, dtype="int64").tolist(), vals.tolist(), strict=True):
            track.add(int(d), float(v))

    def _calendars(self, track: _Track, end: pd.Timestamp | None) -> _Calendars:
        """The calendar window :func:`_one` would use (get_calendar caches by window; so do we).

        :func:`georisk.calendar.get_calendar` rounds its window out to whole years, so
        every ``end`` in the year of the previous one (with the same first price) gives
        the same calendar: the track keeps it for that year, and a backfill asking once
        a session pays one tuple comparison instead of a calendar lookup.
        """
        upto_ns = end.value if end is not None else track.dates[-1]
        kept = track.cal_memo
        if kept is not None and kept[0] == track.dates[0] and kept[1] <= upto_ns < kept[2]:
            return kept[3]
        first = pd.Timestamp(track.dates[0])
        upto = end if end is not None else pd.Timestamp(track.dates[-1])
        inst = track.inst
        memo = (inst.calendar, first.value, upto.value)
        cal = self._windows.get(memo)
        if cal is None:
            if len(self._windows) > 512:
                self._windows.clear()
            cal = self._windows[memo] = get_calendar(inst.calendar, str(first.date()), str(upto.date()))
        key = (inst.calendar, str(inst.cutoff), str(inst.close_time), str(cal.first_session), str(cal.last_session))
        cals = self._cals.get(key)
        if cals is None:
            cals = self._cals[key] = _Calendars(inst, cal, key)
        if upto.tz is None:  # tz-naive local dates, as added (a year's bounds in the same clock)
            year = pd.Timestamp(year=upto.year, month=1, day=1)
            track.cal_memo = (track.dates[0], year.value, year.replace(year=upto.year + 1).value, cals)
        return cals

    def rows(
        self, end: str | pd.Timestamp | None = None, tickers: Sequence[str] | None = None
    ) -> dict[str, dict[str, object]]:
        """The report's rows as dicts (cheaper than :meth:`table` when read every session)."""
        end_ts = pd.Timestamp(end) if end is not None else None
        names = list(tickers) if tickers is not None else self.tickers
        return {
            t: self._tracks[t].row(self._calendars(self._tracks[t], end_ts), end_ts) for t in names if t in self._tracks
        }

    def table(self, end: str | pd.Timestamp | None = None, tickers: Sequence[str] | None = None) -> pd.DataFrame:
        """:attr:`QualityReport.table` of the prices added so far, as of ``end``.

        Parameters
        ----------
        end : date-like, optional
            The requested end (measures the lag), as for :func:`quality_report`.
        tickers : sequence of str, optional
            Rows and their order (default: every ticker with prices); a ticker without
            prices is left out.

        Returns
        -------
        pandas.DataFrame
            Columns :data:`TABLE_COLUMNS`, index ``ticker``.
        """
        return _table_frame(self.rows(end, tickers))

    def take_issue_records(
        self, end: str | pd.Timestamp | None = None, tickers: Sequence[str] | None = None
    ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
        """``(issues, jumps)`` as lists of dicts, for :meth:`take_issues` and hot loops."""
        end_ts = pd.Timestamp(end) if end is not None else None
        names = list(tickers) if tickers is not None else self.tickers
        issues: list[dict[str, object]] = []
        jumps: list[dict[str, object]] = []
        for t in names:
            track = self._tracks.get(t)
            if track is not None:
                track.take(self._calendars(track, end_ts), issues, jumps)
        return issues, jumps

    def take_issues(self, end: str | pd.Timestamp | None = None, tickers: Sequence[str] | None = None) -> QualityReport:
        """The report's issues and jumps dated at the prices added since the previous call.

        Parameters
        ----------
        end, tickers
            As for :meth:`table`.

        Returns
        -------
        QualityReport
            ``table`` as :meth:`table`; ``issues`` and ``jumps`` are those of
            :func:`quality_report` over all prices added so far whose (ticker, date) is a
            price added since the previous call, in the report's order.
        """
        table = self.table(end, tickers)
        issues, jumps = self.take_issue_records(end, tickers)
        return QualityReport(table, _issue_frame(issues), self.thresholds, [], _jump_frame(jumps))
