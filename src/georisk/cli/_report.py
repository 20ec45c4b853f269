"""``georisk report`` (a self-contained HTML tear sheet) and ``georisk validate`` (the premium's validation table)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from georisk.cli._common import add_input_options, config_from_args


def cmd_report(args: argparse.Namespace) -> int:
    """Run the pipeline and write the HTML tear sheet of the run to ``--out``."""
    from georisk.pipeline import run
    from georisk.report import write_report

    out: Path = args.out or Path("georisk-report.html")
    if out.suffix.lower() not in (".html", ".htm"):
        from georisk.errors import ConfigError

        raise ConfigError(f"--out {out}: use a file name ending in .html")
    result = run(config_from_args(args), as_of=args.as_of)
    print(write_report(result, out))  # noqa: T201 - command output: the path written
    return 0


def register(sub: Any, epilog: str) -> None:
    """Add the ``report`` subcommand."""
    p = sub.add_parser(
        "report",
        help="write a self-contained HTML tear sheet (summary, honesty panel, charts) of a run",
        epilog=epilog,
    )
    add_input_options(p, "the .html file to write (default: ./georisk-report.html)")
    p.set_defaults(func=cmd_report)
    register_validate(sub, epilog)


def cmd_validate(args: argparse.Namespace) -> int:
    """Run the pipeline and print the premium model's validation table (``--out``: also a PNG)."""
    from georisk.pipeline import validate

    if args.seeds < 0:
        from georisk.errors import ConfigError

        raise ConfigError(f"--seeds {args.seeds}: give 0 (no shuffled placebo) or more")
    validation = validate(config_from_args(args), as_of=args.as_of, seeds=args.seeds)
    print(validation.to_text())  # noqa: T201 - command output: the table
    print()  # noqa: T201
    print(validation.summary().to_string(float_format=lambda x: f"{x:.3f}"))  # noqa: T201
    if args.out is not None:
        from georisk.plotting import figure_png

        out: Path = args.out
        if out.suffix.lower() != ".png":
            from georisk.errors import ConfigError

            raise ConfigError(f"--out {out}: use a file name ending in .png")
        from georisk._io import atomic_write_bytes

        atomic_write_bytes(out, figure_png(validation.plot()), what="cannot write the figure (--out)")
    return 0


def register_validate(sub: Any, epilog: str) -> None:
    """Add the ``validate`` subcommand."""
    p = sub.add_parser(
        "validate",
        help="print the premium model's validation table of a run: monthly oil premium beside the oil CAR, "
        "placebo states, event signs",
        epilog=epilog,
    )
    add_input_options(p, "a .png of the monthly oil premium and CAR (optional)")
    p.add_argument(
        "--seeds", type=int, default=5, help="shuffled placebo states, each one more run of the model (default 5)"
    )
    p.set_defaults(func=cmd_validate)
