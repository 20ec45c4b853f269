"""Bundled offline sample: SYNTHETIC articles and prices, for demos and tests only.

.. warning::
   Every price and article in the sample is simulated by
   ``tools/make_sample.py`` (in the repository). It is not market data and not news; do not use
   it for research conclusions or trading.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from georisk.config import Universe, default_universe

__all__ = ["LOADINGS", "Sample", "load_sample", "sample_articles_path", "sample_prices_path"]

#: The sample's sleeve loadings on the latent state's change, in return per unit of dz
#: (what ``tools/make_sample.py`` simulated with; a recovery check for the premium).
LOADINGS = {"energy": 0.030, "defense": 0.020, "grain": 0.025, "benchmark": -0.008}


@dataclass(frozen=True)
class Sample:
    """The bundled synthetic sample.

    Attributes
    ----------
    articles : pandas.DataFrame
        ~1,500 synthetic articles, validated by :func:`georisk.load_articles`.
    prices : pandas.DataFrame
        Wide frame of synthetic closes, 2022-01-03 to 2024-12-31, each instrument on
        its own exchange calendar.
    latent : pandas.Series
        The latent geopolitical state ``z`` that drove both (calendar days).
    loadings : dict
        The documented loading of each sleeve on the change of ``z``.
    universe : Universe
        The default universe the prices cover.
    """

    articles: pd.DataFrame
    prices: pd.DataFrame
    latent: pd.Series
    loadings: dict[str, float]
    universe: Universe


def _path(name: str) -> Path:
    return Path(str(resources.files("georisk.datasets").joinpath("data", name)))


def sample_articles_path() -> Path:
    """Path of the bundled synthetic articles (JSON Lines)."""
    return _path("sample_articles.jsonl")


def sample_prices_path() -> Path:
    """Path of the bundled synthetic prices (wide CSV)."""
    return _path("sample_prices.csv")


def load_sample() -> Sample:
    """Load the bundled SYNTHETIC sample (articles, prices, latent state).

    Returns
    -------
    Sample

    Examples
    --------
    >>> from georisk.datasets import load_sample
    >>> s = load_sample()
    >>> len(s.articles) > 1000, s.prices.index.min().year
    (True, 2022)
    """
    from georisk.articles import load_articles
    from georisk.market import load_prices

    universe = default_universe()
    articles = load_articles(sample_articles_path())
    prices, _ = load_prices(universe, source=sample_prices_path())
    latent_frame = pd.read_csv(_path("sample_latent.csv"), parse_dates=["date"], index_col="date")
    return Sample(articles, prices, latent_frame["z"], dict(LOADINGS), universe)
