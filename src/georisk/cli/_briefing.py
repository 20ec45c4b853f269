"""``georisk briefing``: one session's HTML and Markdown briefing."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from georisk.cli._common import add_input_options, config_from_args, whole


def cmd_briefing(args: argparse.Namespace) -> int:
    """Run the pipeline up to ``--as-of`` and write its briefing into ``--out``."""
    from georisk.pipeline import briefing

    out: Path = args.out or Path()
    if out.suffix.lower() in (".html", ".htm", ".md"):
        from georisk.errors import ConfigError

        raise ConfigError(f"--out {out}: give a folder; the briefing is written as briefing-YYYY-MM-DD.html and .md")
    files = briefing(config_from_args(args), as_of=args.as_of, out_dir=out, top=args.top)
    print(files.html)  # noqa: T201 - command output: the paths written
    print(files.markdown)  # noqa: T201
    return 0


def register(sub: Any, epilog: str) -> None:
    """Add the ``briefing`` subcommand."""
    p = sub.add_parser(
        "briefing",
        help="write one session's briefing (news state, premia with bands, the articles behind the move)",
        epilog=epilog,
    )
    add_input_options(p, "folder for briefing-YYYY-MM-DD.html and .md (default: current folder)", as_of=False)
    p.add_argument(
        "--as-of",
        "--date",
        dest="as_of",
        help="the session to brief (YYYY-MM-DD; default: the last session of the data; --date is the old name)",
    )
    p.add_argument("--top", type=whole("--top", minimum=1), default=5, help="articles listed per group (default 5)")
    p.set_defaults(func=cmd_briefing)
