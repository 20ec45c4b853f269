"""Distillation: teach the fast supervised scorer from a language model's labels, and save it without pickle."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from georisk.errors import ConfigError
from georisk.scoring._corpus import load_labelled_corpus
from georisk.scoring._evaluate import _auc
from georisk.scoring._lexicon import SCORE_COLUMNS, texts_of
from georisk.scoring._model import read_arrays, write_arrays
from georisk.scoring._supervised import _HEADS, SupervisedScorer

__all__ = ["Distillation", "distill", "labels_from_scores", "load_distilled", "save_distilled"]

_TARGET_COLUMN = {"hawkish": "hawkish_tilt", "peace": "peace_trade", "relevant": "relevance"}


def labels_from_scores(scores: pd.DataFrame, threshold: float = 0.5) -> pd.Series:
    """Training labels from scores (a language model's): the five corpus labels, hawkish split into threat and act.

    ``off_topic`` when ``relevance < threshold``; else ``mixed`` when hawkish tilt and
    peace trade both reach it, ``hawkish_act`` / ``hawkish_threat`` (the larger of the two)
    or ``peace`` when one does, ``neutral`` when neither does.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"hawkish_tilt": [0.9, 0.1, 0.8], "hawkish_threat": [0.2, 0, 0.8],
    ...                   "hawkish_act": [0.9, 0, 0.1], "peace_trade": [0.1, 0.7, 0.6], "relevance": [0.9, 0.8, 0.9]})
    >>> labels_from_scores(s).tolist()
    ['hawkish_act', 'peace', 'mixed']
    """
    h = scores["hawkish_tilt"].to_numpy(dtype=float) >= threshold
    p = scores["peace_trade"].to_numpy(dtype=float) >= threshold
    r = scores["relevance"].to_numpy(dtype=float) >= threshold
    act = scores["hawkish_act"].to_numpy(dtype=float) >= scores["hawkish_threat"].to_numpy(dtype=float)
    hawk = np.where(act, "hawkish_act", "hawkish_threat")
    out = np.where(~r, "off_topic", np.where(h & p, "mixed", np.where(h, hawk, np.where(p, "peace", "neutral"))))
    return pd.Series(out, index=scores.index, dtype=object)


@dataclass(frozen=True)
class Distillation:
    """Result of :func:`distill`.

    Attributes
    ----------
    scorer : SupervisedScorer
        The fast scorer refit on the shipped corpus and the model-labelled training part.
    agreement : pandas.DataFrame
        One row per target (``hawkish``, ``peace``, ``relevant``) and scorer (``shipped``,
        ``distilled``): ROC AUC and accuracy against the language model's labels on the
        held-out part, and the number of held-out positives.
    labelled : pandas.DataFrame
        The sample the model scored: ``id``, ``text``, ``label``, ``split`` (``train`` or
        ``holdout``), the model's scores.
    errors : pandas.DataFrame
        Sampled articles the model failed on (``id``, ``reason``), left out.
    provenance : dict
        The language model's provenance (model, prompt SHA-256) and the sample's sizes.
    """

    scorer: SupervisedScorer
    agreement: pd.DataFrame
    labelled: pd.DataFrame
    errors: pd.DataFrame
    provenance: dict[str, Any]


def _agreement(scorer: Any, texts: list[str], labels: pd.Series, threshold: float) -> list[dict[str, Any]]:
    scores = scorer.transform(texts)
    lab = labels.to_numpy(dtype=object)
    targets = {
        "hawkish": np.isin(lab, ["hawkish_threat", "hawkish_act", "mixed"]),
        "peace": np.isin(lab, ["peace", "mixed"]),
        "relevant": lab != "off_topic",
    }
    rows = []
    for target, y in targets.items():
        s = scores[_TARGET_COLUMN[target]].to_numpy(dtype=float)
        rows.append(
            {
                "target": target,
                "n_positive": int(y.sum()),
                "roc_auc": _auc(y.astype(int), s),
                "accuracy": float(((s >= threshold) == y).mean()) if len(y) else float("nan"),
            }
        )
    return rows


def distill(
    articles: pd.DataFrame,
    llm_scorer: Any,
    *,
    n_sample: int = 500,
    holdout: float = 0.3,
    threshold: float = 0.5,
    random_state: int = 0,
    char_ngrams: bool = False,
) -> Distillation:
    """Label a sample of ``articles`` with a language model and refit the fast supervised scorer on it.

    Parameters
    ----------
    articles : pandas.DataFrame
        The user's articles (``text``, optionally ``title`` and ``id``).
    llm_scorer : LLMScorer
        The teacher (any scorer returning :data:`SCORE_COLUMNS` works); answers it fails on
        are left out and reported in ``errors``.
    n_sample : int, default 500
        Articles drawn at random (all when fewer).
    holdout : float, default 0.3
        Fraction of the labelled sample kept out of training, on which agreement is measured.
    threshold : float, default 0.5
        Score at which a model's score counts as the label (see :func:`labels_from_scores`).
    random_state : int, default 0
        Seed of the sample and of the split.
    char_ngrams : bool, default False
        Character n-grams in the refit scorer (as :class:`SupervisedScorer`).

    Returns
    -------
    Distillation

    Notes
    -----
    The refit scorer learns from the shipped corpus's training split and the model's
    labels of the training part of the sample, side by side. Agreement is the ROC AUC and
    the accuracy at ``threshold`` of the fast scorer's ``hawkish_tilt``, ``peace_trade``
    and ``relevance`` against the model's labels on the held-out part, for the shipped
    scorer and the distilled one. The fast scorer stays the default for bulk scoring.
    """
    if not isinstance(articles, pd.DataFrame) or "text" not in articles.columns:
        raise ConfigError("articles must be an article frame with a 'text' column")
    if not 0.0 < holdout < 1.0:
        raise ConfigError(f"holdout={holdout!r} must be strictly between 0 and 1, e.g. 0.3")
    if not isinstance(n_sample, int) or n_sample < 10:
        raise ConfigError(f"n_sample={n_sample!r} must be an integer >= 10")
    rng = np.random.default_rng(random_state)
    take = np.sort(rng.permutation(len(articles))[: min(n_sample, len(articles))])
    sample = articles.iloc[take].reset_index(drop=True)
    if "id" not in sample.columns:
        sample = sample.assign(id=[str(articles.index[i]) for i in take])
    if not hasattr(llm_scorer, "n_features_in_"):
        llm_scorer.fit()
    n_errors_before = len(getattr(llm_scorer, "errors_", []))
    scores = pd.DataFrame(llm_scorer.transform(sample)).reset_index(drop=True)
    errors = getattr(llm_scorer, "errors_", pd.DataFrame(columns=["id", "reason"])).iloc[n_errors_before:]
    ok = scores[SCORE_COLUMNS].notna().all(axis=1).to_numpy()
    texts = [t for t, good in zip(texts_of(sample), ok, strict=True) if good]
    scores = scores[ok].reset_index(drop=True)
    labels = labels_from_scores(scores, threshold)
    split = np.where(rng.random(len(texts)) < holdout, "holdout", "train")
    train = split == "train"
    if train.sum() < 5 or (~train).sum() < 5:
        raise ConfigError(f"only {len(texts)} articles were labelled; sample more (n_sample) for a train and hold-out")
    corpus = load_labelled_corpus(split="train")
    corpus_y = np.where(
        corpus["kind"].isin(["threat", "act"]), "hawkish_" + corpus["kind"].astype(str), corpus["label"]
    )
    train_texts = [*corpus["text"].tolist(), *(t for t, k in zip(texts, train, strict=True) if k)]
    train_y = [*corpus_y.tolist(), *labels[train].tolist()]
    conflict = getattr(llm_scorer, "conflict", None)
    shipped = SupervisedScorer(conflict=conflict, char_ngrams=char_ngrams).fit()
    fast = SupervisedScorer(conflict=conflict, char_ngrams=char_ngrams).fit(train_texts, train_y)
    held_texts = [t for t, k in zip(texts, train, strict=True) if not k]
    held_y = labels[~train].reset_index(drop=True)
    rows = [
        {"scorer": name, **row}
        for name, model in (("shipped", shipped), ("distilled", fast))
        for row in _agreement(model, held_texts, held_y, threshold)
    ]
    agreement = pd.DataFrame(rows).set_index(["target", "scorer"]).sort_index()
    labelled = pd.concat(
        [
            pd.DataFrame(
                {"id": sample["id"].astype(str)[ok].to_numpy(), "text": texts, "label": labels, "split": split}
            ),
            scores[SCORE_COLUMNS],
        ],
        axis=1,
    )
    provenance = {
        **dict(getattr(llm_scorer, "provenance_", {})),
        "n_sample": len(sample),
        "n_labelled": len(texts),
        "n_train": int(train.sum()),
        "n_holdout": int((~train).sum()),
        "n_corpus": len(corpus),
        "threshold": threshold,
    }
    return Distillation(fast, agreement, labelled, errors.reset_index(drop=True), provenance)


def save_distilled(scorer: SupervisedScorer, path: str | Path, provenance: dict[str, Any] | None = None) -> Path:
    """Save a fitted :class:`SupervisedScorer` as plain arrays (NumPy ``.npz``, no pickle).

    The file holds the TF-IDF weights, each head's per-fold coefficients, intercepts and
    sigmoid calibration, and a JSON text of the scorer's parameters and ``provenance``.
    The hashing feature map is stateless, so nothing else is needed. Read it back with
    :func:`load_distilled`.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    if not hasattr(scorer, "heads_"):
        raise ConfigError("the scorer is not fitted; fit it (or run distill) before saving")
    params = scorer.get_params(deep=False)
    for key in ("conflict", "lexicon", "corpus"):
        if params.get(key) is not None and not isinstance(params[key], str | Path):
            raise ConfigError(f"{key}={params[key]!r} cannot be saved; give it as a shipped name or a path")
        if isinstance(params.get(key), Path):
            params[key] = str(params[key])
    meta = {"params": params, "n_train": scorer.n_train_, "provenance": provenance or {}}
    return write_arrays(path, meta, scorer.idf_, scorer.heads_)


def load_distilled(path: str | Path) -> SupervisedScorer:
    """Load a scorer saved by :func:`save_distilled` (arrays only: ``allow_pickle=False``).

    Returns
    -------
    SupervisedScorer
        Fitted; its ``provenance_`` holds what was saved with it.
    """
    meta, idf, heads = read_arrays(Path(path), (*_HEADS, "act"))
    if "params" not in meta:
        raise ConfigError(f"{path} is not a distilled scorer file (no parameters); save it with save_distilled")
    scorer = SupervisedScorer(**meta["params"])
    scorer._set_model(idf, heads, int(meta["n_train"]))
    scorer.provenance_ = {**meta.get("provenance", {}), "saved_as": str(path)}
    return scorer
