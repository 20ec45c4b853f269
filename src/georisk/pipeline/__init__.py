"""The orchestrator: the stages run in order, as the configuration says.

:func:`run` runs articles -> scores -> signal -> premium -> backtest for one as-of date;
:func:`load_inputs` and :func:`compute_stages` are its two halves (the daily export
calls them); :func:`export_daily` and :func:`export_range` are the scheduled daily job and its
backfill (they compute, then hand each row to :mod:`georisk.export` to write);
:func:`run_demo` is the offline demonstration on the bundled sample.
"""

from __future__ import annotations

from georisk.pipeline._daily import SETTLE_MINUTES, dropped_warnings, export_daily, export_range, export_settings
from georisk.pipeline._demo import DemoResult, format_summary, run_demo
from georisk.pipeline._run import (
    PipelineResult,
    SignalStage,
    StageOutputs,
    briefing,
    compute_stages,
    configured_articles,
    load_inputs,
    monitored_totals,
    resolved_prices_config,
    run,
    score_key,
    scores_cached,
    signal_from_scores,
    signal_stage,
    validate,
)

__all__ = [
    "SETTLE_MINUTES",
    "DemoResult",
    "PipelineResult",
    "SignalStage",
    "StageOutputs",
    "briefing",
    "compute_stages",
    "configured_articles",
    "dropped_warnings",
    "export_daily",
    "export_range",
    "export_settings",
    "format_summary",
    "load_inputs",
    "monitored_totals",
    "resolved_prices_config",
    "run",
    "run_demo",
    "score_key",
    "scores_cached",
    "signal_from_scores",
    "signal_stage",
    "validate",
]
