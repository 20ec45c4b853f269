import json
from pathlib import Path

import numpy as np
from tools.make_sample import generate_sample

from georisk.datasets import LOADINGS, sample_articles_path


def test_generator_reproduces_shipped_bytes(tmp_path: Path):
    paths = generate_sample(tmp_path)
    shipped = sample_articles_path().parent
    for p in paths.values():
        assert p.read_bytes() == (shipped / p.name).read_bytes(), f"{p.name} differs from the shipped file"


def test_sample_is_small_and_labelled_synthetic():
    folder = sample_articles_path().parent
    total = sum(p.stat().st_size for p in folder.iterdir())
    assert total < 2 * 1024 * 1024
    first = json.loads(sample_articles_path().read_text("utf-8").splitlines()[0])
    assert "synthetic" in first["title"] and "synthetic" in first["source"]
    assert "SYNTHETIC" in (folder / "PROVENANCE.md").read_text("utf-8")


def test_load_sample_shapes(sample):
    assert 1300 <= len(sample.articles) <= 1700
    assert sample.prices.shape[1] == 15
    years = (sample.prices.index.max() - sample.prices.index.min()).days / 365.25
    assert 2.9 < years < 3.1
    assert set(sample.loadings) == set(LOADINGS)
    assert str(sample.articles["published_at"].dt.tz) == "UTC"
    # each instrument keeps its own calendar: Xetra trades on some US holidays
    assert sample.prices["RHM.DE"].notna().sum() != sample.prices["SPY"].notna().sum()


def test_articles_follow_latent_state(sample, sample_scores):
    from georisk import daily_signal

    sig = daily_signal(sample_scores)
    z = sample.latent.reindex(sig.index)
    assert np.corrcoef(sig["escalation_ema"].dropna(), z[sig["escalation_ema"].notna()])[0, 1] > 0.5
