"""``score_articles``: run a scorer over an article frame, in chunks and in parallel."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from georisk._progress import Progress
from georisk.errors import ConfigError

__all__ = [
    "DEFAULT_CHUNK",
    "PROGRESS_CHUNK",
    "check_scorer_output",
    "default_scorer",
    "fitted_scorer",
    "is_fitted",
    "score_articles",
    "score_stream",
    "scorer_from_config",
]

#: Articles per chunk when ``score_articles`` draws a progress bar without a ``chunk_size``.
PROGRESS_CHUNK = 1000
#: Articles per chunk when ``score_articles`` gets no ``chunk_size``: memory stays flat
#: however many articles there are (scores do not depend on chunking).
DEFAULT_CHUNK = 2000
#: Columns of an article frame a scorer reads unless it says otherwise (a ``required_columns``
#: attribute); ``title`` is read when present.
REQUIRED_COLUMNS = ("text",)


def default_scorer(conflict: Any = None) -> Any:
    """The default scorer, unfitted: :class:`~georisk.scoring.BlendedScorer` with default weights.

    Parameters
    ----------
    conflict : str, pathlib.Path or Lexicon, optional
        The conflict to score: a shipped name (``"russia_ukraine"``, ``"china_taiwan"``),
        the path of a conflict file, or a :class:`~georisk.scoring.Lexicon`;
        Russia-Ukraine when None.
    """
    from georisk.scoring._blend import BlendedScorer

    return BlendedScorer(conflict=conflict)


def scorer_from_config(scoring: Any) -> Any:
    """The scorer a :class:`~georisk.config.ScoringConfig` names, unfitted; None for ``"blend"``.

    ``"lexicon"`` and ``"supervised"`` are :class:`~georisk.scoring.LexiconScorer` and
    :class:`~georisk.scoring.SupervisedScorer` of the configured conflict, ``"llm"`` an
    :class:`~georisk.scoring.LLMScorer` built from the ``[scoring.llm]`` table.
    """
    kind = scoring.scorer
    conflict = scoring.conflict
    if kind == "blend":
        return None
    if kind == "lexicon":
        from georisk.scoring._lexicon import LexiconScorer

        return LexiconScorer(conflict=conflict)
    if kind == "supervised":
        from georisk.scoring._supervised import SupervisedScorer

        return SupervisedScorer(conflict=conflict)
    if kind == "llm":
        from georisk.scoring._llm import LLMScorer

        return LLMScorer(conflict=conflict, **scoring.llm.model_dump())
    raise ConfigError(f"scoring.scorer={kind!r} must be 'blend', 'lexicon', 'supervised' or 'llm'")


def fitted_scorer(scoring: Any) -> Any:
    """The scorer a :class:`~georisk.config.ScoringConfig` names, fitted (the conflict's default for ``"blend"``).

    Examples
    --------
    >>> from georisk.config import ScoringConfig
    >>> fitted_scorer(ScoringConfig(scorer="lexicon"))
    LexiconScorer(conflict='russia_ukraine')
    """
    scorer = _scorer_for(scorer_from_config(scoring), scoring.conflict)
    if not is_fitted(scorer):
        scorer.fit()
    return scorer


def _same_conflict(a: Any, b: Any) -> bool:
    from georisk.scoring._conflict import DEFAULT_CONFLICT

    a = DEFAULT_CONFLICT if a is None else a
    b = DEFAULT_CONFLICT if b is None else b
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().lower().replace("-", "_") == b.strip().lower().replace("-", "_")
    return a is b or a == b


def _scorer_for(scorer: Any, conflict: Any) -> Any:
    """``scorer``, or the default scorer of ``conflict`` when None; a scorer of another conflict is an error."""
    if scorer is None:
        return default_scorer(conflict)
    if conflict is not None:
        params = scorer.get_params(deep=False) if hasattr(scorer, "get_params") else {}
        have = params.get("conflict") if params.get("conflict") is not None else params.get("lexicon")
        if not params or not _same_conflict(have, conflict):
            raise ConfigError(
                f"conflict={conflict!r} was given with a scorer that scores {have!r}; give the conflict "
                f"to the scorer, e.g. BlendedScorer(conflict={conflict!r}), or pass no scorer"
            )
    return scorer


def is_fitted(scorer: Any) -> bool:
    """Whether ``scorer`` is fitted (scikit-learn's convention: ``n_features_in_`` or a public ``name_``)."""
    return hasattr(scorer, "n_features_in_") or any(k.endswith("_") and not k.startswith("_") for k in vars(scorer))


def _check_parallel(chunk_size: int | None, n_jobs: int) -> None:
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size < 1):
        raise ConfigError(f"chunk_size={chunk_size!r} must be a positive integer or None, e.g. 5000")
    if not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
        raise ConfigError(f"n_jobs={n_jobs!r} must be a positive integer or -1 (all cores)")


def _name(scorer: Any) -> str:
    return type(scorer).__name__


def _required_columns(scorer: Any) -> tuple[str, ...]:
    cols = getattr(scorer, "required_columns", REQUIRED_COLUMNS)
    return (cols,) if isinstance(cols, str) else tuple(cols)


def _check_input(scorer: Any, chunk: Any) -> None:
    """A frame chunk must hold the columns the scorer reads (its ``required_columns``, ``text`` by default)."""
    if isinstance(chunk, pd.DataFrame):
        missing = [c for c in _required_columns(scorer) if c not in chunk.columns]
        if missing:
            raise ConfigError(
                f"the articles have no {missing[0]!r} column, which {_name(scorer)} reads "
                f"(it needs {list(_required_columns(scorer))}); build the frame with georisk.load_articles, "
                f"or add the column"
            )


def check_scorer_output(scorer: Any, values: Any, n_rows: int) -> pd.DataFrame:
    """Check a scorer's ``transform`` output against the scorer contract; return it as a frame.

    The contract: one row per text and the columns :data:`~georisk.scoring.SCORE_COLUMNS`
    (more are ignored).

    Raises
    ------
    ConfigError
        Naming the missing columns, or the row count, and the fix.
    """
    from georisk.scoring._lexicon import SCORE_COLUMNS

    if not isinstance(values, pd.DataFrame):
        raise ConfigError(
            f"{_name(scorer)}.transform returned a {type(values).__name__}, not a DataFrame; a georisk scorer "
            f"returns a DataFrame with the columns {SCORE_COLUMNS}, one row per text"
        )
    missing = [c for c in SCORE_COLUMNS if c not in values.columns]
    if missing:
        raise ConfigError(
            f"{_name(scorer)}.transform returned no {missing[0]!r} column (missing: {missing}); a georisk scorer "
            f"returns the columns {SCORE_COLUMNS}: add the missing ones to its output (0.0 where it has no opinion)"
        )
    if len(values) != n_rows:
        raise ConfigError(
            f"{_name(scorer)}.transform returned {len(values)} rows for {n_rows} texts; a georisk scorer returns "
            "one row per text, in order"
        )
    return values


def _transform_chunk(scorer: Any, chunk: Any, evidence: bool) -> tuple[pd.DataFrame, list[str] | None]:
    _check_input(scorer, chunk)
    try:
        raw = scorer.transform(chunk)
        expl = scorer.explain(chunk) if evidence and hasattr(scorer, "explain") else None
    except KeyError as exc:
        # a custom scorer reading a column the frame lacks: name it instead of a bare KeyError
        cols = list(chunk.columns) if isinstance(chunk, pd.DataFrame) else None
        key = exc.args[0] if exc.args else None
        if cols is not None and isinstance(key, str) and key not in cols:
            raise ConfigError(
                f"{_name(scorer)} raised KeyError({key!r}): it reads the column {key!r}, which the articles lack "
                f"(they have {cols}); add the "
                f"column to the article frame, or give the scorer a required_columns attribute naming what it reads"
            ) from exc
        raise
    n_rows = len(chunk)
    values = check_scorer_output(scorer, raw if isinstance(raw, pd.DataFrame) else pd.DataFrame(raw), n_rows)
    return values, expl


def score_stream(
    chunks: Iterable[Any], scorer: Any = None, *, n_jobs: int = 1, evidence: bool = False, conflict: Any = None
) -> Iterator[pd.DataFrame]:
    """Score an iterable of chunks (lists of texts or article frames), yielding one frame per chunk.

    Memory stays flat however long the stream: only ``n_jobs`` chunks (times a small
    prefetch factor) are held at once. The scorer is fitted once, before the first chunk.

    Parameters
    ----------
    chunks : iterable
        Lists of texts, Series, or article frames (``title`` and ``text``).
    scorer : estimator, optional
        The default :class:`~georisk.scoring.BlendedScorer` when None.
    n_jobs : int, default 1
        Worker processes (joblib); ``-1`` uses every core.
    evidence : bool, default False
        Add an ``evidence`` column.
    conflict : str, pathlib.Path or Lexicon, optional
        The conflict of the default scorer (see :func:`score_articles`).

    Yields
    ------
    pandas.DataFrame
        :data:`~georisk.scoring.SCORE_COLUMNS` (and ``evidence``) for each chunk, in order.
    """
    from georisk.scoring._lexicon import SCORE_COLUMNS

    _check_parallel(None, n_jobs)
    scorer = _scorer_for(scorer, conflict)
    if n_jobs != 1 and hasattr(scorer, "concurrency") and hasattr(scorer, "api_key_env"):
        raise ConfigError(
            f"n_jobs={n_jobs}: the language-model scorer runs its own calls in parallel (its concurrency "
            "parameter) and keeps one cache and one cost count; use n_jobs=1"
        )
    if not is_fitted(scorer):
        scorer.fit()
    if n_jobs == 1:
        results: Iterable[tuple[pd.DataFrame, list[str] | None]] = (
            _transform_chunk(scorer, c, evidence) for c in chunks
        )
    else:
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=n_jobs, return_as="generator", pre_dispatch="2*n_jobs")
        results = parallel(delayed(_transform_chunk)(scorer, c, evidence) for c in chunks)
    for values, expl in results:
        frame = pd.DataFrame(
            np.clip(values[SCORE_COLUMNS].to_numpy(dtype=float), 0.0, 1.0), index=values.index, columns=SCORE_COLUMNS
        )
        if expl is not None:
            frame = frame.assign(evidence=expl)
        yield frame


