"""Real-data backtest of the default strategy, with every honest statistic beside its Sharpe ratio.

Reads ``../shared/data`` beside the repository (nothing is copied into the repo):

* state A, article-based: dated headlines from news-ruwa and
  news-guardian-bbc-russia-ukraine, scored by georisk's default scorer, turned into the
  daily signal (``escalation_intensity``, source-normalised); the corpora cover 2020-2024;
* state B, GPR-based: the Caldara-Iacoviello daily GPR in points, on the same sample;
* prices: the default universe's layout (EIA Brent spot standing in for BZ=F, CL=F,
  NG=F; LMT NOC RTX GD ITA RHM.DE BA.L; ZW=F ZC=F WEAT; SPY; the dollar UUP).

For each state it builds the premium with :func:`georisk.risk_premium` and runs the
default :func:`georisk.backtest` (impulse, horizon 5, execution lag 1, 5 bp costs) with
500 block-shuffled and 500 shifted placebo runs, a 2,000-resample stationary bootstrap,
the Newey-West t, PSR and the deflated Sharpe ratio; then a 72-configuration sweep and a
walk-forward choice (beside 100 placebo walk-forwards), every configuration recorded in one trial ledger so the deflated
Sharpe ratio of the default counts every trial made here; then the information
coefficient of the news shocks by horizon and an event study around large shocks.

Headlines carry a date without a time; each is taken as known at the end of its day in
London (Guardian, BBC) or Kyiv (RUWA), so it counts for the next New York session.

Run: ``python benchmarks/real_data_backtest.py [--shared PATH] [--ledger /tmp/ledger.json]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from shared_data import load_default_layout_prices, load_headlines

import georisk
from georisk.backtesting import sweep, walk_forward
from georisk.evaluation import TrialLedger, event_study, information_coefficient, signal_shocks, spa_test
from georisk.signals import external_signal, load_gpr_daily

GRID = {
    "strategy": ["impulse", "level", "gap"],
    "horizon": [1, 5, 20],
    "scale_window": [63, 252],
    "threshold": [0.0, 1.0],
    "execution_lag": [1],
    "cost_bps": [5.0],
    "max_position": [1.0, 0.5],
}


def report_backtest(name: str, premium: pd.DataFrame, ledger: TrialLedger) -> georisk.backtesting.BacktestResult:
    res = georisk.backtest(premium, placebo_runs=500, bootstrap_reps=2000, ledger=ledger, seed=0)
    shift = georisk.backtest(premium, placebo_runs=500, placebo_kind="shift", bootstrap_reps=0, seed=1)
    live = res.returns.dropna()
    print(
        f"\n== default strategy, state {name}: {live.index[0].date()} .. {live.index[-1].date()} ({len(live)} sessions)"
    )
    table = res.summary()
    table.loc["placebo (shift) Sharpe, mean"] = shift.metrics.placebo_sharpe_mean
    table.loc["placebo (shift) Sharpe, 95th pct"] = shift.metrics.placebo_sharpe_p95
    table.loc["placebo (shift) p-value"] = shift.metrics.placebo_p
    print(table.to_string(float_format=lambda v: f"{v:.4f}"))
    q = np.percentile(res.placebo_sharpes, [5, 25, 50, 75, 95])
    print("placebo (shuffle) Sharpe quantiles 5/25/50/75/95%: " + ", ".join(f"{v:+.2f}" for v in q))
    by_year = live.groupby(live.index.year).agg(["mean", "std", "count"])
    by_year["sharpe"] = by_year["mean"] / by_year["std"] * np.sqrt(252)
    print("net Sharpe by year: " + ", ".join(f"{y}: {s:+.2f}" for y, s in by_year["sharpe"].items()))
    return res


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--ledger", type=Path, default=Path("/tmp/georisk_real_ledger.json"))
    args = parser.parse_args(argv)
    shared: Path = args.shared
    t0 = time.perf_counter()
    prices, universe = load_default_layout_prices(shared, "2019-06-01", "2024-12-31")
    arts, quarantine = load_headlines(shared)
    print(f"headlines: {len(arts)} articles, {len(quarantine)} records quarantined (counted, not hidden)")
    scores = georisk.score_articles(arts, evidence=False)
    scores["source"] = arts["source"].to_numpy()
    signal = georisk.daily_signal(
        scores, start="2020-01-02", end="2024-12-31", attention_base=("2020-01-02", "2020-12-31")
    )
    gpr = load_gpr_daily(shared / "gpr-index" / "data_gpr_daily_recent.csv")
    gsig = external_signal(gpr["GPRD"], name="gpr", start="2020-01-02", end="2024-12-31", zscore_window=None)
    prem_a = georisk.risk_premium(signal, prices, universe)
    prem_b = georisk.risk_premium(gsig, prices, universe, state="gpr", transform="log")
    print(f"inputs ready in {time.perf_counter() - t0:.1f} s: {len(scores)} headlines, {prices.shape[1]} tickers")

    ledger = TrialLedger()
    results = {}
    for name, prem in (("A (articles, escalation_intensity)", prem_a), ("B (daily GPR, points)", prem_b)):
        results[name] = report_backtest(name, prem, ledger)
    for name, prem in (("A", prem_a), ("B", prem_b)):
        sw = sweep(prem, GRID, ledger=ledger, label=f"sweep {name}")
        wf = walk_forward(prem, GRID, train=504, test=63, bootstrap_reps=2000, placebo_runs=100)
        print(
            f"\nsweep {name}: {len(sw.configs)} configurations; in-sample net Sharpe median {sw.sharpe.median():+.2f}, "
            f"best {sw.sharpe.max():+.2f} ({sw.best()['strategy']}, h={sw.best()['horizon']})"
        )
        wm = wf.metrics
        print(
            f"walk-forward {name} (expanding, 504/63): OOS Sharpe {wm.sharpe:+.2f}, NW t {wm.nw_t:+.2f}, "
            f"bootstrap p {wm.bootstrap_p:.3f}, PSR {wm.psr:.3f}, DSR {wm.dsr:.3f} "
            f"({wm.n_trials} trials), {len(wf.folds)} folds; {wf.placebo_sharpes.size} placebo "
            f"walk-forwards: mean Sharpe {wm.placebo_sharpe_mean:+.2f}, 95th pct {wm.placebo_sharpe_p95:+.2f}, "
            f"p {wm.placebo_p:.3f}"
        )
        spa = spa_test(sw.net.dropna(), reps=1000, seed=0)
        print(f"Hansen SPA {name} over {spa['n_models']} configurations: p (consistent) {spa['p_consistent']:.3f}")
    var = ledger.sharpe_variance()
    print(f"\ntrial ledger: {ledger.n_trials} configurations; variance of per-period Sharpe {var:.2e}")
    for name in results:
        tid = list(results).index(name)
        print(
            f"deflated Sharpe of the default, state {name}, given all {ledger.n_trials} trials: "
            f"{ledger.deflated_sharpe(tid):.4f}"
        )
    ledger.to_json(args.ledger)
    print(f"ledger saved to {args.ledger}")

    for name, prem in (("A", prem_a), ("B", prem_b)):
        print(f"\ninformation coefficient of the news shocks (5 sessions) on sleeve abnormal returns, state {name}:")
        ds = prem["shock"].rolling(5).sum()
        for k in ("energy", "defense", "grain"):
            ic = information_coefficient(ds, prem[f"{k}_abnormal"], horizons=(1, 5, 20), execution_lag=1)
            print(f"  {k:<8s} " + "  ".join(f"h={h}: IC {r.ic:+.3f} (t {r.hac_t:+.2f})" for h, r in ic.iterrows()))
        shock = prem["shock"]
        src = shock / shock.expanding(min_periods=60).std().shift(1)
        shocks = signal_shocks(src.loc[prem.index[0] :], threshold=2.0, min_gap=20)
        for kind, events in shocks.items():
            if len(events) < 3:
                print(f"  {kind} shocks: {len(events)} (too few for an event study)")
                continue
            es = event_study(
                prem[["energy_return", "defense_return", "grain_return"]], prem["benchmark_return"], events
            )
            cells = []
            for asset in ("energy_return", "defense_return", "grain_return"):
                row = es.loc[(asset, 20)]
                cells.append(f"{asset[:-7]} CAR[-5,+20] {row['car']:+.3f} [{row['car_lo']:+.3f}, {row['car_hi']:+.3f}]")
            print(f"  {kind} shocks ({int(es['n_events'].iloc[0])} events): " + "; ".join(cells))
    print(f"\ntotal {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
