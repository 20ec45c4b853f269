"""The ``georisk`` command line: thin wrappers over library functions.

Exit codes are those of :mod:`georisk.errors` (0 success, 1 unexpected error, 2 usage
or configuration, 3 invalid input, 4 missing or stale data, 5 data quality, 6 lock
held, 7 not a session, 8 corrupted previous export). Logs go to stderr; results to
stdout. Nothing ever prompts for input.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from georisk.errors import GeoriskError

if TYPE_CHECKING:
    import pandas as pd

    from georisk.config import GeoriskConfig

log = logging.getLogger("georisk")

EPILOG = (
    "exit codes: 0 success, 1 unexpected error, 2 usage or configuration error, 3 invalid input data, "
    "4 missing or stale data, 5 data-quality failure, 6 lock held, 7 not a trading session, "
    "8 corrupted previous export"
)


def _config(args: argparse.Namespace) -> GeoriskConfig:
    from georisk.config import ArticlesConfig, GeoriskConfig, PricesConfig

    cfg = GeoriskConfig.from_toml(args.config) if args.config else GeoriskConfig()
    updates: dict[str, object] = {}
    if getattr(args, "articles", None):
        updates["articles"] = ArticlesConfig(**{**cfg.articles.model_dump(), "path": args.articles})
    if getattr(args, "prices", None):
        source = "parquet" if str(args.prices).endswith((".parquet", ".pq")) else "csv"
        updates["prices"] = PricesConfig(**{**cfg.prices.model_dump(), "source": source, "path": args.prices})
    return cfg.model_copy(update=updates) if updates else cfg


def _write_or_show(frame: pd.DataFrame, out: Path | None, what: str) -> None:
    import pandas as pd

    if out is None:
        with pd.option_context("display.width", 160, "display.max_columns", 12):
            print(frame.tail(10).to_string())
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    keep_index = not isinstance(frame.index, pd.RangeIndex)
    if out.suffix == ".parquet":
        frame.to_parquet(out, index=keep_index)
    else:
        frame.to_csv(out, index=keep_index)
    log.info("wrote %s (%d rows) to %s", what, len(frame), out)


def _check_out(out: Path | None) -> None:
    from georisk.errors import ConfigError

    if out is not None and out.suffix not in (".csv", ".parquet"):
        raise ConfigError(f"--out {out}: use a .csv or .parquet file name")


def cmd_score(args: argparse.Namespace) -> int:
    from georisk.pipeline import load_inputs
    from georisk.scoring import score_articles

    _check_out(args.out)
    articles, _, _, _ = load_inputs(_config(args))
    _write_or_show(score_articles(articles), args.out, "scores")
    return 0


def cmd_stage(args: argparse.Namespace) -> int:
    from georisk.pipeline import run

    _check_out(args.out)
    result = run(_config(args), as_of=args.as_of)
    frame = {"signal": result.signal, "premium": result.premium}[args.command]
    _write_or_show(frame, args.out, args.command)
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    from georisk.pipeline import run

    _check_out(args.out)
    result = run(_config(args), as_of=args.as_of)
    print(result.backtest.summary().to_string(float_format=lambda v: f"{v:.3f}"))
    if args.out is not None:
        import pandas as pd

        frame = pd.concat(
            {
                "net": result.backtest.returns,
                "gross": result.backtest.gross_returns,
                "turnover": result.backtest.turnover,
            },
            axis=1,
        )
        _write_or_show(frame.join(result.backtest.positions.add_prefix("position_")), args.out, "backtest")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from georisk.calendar import to_session
    from georisk.export import export_daily
    from georisk.pipeline import run

    cfg = _config(args)
    session = to_session(args.date, cfg.signal.calendar, roll="previous" if args.previous_session else "raise")
    result = run(cfg, as_of=session)
    out = args.out or cfg.export.out_dir
    folder = export_daily(
        result.signal,
        result.premium,
        result.positions,
        session=session,
        out_dir=out,
        parameters=cfg.model_dump(mode="json"),
        inputs=result.inputs,
    )
    print(folder)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from georisk.demo import run_demo

    print(run_demo(args.out).summary)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``georisk`` command."""
    from georisk._version import __version__

    parser = argparse.ArgumentParser(
        prog="georisk",
        description="Turn news about geopolitical conflict into market-risk signals.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"georisk {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output on stderr (-vv for debug)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser, out_help: str, as_of: bool = True) -> None:
        p.add_argument("--config", type=Path, help="georisk.toml (default: the bundled synthetic sample)")
        p.add_argument("--articles", type=Path, help="articles: .jsonl, .csv or a folder (overrides the config)")
        p.add_argument("--prices", type=Path, help="wide or long price file, .csv or .parquet (overrides the config)")
        p.add_argument("--out", type=Path, help=out_help)
        if as_of:
            p.add_argument("--as-of", dest="as_of", help="last session to use (YYYY-MM-DD); later data is ignored")

    p = sub.add_parser("demo", help="run the whole chain offline on the bundled synthetic sample", epilog=EPILOG)
    p.add_argument("--out", type=Path, default=Path("georisk-demo"), help="output folder (default: ./georisk-demo)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("score", help="score articles for hawkish tilt and peace trade", epilog=EPILOG)
    common(p, "write scores to this .csv or .parquet file (default: show the last rows)", as_of=False)
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("signal", help="compute the daily news signal", epilog=EPILOG)
    common(p, "write the signal to this .csv or .parquet file (default: show the last rows)")
    p.set_defaults(func=cmd_stage)

    p = sub.add_parser("premium", help="compute the geopolitical risk premium indicator", epilog=EPILOG)
    common(p, "write the premium to this .csv or .parquet file (default: show the last rows)")
    p.set_defaults(func=cmd_stage)

    p = sub.add_parser(
        "backtest", help="backtest the premium-driven sleeve tilts with costs and placebo runs", epilog=EPILOG
    )
    common(p, "write returns and positions to this .csv or .parquet file")
    p.set_defaults(func=cmd_backtest)

    p = sub.add_parser("export", help="write the daily export of one session (atomic, with a manifest)", epilog=EPILOG)
    common(p, "export root folder (default: the config's export.out_dir)", as_of=False)
    p.add_argument("--date", required=True, help="the session to export (YYYY-MM-DD)")
    p.add_argument(
        "--previous-session", action="store_true", help="if --date is not a session, export the previous one"
    )
    p.set_defaults(func=cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``georisk`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    if args.command == "demo":
        level = min(level, logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False
    start = time.perf_counter()
    try:
        code = int(args.func(args))
    except GeoriskError as exc:
        log.error("%s", exc)
        return exc.exit_code
    except KeyboardInterrupt:
        log.error("interrupted")
        return 130
    except Exception:
        log.exception("unexpected error (exit code 1); please report it with the traceback above")
        return 1
    log.debug("finished in %.1f s", time.perf_counter() - start)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
