"""An advisory lock file, so that two scheduled exports never interleave.

The lock is ``fcntl.flock`` on a file that is never deleted: the kernel releases it when
the holder exits, even on ``SIGKILL``, so a crashed run never leaves a stale lock.
POSIX only; on a network file system the lock is only as good as the server's.

The lock file is only ever locked, never written: it is opened with ``O_NOFOLLOW``
(a symbolic link put in its place is refused, so its target is never touched) and
without ``O_TRUNC``, and anything but a regular file is refused. Who holds the lock is
written beside it, to ``<lock>.holder``, by an atomic rename that replaces the name and
never modifies an existing file. With ``guard_folder=True`` the folder holding the lock
file is locked as well: a lock file deleted by hand while a run holds it then cannot let
a second run in (the second run finds the folder locked), and the holder is unaffected.
"""

from __future__ import annotations

import errno
import math
import os
import socket
import stat
import time
from pathlib import Path
from types import TracebackType

import pandas as pd

from georisk.errors import ConfigError, LockHeldError

__all__ = ["FileLock", "check_seconds"]


def check_seconds(value: object, name: str, *, positive: bool = False) -> float:
    """Return ``value`` as seconds, refusing NaN, infinity, negatives (and 0 if ``positive``).

    Parameters
    ----------
    value : object
        A number of seconds (or minutes: only the name in the message changes).
    name : str
        How the caller calls it, for the message (``"--lock-timeout"``).
    positive : bool, default False
        Refuse 0 too.

    Returns
    -------
    float

    Raises
    ------
    ConfigError
        If ``value`` is not a finite number in range.

    Examples
    --------
    >>> check_seconds("2.5", "timeout")
    2.5
    """
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ConfigError(f"{name}={value!r} is not a number; give a finite number of seconds") from None
    if isinstance(value, bool) or not math.isfinite(seconds):
        raise ConfigError(f"{name}={value!r} must be a finite number (not NaN or infinity)")
    if seconds < 0 or (positive and seconds == 0):
        bound = "> 0" if positive else ">= 0"
        raise ConfigError(f"{name}={value!r} must be {bound}")
    return seconds


def _close(*fds: int | None) -> None:
    for fd in fds:
        if fd is not None:
            os.close(fd)


