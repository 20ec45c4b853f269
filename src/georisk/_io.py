"""File permissions shared by everything georisk writes (exports, history, caches, the article store).

Every file is created ``0o666`` and every folder ``0o777``, less the process's umask, as
``open`` and ``mkdir`` would create them: temporary files made by :mod:`tempfile` (``0o600``
and ``0o700``) are given these modes before they are renamed into place.
"""

from __future__ import annotations

import os

__all__ = ["current_umask", "file_mode", "folder_mode"]


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    old = os.umask(0o022)  # elsewhere: set and restore (not thread-safe, but brief)
    os.umask(old)
    return old


def file_mode() -> int:
    """The mode of every file georisk writes: ``0o666`` less the umask (as ``open`` would create it)."""
    return 0o666 & ~current_umask()


def folder_mode() -> int:
    """The mode of every folder georisk creates: ``0o777`` less the umask (as ``mkdir`` would)."""
    return 0o777 & ~current_umask()
