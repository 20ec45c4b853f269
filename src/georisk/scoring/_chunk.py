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

__all__ = ["MAX_CHARS", "by_chars", "chunk_codes", "chunk_sums", "rows_from_sums"]

_TEXT_BREAK = "\x01"
#: Characters read in one pass: a chunk of long articles is read in slices of about this
#: size, so the token lists of one pass stay small (memory stays flat with long texts).
MAX_CHARS = 1_000_000
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


# Word classes of the chunk path (values of ``LexiconScorer._codes``) and their properties.
SIMPLE, MODIFIER, SENTENCE, TEXT, COMPLEX, EXCLUDES, MODIFIER_EXCLUDES = 1, 2, 3, 4, 5, 6, 7
MAYBE, MAYBE_EXCLUDES, MODIFIER_MAYBE_EXCLUDES = 8, 9, 10
_N_CODES = 11
#: a phrase of any category may start here: the matcher looks at it
_CANDIDATE = np.isin(
    np.arange(_N_CODES), [SIMPLE, MODIFIER, COMPLEX, MODIFIER_EXCLUDES, MAYBE, MODIFIER_MAYBE_EXCLUDES]
)
#: a phrase that adds to a sum may start here: the sentence is scored
_TRIGGER = np.isin(np.arange(_N_CODES), [SIMPLE, COMPLEX, MAYBE])
#: the sentence takes the sentence-by-sentence rules
_COMPLEX = np.isin(np.arange(_N_CODES), [COMPLEX, EXCLUDES, MODIFIER_EXCLUDES])
#: ... where the next word continues a longer phrase (``pairs``)
_MAYBE = np.isin(np.arange(_N_CODES), [MAYBE, MAYBE_EXCLUDES, MODIFIER_MAYBE_EXCLUDES])
#: the word's one-word weights just add (where the sentence is not complex)
_WEIGHED = np.isin(np.arange(_N_CODES), [SIMPLE, MAYBE])


def chunk_codes(
    scorer: LexiconScorer, categories: dict[str, dict[str, float]]
) -> tuple[dict[str, int], dict[str, int], np.ndarray, frozenset[tuple[str, str]]]:
    """Word classes for :func:`chunk_sums`, the weights of simple words, and the pairs that start longer phrases.

    A first word of a phrase that adds to a sum (a *trigger*) is ``SIMPLE`` when every such
    phrase it starts is that one word, of a summed category (names, context, off-topic,
    channels): its weights just add; ``MAYBE`` when it also starts longer such phrases
    (simple unless the next word continues one, see ``pairs``); ``COMPLEX`` when it is a
    one-word hawkish, peace or ending-object term. Other first words are ``MODIFIER``. The
    first word of an exclusion makes a sentence complex: always for a one-word exclusion
    (``COMPLEX``, ``EXCLUDES``, ``MODIFIER_EXCLUDES``), where the next word continues it
    for a longer one (``MAYBE``, ``MAYBE_EXCLUDES``, ``MODIFIER_MAYBE_EXCLUDES``).
    ``SENTENCE`` and ``TEXT`` are the breaks.

    Returns the classes, the row of each ``SIMPLE`` or ``MAYBE`` word in the weight table,
    that table (columns: ``SUM_KEYS``) and the pairs (first two words of every longer
    trigger phrase and exclusion).
    """
    from georisk.scoring._lexicon import _SUMMED, SUM_KEYS, TRIGGERS

    summed = dict(_SUMMED)
    keys = {k: i for i, k in enumerate(SUM_KEYS)}
    trig: dict[str, list[tuple[tuple[str, ...], str, float]]] = {}
    for cat in TRIGGERS:
        for phrase, weight in categories[cat].items():
            toks = tuple(phrase.split())
            trig.setdefault(toks[0], []).append((toks, cat, weight))
    codes = dict.fromkeys(scorer._matcher.first_tokens, MODIFIER)
    ids: dict[str, int] = {}
    rows: list[np.ndarray] = []
    pairs: set[tuple[str, str]] = set()
    for first, found in trig.items():
        row = np.zeros(len(SUM_KEYS))
        code = SIMPLE
        for toks, cat, weight in found:
            if len(toks) > 1:
                pairs.add((toks[0], toks[1]))
                code = max(code, MAYBE) if code != COMPLEX else code
            elif cat in summed:
                row[keys[summed[cat]]] += weight
            else:
                code = COMPLEX
        codes[first] = code
        if code != COMPLEX:
            ids[first] = len(rows)
            rows.append(row)
    for phrase in scorer.lexicon_.exclusions:
        toks = tuple(phrase.split())
        code = codes.get(toks[0], 0)
        if len(toks) == 1:
            codes[toks[0]] = {
                0: EXCLUDES,
                MAYBE_EXCLUDES: EXCLUDES,
                MODIFIER: MODIFIER_EXCLUDES,
                MODIFIER_MAYBE_EXCLUDES: MODIFIER_EXCLUDES,
            }.get(code, COMPLEX if code in (SIMPLE, MAYBE) else code)
        else:
            pairs.add((toks[0], toks[1]))
            codes[toks[0]] = {0: MAYBE_EXCLUDES, MODIFIER: MODIFIER_MAYBE_EXCLUDES, SIMPLE: MAYBE}.get(code, code)
    for first, code in codes.items():
        if code not in (SIMPLE, MAYBE):
            ids.pop(first, None)
    codes.update({"\n": SENTENCE, _TEXT_BREAK: TEXT})
    table = np.vstack(rows) if rows else np.zeros((0, len(SUM_KEYS)))
    return codes, ids, table, frozenset(pairs)


def by_chars(texts: list[str], budget: int = MAX_CHARS) -> list[list[str]]:
    """``texts`` in consecutive slices of about ``budget`` characters (at least one text each).

    Examples
    --------
    >>> [len(s) for s in by_chars(["ab", "cd", "efgh", "i"], budget=4)]
    [2, 1, 1]
    """
    out: list[list[str]] = []
    start, size = 0, 0
    for i, t in enumerate(texts):
        if size and size + len(t) > budget:
            out.append(texts[start:i])
            start, size = i, 0
        size += len(t)
    if start < len(texts) or not out:
        out.append(texts[start:])
    return out


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
    bounds = np.append(np.flatnonzero((codes == SENTENCE) | (codes == TEXT)), m)
    text_of = np.concatenate([[0], np.cumsum(codes[bounds[:-1]] == TEXT)])
    triggers = np.union1d(np.flatnonzero(_TRIGGER[codes]), named)
    if triggers.size == 0:
        return out
    seg_of = np.searchsorted(bounds, triggers)
    # a word that may start a longer trigger phrase or exclusion is complex where the next word continues one
    pairs = scorer._trigger_pairs
    longer = [i for i in np.flatnonzero(_MAYBE[codes]).tolist() if i + 1 < m and (tokens[i], tokens[i + 1]) in pairs]
    marks = np.union1d(np.union1d(np.flatnonzero(_COMPLEX[codes]), named), np.asarray(longer, np.int64))
    slow = np.intersect1d(np.unique(seg_of), np.searchsorted(bounds, marks))
    # sentences whose triggers are all simple: their words' weights add, one row per word
    simple = triggers[_WEIGHED[codes[triggers]] & ~np.isin(seg_of, slow)]
    if simple.size:
        ids = [scorer._simple_ids[tokens[i]] for i in simple.tolist()]
        np.add.at(out, text_of[np.searchsorted(bounds, simple)], scorer._simple_weights[ids])
    if slow.size == 0:
        return out
    cand = np.flatnonzero(_CANDIDATE[codes])
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
