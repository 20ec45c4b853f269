"""The superseded loading_premium and the trailing regressions it uses: formulas, shifts, robustness."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from georisk.calendar import session_closes
from georisk.config import Instrument, Sleeve, Universe
from georisk.errors import ConfigError
from georisk.premium import loading_premium
from georisk.premium._kernels import trailing_huber_slope, trailing_ols_slope, trailing_sum

SESSIONS = session_closes("XNYS", "2021-01-04", "2022-12-30").index[:400]


def _pandas_slope(y: pd.Series, x: pd.Series, window: int, min_periods: int) -> pd.Series:
    both = y.notna() & x.notna()
    yy, xx = y.where(both), x.where(both)
    return yy.rolling(window, min_periods=min_periods).cov(xx) / xx.rolling(window, min_periods=min_periods).var()


def test_cumulative_sum_ols_matches_pandas_rolling_with_gaps() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=300)
    y = 0.7 * x[:, None] + rng.normal(scale=0.5, size=(300, 4))
    y[40:55, 2] = np.nan
    x[100:103] = np.nan
    got = trailing_ols_slope(y, x, 60, 20)
    for j in range(4):
        ref = _pandas_slope(pd.Series(y[:, j]), pd.Series(x), 60, 20).to_numpy()
        np.testing.assert_allclose(got[:, j], ref, rtol=1e-9, atol=1e-12)
    assert np.isnan(got[:18]).all()  # warm-up


def test_ridge_shrinks_and_constant_regressor_gives_nan() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=200)
    y = 2.0 * x + rng.normal(scale=0.1, size=200)
    ols = trailing_ols_slope(y, x, 50, 20)[-1, 0]
    ridge = trailing_ols_slope(y, x, 50, 20, ridge=50.0)[-1, 0]
    assert ols == pytest.approx(2.0, abs=0.05)
    assert 0 < ridge < ols
    flat = trailing_ols_slope(y, np.ones(200), 50, 20)
    assert np.isnan(flat).all()
    assert np.allclose(trailing_ols_slope(y, np.ones(200), 50, 20, ridge=1.0)[20:], 0.0)


def test_huber_resists_outliers_that_move_ols() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=400)
    y = 0.5 * x + rng.normal(scale=0.2, size=400)
    hit = rng.choice(400, 20, replace=False)
    y[hit] += 8.0 * np.sign(x[hit])  # news-unrelated shocks on big-news days
    ols = trailing_ols_slope(y, x, 120, 60)[150:, 0]
    hub = trailing_huber_slope(y, x, 120, 60)[150:, 0]
    assert np.mean(np.abs(hub - 0.5)) < 0.25 * np.mean(np.abs(ols - 0.5))
    clean = 0.5 * x + rng.normal(scale=0.2, size=400)
    np.testing.assert_allclose(
        trailing_huber_slope(clean, x, 120, 60)[-1], trailing_ols_slope(clean, x, 120, 60)[-1], rtol=0.1
    )


@pytest.mark.parametrize("seed", [6, 13, 19, 33])
def test_huber_windows_stop_iterating_on_their_own(seed: int) -> None:
    # Clean noise first (windows settle after a few iterations), heavy tails later (they
    # do not). With one stopping rule for all windows, the later ones decided how often
    # the early ones iterated, so truncating the data changed early values by ~tol.
    rng = np.random.default_rng(seed)
    x = rng.normal(size=300)
    e = rng.normal(size=(300, 2)) * 0.1
    e[150:] = rng.standard_t(1.2, size=(150, 2)) * 0.1
    y = 0.5 * x[:, None] + e
    full = trailing_huber_slope(y, x, 40, 20, tol=1e-6)
    for cut in (60, 100, 140):
        part = trailing_huber_slope(y[: cut + 1], x[: cut + 1], 40, 20, tol=1e-6)
        np.testing.assert_array_equal(full[: cut + 1], part)


def test_trailing_sum_needs_min_periods() -> None:
    out = trailing_sum(np.array([1.0, np.nan, 2.0, 3.0, 4.0]), 3, 2)[:, 0]
    np.testing.assert_array_equal(out, [np.nan, np.nan, 3.0, 5.0, 9.0])


def _universe() -> Universe:
    return Universe(
        sleeves={
            "energy": Sleeve(instruments=(Instrument(ticker="OIL"),)),
            "defense": Sleeve(instruments=(Instrument(ticker="D1"), Instrument(ticker="D2"))),
            "benchmark": Sleeve(instruments=(Instrument(ticker="SPY"),)),
        },
        oil_ticker="OIL",
    )


def _inputs(seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A state with hawkish and peace parts; energy loads +2 % per unit change, defense +1 %."""
    rng = np.random.default_rng(seed)
    n = len(SESSIONS)
    hawk = np.cumsum(rng.normal(size=n)) * 0.1
    peace = np.cumsum(rng.normal(size=n)) * 0.1
    s = hawk - peace
    ds = np.diff(s, prepend=s[0])
    rb = rng.normal(0, 0.01, n)
    r = {
        "SPY": rb,
        "OIL": 0.5 * rb + 0.02 * ds + rng.normal(0, 0.004, n),
        "D1": 1.2 * rb + 0.01 * ds + rng.normal(0, 0.004, n),
        "D2": 0.8 * rb + 0.01 * ds + rng.normal(0, 0.004, n),
    }
    prices = pd.DataFrame({k: 80.0 * np.cumprod(1 + v) for k, v in r.items()}, index=SESSIONS.rename("date"))
    signal = pd.DataFrame({"s": s, "s_hawkish": hawk, "s_peace": peace}, index=SESSIONS)
    return signal, prices


