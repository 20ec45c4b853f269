"""Argument checks shared by every stage.

Each check raises :class:`georisk.errors.ConfigError` (exit code 2) with a message that
names the argument and the fix, before any work is done.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from georisk.errors import ConfigError

__all__ = ["check_fraction", "check_positive", "renamed_keyword"]


def renamed_keyword(old_name: str, old: Any, new_name: str, new: Any, *, stacklevel: int = 3) -> Any:
    """The value of a keyword argument that was renamed: ``new``, or ``old`` with a ``DeprecationWarning``.

    Parameters
    ----------
    old_name, new_name : str
        The deprecated and the current name.
    old, new : object or None
        What the caller passed under each (None: not given).
    stacklevel : int, default 3
        Points the warning at the caller of the function that calls this.

    Returns
    -------
    object or None
        ``new`` when given, else ``old``.

    Raises
    ------
    ConfigError
        Both names given.

    Examples
    --------
    >>> renamed_keyword("date", None, "as_of", "2024-06-28")
    '2024-06-28'
    """
    if old is None:
        return new
    if new is not None:
        raise ConfigError(f"give {new_name}= only, not also {old_name}= (its deprecated name)")
    warnings.warn(
        f"{old_name}= is deprecated and will be removed in the next release; use {new_name}=",
        DeprecationWarning,
        stacklevel=stacklevel,
    )
    return old


def check_positive(value: float, name: str, *, allow_zero: bool = False) -> float:
    """``value`` if it is a finite number > 0 (>= 0 with ``allow_zero``); else a ``ConfigError``.

    Examples
    --------
    >>> check_positive(2.5, "half_life")
    2.5
    """
    ok = isinstance(value, int | float) and math.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ConfigError(f"{name}={value!r} must be a finite number {bound}")
    return float(value)


def check_fraction(value: float, name: str) -> float:
    """``value`` if it lies strictly between 0 and 1 (e.g. a band's coverage); else a ``ConfigError``.

    Examples
    --------
    >>> check_fraction(0.9, "band")
    0.9
    """
    if not (isinstance(value, int | float) and 0.0 < value < 1.0):
        raise ConfigError(f"{name}={value!r} must be between 0 and 1 (e.g. 0.9 for a 90% band)")
    return float(value)
