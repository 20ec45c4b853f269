"""The lexicon scorer's chunk path gives the sums, scores and evidence of the sentence-by-sentence path.

The reference is the scorer as it was before the chunk path: texts read one by one,
sentence by sentence, every token looked up by the original phrase matcher (copied here
as :class:`OldMatcher`). Texts are generated from the lexicon's own phrases mixed with
filler words, clause punctuation, sentence ends, hyphenated and possessive names, capitals,
non-ASCII letters and control characters, so negation, endings, hedges, exclusions,
other senses, hyphenated names and sentence breaks are all exercised.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from georisk.scoring import LexiconScorer
from georisk.scoring._chunk import chunk_sums, rows_from_sums
from georisk.scoring._conflict import normalise
from georisk.scoring._lexicon import _SENTENCE, _TOKEN, SUM_KEYS, _Matcher


class OldMatcher:
    """The phrase matcher as it was: candidates per first token, longest first, compared one by one."""

    def __init__(self, categories: dict[str, dict[str, float]]) -> None:
        self.by_first: dict[str, list[tuple[tuple[str, ...], str, float]]] = {}
        for cat, phrases in categories.items():
            for phrase, weight in phrases.items():
                toks = tuple(phrase.split())
                self.by_first.setdefault(toks[0], []).append((toks, cat, weight))
        for cands in self.by_first.values():
            cands.sort(key=lambda c: -len(c[0]))
        self.first_tokens = frozenset(self.by_first)

    def find(self, tokens: list[str]) -> dict[str, list[tuple[int, int, float]]]:
        out: dict[str, list[tuple[int, int, float]]] = {}
        free: dict[str, int] = {}
        n = len(tokens)
        for i, tok in enumerate(tokens):
            cands = self.by_first.get(tok)
            if not cands:
                continue
            for toks, cat, weight in cands:
                if free.get(cat, 0) > i:
                    continue
                k = len(toks)
                if k == 1 or (i + k <= n and tuple(tokens[i : i + k]) == toks):
                    out.setdefault(cat, []).append((i, i + k, weight))
                    free[cat] = i + k
        return out


def _reference(scorer: LexiconScorer) -> LexiconScorer:
    """A copy of a fitted scorer whose matchers are the old ones."""
    ref = copy.copy(scorer)
    lex = scorer.lexicon_
    ref._matcher = OldMatcher(scorer._categories)  # type: ignore[assignment]
    ref._names = OldMatcher({"actors": lex.actors, "context": lex.context})  # type: ignore[assignment]
    ref._exclusions = OldMatcher({"x": lex.exclusions})  # type: ignore[assignment]
    return ref


def _reference_sums(ref: LexiconScorer, text: str) -> list[float]:
    sums = dict.fromkeys(SUM_KEYS, 0.0)
    for sentence in _SENTENCE.split(normalise(text)):
        tokens = _TOKEN.findall(sentence)
        if tokens:
            ref._sentence(tokens, sums, None, None, "-" in sentence)
    return [sums[k] for k in SUM_KEYS]


_SCORER = LexiconScorer().fit()


@pytest.fixture(scope="module", params=["russia_ukraine", "china_taiwan"])
def scorer(request: pytest.FixtureRequest) -> LexiconScorer:
    return LexiconScorer(conflict=request.param).fit()


_FILLER = ["the", "a", "said", "on", "of", "and", "but", "while", "after", "w1", "w2", "it", "them", "its"]
_PUNCT = [",", ":", "(", ")", "-", "--", "\u2014", "\u2013", ".", "!", "?", ";", "\n", "'s", "\u2019s", '"', "/"]
_ODD = ["\x01", "\x02", "\x00", "é", "ß", "İstanbul", "K\u212a", "\u200b", "\t", "-", "'"]


def _vocabulary(scorer: LexiconScorer) -> list[str]:
    phrases = sorted({p for cat in scorer._categories.values() for p in cat} | set(scorer.lexicon_.exclusions))
    words = sorted({w for p in phrases for w in p.split()})  # phrases cut short and words out of place
    return phrases + words + sorted(scorer.lexicon_.scope_breaks)


def _text(rng: np.random.Generator, vocab: list[str], names: list[str]) -> str:
    pieces = []
    for _ in range(int(rng.integers(0, 40))):
        u = rng.random()
        if u < 0.45:
            piece = vocab[int(rng.integers(len(vocab)))]
        elif u < 0.65:
            piece = _FILLER[int(rng.integers(len(_FILLER)))]
        elif u < 0.82:
            piece = _PUNCT[int(rng.integers(len(_PUNCT)))]
        elif u < 0.92:
            a, b = names[int(rng.integers(len(names)))], names[int(rng.integers(len(names)))]
            piece = rng.choice([f"pro-{a}", f"{a}-{b}", f"{a}'s", f"anti-{a}-led", f"{a}-"])
        else:
            piece = _ODD[int(rng.integers(len(_ODD)))]
        if rng.random() < 0.1:
            piece = piece.upper()
        pieces.append(piece)
    glue = [" " if rng.random() < 0.85 else "" for _ in pieces]
    return "".join(g + p for g, p in zip(glue, pieces, strict=True))


def _texts(scorer: LexiconScorer, n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    vocab = _vocabulary(scorer)
    names = sorted(p for p in scorer.lexicon_.actors if " " not in p) or ["russia"]
    return [_text(rng, vocab, names) for _ in range(n)]


def test_matcher_finds_what_the_old_matcher_found(scorer: LexiconScorer) -> None:
    old = OldMatcher(scorer._categories)
    new = _Matcher(scorer._categories)
    for text in _texts(scorer, 1500, seed=1):
        for sentence in _SENTENCE.split(normalise(text)):
            tokens = _TOKEN.findall(sentence)
            assert new.find(tokens) == old.find(tokens), sentence
            firsts = [i for i, t in enumerate(tokens) if t in new.first_tokens]
            assert new.find_at(tokens, firsts) == old.find(tokens), sentence


@pytest.mark.slow
def test_chunk_sums_equal_the_sentence_by_sentence_sums(scorer: LexiconScorer) -> None:
    ref = _reference(scorer)
    texts = _texts(scorer, 3000, seed=2)
    expected = np.asarray([_reference_sums(ref, t) for t in texts])
    # in one chunk and in uneven chunks: a text's sums never depend on its neighbours
    np.testing.assert_array_equal(chunk_sums(scorer, texts), expected)
    parts = [chunk_sums(scorer, texts[i : i + 7]) for i in range(0, len(texts), 7)]
    np.testing.assert_array_equal(np.vstack(parts), expected)
    assert (expected != 0).any(axis=1).mean() > 0.5  # the texts do hit the lexicon


def test_chunk_scores_and_evidence_equal_the_reference(scorer: LexiconScorer) -> None:
    ref = _reference(scorer)
    texts = _texts(scorer, 1000, seed=3)
    expected = np.asarray([ref._score_one(t, False)[0] for t in texts])
    got = rows_from_sums(scorer, chunk_sums(scorer, texts))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-15)
    assert scorer.explain(texts) == ref.explain(texts)


def test_empty_and_blank_chunks(scorer: LexiconScorer) -> None:
    assert chunk_sums(scorer, []).shape == (0, len(SUM_KEYS))
    assert rows_from_sums(scorer, chunk_sums(scorer, [])).shape == (0, 10)
    np.testing.assert_array_equal(chunk_sums(scorer, ["", " ", "...", "\x01"]), 0.0)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.text(alphabet=st.sampled_from([*"russia ukraine kyiv-peace talks no not ,.;-'s\x01\n"]), max_size=60))
)
def test_chunk_path_on_arbitrary_text(texts: list[str]) -> None:
    scorer = _SCORER
    ref = _reference(scorer)
    expected = np.asarray([_reference_sums(ref, t) for t in texts]).reshape(-1, len(SUM_KEYS))
    np.testing.assert_array_equal(chunk_sums(scorer, texts), expected)


@pytest.mark.slow
def test_long_chunks_are_read_in_slices_with_the_same_scores() -> None:
    scorer = _SCORER
    ref = _reference(scorer)
    texts = [" ".join(_texts(scorer, 2000, seed=10 + i)) for i in range(4)]  # about 4 x 300,000 characters
    assert sum(map(len, texts)) > 1_000_000
    expected = np.asarray([ref._score_one(t, False)[0] for t in texts])
    np.testing.assert_allclose(scorer.transform(texts).to_numpy(), expected[:, :-1], rtol=0, atol=1e-15)
