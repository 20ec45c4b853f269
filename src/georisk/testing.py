"""``check_lookahead``: prove that a computation never uses data from after its date.

The check runs a function twice: once on the full inputs and once on inputs truncated
at a cut date ``d`` (articles published after ``d``'s close and prices dated after
``d`` removed). A causal computation gives identical values at every date up to ``d``;
any difference is look-ahead. The idea follows freqtrade's lookahead analysis, applied
to whole frames and to any variant a quant writes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from georisk.calendar import session_closes
from georisk.errors import ConfigError, LookAheadError

__all__ = ["LookAheadReport", "check_lookahead", "truncate_at"]

Truncator = Callable[[Any, pd.Timestamp], Any]


@dataclass
class LookAheadReport:
    """What :func:`check_lookahead` compared and what it found.

    Attributes
    ----------
    cut_dates : list of pandas.Timestamp
        The cut dates checked.
    n_compared : int
        Values compared over all cut dates.
    failures : list of dict
        One record per cut date with a difference: ``cut``, ``column``, ``date``,
        ``full`` and ``truncated`` (the first differing value, earliest date first).
    """

    cut_dates: list[pd.Timestamp]
    n_compared: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no cut date showed a difference."""
        return not self.failures


def _close_of(cut: pd.Timestamp, calendar: str) -> pd.Timestamp:
    close = session_closes(calendar, str(cut.date()), str(cut.date()))
    if close.empty:
        raise ConfigError(f"cut date {cut.date()} is not a {calendar} session; pass session dates as cut_dates")
    return pd.Timestamp(close.iloc[0])


def truncate_at(data: Any, cut: pd.Timestamp, *, calendar: str = "XNYS") -> Any:
    """Keep the part of ``data`` known by the close of session ``cut``.

    Parameters
    ----------
    data : pandas.DataFrame or pandas.Series
        A frame with a timezone-aware ``published_at`` column (article scores: rows
        published at or before the close of ``cut`` on ``calendar`` are kept), or a frame
        or series with a :class:`~pandas.DatetimeIndex` (prices, a signal: rows dated at or
        before ``cut`` are kept; a tz-aware index is compared with the close instead).
    cut : pandas.Timestamp
        A session date (tz-naive).
    calendar : str, default "XNYS"
        Calendar giving the close of ``cut``.

    Returns
    -------
    Same type as ``data``.

    Raises
    ------
    ConfigError
        When ``data`` has neither a ``published_at`` column nor a DatetimeIndex.
    """
    cutoff = _close_of(pd.Timestamp(cut), calendar)
    if isinstance(data, pd.DataFrame) and "published_at" in data.columns:
        stamps = pd.DatetimeIndex(data["published_at"])
        if stamps.tz is None:
            raise ConfigError("published_at is naive; localise it so the close cutoff is unambiguous")
        return data[np.asarray(stamps.tz_convert("UTC") <= cutoff)]
    if isinstance(data, pd.DataFrame | pd.Series) and isinstance(data.index, pd.DatetimeIndex):
        if data.index.tz is not None:
            return data[np.asarray(data.index.tz_convert("UTC") <= cutoff)]
        return data[np.asarray(data.index <= cut)]
    raise ConfigError(
        f"cannot truncate an input of type {type(data).__name__}: give it a 'published_at' column or a "
        "DatetimeIndex, or pass truncate= with a function (input, cut) -> truncated input"
    )


def _as_frame(result: Any, where: str) -> pd.DataFrame:
    if isinstance(result, pd.Series):
        return result.to_frame(name=result.name if result.name is not None else "value")
    if isinstance(result, pd.DataFrame):
        return result
    raise ConfigError(
        f"the function returned {type(result).__name__} for the {where} inputs; it must return a DataFrame or "
        "Series indexed by date (wrap it, e.g. lambda *a: backtest(...).positions)"
    )


