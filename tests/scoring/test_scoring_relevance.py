"""Relevance: off-topic text is not relevant, text naming the conflict is; "advanced" needs a military context."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from georisk.scoring import BlendedScorer, LexiconScorer, default_scorer, score_articles

OFF_TOPIC = [
    "Apple released a new iPhone today.",
    "The football club signed a new striker on a four-year contract.",
    "The film premiered at the festival to warm reviews from critics.",
    "Stir the onions until golden, then add the garlic and simmer for ten minutes.",
    "The chip maker unveiled a faster laptop processor at its developer conference.",
    "The home side won the derby with a late goal in stoppage time.",
]
CONFLICT = [
    "Russian forces shelled Kharkiv overnight, killing three civilians.",
    "Ukraine and Russia agreed a prisoner swap at talks in Istanbul.",
    "Moscow threatened to strike Kyiv if Western long-range missiles were delivered.",
    "Peace talks with Moscow advanced on Tuesday.",
    "Troops advanced on Bakhmut after a heavy artillery barrage.",
    "The Kremlin said a ceasefire in Zaporizhzhia was not on the table.",
]
DECOY_TITLES = ("In other news", "Weekend round-up", "Business briefing")


@pytest.fixture(scope="module")
def scorer() -> BlendedScorer:
    return default_scorer().fit()


def test_off_topic_sentences_are_not_relevant(scorer: BlendedScorer):
    out = scorer.transform(OFF_TOPIC)
    assert (out["relevance"] < 0.2).all(), out["relevance"].round(3).tolist()
    # the model alone is not what says so: it rates such text near its (mostly on-topic) base rate
    model = scorer.supervised_scorer_.predict_proba_heads(OFF_TOPIC)["relevant"]  # type: ignore[union-attr]
    assert (model > 0.2).any()


def test_conflict_sentences_are_relevant(scorer: BlendedScorer):
    out = scorer.transform(CONFLICT)
    assert (out["relevance"] > 0.5).all(), out["relevance"].round(3).tolist()


def test_relevance_gate_is_the_weighted_harmonic_mean():
    from georisk.scoring._blend import LEXICON_RELEVANCE_FLOOR, _gated_relevance

    lex, model = np.array([0.0, 0.0, 0.1, 0.63, 1.0, 0.5]), np.array([0.9, 0.5, 0.9, 0.98, 1.0, 0.0])
    half = [1 / (50 + 0.5 / 0.9), 1 / (50 + 1.0), 0.18, 0.766957, 1.0, 0.0]
    np.testing.assert_allclose(_gated_relevance(lex, model, 0.5), half, atol=1e-6)
    quarter = [1 / (25 + 0.75 / 0.9), 1 / (25 + 1.5), 1 / (2.5 + 0.75 / 0.9), 1 / (0.25 / 0.63 + 0.75 / 0.98), 1, 0]
    np.testing.assert_allclose(_gated_relevance(lex, model, 0.25), quarter)
    # no lexicon evidence: below floor / w whatever the model says, and still ordered by the model
    assert LEXICON_RELEVANCE_FLOOR / 0.5 < 0.2
    np.testing.assert_array_equal(_gated_relevance(lex, model, 1.0), lex)
    np.testing.assert_array_equal(_gated_relevance(lex, model, 0.0), model)


def test_sample_decoys_fall_below_and_conflict_articles_above_the_threshold(sample):
    arts = sample.articles
    decoy = arts["title"].fillna("").str.startswith(DECOY_TITLES).to_numpy()
    assert 20 < decoy.sum() < len(arts) // 4  # the sample has off-topic decoys, and mostly conflict news
    rel = score_articles(arts)["relevance"].to_numpy()
    assert (rel[decoy] < 0.2).mean() >= 0.9
    # conflict articles that name a party or place of the war; the synthetic sample also has
    # some that name only a venue ("Envoys met in Alaska for a new round of talks"), which are
    # not Russia-Ukraine news by the conflict file's definition and score 0
    named = LexiconScorer().conflict_gate(arts) > 0
    assert (named[~decoy]).mean() > 0.75
    assert (rel[~decoy & named] > 0.2).mean() >= 0.95
    assert (rel[~decoy & named] > 0.5).mean() >= 0.9
    assert (rel[~named] == 0.0).all()


def test_advanced_is_an_act_only_with_a_military_subject_or_object():
    lex = LexiconScorer().fit(None)
    texts = [
        "Peace talks advanced on Tuesday.",
        "Negotiations advanced and a draft was agreed.",
        "The backchannel has quietly advanced a draft peace deal.",
        "Troops advanced on Bakhmut.",
        "Russian forces advanced into the outskirts of Pokrovsk.",
    ]
    out = lex.transform(texts)
    assert out["hawkish_act"].tolist()[:3] == [0.0, 0.0, 0.0]
    assert (out["peace_trade"].iloc[:3] > 0).all()
    assert (out["hawkish_act"].iloc[3:] > 0.5).all()
    blend = default_scorer().fit().transform(pd.Series(texts[:1]))
    assert blend.loc[0, "peace_trade"] > blend.loc[0, "hawkish_tilt"] + 0.3
