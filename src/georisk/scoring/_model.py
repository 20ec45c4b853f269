"""The supervised model as plain arrays: hashed word n-grams, TF-IDF and calibrated linear heads.

Scoring with a :class:`~georisk.scoring.SupervisedScorer` is three steps over a chunk of
texts, each written here over whole arrays so that no scikit-learn object is needed once
the model is trained:

1. :func:`hashed_word_counts`: the counts of word uni- and bigrams hashed into
   ``n_features`` columns, exactly as scikit-learn's ``HashingVectorizer`` with
   ``ngram_range=(1, 2)``, ``alternate_sign=False`` and ``norm=None`` computes them;
2. :func:`tfidf`: sub-linear term frequency times the fitted IDF, rows scaled to unit length;
3. :class:`ArrayHead`: per head, the mean over cross-validation folds of a Platt-calibrated
   logistic regression.

The arrays are read from and written to NumPy ``.npz`` files with ``allow_pickle=False``
(:func:`read_arrays`, :func:`write_arrays`); the shipped models under ``resources/`` are
built by ``python tools/make_model.py``.
"""

from __future__ import annotations

import json
import operator
import re
import zipfile
from collections.abc import Iterable, Sequence
from itertools import chain, compress, islice, repeat
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from georisk.errors import ConfigError

__all__ = [
    "FORMAT",
    "HASHING_LOOP",
    "ArrayHead",
    "hashed_counts_from_tokens",
    "hashed_word_counts",
    "plain_texts",
    "read_arrays",
    "tfidf",
    "word_ngrams",
    "write_arrays",
]

#: Format tag stored in every model file's ``meta``.
FORMAT = "georisk-distilled-supervised/1"
#: scikit-learn's default ``token_pattern`` ``(?u)\b\w\w+\b``, on lower-cased text. Without the
#: ``\b``: a greedy match of two or more word characters that finds every earlier start taken
#: is a whole run of them, the same tokens, found faster.
_SK_TOKEN = re.compile(r"\w\w+")
_ARRAY_KEYS = ("coef", "intercept", "a", "b")
#: A token between documents: upper-case, so no lower-cased document holds it.
_SEP_TOKEN = "GEORISKDOCBREAK"
_DOC_BREAK = f" {_SEP_TOKEN} "

try:  # the Cython loop behind FeatureHasher; fed C-level iterators it hashes without a Python frame per feature
    from sklearn.feature_extraction._hashing_fast import transform as _hashing_transform
except ImportError:  # pragma: no cover - a scikit-learn that moved it: fall back on the public FeatureHasher
    _hashing_transform = None
#: Whether scikit-learn's hashing loop is at hand (:func:`hashed_counts_from_tokens` needs it).
HASHING_LOOP = _hashing_transform is not None
try:  # the in-place row scaling behind sklearn.preprocessing.normalize for CSR input
    from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2 as _row_normalize_l2
except ImportError:  # pragma: no cover - a scikit-learn that moved it: normalize() itself
    _row_normalize_l2 = None


def word_ngrams(doc: str) -> list[str]:
    """Word uni- and bigrams of ``doc`` as scikit-learn's default word analyzer makes them.

    Lower-cased, tokens of two or more word characters (``(?u)\\b\\w\\w+\\b``), then the
    unigrams followed by the space-joined bigrams.

    Examples
    --------
    >>> word_ngrams("Talks in Geneva resumed")
    ['talks', 'in', 'geneva', 'resumed', 'talks in', 'in geneva', 'geneva resumed']
    """
    tokens: list[str] = _SK_TOKEN.findall(doc.lower())
    if len(tokens) > 1:
        bigrams = list(map(" ".join, zip(tokens, islice(tokens, 1, None), strict=False)))
        tokens += bigrams
    return tokens


