"""A transparent, phrase-level lexicon scorer with negation, endings, hedging, exclusions and a conflict gate."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from georisk.errors import ConfigError
from georisk.scoring._chunk import chunk_codes
from georisk.scoring._conflict import (
    CHANNELS,
    DEFAULT_SCOPE_BREAKS,
    Lexicon,
    load_lexicon,
    normalise,
    resolve_lexicon,
    shipped_conflicts,
)
from georisk.scoring._match import _Matcher

__all__ = [
    "CHANNELS",
    "DEFAULT_SCOPE_BREAKS",
    "SCORE_COLUMNS",
    "Lexicon",
    "LexiconScorer",
    "load_lexicon",
    "opens_with",
    "shipped_conflicts",
    "texts_of",
]

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
#: Words, plus clause punctuation as tokens of its own (commas, colons, brackets, dashes): a
#: phrase never matches across them and a negation, hedge or intensity cue never reaches past them.
#: (A dash standing alone is matched as ``-(?<!\S-)``, "a dash not after a non-space", rather than
#: ``(?<!\S)-``: the same tokens, but every alternative then opens with a character set, which
#: lets the regular expression engine skip to where a token can start.)
_TOKEN = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*|[,:()\u2013\u2014]|-(?<!\S-)-?(?!\S)")
_PUNCT_BREAKS = frozenset({",", ":", "(", ")", "\u2013", "\u2014", "-", "--"})


# Categories matched in one pass; each keeps its own longest, non-overlapping matches.
_DIRECTIONAL = ("hawkish_threat", "hawkish_act", "peace")
_MODIFIERS = ("negations", "hedges", "intensifiers")
_SENTENCE = re.compile(r"[.!?;\n]")
#: Weighted hit sums kept per text, in this order.
SUM_KEYS = ("threat", "act", "peace", "names", "context", "off_topic", *CHANNELS)
#: Categories whose hits add to a sum (the others only modify these): a sentence without one adds nothing.
_SUMMED = (("actors", "names"), ("context", "context"), ("off_topic", "off_topic"), *((f"ch_{c}", c) for c in CHANNELS))
TRIGGERS = ("actors", "context", "off_topic", *(f"ch_{c}" for c in CHANNELS), *_DIRECTIONAL, "end_objects")
#: Weight of a negated hawkish term counted on the peace side ("ruled out new sanctions").
NEGATED_HAWKISH_WEIGHT = 0.5
HEDGE_FACTOR = 0.5
INTENSITY_FACTOR = 1.5


_SIDE = {"hawkish_threat": "hawkish", "hawkish_act": "hawkish", "peace": "peace", "end_object": "peace"}
_KEY = {"hawkish_threat": "threat", "hawkish_act": "act", "peace": "peace", "end_object": "act"}
_LABEL = {"threat": "hawkish-threat", "act": "hawkish-act", "peace": "peace"}
Span = tuple[int, int, float]
Term = tuple[int, int, float, str]


def _governing(
    cues: list[Span] | tuple[Span, ...],
    start: int,
    window: int,
    tokens: list[str],
    breaks: frozenset[str],
    terms: list[Term],
    cat: str,
) -> Span | None:
    """The cue whose scope reaches the term starting at token ``start``, or None.

    A cue reaches forward at most ``window`` words (its last word among the ``window``
    words before the term) and stops early at a clause break (punctuation or a word such
    as "but", "while", "as") and at a term of the other direction: in "refused a ceasefire
    and launched an offensive" the refusal governs "ceasefire", not "offensive", while in
    "rejected a ceasefire and peace talks" it governs both.
    """
    side = _SIDE[cat]
    for cue in cues:
        cs, ce, _ = cue
        if cs < start < ce:
            return cue  # the cue contains the term's first word: "no progress in talks"
        if start - window < ce <= start:
            if ce < start and not breaks.isdisjoint(tokens[ce:start]):
                continue
            if any(ce <= ts < start and _SIDE[tc] != side for ts, _, _, tc in terms):
                continue
            return cue
    return None


def _governs(
    cues: list[Span] | tuple[Span, ...],
    start: int,
    window: int,
    tokens: list[str],
    breaks: frozenset[str],
    terms: list[Term],
    cat: str,
) -> bool:
    """Whether a cue's scope reaches the term starting at token ``start`` (see :func:`_governing`)."""
    return _governing(cues, start, window, tokens, breaks, terms, cat) is not None


