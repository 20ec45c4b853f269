"""The local Parquet cache: incremental fetches, atomic writes, explicit location, offline mode."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest

from georisk.config import default_universe
from georisk.errors import ConfigError, InputDataError, MissingDataError, OutputError
from georisk.market import ENV_CACHE_DIR, FrameSource, PriceCache, load_prices, resolve_cache_dir, settled_through
from georisk.market._shape import FetchResult

U = default_universe()
NOW = pd.Timestamp("2024-04-01 23:00", tz="UTC")


class CountingSource:
    """A source over a fixed frame that records every call (tickers, start, end)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.inner = FrameSource(frame)
        self.calls: list[tuple[tuple[str, ...], str | None, str | None]] = []

    def fetch_detailed(self, tickers: Sequence[str], start: str | None = None, end: str | None = None) -> FetchResult:
        self.calls.append((tuple(tickers), start, end))
        return self.inner.fetch_detailed(tickers, start, end)


def frame(end: str = "2024-04-01", scale: float = 1.0) -> pd.DataFrame:
    idx = pd.bdate_range("2024-01-02", end, name="date")
    idx = idx[~idx.isin(pd.DatetimeIndex(["2024-01-15", "2024-02-19", "2024-03-29"]))]  # NYSE holidays
    n = len(idx)
    return pd.DataFrame(
        {"SPY": [470.0 + i * scale for i in range(n)], "LMT": [430.0 + i * scale for i in range(n)]}, index=idx
    )


def test_second_run_makes_no_source_calls(tmp_path: Path) -> None:
    src = CountingSource(frame())
    first, _ = load_prices(U, "2024-01-02", "2024-03-28", source=src, cache=tmp_path, tickers=["SPY", "LMT"], now=NOW)
    assert src.calls == [(("SPY", "LMT"), "2024-01-02", "2024-03-28")]
    again, report = load_prices(
        U, "2024-01-02", "2024-03-28", source=src, cache=tmp_path, tickers=["SPY", "LMT"], now=NOW
    )
    assert len(src.calls) == 1  # everything served from the cache
    pd.testing.assert_frame_equal(first, again)
    assert set(report.table["status"]) == {"ok"}


def test_extension_fetches_only_new_dates_with_one_overlap_row(tmp_path: Path) -> None:
    src = CountingSource(frame())
    load_prices(U, "2024-01-02", "2024-03-15", source=src, cache=tmp_path, tickers=["SPY"], now=NOW)
    prices, _ = load_prices(U, "2024-01-02", "2024-03-28", source=src, cache=tmp_path, tickers=["SPY"], now=NOW)
    assert src.calls[1] == (("SPY",), "2024-03-15", "2024-03-28")  # from the last cached price
    assert prices.index.max() == pd.Timestamp("2024-03-28") and prices["SPY"].notna().all()
    load_prices(U, "2023-12-01", "2024-03-28", source=src, cache=tmp_path, tickers=["SPY"], now=NOW)
    assert src.calls[2] == (("SPY",), "2023-12-01", "2024-01-01")  # only the earlier gap


def test_rebased_adjusted_closes_refetch_history(tmp_path: Path) -> None:
    load_prices(U, "2024-01-02", "2024-03-15", source=CountingSource(frame()), cache=tmp_path, tickers=["SPY"], now=NOW)
    rebased = frame(scale=1.0) * 0.99  # a dividend re-based the whole adjusted history
    src = CountingSource(rebased)
    prices, report = load_prices(U, "2024-01-02", "2024-03-28", source=src, cache=tmp_path, tickers=["SPY"], now=NOW)
    assert src.calls[-1] == (("SPY",), "2024-01-02", "2024-03-28")
    assert prices["SPY"].iloc[0] == pytest.approx(470.0 * 0.99)
    assert any("re-based" in n for n in report.notes)


def test_unsettled_today_is_not_cached(tmp_path: Path) -> None:
    src = CountingSource(frame())
    before_close = pd.Timestamp("2024-04-01 18:00", tz="UTC")  # NYSE still open
    assert settled_through(U, "SPY", before_close) == pd.Timestamp("2024-03-31")
    assert settled_through(U, "SPY", NOW) == pd.Timestamp("2024-04-01")
    prices, _ = load_prices(U, "2024-03-25", None, source=src, cache=tmp_path, tickers=["SPY"], now=before_close)
    assert prices.index.max() == pd.Timestamp("2024-03-28")
    assert PriceCache(tmp_path).coverage("SPY") == (pd.Timestamp("2024-03-25"), pd.Timestamp("2024-03-31"))


