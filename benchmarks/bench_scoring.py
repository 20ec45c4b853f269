"""Speed of the default scorer beside a bare scikit-learn HashingVectorizer on the same texts, and peak memory.

    python benchmarks/bench_scoring.py                 # ratios, then peak memory at 100,000 articles
    python benchmarks/bench_scoring.py --quick         # smaller corpora, memory at 20,000 articles
    python benchmarks/bench_scoring.py --no-memory     # ratios only

Ratios: the default scorer (:class:`~georisk.scoring.BlendedScorer`, evidence off, through
``score_stream`` as ``score_articles`` runs it) and a bare ``HashingVectorizer()`` (its
defaults: word unigrams, 2**20 columns, l2 norm) ``transform`` the same texts in the same
chunks, alternately, several times (a freshly fitted scorer each time); each takes its best
CPU time (``time.process_time``: on a shared machine the fair figure, as other processes
stretch wall time) and the ratio is scorer time over vectorizer time (target: at most 2 on
headlines).
Texts are generated from a seeded Zipf vocabulary mixed with conflict phrases: *headlines*
(about 10 words and one or two phrases, one clause) and *long texts* (about 600 words, phrases ending sentences); with
``--shared DIR`` (default ``../shared/data`` when present) also the real Guardian, BBC and
RUWA headlines.

Peak memory: the texts are generated into a temporary file first; then, in fresh
subprocesses, the peak resident set size (``VmHWM``, see :func:`peak_mb`) of
(a) ``score_stream`` over ``--n`` long texts read chunk by chunk from the file and (b)
``score_articles`` (default chunking) on a frame of ``--n`` headlines, beside the same
process's peak after imports, fit (and, for (b), loading the frame).
Figures are printed, nothing is asserted: timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer

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
    "Ukraine says Russian forces shelled Kharkiv",
    "Zelensky meets allies in Kyiv",
]
CHUNK = 2_000


def _vocabulary() -> tuple[np.ndarray, np.ndarray]:
    vocab = np.array([f"w{i}" for i in range(50_000)])
    zipf = 1.0 / np.arange(1, len(vocab) + 1)
    return vocab, np.cumsum(zipf / zipf.sum())


def corpus(n: int, kind: str, chunk: int = CHUNK, seed: int = 0) -> Iterator[list[str]]:
    """Yield ``n`` generated texts of ``kind`` (``headlines`` or ``long``) in lists of ``chunk``."""
    rng = np.random.default_rng(seed)
    vocab, cdf = _vocabulary()
    words, phrases, end = (10, (1, 3), "") if kind == "headlines" else (600, (2, 8), ".")
    done = 0
    while done < n:
        size = min(chunk, n - done)
        out = []
        for _ in range(size):
            toks = list(vocab[np.searchsorted(cdf, rng.random(words))])
            for _ in range(int(rng.integers(*phrases))):
                toks.insert(int(rng.integers(0, len(toks))), PHRASES[int(rng.integers(len(PHRASES)))] + end)
            out.append(" ".join(toks))
        done += size
        yield out


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB.

    ``VmHWM`` of ``/proc/self/status`` where there is one (Linux): the high-water mark of
    this process's own memory. ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` elsewhere; on
    Linux it also counts the parent's resident memory at the ``fork`` that started this
    process, so a child of a large benchmark would report the benchmark's size.
    """
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ratio_row(label: str, chunks: list[list[str]], repeats: int) -> str:
    """Time the bare vectorizer and the default scorer on ``chunks``, alternately; one printed row.

    Each repeat scores with a freshly fitted scorer (fitted outside the timing), so that
    what one pass computes (any cache a scorer keeps) does not help the next.
    """
    from georisk.scoring import BlendedScorer, score_stream

    vec = HashingVectorizer()
    best = {"bare": float("inf"), "scorer": float("inf")}
    for _ in range(repeats):
        t0 = time.process_time()
        for c in chunks:
            vec.transform(c)
        best["bare"] = min(best["bare"], time.process_time() - t0)
        scorer = BlendedScorer().fit()
        t0 = time.process_time()
        for _frame in score_stream(chunks, scorer, evidence=False):
            pass
        best["scorer"] = min(best["scorer"], time.process_time() - t0)
    n = sum(len(c) for c in chunks)
    return (
        f"{label:24}{n:>9,}{n / best['bare']:>16,.0f}{n / best['scorer']:>18,.0f}{best['scorer'] / best['bare']:>9.2f}x"
    )


