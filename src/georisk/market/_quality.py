"""The per-ticker data-quality report and its documented thresholds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from georisk.calendar import get_calendar, session_closes
from georisk.config import Universe
from georisk.errors import ConfigError, DataQualityError
from georisk.market._cutoffs import expected_sessions, known_at
from georisk.market._rolls import roll_window

__all__ = ["JUMP_COLUMNS", "QualityReport", "QualityThresholds", "quality_report"]

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
    reasons: list[str] = []
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
    if row["missing_share"] > th.max_missing_share:  # type: ignore[operator]
        reasons.append(f"{len(missing)} missing sessions ({row['missing_share']:.1%} > {th.max_missing_share:.0%})")
    if row["longest_stale_run"] > th.max_stale_run:  # type: ignore[operator]
        reasons.append(f"{row['longest_stale_run']} identical closes in a row (> {th.max_stale_run})")
    if conflicting > th.max_conflicting_duplicates:
        reasons.append(f"{conflicting} date(s) given twice with different prices")
    if len(nonpos) and (not inst.is_future or not th.allow_non_positive_futures):
        reasons.append(f"{len(nonpos)} non-positive price(s), first on {pd.Timestamp(nonpos.index[0]).date()}")
    if np.isfinite(lag) and lag > th.max_lag_sessions:
        reasons.append(f"last price {last.date()} is {int(lag)} sessions before the requested end")
    flagged = any(
        row[k] for k in ("empty_rows", "duplicate_dates", "unsorted_rows", "missing_sessions", "stale_runs")
    ) or any((n_out, n_roll, len(nonpos), len(off)))
    row["status"] = "fail" if reasons else ("warn" if flagged else "ok")
    row["reasons"] = "; ".join(reasons)
    return row


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
    table = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=TABLE_COLUMNS)
    table.index.name = "ticker"
    for c in ("first", "last"):
        table[c] = pd.to_datetime(table[c])
    table["missing_share"] = table["missing_share"].astype("float64")
    table["lag_sessions"] = table["lag_sessions"].astype("float64")
    issue_frame = pd.DataFrame(issues, columns=ISSUE_COLUMNS)
    issue_frame["date"] = pd.to_datetime(issue_frame["date"])
    zones = {z for z in table["timezone"] if z not in ("naive", "n/a")}
    notes = [f"source failure for {t}: {r}" for t, r in (failed or {}).items()]
    if zones:
        notes.append(f"time zones dropped to local dates: {sorted(zones)}")
    jump_frame = pd.DataFrame(jumps, columns=JUMP_COLUMNS) if jumps else _no_jumps()
    jump_frame["date"] = pd.to_datetime(jump_frame["date"])
    return QualityReport(table, issue_frame, th, notes, jump_frame)
