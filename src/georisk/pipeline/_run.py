"""``run``: the one function behind the command line, the demo and the notebooks."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from georisk._validation import renamed_keyword
from georisk.backtesting import BacktestResult, backtest, target_positions
from georisk.calendar import session_closes, to_session
from georisk.config import GeoriskConfig, PricesConfig
from georisk.errors import ConfigError, MissingDataError

if TYPE_CHECKING:
    from georisk.briefing_pages import BriefingFiles
    from georisk.evaluation import PremiumValidation

__all__ = [
    "PipelineResult",
    "SignalStage",
    "StageOutputs",
    "briefing",
    "compute_stages",
    "configured_articles",
    "load_inputs",
    "monitored_totals",
    "run",
    "score_key",
    "scores_cached",
    "signal_from_scores",
    "signal_stage",
    "validate",
]

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


def _read_article_files(config: GeoriskConfig, inputs: dict[str, Path]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Articles from ``[articles] path`` (the bundled sample when none, or with ``source = "sample"``), quarantine."""
    from georisk.articles import articles_from_config
    from georisk.datasets import sample_articles_path

    acfg = config.articles
    a_path = acfg.path if acfg.path is not None else sample_articles_path()
    inputs["articles"] = Path(a_path)
    loaded = articles_from_config(a_path, acfg)
    return loaded.articles, loaded.quarantine


def resolved_prices_config(config: PricesConfig) -> PricesConfig:
    """``[prices]`` with ``source = "sample"`` resolved to the bundled sample's price file.

    The market stage knows files, Parquet and Yahoo only; which file is the sample is the
    orchestrator's knowledge (and the labels of every output say SYNTHETIC).
    """
    if config.source != "sample":
        return config
    from georisk.datasets import sample_prices_path

    return config.model_copy(update={"source": "csv", "path": sample_prices_path(), "columns": None})


def configured_articles(config: GeoriskConfig) -> tuple[pd.DataFrame, pd.DataFrame, Path]:
    """The articles ``[articles]`` names: the store, or files (the bundled sample when none or ``source = "sample"``).

    Parameters
    ----------
    config : GeoriskConfig

    Returns
    -------
    tuple
        ``(articles, quarantine, input_path)``; ``input_path`` is the store's ``articles``
        folder (caching scores changes no input) or the file or folder read.
    """
    from georisk.articles import QUARANTINE_COLUMNS

    acfg = config.articles
    if acfg.source == "store":
        from georisk.articles import ArticleStore

        assert acfg.store is not None  # checked by ArticlesConfig
        store = ArticleStore(acfg.store)
        return store.articles(), pd.DataFrame(columns=QUARANTINE_COLUMNS), store.articles_dir
    holder: dict[str, Path] = {}
    articles, quarantine = _read_article_files(config, holder)
    return articles, quarantine, holder["articles"]


def load_inputs(
    config: GeoriskConfig, *, strict: bool | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, Path]]:
    """Load articles (with their quarantine) and prices as the configuration says.

    Parameters
    ----------
    config : GeoriskConfig
    strict : bool, optional
        Check the whole price file against the quality thresholds (default:
        ``prices.strict``). :func:`georisk.pipeline.export_daily` passes False and checks
        the prices known on each exported session instead, so a fault in later prices
        never stops the export of an earlier session.

    Returns
    -------
    tuple
        ``(articles, quarantine, prices, input_paths)``.

    Notes
    -----
    With ``[articles] source = "store"`` the articles are those of the article store
    (:class:`georisk.articles.ArticleStore`), each counting from the time the store gives
    it (the earlier of its fetch and its publication, never a publication in the future
    of its fetch), and the input recorded for the manifest is the store's ``articles``
    folder.
    """
    from georisk.market import prices_from_config

    inputs: dict[str, Path] = {}
    articles, quarantine, inputs["articles"] = configured_articles(config)
    pcfg = config.prices if strict is None else config.prices.model_copy(update={"strict": strict})
    loaded, p_path = prices_from_config(resolved_prices_config(pcfg), config.universe)
    prices = loaded.prices
    if p_path is not None:
        inputs["prices"] = p_path
    return articles, quarantine, prices, inputs


