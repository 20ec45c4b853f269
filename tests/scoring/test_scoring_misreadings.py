"""Misreadings of the events the product exists for (issue 15, point 4), and the peace news that must stay peace.

The figures in the comments are the default blend before the fix (hawkish / peace).
"""

from __future__ import annotations

import pandas as pd
import pytest

from georisk.scoring import BlendedScorer, LexiconScorer

# deals, corridors, truces and talks that end; annexation; mobilisation; sanctions
HAWKISH = [
    "Russia suspends Ukraine grain deal after attack on Sevastopol naval base",  # 0.07 / 0.46
    "Russia quits Black Sea grain deal",  # 0.17 / 0.50
    "Russia pulls out of Black Sea grain deal",  # 0.23 / 0.44
    "Putin signs documents to annex Ukrainian regions",  # 0.01 / 0.02
    "Zelenskyy walks out of talks",  # 0.09 / 0.05 (0.70 peace in the run)
    "Zelenskyy walks out of peace talks",  # 0.10 / 0.43
    "US sanctions Rosneft and Lukoil",  # 0.15 / 0.10
    "EU threatens new sanctions on Russian oil",
    "Putin announces partial mobilisation",
    "Kyiv says the Easter truce with Moscow has collapsed",
    "The Black Sea grain corridor expired after Russia refused to extend it",
    "Moscow scraps the energy ceasefire with Kyiv",
    "Russia exits the grain deal and warns ships away from Odesa",
    "Russian forces violated the ceasefire in Donetsk overnight",
]
# peace news that must stay peace news
PEACE = [
    "Black Sea grain deal extended for 60 days",
    "Russia and Ukraine resume talks in Istanbul",
    "Talks resume in Istanbul between Russian and Ukrainian delegations",
    "Ceasefire agreed in eastern Ukraine",
    "Russia and Ukraine complete prisoner swap",
    "Moscow rejoins the Black Sea grain deal",
    "Kyiv and Moscow agree to extend the energy truce",
]


@pytest.fixture(scope="module")
def blend() -> BlendedScorer:
    return BlendedScorer().fit()


@pytest.fixture(scope="module")
def lex() -> LexiconScorer:
    return LexiconScorer().fit()


def test_deal_endings_annexation_mobilisation_and_sanctions_read_hawkish(blend: BlendedScorer):
    out = blend.transform(HAWKISH)
    table = out[["hawkish_tilt", "peace_trade", "relevance"]].round(2).assign(text=HAWKISH)
    assert (out["hawkish_tilt"] >= 0.45).all(), table
    assert (out["hawkish_tilt"] > out["peace_trade"] + 0.3).all(), table
    assert (out["peace_trade"] < 0.2).all(), table
    assert (out["relevance"] > 0.5).all(), table


def test_a_missed_summit_is_not_peace(blend: BlendedScorer, lex: LexiconScorer):
    text = "Putin to miss South Africa summit amid row over possible arrest"  # peace 0.42 before
    out = blend.transform([text])
    assert out.loc[0, "peace_trade"] < 0.1 and out.loc[0, "hawkish_tilt"] < 0.1
    assert out.loc[0, "relevance"] > 0.2  # still Russia-Ukraine news
    assert lex.explain([text]) == ["missed:summit=0"]
    for skipped in (
        "Zelensky will skip the summit in Brussels",
        "Putin will not attend the summit, the Kremlin said",
        "The summit with Putin was postponed",
    ):
        assert lex.transform([skipped]).loc[0, "peace_trade"] == 0.0, skipped
    # attending one is still peace news
    assert lex.transform(["Putin will attend the summit with Zelensky"]).loc[0, "peace_trade"] > 0.5


def test_ordinary_peace_news_still_reads_as_peace(blend: BlendedScorer):
    out = blend.transform(PEACE)
    table = out[["hawkish_tilt", "peace_trade"]].round(2).assign(text=PEACE)
    assert (out["peace_trade"] >= 0.5).all(), table
    assert (out["peace_trade"] > out["hawkish_tilt"] + 0.3).all(), table


def test_endings_are_named_in_the_evidence(lex: LexiconScorer):
    assert lex.explain(["Russia quits Black Sea grain deal"]) == ["hawkish-act:grain deal(ended)=1.5"]
    assert lex.explain(["The truce in Kherson collapsed"]) == ["hawkish-act:truce(ended)=1.5"]
    # "talks" alone is no peace term, but talks that end are hawkish news
    assert "hawkish-act:talks(ended)=1" in lex.explain(["Zelenskyy walks out of talks"])[0]
    assert lex.transform(["Zelenskyy joins talks"]).loc[0, "hawkish_tilt"] == 0.0


def test_a_threatened_or_negated_ending(lex: LexiconScorer):
    threat, kept, hedged = lex.transform(
        [
            "Putin threatens to quit the grain deal",
            "Moscow will not quit the grain deal, Peskov said",
            "Russia could suspend the grain deal",
        ]
    ).to_dict(orient="records")
    assert threat["hawkish_threat"] > 0.5 and threat["hawkish_act"] == 0.0 and threat["peace_trade"] == 0.0
    assert kept["peace_trade"] > 0.5 and kept["hawkish_tilt"] == 0.0
    assert hedged["hawkish_threat"] > 0.3 and hedged["hawkish_act"] == 0.0
    assert "grain deal(ending negated)" in lex.explain(["Moscow will not quit the grain deal"])[0]


def test_an_ending_reaches_only_what_it_ends(lex: LexiconScorer):
    out = lex.transform(
        [
            # "under" stops the scope: Kherson is left, the ceasefire is not ended
            "Russian troops withdrew from Kherson under the ceasefire",
            # "following" opens a new clause
            "The Russian Grand Prix was cancelled following the invasion of Ukraine",
            # an ending over a hawkish act is a de-escalation (a negated hawkish term)
            "Ukraine halts the offensive near Bakhmut",
        ]
    )
    assert out.loc[0, "peace_trade"] > 0.5 and out.loc[0, "hawkish_tilt"] == 0.0
    assert out.loc[1, "hawkish_act"] > 0.5 and out.loc[1, "peace_trade"] == 0.0
    assert out.loc[2, "peace_trade"] > 0.3 and out.loc[2, "hawkish_tilt"] == 0.0


def test_overlapping_terms_keep_the_first(lex: LexiconScorer):
    threat, lift = lex.transform(
        ["Washington threatens new sanctions on Moscow", "The EU will lift sanctions against Belarus potash"]
    ).to_dict(orient="records")
    assert threat["hawkish_threat"] > 0.7 and threat["hawkish_act"] == 0.0
    assert lift["peace_trade"] > 0.7 and lift["hawkish_tilt"] == 0.0


def test_annexed_crimea_in_passing_is_not_an_annexation(lex: LexiconScorer):
    out = lex.transform(["Blasts rock an airbase in annexed Crimea", "Russia annexes four regions of Ukraine"])
    assert out.loc[0, "hawkish_act"] == 0.0 and out.loc[0, "relevance"] > 0.2
    assert out.loc[1, "hawkish_act"] > 0.7


def test_the_corpus_teaches_the_model_the_same(blend: BlendedScorer):
    # the supervised model alone: ended deals are not peace to it either
    model = blend.supervised_scorer_
    assert model is not None
    heads = model.predict_proba_heads(pd.Series(HAWKISH[:4] + PEACE[:4]))
    assert (heads["hawkish"].iloc[:4].to_numpy() > heads["peace"].iloc[:4].to_numpy()).all(), heads
    assert (heads["peace"].iloc[4:].to_numpy() > heads["hawkish"].iloc[4:].to_numpy()).all(), heads
