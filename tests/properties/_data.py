"""Seeded synthetic inputs and hypothesis strategies for the look-ahead property tests.

Articles are placed around New York closes (one second before, at, one second after),
on weekends, holidays and DST transitions, and stamped in a drawn time zone. Prices are
geometric random walks on each instrument's own calendar.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from georisk.calendar import session_closes
from georisk.config import Instrument, Sleeve, Universe
from georisk.signals import CHANNELS

SCORE_COLUMNS = ["relevance", "hawkish_tilt", "peace_trade", "hawkish_threat", "hawkish_act", *CHANNELS]

#: Zones the publication times are stamped in.
ZONES = [
    "UTC",
    "America/New_York",
    "America/Los_Angeles",
    "Europe/Kyiv",
    "Europe/Moscow",
    "Europe/London",
    "Asia/Tokyo",
    "Australia/Sydney",
]

#: First dates of the drawn windows: DST transitions (US 2024-03-10, 2023-11-05; EU
#: 2024-03-31), Thanksgiving with its early close, Christmas/New Year, Juneteenth, July 4.
ANCHORS = ["2024-01-02", "2024-02-20", "2024-03-01", "2023-10-20", "2024-06-03", "2023-11-01", "2023-12-01"]

#: Offsets from a session close, in seconds, that the strategies favour.
AROUND_CLOSE = [-1, 0, 1, -60, 3600, -3600 * 5, 3600 * 9]

N_SESSIONS = 90


def universe() -> Universe:
    """A small universe covering the alignment cases: NYSE, Xetra, CME settlement times."""
    return Universe(
        sleeves={
            "energy": Sleeve(
                instruments=(
                    Instrument(
                        ticker="OIL", calendar="CMES", close_time="14:30", timezone="America/New_York", roll="nymex_cl"
                    ),
                    Instrument(ticker="GAS"),
                ),
                weighting="inverse_vol",
                vol_window=10,
                factors=("SPX", "USD"),
            ),
            "defense": Sleeve(
                instruments=(Instrument(ticker="DEF1"), Instrument(ticker="DEF2", calendar="XETR", currency="EUR"))
            ),
            "grain": Sleeve(
                instruments=(
                    Instrument(ticker="WHEAT", calendar="CMES", close_time="13:20", timezone="America/Chicago"),
                )
            ),
            "benchmark": Sleeve(instruments=(Instrument(ticker="SPX"),)),
            "factors": Sleeve(instruments=(Instrument(ticker="USD"),)),
        },
        oil_ticker="OIL",
    )


SIGNAL_KW = {"half_life": 3.0, "zscore_window": 30, "min_periods": 10}
#: Short warm-ups of :func:`georisk.risk_premium` so that 90 sessions exercise every column.
PREMIUM_KW = {
    "ar_order": 2,
    "shock_min_periods": 10,
    "blocks": ((0, 0), (1, 2), (3, 5)),
    "min_periods": 20,
    "beta_window": 20,
    "beta_min_periods": 10,
    "hac_lags": 3,
    "vol_halflife": 5.0,
}
#: The same for the superseded :func:`georisk.premium.loading_premium`.
LEGACY_KW = {"beta_window": 20, "loading_window": 20, "min_periods": 10, "ridge": 0.1, "zscore_window": 30}


@dataclass
class Case:
    """One drawn input set."""

    scores: pd.DataFrame
    prices: pd.DataFrame
    sessions: pd.DatetimeIndex


def sessions_from(anchor: str, n: int = N_SESSIONS) -> pd.Series:
    """``n`` NYSE session closes from ``anchor`` on."""
    end = (pd.Timestamp(anchor) + pd.Timedelta(days=int(n * 1.6) + 10)).date()
    return session_closes("XNYS", anchor, str(end)).iloc[:n]


def make_scores(closes: pd.Series, placements: list[tuple[int, int, str]], seed: int) -> pd.DataFrame:
    """Articles at ``close[i] + offset`` seconds stamped in ``zone``, with seeded scores.

    Every session also gets a few articles at random times of its day, so the signal
    has data to warm up on; the drawn placements add the boundary cases.
    """
    rng = np.random.default_rng(seed)
    stamps: list[pd.Timestamp] = []
    zones: list[str] = []
    base = closes.iloc[0] - pd.Timedelta(hours=20)
    # Background articles over the whole span, including weekends and holidays.
    span = (closes.iloc[-1] - base).total_seconds()
    for t in np.sort(rng.uniform(0, span, 3 * len(closes))):
        stamps.append(base + pd.Timedelta(seconds=float(np.round(t))))
        zones.append(ZONES[int(rng.integers(len(ZONES)))])
    for i, offset, zone in placements:
        stamps.append(closes.iloc[i % len(closes)] + pd.Timedelta(seconds=offset))
        zones.append(zone)
    zone = placements[0][2] if placements else zones[0]
    published = pd.DatetimeIndex(stamps).tz_convert(zone)
    n = len(published)
    frame = pd.DataFrame({"id": [f"a{i}" for i in range(n)], "published_at": published})
    for c in SCORE_COLUMNS:
        frame[c] = np.round(rng.beta(0.7, 1.3, n), 6)
    # Two sources of different volumes, the second starting a third of the way in.
    late = np.arange(n) > n // 3
    frame["source"] = np.where(late & (rng.random(n) < 0.6), "paper", "wire")
    # A regime: hawkish articles cluster in the middle third.
    mid = (np.arange(n) > n // 3) & (np.arange(n) < 2 * n // 3)
    frame.loc[mid, "hawkish_tilt"] = np.clip(frame.loc[mid, "hawkish_tilt"] + 0.3, 0, 1)
    return frame.sort_values("published_at", kind="stable").reset_index(drop=True)


def make_prices(closes: pd.Series, seed: int, gaps: int = 3) -> pd.DataFrame:
    """Random-walk closes per ticker on its own calendar (Xetra for DEF2), with gaps."""
    rng = np.random.default_rng(seed + 1)
    start, end = str(closes.index[0].date() - pd.Timedelta(days=40)), str(closes.index[-1].date())
    nyse = session_closes("XNYS", start, end).index
    xetr = session_closes("XETR", start, end).index
    cmes = session_closes("CMES", start, end).index
    frames = {}
    tickers = (
        ("OIL", cmes),
        ("GAS", nyse),
        ("DEF1", nyse),
        ("DEF2", xetr),
        ("WHEAT", cmes),
        ("SPX", nyse),
        ("USD", nyse),
    )
    for ticker, days in tickers:
        r = rng.normal(0.0003, 0.015, len(days))
        s = pd.Series(50.0 * np.exp(np.cumsum(r)), index=days)
        for g in rng.integers(5, len(days), gaps):
            s.iloc[int(g)] = np.nan
        frames[ticker] = s
    prices = pd.DataFrame(frames)
    prices.index = pd.DatetimeIndex(prices.index).as_unit("ns")
    prices.index.name = "date"
    prices.columns.name = "ticker"
    return prices


@st.composite
def cases(draw: st.DrawFn) -> tuple[Case, list[pd.Timestamp]]:
    """A drawn input set and two to three cut dates among its sessions."""
    anchor = draw(st.sampled_from(ANCHORS))
    closes = sessions_from(anchor)
    placements = draw(
        st.lists(
            st.tuples(
                st.integers(0, len(closes) - 1),
                st.one_of(st.sampled_from(AROUND_CLOSE), st.integers(-3 * 86400, 3 * 86400)),
                st.sampled_from(ZONES),
            ),
            min_size=1,
            max_size=12,
        )
    )
    seed = draw(st.integers(0, 2**16))
    scores = make_scores(closes, placements, seed)
    prices = make_prices(closes, seed)
    # Cut dates: sessions past the first few, often at a placed article's session.
    near = [closes.index[i] for i, _, _ in placements if i >= 3]
    pool = st.sampled_from(list(closes.index[3:]))
    cuts = draw(st.lists(st.one_of(pool, st.sampled_from(near)) if near else pool, min_size=2, max_size=3))
    return Case(scores, prices, pd.DatetimeIndex(closes.index)), sorted(set(cuts))
