"""Configuration: frozen pydantic models, loadable from TOML.

Nothing here is global: every stage takes the piece of configuration it needs as an
argument. Unknown keys are rejected with their name, so a typo in ``georisk.toml`` fails
loudly instead of being ignored.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from georisk.errors import ConfigError

__all__ = [
    "ArticlesConfig",
    "BacktestConfig",
    "ExportConfig",
    "FeedConfig",
    "GdeltConfig",
    "GeoriskConfig",
    "Instrument",
    "PremiumConfig",
    "PricesConfig",
    "ScoringConfig",
    "SignalConfig",
    "Sleeve",
    "Universe",
    "data_label",
    "default_universe",
    "format_validation_error",
    "sample_chosen",
    "sample_inputs",
]


_M = TypeVar("_M", bound=BaseModel)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def format_validation_error(exc: ValidationError, source: str) -> str:
    """Turn a pydantic ``ValidationError`` into one readable message per bad field.

    Parameters
    ----------
    exc : pydantic.ValidationError
        The error to format.
    source : str
        Where the values came from (a file name or ``"arguments"``).

    Returns
    -------
    str
    """
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        if err["type"] == "extra_forbidden":
            lines.append(f"{source}: unknown key {loc!r}; remove it or check its spelling")
        else:
            lines.append(f"{source}: {loc}: {err['msg']} (got {err.get('input')!r})")
    return "\n".join(lines)


class Instrument(_Frozen):
    """One priced instrument.

    Parameters
    ----------
    ticker : str
        The symbol as the price source spells it (``"RHM.DE"``, ``"BZ=F"``).
    currency : str, default "USD"
        Quote currency (``"GBp"`` is pence, ``"USc"`` US cents).
    calendar : str, default "XNYS"
        exchange_calendars name giving the instrument's sessions, holidays and early closes.
    cutoff : str, optional
        Name of a row of the cutoff table :data:`georisk.market.CUTOFF_CONVENTIONS`
        (``"nymex_energy"``, ``"cbot_grains"``, ``"ice_brent"``) giving the time at which
        the series' daily price is known, early closes included.
    close_time, timezone : str, optional
        An explicit ``HH:MM`` time and IANA zone at which the daily price is known, on every
        date (overrides ``cutoff``). When neither is given, the close of ``calendar`` is
        used (early closes included).
    kind : {"equity", "etf", "future", "index", "fx"}, optional
        Defaults to ``"future"`` for tickers ending in ``=F`` and ``"equity"`` otherwise.
        Futures may print non-positive prices and have roll jumps; both are flagged.
    unit : str, optional
        Price unit, for display (``"USD per barrel"``).
    roll : {"nymex_ng", "nymex_cl", "nymex_bz", "cbot_grain"}, optional
        Last-trading-day rule of a continuous front-month future
        (:data:`georisk.market.ROLL_RULES`). Returns on its expiry sessions that are
        outliers for the series are masked before any estimate and flagged by the
        quality report, since the rule is known in advance.
    """

    ticker: str = Field(min_length=1)
    currency: str = "USD"
    calendar: str = "XNYS"
    cutoff: str | None = None
    close_time: str | None = Field(default=None, pattern=r"^\d{2}:\d{2}$")
    timezone: str | None = None
    kind: Literal["equity", "etf", "future", "index", "fx"] | None = None
    unit: str | None = None
    roll: Literal["nymex_ng", "nymex_cl", "nymex_bz", "cbot_grain"] | None = None

    @model_validator(mode="after")
    def _time_and_zone_together(self) -> Self:
        if (self.close_time is None) != (self.timezone is None):
            raise ValueError("close_time and timezone must be given together")
        if self.close_time is not None:
            hour, minute = (int(v) for v in self.close_time.split(":"))
            if hour > 23 or minute > 59:
                raise ValueError(f"close_time {self.close_time!r} is not a time of day; use HH:MM from 00:00 to 23:59")
        if self.timezone is not None:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(
                    f"timezone {self.timezone!r} is not an IANA zone name; use e.g. 'Europe/London'"
                ) from exc
        return self

    @property
    def is_future(self) -> bool:
        """Whether this is a (continuous) futures series."""
        return self.kind == "future" or (self.kind is None and self.ticker.upper().endswith("=F"))


class Sleeve(_Frozen):
    """A group of instruments combined into one return series.

    Parameters
    ----------
    instruments : tuple of Instrument
        The members (a plain ticker string is accepted for each).
    weighting : {"equal", "inverse_vol"}, default "equal"
        Equal weights, or weights proportional to the inverse of each member's trailing
        volatility (each member then carries about the same share of the sleeve's risk).
    vol_window : int, default 63
        Sessions of the trailing volatility.
    factors : tuple of str, optional
        Tickers of the factors against which the sleeve's abnormal return is measured
        (the benchmark, or instruments of the ``factors`` sleeve, e.g. a dollar index).
        None means the benchmark alone.
    """

    instruments: tuple[Instrument, ...] = Field(min_length=1)
    weighting: Literal["equal", "inverse_vol"] = "equal"
    vol_window: int = Field(default=63, ge=5)
    factors: tuple[str, ...] | None = None

    @field_validator("instruments", mode="before")
    @classmethod
    def _strings_are_tickers(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return tuple({"ticker": v} if isinstance(v, str) else v for v in value)
        return value

    @property
    def tickers(self) -> list[str]:
        """Tickers in this sleeve, in configuration order."""
        return [i.ticker for i in self.instruments]


#: Sleeve names that hold factors, not risk: their returns explain the others' returns.
FACTOR_SLEEVES = ("benchmark", "factors")


class Universe(_Frozen):
    """Sleeves of instruments; ``benchmark`` is required and must hold one instrument.

    A sleeve named ``factors`` holds further factor series (for example ``UUP``, a US
    dollar index fund) that risk sleeves name in their ``factors``; it carries no premium.
    """

    sleeves: dict[str, Sleeve]
    oil_ticker: str | None = "BZ=F"
    oil_unit: str = "USD per barrel"

    @model_validator(mode="after")
    def _check(self) -> Self:
        if "benchmark" not in self.sleeves:
            raise ValueError("a 'benchmark' sleeve is required (for example SPY)")
        if len(self.sleeves["benchmark"].instruments) != 1:
            raise ValueError("the 'benchmark' sleeve must hold exactly one instrument")
        if len(self.sleeves) < 2:
            raise ValueError("at least one sleeve besides 'benchmark' is required")
        seen: set[str] = set()
        for sleeve in self.sleeves.values():
            for t in sleeve.tickers:
                if t in seen:
                    raise ValueError(f"ticker {t!r} appears in more than one sleeve")
                seen.add(t)
        if self.oil_ticker is not None and self.oil_ticker not in seen:
            raise ValueError(f"oil_ticker {self.oil_ticker!r} is not in any sleeve; set it to None or add it")
        factor_tickers = {t for k in FACTOR_SLEEVES if k in self.sleeves for t in self.sleeves[k].tickers}
        for name, sleeve in self.sleeves.items():
            unknown = [f for f in sleeve.factors or () if f not in factor_tickers]
            if unknown:
                raise ValueError(
                    f"sleeve {name!r} names factor(s) {unknown} that are not in the 'benchmark' or 'factors' "
                    f"sleeve; add them there or choose among {sorted(factor_tickers)}"
                )
        if not self.risk_sleeves:
            raise ValueError("at least one risk sleeve besides 'benchmark' and 'factors' is required")
        return self

    @property
    def tickers(self) -> list[str]:
        """Every ticker in the universe."""
        return [t for s in self.sleeves.values() for t in s.tickers]

    @property
    def benchmark(self) -> str:
        """The benchmark ticker."""
        return self.sleeves["benchmark"].tickers[0]

    @property
    def risk_sleeves(self) -> list[str]:
        """Sleeve names other than the benchmark and the factors."""
        return [k for k in self.sleeves if k not in FACTOR_SLEEVES]

    def factors_of(self, sleeve: str) -> list[str]:
        """Factor tickers of ``sleeve`` (the benchmark when it names none)."""
        chosen = self.sleeves[sleeve].factors
        return list(chosen) if chosen else [self.benchmark]

    def instrument(self, ticker: str) -> Instrument:
        """Return the :class:`Instrument` for ``ticker``."""
        for s in self.sleeves.values():
            for i in s.instruments:
                if i.ticker == ticker:
                    return i
        raise ConfigError(f"ticker {ticker!r} is not in the universe; add it to a sleeve")

    @classmethod
    def from_toml(cls, path: str | Path) -> Universe:
        """Load a universe from a TOML file (the table itself, or a ``[universe]`` table)."""
        data = _read_toml(path)
        return _validate(cls, data.get("universe", data), str(path))


def default_universe() -> Universe:
    """The documented default universe.

    ============  ==========================================  ========  ========  ==============
    sleeve        tickers                                     currency  calendar  cutoff
    ============  ==========================================  ========  ========  ==============
    energy        BZ=F (NYMEX Brent), CL=F (NYMEX WTI),       USD       CMES      nymex_energy
                  NG=F (Henry Hub gas), front-month futures
    defense       LMT, NOC, RTX, GD, ITA (New York)           USD       XNYS      exchange close
                  RHM.DE (Xetra)                              EUR       XETR      exchange close
                  BA.L (London)                               GBp       XLON      exchange close
    grain         ZW=F (CBOT wheat), ZC=F (CBOT corn)         USc       CMES      cbot_grains
                  WEAT (ETF, New York)                        USD       XNYS      exchange close
    benchmark     SPY                                         USD       XNYS      exchange close
    factors       UUP (US dollar index fund)                  USD       XNYS      exchange close
    ============  ==========================================  ========  ========  ==============

    The energy sleeve is weighted by inverse volatility, so Brent and WTI lead it and
    Henry Hub carries no more than an equal share of its risk; defense and grain are
    equally weighted. Abnormal returns are measured against SPY for defense, and against
    SPY and the dollar (UUP) for energy and grain. The futures carry their exchanges'
    last-trading-day rules (``roll``), so roll jumps and expiry squeezes are masked
    before any estimate. The cutoffs are the settlement or close conventions of the
    daily series (CBOT grains settle at 13:20 Chicago time, NYMEX energy at 14:30 New
    York time); see :data:`georisk.market.CUTOFF_CONVENTIONS`. Yahoo's ``BZ=F`` is
    NYMEX's Brent Last Day Financial future, settled with NYMEX energy, not the ICE
    Brent contract; for an ICE Brent series of your own use ``calendar = "IEPA"`` and
    ``cutoff = "ice_brent"`` (19:30 London). Replace it with :meth:`Universe.from_toml`.
    """
    energy: dict[str, Any] = {"currency": "USD", "kind": "future", "calendar": "CMES", "cutoff": "nymex_energy"}
    grain: dict[str, Any] = {
        "currency": "USc",
        "calendar": "CMES",
        "cutoff": "cbot_grains",
        "kind": "future",
        "unit": "USc per bushel",
        "roll": "cbot_grain",
    }
    return Universe(
        sleeves={
            "energy": Sleeve(
                instruments=(
                    Instrument(ticker="BZ=F", **energy, unit="USD per barrel", roll="nymex_bz"),
                    Instrument(ticker="CL=F", **energy, unit="USD per barrel", roll="nymex_cl"),
                    Instrument(ticker="NG=F", **energy, unit="USD per MMBtu", roll="nymex_ng"),
                ),
                weighting="inverse_vol",
                factors=("SPY", "UUP"),
            ),
            "defense": Sleeve(
                instruments=(
                    Instrument(ticker="LMT"),
                    Instrument(ticker="NOC"),
                    Instrument(ticker="RTX"),
                    Instrument(ticker="GD"),
                    Instrument(ticker="ITA", kind="etf"),
                    Instrument(ticker="RHM.DE", currency="EUR", calendar="XETR"),
                    Instrument(ticker="BA.L", currency="GBp", calendar="XLON"),
                ),
                factors=("SPY",),
            ),
            "grain": Sleeve(
                instruments=(
                    Instrument(ticker="ZW=F", **grain),
                    Instrument(ticker="ZC=F", **grain),
                    Instrument(ticker="WEAT", kind="etf"),
                ),
                factors=("SPY", "UUP"),
            ),
            "benchmark": Sleeve(instruments=(Instrument(ticker="SPY", kind="etf"),)),
            "factors": Sleeve(instruments=(Instrument(ticker="UUP", kind="etf"),)),
        }
    )


DateOnly = Literal["end_of_day", "start_of_day", "raise"]


class FeedConfig(_Frozen):
    """One RSS or Atom feed of the ``[[articles.feeds]]`` list.

    ``name`` is the feed's name in the article store (its ``source`` unless ``source`` is
    given, and the key of its fetch state); ``url`` the feed's address (``http(s)://``).
    ``date_only`` says when an entry dated without a time is known (see
    :class:`ArticlesConfig`).
    """

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    url: str = Field(min_length=1, pattern=r"^https?://")
    source: str | None = None
    date_only: DateOnly = "end_of_day"


class GdeltConfig(_Frozen):
    """The ``[articles.gdelt]`` table: the GDELT DOC 2.0 query of the conflict.

    ``query`` is written in GDELT's query language (e.g.
    ``'(Ukraine OR Russia) (ceasefire OR sanctions OR offensive)'``); ``language`` and
    ``country`` restrict it (``sourcelang:`` and ``sourcecountry:``) when given.
    ``monitored`` also fetches GDELT's daily total of monitored articles (the timeline's
    raw volume), so that attention can be a share of the real total. ``min_interval`` is
    the pause between two calls in seconds (GDELT asks for about 5).
    """

    query: str = Field(min_length=1)
    language: str | None = None
    country: str | None = None
    monitored: bool = True
    base_url: str = Field(default="https://api.gdeltproject.org/api/v2/doc/doc", pattern=r"^https?://")
    max_records: int = Field(default=250, ge=1, le=250)
    min_interval: float = Field(default=5.0, ge=0)
    window_days: int = Field(default=90, ge=1)


class ArticlesConfig(_Frozen):
    """Where articles come from and how their timestamps are read (see :func:`georisk.load_articles`).

    ``source = "files"`` (the default) reads ``path`` (a file or folder, or the bundled
    SYNTHETIC sample when omitted, which the command line refuses unless asked: see
    :func:`sample_chosen`); ``source = "sample"`` reads the bundled sample's composed
    articles on purpose; ``source = "store"`` reads the local article store ``store``
    that ``georisk articles fetch`` and ``georisk articles import`` fill
    (:class:`georisk.articles.ArticleStore`). When ``store`` is set, scores are cached in
    it whatever the source, so a run scores only articles it has not scored before.

    ``date_only`` says when an article that carries a date without a time is known:
    ``"end_of_day"`` (the default: the last instant of that day in its zone, so it counts
    for the next session), ``"start_of_day"``, or ``"raise"``; a table maps sources to
    policies (``"*"`` for the rest). ``dayfirst`` or ``date_format`` settle day/month
    order, which is never guessed; ``encoding`` names the files' text encoding;
    ``columns`` maps article fields to the files' column names
    (``{text = "body", published_at = "date"}``); ``source_name`` names the source of
    records that do not.

    ``feeds`` (``[[articles.feeds]]``) and ``gdelt`` (``[articles.gdelt]``) are what
    ``georisk articles fetch`` reads; ``timeout`` bounds one attempt of an HTTP call and
    ``deadline`` the whole call, retries and waits included (seconds), ``retries`` the
    attempts after a 429, a 5xx, a timeout or a dropped connection;
    ``fulltext`` downloads each new article's page (the ``fulltext`` extra), which is
    never needed to score; ``max_feed_gap_hours`` is how long a source may return nothing
    new before ``georisk articles status`` calls it a gap.
    """

    source: Literal["files", "store", "sample"] = "files"
    path: Path | None = None
    store: Path | None = None
    format: Literal["auto", "jsonl", "csv", "folder"] = "auto"
    columns: dict[str, str] | None = None
    source_name: str | None = None
    timezone: str | None = None
    date_only: DateOnly | dict[str, DateOnly] = "end_of_day"
    dayfirst: bool | None = None
    date_format: str | None = None
    encoding: str | None = None
    lenient: bool = False
    feeds: tuple[FeedConfig, ...] = ()
    gdelt: GdeltConfig | None = None
    fulltext: bool = False
    timeout: float = Field(default=30.0, gt=0)
    deadline: float = Field(default=300.0, gt=0)
    retries: int = Field(default=3, ge=0, le=10)
    user_agent: str = "georisk-article-fetcher"
    max_feed_gap_hours: float = Field(default=48.0, gt=0)

    @model_validator(mode="after")
    def _store_for_store(self) -> Self:
        if self.source == "store" and self.store is None:
            raise ValueError("articles.source='store' needs articles.store, the folder of the article store")
        if self.source == "sample" and self.path is not None:
            raise ValueError(
                "articles.source='sample' reads the bundled sample, not articles.path; "
                "remove articles.path, or set articles.source='files' to read it"
            )
        names = [f.name for f in self.feeds]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"articles.feeds names {twice} more than once; give each feed its own name")
        if "gdelt" in names:
            raise ValueError("articles.feeds: the name 'gdelt' is the GDELT source's; rename that feed")
        return self


class PricesConfig(_Frozen):
    """Where prices come from and how they are checked (see :func:`georisk.load_prices`).

    ``source = "sample"`` (the default) reads the bundled SYNTHETIC sample's simulated
    prices; the command line uses that default only when asked (``--sample``, or
    ``source = "sample"`` written in the file: see :func:`sample_chosen`).
    ``cache_dir`` is the local Parquet cache; when omitted, the environment variable
    ``GEORISK_CACHE_DIR`` is used if set, and otherwise nothing is cached (there is no
    hidden default location). ``offline`` serves prices from the cache only and reports
    stale tickers. ``strict`` raises :class:`~georisk.errors.DataQualityError` when the
    quality report fails its thresholds. ``columns`` maps ``date``/``ticker``/``close``
    to the names used in a price file.
    """

    source: Literal["sample", "csv", "parquet", "yfinance"] = "sample"
    path: Path | None = None
    cache_dir: Path | None = None
    start: str | None = None
    end: str | None = None
    offline: bool = False
    strict: bool = False
    columns: dict[str, str] | None = None
    retries: int = Field(default=3, ge=0)
    deadline: float = Field(default=300.0, gt=0)

    @model_validator(mode="after")
    def _path_for_files(self) -> Self:
        if self.source in {"csv", "parquet"} and self.path is None:
            raise ValueError(f"prices.source={self.source!r} needs prices.path")
        return self


class ScoringConfig(_Frozen):
    """Which conflict the articles are scored for (see :func:`georisk.score_articles`).

    ``conflict`` is a shipped conflict file (``"russia_ukraine"``, ``"china_taiwan"``) or
    the path of your own: it names the conflict's actors, places, forces, companies and
    allies, and an article is relevant only when it names them.

    ``scorer`` picks the scorer of the pipeline: ``"blend"`` (the default, lexicon and
    supervised model), ``"lexicon"``, ``"supervised"`` or ``"llm"``, a language model behind
    an OpenAI-compatible endpoint configured in the ``[scoring.llm]`` table
    (:class:`ScoringConfig.LLM`, see :class:`georisk.scoring.LLMScorer`).
    """

    class LLM(_Frozen):
        """The ``[scoring.llm]`` table: endpoint, model, cache, budget and limits of the LLM scorer.

        The API key is never written here: ``api_key_env`` names the environment variable
        that holds it (``""`` for a server without a key). ``cache`` is a Parquet file
        (relative paths are relative to the working directory); ``max_cost`` is the budget
        of one run in the currency of the prices per 1000 tokens.
        """

        base_url: str = "http://127.0.0.1:8000/v1"
        model: str = ""
        api_key_env: str = "OPENAI_API_KEY"
        cache: str | None = None
        max_cost: float | None = Field(default=None, ge=0)
        price_prompt_per_1k: float = Field(default=0.0, ge=0)
        price_completion_per_1k: float = Field(default=0.0, ge=0)
        concurrency: int = Field(default=4, ge=1)
        timeout: float = Field(default=60.0, gt=0)
        retries: int = Field(default=3, ge=0)

    conflict: str = "russia_ukraine"
    scorer: Literal["blend", "lexicon", "supervised", "llm"] = "blend"
    llm: LLM = LLM()


class SignalConfig(_Frozen):
    """Daily news signal parameters (see :func:`georisk.daily_signal`)."""

    calendar: str = "XNYS"
    half_life: float = Field(default=5.0, gt=0)
    zscore_window: int | None = Field(default=252, ge=10)
    min_periods: int = Field(default=60, ge=2)
    relevance_threshold: float = Field(default=0.2, ge=0, le=1)


class PremiumConfig(_Frozen):
    """Risk premium parameters (see :func:`georisk.risk_premium`).

    ``method = "response"`` (the default) is the indicator: news shocks, cumulative
    responses and their historical decomposition, with bands. ``method = "loading"`` is
    the superseded first model (:func:`georisk.premium.loading_premium`), kept for
    comparison only; ``neutral``, ``loading_window``, ``ridge``, ``loading_method``,
    ``huber_c`` and ``zscore_window`` apply to it alone.
    """

    method: Literal["response", "loading"] = "response"
    state: str = "escalation_intensity"
    transform: Literal["asinh", "log", "none"] = "asinh"
    ar_order: int = Field(default=20, ge=0)
    shock_min_periods: int = Field(default=60, ge=3)
    blocks: tuple[tuple[int, int], ...] = ((0, 0), (1, 4), (5, 19), (20, 39))
    horizon: int | None = Field(default=None, ge=0)
    hac_lags: int | None = Field(default=None, ge=0)
    min_periods: int = Field(default=120, ge=5)
    beta_window: int = Field(default=126, ge=10)
    beta_min_periods: int = Field(default=60, ge=3)
    vol_halflife: float = Field(default=20.0, gt=0)
    band: float = Field(default=0.90, gt=0, lt=1)
    roll_z: float = Field(default=3.0, gt=0)
    sleeve_weights: dict[str, float] | None = None
    neutral: float = 0.0
    loading_window: int = Field(default=126, ge=10)
    ridge: float = Field(default=1.0, ge=0)
    loading_method: Literal["ridge", "huber"] = "ridge"
    huber_c: float = Field(default=1.345, gt=0)
    zscore_window: int | None = Field(default=252, ge=10)


class BacktestConfig(_Frozen):
    """Backtest parameters (see :func:`georisk.backtest`)."""

    strategy: Literal["impulse", "level", "gap"] = "impulse"
    horizon: int = Field(default=5, ge=1)
    execution_lag: int = Field(default=1, ge=1)
    cost_bps: float = Field(default=5.0, ge=0)
    slippage_bps: float = Field(default=0.0, ge=0)
    scale_window: int = Field(default=63, ge=5)
    max_position: float = Field(default=1.0, gt=0)
    threshold: float = Field(default=0.0, ge=0)
    placebo_runs: int = Field(default=20, ge=0)
    placebo_kind: Literal["shuffle", "shift"] = "shuffle"
    bootstrap_reps: int = Field(default=1000, ge=0)
    seed: int = 0


class ExportConfig(_Frozen):
    """The daily export's settings: the ``[export]`` section of the TOML file.

    Each default is defined here only. ``georisk export`` reads them from the file and its
    options (``--out``, ``--keep-versions``, ``--lock-timeout``, ``--settle-minutes``,
    ``--max-article-gap``, ``--missing-prices``) override them; :func:`georisk.export_daily`
    and :func:`georisk.pipeline.export_range` take them from ``config.export`` unless a
    keyword of the same name is given.

    Attributes
    ----------
    out_dir : pathlib.Path, default "georisk-export"
        The export root (relative to the TOML file's folder). ``--out`` overrides it.
    keep_versions : int, default 3
        Older versions of a session's export kept beside the current one (>= 0).
    lock_timeout : float, default 0
        Seconds to wait while another run holds the export root's lock (finite, >= 0).
    settle_minutes : float, default 30
        Minutes after a session's close (and its instruments' latest cutoff) before it may
        be exported, so that prices and articles are final (finite, >= 0).
    max_article_gap : int, default 5
        Most sessions allowed between the session of the last article published by the
        cutoff and the session exported; more means a stale feed (>= 0).
    missing_prices : {"raise", "warn"}, default "raise"
        An instrument without a price on a session of its own exchange: refuse the
        session (exit 4), or record a warning in the manifest.

    Examples
    --------
    >>> ExportConfig().keep_versions
    3
    >>> ExportConfig(keep_versions=1, missing_prices="warn").missing_prices
    'warn'
    """

    out_dir: Path = Path("georisk-export")
    keep_versions: int = Field(default=3, ge=0, strict=True)
    lock_timeout: float = Field(default=0.0, ge=0.0, allow_inf_nan=False)
    settle_minutes: float = Field(default=30.0, ge=0.0, allow_inf_nan=False)
    max_article_gap: int = Field(default=5, ge=0, strict=True)
    missing_prices: Literal["raise", "warn"] = "raise"


class GeoriskConfig(_Frozen):
    """The whole configuration of a pipeline run."""

    articles: ArticlesConfig = ArticlesConfig()
    scoring: ScoringConfig = ScoringConfig()
    prices: PricesConfig = PricesConfig()
    universe: Universe = Field(default_factory=default_universe)
    signal: SignalConfig = SignalConfig()
    premium: PremiumConfig = PremiumConfig()
    backtest: BacktestConfig = BacktestConfig()
    export: ExportConfig = ExportConfig()

    @classmethod
    def from_toml(cls, path: str | Path) -> GeoriskConfig:
        """Load a configuration from TOML; relative paths are resolved against its folder.

        Raises
        ------
        ConfigError
            If the file is missing, is not TOML, or has unknown or invalid keys.
        """
        data = _read_toml(path)
        base = Path(path).resolve().parent
        for section, key in (
            ("articles", "path"),
            ("articles", "store"),
            ("prices", "path"),
            ("prices", "cache_dir"),
            ("export", "out_dir"),
        ):
            value = data.get(section, {}).get(key)
            if isinstance(value, str) and not Path(value).is_absolute():
                data[section][key] = str(base / value)
        return _validate(cls, data, str(path))


#: The inputs a run reads, in the order labels name them.
INPUTS: tuple[str, ...] = ("articles", "prices")


def sample_inputs(config: GeoriskConfig, inputs: tuple[str, ...] = INPUTS) -> tuple[str, ...]:
    """Which of ``inputs`` the configuration takes from the bundled SYNTHETIC sample.

    Parameters
    ----------
    config : GeoriskConfig
        The configuration of the run.
    inputs : tuple of str, default ("articles", "prices")
        The inputs the run reads.

    Returns
    -------
    tuple of str
        A subset of ``inputs``, in their order: ``"articles"`` when ``[articles]`` reads
        the sample (``source = "sample"``, or ``source = "files"`` without a ``path``),
        ``"prices"`` when ``[prices] source = "sample"``.
    """
    acfg = config.articles
    found = {
        "articles": acfg.source == "sample" or (acfg.source == "files" and acfg.path is None),
        "prices": config.prices.source == "sample",
    }
    return tuple(name for name in inputs if found.get(name, False))


def sample_chosen(config: GeoriskConfig) -> tuple[str, ...]:
    """The inputs whose configuration names the sample explicitly (not by default).

    ``[articles] source = "sample"`` (never the default) and ``[prices] source =
    "sample"`` written out (``source`` among the fields set on ``config.prices``, as
    pydantic's ``model_fields_set`` records them; a ``[prices]`` table without
    ``source``, or none, leaves the default, which is not a choice).

    Parameters
    ----------
    config : GeoriskConfig

    Returns
    -------
    tuple of str
        A subset of ``("articles", "prices")``.
    """
    chosen = {
        "articles": config.articles.source == "sample",
        "prices": config.prices.source == "sample" and "source" in config.prices.model_fields_set,
    }
    return tuple(name for name in INPUTS if chosen[name])


def data_label(config: GeoriskConfig, inputs: tuple[str, ...] = INPUTS) -> str | None:
    """Say which inputs come from the bundled SYNTHETIC sample, or None when none does.

    Parameters
    ----------
    config : GeoriskConfig
        The configuration of the run.
    inputs : tuple of str, default ("articles", "prices")
        The inputs the output was built from (a command that reads only articles
        passes ``("articles",)``, so its label names no prices).

    Returns
    -------
    str or None
        A sentence for the face of a page or figure, a log line or a manifest's
        warnings, naming exactly which inputs are synthetic; None when every input
        used is the user's.
    """
    synthetic = sample_inputs(config, inputs)
    both = "articles" in inputs and "prices" in inputs
    if "articles" in synthetic and "prices" in synthetic:
        return "SYNTHETIC: built from the bundled sample (simulated prices and composed articles)"
    if "prices" in synthetic:
        mix = " beside your articles" if both else ""
        return f"SYNTHETIC prices: the bundled sample's simulated prices{mix}"
    if "articles" in synthetic:
        mix = " beside your prices" if both else ""
        return f"SYNTHETIC articles: the bundled sample's composed articles{mix}"
    return None


def _read_toml(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    try:
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"configuration file {p} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p} is not valid TOML: {exc}") from exc


def _validate(model: type[_M], data: Any, source: str) -> _M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, source)) from exc
