"""The ``georisk`` command line: parse, call one library function, map errors to exit codes.

One module per stage group registers its subcommands (:data:`COMMAND_MODULES`); the
entry point is :func:`main`.
"""

from __future__ import annotations

from georisk.cli._commands import COMMAND_MODULES
from georisk.cli._main import build_parser, main

__all__ = ["COMMAND_MODULES", "build_parser", "main"]
