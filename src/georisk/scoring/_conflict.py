"""Conflict files: the TOML that names a conflict's actors and places and carries its vocabulary."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from georisk.errors import ConfigError

__all__ = [
    "CHANNELS",
    "DEFAULT_CONFLICT",
    "DEFAULT_SCOPE_BREAKS",
    "NAME_LISTS",
    "Lexicon",
    "load_lexicon",
    "normalise",
    "resolve_lexicon",
    "shipped_conflicts",
]

CHANNELS = ("energy", "defense", "grain", "sanctions")
#: The conflict scored when none is named.
DEFAULT_CONFLICT = "russia_ukraine"
#: The shipped vocabulary every shipped conflict file extends; not a conflict of its own.
VOCABULARY = "vocabulary"
#: Lists of ``[conflict]`` whose names open the relevance gate (``context`` does not).
NAME_LISTS = ("actors", "places", "forces", "companies", "allies")
_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
# the literal first and the look-behind after it, so that the search skips text without "'s"
_POSSESSIVE = re.compile(r"'s\b(?<=[a-z0-9]'s)")
#: Words that open a new clause and so end a cue's scope, used when a file names none.
# fmt: off
DEFAULT_SCOPE_BREAKS = (
    "but", "while", "whilst", "as", "although", "though", "after", "yet", "whereas", "despite",
    "before", "when", "because", "since", "unless", "until", "then", "however",
)
# fmt: on

# table -> allowed keys (None: a table of channels)
_TABLES: dict[str, tuple[str, ...]] = {
    "conflict": ("name", "extends", "gate_scale", "gate_floor", *NAME_LISTS, "context"),
    "hawkish_threat": ("terms",),
    "hawkish_act": ("terms",),
    "peace": ("terms",),
    "channels": CHANNELS,
    "modifiers": ("negations", "hedges", "intensifiers", "scope_breaks"),
    "endings": ("before", "after", "objects", "stops"),
    "senses": ("not_peace", "generic_peace", "other_topics", "topic_reach", "missed", "missed_after"),
    "exclusions": ("phrases", "off_topic", "off_topic_factor"),
    # the language-model scorer's prompt (georisk.scoring.LLMScorer); the lexicon ignores it
    "llm": ("prompt_version", "prompt"),
}
_SCALARS = {"name", "extends", "gate_scale", "gate_floor", "topic_reach", "off_topic_factor"}
_SCALARS |= {"prompt_version", "prompt"}


def normalise(text: str) -> str:
    """Lower-case ``text``, straighten apostrophes and drop possessive 's ("Ukraine's" reads "ukraine").

    Examples
    --------
    >>> normalise("Ukraine\u2019s allies and the Kremlin's envoy")
    'ukraine allies and the kremlin envoy'
    """
    out = text.lower()
    if "\u2019" in out:
        out = out.replace("\u2019", "'")
    return _POSSESSIVE.sub("", out) if "'" in out else out


def _phrases(items: Any, where: str, example: str = "'term|1.5'") -> dict[str, float]:
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ConfigError(f"{where} must be a list of strings, e.g. [{example}]")
    out: dict[str, float] = {}
    for item in items:
        term, _, weight = item.partition("|")
        term = " ".join(_WORD.findall(normalise(term)))
        if not term:
            raise ConfigError(f"{where}: empty term {item!r}; delete it or write a word")
        try:
            value = float(weight) if weight else 1.0
        except ValueError as exc:
            raise ConfigError(f"{where}: weight of {item!r} is not a number; write 'term|1.5'") from exc
        if not value >= 0.0:
            raise ConfigError(f"{where}: weight of {item!r} must be >= 0; write 'term|0.5'")
        out[term] = value
    return out


def _words(items: Any, where: str, example: str) -> frozenset[str]:
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ConfigError(f"{where} must be a list of single words, e.g. [{example}]")
    words = [_WORD.findall(normalise(i)) for i in items]
    bad = [i for i, w in zip(items, words, strict=True) if len(w) != 1]
    if bad:
        raise ConfigError(f"{where}: {bad} must be single words, e.g. {example}")
    return frozenset(w[0] for w in words)


def _breaks(items: Any, where: str) -> frozenset[str]:
    return _words(items, f"{where} scope_breaks", "'but', 'while'")


def _reach(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigError(f"{where}: topic_reach={value!r} must be an integer >= 0, e.g. 8")
    return value


def _number(value: Any, where: str, key: str, lo: float, hi: float, example: str, open_hi: bool = False) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if ok and (float(value) < lo or float(value) > hi or (open_hi and float(value) >= hi)):
        ok = False
    if not ok:
        span = f"[{lo:g}, {hi:g})" if open_hi else f"[{lo:g}, {hi:g}]"
        raise ConfigError(f"{where}: {key}={value!r} must be a number in {span}, e.g. {key} = {example}")
    return float(value)


def _factor(value: Any, where: str) -> float:
    return _number(value, where, "off_topic_factor", 0.0, 1.0, "0.25")


@dataclass(frozen=True)
class Lexicon:
    """Names and terms of one conflict, as loaded from a conflict file.

    ``actors`` holds every name that opens the relevance gate (the file's ``actors``,
    ``places``, ``forces``, ``companies`` and ``allies``), ``context`` the mediators,
    venues and blocs that raise relevance without opening it.
    """

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
    context: dict[str, float] = field(default_factory=dict)
    ends_before: dict[str, float] = field(default_factory=dict)
    ends_after: dict[str, float] = field(default_factory=dict)
    end_objects: dict[str, float] = field(default_factory=dict)
    end_stops: frozenset[str] = field(default=frozenset())
    missed: dict[str, float] = field(default_factory=dict)
    missed_after: dict[str, float] = field(default_factory=dict)
    gate_scale: float = 0.4
    gate_floor: float = 0.0

    @property
    def key(self) -> str:
        """The conflict's name as a lower-case slug, as the labelled corpus tags records.

        Examples
        --------
        >>> from georisk.scoring import load_lexicon
        >>> load_lexicon("china_taiwan").key
        'china-taiwan'
        """
        return "-".join(_WORD.findall(self.name.lower().replace("'", ""))) or "conflict"

    def extended(self, **extra: list[str]) -> Lexicon:
        """Return a copy with extra terms added to the named categories.

        Examples
        --------
        >>> from georisk.scoring import load_lexicon
        >>> lex = load_lexicon().extended(peace=["handshake deal|1.5"], actors=["kharkiv oblast"])
        >>> lex.peace["handshake deal"], lex.actors["kharkiv oblast"]
        (1.5, 1.0)
        """
        changes: dict[str, Any] = {}
        for key, terms in extra.items():
            if key in CHANNELS:
                chans = dict(changes.get("channels", self.channels))
                chans[key] = {**chans[key], **_phrases(terms, key)}
                changes["channels"] = chans
            elif key == "scope_breaks":
                changes[key] = self.scope_breaks | _breaks(terms, key)
            elif key == "end_stops":
                changes[key] = self.end_stops | _words(terms, key, "'under'")
            elif hasattr(self, key) and isinstance(getattr(self, key), dict) and key != "channels":
                changes[key] = {**getattr(self, key), **_phrases(terms, key)}
            else:
                raise ConfigError(f"lexicon has no category {key!r}")
        return Lexicon(**{**self.__dict__, **changes})


def shipped_conflicts() -> list[str]:
    """Names of the conflict files shipped with georisk, for ``conflict=``.

    Examples
    --------
    >>> from georisk.scoring import shipped_conflicts
    >>> shipped_conflicts()
    ['china_taiwan', 'russia_ukraine']
    """
    folder = resources.files("georisk.scoring").joinpath("resources")
    names = (p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))
    return sorted(n for n in names if n != VOCABULARY)


def _is_name(source: str) -> bool:
    return not source.lower().endswith(".toml") and "/" not in source and "\\" not in source


def _read(source: str | Path, base_dir: Path | None) -> tuple[str, str, Path | None]:
    """Text, display name and folder of a shipped name or a file path."""
    if isinstance(source, str) and _is_name(source):
        name = source.strip().lower().replace("-", "_")
        known = [*shipped_conflicts(), VOCABULARY]
        if name not in known:
            raise ConfigError(
                f"no shipped conflict named {source!r}; the shipped ones are {shipped_conflicts()}, "
                "or give the path of a .toml conflict file"
            )
        text = resources.files("georisk.scoring").joinpath(f"resources/{name}.toml").read_text("utf-8")
        return text, f"{name}.toml", None
    path = Path(source)
    if base_dir is not None and not path.is_absolute():
        path = base_dir / path
    try:
        text = path.read_text("utf-8-sig")
    except FileNotFoundError as exc:
        raise ConfigError(
            f"conflict file {path} does not exist; give a path to a .toml file or one of {shipped_conflicts()}"
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"conflict file {path} is not UTF-8 text; re-save it as UTF-8") from exc
    return text, str(path), path.parent


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Tables merge, lists concatenate (the extending file's weights win), scalars are replaced."""
    out = dict(base)
    for key, value in over.items():
        if key in out and isinstance(out[key], dict) and isinstance(value, dict):
            out[key] = _merge(out[key], value)
        elif key in out and isinstance(out[key], list) and isinstance(value, list):
            out[key] = [*out[key], *value]
        else:
            out[key] = value
    return out