KW = {"state": "s", "beta_window": 60, "loading_window": 60, "min_periods": 30, "ridge": 0.0}


def test_premium_recovers_loadings_and_follows_the_formulas() -> None:
    signal, prices = _inputs()
    prem = loading_premium(signal, prices, _universe(), **KW)  # type: ignore[arg-type]
    late = prem.iloc[100:]
    assert late["energy_theta"].median() == pytest.approx(0.02, rel=0.15)
    assert late["defense_theta"].median() == pytest.approx(0.01, rel=0.2)
    # Beta dated d comes from the window ending d-1.
    r, rb = prem["energy_return"], prem["benchmark_return"]
    d = 200
    ref = _pandas_slope(r, rb, 60, 30).iloc[d - 1]
    assert prem["energy_beta"].iloc[d] == pytest.approx(ref, rel=1e-9)
    assert prem["energy_abnormal"].iloc[d] == pytest.approx(r.iloc[d] - ref * rb.iloc[d], rel=1e-9)
    # Premium, decomposition and gap.
    np.testing.assert_allclose(late["energy_premium"], late["energy_theta"] * late["state"])
    np.testing.assert_allclose(late["grpi"], late["grpi_hawkish"] + late["grpi_peace"], atol=1e-12)
    np.testing.assert_allclose(late["grpi"], late["grpi_energy"] + late["grpi_defense"], atol=1e-12)
    np.testing.assert_allclose(late["grpi"], 0.5 * late["energy_premium"] + 0.5 * late["defense_premium"])
    implied = prem["energy_theta"] * (prem["state"] - prem["state"].shift(60))
    realised = prem["energy_abnormal"].rolling(60, min_periods=30).sum()
    np.testing.assert_allclose(late["energy_gap"], (implied - realised).iloc[100:], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(late["oil_premium_usd"], late["oil_premium"] * prices["OIL"].iloc[100:].to_numpy())
    # grpi_z is causal: trailing 252 with 30 warm-up.
    assert prem["grpi_z"].notna().sum() > 0
    seen = prem["grpi"].notna().cumsum()
    assert prem["grpi_z"][seen < 30].isna().all()
    assert prem["grpi_z"][seen >= 30].notna().all()


def test_huber_loading_option_and_sleeve_weights() -> None:
    signal, prices = _inputs()
    prem = loading_premium(signal, prices, _universe(), loading_method="huber", sleeve_weights={"energy": 1.0}, **KW)  # type: ignore[arg-type]
    late = prem.iloc[100:]
    assert late["energy_theta"].median() == pytest.approx(0.02, rel=0.15)
    np.testing.assert_allclose(late["grpi"], late["energy_premium"])


def test_external_state_without_parts_leaves_decomposition_nan() -> None:
    signal, prices = _inputs()
    prem = loading_premium(signal[["s"]], prices, _universe(), **KW)  # type: ignore[arg-type]
    assert prem["grpi_hawkish"].isna().all()
    assert prem["grpi"].notna().any()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"state": "nope"}, "state='nope' is not a column"),
        ({"loading_method": "lasso"}, "loading_method='lasso'"),
        ({"huber_c": 0.0}, "huber_c=0.0"),
        ({"ridge": -1.0}, "ridge=-1.0"),
        ({"sleeve_weights": {"grain": 1.0}}, "unknown sleeve"),
        ({"min_periods": 100}, "min_periods=100"),
    ],
)
def test_bad_parameters_name_the_fix(kwargs: dict[str, object], match: str) -> None:
    signal, prices = _inputs()
    with pytest.raises(ConfigError, match=match):
        loading_premium(signal, prices, _universe(), **{**KW, **kwargs})  # type: ignore[arg-type]
