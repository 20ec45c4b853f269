"""Subcommands of the ``georisk`` command line, one module per stage group.

Each module exposes ``register(subparsers, epilog)``, which adds its subcommands and sets
``func`` on each: a function taking the parsed arguments and returning an exit code.
"""

#: Modules whose ``register`` the command line calls, in help order.
COMMAND_MODULES = (
    "georisk.commands.pipeline",
    "georisk.commands.scoring",
    "georisk.commands.prices",
    "georisk.commands.report",
    "georisk.commands.briefing",
    "georisk.commands.articles",
)
