"""The lexicon scorer over a whole chunk of texts at once: one tokenisation, Python only where a phrase can match.

:meth:`LexiconScorer._score_one <georisk.scoring.LexiconScorer>` reads one text sentence by
sentence and looks every token up in Python. Here a chunk of texts is normalised and
tokenised by one regular expression call; each token is classified by one C-level dict
look-up (first word of a phrase that adds to a sum, first word of a modifier, sentence
break, text break); and the lexicon's per-sentence rules run only on the sentences that
hold the first word of a phrase that adds to a sum (names, context, off-topic words,
channels, hawkish, peace and ending objects) or a hyphenated word with a name in it,
looking phrases up only at the positions where a first word stands. A sentence without
such a word adds nothing under the rules (modifiers only modify terms). A sentence whose
trigger words each start only one-word phrases of summed categories (and no longer one
there, nor an exclusion) adds their weights, summed with NumPy.

So the sums, and the scores, are those of the sentence-by-sentence path; exactly so when
the weights are multiples of a power of two (every shipped weight is: 0.5, 1, 1.5, 2, and
the hedge, intensity and off-topic factors), else up to float rounding, as the sums are
added in another order. ``tests/test_scoring_chunk.py`` checks it on many generated texts.
"""

from __future__ import annotations

import operator
import re
from itertools import repeat
from typing import TYPE_CHECKING

import numpy as np

from georisk.scoring._conflict import normalise

if TYPE_CHECKING:
    from georisk.scoring._lexicon import LexiconScorer

__all__ = ["chunk_codes", "chunk_sums", "rows_from_sums"]

_TEXT_BREAK = "\x01"
#: Between texts, a text break alone between line breaks: the token pattern's look-arounds
#: then see the same whitespace as at a sentence's edge.
_JOIN = "\n\x01\n"


_CHUNK_TOKEN: list[re.Pattern[str]] = []


def _chunk_token() -> re.Pattern[str]:
    """The lexicon's token pattern, plus sentence and text breaks as tokens."""
    if not _CHUNK_TOKEN:
        from georisk.scoring._lexicon import _TOKEN

        _CHUNK_TOKEN.append(re.compile(_TOKEN.pattern + r"|[\n\x01]"))
    return _CHUNK_TOKEN[0]


def chunk_codes(
    scorer: LexiconScorer, categories: dict[str, dict[str, float]]
) -> tuple[dict[str, int], dict[str, int], np.ndarray, frozenset[tuple[str, str]]]:
    """Token classes for :func:`chunk_sums`, the weights of simple triggers, and the pairs that start longer ones.

    Codes: 1, a *simple* trigger (every trigger phrase it starts is that one word, of a
    summed category: its weights just add); 8, the same but it also starts longer trigger
    phrases (simple where the next word does not continue one of them: the returned
    pairs); 5, any other first word of a trigger phrase; 2, the first word of a modifier
    phrase only; 7, that and the first word of an exclusion; 6, the first word of an
    exclusion only; 3 and 4, sentence and text breaks. Returns the codes, the row of each
    simple trigger in the weight table, that table (columns: ``SUM_KEYS``) and the pairs.
    """
    from georisk.scoring._lexicon import _SUMMED, SUM_KEYS, TRIGGERS

    summed = dict(_SUMMED)
    keys = {k: i for i, k in enumerate(SUM_KEYS)}
    trig: dict[str, list[tuple[int, str, float]]] = {}
    for cat in TRIGGERS:
        for phrase, weight in categories[cat].items():
            toks = phrase.split()
            trig.setdefault(toks[0], []).append((len(toks), cat, weight))
    codes = dict.fromkeys(scorer._matcher.first_tokens, 2)
    ids: dict[str, int] = {}
    rows: list[np.ndarray] = []
    pairs: set[tuple[str, str]] = set()
    for first, found in trig.items():
        if any(k == 1 and cat not in summed for k, cat, _ in found):
            codes[first] = 5
            continue
        codes[first] = 1
        row = np.zeros(len(SUM_KEYS))
        for k, cat, weight in found:
            if k == 1:
                row[keys[summed[cat]]] += weight
            else:
                codes[first] = 8
        ids[first] = len(rows)
        rows.append(row)
    for cat in TRIGGERS:
        for phrase in categories[cat]:
            toks = phrase.split()
            if len(toks) > 1 and codes.get(toks[0]) == 8:
                pairs.add((toks[0], toks[1]))
    for first in scorer._exclusions.first_tokens:
        code = codes.get(first, 0)
        codes[first] = {0: 6, 1: 5, 2: 7, 8: 5}.get(code, code)
        ids.pop(first, None)
    codes.update({"\n": 3, "\x01": 4})
    table = np.vstack(rows) if rows else np.zeros((0, len(SUM_KEYS)))
    return codes, ids, table, frozenset(pairs)


