"""Signal evaluation: metrics, IC with HAC t, causal buckets, shocks and the event study."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from georisk.errors import ConfigError
from georisk.evaluation import (
    bucket_returns,
    event_study,
    forward_returns,
    hac_slope_t,
    information_coefficient,
    performance_metrics,
    signal_shocks,
)


def _series(values, start="2018-01-01"):
    return pd.Series(values, index=pd.bdate_range(start, periods=len(values), name="session"), dtype=float)


def test_performance_metrics_by_hand():
    r = _series([0.01, -0.02, 0.03, np.nan, 0.0])
    m = performance_metrics(r)
    x = np.array([0.01, -0.02, 0.03, 0.0])
    assert m["ann_return"] == pytest.approx(x.mean() * 252)
    assert m["sharpe"] == pytest.approx(x.mean() / x.std(ddof=1) * math.sqrt(252))
    assert m["max_drawdown"] == pytest.approx(0.98 - 1)  # from 1.01 to 1.01*0.98
    assert m["hit_rate"] == pytest.approx(2 / 3)
    assert m["n_obs"] == 4


def test_forward_returns_are_dated_at_the_signal():
    r = _series([0.1, 0.2, -0.1, 0.05, 0.0])
    f = forward_returns(r, 2)
    assert f.iloc[0] == pytest.approx(1.2 * 0.9 - 1)
    assert f.iloc[2] == pytest.approx(1.05 * 1.0 - 1)
    assert f.iloc[3:].isna().all()
    assert forward_returns(r, 1, execution_lag=1).iloc[0] == pytest.approx(-0.1)


def test_hac_slope_t_matches_statsmodels():
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(0)
    x = np.convolve(rng.standard_normal(500), np.ones(5), mode="same")
    y = 0.1 * x + np.convolve(rng.standard_normal(500), np.ones(5), mode="same")
    fit = sm.OLS(y, sm.add_constant(x)).fit(cov_type="HAC", cov_kwds={"maxlags": 4, "use_correction": False})
    b, t = hac_slope_t(x, y, 4)
    assert b == pytest.approx(float(fit.params[1]), rel=1e-10)
    assert t == pytest.approx(float(fit.tvalues[1]), rel=1e-10)


def test_information_coefficient_finds_a_planted_signal():
    rng = np.random.default_rng(1)
    sig = _series(rng.standard_normal(1500))
    ret = _series(0.01 * rng.standard_normal(1500))
    ret.iloc[1:] += 0.003 * sig.to_numpy()[:-1]  # today's signal predicts tomorrow's return
    ic = information_coefficient(sig, ret)
    assert list(ic.index) == [1, 5, 20]
    assert ic.loc[1, "ic"] > 0.2 and ic.loc[1, "hac_t"] > 5
    assert ic.loc[1, "hit_rate"] > 0.55
    assert ic.loc[20, "nw_lags"] >= 19
    noise = information_coefficient(sig, _series(0.01 * rng.standard_normal(1500)), method="pearson")
    assert (noise["hac_t"].abs() < 3).all()


def test_bucket_edges_use_past_data_only():
    rng = np.random.default_rng(2)
    sig = _series(rng.standard_normal(600))
    ret = _series(0.01 * rng.standard_normal(600))
    ret.iloc[1:] += 0.004 * sig.to_numpy()[:-1]
    b = bucket_returns(sig, ret, n_buckets=5)
    assert b["mean"].iloc[-1] > b["mean"].iloc[0]
    assert b["n_obs"].sum() == 600 - 59 - 1
    # a different future does not change the buckets of the past
    later = sig.copy()
    later.iloc[400:] *= 10
    b2 = bucket_returns(later.iloc[:400], ret.iloc[:400])
    b1 = bucket_returns(sig.iloc[:400], ret.iloc[:400])
    pd.testing.assert_frame_equal(b1, b2)


def test_signal_shocks_respect_the_gap():
    s = _series([0, 3, 0, 3, 0, 0, 0, 0, 3, -2.5, -1, -3])
    shocks = signal_shocks(s, threshold=2.0, min_gap=5)
    assert list(shocks["hawkish"]) == [s.index[1], s.index[8]]
    assert list(shocks["peace"]) == [s.index[9]]
    with pytest.raises(ConfigError, match="threshold=0"):
        signal_shocks(s, threshold=0)


def test_event_study_recovers_a_planted_jump():
    rng = np.random.default_rng(3)
    n = 1500
    mkt = _series(0.01 * rng.standard_normal(n))
    asset = 0.0002 + 1.5 * mkt + 0.005 * rng.standard_normal(n)
    events = pd.DatetimeIndex(mkt.index[200:1400:60])
    for e in events:
        asset.loc[e] += 0.02  # +2% abnormal on day 0
    es = event_study(asset.rename("energy").to_frame(), mkt, events, window=(-5, 20))
    e = es.loc["energy"]
    assert list(e.index) == list(range(-5, 21))
    assert e.loc[0, "mean_ar"] == pytest.approx(0.02, abs=0.004)
    assert abs(e.loc[-1, "car"]) < 0.006
    assert e.loc[5, "car_lo"] > 0.005 and e.loc[5, "car_lo"] < e.loc[5, "car"] < e.loc[5, "car_hi"]
    assert int(e["n_events"].iloc[0]) == len(events)
