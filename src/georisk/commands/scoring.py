"""``georisk score``: score articles for hawkish tilt and peace trade."""

from __future__ import annotations

import argparse
from typing import Any

from georisk.commands._common import add_input_options, check_out, config_from_args, write_or_show


def cmd_score(args: argparse.Namespace) -> int:
    """Score the configured (or given) articles and write or show the scores."""
    from georisk.pipeline import load_inputs
    from georisk.scoring import score_articles

    check_out(args.out)
    articles, _, _, _ = load_inputs(config_from_args(args))
    write_or_show(score_articles(articles), args.out, "scores")
    return 0


def register(sub: Any, epilog: str) -> None:
    """Add the scoring subcommands."""
    p = sub.add_parser("score", help="score articles for hawkish tilt and peace trade", epilog=epilog)
    add_input_options(p, "write scores to this .csv or .parquet file (default: show the last rows)", as_of=False)
    p.set_defaults(func=cmd_score)
