"""Scores equal the frozen scores of ``tests/scoring/data/expected_scores.npz``.

The file holds generated texts (punctuation, quotes, Unicode, negations, hedges, hyphenated
and possessive names, long texts past the model's lede) and every output column of
``score_articles`` on them and on the bundled sample, for the default blend (with
evidence), the blend of another conflict, the blend with character n-grams, the lexicon
and the supervised scorer, as the scoring code gave them when
``python tools/make_scoring_expected.py`` wrote it. A rewrite of the scoring code for speed
must give the same scores: exactly, or within 1e-12 where a sum is added in another order.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tools.make_scoring_expected import CONFIGS, score_config, split

from georisk.datasets import load_sample
from georisk.scoring import SCORE_COLUMNS

_FILE = Path(__file__).parent / "data" / "expected_scores.npz"


@pytest.fixture(scope="module")
def expected() -> dict[str, np.ndarray]:
    with np.load(_FILE, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def _generated(expected: dict[str, np.ndarray]) -> pd.DataFrame:
    titles, texts = split(expected["generated_title"]), split(expected["generated_text"])
    n = len(texts)
    stamps = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(np.arange(n) % 97, unit="h")
    return pd.DataFrame({"id": [f"g{i}" for i in range(n)], "published_at": stamps, "title": titles, "text": texts})


def _check(expected: dict[str, np.ndarray], key: str, frame: pd.DataFrame, name: str, chunk: int | None) -> None:
    out = score_config(name, frame, chunk_size=chunk)
    assert list(out["id"]) == list(frame["id"])
    np.testing.assert_allclose(
        out[SCORE_COLUMNS].to_numpy(dtype=float), expected[f"{key}.{name}.scores"], rtol=0, atol=1e-12
    )
    if f"{key}.{name}.evidence" in expected:
        assert out["evidence"].tolist() == split(expected[f"{key}.{name}.evidence"])


@pytest.mark.parametrize("name", list(CONFIGS))
def test_generated_texts_score_as_frozen(expected: dict[str, np.ndarray], name: str) -> None:
    frame = _generated(expected)
    assert len(frame) == len(expected["generated.blend.scores"])
    _check(expected, "generated", frame, name, None)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_the_sample_scores_as_frozen(expected: dict[str, np.ndarray], name: str) -> None:
    _check(expected, "sample", load_sample().articles, name, None)


@pytest.mark.slow
@pytest.mark.parametrize("chunk", [1, 37])
def test_frozen_scores_do_not_depend_on_chunks(expected: dict[str, np.ndarray], chunk: int) -> None:
    frame = _generated(expected).iloc[:600]
    out = score_config("blend", frame, chunk_size=chunk)
    np.testing.assert_allclose(
        out[SCORE_COLUMNS].to_numpy(dtype=float), expected["generated.blend.scores"][:600], rtol=0, atol=1e-12
    )
