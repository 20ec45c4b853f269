"""Subcommands of the ``georisk`` command line, one module per stage group.

Each module exposes ``register(subparsers, epilog)``, which adds its subcommands and sets
``func`` on each: a function taking the parsed arguments and returning an exit code.
"""

#: Modules whose ``register`` the command line calls, in help order.
COMMAND_MODULES = (
    "georisk.cli._pipeline",
    "georisk.cli._scoring",
    "georisk.cli._prices",
    "georisk.cli._report",
    "georisk.cli._briefing",
    "georisk.cli._articles",
)
