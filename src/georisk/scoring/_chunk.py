"""The lexicon scorer over a whole chunk of texts at once: one tokenisation, Python only where a phrase can match.

:meth:`LexiconScorer._score_one <georisk.scoring.LexiconScorer>` reads one text sentence by
sentence and looks every token up in Python. Here a chunk of texts is normalised and
tokenised at once (the lexicon's token pattern, found by byte translation and
``bytes.split``: :func:`_split`); each distinct token is classified by one C-level dict
look-up (first word of a phrase that adds to a sum, first word of a modifier, sentence
break, text break); and the lexicon's per-sentence rules run only on the sentences that
hold the first word of a phrase that adds to a sum (names, context, off-topic words,
channels, hawkish, peace and ending objects) or a hyphenated word with a name in it,
looking phrases up only at the positions where a first word stands. A sentence without
such a word adds nothing under the rules (modifiers only modify terms). A *simple*
sentence (no phrase of more than one word can match there, no exclusion, no hyphenated
name, and no modifier where a one-word hawkish, peace or ending-object term stands; see
:func:`chunk_codes`) adds its trigger words' one-word weights, summed with NumPy. So does a
sentence where only a longer trigger phrase may match (no modifier, exclusion or known
hyphenated name stands there), except that the words a phrase reaches add the sums of its
span, found by the matcher's own rule run from the phrase's start (:func:`_phrase_sums`).
The sentences under the rules and the phrase spans are read once per *skeleton* in a chunk
(their tokens, every word the rules cannot tell from an unknown one read as one: see
:func:`_rule_words`); the others with the same skeleton take the same sums.

So the sums, and the scores, are those of the sentence-by-sentence path; exactly so when
the weights are multiples of a power of two (every shipped weight is: 0.5, 1, 1.5, 2, and
the hedge, intensity and off-topic factors), else up to float rounding, as the sums are
added in another order. ``tests/scoring/test_scoring_chunk.py`` checks it on many generated texts.
"""

from __future__ import annotations

import operator
import re
from itertools import compress, count, repeat
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from georisk.scoring._conflict import normalise

if TYPE_CHECKING:
    from georisk.scoring._lexicon import LexiconScorer

__all__ = [
    "MAX_CHARS",
    "ChunkTables",
    "ChunkTokens",
    "by_chars",
    "chunk_codes",
    "chunk_sums",
    "chunk_tokens",
    "rows_from_sums",
]

_TEXT_BREAK = "\x01"
#: Characters read in one pass: a chunk of long articles is read in slices of about this
#: size, so the token lists of one pass stay small (memory stays flat with long texts).
MAX_CHARS = 1_000_000
#: Between texts, a text break between spaces: a token of its own that ends a sentence (and a
#: text), and the token pattern's look-arounds see whitespace there, as at a text's edge.
_JOIN = " \x01 "


_CHUNK_TOKEN: list[re.Pattern[str]] = []


def _chunk_token() -> re.Pattern[str]:
    """The lexicon's token pattern, plus sentence and text breaks as tokens."""
    if not _CHUNK_TOKEN:
        from georisk.scoring._lexicon import _TOKEN

        _CHUNK_TOKEN.append(re.compile(_TOKEN.pattern + r"|[\n\x01]"))
    return _CHUNK_TOKEN[0]


# Word flags of the chunk path (bits of ``ChunkTables.flags``), by word id.
#: a break: sentence end (line break) or text break
BREAK = 1
#: the first word of a phrase that adds to a sum (names, context, off-topic, channels, hawkish,
#: peace, ending objects): a sentence without one adds nothing
TRIGGER = 2
#: a one-word hawkish, peace or ending-object term: modifiers matter in its sentence
DIRECTIONAL = 4
#: a one-word modifier (negation, hedge, intensifier, ending or missed cue, other sense, topic)
MODIFIER = 8
#: the first word of a longer modifier phrase: a modifier where the next word continues one
MODIFIER_LONGER = 16
#: the first word of a longer trigger phrase or exclusion: complex where the next word continues one
LONGER = 32
#: a one-word exclusion: the sentence takes the sentence-by-sentence rules
EXCLUDES = 64
#: the first word of a phrase of any category: the matcher looks at it
CANDIDATE = 128
#: a word the sentence-by-sentence rules tell apart from an unknown word (:func:`_rule_words`)
RULE = 256
#: Word ids of the breaks (0: a word the lexicon does not know).
SENTENCE_ID, TEXT_ID = 1, 2


