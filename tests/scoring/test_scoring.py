"""Scorers: lexicon rules, supervised model, blend, scikit-learn contract, score_articles."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from georisk.errors import ConfigError
from georisk.scoring import (
    SCORE_COLUMNS,
    BlendedScorer,
    LexiconScorer,
    SupervisedScorer,
    load_lexicon,
    score_articles,
)


@pytest.fixture(scope="module")
def supervised() -> SupervisedScorer:
    return SupervisedScorer().fit()


@pytest.fixture(scope="module")
def blended() -> BlendedScorer:
    return BlendedScorer().fit()


def _lex(texts: list[str]) -> pd.DataFrame:
    return LexiconScorer().fit(None).transform(texts)


def _bare(evidence: list[str]) -> list[str]:
    """Evidence without the conflict-gate note: these rule tests name no party on purpose."""
    return ["; ".join(p for p in e.split("; ") if not p.startswith("no-names:")) for e in evidence]


# ---------------------------------------------------------------- lexicon rules


def test_negation_turns_peace_into_hawkish_threat():
    s = _lex(
        [
            "Russian officials signalled no intention to pause fighting.",
            "Moscow refused a ceasefire.",
            "Moscow agreed to a ceasefire.",
        ]
    )
    assert s.loc[0, "hawkish_threat"] > 0.5 and s.loc[0, "peace_trade"] == 0.0
    assert s.loc[1, "hawkish_threat"] > 0.5 and s.loc[1, "peace_trade"] == 0.0
    assert s.loc[2, "peace_trade"] > 0.5 and s.loc[2, "hawkish_tilt"] == 0.0


def test_a_multi_word_cue_counts_when_it_ends_inside_the_window():
    s = LexiconScorer(negation_window=4).fit()
    # the cue "fail to" ends 4 words before "ceasefire" ("to make progress towards"): negated
    assert _bare(s.explain(["Talks fail to make progress towards ceasefire."])) == [
        "hawkish-threat:ceasefire(negated)=1.5"
    ]
    # one word further, outside the window: plain peace news
    assert _bare(s.explain(["Talks fail to make real progress towards ceasefire."])) == ["peace:ceasefire=1.5"]
    assert s.explain(["Russia's rejection of ceasefire proposals stalled the effort."]) == [
        "hawkish-threat:ceasefire(negated)=1.5"
    ]
    assert LexiconScorer(negation_window=0).fit().explain(["Moscow refused a ceasefire."]) == ["peace:ceasefire=1.5"]


def test_negation_is_scoped_to_its_clause_not_a_fixed_window():
    s = LexiconScorer().fit()
    # seven words between cue and term, one clause: the exchange is rejected (the old fixed
    # window of 4 words scored this as peace news)
    assert s.explain(["Kremlin dismisses Kyiv's offer to free jailed oligarch in prisoner swap."]) == [
        "hawkish-threat:prisoner swap(negated)=1.5"
    ]
    assert _bare(s.explain(["Talks fail to make real progress towards ceasefire."])) == [
        "hawkish-threat:ceasefire(negated)=1.5"
    ]
    # a clause break ends the scope: punctuation, or a word such as "but", "while", "as", "after"
    for text in (
        "Moscow rejected the plan, but agreed to a prisoner swap.",
        "Moscow rejected the plan but agreed to a prisoner swap.",
        "The governor denied the reports as envoys agreed to a prisoner swap.",
        "Officials declined to comment after envoys agreed to a prisoner swap.",
        "Moscow rejected the plan \u2014 envoys agreed to a prisoner swap.",
    ):
        assert "negated" not in s.explain([text])[0], text
    # a cue governs its own clause's terms: "stalls" reaches back to nothing
    out = s.transform(["Trump pushes ceasefire while Putin stalls.", "Kremlin refused a ceasefire while Kyiv stalls."])
    assert out.loc[0, "peace_trade"] > 0.5 and out.loc[0, "hawkish_tilt"] == 0.0
    assert out.loc[1, "hawkish_threat"] > 0.5 and out.loc[1, "peace_trade"] == 0.0
    # and stops at a term of the other direction; coordinated terms of one direction share it
    assert s.explain(["Moscow refused a ceasefire and launched an offensive."]) == [
        "hawkish-act:offensive=1.5; hawkish-threat:ceasefire(negated)=1.5"
    ]
    assert s.explain(["Moscow rejected a ceasefire and a prisoner swap."]) == [
        "hawkish-threat:ceasefire(negated)=1.5; hawkish-threat:prisoner swap(negated)=1.5"
    ]
    # a hawkish term far after "not" is a given, not denied: only the short reach applies to it
    assert _bare(s.explain(["The mayor did not tell residents about the coming invasion."])) == [
        "hawkish-act:invasion=1"
    ]
    assert _bare(s.explain(["The minister ruled out new sanctions."])) == ["peace:new sanctions(negated)=0.75"]
    # beyond the largest window even one clause is not negated
    far = "Moscow rejected calls from the mayors of several big and small towns for a ceasefire."
    assert s.explain([far]) == ["peace:ceasefire=1.5"]
    assert LexiconScorer(negation_window=14).fit().explain([far]) == ["hawkish-threat:ceasefire(negated)=1.5"]
    # the breaks are lexicon data: a user can add one
    text = "Moscow rejected the plan meanwhile Kyiv proposed a truce."
    assert s.explain([text]) == ["hawkish-threat:truce(negated)=1.5"]
    lex = load_lexicon().extended(scope_breaks=["meanwhile"])
    assert LexiconScorer(lexicon=lex).explain([text]) == ["peace:truce=1.5"]
    with pytest.raises(ConfigError, match="single words"):
        load_lexicon().extended(scope_breaks=["even as"])
    with pytest.raises(ConfigError, match="modifier_window"):
        LexiconScorer(modifier_window=-1).fit()


def test_peace_words_in_another_sense_are_not_peace_news():
    s = LexiconScorer().fit()
    other = [
        "Ministers report progress in talks about supplying more fighter jets to Kyiv.",
        "EU leaders back membership talks with Moldova at summit.",
        "Berlin agreed to send more tanks to Ukraine.",
        "Naftogaz and Gazprom reach a deal on gas transit fees.",
        "Biden pledges more shells for Ukraine as the NATO summit opens in Vilnius.",
        "Kyiv and London sign a trade agreement on steel.",
    ]
    out = s.transform(other)
    assert (out["peace_trade"] == 0.0).all(), out["peace_trade"].tolist()
    ev = s.explain(other)
    assert (
        ev[0].startswith("other-sense:progress in talks(about fighter)") and "other-sense:summit(nato summit)" in ev[4]
    )
    # the same words about ending the war stay peace news, and specific terms are never dropped
    peace = [
        "Envoys report progress in talks about a ceasefire in Donbas.",
        "Kyiv and Moscow reach a deal on a prisoner swap.",
        "Putin and Trump agreed to a summit in Alaska.",
        "Russia and Ukraine agreed to a ceasefire and tanks withdrew from the line.",
        "Zelensky wants a ceasefire and more weapons.",
    ]
    assert (s.transform(peace)["peace_trade"] > 0.5).all()
    assert "other-sense" not in " ".join(s.explain(peace))
    # a clause break or another term between the generic word and the topic keeps the sense
    assert s.explain(["Envoys reached a deal, and shells kept falling."])[0].startswith("peace:deal")
    # the rules are lexicon data, so another conflict configures its own
    assert s.lexicon_.topic_reach == 8 and "accession" in s.lexicon_.other_topics
    far = "EU countries made progress in talks with Kyiv regarding the delivery of more fighter jets."
    assert s.explain([far])[0].startswith("other-sense:progress in talks(about fighter)")
    near = LexiconScorer(lexicon=dataclasses.replace(load_lexicon(), topic_reach=4)).fit()
    assert near.explain([far]) == ["peace:progress in talks=1.5"]
    # "fighters" are also soldiers: not a topic word
    assert s.explain(["Kyiv and Moscow began negotiations on returning wounded fighters."]) == ["peace:negotiations=1"]


def test_a_text_that_opens_with_its_title_is_scored_once():
    frame = pd.DataFrame(
        {
            "title": ["Envoys agree ceasefire", "Envoys agree ceasefire"],
            "text": ["Envoys agree ceasefire. Talks in Riyadh ended late.", "Talks in Riyadh ended late."],
        }
    )
    ev = _bare(LexiconScorer().explain(frame))
    assert ev[0] == ev[1] == "peace:ceasefire=1.5"


def test_act_inflections_from_real_headlines_need_a_military_sense():
    s = _lex(
        [
            "Russian forces capture Ukraine's second-biggest power station.",
            "Russia bombards Kharkiv as the US imposes sanctions.",
            "The photographer captures the northern lights over Kyiv.",
            "Rail strikes hit Russian commuters on Monday.",
            "Heatwave kills 20 in southern Russia.",
            "Russian investors shelled out $2bn for Moscow flats.",
            "Russian missile strike kills 10 in Dnipro.",
        ]
    )
    assert s.loc[0, "hawkish_act"] > 0.5 and s.loc[1, "hawkish_act"] > 0.9
    for i in (2, 3, 4, 5):
        assert s.loc[i, "hawkish_tilt"] == 0.0, s.loc[i]
    assert s.loc[6, "hawkish_act"] > 0.5


def test_block_as_a_noun_is_not_a_negation():
    s = _lex(
        [
            "Apartment blocks were shelled overnight in Kharkiv.",
            "Russian missile strike on apartment block kills 10 in Dnipro.",
            "A block of Western countries backed the ceasefire proposal at the UN.",
            "Moscow blocks the ceasefire proposal at the UN.",
            "Russia invents a new way to block the prisoner swap.",
            "Russia found a new way to block prisoner swap talks.",
        ]
    )
    assert s.loc[4, "peace_trade"] == 0.0 and s.loc[5, "peace_trade"] == 0.0
    for i in (0, 1):
        assert s.loc[i, "hawkish_act"] > 0.5 and s.loc[i, "peace_trade"] == 0.0, s.loc[i]
    assert s.loc[2, "peace_trade"] > 0.5 and s.loc[2, "hawkish_tilt"] == 0.0
    assert s.loc[3, "peace_trade"] == 0.0 and s.loc[3, "hawkish_tilt"] > 0.0


def test_corridor_withdrawal_and_prisoner_deals_stay_peace_news():
    texts = [
        "Russia and Ukraine reached an agreement on safe transit of grain ships in the Black Sea.",
        "Both sides reached an agreement to pull back heavy weapons from the front line.",
        "Kyiv and Moscow agreed to allow humanitarian supplies into Mariupol.",
        "Russia and Ukraine agreed to trade prisoners.",
        "Zelensky said he was ready to negotiate on NATO membership to end the war.",
    ]
    s = _lex(texts)
    assert (s["peace_trade"] > 0.3).all(), s["peace_trade"].tolist()
    assert not any("other-sense" in e for e in LexiconScorer().explain(texts))
    # while talks about arms supplies are still another topic
    other = LexiconScorer().explain(["Kyiv and Berlin reached an agreement on the supply of weapons and ammunition."])
    assert "other-sense:agreement" in other[0]


def test_a_cue_containing_the_term_negates_it():
    s = _lex(["There was no progress in talks with Russia on Friday."])
    assert s.loc[0, "peace_trade"] == 0.0 and s.loc[0, "hawkish_tilt"] > 0.0


def test_title_repeated_in_the_text_is_matched_as_whole_words():
    from georisk.scoring._lexicon import texts_of

    frame = pd.DataFrame(
        {
            "title": ["Kremlin rejects truce", "Envoys agree ceasefire"],
            "text": ["Kremlin rejects truceless talks, aides say.", "ENVOYS AGREE  CEASEFIRE. Talks in Geneva."],
        }
    )
    first, second = texts_of(frame)
    assert first.startswith("Kremlin rejects truce.\n")  # not a repeat: "truceless"
    assert second == "ENVOYS AGREE  CEASEFIRE. Talks in Geneva."


def test_negated_hawkish_term_counts_half_on_peace_side():
    s = _lex(["The minister ruled out new sanctions on Russia."])
    assert s.loc[0, "hawkish_tilt"] == 0.0
    assert s.loc[0, "peace_trade"] == pytest.approx(1 - np.exp(-1.5 * 0.5))


def test_hedge_halves_and_intensifier_raises():
    plain, hedged, intense = _lex(
        ["Russia launched an offensive.", "Russia may launch an offensive.", "Russia launched a massive offensive."]
    )["hawkish_tilt"]
    assert hedged == pytest.approx(1 - np.exp(-0.75))
    assert plain == pytest.approx(1 - np.exp(-1.5))
    assert intense == pytest.approx(1 - np.exp(-2.25))


def test_threat_and_act_are_separate():
    s = _lex(["Putin threatened to escalate.", "Missile strikes hit Kyiv overnight."])
    assert s.loc[0, "hawkish_threat"] > 0.5 and s.loc[0, "hawkish_act"] == 0.0
    assert s.loc[1, "hawkish_act"] > 0.5 and s.loc[1, "hawkish_threat"] == 0.0


@pytest.mark.parametrize(
    "text",
    [
        "The supermarket price war deepened.",
        "War and Peace, the new TV series, drew record audiences.",
        "Arsenal launched a late offensive to win the derby.",
    ],
)
def test_exclusions_and_off_topic_kill_false_hits(text: str):
    s = _lex([text])
    assert s.loc[0, "hawkish_tilt"] < 0.3
    assert s.loc[0, "peace_trade"] < 0.3
    assert s.loc[0, "relevance"] < 0.3


def test_evidence_names_phrases_and_modifiers():
    ev = LexiconScorer().explain(["Moscow refused a ceasefire and launched a massive offensive."])[0]
    assert "hawkish-threat:ceasefire(negated)=1.5" in ev
    assert "hawkish-act:offensive(intense)=2.25" in ev


def test_another_conflict_is_a_toml_file(tmp_path: Path):
    toml = tmp_path / "strait.toml"
    toml.write_text(
        """
