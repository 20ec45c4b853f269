"""``run``: the one function behind the command line, the demo and the notebooks."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from georisk.backtesting import BacktestResult, backtest, target_positions
from georisk.calendar import session_closes, to_session
from georisk.config import GeoriskConfig
from georisk.errors import MissingDataError

__all__ = ["PipelineResult", "load_inputs", "run"]

log = logging.getLogger(__name__)


@dataclass
class PipelineResult:
    """Every stage's output of one pipeline run.

    Attributes
    ----------
    articles, quarantine, scores, signal, prices, premium, positions : pandas.DataFrame
        Stage outputs; ``quarantine`` lists rejected article records (lenient mode).
    backtest : BacktestResult
        The backtest of the configured strategy.
    config : GeoriskConfig
        The configuration used.
    as_of : pandas.Timestamp or None
        The last session whose data was used.
    inputs : dict
        Input files, for the export manifest.
    """

    articles: pd.DataFrame
    quarantine: pd.DataFrame
    scores: pd.DataFrame
    signal: pd.DataFrame
    prices: pd.DataFrame
    premium: pd.DataFrame
    positions: pd.DataFrame
    backtest: BacktestResult
    config: GeoriskConfig
    as_of: pd.Timestamp | None = None
    inputs: dict[str, Path] = field(default_factory=dict)


def load_inputs(config: GeoriskConfig) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, Path]]:
    """Load articles (with their quarantine) and prices as the configuration says.

    Returns
    -------
    tuple
        ``(articles, quarantine, prices, input_paths)``.
    """
    from georisk.articles import QUARANTINE_COLUMNS, load_articles
    from georisk.datasets import sample_articles_path, sample_prices_path
    from georisk.market import CsvSource, ParquetSource, load_prices

    inputs: dict[str, Path] = {}
    acfg = config.articles
    a_path = acfg.path if acfg.path is not None else sample_articles_path()
    inputs["articles"] = Path(a_path)
    if acfg.lenient:
        articles, quarantine = load_articles(
            a_path, format=acfg.format, timezone=acfg.timezone, date_only=acfg.date_only, lenient=True
        )
    else:
        articles = load_articles(a_path, format=acfg.format, timezone=acfg.timezone, date_only=acfg.date_only)
        quarantine = pd.DataFrame(columns=QUARANTINE_COLUMNS)
    pcfg = config.prices
    if pcfg.source == "sample":
        p_path = sample_prices_path()
        prices = load_prices(p_path, config.universe, start=pcfg.start)
        inputs["prices"] = p_path
    elif pcfg.source in ("csv", "parquet"):
        assert pcfg.path is not None  # guaranteed by PricesConfig
        src = CsvSource(pcfg.path) if pcfg.source == "csv" else ParquetSource(pcfg.path)
        prices = load_prices(src, config.universe, start=pcfg.start)
        inputs["prices"] = Path(pcfg.path)
    else:
        from georisk.market import YFinanceSource

        prices = load_prices(YFinanceSource(cache_dir=pcfg.cache_dir), config.universe, start=pcfg.start)
    return articles, quarantine, prices, inputs


def run(config: GeoriskConfig | None = None, *, as_of: str | pd.Timestamp | None = None) -> PipelineResult:
    """Run articles → scores → signal → premium → backtest as the configuration says.

    Parameters
    ----------
    config : GeoriskConfig, optional
        The default configuration (bundled synthetic sample) when None.
    as_of : date-like, optional
        Last session to use. Articles published after its close and prices printed
        after it are ignored, so the result equals what a run on that evening saw.

    Returns
    -------
    PipelineResult

    Examples
    --------
    >>> from georisk.pipeline import run
    >>> result = run(as_of="2024-06-28")
    >>> result.signal.index[-1].date()
    datetime.date(2024, 6, 28)
    """
    from georisk.premium import risk_premium
    from georisk.scoring import score_articles
    from georisk.signals import daily_signal

    config = config or GeoriskConfig()
    scfg, pcfg, bcfg = config.signal, config.premium, config.backtest
    articles, quarantine, prices, inputs = load_inputs(config)
    end: pd.Timestamp | None = None
    if as_of is not None:
        end = to_session(as_of, scfg.calendar)
        close = session_closes(scfg.calendar, str(end.date()), str(end.date())).iloc[0]
        articles = articles[articles["published_at"] <= close].reset_index(drop=True)
        prices = prices[prices.index <= end]
    if articles.empty:
        raise MissingDataError("no articles available by the as-of cutoff; check the article feed")
    log.info("scoring %d articles", len(articles))
    scores = score_articles(articles)
    signal = daily_signal(
        scores,
        calendar=scfg.calendar,
        half_life=scfg.half_life,
        zscore_window=scfg.zscore_window,
        min_periods=scfg.min_periods,
        relevance_threshold=scfg.relevance_threshold,
        end=end,
    )
    premium = risk_premium(
        signal,
        prices,
        config.universe,
        state=pcfg.state,
        neutral=pcfg.neutral,
        calendar=scfg.calendar,
        beta_window=pcfg.beta_window,
        loading_window=pcfg.loading_window,
        min_periods=pcfg.min_periods,
        ridge=pcfg.ridge,
        zscore_window=pcfg.zscore_window,
        sleeve_weights=pcfg.sleeve_weights,
    )
    sleeves = config.universe.risk_sleeves
    positions = target_positions(
        premium,
        sleeves,
        strategy=bcfg.strategy,
        horizon=bcfg.horizon,
        scale_window=bcfg.scale_window,
        max_position=bcfg.max_position,
    )
    bt = backtest(
        premium,
        sleeves=sleeves,
        strategy=bcfg.strategy,
        horizon=bcfg.horizon,
        execution_lag=bcfg.execution_lag,
        cost_bps=bcfg.cost_bps,
        slippage_bps=bcfg.slippage_bps,
        scale_window=bcfg.scale_window,
        max_position=bcfg.max_position,
        placebo_runs=bcfg.placebo_runs,
        seed=bcfg.seed,
    )
    return PipelineResult(articles, quarantine, scores, signal, prices, premium, positions, bt, config, end, inputs)
