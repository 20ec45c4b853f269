"""Helpers shared by the subcommands: configuration from arguments, writing frames."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from georisk.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

    from georisk.config import GeoriskConfig

log = logging.getLogger("georisk")


def add_input_options(p: argparse.ArgumentParser, out_help: str, *, as_of: bool = True) -> None:
    """Add ``--config``, ``--articles``, ``--prices``, ``--out`` and optionally ``--as-of``."""
    p.add_argument("--config", type=Path, help="georisk.toml (default: the bundled synthetic sample)")
    p.add_argument("--articles", type=Path, help="articles: .jsonl, .csv or a folder (overrides the config)")
    p.add_argument("--prices", type=Path, help="wide or long price file, .csv or .parquet (overrides the config)")
    p.add_argument("--out", type=Path, help=out_help)
    if as_of:
        p.add_argument("--as-of", dest="as_of", help="last session to use (YYYY-MM-DD); later data is ignored")


def config_from_args(args: argparse.Namespace) -> GeoriskConfig:
    """Load ``--config`` (or the default) and apply ``--articles`` / ``--prices`` overrides."""
    from georisk.config import ArticlesConfig, GeoriskConfig, PricesConfig

    cfg = GeoriskConfig.from_toml(args.config) if getattr(args, "config", None) else GeoriskConfig()
    updates: dict[str, object] = {}
    if getattr(args, "articles", None):
        updates["articles"] = ArticlesConfig(**{**cfg.articles.model_dump(), "path": args.articles})
    if getattr(args, "prices", None):
        source = "parquet" if str(args.prices).endswith((".parquet", ".pq")) else "csv"
        updates["prices"] = PricesConfig(**{**cfg.prices.model_dump(), "source": source, "path": args.prices})
    return cfg.model_copy(update=updates) if updates else cfg


def check_out(out: Path | None) -> None:
    """Reject an ``--out`` file name that is neither ``.csv`` nor ``.parquet``."""
    if out is not None and out.suffix not in (".csv", ".parquet"):
        raise ConfigError(f"--out {out}: use a .csv or .parquet file name")


def write_or_show(frame: pd.DataFrame, out: Path | None, what: str) -> None:
    """Write ``frame`` to ``out`` (.csv or .parquet), or print its last rows to stdout."""
    import pandas as pd

    if out is None:
        with pd.option_context("display.width", 160, "display.max_columns", 12):
            print(frame.tail(10).to_string())  # noqa: T201 - command output
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    keep_index = not isinstance(frame.index, pd.RangeIndex)
    if out.suffix == ".parquet":
        frame.to_parquet(out, index=keep_index)
    else:
        frame.to_csv(out, index=keep_index)
    log.info("wrote %s (%d rows) to %s", what, len(frame), out)
