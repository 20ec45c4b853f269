"""Build-time generator of the shipped supervised models ``resources/supervised_words*.npz``.

Trains :class:`~georisk.scoring.SupervisedScorer` on the shipped labelled corpus (its
``train`` split) with the parameters in :data:`~georisk.scoring._supervised.SHIPPED_PARAMS`,
with and without character n-grams, and writes the fitted arrays (TF-IDF weights, each
head's per-fold coefficients, intercepts and Platt sigmoids) as NumPy ``.npz`` files that
load with ``allow_pickle=False``. Re-run it whenever the corpus, the lexicon-free feature
map or the training code changes::

    python tools/make_model.py             # writes into src/georisk/scoring/resources/
    python tools/make_model.py --out DIR   # writes elsewhere

``tests/scoring/test_scoring_model.py`` retrains the models and checks the shipped arrays still
match, so they cannot drift from the corpus.
"""

from __future__ import annotations

import argparse
import hashlib
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import sklearn

from georisk.scoring._model import ArrayHead, write_arrays
from georisk.scoring._supervised import SHIPPED_MODELS, SHIPPED_PARAMS, SupervisedScorer

__all__ = ["build", "main", "train_arrays"]


def train_arrays(char_ngrams: bool) -> tuple[dict[str, Any], np.ndarray, dict[str, ArrayHead]]:
    """Train the shipped model of ``char_ngrams`` from the corpus: ``(meta, idf, heads)``."""
    from georisk.scoring._corpus import _CORPUS, load_labelled_corpus

    frame = load_labelled_corpus(None, split="train")
    scorer = SupervisedScorer(char_ngrams=char_ngrams, **SHIPPED_PARAMS)  # type: ignore[arg-type]
    idf, heads = scorer._train(frame["text"].tolist(), frame["label"].astype(str), frame["kind"])
    corpus = resources.files("georisk.scoring").joinpath(_CORPUS).read_bytes()
    meta = {
        "params": {**SHIPPED_PARAMS, "char_ngrams": char_ngrams},
        "n_train": len(frame),
        "provenance": {
            "built_by": "python tools/make_model.py",
            "corpus": "georisk/scoring/" + _CORPUS + " (split=train)",
            "corpus_sha256": hashlib.sha256(corpus).hexdigest(),
            "scikit_learn": sklearn.__version__,
        },
    }
    return meta, idf, heads


def build(out: Path | None = None) -> list[Path]:
    """Write both shipped models into ``out`` (the package's ``resources`` folder when None)."""
    folder = Path(str(resources.files("georisk.scoring"))) if out is None else Path(out)
    written = []
    for char_ngrams, name in SHIPPED_MODELS.items():
        meta, idf, heads = train_arrays(char_ngrams)
        target = folder / name if out is None else folder / Path(name).name
        written.append(write_arrays(target, meta, idf, heads))
    return written


def main(argv: list[str] | None = None) -> None:
    """Command line: ``--out DIR``."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=None, help="folder to write into (default: the package's resources)")
    args = p.parse_args(argv)
    for path in build(args.out):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