@dataclass
class StageOutputs:
    """The stages of one run that the daily export needs (no backtest).

    Attributes
    ----------
    articles, prices : pandas.DataFrame
        The inputs cut at ``as_of`` (articles published by its close, prices up to it).
    scores, signal, premium, positions : pandas.DataFrame
        Stage outputs; ``positions`` are the target positions set at each close.
    as_of : pandas.Timestamp or None
        The last session used.
    cutoff : pandas.Timestamp or None
        The close of ``as_of`` (UTC): nothing published later was used.
    """

    articles: pd.DataFrame
    prices: pd.DataFrame
    scores: pd.DataFrame
    signal: pd.DataFrame
    premium: pd.DataFrame
    positions: pd.DataFrame
    as_of: pd.Timestamp | None = None
    cutoff: pd.Timestamp | None = None


@dataclass
class SignalStage:
    """The news half of a run: articles cut at ``as_of``, their scores and the daily signal.

    Attributes
    ----------
    articles : pandas.DataFrame
        The articles published by the cutoff.
    scores, signal : pandas.DataFrame
        Their scores (no evidence) and the daily signal.
    as_of, cutoff : pandas.Timestamp or None
        The last session used and its close (UTC); None without ``as_of``.
    """

    articles: pd.DataFrame
    scores: pd.DataFrame
    signal: pd.DataFrame
    as_of: pd.Timestamp | None = None
    cutoff: pd.Timestamp | None = None


def signal_stage(
    config: GeoriskConfig, articles: pd.DataFrame, *, as_of: str | pd.Timestamp | None = None
) -> SignalStage:
    """Score the articles and build the daily signal, reading no prices.

    The first half of :func:`compute_stages`, which calls it, so ``georisk signal``
    gives the same signal as a full run without needing prices.

    Parameters
    ----------
    config : GeoriskConfig
        The configuration of the run (``scoring``, ``signal``, ``articles.store``).
    articles : pandas.DataFrame
        From :func:`configured_articles` or :func:`load_inputs`.
    as_of : date-like, optional
        Last session to use; articles published after its close are dropped first.

    Returns
    -------
    SignalStage

    Raises
    ------
    MissingDataError
        If no article is available by the cutoff.
    NotASessionError
        If ``as_of`` is not a session.
    """
    end, close = _cutoff(config, as_of)
    if close is not None:
        articles = articles[articles["published_at"] <= close].reset_index(drop=True)
    if articles.empty:
        where = f"by the close of {end.date()} ({close})" if end is not None else "in the feed"
        raise MissingDataError(f"no articles available {where}; check the article feed")
    scores = scores_cached(articles, config)
    if "source" in articles.columns and "source" not in scores.columns and len(scores) == len(articles):
        scores = scores.assign(source=articles["source"].astype(str).to_numpy())
    return SignalStage(articles, scores, _signal(config, scores, end, close), end, close)


