"""``georisk prices``: fetch prices and check their quality."""

from __future__ import annotations

from typing import Any


def register(sub: Any, epilog: str) -> None:
    """Add the price subcommands (``prices fetch``, ``prices check``)."""
