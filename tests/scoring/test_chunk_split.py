"""The chunk tokeniser (byte translation and splitting) finds the tokens of the lexicon's token pattern.

:func:`~georisk.scoring._chunk.chunk_tokens` reads a chunk of texts with ``bytes.translate``
and ``bytes.split`` (:func:`~georisk.scoring._chunk._split`) instead of the lexicon's regular
expression. Checked here against the regular expression itself
(``_chunk_token().findall`` over the same normalised, joined text, what ``chunk_tokens``
ran before) on texts made of what can make the two differ: lone dashes between every kind
of whitespace (ASCII and not), dashes beside punctuation and letters, joiners at word
edges, the bytes the tokeniser uses as marks (``\\x02``-``\\x06``, ``\\x7f``), the text
break ``\\x01``, en and em dashes, non-ASCII letters, lone surrogates.
"""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from georisk.scoring._chunk import _JOIN, _OTHER_SPACE, _TEXT_BREAK, ChunkTokens, _chunk_token, chunk_tokens
from georisk.scoring._conflict import normalise

_CHARS = (
    "ab z09-'-- ,:()\u2013\u2014\n\t\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2009\u200a\u2028\u2029\u202f"
    '\u205f\u3000\x00\x01\x02\x03\x04\x05\x06\x07\x7f.!?;"\u00e9\u2019\u2018\u201c\u212a\u0130\u00df\ud800_AZ'
)
_PIECES = [
    "-", "--", "---", " - ", " -- ", "\n-\n", "\u00a0-\u00a0", "\u2009--\u3000", "-5", "x-", "-x-", "a--b", "'",
    "''", "'tis", "rock'n'roll", "pro-russian", "f-16s", "ukraine's", "o'", "(-)", ",-,", ":--:", "\u2013-\u2014",
    "\x01-\x01", "\x02", "\x7f-", "-\x7f", "\u00e9-", "-\u00e9", "russia", "kyiv", " ", "  ", ".", ";", "\n",
]  # fmt: skip


def _reference(texts: list[str]) -> list[str]:
    """The tokens as ``chunk_tokens`` found them with the regular expression."""
    if any(_TEXT_BREAK in t for t in texts):
        texts = [t.replace(_TEXT_BREAK, "\x02") for t in texts]
    big = normalise(_JOIN.join(texts))
    for end in ".!?;":
        big = big.replace(end, "\n")
    tokens: list[str] = _chunk_token().findall(big)
    return tokens


def _check(texts: list[str]) -> ChunkTokens:
    chunk = chunk_tokens(texts)
    assert chunk.uid.dtype == np.int32
    assert len(set(chunk.unique)) == len(chunk.unique)
    assert chunk.index == {w: i for i, w in enumerate(chunk.unique)}
    got = [chunk.unique[i] for i in chunk.uid.tolist()]
    assert got == _reference(texts), texts
    assert chunk.lengths.tolist() == [len(w) for w in chunk.unique]
    assert chunk.alnum.tolist() == [w.isalnum() for w in chunk.unique]
    assert chunk.hyphen.tolist() == [("-" in w) for w in chunk.unique]
    return chunk


def test_other_space_is_every_non_ascii_whitespace() -> None:
    wide = [c for c in map(chr, range(0x80, 0x110000)) if c.isspace()]
    assert wide == list(_OTHER_SPACE)
    assert all(re.match(r"\s", c) for c in wide)
    assert [c for c in map(chr, range(0x80)) if re.match(r"\s", c)] == list("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f ")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(alphabet=_CHARS, max_size=40), max_size=6))
def test_split_equals_the_token_pattern_on_random_characters(texts: list[str]) -> None:
    _check(texts)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join), min_size=1, max_size=6))
def test_split_equals_the_token_pattern_on_dashes_and_joiners(texts: list[str]) -> None:
    _check(texts)


def test_split_hand_picked() -> None:
    cases = [
        "Kyiv - Moscow -- talks", "- lone at the start", "at the end -", "-", "--", "---", "a - - - b", "a -- -- b",
        "x -\u00a0y", "x\u2009-\u3000y", "x \u2013 y\u2014z", "\"-\" and '-'", "(-) ,--, :-:", "-5 x- 'tis o'",
        "rock'n'roll pro-russian f-16s", "a\x01-\x01b", "\x02\x03\x04\x05\x06\x7f", "caf\u00e9-bar", "\ud800-x",
        "one.two!three?four;five", "", "   ", "\n-\n", "K\u212a-\u0130",
    ]  # fmt: skip
    for case in cases:
        _check([case])
    _check(cases)
    _check([])
    chunk = _check(["Kyiv - Moscow", "a -- b \u2013 c \u2014 d."])
    assert {"-", "--", "\u2013", "\u2014", "\n", "\x01"} <= set(chunk.unique)


def test_split_on_many_generated_texts() -> None:
    rng = np.random.default_rng(7)
    texts = [
        "".join(str(rng.choice(_PIECES)) + str(rng.choice([" ", "", "\t"])) for _ in range(30)) for _ in range(300)
    ]
    _check(texts)
