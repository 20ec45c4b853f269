"""The prices known at the close of a session, per instrument cutoff, at once and as a stream."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from georisk.calendar import session_closes
from georisk.config import default_universe
from georisk.errors import ConfigError, NotASessionError
from georisk.market import KnownPriceStream, known_at, known_prices, known_times


def _prices() -> pd.DataFrame:
    """Every ticker of the default universe on weekdays around Thanksgiving 2024 and New Year."""
    u = default_universe()
    days = pd.bdate_range("2024-11-18", "2025-01-10")
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({t: 100 + rng.normal(0, 1, len(days)).cumsum() for t in u.tickers}, index=days)
    frame.iloc[3, 0] = np.nan  # a hole
    return frame


def _brute(prices: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    """The rule written out cell by cell: a price is known iff known_at(its date) <= cutoff."""
    u = default_universe()
    out = prices.copy()
    for t in prices.columns:
        when = known_at(pd.DatetimeIndex(prices.index), u.instrument(str(t)))
        out.loc[~np.asarray(when <= cutoff), t] = np.nan
    keep = out.notna().any(axis=1)  # a row is there once one of its prices is known
    return out[keep]


def test_known_prices_equals_the_rule_at_every_close() -> None:
    prices = _prices()
    stream = KnownPriceStream(prices, default_universe())
    for day, close in session_closes("XNYS", "2024-11-20", "2025-01-08").items():
        cut = pd.Timestamp(close)
        want = _brute(prices, cut)
        got = known_prices(prices, default_universe(), pd.Timestamp(day))
        pd.testing.assert_frame_equal(got, want, check_freq=False)
        pd.testing.assert_frame_equal(stream.at(cut), want, check_freq=False)


def test_a_settlement_after_an_early_close_is_not_known_that_session() -> None:
    prices = _prices()
    # 2024-11-29: New York closes at 13:00 ET; CME energy settles at 13:30 ET after it
    got = known_prices(prices, default_universe(), "2024-11-29")
    assert pd.isna(got.loc["2024-11-29", "CL=F"])
    assert got.loc["2024-11-29", "SPY"] == prices.loc["2024-11-29", "SPY"]
    later = known_prices(prices, default_universe(), "2024-12-02")
    assert later.loc["2024-11-29", "CL=F"] == prices.loc["2024-11-29", "CL=F"]


def test_stream_advance_hands_out_each_price_once_and_digest_matches_the_frame() -> None:
    prices = _prices()
    u = default_universe()
    stream = KnownPriceStream(prices, u, known_times(prices, u))
    seen = 0
    for close in session_closes("XNYS", "2024-11-18", "2025-01-10"):
        cut = pd.Timestamp(close)
        seen += sum(len(d) for d, _ in stream.advance(cut).values())
        frame = stream.at(cut)
        assert seen == int(frame.notna().sum().sum())
        digest, last = stream.digest(cut)
        h = __import__("hashlib").sha256(__import__("json").dumps(list(frame.columns)).encode())
        h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
        assert digest == h.hexdigest()
        assert last == frame.index.max()


def test_fresh_names_the_prices_first_known_between_two_cutoffs() -> None:
    prices = _prices()
    stream = KnownPriceStream(prices, default_universe())
    closes = session_closes("XNYS", "2024-11-27", "2024-12-02")
    new = stream.fresh(closes.iloc[1], closes.iloc[2])  # after Friday's early close, by Monday's close
    assert pd.Timestamp("2024-11-29") in new["CL=F"]  # Friday's late settlement
    assert pd.Timestamp("2024-12-02") in new["SPY"]


def test_known_prices_refuses_unclear_arguments() -> None:
    prices = _prices()
    u = default_universe()
    with pytest.raises(ConfigError, match="one of them"):
        known_prices(prices, u)
    with pytest.raises(ConfigError, match="no time zone"):
        known_prices(prices, u, cutoff=pd.Timestamp("2024-12-02 21:00"))
    with pytest.raises(NotASessionError):
        known_prices(prices, u, "2024-11-28")
    with pytest.raises(ConfigError, match="not a ticker"):
        known_prices(prices.assign(XYZ=1.0), u, "2024-12-02")
    same = known_prices(prices, u, cutoff="2024-12-02T21:00:00Z")
    pd.testing.assert_frame_equal(same, known_prices(prices, u, "2024-12-02"))