[conflict]
name = "Strait"
actors = ["beijing", "taipei"]
places = ["kinmen"]
[hawkish_threat]
terms = ["blockade drills|2.0"]
[hawkish_act]
terms = ["shelled"]
[peace]
terms = ["cross-strait dialogue|1.5"]
[channels.energy]
terms = ["lng"]
[modifiers]
negations = ["no"]
""",
        encoding="utf-8",
    )
    s = LexiconScorer(lexicon=toml).fit(None)
    out = s.transform(["Beijing announced blockade drills near Kinmen.", "Taipei offered cross-strait dialogue."])
    assert out.loc[0, "hawkish_threat"] == pytest.approx(1 - np.exp(-2.0))
    assert out.loc[1, "peace_trade"] > 0.7
    assert s.lexicon_.name == "Strait"


def test_lexicon_is_user_extensible():
    lex = load_lexicon().extended(peace=["handshake accord|2.0"])
    s = LexiconScorer(lexicon=lex).fit(None).transform(["Kyiv and Moscow signed a handshake accord."])
    assert s.loc[0, "peace_trade"] > 0.85
    with pytest.raises(ConfigError, match="no category 'nonsense'"):
        load_lexicon().extended(nonsense=["x"])


def test_bad_lexicon_and_parameters(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[conflict]\nname='x'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="lacks the table 'hawkish_threat'"):
        LexiconScorer(lexicon=bad).fit(None)
    with pytest.raises(ConfigError, match="saturation=0"):
        LexiconScorer(saturation=0).fit(None)
    with pytest.raises(ConfigError, match="single string"):
        LexiconScorer().fit(None).transform("one text")


# ---------------------------------------------------------------- supervised and blend


def test_supervised_is_deterministic_and_in_range(supervised: SupervisedScorer):
    texts = [
        "Talks collapsed after a missile barrage on Kyiv.",
        "Envoys agreed a prisoner swap.",
        "The derby ended 2-1.",
    ]
    a = supervised.transform(texts)
    b = SupervisedScorer().fit().transform(texts)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(a.columns) == SCORE_COLUMNS
    assert ((a >= 0) & (a <= 1)).all().all()
    assert a.loc[0, "hawkish_tilt"] > a.loc[0, "peace_trade"]
    assert a.loc[1, "peace_trade"] > a.loc[1, "hawkish_tilt"]
    assert a.loc[2, "relevance"] < a.loc[0, "relevance"]
    np.testing.assert_allclose(a["hawkish_threat"] + a["hawkish_act"], a["hawkish_tilt"])


def test_supervised_learns_from_given_labels():
    texts = [f"alpha {i} rising tension" for i in range(8)] + [f"beta {i} calm accord" for i in range(8)]
    labels = ["hawkish_act"] * 4 + ["hawkish_threat"] * 4 + ["peace"] * 6 + ["off_topic"] * 2
    with pytest.raises(ConfigError, match="'relevant' needs at least 3"):
        SupervisedScorer(char_ngrams=False).fit(texts, labels)
    labels = ["hawkish_act"] * 4 + ["hawkish_threat"] * 4 + ["peace"] * 4 + ["off_topic"] * 4
    s = SupervisedScorer(char_ngrams=False).fit(texts, labels)
    assert s.n_train_ == 16
    out = s.transform(["alpha rising tension", "beta calm accord"])
    assert out.loc[0, "hawkish_tilt"] > out.loc[1, "hawkish_tilt"]
    with pytest.raises(ConfigError, match="unknown label"):
        SupervisedScorer().fit(texts, ["war"] * 16)
    with pytest.raises(ConfigError, match="16 texts but y has 2"):
        SupervisedScorer().fit(texts, ["peace", "peace"])


def test_blend_weights_are_documented_and_exact(blended: BlendedScorer):
    texts = ["Moscow refused a ceasefire while drones struck Odesa.", "Oil rose on the grain deal."]
    lex = LexiconScorer().fit(None).transform(texts)
    model = SupervisedScorer(char_ngrams=False).fit()
    sup = model.transform(texts)
    heads = model.predict_proba_heads(texts)
    out = blended.transform(texts)
    # the model's probabilities enter measured against its no-evidence base rate b (the
    # probability of the empty text): r(P) = eps P / b below b, eps + (1 - eps)(P - b)/(1 - b) above
    base = model.predict_proba_heads([""]).iloc[0]
    assert blended.model_base_rate_ == pytest.approx({"hawkish": base["hawkish"], "peace": base["peace"]})

    def r(p: pd.Series, b: float) -> np.ndarray:
        q = p.to_numpy()
        return np.where(q < b, 0.02 * q / b, 0.02 + 0.98 * (q - b) / (1 - b))

    # ... gated by the lexicon's score L of the same side: L P + (1 - L) r(P)
    lh, lp = lex["hawkish_tilt"].to_numpy(), lex["peace_trade"].to_numpy()
    hawk = lh * heads["hawkish"].to_numpy() + (1 - lh) * r(heads["hawkish"], base["hawkish"])
    peace = lp * heads["peace"].to_numpy() + (1 - lp) * r(heads["peace"], base["peace"])
    np.testing.assert_allclose(out["hawkish_tilt"], 0.5 * lex["hawkish_tilt"] + 0.5 * hawk)
    np.testing.assert_allclose(out["hawkish_act"], 0.5 * lex["hawkish_act"] + 0.5 * hawk * heads["act"])
    np.testing.assert_allclose(out["hawkish_threat"], 0.5 * lex["hawkish_threat"] + 0.5 * hawk * (1 - heads["act"]))
    np.testing.assert_allclose(out["peace_trade"], 0.5 * lex["peace_trade"] + 0.5 * peace)
    # relevance: the weighted harmonic mean, gated by the lexicon (see BlendedScorer's Notes)
    gate = np.maximum(lex["relevance"], 0.01)
    np.testing.assert_allclose(out["relevance"], 1.0 / (0.5 / gate + 0.5 / sup["relevance"]))
    for col in ("energy", "defense", "grain", "sanctions"):
        np.testing.assert_allclose(out[col], lex[col])
    only_lex = BlendedScorer(lexicon_weight=1.0).fit()
    assert only_lex.supervised_scorer_ is None
    pd.testing.assert_frame_equal(only_lex.transform(texts), lex)
    with pytest.raises(ConfigError, match=r"lexicon_weight=1\.5"):
        BlendedScorer(lexicon_weight=1.5).fit()
    assert "model:hawkish=" in blended.explain(texts)[0]


# ---------------------------------------------------------------- scikit-learn contract


@pytest.mark.parametrize("cls", [LexiconScorer, SupervisedScorer, BlendedScorer])
def test_sklearn_estimator_contract(cls):
    # scikit-learn's parametrize_with_checks runs in test_scoring_sklearn.py; here the same
    # contract on text input: params, clone, set_params, fit returns self, inside a Pipeline.
    est = cls()
    params = est.get_params()
    assert set(params) == set(cls.__init__.__code__.co_varnames[1 : cls.__init__.__code__.co_argcount])
    assert not [k for k in vars(est) if k.endswith("_")], "no fitted attribute before fit"
    twin = clone(est)
    assert twin.get_params() == params and twin is not est
    name = "saturation" if cls is LexiconScorer else "max_words"
    est.set_params(**{name: 3})
    assert est.get_params()[name] == 3
    est.set_params(**{name: params[name]})
    texts = ["Russia shelled Kharkiv.", "Talks resumed in Istanbul."]
    assert est.fit(texts) is est
    assert list(est.get_feature_names_out()) == SCORE_COLUMNS
    pipe = Pipeline([("score", clone(est))])
    out = pipe.fit_transform(texts)
    assert out.shape == (2, len(SCORE_COLUMNS))
    pd.testing.assert_frame_equal(pd.DataFrame(out), est.transform(texts))


# ---------------------------------------------------------------- score_articles


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "published_at": pd.to_datetime(["2024-03-01T10:00Z"] * 4, utc=True),
            "title": ["Strikes", "", "Truce", None],
            "text": [
                "Russian missile strikes hit Kyiv.",
                "Moscow refused a ceasefire.",
                "Both sides agreed a truce.",
                "The league final ended 2-1.",
            ],
        },
        index=[10, 30, 20, 99],
    )


def test_score_articles_keeps_index_and_columns(blended: BlendedScorer):
    arts = _frame()
    out = score_articles(arts, blended)
    assert list(out.index) == [10, 30, 20, 99]
    assert list(out.columns) == ["id", "published_at", *SCORE_COLUMNS, "evidence"]
    assert ((out[SCORE_COLUMNS] >= 0) & (out[SCORE_COLUMNS] <= 1)).all().all()
    assert out.loc[30, "hawkish_tilt"] > out.loc[30, "peace_trade"]
    assert out.loc[20, "peace_trade"] > out.loc[20, "hawkish_tilt"]
    chunked = score_articles(arts, blended, chunk_size=1)
    pd.testing.assert_frame_equal(out, chunked)


@pytest.mark.slow
def test_score_articles_in_parallel_equals_serial():
    arts = pd.concat([_frame()] * 3, ignore_index=True)
    scorer = LexiconScorer()
    serial = score_articles(arts, scorer)
    parallel = score_articles(arts, scorer, n_jobs=2, chunk_size=4)
    pd.testing.assert_frame_equal(serial, parallel)


def test_score_articles_errors_and_empty(blended: BlendedScorer):
    with pytest.raises(ConfigError, match="no 'text' column"):
        score_articles(pd.DataFrame({"published_at": []}), blended)
    with pytest.raises(ConfigError, match=r"got tuple; the deprecated load_articles\(\.\.\., lenient=True\) returns"):
        score_articles((_frame(), pd.DataFrame()), blended)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="chunk_size=0"):
        score_articles(_frame(), blended, chunk_size=0)
    with pytest.raises(ConfigError, match="n_jobs=0"):
        score_articles(_frame(), blended, n_jobs=0)
    empty = score_articles(_frame().iloc[:0], blended)
    assert empty.empty and "hawkish_tilt" in empty.columns


def test_default_scorer_on_the_sample_tracks_the_latent_state(sample):
    from georisk import daily_signal

    scores = score_articles(sample.articles)
    sig = daily_signal(scores)
    z = sample.latent.reindex(sig.index)
    ok = sig["escalation_ema"].notna()
    assert np.corrcoef(sig["escalation_ema"][ok], z[ok])[0, 1] > 0.7


def test_progress_bar_while_scoring_changes_no_score(capsys):
    from georisk.datasets import load_sample
    from georisk.scoring import score_articles
    from georisk.scoring._score import PROGRESS_CHUNK

    articles = load_sample().articles
    assert len(articles) > PROGRESS_CHUNK  # so the bar advances chunk by chunk
    plain = score_articles(articles, evidence=False, progress=False)
    assert capsys.readouterr().err == ""
    shown = score_articles(articles, evidence=False, progress=True)
    err = capsys.readouterr().err
    assert "scoring" in err and f"{len(articles)}/{len(articles)}" in err and "article" in err
    pd.testing.assert_frame_equal(plain, shown)
