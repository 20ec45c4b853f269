"""`georisk prices fetch` and `georisk prices check`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from georisk.cli import main
from tests.market.yahoo_fakes import bars, download_frame, empty_download


def test_check_sample_prints_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prices", "check", "--sample", "--tickers", "SPY,RHM.DE"]) == 0
    out = capsys.readouterr().out
    assert "SPY" in out and "RHM.DE" in out and "status" in out


def test_check_strict_exit_code(tmp_path: Path) -> None:
    days = pd.bdate_range("2024-01-02", "2024-03-28")
    days = days[~days.isin(pd.DatetimeIndex(["2024-01-15", "2024-02-19"]))]
    v = 100 + np.arange(len(days), dtype=float)
    v[5:15] = v[4]
    p = tmp_path / "prices.csv"
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "SPY": v}).to_csv(p, index=False)
    assert main(["prices", "check", "--prices", str(p), "--tickers", "SPY"]) == 0
    issues = tmp_path / "issues.csv"
    assert main(["prices", "check", "--prices", str(p), "--tickers", "SPY", "--strict", "--issues", str(issues)]) == 5
    assert "stale_run" in issues.read_text()


def test_fetch_writes_frame(tmp_path: Path) -> None:
    out = tmp_path / "p.parquet"
    assert (
        main(["prices", "fetch", "--sample", "--tickers", "SPY", "LMT", "--start", "2024-01-01", "--out", str(out)])
        == 0
    )
    frame = pd.read_parquet(out)
    assert list(frame.columns) == ["SPY", "LMT"] and frame.index.min() >= pd.Timestamp("2024-01-01")
    assert main(["prices", "fetch", "--sample", "--tickers", "SPY", "--out", str(tmp_path / "p.txt")]) == 2


def test_fetch_yfinance_through_cache_then_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    yf = pytest.importorskip("yfinance")
    dates = pd.bdate_range("2024-03-04", "2024-03-08").strftime("%Y-%m-%d").tolist()
    calls: list[Any] = []

    def fake(tickers: Any, **kw: Any) -> pd.DataFrame:
        calls.append(list(tickers))
        return download_frame({t: bars(dates, i) for i, t in enumerate(tickers)})

    monkeypatch.setattr(yf, "download", fake)
    monkeypatch.setattr(yf, "set_tz_cache_location", lambda path: None)
    args = [
        "prices",
        "fetch",
        "--source",
        "yfinance",
        "--tickers",
        "SPY",
        "LMT",
        "--start",
        "2024-03-04",
        "--end",
        "2024-03-08",
    ]
    cache = ["--cache-dir", str(tmp_path / "cache"), "--no-progress"]
    assert main([*args, *cache]) == 0 and calls == [["SPY", "LMT"]]
    assert main([*args, *cache]) == 0 and len(calls) == 1  # served from the cache
    assert main([*args, *cache, "--offline"]) == 0 and len(calls) == 1
    monkeypatch.setattr(yf, "download", lambda tickers, **kw: empty_download(tickers))
    assert (
        main(
            [
                "prices",
                "fetch",
                "--source",
                "yfinance",
                "--tickers",
                "NOC",
                "--start",
                "2024-03-04",
                "--end",
                "2024-03-08",
                "--retries",
                "0",
                *cache,
            ]
        )
        == 4
    )


def test_prices_check_logs_dropped_rows_per_reason(tmp_path, capsys):
    from georisk.cli import main

    p = tmp_path / "p.csv"
    p.write_text("date,SPY\n2024-03-04,500\n2024-03-04,500\n2024-03-05,\n2024-03-06,501\n", encoding="utf-8")
    assert main(["prices", "check", "--prices", str(p), "--tickers", "SPY"]) == 0
    err = capsys.readouterr().err
    assert "dropped rows: 2 price(s) left out (counted per ticker): " in err, err
    assert "1 x date repeated with the same price" in err and "1 x empty price row" in err
