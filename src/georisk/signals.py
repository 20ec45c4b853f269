"""Stage 3: the daily news signal.

Article scores are assigned to sessions with the publication cutoff
(:func:`georisk.calendar.assign_sessions`), summed per session, smoothed causally and
standardised on the past only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from georisk.calendar import assign_sessions, session_closes
from georisk.errors import ConfigError

__all__ = ["CHANNELS", "SIGNAL_COLUMNS", "SUM_COLUMNS", "daily_signal", "session_sums", "signal_from_sums"]

CHANNELS = ("energy", "defense", "grain", "sanctions")
_LEVELS = ("hawkish", "peace", "threat", "act")
_SCORE_FOR = {"hawkish": "hawkish_tilt", "peace": "peace_trade", "threat": "hawkish_threat", "act": "hawkish_act"}

_NEEDED = ["published_at", "relevance", *_SCORE_FOR.values(), *CHANNELS]

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


def _check_scores(scores: pd.DataFrame) -> None:
    needed = ["published_at", "relevance", *_SCORE_FOR.values(), *CHANNELS]
    missing = [c for c in needed if c not in scores.columns]
    if missing:
        raise ConfigError(f"scores lacks column(s) {missing}; build it with georisk.score_articles")
    if not isinstance(scores["published_at"].dtype, pd.DatetimeTZDtype):
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

    Attention is the share of relevant articles, :math:`a_d = n^{rel}_d / n_d` (NaN on
    sessions without articles), and
    :math:`\\text{attention\\_index}_d = 100\\, a_d / \\bar a^{base}_{\\le d}`, where
    :math:`\\bar a^{base}_{\\le d}` is the mean of :math:`a` over base sessions up to
    :math:`d`.

    Examples
    --------
    >>> from georisk.datasets import load_sample
    >>> from georisk import score_articles, daily_signal
    >>> sig = daily_signal(score_articles(load_sample().articles))
    >>> sig.index.name, int(sig["n_articles"].sum())
    ('session', 1483)
    """
    _check_parameters(half_life, zscore_window, min_periods)
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
    _check_scores(scores)
    bad = [c for c in _NEEDED[1:] if scores[c].isna().any()]
    if bad:
        missing = scores[bad[0]].isna().to_numpy()
        row = scores.index[missing][0]
        article = f" (article {scores['id'].to_numpy()[missing][0]!r})" if "id" in scores.columns else ""
        raise ConfigError(f"scores[{bad[0]!r}] is NaN at row {row!r}{article}; score every article (or drop it) first")
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
) -> pd.DataFrame:
    """Turn per-session sums into the daily signal (levels, smoothing, z-scores).

    Parameters
    ----------
    sums : pandas.DataFrame
        :data:`SUM_COLUMNS` indexed by session (one row per session that has articles,
        any order), e.g. the total of :func:`session_sums` over all chunks.
    calendar, half_life, zscore_window, min_periods, start, end, attention_base
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
    _check_parameters(half_life, zscore_window, min_periods)
    missing = [c for c in SUM_COLUMNS if c not in sums.columns]
    if missing:
        raise ConfigError(f"sums lacks column(s) {missing}; build it with georisk.signals.session_sums")
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
    out = out.astype({c: "float64" for c in SIGNAL_COLUMNS if c not in ("n_articles", "n_relevant")})
    return out[SIGNAL_COLUMNS].replace([np.inf, -np.inf], np.nan)
