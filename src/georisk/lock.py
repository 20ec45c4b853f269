"""An advisory lock file, so that two scheduled exports never interleave.

The lock is ``fcntl.flock`` on a file that is never deleted: the kernel releases it when
the holder exits, even on ``SIGKILL``, so a crashed run never leaves a stale lock.
POSIX only; on a network file system the lock is only as good as the server's.
"""

from __future__ import annotations

import errno
import os
import socket
import time
from pathlib import Path
from types import TracebackType

import pandas as pd

from georisk.errors import ConfigError, LockHeldError

__all__ = ["FileLock"]


class FileLock:
    """Exclusive lock on ``path``, waiting up to ``timeout`` seconds.

    Parameters
    ----------
    path : str or pathlib.Path
        The lock file (created if needed, never removed).
    timeout : float, default 0
        Seconds to wait for a lock another process holds; 0 fails at once.
    poll : float, default 0.1
        Seconds between attempts while waiting.

    Raises
    ------
    LockHeldError
        On entry, if another process still holds the lock after ``timeout``.
    ConfigError
        If the lock file cannot be created (read-only folder, missing permission).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with FileLock(pathlib.Path(tempfile.mkdtemp()) / ".lock"):
    ...     pass
    """

    def __init__(self, path: str | Path, *, timeout: float = 0.0, poll: float = 0.1) -> None:
        if timeout < 0:
            raise ConfigError(f"timeout={timeout!r} must be >= 0 seconds")
        if poll <= 0:
            raise ConfigError(f"poll={poll!r} must be > 0 seconds")
        self.path = Path(path)
        self.timeout = float(timeout)
        self.poll = float(poll)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock, waiting up to ``timeout`` seconds."""
        try:
            import fcntl
        except ImportError as exc:  # pragma: no cover - Windows
            raise ConfigError("the export lock needs fcntl (Linux, macOS or another POSIX system)") from exc

        if self._fd is not None:
            raise ConfigError(f"lock {self.path} is already held by this object; locks are not re-entrant")
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ConfigError(
                f"cannot create the lock file {self.path}: {exc.strerror}; make the folder writable "
                "or choose another output folder"
            ) from exc
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    os.close(fd)
                    raise
                if time.monotonic() >= deadline:
                    holder = self._read_holder(fd)
                    os.close(fd)
                    raise LockHeldError(
                        f"another run holds the lock {self.path} ({holder}); waited {self.timeout:g} s. "
                        "Let it finish, or raise the wait with --lock-timeout"
                    ) from None
                time.sleep(min(self.poll, max(deadline - time.monotonic(), 0.0) or self.poll))
        self._fd = fd
        info = f"pid {os.getpid()} on {socket.gethostname()} since {pd.Timestamp.now(tz='UTC').isoformat()}\n"
        os.ftruncate(fd, 0)
        os.pwrite(fd, info.encode(), 0)

    @staticmethod
    def _read_holder(fd: int) -> str:
        try:
            text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
        except OSError:
            text = ""
        return f"held by {text}" if text else "holder unknown"

    def release(self) -> None:
        """Release the lock (a no-op when not held)."""
        import fcntl

        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