def test_offline_serves_cache_and_names_stale_tickers(tmp_path: Path) -> None:
    src = CountingSource(frame())
    load_prices(U, "2024-01-02", "2024-03-01", source=src, cache=tmp_path, tickers=["SPY", "LMT"], now=NOW)
    n = len(src.calls)
    prices, report = load_prices(
        U, "2024-01-02", "2024-03-28", source=src, cache=tmp_path, tickers=["SPY", "LMT"], offline=True, now=NOW
    )
    assert len(src.calls) == n  # no source call offline
    assert prices.index.max() == pd.Timestamp("2024-03-01")
    assert any("SPY is stale" in note for note in report.notes)
    assert report.stale == ["SPY", "LMT"] and report.table.at["SPY", "lag_sessions"] == 19
    with pytest.raises(MissingDataError, match="NOC"):
        load_prices(U, "2024-01-02", "2024-03-28", source=src, cache=tmp_path, tickers=["NOC"], offline=True, now=NOW)
    with pytest.raises(MissingDataError, match="offline=True needs a cache"):
        load_prices(U, source=src, tickers=["SPY"], offline=True)


def test_cache_location_is_explicit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_CACHE_DIR, raising=False)
    assert resolve_cache_dir(None) is None
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path / "env"))
    assert resolve_cache_dir(None) == tmp_path / "env"
    assert resolve_cache_dir(tmp_path / "cfg") == tmp_path / "cfg"
    src = CountingSource(frame())
    load_prices(U, "2024-03-01", "2024-03-28", source=src, tickers=["SPY"], now=NOW)  # env var picked up
    assert (tmp_path / "env" / "prices" / "SPY.parquet").exists()
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="is a file"):
        PriceCache(tmp_path / "file")
    with pytest.raises(ConfigError, match="start is needed"):
        load_prices(U, source=src, cache=tmp_path / "new", tickers=["SPY"], now=NOW)


def test_writes_are_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = PriceCache(tmp_path)
    s = frame()["SPY"]
    cache.store("BZ=F", s, "2024-01-02", "2024-04-01", source="test")
    assert cache.path("BZ=F").name == "BZ=F.parquet"
    before = cache.read("BZ=F")

    def boom(self: pd.DataFrame, path: object, **kw: object) -> None:
        Path(str(path)).write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", boom)
    with pytest.raises(OutputError, match=r"BZ=F.parquet: cannot write the price cache .*the disk is full") as info:
        cache.store("BZ=F", s * 2, "2024-01-02", "2024-04-01", source="test")
    assert info.value.exit_code == 2
    monkeypatch.undo()
    pd.testing.assert_series_equal(cache.read("BZ=F"), before)  # previous version whole
    assert [p.name for p in cache.folder.iterdir() if p.name.endswith(".tmp")] == []
    assert cache.path("A/B").name == "A%2FB.parquet"
    assert sorted(os.listdir(cache.folder)) == ["BZ=F.parquet", "manifest.json"]


def test_weekend_only_gap_is_not_fetched(tmp_path: Path) -> None:
    src = CountingSource(frame())
    load_prices(U, "2024-03-04", "2024-03-08", source=src, cache=tmp_path, tickers=["SPY"], now=NOW)
    load_prices(U, "2024-03-02", "2024-03-08", source=src, cache=tmp_path, tickers=["SPY"], now=NOW)
    assert len(src.calls) == 1
    assert PriceCache(tmp_path).coverage("SPY") == (pd.Timestamp("2024-03-02"), pd.Timestamp("2024-03-08"))


def test_unsettled_today_is_dropped_without_a_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_CACHE_DIR, raising=False)
    src = CountingSource(frame())  # the source already has a bar for 2024-04-01 (still trading)
    before_close = pd.Timestamp("2024-04-01 18:00", tz="UTC")
    prices, report = load_prices(U, "2024-03-25", None, source=src, tickers=["SPY", "LMT"], now=before_close)
    assert prices.index.max() == pd.Timestamp("2024-03-28")
    assert report.table.at["SPY", "last"] == pd.Timestamp("2024-03-28")  # the report never saw the bar
    assert any("SPY: 1 price(s) dated after 2024-03-31 dropped" in n for n in report.notes)
    prices, _ = load_prices(U, "2024-03-25", "2024-04-01", source=src, tickers=["SPY"], now=before_close)
    assert prices.index.max() == pd.Timestamp("2024-03-28") and src.calls[-1][2] == "2024-03-31"
    after, report = load_prices(U, "2024-03-25", None, source=src, tickers=["SPY"], now=NOW)
    assert after.index.max() == pd.Timestamp("2024-04-01") and not report.notes
    with pytest.raises(MissingDataError, match=r"start=2024-04-01: no price from then on has settled"):
        load_prices(U, "2024-04-01", None, source=src, tickers=["SPY"], now=before_close)


