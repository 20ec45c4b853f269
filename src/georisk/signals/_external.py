"""External daily signals: the Caldara-Iacoviello GPR index and any daily series.

Any daily series can stand in for the article-derived news state in
:func:`georisk.risk_premium`. :func:`external_signal` puts it on the signal calendar
with the same publication cutoff articles get (a value dated calendar day ``t`` is taken
as known at the end of ``t``, so it counts for the first session closing after that) and
standardises it causally. :func:`load_gpr_daily` reads the daily GPR file in the layout
its authors publish (``data_gpr_daily_recent.xls`` or a CSV conversion of it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from georisk.calendar import assign_sessions, session_closes
from georisk.errors import ConfigError, InputDataError, OptionalDependencyError

__all__ = ["GPR_COLUMNS", "external_signal", "load_gpr_daily"]

#: Numeric columns of the authors' daily GPR file that :func:`load_gpr_daily` returns.
GPR_COLUMNS = ["N10D", "GPRD", "GPRD_ACT", "GPRD_THREAT", "GPRD_MA7", "GPRD_MA30"]


def load_gpr_daily(path: str | Path) -> pd.DataFrame:
    """Read the Caldara-Iacoviello daily GPR index in its published layout.

    Parameters
    ----------
    path : str or pathlib.Path
        ``data_gpr_daily_recent.xls`` as published at matteoiacoviello.com/gpr.htm
        (reading ``.xls`` needs the ``xlrd`` package), or a CSV conversion of it. The
        file has a ``DAY`` column (YYYYMMDD integer), ``N10D`` (articles in the ten
        newspapers), ``GPRD`` (the index, 1985-2019 = 100), ``GPRD_ACT``,
        ``GPRD_THREAT``, optionally ``GPRD_MA7``, ``GPRD_MA30`` and ``event``; the
        ``var_name`` / ``var_label`` dictionary columns are ignored.

    Returns
    -------
    pandas.DataFrame
        Index: tz-naive calendar days named ``date`` (sorted, unique). Columns: the
        :data:`GPR_COLUMNS` present in the file (float64), and ``event`` (str, empty
        when none) when present. The values are as published: not yet assigned to
        sessions (see :func:`external_signal`).

    Raises
    ------
    InputDataError
        When the file is missing, lacks ``DAY`` or ``GPRD``, has an unparsable or
        duplicate day, or a non-numeric value.

    Notes
    -----
    Cite: Caldara, D. and Iacoviello, M. (2022), "Measuring Geopolitical Risk",
    American Economic Review 112(4), 1194-1225. The index counts, per day, the share of
    articles in ten newspapers that discuss adverse geopolitical events, scaled so that
    1985-2019 averages 100.

    Examples
    --------
    >>> gpr = load_gpr_daily("data_gpr_daily_recent.csv")  # doctest: +SKIP
    >>> sig = external_signal(gpr["GPRD"], name="gpr")  # doctest: +SKIP
    """
    p = Path(path)
    if not p.is_file():
        raise InputDataError(
            "file not found; download data_gpr_daily_recent.xls from matteoiacoviello.com", path=str(p)
        )
    if p.suffix.lower() in {".xls", ".xlsx"}:
        try:
            raw = pd.read_excel(p)
        except ImportError as exc:
            raise OptionalDependencyError(
                f"reading {p.name} needs an Excel reader: pip install xlrd (for .xls) or openpyxl (for .xlsx), "
                "or convert the file to CSV"
            ) from exc
    else:
        raw = pd.read_csv(p, low_memory=False, keep_default_na=False, na_values=[""])
    for col in ("DAY", "GPRD"):
        if col not in raw.columns:
            raise InputDataError(
                f"no {col!r} column; expected the authors' layout (DAY, N10D, GPRD, GPRD_ACT, GPRD_THREAT)",
                path=str(p),
                field=col,
            )
    raw = raw[raw["DAY"].notna()].reset_index(drop=True)
    day_num = pd.to_numeric(raw["DAY"], errors="coerce")
    day_text = day_num.astype("Int64").astype(str).where(day_num.notna() & (day_num == day_num.round()), "bad")
    day = pd.to_datetime(day_text, format="%Y%m%d", errors="coerce")
    if day.isna().any():
        row = int(np.flatnonzero(day.isna().to_numpy())[0]) + 2
        raise InputDataError("DAY is not a YYYYMMDD date", path=str(p), line=row, field="DAY")
    out = pd.DataFrame(index=pd.DatetimeIndex(day, name="date").as_unit("ns"))
    for col in GPR_COLUMNS:
        if col in raw.columns:
            values = pd.to_numeric(raw[col], errors="coerce")
            bad = values.isna() & raw[col].notna()
            if bad.any():
                row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
                raise InputDataError(f"non-numeric value {raw[col][bad].iloc[0]!r}", path=str(p), line=row, field=col)
            out[col] = values.to_numpy(dtype="float64")
    if "event" in raw.columns:
        out["event"] = raw["event"].fillna("").astype(str).to_numpy()
    dup = out.index[out.index.duplicated()]
    if len(dup):
        raise InputDataError(f"duplicate day {dup[0].date()}; keep one row per day", path=str(p), field="DAY")
    return out.sort_index()


def _causal_z(series: pd.Series, window: int | None, min_periods: int) -> pd.Series:
    roll = (
        series.expanding(min_periods=min_periods) if window is None else series.rolling(window, min_periods=min_periods)
    )
    sd = roll.std()
    return (series - roll.mean()) / sd.where(sd > 0)


def external_signal(
    series: pd.Series | pd.DataFrame,
    *,
    calendar: str = "XNYS",
    timezone: str = "America/New_York",
    available: Literal["end_of_day", "as_stamped"] = "end_of_day",
    how: Literal["mean", "last", "sum"] = "mean",
    half_life: float | None = None,
    zscore_window: int | None = 252,
    min_periods: int = 60,
    name: str | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Turn any daily external series into a signal frame for :func:`georisk.risk_premium`.

    Parameters
    ----------
    series : pandas.Series or pandas.DataFrame
        Values indexed by date (tz-naive calendar days) or by tz-aware timestamps
        of publication. A DataFrame gives one signal per column.
    calendar : str, default "XNYS"
        The signal calendar.
    timezone : str, default "America/New_York"
        Zone in which a tz-naive day ends (``available="end_of_day"``).
    available : {"end_of_day", "as_stamped"}, default "end_of_day"
        ``"end_of_day"``: the value dated day ``t`` is known at midnight ending ``t`` in
        ``timezone``, so it counts for the first session whose close is at or after that
        (the next session: conservative, as the index is published after the day).
        ``"as_stamped"``: the index must be tz-aware and is taken as the publication
        time.
    how : {"mean", "last", "sum"}, default "mean"
        How values mapped to the same session combine (a Monday session collects
        Friday, Saturday and Sunday).
    half_life : float, optional
        Half-life in sessions of a causal exponential smoothing applied before the
        z-score (none by default).
    zscore_window : int or None, default 252
        Trailing window of the causal z-score; None for expanding.
    min_periods : int, default 60
        Sessions with a value needed before the z-score is defined (NaN before).
    name : str, optional
        Prefix of the output columns (the series' name, else ``"external"``).
    start, end : date-like, optional
        First and last session of the output (default: the sessions the data map to).

    Returns
    -------
    pandas.DataFrame
        Index: sessions named ``session``, every session in range; per input column
        ``c``: ``c`` (the session value, NaN when no value mapped to it), ``c_n``
        (values mapped), ``c_smooth`` (equal to ``c`` carried forward through the
        exponential weights, or ``c`` itself without smoothing) and ``c_z`` (causal
        z-score). Use ``state="c_z"`` in :func:`georisk.risk_premium`.

    Notes
    -----
    With :math:`x_d` the session value, the smoothed value is the ratio of exponentially
    weighted sums :math:`S_d(x)/S_d(1)` over sessions with a value (sessions without
    one add no weight), with :math:`\\alpha = 1 - 2^{-1/h}`. The z-score is
    :math:`(y_d - \\bar y_d)/\\sigma_d` with the trailing mean and standard deviation of
    the smoothed value over sessions up to and including :math:`d`.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([1.0, 2.0, 3.0], index=pd.to_datetime(["2024-03-01", "2024-03-02", "2024-03-03"]), name="gpr")
    >>> sig = external_signal(s, min_periods=2, zscore_window=10)  # Fri, Sat, Sun: all known by Monday
    >>> sig.index[0].date(), int(sig["gpr_n"].iloc[0]), float(sig["gpr"].iloc[0])
    (datetime.date(2024, 3, 4), 3, 2.0)
    """
    frame = (
        series.to_frame(name=name or (series.name if series.name is not None else "external"))
        if isinstance(series, pd.Series)
        else series.add_prefix(f"{name}_" if name else "")
    )
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise ConfigError("series must be indexed by a DatetimeIndex (calendar days or tz-aware timestamps)")
    if how not in ("mean", "last", "sum"):
        raise ConfigError(f"how={how!r} must be 'mean', 'last' or 'sum'")
    if half_life is not None and half_life <= 0:
        raise ConfigError(f"half_life={half_life} must be > 0 sessions or None")
    if zscore_window is not None and zscore_window < 2:
        raise ConfigError(f"zscore_window={zscore_window} must be >= 2 or None")
    if min_periods < 2 or (zscore_window is not None and min_periods > zscore_window):
        raise ConfigError(f"min_periods={min_periods} must be >= 2 and <= zscore_window={zscore_window}")
    idx = pd.DatetimeIndex(frame.index)
    if available == "end_of_day":
        if idx.tz is not None:
            raise ConfigError("available='end_of_day' needs tz-naive calendar days; use 'as_stamped' for timestamps")
        stamps = (idx.normalize() + pd.Timedelta(days=1)).tz_localize(timezone, nonexistent="shift_forward")
    elif available == "as_stamped":
        if idx.tz is None:
            raise ConfigError("available='as_stamped' needs tz-aware timestamps; localise the index first")
        stamps = idx
    else:
        raise ConfigError(f"available={available!r} must be 'end_of_day' or 'as_stamped'")
    frame = frame.astype("float64")
    sessions = assign_sessions(stamps, calendar)
    lo = pd.Timestamp(start) if start is not None else sessions.min()
    hi = pd.Timestamp(end) if end is not None else sessions.max()
    index = session_closes(calendar, str(lo.date()), str(hi.date())).index
    index.name = "session"
    grouped = frame.set_axis(sessions, axis=0).groupby(level=0)
    agg = grouped.mean() if how == "mean" else grouped.last() if how == "last" else grouped.sum(min_count=1)
    counts = grouped.count()
    out = pd.DataFrame(index=index)
    for col in frame.columns:
        value = agg[col].reindex(index)
        out[col] = value
        out[f"{col}_n"] = counts[col].reindex(index, fill_value=0).astype("int64")
        if half_life is None:
            smooth = value
        else:
            alpha = 1.0 - 0.5 ** (1.0 / half_life)
            has = value.notna().astype(float)
            num = value.fillna(0.0).ewm(alpha=alpha, adjust=False).mean()
            den = has.ewm(alpha=alpha, adjust=False).mean()
            smooth = num / den.where(den > 0)
        out[f"{col}_smooth"] = smooth
        out[f"{col}_z"] = _causal_z(smooth, zscore_window, min_periods)
    return out
