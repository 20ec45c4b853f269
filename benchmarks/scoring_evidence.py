"""Evidence for the scorers: the authored hold-out, a VADER baseline, and real dated headlines.

    python benchmarks/scoring_evidence.py [--shared PATH] [--top 10]

1. Hold-out of the shipped labelled corpus (split by template, never trained on):
   precision, recall and ROC AUC per target for the lexicon, the supervised model and
   the default blend (``georisk.scoring.evaluate_scorer``). Relevance is relevance to the
   scorer's conflict: a record counts as relevant when it is conflict news and names that
   conflict (its ``conflict`` tag); the same for the China-Taiwan file, and the share of
   the hold-out's other-conflict texts each file scores relevant.
2. The same hold-out scored by VADER, a plain sentiment baseline a user might reach for
   (``pip install vaderSentiment``; a research comparison only, not a georisk
   dependency): ROC AUC of its negative and compound scores for hawkish, positive and
   compound for peace, 1 - neutral for relevance, and precision/recall at VADER's own
   cut-offs (compound <= -0.05 negative, >= 0.05 positive).
3. The default scorer on the dated real headlines in ``../shared/data/news-ruwa/`` and
   ``../shared/data/news-guardian-bbc-russia-ukraine/`` (loaded through
   ``georisk.load_articles`` by ``shared_data.load_headlines``): per source (Guardian, BBC,
   RUWA), the share scored relevant and the share naming none of the conflict's names,
   quantiles of hawkish, peace and relevance, and the most hawkish and most peace-leaning
   headlines. Nothing is copied into the repository.

Exits with a message (status 0) when ``../shared/data`` is absent; VADER's part is skipped
with a message when vaderSentiment is not installed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
from sklearn.metrics import roc_auc_score

from georisk.scoring import (
    BlendedScorer,
    LexiconScorer,
    SupervisedScorer,
    evaluate_scorer,
    load_labelled_corpus,
    score_articles,
    shipped_conflicts,
)
from georisk.scoring._corpus import targets_from_labels

RELEVANT = 0.2  # the signal's default relevance threshold (SignalConfig.relevance_threshold)
QUANTILES = [0.1, 0.25, 0.5, 0.75, 0.9, 0.99]


def holdout_metrics() -> None:
    """Print hold-out metrics of the three georisk scorers, relevance judged per conflict."""
    print("== hold-out of the shipped labelled corpus (threshold 0.5) ==")
    frame = load_labelled_corpus(split="holdout")
    for conflict in ("russia_ukraine", "china_taiwan"):
        for name, scorer in (
            ("lexicon", LexiconScorer(conflict=conflict)),
            ("supervised", SupervisedScorer(conflict=conflict)),
            ("default blend", BlendedScorer(conflict=conflict)),
        ):
            ev = evaluate_scorer(scorer)
            tag = ev.metrics.attrs["conflict"]
            print(f"\n-- {name} [{conflict}]: {len(ev.scores)} texts, five-label accuracy {ev.accuracy:.3f}")
            cols = ["n_positive", "precision", "recall", "roc_auc"]
            print(ev.metrics[cols].to_string(float_format=lambda v: f"{v:.3f}"))
            other = (frame["label"] != "off_topic") & ~frame["conflict"].isin([tag, "unnamed"])
            share = (ev.scores.loc[other, "relevance"] >= RELEVANT).mean()
            n_other = int(other.sum())
            print(f"   news of other conflicts scored relevant (>= {RELEVANT}): {share:.1%} of {n_other}")
    print()
    floor_of_neutral_text()


def floor_of_neutral_text() -> None:
    """Print the default scorer's median hawkish and peace on hold-out texts with no force in them."""
    frame = load_labelled_corpus(split="holdout")
    scores = BlendedScorer().fit().transform(frame["text"].tolist())
    scores["label"] = frame["label"].to_numpy()
    print("== default blend on hold-out texts that carry neither force (median, max) ==")
    for label in ("neutral", "off_topic"):
        part = scores[scores["label"] == label]
        print(
            f"  {label:9} n={len(part):3}: hawkish_tilt median {part['hawkish_tilt'].median():.3f} "
            f"max {part['hawkish_tilt'].max():.3f}; peace_trade median {part['peace_trade'].median():.3f} "
            f"max {part['peace_trade'].max():.3f}"
        )
    print()


