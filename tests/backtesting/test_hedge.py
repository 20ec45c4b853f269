"""Costs charge the benchmark hedge leg as well as the sleeve legs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import georisk
from georisk.backtesting import hedge_betas, simulate
from georisk.errors import ConfigError
from tests.backtesting.test_engine import SLEEVES, synthetic_premium

KW = {"placebo_runs": 0, "bootstrap_reps": 0}


def _by_hand(positions: pd.DataFrame, betas: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    h = positions.fillna(0.0)
    sleeve = h.diff().fillna(h).abs().sum(axis=1) / len(SLEEVES)
    hedge = -(h * betas.fillna(0.0).to_numpy()).sum(axis=1) / len(SLEEVES)
    return sleeve, hedge.diff().fillna(hedge).abs()


def test_turnover_adds_the_hedge_leg_by_hand():
    prem = synthetic_premium(seed=21, n=400, beta=0.9)
    res = georisk.backtest(prem, cost_bps=5, **KW)
    betas = prem[[f"{k}_beta" for k in SLEEVES]]
    sleeve, hedge_turn = _by_hand(res.positions, betas)
    np.testing.assert_allclose(res.turnover, sleeve + hedge_turn, rtol=0, atol=1e-14)
    assert hedge_turn.sum() > 0.2 * sleeve.sum()
    assert res.metrics["turnover_hedge"] == pytest.approx(hedge_turn.reindex(res.returns.dropna().index).mean() * 252)
    assert res.hedge is not None
    np.testing.assert_allclose(res.hedge, -(res.positions.fillna(0.0) * betas.to_numpy()).sum(axis=1) / 3, atol=1e-15)
    # the same positions unhedged cost less
    flat = prem.copy()
    flat[betas.columns] = 0.0
    free = georisk.backtest(flat, cost_bps=5, **KW)
    pd.testing.assert_frame_equal(free.positions, res.positions)
    np.testing.assert_allclose(free.turnover, sleeve, rtol=0, atol=1e-15)
    assert res.costs.sum() > free.costs.sum()
    assert res.metrics["sharpe"] < free.metrics["sharpe"]


def test_beta_drift_is_charged_while_the_sleeves_hold_still():
    n, k = 30, 3
    rng = np.random.default_rng(3)
    betas = 0.8 + np.cumsum(0.05 * rng.standard_normal((n, k)), axis=0)
    targets = np.ones((n, 1, k))
    sim = simulate(targets, np.zeros((n, k)), np.array([1]), np.array([1e-3]), betas)
    assert sim["turnover_sleeve"][2:, 0].max() == 0.0
    expected = np.abs(np.diff(betas.sum(axis=1))) / k  # hedge -sum(beta)/K moves with the betas
    np.testing.assert_allclose(sim["turnover_hedge"][2:, 0], expected[1:], rtol=1e-12)
    np.testing.assert_allclose(sim["net"][2:, 0], -1e-3 * expected[1:], rtol=1e-12)
    # entry at session 1: one unit of each sleeve and the hedge set with the betas of session 1
    assert sim["turnover"][1, 0] == pytest.approx(1.0 + betas[1].sum() / k)
    no_hedge = simulate(targets, np.zeros((n, k)), np.array([1]), np.array([1e-3]))
    assert no_hedge["turnover_hedge"].max() == 0.0


def test_the_hedge_of_a_session_uses_the_beta_dated_that_session():
    prem = synthetic_premium(seed=22, n=300, beta=1.0)
    res = georisk.backtest(prem, **KW)
    cut = 200
    assert (res.positions.iloc[cut] != 0).any()
    later = prem.copy()
    later.iloc[cut + 1 :, later.columns.get_indexer([f"{k}_beta" for k in SLEEVES])] = 5.0
    moved = georisk.backtest(later, **KW)
    np.testing.assert_array_equal(moved.turnover.iloc[: cut + 1], res.turnover.iloc[: cut + 1])
    assert moved.turnover.iloc[cut + 1] != res.turnover.iloc[cut + 1]
    now = prem.copy()
    now.iloc[cut, now.columns.get_indexer([f"{k}_beta" for k in SLEEVES])] = 5.0
    assert georisk.backtest(now, **KW).turnover.iloc[cut] != res.turnover.iloc[cut]


def test_placebo_runs_pay_for_the_hedge_too():
    prem = synthetic_premium(seed=23, n=500, beta=1.0)
    kw = {"cost_bps": 50.0, "placebo_runs": 10, "bootstrap_reps": 0, "seed": 4}
    hedged = georisk.backtest(prem, **kw)
    flat = prem.copy()
    flat[[f"{k}_beta" for k in SLEEVES]] = 0.0
    unhedged = georisk.backtest(flat, **kw)
    assert hedged.placebo_sharpes.mean() < unhedged.placebo_sharpes.mean()


def test_missing_betas_name_the_columns():
    prem = synthetic_premium(n=200).drop(columns=["grain_beta"])
    with pytest.raises(ConfigError, match=r"premium lacks \['grain_beta'\].*georisk.risk_premium"):
        georisk.backtest(prem, **KW)
    with pytest.raises(ConfigError, match="grain_beta"):
        hedge_betas(prem, SLEEVES)
