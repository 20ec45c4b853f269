"""Benchmark: ``daily_signal`` + ``risk_premium`` over 25 years x 60 tickers x 100,000 articles.

Run with ``python benchmarks/bench_signal_premium.py [--articles N] [--tickers N] [--years N]``.
Prints wall-clock seconds (best of ``--repeat`` runs) for the full computation with the
response model (:func:`georisk.risk_premium`) beside the superseded loading model
(:func:`georisk.premium.loading_premium`), and for a one-session update. The response
model's estimates are expanding (every past session counts), so a one-session update is
a recomputation on the inputs one session longer; the benchmark times exactly that and
checks that the earlier sessions are unchanged. The data are generated from a seeded
random generator (articles from several sources); nothing is read from disk. Timings on
a shared machine vary: read them as orders of magnitude.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pandas as pd

from georisk.calendar import session_closes
from georisk.config import Instrument, Sleeve, Universe
from georisk.premium import loading_premium, risk_premium
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
    scores = pd.DataFrame({"published_at": published, "source": rng.choice(["wire", "paper", "web"], n_articles)})
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
    for name in ("energy", "grain"):
        sleeves[name] = sleeves[name].model_copy(update={"factors": (tickers[0], "USD")})
    sleeves["factors"] = Sleeve(instruments=(Instrument(ticker="USD"),))
    prices["USD"] = 25.0 * np.exp(np.cumsum(rng.normal(0.0, 0.004, len(days))))
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
    legacy_kw = {"state": "escalation_z"}
    t_old = _best(lambda: loading_premium(signal, prices, universe, **legacy_kw), args.repeat)  # type: ignore[arg-type]

    # One-session update: yesterday's inputs are today's without the last session; the
    # daily job recomputes on today's inputs. Sessions before today must not move.
    last = signal.index[-1]
    close = session_closes("XNYS", str(last.date()), str(last.date())).iloc[0]
    prev = signal.index[-2]
    yesterday_scores = scores[
        scores["published_at"] <= session_closes("XNYS", str(prev.date()), str(prev.date())).iloc[0]
    ]
    yesterday = risk_premium(daily_signal(yesterday_scores), prices[prices.index <= prev], universe)

    def update() -> pd.DataFrame:
        sig = daily_signal(scores[scores["published_at"] <= close])
        return risk_premium(sig, prices[prices.index <= last], universe)

    t_upd = _best(update, args.repeat)
    today = update()
    common = yesterday.index
    moved = (today.loc[common] - yesterday).abs().max().max()
    print(f"inputs: {len(signal)} sessions ({args.years} years), {prices.shape[1]} tickers, {len(scores)} articles")
    print(f"daily_signal                    {t_sig:7.3f} s")
    print(f"risk_premium (response model)   {t_prem:7.3f} s")
    print(f"loading_premium (superseded)    {t_old:7.3f} s")
    print(f"signal + premium                {t_sig + t_prem:7.3f} s   (target < 2 s)")
    print(
        f"one-session update              {t_upd:7.3f} s   (target < 0.5 s); last session {last.date()}, grpi "
        f"{today['grpi'].iloc[-1]:+.6f} [{today['grpi_lo'].iloc[-1]:+.6f}, {today['grpi_hi'].iloc[-1]:+.6f}]; "
        f"largest change of an earlier value {moved:.1e}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