class ChunkTables(NamedTuple):
    """What :func:`chunk_sums` looks words up in (built once, by :func:`chunk_codes`)."""

    #: word -> id (0 is every other word)
    ids: dict[str, int]
    #: bits per id (``BREAK``, ``TRIGGER``, ...), uint16
    flags: np.ndarray
    #: per id, the sums (columns ``SUM_KEYS``) the word adds on its own in a simple sentence
    weights: np.ndarray
    #: first two words of every longer trigger phrase
    pairs: frozenset[tuple[str, str]]
    #: first two words of every longer modifier phrase
    modifier_pairs: frozenset[tuple[str, str]]
    #: first two words of every longer exclusion
    exclusion_pairs: frozenset[tuple[str, str]]
    #: every word the sentence-by-sentence rules tell apart from an unknown word (see :func:`_rule_words`)
    rule_words: frozenset[str]
    #: the first words of every phrase and exclusion (a hyphenated one takes the rules)
    known: frozenset[str]
    #: ``pairs``, ``modifier_pairs`` and ``exclusion_pairs`` as sorted keys ``id(first) * len(ids) + id(second)``
    pair_keys: dict[str, np.ndarray]


def chunk_codes(scorer: LexiconScorer, categories: dict[str, dict[str, float]]) -> ChunkTables:
    """Word ids, flags and one-word weights for :func:`chunk_sums`, and the pairs that start longer phrases.

    A sentence is *simple* when none of its phrases of more than one word can match (no
    ``LONGER`` word followed by the second word of such a phrase), it holds no one-word
    exclusion and no hyphenated word with a name in it, and, where it holds a one-word
    hawkish, peace or ending-object term (``DIRECTIONAL``), no modifier either (no
    ``MODIFIER`` word, no ``MODIFIER_LONGER`` word followed by the second word of a
    modifier phrase). In a simple sentence every phrase that matches is one word long and
    no cue modifies it, so each trigger word adds its one-word weights: those of the
    summed categories (names, context, off-topic, channels) and, of the hawkish threat,
    hawkish act and peace categories, the first it belongs to (terms of several categories
    that overlap keep the first; an ending object alone adds nothing).
    """
    from georisk.scoring._lexicon import _DIRECTIONAL, _KEY, _SUMMED, SUM_KEYS, TRIGGERS

    summed = dict(_SUMMED)
    keys = {k: i for i, k in enumerate(SUM_KEYS)}
    ids: dict[str, int] = {"\n": SENTENCE_ID, _TEXT_BREAK: TEXT_ID}
    flags: list[int] = [0, BREAK, BREAK]
    rows: list[np.ndarray] = [np.zeros(len(SUM_KEYS)) for _ in range(3)]
    directed: set[str] = set()

    def word(w: str) -> int:
        if w not in ids:
            ids[w] = len(flags)
            flags.append(0)
            rows.append(np.zeros(len(SUM_KEYS)))
        return ids[w]

    pairs: set[tuple[str, str]] = set()
    modifier_pairs: set[tuple[str, str]] = set()
    exclusion_pairs: set[tuple[str, str]] = set()
    for cat, phrases in categories.items():
        trigger = cat in TRIGGERS
        for phrase, weight in phrases.items():
            toks = phrase.split()
            i = word(toks[0])
            flags[i] |= CANDIDATE | (TRIGGER if trigger else 0)
            if len(toks) > 1:
                flags[i] |= LONGER if trigger else MODIFIER_LONGER
                (pairs if trigger else modifier_pairs).add((toks[0], toks[1]))
            elif not trigger:
                flags[i] |= MODIFIER
            elif cat in summed:
                rows[i][keys[summed[cat]]] += weight
            elif cat in _DIRECTIONAL or cat == "end_objects":
                flags[i] |= DIRECTIONAL
    for cat in _DIRECTIONAL:  # a word of several directional categories counts in the first
        for phrase, weight in categories[cat].items():
            if " " not in phrase and phrase not in directed:
                directed.add(phrase)
                rows[ids[phrase]][keys[_KEY[cat]]] += weight
    for phrase in scorer.lexicon_.exclusions:
        toks = phrase.split()
        i = word(toks[0])
        if len(toks) > 1:
            flags[i] |= LONGER
            exclusion_pairs.add((toks[0], toks[1]))
        else:
            flags[i] |= EXCLUDES
    known = frozenset(ids)
    rule_words = _rule_words(scorer)
    for w in sorted(rule_words):  # the rules' other words: no weight, no other flag
        flags[word(w)] |= RULE
    groups = {"pairs": pairs, "modifier_pairs": modifier_pairs, "exclusion_pairs": exclusion_pairs}
    for group in groups.values():
        for a, b in group:
            word(a), word(b)
    pair_keys = {
        name: np.unique(np.asarray([ids[a] * len(ids) + ids[b] for a, b in group], dtype=np.int64))
        for name, group in groups.items()
    }
    return ChunkTables(
        ids,
        np.asarray(flags, dtype=np.uint16),
        np.vstack(rows),
        frozenset(pairs),
        frozenset(modifier_pairs),
        frozenset(exclusion_pairs),
        rule_words,
        known,
        pair_keys,
    )


