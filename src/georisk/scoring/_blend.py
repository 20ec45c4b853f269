"""The default scorer: a documented blend of the lexicon and the supervised scorer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from georisk.errors import ConfigError
from georisk.scoring import _model
from georisk.scoring._chunk import ChunkTokens, by_chars, chunk_sums, chunk_tokens, rows_from_sums
from georisk.scoring._lexicon import SCORE_COLUMNS, LexiconScorer, texts_of
from georisk.scoring._supervised import SupervisedScorer

__all__ = [
    "BLENDED_COLUMNS",
    "DEFAULT_LEXICON_WEIGHT",
    "LEXICON_RELEVANCE_FLOOR",
    "MODEL_NO_EVIDENCE_SCORE",
    "BlendedScorer",
    "rescale_to_base_rate",
]

#: Default weight of the lexicon scorer in the blend; the supervised scorer gets the rest.
DEFAULT_LEXICON_WEIGHT = 0.5
#: Columns that are blended; channel columns come from the lexicon alone.
BLENDED_COLUMNS = ["hawkish_tilt", "hawkish_threat", "hawkish_act", "peace_trade", "relevance"]


#: Lexicon relevance assumed where the lexicon finds nothing in the blend's relevance gate: it keeps
#: such texts below 0.02 (at weight 0.5) yet still ordered by the model.
LEXICON_RELEVANCE_FLOOR = 0.01


#: What a model probability equal to the model's no-evidence base rate becomes in the blend
#: (see :func:`rescale_to_base_rate`).
MODEL_NO_EVIDENCE_SCORE = 0.02


def rescale_to_base_rate(p: np.ndarray, base: float, eps: float = MODEL_NO_EVIDENCE_SCORE) -> np.ndarray:
    r"""Map probabilities so that the no-evidence base rate ``base`` becomes ``eps``.

    Piecewise linear, continuous and strictly increasing (so a ranking by ``p`` is
    unchanged): :math:`[0, b]` maps onto :math:`[0, \varepsilon]` and :math:`[b, 1]` onto
    :math:`[\varepsilon, 1]`. A ``base`` outside (0, 1) leaves ``p`` as it is.

    Examples
    --------
    >>> import numpy as np
    >>> rescale_to_base_rate(np.array([0.0, 0.37, 1.0]), 0.37).round(3).tolist()
    [0.0, 0.02, 1.0]
    """
    q: np.ndarray = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
    if not 0.0 < base < 1.0:
        return q
    out: np.ndarray = np.where(q < base, eps * q / base, eps + (1.0 - eps) * (q - base) / (1.0 - base))
    return out


def _gated_model(p: np.ndarray, base: float, lexicon: np.ndarray) -> np.ndarray:
    """:math:`L P + (1 - L) r(P)`: the model's base-rate floor removed as far as the lexicon finds nothing."""
    lex: np.ndarray = np.clip(np.asarray(lexicon, dtype=float), 0.0, 1.0)
    q: np.ndarray = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
    out: np.ndarray = lex * q + (1.0 - lex) * rescale_to_base_rate(q, base)
    return out


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
        The older name of ``conflict``: give one of the two.
    corpus : str or pathlib.Path, optional
        Labelled corpus of the supervised scorer (the shipped corpus when None).
    max_words : int, default 200
        Words of each text the supervised scorer reads.
    char_ngrams : bool, default False
        Character n-grams in the supervised scorer. Off by default: on long articles they
        cost about three times the word features, and on the shipped hold-out the blend
        is no better with them (see the changelog's measured figures).
    conflict : str, pathlib.Path or Lexicon, optional
        The conflict to score, for both scorers: a shipped name
        (:func:`~georisk.scoring.shipped_conflicts`: ``"russia_ukraine"``,
        ``"china_taiwan"``), the path of a conflict file of your own, or a
        :class:`~georisk.scoring.Lexicon`; Russia-Ukraine when None. The model is the same
        for every conflict (it reads wording); the file's names decide relevance.

    Attributes
    ----------
    lexicon_scorer_ : LexiconScorer
    supervised_scorer_ : SupervisedScorer or None
        None when ``lexicon_weight == 1`` (the model is then not trained).
    model_base_rate_ : dict of str to float
        The model's ``hawkish`` and ``peace`` probability on the empty text, :math:`b` in
        the Notes (empty when the model is not trained).

    Notes
    -----
    For each of ``hawkish_tilt``, ``hawkish_threat``, ``hawkish_act`` and ``peace_trade``:

    .. math:: \\text{score} = w \\, \\text{score}_{\\text{lexicon}} + (1 - w) \\, \\text{score}_{\\text{model}}

    where the model's score is measured against its no-evidence base rate, as far as the
    lexicon finds no evidence of its own. A calibrated probability :math:`P` is a
    probability, not evidence: text with no word the model knows (an empty string, a
    recipe, a budget debate) gets the corpus's base rate, :math:`b_h \\approx 0.37`
    hawkish and :math:`b_p \\approx 0.18` peace on the shipped corpus, which at half weight
    put a floor of about 0.2 hawkish and 0.1 peace under every text, and so a net
    hawkish tilt of about 0.1 under every neutral article. With :math:`b` the head's
    probability on the empty text (the fitted intercept alone; ``model_base_rate_``) and
    :math:`\\varepsilon` = :data:`MODEL_NO_EVIDENCE_SCORE` = 0.02, the probability is first
    rescaled so that :math:`b` maps to :math:`\\varepsilon`:

    .. math:: r(P) = \\begin{cases} \\varepsilon P / b & P < b \\\\
              \\varepsilon + (1 - \\varepsilon)(P - b) / (1 - b) & P \\ge b \\end{cases}

    then gated by the lexicon's score :math:`L` of the same side (``hawkish_tilt`` for
    the hawkish columns, ``peace_trade`` for peace):

    .. math:: \\text{score}_{\\text{model}} = L P + (1 - L) \\, r(P)

    with :math:`P = P_h` for ``hawkish_tilt``, times :math:`P_a` for ``hawkish_act`` and
    :math:`1 - P_a` for ``hawkish_threat``, and :math:`P = P_p` for ``peace_trade``.
    Where the lexicon finds no evidence (:math:`L = 0`) the model adds :math:`(1 - w)\\,r(P)`:
    at most :math:`(1 - w)\\varepsilon` = 0.01 at or below its base rate, its full weight when
    sure (:math:`P \\to 1`); where the lexicon is sure the model's probability counts as
    it is. Both :math:`r` and the gate are increasing in :math:`P` and in :math:`L`, so
    rankings are kept: hold-out ROC AUC 0.943 hawkish and 0.956 peace (0.943 and 0.953
    with the plain average). :class:`SupervisedScorer` on its own keeps the calibrated
    probabilities.

    ``relevance`` is relevance to the configured conflict, gated by the lexicon, as the
    weighted harmonic mean

    .. math:: \\text{relevance} = \\left( \\frac{w}{\\max(L, \\varepsilon)} + \\frac{1 - w}{M}
              \\right)^{-1}, \\quad M = g(m) \\, P_r, \\quad \\varepsilon = 0.01
              \\quad (0 \\text{ when } M = 0)

    of the lexicon's relevance :math:`L` and the model's :math:`M`, the model's probability
    :math:`P_r` that the text is conflict news times the conflict file's gate :math:`g(m)`
    on the names the text mentions (both as in :class:`LexiconScorer` and
    :class:`SupervisedScorer`). The model reads wording, not names: it learned from
    sentences of many conflicts, so it rates a Gaza ceasefire as conflict news, and on text
    it has no words for (a phone launch, a recipe) it returns about the corpus's base rate,
    0.8-0.9. The gate makes both scores relevance to *this* conflict: a text that names
    none of its actors, places, forces, companies or allies has :math:`g = 0`
    (``gate_floor``), so :math:`L = M = 0` and relevance 0, however warlike or peaceful it
    is. Among named texts the lower of the two scores dominates: a sports brief that names
    Kyiv, which the lexicon marks off-topic (:math:`L = 0.10, M = 0.90`), gets 0.18 (the
    arithmetic mean gave 0.50, the geometric 0.30), while evidence from both stays high
    (:math:`L = 0.63, M = 0.98` gives 0.77). The floor :data:`LEXICON_RELEVANCE_FLOOR`
    keeps named texts the lexicon finds little in ordered by the model. The price: news of
    the conflict that names none of its names ("the two presidents met again") scores 0;
    add the names your sources use to the conflict file. ``lexicon_weight`` 1 or 0 gives
    the lexicon's or the (gated) model's relevance alone.

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

    Another conflict is another file; the same drill is relevant to one and not the other:

    >>> taiwan = BlendedScorer(conflict="china_taiwan").fit()
    >>> drill = ["PLA warships encircle Taiwan in blockade drills."]
    >>> bool(taiwan.transform(drill).loc[0, "relevance"] > 0.5), float(s.transform(drill).loc[0, "relevance"])
    (True, 0.0)
    """

    def __init__(
        self,
        lexicon_weight: float = DEFAULT_LEXICON_WEIGHT,
        lexicon: Any = None,
        corpus: Any = None,
        max_words: int = 200,
        char_ngrams: bool = False,
        conflict: Any = None,
    ) -> None:
        self.lexicon_weight = lexicon_weight
        self.lexicon = lexicon
        self.corpus = corpus
        self.max_words = max_words
        self.char_ngrams = char_ngrams
        self.conflict = conflict

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
        self.lexicon_scorer_ = LexiconScorer(lexicon=self.lexicon, conflict=self.conflict).fit(None)
        self.supervised_scorer_: SupervisedScorer | None = None
        self.model_base_rate_: dict[str, float] = {}
        if float(w) < 1.0:
            self.supervised_scorer_ = SupervisedScorer(
                corpus=self.corpus,
                max_words=self.max_words,
                char_ngrams=self.char_ngrams,
                lexicon=self.lexicon,
                conflict=self.conflict,
            ).fit(X, y)
            empty = self.supervised_scorer_.predict_proba_heads([""]).iloc[0]
            self.model_base_rate_ = {head: float(empty[head]) for head in ("hawkish", "peace")}
        self.n_features_in_ = 1
        return self

    def _ensure_fitted(self) -> None:
        if not hasattr(self, "lexicon_scorer_"):
            self.fit()

    def transform(self, X: Any) -> pd.DataFrame:
        """Score texts; returns :data:`~georisk.scoring.SCORE_COLUMNS`, index kept for frames."""
        self._ensure_fitted()
        if self.supervised_scorer_ is None:
            return self.lexicon_scorer_._scores(X)[0]
        lex, gate, model, index = self._both(X, self.supervised_scorer_)
        col = {c: lex[:, j] for j, c in enumerate(SCORE_COLUMNS)}
        w = float(self.lexicon_weight)
        base = self.model_base_rate_
        h = _gated_model(model["hawkish"], base["hawkish"], col["hawkish_tilt"])
        a = model["act"]
        sup = {
            "hawkish_tilt": h,
            "hawkish_threat": h * (1.0 - a),
            "hawkish_act": h * a,
            "peace_trade": _gated_model(model["peace"], base["peace"], col["peace_trade"]),
            "relevance": gate * model["relevant"],
        }
        values = lex.copy()
        for c in BLENDED_COLUMNS:
            j = SCORE_COLUMNS.index(c)
            if c == "relevance":
                values[:, j] = _gated_relevance(col[c], sup[c], w)
            else:
                values[:, j] = w * col[c] + (1.0 - w) * sup[c]
        return pd.DataFrame(values, columns=SCORE_COLUMNS, index=index)

    def _both(self, X: Any, model: SupervisedScorer) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray], Any]:
        """The lexicon's scores and gate, the model's head probabilities, and the index; each text read once.

        Texts are tokenised once, by the lexicon (:func:`~georisk.scoring._chunk.chunk_tokens`),
        and the model's counts are taken from those tokens
        (:func:`~georisk.scoring._model.hashed_counts_from_tokens`, the same counts as reading
        the texts again). Returns arrays: the lexicon's :data:`SCORE_COLUMNS` (one row per
        text), its gate, the model's probabilities by head; the index of a frame or Series
        (None for a list).
        """
        lexicon = self.lexicon_scorer_
        index = X.index if isinstance(X, pd.DataFrame | pd.Series) else None
        if not hasattr(model, "heads_") or not _model.HASHING_LOOP:  # pragma: no cover - fitted in fit
            lex, gate = lexicon._scores(X)
            heads = model.predict_proba_heads(X)
            probs = {c: heads[c].to_numpy(dtype=float) for c in heads.columns}
            return lex[SCORE_COLUMNS].to_numpy(dtype=float, copy=True), gate, probs, index
        texts = texts_of(X)
        sums: list[np.ndarray] = []

        def parts() -> Iterator[tuple[list[str], ChunkTokens]]:
            for part in by_chars(texts):
                chunk = chunk_tokens(part)
                sums.append(chunk_sums(lexicon, part, chunk))
                yield part, chunk

        if texts:
            counts, _ = model._shared_counts(parts())
            probs = model._head_arrays(counts)
        else:
            probs = {head: np.zeros(0) for head in model.predict_proba_heads([]).columns}
        values = rows_from_sums(lexicon, np.vstack(sums) if sums else chunk_sums(lexicon, []))
        return values[:, :-1], values[:, -1], probs, index

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
