"""``georisk prices``: fetch prices (through the cache) and check their quality."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from georisk.cli._common import check_out, log, require_inputs, whole, write_or_show


def _prices_config(args: argparse.Namespace) -> tuple[Any, Any]:
    """The configuration's ``[prices]`` and universe with the command-line overrides applied."""
    from pydantic import ValidationError

    from georisk.config import GeoriskConfig, PricesConfig, format_validation_error, sample_chosen
    from georisk.errors import ConfigError
    from georisk.market import check_universe

    cfg = GeoriskConfig.from_toml(args.config) if args.config else GeoriskConfig()
    values = cfg.prices.model_dump()
    if args.prices is not None:
        values["path"] = args.prices
        values["source"] = "parquet" if str(args.prices).endswith((".parquet", ".pq")) else "csv"
    overrides = {
        "source": args.source,
        "cache_dir": args.cache_dir,
        "start": args.start,
        "end": args.end,
        "retries": args.retries,
    }
    values.update({k: v for k, v in overrides.items() if v is not None})
    if args.offline:
        values["offline"] = True
    if getattr(args, "strict", False):
        values["strict"] = True
    try:
        pcfg = PricesConfig(**values)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, "command line")) from None
    check_universe(cfg.universe)
    # asked for: --source sample, or [prices] source = "sample" written in the file and not overridden
    chosen = args.source == "sample" or (args.source is None and args.prices is None and "prices" in sample_chosen(cfg))
    require_inputs(cfg.model_copy(update={"prices": pcfg}), args, ("prices",), chosen=("prices",) if chosen else ())
    return pcfg, cfg.universe


def _tickers(args: argparse.Namespace) -> list[str] | None:
    if not args.tickers:
        return None
    return [t.strip() for part in args.tickers for t in part.split(",") if t.strip()]


def _log_dropped(prices: Any) -> None:
    """Log how many prices the load left out, per reason (empty rows, repeated dates, unsettled dates)."""
    dropped = prices.attrs.get("georisk_dropped_rows") or {}
    if dropped:
        parts = "; ".join(f"{n} x {k}" for k, n in sorted(dropped.items()))
        log.warning("dropped rows: %d price(s) left out (counted per ticker): %s", sum(dropped.values()), parts)


def cmd_fetch(args: argparse.Namespace) -> int:
    """Load prices as configured (filling the cache) and write or show the wide frame."""
    from georisk.market import prices_from_config
    from georisk.pipeline import resolved_prices_config

    check_out(args.out)
    pcfg, universe = _prices_config(args)
    (prices, report), _ = prices_from_config(
        resolved_prices_config(pcfg), universe, tickers=_tickers(args), progress=args.progress
    )
    write_or_show(prices, args.out, "prices")
    _log_dropped(prices)
    bad = report.table[report.table["status"] != "ok"]
    if len(bad):
        log.warning("quality: %s (run `georisk prices check` for details)", dict(bad["status"]))
    for note in report.notes:
        log.warning("%s", note)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Print the quality report as a table; ``--strict`` exits 5 when a ticker fails."""
    from georisk.market import prices_from_config
    from georisk.pipeline import resolved_prices_config

    pcfg, universe = _prices_config(args)
    strict = pcfg.strict
    pcfg = resolved_prices_config(pcfg.model_copy(update={"strict": False}))
    (prices, report), _ = prices_from_config(
        pcfg, universe, tickers=_tickers(args), missing="warn", progress=args.progress
    )
    _log_dropped(prices)
    sys.stdout.write(report.to_string() + "\n")
    if args.issues is not None:
        from georisk.export import atomic_write_bytes

        atomic_write_bytes(args.issues, report.issues.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    if strict:
        report.raise_if_failed()
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", type=Path, help="georisk.toml (its [prices] and [universe])")
    p.add_argument("--prices", type=Path, help="a price file or folder (.csv/.parquet; overrides the config)")
    p.add_argument(
        "--source",
        choices=["sample", "csv", "parquet", "yfinance"],
        help="override prices.source (sample: the bundled SYNTHETIC sample's simulated prices, labelled)",
    )
    p.add_argument(
        "--sample",
        dest="use_sample",
        action="store_true",
        help="when neither the options nor --config give prices, use the bundled SYNTHETIC sample's (labelled; "
        "without this flag that is an error)",
    )
    p.set_defaults(sample_flag="--sample")
    p.add_argument(
        "--cache-dir",
        dest="cache_dir",
        type=Path,
        help="price cache folder (default: prices.cache_dir, GEORISK_CACHE_DIR)",
    )
    p.add_argument("--start", help="first date YYYY-MM-DD")
    p.add_argument("--end", help="last date YYYY-MM-DD (default: the last settled date)")
    p.add_argument("--tickers", nargs="+", help="a subset of the universe's tickers (space or comma separated)")
    p.add_argument(
        "--retries", type=whole("--retries"), help="retries of transient yfinance failures (default: prices.retries)"
    )
    p.add_argument("--offline", action="store_true", help="serve from the cache only and report stale tickers")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress line for downloads (default: only when stderr is a terminal)",
    )


def register(sub: Any, epilog: str) -> None:
    """Add the price subcommands (``prices fetch``, ``prices check``)."""
    p = sub.add_parser("prices", help="fetch prices into the cache and check their quality", epilog=epilog)
    psub = p.add_subparsers(dest="prices_command", required=True, metavar="ACTION")
    f = psub.add_parser("fetch", help="load prices (filling the cache) and write the wide frame", epilog=epilog)
    _common(f)
    f.add_argument("--out", type=Path, help="write prices to this .csv or .parquet file (default: show the last rows)")
    f.set_defaults(func=cmd_fetch)
    c = psub.add_parser("check", help="print the data-quality report per ticker", epilog=epilog)
    _common(c)
    c.add_argument("--strict", action="store_true", help="exit 5 when a ticker fails the quality thresholds")
    c.add_argument("--issues", type=Path, help="also write every flagged date to this CSV file")
    c.set_defaults(func=cmd_check)