def _check_layout(data: dict[str, Any], where: str) -> None:
    for table, value in data.items():
        if table not in _TABLES:
            raise ConfigError(
                f"conflict file {where}: unknown table [{table}]; the tables are {sorted(_TABLES)}; check the spelling"
            )
        if not isinstance(value, dict):
            raise ConfigError(f"conflict file {where}: {table} must be a table, e.g. [{table}]")
        for key, item in value.items():
            if key not in _TABLES[table]:
                raise ConfigError(
                    f"conflict file {where}: [{table}] has no key {key!r}; "
                    f"the keys are {list(_TABLES[table])}; check the spelling"
                )
            if table == "channels":
                if not isinstance(item, dict) or set(item) - {"terms"}:
                    raise ConfigError(
                        f"conflict file {where}: [channels.{key}] takes one key, terms = [...], e.g. terms = ['oil']"
                    )
            elif key not in _SCALARS and not isinstance(item, list):
                raise ConfigError(
                    f"conflict file {where}: [{table}] {key} must be a list of strings, e.g. {key} = ['word']"
                )


def _load_data(source: str | Path, base_dir: Path | None, seen: tuple[str, ...]) -> tuple[dict[str, Any], str]:
    text, where, folder = _read(source, base_dir)
    if where in seen:
        raise ConfigError(f"conflict file {where} extends itself through {' -> '.join(seen)}; remove one 'extends'")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"conflict file {where} is not valid TOML: {exc}; fix that line") from exc
    _check_layout(data, where)
    parent = data.get("conflict", {}).get("extends")
    if parent is None:
        return data, where
    if not isinstance(parent, str) or not parent.strip():
        raise ConfigError(
            f"conflict file {where}: [conflict] extends must be a name or a path, e.g. extends = 'vocabulary'"
        )
    base, _ = _load_data(parent, folder, (*seen, where))
    child = dict(data)
    child["conflict"] = {k: v for k, v in data["conflict"].items() if k != "extends"}
    return _merge(base, child), where


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Load a conflict file: a shipped name (``"russia_ukraine"``, ``"china_taiwan"``) or a path.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A shipped conflict's name (see :func:`shipped_conflicts`; a string without a path
        separator and without ``.toml``), or a TOML file with the layout of
        ``georisk/scoring/resources/russia_ukraine.toml``. The Russia-Ukraine file when None.

    Returns
    -------
    Lexicon

    Raises
    ------
    ConfigError
        For an unknown name, a missing or malformed file, an unknown table or key, a value
        of the wrong type, or a file that names no actor or place; the message names the
        file, the table and key, and how to fix it.

    Notes
    -----
    A file may start from another with ``[conflict] extends = "vocabulary"`` (the shipped
    vocabulary of threats, acts, peace terms, endings, modifiers, senses and exclusions), a
    shipped conflict's name, or a path relative to the file. Tables merge, term lists
    concatenate (a term given again takes the later weight) and numbers are replaced.

    Examples
    --------
    >>> from georisk.scoring import load_lexicon
    >>> lex = load_lexicon("china_taiwan")
    >>> lex.name, lex.actors["taipei"], lex.actors["beijing"]
    ('China-Taiwan', 1.0, 0.5)
    """
    data, where = _load_data(DEFAULT_CONFLICT if path is None else path, None, ())
    if "conflict" not in data:
        raise ConfigError(
            f"conflict file {where} lacks the table 'conflict'; start it with [conflict], name = '...', actors = [...]"
        )
    for table in ("hawkish_threat", "hawkish_act", "peace"):
        if "terms" not in data.get(table, {}):
            raise ConfigError(
                f"conflict file {where} lacks the table {table!r}; add [{table}] terms = [...], "
                "or start from the shipped vocabulary with [conflict] extends = 'vocabulary'"
            )
    conflict = data["conflict"]
    name = conflict.get("name", Path(where).stem)
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(
            f"conflict file {where}: [conflict] name must be a non-empty string, e.g. name = 'China-Taiwan'"
        )
    actors: dict[str, float] = {}
    for key in NAME_LISTS:
        where_key = f"conflict file {where}: [conflict] {key}"
        actors.update(_phrases(conflict.get(key, []), where_key, "'kyiv', 'moscow|1.0'"))
    if not actors:
        raise ConfigError(
            f"conflict file {where}: [conflict] names no actor, place, force, company or ally, so no text "
            "could be relevant; add e.g. actors = ['taiwan', 'taipei'] and places = ['kinmen']"
        )
    mods = data.get("modifiers", {})
    excl = data.get("exclusions", {})
    senses = data.get("senses", {})
    ends = data.get("endings", {})
    chans = data.get("channels", {})

    def terms(table: str, key: str = "terms", items: Any = None) -> dict[str, float]:
        value = data.get(table, {}).get(key, []) if items is None else items
        return _phrases(value, f"conflict file {where}: [{table}] {key}")

    return Lexicon(
        name=name.strip(),
        actors=actors,
        hawkish_threat=terms("hawkish_threat"),
        hawkish_act=terms("hawkish_act"),
        peace=terms("peace"),
        channels={c: terms(f"channels.{c}", items=chans.get(c, {}).get("terms", [])) for c in CHANNELS},
        negations=terms("modifiers", "negations"),
        hedges=terms("modifiers", "hedges"),
        intensifiers=terms("modifiers", "intensifiers"),
        exclusions=terms("exclusions", "phrases"),
        off_topic=terms("exclusions", "off_topic"),
        source=where,
        off_topic_factor=_factor(excl.get("off_topic_factor", 0.25), f"conflict file {where}: [exclusions]"),
        scope_breaks=_breaks(mods.get("scope_breaks", list(DEFAULT_SCOPE_BREAKS)), f"conflict file {where}:"),
        not_peace=terms("senses", "not_peace"),
        generic_peace=terms("senses", "generic_peace"),
        other_topics=terms("senses", "other_topics"),
        topic_reach=_reach(senses.get("topic_reach", 8), f"conflict file {where}: [senses]"),
        context=terms("conflict", "context"),
        ends_before=terms("endings", "before"),
        ends_after=terms("endings", "after"),
        end_objects=terms("endings", "objects"),
        end_stops=_words(ends.get("stops", []), f"conflict file {where}: [endings] stops", "'under', 'for'"),
        missed=terms("senses", "missed"),
        missed_after=terms("senses", "missed_after"),
        gate_scale=_number(
            conflict.get("gate_scale", 0.4), f"conflict file {where}: [conflict]", "gate_scale", 1e-9, 1e9, "0.4"
        ),
        gate_floor=_number(
            conflict.get("gate_floor", 0.0), f"conflict file {where}: [conflict]", "gate_floor", 0.0, 1.0, "0.0", True
        ),
    )


def resolve_lexicon(conflict: Any, lexicon: Any) -> Lexicon:
    """The lexicon a scorer's ``conflict`` and ``lexicon`` parameters select (at most one of the two).

    Raises
    ------
    ConfigError
        When both are given, or the one given is not a name, a path or a :class:`Lexicon`.
    """
    if conflict is not None and lexicon is not None:
        raise ConfigError(
            "give conflict= or lexicon=, not both: both select the conflict file "
            f"(got conflict={conflict!r}, lexicon={lexicon!r})"
        )
    source = conflict if conflict is not None else lexicon
    if source is None or isinstance(source, Lexicon):
        return source if isinstance(source, Lexicon) else load_lexicon(None)
    if not isinstance(source, str | Path):
        raise ConfigError(
            f"conflict={source!r} must be a shipped name {shipped_conflicts()}, a path to a .toml file or a Lexicon"
        )
    return load_lexicon(source)
