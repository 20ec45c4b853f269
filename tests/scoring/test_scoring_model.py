"""The supervised model shipped as plain arrays: no drift from the corpus, same scores as a fresh fit."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from tools.make_model import build, train_arrays

from georisk.errors import ConfigError
from georisk.scoring import SupervisedScorer, load_labelled_corpus
from georisk.scoring._corpus import targets_from_labels
from georisk.scoring._model import ArrayHead, hashed_word_counts, read_arrays, word_ngrams, write_arrays
from georisk.scoring._supervised import _ALL_HEADS, SHIPPED_MODELS, _lede

TEXTS = [
    "Talks collapsed after a missile barrage hit the capital.",
    "Envoys agreed to a prisoner swap in Istanbul; the grain corridor reopened.",
    "Kremlin rejects truce. Ukraine's allies pledge \u201cmore\u201d air defence \u2014 again",
    "",
    "Ölpreise steigen: Gazprom drosselt Lieferungen",
    "the " * 300 + "ceasefire holds",
]


@pytest.mark.parametrize("char_ngrams", [False, True])
def test_shipped_arrays_are_what_training_on_the_corpus_gives(char_ngrams: bool) -> None:
    name = SHIPPED_MODELS[char_ngrams]
    with resources.files("georisk.scoring").joinpath(name).open("rb") as fh:
        meta, idf, heads = read_arrays(fh, _ALL_HEADS)
    fresh_meta, fresh_idf, fresh_heads = train_arrays(char_ngrams)
    assert meta["params"] == fresh_meta["params"]
    assert meta["n_train"] == fresh_meta["n_train"]
    assert meta["provenance"]["corpus_sha256"] == fresh_meta["provenance"]["corpus_sha256"], (
        "the corpus changed: run python tools/make_model.py"
    )
    np.testing.assert_allclose(idf, fresh_idf, rtol=1e-12)
    for head in _ALL_HEADS:
        for key, value in heads[head].arrays().items():
            np.testing.assert_allclose(value, fresh_heads[head].arrays()[key], rtol=1e-9, atol=1e-12, err_msg=head)


def test_shipped_files_load_without_pickle() -> None:
    for name in SHIPPED_MODELS.values():
        with (
            resources.files("georisk.scoring").joinpath(name).open("rb") as fh,
            np.load(fh, allow_pickle=False) as data,
        ):
            assert all(data[k].dtype != object for k in data.files)


@pytest.mark.slow
def test_generator_writes_loadable_files(tmp_path: Path) -> None:
    written = build(tmp_path)
    assert sorted(p.name for p in written) == sorted(Path(n).name for n in SHIPPED_MODELS.values())
    meta, _idf, heads = read_arrays(written[0], _ALL_HEADS)
    assert meta["provenance"]["built_by"].startswith("python tools/make_model.py")
    assert set(heads) == set(_ALL_HEADS)


def _sklearn_trained(char_ngrams: bool) -> tuple[Pipeline, dict[str, CalibratedClassifierCV]]:
    """The model trained as it was before the arrays: scikit-learn's pipeline and calibrated classifiers."""
    frame = load_labelled_corpus(None, split="train")
    docs = [_lede(t, 200) for t in frame["text"]]
    hashing = dict(n_features=2**16, alternate_sign=False, norm=None, dtype=np.float32)
    parts = [("word", HashingVectorizer(ngram_range=(1, 2), **hashing))]  # type: ignore[arg-type]
    if char_ngrams:
        parts.append(("char", HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), **hashing)))  # type: ignore[arg-type]
    features = Pipeline([("hash", FeatureUnion(parts)), ("tfidf", TfidfTransformer(sublinear_tf=True))])
    matrix = features.fit_transform(docs)
    targets = targets_from_labels(frame["label"].astype(str).reset_index(drop=True))

    def fit(x: object, y: np.ndarray) -> CalibratedClassifierCV:
        lr = LogisticRegression(
            C=4.0, max_iter=5000, class_weight="balanced", solver="liblinear", dual=True, random_state=0
        )
        return CalibratedClassifierCV(lr, method="sigmoid", cv=3).fit(x, y)

    heads = {h: fit(matrix, targets[h].to_numpy()) for h in ("hawkish", "peace", "relevant")}
    kind = frame["kind"].reset_index(drop=True)
    mask = kind.isin(["threat", "act"]).to_numpy()
    heads["act"] = fit(matrix[mask], (kind[mask] == "act").astype(int).to_numpy())
    return features, heads


