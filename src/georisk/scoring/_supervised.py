"""A supervised scorer: hashed word and character n-grams into calibrated linear models."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from georisk.errors import ConfigError
from georisk.scoring._corpus import LABELS, load_labelled_corpus, targets_from_labels
from georisk.scoring._lexicon import CHANNELS, SCORE_COLUMNS, LexiconScorer, texts_of

__all__ = ["SupervisedScorer"]

_HEADS = ("hawkish", "peace", "relevant")


def _lede(text: str, max_words: int) -> str:
    words = text.split(maxsplit=max_words)
    return " ".join(words[:max_words])


class SupervisedScorer(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Score texts with linear models trained on a labelled corpus.

    Three calibrated logistic regressions (``hawkish``, ``peace``, ``relevant``) share one
    feature map: hashed word uni- and bigrams plus character 3-5-grams within words,
    TF-IDF weighted. A fourth model splits hawkish probability into threat and act. The
    model is rebuilt from text every time it is fitted, deterministically (hashing is
    stateless, folds are not shuffled, liblinear's coordinate order uses a fixed
    ``random_state=0``); no pickle is ever loaded.

    Parameters
    ----------
    corpus : str or pathlib.Path, optional
        Labelled JSON Lines file used when :meth:`fit` gets no labels; the shipped
        corpus (``split="train"``, so its hold-out stays unseen) when None.
    max_words : int, default 200
        The model reads the title and the first ``max_words`` words of each text (the
        lede, where news states its event); the lexicon scorer reads everything.
    char_ngrams : bool, default True
        Add character 3-5-grams (robust to inflection and spelling); False is faster.
    C : float, default 4.0
        Inverse regularisation strength of the logistic regressions.
    n_features : int, default 2**16
        Hash space of each vectorizer.
    lexicon : str, pathlib.Path or Lexicon, optional
        The older name of ``conflict``: give one of the two.
    conflict : str, pathlib.Path or Lexicon, optional
        The conflict file (a shipped name such as ``"china_taiwan"``, a path, or a
        :class:`~georisk.scoring.Lexicon`; Russia-Ukraine when None) whose names gate
        ``relevance`` and whose channel terms give ``energy``, ``defense``, ``grain`` and
        ``sanctions`` (the corpus has no channel labels).

    Attributes
    ----------
    features_ : sklearn.pipeline.Pipeline
        The fitted feature map (hashing vectorizers and TF-IDF), shared by every head.
    heads_ : dict of str to sklearn.calibration.CalibratedClassifierCV
        Fitted classifiers of the heads ``hawkish``, ``peace``, ``relevant`` and ``act``.
    n_train_ : int
        Number of labelled texts the models were trained on.

    Notes
    -----
    With :math:`P_h`, :math:`P_p`, :math:`P_r` the calibrated probabilities of the heads
    and :math:`P_a` the probability that a hawkish text reports an act:

    .. math:: \\text{hawkish\\_tilt} = P_h, \\quad \\text{hawkish\\_act} = P_h P_a, \\quad
              \\text{hawkish\\_threat} = P_h (1 - P_a), \\quad \\text{peace\\_trade} = P_p,
              \\quad \\text{relevance} = g(m) \\, P_r

    The heads read how a text is worded, whichever conflict it is about: the corpus holds
    sentences of many conflicts, so :math:`P_r` is the probability that the text is conflict
    news at all. :math:`g(m)` is the conflict file's gate on the names it mentions (see
    :class:`~georisk.scoring.LexiconScorer`), so ``relevance`` is relevance to the
    configured conflict; :meth:`predict_proba_heads` returns the ungated :math:`P_r`.

    Training labels map to heads as: hawkish = {hawkish, mixed}, peace = {peace, mixed},
    relevant = every label but off_topic. Calibration is sigmoid (Platt) over 3 folds.

    Examples
    --------
    >>> from georisk.scoring import SupervisedScorer
    >>> s = SupervisedScorer().fit()
    >>> out = s.transform(["Talks collapsed after a missile barrage hit the capital."])
    >>> bool(out.loc[0, "hawkish_tilt"] > out.loc[0, "peace_trade"])
    True
    """

    def __init__(
        self,
        corpus: Any = None,
        max_words: int = 200,
        char_ngrams: bool = True,
        C: float = 4.0,
        n_features: int = 2**16,
        lexicon: Any = None,
        conflict: Any = None,
    ) -> None:
        self.corpus = corpus
        self.max_words = max_words
        self.char_ngrams = char_ngrams
        self.C = C
        self.n_features = n_features
        self.lexicon = lexicon
        self.conflict = conflict

    def _features(self) -> FeatureUnion:
        parts: list[tuple[str, Any]] = [
            (
                "word",
                HashingVectorizer(
                    ngram_range=(1, 2), n_features=self.n_features, alternate_sign=False, norm=None, dtype=np.float32
                ),
            )
        ]
        if self.char_ngrams:
            parts.append(
                (
                    "char",
                    HashingVectorizer(
                        analyzer="char_wb",
                        ngram_range=(3, 5),
                        n_features=self.n_features,
                        alternate_sign=False,
                        norm=None,
                        dtype=np.float32,
                    ),
                )
            )
        return FeatureUnion(parts)

    def _check_params(self) -> None:
        if not isinstance(self.max_words, int | np.integer) or self.max_words < 1:
            raise ConfigError(f"max_words={self.max_words!r} must be a positive integer, e.g. 200")
        if not self.C > 0:
            raise ConfigError(f"C={self.C!r} must be > 0, e.g. 4.0")
        if not isinstance(self.n_features, int | np.integer) or self.n_features < 2**10:
            raise ConfigError(f"n_features={self.n_features!r} must be an integer >= 1024, e.g. 2**16")

    def fit(self, X: Any = None, y: Any = None) -> SupervisedScorer:
        """Train the models.

        Parameters
        ----------
        X : list of str or pandas.Series, optional
            Training texts. When None (or when ``y`` is None), the ``corpus`` file is used.
        y : array-like of str, optional
            Labels of ``X``: one of :data:`~georisk.scoring.LABELS`, or ``hawkish_threat``
            / ``hawkish_act`` for hawkish texts of a known kind.

        Returns
        -------
        SupervisedScorer
            ``self``, fitted.
        """
        self._check_params()
        if y is None:
            frame = load_labelled_corpus(self.corpus, split="train" if self.corpus is None else "all")
            texts = frame["text"].tolist()
            labels = frame["label"].astype(str)
            kinds = frame["kind"]
        else:
            texts = texts_of(X)
            raw = pd.Series(np.asarray(y, dtype=object)).astype(str)
            if len(raw) != len(texts):
                raise ConfigError(f"X has {len(texts)} texts but y has {len(raw)} labels; give one label per text")
            kinds = raw.map({"hawkish_threat": "threat", "hawkish_act": "act"})
            labels = raw.replace({"hawkish_threat": "hawkish", "hawkish_act": "hawkish"})
            bad = sorted(set(labels) - set(LABELS))
            if bad:
                raise ConfigError(f"unknown label(s) {bad}; use {LABELS} or hawkish_threat / hawkish_act")
        targets = targets_from_labels(labels.reset_index(drop=True))
        docs = [_lede(t, self.max_words) for t in texts]
        # one feature map for every head: stateless hashing, then TF-IDF fitted on all texts
        self.features_ = Pipeline([("hash", self._features()), ("tfidf", TfidfTransformer(sublinear_tf=True))])
        matrix = self.features_.fit_transform(docs)
        self.heads_: dict[str, CalibratedClassifierCV] = {
            head: self._fit_head(matrix, targets[head].to_numpy(), head) for head in _HEADS
        }
        kind_arr = pd.Series(kinds).reset_index(drop=True)
        mask = kind_arr.isin(["threat", "act"]).to_numpy()
        self.heads_["act"] = self._fit_head(matrix[mask], (kind_arr[mask] == "act").astype(int).to_numpy(), "act")
        self.n_train_ = len(docs)
        self.classes_ = np.asarray(LABELS, dtype=object)
        self.channel_scorer_ = LexiconScorer(lexicon=self.lexicon, conflict=self.conflict).fit(None)
        self.n_features_in_ = 1
        return self

    def _fit_head(self, matrix: Any, target: np.ndarray, head: str) -> CalibratedClassifierCV:
        counts = np.bincount(target, minlength=2)
        if counts.min() < 3:
            raise ConfigError(
                f"head {head!r} needs at least 3 positive and 3 negative examples, got {counts.tolist()}; "
                "add labelled texts of the missing kind"
            )
        clf = CalibratedClassifierCV(
            LogisticRegression(
                C=self.C, max_iter=5000, class_weight="balanced", solver="liblinear", dual=True, random_state=0
            ),
            method="sigmoid",
            cv=3,
        )
        return clf.fit(matrix, target)

    def predict_proba_heads(self, X: Any) -> pd.DataFrame:
        """Calibrated probabilities of the heads ``hawkish``, ``peace``, ``relevant``, ``act``."""
        if not hasattr(self, "heads_"):
            self.fit()
        texts = texts_of(X)
        docs = [_lede(t, self.max_words) for t in texts]
        index = X.index if isinstance(X, pd.DataFrame | pd.Series) else None
        if not docs:
            return pd.DataFrame(columns=[*_HEADS, "act"], index=index, dtype=float)
        matrix = self.features_.transform(docs)
        out = {head: clf.predict_proba(matrix)[:, 1] for head, clf in self.heads_.items()}
        return pd.DataFrame(out, index=index)

    def transform(self, X: Any) -> pd.DataFrame:
        """Score texts; returns :data:`~georisk.scoring.SCORE_COLUMNS`, index kept for frames."""
        probs = self.predict_proba_heads(X)
        lex, gate = self.channel_scorer_._scores(X)
        chans = lex[list(CHANNELS)]
        h = probs["hawkish"].to_numpy()
        a = probs["act"].to_numpy()
        out = pd.DataFrame(
            {
                "hawkish_tilt": h,
                "hawkish_threat": h * (1.0 - a),
                "hawkish_act": h * a,
                "peace_trade": probs["peace"].to_numpy(),
                "relevance": gate * probs["relevant"].to_numpy(),
                **{c: chans[c].to_numpy() for c in CHANNELS},
            },
            index=probs.index,
        )
        return out[SCORE_COLUMNS]

    def explain(self, X: Any) -> list[str]:
        """Evidence per text: the head probabilities, e.g. ``model:hawkish=0.91,peace=0.07,...``."""
        probs = self.predict_proba_heads(X)
        return ["model:" + ",".join(f"{k}={v:.2f}" for k, v in row.items()) for row in probs.to_dict(orient="records")]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns."""
        return np.asarray(SCORE_COLUMNS, dtype=object)
