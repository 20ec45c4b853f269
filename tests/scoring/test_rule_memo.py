"""The chunk path reads each sentence skeleton once: sentences that differ only in unknown words add the same sums.

:func:`~georisk.scoring._chunk.chunk_sums` keeps, per chunk, the sums of each sentence that
takes the sentence-by-sentence rules and of each phrase span, under the sentence's (or
span's) *skeleton*: its tokens, with every word outside
:func:`~georisk.scoring._chunk._rule_words` that holds no hyphen read as one unknown word.
Checked against the reference path of ``tests/scoring/test_scoring_chunk.py`` (texts read
one by one, sentence by sentence, the original matcher) on texts made from templates whose
unknown slots are filled with different words, so that skeletons repeat; the templates mix
every category's phrases (and words from inside longer phrases), clause breaks, ending
stops, hyphenated words with and without names, and sentence ends.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from georisk.scoring import LexiconScorer
from georisk.scoring._chunk import chunk_sums
from georisk.scoring._lexicon import _PUNCT_BREAKS, SUM_KEYS
from tests.scoring.test_scoring_chunk import _reference, _reference_sums

_SCORERS = {name: LexiconScorer(conflict=name).fit() for name in ("russia_ukraine", "china_taiwan")}
_UNKNOWN = ["w1", "zq", "bloop", "x9", "the-w1", "w2-w3", "abc", "12"]


def _vocabulary(scorer: LexiconScorer) -> list[str]:
    """Pieces of templates: phrases of every category, single words of longer phrases, breaks and stops."""
    phrases = sorted({p for c in scorer._categories.values() for p in c})
    inner = sorted({w for p in phrases for w in p.split()[1:]})
    rules = sorted(scorer._breaks | scorer._stops)
    hyphens = ["pro-russian", "russia-ukraine", "us-china", "pro-beijing", "anti-kremlin"]
    return [*phrases, *inner, *rules, *sorted(_PUNCT_BREAKS), *hyphens, ".", ";", "\n"]


def _texts(scorer: LexiconScorer, template: list[str | None], fills: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [
        " ".join(piece if piece is not None else str(rng.choice(_UNKNOWN)) for piece in template) for _ in range(fills)
    ]


def _check(scorer: LexiconScorer, texts: list[str]) -> None:
    ref = _reference(scorer)
    want = np.asarray([_reference_sums(ref, t) for t in texts]).reshape(len(texts), len(SUM_KEYS))
    np.testing.assert_array_equal(chunk_sums(scorer, texts), want)


@pytest.mark.parametrize("name", sorted(_SCORERS))
def test_rule_words_hold_what_the_rules_look_up(name: str) -> None:
    scorer = _SCORERS[name]
    words = scorer._tables.rule_words
    assert scorer._breaks <= words and scorer._stops <= words
    assert {w for c in scorer._categories.values() for p in c for w in p.split()} <= words
    assert {w for p in scorer.lexicon_.exclusions for w in p.split()} <= words
    assert not words & set(_UNKNOWN)


def _focus(scorer: LexiconScorer) -> list[str]:
    """Cues, directional terms, names, breaks, stops and hyphenated names: what a sentence under the rules holds."""
    cats = scorer._categories
    cues = ("negations", "hedges", "intensifiers", "ends_before", "ends_after", "missed", "missed_after", "topics")
    picked = [p for c in (*cues, "not_peace", "end_objects") for p in sorted(cats[c])[:12]]
    picked += [p for c in ("hawkish_threat", "hawkish_act", "peace", "actors") for p in sorted(cats[c])[:25]]
    picked += sorted(scorer._breaks | scorer._stops)
    return [*picked, "pro-russian", "russia-ukraine", "us-china", "anti-kremlin", ".", "\n"]


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_sentences_with_the_same_skeleton_sum_as_the_rules(data: st.DataObject) -> None:
    scorer = _SCORERS[data.draw(st.sampled_from(sorted(_SCORERS)))]
    pieces = data.draw(st.sampled_from([_vocabulary(scorer), _focus(scorer)]))
    template = data.draw(st.lists(st.one_of(st.none(), st.sampled_from(pieces)), min_size=1, max_size=14))
    texts = []
    for k in range(data.draw(st.integers(1, 4))):
        texts += _texts(scorer, template, 6, seed=k)
    # the same template with one known piece read as an unknown word: a skeleton that must differ
    for j, piece in enumerate(template):
        if piece is not None:
            texts += _texts(scorer, [*template[:j], None, *template[j + 1 :]], 2, seed=j)
    _check(scorer, texts)


def test_repeated_skeletons_are_read_once_and_sum_as_the_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer = _SCORERS["russia_ukraine"]
    rng = np.random.default_rng(4)
    pieces = _vocabulary(scorer)
    texts = []
    for _ in range(60):
        template = [None if rng.random() < 0.4 else str(rng.choice(pieces)) for _ in range(int(rng.integers(3, 12)))]
        texts += _texts(scorer, ["russia", "not", *template], 5, seed=int(rng.integers(1000)))
    calls = []
    sentence = scorer._sentence
    monkeypatch.setattr(scorer, "_sentence", lambda *a: calls.append(1) or sentence(*a))
    got = chunk_sums(scorer, texts)
    monkeypatch.undo()
    ref = _reference(scorer)
    np.testing.assert_array_equal(got, [_reference_sums(ref, t) for t in texts])
    assert 0 < len(calls) < len(texts)  # the rules ran, and fewer times than there are sentences with a cue


def test_phrase_spans_with_the_same_skeleton() -> None:
    scorer = _SCORERS["russia_ukraine"]
    longer = sorted(p for c in ("hawkish_threat", "hawkish_act", "peace", "actors") for p in scorer._categories[c])
    longer = [p for p in longer if " " in p][:40]
    texts = [
        f"{u} {p} {v} {q} {u}"
        for p in longer
        for q in longer[:8]
        for u, v in zip(_UNKNOWN, _UNKNOWN[::-1], strict=True)
    ]
    _check(scorer, texts)


@pytest.mark.parametrize("name", sorted(_SCORERS))
def test_hyphenated_words_and_breaks_keep_their_skeleton(name: str) -> None:
    scorer = _SCORERS[name]
    cats = scorer._categories
    cue, term = sorted(cats["negations"])[0], sorted(cats["peace"])[0]
    slots = ["pro-russian", "us-china", "russia-ukraine", "w1", "w1-w2", "but", "while", ",", "zq"]
    texts = [f"{a} {cue} {b} {term} {c}" for a in slots for b in slots for c in slots[:4]]
    texts += [
        f"{a} {b} {p} {c}" for a in slots for b in slots for p in sorted(cats["hawkish_act"])[:5] for c in slots[:3]
    ]
    _check(scorer, texts)
