"""signal_from_scores: the signal of scores saved earlier follows the run's cutoff rule."""

from __future__ import annotations

import pandas as pd

from georisk.config import GeoriskConfig
from georisk.pipeline import configured_articles, signal_from_scores, signal_stage


def test_saved_scores_give_the_run_signal_up_to_the_cutoff() -> None:
    cfg = GeoriskConfig()
    articles, _quarantine, _path = configured_articles(cfg)
    full = signal_stage(cfg, articles)
    as_of = "2024-06-28"
    stage = signal_stage(cfg, articles, as_of=as_of)
    # every score, later articles included: the cutoff must leave them out
    again = signal_from_scores(cfg, full.scores, as_of=as_of)
    pd.testing.assert_frame_equal(again, stage.signal)
    pd.testing.assert_frame_equal(signal_from_scores(cfg, full.scores), full.signal)
