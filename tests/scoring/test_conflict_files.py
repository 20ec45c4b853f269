"""A conflict is configured, not implied (issue 15, point 3): conflict files, the names gate, a second conflict."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from georisk.errors import ConfigError
from georisk.scoring import (
    BlendedScorer,
    LexiconScorer,
    SupervisedScorer,
    evaluate_scorer,
    load_labelled_corpus,
    load_lexicon,
    score_articles,
    shipped_conflicts,
)

SHIPPED = Path(__file__).resolve().parents[2] / "src/georisk/scoring/resources"
TAIWAN = [
    "Chinese warships encircle Taiwan in large-scale drills near the Taiwan Strait",
    "PLA launches live-fire drills around Taiwan after Lai Ching-te speech",
    "Beijing and Taipei agree to resume cross-strait talks",
]
UKRAINE = [
    "Russian missile strikes hit Kharkiv overnight",
    "Zelensky and Putin agree to a prisoner swap in Istanbul",
    "Kremlin rejects ceasefire proposal for Zaporizhzhia",
]
# other conflicts' news, warlike and peaceful: not Russia-Ukraine news
ELSEWHERE = [
    "Israel and Hamas agree Gaza ceasefire and hostage exchange",
    "Israeli airstrikes kill dozens in Gaza as truce talks stall",
    "Sudan's warring parties agree to a seven-day truce in Jeddah",
    "RSF launches offensive on El Fasher",
    "Azerbaijan launches offensive in Nagorno-Karabakh",
    "Armenia and Azerbaijan sign peace deal at the White House",
    "Libya peace talks to go ahead in Berlin despite ceasefire setback",
    "Houthi missiles strike ship in the Red Sea off Yemen",
    "Yemen truce extended for two months",
    "US and China agree 90-day trade truce",
    "NATO leaders meet in Brussels as Trump demands higher spending",
]


@pytest.fixture(scope="module")
def blends() -> dict[str, BlendedScorer]:
    return {name: BlendedScorer(conflict=name).fit() for name in ("russia_ukraine", "china_taiwan")}


def test_shipped_conflicts_load_by_name_or_path():
    assert shipped_conflicts() == ["china_taiwan", "russia_ukraine"]
    for name in shipped_conflicts():
        by_name = load_lexicon(name)
        by_path = load_lexicon(SHIPPED / f"{name}.toml")
        assert by_name.actors == by_path.actors and by_name.peace == by_path.peace
    assert load_lexicon("China-Taiwan").name == "China-Taiwan"
    ru = load_lexicon()
    assert ru.name == "Russia-Ukraine" and ru.key == "russia-ukraine"
    # the file names actors, places, forces, companies and allies
    for name in ("kyiv", "kiev", "kremlin", "zelenskyy", "zelenskiy", "sevastopol", "black sea", "bakhmut"):
        assert ru.actors[name] == 1.0, name
    for name in ("rosneft", "lukoil", "gazprom", "nord stream", "novatek", "wagner", "russian", "ukrainians"):
        assert name in ru.actors, name
    assert ru.actors["lukashenko"] == 0.5 and "trump" in ru.context and "trump" not in ru.actors
    # both build on the shipped vocabulary: the same ending cues, different names
    ct = load_lexicon("china_taiwan")
    assert ct.ends_before == ru.ends_before and "taipei" in ct.actors and "kyiv" not in ct.actors


def test_another_conflict_is_a_new_file(blends: dict[str, BlendedScorer]):
    ru, ct = blends["russia_ukraine"], blends["china_taiwan"]
    taiwan_under_ct, taiwan_under_ru = ct.transform(TAIWAN), ru.transform(TAIWAN)
    ukraine_under_ru, ukraine_under_ct = ru.transform(UKRAINE), ct.transform(UKRAINE)
    assert (taiwan_under_ct["relevance"] > 0.5).all(), taiwan_under_ct["relevance"].tolist()
    assert (taiwan_under_ru["relevance"] < 0.02).all(), taiwan_under_ru["relevance"].tolist()
    assert (ukraine_under_ru["relevance"] > 0.5).all(), ukraine_under_ru["relevance"].tolist()
    assert (ukraine_under_ct["relevance"] < 0.02).all(), ukraine_under_ct["relevance"].tolist()
    # the tone is read under both files; the Taiwan file's own terms ("encircle", "live-fire") add to it
    assert (taiwan_under_ct["hawkish_tilt"].iloc[:2] > 0.5).all()
    assert (taiwan_under_ct["hawkish_tilt"].iloc[:2] > taiwan_under_ru["hawkish_tilt"].iloc[:2]).all()
    assert taiwan_under_ct.loc[2, "peace_trade"] > 0.5
    # the same with the lexicon alone, and with the model alone (its relevance is gated by the file)
    lex = LexiconScorer(conflict="china_taiwan").fit()
    assert (lex.transform(TAIWAN)["relevance"] > 0.5).all()
    assert (LexiconScorer().fit().transform(TAIWAN)["relevance"] == 0.0).all()
    model = SupervisedScorer(conflict="china_taiwan", char_ngrams=False).fit()
    assert (model.transform(TAIWAN)["relevance"] > 0.5).all()
    assert (model.transform(UKRAINE)["relevance"] == 0.0).all()


def test_other_conflicts_do_not_move_the_russia_ukraine_signal(blends: dict[str, BlendedScorer]):
    out = blends["russia_ukraine"].transform(ELSEWHERE)
    table = out[["hawkish_tilt", "peace_trade", "relevance"]].round(3).assign(text=ELSEWHERE)
    assert (out["relevance"] < 0.1).all(), table
    # however warlike or peaceful they read, the signal weights them by relevance
    assert (out["hawkish_tilt"] * out["relevance"] < 0.01).all(), table
    assert (out["peace_trade"] * out["relevance"] < 0.01).all(), table
    assert out["hawkish_tilt"].max() > 0.4 and out["peace_trade"].max() > 0.4  # the tone is still read


def test_the_gate_formula_is_the_documented_one():
    s = LexiconScorer().fit()
    # "Kharkiv" is one name (m = 1), "shelling" one act (a = 1)
    out = s.transform(["Shelling hit Kharkiv."])
    gate = 1 - np.exp(-1 / 0.4)
    assert out.loc[0, "relevance"] == pytest.approx(gate * (1 - np.exp(-(1 + 1) / 2)))
    assert s.conflict_gate(["Shelling hit Kharkiv."])[0] == pytest.approx(gate)
    # an ally counts half; mediators and venues do not open the gate; no name gives gate_floor (0)
    np.testing.assert_allclose(
        s.conflict_gate(["Lukashenko met envoys.", "Trump and NATO envoys met in Riyadh.", "The truce held."]),
        [1 - np.exp(-0.5 / 0.4), 0.0, 0.0],
    )
    assert s.transform(["Trump and NATO envoys met in Riyadh."]).loc[0, "relevance"] == 0.0
    floored = LexiconScorer(lexicon=dataclasses.replace(load_lexicon(), gate_floor=0.1)).fit()
    assert floored.conflict_gate(["The truce held."])[0] == pytest.approx(0.1)
    assert floored.transform(["The truce held."]).loc[0, "relevance"] == pytest.approx(0.1 * (1 - np.exp(-0.75)))
    # context adds to the base once the gate is open
    one, more = s.transform(["Kyiv said little.", "Kyiv said little to NATO in Brussels."])["relevance"]
    assert more > one > 0


def test_names_are_found_in_hyphenated_words_and_possessives():
    s = LexiconScorer().fit()
    gates = s.conflict_gate(
        [
            "Russia-Ukraine war at a glance: what we know on day 615",
            "Ukraine's refugees: how many are displaced?",
            "Ukraine\u2019s refugees: how many are displaced?",
            "Pro-Kremlin bloggers cheer the new offensive",
            "US-China trade truce extended",
        ]
    )
    assert (gates[:4] > 0.9).all() and gates[4] == 0.0
    # names of the other file, half-weight for China
    ct = LexiconScorer(conflict="china_taiwan").fit()
    assert ct.conflict_gate(["US-China trade truce extended"])[0] == pytest.approx(1 - np.exp(-0.5 / 0.4))
    assert ct.transform(["US-China trade truce extended"]).loc[0, "relevance"] < 0.2
    # an excluded phrase takes its names with it: the South China Sea is another dispute
    assert ct.conflict_gate(["Manila protests in the South China Sea"])[0] == 0.0


def test_a_conflict_file_of_your_own(tmp_path: Path):
    (tmp_path / "sahel.toml").write_text(
        """
