"""Stage 4: market data.

Universe, price sources (yfinance, CSV/Parquet files, frames), a local Parquet cache,
the per-instrument cutoff table, the prices known at a session's close
(:func:`known_prices`, :class:`KnownPriceStream`), alignment to the signal sessions, returns and the
data-quality report. Only :mod:`georisk.market._yahoo` imports yfinance, lazily.
"""

from georisk.config import Instrument, Sleeve, Universe, default_universe
from georisk.market._align import Alignment, align_to_sessions, align_with_report, simple_returns
from georisk.market._cache import ENV_CACHE_DIR, PriceCache, resolve_cache_dir
from georisk.market._cutoffs import (
    CUTOFF_CONVENTIONS,
    CutoffConvention,
    cutoff_table,
    expected_sessions,
    known_at,
)
from georisk.market._known import KnownPriceStream, known_prices, known_times
from georisk.market._load import PriceLoad, check_universe, load_prices, prices_from_config, settled_through
from georisk.market._quality import QualityReport, QualityThresholds, QualityTracker, quality_report
from georisk.market._rolls import ROLL_RULES, causal_roll_mask, contract_expiries, roll_window
from georisk.market._shape import FetchResult, close_frame, normalize_download
from georisk.market._sources import (
    CsvSource,
    FrameSource,
    ParquetSource,
    PriceSource,
    read_price_table,
)
from georisk.market._yahoo import YFinanceSource

__all__ = [
    "CUTOFF_CONVENTIONS",
    "ENV_CACHE_DIR",
    "ROLL_RULES",
    "Alignment",
    "CsvSource",
    "CutoffConvention",
    "FetchResult",
    "FrameSource",
    "Instrument",
    "KnownPriceStream",
    "ParquetSource",
    "PriceCache",
    "PriceLoad",
    "PriceSource",
    "QualityReport",
    "QualityThresholds",
    "QualityTracker",
    "Sleeve",
    "Universe",
    "YFinanceSource",
    "align_to_sessions",
    "align_with_report",
    "causal_roll_mask",
    "check_universe",
    "close_frame",
    "contract_expiries",
    "cutoff_table",
    "default_universe",
    "expected_sessions",
    "known_at",
    "known_prices",
    "known_times",
    "load_prices",
    "normalize_download",
    "prices_from_config",
    "quality_report",
    "read_price_table",
    "resolve_cache_dir",
    "roll_window",
    "settled_through",
    "simple_returns",
]
