"""Near-duplicate articles (syndicated copies, re-published stories) counted once, with a report."""

from __future__ import annotations

import re
import zlib

import numpy as np
import pandas as pd

from georisk.errors import ConfigError

__all__ = ["MERGED_COLUMNS", "find_near_duplicates"]

#: Columns of the merge report: which article was kept for each one merged into it.
MERGED_COLUMNS = ["kept_id", "merged_id", "merged_source", "merged_published_at", "similarity"]

_WORDS = re.compile(r"[a-z0-9]+")
_N_HASHES = 64
_BANDS = 16
_PRIME = (1 << 61) - 1
_HASH_SEED = 20240224  # fixed: the same articles always give the same signatures


def _shingles(text: str, size: int) -> set[int]:
    words = _WORDS.findall(text.lower())
    if not words:
        return set()
    k = min(size, len(words))
    return {zlib.crc32(" ".join(words[i : i + k]).encode()) for i in range(len(words) - k + 1)}


def _signature(sh: set[int], a: np.ndarray, b: np.ndarray) -> np.ndarray:
    x = np.fromiter(sh, dtype=np.uint64, count=len(sh))
    # (a * x + b) wraps modulo 2**64 (silently, as numpy arrays do), then is reduced modulo a Mersenne prime
    h = (a[:, None] * x[None, :] + b[:, None]) % np.uint64(_PRIME)
    return np.asarray(h.min(axis=1))


def find_near_duplicates(
    articles: pd.DataFrame, *, threshold: float = 0.8, window: str | pd.Timedelta = "3D", shingle: int = 5
) -> tuple[pd.Series, pd.DataFrame]:
    """Find articles whose text nearly repeats an earlier article published within ``window``.

    Parameters
    ----------
    articles : pandas.DataFrame
        ``id``, ``published_at``, ``title``, ``text``, ``source`` (the article frame).
    threshold : float, default 0.8
        Jaccard similarity of word ``shingle``-grams at or above which two articles are
        the same story. 1.0 merges only identical wording.
    window : str or pandas.Timedelta, default "3D"
        Only articles published at most this far apart are compared (syndicated copies
        appear within hours; the same wording months apart is a new event).
    shingle : int, default 5
        Words per shingle (texts shorter than this are one shingle).

    Returns
    -------
    keep : pandas.Series of bool
        False for an article merged into an earlier kept copy; same index as ``articles``.
    merged : pandas.DataFrame
        One row per article merged away: :data:`MERGED_COLUMNS`.

    Notes
    -----
    Candidates come from MinHash locality-sensitive hashing (64 hashes in 16 bands of
    4); every candidate pair is then checked with the exact Jaccard similarity
    :math:`|A \\cap B| / |A \\cup B|` of the two shingle sets, so the hashing can miss a
    pair (rarely, near the threshold) but never merges a pair below it.

    Articles are visited in publication order (ties broken by ``id``). An article is
    merged into the most similar *earlier kept* article it nearly repeats (similarity
    :math:`\\ge` ``threshold``, published at most ``window`` before it; the earliest
    such article on a tie) and is kept otherwise. Groups are never joined, so whether
    an article is kept depends only on articles published at or before it: a later
    article that resembles two earlier, dissimilar stories cannot make one of them
    vanish retroactively (no look-ahead), and adding articles to the end of a feed
    never changes the outcome for the earlier ones.
    """
    if not 0.0 < threshold <= 1.0:
        raise ConfigError(f"threshold={threshold!r} must be in (0, 1], e.g. 0.8")
    if shingle < 1:
        raise ConfigError(f"shingle={shingle!r} must be >= 1, e.g. 5")
    win = pd.Timedelta(window)
    n = len(articles)
    if n < 2:
        return pd.Series(True, index=articles.index), pd.DataFrame(columns=MERGED_COLUMNS)
    times = pd.to_datetime(articles["published_at"], utc=True).to_numpy(dtype="datetime64[ns]")
    order = np.lexsort((articles["id"].astype(str).to_numpy(), times))
    titles = articles["title"].fillna("").astype(str).to_numpy() if "title" in articles else np.full(n, "")
    texts = articles["text"].fillna("").astype(str).to_numpy()
    shingles = [_shingles(f"{titles[i]} {texts[i]}", shingle) for i in range(n)]
    rng = np.random.default_rng(_HASH_SEED)
    a = rng.integers(1, 1 << 31, size=_N_HASHES, dtype=np.uint64)
    b = rng.integers(0, 1 << 31, size=_N_HASHES, dtype=np.uint64)
    rows = _N_HASHES // _BANDS
    buckets: dict[tuple[int, bytes], list[int]] = {}
    for i in range(n):
        if not shingles[i]:
            continue
        sig = _signature(shingles[i], a, b)
        for band in range(_BANDS):
            buckets.setdefault((band, sig[band * rows : (band + 1) * rows].tobytes()), []).append(i)
    stamps = times.astype(np.int64).tolist()
    win_ns = int(win.value)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    # accepted[j]: (i, similarity) for every earlier article i (in publication order) that j nearly repeats
    accepted: dict[int, list[tuple[int, float]]] = {}
    checked: set[tuple[int, int]] = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        # in time order, the pairs within the window are the next members up to the first
        # one past it: linear in a bucket's size, not quadratic (a text repeated for years)
        members = sorted(members, key=stamps.__getitem__)
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                i, j = members[x], members[y]
                if stamps[j] - stamps[i] > win_ns:
                    break
                early, late = (i, j) if rank[i] < rank[j] else (j, i)
                if (early, late) in checked:
                    continue
                checked.add((early, late))
                se, sl = shingles[early], shingles[late]
                sim = len(se & sl) / len(se | sl)
                if sim >= threshold:
                    accepted.setdefault(late, []).append((early, sim))
    records = []
    ids = articles["id"].astype(str).to_numpy()
    sources = articles["source"].astype(str).to_numpy() if "source" in articles else np.full(n, "")
    kept = np.ones(n, dtype=bool)
    for j in order.tolist():
        partners = [(sim, -int(rank[i]), i) for i, sim in accepted.get(j, []) if kept[i]]
        if not partners:
            continue
        sim, _, root = max(partners)  # most similar earlier kept article; the earliest on a tie
        kept[j] = False
        records.append(
            {
                "kept_id": ids[root],
                "merged_id": ids[j],
                "merged_source": sources[j],
                "merged_published_at": pd.Timestamp(times[j], tz="UTC"),
                "similarity": round(sim, 4),
            }
        )
    merged = pd.DataFrame(records, columns=MERGED_COLUMNS)
    return pd.Series(kept, index=articles.index, dtype=bool), merged
