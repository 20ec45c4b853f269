"""The GPR loader (authors' layout) and external daily series as a premium state."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from georisk.calendar import session_closes
from georisk.config import Instrument, Sleeve, Universe
from georisk.errors import ConfigError, InputDataError
from georisk.premium import loading_premium, risk_premium
from georisk.signals import external_signal, load_gpr_daily

LAYOUT = (
    "DAY,N10D,GPRD,GPRD_ACT,GPRD_THREAT,date,GPRD_MA30,GPRD_MA7,event,var_name,var_label\n"
    "20220223,650,120.5,110.0,130.0,2022-02-23,100.0,105.0,,DAY,DAY\n"
    "20220224,700,512.25,600.0,450.0,2022-02-24,110.0,150.0,,N10D,Number of articles\n"
    "20220225,690,370.0,400.0,300.0,2022-02-25,120.0,180.0,Russia / Ukraine Tensions,GPRD,Daily GPR\n"
    "20220226,500,300.0,310.0,290.0,2022-02-26,125.0,200.0,,,\n"
)


def test_loader_reads_the_published_layout(tmp_path: Path) -> None:
    path = tmp_path / "data_gpr_daily_recent.csv"
    path.write_text(LAYOUT, encoding="utf-8")
    gpr = load_gpr_daily(path)
    assert gpr.index.name == "date"
    assert gpr.index[1] == pd.Timestamp("2022-02-24")
    assert gpr.loc["2022-02-24", "GPRD"] == 512.25
    assert gpr.loc["2022-02-25", "event"] == "Russia / Ukraine Tensions"
    assert "var_name" not in gpr.columns
    assert gpr["N10D"].dtype == "float64"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (LAYOUT.replace("DAY,N10D", "DATE,N10D"), "no 'DAY' column"),
        (LAYOUT.replace("20220224,700", "2022-0224,700"), r"line 3, field 'DAY': DAY is not a YYYYMMDD"),
        (LAYOUT.replace("512.25", "n/a"), r"line 3, field 'GPRD': non-numeric value 'n/a'"),
        (LAYOUT.replace("20220226", "20220225"), "duplicate day 2022-02-25"),
    ],
)
def test_loader_errors_name_file_line_and_field(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "gpr.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputDataError, match=match):
        load_gpr_daily(path)


def test_missing_file_says_where_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(InputDataError, match=r"matteoiacoviello\.com"):
        load_gpr_daily(tmp_path / "nope.csv")


def test_day_values_count_for_the_next_session() -> None:
    days = pd.date_range("2024-03-07", "2024-03-12", freq="D")  # Thu .. Tue
    series = pd.Series(np.arange(len(days), dtype=float), index=days, name="gpr")
    sig = external_signal(series, min_periods=2, zscore_window=10)
    # Thu -> Fri; Fri, Sat, Sun -> Mon; Mon -> Tue; Tue -> Wed.
    assert sig["gpr_n"].to_dict() == {
        pd.Timestamp("2024-03-08"): 1,
        pd.Timestamp("2024-03-11"): 3,
        pd.Timestamp("2024-03-12"): 1,
        pd.Timestamp("2024-03-13"): 1,
    }
    assert sig.loc["2024-03-11", "gpr"] == pytest.approx(2.0)
    last = external_signal(series, how="last", min_periods=2, zscore_window=10)
    assert last.loc["2024-03-11", "gpr"] == 3.0


def test_timestamped_values_use_the_close_cutoff_and_z_is_causal() -> None:
    closes = session_closes("XNYS", "2024-01-02", "2024-06-28")
    stamps = pd.DatetimeIndex(closes.to_numpy()) + pd.Timedelta(seconds=1)  # just after each close
    rng = np.random.default_rng(0)
    series = pd.Series(rng.normal(size=len(stamps)), index=stamps, name="x")
    sig = external_signal(series, available="as_stamped", min_periods=20, zscore_window=40)
    assert sig.index[0] == closes.index[1]
    assert sig["x_z"].iloc[:19].isna().all()
    d = 60
    window = sig["x"].iloc[d - 39 : d + 1]
    assert sig["x_z"].iloc[d] == pytest.approx((sig["x"].iloc[d] - window.mean()) / window.std())
    with pytest.raises(ConfigError, match="needs tz-aware timestamps"):
        external_signal(series.tz_localize(None), available="as_stamped")
    with pytest.raises(ConfigError, match="needs tz-naive calendar days"):
        external_signal(series)


def test_external_series_drives_risk_premium_side_by_side() -> None:
    closes = session_closes("XNYS", "2021-01-04", "2022-06-30")
    days = pd.date_range("2021-01-01", "2022-06-29", freq="D")
    rng = np.random.default_rng(4)
    gpr = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.05, len(days)))), index=days, name="gpr")
    sig = external_signal(gpr, min_periods=20, zscore_window=120, start=closes.index[0], end=closes.index[-1])
    n = len(closes)
    rb = rng.normal(0, 0.01, n)
    ds = sig["gpr_z"].diff().fillna(0).to_numpy()
    prices = pd.DataFrame(
        {"SPY": 100 * np.cumprod(1 + rb), "OIL": 70 * np.cumprod(1 + 0.5 * rb + 0.01 * ds + rng.normal(0, 0.0005, n))},
        index=closes.index.rename("date"),
    )
    universe = Universe(
        sleeves={"energy": Sleeve(instruments=(Instrument(ticker="OIL"),)), "benchmark": Sleeve(instruments=("SPY",))},
        oil_ticker="OIL",
    )
    legacy = loading_premium(
        sig, prices, universe, state="gpr_z", beta_window=60, loading_window=60, min_periods=30, ridge=0.0
    )
    assert legacy["energy_theta"].iloc[150:].median() == pytest.approx(0.01, rel=0.25)
    # The indicator takes the same index in its own units (points, log-transformed).
    prem = risk_premium(sig, prices, universe, state="gpr", transform="log", beta_min_periods=30, min_periods=60)
    assert prem["oil_premium_usd"].notna().sum() > 100
    banded = prem.dropna(subset=["oil_premium_usd_lo", "oil_premium_usd_hi"])
    assert (banded["oil_premium_usd_lo"] <= banded["oil_premium_usd"]).all()
    assert (banded["oil_premium_usd"] <= banded["oil_premium_usd_hi"]).all()


def test_real_gpr_file(shared_dir: Path) -> None:
    gpr = load_gpr_daily(shared_dir / "data" / "gpr-index" / "data_gpr_daily_recent.csv")
    assert gpr.index.is_monotonic_increasing
    assert gpr.loc["2022-02-25", "event"] == "Russia / Ukraine Tensions"
    feb = gpr.loc["2022-02-01":"2022-02-28", "GPRD"]
    assert feb.loc["2022-02-24"] > 2 * gpr.loc["2021-01-01":"2021-12-31", "GPRD"].mean()
    sig = external_signal(gpr["GPRD"], name="gpr", start="2021-01-04", end="2022-12-30")
    assert sig.loc["2022-02-25", "gpr_n"] == 1
    assert sig.loc["2022-02-28", "gpr_n"] == 3
