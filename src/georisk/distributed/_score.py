"""Score the partitions of a Dask article frame with the library's own scorer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from georisk.errors import ConfigError
from georisk.scoring import SCORE_COLUMNS, default_scorer, is_fitted
from georisk.scoring import score_articles as pandas_score_articles

if TYPE_CHECKING:
    import dask.dataframe as dd

__all__ = ["SCORE_DTYPES", "score_articles"]

#: Declared output schema of :func:`score_articles` (the scoring contract), without ``evidence``.
SCORE_DTYPES: dict[str, Any] = {
    "id": "str",
    "published_at": "datetime64[ns, UTC]",
    **dict.fromkeys(SCORE_COLUMNS, "float64"),
}


def _meta(evidence: bool) -> pd.DataFrame:
    dtypes = {**SCORE_DTYPES, **({"evidence": "str"} if evidence else {})}
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})


def _score_partition(articles: pd.DataFrame, scorer: Any, evidence: bool) -> pd.DataFrame:
    meta = _meta(evidence)
    if articles.empty:
        return meta
    out = pandas_score_articles(articles, scorer, evidence=evidence)
    missing = [c for c in meta.columns if c not in out.columns]
    if missing:
        raise ConfigError(f"the scorer returned no {missing} column(s); a georisk scorer must return {SCORE_COLUMNS}")
    out = out[list(meta.columns)]
    out["published_at"] = out["published_at"].dt.tz_convert("UTC").dt.as_unit("ns")
    return out.astype({c: t for c, t in meta.dtypes.items() if c != "published_at"})


def _ship(scorer: Any) -> Any:
    """The scorer, or a future of it broadcast to every worker when a distributed client runs the graph.

    A trained model can weigh tens of MB; scattering it once keeps it out of the task
    graph the scheduler receives.
    """
    import dask

    if dask.config.get("scheduler", None) != "dask.distributed":
        return scorer
    from distributed import get_client

    try:
        client = get_client()
    except ValueError:
        return scorer
    return client.scatter(scorer, broadcast=True, hash=False)  # type: ignore[no-untyped-call]


def score_articles(
    articles: pd.DataFrame | dd.DataFrame, scorer: Any = None, *, evidence: bool = False
) -> pd.DataFrame | dd.DataFrame:
    """Score every article of a Dask (or pandas) article frame, partition by partition.

    Parameters
    ----------
    articles : dask.dataframe.DataFrame or pandas.DataFrame
        Articles with ``id``, ``published_at`` (tz-aware), ``title`` and ``text``, e.g.
        from :func:`read_articles`. A pandas frame runs :func:`georisk.score_articles`.
    scorer : estimator, optional
        A georisk scorer; :func:`georisk.scoring.default_scorer` when None, as in the
        pandas path. An unfitted scorer is fitted once here, without labels, never per
        partition, so every partition uses the same model; it is then sent to the workers.
    evidence : bool, default False
        Add the ``evidence`` column. Off by default: the phrases are for auditing single
        articles and would multiply the size of the scores of a large archive.

    Returns
    -------
    dask.dataframe.DataFrame or pandas.DataFrame
        For Dask input, a lazy frame with the declared schema :data:`SCORE_DTYPES`
        (``id``, ``published_at`` as ``datetime64[ns, UTC]``, the score columns in
        [0, 1]), plus ``evidence`` when asked; one row per article, partitions as the
        input's.

    Raises
    ------
    ConfigError
        If the frame lacks a column, or ``scorer`` was passed unfitted and has no
        ``fit`` that works without labels.

    Notes
    -----
    Each partition is scored by :func:`georisk.score_articles`, so the scores equal
    the pandas path's article by article; scoring is per article and needs no data from
    other partitions.
    """
    if isinstance(articles, pd.DataFrame):
        return pandas_score_articles(articles, scorer, evidence=evidence)
    if not hasattr(articles, "map_partitions"):
        raise ConfigError(f"articles is a {type(articles).__name__}; pass a pandas or Dask DataFrame of articles")
    for col in ("id", "published_at", "text"):
        if col not in articles.columns:
            raise ConfigError(
                f"articles has no {col!r} column; read the archive with georisk.distributed.read_articles"
            )
    scorer = default_scorer() if scorer is None else scorer
    if not is_fitted(scorer):
        try:
            scorer.fit()
        except TypeError as exc:
            raise ConfigError(
                f"scorer {type(scorer).__name__} is not fitted and cannot be fitted without labels; fit it on your "
                "labelled corpus first, then pass it (every partition must use the same fitted model)"
            ) from exc
    result: dd.DataFrame = articles.map_partitions(  # type: ignore[no-untyped-call]
        _score_partition, scorer=_ship(scorer), evidence=evidence, meta=_meta(evidence), align_dataframes=False
    )
    return result
