"""``georisk demo | signal | premium | backtest | export | schema | verify``: the pipeline stages."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from georisk.cli._common import (
    add_input_options,
    check_out,
    config_from_args,
    log,
    seconds,
    whole,
    write_or_show,
)


def report_dropped(quarantine: Any, prices: Any) -> None:
    """Log, per input, how many rows a lenient run left out and why (as the export's manifest does)."""
    from georisk.pipeline import dropped_warnings

    for line in dropped_warnings(quarantine, prices):
        log.warning("%s", line)


def read_scores(path: Path) -> Any:
    """Scores written by ``georisk score --out`` (.csv or .parquet): ``published_at`` as UTC, scores as floats."""
    import pandas as pd

    from georisk.errors import InputDataError
    from georisk.scoring import SCORE_COLUMNS

    if not path.is_file():
        raise InputDataError(
            "does not exist or is not a file; write it with `georisk score --out FILE`", path=str(path)
        )
    try:
        frame = pd.read_parquet(path) if path.suffix in (".parquet", ".pq") else pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise InputDataError(f"cannot read the scores ({exc}); use a .csv or .parquet file", path=str(path)) from None
    missing = [c for c in ("published_at", *SCORE_COLUMNS) if c not in frame.columns]
    if missing:
        raise InputDataError(
            f"no column(s) {missing}; write the file with `georisk score --out FILE`", path=str(path), field=missing[0]
        )
    stamps = pd.to_datetime(frame["published_at"], utc=True, errors="coerce", format="ISO8601")
    bad = stamps.isna()
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise InputDataError(
            f"published_at {frame['published_at'].iloc[row]!r} is not a timestamp with a UTC offset",
            path=str(path),
            line=row + 2 if path.suffix == ".csv" else None,
            field="published_at",
        )
    frame["published_at"] = stamps
    for col in SCORE_COLUMNS:
        values = pd.to_numeric(frame[col], errors="coerce")
        if values.isna().any() or not values.between(0, 1).all():
            row = int((values.isna() | ~values.between(0, 1)).to_numpy().argmax())
            raise InputDataError(
                f"{col} must be a number in [0, 1], got {frame[col].iloc[row]!r}",
                path=str(path),
                line=row + 2 if path.suffix == ".csv" else None,
                field=col,
            )
        frame[col] = values.astype(float)
    return frame


def cmd_signal_from_scores(args: argparse.Namespace) -> int:
    """``georisk signal --scores FILE``: the signal from scores computed before, nothing rescored."""
    from georisk.pipeline import signal_from_scores

    cfg = config_from_args(args, inputs=())  # the scores are the input; no article or price is read
    signal = signal_from_scores(cfg, read_scores(args.scores), as_of=args.as_of)
    write_or_show(signal, args.out, "signal")
    return 0


def cmd_stage(args: argparse.Namespace) -> int:
    """Write or show the signal (from the articles alone) or the premium (a run of the pipeline)."""
    from georisk.pipeline import run

    check_out(args.out)
    if getattr(args, "scores", None) is not None:
        return cmd_signal_from_scores(args)
    if args.command == "signal":  # the news half only: no price is read
        import pandas as pd

        from georisk.pipeline import configured_articles, signal_stage

        cfg = config_from_args(args, inputs=("articles",))
        articles, quarantine, _ = configured_articles(cfg)
        report_dropped(quarantine, pd.DataFrame())
        write_or_show(signal_stage(cfg, articles, as_of=args.as_of).signal, args.out, "signal")
        return 0
    result = run(config_from_args(args), as_of=args.as_of)
    report_dropped(result.quarantine, result.prices)
    write_or_show(result.premium, args.out, "premium")
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    """Run the pipeline and print the backtest summary."""
    from georisk.pipeline import run

    check_out(args.out)
    result = run(config_from_args(args), as_of=args.as_of)
    report_dropped(result.quarantine, result.prices)
    print(result.backtest.summary().to_string(float_format=lambda v: f"{v:.3f}"))  # noqa: T201
    if args.out is not None:
        import pandas as pd

        bt = result.backtest
        frame = pd.concat({"net": bt.returns, "gross": bt.gross_returns, "turnover": bt.turnover}, axis=1)
        write_or_show(frame.join(bt.positions.add_prefix("position_")), args.out, "backtest")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the daily export of one session, or backfill a range of sessions."""
    from georisk.errors import ConfigError
    from georisk.pipeline import export_daily, export_range

    if args.as_of is None and (args.start is None or args.end is None):
        raise ConfigError("give --as-of D, or --from D1 --to D2 to backfill")
    if args.as_of is not None and (args.start is not None or args.end is not None):
        raise ConfigError("give either --as-of or --from/--to, not both")
    cfg = config_from_args(args)
    # options given on the command line override the [export] section; the others are left to it
    common: dict[str, Any] = {
        "out_dir": args.out,
        "lock_timeout": args.lock_timeout,
        "overwrite_corrupt": args.force,
        "max_article_gap": args.max_article_gap,
        "missing_prices": args.missing_prices,
        "keep_versions": args.keep_versions,
        "settle_minutes": args.settle_minutes,
    }
    if args.as_of is not None:
        results = [export_daily(cfg, args.as_of, previous_session=args.previous_session, **common)]
    else:
        results = export_range(cfg, args.start, args.end, **common)
    for res in results:
        print(res.folder)  # noqa: T201 - command output: one export folder per line
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of a signal row (or of the manifest)."""
    import json

    from georisk.schema import manifest_schema, signal_row_schema

    schema = manifest_schema() if args.manifest else signal_row_schema()
    text = json.dumps(schema, indent=2) + "\n"
    if args.out is None:
        print(text, end="")  # noqa: T201 - command output
    else:
        from georisk.export import atomic_write_bytes

        atomic_write_bytes(args.out, text.encode())
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Verify every export (or one session's), its manifest, the history and the record of each."""
    from georisk.calendar import parse_date
    from georisk.errors import ConfigError
    from georisk.export import read_history, verify_root

    out = args.out
    if not out.is_dir():
        raise ConfigError(f"--out {out} is not an export folder")
    day = parse_date(args.as_of, "--as-of") if args.as_of else None
    summary = verify_root(out, day)
    if summary["exports"]:
        read_history(out, day, day)  # also: no session twice, every row valid
    for note in summary["notes"]:
        log.warning("%s", note)
    print(  # noqa: T201 - command output
        f"{summary['exports']} export(s) and {summary['history']} history row(s) verified under {out}: "
        "every file matches its manifest, every manifest its record, the history the published exports"
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the demo on the bundled synthetic sample."""
    from georisk.pipeline import run_demo

    print(run_demo(args.out).summary)  # noqa: T201
    return 0


def register(sub: Any, epilog: str) -> None:
    """Add the pipeline subcommands."""
    p = sub.add_parser("demo", help="run the whole chain offline on the bundled synthetic sample", epilog=epilog)
    p.add_argument("--out", type=Path, default=Path("georisk-demo"), help="output folder (default: ./georisk-demo)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("signal", help="compute the daily news signal", epilog=epilog)
    add_input_options(p, "write the signal to this .csv or .parquet file (default: show the last rows)")
    p.add_argument(
        "--scores",
        type=Path,
        help="scores written before by `georisk score --out` (.csv or .parquet): build the signal without scoring",
    )
    p.set_defaults(func=cmd_stage)

    p = sub.add_parser("premium", help="compute the geopolitical risk premium indicator", epilog=epilog)
    add_input_options(p, "write the premium to this .csv or .parquet file (default: show the last rows)")
    p.set_defaults(func=cmd_stage)

    p = sub.add_parser(
        "backtest", help="backtest premium-driven sleeve tilts with costs and placebo runs", epilog=epilog
    )
    add_input_options(p, "write returns and positions to this .csv or .parquet file")
    p.set_defaults(func=cmd_backtest)

    p = sub.add_parser(
        "export",
        help="write the daily export of one session (atomic, versioned, with a manifest)",
        description="Compute the signal, premium and positions of a session from the cached prices and the "
        "articles published by its close; publish Parquet, CSV, JSON and a manifest atomically under a lock, "
        "and add the row to the history store. Prints the export folder of each session on stdout.",
        epilog=epilog,
    )
    add_input_options(p, "export root folder (default: the config's export.out_dir)", as_of=False)
    p.add_argument("--as-of", "--date", dest="as_of", help="the session to export (YYYY-MM-DD; --date is the old name)")
    p.add_argument("--from", dest="start", metavar="D1", help="backfill: first date (YYYY-MM-DD)")
    p.add_argument("--to", dest="end", metavar="D2", help="backfill: last date (YYYY-MM-DD)")
    p.add_argument(
        "--previous-session", action="store_true", help="if --date is not a session, export the previous one"
    )
    p.add_argument(
        "--lock-timeout",
        type=seconds("--lock-timeout"),
        default=None,
        metavar="SEC",
        help="wait this long for a running export (default: [export] lock_timeout, 0; a finite number of seconds)",
    )
    p.add_argument(
        "--settle-minutes",
        type=seconds("--settle-minutes"),
        default=None,
        metavar="MIN",
        help="refuse a session until this long after its close, so prices and articles are final "
        "(default: [export] settle_minutes, 30)",
    )
    p.add_argument(
        "--force", action="store_true", help="set a corrupted previous export aside and replace it (default: exit 8)"
    )
    p.add_argument(
        "--max-article-gap",
        type=whole("--max-article-gap"),
        default=None,
        metavar="N",
        help="sessions allowed since the last article before the feed counts as stale "
        "(default: [export] max_article_gap, 5)",
    )
    p.add_argument(
        "--missing-prices",
        choices=("raise", "warn"),
        default=None,
        help="an instrument without a price on a session of its exchange: exit 4 (raise) or record a warning "
        "(default: [export] missing_prices, raise)",
    )
    p.add_argument(
        "--keep-versions",
        type=whole("--keep-versions"),
        default=None,
        metavar="N",
        help="older versions kept per session (default: [export] keep_versions, 3)",
    )
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("schema", help="print the JSON Schema of an exported signal row", epilog=epilog)
    p.add_argument("--manifest", action="store_true", help="print the schema of manifest.json instead")
    p.add_argument("--out", type=Path, help="write the schema to this file instead of stdout")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser(
        "verify",
        help="verify exports, manifests and the history (exit 8 naming every difference)",
        description="Recompute the SHA-256 of every published file and compare it with the manifest, the "
        "manifest with the record written when it was published, and the history with the published exports "
        "(the latest history version of each session must be the published one). Exits 8 listing every "
        "difference, including a publication a killed run left half done (the next export completes it).",
        epilog=epilog,
    )
    p.add_argument("--out", type=Path, required=True, help="export root folder")
    p.add_argument(
        "--as-of", "--date", dest="as_of", help="verify only this session (YYYY-MM-DD; --date is the old name)"
    )
    p.set_defaults(func=cmd_verify)
