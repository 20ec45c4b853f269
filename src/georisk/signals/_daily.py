"""Stage 3: the daily news signal.

Article scores are assigned to sessions with the publication cutoff
(:func:`georisk.calendar.assign_sessions`) and summed per session and source. Attention
and the hawkish and peace intensities are source-normalised counts (each source against
its own level, chain-linked to an anchor source), so a source starting, stopping or
changing volume does not move them; levels are smoothed causally and standardised on the
past only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from georisk.calendar import assign_sessions, session_closes
from georisk.errors import ConfigError

__all__ = [
    "CHANNELS",
    "SCORE_COLUMNS_NEEDED",
    "SIGNAL_COLUMNS",
    "SUM_COLUMNS",
    "check_signal_parameters",
    "daily_signal",
    "session_sums",
    "signal_from_sums",
    "source_normalised",
]

CHANNELS = ("energy", "defense", "grain", "sanctions")
_LEVELS = ("hawkish", "peace", "threat", "act")
_SCORE_FOR = {"hawkish": "hawkish_tilt", "peace": "peace_trade", "threat": "hawkish_threat", "act": "hawkish_act"}

#: Score columns :func:`daily_signal` and :func:`session_sums` read.
SCORE_COLUMNS_NEEDED = ["published_at", "relevance", *_SCORE_FOR.values(), *CHANNELS]

#: Columns of :func:`session_sums`: article count, relevant-article count, relevance
#: weight, relevance-weighted scores and relevance- and channel-weighted scores.
SUM_COLUMNS = [
    "one",
    "relevant",
    "w",
    *(f"w_{name}" for name in _LEVELS),
    *(f"w_esc_{c}" for c in CHANNELS),
    *(f"w_hawk_{c}" for c in CHANNELS),
    *(f"w_peace_{c}" for c in CHANNELS),
]

#: Columns of the frame :func:`daily_signal` returns, in order.
SIGNAL_COLUMNS = [
    "n_articles",
    "n_relevant",
    "n_sources",
    "relevant_share",
    "attention",
    "attention_index",
    "hawkish_intensity",
    "peace_intensity",
    "escalation_intensity",
    "hawkish_tone",
    "peace_tone",
    "attention_share",
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


def _check_scores(scores: pd.DataFrame) -> None:
    needed = ["published_at", "relevance", *_SCORE_FOR.values(), *CHANNELS]
    missing = [c for c in needed if c not in scores.columns]
    if missing:
        raise ConfigError(f"scores lacks column(s) {missing}; build it with georisk.score_articles")
    if not isinstance(scores["published_at"].dtype, pd.DatetimeTZDtype):
        raise ConfigError("scores['published_at'] must be timezone-aware (datetime64[ns, UTC])")


def check_signal_parameters(half_life: float, zscore_window: int | None, min_periods: int) -> None:
    """Refuse impossible smoothing and standardisation settings with a :class:`ConfigError`."""
    if half_life <= 0:
        raise ConfigError(f"half_life={half_life} must be > 0 sessions")
    if zscore_window is not None and zscore_window < 2:
        raise ConfigError(f"zscore_window={zscore_window} must be >= 2 or None")
    if min_periods < 2:
        raise ConfigError(f"min_periods={min_periods} must be >= 2")
    if zscore_window is not None and min_periods > zscore_window:
        raise ConfigError(f"min_periods={min_periods} cannot exceed zscore_window={zscore_window}")


def _attention_index(
    attention: pd.Series,
    base: tuple[str | pd.Timestamp, str | pd.Timestamp] | None,
    min_periods: int,
) -> pd.Series:
    in_base = pd.Series(True, index=attention.index)
    if base is not None:
        lo, hi = (pd.Timestamp(b) for b in base)
        if lo > hi:
            raise ConfigError(f"attention_base=({lo.date()}, {hi.date()}) must start on or before its end")
        in_base = pd.Series((attention.index >= lo) & (attention.index <= hi), index=attention.index)
    base_values = attention.where(in_base)
    # Causal base mean: expanding over base sessions up to d, frozen after the base ends.
    count = base_values.notna().cumsum()
    mean = base_values.fillna(0.0).cumsum() / count.where(count > 0)
    mean = mean.where(count >= min_periods)
    return 100.0 * attention / mean.where(mean > 0)


def _group_sums(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sums of :data:`SUM_COLUMNS` per group of ``keys``, added in row order.

    Each group's rows are added one after another in the order they come (a stable sort
    brings them together), so a group's sum does not depend on the other groups present.
    pandas' grouped sum does not promise that, and a truncated input must reproduce the
    sums of the full input exactly for the look-ahead check.
    """
    if frame.empty:
        return pd.DataFrame({**{k: frame[k] for k in keys}, **{c: pd.Series(dtype=float) for c in SUM_COLUMNS}})
    codes = np.zeros(len(frame), dtype=np.int64)
    for k in keys:
        c, uniques = pd.factorize(frame[k], sort=True)
        codes = codes * (len(uniques) + 1) + c
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.concatenate([[True], sorted_codes[1:] != sorted_codes[:-1]]))
    # columns as contiguous rows: reduceat along the last axis is several times faster
    values = np.ascontiguousarray(frame[SUM_COLUMNS].to_numpy(dtype=float)[order].T)
    totals = np.add.reduceat(values, starts, axis=1)
    first = order[starts]
    data: dict[str, object] = {k: frame[k].iloc[first].to_numpy() for k in keys}
    data.update({col: totals[j] for j, col in enumerate(SUM_COLUMNS)})
    return pd.DataFrame(data)


