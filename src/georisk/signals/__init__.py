"""Stage 3: from scored articles to the daily news state, and external indices as states.

:func:`daily_signal` turns per-article scores into one row per session (source-normalised
attention and intensities, the net escalation and its smoothed and standardised forms);
:func:`session_sums` and :func:`signal_from_sums` are its two halves (the Dask path sums
partitions in between). :func:`external_signal` puts an index such as the daily GPR on
the same sessions, so either can be the premium's state.
"""

from __future__ import annotations

from georisk.signals._daily import (
    CHANNELS,
    SCORE_COLUMNS_NEEDED,
    SIGNAL_COLUMNS,
    SUM_COLUMNS,
    check_signal_parameters,
    daily_signal,
    session_sums,
    signal_from_sums,
    source_normalised,
)
from georisk.signals._external import GPR_COLUMNS, external_signal, load_gpr_daily

__all__ = [
    "CHANNELS",
    "GPR_COLUMNS",
    "SCORE_COLUMNS_NEEDED",
    "SIGNAL_COLUMNS",
    "SUM_COLUMNS",
    "check_signal_parameters",
    "daily_signal",
    "external_signal",
    "load_gpr_daily",
    "session_sums",
    "signal_from_sums",
    "source_normalised",
]
