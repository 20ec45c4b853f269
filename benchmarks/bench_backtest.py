"""Benchmark: 1,000 backtest configurations over 20 years of daily data, vectorised.

Run: ``python benchmarks/bench_backtest.py``. Prints seconds; asserts nothing about time
(the machine may be shared). The data are synthetic (seeded), shaped like
``georisk.risk_premium`` output for three sleeves.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import georisk
from georisk.backtesting import sweep, walk_forward
from georisk.evaluation import TrialLedger, optimal_block_length


def synthetic_premium(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range("2006-01-02", periods=n, name="session")
    cols = {"state": np.cumsum(rng.standard_normal(n)) * 0.3}
    for k in ("energy", "defense", "grain"):
        theta = 0.002 + 0.0005 * rng.standard_normal(n)
        cols[f"{k}_theta"] = theta
        cols[f"{k}_premium"] = theta * cols["state"]
        cols[f"{k}_gap"] = 0.01 * rng.standard_normal(n)
        cols[f"{k}_abnormal"] = 0.01 * rng.standard_normal(n)
        cols[f"{k}_beta"] = np.clip(0.9 + np.cumsum(0.02 * rng.standard_normal(n)), 0.2, 1.6)
    return pd.DataFrame(cols, index=idx)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    prem = synthetic_premium(252 * args.years)
    # Import arch (the automatic block length) once, outside the timings: its first
    # import alone takes seconds and would otherwise land in the walk-forward line.
    t0 = time.perf_counter()
    optimal_block_length(prem["energy_abnormal"].to_numpy())
    print(f"{'first import of arch':<28s} {time.perf_counter() - t0:6.2f} s   (not part of any timing below)")
    grid = {
        "horizon": [1, 2, 3, 5, 8, 10, 15, 20, 40, 60],
        "scale_window": [21, 42, 63, 126, 252],
        "threshold": [0.0, 0.5, 1.0, 1.5],
        "cost_bps": [0.0, 2.0, 5.0, 10.0, 20.0],
    }
    n_cfg = int(np.prod([len(v) for v in grid.values()]))
    print(f"{n_cfg} configurations x {len(prem)} sessions x 3 sleeves")
    best = {}
    for name, kwargs in (("sweep", {}), ("sweep + ledger", {"ledger": None})):
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            if "ledger" in kwargs:
                sweep(prem, grid, ledger=TrialLedger())
            else:
                res = sweep(prem, grid)
            times.append(time.perf_counter() - t0)
        best[name] = min(times)
        print(f"{name:<28s} best {min(times):6.2f} s   (runs: {', '.join(f'{t:.2f}' for t in times)})")
    distinct = {
        "horizon": [1, 2, 3, 5, 8, 10, 15, 20, 40, 60],
        "scale_window": [21, 42, 63, 126, 252],
        "threshold": [0.0, 0.5, 1.0, 1.5],
        "max_position": [0.25, 0.5, 0.75, 1.0, 2.0],
    }
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        sweep(prem, distinct)
        times.append(time.perf_counter() - t0)
    runs = ", ".join(f"{t:.2f}" for t in times)
    print(f"{'sweep, 1000 distinct targets':<28s} best {min(times):6.2f} s   (runs: {runs})")
    train = min(756, len(prem) // 2)  # three years, or half the sample at --years < 6
    t0 = time.perf_counter()
    wf = walk_forward(prem, grid, train=train, test=63, bootstrap_reps=1000, placebo_runs=0)
    print(f"{'walk-forward (same grid)':<28s} {time.perf_counter() - t0:6.2f} s   ({len(wf.folds)} folds, no placebos)")
    t0 = time.perf_counter()
    wf = walk_forward(prem, grid, train=train, test=63, bootstrap_reps=0, placebo_runs=2)
    print(f"{'  + 2 placebo walk-forwards':<28s} {time.perf_counter() - t0:6.2f} s   (each repeats the sweep)")
    t0 = time.perf_counter()
    georisk.backtest(prem, placebo_runs=200, bootstrap_reps=1000)
    print(f"{'one backtest, 200 placebos':<28s} {time.perf_counter() - t0:6.2f} s")
    print(f"configurations per second (sweep): {n_cfg / best['sweep']:,.0f}; best Sharpe {res.sharpe.max():.2f}")


if __name__ == "__main__":
    main()
