"""A transparent, phrase-level lexicon scorer with negation, hedging and exclusions."""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from georisk.errors import ConfigError

__all__ = ["CHANNELS", "SCORE_COLUMNS", "Lexicon", "LexiconScorer", "load_lexicon", "opens_with", "texts_of"]

#: Numeric columns every scorer returns, all in [0, 1].
SCORE_COLUMNS = [
    "hawkish_tilt",
    "hawkish_threat",
    "hawkish_act",
    "peace_trade",
    "relevance",
    "energy",
    "defense",
    "grain",
    "sanctions",
]
CHANNELS = ("energy", "defense", "grain", "sanctions")
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
#: Words, plus clause punctuation as tokens of its own (commas, colons, brackets, dashes): a
#: phrase never matches across them and a negation, hedge or intensity cue never reaches past them.
_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*|[,:()\u2013\u2014]|(?<!\S)--?(?!\S)")
_PUNCT_BREAKS = frozenset({",", ":", "(", ")", "\u2013", "\u2014", "-", "--"})
#: Words that open a new clause and so end a cue's scope, used when a lexicon file names none
#: ("Trump pushes a ceasefire while Putin stalls": "stalls" does not reach back, and "rejected
#: the plan, but agreed to a truce" does not reach forward past "but").
# fmt: off
DEFAULT_SCOPE_BREAKS = (
    "but", "while", "whilst", "as", "although", "though", "after", "yet", "whereas", "despite",
    "before", "when", "because", "since", "unless", "until", "then", "however",
)
# fmt: on


