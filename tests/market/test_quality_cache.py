"""QualityTracker keeps each ticker's calendar for a year: the same rows, one lookup a year."""

from __future__ import annotations

import numpy as np
import pandas as pd

import georisk.market._quality as quality
from georisk.calendar import get_calendar
from georisk.config import default_universe
from georisk.market import QualityTracker, quality_report

U = default_universe()


def _sessions(calendar: str, start: str, end: str) -> pd.DatetimeIndex:
    s = pd.DatetimeIndex(get_calendar(calendar, start, end).sessions).as_unit("ns")
    return s[(s >= start) & (s <= end)]


def test_rows_across_year_ends_equal_the_report_and_the_calendar_is_looked_up_once_a_year(monkeypatch) -> None:
    calls: list[tuple[str, str, str]] = []
    counting_on = [False]
    real = quality.get_calendar

    def counting(name: str, start: str | None = None, end: str | None = None):  # type: ignore[no-untyped-def]
        if counting_on[0]:  # the tracker's lookups, not the report's
            calls.append((name, str(start), str(end)))
        return real(name, start, end)

    monkeypatch.setattr(quality, "get_calendar", counting)
    tickers = ["SPY", "CL=F"]
    days = {t: _sessions(U.instrument(t).calendar, "2022-11-01", "2024-02-29") for t in tickers}
    rng = np.random.default_rng(3)
    full = {t: pd.Series(50 * np.exp(np.cumsum(rng.normal(0, 0.01, len(d)))), index=d) for t, d in days.items()}
    ny = _sessions("XNYS", "2022-11-01", "2024-02-29")
    tracker = QualityTracker(U)
    for i, d in enumerate(ny):
        lo = ny[i - 1] if i else pd.Timestamp("1900-01-01")
        for t, s in full.items():
            new = s[(s.index > lo) & (s.index <= d)]
            if len(new):
                tracker.add(t, new.index, new.to_numpy())
        counting_on[0] = True
        rows = tracker.rows(d, tickers)
        tracker.take_issue_records(d, tickers)
        counting_on[0] = False
        if i % 20 and not (d.month == 1 and d.day < 8) and not (d.month == 12 and d.day > 24):
            continue  # every 20th session and each side of the year ends
        known = {t: s[s.index <= d] for t, s in full.items()}
        table = quality_report(known, U, tickers=tickers, end=d).table
        pd.testing.assert_frame_equal(quality._table_frame(rows), table)
    years = {d.year for d in ny}
    # one lookup per ticker and year (and none per session)
    assert len(calls) <= len(tickers) * len(years), calls
