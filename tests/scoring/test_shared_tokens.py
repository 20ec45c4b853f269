"""The model's hashed counts taken from the lexicon's tokens equal those of reading the texts again.

:func:`~georisk.scoring._model.hashed_counts_from_tokens` derives scikit-learn's word uni-
and bigrams from the lexicon's tokens (for texts whose word characters are ``a-z`` and
``0-9``; others are read again). Checked against
:func:`~georisk.scoring._model.hashed_word_counts` (itself checked against scikit-learn's
``HashingVectorizer`` in ``tests/scoring/test_scoring_model.py``) on texts made to break it:
apostrophes, possessives, hyphens, underscores, non-ASCII letters and digits, final
sigma, control characters, texts past the model's lede.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import HashingVectorizer

from georisk.scoring import BlendedScorer
from georisk.scoring._chunk import by_chars, chunk_tokens
from georisk.scoring._lexicon import _TOKEN
from georisk.scoring._model import hashed_counts_from_tokens, hashed_word_counts, plain_texts
from georisk.scoring._supervised import _lede

_PIECES = [
    "russia", "kyiv", "peace", "talks", "a", "b", "x1", "f-16s", "pro-russian", "don't", "ukraine's", "ukraine\u2019s",
    "o'", "'s", "'", "-", "--", "\u2014", "\u2013", "_", "snake_case", "caf\u00e9", "na\u00efve", "\u0130stanbul",
    "\u041a\u0438\u0457\u0432", "\u039f\u0394\u039f\u03a3", "\u03a3", "\u00b2", "\u0663", "\ufb01nal", "K\u212a",
    "e\u0301", "\x00", "\x01", "\x02", "\n", ".", "!", "?", ";", ",", "(", ")", ":", '"', "\u201c", "\u201d", " ",
    "  ", "\t", "A", "B", "S", "'S", "US", "U.S.", "12", "1", "ab-cd-ef", "a-b", "x'y'z", "\u2019", "\u00a0",
]  # fmt: skip


def _text(rng: np.random.Generator, size: int) -> str:
    glue = ["", " ", " ", " "]
    return "".join(str(rng.choice(glue)) + _PIECES[int(rng.integers(len(_PIECES)))] for _ in range(size))


def _shared(texts: list[str], max_words: int = 200) -> np.ndarray:
    docs = [_lede(t, max_words) for t in texts]
    got = hashed_counts_from_tokens(chunk_tokens(texts), texts, docs, 2**16)
    want = hashed_word_counts(docs, 2**16)
    assert got.dtype == want.dtype == np.float32
    assert got.indices.dtype == np.int32
    assert got.has_canonical_format
    assert (got != want).nnz == 0, [t for i, t in enumerate(texts) if (got[[i]] != want[[i]]).nnz]
    return got.toarray().sum(axis=1)


def test_shared_counts_equal_reading_again() -> None:
    rng = np.random.default_rng(3)
    texts = [_text(rng, int(rng.integers(0, 30))) for _ in range(2000)]
    totals = _shared(texts)
    assert (totals > 0).mean() > 0.5
    assert 0.1 < plain_texts(texts).mean() < 0.9  # both kinds of text are exercised


def test_shared_counts_of_plain_and_cut_texts() -> None:
    rng = np.random.default_rng(4)
    plain = [p for p in _PIECES if plain_texts([p])[0]]
    texts = [" ".join(rng.choice(plain, size=int(rng.integers(0, 400)))) for _ in range(300)]
    assert plain_texts(texts).all()
    _shared(texts)  # some past the lede: read again
    _shared(texts, max_words=5)
    _shared([])
    _shared(["", " ", "a", "\x01", "ab"])


def test_shared_counts_equal_scikit_learn() -> None:
    texts = ["Russia's talks in Kyiv", "pro-Russian forces; don't", "f-16s and F-16 jets", "", "a b c", "ab ab ab"]
    vec = HashingVectorizer(ngram_range=(1, 2), n_features=2**16, alternate_sign=False, norm=None, dtype=np.float32)
    got = hashed_counts_from_tokens(chunk_tokens(texts), texts, texts, 2**16)
    assert (got != vec.transform(texts)).nnz == 0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet=st.sampled_from([*"ab_-'s .;\n\x01\x00\u00e9\u03a3\u2019A1"]), max_size=40), max_size=8)
)
def test_shared_counts_on_arbitrary_text(texts: list[str]) -> None:
    _shared(texts)


@pytest.mark.parametrize(("char_ngrams", "budget"), [(False, 1_000_000), (True, 1_000_000), (False, 3000)])
def test_the_blend_reads_each_text_once_with_the_same_scores(
    char_ngrams: bool, budget: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # budget: the characters read at once (long chunks are read in slices)
    monkeypatch.setattr("georisk.scoring._blend.by_chars", lambda texts: by_chars(texts, budget=budget))
    rng = np.random.default_rng(5)
    texts = [_text(rng, int(rng.integers(0, 60))) for _ in range(400)] + ["word " * 450]
    scorer = BlendedScorer(char_ngrams=char_ngrams).fit()
    lexicon, model = scorer.lexicon_scorer_, scorer.supervised_scorer_
    assert model is not None
    lex, gate, heads, index = scorer._both(texts, model)
    want_lex, want_gate = lexicon._scores(texts)
    assert index is None
    np.testing.assert_array_equal(lex, want_lex.to_numpy())
    np.testing.assert_array_equal(gate, want_gate)
    want_heads = model.predict_proba_heads(texts)
    assert list(heads) == list(want_heads.columns)
    for head, probs in heads.items():
        np.testing.assert_array_equal(probs, want_heads[head].to_numpy())


_OLD_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*|[,:()\u2013\u2014]|(?<!\S)--?(?!\S)")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from([*"ab1-' \n\t,:()\u2013\u2014\x01.\u00e9"]), max_size=60))
def test_the_token_pattern_reads_as_it_did(text: str) -> None:
    # a dash alone: matched as "-(?<!\S-)" instead of "(?<!\S)-", so that every alternative opens with a set
    assert _TOKEN.findall(text) == _OLD_TOKEN.findall(text)
    for dashes in ("-", "--", "---", " - ", " -- ", " --- ", "a-", "-a", "a--b", "- -", "(-)", "\n--\n"):
        assert _TOKEN.findall(dashes) == _OLD_TOKEN.findall(dashes)
