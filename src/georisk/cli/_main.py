"""The ``georisk`` command line: thin wrappers over library functions.

Exit codes are those of :mod:`georisk.errors` (0 success, 1 unexpected error, 2 usage
or configuration, 3 invalid input, 4 missing or stale data, 5 data quality, 6 lock
held, 7 not a session, 8 corrupted previous export). Logs go to stderr; results to
stdout. Nothing ever prompts for input.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from importlib import import_module
from typing import Any

from georisk.cli._commands import COMMAND_MODULES
from georisk.errors import GeoriskError

log = logging.getLogger("georisk")

EPILOG = (
    "exit codes: 0 success, 1 unexpected error, 2 usage or configuration error, 3 invalid input data, "
    "4 missing or stale data, 5 data-quality failure, 6 lock held, 7 not a trading session, "
    "8 corrupted previous export"
)


_RECORD_KEYS = set(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per log line (for log shippers): time, level, logger, message, extras."""

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record`` as one line of JSON."""
        out: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_KEYS and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["traceback"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``georisk`` command."""
    from georisk._version import __version__

    parser = argparse.ArgumentParser(
        prog="georisk",
        description="Turn news about geopolitical conflict into market-risk signals.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"georisk {__version__}")
    _add_log_options(parser, top=True)
    # every subcommand's parser (and, by argparse's default, its own subcommands') takes the log options
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_CommandParser)
    for name in COMMAND_MODULES:
        import_module(name).register(sub, EPILOG)
    return parser


class _CommandParser(argparse.ArgumentParser):
    """The parser of a subcommand: it accepts the log options wherever they are given."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _add_log_options(self, top=False)


def _add_log_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # Below the top level the defaults are SUPPRESS, so an option given before the
    # command is kept unless the command repeats it (`georisk export --json-logs` works
    # as well as `georisk --json-logs export`).
    def default(value: object) -> object:
        return value if top else argparse.SUPPRESS

    parser.add_argument(
        "-v", "--verbose", action="count", default=default(0), help="more log output on stderr (-vv for debug)"
    )
    parser.add_argument(
        "--log-format",
        choices=("text", "json"),
        default=default("text"),
        help="log lines on stderr as text (default) or one JSON object per line for log shippers",
    )
    parser.add_argument("--json-logs", action="store_true", default=default(False), help="same as --log-format json")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``georisk`` command; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # a usage error (exit 2, message printed) or --help/--version (0)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    if args.command == "demo":
        level = min(level, logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    json_logs = args.json_logs or args.log_format == "json"
    handler.setFormatter(
        JsonFormatter() if json_logs else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False
    start = time.perf_counter()
    try:
        code = int(args.func(args))
    except GeoriskError as exc:
        log.error("%s", exc, extra={"exit_code": exc.exit_code, "error": type(exc).__name__})
        return exc.exit_code
    except KeyboardInterrupt:
        log.error("interrupted")
        return 130
    except (OSError, UnicodeError, LookupError, ValueError) as exc:
        known = environment_fault(exc)
        if known is None:
            return _bug()
        log.error("%s", known, extra={"exit_code": known.exit_code, "error": type(known).__name__})
        log.debug("where it was raised", exc_info=True)
        return known.exit_code
    except Exception:
        return _bug()
    log.debug("finished in %.1f s", time.perf_counter() - start)
    return code


def _bug() -> int:
    log.exception(
        "unexpected error (exit code 1); please report it with the traceback above",
        extra={"exit_code": 1, "error": "unexpected"},
    )
    return 1


def environment_fault(exc: BaseException) -> GeoriskError | None:
    """The named error for a fault of the machine or the inputs that escaped a specific check.

    Every place that reads or writes a file names its own faults; this is the net under
    them, so that a full disk, a permission, an encoding or an unknown time-zone name
    never ends as exit 1 ("a bug") with a traceback. Returns None for anything else.

    Parameters
    ----------
    exc : BaseException

    Returns
    -------
    GeoriskError or None
    """
    from zoneinfo import ZoneInfoNotFoundError

    from georisk.errors import ConfigError, InputDataError, output_error

    if isinstance(exc, ZoneInfoNotFoundError) or type(exc).__name__ == "UnknownTimeZoneError":
        return ConfigError(f"unknown time-zone name {exc}; use an IANA name such as 'UTC' or 'America/New_York'")
    if isinstance(exc, UnicodeDecodeError):
        return InputDataError(
            f"an input file is not valid {exc.encoding} ({exc.reason} at byte {exc.start}); re-save it as UTF-8"
        )
    if isinstance(exc, OSError) and exc.errno is not None:
        return output_error(exc, exc.filename, "cannot read or write")
    return None


if __name__ == "__main__":
    raise SystemExit(main())