def _cutoff(config: GeoriskConfig, as_of: str | pd.Timestamp | None) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The session ``as_of`` names and its close (UTC), or ``(None, None)`` without one."""
    if as_of is None:
        return None, None
    cal = config.signal.calendar
    end = to_session(as_of, cal)
    return end, session_closes(cal, str(end.date()), str(end.date())).iloc[0]


def _signal(
    config: GeoriskConfig, scores: pd.DataFrame, end: pd.Timestamp | None, close: pd.Timestamp | None
) -> pd.DataFrame:
    from georisk.signals import daily_signal

    scfg = config.signal
    return daily_signal(
        scores,
        calendar=scfg.calendar,
        half_life=scfg.half_life,
        zscore_window=scfg.zscore_window,
        min_periods=scfg.min_periods,
        relevance_threshold=scfg.relevance_threshold,
        end=end,
        monitored=monitored_totals(config, close),
    )


def signal_from_scores(
    config: GeoriskConfig, scores: pd.DataFrame, *, as_of: str | pd.Timestamp | None = None
) -> pd.DataFrame:
    """The daily signal of articles scored earlier, as the configuration's ``[signal]`` says.

    What ``georisk signal --scores FILE`` prints: the same rule as :func:`signal_stage`
    (scores of articles published after ``as_of``'s close are left out), without scoring.

    Parameters
    ----------
    config : GeoriskConfig
    scores : pandas.DataFrame
        From :func:`georisk.score_articles` (with ``published_at``).
    as_of : date-like, optional
        Last session to use.

    Returns
    -------
    pandas.DataFrame
        :func:`georisk.daily_signal` of the scores.
    """
    end, close = _cutoff(config, as_of)
    if close is not None:
        scores = scores[scores["published_at"] <= close]
    return _signal(config, scores, end, close)


def compute_stages(
    config: GeoriskConfig,
    articles: pd.DataFrame,
    prices: pd.DataFrame,
    *,
    as_of: str | pd.Timestamp | None = None,
) -> StageOutputs:
    r"""Score, build the signal, the premium and the target positions from loaded inputs.

    Parameters
    ----------
    config : GeoriskConfig
        The configuration of the run.
    articles, prices : pandas.DataFrame
        From :func:`load_inputs`.
    as_of : date-like, optional
        Last session to use; must be a session of ``config.signal.calendar``. Articles
        published after its close and prices dated after it are dropped first.

    Returns
    -------
    StageOutputs

    Raises
    ------
    MissingDataError
        If no article is available by the cutoff.
    NotASessionError
        If ``as_of`` is not a session.

    Notes
    -----
    The cutoff of session :math:`d` is its close :math:`c_d` (UTC): an article is used
    iff ``published_at`` :math:`\le c_d`, a price iff its date :math:`\le d`.

    Articles are scored without evidence strings (the briefing computes them for the few
    articles it lists), and through the score cache of ``[articles] store`` when one is
    configured (:func:`scores_cached`), so a run scores only articles it has not scored
    before. With a store holding GDELT's daily total of monitored articles,
    ``attention_share`` is the relevant articles' share of that total (days complete by
    the cutoff only).
    """
    pcfg, bcfg = config.premium, config.backtest
    news = signal_stage(config, articles, as_of=as_of)
    articles, scores, signal, end, close = news.articles, news.scores, news.signal, news.as_of, news.cutoff
    if end is not None:
        prices = prices[prices.index <= end]
    from georisk.premium import premium_from_config

    premium = premium_from_config(signal, prices, config.universe, pcfg, calendar=config.signal.calendar)
    positions = target_positions(
        premium,
        config.universe.risk_sleeves,
        strategy=bcfg.strategy,
        horizon=bcfg.horizon,
        scale_window=bcfg.scale_window,
        max_position=bcfg.max_position,
        threshold=bcfg.threshold,
    )
    return StageOutputs(articles, prices, scores, signal, premium, positions, end, close)


def _resources_digest(conflict: str) -> str:
    """SHA-256 over the shipped scoring resources and a conflict file of the user's."""
    from importlib import resources

    h = hashlib.sha256()
    folder = resources.files("georisk.scoring") / "resources"
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        if item.is_file():
            h.update(item.name.encode() + b"\0" + item.read_bytes())
    own = Path(conflict)
    if own.suffix == ".toml" and own.is_file():
        h.update(own.read_bytes())
    return h.hexdigest()


#: ``[scoring.llm]`` settings that do not change a score: budget, cache, concurrency, limits, key.
_NOT_IN_KEY = ("max_cost", "cache", "concurrency", "timeout", "retries", "api_key_env")