def _rule_words(scorer: LexiconScorer) -> frozenset[str]:
    """Every word the sentence-by-sentence rules tell apart from a word they do not know.

    The words of every phrase of the matcher, the exclusions and the names, the clause
    breaks and ending stops, the words of the generic peace terms, and the sentence and
    text breaks. The rules look a token up in these (phrases, break sets) and look inside
    a token only when it holds a hyphen; so two sentences that differ only in words outside
    this set, none hyphenated, add the same sums (:func:`chunk_sums` reads one, reuses it).
    """
    words: set[str] = {"\n", _TEXT_BREAK}
    for matcher in (scorer._matcher, scorer._exclusions, scorer._names):
        for first, groups in matcher.by_first.items():
            words.add(first)
            for _, table, _ in groups:
                for phrase in table:
                    words.update(phrase)
    words |= scorer._breaks | scorer._stops
    for generic in scorer._generic:
        words.update(generic)
    return frozenset(words)


def by_chars(texts: list[str], budget: int = MAX_CHARS) -> list[list[str]]:
    """``texts`` in consecutive slices of about ``budget`` characters (at least one text each).

    Examples
    --------
    >>> [len(s) for s in by_chars(["ab", "cd", "efgh", "i"], budget=4)]
    [2, 1, 1]
    """
    if sum(map(len, texts)) <= budget:  # one slice: no Python loop over the texts
        return [texts[:]]
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


class ChunkTokens:
    """The lexicon's tokens of a chunk of texts (:func:`chunk_tokens`), as numbers of their distinct values.

    Sentence breaks (``"\\n"``) and text breaks (``"\\x01"``) are tokens too.

    Attributes
    ----------
    unique : list of str
        The distinct tokens.
    uid : numpy.ndarray
        The position in ``unique`` of each token (int32).
    index : dict of str to int
        The position in ``unique`` of each distinct token.
    lengths, alnum, hyphen : numpy.ndarray
        Per distinct token: its length, whether it is all letters and digits, whether it holds a ``-``.
    """

    __slots__ = ("alnum", "hyphen", "index", "lengths", "uid", "unique")

    def __init__(
        self,
        unique: list[str],
        uid: np.ndarray,
        index: dict[str, int],
        lengths: np.ndarray | None = None,
        alnum: np.ndarray | None = None,
        hyphen: np.ndarray | None = None,
    ) -> None:
        u = len(unique)
        self.unique = unique
        self.uid = uid
        self.index = index
        self.lengths = np.fromiter(map(len, unique), dtype=np.int64, count=u) if lengths is None else lengths
        self.alnum = np.fromiter(map(str.isalnum, unique), dtype=bool, count=u) if alnum is None else alnum
        if hyphen is None:
            hyphen = np.fromiter(map(operator.contains, unique, repeat("-")), dtype=bool, count=u)
        self.hyphen = hyphen


