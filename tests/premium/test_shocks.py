"""News shocks: the missing-state rule of the autoregression and the order diagnostics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from georisk.errors import ConfigError
from georisk.premium import news_shocks, shock_diagnostics
from georisk.premium._kernels import expanding_ar_innovations


def _ar2(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    s = np.zeros(n)
    for t in range(2, n):
        s[t] = 0.3 + 0.6 * s[t - 1] - 0.2 * s[t - 2] + rng.normal()
    return s


def test_a_missing_state_takes_its_forecast_and_adds_no_shock() -> None:
    s = _ar2(300, 3)
    gappy = s.copy()
    gappy[[120, 121, 200]] = np.nan
    forecast, eps = expanding_ar_innovations(gappy, 2, 30)
    assert eps[[120, 121, 200]].tolist() == [0.0, 0.0, 0.0]
    # every session after the warm-up still has a shock: a gap costs itself, not its lags' sessions
    assert np.isfinite(eps[32:]).all()  # 30 complete rows (from row 2) before the first forecast
    # the gap is filled with its forecast, and later forecasts read the filled values
    x = np.column_stack([np.ones(300), np.r_[np.nan, gappy[:-1]], np.r_[np.nan, np.nan, gappy[:-2]]])
    ok = np.isfinite(x).all(axis=1) & np.isfinite(gappy)
    rows = np.flatnonzero(ok[:122])
    phi = np.linalg.lstsq(x[rows], gappy[rows], rcond=None)[0]
    fill_120 = forecast[120]
    fill_121 = phi @ [1.0, fill_120, s[119]]
    assert forecast[121] == pytest.approx(fill_121, abs=1e-9)
    assert forecast[122] == pytest.approx(phi @ [1.0, fill_121, fill_120], abs=1e-9)
    # rows with a filled lag do not enter the estimate: the coefficients at 124 are those of the observed rows
    rows124 = np.flatnonzero(ok[:124])
    phi124 = np.linalg.lstsq(x[rows124], gappy[rows124], rcond=None)[0]
    assert forecast[124] == pytest.approx(phi124 @ [1.0, s[123], s[122]], abs=1e-9)


def test_a_leading_gap_is_warm_up_not_filled() -> None:
    s = _ar2(200, 4)
    s[:15] = np.nan
    _, eps = expanding_ar_innovations(s, 2, 30)
    assert np.isnan(eps[: 15 + 2 + 30]).all()
    assert np.isfinite(eps[15 + 2 + 31 :]).all()


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    gaps=st.lists(st.integers(0, 239), max_size=25),
    cut=st.integers(40, 239),
    order=st.sampled_from([0, 1, 3, 8]),
)
def test_shocks_with_gaps_never_look_ahead(seed: int, gaps: list[int], cut: int, order: int) -> None:
    s = _ar2(240, seed)
    s[gaps] = np.nan
    f_full, e_full = expanding_ar_innovations(s, order, 30)
    f_cut, e_cut = expanding_ar_innovations(s[:cut], order, 30)
    np.testing.assert_allclose(e_cut, e_full[:cut], atol=1e-9, equal_nan=True)
    np.testing.assert_allclose(f_cut, f_full[:cut], atol=1e-9, equal_nan=True)


def test_news_shocks_keep_the_gap_visible_in_the_state() -> None:
    idx = pd.bdate_range("2021-01-01", periods=260)
    s = pd.Series(np.exp(_ar2(260, 5) / 4), index=idx)
    s.iloc[150] = np.nan
    out = news_shocks(s, transform="log", ar_order=3)
    assert np.isnan(out["state"].iloc[150]) and np.isnan(out["level"].iloc[150])
    assert out["shock"].iloc[150] == 0.0
    assert out["shock"].iloc[151:].notna().all()


def test_shock_diagnostics_prefer_the_order_that_whitens_the_shocks() -> None:
    idx = pd.bdate_range("2020-01-01", periods=900)
    s = pd.Series(_ar2(900, 6), index=idx)
    d = shock_diagnostics(s, orders=(0, 1, 2, 6), transform="none", min_periods=60, start="2020-06-01")
    assert list(d.index) == [0, 1, 2, 6] and d.index.name == "ar_order"
    assert set(d.columns) == {"mse", "autocorr_sum", "ljung_box", "ljung_box_p", "n"}
    assert (d["n"] == d["n"].iloc[0]).all()  # scored on the same sessions
    assert d.loc[0, "mse"] > d.loc[2, "mse"]
    assert d.loc[0, "ljung_box_p"] < 1e-6  # the persistent state's deviations are not news
    assert d.loc[2, "ljung_box_p"] > 0.001  # the true order leaves white shocks
    assert abs(d.loc[2, "autocorr_sum"]) < abs(d.loc[0, "autocorr_sum"])


def test_shock_diagnostics_refuse_bad_arguments() -> None:
    s = pd.Series(_ar2(300, 7), index=pd.bdate_range("2020-01-01", periods=300))
    with pytest.raises(ConfigError, match="orders"):
        shock_diagnostics(s, orders=(), transform="none")
    with pytest.raises(ConfigError, match="min_periods"):
        shock_diagnostics(s, orders=(1, 200), transform="none")
    with pytest.raises(ConfigError, match="lags"):
        shock_diagnostics(s, orders=(1,), transform="none", lags=0)
    with pytest.raises(ConfigError, match=">= 0"):
        shock_diagnostics(s, orders=(-1, 2), transform="none")
