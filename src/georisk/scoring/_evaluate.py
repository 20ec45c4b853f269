"""Audit a scorer against hand-labelled texts: precision, recall, ROC AUC, confusion table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from georisk.errors import ConfigError
from georisk.scoring._corpus import LABELS, load_labelled_corpus, targets_from_labels

__all__ = ["ScorerEvaluation", "compare_scorers", "evaluate_scorer", "predicted_labels"]

_SCORE_OF = {"hawkish": "hawkish_tilt", "peace": "peace_trade", "relevant": "relevance"}


def predicted_labels(scores: pd.DataFrame, threshold: float = 0.5) -> pd.Series:
    """Turn scores into one of :data:`LABELS` per row.

    ``off_topic`` when ``relevance < threshold``; otherwise ``mixed`` when both
    ``hawkish_tilt`` and ``peace_trade`` reach the threshold, ``hawkish`` or ``peace`` when
    one does, ``neutral`` when neither.
    """
    rel = scores["relevance"].to_numpy() >= threshold
    h = scores["hawkish_tilt"].to_numpy() >= threshold
    p = scores["peace_trade"].to_numpy() >= threshold
    lab = np.select([~rel, h & p, h, p], ["off_topic", "mixed", "hawkish", "peace"], default="neutral")
    return pd.Series(lab, index=scores.index, name="predicted")


def _auc(y: np.ndarray, s: np.ndarray) -> float:
    pos, neg = s[y == 1], s[y == 0]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    ranks = pd.Series(np.concatenate([pos, neg])).rank().to_numpy()  # average ranks for ties
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


@dataclass(frozen=True)
class ScorerEvaluation:
    """Result of :func:`evaluate_scorer`.

    Attributes
    ----------
    metrics : pandas.DataFrame
        One row per target (``hawkish``, ``peace``, ``relevant``): ``n_positive``,
        ``precision``, ``recall``, ``f1`` at the threshold, and ``roc_auc``.
    confusion : pandas.DataFrame
        Counts of true label (rows) against predicted label (columns), :data:`LABELS`.
    scores : pandas.DataFrame
        The labelled texts with their scores and predicted label.
    threshold : float
    """

    metrics: pd.DataFrame
    confusion: pd.DataFrame
    scores: pd.DataFrame
    threshold: float

    @property
    def accuracy(self) -> float:
        """Share of texts whose predicted label equals the true label (``true``: off_topic when not about it)."""
        truth = self.scores["true"] if "true" in self.scores.columns else self.scores["label"]
        return float((truth == self.scores["predicted"]).mean())

    def summary(self) -> str:
        """A plain-text report: metrics per target, accuracy and the confusion table."""
        with pd.option_context("display.width", 120, "display.precision", 3):
            return (
                f"{len(self.scores)} labelled texts, threshold {self.threshold:g}, "
                f"relevance to: {self.metrics.attrs.get('conflict', 'any')}\n\n"
                f"{self.metrics.to_string(float_format=lambda v: f'{v:.3f}')}\n\n"
                f"accuracy over the five labels: {self.accuracy:.3f}\n\n"
                f"confusion (rows: true label, columns: predicted)\n{self.confusion.to_string()}"
            )


def _conflict_of(scorer: Any) -> str | None:
    """The corpus tag of the conflict a fitted georisk scorer scores, or None for another scorer."""
    for path in (("lexicon_",), ("lexicon_scorer_", "lexicon_"), ("channel_scorer_", "lexicon_")):
        obj: Any = scorer
        for attr in path:
            obj = getattr(obj, attr, None)
        if obj is not None and hasattr(obj, "key"):
            return str(obj.key)
    return None


def evaluate_scorer(
    scorer: Any = None,
    labelled: str | Path | pd.DataFrame | None = None,
    *,
    threshold: float = 0.5,
    conflict: str | None = None,
) -> ScorerEvaluation:
    """Audit a scorer against labelled texts, as newspaper risk indices are audited against hand-read samples.

    Parameters
    ----------
    scorer : estimator, optional
        A georisk scorer (fitted or not); the default blend when None.
    labelled : str, pathlib.Path or pandas.DataFrame, optional
        A labelled ``.jsonl`` file (see :func:`load_labelled_corpus`) or a frame with
        ``text`` and ``label``; the shipped corpus's hold-out split when None.
    threshold : float, default 0.5
        Score at or above which a text counts as hawkish, peace or relevant.
    conflict : str, optional
        The conflict relevance is judged against, as the labelled records tag it (their
        ``conflict`` field, e.g. ``"russia-ukraine"``): a record is relevant when it is not
        ``off_topic`` and carries that tag (records without a tag count by label alone).
        Default: the conflict the scorer scores (its conflict file's name as a slug), so
        ``LexiconScorer(conflict="china_taiwan")`` is judged on China-Taiwan relevance; for
        a scorer without a conflict file, every record not ``off_topic``. ``"any"`` gives
        that definition for any scorer.

    Returns
    -------
    ScorerEvaluation

    Notes
    -----
    For each target with true positives :math:`TP`, false positives :math:`FP` and
    false negatives :math:`FN` at the threshold: precision :math:`TP/(TP+FP)`, recall
    :math:`TP/(TP+FN)`, :math:`F_1` their harmonic mean. ROC AUC is the probability that a
    random positive text scores above a random negative one (ties count half), computed
    from ranks; it does not depend on the threshold. Targets: hawkish = {hawkish, mixed},
    peace = {peace, mixed} (the tone, whichever conflict a text is about), relevant = every
    label but off_topic, about the conflict. In the five-label accuracy and the confusion
    table, a text about another conflict counts as ``off_topic`` for this one (column
    ``true`` of ``scores``; ``label`` keeps the label as written).
    """
    from georisk.scoring._score import default_scorer

    if conflict is not None and not isinstance(conflict, str):
        raise ConfigError(f"conflict={conflict!r} must be a corpus tag such as 'russia-ukraine', or 'any'")
    if not 0.0 < threshold < 1.0:
        raise ConfigError(f"threshold={threshold!r} must be strictly between 0 and 1, e.g. 0.5")
    if labelled is None:
        frame = load_labelled_corpus(split="holdout")
    elif isinstance(labelled, pd.DataFrame):
        missing = [c for c in ("text", "label") if c not in labelled.columns]
        if missing:
            raise ConfigError(f"labelled frame lacks column(s) {missing}; it needs 'text' and 'label'")
        bad = sorted(set(labelled["label"].astype(str)) - set(LABELS))
        if bad:
            raise ConfigError(f"unknown label(s) {bad}; use {LABELS}")
        frame = labelled.reset_index(drop=True)
    else:
        frame = load_labelled_corpus(labelled)
    scorer = default_scorer() if scorer is None else scorer
    if not (hasattr(scorer, "n_features_in_") or hasattr(scorer, "lexicon_")):
        scorer.fit()
    scores = pd.DataFrame(scorer.transform(frame["text"].tolist()))
    scores.index = frame.index
    if conflict is None:
        conflict = _conflict_of(scorer)
    tags = frame["conflict"] if "conflict" in frame.columns else None
    targets = targets_from_labels(frame["label"], tags, None if conflict == "any" else conflict)
    rows = []
    for target, col in _SCORE_OF.items():
        y = targets[target].to_numpy()
        s = scores[col].to_numpy(dtype=float)
        pred = s >= threshold
        tp = int((pred & (y == 1)).sum())
        fp = int((pred & (y == 0)).sum())
        fn = int((~pred & (y == 1)).sum())
        prec = tp / (tp + fp) if tp + fp else float("nan")
        rec = tp / (tp + fn) if tp + fn else float("nan")
        f1 = 2 * prec * rec / (prec + rec) if tp else 0.0
        rows.append(
            {
                "target": target,
                "n_positive": int(y.sum()),
                "precision": prec,
                "recall": rec,
                "f1": f1,
                "roc_auc": _auc(y, s),
            }
        )
    metrics = pd.DataFrame(rows).set_index("target")
    metrics.attrs["conflict"] = conflict or "any"
    predicted = predicted_labels(scores, threshold)
    truth = frame["label"].astype(str).where(targets["relevant"] == 1, "off_topic").rename("true")
    confusion = pd.crosstab(pd.Categorical(truth, LABELS), pd.Categorical(predicted, LABELS), dropna=False).rename_axis(
        index="true", columns="predicted"
    )
    detail = pd.concat([frame[["text", "label"]], truth, scores, predicted], axis=1)
    return ScorerEvaluation(metrics=metrics, confusion=confusion, scores=detail, threshold=threshold)


def compare_scorers(
    scorers: dict[str, Any], labelled: str | Path | pd.DataFrame | None = None, *, threshold: float = 0.5
) -> tuple[pd.DataFrame, dict[str, ScorerEvaluation]]:
    """Evaluate several scorers side by side on the same labelled texts.

    Parameters
    ----------
    scorers : dict of str to estimator
        Named scorers (fitted or not; each is fitted before it is timed).
    labelled : str, pathlib.Path or pandas.DataFrame, optional
        As in :func:`evaluate_scorer`; the shipped hold-out when None.
    threshold : float, default 0.5

    Returns
    -------
    (table, evaluations)
        ``table`` has one row per scorer: ROC AUC of ``hawkish``, ``peace`` and
        ``relevant``, five-label ``accuracy``, ``texts_per_s`` (scoring throughput, fitting
        excluded; a language model's cached answers are counted as they come) and
        ``errors`` (texts left unscored); ``evaluations`` the full result of each.

    Examples
    --------
    >>> from georisk.scoring import LexiconScorer
    >>> table, _ = compare_scorers({"lexicon": LexiconScorer()})
    >>> list(table.columns)
    ['hawkish_auc', 'peace_auc', 'relevant_auc', 'accuracy', 'texts_per_s', 'errors']
    """
    import time

    rows = []
    evaluations: dict[str, ScorerEvaluation] = {}
    for name, scorer in scorers.items():
        if not (hasattr(scorer, "n_features_in_") or hasattr(scorer, "lexicon_")):
            scorer.fit()
        before = len(getattr(scorer, "errors_", ()))
        t0 = time.perf_counter()
        result = evaluate_scorer(scorer, labelled, threshold=threshold)
        took = time.perf_counter() - t0
        evaluations[name] = result
        m = result.metrics["roc_auc"]
        rows.append(
            {
                "scorer": name,
                "hawkish_auc": float(m["hawkish"]),
                "peace_auc": float(m["peace"]),
                "relevant_auc": float(m["relevant"]),
                "accuracy": result.accuracy,
                "texts_per_s": len(result.scores) / took if took > 0 else float("inf"),
                "errors": len(getattr(scorer, "errors_", ())) - before,
            }
        )
    return pd.DataFrame(rows).set_index("scorer"), evaluations
