"""Max drawdown counts the initial capital as the first peak."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from georisk.evaluation import max_drawdown, performance_metrics


def _series(values: list[float]) -> pd.Series:
    return pd.Series(values, index=pd.bdate_range("2020-01-01", periods=len(values), name="session"), dtype=float)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([-0.5, 0.1], -0.5),
        ([-0.1, -0.1, 0.3], 0.9 * 0.9 - 1),
        ([0.1, -0.5], -0.5),
        ([0.01, 0.02], 0.0),
        ([np.nan, -0.2, 0.1], -0.2),
    ],
)
def test_a_loss_on_the_first_session_is_a_drawdown(values, expected):
    assert max_drawdown(_series(values)) == pytest.approx(expected, abs=1e-15)


def test_empty_returns_have_no_drawdown():
    assert np.isnan(max_drawdown(_series([])))


def test_calmar_uses_the_first_session_loss():
    r = _series([-0.2, 0.05, 0.05, 0.05])
    m = performance_metrics(r)
    assert m["max_drawdown"] == pytest.approx(-0.2)
    assert m["calmar"] == pytest.approx(r.mean() * 252 / 0.2)


def test_drawdown_matches_a_brute_force_search():
    rng = np.random.default_rng(5)
    r = rng.normal(0.0, 0.02, 60)
    equity = np.concatenate([[1.0], np.cumprod(1 + r)])
    worst = min(equity[j] / equity[i] - 1 for i in range(len(equity)) for j in range(i, len(equity)))
    assert max_drawdown(_series(list(r))) == pytest.approx(worst, rel=1e-12)