@pytest.mark.slow
@pytest.mark.parametrize("char_ngrams", [False, True])
def test_loaded_scorer_scores_like_a_freshly_trained_one(char_ngrams: bool) -> None:
    loaded = SupervisedScorer(char_ngrams=char_ngrams).fit()
    assert loaded.provenance_["model"] == "shipped"
    frame = load_labelled_corpus(None, split="all")
    texts = [*TEXTS, *frame["text"].tolist()[:400]]
    got = loaded.predict_proba_heads(texts)
    # trained now, through the same array code
    fresh = SupervisedScorer(char_ngrams=char_ngrams, corpus=None)
    idf, heads = fresh._train(
        *(lambda f: (f["text"].tolist(), f["label"].astype(str), f["kind"]))(load_labelled_corpus(None, split="train"))
    )
    fresh._set_model(idf, heads, 0)
    np.testing.assert_array_equal(fresh.predict_proba_heads(texts).to_numpy(), got.to_numpy())
    # and trained as before, with scikit-learn's pipeline and calibrated classifiers
    features, sk_heads = _sklearn_trained(char_ngrams)
    matrix = features.transform([_lede(t, 200) for t in texts])
    for head in _ALL_HEADS:
        np.testing.assert_allclose(got[head].to_numpy(), sk_heads[head].predict_proba(matrix)[:, 1], rtol=0, atol=1e-12)


def test_other_parameters_train_instead_of_loading() -> None:
    s = SupervisedScorer(char_ngrams=False, C=2.0).fit()
    assert s.provenance_["model"] == "trained"
    assert s.predict_proba_heads(TEXTS).shape == (len(TEXTS), 4)


def test_hashed_counts_equal_the_hashing_vectorizer() -> None:
    rng = np.random.default_rng(0)
    alphabet = [*"\x00abc xyz.,;'-_09\u00e9\u0301\u00df\u0130\u212a\u200b\t\n\u2019\u0431\u7530\u00b2", "Kyiv", "ab"]
    texts = [*TEXTS, *("".join(rng.choice(alphabet, size=int(rng.integers(0, 80)))) for _ in range(2000))]
    hv = HashingVectorizer(ngram_range=(1, 2), n_features=2**16, alternate_sign=False, norm=None, dtype=np.float32)
    expected = hv.transform(texts)
    got = hashed_word_counts(texts, 2**16)
    assert (expected != got).nnz == 0
    assert got.dtype == np.float32
    assert word_ngrams("a Bb cc") == ["bb", "cc", "bb cc"]


def test_lede_keeps_short_texts_and_cuts_long_ones() -> None:
    assert _lede("  one  two ", 5) == "  one  two "
    assert _lede("a b c d", 2) == "a b"


def test_arrays_of_another_width_are_refused(tmp_path: Path) -> None:
    head = ArrayHead(np.zeros((3, 1024)), np.zeros(3), np.ones(3), np.zeros(3))
    s = SupervisedScorer(char_ngrams=False)
    with pytest.raises(ConfigError, match=r"1024 features, but n_features=65536 .* need 65536"):
        s._set_model(np.ones(1024), dict.fromkeys(_ALL_HEADS, head), 1)


def test_read_arrays_refuses_other_files(tmp_path: Path) -> None:
    bad = tmp_path / "x.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ConfigError, match="not a distilled scorer file"):
        read_arrays(bad, _ALL_HEADS)
    np.savez(tmp_path / "y.npz", idf=np.ones(3))
    with pytest.raises(ConfigError, match="no meta"):
        read_arrays(tmp_path / "y.npz", _ALL_HEADS)


def test_the_same_arrays_give_the_same_bytes(tmp_path: Path) -> None:
    with resources.files("georisk.scoring").joinpath(SHIPPED_MODELS[False]).open("rb") as fh:
        meta, idf, heads = read_arrays(fh, _ALL_HEADS)
    a = write_arrays(tmp_path / "a.npz", meta, idf, heads)
    b = write_arrays(tmp_path / "b.npz", meta, idf, heads)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() == resources.files("georisk.scoring").joinpath(SHIPPED_MODELS[False]).read_bytes()


def test_hashed_counts_of_texts_holding_the_separator_character() -> None:
    texts = ["a\x00b talks", "plain text here", "\x00"]
    hv = HashingVectorizer(ngram_range=(1, 2), n_features=2**16, alternate_sign=False, norm=None, dtype=np.float32)
    assert (hv.transform(texts) != hashed_word_counts(texts, 2**16)).nnz == 0
