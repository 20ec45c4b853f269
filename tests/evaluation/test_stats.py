"""Honest statistics against published values and against statsmodels and arch."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from georisk.errors import ConfigError
from georisk.evaluation import (
    block_shuffle,
    bootstrap_pvalue,
    deflated_sharpe,
    deflated_sharpe_from_stats,
    expected_max_sharpe,
    newey_west_t,
    optimal_block_length,
    probabilistic_sharpe,
    probabilistic_sharpe_from_stats,
    random_shift,
    spa_test,
    stationary_bootstrap_indices,
)


def test_deflated_sharpe_worked_example_of_bailey_and_lopez_de_prado_2014():
    # JPM 2014, section "A numerical example": SR 2.5 annualised, T = 1250 days, N = 100 trials,
    # V[SR] = 1/2 annualised, skewness -3, kurtosis 10 -> SR0 = 0.1132 (daily), DSR = 0.9004.
    sr0 = expected_max_sharpe(100, 0.5 / 250)
    assert sr0 == pytest.approx(0.1132, abs=5e-5)
    dsr = deflated_sharpe_from_stats(2.5 / math.sqrt(250), 1250, 100, 0.5 / 250, skew=-3, kurtosis=10)
    assert dsr == pytest.approx(0.9004, abs=5e-4)


def test_psr_properties():
    # With normal moments PSR reduces to Phi(SR sqrt(n-1) / sqrt(1 + SR^2 / 2)).
    sr, n = 0.1, 500
    expected = 0.5 * (1 + math.erf(sr * math.sqrt(n - 1) / math.sqrt(1 + sr**2 / 2) / math.sqrt(2)))
    assert probabilistic_sharpe_from_stats(sr, n) == pytest.approx(expected, rel=1e-12)
    assert probabilistic_sharpe_from_stats(0.0, 100) == pytest.approx(0.5)
    x = np.random.default_rng(0).normal(0.001, 0.01, 1000)
    assert 0.5 < probabilistic_sharpe(x) < 1.0
    assert deflated_sharpe(x, n_trials=1) == pytest.approx(probabilistic_sharpe(x))
    assert deflated_sharpe(x, n_trials=50) < probabilistic_sharpe(x)
    assert expected_max_sharpe(1, 0.3) == 0.0
    with pytest.raises(ConfigError, match="n_trials=0"):
        expected_max_sharpe(0, 0.1)


@pytest.mark.parametrize("lags", [0, 3, 12])
def test_newey_west_matches_statsmodels(lags):
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(lags)
    e = rng.standard_normal(600)
    x = 0.05 + np.convolve(e, np.ones(5) / 5, mode="same")  # autocorrelated
    fit = sm.OLS(x, np.ones_like(x)).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": False})
    assert newey_west_t(x, lags) == pytest.approx(float(fit.tvalues[0]), rel=1e-10)


def test_newey_west_lags_cover_the_horizon():
    x = pd.Series(np.random.default_rng(1).standard_normal(300)).rolling(20).sum().dropna() + 0.5
    assert newey_west_t(x, horizon=20) == pytest.approx(newey_west_t(x, 19))
    assert abs(newey_west_t(x, horizon=20)) < abs(newey_west_t(x, 0))
    assert math.isnan(newey_west_t([1.0, 2.0]))


def test_stationary_bootstrap_indices_have_geometric_blocks():
    idx = stationary_bootstrap_indices(1000, 200, 10.0, np.random.default_rng(0))
    assert idx.shape == (200, 1000) and idx.min() >= 0 and idx.max() < 1000
    starts = (np.diff(idx, axis=1) % 1000) != 1
    assert 1 / starts.mean() == pytest.approx(10.0, rel=0.05)


def test_bootstrap_p_agrees_with_arch():
    arch_bootstrap = pytest.importorskip("arch.bootstrap")
    rng = np.random.default_rng(2)
    x = 0.0008 + 0.01 * rng.standard_normal(800)
    p, block = bootstrap_pvalue(x, reps=4000, seed=1)
    bs = arch_bootstrap.StationaryBootstrap(block, x - x.mean(), seed=5)
    means = np.array([d[0][0].mean() for d in bs.bootstrap(4000)])
    p_arch = (1 + np.sum(means >= x.mean())) / 4001
    assert p == pytest.approx(p_arch, abs=0.02)
    politis_white = float(arch_bootstrap.optimal_block_length(x)["stationary"].iloc[0])
    assert block == pytest.approx(max(1.0, politis_white))  # a block is never shorter than one row
    y = np.convolve(rng.standard_normal(800), np.ones(10), mode="same")
    assert optimal_block_length(y)[0] == pytest.approx(
        float(arch_bootstrap.optimal_block_length(y)["stationary"].iloc[0])
    )
    assert optimal_block_length(x)[1] == "politis-white"
    assert math.isnan(bootstrap_pvalue(x[:5])[0])


def test_placebo_transforms_keep_the_values():
    rng = np.random.default_rng(3)
    x = np.arange(100.0)
    for out in (block_shuffle(x, 7, rng), random_shift(x, 10, rng)):
        assert sorted(out) == list(x)
        assert not np.array_equal(out, x)
    with pytest.raises(ConfigError, match="min_shift=60"):
        random_shift(x, 60, rng)


def test_spa_finds_the_one_good_model():
    pytest.importorskip("arch")
    rng = np.random.default_rng(4)
    idx = pd.bdate_range("2020-01-01", periods=1000)
    models = pd.DataFrame(0.01 * rng.standard_normal((1000, 20)), index=idx)
    noise_only = spa_test(models, reps=500, seed=1)
    assert noise_only["p_consistent"] > 0.1
    models[5] += 0.002
    found = spa_test(models, reps=500, seed=1)
    assert found["p_consistent"] < 0.05
    assert found["best"] == "5"
    from georisk.evaluation import TrialLedger

    ledger = TrialLedger()
    ledger.record_many([{"model": j} for j in range(20)], models.to_numpy(), models.index)
    assert ledger.spa(reps=500, seed=1)["p_consistent"] == pytest.approx(found["p_consistent"])


def test_without_arch_the_block_rule_falls_back_and_spa_names_the_extra(monkeypatch):
    import sys

    from georisk.errors import OptionalDependencyError

    monkeypatch.setitem(sys.modules, "arch.bootstrap", None)
    x = np.random.default_rng(5).standard_normal(1000)
    block, method = optimal_block_length(x)
    assert method == "n^(1/3)" and block == pytest.approx(10.0)
    assert 0 < bootstrap_pvalue(x, reps=99)[0] <= 1
    with pytest.raises(OptionalDependencyError, match=r'pip install "georisk\[stats\]"'):
        spa_test(pd.DataFrame(x.reshape(500, 2)))


def test_backtest_and_walk_forward_share_one_significance_definition():
    """The same names mean the same numbers: both results equal ``significance`` on their returns."""
    import georisk
    from georisk.backtesting import walk_forward
    from georisk.evaluation import TrialLedger, placebo_summary, significance
    from tests.backtesting.test_engine import synthetic_premium

    prem = synthetic_premium(seed=11, n=700, beta=0.8)
    bt = georisk.backtest(prem, horizon=5, placebo_runs=0, bootstrap_reps=200, seed=3)
    sig = significance(bt.returns, horizon=5, bootstrap_reps=200, seed=np.random.default_rng(3))
    for key, value in sig.as_metrics().items():
        assert bt.metrics[key] == pytest.approx(value, nan_ok=True), key
    assert sig.dsr == pytest.approx(sig.psr)  # one trial: nothing to deflate
    assert sig.nw_lags >= 4

    ledger = TrialLedger(keep_returns=False)
    wf = walk_forward(prem, {"horizon": [1, 10]}, train=200, test=100, bootstrap_reps=200, seed=5, ledger=ledger)
    ws = significance(
        wf.returns,
        horizon=10,
        bootstrap_reps=200,
        seed=5,
        n_trials=ledger.n_trials,
        sharpe_variance=ledger.sharpe_variance(),
    )
    for key, value in ws.as_metrics().items():
        assert wf.metrics[key] == pytest.approx(value, nan_ok=True), key
    assert ws.nw_lags >= 9 and ws.n_trials == 2
    for key, value in placebo_summary(wf.metrics["sharpe"], wf.placebo_sharpes).items():
        assert wf.metrics[key] == pytest.approx(value, nan_ok=True), key


def test_placebo_summary_counts_the_real_run():
    from georisk.evaluation import placebo_summary

    out = placebo_summary(1.0, np.array([0.0, 2.0, np.nan, 0.5]))
    assert out["placebo_p"] == pytest.approx(2 / 4)
    assert out["placebo_sharpe_mean"] == pytest.approx(2.5 / 3)
    assert all(math.isnan(v) for v in placebo_summary(1.0, np.empty(0)).values())


def test_significance_refuses_impossible_options():
    from georisk.evaluation import significance

    x = np.random.default_rng(0).normal(size=50)
    for kwargs in ({"horizon": 0}, {"bootstrap_reps": -1}, {"n_trials": 0}):
        with pytest.raises(ConfigError):
            significance(x, **kwargs)  # type: ignore[arg-type]