def hashed_word_counts(docs: Sequence[str], n_features: int) -> sp.csr_array:
    """Counts of the word uni- and bigrams of ``docs`` hashed into ``n_features`` columns (float32).

    The same matrix as ``HashingVectorizer(ngram_range=(1, 2), n_features=n_features,
    alternate_sign=False, norm=None, dtype=np.float32).transform(docs)``, computed over the
    whole chunk at once: the documents are lower-cased and tokenised in one call, separated
    by a token no lower-cased text holds (upper-case letters), every uni- and bigram is
    hashed in one pass of scikit-learn's hashing loop, and the rows are assembled with
    NumPy, dropping the n-grams that touch a separator.

    Notes
    -----
    Column of a feature :math:`f`: :math:`|h(f)| \bmod n`, with :math:`h` the signed 32-bit
    MurmurHash3 of its UTF-8 bytes (seed 0) and :math:`n` = ``n_features``.
    """
    n = len(docs)
    joined = "\x00".join(docs)
    if _hashing_transform is None or joined.count("\x00") != max(n - 1, 0):
        return _hashed_word_counts_by_doc(docs, n_features)
    tokens: list[str] = _SK_TOKEN.findall(joined.lower().replace("\x00", _DOC_BREAK))
    bigrams = list(map(" ".join, zip(tokens, islice(tokens, 1, None), strict=False)))
    index, _, _ = _hashing_transform([zip(chain(tokens, bigrams), repeat(1))], n_features, np.float32, False, seed=0)
    m = len(tokens)
    sep = np.fromiter(map(_SEP_TOKEN.__eq__, tokens), dtype=bool, count=m)
    doc = np.cumsum(sep)
    uni = ~sep
    bi = uni[:-1] & uni[1:]
    rows = np.concatenate([doc[uni], doc[:-1][bi]]).astype(np.int32)
    cols = np.concatenate([index[:m][uni], index[m:][bi]]).astype(np.int32)
    return _csr_counts(rows, cols, np.ones(len(rows), dtype=np.float32), n, n_features)


#: A word character the lexicon's tokens cannot hold (anything but ``a-z`` and ``0-9``, after lower-casing).
_ODD_WORD = re.compile(r"[^\W0-9a-z]")
#: The lexicon's word joiners: its tokens split on them are runs of word characters.
_JOINERS = re.compile(r"[-']")


def plain_texts(texts: Sequence[str]) -> np.ndarray:
    """Whether each text's word characters are all ``a-z`` or ``0-9`` once lower-cased (bool array).

    In such a text the lexicon's tokens, split at their hyphens and apostrophes, are exactly
    the runs of word characters that scikit-learn's token pattern reads (see
    :func:`hashed_counts_from_tokens`).
    """
    n = len(texts)
    out = np.ones(n, dtype=bool)
    ascii_ = np.fromiter(map(str.isascii, texts), dtype=bool, count=n)
    under = np.fromiter(map(operator.contains, texts, repeat("_")), dtype=bool, count=n)
    for i in np.flatnonzero(~ascii_ | under).tolist():
        out[i] = _ODD_WORD.search(texts[i].lower()) is None
    return out


def _hash_columns(strings: list[str], n_features: int) -> np.ndarray:
    """Column of each string: ``|h(s)| mod n_features`` as scikit-learn's hashing computes it (int64)."""
    if not strings:
        return np.zeros(0, dtype=np.int64)
    index, _, _ = _hashing_transform([zip(strings, repeat(1))], n_features, np.float32, False, seed=0)
    return np.asarray(index, dtype=np.int64)


#: MurmurHash3 (x86, 32 bits) constants.
_C1, _C2 = 0xCC9E2D51, 0x1B873593
#: Longest word (bytes) whose hashes :class:`_WordHashes` computes with NumPy; longer ones take scikit-learn's loop.
MAX_WORD = 48


def _mix(k: np.ndarray) -> np.ndarray:
    """A block's scramble: ``k * c1``, rotated left by 15, ``* c2`` (uint32, wrapping)."""
    k = k * np.uint32(_C1)
    k = (k << np.uint32(15)) | (k >> np.uint32(17))
    out: np.ndarray = k * np.uint32(_C2)
    return out


def _round(h: np.ndarray, k: np.ndarray) -> np.ndarray:
    """One block into the state: ``h ^= mix(k)``, rotated left by 13, ``* 5 + 0xe6546b64``."""
    h = h ^ _mix(k)
    h = (h << np.uint32(13)) | (h >> np.uint32(19))
    out: np.ndarray = h * np.uint32(5) + np.uint32(0xE6546B64)
    return out


