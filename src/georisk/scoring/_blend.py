"""The default scorer: a documented blend of the lexicon and the supervised scorer."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from georisk.errors import ConfigError
from georisk.scoring._lexicon import SCORE_COLUMNS, LexiconScorer
from georisk.scoring._supervised import SupervisedScorer

__all__ = ["BLENDED_COLUMNS", "DEFAULT_LEXICON_WEIGHT", "LEXICON_RELEVANCE_FLOOR", "BlendedScorer"]

#: Default weight of the lexicon scorer in the blend; the supervised scorer gets the rest.
DEFAULT_LEXICON_WEIGHT = 0.5
#: Columns that are blended; channel columns come from the lexicon alone.
BLENDED_COLUMNS = ["hawkish_tilt", "hawkish_threat", "hawkish_act", "peace_trade", "relevance"]


#: Lexicon relevance assumed where the lexicon finds nothing in the blend's relevance gate: it keeps
#: such texts below 0.02 (at weight 0.5) yet still ordered by the model.
LEXICON_RELEVANCE_FLOOR = 0.01


def _gated_relevance(lexicon: np.ndarray, model: np.ndarray, w: float) -> np.ndarray:
    """Weighted harmonic mean :math:`1 / (w / L + (1 - w) / M)`, with :math:`L` floored."""
    lex: np.ndarray = np.clip(np.asarray(lexicon, dtype=float), 0.0, 1.0)
    mod: np.ndarray = np.clip(np.asarray(model, dtype=float), 0.0, 1.0)
    if w <= 0.0:
        return mod
    if w >= 1.0:
        return lex
    out: np.ndarray = np.zeros_like(lex)
    ok = mod > 0.0
    out[ok] = 1.0 / (w / np.maximum(lex[ok], LEXICON_RELEVANCE_FLOOR) + (1.0 - w) / mod[ok])
    return out


class BlendedScorer(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """The default scorer: a weighted average of :class:`LexiconScorer` and :class:`SupervisedScorer`.

    The lexicon reads the whole article and knows negation, hedges and exclusions, and
    names its evidence; the supervised model reads the lede and generalises to phrasing
    the lexicon lacks (and to other conflicts). Averaging the two lowers the error of
    each where the other is sure.

    Parameters
    ----------
    lexicon_weight : float, default 0.5
        Weight :math:`w` of the lexicon scorer, in [0, 1]; the supervised scorer gets
        :math:`1 - w`. ``1.0`` is the lexicon alone, ``0.0`` the model alone.
    lexicon : str, pathlib.Path or Lexicon, optional
        Lexicon of both scorers (the shipped Russia-Ukraine lexicon when None).
    corpus : str or pathlib.Path, optional
        Labelled corpus of the supervised scorer (the shipped corpus when None).
    max_words : int, default 200
        Words of each text the supervised scorer reads.
    char_ngrams : bool, default False
        Character n-grams in the supervised scorer. Off by default: on long articles they
        cost about three times the word features, and on the shipped hold-out the blend
        is no better with them (see the changelog's measured figures).

    Attributes
    ----------
    lexicon_scorer_ : LexiconScorer
    supervised_scorer_ : SupervisedScorer or None
        None when ``lexicon_weight == 1`` (the model is then not trained).

    Notes
    -----
    For each of ``hawkish_tilt``, ``hawkish_threat``, ``hawkish_act`` and ``peace_trade``:

    .. math:: \\text{score} = w \\, \\text{score}_{\\text{lexicon}} + (1 - w) \\, \\text{score}_{\\text{model}}

    ``relevance`` is gated by the lexicon, as the weighted harmonic mean

    .. math:: \\text{relevance} = \\left( \\frac{w}{\\max(L, \\varepsilon)} + \\frac{1 - w}{M}
              \\right)^{-1}, \\quad \\varepsilon = 0.01 \\quad (0 \\text{ when } M = 0)

    of the lexicon's relevance :math:`L` and the model's :math:`M`. The model is trained
    on a corpus that is mostly on-topic, so on text it has no words for (a phone launch,
    a transfer, a recipe) it returns about the corpus's base rate, 0.8-0.9; the
    arithmetic mean then gave such text about 0.45, above the signal's relevance
    threshold of 0.2. With the harmonic mean, text in which the lexicon finds no actor,
    place or conflict term at all has relevance below :math:`\\varepsilon / w` (0.02 at
    the default weight) whatever the model says; the floor
    :data:`LEXICON_RELEVANCE_FLOOR` only keeps such texts ordered by the model (ranking
    metrics). The lower of the two scores dominates: a sports brief that names Geneva, which the lexicon marks
    off-topic (:math:`L = 0.10, M = 0.90`), gets 0.18 (the arithmetic mean gave 0.50, the
    geometric 0.30), while evidence from both stays high (:math:`L = 0.63, M = 0.98`
    gives 0.77). The price: a conflict text the lexicon has no word for scores near 0, so
    extend the lexicon for a new conflict.
    ``lexicon_weight`` 1 or 0 gives the lexicon's or the model's relevance alone.

    The channels ``energy``, ``defense``, ``grain`` and ``sanctions`` are the lexicon's
    (the labelled corpus carries no channel labels). The evidence is the lexicon's phrase
    list followed by the model's head probabilities.

    Examples
    --------
    >>> from georisk.scoring import BlendedScorer
    >>> s = BlendedScorer().fit()
    >>> out = s.transform(["Envoys agreed to a prisoner swap in Istanbul."])
    >>> bool(out.loc[0, "peace_trade"] > out.loc[0, "hawkish_tilt"])
    True
    """

    def __init__(
        self,
        lexicon_weight: float = DEFAULT_LEXICON_WEIGHT,
        lexicon: Any = None,
        corpus: Any = None,
        max_words: int = 200,
        char_ngrams: bool = False,
    ) -> None:
        self.lexicon_weight = lexicon_weight
        self.lexicon = lexicon
        self.corpus = corpus
        self.max_words = max_words
        self.char_ngrams = char_ngrams

    def fit(self, X: Any = None, y: Any = None) -> BlendedScorer:
        """Fit both scorers; ``X`` and ``y`` go to the supervised scorer (None: shipped corpus).

        Returns
        -------
        BlendedScorer
            ``self``, fitted.
        """
        w = self.lexicon_weight
        if not isinstance(w, int | float | np.floating) or not 0.0 <= float(w) <= 1.0:
            raise ConfigError(f"lexicon_weight={w!r} must be a number in [0, 1], e.g. 0.5")
        self.lexicon_scorer_ = LexiconScorer(lexicon=self.lexicon).fit(None)
        self.supervised_scorer_: SupervisedScorer | None = None
        if float(w) < 1.0:
            self.supervised_scorer_ = SupervisedScorer(
                corpus=self.corpus, max_words=self.max_words, char_ngrams=self.char_ngrams, lexicon=self.lexicon
            ).fit(X, y)
        self.n_features_in_ = 1
        return self

    def _ensure_fitted(self) -> None:
        if not hasattr(self, "lexicon_scorer_"):
            self.fit()

    def transform(self, X: Any) -> pd.DataFrame:
        """Score texts; returns :data:`~georisk.scoring.SCORE_COLUMNS`, index kept for frames."""
        self._ensure_fitted()
        lex = self.lexicon_scorer_.transform(X)
        if self.supervised_scorer_ is None:
            return lex
        w = float(self.lexicon_weight)
        model = self.supervised_scorer_.predict_proba_heads(X)
        h, a = model["hawkish"].to_numpy(), model["act"].to_numpy()
        sup = {
            "hawkish_tilt": h,
            "hawkish_threat": h * (1.0 - a),
            "hawkish_act": h * a,
            "peace_trade": model["peace"].to_numpy(),
            "relevance": model["relevant"].to_numpy(),
        }
        out = lex.copy()
        for col in BLENDED_COLUMNS:
            if col == "relevance":
                out[col] = _gated_relevance(lex[col].to_numpy(), sup[col], w)
            else:
                out[col] = w * lex[col].to_numpy() + (1.0 - w) * sup[col]
        return out[SCORE_COLUMNS]

    def explain(self, X: Any) -> list[str]:
        """Evidence per text: the lexicon's phrases, then ``model:hawkish=..,peace=..,...``."""
        self._ensure_fitted()
        lex = self.lexicon_scorer_.explain(X)
        if self.supervised_scorer_ is None:
            return lex
        model = self.supervised_scorer_.explain(X)
        return [f"{a}; {b}" if a else b for a, b in zip(lex, model, strict=True)]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns."""
        return np.asarray(SCORE_COLUMNS, dtype=object)