def _phrases(items: list[str], where: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items:
        term, _, weight = item.partition("|")
        term = " ".join(_WORD.findall(term.lower()))
        if not term:
            raise ConfigError(f"lexicon {where}: empty term {item!r}")
        try:
            out[term] = float(weight) if weight else 1.0
        except ValueError as exc:
            raise ConfigError(f"lexicon {where}: weight of {item!r} is not a number; write 'term|1.5'") from exc
    return out


def _breaks(items: Any, where: str) -> frozenset[str]:
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ConfigError(f"lexicon {where}: scope_breaks must be a list of single words, e.g. ['but', 'while']")
    words = [_WORD.findall(i.lower()) for i in items]
    bad = [i for i, w in zip(items, words, strict=True) if len(w) != 1]
    if bad:
        raise ConfigError(f"lexicon {where}: scope_breaks {bad} must be single words, e.g. 'while'")
    return frozenset(w[0] for w in words)


def _reach(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigError(f"lexicon {where}: topic_reach={value!r} must be an integer >= 0, e.g. 8")
    return value


def _factor(value: Any, where: str) -> float:
    if not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
        raise ConfigError(f"lexicon {where}: off_topic_factor={value!r} must be a number in [0, 1], e.g. 0.25")
    return float(value)


@dataclass(frozen=True)
class Lexicon:
    """Terms and modifiers of one conflict, as loaded from a TOML lexicon file."""

    name: str
    actors: dict[str, float]
    hawkish_threat: dict[str, float]
    hawkish_act: dict[str, float]
    peace: dict[str, float]
    channels: dict[str, dict[str, float]]
    negations: dict[str, float]
    hedges: dict[str, float]
    intensifiers: dict[str, float]
    exclusions: dict[str, float]
    off_topic: dict[str, float]
    source: str = field(default="")
    off_topic_factor: float = 0.25
    scope_breaks: frozenset[str] = field(default=frozenset(DEFAULT_SCOPE_BREAKS))
    not_peace: dict[str, float] = field(default_factory=dict)
    generic_peace: dict[str, float] = field(default_factory=dict)
    other_topics: dict[str, float] = field(default_factory=dict)
    topic_reach: int = 8

    def extended(self, **extra: list[str]) -> Lexicon:
        """Return a copy with extra terms added to the named categories.

        Examples
        --------
        >>> from georisk.scoring import load_lexicon
        >>> lex = load_lexicon().extended(peace=["handshake deal|1.5"])
        >>> lex.peace["handshake deal"]
        1.5
        """
        changes: dict[str, Any] = {}
        for key, terms in extra.items():
            if key in CHANNELS:
                chans = dict(self.channels)
                chans[key] = {**chans[key], **_phrases(terms, key)}
                changes["channels"] = chans
            elif key == "scope_breaks":
                changes[key] = self.scope_breaks | _breaks(terms, key)
            elif hasattr(self, key) and isinstance(getattr(self, key), dict):
                changes[key] = {**getattr(self, key), **_phrases(terms, key)}
            else:
                raise ConfigError(f"lexicon has no category {key!r}")
        return Lexicon(**{**self.__dict__, **changes})


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Load a lexicon from TOML; the default is the shipped Russia-Ukraine lexicon.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A TOML file with the layout of ``georisk/scoring/resources/russia_ukraine.toml``.

    Returns
    -------
    Lexicon
    """
    if path is None:
        text = resources.files("georisk.scoring").joinpath("resources/russia_ukraine.toml").read_text("utf-8")
        where = "russia_ukraine.toml"
    else:
        try:
            text = Path(path).read_text("utf-8")
        except FileNotFoundError as exc:
            raise ConfigError(f"lexicon file {path} does not exist") from exc
        where = str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"lexicon {where} is not valid TOML: {exc}") from exc
    try:
        conflict = data["conflict"]
        mods = data.get("modifiers", {})
        excl = data.get("exclusions", {})
        senses = data.get("senses", {})
        return Lexicon(
            name=conflict.get("name", where),
            actors=_phrases(conflict.get("actors", []) + conflict.get("places", []), f"{where} [conflict]"),
            hawkish_threat=_phrases(data["hawkish_threat"]["terms"], f"{where} [hawkish_threat]"),
            hawkish_act=_phrases(data["hawkish_act"]["terms"], f"{where} [hawkish_act]"),
            peace=_phrases(data["peace"]["terms"], f"{where} [peace]"),
            channels={
                c: _phrases(data.get("channels", {}).get(c, {}).get("terms", []), f"{where} [channels.{c}]")
                for c in CHANNELS
            },
            negations=_phrases(mods.get("negations", []), f"{where} negations"),
            hedges=_phrases(mods.get("hedges", []), f"{where} hedges"),
            intensifiers=_phrases(mods.get("intensifiers", []), f"{where} intensifiers"),
            exclusions=_phrases(excl.get("phrases", []), f"{where} exclusions"),
            off_topic=_phrases(excl.get("off_topic", []), f"{where} off_topic"),
            source=where,
            off_topic_factor=_factor(excl.get("off_topic_factor", 0.25), where),
            scope_breaks=_breaks(mods.get("scope_breaks", list(DEFAULT_SCOPE_BREAKS)), f"{where} scope_breaks"),
            not_peace=_phrases(senses.get("not_peace", []), f"{where} [senses] not_peace"),
            generic_peace=_phrases(senses.get("generic_peace", []), f"{where} [senses] generic_peace"),
            other_topics=_phrases(senses.get("other_topics", []), f"{where} [senses] other_topics"),
            topic_reach=_reach(senses.get("topic_reach", 8), f"{where} [senses]"),
        )
    except KeyError as exc:
        raise ConfigError(
            f"lexicon {where} lacks the table {exc.args[0]!r}; see the shipped lexicon for the layout"
        ) from exc


# Categories matched in one pass; each keeps its own longest, non-overlapping matches.
_DIRECTIONAL = ("hawkish_threat", "hawkish_act", "peace")
_MODIFIERS = ("negations", "hedges", "intensifiers")
_SENTENCE = re.compile(r"[.!?;\n]")
#: Weight of a negated hawkish term counted on the peace side ("ruled out new sanctions").
NEGATED_HAWKISH_WEIGHT = 0.5
HEDGE_FACTOR = 0.5
INTENSITY_FACTOR = 1.5


class _Matcher:
    """All phrases of all categories as token sequences, keyed by their first token."""

    def __init__(self, categories: dict[str, dict[str, float]]) -> None:
        self.by_first: dict[str, list[tuple[tuple[str, ...], str, float]]] = {}
        for cat, phrases in categories.items():
            for phrase, weight in phrases.items():
                toks = tuple(phrase.split())
                self.by_first.setdefault(toks[0], []).append((toks, cat, weight))
        for cands in self.by_first.values():
            cands.sort(key=lambda c: -len(c[0]))
        self.first_tokens = frozenset(self.by_first)

    def find(self, tokens: list[str]) -> dict[str, list[tuple[int, int, float]]]:
        """Return, per category, ``(start, end, weight)`` of longest non-overlapping matches."""
        out: dict[str, list[tuple[int, int, float]]] = {}
        free: dict[str, int] = {}
        by_first = self.by_first
        n = len(tokens)
        for i, tok in enumerate(tokens):
            cands = by_first.get(tok)
            if not cands:
                continue
            for toks, cat, weight in cands:
                if free.get(cat, 0) > i:
                    continue
                k = len(toks)
                if k == 1 or (i + k <= n and tuple(tokens[i : i + k]) == toks):
                    out.setdefault(cat, []).append((i, i + k, weight))
                    free[cat] = i + k
        return out


_SIDE = {"hawkish_threat": "hawkish", "hawkish_act": "hawkish", "peace": "peace"}


def _governs(
    cues: list[tuple[int, int, float]],
    start: int,
    window: int,
    tokens: list[str],
    breaks: frozenset[str],
    terms: list[tuple[int, int, float, str]],
    cat: str,
) -> bool:
    """Whether a cue's scope reaches the term starting at token ``start``.

    A cue reaches forward at most ``window`` words (its last word among the ``window``
    words before the term) and stops early at a clause break (punctuation or a word such
    as "but", "while", "as") and at a term of the other direction: in "refused a ceasefire
    and launched an offensive" the refusal governs "ceasefire", not "offensive", while in
    "rejected a ceasefire and peace talks" it governs both.
    """
    side = _SIDE[cat]
    for cs, ce, _ in cues:
        if cs < start < ce:
            return True  # the cue contains the term's first word: "no progress in talks"
        if start - window < ce <= start:
            if ce < start and not breaks.isdisjoint(tokens[ce:start]):
                continue
            if any(ce <= ts < start and _SIDE[tc] != side for ts, _, _, tc in terms):
                continue
            return True
    return False


def _squash(x: float) -> float:
    return 1.0 - math.exp(-x)


def opens_with(body: str, title: str) -> bool:
    """Whether ``body`` opens with ``title`` as whole words (case and spacing aside).

    Examples
    --------
    >>> opens_with("ENVOYS AGREE  CEASEFIRE. Talks in Geneva", "Envoys agree ceasefire")
    True
    >>> opens_with("Kremlin rejects truceless talks", "Kremlin rejects truce")
    False
    """
    b = " ".join(body.split()).casefold()
    t = " ".join(title.split()).casefold()
    return bool(t) and b.startswith(t) and (len(b) == len(t) or not b[len(t)].isalnum())


def texts_of(X: Any) -> list[str]:
    """Texts of ``X``: an article frame (title and text joined), a Series or a list of str.

    The title is prepended to the text unless the text already opens with it.

    Raises
    ------
    ConfigError
        If ``X`` is a frame without ``text`` or a single string.
    """
    if isinstance(X, pd.DataFrame):
        if "text" not in X.columns:
            raise ConfigError("X has no 'text' column; pass the frame from load_articles or a list of strings")
        body = X["text"].fillna("").astype(str)
        if "title" not in X.columns:
            return body.tolist()
        title = X["title"].fillna("").astype(str)
        # a body that opens with its title (a feed whose text is "title. summary", or the
        # headline alone) is scored once, not with the title counted twice
        pairs = zip(title.tolist(), body.tolist(), strict=True)
        return [f"{t}.\n{b}" if t and not opens_with(b, t) else b for t, b in pairs]
    if isinstance(X, str):
        raise ConfigError("X is a single string; pass a list of texts, e.g. [text]")
    if X is None:
        raise ConfigError("X is None; pass a list of texts or an article frame")
    return ["" if t is None else str(t) for t in X]


class LexiconScorer(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Score texts for hawkish tilt, peace trade, relevance and market channels.

    A transparent scorer that needs no training. Terms are matched as whole phrases per
    sentence on lower-cased text. A negation cue flips the direction of the terms in its
    scope: a negated peace term counts as a hawkish threat ("refused a ceasefire", "no
    intention to pause fighting"), a negated hawkish term counts half on the peace side
    ("ruled out new sanctions"). A hedge ("may", "reportedly") halves a term's weight; an
    intensifier ("massive", "largest") raises it by half. Exclusion phrases ("price war",
    "war and peace") are blanked out before matching.

    A cue's scope is its clause: it reaches forward over at most ``negation_window``
    words (``modifier_window`` for hedges and intensifiers) and stops early at a clause
    break, that is punctuation (``, : ( ) -- \u2014``) or a word of the lexicon's
    ``scope_breaks`` ("but", "while", "as", "although", "after", ...), and at a term of
    the other direction. So "Kremlin dismisses Ukraine's offer to free Putin ally in
    prisoner exchange" is a rejected exchange (seven words apart, one clause), while in
    "Trump pushes a ceasefire while Putin stalls" and "refused a ceasefire and launched an
    offensive" the cue governs only its own clause's term. The full reach is for peace
    terms, which a refusal takes as its object ("rejects the UN's proposal for an Easter
    ceasefire"); a hawkish term is negated only within ``modifier_window`` words, as a war
    noun far after "not" or "without" is mostly a given, not denied ("did not warn
    Ukrainians about the upcoming invasion", "without power due to shelling").

    Generic peace words have other senses: "summit", "deal", "agreement", "agreed to",
    "negotiations" and "progress in talks" are as often about alliances, trade, gas or
    arms supplies. A peace term inside one of the lexicon's ``not_peace`` phrases ("NATO
    summit", "trade deal", "accession talks") does not count, nor does a ``generic_peace``
    term with a word of ``other_topics`` ("fighter", "tanks", "accession", "gas transit")
    at most ``topic_reach`` words away in its clause ("progress in talks about supplying
    fighter jets"); :meth:`explain` lists them as ``other-sense:``.

    Parameters
    ----------
    lexicon : str, pathlib.Path or Lexicon, optional
        A TOML lexicon path or a :class:`Lexicon`; the shipped Russia-Ukraine lexicon
        when None. Another conflict is another TOML file: no code changes.
    negation_window : int, default 8
        Largest reach of a negation cue over a peace term within its clause: the cue
        counts when its last word is among the ``negation_window`` words before the term
        and no clause break lies between ("fail to make real progress towards a
        ceasefire"). Hawkish terms use ``min(negation_window, modifier_window)``. 0 turns
        negation off.
    saturation : float, default 1.0
        Score = 1 - exp(-weight_sum / saturation); larger values need more evidence.
    modifier_window : int, default 4
        The same reach for hedge and intensity cues, which sit next to what they modify
        ("may launch an offensive", "a massive offensive"), and for negated hawkish
        terms ("ruled out new sanctions").

    Attributes
    ----------
    lexicon_ : Lexicon
        The loaded lexicon (set by :meth:`fit`).

    Notes
    -----
    For each article, with summed weighted hits :math:`t` (hawkish threats), :math:`a`
    (hawkish acts), :math:`p` (peace), :math:`n` (actors and places) and :math:`c_k`
    (channel :math:`k`), and :math:`s` the ``saturation``:

    .. math:: \\text{hawkish\\_tilt} = 1 - e^{-(t + a)/s}, \\quad
              \\text{hawkish\\_threat} = 1 - e^{-t/s}, \\quad
              \\text{hawkish\\_act} = 1 - e^{-a/s}, \\quad
              \\text{peace\\_trade} = 1 - e^{-p/s}

    .. math:: \\text{relevance} = 1 - e^{-(n + t + a + p)/2}, \\quad
              \\text{channel}_k = 1 - e^{-c_k/2}

    When off-topic words (sport, film, company news) outnumber the actor and place hits,
    :math:`t`, :math:`a`, :math:`p` and relevance are multiplied by the lexicon's
    ``off_topic_factor`` (default 0.25): a football "offensive" is not an escalation.
    Each term's weight is multiplied by 0.5 when hedged and 1.5 when intensified.

    Examples
    --------
    >>> from georisk.scoring import LexiconScorer
    >>> s = LexiconScorer().fit(None)
    >>> s.explain(["Moscow refused a ceasefire."])
    ['hawkish-threat:ceasefire(negated)=1.5']
    """

    def __init__(
        self,
        lexicon: str | Path | Lexicon | None = None,
        negation_window: int = 8,
        saturation: float = 1.0,
        modifier_window: int = 4,
    ) -> None:
        self.lexicon = lexicon
        self.negation_window = negation_window
        self.saturation = saturation
        self.modifier_window = modifier_window

    def fit(self, X: Any = None, y: Any = None) -> LexiconScorer:
        """Load and compile the lexicon; ``X`` and ``y`` are ignored.

        Returns
        -------
        LexiconScorer
            ``self``, fitted.
        """
        if not isinstance(self.negation_window, int | np.integer) or self.negation_window < 0:
            raise ConfigError(f"negation_window={self.negation_window!r} must be an integer >= 0, e.g. 8")
        if not isinstance(self.modifier_window, int | np.integer) or self.modifier_window < 0:
            raise ConfigError(f"modifier_window={self.modifier_window!r} must be an integer >= 0, e.g. 4")
        if not self.saturation > 0:
            raise ConfigError(f"saturation={self.saturation!r} must be > 0, e.g. 1.0")
        lex = self.lexicon if isinstance(self.lexicon, Lexicon) else load_lexicon(self.lexicon)
        self.lexicon_ = lex
        self._matcher = _Matcher(
            {
                "actors": lex.actors,
                "hawkish_threat": lex.hawkish_threat,
                "hawkish_act": lex.hawkish_act,
                "peace": lex.peace,
                **{f"ch_{c}": lex.channels[c] for c in CHANNELS},
                "negations": lex.negations,
                "hedges": lex.hedges,
                "intensifiers": lex.intensifiers,
                "off_topic": lex.off_topic,
                "not_peace": lex.not_peace,
                "topics": lex.other_topics,
            }
        )
        self._generic = frozenset(tuple(t.split()) for t in lex.generic_peace)
        self._exclusions = _Matcher({"x": lex.exclusions})
        self._breaks = _PUNCT_BREAKS | lex.scope_breaks
        self.n_features_in_ = 1
        return self

    def _score_one(self, text: str, want_evidence: bool) -> tuple[list[float], list[str]]:
        sums = dict.fromkeys(("threat", "act", "peace", "actors", "off_topic", *CHANNELS), 0.0)
        evidence: list[str] = []
        window = self.negation_window
        mwin = self.modifier_window
        breaks = self._breaks
        excl_first = self._exclusions.first_tokens
        for sentence in _SENTENCE.split(text.lower()):
            tokens = _TOKEN.findall(sentence)
            if not tokens:
                continue
            excl = self._exclusions.find(tokens).get("x") if not excl_first.isdisjoint(tokens) else None
            if excl:
                for s, e, _ in excl:
                    tokens[s:e] = ["\x00"] * (e - s)
            hits = self._matcher.find(tokens)
            if not hits:
                continue
            sums["actors"] += sum(w for *_, w in hits.get("actors", ()))
            sums["off_topic"] += sum(w for *_, w in hits.get("off_topic", ()))
            for c in CHANNELS:
                sums[c] += sum(w for *_, w in hits.get(f"ch_{c}", ()))
            negs = hits.get("negations", ())
            hedges = hits.get("hedges", ())
            intens = hits.get("intensifiers", ())
            terms = [(s, e, w, cat) for cat in _DIRECTIONAL for s, e, w in hits.get(cat, ())]
            if "peace" in hits and ("not_peace" in hits or "topics" in hits):
                terms = self._drop_other_senses(tokens, hits, terms, evidence if want_evidence else None)
            for s, e, w, cat in terms:
                weight = w
                mods: list[str] = []
                if hedges and _governs(hedges, s, mwin, tokens, breaks, terms, cat):
                    weight *= HEDGE_FACTOR
                    mods.append("hedged")
                if intens and _governs(intens, s, mwin, tokens, breaks, terms, cat):
                    weight *= INTENSITY_FACTOR
                    mods.append("intense")
                key = {"hawkish_threat": "threat", "hawkish_act": "act", "peace": "peace"}[cat]
                reach = window if cat == "peace" else min(window, mwin)
                if negs and _governs(negs, s, reach, tokens, breaks, terms, cat):
                    mods.append("negated")
                    if key == "peace":
                        key = "threat"
                    else:
                        key = "peace"
                        weight *= NEGATED_HAWKISH_WEIGHT
                sums[key] += weight
                if want_evidence:
                    label = {"threat": "hawkish-threat", "act": "hawkish-act", "peace": "peace"}[key]
                    phrase = " ".join(tokens[s:e])
                    evidence.append(f"{label}:{phrase}" + (f"({','.join(mods)})" if mods else "") + f"={weight:g}")
        sat = self.saturation
        relevance = _squash((sums["actors"] + sums["threat"] + sums["act"] + sums["peace"]) / 2.0)
        if sums["off_topic"] > sums["actors"]:
            f = self.lexicon_.off_topic_factor
            relevance *= f
            for key in ("threat", "act", "peace"):
                sums[key] *= f
            if want_evidence:
                evidence.append(f"off-topic:{sums['off_topic']:g}>actors:{sums['actors']:g}(scores x{f:g})")
        hawk = sums["threat"] + sums["act"]
        row = [
            _squash(hawk / sat),
            _squash(sums["threat"] / sat),
            _squash(sums["act"] / sat),
            _squash(sums["peace"] / sat),
            relevance,
            *(_squash(sums[c] / 2.0) for c in CHANNELS),
        ]
        return row, evidence

    def _drop_other_senses(
        self,
        tokens: list[str],
        hits: dict[str, list[tuple[int, int, float]]],
        terms: list[tuple[int, int, float, str]],
        evidence: list[str] | None,
    ) -> list[tuple[int, int, float, str]]:
        """Drop peace terms used in another sense: inside a ``not_peace`` phrase, or generic and about another topic.

        A topic word counts when at most ``topic_reach`` words stand between it and the
        generic term (before or after it), none of them a clause break or another
        directional term.
        """
        reach = self.lexicon_.topic_reach
        breaks = self._breaks
        phrases = hits.get("not_peace", ())
        topics = hits.get("topics", ())
        kept = []
        for term in terms:
            s, e, _, cat = term
            why = ""
            if cat == "peace":
                for ps, pe, _ in phrases:
                    if ps < e and s < pe:
                        why = " ".join(tokens[ps:pe])
                        break
                if not why and tuple(tokens[s:e]) in self._generic:
                    for ts, te, _ in topics:
                        lo, hi = (te, s) if te <= s else (e, ts)
                        if (
                            (s - reach <= te <= s or e <= ts <= e + reach)
                            and breaks.isdisjoint(tokens[lo:hi])
                            and not any(lo <= os < hi for os, *_ in terms)
                        ):
                            why = "about " + " ".join(tokens[ts:te])
                            break
            if why:
                if evidence is not None:
                    evidence.append(f"other-sense:{' '.join(tokens[s:e])}({why})=0")
            else:
                kept.append(term)
        return kept

    def _ensure_fitted(self) -> None:
        if not hasattr(self, "lexicon_"):
            self.fit(None)

    def transform(self, X: Any) -> pd.DataFrame:
        """Score texts.

        Parameters
        ----------
        X : list of str, pandas.Series or pandas.DataFrame
            Texts, or an article frame (``title`` and ``text`` are scored together).

        Returns
        -------
        pandas.DataFrame
            :data:`SCORE_COLUMNS`, one row per text, index preserved for frames and Series.
        """
        self._ensure_fitted()
        rows = [self._score_one(t, False)[0] for t in texts_of(X)]
        index = X.index if isinstance(X, pd.DataFrame | pd.Series) else None
        return pd.DataFrame(
            np.asarray(rows, dtype=float).reshape(-1, len(SCORE_COLUMNS)), columns=SCORE_COLUMNS, index=index
        )

    def explain(self, X: Any) -> list[str]:
        """Return the evidence string for each text: ``category:phrase(modifiers)=weight; ...``."""
        self._ensure_fitted()
        return ["; ".join(self._score_one(t, True)[1]) for t in texts_of(X)]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns."""
        return np.asarray(SCORE_COLUMNS, dtype=object)
