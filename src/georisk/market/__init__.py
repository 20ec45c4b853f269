"""Stage 4: market data. Universe, price sources, alignment to sessions, returns."""

from georisk.config import Instrument, Sleeve, Universe, default_universe
from georisk.market._align import align_to_sessions, known_at, simple_returns
from georisk.market._sources import (
    CsvSource,
    ParquetSource,
    PriceSource,
    load_prices,
    validate_prices,
)
from georisk.market._yahoo import YFinanceSource, normalize_download

__all__ = [
    "CsvSource",
    "Instrument",
    "ParquetSource",
    "PriceSource",
    "Sleeve",
    "Universe",
    "YFinanceSource",
    "align_to_sessions",
    "default_universe",
    "known_at",
    "load_prices",
    "normalize_download",
    "simple_returns",
    "validate_prices",
]
