"""Validate the news measurement against an index nobody here wrote: the Caldara-Iacoviello GPR.

Reads ``../shared/data`` beside the repository (nothing is copied into the repo): the
RUWA, Guardian and BBC headlines (scored by georisk's default scorer, date-only
timestamps known at the end of their day), the daily GPR (GPRD) and the monthly GPR
with its Russia and Ukraine country indices (GPRC_RUS, GPRC_UKR).

Prints
1. correlations of ``attention`` (source-normalised relevant-article index) and of
   ``hawkish_intensity`` (the hawkish-weighted attention) with GPRD: daily, 5-day and
   20-day means, over 2020-2024 and over 2022 alone; and monthly with GPR, GPRC_RUS and
   GPRC_UKR; for the combined corpus and for Guardian+BBC alone; beside the superseded
   share of relevant articles (``relevant_share``) and the plain count of relevant
   headlines;
2. the event table: the news shock of the premium's state (``escalation_intensity``)
   on the session holding the articles of each event date, with the sign expected.

Run: ``python benchmarks/validate_news.py [--shared PATH]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shared_data import load_gpr, load_gpr_monthly, load_headlines

from georisk.calendar import assign_sessions
from georisk.premium import news_shocks
from georisk.scoring import score_articles
from georisk.signals import daily_signal, external_signal

#: Event dates (the day the articles are dated), what happened, and the expected sign of
#: the escalation shock: "+" escalation, "-" de-escalation.
EVENTS: list[tuple[str, str, str]] = [
    ("2022-02-21", "Russia recognises the Donetsk and Luhansk 'republics'", "+"),
    ("2022-02-24", "full-scale invasion", "+"),
    ("2022-03-29", "Istanbul talks: Russia pledges to scale down around Kyiv", "-"),
    ("2022-07-22", "Black Sea grain deal signed", "-"),
    ("2022-09-21", "partial mobilisation announced", "+"),
    ("2022-09-30", "annexation of four regions", "+"),
    ("2022-10-29", "Russia suspends the grain deal", "+"),
    ("2022-11-02", "Russia rejoins the grain deal", "-"),
    ("2023-07-17", "Russia quits the grain deal", "+"),
]
SPAN = ("2020-01-02", "2024-12-31")
MEASURES = ("attention", "hawkish_intensity", "relevant_share", "n_relevant")


def signals_by_corpus(shared: Path) -> tuple[dict[str, pd.DataFrame], int]:
    """The daily signal of the combined corpus and of Guardian+BBC alone."""
    arts, _quarantine = load_headlines(shared)
    scores = score_articles(arts, evidence=False)
    scores["source"] = arts["source"].to_numpy()
    kw = {"start": SPAN[0], "end": SPAN[1], "attention_base": ("2020-01-02", "2020-12-31")}
    combined = daily_signal(scores, **kw)  # type: ignore[arg-type]
    gb = daily_signal(scores[scores["source"].isin(["guardian", "bbc"])], **kw)  # type: ignore[arg-type]
    return {"combined (RUWA + Guardian + BBC)": combined, "Guardian + BBC": gb}, len(scores)


def daily_correlations(signal: pd.DataFrame, gprd: pd.Series) -> pd.DataFrame:
    """Correlation of each measure with GPRD: daily, 5- and 20-session means; all years and 2022."""
    rows = {}
    for m in MEASURES:
        both = pd.concat([signal[m].astype(float), gprd], axis=1, join="inner").dropna()
        row = {}
        for w in (1, 5, 20):
            r = both.rolling(w).mean().dropna()
            row[f"{w}d 2020-24"] = r.iloc[:, 0].corr(r.iloc[:, 1])
        y = both.loc["2022"].rolling(20).mean().dropna()
        row["20d 2022"] = y.iloc[:, 0].corr(y.iloc[:, 1])
        rows[m] = row
    return pd.DataFrame(rows).T


def monthly_correlations(signal: pd.DataFrame, monthly: pd.DataFrame) -> pd.DataFrame:
    """Correlation of each measure's monthly mean with GPR, GPRC_RUS and GPRC_UKR."""
    rows = {}
    for m in MEASURES:
        x = signal[m].astype(float).resample("MS").mean()
        rows[m] = {
            c: pd.concat([x, monthly[c]], axis=1, join="inner").dropna().corr().iloc[0, 1]
            for c in ("GPR", "GPRC_RUS", "GPRC_UKR")
        }
    return pd.DataFrame(rows).T


def event_table(signal: pd.DataFrame, zone: str = "Europe/London") -> pd.DataFrame:
    """The state's shock on the session that holds each event date's articles."""
    shocks = news_shocks(signal["escalation_intensity"], transform="asinh")
    sd = shocks["shock"].loc["2020-06":"2021-12"].std()
    rows = []
    for day, what, sign in EVENTS:
        # a headline dated `day` is known at the end of that day: it lands on the next session
        known = pd.Series([pd.Timestamp(day, tz=zone) + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)])
        session = assign_sessions(known, "XNYS")[0]
        shock = float(shocks.loc[session, "shock"])
        rows.append(
            {
                "articles of": day,
                "event": what,
                "session": str(session.date()),
                "shock": shock,
                "shock (pre-war sd)": shock / sd,
                "expected": sign,
                "as expected": bool((shock > 0) == (sign == "+")),
            }
        )
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = parser.parse_args(argv)
    if not args.shared.is_dir():
        print(f"no shared data at {args.shared}; nothing to validate", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    sigs, n = signals_by_corpus(args.shared)
    gprd = external_signal(load_gpr(args.shared)["GPRD"], name="gprd", start=SPAN[0], end=SPAN[1], zscore_window=None)
    monthly = load_gpr_monthly(args.shared)
    print(f"headlines scored: {n}")
    fmt = {"float_format": lambda v: f"{v:+.2f}"}
    for name, sig in sigs.items():
        print(f"\n== {name}: correlation with GPRD (daily index, on NYSE sessions)")
        print(daily_correlations(sig, gprd["gprd"]).to_string(**fmt))  # type: ignore[arg-type]
        print(f"== {name}: monthly correlation with the GPR and the Russia and Ukraine country indices")
        print(monthly_correlations(sig, monthly).to_string(**fmt))  # type: ignore[arg-type]
    ev = event_table(sigs["combined (RUWA + Guardian + BBC)"])
    print("\n== event table, combined corpus: shock of escalation_intensity (asinh, AR(5) innovation)")
    print(ev.to_string(index=False, float_format=lambda v: f"{v:+.2f}"))
    print(f"as expected: {int(ev['as expected'].sum())} of {len(ev)}")
    print(f"\ntotal {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
