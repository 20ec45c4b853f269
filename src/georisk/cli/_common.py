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


def add_input_options(
    p: argparse.ArgumentParser, out_help: str, *, as_of: bool = True, sample_flag: str = "--sample"
) -> None:
    """Add ``--config``, ``--articles``, ``--prices``, ``--sample``, ``--out`` and optionally ``--as-of``.

    ``sample_flag`` names the flag that asks for the bundled sample (``scoring distill``
    has its own ``--sample N``); its value is ``args.use_sample``.
    """
    p.add_argument("--config", type=Path, help="georisk.toml (its [articles], [prices], ...)")
    p.add_argument("--articles", type=Path, help="articles: .jsonl, .csv or a folder (overrides the config)")
    p.add_argument("--prices", type=Path, help="wide or long price file, .csv or .parquet (overrides the config)")
    p.add_argument(
        sample_flag,
        dest="use_sample",
        action="store_true",
        help="take every input neither the options nor --config give from the bundled SYNTHETIC sample "
        "(labelled SYNTHETIC in every output; without this flag a missing input is an error)",
    )
    p.set_defaults(sample_flag=sample_flag)
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


def config_from_args(args: argparse.Namespace, *, inputs: tuple[str, ...] = ("articles", "prices")) -> GeoriskConfig:
    """Load ``--config`` (or the default) and apply ``--articles`` / ``--prices`` overrides.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.
    inputs : tuple of str, default ("articles", "prices")
        The inputs the command reads; each must be configured, or the bundled sample
        asked for (:func:`require_inputs`). ``()`` for a command that reads only other
        settings (the scorer, the store).

    Returns
    -------
    GeoriskConfig

    Raises
    ------
    ConfigError
        If the configuration is invalid, or an input of ``inputs`` would come from the
        bundled sample that was not asked for.
    """
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
    if inputs:
        from georisk.config import sample_chosen

        require_inputs(out, args, inputs, chosen=sample_chosen(out))
    return out


#: What configures each input, for the message of a missing one.
_HOW = {
    "articles": ("--articles FILE", 'an [articles] section (path = FILE, or source = "store")'),
    "prices": ("--prices FILE", 'a [prices] section (source = "csv", "parquet" or "yfinance")'),
}
_WHAT = {"articles": "composed articles", "prices": "simulated prices"}


def require_inputs(
    cfg: GeoriskConfig, args: argparse.Namespace, inputs: tuple[str, ...], *, chosen: tuple[str, ...] = ()
) -> str | None:
    """Refuse an input the bundled sample would fill unasked; log the label of a run that uses it.

    The command line never falls back to the synthetic sample silently: an input of
    ``inputs`` that the configuration leaves to the sample is an error unless the user
    asked for the sample, with ``--sample`` (``args.use_sample``) or by writing
    ``source = "sample"`` in the file (``chosen``). A run that uses the sample logs one
    WARNING naming exactly which inputs are synthetic (:func:`georisk.config.data_label`).

    Parameters
    ----------
    cfg : GeoriskConfig
        The configuration with the command line's overrides.
    args : argparse.Namespace
        The parsed command line (``use_sample``, ``sample_flag``, ``config``).
    inputs : tuple of str
        The inputs the command reads, among ``"articles"`` and ``"prices"``.
    chosen : tuple of str, optional
        The inputs for which the configuration names the sample explicitly
        (:func:`georisk.config.sample_chosen`).

    Returns
    -------
    str or None
        The label logged, or None when no input is synthetic.

    Raises
    ------
    ConfigError
        Naming each missing input and how to give it, or how to ask for the sample.
    """
    from georisk.config import data_label, sample_inputs

    synthetic = sample_inputs(cfg, inputs)
    missing = [name for name in synthetic if name not in chosen and not getattr(args, "use_sample", False)]
    if missing:
        raise ConfigError(missing_inputs_message(missing, args))
    label = data_label(cfg, inputs)
    if label is not None:
        log.warning("%s (not market data; do not trade on it)", label, extra={"synthetic": list(synthetic)})
    return label


def missing_inputs_message(missing: list[str], args: argparse.Namespace) -> str:
    """The error for inputs nothing configures: what is missing, how to give it, how to ask for the sample."""
    flag = getattr(args, "sample_flag", "--sample")
    where = f"--config {args.config}" if getattr(args, "config", None) else "--config georisk.toml"
    options = " and ".join(_HOW[name][0] for name in missing)
    sections = " and ".join(_HOW[name][1] for name in missing)
    what = " and ".join(_WHAT[name] for name in missing)
    subject = " and ".join(f"no {name}" for name in missing)
    return (
        f"{subject} are configured: give {options} or {sections} in {where}; "
        f"or pass {flag} to use the bundled SYNTHETIC sample's {what} (every output is then labelled)"
    )


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
