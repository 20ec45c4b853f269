"""The daily signal from per-partition session sums (associative) and a small finishing step."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from georisk.calendar import assign_sessions, session_closes
from georisk.errors import ConfigError
from georisk.signals import CHANNELS, _attention_index

if TYPE_CHECKING:
    import dask.dataframe as dd

__all__ = ["SUM_COLUMNS", "daily_signal", "finish_signal", "session_sums"]

_LEVELS = ("hawkish", "peace", "threat", "act")
_SCORE_FOR = {"hawkish": "hawkish_tilt", "peace": "peace_trade", "threat": "hawkish_threat", "act": "hawkish_act"}
_NEEDED = ["published_at", "relevance", *_SCORE_FOR.values(), *CHANNELS]

#: Columns of :func:`session_sums`: article count, relevant-article count, relevance
#: weight, relevance-weighted scores and relevance- and channel-weighted net escalation.
SUM_COLUMNS = [
    "one",
    "relevant",
    "w",
    *(f"w_{name}" for name in _LEVELS),
    *(f"w_esc_{c}" for c in CHANNELS),
    *(f"w_hawk_{c}" for c in CHANNELS),
    *(f"w_peace_{c}" for c in CHANNELS),
]

#: Columns of the signal, in order (the tests pin them to georisk.signals.SIGNAL_COLUMNS).
_SIGNAL_COLUMNS = [
    "n_articles",
    "n_relevant",
    "attention",
    "attention_index",
    "hawkish",
    "peace",
    "threat",
    "act",
    "escalation",
    *(f"escalation_{c}" for c in CHANNELS),
    *(f"hawkish_{c}" for c in CHANNELS),
    *(f"peace_{c}" for c in CHANNELS),
    "hawkish_ema",
    "peace_ema",
    "threat_ema",
    "act_ema",
    "escalation_ema",
    *(f"escalation_{c}_ema" for c in CHANNELS),
    "escalation_z",
    "escalation_z_hawkish",
    "escalation_z_peace",
]


def _check_columns(columns: pd.Index, dtype_of_published: Any) -> None:
    missing = [c for c in _NEEDED if c not in columns]
    if missing:
        raise ConfigError(
            f"scores lacks column(s) {missing}; build it with georisk.score_articles "
            "or georisk.distributed.score_articles"
        )
    if not isinstance(dtype_of_published, pd.DatetimeTZDtype):
        raise ConfigError("scores['published_at'] must be timezone-aware (datetime64[ns, UTC])")


def _check_parameters(half_life: float, zscore_window: int | None, min_periods: int) -> None:
    if half_life <= 0:
        raise ConfigError(f"half_life={half_life} must be > 0 sessions")
    if zscore_window is not None and zscore_window < 2:
        raise ConfigError(f"zscore_window={zscore_window} must be >= 2 or None")
    if min_periods < 2:
        raise ConfigError(f"min_periods={min_periods} must be >= 2")
    if zscore_window is not None and min_periods > zscore_window:
        raise ConfigError(f"min_periods={min_periods} cannot exceed zscore_window={zscore_window}")


def session_sums(scores: pd.DataFrame, *, calendar: str = "XNYS", relevance_threshold: float = 0.2) -> pd.DataFrame:
    """Per-session sums of one chunk of article scores (the associative part of the signal).

    Parameters
    ----------
    scores : pandas.DataFrame
        Article scores (``published_at`` tz-aware, ``relevance``, ``hawkish_tilt``,
        ``peace_trade``, ``hawkish_threat``, ``hawkish_act``, the channels), e.g. one
        partition of :func:`score_articles`.
    calendar : str, default "XNYS"
        Exchange calendar; an article belongs to the first session whose close is at or
        after its ``published_at`` (:func:`georisk.calendar.assign_sessions`).
    relevance_threshold : float, default 0.2
        Articles with ``relevance`` at or above it count as relevant.

    Returns
    -------
    pandas.DataFrame
        Column ``session`` (tz-naive session dates, only sessions with articles) and
        :data:`SUM_COLUMNS`, all float64.

    Notes
    -----
    With relevance :math:`w_i`, scores :math:`x_i`, channel exposure :math:`c_i` and net
    escalation :math:`n_i = h_i - p_i` of the articles :math:`i` of session :math:`d`:
    ``one`` :math:`= \\sum 1`, ``relevant`` :math:`= \\sum [w_i \\ge \\tau]`,
    ``w`` :math:`= \\sum w_i`, ``w_x`` :math:`= \\sum w_i x_i`,
    ``w_esc_c`` :math:`= \\sum w_i c_i n_i`. Each is a sum over articles, so the sums of
    disjoint chunks add up to the sums of their union, in any grouping.
    """
    _check_columns(scores.columns, scores["published_at"].dtype if "published_at" in scores.columns else None)
    bad = [c for c in _NEEDED[1:] if scores[c].isna().any()]
    if bad:
        rows = scores["id"] if "id" in scores.columns else scores.index.to_series()
        row = rows[scores[bad[0]].isna()].iloc[0]
        raise ConfigError(f"scores[{bad[0]!r}] is NaN at article {row!r}; score every article (or drop it) first")
    if scores["published_at"].isna().any():
        raise ConfigError("scores['published_at'] has missing timestamps; drop or fix those articles first")
    sessions = assign_sessions(scores["published_at"], calendar)
    w = scores["relevance"].to_numpy(dtype=float)
    agg = pd.DataFrame(
        {"session": sessions.to_numpy(), "one": 1.0, "relevant": (w >= relevance_threshold).astype(float), "w": w}
    )
    for name, col in _SCORE_FOR.items():
        agg[f"w_{name}"] = w * scores[col].to_numpy(dtype=float)
    net = scores["hawkish_tilt"].to_numpy(dtype=float) - scores["peace_trade"].to_numpy(dtype=float)
    hawk = scores["hawkish_tilt"].to_numpy(dtype=float)
    peace = scores["peace_trade"].to_numpy(dtype=float)
    for c in CHANNELS:
        exposure = w * scores[c].to_numpy(dtype=float)
        agg[f"w_esc_{c}"] = exposure * net
        agg[f"w_hawk_{c}"] = exposure * hawk
        agg[f"w_peace_{c}"] = exposure * peace
    out = agg.groupby("session", sort=True).sum().reset_index()
    out["session"] = out["session"].astype("datetime64[ns]")
    return out[["session", *SUM_COLUMNS]].astype({c: "float64" for c in SUM_COLUMNS})


def finish_signal(
    sums: pd.DataFrame,
    *,
    calendar: str = "XNYS",
    half_life: float = 5.0,
    zscore_window: int | None = 252,
    min_periods: int = 60,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    attention_base: tuple[str | pd.Timestamp, str | pd.Timestamp] | None = None,
) -> pd.DataFrame:
    """Turn per-session sums into the daily signal (levels, smoothing, z-scores).

    Parameters
    ----------
    sums : pandas.DataFrame
        :data:`SUM_COLUMNS` indexed by session (one row per session that has articles,
        any order), e.g. the total of :func:`session_sums` over all chunks.
    calendar, half_life, zscore_window, min_periods, start, end, attention_base
        As in :func:`georisk.signals.daily_signal`.

    Returns
    -------
    pandas.DataFrame
        The frame :func:`georisk.signals.daily_signal` returns for the same articles:
        index ``session``, columns :data:`georisk.signals.SIGNAL_COLUMNS`.

    Notes
    -----
    The same formulas as :func:`georisk.signals.daily_signal`: levels
    :math:`x_d = \\sum w_i x_i / \\sum w_i`, the causal ratio of exponentially weighted
    sums :math:`S_d(w x) / S_d(w)` with :math:`\\alpha = 1 - 2^{-1/h}`, and the trailing
    z-score of :math:`e_d = \\bar h_d - \\bar p_d` with a NaN warm-up of
    ``min_periods`` sessions. Only the per-session frame is touched, so this step is
    small whatever the size of the archive. The tests pin its output to
    :func:`georisk.signals.daily_signal` to 1e-12.
    """
    _check_parameters(half_life, zscore_window, min_periods)
    missing = [c for c in SUM_COLUMNS if c not in sums.columns]
    if missing:
        raise ConfigError(f"sums lacks column(s) {missing}; build it with georisk.distributed.session_sums")
    has = sums[sums["one"] > 0]
    lo = pd.Timestamp(start) if start is not None else (has.index.min() if len(has) else None)
    hi = pd.Timestamp(end) if end is not None else (has.index.max() if len(has) else None)
    if lo is None or hi is None:
        raise ConfigError("scores is empty and no start/end was given; there is nothing to aggregate")
    index = session_closes(calendar, str(lo.date()), str(hi.date())).index
    index.name = "session"
    sums = sums[SUM_COLUMNS].reindex(index, fill_value=0.0)

    out = pd.DataFrame(index=index)
    out["n_articles"] = sums["one"].astype("int64")
    out["n_relevant"] = sums["relevant"].astype("int64")
    out["attention"] = (sums["relevant"] / sums["one"]).where(sums["one"] > 0)
    out["attention_index"] = _attention_index(out["attention"], attention_base, min_periods)
    weight = sums["w"].where(sums["w"] > 0)
    for name in _LEVELS:
        out[name] = sums[f"w_{name}"] / weight
    out["escalation"] = out["hawkish"] - out["peace"]
    for c in CHANNELS:
        out[f"escalation_{c}"] = sums[f"w_esc_{c}"] / weight
    for c in CHANNELS:
        out[f"hawkish_{c}"] = sums[f"w_hawk_{c}"] / weight
    for c in CHANNELS:
        out[f"peace_{c}"] = sums[f"w_peace_{c}"] / weight

    alpha = 1.0 - 0.5 ** (1.0 / half_life)

    def ew(series: pd.Series) -> pd.Series:
        return series.ewm(alpha=alpha, adjust=False).mean()

    ew_w = ew(sums["w"])
    ew_w = ew_w.where(ew_w > 0)
    for name in _LEVELS:
        out[f"{name}_ema"] = ew(sums[f"w_{name}"]) / ew_w
    out["escalation_ema"] = out["hawkish_ema"] - out["peace_ema"]
    for c in CHANNELS:
        out[f"escalation_{c}_ema"] = ew(sums[f"w_esc_{c}"]) / ew_w

    def roll(series: pd.Series) -> Any:
        if zscore_window is None:
            return series.expanding(min_periods=min_periods)
        return series.rolling(zscore_window, min_periods=min_periods)

    e = out["escalation_ema"]
    sd = roll(e).std()
    sd = sd.where(sd > 0)
    out["escalation_z"] = (e - roll(e).mean()) / sd
    out["escalation_z_hawkish"] = (out["hawkish_ema"] - roll(out["hawkish_ema"]).mean()) / sd
    out["escalation_z_peace"] = (out["peace_ema"] - roll(out["peace_ema"]).mean()) / sd
    out = out.astype({c: "float64" for c in _SIGNAL_COLUMNS if c not in ("n_articles", "n_relevant")})
    return out[_SIGNAL_COLUMNS].replace([np.inf, -np.inf], np.nan)


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
    per-session frame is finished on the client by :func:`finish_signal`. Memory per
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
    _check_parameters(half_life, zscore_window, min_periods)
    if not hasattr(scores, "map_partitions"):
        raise ConfigError(f"scores is a {type(scores).__name__}; pass a pandas or Dask DataFrame of article scores")
    meta_in = scores._meta
    _check_columns(meta_in.columns, meta_in["published_at"].dtype if "published_at" in meta_in.columns else None)
    meta = pd.DataFrame(
        {"session": pd.Series(dtype="datetime64[ns]"), **{c: pd.Series(dtype=float) for c in SUM_COLUMNS}}
    )
    partial = scores[_NEEDED].map_partitions(
        session_sums, calendar=calendar, relevance_threshold=relevance_threshold, meta=meta
    )
    total: pd.DataFrame = partial.groupby("session").sum(split_every=split_every, split_out=1).compute()
    return finish_signal(
        total.sort_index(),
        calendar=calendar,
        half_life=half_life,
        zscore_window=zscore_window,
        min_periods=min_periods,
        start=start,
        end=end,
        attention_base=attention_base,
    )
