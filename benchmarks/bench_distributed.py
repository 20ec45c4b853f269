"""Benchmark the Dask path: articles per second on 1 and 2 workers, and peak memory per worker.

Writes a SYNTHETIC archive (JSON Lines by default, so its size on disk is its size as
text), then runs ``read_articles -> score_articles -> daily_signal`` on a LocalCluster of
1 and of 2 worker processes with a memory limit per worker, and prints:

- articles per second for each cluster size and the scaling efficiency
  ``rate(2) / (2 * rate(1))``;
- the peak resident memory of every worker (``getrusage`` high-water mark) against its
  memory limit and against the size of the archive on disk (out-of-core when the archive
  is several times the limit).

Figures depend on the machine and its load; nothing here is asserted.

Usage::

    python benchmarks/bench_distributed.py                     # ~1.8 GiB archive, 512MiB limit
    python benchmarks/bench_distributed.py --articles 20000   # a quick check that it runs

The defaults (1,250,000 articles of 24 sentences, about 1.5 KB each, in 500 files of
about 3.6 MiB) make the archive about 3.5 times the 512 MiB worker memory limit; the
script warns when the archive is smaller than 3 times the limit (then the run is not
out-of-core). A worker's imports alone take about 320 MiB and its resident memory creeps
up by a few tens of MiB over many partitions, while the nanny stops a worker at 95 % of its
limit: below about 512 MiB a long run risks a restarted worker. At the default size the
run takes several minutes per cluster size.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

#: The archive must be at least this many times the worker memory limit to show out-of-core behaviour.
OUT_OF_CORE = 3


def _peak_rss() -> int:
    """Peak resident set size of this process in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _rss() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


def run(
    archive: str, n_workers: int, memory_limit: str, scorer_name: str, fmt: str, near_duplicates: bool
) -> dict[str, object]:
    import dask
    from distributed import Client, LocalCluster

    from georisk.distributed import daily_signal, read_articles, score_articles
    from georisk.scoring import LexiconScorer, default_scorer

    scorer = LexiconScorer() if scorer_name == "lexicon" else default_scorer()
    scorer.fit()
    load = None if near_duplicates else {"near_duplicates": None}
    # A worker's imports (pandas, pyarrow, scikit-learn, calendars) are ~270 MiB of unmanaged
    # memory; with a small limit the default pause at 80 % would stop idle workers. Spilling
    # and the nanny's hard stop at 95 % of the limit stay as configured.
    with (
        dask.config.set({"distributed.worker.memory.pause": False}),
        LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            memory_limit=memory_limit,
            dashboard_address=":0",
        ) as cluster,
        Client(cluster) as client,
    ):
        # Warm-up on one file: imports, calendars and the scorer reach every worker.
        first = sorted(Path(archive).parent.glob(Path(archive).name))[:n_workers]
        daily_signal(score_articles(read_articles([str(p) for p in first], load_options=load), scorer))
        baseline = client.run(_rss)
        t0 = time.perf_counter()
        signal = daily_signal(score_articles(read_articles(archive, load_options=load), scorer))
        elapsed = time.perf_counter() - t0
        peaks = client.run(_peak_rss)
    n = int(signal["n_articles"].sum())
    return {
        "workers": n_workers,
        "articles": n,
        "seconds": elapsed,
        "rate": n / elapsed,
        "baseline_mb": sorted(v / 2**20 for v in baseline.values()),
        "peak_mb": sorted(v / 2**20 for v in peaks.values()),
        "signal": signal,
        "format": fmt,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1_250_000, help="corpus size in articles (default 1250000)")
    parser.add_argument(
        "--files", type=int, default=500, help="archive files = Dask partitions (default 500, ~3.6 MiB each)"
    )
    parser.add_argument("--sentences", type=int, default=24, help="sentences per article (default 24, ~1.5 KB)")
    parser.add_argument("--format", choices=["jsonl", "parquet"], default="jsonl")
    parser.add_argument("--memory-limit", default="512MiB", help="Dask memory limit per worker (default 512MiB)")
    parser.add_argument("--workers", default="1,2", help="cluster sizes to run (default 1,2)")
    parser.add_argument("--scorer", choices=["lexicon", "default"], default="lexicon")
    parser.add_argument("--dir", type=Path, default=None, help="archive folder (a temporary one when omitted)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--near-duplicates",
        action="store_true",
        help="keep load_articles' near-duplicate merging on (slow on the templated synthetic texts, which share "
        "most 5-grams; real news does not)",
    )
    args = parser.parse_args()

    from dask.utils import parse_bytes

    from georisk.distributed import write_synthetic_archive

    folder = args.dir or Path(tempfile.mkdtemp(prefix="georisk-bench-"))
    try:
        t0 = time.perf_counter()
        files = write_synthetic_archive(
            folder, args.articles, files=args.files, format=args.format, seed=args.seed, sentences=args.sentences
        )
        disk = sum(p.stat().st_size for p in files)
        limit = parse_bytes(args.memory_limit)
        print(
            f"archive: {args.articles:,} SYNTHETIC articles in {len(files)} {args.format} files, "
            f"{disk / 2**20:,.0f} MiB on disk ({disk / limit:.1f}x the {args.memory_limit} worker memory limit); "
            f"written in {time.perf_counter() - t0:.1f} s"
        )
        if disk < OUT_OF_CORE * limit:
            print(
                f"warning: the archive is less than {OUT_OF_CORE}x the worker memory limit, so this run does not "
                "show out-of-core behaviour; raise --articles or --sentences, or lower --memory-limit"
            )
        results = []
        for n in (int(x) for x in args.workers.split(",")):
            r = run(
                str(folder / f"*.{args.format}"), n, args.memory_limit, args.scorer, args.format, args.near_duplicates
            )
            results.append(r)
            print(
                f"{n} worker(s): {r['articles']:,} articles in {r['seconds']:.1f} s = {r['rate']:,.0f} articles/s; "
                f"worker RSS after warm-up {', '.join(f'{m:.0f}' for m in r['baseline_mb'])} MiB, "
                f"peak {', '.join(f'{m:.0f}' for m in r['peak_mb'])} MiB "
                f"(limit {limit / 2**20:.0f} MiB; archive {disk / 2**20:,.0f} MiB)"
            )
        by = {r["workers"]: r for r in results}
        if 1 in by and 2 in by:
            eff = float(by[2]["rate"]) / (2 * float(by[1]["rate"]))
            print(f"scaling efficiency rate(2) / (2 * rate(1)) = {eff:.2f}")
            a, b = by[1]["signal"], by[2]["signal"]
            assert isinstance(a, pd.DataFrame)
            assert isinstance(b, pd.DataFrame)
            diff = (a - b).abs().max().max()
            print(f"1-worker and 2-worker signals agree to {diff:.1e}")
        peak = max(float(m) for r in results for m in r["peak_mb"])  # type: ignore[attr-defined]
        print(
            f"out-of-core: archive {disk / limit:.1f}x the limit per worker; highest peak worker RSS {peak:.0f} MiB "
            f"= {peak * 2**20 / limit:.2f}x the limit ({'within' if peak * 2**20 <= limit else 'ABOVE'} it)"
        )
        print("note: the machine may be shared; treat the rates as indicative, not as a measurement of georisk alone.")
    finally:
        if args.dir is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
