"""Stage 5: the geopolitical risk premium indicator.

News shocks (:func:`news_shocks`, whose autoregressive order :func:`shock_diagnostics`
checks) drive cumulative abnormal-return responses estimated
on a pooled, expanding sample; the premium is the historical decomposition of each
sleeve's level relative to its factors into the part those shocks explain, with a
standard error and a band on every number (:func:`risk_premium`). The first, superseded
model stays under its own name (:func:`loading_premium`). Its validation (the monthly oil
premium beside the oil CAR, event signs, placebo states) is
:func:`georisk.evaluation.validation_table`.
"""

from georisk.market import causal_roll_mask
from georisk.premium._config import premium_from_config
from georisk.premium._legacy import loading_premium
from georisk.premium._model import (
    DEFAULT_BLOCKS,
    Transform,
    news_shocks,
    risk_premium,
    shock_diagnostics,
    sleeve_returns,
)

__all__ = [
    "DEFAULT_BLOCKS",
    "Transform",
    "causal_roll_mask",
    "loading_premium",
    "news_shocks",
    "premium_from_config",
    "risk_premium",
    "shock_diagnostics",
    "sleeve_returns",
]
