"""The article store: de-duplication, counting times, atomic writes, the score cache, import."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from georisk.articles import ArticleStore, canonical_url, counting_time
from georisk.cli import main
from georisk.config import ArticlesConfig, GeoriskConfig, ScoringConfig
from georisk.datasets import load_sample

T0 = pd.Timestamp("2024-06-28T12:00:00Z")


def batch(n: int, *, start: str = "2024-06-27T08:00Z", url: str = "https://news.example.org/a/{i}") -> pd.DataFrame:
    times = pd.date_range(start, periods=n, freq="3h")
    return pd.DataFrame(
        {
            "published_at": times,
            "title": [f"Headline {i}" for i in range(n)],
            "text": [f"Russia and Ukraine talks, story {i}." for i in range(n)],
            "source": "wire",
            "url": [url.format(i=i) for i in range(n)],
        }
    )


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.example.org/a/b/?utm_source=rss&utm_medium=x", "example.org/a/b"),
        ("http://example.org/a/b#comments", "example.org/a/b"),
        ("https://EXAMPLE.org:443/a?b=2&a=1&fbclid=zz", "example.org/a?a=1&b=2"),
        ("https://example.org:8443/a", "example.org:8443/a"),
        (None, ""),
        ("", ""),
    ],
)
def test_canonical_url(url: str | None, key: str) -> None:
    assert canonical_url(url) == key


def test_counting_time_live_and_backfill() -> None:
    seen = pd.Series([T0] * 4)
    pub = pd.Series([T0 - pd.Timedelta(hours=2), T0 + pd.Timedelta(hours=1), pd.NaT, T0 - pd.Timedelta(days=3)])
    live, flag = counting_time(seen, pub, backfill=False)
    assert live.tolist() == [T0 - pd.Timedelta(hours=2), T0, T0, T0 - pd.Timedelta(days=3)]
    assert flag.tolist() == [False, False, False, True]  # seen three days late: a live run did not have it
    back, flag = counting_time(seen, pub, backfill=True)
    assert back.tolist() == [pub[0], pub[1], T0, pub[3]]
    assert flag.all()


def test_append_deduplicates_by_id_and_canonical_url(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path / "s")
    first = store.append(batch(5), feed="wire", seen_at=T0)
    assert (first.added, first.duplicates) == (5, 0)
    same_urls = batch(5, url="http://www.news.example.org/a/{i}/?utm_source=feed")
    same_urls["text"] = same_urls["text"] + " Updated."
    again = store.append(same_urls, feed="other", seen_at=T0 + pd.Timedelta(hours=1))
    assert (again.added, again.duplicates) == (0, 5)
    repeated = pd.concat([batch(2, url="https://b.org/{i}")] * 3, ignore_index=True)
    third = store.append(repeated, feed="b", seen_at=T0)
    assert (third.added, third.duplicates) == (2, 4)
    frame = store.read()
    assert len(frame) == 7 and frame["id"].is_unique
    assert frame["published_at"].is_monotonic_increasing
    assert str(frame["published_at"].dt.tz) == "UTC"
    assert len(store) == 7
    assert list(store.articles().columns) == ["id", "published_at", "title", "text", "source", "url"]


def test_read_filters_days(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path)
    store.append(batch(40, start="2024-05-28T00:00Z"), feed="wire", seen_at=pd.Timestamp("2024-07-01T00:00Z"))
    part = store.read(start="2024-05-30", end="2024-05-31")
    assert len(part) == 16
    assert part["published_at"].dt.strftime("%Y-%m-%d").unique().tolist() == ["2024-05-30", "2024-05-31"]
    assert sorted(p.name for p in (tmp_path / "articles").iterdir()) == ["month=2024-05", "month=2024-06"]


def test_killed_append_leaves_the_store_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = ArticleStore(tmp_path)
    store.append(batch(3, start="2024-05-30T00:00Z"), feed="wire", seen_at=T0)
    before = store.read()
    real = os.replace
    calls = {"n": 0}

    def dying(src: Any, dst: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # the second month's file: killed before its rename
            raise KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(os, "replace", dying)
    with pytest.raises(KeyboardInterrupt):
        store.append(batch(30, start="2024-05-28T00:00Z", url="https://c.org/{i}"), feed="c", seen_at=T0)
    monkeypatch.setattr(os, "replace", real)
    after = store.read()  # every file whole: the first month written, the second as it was
    assert set(before["id"]) <= set(after["id"])
    assert not list(tmp_path.rglob(".tmp-*"))
    (tmp_path / "articles" / "month=2024-05" / ".tmp-articles.parquet.x1").write_bytes(b"half")  # a SIGKILL's leftover
    store.append(batch(30, start="2024-05-28T00:00Z", url="https://c.org/{i}"), feed="c", seen_at=T0)
    assert len(store.read()) == 33
    assert not list(tmp_path.rglob(".tmp-*"))  # the next writer removed it


PIECES = [(pd.Timestamp("2024-06-28T00:00Z") + pd.Timedelta(hours=18 * k)) for k in range(6)]


def _window_articles() -> pd.DataFrame:
    # articles over the window; some straddle piece boundaries, some are syndicated copies
    rows = []
    for i in range(40):
        t = PIECES[0] + pd.Timedelta(hours=2 * i) + pd.Timedelta(minutes=7 * (i % 3))
        rows.append(
            {
                "published_at": t,
                "title": f"Story {i}",
                "text": f"Kyiv and Moscow, item {i}",
                "source": "g",
                "url": f"https://g.org/{i}",
            }
        )
        if i % 5 == 0:
            rows.append({**rows[-1], "url": f"https://www.g.org/{i}?utm_source=x"})
    return pd.DataFrame(rows)


WINDOW = _window_articles()


def _fetch_pieces(root: Path, order: list[int]) -> ArticleStore:
    store = ArticleStore(root)
    for k in order:
        lo, hi = PIECES[k], PIECES[k + 1]
        piece = WINDOW[(WINDOW["published_at"] >= lo) & (WINDOW["published_at"] < hi)]
        store.append(piece, feed="gdelt", seen_at=pd.Timestamp("2024-07-03T00:00Z"), backfill=True)
    return store


def _same_store(a: ArticleStore, b: ArticleStore) -> None:
    pd.testing.assert_frame_equal(a.read(), b.read())
    files_a = sorted((a.root / "articles").rglob("*.parquet"))
    files_b = sorted((b.root / "articles").rglob("*.parquet"))
    assert [f.relative_to(a.root) for f in files_a] == [f.relative_to(b.root) for f in files_b]
    assert [f.read_bytes() for f in files_a] == [f.read_bytes() for f in files_b]  # byte for byte


@pytest.fixture(scope="module")
def whole_window(tmp_path_factory: pytest.TempPathFactory) -> ArticleStore:
    ref = ArticleStore(tmp_path_factory.mktemp("ref"))
    ref.append(WINDOW, feed="gdelt", seen_at=pd.Timestamp("2024-07-03T00:00Z"), backfill=True)
    assert len(ref.read()) == 40
    return ref


def test_pieces_backwards_with_repeats_give_the_same_store(tmp_path: Path, whole_window: ArticleStore) -> None:
    _same_store(_fetch_pieces(tmp_path, [4, 3, 3, 2, 1, 0, 4, 2]), whole_window)


@pytest.mark.slow
@settings(max_examples=30, deadline=None)
@given(order=st.lists(st.integers(0, len(PIECES) - 2), min_size=1, max_size=8))
def test_any_order_of_pieces_with_repeats_gives_the_same_store(
    tmp_path_factory: pytest.TempPathFactory, whole_window: ArticleStore, order: list[int]
) -> None:
    order = order + list(range(len(PIECES) - 1))  # every piece at least once, after any prefix of repeats
    _same_store(_fetch_pieces(tmp_path_factory.mktemp("prop"), order), whole_window)


# ---------------------------------------------------------------------------------------
# the score cache and the pipeline


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("store")
    ArticleStore(root).append(load_sample().articles, feed="import", backfill=True)
    return root


def counting_scorer(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    import georisk.scoring

    real = georisk.scoring.score_articles
    seen: list[int] = []

    def wrapped(articles: pd.DataFrame, *args: Any, **kwargs: Any) -> pd.DataFrame:
        seen.append(len(articles))
        assert kwargs.get("evidence") is False
        return real(articles, *args, **kwargs)

    monkeypatch.setattr(georisk.scoring, "score_articles", wrapped)
    return seen


@pytest.mark.slow
def test_scores_are_cached_and_equal_fresh_scores(
    sample_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from georisk.pipeline import compute_stages, load_inputs, score_key
    from georisk.scoring import score_articles, scorer_from_config

    store_dir = tmp_path / "s"
    ArticleStore(store_dir).append(load_sample().articles.head(300), feed="import", backfill=True)
    cfg = GeoriskConfig(
        articles=ArticlesConfig(source="store", store=store_dir), scoring=ScoringConfig(scorer="lexicon")
    )
    seen = counting_scorer(monkeypatch)
    articles, _, prices, inputs = load_inputs(cfg)
    assert inputs["articles"] == store_dir / "articles"
    one = compute_stages(cfg, articles, prices)
    two = compute_stages(cfg, articles, prices)
    assert seen == [300]  # the second run scored nothing
    pd.testing.assert_frame_equal(one.scores, two.scores)
    fresh = score_articles(articles, scorer_from_config(cfg.scoring), evidence=False)
    pd.testing.assert_frame_equal(one.scores.drop(columns="source"), fresh)
    ArticleStore(store_dir).append(load_sample().articles.iloc[300:350], feed="import", backfill=True)
    articles = load_inputs(cfg)[0]
    compute_stages(cfg, articles, prices)
    assert seen == [300, 50]  # only the new ones
    other = cfg.model_copy(update={"scoring": ScoringConfig(scorer="lexicon", conflict="china_taiwan")})
    assert score_key(other) != score_key(cfg)


def test_monitored_total_gives_attention_share(tmp_path: Path) -> None:
    from georisk.pipeline import compute_stages, load_inputs

    store = ArticleStore(tmp_path)
    store.append(load_sample().articles.head(200), feed="import", backfill=True)
    days = pd.date_range("2022-01-01", "2025-01-01", freq="D")
    store.write_monitored("gdelt", pd.Series(100_000, index=days))
    cfg = GeoriskConfig(
        articles=ArticlesConfig(source="store", store=tmp_path), scoring=ScoringConfig(scorer="lexicon")
    )
    articles, _, prices, _ = load_inputs(cfg)
    stages = compute_stages(cfg, articles, prices)
    share = stages.signal["attention_share"]
    assert share.notna().any()
    assert float(share.max()) < 0.01


# ---------------------------------------------------------------------------------------
# command line


def write_config(path: Path, body: str) -> Path:
    path.write_text(body, encoding="utf-8")
    return path


def test_import_csv_with_mapping_and_zone_from_configuration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "wire.csv"
    csv.write_text(
        "when,headline,body,outlet\n2024-06-28 09:30,Talks,Kyiv and Moscow resume talks.,wire\n2024-06-27,Strike,Missiles hit Kharkiv.,wire\n"
    )
    jsonl = tmp_path / "more.jsonl"
    jsonl.write_text(
        json.dumps({"published_at": "2024-06-28T10:00:00+02:00", "text": "Sanctions on Russia widen.", "source": "eu"})
        + "\n"
    )
    cfg = write_config(
        tmp_path / "georisk.toml",
        '[articles]\nsource = "store"\nstore = "store"\ntimezone = "Europe/Kyiv"\n'
        '[articles.columns]\npublished_at = "when"\ntitle = "headline"\ntext = "body"\nsource = "outlet"\n',
    )
    assert main(["articles", "import", "--config", str(cfg), str(csv)]) == 0
    assert "2 article(s) added" in capsys.readouterr().out
    cfg2 = write_config(tmp_path / "g2.toml", '[articles]\nsource = "store"\nstore = "store"\n')
    assert main(["articles", "import", "--config", str(cfg2), str(jsonl), str(jsonl)]) == 0
    assert "1 article(s) added, 1 duplicate(s)" in capsys.readouterr().out
    frame = ArticleStore(tmp_path / "store").read()
    assert frame["published_at"].tolist() == [
        pd.Timestamp("2024-06-27T20:59:59.999999Z"),  # a date without a time: the end of that day in Kyiv
        pd.Timestamp("2024-06-28T06:30Z"),
        pd.Timestamp("2024-06-28T08:00Z"),
    ]
    assert frame["backfill"].all() and (frame["feed"] == "import").all()
    assert main(["articles", "status", "--config", str(cfg2)]) == 0
    assert "import" in capsys.readouterr().out


def test_import_bad_row_names_file_line_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"published_at": "2024-06-28T10:00:00", "text": "naive time"}\n')
    cfg = write_config(tmp_path / "g.toml", '[articles]\nstore = "store"\n')
    assert main(["articles", "import", "--config", str(cfg), str(bad)]) == 3
    err = capsys.readouterr().err
    assert "bad.jsonl, line 1, field 'published_at'" in err and "Traceback" not in err


def test_store_source_without_store_is_a_config_error(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "g.toml", '[articles]\nsource = "store"\n')
    assert main(["articles", "status", "--config", str(cfg)]) == 2


def test_signal_from_saved_scores(sample_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from georisk.scoring import LexiconScorer, score_articles

    scores = score_articles(load_sample().articles.head(400), LexiconScorer(), evidence=False)
    scores.to_parquet(tmp_path / "scores.parquet")
    scores.to_csv(tmp_path / "scores.csv", index=False)
    seen = counting_scorer(monkeypatch)
    for name in ("scores.parquet", "scores.csv"):
        out = tmp_path / f"signal-{name}.csv"
        assert main(["signal", "--scores", str(tmp_path / name), "--as-of", "2024-03-28", "--out", str(out)]) == 0
        signal = pd.read_csv(out, index_col=0)
        assert signal.index[-1] == "2024-03-28"
    assert seen == []
    broken = tmp_path / "broken.csv"
    broken.write_text(scores.head(3).assign(relevance=[0.1, 1.5, 0.2]).to_csv(index=False))
    assert main(["signal", "--scores", str(broken)]) == 3


def test_articles_option_reads_that_file_even_with_a_store(tmp_path: Path) -> None:
    from argparse import Namespace

    from georisk.cli._common import config_from_args
    from georisk.pipeline import configured_articles

    cfg_path = write_config(tmp_path / "g.toml", '[articles]\nsource = "store"\nstore = "store"\n')
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text(json.dumps({"published_at": "2024-06-28T10:00:00Z", "text": "Kyiv talks."}) + "\n")
    cfg = config_from_args(Namespace(config=cfg_path, articles=jsonl, prices=None), inputs=("articles",))
    articles, _, where = configured_articles(cfg)
    assert where == jsonl and len(articles) == 1
    assert (
        configured_articles(
            config_from_args(Namespace(config=cfg_path, articles=None, prices=None), inputs=("articles",))
        )[2]
        == tmp_path / "store" / "articles"
    )


def test_score_key_ignores_how_a_language_model_is_called() -> None:
    from georisk.pipeline import score_key

    def key(**llm: Any) -> str:
        return score_key(GeoriskConfig(scoring=ScoringConfig(scorer="llm", llm=ScoringConfig.LLM(**llm))))

    assert key(model="m", max_cost=1.0, concurrency=2) == key(model="m", max_cost=5.0, timeout=10.0)
    assert key(model="m") != key(model="other")
    assert score_key(GeoriskConfig(scoring=ScoringConfig(scorer="lexicon"))) != score_key(GeoriskConfig())
