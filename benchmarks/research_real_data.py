"""Real-data check of the news signal and the risk premium indicator (Russia-Ukraine, 2021-2023).

Reads ``../shared/data`` beside the repository (nothing is copied into the repo):
dated headlines from news-ruwa and news-guardian-bbc-russia-ukraine, daily closes from
equities-yahoo-close, EIA Brent spot from oil-prices, the daily GPR from gpr-index.

Run: ``python benchmarks/research_real_data.py [--shared PATH] [--plot /tmp/georisk_real.png]``.
Prints the indicator around the four event dates, the correlation of the article-based
attention with the daily GPR, and a side-by-side of an article-based and a GPR-based
premium; saves a plot.

Headlines carry a date without a time. Following the design's conservative policy, a
date-only headline is taken as known at the end of its day in London (Guardian, BBC)
or Kyiv (RUWA's mixed sites), so it counts for the next New York session: late is safe,
early is look-ahead.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd
from shared_data import load_headlines, load_real_prices

from georisk.premium import risk_premium
from georisk.scoring import score_articles
from georisk.signals import daily_signal, external_signal, load_gpr_daily

EVENTS = {
    "2022-02-24": "invasion",
    "2022-03-29": "Istanbul talks",
    "2022-07-22": "grain deal signed",
    "2022-10-29": "grain deal suspended",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--plot", type=Path, default=Path("/tmp/georisk_real_data.png"))
    args = parser.parse_args(argv)
    shared: Path = args.shared
    t0 = time.perf_counter()
    arts, quarantine = load_headlines(shared)
    print(f"headlines: {len(arts)} articles, {len(quarantine)} records quarantined (counted, not hidden)")
    scores = score_articles(arts, evidence=False)
    print(
        f"scored {len(scores)} headlines in {time.perf_counter() - t0:.1f} s; relevant (>= 0.2): "
        f"{int((scores['relevance'] >= 0.2).sum())}; mean hawkish {scores['hawkish_tilt'].mean():.3f}, "
        f"peace {scores['peace_trade'].mean():.3f}"
    )
    sig_kw = {"half_life": 5.0, "zscore_window": 252, "min_periods": 60}
    signal = daily_signal(
        scores, start="2020-01-02", end="2024-12-31", attention_base=("2020-01-02", "2021-12-31"), **sig_kw
    )  # type: ignore[arg-type]
    prices, universe = load_real_prices(shared, "2019-01-01", "2024-12-31")
    prem_kw = {"beta_window": 126, "loading_window": 126, "min_periods": 60, "ridge": 1.0}
    premium = risk_premium(signal, prices, universe, **prem_kw)  # type: ignore[arg-type]
    premium_h = risk_premium(signal, prices, universe, loading_method="huber", **prem_kw)  # type: ignore[arg-type]

    gpr = load_gpr_daily(shared / "gpr-index" / "data_gpr_daily_recent.csv")
    gsig = external_signal(gpr["GPRD"], name="gpr", start="2019-01-02", end="2024-12-31")
    gsig = gsig.reindex(signal.index)
    gprem = risk_premium(gsig, prices, universe, state="gpr_z", **prem_kw)  # type: ignore[arg-type]

    cols = ["n_articles", "n_relevant", "attention", "hawkish_ema", "peace_ema", "escalation_z"]
    pcols = ["grpi", "grpi_hawkish", "grpi_peace", "defense_premium", "energy_premium", "grain_premium"]
    pd.set_option("display.width", 200)
    for day, label in EVENTS.items():
        d = pd.Timestamp(day)
        pos = signal.index.searchsorted(d)
        window = signal.index[max(pos - 3, 0) : pos + 4]
        table = pd.concat(
            [
                signal.loc[window, cols],
                (premium.loc[window, pcols] * 1e4).add_suffix("_bp").round(1),
                premium.loc[window, ["grpi_z", "oil_premium_usd"]].round(2),
                (premium.loc[window, ["grpi_gap"]] * 1e4).add_suffix("_bp").round(1),
                (premium_h.loc[window, ["grpi"]] * 1e4).rename(columns={"grpi": "grpi_huber_bp"}).round(1),
                (gprem.loc[window, ["grpi"]] * 1e4).rename(columns={"grpi": "grpi_gpr_bp"}).round(1),
            ],
            axis=1,
        )
        print(f"\n== {day} ({label}); sessions around it ==")
        print(table.round(3).to_string())

    both = pd.concat([signal["attention"], signal["n_relevant"], gsig["gpr"]], axis=1).dropna()
    both = both.loc["2020-01-01":"2024-12-31"]
    print(
        f"\nattention vs daily GPR over {len(both)} sessions both cover "
        f"({both.index[0].date()} .. {both.index[-1].date()}):"
    )
    print(f"  Pearson(attention, GPRD)     {both['attention'].corr(both['gpr']):+.3f}")
    print(f"  Spearman(attention, GPRD)    {both['attention'].corr(both['gpr'], method='spearman'):+.3f}")
    print(f"  Pearson(n_relevant, GPRD)    {both['n_relevant'].corr(both['gpr']):+.3f}  (the corpora are pre-filtered")
    print("    on Russia-Ukraine, so the share of relevant headlines is ~1 every day; the count carries the attention)")
    print(f"  Spearman(n_relevant, GPRD)   {both['n_relevant'].corr(both['gpr'], method='spearman'):+.3f}")
    wk = both.resample("W-FRI").mean().dropna()
    print(f"  weekly means: Pearson(attention, GPRD) {wk['attention'].corr(wk['gpr']):+.3f} over {len(wk)} weeks")
    y22 = both.loc["2022"]
    print(f"  2022 only: Pearson(attention, GPRD) {y22['attention'].corr(y22['gpr']):+.3f} over {len(y22)} sessions")
    side = pd.concat([premium["grpi"], gprem["grpi"]], axis=1, keys=["articles", "gpr"]).dropna()
    print(
        f"  article-based vs GPR-based grpi: Pearson {side['articles'].corr(side['gpr']):+.3f} "
        f"over {len(side)} sessions"
    )

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed (pip install 'georisk[plot]'); no plot saved")
        return 0
    span = slice("2021-10-01", "2023-03-31")
    fig, axes = plt.subplots(3, 1, figsize=(11, 9), sharex=True)
    ax = axes[0]
    # The corpora are pre-filtered, so the relevant share is ~1: the count carries attention.
    ax.plot(
        signal.loc[span].index, signal.loc[span, "n_relevant"].rolling(5).mean(), label="relevant headlines (5d mean)"
    )
    tw = ax.twinx()
    tw.plot(
        gsig.loc[span].index, gsig.loc[span, "gpr"].rolling(5).mean(), color="tab:gray", label="daily GPR (5d mean)"
    )
    ax.set_ylabel("relevant headlines per session")
    tw.set_ylabel("GPR")
    ax.legend(loc="upper left")
    tw.legend(loc="upper right")
    ax = axes[1]
    ax.plot(signal.loc[span].index, signal.loc[span, "hawkish_ema"], color="tab:red", label="hawkish (EMA)")
    ax.plot(signal.loc[span].index, signal.loc[span, "peace_ema"], color="tab:green", label="peace (EMA)")
    ax.plot(signal.loc[span].index, signal.loc[span, "escalation_z"] / 10, color="k", lw=0.8, label="escalation z / 10")
    ax.legend(loc="upper left")
    ax = axes[2]
    for frame, name in ((premium, "GRPI, articles"), (premium_h, "GRPI, articles, Huber"), (gprem, "GRPI, GPR state")):
        ax.plot(frame.loc[span].index, frame.loc[span, "grpi"] * 1e4, lw=0.9, label=name)
    ax.set_ylabel("bp")
    ax.legend(loc="upper left")
    for a in axes:
        for day in EVENTS:
            a.axvline(pd.Timestamp(day), color="tab:purple", lw=0.7, ls="--")
    fig.suptitle("georisk on real headlines and prices (dashed: invasion, Istanbul, grain deal, suspension)")
    fig.tight_layout()
    fig.savefig(args.plot, dpi=110)
    print(f"\nplot saved to {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
