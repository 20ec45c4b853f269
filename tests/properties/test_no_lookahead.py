"""No look-ahead, proven: truncating the inputs at a cut date never changes a value up to it.

Covers every column of :func:`georisk.daily_signal` (source-normalised attention and
intensities included) and :func:`georisk.risk_premium` (shocks, responses, premia and
their bands, the oil premium in USD; an external series as the state), the superseded
:func:`georisk.premium.loading_premium` (ridge and Huber), and the backtest's target and
held positions, on drawn articles around the close in drawn time zones.
"""

from __future__ import annotations

from typing import get_args

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from georisk.backtesting import Strategy, backtest, target_positions
from georisk.premium import loading_premium, risk_premium
from georisk.signals import SIGNAL_COLUMNS, daily_signal, external_signal
from georisk.testing import check_lookahead
from tests.properties._data import LEGACY_KW, PREMIUM_KW, SIGNAL_KW, Case, cases, universe

PROPERTY = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
UNIVERSE = universe()


def _signal(scores: pd.DataFrame) -> pd.DataFrame:
    return daily_signal(scores, **SIGNAL_KW)  # type: ignore[arg-type]


def _premium(scores: pd.DataFrame, prices: pd.DataFrame, **kw: object) -> pd.DataFrame:
    return risk_premium(_signal(scores), prices, UNIVERSE, **PREMIUM_KW, **kw)  # type: ignore[arg-type]


@pytest.mark.slow
@PROPERTY
@given(cases())
def test_signal_has_no_lookahead(drawn: tuple[Case, list[pd.Timestamp]]) -> None:
    case, cuts = drawn
    before = case.scores.copy()
    report = check_lookahead(_signal, case.scores, cut_dates=cuts)
    assert report.ok
    assert report.n_compared > 0
    pd.testing.assert_frame_equal(case.scores, before)  # inputs are not mutated


@pytest.mark.slow
@PROPERTY
@given(cases(), st.sampled_from(list(get_args(Strategy))))
def test_premium_and_positions_have_no_lookahead(drawn: tuple[Case, list[pd.Timestamp]], strategy: Strategy) -> None:
    case, cuts = drawn
    prices_before = case.prices.copy()

    def chain(scores: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
        sig = _signal(scores)
        prem = risk_premium(sig, prices, UNIVERSE, **PREMIUM_KW)  # type: ignore[arg-type]
        kw = {"strategy": strategy, "horizon": 3, "scale_window": 10}
        targets = target_positions(prem, UNIVERSE.risk_sleeves, **kw).add_prefix("target_")  # type: ignore[arg-type]
        held = backtest(prem, placebo_runs=0, bootstrap_reps=0, **kw).positions.add_prefix("held_")  # type: ignore[arg-type]
        return pd.concat([sig, prem, targets, held], axis=1)

    report = check_lookahead(chain, case.scores, case.prices, cut_dates=cuts)
    assert report.ok
    pd.testing.assert_frame_equal(case.prices, prices_before)


@pytest.mark.slow
@PROPERTY
@given(cases())
def test_huber_premium_has_no_lookahead(drawn: tuple[Case, list[pd.Timestamp]]) -> None:
    case, cuts = drawn

    def legacy(s: pd.DataFrame, p: pd.DataFrame) -> pd.DataFrame:
        sig = _signal(s)
        return loading_premium(sig, p, UNIVERSE, state="escalation_z", loading_method="huber", **LEGACY_KW)  # type: ignore[arg-type]

    assert check_lookahead(legacy, case.scores, case.prices, cut_dates=cuts).ok


@pytest.mark.slow
@PROPERTY
@given(cases())
def test_external_state_premium_has_no_lookahead(drawn: tuple[Case, list[pd.Timestamp]]) -> None:
    case, cuts = drawn
    # A daily external series (calendar days, weekends included), known at the end of its day.
    days = pd.date_range(case.sessions[0] - pd.Timedelta(days=5), case.sessions[-1], freq="D")
    gpr = pd.Series(100 + (days.day_of_year.to_numpy() * 37 % 101), index=days, name="gpr", dtype=float)

    def chain(series: pd.Series, prices: pd.DataFrame) -> pd.DataFrame:
        sig = external_signal(series, zscore_window=30, min_periods=10, half_life=2.0)
        prem = risk_premium(sig, prices, UNIVERSE, state="gpr", transform="log", **PREMIUM_KW)  # type: ignore[arg-type]
        return pd.concat([sig, prem], axis=1)

    # A value dated calendar day t is known at midnight ending t: cut it at the day before d.
    def known(series: pd.Series, cut: pd.Timestamp) -> pd.Series:
        return series[series.index < cut]

    assert check_lookahead(chain, gpr, case.prices, cut_dates=cuts, truncate=[known, None]).ok


def test_property_inputs_exercise_every_column() -> None:
    """The drawn-shaped inputs leave no column all-NaN, so the properties above bite."""
    from tests.properties._data import make_prices, make_scores, sessions_from

    closes = sessions_from("2024-01-02")
    scores = make_scores(closes, [(5, 1, "Asia/Tokyo"), (6, 0, "UTC")], seed=3)
    prices = make_prices(closes, seed=3)
    sig = _signal(scores)
    prem = _premium(scores, prices)
    held = backtest(prem, horizon=3, scale_window=10, placebo_runs=0, bootstrap_reps=0).positions
    # attention_share needs the feed's total (monitored=): its no-look-ahead check is in
    # tests/test_signals_attention.py
    for frame in (sig[[c for c in SIGNAL_COLUMNS if c != "attention_share"]], prem, held):
        empty = [c for c in frame.columns if frame[c].isna().all()]
        assert not empty
