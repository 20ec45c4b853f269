"""Shared fixtures. Tests that read ../shared/ skip cleanly when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ../shared folder beside the project root; skips the test when absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared/ is not beside the project root (only on the build machines)")
    return SHARED


@pytest.fixture(scope="session")
def sample():  # type: ignore[no-untyped-def]
    from georisk.datasets import load_sample

    return load_sample()


@pytest.fixture(scope="session")
def sample_scores(sample):  # type: ignore[no-untyped-def]
    from georisk import score_articles

    return score_articles(sample.articles)


@pytest.fixture(scope="session")
def pipeline_result():  # type: ignore[no-untyped-def]
    from georisk.pipeline import run

    return run()
