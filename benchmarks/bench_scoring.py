"""Throughput of the default scorer beside a bare scikit-learn HashingVectorizer, same texts, same run.

    python benchmarks/bench_scoring.py                      # 100,000 articles of ~600 words (heavy)
    python benchmarks/bench_scoring.py --n 5000 --n-jobs 2  # a quick run

The corpus is generated in chunks from a seeded vocabulary mixed with conflict phrases,
never held whole in memory: the scorer streams (``georisk.scoring.score_stream``), so
peak memory should stay flat as ``--n`` grows. Prints articles per second, MB per second,
peak resident memory, and the ratio of the scorer's time to the vectorizer's (target:
at most 2x). Timings on a shared machine are noisy; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer

from georisk.scoring import BlendedScorer, LexiconScorer, SupervisedScorer, score_stream

PHRASES = [
    "missile strikes hit the city",
    "talks collapsed in Istanbul",
    "agreed to a ceasefire",
    "new sanctions package",
    "prisoner swap",
    "oil prices rose",
    "wheat exports from Odesa",
    "the Kremlin refused a truce",
    "drone attacks on refineries",
    "envoys met in Riyadh",
    "Putin threatened to escalate",
    "grain corridor reopened",
]


def corpus(n: int, words: int, chunk: int, seed: int = 0) -> Iterator[list[str]]:
    """Yield ``n`` texts of about ``words`` words in lists of ``chunk``, deterministically."""
    rng = np.random.default_rng(seed)
    vocab = np.array([f"w{i}" for i in range(50_000)])
    zipf = 1.0 / np.arange(1, len(vocab) + 1)
    zipf /= zipf.sum()
    done = 0
    while done < n:
        size = min(chunk, n - done)
        out = []
        for _ in range(size):
            toks = list(rng.choice(vocab, size=words, p=zipf))
            for _ in range(int(rng.integers(2, 8))):
                toks.insert(int(rng.integers(0, len(toks))), str(PHRASES[int(rng.integers(len(PHRASES)))]) + ".")
            out.append(" ".join(toks))
        done += size
        yield out


def read_chunks(path: Path, chunk: int) -> Iterator[list[str]]:
    """Yield the corpus file's lines in lists of ``chunk``."""
    with path.open(encoding="utf-8") as fh:
        block: list[str] = []
        for line in fh:
            block.append(line.rstrip("\n"))
            if len(block) == chunk:
                yield block
                block = []
        if block:
            yield block


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=100_000, help="articles (default 100,000)")
    p.add_argument("--words", type=int, default=600, help="words per article (default 600)")
    p.add_argument("--chunk", type=int, default=2_000, help="articles per chunk (default 2,000)")
    p.add_argument("--n-jobs", type=int, default=1, help="worker processes for the scorer (default 1)")
    p.add_argument("--scorer", choices=("blend", "lexicon", "supervised"), default="blend")
    p.add_argument("--conflict", default=None, help="conflict file: a shipped name or a path (default Russia-Ukraine)")
    args = p.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpus.txt"
        t0 = time.perf_counter()
        n_bytes = 0
        with path.open("w", encoding="utf-8") as fh:
            for texts in corpus(args.n, args.words, args.chunk):
                block = "\n".join(texts) + "\n"
                n_bytes += len(block.encode())
                fh.write(block)
        total_mb = n_bytes / 1e6
        print(
            f"corpus: {args.n:,} articles x ~{args.words} words = {total_mb:,.0f} MB, generated to a temporary file "
            f"in {time.perf_counter() - t0:.1f} s (not timed below; both passes read it chunk by chunk)"
        )

        kind = {"blend": BlendedScorer, "lexicon": LexiconScorer, "supervised": SupervisedScorer}[args.scorer]
        scorer = kind(conflict=args.conflict)
        t0 = time.perf_counter()
        scorer.fit()
        print(f"fit {args.scorer}: {time.perf_counter() - t0:.2f} s")

        vec = HashingVectorizer(n_features=2**20, alternate_sign=False)
        t0 = time.perf_counter()
        for texts in read_chunks(path, args.chunk):
            vec.transform(texts)
        vec_time = time.perf_counter() - t0
        rss_vec = peak_mb()

        rss = []
        n_scored = 0
        t0 = time.perf_counter()
        for frame in score_stream(read_chunks(path, args.chunk), scorer, n_jobs=args.n_jobs):
            n_scored += len(frame)
            rss.append(peak_mb())
        score_time = time.perf_counter() - t0
    assert n_scored == args.n
    print(f"{'':30}{'articles/s':>12}{'MB/s':>8}{'seconds':>10}")
    print(f"{'HashingVectorizer.transform':30}{args.n / vec_time:12,.0f}{total_mb / vec_time:8.2f}{vec_time:10.1f}")
    label = f"{args.scorer} scorer, n_jobs={args.n_jobs}"
    print(f"{label:30}{args.n / score_time:12,.0f}{total_mb / score_time:8.2f}{score_time:10.1f}")
    print(f"ratio scorer / vectorizer: {score_time / vec_time:.2f}x (target <= 2x)")
    print(f"peak RSS after the vectorizer pass: {rss_vec:,.0f} MB")
    quarter = max(1, len(rss) // 4)
    print(
        f"peak RSS: {rss[-1]:,.0f} MB; after the first quarter of chunks {rss[quarter - 1]:,.0f} MB (flat = streaming)"
    )
    if args.n_jobs != 1:
        print("(peak RSS is this process's; with n_jobs > 1 each worker process holds a scorer and one chunk)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
