"""The quality report on seeded synthetic series with planted defects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from georisk.config import default_universe
from georisk.errors import DataQualityError
from georisk.market import QualityThresholds, align_to_sessions, load_prices, quality_report, simple_returns

U = default_universe()


def nyse_days(start: str = "2023-01-03", end: str = "2023-12-29") -> pd.DatetimeIndex:
    from georisk.calendar import get_calendar

    cal = get_calendar("XNYS", start, end)
    s = pd.DatetimeIndex(cal.sessions)
    return s[(s >= start) & (s <= end)].as_unit("ns")


def walk(n: int, seed: int, start: float = 100.0, vol: float = 0.01) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return start * np.exp(np.cumsum(rng.normal(0, vol, n)))


def test_clean_series_is_ok() -> None:
    days = nyse_days()
    rep = quality_report({"SPY": pd.Series(walk(len(days), 0), index=days)}, U)
    row = rep.table.loc["SPY"]
    assert row["status"] == "ok" and row["missing_sessions"] == 0 and row["outliers"] == 0
    assert row["first"] == days[0] and row["last"] == days[-1] and rep.issues.empty


def test_planted_defects_are_found() -> None:
    days = nyse_days()
    values = walk(len(days), 1)
    values[100:107] = values[99]  # 8 identical closes in a row
    values[150] *= 1.6  # a spike that reverts
    s = pd.Series(values, index=days)
    s = s.drop(days[[10, 11, 12]])  # three missing sessions
    s = pd.concat([s, s.iloc[[20]], pd.Series([1.0], index=[s.index[30]])])  # duplicate + conflicting duplicate
    s = pd.concat([s.iloc[:50], s.iloc[[60]], s.iloc[50:60], s.iloc[61:]])  # one row out of order
    s = pd.concat([s, pd.Series([np.nan], index=[pd.Timestamp("2023-12-30")])])  # empty row (a Saturday)
    rep = quality_report({"LMT": s}, U)
    row = rep.table.loc["LMT"]
    assert row["missing_sessions"] == 3
    assert row["longest_stale_run"] == 8 and row["stale_runs"] == 1
    assert row["outliers"] >= 1 and "spike" in rep.issues.query("check == 'outlier'")["detail"].iloc[0]
    assert row["duplicate_dates"] == 2 and row["conflicting_duplicates"] == 1
    assert row["unsorted_rows"] >= 1 and row["empty_rows"] == 1
    assert row["status"] == "fail"
    assert "identical closes" in row["reasons"] and "given twice" in row["reasons"]
    with pytest.raises(DataQualityError, match=r"LMT: .*identical closes"):
        rep.raise_if_failed()
    loose = quality_report({"LMT": s}, U, thresholds=QualityThresholds(max_stale_run=10, max_conflicting_duplicates=1))
    assert loose.table.at["LMT", "status"] == "warn"
    assert "LMT" in rep.to_string() and "reasons:" in rep.to_string()


def test_non_positive_fails_equities_and_flags_futures() -> None:
    days = nyse_days("2023-03-01", "2023-06-30")
    v = walk(len(days), 2)
    v[40] = -5.0
    rep = quality_report({"LMT": pd.Series(v, index=days), "CL=F": pd.Series(v, index=days)}, U)
    assert rep.table.at["LMT", "status"] == "fail" and rep.table.at["CL=F", "status"] == "warn"
    strict = QualityThresholds(allow_non_positive_futures=False)
    assert quality_report({"CL=F": pd.Series(v, index=days)}, U, thresholds=strict).failed == ["CL=F"]


def test_roll_jump_detected_masked_and_nulled() -> None:
    days = nyse_days()
    v = walk(len(days), 3, 80.0)
    v[120:] *= 0.85  # a level shift: the continuous series rolled to a cheaper contract
    prices = pd.DataFrame({"CL=F": v, "SPY": walk(len(days), 4)}, index=pd.DatetimeIndex(days, name="date"))
    rep = quality_report({t: prices[t] for t in prices}, U)
    rolls = rep.issues[rep.issues["check"] == "roll_jump"]
    assert rolls["date"].tolist() == [days[120]] and rep.table.at["CL=F", "roll_jumps"] == 1
    aligned = align_to_sessions(prices, U)
    mask = rep.roll_mask(aligned.index, U)
    assert mask["CL=F"].sum() == 1 and mask.loc[days[120], "CL=F"]
    plain, nulled = simple_returns(aligned), simple_returns(aligned, null=mask)
    assert plain.loc[days[120], "CL=F"] == pytest.approx(-0.15, abs=0.05)
    assert np.isnan(nulled.loc[days[120], "CL=F"]) and nulled["SPY"].equals(plain["SPY"])


def test_strict_load_and_lag(tmp_path) -> None:  # type: ignore[no-untyped-def]
    days = nyse_days("2023-01-03", "2023-03-31")
    v = walk(len(days), 5)
    v[10:20] = v[9]
    frame = pd.DataFrame({"SPY": v}, index=days)
    _, rep = load_prices(U, "2023-01-03", "2023-04-28", source=frame, tickers=["SPY"])
    assert rep.table.at["SPY", "lag_sessions"] == 19 and rep.stale == ["SPY"]
    with pytest.raises(DataQualityError, match="SPY"):
        load_prices(U, "2023-01-03", "2023-03-31", source=frame, tickers=["SPY"], strict=True)


def test_causal_roll_mask_never_changes_when_later_prices_arrive() -> None:
    # The generic jump rule, for a future without a roll rule (with one, a move on an
    # expiry session is a roll whether or not it reverts: see test_premium_model.py).
    energy = U.sleeves["energy"]
    plain = energy.model_copy(
        update={"instruments": tuple(i.model_copy(update={"roll": None}) for i in energy.instruments)}
    )
    u = U.model_copy(update={"sleeves": {**U.sleeves, "energy": plain}})
    days = nyse_days()
    v = walk(len(days), 6, 80.0)
    v[120:] *= 0.85  # a roll: the level stays down
    v[180] *= 0.8  # a one-day crash that comes back the next session (two jumps)
    full = pd.Series(v, index=days)
    sessions = pd.DatetimeIndex(days, name="date")
    whole = quality_report({"CL=F": full}, u).roll_mask(sessions, u)["CL=F"]
    assert whole[days[120]] and whole[days[180]]
    for n in (100, 121, 150, 181, 182, 200, len(days)):
        rep = quality_report({"CL=F": full.iloc[:n]}, u)
        part = rep.roll_mask(sessions[:n], u)["CL=F"]
        assert part.equals(whole.iloc[:n]), n  # later prices never change an earlier date
        if n not in (121, 181, 182):  # the roll, the crash and its reversal are jumps
            assert not part.iloc[-1], n  # the last day is not flagged for being last
    # The retrospective split looks at the next price: the report's own mask flags the
    # crash as a roll while it is the newest date, and takes it back a day later.
    assert quality_report({"CL=F": full.iloc[:181]}, u).roll_mask(sessions[:181], u, causal=False)["CL=F"].iloc[-1]
    retro = quality_report({"CL=F": full}, u).roll_mask(sessions, u, causal=False)["CL=F"]
    assert retro[days[120]] and not retro[days[180]]


def test_causal_roll_mask_restricted_to_known_roll_dates() -> None:
    days = nyse_days()
    v = walk(len(days), 7, 80.0)
    v[120:] *= 0.85
    v[180:] *= 0.8  # a crash away from any roll
    rep = quality_report({"CL=F": pd.Series(v, index=days)}, U)
    sessions = pd.DatetimeIndex(days, name="date")
    assert rep.roll_mask(sessions, U)["CL=F"].sum() == 2
    near = rep.roll_mask(sessions, U, roll_dates={"CL=F": [days[118]]}, window=3)["CL=F"]
    assert near[days[120]] and not near[days[180]] and near.sum() == 1
    assert not rep.roll_mask(sessions, U, roll_dates={"CL=F": [days[110]]}, window=3)["CL=F"].any()
    assert not rep.jumps.empty and set(rep.jumps.columns) == {"ticker", "date", "value", "z"}
