"""How georisk writes files: permissions and atomic writes.

Shared by the export, the history, the price cache and the article store.

Every file is created ``0o666`` and every folder ``0o777``, less the process's umask, as
``open`` and ``mkdir`` would create them: temporary files made by :mod:`tempfile` (``0o600``
and ``0o700``) are given these modes before they are renamed into place.

A file is written whole or not at all: to a temporary name in the same folder (a name
starting with ``.tmp-``, which dataset readers skip), flushed, fsynced, renamed over the
target, and the folder fsynced, so a crash at any instant leaves the old file or the new
one, never a fragment. A failed write raises :class:`georisk.errors.OutputError` (exit
code 5) naming the path and the fix, never a bare ``OSError``.
"""

from __future__ import annotations

import ctypes
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from georisk.errors import output_error

__all__ = [
    "TMP_PREFIX",
    "atomic_write",
    "atomic_write_bytes",
    "atomic_write_files",
    "current_umask",
    "file_mode",
    "folder_mode",
    "fsync_dir",
    "sync_paths",
]

#: Prefix of every temporary file georisk writes before renaming it into place.
TMP_PREFIX = ".tmp-"


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


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (the renames into it) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _syncfs() -> Any:
    """The C library's ``syncfs`` (Linux), or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)  # the process's own symbols, libc's among them
    except OSError:
        return None
    fn = getattr(libc, "syncfs", None)
    if fn is not None:
        fn.argtypes, fn.restype = [ctypes.c_int], ctypes.c_int
    return fn


_SYNCFS: list[Any] = []  # [the function or None], looked up on first use


def sync_paths(root: Path, paths: Iterable[Path]) -> None:
    """Make every file and folder in ``paths`` (all on ``root``'s file system) durable at once.

    A group commit: the files were written without an fsync each; after this returns
    they are on disk, with the renames that put them in place. On Linux one
    ``syncfs(2)`` of ``root``'s file system does it (one journal commit, instead of one
    per file); elsewhere, or if it fails, each path and the folders holding it up to
    ``root`` are fsynced (files, then folders, deepest first).

    Raises
    ------
    OSError
        If the file system reports a write error (the caller names the path and the fix).
    """
    if not _SYNCFS:
        _SYNCFS.append(_syncfs())
    fn = _SYNCFS[0]
    if fn is not None:
        fd = os.open(root, os.O_RDONLY)
        try:
            if fn(fd) == 0:
                return
        finally:
            os.close(fd)
    given = set(paths)
    # files first, then the folders holding them up to root (their entries: the renames and
    # folders made in them), deepest first
    folders = {a for p in given for a in p.parents if a == root or root in a.parents}
    todo = sorted(given | folders, key=lambda p: (p.is_dir(), -len(p.parts), str(p)))
    for p in todo:
        if p.exists():
            fsync_dir(p)  # opens read-only and fsyncs: the same for a file


def atomic_write(
    path: Path, write: Callable[[Path], None], *, what: str = "cannot write", durable: bool = True
) -> None:
    """Create ``path`` whole or not at all, with ``write`` filling a temporary file beside it.

    Parameters
    ----------
    path : pathlib.Path
        The file to create or replace (its folder is created if needed).
    write : callable
        Called with the temporary file's path; writes the whole content there (for
        writers that want a path, e.g. ``DataFrame.to_parquet``).
    what : str, default "cannot write"
        Start of the error message if the write fails (e.g. ``"cannot write the price cache"``).
    durable : bool, default True
        Fsync the file before the rename and the folder after it. ``False`` keeps the
        atomicity (old or new, never a fragment) but not the durability across a power
        loss: for caches that can be rebuilt.

    Raises
    ------
    georisk.errors.OutputError
        The folder cannot be created or written, the disk is full, ...; the temporary
        file is removed.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{path.name}.", dir=path.parent)
    except OSError as exc:
        raise output_error(exc, exc.filename or path, what) from None
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, file_mode())  # mkstemp makes 0600; every file follows the umask
        if durable:
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        os.replace(tmp, path)
        if durable:
            fsync_dir(path.parent)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise output_error(exc, path, what) from None
        raise


def atomic_write_bytes(path: Path, data: bytes, *, what: str = "cannot write") -> None:
    """Write ``data`` to ``path`` whole or not at all, durably (see :func:`atomic_write_files`).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> atomic_write_bytes(folder / "a" / "x.txt", b"hello")
    >>> (folder / "a" / "x.txt").read_bytes(), sorted(p.name for p in (folder / "a").iterdir())
    (b'hello', ['x.txt'])
    """
    atomic_write_files(path.parent, {path.name: data}, what=what)


def atomic_write_files(
    folder: Path, files: Mapping[str, bytes], *, what: str = "cannot write", durable: bool = True
) -> list[Path]:
    """Write several files of one folder whole or not at all, durably.

    Parameters
    ----------
    folder : pathlib.Path
        Created if needed.
    files : mapping of str to bytes
        File names in ``folder`` and their contents.
    what : str, default "cannot write"
        Start of the error message if a write fails.
    durable : bool, default True
        Fsync each file and the folder. ``False`` keeps the atomicity (old or new, never
        a fragment, even if the process is killed) and leaves the durability to the
        caller's group commit (:func:`sync_paths` of the paths returned and ``folder``).

    Returns
    -------
    list of pathlib.Path
        The files written, in the order given.

    Raises
    ------
    georisk.errors.OutputError
        Naming the path and the fix; the temporary files are removed.

    Notes
    -----
    Each file is written to a temporary name (``.tmp-`` first, which dataset readers
    skip) through one descriptor, flushed, given the umask's mode and fsynced; then all
    are renamed into place and the folder is fsynced once (not once per file). When this
    returns every file is on disk under its name; a crash leaves each file old or new,
    never a fragment.
    """
    written: list[tuple[str, Path]] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{name}.", dir=folder)
            written.append((tmp, folder / name))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fchmod(fh.fileno(), file_mode())  # mkstemp makes 0600; every file follows the umask
                if durable:
                    os.fsync(fh.fileno())
        for tmp, path in written:
            os.replace(tmp, path)
        if durable:
            fsync_dir(folder)
    except BaseException as exc:
        for tmp, _ in written:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise output_error(exc, exc.filename or folder, what) from None
        raise
    return [path for _, path in written]