def test_holiday_only_gap_is_not_fetched_again(tmp_path: Path) -> None:
    """start on New Year's Day after the cache was filled from Jan 2: no call, no failure note."""
    src = CountingSource(frame())
    load_prices(U, "2024-01-02", "2024-03-28", source=src, cache=tmp_path, tickers=["SPY"], now=NOW)
    for _ in range(2):
        _, report = load_prices(U, "2024-01-01", "2024-03-28", source=src, cache=tmp_path, tickers=["SPY"], now=NOW)
        assert len(src.calls) == 1 and report.notes == [] and report.table.at["SPY", "status"] == "ok"
    assert PriceCache(tmp_path).coverage("SPY") == (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-03-28"))
    # CME futures: a US holiday (Globex trades, nothing settles) is not fetched either
    cl = CountingSource(frame().rename(columns={"SPY": "CL=F"}))
    load_prices(U, "2024-01-16", "2024-03-28", source=cl, cache=tmp_path, tickers=["CL=F"], now=NOW)
    load_prices(U, "2024-01-15", "2024-03-28", source=cl, cache=tmp_path, tickers=["CL=F"], now=NOW)
    assert len(cl.calls) == 1  # 2024-01-15, Martin Luther King Day, is a CMES session


@pytest.mark.parametrize(
    "damage",
    [b"", b"PAR1 cut off", b"not parquet at all", "wrong-columns"],
    ids=["empty", "truncated", "garbage", "wrong-columns"],
)
def test_corrupt_cache_entry_is_set_aside_and_refetched(tmp_path: Path, damage: object) -> None:
    src = CountingSource(frame())
    first, _ = load_prices(U, "2024-03-04", "2024-03-28", source=src, cache=tmp_path, tickers=["SPY"], now=NOW)
    cache = PriceCache(tmp_path)
    path = cache.path("SPY")
    if damage == "wrong-columns":
        pd.DataFrame({"when": [1], "px": [2.0]}).to_parquet(path)
    else:
        assert isinstance(damage, bytes)
        path.write_bytes(damage)
    again, report = load_prices(U, "2024-03-04", "2024-03-28", source=src, cache=tmp_path, tickers=["SPY"], now=NOW)
    pd.testing.assert_frame_equal(again, first)
    assert len(src.calls) == 2  # fetched again, the whole range
    assert any("set aside" in n and "SPY.parquet" in n for n in report.notes), report.notes
    aside = [p.name for p in cache.folder.iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1 and aside[0].startswith("SPY.parquet.corrupt-")


def test_corrupt_cache_manifest_is_set_aside(tmp_path: Path) -> None:
    src = CountingSource(frame())
    load_prices(U, "2024-03-04", "2024-03-28", source=src, cache=tmp_path, tickers=["SPY"], now=NOW)
    (tmp_path / "prices" / "manifest.json").write_text('{"SPY": {"start": "2024-03-04", "end"')
    again, report = load_prices(U, "2024-03-04", "2024-03-28", source=src, cache=tmp_path, tickers=["SPY"], now=NOW)
    assert again["SPY"].notna().sum() > 10 and len(src.calls) == 2
    assert any("manifest.json was damaged" in n for n in report.notes)


def test_cache_files_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        PriceCache(tmp_path).store("SPY", frame()["SPY"], "2024-01-02", "2024-04-01", source="test")
    finally:
        os.umask(old)
    for p in (tmp_path / "prices").iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o640, p


def test_non_finite_or_non_positive_download_is_never_cached(tmp_path: Path) -> None:
    bad = frame()
    bad.loc["2024-03-06", "SPY"] = float("inf")
    with pytest.raises(InputDataError, match=r"SPY on 2024-03-06 is inf: not finite; nothing was cached"):
        load_prices(U, "2024-03-04", "2024-03-28", source=CountingSource(bad), cache=tmp_path, tickers=["SPY"], now=NOW)
    assert not PriceCache(tmp_path).path("SPY").exists()
    bad = frame()
    bad.loc["2024-03-06", "SPY"] = -1.0
    with pytest.raises(InputDataError, match="not positive"):
        load_prices(U, "2024-03-04", "2024-03-28", source=CountingSource(bad), cache=tmp_path, tickers=["SPY"], now=NOW)
    with pytest.raises(InputDataError, match="refusing to cache non-finite"):
        PriceCache(tmp_path).store("SPY", bad["SPY"] * float("inf"), "2024-01-02", "2024-04-01", source="t")
    assert not PriceCache(tmp_path).path("SPY").exists()
