"""``georisk report``: a self-contained HTML tear sheet."""

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