def _same(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    if a.dtype.kind in "fc" or b.dtype.kind in "fc":
        fa, fb = a.astype(float), b.astype(float)
        both_nan = np.isnan(fa) & np.isnan(fb)
        with np.errstate(invalid="ignore"):
            close = np.abs(fa - fb) <= atol + rtol * np.abs(fb)
        out: np.ndarray = both_nan | close | (fa == fb)
        return out
    return np.asarray(pd.Series(a).eq(pd.Series(b)).to_numpy() | (pd.isna(a) & pd.isna(b)), dtype=bool)


def _upto(index: pd.DatetimeIndex, cut: pd.Timestamp, close: pd.Timestamp) -> np.ndarray:
    # Session dates are compared with the cut; timestamps with the cut session's close.
    if index.tz is None:
        return np.asarray(index <= cut)
    return np.asarray(index.tz_convert("UTC") <= close)


def _compare(
    full: pd.DataFrame, part: pd.DataFrame, cut: pd.Timestamp, close: pd.Timestamp, rtol: float, atol: float
) -> tuple[int, Any]:
    part = part[np.asarray(_upto(pd.DatetimeIndex(part.index), cut, close))]
    extra_rows = part.index.difference(full.index)
    if len(extra_rows):
        return 0, {"column": "(index)", "date": extra_rows[0], "full": "row absent", "truncated": "row present"}
    missing_cols = [c for c in full.columns if c not in part.columns]
    if missing_cols:
        return 0, {"column": missing_cols[0], "date": cut, "full": "column present", "truncated": "column absent"}
    ref = full.loc[part.index, list(full.columns)]
    first: dict[str, Any] | None = None
    for col in full.columns:
        a, b = ref[col].to_numpy(), part[col].to_numpy()
        bad = ~_same(a, b, rtol, atol)
        if bad.any():
            i = int(np.argmax(bad))
            date = part.index[i]
            if first is None or date < first["date"]:
                first = {"column": col, "date": date, "full": a[i], "truncated": b[i]}
    n = ref.size
    if first is None and len(part):
        # A date up to the cut inside the truncated output's own range that it lacks:
        # the truncated run dropped a session it should have had.
        lost = full.index[np.asarray(_upto(pd.DatetimeIndex(full.index), cut, close))].difference(part.index)
        inner = lost[(lost > part.index.min()) & (lost < part.index.max())]
        if len(inner):
            first = {"column": "(index)", "date": inner[0], "full": "row present", "truncated": "row absent"}
    return n, first


def check_lookahead(
    func: Callable[..., Any],
    *inputs: Any,
    cut_dates: Iterable[str | pd.Timestamp],
    calendar: str = "XNYS",
    truncate: Truncator | Sequence[Truncator | None] | None = None,
    rtol: float = 0.0,
    atol: float = 0.0,
    raise_on_failure: bool = True,
) -> LookAheadReport:
    """Check that ``func`` gives the same values up to ``d`` on inputs truncated at ``d``.

    Parameters
    ----------
    func : callable
        ``func(*inputs)`` returning a DataFrame or Series indexed by session date (for
        example ``lambda s, p: risk_premium(daily_signal(s), p, universe)``).
    *inputs
        The full inputs: article scores (with ``published_at``), price frames, signals.
    cut_dates : iterable of date-like
        Sessions at which to cut the inputs.
    calendar : str, default "XNYS"
        Calendar whose close defines what is known at a cut date.
    truncate : callable or sequence of callables, optional
        ``truncate(input, cut) -> truncated input``, one for all inputs or one per input
        (None entries use the default :func:`truncate_at`). Use it for inputs that are
        not frames or have another notion of time.
    rtol, atol : float, default 0.0
        Tolerances of the comparison. The default asks for identical values (NaN equals
        NaN): a causal computation repeats the same arithmetic on the same past.
    raise_on_failure : bool, default True
        Raise :class:`~georisk.errors.LookAheadError` on the first cut date with a
        difference; when False, differences are returned in the report.

    Returns
    -------
    LookAheadReport

    Raises
    ------
    LookAheadError
        Naming the cut date, the first differing column and date, and both values.

    Notes
    -----
    For every cut :math:`d` with :math:`X_{\\le d}` the inputs known at :math:`d`'s close,
    the check asserts :math:`f(X)_t = f(X_{\\le d})_t` for every column and every date
    :math:`t \\le d` present in the truncated output. A row dated after :math:`d` in the
    truncated output is not compared (it may hold the warm-up of a later session). The
    truncated output must not hold a date the full output lacks, nor lack a date up to
    :math:`d` that lies inside its own range.

    Examples
    --------
    >>> import pandas as pd
    >>> from georisk.testing import check_lookahead
    >>> prices = pd.DataFrame({"x": range(10)}, index=pd.bdate_range("2024-01-02", periods=10), dtype=float)
    >>> check_lookahead(lambda p: p.rolling(3).mean(), prices, cut_dates=["2024-01-08"]).ok
    True
    >>> check_lookahead(lambda p: p.shift(-1), prices, cut_dates=["2024-01-08"])
    Traceback (most recent call last):
    ...
    georisk.errors.LookAheadError: look-ahead at cut 2024-01-08: column 'x' differs on 2024-01-08 ...
    """
    cuts = [pd.Timestamp(c) for c in cut_dates]
    if not cuts:
        raise ConfigError("cut_dates is empty; give at least one session date to cut the inputs at")
    if any(c.tz is not None for c in cuts):
        raise ConfigError("cut_dates must be tz-naive session dates (the cutoff is that session's close)")
    if rtol < 0 or atol < 0:
        raise ConfigError(f"rtol={rtol} and atol={atol} must be >= 0")
    if truncate is None or callable(truncate):
        truncators: list[Truncator | None] = [truncate] * len(inputs)
    else:
        truncators = list(truncate)
        if len(truncators) != len(inputs):
            raise ConfigError(f"truncate has {len(truncators)} entries for {len(inputs)} inputs; give one per input")
    full = _as_frame(func(*inputs), "full")
    report = LookAheadReport(cut_dates=cuts)
    for cut in cuts:
        cut_inputs = [
            (t(x, cut) if t is not None else truncate_at(x, cut, calendar=calendar))
            for x, t in zip(inputs, truncators, strict=True)
        ]
        part = _as_frame(func(*cut_inputs), "truncated")
        n, first = _compare(full, part, cut, _close_of(cut, calendar), rtol, atol)
        report.n_compared += n
        if first is None:
            continue
        first["cut"] = cut
        report.failures.append(first)
        if raise_on_failure:
            raise LookAheadError(
                f"look-ahead at cut {cut.date()}: column {first['column']!r} differs on "
                f"{pd.Timestamp(first['date']).date()} (full inputs: {_fmt(first['full'])}, inputs truncated at "
                f"the cut: {_fmt(first['truncated'])}). A value dated on or before the cut used data from after it."
            )
    return report


def _fmt(value: Any) -> str:
    if isinstance(value, float | np.floating) and not math.isnan(value):
        return f"{float(value):.10g}"
    return str(value)