def score_articles(
    articles: pd.DataFrame,
    scorer: Any = None,
    *,
    evidence: bool = True,
    chunk_size: int | None = None,
    n_jobs: int = 1,
    progress: bool | None = None,
    conflict: Any = None,
) -> pd.DataFrame:
    """Score each article for hawkish tilt, peace trade, relevance and channels.

    Parameters
    ----------
    articles : pandas.DataFrame
        The frame from :func:`georisk.load_articles`, or any frame with ``published_at``
        and ``text`` (``title`` and ``id`` optional; a missing ``id`` is the row label).
    scorer : estimator, optional
        Any fitted or unfitted transformer keeping the scorer contract (see Notes); the
        default :class:`~georisk.scoring.BlendedScorer` (lexicon and supervised model,
        half each) when None. An unfitted scorer is fitted without labels.
    evidence : bool, default True
        Add an ``evidence`` column with the phrases that drove each score (when the
        scorer has an ``explain`` method). Evidence is computed only when asked for;
        ``evidence=False`` is the fast path.
    chunk_size : int, optional
        Score this many articles at a time; :data:`DEFAULT_CHUNK` (2,000) when None, so
        memory stays flat however many articles there are.
    n_jobs : int, default 1
        Worker processes; chunks are scored in parallel when > 1 (or -1 for all cores).
    progress : bool, optional
        A progress bar on stderr, advanced chunk by chunk; default: only when stderr is a
        terminal (never in a scheduler's log or a notebook) and there are more than
        :data:`PROGRESS_CHUNK` articles, which are then scored in chunks of that size
        unless ``chunk_size`` says otherwise. Scores do not depend on chunking.
    conflict : str, pathlib.Path or Lexicon, optional
        The conflict whose relevance is scored, for the default scorer: a shipped name
        (:func:`~georisk.scoring.shipped_conflicts`: ``"russia_ukraine"``,
        ``"china_taiwan"``), the path of a conflict file of your own, or a
        :class:`~georisk.scoring.Lexicon`; Russia-Ukraine when None. With a ``scorer``, give
        the conflict to the scorer instead (a scorer of another conflict is an error).

    Returns
    -------
    pandas.DataFrame
        ``id``, ``published_at``, then the score columns in [0, 1], then ``evidence``;
        one row per article, with the index of ``articles``.

    Raises
    ------
    ConfigError
        If ``articles`` lacks a column, or the scorer breaks its contract; the message
        names the column and the fix.

    Notes
    -----
    Scores of one article depend on that article alone, so scoring never looks ahead.

    The scorer contract: ``transform`` takes a chunk of the article frame (or a list of
    texts) and returns a DataFrame with one row per article and the columns
    :data:`SCORE_COLUMNS` (values are clipped to [0, 1]); the frame holds the columns the
    scorer names in a ``required_columns`` attribute (``("text",)`` when it has none;
    ``title`` is read when present). Each is checked, and a breach is a
    :class:`~georisk.errors.ConfigError` naming the column, never a bare ``KeyError``.
    See :class:`~georisk.scoring.BlendedScorer` for the blend and
    :class:`~georisk.scoring.LexiconScorer` for the lexicon formulas.

    Examples
    --------
    >>> from georisk.datasets import load_sample
    >>> from georisk import score_articles
    >>> scores = score_articles(load_sample().articles.head(3))
    >>> list(scores.columns[:4])
    ['id', 'published_at', 'hawkish_tilt', 'hawkish_threat']
    >>> taiwan = score_articles(load_sample().articles.head(3), conflict="china_taiwan", evidence=False)
    >>> float(taiwan["relevance"].max())  # the sample is Russia-Ukraine news
    0.0
    """
    from georisk.scoring._lexicon import SCORE_COLUMNS

    if not isinstance(articles, pd.DataFrame):
        raise ConfigError(
            f"articles must be a DataFrame, got {type(articles).__name__}"
            + (
                "; the deprecated load_articles(..., lenient=True) returns (articles, quarantine): pass the "
                "first, or use load_articles_report(...).articles"
                if isinstance(articles, tuple)
                else "; use georisk.load_articles (or load_articles_report(...).articles)"
            )
        )
    for col in ("published_at", "text"):
        if col not in articles.columns:
            raise ConfigError(f"articles has no {col!r} column; build it with georisk.load_articles")
    _check_parallel(chunk_size, n_jobs)
    scorer = _scorer_for(scorer, conflict)
    _check_input(scorer, articles.iloc[:0])
    if not is_fitted(scorer):
        scorer.fit()
    n = len(articles)
    bar = Progress(n, "scoring", enabled=progress, unit="article")
    if chunk_size is None and n_jobs == 1 and bar.show and n > PROGRESS_CHUNK:
        chunk_size = PROGRESS_CHUNK
    if chunk_size is None:
        # streamed by default; with workers, at least two chunks per worker
        chunk_size = DEFAULT_CHUNK if n_jobs == 1 else max(1, min(DEFAULT_CHUNK, -(-n // (2 * max(n_jobs, 2)))))
    size = chunk_size
    parts: list[pd.DataFrame] = []
    with bar:
        chunks = (articles.iloc[i : i + size] for i in range(0, n, size))
        for part in score_stream(chunks, scorer, n_jobs=n_jobs, evidence=evidence):
            parts.append(part)
            bar.advance(len(part))
    if parts:
        values = pd.concat(parts)
        values.index = articles.index
    else:
        values = pd.DataFrame(columns=[*SCORE_COLUMNS, *(["evidence"] if evidence else [])], index=articles.index)
    ids = articles["id"] if "id" in articles.columns else pd.Series(articles.index.astype(str), index=articles.index)
    out = pd.concat([ids.rename("id"), articles["published_at"], values[SCORE_COLUMNS].astype(float)], axis=1)
    if evidence and "evidence" in values.columns:
        out["evidence"] = values["evidence"].astype(object).fillna("")
    provenance = getattr(scorer, "provenance_", None)
    if isinstance(provenance, dict):
        # e.g. the language-model scorer's model and prompt SHA-256
        out.attrs["provenance"] = dict(provenance)
    return out
