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

__all__ = ["SCORE_COLUMNS", "Lexicon", "LexiconScorer", "load_lexicon"]

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
        )
    except KeyError as exc:
        raise ConfigError(
            f"lexicon {where} lacks the table {exc.args[0]!r}; see the shipped lexicon for the layout"
        ) from exc


class _Matcher:
    """Finds phrases as whole-word token sequences (a dict keyed by first token)."""

    def __init__(self, phrases: dict[str, float]) -> None:
        self.by_first: dict[str, list[tuple[tuple[str, ...], float]]] = {}
        for phrase, weight in phrases.items():
            toks = tuple(phrase.split())
            self.by_first.setdefault(toks[0], []).append((toks, weight))
        for cands in self.by_first.values():
            cands.sort(key=lambda c: -len(c[0]))

    def find(self, tokens: list[str]) -> list[tuple[int, int, float]]:
        """Return ``(start, end, weight)`` of longest, non-overlapping matches."""
        out = []
        i = 0
        while i < len(tokens):
            for toks, weight in self.by_first.get(tokens[i], ()):
                if tuple(tokens[i : i + len(toks)]) == toks:
                    out.append((i, i + len(toks), weight))
                    i += len(toks)
                    break
            else:
                i += 1
        return out


def _squash(x: float) -> float:
    return 1.0 - math.exp(-x)


