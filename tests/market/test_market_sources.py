"""CSV/Parquet/frame sources: every layout users hand us, errors naming file and line, real files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from georisk.config import default_universe
from georisk.errors import ConfigError, InputDataError, MissingDataError
from georisk.market import CsvSource, FrameSource, ParquetSource, load_prices, read_price_table
from tests.market.yahoo_fakes import bars, download_frame

DATES = pd.bdate_range("2024-03-01", "2024-03-28").strftime("%Y-%m-%d").tolist()


def test_wide_and_long_csv(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text("date,LMT,RHM.DE\n2024-03-04,450.0,250.0\n2024-03-05,451.0,\n2024-03-06,,\n")
    raw, zone = read_price_table(wide)
    assert zone == "naive"
    assert raw["RHM.DE"].index.tolist() == [
        pd.Timestamp("2024-03-04"),
        pd.Timestamp("2024-03-06"),
    ]  # holiday blank dropped, empty row kept
    long = tmp_path / "long.csv"
    long.write_text("day,sym,px\n2024-03-04,LMT,450\n2024-03-04,SPY,500\n2024-03-05,LMT,451\n")
    got = CsvSource(long, {"date": "day", "ticker": "sym", "close": "px"}).fetch(["SPY", "LMT"])
    assert got.columns.tolist() == ["SPY", "LMT"] and np.isnan(got.loc["2024-03-05", "SPY"])


def test_long_duplicate_and_bad_date_name_the_line(tmp_path: Path) -> None:
    p = tmp_path / "dup.csv"
    p.write_text("date,ticker,close\n2024-03-04,LMT,1\n2024-03-04,LMT,2\n")
    with pytest.raises(InputDataError, match=r"dup.csv, line 3: duplicate"):
        CsvSource(p).fetch(["LMT"])
    p.write_text("date,LMT\n2024-03-04,1\n04/03/2024,2\n")
    with pytest.raises(InputDataError, match=r"line 3, field 'date'.*YYYY-MM-DD"):
        CsvSource(p).fetch(["LMT"])
    with pytest.raises(ConfigError, match="unknown key"):
        CsvSource(p, {"price": "x"})


def test_yfinance_bar_file_uses_adj_close_unless_mapped(tmp_path: Path) -> None:
    b = bars(DATES, 4, 400.0)
    b["Adj Close"] = b["Close"] * 0.9
    p = tmp_path / "XYZ.csv"
    b.to_csv(p)
    assert CsvSource(p).fetch(["XYZ"])["XYZ"].iloc[0] == pytest.approx(b["Adj Close"].iloc[0])
    raw_close = CsvSource(p, {"close": "Close"}).fetch(["XYZ"])
    assert raw_close["XYZ"].iloc[0] == pytest.approx(b["Close"].iloc[0])


def test_saved_yfinance_multiindex_frames(tmp_path: Path) -> None:
    """What `download(...).to_csv()` writes (three header rows) and the two-row variant of ZW=F.csv."""
    frame = download_frame({"LMT": bars(DATES, 1), "SPY": bars(DATES, 2)})
    three = tmp_path / "saved.csv"
    frame.to_csv(three)
    assert three.read_text().splitlines()[1].startswith("Ticker,")
    got = CsvSource(three).fetch(["LMT", "SPY"])
    assert got.shape == (len(DATES), 2) and got.notna().all().all()
    two = tmp_path / "ZW=F.csv"
    two.write_text("Date,Close,High,Low,Open,Volume\n,ZW=F,ZW=F,ZW=F,ZW=F,ZW=F\n2024-03-04,550.0,560,540,545,100\n")
    assert CsvSource(two).fetch(["ZW=F"])["ZW=F"].tolist() == [550.0]


def test_folder_source_parquet_and_frame(tmp_path: Path) -> None:
    for t, seed in (("LMT", 1), ("SPY", 2)):
        bars(DATES, seed).rename_axis("date").reset_index().to_parquet(tmp_path / f"{t}.parquet")
    got = ParquetSource(tmp_path).fetch_detailed(["LMT", "SPY", "NOC"])
    assert got.failed == {"NOC": f"{tmp_path} has no column or file for NOC"}
    aware = pd.DataFrame(
        {"LMT": [1.0, 2.0]}, index=pd.DatetimeIndex(["2024-03-04", "2024-03-05"]).tz_localize("America/New_York")
    )
    fr = FrameSource(aware).fetch_detailed(["LMT"])
    assert fr.timezone == {"LMT": "America/New_York"} and fr.prices.index.tz is None


def test_load_prices_contract_and_errors(tmp_path: Path) -> None:
    u = default_universe()
    wide = pd.DataFrame({"LMT": [1.0, 2.0]}, index=pd.DatetimeIndex(["2024-03-05", "2024-03-04"]))
    prices, report = load_prices(u, source=wide, tickers=["LMT"])
    assert prices.index.is_monotonic_increasing and prices.index.name == "date"
    assert report.table.at["LMT", "unsorted_rows"] == 1
    with pytest.raises(ConfigError, match="first argument is the universe"):
        load_prices(wide, source=wide)  # type: ignore[arg-type]
    with pytest.raises(MissingDataError, match=r"no prices at all for \['NOC'\]"):
        load_prices(u, source=wide, tickers=["LMT", "NOC"])
    prices, report = load_prices(u, source=wide, tickers=["LMT", "NOC"], missing="warn")
    assert report.table.at["NOC", "status"] == "no data" and prices["NOC"].isna().all()
    assert any("NOC" in n and "all-NaN" in n for n in report.notes)  # kept, and said so
    prices, report = load_prices(u, source=wide, tickers=["LMT", "NOC"], missing="drop")
    assert list(prices.columns) == ["LMT"] and any("NOC" in n and "left out" in n for n in report.notes)
    with pytest.warns(DeprecationWarning, match="allow_missing"):
        prices, _ = load_prices(u, source=wide, tickers=["LMT", "NOC"], allow_missing=True)
    assert prices["NOC"].isna().all()
    with pytest.raises(ConfigError, match="missing='ignore'"):
        load_prices(u, source=wide, tickers=["LMT"], missing="ignore")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="not in the universe"):
        load_prices(u, source=wide, tickers=["XXX"])


# --- real files in ../shared/data ----------------------------------------------------------


@pytest.mark.shared
def test_real_zw_second_header_row(shared_dir: Path) -> None:
    got = CsvSource(shared_dir / "data" / "futures-indices-yahoo" / "ZW=F.csv").fetch(["ZW=F"])
    assert (
        got.loc["2022-02-23", "ZW=F"] == 876.0 and got.loc["2022-03-04", "ZW=F"] == 1348.0
    )  # PROVENANCE.md says 03-07; the file has it on 03-04
    assert got.index.min() == pd.Timestamp("2000-07-17") and len(got) == 6417


@pytest.mark.shared
def test_real_negative_wti_is_flagged_and_handled(shared_dir: Path) -> None:
    from georisk.errors import DataQualityWarning
    from georisk.market import align_to_sessions, simple_returns

    u = default_universe()
    prices, report = load_prices(
        u, "2020-03-01", "2020-06-30", source=shared_dir / "data" / "futures-indices-yahoo", tickers=["CL=F"]
    )
    row = report.table.loc["CL=F"]
    assert row["non_positive"] == 1 and row["status"] == "warn"  # futures may go negative: flagged, passes
    hit = report.issues[report.issues["check"] == "non_positive"]
    assert hit["date"].tolist() == [pd.Timestamp("2020-04-20")] and hit["value"].iloc[0] == pytest.approx(
        -37.63, abs=1e-3
    )
    aligned = align_to_sessions(prices, u, end="2020-06-30")
    with pytest.warns(DataQualityWarning, match="non-positive"):
        rets = simple_returns(aligned)
    assert np.isnan(rets.loc["2020-04-20", "CL=F"]) and np.isnan(rets.loc["2020-04-21", "CL=F"])
    assert np.isfinite(rets.loc["2020-04-22", "CL=F"])


@pytest.mark.shared
def test_real_bael_dividend_rows_reported(shared_dir: Path) -> None:
    u = default_universe()
    prices, report = load_prices(u, source=shared_dir / "data" / "equities-europe-defense", tickers=["BA.L"])
    row = report.table.loc["BA.L"]
    assert row["empty_rows"] == 5 and row["last"] == pd.Timestamp("2023-10-06") and row["unsorted_rows"] == 0
    empty = report.issues[report.issues["check"] == "empty_row"]["date"]
    assert pd.Timestamp("2025-04-17") in set(empty) and prices.index.max() == pd.Timestamp("2023-10-06")
    details = report.issues[report.issues["check"] == "empty_row"].set_index("date")["detail"]
    assert "after the last price" in details[pd.Timestamp("2025-04-17")]
    assert "after the last price" not in details[pd.Timestamp("2023-04-20")]  # a dividend row inside the price range
    assert prices.loc["2022-02-24", "BA.L"] == pytest.approx(631.8, rel=0.02)  # Adj Close, near the raw close


@pytest.mark.shared
def test_real_futures_report_counts(shared_dir: Path) -> None:
    """The whole futures files: US-holiday Globex sessions are not missing; real gaps are."""
    u = default_universe()
    folder = shared_dir / "data" / "futures-indices-yahoo"
    _, report = load_prices(u, source=folder, tickers=["CL=F", "ZW=F"], end="2026-02-23")
    table = report.table
    assert table.at["CL=F", "prices"] == 6404 and table.at["ZW=F", "prices"] == 6417
    missing = report.issues.query("check == 'missing_session'")
    cl = set(missing.loc[missing["ticker"] == "CL=F", "date"])
    assert pd.Timestamp("2024-11-28") not in cl and pd.Timestamp("2024-07-04") not in cl  # no settlement then
    assert pd.Timestamp("2016-10-10") in cl  # a CME trading day absent from the file
    assert table.at["CL=F", "missing_sessions"] == len(cl) == 15
    assert table.at["CL=F", "non_positive"] == 1 and table.at["CL=F", "status"] == "warn"
    assert pd.Timestamp("2022-03-03") in set(report.jumps.loc[report.jumps["ticker"] == "ZW=F", "date"])
    text = report.to_string()
    assert "stale_runs" in text and "off_calendar" in text
