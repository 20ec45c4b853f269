"""Benchmark the market-data stage on 25 years x 14 tickers (synthetic, seeded) and real files.

Run: ``python benchmarks/bench_market.py``. Prints seconds; asserts nothing about time (the
machine may be shared). Measures: the quality report, alignment to New York sessions (the
cutoff table), simple returns, a cold cache fill and a warm (no source call) cache read,
and, when ../shared/data is present, the report on the real futures files.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from georisk.calendar import get_calendar
from georisk.config import default_universe
from georisk.market import FrameSource, align_with_report, load_prices, quality_report, simple_returns

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def synthetic(years: int, seed: int = 0) -> pd.DataFrame:
    """Each default-universe ticker on its own calendar's sessions, geometric random walks."""
    u = default_universe()
    rng = np.random.default_rng(seed)
    end = pd.Timestamp("2024-12-31")
    start = end - pd.DateOffset(years=years)
    cols = {}
    for t in u.tickers:
        cal = get_calendar(u.instrument(t).calendar, str(start.date()), str(end.date()))
        s = pd.DatetimeIndex(cal.sessions)
        s = s[(s >= start) & (s <= end)]
        cols[t] = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.012, len(s)))), index=s)
    frame = pd.DataFrame(cols)
    frame.index.name = "date"
    return frame


def timed(label: str, fn: Callable[[], Any], repeat: int) -> Any:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    print(f"{label:<48} {best * 1000:9.1f} ms")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--years", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    u = default_universe()
    prices = synthetic(args.years)
    print(f"synthetic prices: {prices.shape[0]} dates x {prices.shape[1]} tickers")
    raw = {t: prices[t].dropna() for t in prices}
    timed("quality_report", lambda: quality_report(raw, u), args.repeat)
    res = timed("align_with_report (cutoff table, XNYS)", lambda: align_with_report(prices, u), args.repeat)
    timed("simple_returns", lambda: simple_returns(res.prices), args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        now = pd.Timestamp("2025-01-02 12:00", tz="UTC")
        start, end = str(prices.index.min().date()), "2024-12-31"
        src = FrameSource(prices)
        t0 = time.perf_counter()
        load_prices(u, start, end, source=src, cache=tmp, now=now)
        print(f"{'load_prices, cold cache (fill 14 Parquet files)':<48} {(time.perf_counter() - t0) * 1000:9.1f} ms")
        timed(
            "load_prices, warm cache (no source call)",
            lambda: load_prices(u, start, end, source=src, cache=tmp, now=now),
            args.repeat,
        )
    futures = SHARED / "futures-indices-yahoo"
    if futures.is_dir():
        tickers = ["CL=F", "NG=F", "ZW=F", "ZC=F", "SPY"]
        _, report = timed(
            "load_prices + report, real futures files", lambda: load_prices(u, source=futures, tickers=tickers), 1
        )
        print(report.to_string())
    else:
        print("../shared/data not found: real-file timing skipped")


if __name__ == "__main__":
    main()
