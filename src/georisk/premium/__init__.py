"""Stage 5: the geopolitical risk premium indicator.

News shocks (:func:`news_shocks`) drive cumulative abnormal-return responses estimated
on a pooled, expanding sample; the premium is the historical decomposition of each
sleeve's level relative to its factors into the part those shocks explain, with a
standard error and a band on every number (:func:`risk_premium`). The first, superseded
model stays under its own name (:func:`loading_premium`). :func:`validation_table` checks
a run: the monthly oil premium beside the oil CAR, event signs and placebo states.
"""

from georisk.market import causal_roll_mask
from georisk.premium._config import premium_from_config
from georisk.premium._legacy import loading_premium
from georisk.premium._model import DEFAULT_BLOCKS, Transform, news_shocks, risk_premium, sleeve_returns
from georisk.premium._validation import (
    WAR_CAR_START,
    WAR_EVENTS,
    PremiumValidation,
    band_excludes_zero,
    block_shuffle,
    event_signs,
    market_model_car,
    validation_table,
)

__all__ = [
    "DEFAULT_BLOCKS",
    "WAR_CAR_START",
    "WAR_EVENTS",
    "PremiumValidation",
    "Transform",
    "band_excludes_zero",
    "block_shuffle",
    "causal_roll_mask",
    "event_signs",
    "loading_premium",
    "market_model_car",
    "news_shocks",
    "premium_from_config",
    "risk_premium",
    "sleeve_returns",
    "validation_table",
]