def chunk_sums(scorer: LexiconScorer, texts: list[str]) -> np.ndarray:
    """Weighted hit sums (:data:`~georisk.scoring._lexicon.SUM_KEYS`) of each text, shape ``(n, keys)``.

    Parameters
    ----------
    scorer : LexiconScorer
        Fitted.
    texts : list of str
        The texts, as :func:`~georisk.scoring._lexicon.texts_of` returns them.
    """
    from georisk.scoring._lexicon import SUM_KEYS

    n = len(texts)
    out = np.zeros((n, len(SUM_KEYS)))
    if n == 0:
        return out
    if any(_TEXT_BREAK in t for t in texts):
        # another character the token pattern skips and its look-arounds read as non-space
        texts = [t.replace(_TEXT_BREAK, "\x02") for t in texts]
    big = normalise(_JOIN.join(texts))
    for end in ".!?;":  # sentence ends (the lexicon's sentence pattern) become line breaks
        if end in big:
            big = big.replace(end, "\n")
    tokens: list[str] = _chunk_token().findall(big)
    m = len(tokens)
    codes = np.fromiter(map(scorer._codes.get, tokens, repeat(0)), dtype=np.int8, count=m)
    hyphen = np.flatnonzero(np.fromiter(map(operator.contains, tokens, repeat("-")), dtype=bool, count=m))
    names = scorer._names.first_tokens
    # hyphenated words with a name in them ("pro-russian"): triggers that take the sentence-by-sentence rules
    named = np.asarray(
        [i for i in hyphen.tolist() if tokens[i][0].isalnum() and not names.isdisjoint(tokens[i].split("-"))],
        dtype=np.int64,
    )
    # sentence k spans tokens bounds[k-1] + 1 .. bounds[k] - 1 (bounds[-1] read as -1)
    bounds = np.append(np.flatnonzero((codes == 3) | (codes == 4)), m)
    text_of = np.concatenate([[0], np.cumsum(codes[bounds[:-1]] == 4)])
    triggers = np.union1d(np.flatnonzero((codes == 1) | (codes == 5) | (codes == 8)), named)
    if triggers.size == 0:
        return out
    seg_of = np.searchsorted(bounds, triggers)
    # a word that may start a longer trigger phrase is complex where the next word continues one
    pairs = scorer._trigger_pairs
    longer = [i for i in np.flatnonzero(codes == 8).tolist() if i + 1 < m and (tokens[i], tokens[i + 1]) in pairs]
    marks = np.union1d(np.union1d(np.flatnonzero((codes >= 5) & (codes != 8)), named), np.asarray(longer, np.int64))
    slow = np.intersect1d(np.unique(seg_of), np.searchsorted(bounds, marks))
    # sentences whose triggers are all simple: their words' weights add, one row per word
    simple = triggers[((codes[triggers] == 1) | (codes[triggers] == 8)) & ~np.isin(seg_of, slow)]
    if simple.size:
        ids = [scorer._simple_ids[tokens[i]] for i in simple.tolist()]
        np.add.at(out, text_of[np.searchsorted(bounds, simple)], scorer._simple_weights[ids])
    if slow.size == 0:
        return out
    cand = np.flatnonzero((codes == 1) | (codes == 2) | (codes == 5) | (codes == 7) | (codes == 8))
    cand_seg = np.searchsorted(bounds, cand)
    c_lo = np.searchsorted(cand_seg, slow, side="left")
    c_hi = np.searchsorted(cand_seg, slow, side="right")
    has_hy = np.isin(slow, np.searchsorted(bounds, hyphen))
    lo = np.where(slow == 0, 0, bounds[slow - 1] + 1)
    hi = bounds[slow]
    cand_list = cand.tolist()
    found = []
    for a, b, s, e, h in zip(c_lo.tolist(), c_hi.tolist(), lo.tolist(), hi.tolist(), has_hy.tolist(), strict=True):
        sums = dict.fromkeys(SUM_KEYS, 0.0)
        scorer._sentence(tokens[s:e], sums, None, [p - s for p in cand_list[a:b]], h)
        found.append([sums[k] for k in SUM_KEYS])
    texts_of_slow = text_of[slow]
    np.add.at(out, texts_of_slow, np.asarray(found))
    return out


def rows_from_sums(scorer: LexiconScorer, sums: np.ndarray) -> np.ndarray:
    """:data:`~georisk.scoring.SCORE_COLUMNS` and the gate (last column) from hit sums, over whole arrays.

    The formulas of :class:`~georisk.scoring.LexiconScorer` (its Notes), computed as its
    per-text path computes them, in the same order of operations.
    """
    from georisk.scoring._lexicon import CHANNELS, SUM_KEYS

    lex = scorer.lexicon_
    sat = scorer.saturation
    col = {k: sums[:, i].copy() for i, k in enumerate(SUM_KEYS)}
    names = col["names"]
    base = 1.0 - np.exp(-((names + col["context"] + col["threat"] + col["act"] + col["peace"]) / 2.0))
    gate = lex.gate_floor + (1.0 - lex.gate_floor) * (1.0 - np.exp(-(names / lex.gate_scale)))
    relevance = gate * base
    off = col["off_topic"] > names + col["context"]
    if off.any():
        f = lex.off_topic_factor
        relevance = np.where(off, relevance * f, relevance)
        for key in ("threat", "act", "peace"):
            col[key] = np.where(off, col[key] * f, col[key])
    hawk = col["threat"] + col["act"]
    squash = [hawk / sat, col["threat"] / sat, col["act"] / sat, col["peace"] / sat]
    out = np.empty((len(sums), 5 + len(CHANNELS) + 1))
    out[:, :4] = 1.0 - np.exp(-np.column_stack(squash)) if len(sums) else 0.0
    out[:, 4] = relevance
    for j, c in enumerate(CHANNELS):
        out[:, 5 + j] = 1.0 - np.exp(-(col[c] / 2.0))
    out[:, -1] = gate
    return out