class FileLock:
    """Exclusive lock on ``path``, waiting up to ``timeout`` seconds.

    Parameters
    ----------
    path : str or pathlib.Path
        The lock file (created if needed, never removed, never written).
    timeout : float, default 0
        Seconds to wait for a lock another process holds; 0 fails at once. Must be
        finite and >= 0.
    poll : float, default 0.1
        Seconds between attempts while waiting (finite, > 0).
    guard_folder : bool, default False
        Also lock the folder holding ``path``, so that deleting the lock file by hand
        while a run holds it does not let a second run in. Use it only for a folder that
        no other program locks (the export root).

    Raises
    ------
    LockHeldError
        On entry, if another process still holds the lock after ``timeout``.
    ConfigError
        If the lock file cannot be created (read-only folder, missing permission), or
        ``path`` is a symbolic link or not a regular file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with FileLock(pathlib.Path(tempfile.mkdtemp()) / ".lock"):
    ...     pass
    """

    def __init__(
        self, path: str | Path, *, timeout: float = 0.0, poll: float = 0.1, guard_folder: bool = False
    ) -> None:
        self.timeout = check_seconds(timeout, "timeout")
        self.poll = check_seconds(poll, "poll", positive=True)
        self.path = Path(path)
        self.guard_folder = guard_folder
        self._fd: int | None = None
        self._dir_fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None

    @property
    def holder_path(self) -> Path:
        """The file naming the holder: ``<lock>.holder``."""
        return self.path.with_name(self.path.name + ".holder")

    def _open(self) -> int:
        flags = os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.path, flags, 0o666)  # the umask applies
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise ConfigError(
                    f"the lock file {self.path} is a symbolic link; georisk never follows it (a link there could "
                    "make a run overwrite its target). Remove the link; the next run creates a plain lock file"
                ) from None
            raise ConfigError(
                f"cannot create the lock file {self.path}: {exc.strerror}; make the folder writable "
                "or choose another output folder"
            ) from exc
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            os.close(fd)
            raise ConfigError(f"the lock file {self.path} is not a regular file; remove it and rerun")
        os.set_blocking(fd, True)
        return fd

    def _open_folder(self) -> int | None:
        if not self.guard_folder:
            return None
        try:
            return os.open(self.path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
        except OSError as exc:
            raise ConfigError(f"cannot open the folder {self.path.parent} to lock it: {exc.strerror}") from exc

    def acquire(self) -> None:
        """Take the lock, waiting up to ``timeout`` seconds."""
        try:
            import fcntl
        except ImportError as exc:  # pragma: no cover - Windows
            raise ConfigError("the export lock needs fcntl (Linux, macOS or another POSIX system)") from exc

        if self._fd is not None:
            raise ConfigError(f"lock {self.path} is already held by this object; locks are not re-entrant")
        deadline = time.monotonic() + self.timeout
        swaps = 0
        while True:
            fd = self._open()
            try:
                dir_fd = self._open_folder()
            except BaseException:
                _close(fd)
                raise
            try:
                got = self._try(fcntl, dir_fd) and self._try(fcntl, fd)
            except BaseException:
                _close(fd, dir_fd)
                raise
            if got and not self._same_file(fd) and swaps < 100:
                # the file was deleted or replaced between our open and our lock: lock the new one
                swaps += 1
                _close(fd, dir_fd)
                continue
            if got:
                break
            _close(fd, dir_fd)
            if time.monotonic() >= deadline:
                raise LockHeldError(
                    f"another run holds the lock {self.path} ({self._read_holder()}); waited {self.timeout:g} s. "
                    "Let it finish, or raise the wait with --lock-timeout"
                ) from None
            time.sleep(min(self.poll, max(deadline - time.monotonic(), 0.0) or self.poll))
        self._fd, self._dir_fd = fd, dir_fd
        self._write_holder()

    @staticmethod
    def _try(fcntl: object, fd: int | None) -> bool:
        if fd is None:
            return True
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # type: ignore[attr-defined]
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                return False
            raise ConfigError(f"cannot lock {fd}: {exc.strerror}") from exc
        return True

    def _same_file(self, fd: int) -> bool:
        try:
            now = os.stat(self.path, follow_symlinks=False)
        except FileNotFoundError:
            return False
        mine = os.fstat(fd)
        return (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino)

    def _write_holder(self) -> None:
        info = f"pid {os.getpid()} on {socket.gethostname()} since {pd.Timestamp.now(tz='UTC').isoformat()}\n"
        tmp = self.holder_path.with_name(f".tmp-{self.holder_path.name}.{os.getpid()}")
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
            tmp.unlink(missing_ok=True)
            fd = os.open(tmp, flags, 0o666)
            try:
                os.write(fd, info.encode())
            finally:
                os.close(fd)
            os.replace(tmp, self.holder_path)
        except OSError:  # who holds the lock is a courtesy: never a reason to fail
            tmp.unlink(missing_ok=True)

    def _read_holder(self) -> str:
        try:
            fd = os.open(self.holder_path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return "holder unknown"
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return "holder unknown"
            text = os.read(fd, 200).decode("utf-8", "replace").strip()
        except OSError:
            text = ""
        finally:
            os.close(fd)
        return f"held by {text}" if text else "holder unknown"

    def release(self) -> None:
        """Release the lock (a no-op when not held)."""
        import fcntl

        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        dir_fd, self._dir_fd = self._dir_fd, None
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            _close(fd, dir_fd)  # closing the folder's descriptor drops its flock

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()