[conflict]
name = "Sahel"
extends = "vocabulary"
actors = ["mali", "malian", "bamako", "goita", "burkina faso", "niger"]
places = ["timbuktu", "gao", "kidal"]
context = ["ecowas"]
[hawkish_act]
terms = ["jihadist attack|1.5"]
""",
        encoding="utf-8",
    )
    own = LexiconScorer(conflict=tmp_path / "sahel.toml").fit()
    assert own.lexicon_.name == "Sahel" and own.lexicon_.key == "sahel"
    out = own.transform(["A jihadist attack killed soldiers near Gao.", "Russia quits grain deal."])
    assert out.loc[0, "relevance"] > 0.5 and out.loc[0, "hawkish_act"] > 0.8
    assert out.loc[1, "relevance"] == 0.0 and out.loc[1, "hawkish_act"] > 0.5  # the shared vocabulary reads it
    # a file may extend another: a path relative to it, or a shipped conflict's name, adding names
    (tmp_path / "sahel_more.toml").write_text(
        '[conflict]\nname = "Sahel+"\nextends = "sahel.toml"\nactors = ["ouagadougou"]\n', encoding="utf-8"
    )
    more = load_lexicon(str(tmp_path / "sahel_more.toml"))
    assert more.name == "Sahel+" and {"mali", "ouagadougou"} <= set(more.actors)
    (tmp_path / "ru_more.toml").write_text(
        '[conflict]\nname = "Russia-Ukraine+"\nextends = "russia_ukraine"\nplaces = ["huliaipole"]\n',
        encoding="utf-8",
    )
    ru_more = load_lexicon(tmp_path / "ru_more.toml")
    assert "huliaipole" in ru_more.actors and "kyiv" in ru_more.actors
    # score_articles selects it too
    arts = pd.DataFrame(
        {"published_at": pd.to_datetime(["2024-03-01T10:00Z"] * 2, utc=True), "text": ["Fighting in Kidal.", "Kyiv."]}
    )
    rel = score_articles(arts, conflict=tmp_path / "sahel.toml", evidence=False)["relevance"]
    assert rel.iloc[0] > 0.2 and rel.iloc[1] == 0.0


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("[conflict\nname = 'x'", r"bad\.toml is not valid TOML.*fix that line"),
        ("[conflcit]\nname = 'x'", r"bad\.toml: unknown table \[conflcit\].*check the spelling"),
        ("[conflict]\nname = 'x'\nactor = ['kyiv']", r"bad\.toml: \[conflict\] has no key 'actor'.*'actors'"),
        ("[conflict]\nname = 'x'\nextends = 'vocabulary'\nactors = 'kyiv'", r"\[conflict\] actors must be a list"),
        (
            "[conflict]\nname = 'x'\nextends = 'vocabulary'\nactors = ['kyiv|lots']",
            r"bad\.toml: \[conflict\] actors: weight of 'kyiv\|lots' is not a number; write 'term\|1\.5'",
        ),
        ("[conflict]\nname = 'x'\nextends = 'vocabulary'\nactors = ['kyiv|-1']", r"must be >= 0"),
        ("[conflict]\nname = 'x'\nextends = 'vocabulary'", r"names no actor, place.*add e\.g\. actors = "),
        ("[conflict]\nname = 'x'\nextends = 'nowhere'\nactors = ['a']", r"no shipped conflict named 'nowhere'"),
        ("[conflict]\nname = 'x'\nextends = 'bad.toml'\nactors = ['a']", r"extends itself"),
        (
            "[conflict]\nname = 'x'\nextends = 'vocabulary'\nactors = ['a']\ngate_scale = 0",
            r"gate_scale=0 must be a number in .*e\.g\. gate_scale = 0\.4",
        ),
        ("[conflict]\nname = 'x'\nextends = 'vocabulary'\nactors = ['a']\ngate_floor = 1", r"gate_floor=1 must"),
        (
            "[conflict]\nname = 'x'\nextends = 'vocabulary'\nactors = ['a']\n[channels.oil]\nterms = ['x']",
            "no key 'oil'",
        ),
        ("[conflict]\nname = 'x'\nactors = ['a']", r"lacks the table 'hawkish_threat'.*extends = 'vocabulary'"),
        ("[conflict]\nname = ''\nextends = 'vocabulary'\nactors = ['a']", r"name must be a non-empty string"),
        ("[conflict]\nname = 'x'\nextends = 'vocabulary'\nactors = ['a']\n[endings]\nstops = ['so that']", "single"),
    ],
)
def test_malformed_conflict_files_name_the_file_the_key_and_the_fix(tmp_path: Path, body: str, match: str):
    bad = tmp_path / "bad.toml"
    bad.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=match):
        LexiconScorer(conflict=bad).fit()


def test_bad_selections_are_errors(tmp_path: Path):
    with pytest.raises(ConfigError, match=r"no shipped conflict named 'mars'.*\['china_taiwan', 'russia_ukraine'\]"):
        LexiconScorer(conflict="mars").fit()
    with pytest.raises(ConfigError, match=r"conflict file .*missing\.toml does not exist"):
        BlendedScorer(conflict=tmp_path / "missing.toml", lexicon_weight=1.0).fit()
    with pytest.raises(ConfigError, match="give conflict= or lexicon=, not both"):
        LexiconScorer(conflict="china_taiwan", lexicon="russia_ukraine").fit()
    with pytest.raises(ConfigError, match="must be a shipped name"):
        LexiconScorer(conflict=42).fit()  # type: ignore[arg-type]


def test_the_conflict_is_a_scikit_learn_parameter_stored_as_given():
    for cls in (LexiconScorer, SupervisedScorer, BlendedScorer):
        est = cls(conflict="china_taiwan")
        assert est.get_params()["conflict"] == "china_taiwan"
        assert clone(est).get_params()["conflict"] == "china_taiwan"
        est.set_params(conflict=SHIPPED / "russia_ukraine.toml")
        assert est.get_params()["conflict"] == SHIPPED / "russia_ukraine.toml"
    s = LexiconScorer(conflict="china_taiwan").fit()
    assert s.conflict == "china_taiwan" and s.lexicon_.name == "China-Taiwan"
    s.set_params(conflict=None).fit()
    assert s.lexicon_.name == "Russia-Ukraine"


def test_score_articles_selects_the_conflict():
    arts = pd.DataFrame(
        {
            "published_at": pd.to_datetime(["2024-03-01T10:00Z"] * 2, utc=True),
            "text": [TAIWAN[0], UKRAINE[0]],
        }
    )
    ct = score_articles(arts, conflict="china_taiwan", evidence=False)
    assert ct.loc[0, "relevance"] > 0.5 and ct.loc[1, "relevance"] < 0.02
    ru = score_articles(arts, LexiconScorer(), evidence=False, conflict="russia_ukraine")
    assert ru.loc[0, "relevance"] == 0.0 and ru.loc[1, "relevance"] > 0.5
    with pytest.raises(ConfigError, match=r"give the conflict to the scorer, e\.g\. BlendedScorer\(conflict="):
        score_articles(arts, LexiconScorer(), conflict="china_taiwan")


def test_evaluate_scorer_judges_relevance_per_conflict():
    holdout = load_labelled_corpus(split="holdout")
    on_topic = holdout["label"] != "off_topic"
    ru = evaluate_scorer(LexiconScorer())
    ct = evaluate_scorer(LexiconScorer(conflict="china_taiwan"))
    assert ru.metrics.loc["relevant", "n_positive"] == (on_topic & (holdout["conflict"] == "russia-ukraine")).sum()
    assert ct.metrics.loc["relevant", "n_positive"] == (on_topic & (holdout["conflict"] == "china-taiwan")).sum()
    assert ct.metrics.loc["relevant", "n_positive"] >= 10
    assert ru.metrics.loc["relevant", "roc_auc"] > 0.95 and ct.metrics.loc["relevant", "roc_auc"] > 0.95
    assert ru.metrics.attrs["conflict"] == "russia-ukraine" and "relevance to: russia-ukraine" in ru.summary()
    # text about another conflict counts as off-topic for this one in the five-label table
    assert (ru.scores.loc[holdout["conflict"] == "sudan", "true"] == "off_topic").all()
    # the old definition, for a scorer that has no conflict file
    anyc = evaluate_scorer(LexiconScorer(), conflict="any")
    assert anyc.metrics.loc["relevant", "n_positive"] == on_topic.sum()


def test_the_name_lists_cover_what_the_corpus_tags_by_hand():
    corpus = load_labelled_corpus()
    for key, name in (("russia-ukraine", "russia_ukraine"), ("china-taiwan", "china_taiwan")):
        gate = LexiconScorer(conflict=name).fit().conflict_gate(corpus["text"].tolist())
        mine = (corpus["conflict"] == key).to_numpy()
        # records a reader tags as naming the conflict are named by its file ...
        assert (gate[mine] > 0).mean() > 0.97, corpus.loc[mine & (gate == 0), "text"].tolist()
        # ... and records of other conflicts, or naming none, rarely are
        others = ~mine & (corpus["label"] != "off_topic").to_numpy()
        assert (gate[others] > 0.5).mean() < 0.05, corpus.loc[others & (gate > 0.5), "text"].tolist()
