"""Typed, frozen metric results: the mapping they keep, the labels they share, one type per function."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pytest

import georisk
from georisk.evaluation import (
    METRIC_SPECS,
    BacktestMetrics,
    MetricSpec,
    PerformanceMetrics,
    PlaceboSummary,
    StrategyMetrics,
    performance_metrics,
    placebo_summary,
    significance,
)
from tests.backtesting.test_engine import synthetic_premium


def _returns(n: int = 300, seed: int = 0) -> pd.Series:
    idx = pd.bdate_range("2022-01-03", periods=n)
    return pd.Series(np.random.default_rng(seed).normal(0.0004, 0.01, n), index=idx)


def test_performance_metrics_is_typed_frozen_and_a_read_only_mapping():
    r = _returns()
    m = performance_metrics(r)
    assert isinstance(m, PerformanceMetrics) and isinstance(m, Mapping)
    assert m["sharpe"] == m.sharpe and isinstance(m["n_obs"], float) and m.n_obs == 300
    assert "turnover" not in m and m.get("turnover") is None and m.turnover is None
    assert list(m) == [k for k in METRIC_SPECS if k in m] and len(m) == 8
    assert dict(m) == {**m} and dict(m)["max_drawdown"] == m.max_drawdown
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.sharpe = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        m["sharpe"] = 1.0  # type: ignore[index]
    with pytest.raises(KeyError):
        m["nope"]
    both = performance_metrics(r, turnover=r.abs(), exposure=r.abs())
    assert {"turnover", "exposure"} <= set(both) and len(both) == 10


def test_every_field_has_one_spec_and_summary_uses_its_label():
    fields = {f.name for cls in (BacktestMetrics, PlaceboSummary) for f in dataclasses.fields(cls)}
    assert fields == set(METRIC_SPECS)
    labels = [s.label for s in METRIC_SPECS.values()]
    assert len(labels) == len(set(labels))
    m = performance_metrics(_returns())
    table = m.summary()
    assert list(table.columns) == ["value"]
    assert list(table.index) == [METRIC_SPECS[k].label for k in m]
    assert table.loc[METRIC_SPECS["sharpe"].label, "value"] == m.sharpe


@pytest.mark.parametrize(
    ("unit", "value", "text"),
    [
        ("fraction", 0.01234, "1.23%"),
        ("fraction", -0.00001, "0.00%"),
        ("count", 12.0, "12"),
        ("capital per year", 12.34, "12.3\u00d7 capital"),
        ("sessions", 2.15, "2.1"),
        ("ratio", 0.5, "0.500"),
        ("probability", math.nan, "n/a"),
        ("ratio", None, "n/a"),
    ],
)
def test_spec_formats_by_unit(unit, value, text):
    assert MetricSpec("x", "x", unit, "").format(value) == text


def test_placebo_summary_is_typed_and_keeps_its_keys():
    out = placebo_summary(1.0, np.array([0.0, 2.0, np.nan, 0.5]))
    assert isinstance(out, PlaceboSummary)
    assert set(out) == {"placebo_sharpe_mean", "placebo_sharpe_p95", "placebo_p"}
    assert out.placebo_p == pytest.approx(2 / 4)


def test_strategy_metrics_combine_the_three_definitions():
    r = _returns(seed=3)
    perf, sig = performance_metrics(r), significance(r, bootstrap_reps=50)
    plac = placebo_summary(perf.sharpe, np.array([0.1, -0.2]))
    m = StrategyMetrics.combine(perf, sig, plac)
    assert {**perf, **sig.as_metrics(), **plac} == dict(m)
    assert m.n_trials == 1 and isinstance(m.nw_lags, int)
    assert sig.summary().index[0] == METRIC_SPECS["nw_t"].label


def test_backtest_and_walk_forward_hold_typed_metrics():
    prem = synthetic_premium(seed=5, n=400)
    res = georisk.backtest(prem, placebo_runs=3, bootstrap_reps=50)
    assert isinstance(res.metrics, BacktestMetrics)
    assert res.summary().equals(res.metrics.summary())
    assert res.metrics["sharpe_gross"] == res.metrics.sharpe_gross
    assert set(res.metrics) == set(METRIC_SPECS)  # every statistic of a backtest is there
    wf = georisk.backtesting.walk_forward(prem, {"horizon": [1, 5]}, train=150, test=100, placebo_runs=2)
    assert type(wf.metrics) is StrategyMetrics
    assert wf.summary().loc[METRIC_SPECS["dsr"].label, "value"] == pytest.approx(wf.metrics.dsr, nan_ok=True)
    again = dataclasses.replace(res.metrics, n_trials=7)
    assert again["n_trials"] == 7.0 and res.metrics.n_trials == 1


def test_metrics_plot_draws_the_formatted_table():
    pytest.importorskip("matplotlib")
    m = performance_metrics(_returns())
    ax = m.plot()
    texts = {c.get_text().get_text() for c in ax.tables[0].get_celld().values()}
    assert METRIC_SPECS["sharpe"].label in texts and METRIC_SPECS["sharpe"].format(m.sharpe) in texts
