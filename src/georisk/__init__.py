"""georisk: turn news about geopolitical conflict into market-risk signals.

The public API follows the data flow::

    load_articles -> score_articles -> daily_signal ─┐
    load_prices ─────────────────────────────────────┴─> risk_premium -> backtest
                                                                      └> export_daily

Names are imported lazily on first use, so ``import georisk`` stays fast and never
imports pandas, scikit-learn, yfinance or matplotlib by itself.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from georisk._version import __version__

if TYPE_CHECKING:
    from georisk.articles import load_articles, load_articles_report
    from georisk.backtesting import backtest, walk_forward
    from georisk.config import GeoriskConfig, Universe
    from georisk.evaluation import TrialLedger
    from georisk.market import load_prices
    from georisk.pipeline import briefing, export_daily, run
    from georisk.premium import risk_premium
    from georisk.scoring import score_articles
    from georisk.signals import daily_signal, external_signal, load_gpr_daily
    from georisk.testing import check_lookahead

_LAZY = {
    "load_articles": "georisk.articles",
    "load_articles_report": "georisk.articles",
    "score_articles": "georisk.scoring",
    "daily_signal": "georisk.signals",
    "load_prices": "georisk.market",
    "risk_premium": "georisk.premium",
    "backtest": "georisk.backtesting",
    "briefing": "georisk.pipeline",
    "export_daily": "georisk.pipeline",
    "run": "georisk.pipeline",
    "check_lookahead": "georisk.testing",
    "load_gpr_daily": "georisk.signals",
    "external_signal": "georisk.signals",
    "walk_forward": "georisk.backtesting",
    "TrialLedger": "georisk.evaluation",
    "GeoriskConfig": "georisk.config",
    "Universe": "georisk.config",
}

__all__ = [
    "GeoriskConfig",
    "TrialLedger",
    "Universe",
    "__version__",
    "backtest",
    "briefing",
    "check_lookahead",
    "daily_signal",
    "export_daily",
    "external_signal",
    "load_articles",
    "load_articles_report",
    "load_gpr_daily",
    "load_prices",
    "risk_premium",
    "run",
    "score_articles",
    "walk_forward",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'georisk' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