#: Whitespace other than ``" "`` and ``"\\n"`` (``str.isspace``, which the token pattern's ``\\s`` reads).
_ASCII_SPACE = "\t\x0b\x0c\r\x1c\x1d\x1e\x1f"
_OTHER_SPACE = (
    "\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_OTHER_SPACE_BYTES = tuple(ch.encode() for ch in _OTHER_SPACE)
#: Bytes that stand for the tokens ``-``, ``--``, en dash, em dash and line break once read (the text's own
#: such bytes become \\x7f, a byte that is neither a token nor a space); ``bytes.split`` splits at line breaks.
_MARKS = {0x02: "-", 0x03: "--", 0x04: "\u2013", 0x05: "\u2014", 0x06: "\n"}
#: First pass: whitespace to a space, line breaks to their mark, the mark bytes to \\x7f.
_SPACES = bytes(32 if chr(b) in _ASCII_SPACE else 0x06 if b == 0x0A else 0x7F if b in _MARKS else b for b in range(256))
#: Second pass: what is no token (or part of one) becomes a space.
_TOKEN_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789'-,:()\x01" + bytes(_MARKS))
_BLANKS = bytes(b if b in _TOKEN_BYTES else 32 for b in range(256))
_ASCII = bytes(range(128))
_EN_DASH, _EM_DASH = "\u2013".encode(), "\u2014".encode()
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
#: ``--`` and ``-`` between spaces (written dash first: the regular expression engine then skips to each dash)
_LONE_DASHES = re.compile(rb"--(?<= --)(?= )")
_LONE_DASH = re.compile(rb"-(?<= -)(?= )")


def _split(big: str) -> list[bytes]:
    """The lexicon's token pattern over ``big`` (normalised, sentence ends read as line breaks), as bytes.

    The same tokens as ``_chunk_token().findall(big)``, found by byte translation and
    ``bytes.split`` instead of a regular expression, except that a token with a joiner
    (``-`` or ``'``) comes as the run of letters, digits and joiners it stands in (the
    pattern's word alternative finds its words in it, :func:`chunk_tokens`), and the
    tokens ``-``, ``--``, en dash and em dash as the bytes of ``_MARKS``.

    Notes
    -----
    The pattern's words (``[a-z0-9]+(?:[-'][a-z0-9]+)*``) lie inside maximal runs of
    ``[a-z0-9'-]``, and what it finds in a run does not depend on what stands around it;
    punctuation tokens and breaks are single characters; ``-`` or ``--`` is a token where
    whitespace (or the text's edge) stands on both sides, the only look-around. So:
    whitespace becomes a space (line breaks stay), a lone ``-`` or ``--`` between spaces a
    mark, every other character that is no part of a token a space, punctuation, breaks and
    marks are set apart by spaces, and the text is split at spaces.
    """
    raw = big.encode("utf-8", "surrogatepass").translate(_SPACES)
    # the bytes of the characters past ASCII, each still whole (UTF-8 is self-synchronising): few, searched fast
    wide = b"" if big.isascii() else raw.translate(None, _ASCII)
    for space in _OTHER_SPACE_BYTES:
        if space in wide:
            raw = raw.replace(space, b" ")
    if b"\x06" in raw:
        raw = raw.replace(b"\x06", b" \x06 ")
    if b"-" in raw:  # the look-arounds read no character: " - - " holds two lone dashes
        raw = _LONE_DASH.sub(b"\x02", _LONE_DASHES.sub(b"\x03", b" " + raw + b" "))
    for dash, mark in ((_EN_DASH, b" \x04 "), (_EM_DASH, b" \x05 ")):
        if dash in wide:
            raw = raw.replace(dash, mark)
    raw = raw.translate(_BLANKS)
    for punct in (b",", b":", b"(", b")", b"\x01"):
        if punct in raw:
            raw = raw.replace(punct, b" " + punct + b" ")
    return raw.split()


def chunk_tokens(texts: list[str]) -> ChunkTokens:
    """The lexicon's tokens of ``texts``: normalised, joined, sentence ends read as line breaks, read in one pass.

    The tokens are those of the lexicon's token pattern (:data:`~georisk.scoring._lexicon._TOKEN`),
    found by byte translation and splitting (:func:`_split`); each is numbered by its distinct
    value (one C-level dict pass), so that what is computed per word (a look-up, a hash) is
    computed once per distinct word.
    """
    big = _JOIN.join(texts)
    if big.count(_TEXT_BREAK) > len(texts) - 1:
        # another character the token pattern skips and its look-arounds read as non-space
        big = _JOIN.join([t.replace(_TEXT_BREAK, "\x02") for t in texts])
    big = normalise(big)
    for end in ".!?;":  # sentence ends (the lexicon's sentence pattern) become line breaks
        if end in big:
            big = big.replace(end, "\n")
    runs = _split(big)
    m = len(runs)
    # one C-level pass: each run's first position, then first positions numbered in order
    first: dict[bytes, int] = {}
    at = np.fromiter(map(first.setdefault, runs, count()), dtype=np.int64, count=m)
    number = np.zeros(m, dtype=np.int32)
    number[np.fromiter(first.values(), dtype=np.int64, count=len(first))] = np.arange(len(first), dtype=np.int32)
    uid = number[at]
    # every run is ASCII without spaces: one decode for all, and per run its length, joiners and first byte
    together = b" ".join(first)
    unique = together.decode("ascii").split(" ") if first else []
    u = len(unique)
    raw = np.frombuffer(together, dtype=np.uint8)
    space = raw == 32
    run_of = np.cumsum(space)  # per byte (not a space): its run
    lengths = np.bincount(run_of[~space], minlength=u).astype(np.int64)
    hyphen = np.zeros(u, dtype=bool)
    hyphen[run_of[raw == 45]] = True
    joined = hyphen.copy()
    joined[run_of[raw == 39]] = True
    head = raw[np.cumsum(lengths + 1) - (lengths + 1)]
    alnum = (((head >= 97) & (head <= 122)) | ((head >= 48) & (head <= 57))) & ~joined
    # runs with a joiner that are not one word as they stand: the word pattern's words in them
    # (a lone "-" or "--" here is none: those are marks)
    odd: dict[int, list[str]] = {}
    for j in np.flatnonzero(joined).tolist():
        words = _WORD.findall(unique[j])
        if words != [unique[j]]:
            odd[j] = words
    for k, tok in _MARKS.items():  # no run reads as a mark's token: a run "-" or "--" has no word, so is odd
        at_mark = first.get(bytes([k]))
        if at_mark is not None:
            j = int(number[at_mark])
            unique[j] = tok
            lengths[j] = len(tok)
            hyphen[j] = "-" in tok
    if not odd:
        return ChunkTokens(unique, uid, dict(zip(unique, count())), lengths, alnum, hyphen)
    keep = np.ones(len(unique), dtype=bool)
    keep[list(odd)] = False
    kept = list(compress(unique, keep.tolist()))
    index = dict(zip(kept, count()))
    new = np.full(len(unique), -1, dtype=np.int64)
    new[keep] = np.arange(len(kept))
    sizes = np.ones(len(unique), dtype=np.int64)
    pieces: list[int] = []
    for j, words in odd.items():
        sizes[j] = len(words)
        ids = [index.setdefault(w, len(index)) for w in words]
        if len(ids) == 1:
            new[j] = ids[0]
        elif ids:
            new[j] = -2 - len(pieces)  # its pieces start at pieces[-2 - new[j]]
            pieces += ids
    added = list(index)[len(kept) :]
    kept += added
    lengths = np.concatenate([lengths[keep], np.fromiter(map(len, added), dtype=np.int64, count=len(added))])
    alnum = np.concatenate([alnum[keep], np.fromiter(map(str.isalnum, added), dtype=bool, count=len(added))])
    hyphen = np.concatenate([hyphen[keep], [("-" in w) for w in added]]).astype(bool)
    if sizes.max() <= 1:  # runs of one word, or of none (dropped)
        uid = new[uid].astype(np.int32)
        return ChunkTokens(kept, uid[uid >= 0] if sizes.min() == 0 else uid, index, lengths, alnum, hyphen)
    # runs of several words or none: each run's words in order
    per = sizes[uid]
    total = int(per.sum())
    start = np.repeat(np.cumsum(per) - per, per)
    offset = np.arange(total) - start  # the word's place within its run
    code = np.repeat(new[uid], per)
    several = code <= -2
    out = code.copy()
    if several.any():
        out[several] = np.asarray(pieces, dtype=np.int64)[-2 - code[several] + offset[several]]
    return ChunkTokens(kept, out.astype(np.int32), index, lengths, alnum, hyphen)


def _continued(ids: np.ndarray, at: np.ndarray, keys: np.ndarray, size: int) -> np.ndarray:
    """Positions among ``at`` (a mask over tokens) whose token and the next are the first two words of a phrase.

    ``ids``: each token's word id (:class:`ChunkTables`, 0 for a word it does not hold);
    ``keys``: the pairs as sorted ``id(first) * size + id(second)`` (every word of a pair has an id).
    """
    where = np.flatnonzero(at[:-1])
    if keys.size == 0 or where.size == 0:
        return np.zeros(0, dtype=np.int64)
    pair = ids[where].astype(np.int64) * size + ids[where + 1]
    found = keys[np.minimum(np.searchsorted(keys, pair), keys.size - 1)] == pair
    out: np.ndarray = where[found]
    return out


#: Tokens from a phrase's start that key its span's sums in :func:`_phrase_sums` (a span reading further is not kept).
_SPAN_KEY = 6


def _phrase_sums(
    scorer: LexiconScorer,
    unique: list[str],
    numbers: list[int],
    starts: np.ndarray,
    hyphen_rows: dict[int, np.ndarray],
    skeleton: list[int],
) -> tuple[list[int], list[int], np.ndarray]:
    """The sums of the phrases that start at ``starts`` and of those they reach over, span by span.

    For sentences without modifiers, exclusions or known hyphenated names, where a longer
    trigger phrase may start (``starts``: its first two words stand there). From each start
    the matcher's rule runs on, word by word, as long as a match reaches: at each word every
    category not yet occupied takes its longest phrase that matches there and is occupied
    up to its end (:meth:`~georisk.scoring._match._Matcher.find_at`). The span ends where no
    match reaches, so no match crosses its edges and no term in it overlaps one outside: its
    sums are those the sentence-by-sentence rules add for its words. Without modifiers these
    are: the summed categories' weights (names, context, off-topic, channels), a hyphenated
    name (``hyphen_rows``, by token position) not inside a name phrase, and of the hawkish
    threat, hawkish act and peace terms those :func:`~georisk.scoring._lexicon._first_of_overlaps`
    keeps; an ending object alone adds nothing. A start inside an earlier span is part of it.

    A span's sums and length depend only on the tokens it reads (its words and the phrases
    looked up from them), and of those only on the words the rules know (``skeleton``: per
    token its number, or -1 for a word outside :func:`_rule_words` without a hyphen; a
    hyphenated word's names are its own). So each span that reads at most ``_SPAN_KEY``
    tokens is kept under those tokens' skeleton, and a later start with the same skeleton
    takes it.

    Returns
    -------
    first, end : list of int
        Each span's first and past-the-end token position.
    sums : numpy.ndarray
        ``(spans, len(SUM_KEYS))``.
    """
    from georisk.scoring._lexicon import _DIRECTIONAL, _KEY, _SUMMED, SUM_KEYS, _first_of_overlaps

    col = {k: i for i, k in enumerate(SUM_KEYS)}
    summed = {cat: col[key] for cat, key in _SUMMED}
    directional = frozenset(_DIRECTIONAL)
    order = {cat: i for i, cat in enumerate(_DIRECTIONAL)}
    by_first = scorer._matcher.by_first
    word = unique.__getitem__
    first: list[int] = []
    ends: list[int] = []
    found: list[np.ndarray] = []
    memo: dict[tuple[int, ...], tuple[int, np.ndarray]] = {}
    done = -1
    for p in starts.tolist():
        if p < done:
            continue
        key = tuple(skeleton[p : p + _SPAN_KEY])
        hit = memo.get(key)
        if hit is not None:
            first.append(p)
            ends.append(p + hit[0])
            found.append(hit[1])
            done = p + hit[0]
            continue
        row = np.zeros(len(SUM_KEYS))
        free: dict[str, int] = {}
        terms: list[tuple[int, int, float, str]] = []
        names: list[tuple[int, int]] = []
        hyphens: list[int] = []
        i, end, reach = p, p + 1, p + 1  # reach: past the last token read
        while i < end:
            groups = by_first.get(unique[numbers[i]])
            if groups is None:
                if i in hyphen_rows:
                    hyphens.append(i)
                reach = max(reach, i + 1)
            else:
                reach = max(reach, i + groups[0][0])  # the longest phrase first
                for k, table, single in groups:
                    if k == 1:
                        entries = single
                    else:
                        got = table.get(tuple(map(word, numbers[i : i + k])))
                        if got is None:
                            continue
                        entries = got
                    for cat, weight in entries:
                        if free.get(cat, 0) > i:
                            continue
                        free[cat] = i + k
                        if i + k > end:
                            end = i + k
                        if cat in summed:
                            row[summed[cat]] += weight
                            if cat == "actors":
                                names.append((i, i + k))
                        elif cat in directional:
                            terms.append((i, i + k, weight, cat))
            i += 1
        for h in hyphens:
            if not any(s <= h < e for s, e in names):
                row += hyphen_rows[h]
        if len(terms) > 1:
            terms.sort(key=lambda t: order[t[3]])  # the rules list terms category by category
            terms = _first_of_overlaps(terms)
        for _, _, weight, cat in terms:
            row[col[_KEY[cat]]] += weight
        first.append(p)
        ends.append(end)
        found.append(row)
        done = end
        if reach <= p + _SPAN_KEY:
            memo[key] = (end - p, row)
    return first, ends, np.asarray(found).reshape(len(found), len(SUM_KEYS))


def chunk_sums(scorer: LexiconScorer, texts: list[str], chunk: ChunkTokens | None = None) -> np.ndarray:
    """Weighted hit sums (:data:`~georisk.scoring._lexicon.SUM_KEYS`) of each text, shape ``(n, keys)``.

    Parameters
    ----------
    scorer : LexiconScorer
        Fitted.
    texts : list of str
        The texts, as :func:`~georisk.scoring._lexicon.texts_of` returns them.
    chunk : ChunkTokens, optional
        Their tokens, when :func:`chunk_tokens` already read them.
    """
    from georisk.scoring._lexicon import SUM_KEYS

    n = len(texts)
    out = np.zeros((n, len(SUM_KEYS)))
    if n == 0:
        return out
    chunk = chunk_tokens(texts) if chunk is None else chunk
    unique, uid = chunk.unique, chunk.uid
    m = len(uid)
    tables: ChunkTables = scorer._tables
    ids = np.fromiter(map(tables.ids.get, unique, repeat(0)), dtype=np.int32, count=len(unique))[uid]
    flags = tables.flags[ids]
    hyphen_u = chunk.hyphen
    hyphen = np.flatnonzero(hyphen_u[uid])
    names = scorer._names.first_tokens
    keys = {k: i for i, k in enumerate(SUM_KEYS)}
    # hyphenated words with a name in them ("pro-russian"): triggers. One the lexicon does not
    # know adds the names in it (as LexiconScorer._hyphen_names does, no phrase covering it in a
    # simple sentence); one it knows takes the sentence-by-sentence rules.
    named_u = np.zeros(len(unique), dtype=bool)
    known_u = np.zeros(len(unique), dtype=bool)
    hyphen_rows = np.zeros((len(unique), len(SUM_KEYS)))
    for j in np.flatnonzero(hyphen_u).tolist():
        word = unique[j]
        if word[0].isalnum() and not names.isdisjoint(word.split("-")):
            named_u[j] = True
            known_u[j] = word in tables.known
            for cat, spans in scorer._names.find(word.split("-")).items():
                hyphen_rows[j, keys["names" if cat == "actors" else cat]] += sum([w for _, _, w in spans])
    named = np.flatnonzero(named_u[uid])
    # sentence k spans tokens bounds[k-1] + 1 .. bounds[k] - 1 (bounds[-1] read as -1); token i is in sentence seg[i]
    is_break = (flags & BREAK).astype(bool)
    bounds = np.append(np.flatnonzero(is_break), m)
    seg = np.cumsum(is_break) - is_break
    text_of = np.concatenate([[0], np.cumsum(ids[bounds[:-1]] == TEXT_ID)])
    trigger = (flags & TRIGGER).astype(bool)
    trigger[named] = True
    triggers = np.flatnonzero(trigger)
    if triggers.size == 0:
        return out
    n_seg = len(bounds)
    # sentences that take the sentence-by-sentence rules: a longer phrase or exclusion may match, a
    # one-word exclusion or a known hyphenated name stands there, or a modifier beside a directional term
    # (``hard``: the rules' modifiers, exclusions or known hyphenated names can matter there)
    hard = np.zeros(n_seg, dtype=bool)
    hard[seg[flags & EXCLUDES != 0]] = True
    hard[seg[np.flatnonzero((named_u & known_u)[uid])]] = True
    longer = flags & LONGER != 0
    size = len(tables.ids)
    hard[seg[_continued(ids, longer, tables.pair_keys["exclusion_pairs"], size)]] = True
    starts = _continued(ids, longer, tables.pair_keys["pairs"], size)
    slow_seg = hard.copy()
    slow_seg[seg[starts]] = True
    modified = np.zeros(n_seg, dtype=bool)
    modified[seg[flags & MODIFIER != 0]] = True
    modified[seg[_continued(ids, flags & MODIFIER_LONGER != 0, tables.pair_keys["modifier_pairs"], size)]] = True
    directional = np.zeros(n_seg, dtype=bool)
    directional[seg[flags & DIRECTIONAL != 0]] = True
    slow_seg |= modified & directional
    hard |= modified
    with_trigger = np.zeros(n_seg, dtype=bool)
    with_trigger[seg[triggers]] = True
    # sentences where a longer trigger phrase may match but nothing else needs the rules: summed with
    # NumPy too, but the words of the spans of :func:`_phrase_sums` add the span's sums instead
    starts = starts[~hard[seg[starts]]]
    slow_seg[seg[starts]] = False
    slow = np.flatnonzero(slow_seg & with_trigger)
    # the tokens the rules and the phrase spans read: their sentences (each with the break that ends it),
    # as a list of numbers and of skeleton numbers (-1 for a word the rules cannot tell from an unknown one:
    # not in :func:`_rule_words`, no hyphen); ``local``: a kept token's place there
    need = np.zeros(n_seg, dtype=bool)
    need[slow] = True
    need[seg[starts]] = True
    kept_tok = need[seg]
    where = np.flatnonzero(kept_tok)
    local = np.cumsum(kept_tok) - 1
    numbers: list[int] = uid[where].tolist()
    skeleton: list[int] = np.where((flags[where] & RULE != 0) | hyphen_u[uid[where]], uid[where], -1).tolist()
    span_sums: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    if starts.size:
        # hyphenated names the spans may read: those of the spans' sentences (none of them slow)
        named_at = named[need[seg[named]] & ~slow_seg[seg[named]]] if named.size else named
        at_hyphen = dict(zip(local[named_at].tolist(), hyphen_rows[uid[named_at]], strict=True))
        first, ends, sums_ = _phrase_sums(scorer, unique, numbers, local[starts], at_hyphen, skeleton)
        span_sums = (where[np.asarray(first, dtype=np.int64)], where[np.asarray(ends, dtype=np.int64) - 1] + 1, sums_)
    # simple sentences: their trigger words' one-word weights add, one row per word
    simple = triggers[~slow_seg[seg[triggers]]]
    rows: list[np.ndarray] = []  # per text, what adds to its sums, in order (see _add_rows)
    adds: list[np.ndarray] = []
    if simple.size:
        weights = tables.weights[ids[simple]] + hyphen_rows[uid[simple]] if named.size else tables.weights[ids[simple]]
        if span_sums is not None:  # words inside a span add nothing of their own: the span's sums count them
            inside = np.zeros(m + 1, dtype=np.int32)
            np.add.at(inside, span_sums[0], 1)
            np.add.at(inside, span_sums[1], -1)
            weights[np.cumsum(inside)[simple] > 0] = 0.0
            rows.append(text_of[seg[span_sums[0]]])
            adds.append(span_sums[2])
        rows.append(text_of[seg[simple]])
        adds.append(weights)
    if slow.size == 0:
        return _add_rows(out, rows, adds)
    cand = np.flatnonzero(flags & CANDIDATE)
    cand_seg = seg[cand]
    c_lo = np.searchsorted(cand_seg, slow, side="left")
    c_hi = np.searchsorted(cand_seg, slow, side="right")
    hyphenated = np.zeros(n_seg, dtype=bool)
    hyphenated[seg[hyphen]] = True
    has_hy = hyphenated[slow]
    lo = np.where(slow == 0, 0, bounds[slow - 1] + 1)
    cand_list = cand.tolist()
    hi = local[bounds[slow] - 1] + 1  # past the sentence's last token, among the kept tokens
    base = lo.copy()  # where the sentence starts in the chunk (candidates are counted from there)
    lo = local[lo]
    token_of = unique.__getitem__
    found = []
    # a sentence's sums depend only on the words the rules know: each skeleton is read once
    memo: dict[tuple[int, ...], list[float]] = {}
    todo = zip(c_lo.tolist(), c_hi.tolist(), lo.tolist(), hi.tolist(), base.tolist(), has_hy.tolist(), strict=True)
    for a, b, s, e, s0, h in todo:
        key = tuple(skeleton[s:e])
        row = memo.get(key)
        if row is None:
            sums = dict.fromkeys(SUM_KEYS, 0.0)
            scorer._sentence(list(map(token_of, numbers[s:e])), sums, None, [p - s0 for p in cand_list[a:b]], h)
            row = memo[key] = [sums[k] for k in SUM_KEYS]
        found.append(row)
    rows.append(text_of[slow])
    adds.append(np.asarray(found))
    return _add_rows(out, rows, adds)


def _add_rows(out: np.ndarray, rows: list[np.ndarray], adds: list[np.ndarray]) -> np.ndarray:
    """``out`` (zeros) plus each row of ``adds`` at its text ``rows``, added in order (as ``np.add.at``, one call).

    ``np.bincount`` per column: each text's sum starts at 0 and adds its rows in the order given.
    """
    if not rows:
        return out
    at = np.concatenate(rows)
    values = np.concatenate(adds)
    for j in range(out.shape[1]):
        out[:, j] = np.bincount(at, weights=values[:, j], minlength=len(out))
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
