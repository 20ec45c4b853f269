"""Attention that measures attention: source effects, sources that come and go, days collected, the true total."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from georisk.errors import ConfigError
from georisk.signals import CHANNELS, daily_signal
from georisk.testing import check_lookahead

LEVELS = ["relevance", "hawkish_tilt", "peace_trade", "hawkish_threat", "hawkish_act"]


def _feed(rate: pd.Series, source: str, seed: int, hawkish: float = 0.3) -> pd.DataFrame:
    """A Poisson stream of relevant articles with daily ``rate`` (calendar days), spread over each day."""
    rng = np.random.default_rng(seed)
    rows = []
    for day, lam in rate.items():
        for _ in range(rng.poisson(lam)):
            rows.append(pd.Timestamp(day, tz="UTC") + pd.Timedelta(seconds=float(rng.uniform(0, 86399))))
    frame = pd.DataFrame({"published_at": pd.DatetimeIndex(rows), "source": source})
    for c in [*LEVELS, *CHANNELS]:
        frame[c] = 0.0
    frame["relevance"] = 1.0
    frame["hawkish_tilt"] = hawkish
    frame["peace_trade"] = 0.1
    return frame.sort_values("published_at").reset_index(drop=True)


DAYS = pd.date_range("2023-01-01", "2024-06-30", freq="D")
CALM = pd.Series(4.0, index=DAYS)
WAR = CALM.where(DAYS < "2024-01-01", 16.0)  # real attention quadruples in 2024


def _signal(frames: list[pd.DataFrame]) -> pd.DataFrame:
    scores = pd.concat(frames, ignore_index=True).sort_values("published_at").reset_index(drop=True)
    return daily_signal(scores, min_periods=10, zscore_window=60, start="2023-01-03", end="2024-06-28")


def test_a_source_that_starts_stops_or_changes_volume_does_not_move_attention() -> None:
    base = _signal([_feed(CALM, "wire", 0)])["attention"]
    # a second source, five times as prolific and twice as hawkish, runs from March to September 2023
    extra = CALM.loc["2023-03-01":"2023-09-30"] * 5
    both = _signal([_feed(CALM, "wire", 0), _feed(extra, "blog", 1, hawkish=0.6)])
    a = both["attention"]
    for period in (slice("2023-05-01", "2023-09-29"), slice("2023-10-02", "2023-12-29")):
        assert a.loc[period].mean() == pytest.approx(base.loc[period].mean(), rel=0.1)
    # the sessions right after it stops are not read as silence
    assert a.loc["2023-10-02":"2023-10-06"].mean() > 0.7
    # a twice-as-hawkish source is read against its own tone
    h = both["hawkish_intensity"].loc["2023-05-01":"2023-09-29"].mean()
    assert h == pytest.approx(
        _signal([_feed(CALM, "wire", 0)])["hawkish_intensity"].loc["2023-05-01":"2023-09-29"].mean(), rel=0.1
    )
    # the old share of relevant articles stays at 1 whatever happens: it measures the filter
    assert (both["relevant_share"].dropna() == 1.0).all()


def test_news_that_lifts_every_source_lifts_attention() -> None:
    sig = _signal([_feed(WAR, "wire", 2), _feed(WAR * 3, "paper", 3)])
    before = sig["attention"].loc["2023-06-01":"2023-12-29"].mean()
    after = sig["attention"].loc["2024-02-01":"2024-06-28"].mean()
    assert after / before == pytest.approx(4.0, rel=0.15)


def test_a_monday_is_not_a_burst_of_attention() -> None:
    sig = _signal([_feed(CALM, "wire", 4)])
    a = sig["attention"].loc["2023-03-01":]
    mondays = a[a.index.day_of_week == 0].mean()
    others = a[a.index.day_of_week.isin([1, 2, 3])].mean()
    assert mondays == pytest.approx(others, rel=0.1)
    assert (
        sig["n_articles"][sig.index.day_of_week == 0].mean() > 2 * sig["n_articles"][sig.index.day_of_week == 2].mean()
    )


def test_attention_share_uses_the_true_total_and_no_future_total() -> None:
    scores = _feed(CALM, "gdelt", 5)
    monitored = pd.Series(1000.0, index=DAYS)
    sig = daily_signal(
        scores, min_periods=10, zscore_window=60, start="2023-01-03", end="2024-06-28", monitored=monitored
    )
    # a Monday collects three days of articles and three days of totals
    share = sig["attention_share"].dropna()
    assert share.mean() == pytest.approx(4.0 / 1000.0, rel=0.1)
    d = pd.Timestamp("2023-06-05")  # a Monday
    assert sig.loc[d, "attention_share"] == pytest.approx(sig.loc[d, "n_relevant"] / 3000.0)

    def run(s: pd.DataFrame, m: pd.Series) -> pd.DataFrame:
        return daily_signal(s, min_periods=10, zscore_window=60, monitored=m)[["attention_share"]]

    def known(m: pd.Series, cut: pd.Timestamp) -> pd.Series:
        return m[m.index < cut]  # a day's total is complete at its end

    assert check_lookahead(run, scores, monitored, cut_dates=["2023-06-05", "2024-02-13"], truncate=[None, known]).ok
    with pytest.raises(ConfigError, match="monitored"):
        daily_signal(scores, monitored=monitored * -1)
