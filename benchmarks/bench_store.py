"""Article store benchmark: import, size, fetch and a warm one-session export at 100,000 articles.

SYNTHETIC data (and, when ``../shared/data`` is present, the real headlines for the
store's size): the bundled sample's articles repeated with new ids, URLs and times over
2022-2024 (title plus a summary-sized text, as feeds deliver them). Prints:

- the time to import 100,000 articles and the store's size on disk per 100,000 articles;
- the time to score them all once (the lexicon scorer) into the score cache;
- the time of a fetch (two RSS feeds and a GDELT query served on 127.0.0.1) into that store;
- a one-session export with every score cached (warm), in the same process, beside its
  parts (reading the store, the cached scores, the rest of the stages).

    python benchmarks/bench_store.py [--articles 100000]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from georisk.articles import ArticleStore
from georisk.config import ArticlesConfig, FeedConfig, GdeltConfig, GeoriskConfig, ScoringConfig
from georisk.datasets import load_sample


def synthetic(n: int, seed: int = 0) -> pd.DataFrame:
    base = load_sample().articles
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(base), n)
    start = pd.Timestamp("2022-01-03T00:00Z").value
    end = pd.Timestamp("2024-12-31T20:00Z").value
    times = pd.to_datetime(np.sort(rng.integers(start, end, n)), utc=True)
    text = base["text"].to_numpy()[pick]
    text = np.array([t[:600] for t in text], dtype=object)  # a summary, not a page
    return pd.DataFrame(
        {
            "published_at": times,
            "title": base["title"].to_numpy()[pick],
            "text": [f"{t} (item {i})" for i, t in enumerate(text)],
            "source": base["source"].to_numpy()[pick],
            "url": [f"https://news{i % 37}.example.org/story/{i}" for i in range(n)],
        }
    )


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    from georisk.pipeline import compute_stages, export_daily, load_inputs

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "store"
        store = ArticleStore(root)
        frame = synthetic(args.articles)
        t = time.perf_counter()
        res = store.append(frame, feed="import", backfill=True)
        t_import = time.perf_counter() - t
        mb = size_of(root / "articles") / 1e6
        print(f"import {res.added:,} articles: {t_import:.2f} s; {len(res.months)} month files")
        print(f"store size: {mb:.1f} MB, {mb * 100_000 / res.added:.1f} MB per 100,000 articles")

        cfg = GeoriskConfig(
            articles=ArticlesConfig(source="store", store=root), scoring=ScoringConfig(scorer="lexicon")
        )
        t = time.perf_counter()
        articles, _, prices, _ = load_inputs(cfg)
        compute_stages(cfg, articles, prices, as_of="2024-12-31")
        print(f"score all once (cold, into the cache) and compute the stages: {time.perf_counter() - t:.1f} s")
        print(f"score cache size: {size_of(root / 'scores') / 1e6:.1f} MB")

        # a fetch into the 100,000-article store: two feeds and a GDELT query on 127.0.0.1
        from tests.feeds.test_feeds import ATOM, RSS, FakeServer, gdelt_article, timeline

        with FakeServer() as server:
            items = [gdelt_article(i, f"20241230T{i % 24:02d}{i % 60:02d}00Z") for i in range(250)]
            server.routes["/world.rss"] = [(200, {"ETag": '"a"'}, RSS)]
            server.routes["/defence.atom"] = [(200, {}, ATOM)]

            def gdelt(
                path: str, query: dict[str, list[str]], headers: dict[str, str]
            ) -> tuple[int, dict[str, str], bytes]:
                if query["mode"] == ["timelinevolraw"]:
                    return 200, {}, json.dumps(timeline(["20241230"], [150_000])).encode()
                return 200, {}, json.dumps({"articles": items[:240]}).encode()

            server.routes["/doc"] = gdelt
            acfg = ArticlesConfig(
                source="store",
                store=root,
                feeds=(
                    FeedConfig(name="world", url=server.url + "/world.rss"),
                    FeedConfig(name="defence", url=server.url + "/defence.atom"),
                ),
                gdelt=GdeltConfig(query="ukraine", base_url=server.url + "/doc", min_interval=0),
            )
            from georisk.feeds import fetch_articles

            now = pd.Timestamp("2024-12-31T12:00Z")
            t = time.perf_counter()
            rep = fetch_articles(acfg, now=now)
            print(f"fetch (GDELT 240 + 2 feeds, {rep.added} new) into the store: {time.perf_counter() - t:.2f} s")
            t = time.perf_counter()
            rep = fetch_articles(acfg, now=now + pd.Timedelta(hours=1))
            print(f"second fetch of the same window ({rep.added} new): {time.perf_counter() - t:.2f} s")

        out = Path(tmp) / "export"
        export_daily(cfg, "2024-12-30", out_dir=out)  # scores the fetched articles; warms the imports
        timings = []
        for day in ("2024-12-31", "2024-12-27", "2024-12-26"):
            t = time.perf_counter()
            export_daily(cfg, day, out_dir=out)
            timings.append(time.perf_counter() - t)
        print(
            f"one-session export, warm (every score cached): {min(timings):.2f} s (runs: "
            + ", ".join(f"{x:.2f}" for x in timings)
            + ")"
        )
        t = time.perf_counter()
        articles, _, prices, _ = load_inputs(cfg, strict=False)
        t_load = time.perf_counter() - t
        t = time.perf_counter()
        compute_stages(cfg, articles, prices, as_of="2024-12-31")
        t_stages = time.perf_counter() - t
        print(f"  of which: load_inputs {t_load:.2f} s (store read), compute_stages {t_stages:.2f} s")

        shared = Path(__file__).resolve().parents[2] / "shared" / "data"
        if (shared / "news-ruwa").is_dir():  # real headlines and summaries: the size a real store takes
            from benchmarks.shared_data import load_headlines

            real, _ = load_headlines(shared)
            real_store = ArticleStore(Path(tmp) / "real")
            t = time.perf_counter()
            res = real_store.append(real, feed="import", backfill=True)
            mb = size_of(real_store.articles_dir) / 1e6
            print(
                f"real headlines (RUWA, Guardian, BBC; ../shared/data): {res.added:,} articles imported in "
                f"{time.perf_counter() - t:.2f} s, {mb:.1f} MB, {mb * 100_000 / res.added:.1f} MB per 100,000 articles"
            )


if __name__ == "__main__":
    main()
