"""A supervised scorer: hashed word and character n-grams into calibrated linear models."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression

from georisk.errors import ConfigError
from georisk.scoring._chunk import ChunkTokens, by_chars
from georisk.scoring._corpus import LABELS, load_labelled_corpus, targets_from_labels
from georisk.scoring._lexicon import CHANNELS, SCORE_COLUMNS, LexiconScorer, texts_of
from georisk.scoring._model import ArrayHead, hashed_counts_from_tokens, hashed_word_counts, read_arrays, stacked, tfidf

__all__ = ["SHIPPED_MODELS", "SupervisedScorer"]

_HEADS = ("hawkish", "peace", "relevant")
_ALL_HEADS = (*_HEADS, "act")
#: Models shipped as arrays, by ``char_ngrams``: trained on the shipped corpus's train split
#: with the default ``max_words``, ``C`` and ``n_features`` (:data:`SHIPPED_PARAMS`), built by
#: ``python tools/make_model.py``.
SHIPPED_MODELS = {False: "resources/supervised_words.npz", True: "resources/supervised_words_chars.npz"}
#: The parameters the shipped models were trained with.
SHIPPED_PARAMS = {"max_words": 200, "C": 4.0, "n_features": 2**16}


def _lede(text: str, max_words: int) -> str:
    """The first ``max_words`` words of ``text``; a shorter text as it is (its tokens are the same)."""
    if len(text) < 2 * max_words:  # a word and the space after it take two characters at least
        return text
    words = text.split(maxsplit=max_words)
    if len(words) <= max_words:
        return text
    return " ".join(words[:max_words])


def _ledes(texts: list[str], max_words: int) -> tuple[list[str], int]:
    """:func:`_lede` of each text, and how many differ from their text (none under ``2 * max_words`` characters)."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    out = list(texts)
    cut = 0
    for i in np.flatnonzero(lengths >= 2 * max_words).tolist():
        out[i] = _lede(texts[i], max_words)
        cut += out[i] != texts[i]
    return out, cut


def _char_vectorizer(n_features: int) -> HashingVectorizer:
    return HashingVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), n_features=n_features, alternate_sign=False, norm=None, dtype=np.float32
    )


