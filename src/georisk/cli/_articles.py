"""``georisk articles fetch | import | status``: the article store."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from georisk.cli._common import config_from_args, log
from georisk.errors import ConfigError, MissingDataError


def _store(args: argparse.Namespace) -> tuple[Any, Any]:
    from georisk.articles import ArticleStore

    cfg = config_from_args(args, inputs=())  # the store is the input; the sample is never read
    root = args.store if getattr(args, "store", None) is not None else cfg.articles.store
    if root is None:
        raise ConfigError(
            "no article store: set [articles] store = 'articles-store' in the --config file, or pass --store DIR"
        )
    if args.store is not None:
        cfg = cfg.model_copy(update={"articles": cfg.articles.model_copy(update={"store": Path(root)})})
    return cfg, ArticleStore(root)


def cmd_fetch(args: argparse.Namespace) -> int:
    """Fetch every configured source into the store; exit 4 naming a failed source's gap."""
    from georisk.feeds import fetch_articles

    cfg, _ = _store(args)
    report = fetch_articles(cfg, since=args.since, offline=args.offline, raise_on_failure=False)
    summary = report.summary()
    if len(summary):
        print(summary[["status", "added", "duplicates", "seconds"]].to_string(float_format=lambda v: f"{v:.2f}"))  # noqa: T201
    if report.failed:
        raise MissingDataError(
            f"{len(report.failed)} of {len(report.sources)} source(s) failed (the others were stored): "
            f"{report.gap_message()}"
        )
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Import JSON Lines, CSV files or folders into the store (marked as backfill)."""
    from georisk.articles import articles_from_config

    cfg, store = _store(args)
    acfg = cfg.articles
    added = duplicates = quarantined = 0
    for path in args.files:
        loaded = articles_from_config(path, acfg, extra_columns="ignore")
        res = store.append(loaded.articles, feed="import", backfill=True)
        added += res.added
        duplicates += res.duplicates + len(loaded.merged)
        quarantined += len(loaded.quarantine)
        for row in loaded.quarantine.itertuples():
            log.warning("%s", row.reason)
        log.info("%s: %d new, %d already stored", path, res.added, res.duplicates)
    print(f"{added} article(s) added, {duplicates} duplicate(s) skipped, {quarantined} quarantined; store {store.root}")  # noqa: T201
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Per source: last fetch, counts per day and gaps; exit 4 with --check when a source has a gap."""
    import pandas as pd

    cfg, store = _store(args)
    table = store.status(days=args.days, max_gap_hours=cfg.articles.max_feed_gap_hours)
    configured = [f.name for f in cfg.articles.feeds] + (["gdelt"] if cfg.articles.gdelt is not None else [])
    missing = [n for n in configured if n not in table.index]
    if missing:
        extra = pd.DataFrame({"gap": ["never fetched"] * len(missing)}, index=pd.Index(missing, name="source"))
        table = pd.concat([table, extra])
    if table.empty:
        print(f"the store {store.root} is empty; run `georisk articles fetch` or `georisk articles import`")  # noqa: T201
        return 0
    with pd.option_context("display.width", 200, "display.max_columns", 40):
        print(table.fillna("").to_string())  # noqa: T201 - command output
    gaps = table[table["gap"].fillna("") != ""]
    if args.check and len(gaps):
        raise MissingDataError("; ".join(f"{name}: {gap}" for name, gap in gaps["gap"].items()))
    return 0


def register(sub: Any, epilog: str) -> None:
    """Add ``georisk articles fetch | import | status``."""
    p = sub.add_parser(
        "articles",
        help="the local article store: fetch GDELT and RSS feeds, import files, show status",
        description='Fill and inspect the article store that `[articles] source = "store"` reads.',
        epilog=epilog,
    )
    inner = p.add_subparsers(dest="articles_command", required=True, metavar="ACTION")

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--config", type=Path, help="georisk.toml with an [articles] table (store, feeds, gdelt)")
        q.add_argument("--store", type=Path, help="the store folder (overrides [articles] store)")

    q = inner.add_parser(
        "fetch",
        help="fetch the configured GDELT query and RSS/Atom feeds into the store",
        description="Fetch each source of [articles] (GDELT DOC 2.0, RSS and Atom feeds) and add the new articles "
        "to the store, de-duplicated by id and canonical URL; a second run adds nothing. Exit 4 names each "
        "failed source and its gap; the other sources are stored.",
        epilog=epilog,
    )
    common(q)
    q.add_argument("--since", help="backfill from this date or time (UTC); the articles are marked backfill")
    q.add_argument("--offline", action="store_true", help="fetch nothing; exit 4 if a source's last fetch is stale")
    q.set_defaults(func=cmd_fetch)

    q = inner.add_parser(
        "import",
        help="add JSON Lines, CSV files or folders to the store (column mapping and zone from [articles])",
        epilog=epilog,
    )
    common(q)
    q.add_argument("files", nargs="+", type=Path, help=".jsonl, .csv files or folders of .txt/.md/.html")
    q.set_defaults(func=cmd_import)

    q = inner.add_parser("status", help="per source: last fetch, articles per day, gaps", epilog=epilog)
    common(q)
    q.add_argument("--days", type=int, default=7, help="days of counts shown (default 7)")
    q.add_argument("--check", action="store_true", help="exit 4 when a source has a gap")
    q.set_defaults(func=cmd_status)