def vader_baseline() -> None:
    """Print the VADER baseline on the same hold-out."""
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        print("== VADER baseline skipped: pip install vaderSentiment (research comparison only) ==\n")
        return
    frame = load_labelled_corpus(split="holdout")
    sia = SentimentIntensityAnalyzer()
    pol = pd.DataFrame([sia.polarity_scores(t) for t in frame["text"]])
    y = targets_from_labels(frame["label"], frame["conflict"], "russia-ukraine")
    print(f"== VADER on the same hold-out ({len(frame)} texts) ==")
    rows = [
        ("hawkish", "neg", pol["neg"]),
        ("hawkish", "-compound", -pol["compound"]),
        ("peace", "pos", pol["pos"]),
        ("peace", "compound", pol["compound"]),
        ("relevant", "1 - neu", 1.0 - pol["neu"]),
    ]
    for target, name, s in rows:
        print(f"  ROC AUC {target:9} from VADER {name:10}: {roc_auc_score(y[target], s):.3f}")
    for target, pred in (("hawkish", pol["compound"] <= -0.05), ("peace", pol["compound"] >= 0.05)):
        t = y[target].to_numpy() == 1
        p = pred.to_numpy()
        tp = int((p & t).sum())
        prec = tp / p.sum() if p.sum() else float("nan")
        print(f"  {target:8} at compound cut-off: precision {prec:.3f}, recall {tp / t.sum():.3f}")
    print()


def real_headlines(shared: Path, top: int, conflict: str) -> None:
    """Score the real headlines and print distributions and the extremes per source."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from shared_data import load_headlines

    arts, quarantine = load_headlines(shared)
    scorer = BlendedScorer(conflict=conflict).fit()
    scores = score_articles(arts, scorer, evidence=True)
    scores["title"] = arts["title"]
    scores["corpus"] = arts["source"].str.split(":").str[0].map({"ruwa": "news-ruwa"}).fillna(arts["source"])
    scores["named"] = scorer.lexicon_scorer_.conflict_gate(arts) > 0
    print(f"== real headlines, conflict file {conflict}: {len(arts)} loaded, {len(quarantine)} quarantined ==")
    pd.set_option("display.width", 200)
    for corpus, part in scores.groupby("corpus"):
        rel = part["relevance"] >= RELEVANT
        print(
            f"\n-- {corpus}: {len(part)} headlines; relevant (>= {RELEVANT}): {int(rel.sum())} ({rel.mean():.1%}); "
            f"naming none of the conflict's names: {(~part['named']).mean():.1%}"
        )
        dist = part[["hawkish_tilt", "peace_trade", "relevance"]].quantile(QUANTILES)
        print(dist.to_string(float_format=lambda v: f"{v:.3f}"))
        print(
            f"share with hawkish_tilt >= 0.5: {(part['hawkish_tilt'] >= 0.5).mean():.1%}; "
            f"peace_trade >= 0.5: {(part['peace_trade'] >= 0.5).mean():.1%}"
        )
        off = part[~rel]
        print(
            f"headlines scored irrelevant (n={len(off)}): median hawkish_tilt {off['hawkish_tilt'].median():.3f}, "
            f"median peace_trade {off['peace_trade'].median():.3f}"
        )
        for col in ("hawkish_tilt", "peace_trade"):
            # what the signal sees: the tone of the headlines relevant to the conflict
            print(f"\n   top {top} by {col} among relevant headlines (date, hawkish, peace, relevance, headline):")
            best = part[rel].sort_values([col, "id"], ascending=[False, True]).head(top)
            for _, r in best.iterrows():
                print(
                    f"   {r['published_at']:%Y-%m-%d}  h={r['hawkish_tilt']:.2f} p={r['peace_trade']:.2f} "
                    f"r={r['relevance']:.2f}  {r['title'][:110]}"
                )


def main(argv: list[str] | None = None) -> int:
    """Run the evidence."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--skip-holdout", action="store_true", help="only the real headlines")
    parser.add_argument("--conflict", default="russia_ukraine", help=f"conflict file: {shipped_conflicts()} or a path")
    args = parser.parse_args(argv)
    if not args.skip_holdout:
        holdout_metrics()
        vader_baseline()
    if not (args.shared / "news-ruwa").is_dir():
        print(f"{args.shared} has no news-ruwa folder: the real-headline part is skipped (it needs ../shared/data)")
        return 0
    real_headlines(args.shared, args.top, args.conflict)
    return 0


if __name__ == "__main__":
    sys.exit(main())
