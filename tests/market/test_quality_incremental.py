"""QualityTracker gives, at every session, what quality_report over the prices known then gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from georisk.calendar import get_calendar
from georisk.config import default_universe
from georisk.market import QualityThresholds, QualityTracker, quality_report

U = default_universe()


def sessions_of(calendar: str, start: str, end: str) -> pd.DatetimeIndex:
    s = pd.DatetimeIndex(get_calendar(calendar, start, end).sessions).as_unit("ns")
    return s[(s >= start) & (s <= end)]


def assert_same(
    tracker: QualityTracker,
    known: dict[str, pd.Series],
    fresh: dict[str, set[pd.Timestamp]],
    end: pd.Timestamp | None,
    th: QualityThresholds | None = None,
) -> None:
    """The tracker's table and new issues against the full report at this point."""
    tickers = [t for t in U.tickers if t in known and len(known[t])]
    rep = quality_report({t: known[t] for t in tickers}, U, tickers=tickers, end=end, thresholds=th)
    got = tracker.take_issues(end, tickers)
    pd.testing.assert_frame_equal(got.table, rep.table)
    for name in ("issues", "jumps"):
        full = getattr(rep, name)
        keep = [d in fresh.get(str(t), set()) for t, d in zip(full["ticker"], full["date"], strict=True)]
        want = full[np.asarray(keep, dtype=bool)].reset_index(drop=True)
        pd.testing.assert_frame_equal(getattr(got, name).reset_index(drop=True), want, check_dtype=False)


