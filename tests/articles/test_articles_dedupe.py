"""Near-duplicate merging never looks ahead: a later article cannot change what an earlier one became."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from georisk.articles import find_near_duplicates, load_articles, load_articles_report

_BASE = [f"w{i}" for i in range(100)]


def _with_changes(positions: range | set[int]) -> str:
    return " ".join(f"x{i}" if i in positions else w for i, w in enumerate(_BASE))


def _bridge_feed() -> pd.DataFrame:
    # A and B are different stories (similarity 0.66); D, published later, resembles both (0.81 each)
    rows = [
        ("A", "2024-03-04T14:00:00Z", " ".join(_BASE), "s1"),
        ("B", "2024-03-05T14:00:00Z", _with_changes(range(0, 100, 24)), "s2"),
        ("D", "2024-03-06T14:00:00Z", _with_changes(range(0, 100, 48)), "s3"),
    ]
    feed = pd.DataFrame(rows, columns=["id", "published_at", "text", "source"])
    feed["published_at"] = pd.to_datetime(feed["published_at"], utc=True)
    return feed


def test_a_later_article_cannot_merge_two_earlier_stories():
    feed = _bridge_feed()
    assert load_articles(feed.iloc[:2])["id"].tolist() == ["A", "B"]
    rep = load_articles_report(feed)
    assert rep.articles["id"].tolist() == ["A", "B"]
    # D goes into one earlier kept article, the most similar (a tie here: the earliest wins)
    assert rep.merged[["kept_id", "merged_id"]].to_dict(orient="records") == [{"kept_id": "A", "merged_id": "D"}]
    assert rep.merged["similarity"].iloc[0] == pytest.approx(0.8113, abs=1e-4)


def test_a_copy_goes_into_the_most_similar_earlier_kept_article():
    feed = pd.DataFrame(
        {
            "id": ["A", "B", "C"],
            "published_at": ["2024-03-04T10:00:00Z", "2024-03-04T11:00:00Z", "2024-03-04T12:00:00Z"],
            "text": [" ".join(_BASE), _with_changes({0, 25, 50, 75}), _with_changes({0, 25, 50})],
        }
    )
    # similarities: A-B 0.714 (two stories at 0.75), A-C 0.794, B-C 0.901
    keep, merged = find_near_duplicates(load_articles(feed, near_duplicates=None), threshold=0.75)
    assert keep.tolist() == [True, True, False]
    assert merged[["kept_id", "merged_id"]].to_dict(orient="records") == [{"kept_id": "B", "merged_id": "C"}]
    assert merged["similarity"].iloc[0] == pytest.approx(0.901, abs=1e-4)


def test_a_repeated_id_keeps_its_earliest_copy_whatever_the_file_order():
    feed = pd.DataFrame(
        {
            "id": ["x", "x"],
            "published_at": ["2024-03-05T10:00:00Z", "2024-03-01T10:00:00Z"],
            "text": ["Later copy of the wire story.", "Wire story."],
        }
    )
    rep = load_articles_report(feed)
    assert rep.articles["text"].tolist() == ["Wire story."]
    assert rep.merged["merged_published_at"].tolist() == [pd.Timestamp("2024-03-05T10:00:00Z")]


@st.composite
def _corpora(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Random stories of 40 words with planted near-copies (0-2 words changed) of other stories.

    Publication times are drawn independently of the order the stories are written in, so a
    story may be published after its copies: the case where a late article resembles two
    earlier, dissimilar copies (a bridge) comes up often.
    """
    n = draw(st.integers(2, 10))
    vocab = [f"v{i}" for i in range(200)]
    texts: list[list[str]] = []
    for _ in range(n):
        if texts and draw(st.integers(0, 3)) > 0:
            words = list(draw(st.sampled_from(texts)))
            for pos in draw(st.lists(st.integers(0, len(words) - 1), max_size=2)):
                words[pos] = draw(st.sampled_from(vocab))
        else:
            words = draw(st.lists(st.sampled_from(vocab), min_size=40, max_size=40))
        texts.append(words)
    hours = draw(st.lists(st.integers(0, 24 * 5), min_size=n, max_size=n))
    start = pd.Timestamp("2024-03-01T00:00:00Z")
    feed = pd.DataFrame(
        {
            "id": [f"a{i:02d}" for i in range(n)],
            "published_at": [start + pd.Timedelta(hours=h) for h in hours],
            "text": [" ".join(w) for w in texts],
            "source": [f"s{i % 3}" for i in range(n)],
        }
    )
    cut = start + pd.Timedelta(hours=draw(st.integers(0, 24 * 5)))
    return feed, cut


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpus=_corpora(), threshold=st.sampled_from([0.6, 0.65, 0.7, 0.8]))
@example(corpus=(_bridge_feed(), pd.Timestamp("2024-03-05T23:00:00Z")), threshold=0.8)
def test_a_truncated_feed_keeps_what_the_full_feed_keeps_up_to_the_cut(
    corpus: tuple[pd.DataFrame, pd.Timestamp], threshold: float
):
    feed, cut = corpus
    full = load_articles_report(feed, near_duplicates=threshold)
    # truncate on the time each record is known at: a midnight is a date, known at the end of that day
    known = load_articles(feed, near_duplicates=None).set_index("id")["published_at"]
    part = load_articles_report(feed[feed["id"].map(known) <= cut], near_duplicates=threshold)
    expected = full.articles[full.articles["published_at"] <= cut]
    assert part.articles["id"].tolist() == expected["id"].tolist()

    def report(merged: pd.DataFrame) -> list[dict[str, object]]:
        rows = merged[merged["merged_published_at"] <= cut].sort_values("merged_id")
        return rows[["kept_id", "merged_id", "similarity"]].to_dict(orient="records")

    assert report(part.merged) == report(full.merged)
    assert len(part.merged) == len(report(part.merged))
