"""Regression tests of the per-instrument cutoff table and alignment on known dates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from georisk.config import Instrument, Sleeve, Universe, default_universe
from georisk.errors import ConfigError, MissingDataWarning
from georisk.market import CUTOFF_CONVENTIONS, align_to_sessions, align_with_report, cutoff_table, known_at

U = default_universe()
#: An ICE Brent series of a user's own (Yahoo's BZ=F in the default universe is NYMEX's Brent).
ICE_BRENT = Instrument(ticker="BRN", currency="USD", calendar="IEPA", cutoff="ice_brent", kind="future")
UI = U.model_copy(
    update={
        "sleeves": {
            **U.sleeves,
            "energy": Sleeve(instruments=(*U.sleeves["energy"].instruments, ICE_BRENT)),
        }
    }
)


def at(ticker: str, date: str) -> pd.Timestamp:
    return known_at(pd.DatetimeIndex([date]), UI.instrument(ticker))[0]


def session_of(ticker: str, date: str, value: float = 100.0) -> pd.Timestamp:
    """The New York session at which a price of ``ticker`` dated ``date`` is first known."""
    prices = pd.DataFrame({ticker: [value]}, index=pd.DatetimeIndex([date], name="date"))
    res = align_with_report(prices, UI, max_carry=0)
    return res.prices[ticker].first_valid_index()


def test_table_is_documented() -> None:
    table = cutoff_table()
    assert set(table.index) == {"nymex_energy", "cbot_grains", "ice_brent"}
    assert list(table.columns) == ["timezone", "regular", "early", "no_price_off", "source"]
    assert table.loc["cbot_grains", "regular"] == "13:20" and table.loc["cbot_grains", "timezone"] == "America/Chicago"
    assert all(c.source for c in CUTOFF_CONVENTIONS.values())
    for inst in (U.instrument(t) for t in U.tickers):
        assert inst.cutoff is None or inst.cutoff in CUTOFF_CONVENTIONS


def test_regular_days() -> None:
    assert at("ZW=F", "2024-11-27") == pd.Timestamp("2024-11-27 19:20", tz="UTC")  # 13:20 CST
    assert at("CL=F", "2024-07-03") == pd.Timestamp("2024-07-03 18:30", tz="UTC")  # 14:30 EDT
    assert at("BZ=F", "2024-07-03") == pd.Timestamp("2024-07-03 18:30", tz="UTC")  # NYMEX Brent 14:30 EDT
    assert at("BRN", "2024-07-03") == pd.Timestamp("2024-07-03 18:30", tz="UTC")  # ICE Brent 19:30 BST
    assert at("LMT", "2024-07-03") == pd.Timestamp("2024-07-03 17:00", tz="UTC")  # NYSE early close 13:00 EDT
    assert at("RHM.DE", "2024-07-03") == pd.Timestamp("2024-07-03 15:30", tz="UTC")  # Xetra 17:30 CEST
    for t in ("ZW=F", "CL=F", "BZ=F", "BRN", "RHM.DE", "BA.L", "LMT"):
        assert session_of(t, "2024-11-27") == pd.Timestamp("2024-11-27")


def test_us_thanksgiving_early_close() -> None:
    # NYSE closes 13:00 ET (18:00 UTC) on the Friday after Thanksgiving.
    assert at("LMT", "2024-11-29") == pd.Timestamp("2024-11-29 18:00", tz="UTC")
    assert session_of("LMT", "2024-11-29") == pd.Timestamp("2024-11-29")
    # CBOT grains close 12:05 CT = 18:05 UTC, after the NYSE early close: next session.
    assert at("ZW=F", "2024-11-29") == pd.Timestamp("2024-11-29 18:05", tz="UTC")
    assert session_of("ZW=F", "2024-11-29") == pd.Timestamp("2024-12-02")
    # NYMEX energy halts 13:45 ET: also after the NYSE close.
    assert session_of("CL=F", "2024-11-29") == pd.Timestamp("2024-12-02")
    # Xetra and London closed at their normal times, well before 13:00 ET.
    assert session_of("RHM.DE", "2024-11-29") == pd.Timestamp("2024-11-29")
    assert session_of("BA.L", "2024-11-29") == pd.Timestamp("2024-11-29")


def test_brent_settlement_on_a_new_york_holiday() -> None:
    # 2024-07-04: ICE Brent settles in London; New York is closed.
    assert session_of("BRN", "2024-07-04") == pd.Timestamp("2024-07-05")
    # NYMEX Brent does not settle then; a row dated that day would also count the day after
    assert session_of("BZ=F", "2024-07-04") == pd.Timestamp("2024-07-05")
    assert U.instrument("BZ=F").cutoff == "nymex_energy" and U.instrument("BZ=F").calendar == "CMES"


def test_rhm_on_a_us_holiday_is_superseded_not_lost() -> None:
    prices = pd.DataFrame(
        {"RHM.DE": [500.0, 505.0, 510.0]},
        index=pd.DatetimeIndex(["2024-07-03", "2024-07-04", "2024-07-05"], name="date"),
    )
    aligned = align_to_sessions(prices, U)
    assert aligned.loc["2024-07-03", "RHM.DE"] == 500.0
    assert pd.Timestamp("2024-07-04") not in aligned.index  # not a New York session
    assert aligned.loc["2024-07-05", "RHM.DE"] == 510.0  # the later Frankfurt close of 07-05 supersedes 07-04
    assert session_of("RHM.DE", "2024-07-04") == pd.Timestamp("2024-07-05")


def test_uk_bank_holiday_carry_is_reported() -> None:
    # 2024-08-26: UK summer bank holiday, New York open.
    idx = pd.DatetimeIndex(["2024-08-22", "2024-08-23", "2024-08-27"], name="date")
    prices = pd.DataFrame({"BA.L": [700.0, 701.0, 702.0], "SPY": [560.0, 561.0, 562.0]}, index=idx)
    prices.loc[pd.Timestamp("2024-08-26"), "SPY"] = 563.0
    res = align_with_report(prices.sort_index(), U)
    assert res.carried.loc["2024-08-26", "BA.L"] and res.prices.loc["2024-08-26", "BA.L"] == 701.0
    assert not res.carried.loc["2024-08-26", "SPY"]
    assert res.summary().loc["BA.L", "carried"] == 1


def test_good_friday_and_easter_monday() -> None:
    # Good Friday 2024-03-29: NYSE, Xetra, London closed. A placeholder row dated that day
    # (Yahoo writes such rows) is off-calendar; it is known at Xetra's usual close and counts
    # for the next New York session, Easter Monday 2024-04-01 (Xetra still closed).
    assert session_of("RHM.DE", "2024-03-29") == pd.Timestamp("2024-04-01")
    idx = pd.DatetimeIndex(["2024-03-27", "2024-03-28", "2024-04-02"], name="date")
    prices = pd.DataFrame({"RHM.DE": [270.0, 271.0, 272.0], "SPY": [520.0, 521.0, 522.0]}, index=idx)
    res = align_with_report(prices, U, end="2024-04-02")
    assert res.carried.loc["2024-04-01", "RHM.DE"] and res.prices.loc["2024-04-01", "RHM.DE"] == 271.0
    assert pd.Timestamp("2024-03-29") not in res.prices.index


def test_carry_limit_leaves_nan_and_warns() -> None:
    idx = pd.bdate_range("2024-06-03", "2024-06-07", name="date")
    prices = pd.DataFrame({"SPY": np.arange(5.0) + 500}, index=idx)
    prices["LMT"] = [450.0, np.nan, np.nan, np.nan, np.nan]
    res = align_with_report(prices, U, max_carry=2)
    assert res.carried["LMT"].sum() == 2 and res.stale["LMT"].sum() == 2
    assert res.prices["LMT"].isna().sum() == 2
    with pytest.warns(MissingDataWarning, match=r"LMT: 2"):
        align_to_sessions(prices, U, max_carry=2)
    assert align_with_report(prices, U, max_carry=None).prices["LMT"].notna().all()


def test_unknown_convention_and_explicit_close_time() -> None:
    bad = Instrument(ticker="X", cutoff="nope")
    with pytest.raises(ConfigError, match="not in the cutoff table"):
        known_at(pd.DatetimeIndex(["2024-03-04"]), bad)
    custom = Instrument(ticker="Y", close_time="16:15", timezone="America/New_York")
    assert known_at(pd.DatetimeIndex(["2024-03-04"]), custom)[0] == pd.Timestamp("2024-03-04 21:15", tz="UTC")
    u = Universe(
        sleeves={"x": Sleeve(instruments=(custom,)), "benchmark": Sleeve(instruments=("SPY",))}, oil_ticker=None
    )
    prices = pd.DataFrame({"Y": [1.0]}, index=pd.DatetimeIndex(["2024-03-04"], name="date"))
    # 16:15 ET is after the 16:00 NYSE close: known the next session.
    assert align_with_report(prices, u, max_carry=0).prices["Y"].first_valid_index() == pd.Timestamp("2024-03-05")


def test_universe_from_toml_with_cutoff(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "u.toml"
    p.write_text(
        '[universe]\noil_ticker = "CL=F"\n'
        '[universe.sleeves.energy]\nweighting = "inverse_vol"\n'
        'instruments = [{ticker = "CL=F", calendar = "CMES", cutoff = "nymex_energy"}]\n'
        '[universe.sleeves.benchmark]\ninstruments = ["SPY"]\n'
    )
    u = Universe.from_toml(p)
    assert u.instrument("CL=F").is_future and u.sleeves["energy"].weighting == "inverse_vol"
    assert not u.instrument("SPY").is_future


def test_appending_later_prices_never_changes_earlier_sessions(sample) -> None:  # type: ignore[no-untyped-def]
    full = align_with_report(sample.prices, U, end="2024-12-31")
    rng = np.random.default_rng(7)
    for cut in rng.choice(sample.prices.index[50:-50], size=4, replace=False):
        cut = pd.Timestamp(cut)
        part = align_with_report(sample.prices[sample.prices.index <= cut], U, end="2024-12-31")
        upto = full.prices.index <= cut
        pd.testing.assert_frame_equal(part.prices[upto], full.prices[upto])
        pd.testing.assert_frame_equal(part.carried[upto], full.carried[upto])


def test_cme_futures_expect_no_price_on_us_holidays() -> None:
    from georisk.calendar import get_calendar
    from georisk.market import expected_sessions, quality_report

    cmes = pd.DatetimeIndex(get_calendar("CMES", "2024-01-02", "2024-12-31").sessions)
    cmes = cmes[(cmes >= "2024-01-02") & (cmes <= "2024-12-31")].as_unit("ns")
    holidays = pd.DatetimeIndex(["2024-01-15", "2024-02-19", "2024-05-27", "2024-06-19", "2024-07-04", "2024-09-02"])
    assert holidays.isin(cmes).all()  # exchange_calendars counts Globex's short holiday sessions
    for t in ("BZ=F", "CL=F", "NG=F", "ZW=F", "ZC=F"):
        got = expected_sessions(cmes, U.instrument(t))
        assert not holidays.isin(got).any() and pd.Timestamp("2024-11-28") not in got
        # the day after Thanksgiving and Christmas Eve close early but do settle
        assert pd.Timestamp("2024-11-29") in got and pd.Timestamp("2024-12-24") in got
    assert expected_sessions(cmes, ICE_BRENT).equals(cmes)  # ICE: every session
    assert cutoff_table().loc["cbot_grains", "no_price_off"] == "XNYS"
    # A CME series priced on New York sessions only: nothing missing; a real gap is counted.
    nyse = pd.DatetimeIndex(get_calendar("XNYS", "2024-01-02", "2024-12-31").sessions)
    nyse = nyse[(nyse >= "2024-01-02") & (nyse <= "2024-12-31")].as_unit("ns")
    s = pd.Series(np.linspace(70.0, 80.0, len(nyse)), index=nyse)
    assert quality_report({"CL=F": s}, U).table.at["CL=F", "missing_sessions"] == 0
    gap = quality_report({"CL=F": s.drop(pd.Timestamp("2024-03-05"))}, U)
    assert gap.table.at["CL=F", "missing_sessions"] == 1
    assert gap.issues.query("check == 'missing_session'")["date"].tolist() == [pd.Timestamp("2024-03-05")]


def test_london_and_xetra_closes_and_christmas_eve() -> None:
    assert at("BA.L", "2024-07-03") == pd.Timestamp("2024-07-03 15:30", tz="UTC")  # LSE 16:30 BST
    assert at("BA.L", "2024-01-15") == pd.Timestamp("2024-01-15 16:30", tz="UTC")  # 16:30 GMT
    assert at("BA.L", "2024-12-24") == pd.Timestamp("2024-12-24 12:30", tz="UTC")  # LSE half day
    assert at("RHM.DE", "2024-01-15") == pd.Timestamp("2024-01-15 16:30", tz="UTC")  # Xetra 17:30 CET
    assert at("RHM.DE", "2024-12-30") == pd.Timestamp("2024-12-30 13:00", tz="UTC")  # last Xetra day: 14:00 CET
    # Christmas Eve: NYSE closes 13:00 ET; CBOT grains (12:05 CT) and NYMEX energy (13:45 ET) after it.
    assert at("LMT", "2024-12-24") == pd.Timestamp("2024-12-24 18:00", tz="UTC")
    assert at("ZW=F", "2024-12-24") == pd.Timestamp("2024-12-24 18:05", tz="UTC")
    assert at("CL=F", "2024-12-24") == pd.Timestamp("2024-12-24 18:45", tz="UTC")
    assert session_of("ZW=F", "2024-12-24") == pd.Timestamp("2024-12-26")
    assert session_of("CL=F", "2024-12-24") == pd.Timestamp("2024-12-26")
    assert session_of("BA.L", "2024-12-24") == pd.Timestamp("2024-12-24")
    # US on summer time, UK not yet: ICE Brent's 19:30 London is 15:30 New York, before the close.
    assert at("BRN", "2024-03-15") == pd.Timestamp("2024-03-15 19:30", tz="UTC")
    assert session_of("BRN", "2024-03-15") == pd.Timestamp("2024-03-15")
    assert at("BZ=F", "2024-03-15") == pd.Timestamp("2024-03-15 18:30", tz="UTC")  # NYMEX 14:30 EDT
