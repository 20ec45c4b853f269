"""daily_signal: the close cutoff, explicit empty sessions, causal smoothing and z-scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from georisk.errors import ConfigError
from georisk.signals import CHANNELS, SIGNAL_COLUMNS, daily_signal

LEVELS = ["relevance", "hawkish_tilt", "peace_trade", "hawkish_threat", "hawkish_act"]


def _scores(stamps: list[str], zone: str = "America/New_York", **values: list[float]) -> pd.DataFrame:
    n = len(stamps)
    frame = pd.DataFrame({"published_at": pd.DatetimeIndex(stamps).tz_localize(zone)})
    for c in [*LEVELS, *CHANNELS]:
        frame[c] = values.get(c, [0.5] * n)
    return frame


def test_article_at_15_59_59_counts_today_and_16_00_01_tomorrow() -> None:
    # Thursday 2024-03-07 and Friday 03-08 (the weekend before the US DST switch).
    sig = daily_signal(
        _scores(["2024-03-07 15:59:59", "2024-03-07 16:00:00", "2024-03-07 16:00:01", "2024-03-08 09:00"]),
        min_periods=2,
        zscore_window=10,
    )
    assert sig["n_articles"].to_dict() == {pd.Timestamp("2024-03-07"): 2, pd.Timestamp("2024-03-08"): 2}


def test_same_instant_in_another_zone_and_across_dst() -> None:
    # 16:00:01 New York on Monday 2024-03-11 (EDT, UTC-4) is 20:00:01 UTC.
    sig = daily_signal(
        _scores(["2024-03-11 19:59:59", "2024-03-11 20:00:01"], zone="UTC"), min_periods=2, zscore_window=10
    )
    assert sig["n_articles"].tolist() == [1, 1]
    assert sig.index.tolist() == [pd.Timestamp("2024-03-11"), pd.Timestamp("2024-03-12")]


def test_weekends_holidays_and_early_closes_roll_forward() -> None:
    stamps = [
        "2024-11-29 13:00:01",  # day after Thanksgiving closes at 13:00 -> Monday
        "2024-11-28 10:00",  # Thanksgiving, closed -> Friday 11-29
        "2024-11-30 12:00",  # Saturday -> Monday 12-02
        "2024-12-24 12:59:59",  # Christmas Eve early close 13:00 -> same day
        "2024-12-25 09:00",  # Christmas -> 12-26
    ]
    sig = daily_signal(_scores(stamps), min_periods=2, zscore_window=10)
    counts = sig["n_articles"]
    assert counts.loc["2024-11-29"] == 1
    assert counts.loc["2024-12-02"] == 2
    assert counts.loc["2024-12-24"] == 1
    assert counts.loc["2024-12-26"] == 1
    assert counts.sum() == len(stamps)
    # Sessions without articles are explicit zeros with NaN levels, never guesses.
    quiet = sig.loc["2024-12-03"]
    assert quiet["n_articles"] == 0
    assert np.isnan(quiet["hawkish"])
    assert np.isnan(quiet["relevant_share"])
    assert not np.isnan(quiet["hawkish_ema"])  # the smoothed state carries past evidence


def test_levels_attention_and_channels_follow_the_formulas() -> None:
    scores = _scores(
        ["2024-06-03 10:00", "2024-06-03 11:00", "2024-06-03 12:00"],
        relevance=[1.0, 0.5, 0.1],
        hawkish_tilt=[0.8, 0.2, 1.0],
        peace_trade=[0.0, 0.6, 0.0],
        energy=[1.0, 0.0, 0.0],
    )
    row = daily_signal(scores, min_periods=2, zscore_window=10, relevance_threshold=0.2).iloc[0]
    w = np.array([1.0, 0.5, 0.1])
    assert row["relevant_share"] == pytest.approx(2 / 3)
    assert row["hawkish"] == pytest.approx((w * [0.8, 0.2, 1.0]).sum() / w.sum())
    assert row["peace"] == pytest.approx((w * [0.0, 0.6, 0.0]).sum() / w.sum())
    assert row["escalation"] == pytest.approx(row["hawkish"] - row["peace"])
    assert row["escalation_energy"] == pytest.approx(0.8 / w.sum())
    assert row["hawkish_energy"] == pytest.approx(0.8 / w.sum())
    assert row["peace_energy"] == 0.0


def test_smoothing_is_causal_exponential_decay() -> None:
    stamps = ["2024-06-03 10:00", "2024-06-05 10:00"]
    sig = daily_signal(_scores(stamps, hawkish_tilt=[1.0, 0.0]), half_life=1.0, min_periods=2, zscore_window=10)
    # Session 06-04 has no article: the ratio of decayed sums keeps the level at 1.
    assert sig["hawkish_ema"].tolist()[:2] == [1.0, 1.0]
    # On 06-05, weights 0.25 (two half-lives ago) and 0.5: (0.25 * 1 + 0.5 * 0) / 0.75.
    assert sig["hawkish_ema"].iloc[2] == pytest.approx(1 / 3)


def _long(seed: int = 0, n: int = 600) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t0 = pd.Timestamp("2023-01-03 09:00", tz="America/New_York")
    stamps = t0 + pd.to_timedelta(np.sort(rng.uniform(0, 200 * 86400, n)), unit="s")
    frame = pd.DataFrame({"published_at": stamps})
    for c in [*LEVELS, *CHANNELS]:
        frame[c] = rng.uniform(0, 1, n)
    return frame


def test_warm_up_is_nan_and_z_splits_into_hawkish_minus_peace() -> None:
    sig = daily_signal(_long(), min_periods=30, zscore_window=60)
    assert list(sig.columns) == SIGNAL_COLUMNS
    assert sig["escalation_z"].iloc[:29].isna().all()
    assert sig["escalation_z"].iloc[30:].notna().all()
    z = sig.dropna(subset=["escalation_z"])
    np.testing.assert_allclose(z["escalation_z"], z["escalation_z_hawkish"] - z["escalation_z_peace"], atol=1e-9)
    # The trailing z-score uses sessions up to d only.
    e = sig["escalation_ema"]
    d = 100
    window = e.iloc[d - 59 : d + 1]
    assert sig["escalation_z"].iloc[d] == pytest.approx((e.iloc[d] - window.mean()) / window.std())


def test_attention_index_is_causal_and_averages_100_over_its_base() -> None:
    scores = _long(seed=1)
    sig = daily_signal(scores, min_periods=5, zscore_window=60, attention_base=("2023-02-01", "2023-04-28"))
    base = sig.loc["2023-02-01":"2023-04-28"]
    after = sig.loc["2023-05-01":]
    # After the base ends, the scale is the full base mean: the base averages 100 on it.
    base_mean = base["attention"].mean()
    np.testing.assert_allclose(after["attention_index"], 100.0 * after["attention"] / base_mean)
    assert (100.0 * base["attention"] / base_mean).mean() == pytest.approx(100.0)
    # Before the base starts there is no base mean: NaN, not an invented scale.
    assert sig.loc[:"2023-01-31", "attention_index"].isna().all()
    # Inside the base, the scale uses base sessions up to d only.
    d = base.index[20]
    seen = base.loc[:d, "attention"].dropna()
    assert sig.loc[d, "attention_index"] == pytest.approx(100 * sig.loc[d, "attention"] / seen.mean())


def test_bad_inputs_name_the_fix() -> None:
    scores = _scores(["2024-06-03 10:00"])
    with pytest.raises(ConfigError, match="half_life=0"):
        daily_signal(scores, half_life=0)
    with pytest.raises(ConfigError, match="min_periods=70 cannot exceed zscore_window=60"):
        daily_signal(scores, min_periods=70, zscore_window=60)
    with pytest.raises(ConfigError, match=r"scores\['peace_trade'\] is NaN at row 0"):
        daily_signal(scores.assign(peace_trade=np.nan), min_periods=2, zscore_window=10)
    with pytest.raises(ConfigError, match="lacks column"):
        daily_signal(scores.drop(columns="energy"))
    with pytest.raises(ConfigError, match="attention_base"):
        daily_signal(scores, min_periods=2, zscore_window=10, attention_base=("2024-05-01", "2024-01-01"))