def planted(days: pd.DatetimeIndex, seed: int, *, future: bool) -> pd.Series:
    rng = np.random.default_rng(seed)
    values = 80 * np.exp(np.cumsum(rng.normal(0, 0.01, len(days))))
    n = len(days)
    values[n // 5 : n // 5 + 7] = values[n // 5 - 1]  # a stale run of 8
    values[n // 3] *= 1.5  # a spike that reverts
    values[n // 2 :] *= 1.3  # a level shift
    if future:
        values[2 * n // 3] = -5.0  # a negative settlement
    s = pd.Series(values, index=days)
    return s.drop(days[[n // 4, n // 4 + 1, n // 4 + 5]])  # missing sessions


def feed_sessions(tickers: list[str], last: str) -> None:
    """Tickers fed session by session as an export would, compared with the report."""
    ny = sessions_of("XNYS", "2023-01-03", last)
    known: dict[str, pd.Series] = {}
    full = {}
    for k, t in enumerate(tickers):
        inst = U.instrument(t)
        days = sessions_of(inst.calendar, "2023-01-03", last)
        full[t] = planted(days, k, future=inst.is_future)
    full["SPY"] = pd.concat([full["SPY"], pd.Series([400.0], index=[pd.Timestamp("2023-07-04")])]).sort_index()
    tracker = QualityTracker(U)
    fresh: dict[str, set[pd.Timestamp]] = {}  # prices added since the last comparison
    for i, d in enumerate(ny):
        for t, s in full.items():
            lo = ny[i - 1] if i else pd.Timestamp("1900-01-01")
            new = s[(s.index > lo) & (s.index <= d)]
            if len(new):
                tracker.add(t, new.index, new.to_numpy())
                known[t] = s[s.index <= d]
                fresh.setdefault(t, set()).update(new.index)
        if i >= 60 and i % 3 and i < len(ny) - 3:
            continue  # every session around the warm-up and the end, one in three elsewhere
        assert_same(tracker, known, fresh, d)
        fresh = {}


@pytest.mark.slow
def test_tracker_equals_report_every_session() -> None:
    feed_sessions(["CL=F", "ZW=F", "SPY", "BA.L"], "2023-05-31")


@pytest.mark.slow
def test_tracker_equals_report_every_session_whole_universe() -> None:
    feed_sessions(list(U.tickers), "2023-10-31")


def test_batches_and_out_of_order_prices() -> None:
    days = sessions_of("CMES", "2023-01-03", "2023-08-31")
    s = planted(days, 7, future=True)
    tracker = QualityTracker(U)
    late = s.index[40]
    order = [x for x in s.index if x != late]
    pos = 0
    seen: list[pd.Timestamp] = []
    for step, size in enumerate([30, 1, 5, 1, 1, 12, 3, 1, 2, 7, 1, 1] * 20):
        batch = order[pos : pos + size]
        if step == 3:
            batch = [*batch, late]  # a price dated in the past arrives late
        if not batch:
            break
        pos += size
        tracker.add("CL=F", pd.DatetimeIndex(batch), s.loc[batch].to_numpy())
        seen.extend(batch)
        known = {"CL=F": s.loc[sorted(seen)]}
        assert_same(tracker, known, {"CL=F": set(batch)}, pd.Timestamp(max(seen)) + pd.Timedelta(days=3))


def test_no_end_and_tight_thresholds() -> None:
    th = QualityThresholds(max_missing_share=0.0, max_stale_run=2, stale_min_run=2, allow_non_positive_futures=False)
    days = sessions_of("CMES", "2023-01-03", "2023-06-30")
    s = planted(days, 3, future=True)
    tracker = QualityTracker(U, thresholds=th)
    for k in range(0, len(s), 4):
        new = s.iloc[k : k + 4]
        tracker.add("NG=F", new.index, new.to_numpy())
        assert_same(tracker, {"NG=F": s.iloc[: k + 4]}, {"NG=F": set(new.index)}, None, th)


def test_add_rejects_bad_input() -> None:
    from georisk.errors import ConfigError

    tracker = QualityTracker(U)
    with pytest.raises(ConfigError, match="values must be finite"):
        tracker.add("SPY", pd.DatetimeIndex(["2024-01-02"]), [np.nan])
    with pytest.raises(ConfigError, match="1 dates but 2 values"):
        tracker.add("SPY", pd.DatetimeIndex(["2024-01-02"]), [1.0, 2.0])
    tracker.add("SPY", pd.DatetimeIndex([]), [])
    assert tracker.tickers == [] and tracker.table("2024-01-02").empty


@st.composite
def series_and_batches(draw: st.DrawFn) -> tuple[str, pd.Series, list[int], int]:
    ticker = draw(st.sampled_from(["CL=F", "NG=F", "ZW=F", "SPY", "RHM.DE"]))
    inst = U.instrument(ticker)
    start = draw(st.sampled_from(["2022-11-01", "2023-02-20", "2023-05-22", "2023-12-01"]))
    days = sessions_of(inst.calendar, start, "2024-12-31")
    n = draw(st.integers(25, 110))
    keep = np.asarray(draw(st.lists(st.booleans(), min_size=n, max_size=n)))  # gaps where False...
    dense = draw(st.floats(0.7, 1.0))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    keep = keep | (rng.random(n) < dense)
    keep[0] = True
    idx = days[:n][keep]
    vals = 50 * np.exp(np.cumsum(rng.normal(0, 0.01, len(idx))))
    for _ in range(draw(st.integers(0, 4))):  # stale runs
        a = int(rng.integers(1, len(idx)))
        vals[a : a + int(rng.integers(2, 8))] = vals[a - 1]
    for _ in range(draw(st.integers(0, 4))):  # spikes, level shifts (roll jumps), non-positive prices
        a = int(rng.integers(21, max(len(idx), 22)))
        kind = draw(st.sampled_from(["spike", "shift", "negative"]))
        if a >= len(vals):
            continue
        if kind == "spike":
            vals[a] *= 1.6
        elif kind == "shift":
            vals[a:] *= 0.7
        else:
            vals[a] = -abs(vals[a])
    if draw(st.booleans()):  # an off-calendar date (a Sunday inside the range)
        sunday = pd.Timestamp(idx[len(idx) // 2]) + pd.offsets.Week(weekday=6)
        if sunday not in idx and sunday < idx[-1]:
            pos = int(idx.searchsorted(sunday))
            idx = idx.insert(pos, sunday)
            vals = np.insert(vals, pos, vals[pos - 1] * 1.001)
    batches = draw(st.lists(st.integers(1, 6), min_size=1, max_size=60))
    lag = draw(st.integers(0, 12))
    return ticker, pd.Series(vals, index=idx), batches, lag


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(series_and_batches())
def test_tracker_equals_report_property(case: tuple[str, pd.Series, list[int], int]) -> None:
    ticker, s, batches, lag = case
    tracker = QualityTracker(U)
    pos, k = 0, 0
    while pos < len(s):
        size = batches[k % len(batches)]
        k += 1
        new = s.iloc[pos : pos + size]
        pos += size
        tracker.add(ticker, new.index, new.to_numpy())
        end = pd.Timestamp(new.index[-1]) + pd.offsets.BDay(lag)
        assert_same(tracker, {ticker: s.iloc[:pos]}, {ticker: set(new.index)}, end)
