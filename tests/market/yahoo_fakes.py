"""Offline stand-ins for Yahoo: frames of yfinance 1.7's exact shapes, and synthetic chart JSON.

Shapes follow ../shared/notes/dependencies.md section 3.2-3.5 (measured on yfinance 1.7.0):
``download`` returns ``(Price, Ticker)`` MultiIndex columns with both levels sorted
(``group_by="column"``), ``(Ticker, Price)`` with ``group_by="ticker"``, a tz-naive
``DatetimeIndex`` named ``Date`` of unit ``s``, int64 Volume; a failed ticker is all-NaN
plus a stray ``Adj Close`` field; a total failure is a 0-row frame. The contract tests
check these hand-built shapes against yfinance's real parsing of the chart JSON below.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

FIELDS = ["Close", "High", "Low", "Open", "Volume"]


def bars(dates: Sequence[str], seed: int, start: float = 100.0) -> pd.DataFrame:
    """Seeded synthetic OHLCV bars for one ticker."""
    rng = np.random.default_rng(seed)
    close = start * np.exp(np.cumsum(rng.normal(0, 0.01, len(dates))))
    openp = close * (1 + rng.normal(0, 0.002, len(dates)))
    return pd.DataFrame(
        {
            "Close": close,
            "High": np.maximum(close, openp) * 1.005,
            "Low": np.minimum(close, openp) * 0.995,
            "Open": openp,
            "Volume": rng.integers(1_000, 100_000, len(dates)).astype("int64"),
        },
        index=pd.DatetimeIndex(pd.to_datetime(list(dates)), name="Date").as_unit("s"),
    )


def download_frame(
    data: dict[str, pd.DataFrame],
    *,
    group_by: str = "column",
    auto_adjust: bool = True,
    failed: Sequence[str] = (),
    adj_factor: float = 0.98,
) -> pd.DataFrame:
    """A frame shaped as ``yfinance.download`` 1.7 returns it for ``data`` plus failed tickers."""
    frames = {}
    for t, b in data.items():
        b = b.copy()
        if not auto_adjust:
            b["Adj Close"] = b["Close"] * adj_factor
        frames[t.upper()] = b
    if not frames and not failed:
        return empty_download([])
    index = pd.DatetimeIndex(sorted(set().union(*[set(f.index) for f in frames.values()])), name="Date").as_unit("s")
    for t in failed:  # measured: only the failed ticker's placeholder carries Adj Close
        frames[t.upper()] = pd.DataFrame(np.nan, index=index, columns=["Adj Close", *FIELDS])
    if len(index) == 0:
        return empty_download(list(data) + list(failed))
    if group_by == "ticker":  # (Ticker, Price), OHLCV order, tickers in completion order
        order = ["Open", "High", "Low", "Close", "Adj Close", "Volume"]
        out = pd.concat({t: f.reindex(index)[[c for c in order if c in f.columns]] for t, f in frames.items()}, axis=1)
        out.columns = out.columns.set_names(["Ticker", "Price"])
        out.index.name = "Date"
        return out
    out = pd.concat({t: f.reindex(index) for t, f in frames.items()}, axis=1)
    out.columns = out.columns.set_names(["Ticker", "Price"])
    out = out.swaplevel(0, 1, axis=1).sort_index(axis=1)
    out.index.name = "Date"
    return out


def empty_download(tickers: Sequence[str]) -> pd.DataFrame:
    """The 0-row frame ``download`` returns when every ticker failed."""
    cols = pd.MultiIndex.from_product(
        [["Adj Close", *FIELDS], sorted(t.upper() for t in tickers)], names=["Price", "Ticker"]
    )
    return pd.DataFrame(columns=cols, index=pd.DatetimeIndex([]).as_unit("s"), dtype="float64")


def empty_history() -> pd.DataFrame:
    """``Ticker.history``'s empty result: an object index named Date, not a DatetimeIndex."""
    return pd.DataFrame(
        columns=["Open", "High", "Low", "Close", "Adj Close", "Volume"], index=pd.Index([], name="Date")
    )


# --- contract layer: Yahoo v8 chart JSON served to yfinance's real parser ---------------


class FakeResponse:
    """Just enough of a curl_cffi response for yfinance."""

    def __init__(self, payload: dict[str, Any] | None, status: int = 200) -> None:
        self.status_code = status
        self._payload = payload
        self.text = json.dumps(payload) if payload is not None else "Not Found"
        self.headers: dict[str, str] = {}
        self.cookies: dict[str, str] = {}

    def json(self) -> Any:
        return self._payload

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise OSError(f"HTTP {self.status_code}")


def chart_payload(
    symbol: str,
    b: pd.DataFrame,
    *,
    tz: str = "America/New_York",
    currency: str = "USD",
    open_time: str = "09:30",
    adj_factor: float = 1.0,
    period: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """Yahoo's v8 chart JSON for daily bars ``b`` (rows outside ``period`` dropped)."""
    hh, mm = (int(x) for x in open_time.split(":"))
    local = pd.DatetimeIndex(b.index).as_unit("ns") + pd.Timedelta(hours=hh, minutes=mm)
    stamps = local.tz_localize(tz).tz_convert("UTC").asi8 // 10**9
    keep = np.ones(len(b), dtype=bool)
    if period is not None:
        keep = (stamps >= period[0]) & (stamps < period[1])
    b, stamps = b[keep], stamps[keep]
    return {
        "chart": {
            "result": [
                {
                    "meta": {
                        "currency": currency,
                        "symbol": symbol,
                        "exchangeName": "NYQ",
                        "instrumentType": "EQUITY",
                        "firstTradeDate": int(stamps[0]) if len(stamps) else 0,
                        "gmtoffset": -18000,
                        "timezone": "EST",
                        "exchangeTimezoneName": tz,
                        "priceHint": 2,
                        "dataGranularity": "1d",
                        "range": "",
                        "validRanges": ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"],
                    },
                    "timestamp": [int(s) for s in stamps],
                    "indicators": {
                        "quote": [
                            {
                                "open": b["Open"].tolist(),
                                "high": b["High"].tolist(),
                                "low": b["Low"].tolist(),
                                "close": b["Close"].tolist(),
                                "volume": [int(v) for v in b["Volume"]],
                            }
                        ],
                        "adjclose": [{"adjclose": (b["Close"] * adj_factor).tolist()}],
                    },
                }
            ],
            "error": None,
        }
    }


def make_http(
    series: dict[str, pd.DataFrame],
    *,
    tz: dict[str, str] | None = None,
    adj_factor: float = 1.0,
    calls: list[str] | None = None,
) -> Any:
    """A replacement for ``YfData.get``/``cache_get`` serving ``series`` as chart JSON."""

    def fake(self: Any, url: str, params: dict[str, Any] | None = None, timeout: float = 30, **_: Any) -> FakeResponse:
        if calls is not None:
            calls.append(url)
        if "/v8/finance/chart/" not in url:
            return FakeResponse(None, status=404)
        symbol = url.split("/v8/finance/chart/")[1].split("?")[0]
        b = series.get(symbol)
        if b is None:
            err = {
                "chart": {
                    "result": None,
                    "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"},
                }
            }
            return FakeResponse(err, status=404)
        params = params or {}
        period = None
        if "period1" in params:
            period = (int(params["period1"]), int(params.get("period2", 2**40)))
        zone = (tz or {}).get(symbol, "America/New_York")
        return FakeResponse(chart_payload(symbol, b, tz=zone, adj_factor=adj_factor, period=period))

    return fake