def _following(
    cues: list[Span] | tuple[Span, ...],
    end: int,
    window: int,
    tokens: list[str],
    breaks: frozenset[str],
    terms: list[Term],
    cat: str,
) -> Span | None:
    """The first cue that follows a term ending at token ``end`` within ``window`` words in its clause."""
    side = _SIDE[cat]
    for cue in cues:
        cs = cue[0]
        if end <= cs < end + window:
            if cs > end and not breaks.isdisjoint(tokens[end:cs]):
                continue
            if any(end <= ts < cs and _SIDE[tc] != side for ts, _, _, tc in terms):
                continue
            return cue
    return None


def _first_of_overlaps(terms: list[Term]) -> list[Term]:
    """Of terms of different categories that overlap, keep the one that starts first (the longer on a tie).

    "threatens new sanctions" (a threat) holds "new sanctions" (an act); "lift sanctions
    against" is peace news, not "sanctions against". Order is kept.
    """
    ordered = sorted(range(len(terms)), key=lambda i: (terms[i][0], terms[i][0] - terms[i][1]))
    keep: set[int] = set()
    reach = -1
    for i in ordered:
        if terms[i][0] >= reach:
            keep.add(i)
            reach = terms[i][1]
    return [t for i, t in enumerate(terms) if i in keep]


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
    """Score texts for hawkish tilt, peace trade, relevance to one conflict and market channels.

    A transparent scorer that needs no training. Terms are matched as whole phrases per
    sentence on lower-cased text (possessive 's dropped). A negation cue flips the
    direction of the terms in its scope: a negated peace term counts as a hawkish threat
    ("refused a ceasefire", "no intention to pause fighting"), a negated hawkish term
    counts half on the peace side ("ruled out new sanctions"). A hedge ("may",
    "reportedly") halves a term's weight; an intensifier ("massive", "largest") raises it
    by half. Exclusion phrases ("price war", "war and peace") are blanked out before
    matching.

    A deal, corridor, truce or talks that end are hawkish news: a peace term, or an
    ``[endings] objects`` word such as "talks", "treaty" or "accord", in the scope of an
    ending cue ("suspends", "quits", "pulls out of", "walks out of", "scrapped", "tore up",
    "violated" before it; "collapsed", "expired", "fell apart" after it) counts as a
    hawkish act with its own weight, or as a threat when the ending is itself threatened
    or hedged ("threatens to quit the grain deal"). A negated ending leaves the term as
    it is ("Moscow will not quit the deal"). A peace term that someone misses, skips or
    will not attend is dropped ("Putin to miss South Africa summit"), and terms of
    different categories that overlap keep the one that starts first ("threatens new
    sanctions" is one threat, "lift sanctions against" is peace news).

    A cue's scope is its clause: it reaches forward over at most ``negation_window``
    words (``modifier_window`` for hedges, intensifiers, missed events and cues that
    follow their term) and stops early at a clause break, that is punctuation
    (``, : ( ) -- \u2014``) or a word of the lexicon's ``scope_breaks`` ("but", "while",
    "as", "although", "after", ...), and at a term of the other direction; an ending cue
    before its term also stops at a word of ``[endings] stops`` ("withdrew from Kherson
    under the ceasefire" ends nothing). So "Kremlin dismisses Ukraine's offer to free
    Putin ally in prisoner exchange" is a rejected exchange (seven words apart, one
    clause), while in "Trump pushes a ceasefire while Putin stalls" and "refused a
    ceasefire and launched an offensive" the cue governs only its own clause's term. The
    full reach is for peace terms, which a refusal takes as its object ("rejects the UN's
    proposal for an Easter ceasefire"); a hawkish term is negated only within
    ``modifier_window`` words, as a war noun far after "not" or "without" is mostly a
    given, not denied ("did not warn Ukrainians about the upcoming invasion", "without
    power due to shelling").

    Generic peace words have other senses: "summit", "deal", "agreement", "agreed to",
    "negotiations" and "progress in talks" are as often about alliances, trade, gas or
    arms supplies. A peace term inside one of the lexicon's ``not_peace`` phrases ("NATO
    summit", "trade deal", "trade truce") does not count, nor does a ``generic_peace``
    term with a word of ``other_topics`` ("fighter", "tanks", "accession", "gas transit")
    at most ``topic_reach`` words away in its clause ("progress in talks about supplying
    fighter jets"); :meth:`explain` lists them as ``other-sense:``.

    Relevance is relevance to the configured conflict: a text is relevant only when it
    names the conflict's actors, places, forces, companies or allies (the conflict file's
    ``[conflict]`` lists, matched as whole words in title and text, also inside
    hyphenated words such as "pro-Russian"). Other conflicts' news scores near zero
    however warlike or peaceful it is; its hawkish and peace scores are still measured,
    and the signal weights them by relevance.

    Parameters
    ----------
    lexicon : str, pathlib.Path or Lexicon, optional
        A conflict file's shipped name or path, or a :class:`Lexicon` (for example
        ``load_lexicon().extended(...)``). The older name of ``conflict``: give one of the
        two.
    negation_window : int, default 8
        Largest reach of a negation or ending cue over a peace term within its clause:
        the cue counts when its last word is among the ``negation_window`` words before
        the term and no clause break lies between ("fail to make real progress towards a
        ceasefire"). Hawkish terms use ``min(negation_window, modifier_window)``. 0 turns
        negation off.
    saturation : float, default 1.0
        Score = 1 - exp(-weight_sum / saturation); larger values need more evidence.
    modifier_window : int, default 4
        The same reach for hedge, intensity and missed-event cues, which sit next to what
        they modify ("may launch an offensive", "a massive offensive", "to miss the
        summit"), for cues that follow their term ("the truce collapsed"), and for negated
        hawkish terms ("ruled out new sanctions").
    conflict : str, pathlib.Path or Lexicon, optional
        The conflict to score: a shipped name (:func:`shipped_conflicts`:
        ``"russia_ukraine"``, ``"china_taiwan"``), the path of a conflict file of your own,
        or a :class:`Lexicon`. The Russia-Ukraine file when None (and ``lexicon`` is None).
        Another conflict is another file: no code changes.

    Attributes
    ----------
    lexicon_ : Lexicon
        The loaded conflict file (set by :meth:`fit`).

    Notes
    -----
    For each article, with summed weighted hits :math:`t` (hawkish threats), :math:`a`
    (hawkish acts, endings included), :math:`p` (peace), :math:`m` (names of the
    conflict: actors, places, forces, companies, allies), :math:`k` (context: mediators,
    venues, blocs) and :math:`c_k` (channel :math:`k`), and :math:`s` the ``saturation``:

    .. math:: \\text{hawkish\\_tilt} = 1 - e^{-(t + a)/s}, \\quad
              \\text{hawkish\\_threat} = 1 - e^{-t/s}, \\quad
              \\text{hawkish\\_act} = 1 - e^{-a/s}, \\quad
              \\text{peace\\_trade} = 1 - e^{-p/s}

    .. math:: \\text{relevance} = g(m) \\left(1 - e^{-(m + k + t + a + p)/2}\\right), \\quad
              g(m) = g_0 + (1 - g_0)\\left(1 - e^{-m/\\kappa}\\right), \\quad
              \\text{channel}_k = 1 - e^{-c_k/2}

    where :math:`\\kappa` is the file's ``gate_scale`` and :math:`g_0` its ``gate_floor``
    (0.4 and 0 in the shipped files: one mention of a party or place gives
    :math:`g = 0.92`, an ally's half-weight mention 0.71, no name 0). A text naming none
    of the conflict's names has relevance :math:`g_0`-times its base, so 0 by default:
    a Gaza ceasefire, a Sudan truce or a US-China trade truce is not Russia-Ukraine news,
    and :math:`\\text{hawkish} \\times \\text{relevance}` and
    :math:`\\text{peace} \\times \\text{relevance}` vanish with it.

    When off-topic words (sport, film, company news) outnumber the name and context hits
    (:math:`m + k`), :math:`t`, :math:`a`, :math:`p` and relevance are multiplied by the
    lexicon's ``off_topic_factor`` (default 0.25): a football "offensive" is not an
    escalation. Each term's weight is multiplied by 0.5 when hedged and 1.5 when
    intensified.

    Examples
    --------
    >>> from georisk.scoring import LexiconScorer
    >>> s = LexiconScorer().fit(None)
    >>> s.explain(["Moscow refused a ceasefire."])
    ['hawkish-threat:ceasefire(negated)=1.5']
    >>> s.explain(["Russia quits Black Sea grain deal"])
    ['hawkish-act:grain deal(ended)=1.5']
    >>> out = s.transform(["Israel and Hamas agree a ceasefire in Gaza."])
    >>> float(out.loc[0, "peace_trade"]) > 0.7, float(out.loc[0, "relevance"])
    (True, 0.0)
    >>> taiwan = LexiconScorer(conflict="china_taiwan").fit()
    >>> bool(taiwan.transform(["Chinese warships encircle Taiwan."]).loc[0, "relevance"] > 0.5)
    True
    """

    def __init__(
        self,
        lexicon: str | Path | Lexicon | None = None,
        negation_window: int = 8,
        saturation: float = 1.0,
        modifier_window: int = 4,
        conflict: str | Path | Lexicon | None = None,
    ) -> None:
        self.lexicon = lexicon
        self.negation_window = negation_window
        self.saturation = saturation
        self.modifier_window = modifier_window
        self.conflict = conflict

    def fit(self, X: Any = None, y: Any = None) -> LexiconScorer:
        """Load and compile the conflict file; ``X`` and ``y`` are ignored.

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
        lex = resolve_lexicon(self.conflict, self.lexicon)
        self.lexicon_ = lex
        categories = {
            "actors": lex.actors,
            "context": lex.context,
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
            "ends_before": lex.ends_before,
            "ends_after": lex.ends_after,
            "end_objects": lex.end_objects,
            "missed": lex.missed,
            "missed_after": lex.missed_after,
        }
        self._categories = categories
        self._matcher = _Matcher(categories)
        self._names = _Matcher({"actors": lex.actors, "context": lex.context})
        self._exclusions = _Matcher({"x": lex.exclusions})
        self._generic = frozenset(tuple(t.split()) for t in lex.generic_peace)
        self._breaks = _PUNCT_BREAKS | lex.scope_breaks
        self._stops = self._breaks | lex.end_stops
        self._tables = chunk_codes(self, categories)
        self.n_features_in_ = 1
        return self

    def _hyphen_names(self, tokens: list[str], hits: dict[str, list[Span]]) -> None:
        """Add names found inside hyphenated words ("pro-russian", "russia-ukraine", "us-china")."""
        named = hits.get("actors", ())
        for i, tok in enumerate(tokens):
            if "-" not in tok or not tok[0].isalnum() or any(s <= i < e for s, e, _ in named):
                continue
            for cat, found in self._names.find(tok.split("-")).items():
                hits.setdefault(cat, []).extend((i, i + 1, w) for _, _, w in found)

    def _score_one(self, text: str, want_evidence: bool) -> tuple[list[float], list[str]]:
        """Scores of one text (:data:`SCORE_COLUMNS`, then the gate) and its evidence, sentence by sentence.

        The reference path, used for evidence; :meth:`transform` scores whole chunks with
        :func:`georisk.scoring._chunk.chunk_sums`, which gives the same sums.
        """
        sums = dict.fromkeys(SUM_KEYS, 0.0)
        evidence: list[str] = []
        for sentence in _SENTENCE.split(normalise(text)):
            tokens = _TOKEN.findall(sentence)
            if tokens:
                self._sentence(tokens, sums, evidence if want_evidence else None, None, "-" in sentence)
        return self._row(sums, evidence, want_evidence), evidence

    def _sentence(
        self,
        tokens: list[str],
        sums: dict[str, float],
        evidence: list[str] | None,
        positions: list[int] | None,
        hyphen: bool,
    ) -> None:
        """Add one sentence's weighted hits to ``sums`` (``positions``: where first tokens may stand, None for all)."""
        excl_first = self._exclusions.first_tokens
        excl = self._exclusions.find(tokens).get("x") if not excl_first.isdisjoint(tokens) else None
        if excl:
            for s, e, _ in excl:
                tokens[s:e] = ["\x00"] * (e - s)
        hits = self._matcher.find(tokens) if positions is None else self._matcher.find_at(tokens, positions)
        if hyphen:
            self._hyphen_names(tokens, hits)
        if hits:
            self._add_hits(tokens, hits, sums, evidence)

    def _add_hits(
        self, tokens: list[str], hits: dict[str, list[Span]], sums: dict[str, float], evidence: list[str] | None
    ) -> None:
        """Add the hits of one sentence to ``sums``: names, context, channels, then the directional terms."""
        for cat, key in _SUMMED:
            found = hits.get(cat)
            if found:  # an empty category adds 0
                sums[key] += sum([w for _, _, w in found])
        terms = [(s, e, w, cat) for cat in _DIRECTIONAL for s, e, w in hits.get(cat, ())]
        if len(terms) > 1:
            terms = _first_of_overlaps(terms)
        if "peace" in hits and ("not_peace" in hits or "topics" in hits):
            terms = self._drop_other_senses(tokens, hits, terms, evidence)
        ends_before = hits.get("ends_before", ())
        ends_after = hits.get("ends_after", ())
        if "end_objects" in hits and (ends_before or ends_after):
            terms += [
                (s, e, w, "end_object")
                for s, e, w in hits["end_objects"]
                if not any(ts < e and s < te for ts, te, _, _ in terms)
            ]
        if terms:
            self._weigh(tokens, hits, terms, sums, evidence)

    def _weigh(
        self,
        tokens: list[str],
        hits: dict[str, list[Span]],
        terms: list[Term],
        sums: dict[str, float],
        evidence: list[str] | None,
    ) -> None:
        """Add each term of one sentence to ``sums``, after its missed, ending, hedge, intensity and negation cues."""
        window = self.negation_window
        mwin = self.modifier_window
        breaks = self._breaks
        negs = hits.get("negations", ())
        hedges = hits.get("hedges", ())
        intens = hits.get("intensifiers", ())
        missed = hits.get("missed", ())
        missed_after = hits.get("missed_after", ())
        ends_before = hits.get("ends_before", ())
        ends_after = hits.get("ends_after", ())
        for s, e, w, cat in terms:
            if (
                cat == "peace"
                and (missed or missed_after)
                and (
                    _governs(missed, s, mwin, tokens, self._stops, terms, cat)
                    or _following(missed_after, e, mwin, tokens, breaks, terms, cat)
                )
            ):
                if evidence is not None:
                    evidence.append(f"missed:{' '.join(tokens[s:e])}=0")
                continue
            weight = w
            mods: list[str] = []
            hedged = bool(hedges) and _governs(hedges, s, mwin, tokens, breaks, terms, cat)
            if hedged:
                weight *= HEDGE_FACTOR
                mods.append("hedged")
            if intens and _governs(intens, s, mwin, tokens, breaks, terms, cat):
                weight *= INTENSITY_FACTOR
                mods.append("intense")
            key = _KEY[cat]
            reach = window if _SIDE[cat] == "peace" else min(window, mwin)
            ending = None
            if ends_before or ends_after:
                ending = _governing(ends_before, s, reach, tokens, self._stops, terms, cat) or _following(
                    ends_after, e, mwin, tokens, breaks, terms, cat
                )
            if ending is not None and negs and _governs(negs, ending[0], mwin, tokens, breaks, terms, cat):
                if cat == "end_object":
                    continue  # "will not quit the talks": nothing ended, and talks alone are no term
                mods.append("ending negated")
            elif ending is not None:
                mods.append("ended")
                if _SIDE[cat] == "hawkish":
                    key = "peace"  # "halts the offensive": counted as a negated hawkish term
                    weight *= NEGATED_HAWKISH_WEIGHT
                elif hedged or self._threatened(ending[0], tokens, hits):
                    key = "threat"
                else:
                    key = "act"
            elif cat == "end_object":
                continue
            elif negs and _governs(negs, s, reach, tokens, breaks, terms, cat):
                mods.append("negated")
                if key == "peace":
                    key = "threat"
                else:
                    key = "peace"
                    weight *= NEGATED_HAWKISH_WEIGHT
            sums[key] += weight
            if evidence is not None:
                phrase = " ".join(tokens[s:e])
                evidence.append(f"{_LABEL[key]}:{phrase}" + (f"({','.join(mods)})" if mods else "") + f"={weight:g}")

    def _threatened(self, cue_start: int, tokens: list[str], hits: dict[str, list[Span]]) -> bool:
        """Whether a threat term ends at most ``modifier_window`` words before an ending cue, in its clause."""
        for _, te, _ in hits.get("hawkish_threat", ()):
            if cue_start - self.modifier_window < te <= cue_start and self._breaks.isdisjoint(tokens[te:cue_start]):
                return True
        return False

    def _row(self, sums: dict[str, float], evidence: list[str], want_evidence: bool) -> list[float]:
        lex = self.lexicon_
        sat = self.saturation
        names = sums["names"]
        base = _squash((names + sums["context"] + sums["threat"] + sums["act"] + sums["peace"]) / 2.0)
        gate = lex.gate_floor + (1.0 - lex.gate_floor) * _squash(names / lex.gate_scale)
        relevance = gate * base
        if want_evidence and names == 0.0 and base > 0.0:
            evidence.append(f"no-names:{lex.name}(relevance x{gate:g})")
        if sums["off_topic"] > names + sums["context"]:
            f = lex.off_topic_factor
            relevance *= f
            for key in ("threat", "act", "peace"):
                sums[key] *= f
            if want_evidence:
                evidence.append(f"off-topic:{sums['off_topic']:g}>actors:{names + sums['context']:g}(scores x{f:g})")
        hawk = sums["threat"] + sums["act"]
        return [
            _squash(hawk / sat),
            _squash(sums["threat"] / sat),
            _squash(sums["act"] / sat),
            _squash(sums["peace"] / sat),
            relevance,
            *(_squash(sums[c] / 2.0) for c in CHANNELS),
            gate,
        ]

    def _drop_other_senses(
        self,
        tokens: list[str],
        hits: dict[str, list[Span]],
        terms: list[Term],
        evidence: list[str] | None,
    ) -> list[Term]:
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

    def _scores(self, X: Any) -> tuple[pd.DataFrame, np.ndarray]:
        """:data:`SCORE_COLUMNS` of ``X`` and the conflict gate :math:`g(m)` of each text."""
        from georisk.scoring._chunk import by_chars, chunk_sums

        self._ensure_fitted()
        texts = texts_of(X)
        index = X.index if isinstance(X, pd.DataFrame | pd.Series) else None
        return self._from_sums(np.vstack([chunk_sums(self, part) for part in by_chars(texts)]), index)

    def _from_sums(self, sums: np.ndarray, index: Any) -> tuple[pd.DataFrame, np.ndarray]:
        """:data:`SCORE_COLUMNS` and the gate from the hit sums of :func:`~georisk.scoring._chunk.chunk_sums`."""
        from georisk.scoring._chunk import rows_from_sums

        values = rows_from_sums(self, sums)
        frame = pd.DataFrame(values[:, :-1], columns=SCORE_COLUMNS, index=index)
        return frame, values[:, -1]

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
        return self._scores(X)[0]

    def conflict_gate(self, X: Any) -> np.ndarray:
        """The conflict gate :math:`g(m)` of each text: how far it names the conflict (see Notes).

        Examples
        --------
        >>> from georisk.scoring import LexiconScorer
        >>> LexiconScorer().conflict_gate(["Kyiv and Moscow swap prisoners", "Sudan truce holds"]).round(3).tolist()
        [0.993, 0.0]
        """
        return self._scores(X)[1]

    def explain(self, X: Any) -> list[str]:
        """Return the evidence string for each text: ``category:phrase(modifiers)=weight; ...``."""
        self._ensure_fitted()
        return ["; ".join(self._score_one(t, True)[1]) for t in texts_of(X)]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns."""
        return np.asarray(SCORE_COLUMNS, dtype=object)
