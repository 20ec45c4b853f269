"""The shipped labelled corpus, evaluate_scorer, the audit commands, and the seed articles."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tools.make_corpus import build, to_jsonl

from georisk.cli import main
from georisk.errors import ConfigError, InputDataError
from georisk.scoring import LABELS, LexiconScorer, evaluate_scorer, load_labelled_corpus


def test_corpus_is_large_varied_and_rebuilt_byte_for_byte():
    corpus = load_labelled_corpus()
    assert len(corpus) >= 600
    assert set(corpus["label"]) == set(LABELS)
    assert corpus["label"].value_counts().min() >= 60
    assert corpus["text"].is_unique
    assert {"israel-iran", "china-taiwan", "india-pakistan", "sudan"} <= set(corpus["conflict"])
    hawk = corpus[corpus["label"] == "hawkish"]
    assert set(hawk["kind"].dropna()) == {"threat", "act"}
    holdout = load_labelled_corpus(split="holdout")
    assert 0.1 < len(holdout) / len(corpus) < 0.3
    assert set(holdout["label"]) == set(LABELS)
    shipped = Path(__file__).resolve().parents[2] / "src/georisk/scoring/resources/labelled_corpus.jsonl"
    assert to_jsonl(build()) == shipped.read_text("utf-8")
    # every record says which conflict it names; off-topic text names none
    assert (corpus.loc[corpus["label"] == "off_topic", "conflict"] == "none").all()
    assert not corpus["conflict"].isin(["", "hand"]).any()
    assert {"russia-ukraine", "unnamed", "israel-gaza", "sudan", "yemen", "libya"} <= set(corpus["conflict"])
    # the hold-out has the added kinds of sentence too: deal endings, missed summits, other conflicts
    for text in (
        "Talks on a maritime truce fell apart",
        "The Kremlin scrapped the energy truce",
        "The Ukrainian president will miss",
        "Sudan's warring parties accepted",
    ):
        assert holdout["text"].str.startswith(text).any(), text


def test_labelled_file_errors_name_line_and_field(tmp_path: Path):
    f = tmp_path / "labels.jsonl"
    f.write_text('{"text": "ok", "label": "peace"}\n{"text": "x", "label": "war"}\n', encoding="utf-8")
    with pytest.raises(InputDataError, match=r"labels\.jsonl, line 2, field 'label'"):
        load_labelled_corpus(f)
    f.write_text('{"text": "ok", "label": "peace"}\n{not json\n', encoding="utf-8")
    with pytest.raises(InputDataError, match=r"line 2: malformed JSON"):
        load_labelled_corpus(f)
    with pytest.raises(ConfigError, match="does not exist"):
        load_labelled_corpus(tmp_path / "missing.jsonl")


class _Oracle:
    """A scorer that reads the answer from the text: perfect ranking, for checking the metrics."""

    n_features_in_ = 1

    def transform(self, texts: list[str]) -> pd.DataFrame:
        rows = []
        for t in texts:
            rows.append(
                {
                    "hawkish_tilt": float(t.startswith(("H", "M"))),
                    "peace_trade": float(t.startswith(("P", "M"))),
                    "relevance": float(not t.startswith("O")),
                }
            )
        return pd.DataFrame(rows)


def test_evaluate_scorer_metrics_are_right():
    labelled = pd.DataFrame(
        {
            "text": ["H1", "H2", "P1", "M1", "N1", "O1"],
            "label": ["hawkish", "hawkish", "peace", "mixed", "neutral", "off_topic"],
        }
    )
    ev = evaluate_scorer(_Oracle(), labelled)
    assert (ev.metrics["precision"] == 1.0).all() and (ev.metrics["recall"] == 1.0).all()
    assert (ev.metrics["roc_auc"] == 1.0).all()
    assert ev.accuracy == 1.0
    assert int(np.trace(ev.confusion.to_numpy())) == 6
    assert ev.metrics.loc["hawkish", "n_positive"] == 3
    # a scorer that always says "hawkish" has precision = base rate and AUC 0.5
    flat = evaluate_scorer(LexiconScorer(), pd.DataFrame({"text": ["a b", "c d"], "label": ["hawkish", "peace"]}))
    assert flat.metrics.loc["hawkish", "roc_auc"] == 0.5
    with pytest.raises(ConfigError, match="unknown label"):
        evaluate_scorer(_Oracle(), pd.DataFrame({"text": ["x"], "label": ["war"]}))


def test_default_scorer_on_the_hold_out_beats_chance():
    ev = evaluate_scorer()
    assert (ev.metrics["roc_auc"] > 0.85).all(), ev.summary()
    assert ev.accuracy > 0.45


def test_cli_evaluate_scorer_and_explain(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    labels = tmp_path / "labels.jsonl"
    rows = [
        {"text": "Russia launched a massive missile barrage on Kyiv.", "label": "hawkish"},
        {"text": "Moscow refused a ceasefire and vowed to fight on.", "label": "hawkish"},
        {"text": "Kyiv and Moscow agreed to a prisoner swap.", "label": "peace"},
        {"text": "Negotiators agreed a ceasefire in Istanbul.", "label": "peace"},
        {"text": "The derby ended in a draw after a late goal.", "label": "off_topic"},
    ]
    labels.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert main(["evaluate-scorer", str(labels), "--scorer", "lexicon"]) == 0
    out = capsys.readouterr().out
    assert "roc_auc" in out and "confusion" in out and "5 labelled texts" in out
    assert main(["evaluate-scorer", str(tmp_path / "nope.jsonl")]) == 2
    arts = tmp_path / "a.jsonl"
    arts.write_text(
        json.dumps({"id": "x1", "published_at": "2024-03-01T10:00:00Z", "text": "Moscow refused a ceasefire."}) + "\n",
        encoding="utf-8",
    )
    assert main(["score", "--articles", str(arts), "--explain", "x1", "--scorer", "lexicon"]) == 0
    out = capsys.readouterr().out
    assert "hawkish-threat:ceasefire(negated)=1.5" in out and "hawkish_tilt" in out
    assert main(["score", "--articles", str(arts), "--explain", "missing"]) == 3


def test_seed_articles_score_as_a_reader_would(shared_dir: Path):
    from georisk.articles import load_articles_report
    from georisk.scoring import score_articles

    seeds = shared_dir / "seeds"
    names = sorted(p.name for p in seeds.glob("0*.txt"))
    stamps = {name: f"2025-05-{10 + i:02d}T12:00:00Z" for i, name in enumerate(names)}
    rep = load_articles_report(seeds, timestamps=stamps, on_invalid="quarantine")
    arts, quarantine = rep.articles, rep.quarantine
    assert quarantine["file"].str.endswith("README.md").tolist() == [True]  # no timestamp: quarantined, not dropped
    scores = score_articles(arts).set_index(arts["source"] + "/" + arts["id"])
    assert len(scores) == 5
    assert (scores["relevance"] > 0.9).all()
    by_title = dict(zip(arts["title"], scores.to_dict(orient="records"), strict=True))
    hawks = next(v for k, v in by_title.items() if k.startswith("Russian Hawks Push Putin"))
    assert hawks["hawkish_tilt"] > 0.7 and hawks["hawkish_tilt"] > hawks["peace_trade"] + 0.2
    pushes = next(v for k, v in by_title.items() if k.startswith("President Trump Pushes"))
    assert pushes["hawkish_tilt"] > 0.5 and pushes["peace_trade"] > 0.5  # both forces: a mixed article
    assert pushes["sanctions"] > 0.5
    talks = next(v for k, v in by_title.items() if k.startswith("US and Russia Hold Secret Talks"))
    assert talks["peace_trade"] > talks["hawkish_tilt"] + 0.3  # backchannel talks: peace-leaning
