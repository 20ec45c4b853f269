"""``georisk report``: a self-contained HTML tear sheet."""

from __future__ import annotations

from typing import Any


def register(sub: Any, epilog: str) -> None:
    """Add the ``report`` subcommand."""