class LexiconScorer(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Score texts for hawkish tilt, peace trade, relevance and market channels.

    A transparent scorer that needs no training. Terms are matched per sentence on
    cleaned, lower-cased text. A negation cue in the ``negation_window`` words before a
    term flips its direction ("refused a ceasefire" is hawkish, "ruled out new
    sanctions" is peace); a hedge halves its weight; an intensifier raises it by half.
    Exclusion phrases ("price war") are removed before matching.

    Parameters
    ----------
    lexicon : str or pathlib.Path, optional
        Path of a TOML lexicon; the shipped Russia-Ukraine lexicon when None.
    negation_window : int, default 4
        Words before a term searched for negation, hedge and intensity cues.
    saturation : float, default 1.0
        Score = 1 - exp(-weight_sum / saturation); larger values need more evidence.

    Attributes
    ----------
    lexicon_ : Lexicon
        The loaded lexicon (set by :meth:`fit`).

    Notes
    -----
    For each article, with weighted term hits :math:`h` (hawkish), :math:`p` (peace)
    and :math:`a` (actors and places):

    .. math:: \\text{hawkish\\_tilt} = 1 - e^{-h/s}, \\quad
              \\text{peace\\_trade} = 1 - e^{-p/s}, \\quad
              \\text{relevance} = 1 - e^{-(a + h + p)/2}

    where :math:`s` is ``saturation``. Relevance is cut to a quarter when off-topic
    words (sport, film) outnumber the actor and place hits.
    """

    def __init__(self, lexicon: str | Path | None = None, negation_window: int = 4, saturation: float = 1.0) -> None:
        self.lexicon = lexicon
        self.negation_window = negation_window
        self.saturation = saturation

    def fit(self, X: Any, y: Any = None) -> LexiconScorer:
        """Load and compile the lexicon; ``X`` and ``y`` are ignored."""
        if self.negation_window < 0:
            raise ConfigError(f"negation_window={self.negation_window} must be >= 0")
        if self.saturation <= 0:
            raise ConfigError(f"saturation={self.saturation} must be > 0")
        lex = self.lexicon if isinstance(self.lexicon, Lexicon) else load_lexicon(self.lexicon)
        self.lexicon_ = lex
        self._matchers = {
            "actors": _Matcher(lex.actors),
            "hawkish_threat": _Matcher(lex.hawkish_threat),
            "hawkish_act": _Matcher(lex.hawkish_act),
            "peace": _Matcher(lex.peace),
            **{f"ch_{c}": _Matcher(lex.channels[c]) for c in CHANNELS},
            "negations": _Matcher(lex.negations),
            "hedges": _Matcher(lex.hedges),
            "intensifiers": _Matcher(lex.intensifiers),
            "exclusions": _Matcher(lex.exclusions),
            "off_topic": _Matcher(lex.off_topic),
        }
        self.n_features_in_ = 1
        return self

    def _score_one(self, text: str) -> tuple[list[float], str]:
        m = self._matchers
        sums = dict.fromkeys(("threat", "act", "peace", "actors", "off_topic", *CHANNELS), 0.0)
        evidence: list[str] = []
        for sentence in re.split(r"(?<=[.!?;])\s+|\n+", text.lower()):
            tokens = _WORD.findall(sentence)
            if not tokens:
                continue
            for s, e, _ in m["exclusions"].find(tokens):
                tokens[s:e] = ["\x00"] * (e - s)
            sums["actors"] += sum(w for *_, w in m["actors"].find(tokens))
            sums["off_topic"] += sum(w for *_, w in m["off_topic"].find(tokens))
            for c in CHANNELS:
                sums[c] += sum(w for *_, w in m[f"ch_{c}"].find(tokens))
            neg_spans = m["negations"].find(tokens)
            hedge_spans = m["hedges"].find(tokens)
            inten_spans = m["intensifiers"].find(tokens)
            for cat, key in (("hawkish_threat", "threat"), ("hawkish_act", "act"), ("peace", "peace")):
                for s, e, w in m[cat].find(tokens):
                    lo = max(0, s - self.negation_window)
                    negated = any(lo <= ns and ne <= s for ns, ne, _ in neg_spans)
                    weight = w
                    mods = []
                    if any(lo <= hs and he <= s for hs, he, _ in hedge_spans):
                        weight *= 0.5
                        mods.append("hedged")
                    if any(lo <= xs and xe <= s + 1 for xs, xe, _ in inten_spans):
                        weight *= 1.5
                        mods.append("intense")
                    phrase = " ".join(tokens[s:e])
                    if negated:
                        mods.append("negated")
                        target = "act" if key == "peace" else "peace"
                    else:
                        target = key
                    sums[target] += weight
                    label = {"threat": "hawkish-threat", "act": "hawkish-act", "peace": "peace"}[target]
                    evidence.append(f"{label}:{phrase}" + (f"({','.join(mods)})" if mods else "") + f"={weight:g}")
        sat = self.saturation
        hawk = sums["threat"] + sums["act"]
        relevance = _squash((sums["actors"] + hawk + sums["peace"]) / 2.0)
        if sums["off_topic"] > sums["actors"]:
            relevance *= 0.25
        row = [
            _squash(hawk / sat),
            _squash(sums["threat"] / sat),
            _squash(sums["act"] / sat),
            _squash(sums["peace"] / sat),
            relevance,
            *(_squash(sums[c] / 2.0) for c in CHANNELS),
        ]
        return row, "; ".join(evidence)

    def _texts(self, X: Any) -> list[str]:
        if isinstance(X, pd.DataFrame):
            if "text" not in X.columns:
                raise ConfigError("X has no 'text' column; pass the frame from load_articles or a list of strings")
            title = X["title"].fillna("") if "title" in X.columns else ""
            return list((title + ".\n" + X["text"].fillna("")).astype(str))
        if isinstance(X, str):
            raise ConfigError("X is a single string; pass a list of texts, e.g. [text]")
        return [str(t) for t in X]

    def transform(self, X: Any) -> pd.DataFrame:
        """Score texts.

        Parameters
        ----------
        X : list of str, pandas.Series or pandas.DataFrame
            Texts, or an article frame (``title`` and ``text`` are scored together).

        Returns
        -------
        pandas.DataFrame
            :data:`SCORE_COLUMNS`, one row per text, index preserved for frames.
        """
        if not hasattr(self, "lexicon_"):
            self.fit(X)
        rows = [self._score_one(t)[0] for t in self._texts(X)]
        index = X.index if isinstance(X, pd.DataFrame | pd.Series) else None
        return pd.DataFrame(
            np.asarray(rows, dtype=float).reshape(-1, len(SCORE_COLUMNS)), columns=SCORE_COLUMNS, index=index
        )

    def explain(self, X: Any) -> list[str]:
        """Return the evidence string for each text: ``category:phrase(modifiers)=weight; ...``."""
        if not hasattr(self, "lexicon_"):
            self.fit(X)
        return [self._score_one(t)[1] for t in self._texts(X)]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns."""
        return np.asarray(SCORE_COLUMNS, dtype=object)
