"""YFinanceSource offline: unit tests at yfinance's function boundary, contract tests at its HTTP layer."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pandas as pd
import pytest

from georisk.errors import InputDataError, MissingDataError
from georisk.market import YFinanceSource, close_frame, normalize_download
from tests.market.yahoo_fakes import bars, download_frame, empty_download, empty_history, make_http

yf = pytest.importorskip("yfinance")

DATES = pd.bdate_range("2024-03-01", "2024-03-28").strftime("%Y-%m-%d").tolist()
LMT = bars(DATES, 1, 450.0)
SPY = bars(DATES, 2, 500.0)


@pytest.fixture(autouse=True)
def _yf_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    yf.set_tz_cache_location(str(tmp_path_factory.mktemp("yf-cache")))


class FakeDownload:
    """Replaces yfinance.download: serves queued results (frames or exceptions) and records calls."""

    def __init__(self, *results: Any, log_messages: tuple[str, ...] = ()) -> None:
        self.results = list(results)
        self.calls: list[dict[str, Any]] = []
        self.log_messages = log_messages

    def __call__(self, tickers: Any, **kwargs: Any) -> pd.DataFrame:
        self.calls.append({"tickers": list(tickers), **kwargs})
        for msg in self.log_messages:
            logging.getLogger("yfinance").error(msg)
        result = self.results.pop(0) if len(self.results) > 1 else self.results[0]
        if isinstance(result, BaseException):
            raise result
        return result


def source(**kw: Any) -> YFinanceSource:
    return YFinanceSource(sleep=lambda s: None, progress=False, **kw)


# --- shapes ------------------------------------------------------------------------------


@pytest.mark.parametrize("group_by", ["column", "ticker"])
@pytest.mark.parametrize("auto_adjust", [True, False])
def test_close_frame_reads_every_download_shape(group_by: str, auto_adjust: bool) -> None:
    raw = download_frame({"LMT": LMT, "SPY": SPY}, group_by=group_by, auto_adjust=auto_adjust)
    got = close_frame(raw, ["SPY", "LMT"])
    assert list(got.prices.columns) == ["SPY", "LMT"]
    assert got.failed == {}
    assert got.prices.index.dtype == "datetime64[ns]" and got.prices.index.name == "date"
    factor = 1.0 if auto_adjust else 0.98  # Adj Close is used when present
    assert got.prices["LMT"].to_numpy() == pytest.approx(LMT["Close"].to_numpy() * factor)
    assert got.field["LMT"] == ("Close" if auto_adjust else "Adj Close")


def test_single_ticker_multiindex_and_flat_and_lowercase() -> None:
    raw = download_frame({"LMT": LMT})
    assert isinstance(raw.columns, pd.MultiIndex)
    assert close_frame(raw, ["lmt"]).prices.columns.tolist() == ["lmt"]  # caller's spelling is kept
    flat = raw.droplevel("Ticker", axis=1)  # multi_level_index=False
    assert close_frame(flat, ["LMT"]).prices["LMT"].iloc[0] == pytest.approx(LMT["Close"].iloc[0])
    with pytest.raises(InputDataError, match="flat columns hold one ticker"):
        close_frame(flat, ["LMT", "SPY"])


def test_history_shapes_tz_aware_and_empty_object_index() -> None:
    hist = LMT.copy()
    hist.index = pd.DatetimeIndex(hist.index).tz_localize("America/New_York")
    hist["Dividends"] = 0.0
    got = close_frame(hist, ["LMT"])
    assert got.timezone == "America/New_York"
    assert got.prices.index[0] == pd.Timestamp("2024-03-01")
    empty = close_frame(empty_history(), ["LMT"])
    assert "LMT" in empty.failed and empty.prices.empty


def test_partial_failure_and_empty_frame() -> None:
    raw = download_frame({"LMT": LMT}, failed=["NOPE"])
    got = close_frame(raw, ["LMT", "NOPE"])
    assert set(got.failed) == {"NOPE"}
    assert got.prices["LMT"].notna().all()  # the stray all-NaN Adj Close does not hide Close
    with pytest.raises(MissingDataError, match="NOPE"):
        normalize_download(raw, ["LMT", "NOPE"])
    with pytest.raises(MissingDataError, match="no rows"):
        normalize_download(empty_download(["LMT"]), ["LMT"])


# --- the source: retries, failures as data, deadline --------------------------------------


def test_fetch_passes_safe_arguments_and_moves_yfinance_caches(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    fake = FakeDownload(download_frame({"LMT": LMT, "SPY": SPY}))
    monkeypatch.setattr(yf, "download", fake)
    moved: list[str] = []
    monkeypatch.setattr(yf, "set_tz_cache_location", moved.append)
    got = source(cache_dir=tmp_path / "yf").fetch_detailed(["LMT", "SPY"], "2024-03-01", "2024-03-28")
    call = fake.calls[0]
    assert call["progress"] is False and call["auto_adjust"] is True and call["threads"] is False
    assert call["end"] == "2024-03-29"  # inclusive end -> yfinance's exclusive end
    assert moved == [str(tmp_path / "yf")]
    assert got.failed == {} and got.prices.shape == (len(DATES), 2)


def test_rate_limit_exception_is_retried_with_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    from yfinance.exceptions import YFRateLimitError

    fake = FakeDownload(YFRateLimitError(), YFRateLimitError(), download_frame({"LMT": LMT}))
    monkeypatch.setattr(yf, "download", fake)
    waits: list[float] = []
    src = YFinanceSource(sleep=waits.append, progress=False, backoff=1.5, retries=3)
    got = src.fetch_detailed(["LMT"], "2024-03-01", "2024-03-28")
    assert len(fake.calls) == 3 and waits == [1.5, 3.0]
    assert got.failed == {} and got.prices["LMT"].notna().all()


def test_partial_failure_retries_only_failed_ticker_then_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    msg = "['NOPE']: YFRateLimitError('Too Many Requests. Rate limited. Try after a while.')"
    fake = FakeDownload(
        download_frame({"LMT": LMT}, failed=["NOPE"]), download_frame({}, failed=["NOPE"]), log_messages=(msg,)
    )
    monkeypatch.setattr(yf, "download", fake)
    got = source(retries=2).fetch_detailed(["LMT", "NOPE"], "2024-03-01", "2024-03-28")
    assert [c["tickers"] for c in fake.calls] == [["LMT", "NOPE"], ["NOPE"], ["NOPE"]]
    assert "Too Many Requests" in got.failed["NOPE"]
    assert got.prices["NOPE"].isna().all() and got.prices["LMT"].notna().all()


def test_delisted_is_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    msg = "$NOPE: possibly delisted; no price data found"
    fake = FakeDownload(download_frame({"LMT": LMT}, failed=["NOPE"]), log_messages=(msg,))
    monkeypatch.setattr(yf, "download", fake)
    got = source(retries=3).fetch_detailed(["LMT", "NOPE"])
    assert len(fake.calls) == 1 and "delisted" in got.failed["NOPE"]


def test_empty_frame_every_ticker_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeDownload(
        empty_download(["LMT", "SPY"]),
        log_messages=("Failed to get ticker 'LMT' reason: curl: (6) Could not resolve host",),
    )
    monkeypatch.setattr(yf, "download", fake)
    got = source(retries=1).fetch_detailed(["LMT", "SPY"], "2024-03-01", "2024-03-28")
    assert len(fake.calls) == 2
    assert set(got.failed) == {"LMT", "SPY"} and "resolve host" in got.failed["LMT"]
    assert got.prices.empty and list(got.prices.columns) == ["LMT", "SPY"]


def test_deadline_abandons_a_hanging_request(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def hang(tickers: Any, **kwargs: Any) -> pd.DataFrame:
        release.wait(5)
        return download_frame({"LMT": LMT})

    monkeypatch.setattr(yf, "download", hang)
    try:
        got = source(deadline=0.2).fetch_detailed(["LMT"], "2024-03-01", "2024-03-28")
    finally:
        release.set()
    assert "deadline" in got.failed["LMT"]


def test_batches_and_progress_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from georisk._progress import Progress

    fake = FakeDownload(download_frame({"LMT": LMT}), download_frame({"SPY": SPY}))
    monkeypatch.setattr(yf, "download", fake)
    got = source(batch_size=1).fetch_detailed(["LMT", "SPY"])
    assert [c["tickers"] for c in fake.calls] == [["LMT"], ["SPY"]]
    assert got.prices.notna().all().all()
    pytest.importorskip("tqdm")
    buf = io.StringIO()
    with Progress(2, "yfinance", enabled=True, stream=buf) as bar:
        bar.advance(1, "LMT")
        bar.advance(1, "SPY")
    assert "2/2" in buf.getvalue() and buf.getvalue().endswith("\n")
    quiet = io.StringIO()  # not a terminal: nothing written
    with Progress(2, "yfinance", stream=quiet) as bar:
        bar.advance(2, "SPY")
    assert quiet.getvalue() == ""


# --- contract tests: yfinance's real parsing of synthetic chart JSON ------------------------


@pytest.fixture
def yahoo_http(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import yfinance.data as yd

    calls: list[str] = []
    rhm = bars(DATES, 3, 250.0)
    fake = make_http(
        {"LMT": LMT, "SPY": SPY, "RHM.DE": rhm}, tz={"RHM.DE": "Europe/Berlin"}, adj_factor=0.97, calls=calls
    )
    monkeypatch.setattr(yd.YfData, "get", fake)
    monkeypatch.setattr(yd.YfData, "cache_get", fake)
    return calls


def test_contract_download_shape_matches_hand_built_frames(yahoo_http: list[str]) -> None:
    real = yf.download(["LMT", "SPY"], start="2024-03-01", end="2024-03-29", progress=False, threads=False)
    hand = download_frame({"LMT": LMT, "SPY": SPY})
    assert real.columns.equals(hand.columns) and list(real.columns.names) == ["Price", "Ticker"]
    assert real.index.dtype == hand.index.dtype and real.index.name == "Date"
    partial = yf.download(["LMT", "NOPE"], start="2024-03-01", end="2024-03-29", progress=False, threads=False)
    assert partial.columns.equals(download_frame({"LMT": LMT}, failed=["NOPE"]).columns)
    by_ticker = yf.download(
        ["LMT"], start="2024-03-01", end="2024-03-29", progress=False, threads=False, group_by="ticker"
    )
    assert by_ticker.columns.equals(download_frame({"LMT": LMT}, group_by="ticker").columns)


def test_contract_source_end_to_end(yahoo_http: list[str]) -> None:
    got = source(retries=0).fetch_detailed(["LMT", "RHM.DE", "NOPE"], "2024-03-01", "2024-03-28")
    assert set(got.failed) == {"NOPE"}
    assert got.prices.index.min() == pd.Timestamp("2024-03-01")  # local dates, also for Berlin
    # auto_adjust=True: Close is the adjusted close (0.97 x raw) whatever the default
    assert got.prices["LMT"].to_numpy() == pytest.approx(LMT["Close"].to_numpy() * 0.97, rel=1e-6)
    assert any("/v8/finance/chart/LMT" in u for u in yahoo_http)


def test_contract_auto_adjust_off_and_all_failed_shapes(yahoo_http: list[str]) -> None:
    raw = yf.download(
        ["LMT", "SPY"], start="2024-03-01", end="2024-03-29", progress=False, threads=False, auto_adjust=False
    )
    hand = download_frame({"LMT": LMT, "SPY": SPY}, auto_adjust=False)
    assert raw.columns.equals(hand.columns)  # Adj Close appears; Close is then the raw close
    assert raw[("Close", "LMT")].to_numpy() == pytest.approx(LMT["Close"].to_numpy(), rel=1e-6)
    got = close_frame(raw, ["LMT", "SPY"])
    assert got.field == {"LMT": "Adj Close", "SPY": "Adj Close"}
    assert got.prices["LMT"].to_numpy() == pytest.approx(LMT["Close"].to_numpy() * 0.97, rel=1e-6)
    none = yf.download(["NOPE", "GONE"], start="2024-03-01", end="2024-03-29", progress=False, threads=False)
    assert none.shape[0] == 0 and none.columns.equals(empty_download(["NOPE", "GONE"]).columns)
    assert set(close_frame(none, ["NOPE", "GONE"]).failed) == {"NOPE", "GONE"}


def test_progress_bar_uses_tqdm_and_degrades_without_it(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import io
    import sys

    from georisk._progress import Progress

    pytest.importorskip("tqdm")
    buf = io.StringIO()
    with Progress(3, "yfinance", enabled=True, stream=buf) as bar:
        assert bar.show
        bar.advance(2, "LMT")
        bar.advance(5, "SPY")  # clipped to the total
    assert "3/3" in buf.getvalue() and "yfinance" in buf.getvalue()
    one = io.StringIO()
    with Progress(1, "yfinance", enabled=True, stream=one) as bar:  # one ticker: no bar
        bar.advance(1, "LMT")
    assert one.getvalue() == ""
    monkeypatch.setitem(sys.modules, "tqdm", None)  # tqdm not installed
    plain = io.StringIO()
    with (
        caplog.at_level(logging.INFO, logger="georisk._progress"),
        Progress(2, "yfinance", enabled=True, stream=plain) as bar,
    ):
        assert not bar.show
        bar.advance(2, "SPY")
    assert plain.getvalue() == "" and "yfinance: 2/2 (SPY)" in caplog.text


def test_yfinance_internal_deprecations_do_not_fail_tickers(monkeypatch: pytest.MonkeyPatch) -> None:
    import warnings

    def noisy(tickers: Any, **kwargs: Any) -> pd.DataFrame:  # as yfinance 1.7 under pandas 3.1
        warnings.warn_explicit(
            "The inplace keyword in DataFrame.rename is deprecated",
            DeprecationWarning,
            "multi.py",
            220,
            module="yfinance.multi",
        )
        return download_frame({"LMT": LMT})

    monkeypatch.setattr(yf, "download", noisy)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a user running with -W error
        got = source(retries=0).fetch_detailed(["LMT"], "2024-03-01", "2024-03-28")
        with pytest.raises(DeprecationWarning):  # other modules' deprecations still raise
            warnings.warn_explicit("x", DeprecationWarning, "other.py", 1, module="othermod")
    assert got.failed == {} and got.prices["LMT"].notna().all()


@pytest.mark.skipif(not hasattr(__import__("os"), "openpty"), reason="needs a pseudo-terminal")
def test_progress_bar_drawn_on_a_real_terminal_without_a_window_size() -> None:
    """On a pty that reports 0 x 0 (as some consoles do) tqdm would hide the bar."""
    import os
    import subprocess
    import sys

    pytest.importorskip("tqdm")
    code = (
        "from georisk._progress import Progress\n"
        "with Progress(3, 'yfinance') as bar:\n"
        "    bar.advance(2, 'LMT')\n"
        "    bar.advance(1, 'SPY')\n"
    )
    leader, follower = os.openpty()
    try:
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        proc = subprocess.run(
            [sys.executable, "-c", code], stderr=follower, stdout=subprocess.DEVNULL, env=env, timeout=60, check=False
        )
        os.close(follower)
        out = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(leader)
    assert proc.returncode == 0
    assert b"3/3" in out and b"yfinance" in out


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"deadline": float("nan")}, "deadline"),
        ({"deadline": float("inf")}, "deadline"),
        ({"deadline": -1.0}, "deadline"),
        ({"deadline": 0}, "deadline"),
        ({"retries": -1}, "retries=-1"),
        ({"retries": 1.5}, "retries=1.5"),
        ({"backoff": float("nan")}, "backoff"),
        ({"backoff": -2.0}, "backoff"),
        ({"batch_size": 0}, "batch_size"),
    ],
)
def test_impossible_options_are_refused(kw: dict[str, Any], match: str) -> None:
    from georisk.errors import ConfigError

    with pytest.raises(ConfigError, match=match):
        source(**kw)


def test_one_deadline_for_every_group_and_retry(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Three groups of tickers missing from the cache, each hanging: together they take one deadline."""
    import time

    from georisk.config import default_universe
    from georisk.market import PriceCache, load_prices

    release = threading.Event()
    calls: list[list[str]] = []

    def hang(tickers: Any, **kwargs: Any) -> pd.DataFrame:
        calls.append(list(tickers))
        release.wait(10)
        return download_frame({"LMT": LMT})

    cache = PriceCache(tmp_path)
    now = pd.Timestamp("2024-03-29 23:00", tz="UTC")
    # different cached ranges put LMT, NOC and RTX in three different fetch groups
    for t, end in (("LMT", "2024-03-08"), ("NOC", "2024-03-15"), ("RTX", "2024-03-20")):
        cache.store(
            t, LMT["Close"].iloc[:3].rename(t).set_axis(pd.to_datetime(DATES[:3])), "2024-03-01", end, source="t"
        )
    monkeypatch.setattr(yf, "download", hang)
    src = source(deadline=0.6, retries=5)
    t0 = time.monotonic()
    try:
        _, report = load_prices(
            default_universe(),
            "2024-03-01",
            "2024-03-28",
            source=src,
            cache=cache,
            tickers=["LMT", "NOC", "RTX"],
            missing="warn",
            now=now,
        )
    finally:
        release.set()
    took = time.monotonic() - t0
    # The budget is the whole fetch's: the later groups find it spent and never call the
    # provider (the count is the proof; the wall-clock bound only catches a hang, loose
    # enough for a loaded machine).
    assert len(calls) == 1
    assert took < 30, f"three groups took {took:.1f} s against a 0.6 s deadline"
    assert set(report.failed) >= {"LMT", "NOC", "RTX"} or report.table["status"].eq("fail").all()
