"""Build-time generator of the frozen scores ``tests/scoring/data/expected_scores.npz``.

Scores a fixed set of texts with the scorers as they are when it is run, and stores the
texts and every output column, so that a later rewrite of the scoring code (a faster
tokeniser, another way of hashing) can be checked to give the same scores:
``tests/scoring/test_frozen_scores.py`` scores the stored texts again and compares.

The texts are generated from a seeded random stream (nothing is read from outside the
repository): words and phrases of both shipped conflict files mixed with filler words,
clause and sentence punctuation, quotes, possessives, hyphenated names, capitals,
non-ASCII letters (accented, Cyrillic, Greek, CJK, ligatures), control characters and
digits; headlines, ledes and long texts (past the model's 200 words); and frames with
titles, some of which the text opens with. The bundled sample's articles are scored too
(they are in the package already, so only their scores are stored).

Re-run only when a scoring change is *meant* to change scores::

    python tools/make_scoring_expected.py            # writes tests/scoring/data/expected_scores.npz
    python tools/make_scoring_expected.py --out FILE
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["CONFIGS", "generated_frame", "joined", "main", "score_config", "split"]

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "tests" / "scoring" / "data" / "expected_scores.npz"

_FILLER = [
    "the", "a", "said", "on", "of", "and", "but", "while", "after", "it", "them", "its", "w1", "w2",
    "not", "no", "never", "may", "could", "reportedly", "massive", "largest", "new", "talks", "deal",
    "officials", "week", "2024", "10", "u.s.", "e.u.", "don't", "isn't", "won't", "o'clock",
]  # fmt: skip
_PUNCT = [
    ",", ":", "(", ")", "-", "--", "\u2014", "\u2013", ".", "!", "?", ";", "\n", "'s", "\u2019s", '"', "/",
    "\u201c", "\u201d", "\u2018", "\u2019", "'", "...", "\u2026", "&", "%", "$", "#", "_", "*", "[", "]",
]  # fmt: skip
_ODD = [
    "\x01", "\x02", "\x00", "\t", "\u200b", "\xa0", "é", "ß", "İstanbul", "K\u212a", "café", "naïve", "Zürich",
    "Київ", "Росія", "Україна", "Ελλάδα", "北京", "台湾", "ﬁnal", "Œuvre", "Ⅻ", "x²", "٣", "\U0001f600",
    "snake_case", "__init__", "ａｂｃ", "straße", "ǅ", "\u0301e", "e\u0301",
]  # fmt: skip


def _vocabulary(scorer: Any) -> list[str]:
    phrases = sorted({p for cat in scorer._categories.values() for p in cat} | set(scorer.lexicon_.exclusions))
    words = sorted({w for p in phrases for w in p.split()})
    return phrases + words + sorted(scorer.lexicon_.scope_breaks)


def _text(rng: np.random.Generator, vocab: list[str], names: list[str], n_pieces: int) -> str:
    pieces = []
    for _ in range(n_pieces):
        u = rng.random()
        if u < 0.45:
            piece = vocab[int(rng.integers(len(vocab)))]
        elif u < 0.65:
            piece = _FILLER[int(rng.integers(len(_FILLER)))]
        elif u < 0.82:
            piece = _PUNCT[int(rng.integers(len(_PUNCT)))]
        elif u < 0.92:
            a, b = names[int(rng.integers(len(names)))], names[int(rng.integers(len(names)))]
            piece = str(rng.choice([f"pro-{a}", f"{a}-{b}", f"{a}'s", f"{a}\u2019s", f"anti-{a}-led", f"{a}-"]))
        else:
            piece = _ODD[int(rng.integers(len(_ODD)))]
        v = rng.random()
        if v < 0.1:
            piece = piece.upper()
        elif v < 0.2:
            piece = piece.title()
        pieces.append(piece)
    glue = [" " if rng.random() < 0.85 else str(rng.choice(["", "  ", "\n", '"', "'"])) for _ in pieces]
    return "".join(g + p for g, p in zip(glue, pieces, strict=True))


def generated_frame(n: int = 3000, seed: int = 17) -> pd.DataFrame:
    """``n`` generated articles (``published_at``, ``title``, ``text``): headlines, ledes and long texts."""
    from georisk.scoring import LexiconScorer

    rng = np.random.default_rng(seed)
    vocab: list[str] = []
    names: list[str] = []
    for conflict in ("russia_ukraine", "china_taiwan"):
        scorer = LexiconScorer(conflict=conflict).fit()
        vocab += _vocabulary(scorer)
        names += sorted(p for p in scorer.lexicon_.actors if " " not in p)
    titles, texts = [], []
    for i in range(n):
        size = int(rng.choice([0, 3, 12, 40, 120, 400], p=[0.02, 0.2, 0.45, 0.2, 0.1, 0.03]))
        text = _text(rng, vocab, names, size)
        u = rng.random()
        if u < 0.4:
            title = ""
        elif u < 0.6:
            title = text[: int(rng.integers(0, 60))]  # the text opens with its title (or part of a word)
        else:
            title = _text(rng, vocab, names, int(rng.integers(1, 14)))
        titles.append(title)
        texts.append(text if i % 50 else "")
    stamps = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(np.arange(n) % 97, unit="h")
    return pd.DataFrame({"id": [f"g{i}" for i in range(n)], "published_at": stamps, "title": titles, "text": texts})


#: Scorers whose outputs are frozen: a label, a factory and whether evidence is asked for.
CONFIGS: dict[str, tuple[str, dict[str, Any], bool]] = {
    "blend": ("blend", {}, True),
    "blend_taiwan": ("blend", {"conflict": "china_taiwan"}, False),
    "blend_chars": ("blend", {"char_ngrams": True}, False),
    "lexicon": ("lexicon", {}, False),
    "supervised": ("supervised", {}, False),
}


def _make(kind: str, params: dict[str, Any]) -> Any:
    from georisk.scoring import BlendedScorer, LexiconScorer, SupervisedScorer

    return {"blend": BlendedScorer, "lexicon": LexiconScorer, "supervised": SupervisedScorer}[kind](**params)


def score_config(name: str, frame: pd.DataFrame, chunk_size: int | None = None) -> pd.DataFrame:
    """``score_articles`` of ``frame`` with the scorer of ``CONFIGS[name]``."""
    from georisk.scoring import score_articles

    kind, params, evidence = CONFIGS[name]
    return score_articles(frame, _make(kind, params), evidence=evidence, chunk_size=chunk_size, progress=False)


#: Between the strings of a list stored as one string (no generated text holds it).
SEPARATOR = "\x1e"


def joined(strings: list[str]) -> np.ndarray:
    """A list of strings as one string array (a fixed-width array of each would be as wide as the longest)."""
    if any(SEPARATOR in s for s in strings):
        raise ValueError("a string holds the separator")
    return np.asarray(SEPARATOR.join(strings))


def split(array: np.ndarray) -> list[str]:
    """The list of strings :func:`joined` stored."""
    return str(array).split(SEPARATOR)


def main(argv: list[str] | None = None) -> int:
    """Write the frozen scores."""
    from georisk.datasets import load_sample
    from georisk.scoring import SCORE_COLUMNS

    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = p.parse_args(argv)
    frames = {"generated": generated_frame(), "sample": load_sample().articles}
    arrays: dict[str, np.ndarray] = {
        "generated_title": joined(frames["generated"]["title"].tolist()),
        "generated_text": joined(frames["generated"]["text"].tolist()),
    }
    for fname, frame in frames.items():
        for name in CONFIGS:
            out = score_config(name, frame)
            arrays[f"{fname}.{name}.scores"] = out[SCORE_COLUMNS].to_numpy(dtype=float)
            if "evidence" in out.columns:
                arrays[f"{fname}.{name}.evidence"] = joined(out["evidence"].tolist())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **arrays)  # type: ignore[arg-type]
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes, {len(arrays)} arrays)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
