"""Errors and warnings raised by georisk.

Every error is a :class:`GeoriskError` subclass whose message says what is wrong and
how to fix it. Each class carries the process exit code the command line maps it to,
so a scheduler can act on the failure without parsing text.

=========  ==========================================  ===========================
exit code  meaning                                     error class
=========  ==========================================  ===========================
0          success                                     --
1          unexpected error (a bug: please report it)  any other exception
2          usage or configuration error; an output     :class:`ConfigError`,
           that cannot be written (permissions, full   :class:`OutputError`
           disk, file-size limit, a file as a folder)
3          invalid input data (file, row, field)       :class:`InputDataError`
4          missing or stale data                       :class:`MissingDataError`
5          data-quality failure                        :class:`DataQualityError`
6          another run holds the lock                  :class:`LockHeldError`
7          the date is not a trading session           :class:`NotASessionError`
8          a previous export is corrupted              :class:`CorruptExportError`
9          a language-model run stopped at its budget  ``LLMBudgetError`` (scoring)
=========  ==========================================  ===========================
"""

from __future__ import annotations

import errno
import os

__all__ = [
    "EXIT_CODES",
    "ConfigError",
    "CorruptExportError",
    "DataQualityError",
    "DataQualityWarning",
    "EncodingFallbackWarning",
    "GeoriskError",
    "GeoriskWarning",
    "InputDataError",
    "LockHeldError",
    "LookAheadError",
    "MissingDataError",
    "MissingDataWarning",
    "NotASessionError",
    "OptionalDependencyError",
    "OutputError",
    "output_error",
]


class GeoriskError(Exception):
    """Base class of every error georisk raises on purpose."""

    exit_code: int = 1


class ConfigError(GeoriskError, ValueError):
    """A parameter or configuration value is invalid (exit code 2)."""

    exit_code = 2


class OptionalDependencyError(ConfigError, ImportError):
    """A feature needs an optional extra that is not installed (exit code 2)."""


class OutputError(ConfigError):
    """An output cannot be written (exit code 2).

    Permissions, a read-only or full disk, a file where a folder should be. Nothing
    already published is replaced.

    Parameters
    ----------
    message : str
        What is wrong and how to fix it.
    path : str, optional
        The file or folder that could not be written.
    """

    def __init__(self, message: str, *, path: str | os.PathLike[str] | None = None) -> None:
        self.path = None if path is None else str(path)
        super().__init__(f"{self.path}: {message}" if self.path else message)

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


#: What a failed write means, and what to do about it, per errno.
_WRITE_FAULTS = {
    errno.ENOSPC: "the disk is full; free some space, or write to another folder, and rerun",
    errno.EDQUOT: "the disk quota is exhausted; free some space, or write to another folder, and rerun",
    errno.EFBIG: "the file-size limit was reached (ulimit -f); raise it, or write to another folder, and rerun",
    errno.EACCES: "permission denied; make it writable by this user, or write to another folder",
    errno.EPERM: "operation not permitted; make it writable by this user, or write to another folder",
    errno.EROFS: "read-only file system; write to another folder",
    errno.ENOTDIR: "a file stands where a folder is needed; remove it, or write to another folder",
    errno.EISDIR: "a folder stands where a file is needed; remove it, or write to another path",
    errno.EEXIST: "a file stands where a folder is needed; remove it, or write to another folder",
    errno.ENAMETOOLONG: "the path is too long; choose a shorter one",
    errno.ELOOP: "too many symbolic links (or a link where none is followed); remove the link",
    errno.EIO: "an input/output error of the device; check the disk and rerun",
}


def output_error(exc: OSError, path: str | os.PathLike[str] | None, what: str = "cannot write") -> OutputError:
    """An :class:`OutputError` for a failed write: the errno in words and the fix.

    Parameters
    ----------
    exc : OSError
        The failure.
    path : str or os.PathLike, optional
        What could not be written (default: the exception's file name).
    what : str, default "cannot write"
        The start of the message.

    Returns
    -------
    OutputError

    Examples
    --------
    >>> str(output_error(OSError(errno.ENOSPC, "No space left on device"), "/data/out"))
    '/data/out: cannot write: the disk is full; free some space, or write to another folder, and rerun'
    """
    where = path if path is not None else exc.filename
    reason = _WRITE_FAULTS.get(exc.errno or 0, f"{exc.strerror or exc}; check the folder and rerun")
    return OutputError(f"{what}: {reason}", path=where)


class InputDataError(GeoriskError, ValueError):
    """An input record or file is malformed (exit code 3).

    Parameters
    ----------
    message : str
        What is wrong and how to fix it.
    path : str, optional
        The file the bad input came from.
    line : int, optional
        The 1-based line or row number in that file.
    field : str, optional
        The field that failed validation.
    """

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.field = field
        where = []
        if path is not None:
            where.append(str(path))
        if line is not None:
            where.append(f"line {line}")
        if field is not None:
            where.append(f"field {field!r}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class MissingDataError(GeoriskError, LookupError):
    """Data needed for the requested date is missing or stale (exit code 4)."""

    exit_code = 4


class DataQualityError(GeoriskError, ValueError):
    """Data failed a quality check badly enough to stop (exit code 5)."""

    exit_code = 5


class LockHeldError(GeoriskError, RuntimeError):
    """Another run holds the export lock (exit code 6)."""

    exit_code = 6


class NotASessionError(GeoriskError, ValueError):
    """The requested date is not a session of the signal calendar (exit code 7)."""

    exit_code = 7


class CorruptExportError(GeoriskError, RuntimeError):
    """A previous export on disk is incomplete or corrupted (exit code 8)."""

    exit_code = 8


class LookAheadError(GeoriskError, AssertionError):
    """A computation changed past values when future data was appended."""

    exit_code = 5


EXIT_CODES: dict[str, int] = {
    "success": 0,
    "unexpected error": 1,
    "usage or configuration error": ConfigError.exit_code,
    "invalid input data": InputDataError.exit_code,
    "missing or stale data": MissingDataError.exit_code,
    "data-quality failure": DataQualityError.exit_code,
    "lock held": LockHeldError.exit_code,
    "not a trading session": NotASessionError.exit_code,
    "corrupted previous export": CorruptExportError.exit_code,
}


class GeoriskWarning(UserWarning):
    """Base class of georisk's named warnings."""


class EncodingFallbackWarning(GeoriskWarning):
    """A file was not valid UTF-8 and was decoded as cp1252; re-save it as UTF-8."""


class MissingDataWarning(GeoriskWarning):
    """Some data is missing; the affected values are NaN, never invented."""


class DataQualityWarning(GeoriskWarning):
    """A data-quality check flagged values; see the quality report for details."""
