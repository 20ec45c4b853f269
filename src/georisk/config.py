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
    "GeoriskConfig",
    "Instrument",
    "PremiumConfig",
    "PricesConfig",
    "SignalConfig",
    "Sleeve",
    "Universe",
    "default_universe",
    "format_validation_error",
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

    ``close_time`` and ``timezone`` give the time at which the series' daily price is
    known (its close or settlement); when omitted, the close of ``calendar`` is used.
    """

    ticker: str = Field(min_length=1)
    currency: str = "USD"
    calendar: str = "XNYS"
    close_time: str | None = Field(default=None, pattern=r"^\d{2}:\d{2}$")
    timezone: str | None = None
    unit: str | None = None

    @model_validator(mode="after")
    def _time_and_zone_together(self) -> Self:
        if (self.close_time is None) != (self.timezone is None):
            raise ValueError("close_time and timezone must be given together")
        return self


class Sleeve(_Frozen):
    """A group of instruments combined into one return series."""

    instruments: tuple[Instrument, ...] = Field(min_length=1)
    weighting: Literal["equal", "inverse_vol"] = "equal"
    vol_window: int = Field(default=63, ge=5)

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


class Universe(_Frozen):
    """Sleeves of instruments; ``benchmark`` is required and must hold one instrument."""

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
        """Sleeve names other than the benchmark."""
        return [k for k in self.sleeves if k != "benchmark"]

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

    Energy: ICE Brent (BZ=F), NYMEX WTI (CL=F) and Henry Hub gas (NG=F) front-month
    futures. Defense: US primes LMT, NOC, RTX, GD, the ITA ETF, and Europe's RHM.DE
    (Xetra) and BA.L (London). Grain: CBOT wheat (ZW=F) and corn (ZC=F) futures and the
    WEAT ETF. Benchmark: SPY. Close times are the settlement or close conventions of the
    daily series (CBOT grains settle at 13:20 Chicago time, NYMEX energy at 14:30 New
    York time, ICE Brent at 19:30 London time).
    """
    cme = {"calendar": "CMES"}
    return Universe(
        sleeves={
            "energy": Sleeve(
                instruments=(
                    Instrument(
                        ticker="BZ=F",
                        calendar="IEPA",
                        close_time="19:30",
                        timezone="Europe/London",
                        unit="USD per barrel",
                    ),
                    Instrument(
                        ticker="CL=F", **cme, close_time="14:30", timezone="America/New_York", unit="USD per barrel"
                    ),
                    Instrument(
                        ticker="NG=F", **cme, close_time="14:30", timezone="America/New_York", unit="USD per MMBtu"
                    ),
                )
            ),
            "defense": Sleeve(
                instruments=(
                    Instrument(ticker="LMT"),
                    Instrument(ticker="NOC"),
                    Instrument(ticker="RTX"),
                    Instrument(ticker="GD"),
                    Instrument(ticker="ITA"),
                    Instrument(ticker="RHM.DE", currency="EUR", calendar="XETR"),
                    Instrument(ticker="BA.L", currency="GBp", calendar="XLON"),
                )
            ),
            "grain": Sleeve(
                instruments=(
                    Instrument(
                        ticker="ZW=F", **cme, close_time="13:20", timezone="America/Chicago", unit="USc per bushel"
                    ),
                    Instrument(
                        ticker="ZC=F", **cme, close_time="13:20", timezone="America/Chicago", unit="USc per bushel"
                    ),
                    Instrument(ticker="WEAT"),
                )
            ),
            "benchmark": Sleeve(instruments=(Instrument(ticker="SPY"),)),
        }
    )


class ArticlesConfig(_Frozen):
    """Where articles come from and how their timestamps are read."""

    path: Path | None = None
    format: Literal["auto", "jsonl", "csv", "folder"] = "auto"
    timezone: str | None = None
    date_only: Literal["end_of_day", "start_of_day"] = "end_of_day"
    lenient: bool = False


class PricesConfig(_Frozen):
    """Where prices come from."""

    source: Literal["sample", "csv", "parquet", "yfinance"] = "sample"
    path: Path | None = None
    cache_dir: Path | None = None
    start: str | None = None

    @model_validator(mode="after")
    def _path_for_files(self) -> Self:
        if self.source in {"csv", "parquet"} and self.path is None:
            raise ValueError(f"prices.source={self.source!r} needs prices.path")
        return self


class SignalConfig(_Frozen):
    """Daily news signal parameters (see :func:`georisk.daily_signal`)."""

    calendar: str = "XNYS"
    half_life: float = Field(default=5.0, gt=0)
    zscore_window: int | None = Field(default=252, ge=10)
    min_periods: int = Field(default=60, ge=2)
    relevance_threshold: float = Field(default=0.2, ge=0, le=1)


class PremiumConfig(_Frozen):
    """Risk premium parameters (see :func:`georisk.risk_premium`)."""

    state: str = "escalation_z"
    neutral: float = 0.0
    beta_window: int = Field(default=126, ge=10)
    loading_window: int = Field(default=126, ge=10)
    min_periods: int = Field(default=60, ge=5)
    ridge: float = Field(default=1.0, ge=0)
    zscore_window: int | None = Field(default=252, ge=10)
    sleeve_weights: dict[str, float] | None = None


class BacktestConfig(_Frozen):
    """Backtest parameters (see :func:`georisk.backtest`)."""

    strategy: Literal["impulse", "level"] = "impulse"
    horizon: int = Field(default=5, ge=1)
    execution_lag: int = Field(default=1, ge=1)
    cost_bps: float = Field(default=5.0, ge=0)
    slippage_bps: float = Field(default=0.0, ge=0)
    scale_window: int = Field(default=63, ge=5)
    max_position: float = Field(default=1.0, gt=0)
    placebo_runs: int = Field(default=20, ge=0)
    seed: int = 0


class ExportConfig(_Frozen):
    """Where the daily export goes."""

    out_dir: Path = Path("georisk-export")


class GeoriskConfig(_Frozen):
    """The whole configuration of a pipeline run."""

    articles: ArticlesConfig = ArticlesConfig()
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
        for section, key in (("articles", "path"), ("prices", "path"), ("prices", "cache_dir"), ("export", "out_dir")):
            value = data.get(section, {}).get(key)
            if isinstance(value, str) and not Path(value).is_absolute():
                data[section][key] = str(base / value)
        return _validate(cls, data, str(path))


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