def _share_of_monitored(
    relevant: pd.Series, monitored: pd.Series | None, index: pd.DatetimeIndex, calendar: str
) -> pd.Series:
    """Relevant articles per session as a share of the feed's true total, when it reports one."""
    if monitored is None:
        return pd.Series(np.nan, index=index, dtype=float)
    if not isinstance(monitored.index, pd.DatetimeIndex):
        raise ConfigError("monitored must be indexed by a DatetimeIndex (calendar days or tz-aware timestamps)")
    stamps = pd.DatetimeIndex(monitored.index)
    if stamps.tz is None:
        # a day's total is complete at the end of that day (UTC)
        stamps = (stamps.normalize() + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)).tz_localize("UTC")
    values = pd.to_numeric(monitored, errors="coerce").to_numpy(dtype=float)
    if np.isnan(values).any() or (values < 0).any():
        raise ConfigError("monitored holds missing or negative counts; give the feed's total per day, 0 where none")
    sessions = assign_sessions(stamps, calendar)
    total = pd.Series(values, index=sessions).groupby(level=0).sum().reindex(index)
    share: pd.Series = (relevant / total.where(total > 0)).astype(float)
    return share


def _days_collected(index: pd.DatetimeIndex, calendar: str) -> pd.Series:
    """Calendar days between each session's close and the previous session's close."""
    if len(index) == 0:
        return pd.Series(dtype=float, index=index)
    start = (index[0] - pd.Timedelta(days=15)).date()
    closes = session_closes(calendar, str(start), str(index[-1].date()))
    span = closes.diff().dt.total_seconds() / 86400.0
    days: pd.Series = span.reindex(index).fillna(1.0).clip(lower=1.0 / 24.0)
    return days


#: Probability below which a run of empty sessions means a source is absent, not quiet.
_ABSENT_P = 0.01


def _presence(articles: np.ndarray, lookback: int = 20) -> np.ndarray:
    r"""Whether each source is publishing on each session (sessions x sources, causal).

    A source counts from its first article. On a session without any article from it,
    it is absent when its recent rate makes the current run of empty sessions unlikely:
    :math:`\lambda_s\,r_{s,d} \ge -\ln p` with :math:`\lambda_s` its mean daily count
    over the ``lookback`` sessions ending at its last article before :math:`d`,
    :math:`r_{s,d}` the length of the run and :math:`p` = 1%. A source that stops, or
    goes down for a day, therefore leaves the measure instead of reading as silence.
    """
    a = pd.DataFrame(articles)
    started = (a > 0).cumsum() > 0
    rate = a.rolling(lookback, min_periods=1).mean().where(a > 0).ffill().shift(1).fillna(0.0).to_numpy()
    empty = (articles == 0).astype(np.int64)
    count = np.cumsum(empty, axis=0)
    reset = np.maximum.accumulate(np.where(empty == 0, count, 0), axis=0)
    run = count - reset
    absent = (articles == 0) & (rate * run >= -np.log(_ABSENT_P))
    out: np.ndarray = started.to_numpy() & ~absent
    return out


