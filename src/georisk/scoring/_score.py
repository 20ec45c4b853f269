"""``score_articles``: run a scorer over an article frame."""

from __future__ import annotations

from typing import Any

import pandas as pd

from georisk.errors import ConfigError

__all__ = ["score_articles"]


def score_articles(articles: pd.DataFrame, scorer: Any = None, *, evidence: bool = True) -> pd.DataFrame:
    """Score each article for hawkish tilt, peace trade, relevance and channels.

    Parameters
    ----------
    articles : pandas.DataFrame
        The frame from :func:`georisk.load_articles` (``id``, ``published_at``,
        ``title``, ``text``, ...).
    scorer : estimator, optional
        Any fitted or unfitted transformer returning :data:`SCORE_COLUMNS`; a
        :class:`LexiconScorer` when None.
    evidence : bool, default True
        Add an ``evidence`` column with the phrases that drove each score (when the
        scorer has an ``explain`` method).

    Returns
    -------
    pandas.DataFrame
        ``id``, ``published_at``, then the score columns in [0, 1], then ``evidence``;
        one row per article, same order.

    Examples
    --------
    >>> from georisk.datasets import load_sample
    >>> from georisk import score_articles
    >>> scores = score_articles(load_sample().articles.head(3))
    >>> list(scores.columns[:4])
    ['id', 'published_at', 'hawkish_tilt', 'hawkish_threat']
    """
    from georisk.scoring._lexicon import SCORE_COLUMNS, LexiconScorer

    for col in ("id", "published_at", "text"):
        if col not in articles.columns:
            raise ConfigError(f"articles has no {col!r} column; build it with georisk.load_articles")
    scorer = LexiconScorer() if scorer is None else scorer
    if not hasattr(scorer, "n_features_in_") and not any(
        k.endswith("_") and not k.startswith("_") for k in vars(scorer)
    ):
        scorer.fit(articles)
    values = scorer.transform(articles)
    values = pd.DataFrame(values, index=articles.index)
    missing = [c for c in SCORE_COLUMNS if c not in values.columns]
    if missing:
        raise ConfigError(f"the scorer returned no {missing} column(s); a georisk scorer must return {SCORE_COLUMNS}")
    out = pd.concat([articles[["id", "published_at"]], values[SCORE_COLUMNS].clip(0.0, 1.0)], axis=1)
    if evidence and hasattr(scorer, "explain"):
        out["evidence"] = scorer.explain(articles)
    return out
