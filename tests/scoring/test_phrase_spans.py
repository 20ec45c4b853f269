"""The chunk path's phrase spans (``_chunk._phrase_sums``) add what the sentence-by-sentence rules add.

Sentences where a phrase of several words may match, but no modifier, exclusion or known
hyphenated name stands, are summed without the per-sentence rules: the matcher runs from
each phrase start as far as a match reaches. These texts aim at what can go wrong there:
a phrase inside a longer one, phrases of different categories that overlap (a later phrase
starting inside an earlier one, the same start with different lengths), a phrase cut by a
sentence end or clause punctuation, hyphenated names inside and beside a phrase, and the
same phrases next to a negation, hedge or intensifier (which take the rules). The
reference is the scorer's own sentence-by-sentence path with the original matcher of
``tests/scoring/test_scoring_chunk.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from georisk.scoring import LexiconScorer
from georisk.scoring._chunk import chunk_sums
from georisk.scoring._lexicon import _DIRECTIONAL, SUM_KEYS, TRIGGERS
from tests.scoring.test_scoring_chunk import _reference, _reference_sums


@pytest.fixture(scope="module", params=["russia_ukraine", "china_taiwan"])
def scorer(request: pytest.FixtureRequest) -> LexiconScorer:
    return LexiconScorer(conflict=request.param).fit()


def _trigger_phrases(scorer: LexiconScorer) -> list[tuple[str, ...]]:
    cats = scorer._categories
    return sorted({tuple(p.split()) for c in TRIGGERS for p in cats[c]})


def _overlapping_texts(scorer: LexiconScorer, limit: int = 4000) -> list[str]:
    """Phrase A with phrase B starting at one of A's inner words ("missile strike" + "strike on ...")."""
    phrases = _trigger_phrases(scorer)
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for p in phrases:
        by_first.setdefault(p[0], []).append(p)
    out = []
    for a in phrases:
        for j in range(1, len(a)):
            for b in by_first.get(a[j], ())[:6]:
                out.append(" ".join(a[:j] + b))
                out.append(" ".join(a + b[1:]))  # A whole, then B's rest
    return out[:limit]


def _random_texts(scorer: LexiconScorer, n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    phrases = _trigger_phrases(scorer)
    longer = [p for p in phrases if len(p) > 1]
    words = sorted({w for p in longer for w in p})
    names = sorted(p[0] for p in phrases if len(p) == 1 and p[0] in scorer.lexicon_.actors) or ["russia"]
    cues = ["not", "no", "may", "massive", "refused", "collapsed", "price war"]
    filler = ["the", "w1", "w2", "of", "in", "to", "and"]
    breaks = [".", ",", ";", "\n", ":", " - ", "!"]
    texts = []
    for _ in range(n):
        pieces: list[str] = []
        for _ in range(int(rng.integers(1, 12))):
            u = rng.random()
            if u < 0.45:
                pieces.append(" ".join(longer[int(rng.integers(len(longer)))]))
            elif u < 0.7:
                pieces.append(words[int(rng.integers(len(words)))])
            elif u < 0.8:
                pieces.append(filler[int(rng.integers(len(filler)))])
            elif u < 0.87:
                pieces.append(breaks[int(rng.integers(len(breaks)))])
            elif u < 0.95:
                a = names[int(rng.integers(len(names)))]
                pieces.append(str(rng.choice([f"pro-{a}", f"{a}-w1", f"{a}'s"])))
            elif rng.random() < 0.3:  # now and then a cue: that sentence takes the rules
                pieces.append(cues[int(rng.integers(len(cues)))])
        texts.append(" ".join(pieces))
    return texts


def _check(scorer: LexiconScorer, texts: list[str]) -> np.ndarray:
    ref = _reference(scorer)
    expected = np.asarray([_reference_sums(ref, t) for t in texts]).reshape(-1, len(SUM_KEYS))
    np.testing.assert_array_equal(chunk_sums(scorer, texts), expected)
    for i in range(0, len(texts), 97):  # a text's sums never depend on its neighbours
        np.testing.assert_array_equal(chunk_sums(scorer, texts[i : i + 97]), expected[i : i + 97])
    return expected


def _rule_sentences(scorer: LexiconScorer, texts: list[str]) -> int:
    """How many sentences of ``texts`` the chunk path sends to the sentence-by-sentence rules."""
    calls = []
    own = scorer._sentence

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return own(*args, **kwargs)

    scorer._sentence = counted  # type: ignore[method-assign]
    try:
        chunk_sums(scorer, texts)
    finally:
        del scorer._sentence
    return len(calls)


def test_overlapping_phrases_sum_as_the_rules(scorer: LexiconScorer) -> None:
    texts = _overlapping_texts(scorer)
    assert len(texts) > 100
    expected = _check(scorer, texts)
    assert (expected[:, [SUM_KEYS.index(k) for k in ("threat", "act", "peace")]] != 0).any(axis=1).mean() > 0.3
    # texts of phrases alone have no modifiers: nearly all of them skip the per-sentence rules
    assert _rule_sentences(scorer, texts) < 0.2 * len(texts)


def test_phrases_with_breaks_names_and_cues_sum_as_the_rules(scorer: LexiconScorer) -> None:
    texts = _random_texts(scorer, 2500, seed=7)
    _check(scorer, texts)
    assert _rule_sentences(scorer, texts) < len(texts)


def test_hand_picked_overlaps() -> None:
    scorer = LexiconScorer().fit()
    texts = [
        "russian federation",  # a name inside a longer name
        "the russian federation and russian forces",
        "missile strike on kyiv",  # "missile strike" and "strike on ..." overlap
        "new sanctions against russia",  # a hawkish act overlapping a sanctions channel phrase
        "lift sanctions against russia",
        "black sea grain deal",
        "black. sea grain deal",  # a phrase cut by a sentence end
        "russian\nfederation",
        "black, sea",  # and by clause punctuation
        "not new sanctions against russia",  # beside a negation: the rules
        "may launch a missile strike on kyiv",  # beside a hedge
        "pro-russian federation forces",  # a hyphenated name before a phrase
        "russian federation pro-russian",
    ]
    _check(scorer, texts)
    for directional in _DIRECTIONAL:
        assert scorer._categories[directional]


def test_a_lexicon_with_hyphenated_names_inside_its_phrases() -> None:
    """A hyphenated name inside a name phrase counts once (the phrase), beside it on its own."""
    from georisk.scoring import load_lexicon

    lex = load_lexicon().extended(
        actors=["envoy russia-w8", "envoy russia-w8 office|0.5", "front line"],
        hawkish_act=["front line shelling|1.5", "line shelling of|1"],
        peace=["envoy russia-w8 talks|2", "line shelling|0.5"],
    )
    scorer = LexiconScorer(lexicon=lex).fit()
    texts = [
        "envoy russia-w8",
        "envoy russia-w8 office",
        "envoy russia-w8 talks",
        "envoy ukraine-w8 talks pro-russia",
        "front line shelling of kyiv",
        "front line shelling of kyiv-w8",
        "the line shelling of the front line shelling",
        "front. line shelling of",
    ]
    expected = _check(scorer, texts)
    assert expected[0, SUM_KEYS.index("names")] == 1.0
    assert _rule_sentences(scorer, texts) == 0