def _real_headlines(shared: Path) -> list[str] | None:
    if not shared.is_dir():
        return None
    sys.path.insert(0, str(Path(__file__).parent))
    from shared_data import load_headlines

    from georisk.scoring._lexicon import texts_of

    arts, _quarantine = load_headlines(shared)
    return texts_of(arts)


def _read_chunks(path: Path, chunk: int = CHUNK) -> Iterator[list[str]]:
    """The lines of ``path`` in lists of ``chunk``."""
    with path.open(encoding="utf-8") as fh:
        block: list[str] = []
        for line in fh:
            block.append(line.rstrip("\n"))
            if len(block) == chunk:
                yield block
                block = []
        if block:
            yield block


def child_memory(mode: str, path: Path) -> None:
    """Run in a subprocess: print JSON with the peak RSS after fit and after scoring the texts of ``path``."""
    import pandas as pd

    from georisk.scoring import BlendedScorer, score_articles, score_stream

    scorer = BlendedScorer().fit()
    if mode == "stream":
        base = peak_mb()
        t0 = time.perf_counter()
        rows = sum(len(f) for f in score_stream(_read_chunks(path), scorer, evidence=False))
    else:
        texts = path.read_text(encoding="utf-8").splitlines()
        frame = pd.DataFrame({"published_at": pd.Timestamp("2024-01-01", tz="UTC"), "title": "", "text": texts})
        del texts
        base = peak_mb()
        t0 = time.perf_counter()
        rows = len(score_articles(frame, scorer, evidence=False, progress=False))
    print(json.dumps({"rows": rows, "base_mb": base, "peak_mb": peak_mb(), "seconds": time.perf_counter() - t0}))


def memory_row(mode: str, n: int, tmp: Path) -> str:
    """Write ``n`` generated texts to a file, score them in a fresh interpreter; one printed row."""
    path = tmp / f"{mode}.txt"
    with path.open("w", encoding="utf-8") as fh:
        for texts in corpus(n, "long" if mode == "stream" else "headlines"):
            fh.write("\n".join(texts) + "\n")
    cmd = [sys.executable, __file__, "--child", mode, "--path", str(path)]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    path.unlink()
    res = json.loads(done.stdout.strip().splitlines()[-1])
    label = {"stream": "score_stream, long texts", "frame": "score_articles, headlines"}[mode]
    return f"{label:28}{res['rows']:>9,}{res['base_mb']:>14,.0f}{res['peak_mb']:>12,.0f}{res['seconds']:>10.1f}"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark."""
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--n", type=int, default=100_000, help="articles for the peak memory (default 100,000)")
    p.add_argument("--headlines", type=int, default=40_000, help="generated headlines timed (default 40,000)")
    p.add_argument("--long", type=int, default=2_000, help="generated long texts timed (default 2,000)")
    p.add_argument("--repeats", type=int, default=3, help="timed repeats, best kept (default 3)")
    p.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    p.add_argument("--quick", action="store_true", help="10,000 headlines, 500 long texts, memory at 20,000")
    p.add_argument("--no-memory", action="store_true", help="skip the peak-memory subprocesses")
    p.add_argument("--child", choices=("stream", "frame"), help=argparse.SUPPRESS)
    p.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        child_memory(args.child, args.path)
        return 0
    if args.quick:
        args.headlines, args.long, args.n = 10_000, 500, 20_000

    print(f"{'texts (evidence off)':24}{'n':>9}{'bare art/CPU s':>16}{'scorer art/CPU s':>18}{'ratio':>10}")
    print(ratio_row("headlines (generated)", list(corpus(args.headlines, "headlines")), args.repeats))
    real = _real_headlines(args.shared)
    if real is not None:
        chunks = [real[i : i + CHUNK] for i in range(0, len(real), CHUNK)]
        print(ratio_row("headlines (real)", chunks, args.repeats))
    print(ratio_row("long texts (generated)", list(corpus(args.long, "long", chunk=200)), args.repeats))
    print("ratio = scorer CPU time / bare HashingVectorizer CPU time on the same texts, best of each (target <= 2x)")
    if not args.no_memory:
        print()
        print(f"{'peak memory':28}{'articles':>9}{'MB after fit':>14}{'peak MB':>12}{'seconds':>10}")
        with tempfile.TemporaryDirectory() as tmp:
            for mode in ("stream", "frame"):
                print(memory_row(mode, args.n, Path(tmp)))
        print("peak = resident high-water mark (VmHWM) of a fresh process that fitted the default scorer and scored")
    return 0


if __name__ == "__main__":
    sys.exit(main())
