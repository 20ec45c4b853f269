"""The phrase matcher of the lexicon scorer: longest non-overlapping phrase matches per category."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["_Matcher"]

_Entries = list[tuple[str, float]]


class _Matcher:
    """All phrases of all categories as token sequences, keyed by their first token.

    Per first token, the phrase lengths from longest to shortest, each with a table from
    the phrase's tokens to its ``(category, weight)`` entries (in category order): one dict
    look-up per length instead of one comparison per phrase.
    """

    def __init__(self, categories: dict[str, dict[str, float]]) -> None:
        staging: dict[str, dict[int, dict[tuple[str, ...], _Entries]]] = {}
        for cat, phrases in categories.items():
            for phrase, weight in phrases.items():
                toks = tuple(phrase.split())
                staging.setdefault(toks[0], {}).setdefault(len(toks), {}).setdefault(toks, []).append((cat, weight))
        self.by_first: dict[str, list[tuple[int, dict[tuple[str, ...], _Entries], _Entries]]] = {
            first: [
                (k, table, next(iter(table.values())) if k == 1 else [])
                for k, table in sorted(by_len.items(), key=lambda kv: -kv[0])
            ]
            for first, by_len in staging.items()
        }
        self.first_tokens = frozenset(self.by_first)
        #: First two words of every longer phrase: where they do not follow, no longer phrase can match.
        self.pairs = frozenset(
            (p[0], p[1]) for by_len in staging.values() for table in by_len.values() for p in table if len(p) > 1
        )

    def find(self, tokens: list[str]) -> dict[str, list[tuple[int, int, float]]]:
        """Return, per category, ``(start, end, weight)`` of longest non-overlapping matches."""
        return self.find_at(tokens, range(len(tokens)))

    def find_at(self, tokens: list[str], positions: Iterable[int]) -> dict[str, list[tuple[int, int, float]]]:
        """:meth:`find` looking only at ``positions`` (ascending): the same result when every first token is among them.

        Scanning left to right, each category takes at each free position its longest
        phrase that matches there; the match occupies the category up to its end.
        """
        out: dict[str, list[tuple[int, int, float]]] = {}
        free: dict[str, int] = {}
        by_first = self.by_first
        pairs = self.pairs
        n = len(tokens)
        for i in positions:
            groups = by_first.get(tokens[i])
            if groups is None:
                continue
            longer = groups[0][0] > 1 and i + 1 < n and (tokens[i], tokens[i + 1]) in pairs
            for k, table, single in groups:
                if k == 1:
                    entries = single
                elif not longer or i + k > n:
                    continue
                else:
                    found = table.get(tuple(tokens[i : i + k]))
                    if found is None:
                        continue
                    entries = found
                for cat, weight in entries:
                    if free.get(cat, 0) > i:
                        continue
                    out.setdefault(cat, []).append((i, i + k, weight))
                    free[cat] = i + k
        return out
