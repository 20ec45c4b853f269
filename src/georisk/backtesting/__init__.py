"""Stage 6a: trading the premium, honestly.

Target positions from the premium, the one numpy engine that applies execution lag and
costs (:func:`simulate`; the single backtest, its placebos and every sweep run through
it), and the parameter sweeps and walk-forward choice built on that engine.
"""

from __future__ import annotations

from georisk.backtesting._engine import (
    STRATEGIES,
    BacktestResult,
    Strategy,
    backtest,
    hedge_betas,
    raw_signal,
    sharpe_matrix,
    simulate,
    target_positions,
)
from georisk.backtesting._walkforward import (
    DEFAULT_CONFIG,
    SweepResult,
    WalkForwardResult,
    expand_grid,
    sweep,
    walk_forward,
)

__all__ = [
    "DEFAULT_CONFIG",
    "STRATEGIES",
    "BacktestResult",
    "Strategy",
    "SweepResult",
    "WalkForwardResult",
    "backtest",
    "expand_grid",
    "hedge_betas",
    "raw_signal",
    "sharpe_matrix",
    "simulate",
    "sweep",
    "target_positions",
    "walk_forward",
]