class SupervisedScorer(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Score texts with linear models trained on a labelled corpus.

    Three calibrated logistic regressions (``hawkish``, ``peace``, ``relevant``) share one
    feature map: hashed word uni- and bigrams plus character 3-5-grams within words,
    TF-IDF weighted. A fourth model splits hawkish probability into threat and act. The
    model is rebuilt from text every time it is fitted, deterministically (hashing is
    stateless, folds are not shuffled, liblinear's coordinate order uses a fixed
    ``random_state=0``). With the shipped corpus and the default ``max_words``, ``C`` and
    ``n_features``, :meth:`fit` loads the model from the plain arrays shipped in
    ``georisk/scoring/resources`` (``supervised_words.npz``, and
    ``supervised_words_chars.npz`` with character n-grams: NumPy files read with
    ``allow_pickle=False``) instead of training it: the same coefficients, trained once
    by ``python tools/make_model.py``; a test retrains them and compares.

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
    idf_ : numpy.ndarray
        Inverse document frequencies of the hashed features (word features, then
        character features when ``char_ngrams``), shared by every head.
    heads_ : dict of str to ArrayHead
        The calibrated linear heads ``hawkish``, ``peace``, ``relevant`` and ``act``, as
        arrays (per-fold coefficients, intercepts and Platt sigmoids).
    n_train_ : int
        Number of labelled texts the models were trained on.
    provenance_ : dict
        ``{"model": "shipped", "file": ...}`` when loaded from the shipped arrays,
        ``{"model": "trained"}`` otherwise.

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
        shipped = self._shipped_file() if y is None else None
        if shipped is not None:
            with shipped.open("rb") as fh:
                meta, idf, heads = read_arrays(fh, _ALL_HEADS)
            self._set_model(idf, heads, int(meta["n_train"]))
            self.provenance_ = {"model": "shipped", "file": f"georisk/scoring/{SHIPPED_MODELS[bool(self.char_ngrams)]}"}
            return self
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
        idf, heads = self._train(texts, labels, kinds)
        self._set_model(idf, heads, len(texts))
        self.provenance_ = {"model": "trained"}
        return self

    def _shipped_file(self) -> Any:
        """The shipped model file for these parameters, or None when they need training."""
        same = self.corpus is None and all(getattr(self, k) == v for k, v in SHIPPED_PARAMS.items())
        if not same or bool(self.char_ngrams) not in SHIPPED_MODELS:
            return None
        path = resources.files("georisk.scoring").joinpath(SHIPPED_MODELS[bool(self.char_ngrams)])
        return path if path.is_file() else None

    def _counts(self, docs: list[str]) -> sp.csr_array:
        """Hashed counts of ``docs``: word uni- and bigrams, then character 3-5-grams when ``char_ngrams``."""
        parts = by_chars(docs)
        if len(parts) == 1:
            words = hashed_word_counts(docs, int(self.n_features))
        else:  # long texts: a slice at a time, so the n-gram lists stay small
            words = sp.csr_array(sp.vstack([hashed_word_counts(p, int(self.n_features)) for p in parts], format="csr"))
        if not self.char_ngrams:
            return words
        chars = _char_vectorizer(int(self.n_features)).transform(docs)
        return sp.csr_array(sp.hstack([words, chars], format="csr"))

    def _train(self, texts: list[str], labels: pd.Series, kinds: pd.Series) -> tuple[np.ndarray, dict[str, ArrayHead]]:
        """Train on ``texts``: the TF-IDF weights and the four heads as arrays."""
        targets = targets_from_labels(labels.reset_index(drop=True))
        docs = [_lede(t, self.max_words) for t in texts]
        # one feature map for every head: stateless hashing, then TF-IDF fitted on all texts
        weights = TfidfTransformer(sublinear_tf=True).fit(self._counts(docs))
        idf = np.asarray(weights.idf_)
        matrix = tfidf(self._counts(docs), idf)
        heads = {head: self._fit_head(matrix, targets[head].to_numpy(), head) for head in _HEADS}
        kind_arr = pd.Series(kinds).reset_index(drop=True)
        mask = kind_arr.isin(["threat", "act"]).to_numpy()
        heads["act"] = self._fit_head(matrix[mask], (kind_arr[mask] == "act").astype(int).to_numpy(), "act")
        return idf, {name: ArrayHead.from_calibrated(clf) for name, clf in heads.items()}

    def _set_model(self, idf: np.ndarray, heads: dict[str, ArrayHead], n_train: int) -> None:
        width = int(self.n_features) * (2 if self.char_ngrams else 1)
        if idf.shape != (width,) or any(h.coef.shape[1] != width for h in heads.values()):
            raise ConfigError(
                f"the model's arrays have {idf.shape[0]} features, but n_features={self.n_features} and "
                f"char_ngrams={self.char_ngrams} need {width}; give the parameters it was trained with"
            )
        self.idf_ = idf
        self.heads_ = heads
        self._coef, self._spans = stacked(heads)
        self.n_train_ = n_train
        self.classes_ = np.asarray(LABELS, dtype=object)
        self.channel_scorer_ = LexiconScorer(lexicon=self.lexicon, conflict=self.conflict).fit(None)
        self.n_features_in_ = 1

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
        return self._heads(self._counts(docs) if docs else None, docs, index)

    def _shared_counts(self, chunks: Iterable[tuple[list[str], ChunkTokens]]) -> tuple[sp.csr_array, list[str]]:
        """Hashed counts of texts whose lexicon tokens were read already (``(texts, tokens)`` pairs), and the ledes.

        The same counts as :meth:`_counts` of the ledes (:func:`hashed_counts_from_tokens`; a
        chunk of texts mostly longer than their lede reads the ledes again instead).
        """
        parts = []
        docs: list[str] = []
        for texts, chunk in chunks:
            ledes, cut = _ledes(texts, self.max_words)
            if cut * 2 <= len(texts):
                parts.append(hashed_counts_from_tokens(chunk, texts, ledes, int(self.n_features)))
            else:  # mostly texts past their lede (long articles): read the ledes
                parts.append(hashed_word_counts(ledes, int(self.n_features)))
            docs += ledes
        words = parts[0] if len(parts) == 1 else sp.csr_array(sp.vstack(parts, format="csr"))
        if self.char_ngrams:
            chars = _char_vectorizer(int(self.n_features)).transform(docs)
            words = sp.csr_array(sp.hstack([words, chars], format="csr"))
        return words, docs

    def _heads(self, counts: Any, docs: list[str], index: Any) -> pd.DataFrame:
        """The head probabilities from the hashed counts of ``docs``."""
        if not docs:
            return pd.DataFrame(columns=[*_HEADS, "act"], index=index, dtype=float)
        return pd.DataFrame(self._head_arrays(counts), index=index)

    def _head_arrays(self, counts: Any) -> dict[str, np.ndarray]:
        """The head probabilities from hashed counts (at least one row), by head."""
        if not hasattr(self, "_coef"):  # heads_ set from outside (e.g. a loaded file)
            self._coef, self._spans = stacked(self.heads_)
        product = tfidf(counts, self.idf_) @ self._coef
        decision = product.toarray() if sp.issparse(product) else np.asarray(product)
        return {name: self.heads_[name].proba_from_decision(decision[:, span]) for name, span in self._spans}

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
