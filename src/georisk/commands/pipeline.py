"""``georisk demo | signal | premium | backtest | export``: the pipeline stages."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from georisk.commands._common import add_input_options, check_out, config_from_args, write_or_show


def cmd_stage(args: argparse.Namespace) -> int:
    """Run the pipeline and write or show the signal or the premium."""
    from georisk.pipeline import run

    check_out(args.out)
    result = run(config_from_args(args), as_of=args.as_of)
    frame = {"signal": result.signal, "premium": result.premium}[args.command]
    write_or_show(frame, args.out, args.command)
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    """Run the pipeline and print the backtest summary."""
    from georisk.pipeline import run

    check_out(args.out)
    result = run(config_from_args(args), as_of=args.as_of)
    print(result.backtest.summary().to_string(float_format=lambda v: f"{v:.3f}"))  # noqa: T201
    if args.out is not None:
        import pandas as pd

        bt = result.backtest
        frame = pd.concat({"net": bt.returns, "gross": bt.gross_returns, "turnover": bt.turnover}, axis=1)
        write_or_show(frame.join(bt.positions.add_prefix("position_")), args.out, "backtest")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the daily export of one session."""
    from georisk.calendar import to_session
    from georisk.export import export_daily
    from georisk.pipeline import run

    cfg = config_from_args(args)
    session = to_session(args.date, cfg.signal.calendar, roll="previous" if args.previous_session else "raise")
    result = run(cfg, as_of=session)
    folder = export_daily(
        result.signal,
        result.premium,
        result.positions,
        session=session,
        out_dir=args.out or cfg.export.out_dir,
        parameters=cfg.model_dump(mode="json"),
        inputs=result.inputs,
    )
    print(folder)  # noqa: T201
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the demo on the bundled synthetic sample."""
    from georisk.demo import run_demo

    print(run_demo(args.out).summary)  # noqa: T201
    return 0


def register(sub: Any, epilog: str) -> None:
    """Add the pipeline subcommands."""
    p = sub.add_parser("demo", help="run the whole chain offline on the bundled synthetic sample", epilog=epilog)
    p.add_argument("--out", type=Path, default=Path("georisk-demo"), help="output folder (default: ./georisk-demo)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("signal", help="compute the daily news signal", epilog=epilog)
    add_input_options(p, "write the signal to this .csv or .parquet file (default: show the last rows)")
    p.set_defaults(func=cmd_stage)

    p = sub.add_parser("premium", help="compute the geopolitical risk premium indicator", epilog=epilog)
    add_input_options(p, "write the premium to this .csv or .parquet file (default: show the last rows)")
    p.set_defaults(func=cmd_stage)

    p = sub.add_parser(
        "backtest", help="backtest premium-driven sleeve tilts with costs and placebo runs", epilog=epilog
    )
    add_input_options(p, "write returns and positions to this .csv or .parquet file")
    p.set_defaults(func=cmd_backtest)

    p = sub.add_parser("export", help="write the daily export of one session (atomic, with a manifest)", epilog=epilog)
    add_input_options(p, "export root folder (default: the config's export.out_dir)", as_of=False)
    p.add_argument("--date", required=True, help="the session to export (YYYY-MM-DD)")
    p.add_argument(
        "--previous-session", action="store_true", help="if --date is not a session, export the previous one"
    )
    p.set_defaults(func=cmd_export)
