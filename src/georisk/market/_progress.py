"""A dependency-free progress line for multi-ticker downloads, shown only on a terminal."""

from __future__ import annotations

import logging
import sys
from types import TracebackType
from typing import TextIO

__all__ = ["Progress"]

log = logging.getLogger(__name__)


class Progress:
    """Progress of ``total`` items: a redrawn line on a terminal, INFO log lines otherwise.

    Parameters
    ----------
    total : int
        Number of items.
    label : str
        What is being done (``"yfinance"``).
    enabled : bool, optional
        Force the terminal line on or off; default: on only when ``stream`` is a terminal.
        When off, progress goes to the ``georisk`` logger at INFO (silent by default), so
        a scheduler's logs never fill with carriage returns.
    stream : file, optional
        Default ``sys.stderr`` (looked up when the bar is created, not at import).
    """

    def __init__(self, total: int, label: str, *, enabled: bool | None = None, stream: TextIO | None = None) -> None:
        self.total = max(int(total), 0)
        self.label = label
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.tty = bool(enabled) if enabled is not None else bool(isatty and isatty())
        self.show = self.tty and self.total > 1

    def __enter__(self) -> Progress:
        return self

    def advance(self, n: int, item: str = "") -> None:
        """Mark ``n`` more items done (``item``: the last one, shown beside the count)."""
        if n <= 0:
            return
        self.done = min(self.done + n, self.total)
        if self.show:
            width = 24
            filled = int(width * self.done / self.total) if self.total else width
            bar = "#" * filled + "-" * (width - filled)
            self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total} {item[:20]:<20}")
            self.stream.flush()
        else:
            log.info("%s: %d/%d (%s)", self.label, self.done, self.total, item)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.show:
            self.stream.write("\n")
            self.stream.flush()
