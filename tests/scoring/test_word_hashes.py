"""MurmurHash3 of words and bigrams with NumPy equals scikit-learn's, and so do the columns the model uses.

:class:`~georisk.scoring._model._WordHashes` hashes the model's words and their bigrams
(``"left right"``) over whole arrays, from each word's state after its whole 4-byte blocks.
Checked against scikit-learn's ``murmurhash3_32`` (seed 0, signed) on words of every
length up to :data:`~georisk.scoring._model.MAX_WORD` (so every offset of the right word
and every tail length), and :func:`~georisk.scoring._model._bigram_columns` against
scikit-learn's hashing loop, with words longer than ``MAX_WORD`` and non-ASCII words
(both hashed by the loop) among them.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.utils import murmurhash3_32

from georisk.scoring._model import MAX_WORD, _bigram_columns, _columns, _hash_columns, _WordHashes

_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=MAX_WORD)


def _signed(h: np.ndarray) -> list[int]:
    out: list[int] = h.view(np.int32).tolist()
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=30), st.data())
def test_word_and_bigram_hashes_equal_murmurhash3(words: list[str], data: st.DataObject) -> None:
    table = _WordHashes(words)
    assert _signed(table.hashes) == [murmurhash3_32(w, seed=0) for w in words]
    pairs = data.draw(st.lists(st.tuples(*[st.integers(0, len(words) - 1)] * 2), max_size=40))
    left = np.asarray([a for a, _ in pairs], dtype=np.int64)
    right = np.asarray([b for _, b in pairs], dtype=np.int64)
    want = [murmurhash3_32(f"{words[a]} {words[b]}", seed=0) for a, b in pairs]
    assert _signed(table.bigrams(left, right)) == want


def test_every_length_and_offset() -> None:
    words = ["abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"[:k] for k in range(1, MAX_WORD + 1)]
    table = _WordHashes(words)
    assert _signed(table.hashes) == [murmurhash3_32(w, seed=0) for w in words]
    left, right = (a.ravel() for a in np.meshgrid(np.arange(len(words)), np.arange(len(words))))
    want = [
        murmurhash3_32(f"{words[a]} {words[b]}", seed=0) for a, b in zip(left.tolist(), right.tolist(), strict=True)
    ]
    assert _signed(table.bigrams(left, right)) == want
    assert _signed(_WordHashes([]).bigrams(np.zeros(0, np.int64), np.zeros(0, np.int64))) == []


def test_columns_take_the_absolute_value_as_scikit_learn() -> None:
    h = np.array([0, 1, -1, 2**31 - 1, -(2**31), -5, 12345], dtype=np.int64).astype(np.int32).view(np.uint32)
    for n in (2**20, 2**16, 1000, 7):
        want = [abs(v) % n if v != -(2**31) else (2**31 - 1 - (n - 1)) % n for v in h.view(np.int32).tolist()]
        assert _columns(h, n).tolist() == want


def test_bigram_columns_equal_the_hashing_loop_with_long_and_non_ascii_words() -> None:
    rng = np.random.default_rng(11)
    alphabet = list("abcdefghijklmnopqrstuvwxyz0123456789")
    words = ["".join(rng.choice(alphabet, int(rng.integers(2, 12)))) for _ in range(200)]
    words += ["x" * (MAX_WORD + 1), "y" * 200, "ab" * MAX_WORD, "k" * MAX_WORD]
    left = rng.integers(0, len(words), 3000)
    right = rng.integers(0, len(words), 3000)
    for vocabulary in (words, [*words, "caf\u00e9"]):  # a word past ASCII: all by the loop
        n = 2**18
        word_cols = np.zeros(len(vocabulary), dtype=np.int64)
        got = _bigram_columns(vocabulary, np.arange(len(vocabulary)), word_cols, left, right, n)
        want = _hash_columns([f"{vocabulary[a]} {vocabulary[b]}" for a, b in zip(left, right, strict=True)], n)
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(word_cols, _hash_columns(vocabulary, n))
