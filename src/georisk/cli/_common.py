"""Helpers shared by the subcommands: configuration from arguments, writing frames."""

from __future__ import annotations

import argparse
import io
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from georisk.errors import ConfigError
from georisk.lock import check_seconds

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


def seconds(name: str, *, positive: bool = False) -> Callable[[str], float]:
    """An argparse ``type`` for a time option: a finite number >= 0 (> 0 if ``positive``).

    ``nan``, ``inf`` and negative values are refused with exit code 2 and a message
    naming the option, before anything runs (``--lock-timeout nan`` would wait forever).
    """

    def parse(text: str) -> float:
        try:
            return check_seconds(text, name, positive=positive)
        except ConfigError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = "seconds"
    return parse


def whole(name: str, *, minimum: int = 0) -> Callable[[str], int]:
    """An argparse ``type`` for a whole number >= ``minimum`` (exit code 2 otherwise)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name}={text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{name}={value} must be >= {minimum}")
        return value

    parse.__name__ = "whole number"
    return parse


def check_config(cfg: GeoriskConfig) -> None:
    """Refuse what the configuration's schema lets through but no run can use.

    An unknown time-zone name for articles, an impossible close time or unknown zone of
    an instrument: each exits 2 naming the setting and the fix, before any input is read.
    """
    from zoneinfo import ZoneInfo

    from georisk.market import check_universe

    check_universe(cfg.universe)
    zone = cfg.articles.timezone
    if zone:
        try:
            ZoneInfo(zone)
        except (ValueError, OSError, KeyError):  # ZoneInfoNotFoundError is a KeyError
            raise ConfigError(
                f"articles.timezone={zone!r} is not an IANA time-zone name; use one such as 'UTC' or 'Europe/London'"
            ) from None


def config_from_args(args: argparse.Namespace) -> GeoriskConfig:
    """Load ``--config`` (or the default) and apply ``--articles`` / ``--prices`` overrides."""
    from pydantic import ValidationError

    from georisk.config import ArticlesConfig, GeoriskConfig, PricesConfig, format_validation_error

    cfg = GeoriskConfig.from_toml(args.config) if getattr(args, "config", None) else GeoriskConfig()
    updates: dict[str, object] = {}
    try:
        if getattr(args, "articles", None):  # a file or folder named on the command line: read it, not the store
            updates["articles"] = ArticlesConfig(
                **{**cfg.articles.model_dump(), "path": args.articles, "source": "files"}
            )
        if getattr(args, "prices", None):
            source = "parquet" if str(args.prices).endswith((".parquet", ".pq")) else "csv"
            updates["prices"] = PricesConfig(**{**cfg.prices.model_dump(), "source": source, "path": args.prices})
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, "command line")) from None
    out = cfg.model_copy(update=updates) if updates else cfg
    check_config(out)
    return out


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
    from georisk.export import atomic_write_bytes

    if out.is_dir():
        raise ConfigError(f"--out {out} is a folder; give a .csv or .parquet file name")
    keep_index = not isinstance(frame.index, pd.RangeIndex)
    if out.suffix == ".parquet":
        buf = io.BytesIO()
        frame.to_parquet(buf, index=keep_index)
        data = buf.getvalue()
    else:
        data = frame.to_csv(index=keep_index, lineterminator="\n").encode("utf-8")
    atomic_write_bytes(out, data)  # whole or not at all, with the umask's permissions
    log.info("wrote %s (%d rows) to %s", what, len(frame), out)