def score_key(config: GeoriskConfig) -> str:
    """The key of the score cache: georisk's version, the scoring configuration and resources.

    Scores cached under one key were computed by the same scorer with the same options
    on the same lexicon, conflict file and labelled corpus; changing any of them (or
    upgrading georisk) gives a new key, and articles are scored afresh.

    Parameters
    ----------
    config : GeoriskConfig

    Returns
    -------
    str
        16 hexadecimal digits.
    """
    from georisk._version import __version__

    scoring = config.scoring.model_dump(mode="json")
    for name in _NOT_IN_KEY:  # how a language model is called, not what it answers
        scoring["llm"].pop(name, None)
    blob = json.dumps(
        {"georisk": __version__, "scoring": scoring, "resources": _resources_digest(config.scoring.conflict)},
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def scores_cached(articles: pd.DataFrame, config: GeoriskConfig) -> pd.DataFrame:
    """Scores of ``articles`` (no evidence), computing only those the store has not cached.

    Parameters
    ----------
    articles : pandas.DataFrame
        The article frame (unique ``id``).
    config : GeoriskConfig
        ``scoring`` picks the scorer; ``articles.store``, when set, holds the cache
        (keyed by article id and :func:`score_key`). Without a store, every article is
        scored.

    Returns
    -------
    pandas.DataFrame
        As :func:`georisk.score_articles` with ``evidence=False``: ``id``,
        ``published_at`` and the score columns, with the index of ``articles``.
    """
    from georisk.scoring import SCORE_COLUMNS, score_articles, scorer_from_config

    def score(frame: pd.DataFrame) -> pd.DataFrame:
        log.info("scoring %d articles", len(frame))
        out: pd.DataFrame = score_articles(
            frame, scorer_from_config(config.scoring), conflict=config.scoring.conflict, evidence=False
        )
        return out

    store_dir = config.articles.store
    if store_dir is None or "id" not in articles.columns or articles.empty or articles["id"].duplicated().any():
        return score(articles)
    from georisk.articles import ArticleStore

    store = ArticleStore(store_dir)
    key = score_key(config)
    cached = store.read_scores(key)
    ids = articles["id"].astype(str).to_numpy(dtype=object)
    pos = pd.Index(cached["id"].astype(str).to_numpy(dtype=object)).get_indexer(ids)
    missing = pos < 0
    table = cached[SCORE_COLUMNS].to_numpy(dtype=float) if len(cached) else np.empty((0, len(SCORE_COLUMNS)))
    if missing.any():
        fresh = score(articles[missing])
        store.write_scores(key, fresh[["id", *SCORE_COLUMNS]])
        pos = pos.copy()
        pos[missing] = len(table) + np.arange(int(missing.sum()))
        table = np.vstack([table, fresh[SCORE_COLUMNS].to_numpy(dtype=float)])
    else:
        log.info("all %d articles were scored before (score cache %s)", len(articles), key)
    values = pd.DataFrame(table[pos], columns=SCORE_COLUMNS, index=articles.index)
    return pd.concat([articles[["id", "published_at"]], values], axis=1)


def monitored_totals(config: GeoriskConfig, close: pd.Timestamp | None = None) -> pd.Series | None:
    """GDELT's daily totals of monitored articles from the store, the days complete by ``close``.

    Parameters
    ----------
    config : GeoriskConfig
        ``articles.store`` names the store.
    close : pandas.Timestamp, optional
        The cutoff: only days that ended by then (UTC) are kept.

    Returns
    -------
    pandas.Series or None
        Indexed by calendar day; None without a store or totals.
    """
    if config.articles.store is None:
        return None
    from georisk.articles import ArticleStore

    totals = ArticleStore(config.articles.store).monitored("gdelt")
    if totals is None or totals.empty:
        return None
    if close is not None:
        ends = (pd.DatetimeIndex(totals.index) + pd.Timedelta(days=1)).tz_localize("UTC")
        totals = totals[ends <= close]
    return totals if len(totals) else None


def run(
    config: GeoriskConfig | None = None,
    *,
    as_of: str | pd.Timestamp | None = None,
    loaded: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[str, Path]] | None = None,
) -> PipelineResult:
    """Run articles → scores → signal → premium → backtest as the configuration says.

    Parameters
    ----------
    config : GeoriskConfig, optional
        The default configuration (bundled synthetic sample) when None.
    as_of : date-like, optional
        Last session to use. Articles published after its close and prices printed
        after it are ignored, so the result equals what a run on that evening saw.
    loaded : tuple, optional
        The output of :func:`load_inputs`, when the caller has already loaded the
        inputs (the daily export checks them for gaps first); loaded when None.

    Returns
    -------
    PipelineResult

    Examples
    --------
    >>> from georisk.pipeline._run import run
    >>> result = run(as_of="2024-06-28")
    >>> result.signal.index[-1].date()
    datetime.date(2024, 6, 28)
    """
    config = config or GeoriskConfig()
    bcfg = config.backtest
    articles, quarantine, prices, inputs = loaded if loaded is not None else load_inputs(config)
    stages = compute_stages(config, articles, prices, as_of=as_of)
    premium = stages.premium
    sleeves = config.universe.risk_sleeves
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
        threshold=bcfg.threshold,
        placebo_runs=bcfg.placebo_runs,
        placebo_kind=bcfg.placebo_kind,
        bootstrap_reps=bcfg.bootstrap_reps,
        seed=bcfg.seed,
    )
    return PipelineResult(
        stages.articles,
        quarantine,
        stages.scores,
        stages.signal,
        stages.prices,
        premium,
        stages.positions,
        bt,
        config,
        stages.as_of,
        inputs,
    )


