"""Walk-forward: switching between configurations is charged, and the choice is traded with a lag."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import georisk
from georisk.backtesting import walk_forward
from georisk.errors import ConfigError
from tests.backtesting.test_engine import SLEEVES, synthetic_premium

KW = {"placebo_runs": 0, "bootstrap_reps": 0}
BETAS = [f"{k}_beta" for k in SLEEVES]


def _held(prem: pd.DataFrame, cfg: dict[str, object], t: int) -> np.ndarray:
    return georisk.backtest(prem, **cfg, **KW).positions.iloc[t].fillna(0.0).to_numpy()  # type: ignore[arg-type]


def test_switching_between_configurations_costs_what_the_trade_costs():
    prem = synthetic_premium(seed=30, n=900, beta=0.9)
    grid = {"horizon": [1, 5, 20], "scale_window": [21, 63], "cost_bps": [10.0]}
    wf = walk_forward(prem, grid, train=200, test=50, bootstrap_reps=0)
    folds = wf.folds
    assert len(folds) == 14
    assert (folds["config"].diff().iloc[1:] != 0).sum() >= 2  # the choice changes somewhere
    assert (folds["config"].diff().iloc[1:] == 0).sum() >= 1  # and stays somewhere
    prev: int | None = None
    for f in folds.itertuples():
        s = prem.index.get_loc(f.test_start)
        end = prem.index.get_loc(f.test_end) + 1
        cfg = wf.sweep.configs.loc[f.config].to_dict()
        new = _held(prem, cfg, s - 1)
        old = np.zeros(3) if prev is None else _held(prem, wf.sweep.configs.loc[prev].to_dict(), s - 1)
        beta = prem[BETAS].iloc[s - 1].to_numpy()
        tau = np.abs(new - old).sum() / 3 + abs(((new - old) * beta).sum()) / 3
        assert f.switch_cost == pytest.approx(tau * 10e-4, rel=1e-12, abs=1e-300)
        assert (f.switch_cost > 0) == (f.config != prev)
        net = wf.sweep.net[f.config]
        assert wf.returns.iloc[s] == pytest.approx(np.nan_to_num(net.iloc[s]) - f.switch_cost, rel=1e-12)
        np.testing.assert_array_equal(wf.returns.iloc[s + 1 : end].to_numpy(), net.iloc[s + 1 : end].to_numpy())
        prev = f.config
    # the out-of-sample return is lower than the chosen configurations' own returns by the switches
    own = sum(wf.sweep.net[f.config].iloc[prem.index.get_loc(f.test_start)] for f in folds.itertuples())
    starts = [prem.index.get_loc(t) for t in folds["test_start"]]
    assert wf.returns.iloc[starts].sum() == pytest.approx(own - folds["switch_cost"].sum(), rel=1e-12)


@pytest.mark.parametrize("lag", [1, 3])
def test_the_choice_ignores_returns_from_execution_lag_sessions_before_the_fold(lag):
    prem = synthetic_premium(seed=31, n=700, beta=0.9)
    grid = {"horizon": [1, 5, 20], "scale_window": [21, 63], "execution_lag": [lag]}
    wf = walk_forward(prem, grid, train=300, test=100, bootstrap_reps=0)
    assert len(wf.folds) == 4
    for i, f in enumerate(wf.folds.itertuples()):
        s = prem.index.get_loc(f.test_start)
        assert prem.index.get_loc(f.train_end) == s - lag - 1  # traded lag sessions after the last return used
        damaged = prem.copy()
        later = np.arange(len(prem)) >= s - lag
        for k in SLEEVES:
            damaged.loc[later, f"{k}_abnormal"] = -5 * damaged.loc[later, f"{k}_abnormal"]
        wf2 = walk_forward(damaged, grid, train=300, test=100, bootstrap_reps=0)
        assert wf2.folds["config"].iloc[: i + 1].tolist() == wf.folds["config"].iloc[: i + 1].tolist()
        np.testing.assert_array_equal(wf2.folds["train_sharpe"].iloc[: i + 1], wf.folds["train_sharpe"].iloc[: i + 1])


def test_execution_lag_can_be_set_and_is_checked():
    prem = synthetic_premium(seed=32, n=600)
    grid = {"horizon": [1, 5]}
    wf = walk_forward(prem, grid, train=300, test=100, bootstrap_reps=0, execution_lag=4)
    for f in wf.folds.itertuples():
        assert prem.index.get_loc(f.train_end) == prem.index.get_loc(f.test_start) - 5
    with pytest.raises(ConfigError, match="execution_lag=-1"):
        walk_forward(prem, grid, train=300, test=100, execution_lag=-1)
    with pytest.raises(ConfigError, match="execution_lag=3, purge=0 and embargo=0"):
        walk_forward(prem, grid, train=4, test=100, execution_lag=3)


def test_placebo_walk_forwards_repeat_the_whole_procedure_on_an_uninformative_signal():
    from georisk.backtesting._walkforward import _placebo_transform

    prem = synthetic_premium(seed=31, n=700, beta=0.9)
    grid = {"strategy": ["level"], "scale_window": [21, 63], "threshold": [0.0, 1.0], "cost_bps": [5.0]}
    wf = walk_forward(prem, grid, train=200, test=50, bootstrap_reps=0, placebo_runs=3, seed=7)
    assert wf.placebo_sharpes.shape == (3,)
    # Placebo run 0 is the walk-forward of the premium whose signal got that run's block order.
    transform = _placebo_transform("shuffle", 20, np.random.SeedSequence(7).spawn(3)[0])
    cols = [f"{k}_premium" for k in SLEEVES]
    shuffled = prem.copy()
    shuffled[cols] = transform(prem[cols].to_numpy())
    assert not np.allclose(np.nan_to_num(shuffled[cols].to_numpy()), np.nan_to_num(prem[cols].to_numpy()))
    by_hand = walk_forward(shuffled, grid, train=200, test=50, bootstrap_reps=0, placebo_runs=0)
    assert wf.placebo_sharpes[0] == pytest.approx(by_hand.metrics["sharpe"], rel=1e-12)
    assert by_hand.folds["switch_cost"].sum() > 0  # placebos pay for switching too
    # Reproducible from the seed; the p-value counts placebos at least as good as the real run.
    again = walk_forward(prem, grid, train=200, test=50, bootstrap_reps=0, placebo_runs=3, seed=7)
    np.testing.assert_array_equal(wf.placebo_sharpes, again.placebo_sharpes)
    expected = (1 + np.sum(wf.placebo_sharpes >= wf.metrics["sharpe"])) / 4
    assert wf.metrics["placebo_p"] == pytest.approx(expected)
    none = walk_forward(prem, grid, train=200, test=50, bootstrap_reps=0, placebo_runs=0)
    assert none.placebo_sharpes.size == 0 and np.isnan(none.metrics["placebo_p"])
    with pytest.raises(ConfigError, match="placebo_kind"):
        walk_forward(prem, grid, train=200, test=50, placebo_kind="rotate")  # type: ignore[arg-type]


def test_walk_forward_placebos_fall_short_of_a_planted_edge():
    prem = synthetic_premium(seed=13, n=1200, edge=0.25)
    grid = {"horizon": [5, 20], "strategy": ["impulse", "level"]}
    wf = walk_forward(prem, grid, train=250, test=125, bootstrap_reps=0, placebo_runs=19, placebo_kind="shift")
    m = wf.metrics
    assert m["placebo_p"] == pytest.approx(0.05)  # no placebo reaches the real Sharpe ratio
    assert m["placebo_sharpe_p95"] < m["sharpe"] / 2
    assert abs(m["placebo_sharpe_mean"]) < 1.0


def test_walk_forward_result_has_a_summary_and_a_plot():
    prem = synthetic_premium(seed=31, n=600, beta=0.9)
    wf = walk_forward(prem, {"horizon": [1, 5]}, train=200, test=100, placebo_runs=2, bootstrap_reps=50)
    table = wf.summary()
    assert table.loc["Sharpe (net of costs)", "value"] == pytest.approx(wf.metrics["sharpe"])
    assert table.loc["folds", "value"] == len(wf.folds)
    assert table.loc["deflated Sharpe ratio", "value"] == pytest.approx(wf.metrics["dsr"], nan_ok=True)
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    ax = wf.plot()
    assert ax.get_lines()
