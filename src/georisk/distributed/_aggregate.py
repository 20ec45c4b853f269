"""The daily signal from per-partition session sums (associative) and a small finishing step.

The per-session sums and the finishing step are :func:`georisk.signals.session_sums` and
:func:`georisk.signals.signal_from_sums`, the very functions the pandas
:func:`georisk.signals.daily_signal` is made of; this module only distributes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from georisk.errors import ConfigError
from georisk.signals import (
    SCORE_COLUMNS_NEEDED,
    SUM_COLUMNS,
    check_signal_parameters,
    session_sums,
    signal_from_sums,
)

if TYPE_CHECKING:
    import dask.dataframe as dd

__all__ = ["SUM_COLUMNS", "daily_signal", "session_sums"]


def _check_columns(columns: pd.Index, dtype_of_published: object) -> None:
    missing = [c for c in SCORE_COLUMNS_NEEDED if c not in columns]
    if missing:
        raise ConfigError(
            f"scores lacks column(s) {missing}; build it with georisk.score_articles "
            "or georisk.distributed.score_articles"
        )
    if not isinstance(dtype_of_published, pd.DatetimeTZDtype):
        raise ConfigError("scores['published_at'] must be timezone-aware (datetime64[ns, UTC])")


def daily_signal(
    scores: pd.DataFrame | dd.DataFrame,
    *,
    calendar: str = "XNYS",
    half_life: float = 5.0,
    zscore_window: int | None = 252,
    min_periods: int = 60,
    relevance_threshold: float = 0.2,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    attention_base: tuple[str | pd.Timestamp, str | pd.Timestamp] | None = None,
    split_every: int | None = None,
) -> pd.DataFrame:
    """Aggregate article scores into one row per session, on Dask or pandas.

    Parameters
    ----------
    scores : dask.dataframe.DataFrame or pandas.DataFrame
        Article scores, e.g. from :func:`score_articles`. A pandas frame runs
        :func:`georisk.signals.daily_signal` directly.
    calendar, half_life, zscore_window, min_periods, relevance_threshold, start, end, attention_base
        As in :func:`georisk.signals.daily_signal`.
    split_every : int, optional
        Fan-in of Dask's tree reduction of the partial sums (Dask's default when None).

    Returns
    -------
    pandas.DataFrame
        Index ``session``, columns :data:`georisk.signals.SIGNAL_COLUMNS`: the same frame
        as the pandas path (equal to rounding; the tests pin 1e-12).

    Notes
    -----
    Three steps: every partition reduces its articles to per-session sums
    (:func:`session_sums`); Dask adds the partial sums of the same session in a tree
    reduction (sums are associative, so any grouping gives the total); the small
    per-session frame is finished on the client by :func:`georisk.signals.signal_from_sums`. Memory per
    worker is bounded by one partition, whatever the size of the archive. Sessions
    depend only on each article's own timestamp, so the cutoff (no look-ahead) is the
    same as in the pandas path.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> from georisk.datasets import load_sample
    >>> from georisk.distributed import score_articles, daily_signal
    >>> articles = load_sample().articles
    >>> sig = daily_signal(score_articles(dd.from_pandas(articles, npartitions=4)))
    >>> int(sig["n_articles"].sum()) == len(articles)
    True
    """
    if isinstance(scores, pd.DataFrame):
        from georisk.signals import daily_signal as pandas_daily_signal

        return pandas_daily_signal(
            scores,
            calendar=calendar,
            half_life=half_life,
            zscore_window=zscore_window,
            min_periods=min_periods,
            relevance_threshold=relevance_threshold,
            start=start,
            end=end,
            attention_base=attention_base,
        )
    check_signal_parameters(half_life, zscore_window, min_periods)
    if not hasattr(scores, "map_partitions"):
        raise ConfigError(f"scores is a {type(scores).__name__}; pass a pandas or Dask DataFrame of article scores")
    meta_in = scores._meta
    _check_columns(meta_in.columns, meta_in["published_at"].dtype if "published_at" in meta_in.columns else None)
    meta = pd.DataFrame(
        {
            "session": pd.Series(dtype="datetime64[ns]"),
            "source": pd.Series(dtype=object),
            **{c: pd.Series(dtype=float) for c in SUM_COLUMNS},
        }
    )
    cols = [*SCORE_COLUMNS_NEEDED, "source"] if "source" in meta_in.columns else SCORE_COLUMNS_NEEDED
    partial = scores[cols].map_partitions(
        session_sums, calendar=calendar, relevance_threshold=relevance_threshold, meta=meta
    )
    grouped = partial.groupby(["session", "source"]).sum(split_every=split_every, split_out=1).compute()
    total = grouped.reset_index("source")
    return signal_from_sums(
        total.sort_index(),
        calendar=calendar,
        half_life=half_life,
        zscore_window=zscore_window,
        min_periods=min_periods,
        start=start,
        end=end,
        attention_base=attention_base,
    )