def _round_into(h: np.ndarray, k: np.ndarray) -> None:
    """:func:`_round` in place: ``h`` (a view) takes the block ``k`` (overwritten)."""
    k *= np.uint32(_C1)
    spill = k >> np.uint32(17)
    k <<= np.uint32(15)
    k |= spill
    k *= np.uint32(_C2)
    h ^= k
    np.right_shift(h, np.uint32(19), out=spill)
    h <<= np.uint32(13)
    h |= spill
    h *= np.uint32(5)
    h += np.uint32(0xE6546B64)


def _finish(h: np.ndarray, length: np.ndarray) -> np.ndarray:
    """The length, then the final avalanche (``fmix32``)."""
    h = h ^ length.astype(np.uint32)
    h = (h ^ (h >> np.uint32(16))) * np.uint32(0x85EBCA6B)
    h = (h ^ (h >> np.uint32(13))) * np.uint32(0xC2B2AE35)
    out: np.ndarray = h ^ (h >> np.uint32(16))
    return out


def _columns(h: np.ndarray, n_features: int) -> np.ndarray:
    """Column of each signed hash as scikit-learn's hashing loop takes it: ``|h| mod n`` (int64)."""
    signed = h.view(np.int32).astype(np.int64)
    out: np.ndarray = np.abs(signed) % n_features
    out[signed == -(2**31)] = (2**31 - 1 - (n_features - 1)) % n_features  # as scikit-learn: abs(-2**31) overflows
    return out


