"""Backfills in linear time: each per-session piece equals the whole-history computation it replaces."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from georisk.calendar import session_closes
from georisk.config import GeoriskConfig, PricesConfig
from georisk.errors import MissingDataError
from georisk.export import hash_frame
from georisk.market import KnownPriceStream, QualityTracker
from georisk.pipeline import export_daily, export_range
from georisk.pipeline._daily import (
    _ArticleIndex,
    _feed,
    _previous_close,
    _price_quality,
    _tracked_quality,
)


def _sample() -> tuple[GeoriskConfig, pd.DataFrame, pd.DataFrame]:
    from georisk.pipeline import load_inputs

    cfg = GeoriskConfig()
    articles, _, prices, _ = load_inputs(cfg, strict=False)
    return cfg, articles, prices


def _defects(prices: pd.DataFrame) -> pd.DataFrame:
    """The sample's prices with a stale run, a jump, a hole and a missing session."""
    p = prices.copy()
    p.loc["2024-10-01":"2024-10-10", "LMT"] = p.loc["2024-09-30", "LMT"]
    p.loc["2024-11-12", "CL=F"] *= 1.8
    p.loc["2024-11-13":, "NG=F"] *= 0.6
    p.loc["2024-10-21":"2024-10-23", "SPY"] = np.nan
    p.loc["2024-11-25":"2024-12-04", "GD"] = p.loc["2024-11-22", "GD"]
    p.loc["2024-12-24", "CL=F"] *= 3
    return p


@pytest.mark.parametrize("start", ["2024-12-18", pytest.param("2024-09-02", marks=pytest.mark.slow)])
def test_price_stream_and_tracker_equal_the_whole_history_every_session(start: str) -> None:
    cfg, _, prices = _sample()
    prices = _defects(prices)
    closes = session_closes(cfg.signal.calendar, start, "2024-12-31")
    reference = KnownPriceStream(prices, cfg.universe)
    stream = KnownPriceStream(prices, cfg.universe)
    tracker = QualityTracker(cfg.universe)
    before = _previous_close(cfg.signal.calendar, closes)
    _feed(stream, tracker, before)
    tracker.take_issue_records(pd.Timestamp(closes.index[0]))
    seen = set()
    for key, cutoff in closes.items():
        d, cut = pd.Timestamp(key), pd.Timestamp(cutoff)
        _feed(stream, tracker, cut)
        upto = reference.at(cut)
        digest, last = stream.digest(cut)
        assert digest == hash_frame(upto)["sha256"]
        assert last == upto.index.max()
        want = _price_quality(upto, d, cfg, reference.fresh(before, cut))
        assert _tracked_quality(tracker, d, cfg) == want
        seen.update(w.split(" on ")[0] for w in want)
        before = cut
    # the comparison covered failures and issues of several kinds
    assert any("fails the quality thresholds" in w for w in seen)
    assert any("outlier" in w or "roll_jump" in w for w in seen)


def test_price_stream_digest_with_a_cutoff_that_skips_ahead() -> None:
    cfg, _, prices = _sample()
    reference, stream = KnownPriceStream(prices, cfg.universe), KnownPriceStream(prices, cfg.universe)
    for day in ("2023-03-01", "2023-03-02", "2024-06-28", "2024-12-31"):
        cut = pd.Timestamp(session_closes("XNYS", day, day).iloc[0])
        assert stream.digest(cut)[0] == hash_frame(reference.at(cut))["sha256"]


def test_article_digest_is_incremental_and_unchanged() -> None:
    cfg, articles, _ = _sample()
    closes = session_closes(cfg.signal.calendar, "2024-06-03", "2024-12-31")
    fast, slow = _ArticleIndex(articles), _ArticleIndex(articles)
    assert fast.in_order
    slow.in_order = False  # the whole-history path
    for key, cutoff in closes.items():
        d, cut = pd.Timestamp(key), pd.Timestamp(cutoff)
        assert fast.used(d, cut, cfg.signal.calendar, 5) == slow.used(d, cut, cfg.signal.calendar, 5)
    # the stale-feed gap by binary search in closes fetched once equals the calendar's count
    times = fast.times[:: max(len(fast.times) // 12, 1)]
    for d in closes.index[::25]:
        for t in times[times <= closes.loc[d].value]:
            assert fast._gap(int(t), pd.Timestamp(d), "XNYS") == fast._gap_slow(int(t), pd.Timestamp(d), "XNYS")
    with pytest.raises(MissingDataError, match=r"stale for session 2024-12-31.*7 sessions earlier; at most 5"):
        _ArticleIndex(articles).used(pd.Timestamp("2024-12-31"), pd.Timestamp(closes.loc["2024-12-20"]), "XNYS", 5)


@pytest.mark.slow
def test_backfill_writes_one_briefing_per_session_and_equals_daily_runs(tmp_path: Path) -> None:
    cfg, _, prices = _sample()
    path = tmp_path / "prices.csv"
    _defects(prices).to_csv(path)
    cfg = cfg.model_copy(update={"prices": PricesConfig(source="csv", path=path)})
    res = export_range(cfg, "2024-12-02", "2024-12-31", out_dir=tmp_path / "range")
    names = sorted(p.name for p in (tmp_path / "range" / "briefings").iterdir())
    sessions = [str(r.session.date()) for r in res]
    assert names == sorted([f"briefing-{s}.{x}" for s in sessions for x in ("html", "md")])
    for r in (res[0], res[len(res) // 2], res[-1]):
        one = export_daily(cfg, r.session, out_dir=tmp_path / "daily")
        assert one.version == r.version and one.manifest["warnings"] == r.manifest["warnings"]
        s = str(r.session.date())
        daily_md = (tmp_path / "daily" / "briefings" / f"briefing-{s}.md").read_text("utf-8")
        assert daily_md == (tmp_path / "range" / "briefings" / f"briefing-{s}.md").read_text("utf-8")


@pytest.mark.slow
def test_parquet_bytes_equal_pandas_for_every_row() -> None:
    import io

    from georisk.export._store import flat_frame, row_bytes
    from georisk.pipeline import compute_stages
    from georisk.schema import build_rows

    cfg, articles, prices = _sample()
    stages = compute_stages(cfg, articles, prices, as_of="2024-12-31")
    first = str(stages.signal.index[0].date())  # warm-up rows (missing premia) included
    closes = pd.concat(
        [session_closes("XNYS", first, "2023-02-28"), session_closes("XNYS", "2024-12-02", "2024-12-31")]
    )
    rows = build_rows(
        stages.signal,
        stages.premium,
        stages.positions,
        pd.DatetimeIndex(closes.index),
        sleeves=cfg.universe.risk_sleeves,
        closes=closes,
        calendar="XNYS",
    )
    assert any(r.grpi is None for r in rows) and any(r.grpi is not None for r in rows)
    for r in rows:
        buf = io.BytesIO()
        frame = flat_frame([r])
        frame.to_parquet(buf, index=False, engine="pyarrow")
        got = row_bytes([r])
        assert got["signal.parquet"] == buf.getvalue()
        # the CSV written cell by cell is pandas' CSV byte for byte
        csv = frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%dT%H:%M:%S%z").encode()
        assert got["signal.csv"] == csv