def briefing(
    result_or_config: Any = None,
    *,
    as_of: str | pd.Timestamp | None = None,
    out_dir: str | Path = ".",
    config: GeoriskConfig | None = None,
    top: int = 5,
    date: str | pd.Timestamp | None = None,
) -> BriefingFiles:
    """Write the HTML and Markdown briefing of one session.

    Parameters
    ----------
    result_or_config : PipelineResult, StageOutputs, GeoriskConfig or None
        A finished run, or a configuration to run up to ``as_of`` (None: the bundled
        synthetic sample).
    as_of : date-like, optional
        The session; the run's last session when None. With a configuration, the run
        uses nothing published after this session's close.
    out_dir : str or pathlib.Path, default "."
        Folder of ``briefing-YYYY-MM-DD.html`` and ``.md`` (created if needed).
    config : GeoriskConfig, optional
        The configuration, when ``result_or_config`` is a run without one
        (:class:`~georisk.pipeline.StageOutputs`).
    top : int, default 5
        Articles listed per group.
    date : date-like, optional
        Deprecated name of ``as_of``.

    Returns
    -------
    BriefingFiles

    Raises
    ------
    ConfigError
        If no configuration is known, ``as_of`` is outside the run, or ``top < 1``.
    NotASessionError
        If ``as_of`` is not a session.

    Notes
    -----
    Today's change of GRPI is called within noise when
    :math:`|\\mathrm{GRPI}_d - \\mathrm{GRPI}_{d-1}| < 1.645\\,\\mathrm{SE}_d`, with
    :math:`\\mathrm{SE}_d` the ``grpi_se`` of the session: the change would not leave a
    two-sided 90% band around zero. The articles listed are those that
    :func:`georisk.calendar.assign_sessions` assigns to the session (published after the
    previous close, at or before this one) whose net push
    :math:`w_i (h_i - p_i)` (relevance times hawkish tilt minus peace score, the
    article's term in the session's sum of net escalation that the news state is built
    from) is at least :data:`georisk.briefing_pages.MIN_PUSH` in absolute value: the ``top`` largest positive
    pushes in the hawkish group, the ``top`` most negative in the peace group. Articles
    below the floor (noise, off-topic or balanced) are counted on the page, not listed.
    Their evidence phrases come from the configured scorer's ``explain`` run on the
    listed articles only (the pipeline scores without evidence); a scorer without
    ``explain`` gives none, and the page says so.

    Building one session's page is :math:`O(\\log N + k)` in the :math:`N` articles
    of the run once its sorted publication times are built (once per run, cached), so
    a backfill can brief every session from one set of stages.

    Examples
    --------
    >>> import tempfile
    >>> files = briefing(None, as_of="2024-06-28", out_dir=tempfile.mkdtemp())  # doctest: +SKIP
    >>> files.html.name  # doctest: +SKIP
    'briefing-2024-06-28.html'
    """
    from georisk.briefing_pages import briefing_data, write_briefing
    from georisk.config import GeoriskConfig

    as_of = renamed_keyword("date", date, "as_of", as_of)
    if result_or_config is None or isinstance(result_or_config, GeoriskConfig):
        cfg = result_or_config or config or GeoriskConfig()
        stages: Any = run(cfg, as_of=as_of)
    else:
        stages = result_or_config
        found: GeoriskConfig | None = config or getattr(stages, "config", None)
        if found is None:
            raise ConfigError("pass config= with a run that carries no configuration")
        cfg = found
    return write_briefing(briefing_data(stages, cfg, as_of=as_of, top=top), out_dir)


def validate(
    result_or_config: Any = None,
    *,
    as_of: str | pd.Timestamp | None = None,
    seeds: int = 5,
) -> PremiumValidation:
    """The premium model's validation table of a run (what ``georisk validate`` prints).

    Parameters
    ----------
    result_or_config : PipelineResult, GeoriskConfig or None
        A finished run, or a configuration to run up to ``as_of`` (None: the bundled
        synthetic sample).
    as_of : date-like, optional
        Last session of the run when a configuration is given.
    seeds : int, default 5
        Shuffled placebo states; each is one more run of the premium model.

    Returns
    -------
    PremiumValidation
        :func:`georisk.evaluation.validation_table` of the run's signal, prices and
        premium under the configuration's premium model: the monthly oil premium beside
        the oil CAR, the share of sessions whose ``grpi`` band excludes zero for the
        news state and for shuffled and shifted placebo states, and the event signs.

    Raises
    ------
    ConfigError
        ``seeds < 0``.

    Examples
    --------
    >>> v = validate(seeds=1)
    >>> list(v.placebo.index)[:2]
    ['news state', 'shuffled, seed 0']
    """
    from georisk.config import GeoriskConfig
    from georisk.report import validation_of

    if seeds < 0:
        raise ConfigError(f"seeds={seeds}: give 0 (no shuffled placebo) or more")
    if result_or_config is None or isinstance(result_or_config, GeoriskConfig):
        result = run(result_or_config or GeoriskConfig(), as_of=as_of)
    else:
        result = result_or_config
    return validation_of(result, seeds=seeds)
