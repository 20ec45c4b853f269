"""How often the premium's band excludes zero when the news carries no information (coverage under the null).

Simulates markets that ignore the news: for every ticker of the bundled sample's universe,
returns with Student-t(5) tails, a common market factor and a shared stochastic volatility
(persistent log-volatility, so calm and panic periods alternate); and an independent,
persistent, positive news state with occasional bursts (an AR(0.95) in logs, smoothed as
the daily signal smooths, times rare exponential jumps). The premium model runs with its
defaults; the share of sessions (after the first 40% of the history, the warm-up) whose
``grpi`` band excludes zero is printed per history length: a 90% band should do so on
about 10% of sessions. The share is serially correlated within a run (a premium stays
away from zero for weeks), so single runs scatter widely; the mean over runs is the
figure to read.

Run: ``python benchmarks/premium_null_coverage.py [--lengths 400 800 1600] [--runs 40]``.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from georisk.calendar import session_closes
from georisk.config import Universe
from georisk.datasets import load_sample
from georisk.evaluation import band_excludes_zero
from georisk.premium import risk_premium


def null_inputs(universe: Universe, sessions: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Prices and a news state that are independent of each other."""
    rng = np.random.default_rng(seed)
    idx = pd.DatetimeIndex(session_closes("XNYS", "2010-01-04", "2035-12-31").index[:sessions])
    idx = (idx.tz_localize(None) if idx.tz is not None else idx).normalize()
    n = len(idx)
    log_vol = np.zeros(n)
    for t in range(1, n):
        log_vol[t] = 0.98 * log_vol[t - 1] + 0.15 * rng.normal()
    vol = 0.012 * np.exp(log_vol)
    scale = vol / np.sqrt(5.0 / 3.0)  # unit variance for t(5)
    market = rng.standard_t(5, n) * scale
    prices = pd.DataFrame(
        {t: 100.0 * np.exp(np.cumsum(0.8 * market + rng.standard_t(5, n) * scale)) for t in universe.tickers},
        index=idx,
    )
    prices.index.name = "date"
    x = np.zeros(n)
    for t in range(1, n):
        x[t] = 0.95 * x[t - 1] + rng.normal()
    bursts = 1.0 + (rng.random(n) < 0.01) * rng.exponential(5.0, n)
    state = pd.Series(np.exp(0.3 * x) * bursts, index=idx).ewm(halflife=5).mean()
    signal = pd.DataFrame({"escalation_intensity": state})
    signal.index.name = "session"
    return signal, prices


def coverage(universe: Universe, sessions: int, runs: int) -> np.ndarray:
    """Share of post-warm-up sessions whose ``grpi`` band excludes zero, one per run."""
    out = []
    for seed in range(runs):
        signal, prices = null_inputs(universe, sessions, seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            prem = risk_premium(signal, prices, universe)
        out.append(band_excludes_zero(prem.iloc[int(0.4 * sessions) :]))
    return np.array(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[400, 800, 1600])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args(argv)
    universe = load_sample().universe
    print(f"null coverage of the 90% grpi band, {args.runs} runs per history length (nominal: 10% exclude zero)")
    for n in args.lengths:
        t0 = time.perf_counter()
        shares = coverage(universe, n, args.runs)
        q = np.quantile(shares, [0.1, 0.5, 0.9])
        print(
            f"{n:5d} sessions: mean {shares.mean():6.1%}  (runs: 10% {q[0]:5.1%}, median {q[1]:5.1%}, "
            f"90% {q[2]:5.1%})  {time.perf_counter() - t0:.1f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
