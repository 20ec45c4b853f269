"""load_articles returns one type (a DataFrame); load_articles_report returns the ArticleLoad."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import georisk
from georisk.articles import ArticleLoad, load_articles, load_articles_report
from georisk.errors import ConfigError, InputDataError

GOOD = {"id": "a", "published_at": "2024-03-01T14:30:00Z", "title": "t", "text": "Talks collapsed.", "source": "x"}
BAD = {"id": "b", "published_at": "someday", "title": "t", "text": "Shelling resumed.", "source": "x"}


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    f = tmp_path / "feed.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in (GOOD, BAD, GOOD)) + "\n", encoding="utf-8")
    return f


def test_load_articles_returns_a_frame_and_raises_on_a_bad_record(feed: Path, tmp_path: Path):
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    arts = load_articles(good)
    assert isinstance(arts, pd.DataFrame) and arts["id"].tolist() == ["a"]
    assert georisk.load_articles_report is load_articles_report
    with pytest.raises(InputDataError, match=r"feed\.jsonl.*line 2.*published_at"):
        load_articles(feed)


def test_load_articles_report_quarantines_and_lists_merges(feed: Path):
    rep = load_articles_report(feed, on_invalid="quarantine")
    assert isinstance(rep, ArticleLoad)
    assert rep.n_read == 3 and rep.articles["id"].tolist() == ["a"]
    assert rep.quarantine["line"].tolist() == [2] and rep.quarantine["field"].tolist() == ["published_at"]
    assert rep.merged["merged_id"].tolist() == ["a"]  # the exact repeat, merged into its first copy
    with pytest.raises(InputDataError, match="line 2"):
        load_articles_report(feed)  # on_invalid="raise" by default
    with pytest.raises(ConfigError, match=r"on_invalid='skip' must be 'raise' or 'quarantine'"):
        load_articles_report(feed, on_invalid="skip")  # type: ignore[arg-type]


def test_the_old_flags_still_work_but_warn(feed: Path):
    rep = load_articles_report(feed, on_invalid="quarantine")
    with pytest.warns(DeprecationWarning, match=r"lenient=True\) is deprecated.*on_invalid='quarantine'"):
        arts, quarantine = load_articles(feed, lenient=True)
    pd.testing.assert_frame_equal(arts, rep.articles)
    pd.testing.assert_frame_equal(quarantine, rep.quarantine)
    with pytest.warns(DeprecationWarning, match=r"lenient=True, report=True\) is deprecated"):
        old = load_articles(feed, lenient=True, report=True)
    pd.testing.assert_frame_equal(old.merged, rep.merged)
    with (
        pytest.warns(DeprecationWarning, match=r"report=True\) is deprecated.*on_invalid='raise'"),
        pytest.raises(InputDataError),
    ):
        load_articles(feed, report=True)
    good = feed.with_name("good.jsonl")
    good.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    assert isinstance(load_articles(good, lenient=False, report=False), pd.DataFrame)  # no warning: the default


def test_read_articles_refuses_on_invalid_in_load_options(tmp_path: Path):
    pytest.importorskip("dask")
    from georisk.distributed import read_articles

    (tmp_path / "a.jsonl").write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"load_options cannot set \['on_invalid'\]"):
        read_articles(str(tmp_path / "*.jsonl"), load_options={"on_invalid": "quarantine"})
