"""Property tests: arbitrary bytes and rows give articles, a quarantine entry or a clear error; nothing vanishes."""

from __future__ import annotations

import json
import tempfile
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from georisk.articles import load_articles_report
from georisk.errors import EncodingFallbackWarning, GeoriskError, InputDataError
from georisk.scoring import LexiconScorer, score_articles

_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _load(path: Path, **kwargs: object) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EncodingFallbackWarning)
        return load_articles_report(path, on_invalid="quarantine", timezone="UTC", **kwargs)


@_SETTINGS
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".jsonl", ".csv"]))
def test_random_bytes_never_crash(data: bytes, suffix: str):
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / f"feed{suffix}"
        f.write_bytes(data)
        message = ""
        try:
            rep = _load(f)
        except GeoriskError as exc:  # a clear error naming the file, never another exception
            message = str(exc)
        if message:
            assert str(f) in message
        else:
            assert rep.n_read == len(rep.articles) + len(rep.quarantine) + len(rep.merged)  # type: ignore[attr-defined]


@_SETTINGS
@given(files=st.lists(st.binary(max_size=500), min_size=1, max_size=4))
def test_random_files_in_a_folder_are_articles_or_quarantined(files: list[bytes]):
    with tempfile.TemporaryDirectory() as d:
        for i, data in enumerate(files):
            (Path(d) / f"f{i}.txt").write_bytes(data)
        rep = _load(Path(d), timestamps={f"f{i}.txt": "2024-03-01T10:00:00Z" for i in range(len(files))})
        assert rep.n_read == len(files)  # type: ignore[attr-defined]
        assert rep.n_read == len(rep.articles) + len(rep.quarantine) + len(rep.merged)  # type: ignore[attr-defined]
        assert rep.quarantine["reason"].str.len().gt(0).all()  # type: ignore[attr-defined]


_values = st.one_of(st.none(), st.text(max_size=30), st.integers(), st.floats(allow_nan=True), st.booleans())


@_SETTINGS
@given(
    rows=st.lists(
        st.dictionaries(st.sampled_from(["published_at", "text", "title", "source", "x"]), _values), max_size=6
    )
)
def test_malformed_json_rows_are_quarantined_with_line_numbers(rows: list[dict[str, object]]):
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "feed.jsonl"
        f.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        if not rows:  # a feed with no records is an error naming the file, never zero articles in silence
            f.write_text("\n", encoding="utf-8")
            with pytest.raises(InputDataError, match=r"feed\.jsonl: file is empty"):
                _load(f)
            return
        rep = _load(f)
        assert rep.n_read == len(rows)  # type: ignore[attr-defined]
        assert rep.n_read == len(rep.articles) + len(rep.quarantine) + len(rep.merged)  # type: ignore[attr-defined]
        assert set(rep.quarantine["line"]) <= set(range(1, len(rows) + 1))  # type: ignore[attr-defined]


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.text(max_size=300), min_size=1, max_size=5))
def test_any_text_scores_in_range(texts: list[str]):
    frame = pd.DataFrame({"published_at": pd.Timestamp("2024-03-01T10:00Z"), "text": texts})
    out = score_articles(frame, LexiconScorer())
    values = out.drop(columns=["id", "published_at", "evidence"])
    assert ((values >= 0) & (values <= 1)).all().all()
