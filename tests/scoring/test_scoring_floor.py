"""The default blend's floor: text with no evidence of a side scores near 0 on that side."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from georisk.scoring import BlendedScorer, LexiconScorer, load_labelled_corpus
from georisk.scoring._blend import MODEL_NO_EVIDENCE_SCORE, rescale_to_base_rate
from georisk.scoring._corpus import targets_from_labels

NO_FORCE = [
    "",
    "The Kremlin said Putin will give his annual press conference in December.",
    "Kyiv's city council approved a plan to renovate public parks.",
    "Stir the onions until golden, then add the garlic.",
    "Zelensky appointed a new ambassador to Canada.",
    "The central bank kept interest rates unchanged on Thursday.",
]


@pytest.fixture(scope="module")
def blended() -> BlendedScorer:
    return BlendedScorer().fit()


def test_text_without_evidence_scores_near_zero_on_both_sides(blended: BlendedScorer):
    out = blended.transform(NO_FORCE)
    # the plain average gave about 0.2 hawkish and 0.1 peace here: the model's base rate at half weight
    assert (out["hawkish_tilt"] < 0.1).all() and out["hawkish_tilt"].median() < 0.02, out["hawkish_tilt"].tolist()
    assert (out["peace_trade"] < 0.1).all() and out["peace_trade"].median() < 0.02, out["peace_trade"].tolist()
    assert (out["hawkish_threat"] <= out["hawkish_tilt"] + 1e-12).all()
    # so a neutral article carries no net hawkish tilt into the signal
    assert np.abs(out["hawkish_tilt"] - out["peace_trade"]).max() < 0.1
    # the empty text sits exactly at the documented point (1 - w) * eps
    assert out.loc[0, "hawkish_tilt"] == pytest.approx(0.5 * MODEL_NO_EVIDENCE_SCORE)
    assert out.loc[0, "peace_trade"] == pytest.approx(0.5 * MODEL_NO_EVIDENCE_SCORE)
    # the model's base rate is what it says about the empty text, and is not small
    assert blended.model_base_rate_["hawkish"] > 0.2 and blended.model_base_rate_["peace"] > 0.1


def test_evidence_still_scores_high(blended: BlendedScorer):
    out = blended.transform(
        [
            "Russia launched a massive missile barrage on Kyiv overnight, killing twelve.",
            "Kyiv and Moscow agreed to a ceasefire and a prisoner swap in Istanbul.",
        ]
    )
    assert out.loc[0, "hawkish_tilt"] > 0.8 and out.loc[0, "peace_trade"] < 0.1
    assert out.loc[1, "peace_trade"] > 0.8 and out.loc[1, "hawkish_tilt"] < 0.1


def test_hold_out_ranking_is_no_worse_than_the_plain_average(blended: BlendedScorer):
    frame = load_labelled_corpus(split="holdout")
    y = targets_from_labels(frame["label"])
    texts = frame["text"].tolist()
    out = blended.transform(texts)
    lex = LexiconScorer().fit().transform(texts)
    heads = blended.supervised_scorer_.predict_proba_heads(texts)
    for target, col, head in (("hawkish", "hawkish_tilt", "hawkish"), ("peace", "peace_trade", "peace")):
        plain = 0.5 * lex[col] + 0.5 * heads[head]
        assert roc_auc_score(y[target], out[col]) >= roc_auc_score(y[target], plain) - 1e-9, target
    # the floor: neutral and off-topic texts in which the lexicon finds nothing of a side score
    # near 0 on that side (texts such as "the summit had been delayed" carry a peace word)
    neutral = frame["label"].isin(["neutral", "off_topic"]).to_numpy()
    for col in ("hawkish_tilt", "peace_trade"):
        quiet = neutral & (lex[col].to_numpy() == 0.0)
        assert quiet.sum() > 30
        assert out.loc[quiet, col].median() < 0.05, col


def test_rescale_is_continuous_increasing_and_anchored():
    p = np.linspace(0.0, 1.0, 1001)
    r = rescale_to_base_rate(p, 0.37)
    assert r[0] == 0.0 and r[-1] == pytest.approx(1.0)
    assert np.all(np.diff(r) > 0)
    assert rescale_to_base_rate(np.array([0.37]), 0.37)[0] == pytest.approx(MODEL_NO_EVIDENCE_SCORE)
    # a degenerate base rate leaves the probabilities alone
    np.testing.assert_allclose(rescale_to_base_rate(p, 0.0), p)
    np.testing.assert_allclose(rescale_to_base_rate(p, 1.0), p)