def source_normalised(
    values: pd.DataFrame,
    articles: pd.DataFrame,
    *,
    warmup: int = 20,
    window: int = 250,
    base: tuple[str | pd.Timestamp, str | pd.Timestamp] | None = None,
    base_sessions: int = 250,
) -> pd.Series:
    """Combine per-source daily sums into one index, each source against its own level.

    Parameters
    ----------
    values : pandas.DataFrame
        Sessions x sources: the quantity to combine (relevant-article counts, or
        relevance-weighted hawkish or peace scores), 0 where a source had nothing.
    articles : pandas.DataFrame
        Sessions x sources: all articles of each source (relevant or not), which say
        whether a source is publishing at all (:func:`_presence`).
    warmup : int, default 20
        Sessions a source must share with the anchor before it counts.
    window : int, default 250
        Sessions of the trailing ratio that links a source to the anchor; a source that
        changes its volume is re-scaled within this window.
    base : (date-like, date-like), optional
        Base period of the anchor's scale; default: its first ``base_sessions`` sessions.
    base_sessions : int, default 250
        Length of the default base period.

    Returns
    -------
    pandas.Series
        The index, NaN until the anchor's scale is defined (``warmup`` base sessions)
        and on sessions with no source present. 1 is an average base-period day.

    Notes
    -----
    The anchor :math:`a` is the source with the most articles over the first ``warmup``
    sessions of the data. Its scale is the causal mean of its values over the base
    period, :math:`k_{a,d} = \bar x_{a, base \\le d}`, frozen when the base ends. Any
    other source :math:`s` is linked to it by the trailing ratio of their values on the
    sessions both were present, up to :math:`d-1`:
    :math:`k_{s,d} = k_{a,d} \\sum x_s / \\sum x_a` (carried while the anchor is
    absent). With :math:`P_d` the sources present on :math:`d` and linked, the index is
    the ratio estimator of a Poisson model with source and day effects,
    :math:`I_d = \\sum_{s \\in P_d} x_{s,d} / \\sum_{s \\in P_d} k_{s,d}`: each source is
    read against its own level, so a source that starts, stops or changes its volume
    does not move :math:`I`, while news that lifts every source does.
    """
    x = values.to_numpy(dtype=float)
    a = articles.reindex(index=values.index, columns=values.columns, fill_value=0.0).to_numpy(dtype=float)
    n, m = x.shape
    out = pd.Series(np.nan, index=values.index, dtype=float)
    if n == 0 or m == 0:
        return out
    present = _presence(a)
    has = (a > 0).any(axis=1)
    if not has.any():
        return out
    t0 = int(np.argmax(has))
    first_window = a[t0 : t0 + warmup].sum(axis=0)
    anchor = int(np.argmax(first_window))
    pos = np.arange(n)
    if base is not None:
        lo, hi = (pd.Timestamp(b) for b in base)
        if lo > hi:
            raise ConfigError(f"attention_base=({lo.date()}, {hi.date()}) must start on or before its end")
        idx = pd.DatetimeIndex(values.index)
        in_base = (idx >= lo) & (idx <= hi)
    else:
        in_base = (pos >= t0) & (pos < t0 + base_sessions)
    in_base = np.asarray(in_base) & present[:, anchor]
    cum = np.cumsum(np.where(in_base, x[:, anchor], 0.0))
    cnt = np.cumsum(in_base)
    k_anchor = np.where(cnt >= warmup, cum / np.maximum(cnt, 1), np.nan)
    k = np.full((n, m), np.nan)
    k[:, anchor] = k_anchor
    for j in range(m):
        if j == anchor:
            continue
        both = present[:, j] & present[:, anchor]
        xs = pd.Series(np.where(both, x[:, j], 0.0)).rolling(window, min_periods=1).sum()
        xa = pd.Series(np.where(both, x[:, anchor], 0.0)).rolling(window, min_periods=1).sum()
        shared = pd.Series(both.astype(float)).rolling(window, min_periods=1).sum()
        ratio = (xs / xa.where(xa > 0)).where(shared >= warmup)
        ratio = ratio.where(pd.Series(both) | ratio.isna()).ffill()
        k[:, j] = ratio.shift(1).to_numpy() * k_anchor
    use = present & np.isfinite(k) & (k > 0)
    num = np.where(use, x, 0.0).sum(axis=1)
    den = np.where(use, k, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out[:] = np.where(den > 0, num / den, np.nan)
    return out


def daily_signal(
    scores: pd.DataFrame,
    *,
    calendar: str = "XNYS",
    half_life: float = 5.0,
    zscore_window: int | None = 252,
    min_periods: int = 60,
    relevance_threshold: float = 0.2,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    attention_base: tuple[str | pd.Timestamp, str | pd.Timestamp] | None = None,
    source_warmup: int = 20,
    source_window: int = 250,
    monitored: pd.Series | None = None,
) -> pd.DataFrame:
    """Aggregate article scores into one row per session of ``calendar``.

    Parameters
    ----------
    scores : pandas.DataFrame
        The frame from :func:`georisk.score_articles`: ``published_at`` (tz-aware),
        ``relevance``, ``hawkish_tilt``, ``peace_trade``, ``hawkish_threat``,
        ``hawkish_act`` and the channels ``energy``, ``defense``, ``grain``,
        ``sanctions``, all in [0, 1].
    calendar : str, default "XNYS"
        Exchange calendar of the signal. An article belongs to the first session whose
        close is at or after its ``published_at``.
    half_life : float, default 5.0
        Half-life, in sessions, of the causal exponential smoothing.
    zscore_window : int or None, default 252
        Trailing window (sessions) of the standardisation; None for an expanding window.
    min_periods : int, default 60
        Sessions of warm-up before the z-score is defined; earlier values are NaN.
    relevance_threshold : float, default 0.2
        Articles with ``relevance`` at or above it count as relevant for attention.
    start, end : date-like, optional
        First and last session of the output. Articles that fall after ``end``'s close
        are excluded; by default the sessions span the first to the last article.
    attention_base : (date-like, date-like), optional
        Base period of ``attention_index``, which rescales attention so that the base
        period averages 100, as the Caldara-Iacoviello index does (1985-2019 = 100).
        The base mean is computed causally: at session ``d`` it averages attention over
        the base sessions up to ``d``, so while the base period is still running the
        scale moves, and after it ends the scale is fixed. A value dated ``d`` never
        uses attention from after ``d``. When None, the base is every session so far
        (an expanding mean). The index is NaN until ``min_periods`` base sessions with
        articles have been seen.

        .. warning:: Rescaling with a base period that ends after ``d`` using the full
           base mean (as a published index does when revised) is look-ahead; this
           function never does it.

        The same period is the base of the anchor source's scale in
        :func:`source_normalised` (default: its first 250 sessions).
    source_warmup, source_window : int, default 20 and 250
        Sessions a source shares with the anchor before it counts, and the trailing
        window of the ratio that links it (:func:`source_normalised`).
    monitored : pandas.Series, optional
        The number of articles the feed monitored in all (relevant or not), when it
        reports it (GDELT's timeline volume): indexed by tz-aware timestamps of the
        counts, or by calendar days, which are known at the end of their day in UTC.
        Gives ``attention_share``, the relevant articles as a share of that true total
        (NaN without it).

    Returns
    -------
    pandas.DataFrame
        Index: tz-naive session dates named ``session``, every session in the range
        (sessions without articles have ``n_articles == 0``). Columns
        :data:`SIGNAL_COLUMNS`.

    Notes
    -----
    With relevance weights :math:`w_i` and scores :math:`x_i` of the articles of
    session :math:`d`, the daily level is :math:`x_d = \\sum w_i x_i / \\sum w_i` (NaN
    when no article has weight). Smoothing uses the ratio of exponentially weighted
    sums, :math:`\\bar x_d = S_d(w x) / S_d(w)` with
    :math:`S_d(y) = (1-\\alpha) S_{d-1}(y) + \\alpha y_d` and
    :math:`\\alpha = 1 - 2^{-1/h}`: sessions without articles add no weight, so the state
    carries the past evidence forward without inventing values. Net escalation is
    :math:`e_d = \\bar h_d - \\bar p_d`; its z-score uses the trailing mean and standard
    deviation of :math:`e` over sessions up to and including :math:`d`. The z-score
    splits exactly into a hawkish and a peace part:
    ``escalation_z = escalation_z_hawkish - escalation_z_peace``.

    Per channel :math:`c`, ``escalation_c`` weights each article's net escalation by
    its channel exposure: :math:`\\sum w_i c_i (h_i - p_i) / \\sum w_i`; likewise
    ``hawkish_c`` :math:`= \\sum w_i c_i h_i / \\sum w_i` and ``peace_c``.

    Attention measures attention, not the filter that built the corpus: with
    :math:`n^{rel}_{s,d}` the relevant articles of source :math:`s` on :math:`d`,
    ``attention`` :math:`= I_d(n^{rel})`, the source-normalised index of
    :func:`source_normalised` (each source against its own level; 1 = an average
    base-period day), and
    :math:`\\text{attention\\_index}_d = 100\\, A_d / \\bar A^{base}_{\\le d}`.
    The sums are per calendar day collected (a Monday session holds three days of news),
    so weekends and holidays are not bursts of attention. ``hawkish_intensity`` and
    ``peace_intensity`` are the same index of
    :math:`\\sum_i w_i h_i` and :math:`\\sum_i w_i p_i` per source (so a source that
    writes twice as hawkishly as the others is read against its own tone);
    ``escalation_intensity`` is their difference (the default state of
    :func:`georisk.risk_premium`), ``hawkish_tone`` and ``peace_tone`` their ratios to
    ``attention`` (1 = base tone). The old share of relevant articles among those
    supplied, :math:`n^{rel}_d / n_d`, is kept as ``relevant_share``: in a corpus already
    filtered to the conflict it measures the filter. When the feed reports how many
    articles it monitored in all (``monitored``, as GDELT's timeline does),
    ``attention_share`` :math:`= n^{rel}_d / N_d` is the share of that true total, a
    direct analogue of the GPR's share of articles. ``n_sources`` counts the sources
    publishing that session. Scores without a ``source`` column are one source.

    Examples
    --------
    >>> from georisk.datasets import load_sample
    >>> from georisk import score_articles, daily_signal
    >>> sig = daily_signal(score_articles(load_sample().articles))
    >>> sig.index.name, int(sig["n_articles"].sum())
    ('session', 1483)
    """
    check_signal_parameters(half_life, zscore_window, min_periods)
    sums = session_sums(scores, calendar=calendar, relevance_threshold=relevance_threshold)
    return signal_from_sums(
        sums.set_index("session"),
        calendar=calendar,
        half_life=half_life,
        zscore_window=zscore_window,
        min_periods=min_periods,
        start=start,
        end=end,
        attention_base=attention_base,
        source_warmup=source_warmup,
        source_window=source_window,
        monitored=monitored,
    )


def session_sums(scores: pd.DataFrame, *, calendar: str = "XNYS", relevance_threshold: float = 0.2) -> pd.DataFrame:
    """Per-session sums of one chunk of article scores (the associative part of the signal).

    Parameters
    ----------
    scores : pandas.DataFrame
        Article scores (``published_at`` tz-aware, ``relevance``, ``hawkish_tilt``,
        ``peace_trade``, ``hawkish_threat``, ``hawkish_act``, the channels), e.g. one
        chunk or partition of :func:`georisk.score_articles`.
    calendar : str, default "XNYS"
        Exchange calendar; an article belongs to the first session whose close is at or
        after its ``published_at`` (:func:`georisk.calendar.assign_sessions`).
    relevance_threshold : float, default 0.2
        Articles with ``relevance`` at or above it count as relevant.

    Returns
    -------
    pandas.DataFrame
        Columns ``session`` (tz-naive session dates, only sessions with articles),
        ``source`` (the scores' ``source``, or ``"all"`` when they have none) and
        :data:`SUM_COLUMNS`, all float64; one row per session and source.

    Notes
    -----
    With relevance :math:`w_i`, scores :math:`x_i`, channel exposure :math:`c_i` and net
    escalation :math:`n_i = h_i - p_i` of the articles :math:`i` of session :math:`d`:
    ``one`` :math:`= \\sum 1`, ``relevant`` :math:`= \\sum [w_i \\ge \\tau]`,
    ``w`` :math:`= \\sum w_i`, ``w_x`` :math:`= \\sum w_i x_i`,
    ``w_esc_c`` :math:`= \\sum w_i c_i n_i`. Each is a sum over articles, so the sums of
    disjoint chunks add up to the sums of their union, in any grouping.
    """
    _check_scores(scores)
    bad = [c for c in SCORE_COLUMNS_NEEDED[1:] if scores[c].isna().any()]
    if bad:
        missing = scores[bad[0]].isna().to_numpy()
        row = scores.index[missing][0]
        article = f" (article {scores['id'].to_numpy()[missing][0]!r})" if "id" in scores.columns else ""
        raise ConfigError(f"scores[{bad[0]!r}] is NaN at row {row!r}{article}; score every article (or drop it) first")
    if scores["published_at"].isna().any():
        raise ConfigError("scores['published_at'] has missing timestamps; drop or fix those articles first")
    sessions = assign_sessions(scores["published_at"], calendar)
    w = scores["relevance"].to_numpy(dtype=float)
    source = scores["source"].astype(str).to_numpy() if "source" in scores.columns else np.full(len(scores), "all")
    cols: dict[str, np.ndarray] = {
        "one": np.ones(len(w)),
        "relevant": (w >= relevance_threshold).astype(float),
        "w": w,
    }
    for name, col in _SCORE_FOR.items():
        cols[f"w_{name}"] = w * scores[col].to_numpy(dtype=float)
    net = scores["hawkish_tilt"].to_numpy(dtype=float) - scores["peace_trade"].to_numpy(dtype=float)
    hawk = scores["hawkish_tilt"].to_numpy(dtype=float)
    peace = scores["peace_trade"].to_numpy(dtype=float)
    for c in CHANNELS:
        exposure = w * scores[c].to_numpy(dtype=float)
        cols[f"w_esc_{c}"] = exposure * net
        cols[f"w_hawk_{c}"] = exposure * hawk
        cols[f"w_peace_{c}"] = exposure * peace
    agg = pd.DataFrame({"session": sessions.to_numpy(), "source": source, **{c: cols[c] for c in SUM_COLUMNS}})
    out = _group_sums(agg, ["session", "source"])
    out["session"] = out["session"].astype("datetime64[ns]")
    out["source"] = out["source"].astype(object)
    return out[["session", "source", *SUM_COLUMNS]].astype({c: "float64" for c in SUM_COLUMNS})


def signal_from_sums(
    sums: pd.DataFrame,
    *,
    calendar: str = "XNYS",
    half_life: float = 5.0,
    zscore_window: int | None = 252,
    min_periods: int = 60,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    attention_base: tuple[str | pd.Timestamp, str | pd.Timestamp] | None = None,
    source_warmup: int = 20,
    source_window: int = 250,
    monitored: pd.Series | None = None,
) -> pd.DataFrame:
    """Turn per-session sums into the daily signal (levels, smoothing, z-scores).

    Parameters
    ----------
    sums : pandas.DataFrame
        :data:`SUM_COLUMNS` indexed by session, with an optional ``source`` column (one
        row per session and source that has articles, any order; rows of the same
        session and source are added), e.g. the total of :func:`session_sums` over all
        chunks.
    calendar, half_life, zscore_window, min_periods, start, end, attention_base, source_warmup, source_window
        As in :func:`daily_signal`.
    monitored : pandas.Series, optional
        As in :func:`daily_signal`.

    Returns
    -------
    pandas.DataFrame
        The frame :func:`daily_signal` returns for the same articles: index
        ``session``, columns :data:`SIGNAL_COLUMNS`.

    Notes
    -----
    The formulas of :func:`daily_signal`: levels
    :math:`x_d = \\sum w_i x_i / \\sum w_i`, the causal ratio of exponentially weighted
    sums :math:`S_d(w x) / S_d(w)` with :math:`\\alpha = 1 - 2^{-1/h}`, and the trailing
    z-score of :math:`e_d = \\bar h_d - \\bar p_d` with a NaN warm-up of
    ``min_periods`` sessions. Only the per-session frame is touched, so this step is
    small whatever the size of the archive (:mod:`georisk.distributed` uses it after
    adding the sums of many partitions).
    """
    check_signal_parameters(half_life, zscore_window, min_periods)
    missing = [c for c in SUM_COLUMNS if c not in sums.columns]
    if missing:
        raise ConfigError(f"sums lacks column(s) {missing}; build it with georisk.signals.session_sums")
    if source_warmup < 1 or source_window < source_warmup:
        raise ConfigError(f"source_warmup={source_warmup} must be >= 1 and <= source_window={source_window}")
    has = sums[sums["one"] > 0]
    lo = pd.Timestamp(start) if start is not None else (has.index.min() if len(has) else None)
    hi = pd.Timestamp(end) if end is not None else (has.index.max() if len(has) else None)
    if lo is None or hi is None:
        raise ConfigError("scores is empty and no start/end was given; there is nothing to aggregate")
    index = session_closes(calendar, str(lo.date()), str(hi.date())).index
    index.name = "session"
    keyed = sums.assign(source=sums["source"].astype(str) if "source" in sums.columns else "all")
    keyed.index = pd.DatetimeIndex(keyed.index, name="session")
    keyed = keyed[keyed.index.isin(index)]
    by_source = _group_sums(keyed.reset_index(), ["session", "source"]).set_index(["session", "source"])

    def wide(col: str) -> pd.DataFrame:
        frame = by_source[col].unstack("source").reindex(index)
        return frame.fillna(0.0)

    per_source_articles = wide("one")
    sums = _group_sums(by_source.reset_index(), ["session"]).set_index("session").reindex(index, fill_value=0.0)

    out = pd.DataFrame(index=index)
    out["n_articles"] = sums["one"].astype("int64")
    out["n_relevant"] = sums["relevant"].astype("int64")
    out["n_sources"] = (per_source_articles > 0).sum(axis=1).astype("int64") if len(per_source_articles.columns) else 0
    out["relevant_share"] = (sums["relevant"] / sums["one"]).where(sums["one"] > 0)
    norm = {"warmup": source_warmup, "window": source_window, "base": attention_base}
    # A session collects the news of every calendar day since the previous close (a Monday
    # holds three): the intensities are per day, so a weekend is not a burst of attention.
    days = _days_collected(pd.DatetimeIndex(index), calendar)

    def per_day(col: str) -> pd.DataFrame:
        return wide(col).div(days, axis=0)

    out["attention"] = source_normalised(per_day("relevant"), per_source_articles, **norm)  # type: ignore[arg-type]
    out["attention_index"] = _attention_index(out["attention"], attention_base, 1)
    out["hawkish_intensity"] = source_normalised(per_day("w_hawkish"), per_source_articles, **norm)  # type: ignore[arg-type]
    out["peace_intensity"] = source_normalised(per_day("w_peace"), per_source_articles, **norm)  # type: ignore[arg-type]
    out["escalation_intensity"] = out["hawkish_intensity"] - out["peace_intensity"]
    att = out["attention"].where(out["attention"] > 0)
    out["hawkish_tone"] = out["hawkish_intensity"] / att
    out["peace_tone"] = out["peace_intensity"] / att
    out["attention_share"] = _share_of_monitored(sums["relevant"], monitored, pd.DatetimeIndex(index), calendar)
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
    out = out.astype({c: "float64" for c in SIGNAL_COLUMNS if c not in ("n_articles", "n_relevant")})
    return out[SIGNAL_COLUMNS].replace([np.inf, -np.inf], np.nan)
