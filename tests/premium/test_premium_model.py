"""The response model of the premium: kernels against direct computations, planted responses, bands, rolls."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from georisk.calendar import session_closes
from georisk.config import Instrument, Sleeve, Universe, default_universe
from georisk.errors import ConfigError
from georisk.market import causal_roll_mask, contract_expiries
from georisk.premium import news_shocks, risk_premium
from georisk.premium._kernels import (
    expanding_ar_innovations,
    expanding_wls_hac,
    lag_block_design,
    trailing_factor_betas,
)

SESSIONS = session_closes("XNYS", "2019-01-02", "2023-12-29").index


# --- kernels against direct computations ------------------------------------------------


def test_ar_innovations_use_coefficients_fitted_on_the_past_only() -> None:
    rng = np.random.default_rng(0)
    s = np.zeros(300)
    for t in range(2, 300):
        s[t] = 0.3 + 0.6 * s[t - 1] - 0.2 * s[t - 2] + rng.normal()
    forecast, eps = expanding_ar_innovations(s, 2, 30)
    assert np.isnan(eps[:30]).all()
    for t in (40, 150, 299):
        x = np.column_stack([np.ones(t - 2), s[1 : t - 1], s[0 : t - 2]])
        phi = np.linalg.lstsq(x, s[2:t], rcond=None)[0]
        assert forecast[t] == pytest.approx(phi @ [1.0, s[t - 1], s[t - 2]], abs=1e-9)
        assert eps[t] == pytest.approx(s[t] - forecast[t], abs=1e-9)
    # the future does not move the past
    _, eps_cut = expanding_ar_innovations(s[:200], 2, 30)
    np.testing.assert_allclose(eps_cut, eps[:200], atol=1e-12)


def test_factor_betas_come_from_the_window_ending_the_session_before() -> None:
    rng = np.random.default_rng(1)
    f = rng.normal(size=(200, 2))
    y = 0.8 * f[:, 0] - 0.5 * f[:, 1] + rng.normal(0, 0.1, 200)
    y[50] = np.nan
    b = trailing_factor_betas(y, f, 40, 20)[:, 0, :]
    for t in (60, 120, 199):
        rows = np.arange(t - 40, t)
        ok = np.isfinite(y[rows])
        x = np.column_stack([np.ones(ok.sum()), f[rows][ok]])
        want = np.linalg.lstsq(x, y[rows][ok], rcond=None)[0][1:]
        np.testing.assert_allclose(b[t], want, atol=1e-9)
    assert np.isnan(b[:20]).all()


def test_lag_block_design_matches_its_definition() -> None:
    rng = np.random.default_rng(2)
    e = rng.normal(size=80)
    e[:3] = np.nan
    blocks = ((0, 0), (1, 2), (3, 6))
    z, g, complete = lag_block_design(e, blocks, 9)
    e0 = np.nan_to_num(e)
    t = 40
    assert z[t, 0] == 1.0
    assert z[t, 2] == pytest.approx(e0[t - 1] + e0[t - 2])
    assert z[t, 3] == pytest.approx(sum(e0[t - j] for j in range(3, 7)))
    # g: the premium is sum_j b(min(j, 6)) e_{t-j} for j <= 9 with b(h) = sum_k gamma_k |B_k n [0, h]|
    gamma = np.array([0.0, 0.5, -0.2, 0.1])
    sizes = lambda h: np.array([0.0, *[max(0, min(b, h) - a + 1) for a, b in blocks]])  # noqa: E731
    want = sum((sizes(min(j, 6)) @ gamma) * e0[t - j] for j in range(10))
    assert g[t] @ gamma == pytest.approx(want)
    assert not complete[:9].any()
    assert complete[9:].all()


def test_wls_hac_matches_a_direct_sandwich_with_recursive_residuals() -> None:
    rng = np.random.default_rng(3)
    n = 150
    z = np.column_stack([np.ones(n), rng.normal(size=n), rng.normal(size=n)])
    y = z @ [0.1, 0.5, -0.3] + rng.normal(0, 1, n)
    w = rng.uniform(0.5, 2.0, n)
    rows = np.ones(n, dtype=bool)
    gamma, bread, meat = expanding_wls_hac(z, y[:, None], w[:, None], rows, lags=2, min_periods=30, burn_in=12)
    zt, yt = z * w[:, None], y * w
    t = 120
    want = np.linalg.lstsq(zt[: t + 1], yt[: t + 1], rcond=None)[0]
    np.testing.assert_allclose(gamma[t, 0], want, atol=1e-9)
    scores = np.zeros((n, 3))
    for s in range(12, t + 1):
        prev = np.linalg.lstsq(zt[:s], yt[:s], rcond=None)[0]
        scores[s] = zt[s] * (yt[s] - zt[s] @ prev)
    m = scores[: t + 1].T @ scores[: t + 1]
    for lag in (1, 2):
        c = scores[lag : t + 1].T @ scores[: t + 1 - lag]
        m += (1 - lag / 3) * (c + c.T)
    np.testing.assert_allclose(meat[t, 0, 0], m, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(bread[t, 0], np.linalg.inv(zt[: t + 1].T @ zt[: t + 1]), rtol=1e-8)
    assert np.isnan(gamma[:29]).all()


# --- the model on planted data -------------------------------------------------------------


def _universe() -> Universe:
    return Universe(
        sleeves={
            "energy": Sleeve(instruments=(Instrument(ticker="OIL"),), factors=("SPY", "USD")),
            "defense": Sleeve(instruments=(Instrument(ticker="DEF"),)),
            "benchmark": Sleeve(instruments=(Instrument(ticker="SPY"),)),
            "factors": Sleeve(instruments=(Instrument(ticker="USD"),)),
        },
        oil_ticker="OIL",
    )


def _planted(seed: int, effect: float = 0.01, noise: float = 0.01) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """A news state whose shocks lift OIL by ``effect`` per unit over five sessions; DEF does not respond."""
    rng = np.random.default_rng(seed)
    n = len(SESSIONS)
    shocks = rng.standard_t(4, n)
    state = np.zeros(n)
    for t in range(1, n):
        state[t] = 0.9 * state[t - 1] + shocks[t]
    daily = np.convolve(shocks, np.full(5, effect / 5))[:n]
    spy, usd = rng.normal(0, 0.01, n), rng.normal(0, 0.004, n)
    r = {
        "SPY": spy,
        "USD": usd,
        "OIL": 0.5 * spy - 0.8 * usd + daily + rng.normal(0, noise, n),
        "DEF": 0.9 * spy + rng.normal(0, noise, n),
    }
    prices = pd.DataFrame({k: 50.0 * np.cumprod(1 + v) for k, v in r.items()}, index=SESSIONS.rename("date"))
    signal = pd.DataFrame({"s": state}, index=SESSIONS)
    return signal, prices, daily


KW = {"state": "s", "transform": "none", "blocks": ((0, 0), (1, 4), (5, 19)), "min_periods": 120}


def test_planted_response_is_recovered_and_the_premium_decomposes_the_level() -> None:
    signal, prices, _ = _planted(0)
    prem = risk_premium(signal, prices, _universe(), **KW)  # type: ignore[arg-type]
    last = prem.iloc[-1]
    # cumulative response over 20 sessions: +1% per unit shock for energy, nothing for defense
    assert last["energy_response"] == pytest.approx(0.01, abs=3 * last["energy_response_se"])
    assert abs(last["energy_response"] / last["energy_response_se"]) > 5
    assert abs(last["defense_response"]) < 3 * last["defense_response_se"]
    # the premium tracks the true decomposition sum_j b(j) e_{t-j}
    e = pd.Series(prem["shock"]).fillna(0.0).to_numpy()
    true_b = np.minimum(np.arange(20), 4) + 1.0
    true = np.array([sum(0.01 / 5 * true_b[j] * e[t - j] for j in range(20)) for t in range(len(e))])
    late = prem.index >= "2021-01-01"
    assert np.corrcoef(prem.loc[late, "energy_premium"], true[late])[0, 1] > 0.95
    # bands bracket the estimate; grpi adds the sleeves; the parts add up
    for name in ("energy_premium", "defense_premium", "grpi", "oil_premium", "oil_premium_usd"):
        d = prem[[f"{name}_lo", name, f"{name}_hi"]].dropna()
        assert len(d) > 500
        assert (d[f"{name}_lo"] <= d[name]).all()
        assert (d[name] <= d[f"{name}_hi"]).all()
    np.testing.assert_allclose(prem["grpi"], 0.5 * prem["energy_premium"] + 0.5 * prem["defense_premium"])
    np.testing.assert_allclose(prem["grpi"], prem["grpi_hawkish"] + prem["grpi_peace"], atol=1e-15)
    # factor betas are those planted
    assert last["energy_beta_SPY"] == pytest.approx(0.5, abs=0.15)
    assert last["energy_beta_USD"] == pytest.approx(-0.8, abs=0.4)
    # the oil premium in USD is the price minus the price without the news
    p = prem["oil_premium"]
    np.testing.assert_allclose(prem["oil_premium_usd"], prem["oil_price"] * p / (1 + p))


def test_a_single_sleeve_grpi_band_is_that_sleeves_band() -> None:
    signal, prices, _ = _planted(1)
    universe = Universe(
        sleeves={"energy": Sleeve(instruments=("OIL",)), "benchmark": Sleeve(instruments=("SPY",))}, oil_ticker=None
    )
    prem = risk_premium(signal, prices[["OIL", "SPY"]], universe, **KW)  # type: ignore[arg-type]
    np.testing.assert_allclose(prem["grpi_se"], prem["energy_premium_se"], rtol=1e-10)
    assert "oil_premium_usd" not in prem.columns


def test_a_shock_that_stops_leaves_the_premium_after_the_horizon() -> None:
    signal, prices, _ = _planted(2)
    prem = risk_premium(signal, prices, _universe(), **KW)  # type: ignore[arg-type]
    # freeze news after a date: the state follows its own forecast, so shocks stop
    quiet = signal.copy()
    t0 = quiet.index.get_loc(pd.Timestamp("2023-06-01"))
    for t in range(t0, len(quiet)):
        quiet.iloc[t, 0] = prem["level"].iloc[t] - prem["shock"].iloc[t] if t == t0 else 0.9 * quiet.iloc[t - 1, 0]
    calm = risk_premium(quiet, prices, _universe(), **KW)  # type: ignore[arg-type]
    after = calm.iloc[t0 + 25 :]
    assert (after["shock"].abs() < 0.2).all()
    assert (after["energy_premium"].abs() < 0.2 * prem["energy_premium"].abs().max()).all()


@pytest.mark.slow
def test_bands_are_calibrated_when_news_does_not_move_prices() -> None:
    # Forty independent worlds where prices ignore the news: a 90% band excludes zero
    # at the last session in about 10% of them.
    excluded = 0
    for seed in range(40):
        signal, prices, _ = _planted(100 + seed, effect=0.0)
        prem = risk_premium(signal, prices, _universe(), **KW)  # type: ignore[arg-type]
        last = prem.iloc[-1]
        excluded += bool(last["energy_premium_lo"] > 0 or last["energy_premium_hi"] < 0)
    assert excluded <= 9  # P(Binomial(40, 0.1) > 9) < 1%


def test_shocks_are_innovations_of_the_transformed_state() -> None:
    s = pd.Series(np.exp(np.linspace(0, 3, 200)) + np.sin(np.arange(200)), index=SESSIONS[:200])
    out = news_shocks(s, transform="log", ar_order=1, min_periods=20)
    np.testing.assert_allclose(out["level"], np.log(s))
    np.testing.assert_allclose(out["shock"], out["level"] - out["forecast"])
    with pytest.raises(ConfigError, match="transform='log' needs a positive state"):
        news_shocks(s - 5.0, transform="log")
    with pytest.raises(ConfigError, match="transform="):
        news_shocks(s, transform="sqrt")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"blocks": ((0, 0), (2, 4))}, "contiguous"),
        ({"blocks": ()}, "at least one lag block"),
        ({"horizon": 3}, "horizon=3"),
        ({"band": 1.2}, "band=1.2"),
        ({"hac_lags": -1}, "hac_lags=-1"),
        ({"min_periods": 4}, "min_periods=4"),
        ({"state": "nope"}, "state='nope'"),
        ({"sleeve_weights": {"metals": 1.0}}, "unknown sleeve"),
    ],
)
def test_bad_parameters_name_the_fix(kwargs: dict[str, object], match: str) -> None:
    signal, prices, _ = _planted(3)
    with pytest.raises(ConfigError, match=match):
        risk_premium(signal, prices, _universe(), **{**KW, **kwargs})  # type: ignore[arg-type]


def test_factor_names_are_checked_by_the_universe() -> None:
    with pytest.raises(ValueError, match="names factor"):
        Universe(
            sleeves={
                "energy": Sleeve(instruments=("OIL",), factors=("DXY",)),
                "benchmark": Sleeve(instruments=("SPY",)),
            },
            oil_ticker=None,
        )
    u = default_universe()
    assert u.risk_sleeves == ["energy", "defense", "grain"]
    assert u.factors_of("energy") == ["SPY", "UUP"]
    assert u.factors_of("defense") == ["SPY"]
    assert u.sleeves["energy"].weighting == "inverse_vol"


# --- roll rules -------------------------------------------------------------------------------


def test_expiries_follow_the_exchange_rules() -> None:
    assert [str(d.date()) for d in contract_expiries("nymex_ng", "2022-01-01", "2022-01-31")] == ["2022-01-27"]
    assert [str(d.date()) for d in contract_expiries("nymex_ng", "2024-10-01", "2024-10-31")] == ["2024-10-29"]
    # CL: three business days before the 25th, or before the business day preceding it
    assert [str(d.date()) for d in contract_expiries("nymex_cl", "2024-01-01", "2024-02-29")] == [
        "2024-01-22",
        "2024-02-20",
    ]
    assert [str(d.date()) for d in contract_expiries("cbot_grain", "2022-01-01", "2022-06-30")] == [
        "2022-03-14",
        "2022-05-13",
    ]
    with pytest.raises(ConfigError, match="roll rule"):
        contract_expiries("ice_gasoil", "2022-01-01", "2022-02-01")


def test_roll_mask_is_causal_and_spares_jumps_away_from_expiries() -> None:
    days = session_closes("XNYS", "2024-01-02", "2024-12-31").index
    rng = np.random.default_rng(5)
    r = pd.DataFrame({"NG": rng.normal(0, 0.03, len(days)), "XLE": rng.normal(0, 0.01, len(days))}, index=days)
    r.loc["2024-04-29", "NG"] = 0.258  # the session after the May contract's expiry
    r.loc["2024-06-10", "NG"] = 0.25  # a real jump, no expiry near
    r.loc["2024-04-29", "XLE"] = 0.2  # an ETF is never masked
    universe = Universe(
        sleeves={
            "energy": Sleeve(instruments=(Instrument(ticker="NG", kind="future", roll="nymex_ng"), "XLE")),
            "benchmark": Sleeve(instruments=("SPY",)),
        },
        oil_ticker=None,
    )
    mask = causal_roll_mask(r, universe)
    assert mask.loc["2024-04-29", "NG"]
    assert not mask.loc["2024-06-10", "NG"]
    assert not mask["XLE"].any()
    cut = causal_roll_mask(r.loc[:"2024-05-15"], universe)
    pd.testing.assert_frame_equal(cut, mask.loc[:"2024-05-15"])


def test_quality_report_flags_the_real_henry_hub_rolls(shared_dir) -> None:  # type: ignore[no-untyped-def]
    from georisk.market import quality_report

    frame = pd.read_csv(shared_dir / "data" / "futures-indices-yahoo" / "NG=F.csv", usecols=["Date", "Close"])
    ng = pd.Series(frame["Close"].to_numpy(dtype=float), index=pd.to_datetime(frame["Date"]), name="NG=F")
    report = quality_report({"NG=F": ng}, default_universe(), tickers=["NG=F"])
    rolls = report.issues.loc[report.issues["check"] == "roll_jump", "date"].astype(str).str[:10].tolist()
    # two roll jumps (+25.8%, +21.3%) and an expiry squeeze (+46%) seen on the real series
    assert {"2024-04-29", "2024-10-30", "2022-01-27"} <= set(rolls)
    mask = report.roll_mask(pd.DatetimeIndex(ng.index), default_universe(), calendar="CMES")
    assert mask.loc["2024-04-29", "NG=F"]