class _WordHashes:
    """MurmurHash3 (seed 0) of ASCII words and of the bigrams ``"left right"``, over whole arrays.

    Parameters
    ----------
    words : list of str
        ASCII words of at most :data:`MAX_WORD` characters.

    Notes
    -----
    MurmurHash3_x86_32 reads a key in 4-byte little-endian blocks; each block goes into the
    state :math:`h` (:func:`_round`), a last partial block is scrambled into it (:func:`_mix`),
    then the length and the avalanche (:func:`_finish`). The state after a word's whole
    blocks is kept per word, so that a bigram ``left + " " + right`` starts from its left
    word's state, and goes on with the rest of the left word, the space and the right word,
    whose blocks are kept per word for each of the four offsets the rest and the space put
    it at. The loop runs over block positions, each over all the bigrams that reach it.
    """

    def __init__(self, words: list[str], lengths: np.ndarray | None = None) -> None:
        n = len(words)
        self.lengths = np.fromiter(map(len, words), dtype=np.int64, count=n) if lengths is None else lengths
        width = 4 * (int(self.lengths.max(initial=0)) // 4 + 2)  # room for a word and 4 bytes of offset
        raw = np.zeros((n, width), dtype=np.uint8)
        if n:
            raw[:, : width - 4] = np.array(words, dtype=f"S{width - 4}").view(np.uint8).reshape(n, width - 4)
        blocks = raw.view("<u4")
        whole = self.lengths // 4
        state = np.zeros(n, dtype=np.uint32)
        for j in range(int(whole.max(initial=0))):
            at = np.flatnonzero(whole > j)
            state[at] = _round(state[at], blocks[at, j])
        rest = self.lengths % 4
        tail = blocks[np.arange(n), whole]  # the last partial block, zero-padded (0 when none)
        #: state after each word's whole blocks
        self.state = state
        #: each word's hash
        self.hashes = _finish(np.where(rest > 0, state ^ _mix(tail), state), self.lengths)
        #: what a bigram's right part starts with: the left word's rest and the space, in the low bytes
        self.head = tail | (np.uint32(0x20) << (8 * rest).astype(np.uint32))
        #: the offset (1-4 bytes) at which the right word starts in the bigram's first block after the state
        self.offset = rest + 1
        # the words' blocks at offsets 1-4 (the low bytes left 0 for the head): shape (4, n, width // 4)
        shifted = np.zeros((4, n, width), dtype=np.uint8)
        for s in range(1, 5):
            shifted[s - 1, :, s:] = raw[:, : width - s]
        self.shifted = shifted.view("<u4")

    def bigrams(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Hashes (uint32) of ``words[left] + " " + words[right]``, pair by pair."""
        n = len(left)
        if n == 0:
            return np.zeros(0, dtype=np.uint32)
        offset = self.offset[left]
        size = offset + self.lengths[right]  # bytes after the left word's whole blocks
        whole = size // 4
        order = np.argsort((-whole).astype(np.int8), kind="stable")  # the pairs that reach block j first (radix)
        left, right, whole, size = left[order], right[order], whole[order], size[order]
        blocks = self.shifted.shape[2]
        flat = self.shifted.reshape(-1)
        base = ((offset[order] - 1) * len(self.lengths) + right) * blocks  # block 0 of the right word, shifted
        head = self.head[left]
        h = self.state[left]
        below = -whole  # ascending
        for j in range(int(whole[0])):
            m = int(np.searchsorted(below, -j - 1, side="right"))  # the pairs with more than j whole blocks
            k = flat.take(base[:m] + j)
            if j == 0:
                k |= head[:m]
            _round_into(h[:m], k)
        part = np.flatnonzero(size % 4)
        if part.size:
            at = whole[part]
            k = flat.take(base[part] + at)
            first = at == 0
            k[first] |= head[part[first]]
            h[part] ^= _mix(k)
        out = np.empty(n, dtype=np.uint32)
        out[order] = _finish(h, self.lengths[left] + 1 + self.lengths[right])
        return out


def hashed_counts_from_tokens(chunk: Any, texts: Sequence[str], docs: Sequence[str], n_features: int) -> sp.csr_array:
    """:func:`hashed_word_counts` of the texts whose lexicon tokens ``chunk`` holds, without reading them again.

    Parameters
    ----------
    chunk : georisk.scoring._chunk.ChunkTokens
        The lexicon's tokens of ``texts`` (:func:`~georisk.scoring._chunk.chunk_tokens`).
    texts : sequence of str
        The texts.
    docs : sequence of str
        What the model reads of each of these texts: the text, or its lede (then it is read
        again, as is a text :func:`plain_texts` does not pass).
    n_features : int
        Hash space.

    Notes
    -----
    Exact for the texts :func:`plain_texts` passes (the others are read again with
    :func:`hashed_word_counts`): the lexicon lower-cases a text as scikit-learn does, and its
    other changes (straight apostrophes, possessive 's dropped, sentence ends read as line
    breaks) only touch characters that are not word characters or words of one character,
    which scikit-learn's pattern (two or more word characters) skips. So a text's
    scikit-learn tokens are its lexicon word tokens split at hyphens and apostrophes, the
    parts of two or more characters. Each distinct lexicon token is split and each distinct
    word hashed once, the bigrams with NumPy from their words (:class:`_WordHashes`); the
    rest is NumPy over token numbers.
    """
    unique, uid = chunk.unique, chunk.uid
    n_docs = len(docs)
    u = len(unique)
    # the scikit-learn tokens of each distinct lexicon token: itself (a word of two or more
    # characters), none (one character, punctuation, a break) or the parts of a hyphenated
    # word or one with an apostrophe, numbered after the distinct tokens
    lengths, alnum = chunk.lengths, chunk.alnum
    counts = (alnum & (lengths > 1)).astype(np.int64)
    extra: list[str] = []
    pieces_of: dict[int, list[str]] = {}
    for j in np.flatnonzero(~alnum & (lengths > 2)).tolist():
        tok = unique[j]
        if tok[0].isalnum():  # a lexicon word with joiners (punctuation tokens start otherwise)
            pieces_of[j] = [p for p in _JOINERS.split(tok) if len(p) > 1]
            counts[j] = len(pieces_of[j])
    starts = np.cumsum(counts) - counts
    flat = np.zeros(int(counts.sum()), dtype=np.int64)
    single = np.flatnonzero(counts == 1)
    flat[starts[single]] = single
    for j, pieces in pieces_of.items():
        for k, piece in enumerate(pieces):
            flat[starts[j] + k] = u + len(extra)
            extra.append(piece)
    per_token = counts[uid]
    total = int(per_token.sum())
    # the scikit-learn tokens in order: token k's pieces are flat[starts[uid[k]] : ... + per_token[k]]
    first = np.repeat(starts[uid] - (np.cumsum(per_token) - per_token), per_token)
    seq = flat[first + np.arange(total)]
    breaks = np.zeros(u, dtype=bool)
    breaks[[j for j in np.flatnonzero(lengths == 1).tolist() if unique[j] == "\x01"]] = True
    doc = np.repeat(np.cumsum(breaks[uid]), per_token)
    words = unique + extra
    word_cols = np.zeros(len(words), dtype=np.int64)
    whole = alnum & (lengths > 1)
    hashed = np.concatenate([np.flatnonzero(whole), np.arange(u, len(words))])
    chosen = list(compress(unique, whole.tolist())) + extra
    chosen_lengths = np.concatenate([lengths[whole], np.fromiter(map(len, extra), dtype=np.int64, count=len(extra))])
    same = doc[:-1] == doc[1:]
    left, right = seq[:-1][same], seq[1:][same]
    bi_cols = _bigram_columns(words, hashed, word_cols, left, right, n_features, chosen, chosen_lengths)
    uni_cols = word_cols[seq]
    rows = np.concatenate([doc, doc[:-1][same]])
    cols = np.concatenate([uni_cols, bi_cols])
    data = np.ones(len(rows), dtype=np.float32)
    cut = np.fromiter(map(str.__ne__, docs, texts), dtype=bool, count=n_docs)
    odd = np.flatnonzero(~plain_texts(docs) | cut)
    if odd.size:  # read again: drop their rows, add their exact counts
        keep = np.ones(n_docs, dtype=bool)
        keep[odd] = False
        kept = keep[rows]
        exact = sp.coo_array(hashed_word_counts([docs[i] for i in odd.tolist()], n_features))
        rows = np.concatenate([rows[kept], odd[exact.row]])
        cols = np.concatenate([cols[kept], exact.col])
        data = np.concatenate([data[kept], exact.data])
    return _csr_counts(rows, cols, data, n_docs, n_features)


def _bigram_columns(
    words: list[str],
    hashed: np.ndarray,
    word_cols: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    n_features: int,
    chosen: list[str] | None = None,
    lengths: np.ndarray | None = None,
) -> np.ndarray:
    """Columns of the bigrams ``words[left] + " " + words[right]``; ``word_cols[hashed]`` set to the words' columns.

    With NumPy (:class:`_WordHashes`) for words of at most :data:`MAX_WORD` ASCII characters;
    scikit-learn's hashing loop for the others and their bigrams. ``chosen``: the words
    ``words[hashed]``, and ``lengths`` theirs, when at hand.
    """
    if chosen is None:
        chosen = [words[j] for j in hashed.tolist()]
    if lengths is None:
        lengths = np.fromiter(map(len, chosen), dtype=np.int64, count=len(chosen))
    short = lengths <= MAX_WORD
    if not "".join(chosen).isascii():  # not a lexicon word: every word and bigram by scikit-learn's loop
        short[:] = False
    at = np.full(len(words), -1, dtype=np.int64)
    at[hashed[short]] = np.arange(int(short.sum()))
    table = _WordHashes(chosen if short.all() else list(compress(chosen, short.tolist())), lengths[short])
    word_cols[hashed[short]] = _columns(table.hashes, n_features)
    long = hashed[~short]
    word_cols[long] = _hash_columns([words[j] for j in long.tolist()], n_features)
    out = np.empty(len(left), dtype=np.int64)
    a, b = at[left], at[right]
    fast = (a >= 0) & (b >= 0)
    if fast.all():
        out[:] = _columns(table.bigrams(a, b), n_features)
    else:
        out[fast] = _columns(table.bigrams(a[fast], b[fast]), n_features)
    slow = np.flatnonzero(~fast)
    if slow.size:
        word = words.__getitem__
        halves = zip(map(word, left[slow].tolist()), map(word, right[slow].tolist()), strict=True)
        out[slow] = _hash_columns(list(map(" ".join, halves)), n_features)
    return out


def _csr_counts(rows: np.ndarray, cols: np.ndarray, data: np.ndarray, n_docs: int, n_features: int) -> sp.csr_array:
    out = sp.csr_array(
        (data, (rows.astype(np.int32), cols.astype(np.int32))), shape=(n_docs, n_features), dtype=np.float32
    )
    out.sum_duplicates()
    if out.indices.dtype != np.int32:  # scikit-learn's estimators take 32-bit indices only
        out.indices = out.indices.astype(np.int32)
        out.indptr = out.indptr.astype(np.int32)
    return out


def _hashed_word_counts_by_doc(docs: Sequence[str], n_features: int) -> sp.csr_array:
    """:func:`hashed_word_counts` document by document (texts holding the separator's NUL character)."""
    if _hashing_transform is None:  # pragma: no cover
        from sklearn.feature_extraction import FeatureHasher

        hasher = FeatureHasher(n_features=n_features, input_type="string", alternate_sign=False, dtype=np.float32)
        return sp.csr_array(hasher.transform(word_ngrams(d) for d in docs))
    feats = (zip(word_ngrams(d), repeat(1)) for d in docs)
    indices, indptr, values = _hashing_transform(feats, n_features, np.float32, False, seed=0)
    out = sp.csr_array((values, indices, indptr), dtype=np.float32, shape=(len(indptr) - 1, n_features))
    out.sum_duplicates()
    return out


def tfidf(counts: Any, idf: np.ndarray) -> sp.csr_array:
    """Sub-linear TF-IDF rows of unit length, as scikit-learn's ``TfidfTransformer(sublinear_tf=True)``.

    Notes
    -----
    For a count :math:`c_{dj} > 0` of feature :math:`j` in text :math:`d`:

    .. math:: x_{dj} = \\frac{(1 + \\ln c_{dj}) \\, \\mathrm{idf}_j}
              {\\sqrt{\\sum_k \\left((1 + \\ln c_{dk}) \\, \\mathrm{idf}_k\\right)^2}}

    computed in the dtype of ``counts`` (float32 for the hashed counts).
    """
    x = sp.csr_array(counts, copy=True)
    np.log(x.data, x.data)
    x.data += 1.0
    x.data *= idf[x.indices]
    if _row_normalize_l2 is not None and x.data.dtype in (np.float32, np.float64):
        _row_normalize_l2(x)  # what normalize(x, norm="l2", copy=False) runs on a CSR array, without its checks
        return x
    out: sp.csr_array = normalize(x, norm="l2", copy=False)
    return out


class ArrayHead:
    """A calibrated linear head as arrays: the mean over folds of ``expit(-(a (X w + c) + b))``.

    Parameters
    ----------
    coef : numpy.ndarray
        Coefficients, one row per cross-validation fold, shape ``(folds, features)``.
    intercept, a, b : numpy.ndarray
        Per fold: the logistic regression's intercept :math:`c` and the Platt sigmoid's
        slope :math:`a` and offset :math:`b`.

    Notes
    -----
    With :math:`K` folds and :math:`x` a TF-IDF row:

    .. math:: P = \\frac{1}{K} \\sum_{k=1}^{K} \\frac{1}{1 + \\exp\\left(a_k (w_k \\cdot x + c_k) + b_k\\right)}
    """

    def __init__(self, coef: np.ndarray, intercept: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
        self.coef = np.atleast_2d(np.asarray(coef, dtype=float))
        self.intercept = np.asarray(intercept, dtype=float).ravel()
        self.a = np.asarray(a, dtype=float).ravel()
        self.b = np.asarray(b, dtype=float).ravel()

    @classmethod
    def from_calibrated(cls, clf: Any) -> ArrayHead:
        """The arrays of a fitted binary ``CalibratedClassifierCV`` (sigmoid, logistic regression)."""
        folds = clf.calibrated_classifiers_
        return cls(
            np.vstack([f.estimator.coef_.ravel() for f in folds]),
            np.asarray([float(np.ravel(f.estimator.intercept_)[0]) for f in folds]),
            np.asarray([float(f.calibrators[0].a_) for f in folds]),
            np.asarray([float(f.calibrators[0].b_) for f in folds]),
        )

    def arrays(self) -> dict[str, np.ndarray]:
        """``coef``, ``intercept``, ``a`` and ``b``."""
        return {"coef": self.coef, "intercept": self.intercept, "a": self.a, "b": self.b}

    def proba_from_decision(self, decision: np.ndarray) -> np.ndarray:
        """:math:`P` from the per-fold decisions :math:`w_k \\cdot x` (without the intercept), shape ``(n, folds)``."""
        z = decision + self.intercept
        p: np.ndarray = (1.0 / (1.0 + np.exp(self.a * z + self.b))).mean(axis=1)
        return p

    def predict_proba(self, matrix: Any) -> np.ndarray:
        """Probabilities of both classes, shape ``(n, 2)``, like a scikit-learn classifier."""
        p = self.proba_from_decision(np.asarray(matrix @ self.coef.T))
        out: np.ndarray = np.column_stack([1.0 - p, p])
        return out


def stacked(heads: dict[str, ArrayHead]) -> tuple[sp.csr_array | np.ndarray, list[tuple[str, slice]]]:
    """All heads' coefficients side by side (features x folds) and each head's slice of columns.

    Stored sparse when at most a quarter of the coefficients are non-zero (a model trained
    on a small corpus touches few of its hash columns), so one product scores every fold.
    """
    parts = [h.coef for h in heads.values()]
    coef = np.vstack(parts).T
    spans: list[tuple[str, slice]] = []
    start = 0
    for name, part in zip(heads, parts, strict=True):
        spans.append((name, slice(start, start + part.shape[0])))
        start += part.shape[0]
    if np.count_nonzero(coef) <= coef.size // 4:
        return sp.csr_array(coef), spans
    return np.ascontiguousarray(coef), spans


def write_arrays(
    path: str | Path, meta: dict[str, Any], idf: np.ndarray, heads: dict[str, ArrayHead], *, compress: bool = True
) -> Path:
    """Write a model as plain arrays (``.npz``, no pickle): ``meta`` (JSON text), ``idf`` and ``{head}.{array}``.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    arrays: dict[str, np.ndarray] = {
        "meta": np.asarray(json.dumps({"format": FORMAT, **meta}, sort_keys=True, default=str)),
        "idf": np.asarray(idf),
    }
    for name, head in heads.items():
        for key, value in head.arrays().items():
            arrays[f"{name}.{key}"] = value
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    # NumPy's .npz layout (one .npy file per array), written with a fixed time stamp so that
    # the same arrays give the same bytes
    with zipfile.ZipFile(target, "w", compression=method) as zf:
        for name, value in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            with zf.open(info, "w", force_zip64=True) as fh:
                np.lib.format.write_array(fh, np.asanyarray(value), allow_pickle=False)
    return target


def read_arrays(source: Any, names: Iterable[str]) -> tuple[dict[str, Any], np.ndarray, dict[str, ArrayHead]]:
    """Read a model written by :func:`write_arrays`: ``(meta, idf, heads)``; ``allow_pickle=False``.

    Parameters
    ----------
    source : str, pathlib.Path or binary file
        The ``.npz`` file.
    names : iterable of str
        The heads to read.

    Raises
    ------
    ConfigError
        If ``source`` is not such a file.
    """
    try:
        data = np.load(source, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise ConfigError(f"{source} is not a distilled scorer file (supervised model arrays, .npz): {exc}") from exc
    with data:
        try:
            meta = json.loads(str(data["meta"]))
        except (KeyError, ValueError) as exc:
            raise ConfigError(f"{source} is not a distilled scorer file (no meta array): {exc}") from exc
        if meta.get("format") != FORMAT:
            raise ConfigError(f"{source} is not a distilled scorer file (format {meta.get('format')!r})")
        try:
            idf = np.asarray(data["idf"])
            heads = {name: ArrayHead(*(data[f"{name}.{k}"] for k in _ARRAY_KEYS)) for name in names}
        except KeyError as exc:
            raise ConfigError(f"{source} lacks the array {exc}; rebuild it") from exc
    return meta, idf, heads
