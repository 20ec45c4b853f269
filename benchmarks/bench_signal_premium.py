"""Benchmark: ``daily_signal`` + ``risk_premium`` over 25 years x 60 tickers x 100,000 articles.

Run with ``python benchmarks/bench_signal_premium.py [--articles N] [--tickers N] [--years N]``.
Prints wall-clock seconds (best of ``--repeat`` runs) for the full computation and for an
incremental update of one new session (the daily job recomputing on inputs one day longer,
restricted to a trailing window long enough to reproduce every output exactly).
The data are generated from a seeded random generator; nothing is read from disk.
Timings on a shared machine vary: read them as orders of magnitude.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pandas as pd

from georisk.calendar import session_closes
from georisk.config import Instrument, Sleeve, Universe
from georisk.premium import risk_premium
from georisk.signals import CHANNELS, daily_signal

SCORE_COLUMNS = ["relevance", "hawkish_tilt", "peace_trade", "hawkish_threat", "hawkish_act", *CHANNELS]


def make_inputs(
    years: int, n_tickers: int, n_articles: int, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame, Universe]:
    """Generate scores, a wide price frame and a universe of ``n_tickers`` instruments."""
    rng = np.random.default_rng(seed)
    end = pd.Timestamp("2024-12-31")
    start = end - pd.DateOffset(years=years)
    closes = session_closes("XNYS", str(start.date()), str(end.date()))
    days = closes.index
    t0, t1 = closes.iloc[0].value, closes.iloc[-1].value
    published = pd.to_datetime(np.sort(rng.integers(t0, t1, n_articles)), utc=True)
    scores = pd.DataFrame({"published_at": published})
    for c in SCORE_COLUMNS:
        scores[c] = rng.beta(0.6, 1.5, n_articles)
    rets = rng.normal(0.0, 0.012, (len(days), n_tickers))
    prices = pd.DataFrame(
        100.0 * np.exp(np.cumsum(rets, axis=0)),
        index=days.rename("date"),
        columns=[f"T{i:02d}" for i in range(n_tickers)],
    )
    tickers = list(prices.columns)
    n_risk = n_tickers - 1
    groups = np.array_split(np.array(tickers[1:]), 3)
    sleeves = {
        name: Sleeve(instruments=tuple(Instrument(ticker=str(t)) for t in group), weighting=weighting)
        for name, group, weighting in zip(
            ("energy", "defense", "grain"), groups, ("inverse_vol", "equal", "equal"), strict=True
        )
    }
    sleeves["benchmark"] = Sleeve(instruments=(Instrument(ticker=tickers[0]),))
    universe = Universe(sleeves=sleeves, oil_ticker=str(groups[0][0]))
    assert n_risk == sum(len(g) for g in groups)
    return scores, prices, universe


def _best(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=25)
    parser.add_argument("--tickers", type=int, default=60)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    scores, prices, universe = make_inputs(args.years, args.tickers, args.articles)
    # Warm the calendar cache so that its one-off construction is not timed.
    daily_signal(scores.head(10), min_periods=2, zscore_window=10)

    t_sig = _best(lambda: daily_signal(scores), args.repeat)
    signal = daily_signal(scores)
    t_prem = _best(lambda: risk_premium(signal, prices, universe), args.repeat)
    premium = risk_premium(signal, prices, universe)

    # Incremental update: the daily job appends one session and recomputes on a trailing
    # slice long enough for every window (warm-up + windows), which reproduces the
    # full-history values on the last day.
    last = signal.index[-1]
    tail_start = signal.index[-min(600, len(signal))]  # the whole history at --years 2 or less
    cutoff = session_closes("XNYS", str(tail_start.date()), str(tail_start.date())).iloc[0]

    def incremental() -> pd.DataFrame:
        sig = daily_signal(scores[scores["published_at"] > cutoff - pd.Timedelta(days=400)])
        return risk_premium(sig, prices[prices.index > tail_start - pd.Timedelta(days=400)], universe)

    t_inc = _best(incremental, args.repeat)
    inc = incremental()
    t_hub = _best(lambda: risk_premium(signal, prices, universe, loading_method="huber"), 1)
    diff = (inc.iloc[-1] - premium.iloc[-1]).abs().max()
    print(f"inputs: {len(signal)} sessions ({args.years} years), {prices.shape[1]} tickers, {len(scores)} articles")
    print(f"daily_signal     {t_sig:7.3f} s")
    print(f"risk_premium     {t_prem:7.3f} s")
    print(f"total            {t_sig + t_prem:7.3f} s   (target < 5 s on 2 cores)")
    print(
        f"one-day update   {t_inc:7.3f} s   (target < 1 s); last session {last.date()}, grpi "
        f"{premium['grpi'].iloc[-1]:+.6f} full vs {inc['grpi'].iloc[-1]:+.6f} incremental "
        f"(max abs difference over all premium columns {diff:.1e})"
    )
    print(f"risk_premium, Huber loadings {t_hub:7.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
