"""Stage 6b: how good a signal and a strategy are, honestly.

Performance metrics and signal evaluation (information coefficient, bucket returns,
event study), the significance statistics (Newey-West t, stationary bootstrap,
probabilistic and deflated Sharpe ratios, placebos, Hansen's SPA) and the trial ledger
that makes deflation count every configuration tried. Results are typed and frozen
(:class:`PerformanceMetrics`, :class:`StrategyMetrics`, :class:`BacktestMetrics`), with
each statistic's label and unit defined once in :data:`METRIC_SPECS`. :func:`significance` is the one
definition :func:`georisk.backtest` and :func:`georisk.backtesting.walk_forward` share.
:func:`validation_table` validates the premium model on a run (the monthly oil premium
beside the oil CAR, event signs around :data:`WAR_EVENTS`, placebo states).
"""

from __future__ import annotations

from georisk.evaluation._ledger import TrialLedger
from georisk.evaluation._metrics import (
    PERIODS_PER_YEAR,
    bucket_returns,
    event_study,
    forward_returns,
    hac_slope_t,
    information_coefficient,
    max_drawdown,
    performance_metrics,
    signal_shocks,
)
from georisk.evaluation._premium import (
    WAR_CAR_START,
    WAR_EVENTS,
    PremiumValidation,
    band_excludes_zero,
    event_signs,
    market_model_car,
    validation_table,
)
from georisk.evaluation._results import (
    METRIC_SPECS,
    BacktestMetrics,
    MetricSpec,
    MetricUnit,
    PerformanceMetrics,
    PlaceboSummary,
    StrategyMetrics,
)
from georisk.evaluation._stats import (
    EULER_GAMMA,
    Significance,
    block_shuffle,
    bootstrap_pvalue,
    deflated_sharpe,
    deflated_sharpe_from_stats,
    expected_max_sharpe,
    moments,
    newey_west_t,
    optimal_block_length,
    placebo_summary,
    probabilistic_sharpe,
    probabilistic_sharpe_from_stats,
    random_shift,
    significance,
    spa_test,
    stationary_bootstrap_indices,
)

__all__ = [
    "EULER_GAMMA",
    "METRIC_SPECS",
    "PERIODS_PER_YEAR",
    "WAR_CAR_START",
    "WAR_EVENTS",
    "BacktestMetrics",
    "MetricSpec",
    "MetricUnit",
    "PerformanceMetrics",
    "PlaceboSummary",
    "PremiumValidation",
    "Significance",
    "StrategyMetrics",
    "TrialLedger",
    "band_excludes_zero",
    "block_shuffle",
    "bootstrap_pvalue",
    "bucket_returns",
    "deflated_sharpe",
    "deflated_sharpe_from_stats",
    "event_signs",
    "event_study",
    "expected_max_sharpe",
    "forward_returns",
    "hac_slope_t",
    "information_coefficient",
    "market_model_car",
    "max_drawdown",
    "moments",
    "newey_west_t",
    "optimal_block_length",
    "performance_metrics",
    "placebo_summary",
    "probabilistic_sharpe",
    "probabilistic_sharpe_from_stats",
    "random_shift",
    "signal_shocks",
    "significance",
    "spa_test",
    "stationary_bootstrap_indices",
    "validation_table",
]
