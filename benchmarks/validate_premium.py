"""Validate the risk premium indicator on the 2022 war, with the real data in ``../shared/data``.

Prints, for the article state (RUWA, Guardian and BBC headlines scored by georisk) and
for the GPR state (the daily Caldara-Iacoviello index, in GPR points):

(a) the oil premium in USD/bbl for each month of 2022 with its 90% band, beside the
    market-model cumulative abnormal return of Brent since 2022-02-11 (in USD/bbl) and
    the range analysts published for March 2022 (10-30 USD/bbl);
(b) the sleeve premia around the war's events, with the sign each event should give;
(c) placebos: the same model on the article state shuffled in 20-session blocks (ten
    seeds) and shifted by a year: the share of 2021-2024 sessions whose ``grpi`` band
    excludes zero (a 90% band does so on about 10% by chance);
(d) the article and GPR states side by side (monthly premia and their correlation);
(e) the shocks' diagnostics for autoregressions of several orders (out-of-sample one-step
    error, autocorrelation left in the shocks), the evidence for the default AR(20), and
    the March 2022 oil premium with each order.

Both states run on the same sample (prices from 2019-06, state and responses from
2020-01) so that the side-by-side compares like with like; ``--gpr-start`` adds the GPR
state on a longer sample as a robustness row. Nothing is copied into the repository;
every number is computed here.

Run: ``python benchmarks/validate_premium.py [--shared PATH] [--seeds 10] [--figure PATH]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shared_data import load_default_layout_prices, load_gpr, load_headlines

from georisk.evaluation import (
    WAR_CAR_START,
    WAR_EVENTS,
    band_excludes_zero,
    block_shuffle,
    event_signs,
    market_model_car,
)
from georisk.premium import loading_premium, risk_premium, shock_diagnostics
from georisk.scoring import score_articles
from georisk.signals import daily_signal, external_signal

#: Event sessions and the sign each should give to the premia (the library's list).
EVENTS = WAR_EVENTS
PUBLISHED_MARCH_2022 = (10.0, 30.0)
SLEEVES = ("energy", "defense", "grain")


def band_share(premium: pd.DataFrame, lo: str = "2021-01-01", hi: str = "2024-12-31") -> float:
    """Share of sessions in [lo, hi] whose ``grpi`` band excludes zero."""
    return band_excludes_zero(premium.loc[lo:hi])


def monthly_oil(premium: pd.DataFrame, car: pd.Series, year: str = "2022") -> pd.DataFrame:
    """Monthly means of the oil premium (USD/bbl), its band, and the market-model CAR."""
    cols = ["oil_premium_usd", "oil_premium_usd_lo", "oil_premium_usd_hi"]
    m = premium.loc[year, cols].resample("MS").mean()
    m["car_usd"] = car.loc[year].resample("MS").mean()
    m.index = m.index.strftime("%Y-%m")
    return m


def article_signal(shared: Path) -> tuple[pd.DataFrame, int]:
    """The daily signal of the real headlines (2020-2024), and the number of headlines scored."""
    arts, _quarantine = load_headlines(shared)
    scores = score_articles(arts, evidence=False)
    scores["source"] = arts["source"].to_numpy()
    signal = daily_signal(scores, start="2020-01-02", end="2024-12-31", attention_base=("2020-01-02", "2020-12-31"))
    return signal, len(scores)


def gpr_signal(shared: Path, start: str, end: str = "2024-12-31") -> pd.DataFrame:
    """The daily GPR on the signal sessions (points, mean of the days each session collects)."""
    gpr = load_gpr(shared)
    return external_signal(gpr["GPRD"], name="gpr", start=start, end=end, zscore_window=None)


def run(shared: Path, seeds: int = 10, gpr_start: str | None = "2007-03-01") -> dict[str, object]:
    """Compute every table; returns them in a dict (printed by :func:`main`)."""
    t0 = time.perf_counter()
    signal, n_articles = article_signal(shared)
    prices, universe = load_default_layout_prices(shared, "2019-06-01", "2024-12-31")
    gsig = gpr_signal(shared, "2020-01-02")
    prem_a = risk_premium(signal, prices, universe)
    prem_g = risk_premium(gsig, prices, universe, state="gpr", transform="log")
    car = market_model_car(prem_a, WAR_CAR_START)
    out: dict[str, object] = {"n_articles": n_articles, "articles": prem_a, "gpr": prem_g, "car": car}
    out["oil_articles"] = monthly_oil(prem_a, car)
    out["oil_gpr"] = monthly_oil(prem_g, car)
    out["events_articles"] = event_signs(prem_a, SLEEVES)
    out["events_gpr"] = event_signs(prem_g, SLEEVES)
    state = signal["escalation_intensity"]
    shares = []
    for seed in range(seeds):
        placebo = signal.assign(escalation_intensity=block_shuffle(state, 20, seed))
        shares.append(band_share(risk_premium(placebo, prices, universe)))
    shifted = signal.assign(escalation_intensity=np.roll(state.to_numpy(), 252))
    out["placebo_shuffle"] = shares
    out["placebo_shift"] = band_share(risk_premium(shifted, prices, universe))
    out["real_share"] = {"articles": band_share(prem_a), "gpr": band_share(prem_g)}
    legacy = loading_premium(signal.assign(escalation_z=signal["escalation_z"]), prices, universe, state="escalation_z")
    out["legacy_march_usd"] = float(legacy.loc["2022-03", "oil_premium_usd"].mean())
    if gpr_start is not None:
        long_prices, long_universe = load_default_layout_prices(shared, gpr_start, "2024-12-31")
        long_sig = gpr_signal(shared, str(pd.Timestamp(gpr_start) + pd.Timedelta(days=200))[:10])
        out["gpr_long"] = monthly_oil(
            risk_premium(long_sig, long_prices, long_universe, state="gpr", transform="log"), car
        )
        out["gpr_long_start"] = gpr_start
    diag = {"articles": shock_diagnostics(state, start="2021-01-01")}
    diag["GPR"] = shock_diagnostics(gsig["gpr"], transform="log", start="2021-01-01")
    if gpr_start is not None:
        diag[f"GPR from {gpr_start}"] = shock_diagnostics(long_sig["gpr"], transform="log", start="2008-01-01")
    out["shock_diagnostics"] = diag
    by_order = {}
    for order in (5, 10, 15, 20, 30):
        a = risk_premium(signal, prices, universe, ar_order=order)
        g = risk_premium(gsig, prices, universe, state="gpr", transform="log", ar_order=order)
        by_order[order] = (
            float(a.loc["2022-03", "oil_premium_usd"].mean()),
            float(g.loc["2022-03", "oil_premium_usd"].mean()),
        )
    out["march_by_order"] = by_order
    out["seconds"] = time.perf_counter() - t0
    return out


def _fmt_oil(m: pd.DataFrame) -> str:
    lines = ["month     premium  90% band          market-model CAR"]
    for month, r in m.iterrows():
        lines.append(
            f"{month}  {r['oil_premium_usd']:+7.1f}  [{r['oil_premium_usd_lo']:+6.1f}, {r['oil_premium_usd_hi']:+6.1f}]"
            f"   {r['car_usd']:+7.1f}"
        )
    return "\n".join(lines)


def report(out: dict[str, object]) -> str:
    """The tables as text."""
    lines = [f"headlines scored: {out['n_articles']}"]
    for name, key in (("article state (escalation_intensity)", "oil_articles"), ("GPR state (points)", "oil_gpr")):
        m = out[key]
        assert isinstance(m, pd.DataFrame)
        lines.append(f"\n(a) oil premium, USD/bbl, {name}; published March 2022: {PUBLISHED_MARCH_2022}")
        lines.append(_fmt_oil(m))
        if "2022-03" in m.index:
            r = m.loc["2022-03"]
            inside = PUBLISHED_MARCH_2022[0] <= r["oil_premium_usd"] <= PUBLISHED_MARCH_2022[1]
            excl = r["oil_premium_usd_lo"] > 0 or r["oil_premium_usd_hi"] < 0
            lines.append(
                f"March 2022: {r['oil_premium_usd']:+.1f} USD/bbl, band [{r['oil_premium_usd_lo']:+.1f}, "
                f"{r['oil_premium_usd_hi']:+.1f}]; within 10-30: {inside}; band excludes zero: {excl}"
            )
    if "gpr_long" in out:
        m = out["gpr_long"]
        assert isinstance(m, pd.DataFrame)
        lines.append(f"\n(a') robustness: GPR state estimated from {out['gpr_long_start']}")
        lines.append(_fmt_oil(m))
    lines.append(
        "\nsuperseded loading model (article z-score state), March 2022 oil premium: "
        f"{out['legacy_march_usd']:+.2f} USD/bbl"
    )
    for name, key in (("article state", "articles"), ("GPR state", "gpr")):
        prem = out[key]
        assert isinstance(prem, pd.DataFrame)
        mar = prem.loc["2022-03"]
        pos = {k: float((mar[f"{k}_premium"] > 0).mean()) for k in SLEEVES}
        lines.append(
            f"{name}: share of March 2022 sessions with a positive premium: "
            + ", ".join(f"{k} {v:.0%}" for k, v in pos.items())
        )
    for name, key in (("article state", "events_articles"), ("GPR state", "events_gpr")):
        ev = out[key]
        assert isinstance(ev, pd.DataFrame)
        lines.append(f"\n(b) sleeve premia around the events, {name} (bp; change from the session before to two after)")
        lines.append(ev.to_string(index=False, float_format=lambda v: f"{v:+.0f}"))
        lines.append(f"as expected: {int(ev['as_expected'].sum())} of {len(ev)}")
    shares = out["placebo_shuffle"]
    assert isinstance(shares, list)
    lines.append(
        "\n(c) placebo, article state shuffled in 20-session blocks: share of 2021-2024 sessions whose grpi band "
        f"excludes zero, by seed: {', '.join(f'{s:.2f}' for s in shares)}; mean {np.mean(shares):.3f}"
    )
    lines.append(f"    shifted by 252 sessions: {out['placebo_shift']:.3f}")
    real = out["real_share"]
    assert isinstance(real, dict)
    lines.append(f"    real states: articles {real['articles']:.3f}, GPR {real['gpr']:.3f}")
    pa, pg = out["articles"], out["gpr"]
    assert isinstance(pa, pd.DataFrame)
    assert isinstance(pg, pd.DataFrame)
    side = pd.DataFrame(
        {
            "grpi_articles_bp": pa["grpi"] * 1e4,
            "grpi_gpr_bp": pg["grpi"] * 1e4,
            "oil_usd_articles": pa["oil_premium_usd"],
            "oil_usd_gpr": pg["oil_premium_usd"],
        }
    )
    monthly = side.loc["2021":"2024"].resample("QS").mean()
    monthly.index = monthly.index.strftime("%Y-%m")
    lines.append("\n(d) article and GPR states side by side (quarterly means)")
    lines.append(monthly.to_string(float_format=lambda v: f"{v:+.1f}"))
    daily = side.loc["2021":"2024"].dropna()
    lines.append(
        f"correlation 2021-2024: grpi daily {daily['grpi_articles_bp'].corr(daily['grpi_gpr_bp']):+.2f}, "
        f"monthly {side.resample('MS').mean().dropna().corr().loc['grpi_articles_bp', 'grpi_gpr_bp']:+.2f}"
    )
    diag = out["shock_diagnostics"]
    assert isinstance(diag, dict)
    lines.append(
        "\n(e) shocks by autoregressive order: out-of-sample one-step MSE, sum of the first 20 autocorrelations "
        "left in the shocks, Ljung-Box p (scored from 2021, GPR from 2007 scored from 2008)"
    )
    for name, d in diag.items():
        cells = "  ".join(
            f"AR({int(k)}) {r['mse']:.4g}/{r['autocorr_sum']:+.2f}/{r['ljung_box_p']:.2g}" for k, r in d.iterrows()
        )
        lines.append(f"{name:>22s}: {cells}")
    by_order = out["march_by_order"]
    assert isinstance(by_order, dict)
    lines.append(
        "    March 2022 oil premium (USD/bbl) by order, article / GPR state: "
        + ", ".join(f"AR({k}) {a:+.1f} / {g:+.1f}" for k, (a, g) in by_order.items())
    )
    lines.append(f"\ntotal {out['seconds']:.1f} s")
    return "\n".join(lines)


def figure(out: dict[str, object], path: Path) -> None:
    """Oil premium (USD/bbl) with its band for both states, beside the market-model CAR."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4.2))
    car = out["car"]
    assert isinstance(car, pd.Series)
    for key, label, color in (("articles", "article state", "C0"), ("gpr", "GPR state", "C1")):
        p = out[key]
        assert isinstance(p, pd.DataFrame)
        d = p.loc["2021-10":"2023-06"]
        ax.fill_between(d.index, d["oil_premium_usd_lo"], d["oil_premium_usd_hi"], color=color, alpha=0.2, lw=0)
        ax.plot(d.index, d["oil_premium_usd"], color=color, lw=1.2, label=f"oil premium, {label} (90% band)")
    c = car.loc[:"2023-06"]
    ax.plot(c.index, c, color="k", lw=0.8, ls="--", label=f"Brent market-model CAR since {WAR_CAR_START}")
    ax.axhspan(*PUBLISHED_MARCH_2022, xmin=0, xmax=1, color="grey", alpha=0.08, label="published range, March 2022")
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_ylabel("USD per barrel")
    ax.set_title("Brent war premium, real data (../shared/data)")
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--gpr-start", default="2007-03-01", help="start of the long GPR robustness run ('' to skip)")
    parser.add_argument("--figure", type=Path, default=None)
    args = parser.parse_args(argv)
    if not args.shared.is_dir():
        print(f"no shared data at {args.shared}; nothing to validate", file=sys.stderr)
        return 2
    out = run(args.shared, seeds=args.seeds, gpr_start=args.gpr_start or None)
    print(report(out))
    if args.figure is not None:
        figure(out, args.figure)
        print(f"figure written to {args.figure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
