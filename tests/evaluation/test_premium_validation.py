"""georisk.evaluation.validation_table: the premium model's validation table as library code."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from georisk.evaluation import (
    WAR_EVENTS,
    band_excludes_zero,
    block_shuffle,
    event_signs,
    market_model_car,
    validation_table,
)


@pytest.fixture(scope="module")
def sample_run():  # type: ignore[no-untyped-def]
    from georisk.pipeline import run

    return run()


@pytest.fixture(scope="module")
def table(sample_run):  # type: ignore[no-untyped-def]
    cfg = sample_run.config
    return validation_table(
        sample_run.signal,
        sample_run.prices,
        cfg.universe,
        premium=sample_run.premium,
        config=cfg.premium,
        calendar=cfg.signal.calendar,
        seeds=2,
    )


def test_block_shuffle_moves_whole_blocks():
    s = pd.Series(np.arange(50.0), index=pd.bdate_range("2024-01-01", periods=50), name="x")
    out = block_shuffle(s, 10, 3)
    assert sorted(out) == sorted(s)
    blocks = out.reshape(5, 10)
    assert (np.diff(blocks, axis=1) == 1).all()  # each block kept in order
    assert (blocks[:, 0] != np.arange(0, 50, 10)).any()  # moved
    assert np.array_equal(block_shuffle(s, 10, 3), out)  # seeded
    assert np.array_equal(block_shuffle(s, 10, np.random.default_rng(3)), out)  # a seed is a default_rng


def test_band_share_and_car():
    idx = pd.bdate_range("2021-01-01", periods=400)
    prem = pd.DataFrame({"grpi_lo": [0.1, -1.0, -2.0, np.nan], "grpi_hi": [1.0, 1.0, -1.0, np.nan]}, index=idx[:4])
    assert band_excludes_zero(prem) == pytest.approx(2 / 3)
    rng = np.random.default_rng(0)
    m = rng.normal(0, 0.01, 400)
    r = 1.5 * m + rng.normal(0, 0.001, 400)
    r[300:] += 0.01  # an abnormal rise of 1% a session after the start
    price = 80 * np.cumprod(1 + r)
    frame = pd.DataFrame({"oil_price": price, "benchmark_return": m}, index=idx)
    frame.loc[idx[1:], "oil_price"] = price[1:]
    car = market_model_car(frame, idx[299])
    assert car.index[0] == idx[300]
    assert car.iloc[-1] > 0.5 * 80  # about 100 sessions of +1% abnormal
    short = market_model_car(frame, idx[30])
    assert short.empty  # fewer than 60 sessions to estimate the beta


def test_table_layout(table, sample_run):
    v = table
    assert list(v.monthly.columns) == [
        "sessions",
        "oil_premium_usd",
        "oil_premium_usd_lo",
        "oil_premium_usd_hi",
        "car_usd",
        "grpi_excludes_zero",
        "placebo_shuffle",
        "placebo_shift",
    ]
    prem = sample_run.premium
    valid = prem[prem["grpi"].notna()]
    assert v.monthly["sessions"].sum() == len(valid)
    first = valid.index[0].strftime("%Y-%m")
    assert v.monthly.loc[first, "oil_premium_usd"] == pytest.approx(
        valid.loc[first, "oil_premium_usd"].mean()  # type: ignore[index]
    )
    assert (v.monthly["oil_premium_usd_lo"] <= v.monthly["oil_premium_usd_hi"]).all()
    assert v.monthly[["grpi_excludes_zero", "placebo_shuffle", "placebo_shift"]].stack().between(0, 1).all()
    assert list(v.placebo.index) == [
        "news state",
        "shuffled, seed 0",
        "shuffled, seed 1",
        "shuffled, mean of 2 seeds",
        "shifted by 252 sessions",
    ]
    assert v.placebo.loc["news state", "band_excludes_zero"] == pytest.approx(band_excludes_zero(prem))
    mean = v.placebo.loc[["shuffled, seed 0", "shuffled, seed 1"], "band_excludes_zero"].mean()
    assert v.placebo.loc["shuffled, mean of 2 seeds", "band_excludes_zero"] == pytest.approx(mean)
    assert v.seeds == 2 and v.shift == 252 and v.band == pytest.approx(0.9)
    assert v.car_start is not None and v.oil_ticker == sample_run.config.universe.oil_ticker
    assert v.monthly["car_usd"].notna().any()


def test_placebo_is_the_same_model_on_a_shuffled_state(table, sample_run):
    from georisk.premium import premium_from_config

    cfg = sample_run.config
    state = sample_run.signal[cfg.premium.state]
    defined = state.dropna()
    placebo_state = pd.Series(block_shuffle(defined, 20, 1), index=defined.index).reindex(state.index)
    again = premium_from_config(
        sample_run.signal.assign(**{cfg.premium.state: placebo_state}),
        sample_run.prices,
        cfg.universe,
        cfg.premium,
        calendar=cfg.signal.calendar,
    )
    assert table.placebo.loc["shuffled, seed 1", "band_excludes_zero"] == pytest.approx(band_excludes_zero(again))


def test_event_signs():
    idx = pd.bdate_range("2022-02-01", periods=60)
    prem = pd.DataFrame({"grain_premium": np.linspace(0, 0.01, 60), "energy_premium": np.linspace(0.01, 0, 60)}, idx)
    ev = event_signs(prem, ["energy", "grain"], WAR_EVENTS)
    invasion = ev[ev["event"].str.startswith("2022-02-24")].set_index("sleeve")
    assert set(invasion.index) == {"energy", "grain"}  # no defense sleeve in this run
    assert bool(invasion.loc["grain", "as_expected"]) and not bool(invasion.loc["energy", "as_expected"])
    assert invasion.loc["grain", "change_bp"] == pytest.approx(3 * 0.01 / 59 * 1e4)
    assert not ev["event"].str.startswith("2022-07-22").any()  # outside the run


def test_bad_arguments(sample_run):
    from georisk.errors import ConfigError

    cfg = sample_run.config
    with pytest.raises(ConfigError, match="block"):
        validation_table(sample_run.signal, sample_run.prices, cfg.universe, block=0)
    with pytest.raises(ConfigError, match="no 'nope' column"):
        validation_table(
            sample_run.signal,
            sample_run.prices,
            cfg.universe,
            config=cfg.premium.model_copy(update={"state": "nope"}),
        )


def test_summary_text_and_plot(table):  # type: ignore[no-untyped-def]
    s = table.summary()
    assert list(s.columns) == ["value"]
    assert s.loc["events in the run", "value"] == len(table.events)
    assert (
        s.loc["GRPI band excludes zero, news state", "value"] == table.placebo.loc["news state", "band_excludes_zero"]
    )
    assert any(label.startswith("oil premium ") and "largest month" in label for label in s.index)
    text = table.to_text()
    assert "Placebo states" in text and "Events:" in text and table.monthly.index[0] in text
    pytest.importorskip("matplotlib")
    ax = table.plot()
    assert len(ax.lines) >= 2  # the premium and the CAR (plus the zero line)
