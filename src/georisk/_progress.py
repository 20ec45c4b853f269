"""Progress of long jobs (downloads, scoring): a tqdm bar on a terminal, INFO log lines otherwise.

When the stream is not a terminal (a scheduler, a notebook) or tqdm cannot be imported,
progress goes to the ``georisk`` logger at INFO (silent by default), so a scheduler's logs
never fill with carriage returns.
"""

from __future__ import annotations

import logging
import shutil
import sys
from types import TracebackType
from typing import Any, TextIO

__all__ = ["Progress"]

log = logging.getLogger(__name__)


def _tqdm_class() -> Any:
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm


class Progress:
    """Progress of ``total`` items: a tqdm bar on a terminal, INFO log lines otherwise.

    Parameters
    ----------
    total : int
        Number of items.
    label : str
        What is being done (``"yfinance"``, ``"scoring"``).
    enabled : bool, optional
        Force the bar on or off; default: on only when ``stream`` is a terminal. A bar is
        drawn only for more than one item and only when tqdm is installed.
    stream : file, optional
        Default ``sys.stderr`` (looked up when the bar is created, not at import).
    unit : str, default "ticker"
        What one item is, shown beside the rate.
    """

    def __init__(
        self,
        total: int,
        label: str,
        *,
        enabled: bool | None = None,
        stream: TextIO | None = None,
        unit: str = "ticker",
    ) -> None:
        self.total = max(int(total), 0)
        self.label = label
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        wanted = bool(enabled) if enabled is not None else bool(isatty and isatty())
        self._bar: Any = None
        if wanted and self.total > 1:
            tqdm = _tqdm_class()
            if tqdm is None:
                log.debug("no progress bar: tqdm cannot be imported")
            else:
                size = shutil.get_terminal_size()
                self._bar = tqdm(
                    total=self.total,
                    desc=label,
                    unit=unit,
                    file=self.stream,
                    leave=True,
                    # tqdm hides every bar on a terminal reporting 0 rows or columns (a
                    # pty without a window size); shutil falls back to 80 x 24 then
                    ncols=min(size.columns, 120),
                    nrows=size.lines,
                    disable=False,
                )

    @property
    def show(self) -> bool:
        """Whether a bar is drawn."""
        return self._bar is not None

    def __enter__(self) -> Progress:
        return self

    def advance(self, n: int, item: str = "") -> None:
        """Mark ``n`` more items done (``item``: the last one, shown beside the bar)."""
        if n <= 0:
            return
        n = min(n, self.total - self.done)
        self.done += n
        if self._bar is not None:
            self._bar.set_postfix_str(item[:20], refresh=False)
            self._bar.update(n)
        else:
            log.info("%s: %d/%d (%s)", self.label, self.done, self.total, item)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.close()
