"""The scorer contract of ``score_articles`` and ``score_stream``: clear errors, evidence on request, chunks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from georisk.errors import ConfigError
from georisk.scoring import SCORE_COLUMNS, LexiconScorer, score_articles, score_stream
from georisk.scoring._score import DEFAULT_CHUNK


def _articles(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [f"a{i}" for i in range(n)],
            "published_at": pd.date_range("2024-01-01", periods=n, freq="h", tz="UTC"),
            "title": ["Russia shells Kharkiv"] * n,
            "text": ["Ukraine and Russia agreed to a prisoner swap."] * n,
        }
    )


class _Custom:
    """A minimal scorer: every output column 0.5, reading the columns it is told to read."""

    def __init__(self, reads: tuple[str, ...] = (), drop: tuple[str, ...] = (), rows: int = 0) -> None:
        self.reads, self.drop, self.rows = reads, drop, rows
        self.calls: list[int] = []
        self.explained = 0

    def get_params(self, deep: bool = False) -> dict[str, Any]:
        return {}

    def fit(self, X: Any = None, y: Any = None) -> _Custom:
        self.fitted_ = True
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        self.calls.append(len(X))
        for col in self.reads:
            _ = X[col]  # reads the column, as a custom scorer would
        out = pd.DataFrame(0.5, index=X.index, columns=SCORE_COLUMNS).drop(columns=list(self.drop))
        return out.iloc[: len(out) - self.rows]

    def explain(self, X: pd.DataFrame) -> list[str]:
        self.explained += 1
        return ["x"] * len(X)


def test_missing_output_column_is_a_config_error_naming_it() -> None:
    with pytest.raises(ConfigError, match=r"_Custom.transform returned no 'relevance' column .* add the missing"):
        score_articles(_articles(3), _Custom(drop=("relevance",)), evidence=False)
    with pytest.raises(ConfigError, match="returned no 'energy' column"):
        list(score_stream([_articles(2)], _Custom(drop=("energy", "grain"))))


def test_wrong_row_count_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="returned 2 rows for 3 texts"):
        score_articles(_articles(3), _Custom(rows=1), evidence=False)


def test_a_scorer_reading_a_missing_column_gets_a_config_error_not_a_key_error() -> None:
    with pytest.raises(
        ConfigError, match=r"_Custom raised KeyError\(.source.\): it reads the column .source., which the articles lack"
    ) as info:
        score_articles(_articles(3), _Custom(reads=("source",)), evidence=False)
    assert info.value.exit_code == 2
    assert not isinstance(info.value, KeyError)


def test_required_columns_are_checked_before_scoring() -> None:
    scorer = _Custom()
    scorer.required_columns = ("text", "source")  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match=r"no 'source' column, which _Custom reads .* add the column"):
        score_articles(_articles(3), scorer, evidence=False)
    assert scorer.calls == []
    with pytest.raises(ConfigError, match="no 'text' column"):
        list(score_stream([_articles(2).drop(columns=["text"])], LexiconScorer()))


def test_evidence_is_computed_only_when_asked() -> None:
    scorer = _Custom()
    out = score_articles(_articles(3), scorer, evidence=False)
    assert scorer.explained == 0 and "evidence" not in out.columns
    out = score_articles(_articles(3), scorer, evidence=True)
    assert scorer.explained == 1 and out["evidence"].tolist() == ["x"] * 3


def test_score_articles_streams_in_chunks_by_default() -> None:
    scorer = _Custom()
    n = DEFAULT_CHUNK * 2 + 5
    out = score_articles(_articles(n), scorer, evidence=False, progress=False)
    assert scorer.calls == [DEFAULT_CHUNK, DEFAULT_CHUNK, 5]
    assert len(out) == n and out.index.equals(_articles(n).index)
    scorer = _Custom()
    score_articles(_articles(10), scorer, evidence=False, chunk_size=4, progress=False)
    assert scorer.calls == [4, 4, 2]


def test_scores_do_not_depend_on_chunking() -> None:
    arts = _articles(30).assign(
        text=[f"Russia {'shelled' if i % 3 else 'agreed a truce with'} Ukraine" for i in range(30)]
    )
    whole = score_articles(arts, LexiconScorer(), evidence=True, chunk_size=30)
    parts = score_articles(arts, LexiconScorer(), evidence=True, chunk_size=7)
    pd.testing.assert_frame_equal(whole, parts)
    assert np.isfinite(whole[SCORE_COLUMNS].to_numpy()).all()
