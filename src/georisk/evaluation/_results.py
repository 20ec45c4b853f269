"""Typed, frozen metric results: one definition of each statistic's name, label and unit.

:data:`METRIC_SPECS` is the one place a metric's label and unit live; every summary table,
the tear sheet and the charts read them from there. The result classes are frozen
dataclasses that also behave as a read-only ``Mapping[str, float]`` keyed by field name, so
``result.metrics["sharpe"]`` keeps working beside ``result.metrics.sharpe``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Self

import pandas as pd

if TYPE_CHECKING:
    from georisk.evaluation._stats import Significance

__all__ = [
    "METRIC_SPECS",
    "BacktestMetrics",
    "MetricSpec",
    "MetricUnit",
    "PerformanceMetrics",
    "PlaceboSummary",
    "StrategyMetrics",
]

#: How a metric's value reads: ``"fraction"`` of capital or of sessions (shown as a
#: percentage), a plain ``"ratio"`` (Sharpe, t), a ``"probability"`` (p-values, PSR), a
#: ``"count"``, a length in ``"sessions"``, or turnover in ``"capital per year"``.
MetricUnit = Literal["fraction", "ratio", "probability", "count", "sessions", "capital per year"]


@dataclass(frozen=True)
class MetricSpec:
    """Label and unit of one metric field.

    Attributes
    ----------
    name : str
        The field name and ``Mapping`` key (``"sharpe"``).
    label : str
        The row label of summaries and of the tear sheet.
    unit : MetricUnit
        How the value reads; :meth:`format` renders it.
    description : str
        One line on what the number is.
    """

    name: str
    label: str
    unit: MetricUnit
    description: str

    def format(self, value: float | None) -> str:
        """The value as text for its unit: ``"n/a"`` when missing or not finite.

        Fractions become percentages with two decimals (never ``"-0.00%"``), counts whole
        numbers, turnover ``"12.3× capital"``, lengths in sessions one decimal, the rest
        three decimals.
        """
        if value is None or not math.isfinite(value):
            return "n/a"
        if self.unit == "fraction":
            text = f"{value * 100:.2f}"
            return (text[1:] if text.startswith("-") and float(text) == 0 else text) + "%"
        if self.unit == "count" and float(value).is_integer():
            return f"{int(value)}"
        if self.unit == "capital per year":
            return f"{value:.1f}\u00d7 capital"
        if self.unit == "sessions":
            return f"{value:.1f}"
        return f"{value:.3f}"


def _specs(*rows: tuple[str, str, MetricUnit, str]) -> dict[str, MetricSpec]:
    return {name: MetricSpec(name, label, unit, text) for name, label, unit, text in rows}


#: Every metric field, in the order summaries list them: name -> :class:`MetricSpec`.
METRIC_SPECS: Mapping[str, MetricSpec] = _specs(
    ("sharpe", "Sharpe (net of costs)", "ratio", "annualised Sharpe ratio of the net returns, no risk-free rate"),
    ("sharpe_gross", "Sharpe (gross of costs)", "ratio", "annualised Sharpe ratio before costs"),
    ("cost_drag", "cost drag (annualised return)", "fraction", "mean cost per session times 252"),
    ("placebo_sharpe_mean", "placebo Sharpe, mean", "ratio", "mean net Sharpe ratio of the placebo runs"),
    ("placebo_sharpe_p95", "placebo Sharpe, 95th percentile", "ratio", "95th percentile of the placebo Sharpes"),
    ("placebo_p", "placebo p-value", "probability", "(1 + #placebo Sharpes >= the real one) / (1 + runs)"),
    ("nw_t", "Newey-West (HAC) t of mean return", "ratio", "HAC t-statistic of the mean net return"),
    ("nw_lags", "Newey-West lags", "count", "Bartlett lags of the Newey-West t"),
    ("bootstrap_p", "stationary-bootstrap p-value", "probability", "one-sided p of a non-positive mean"),
    ("bootstrap_block", "bootstrap block (sessions)", "sessions", "mean block length of the bootstrap"),
    ("psr", "probabilistic Sharpe ratio", "probability", "P(true Sharpe > 0) given skew and kurtosis"),
    ("dsr", "deflated Sharpe ratio", "probability", "PSR against the best of n_trials null Sharpes"),
    ("n_trials", "configurations tried (trial ledger)", "count", "configurations the deflation counts"),
    ("ann_return", "ann. return (arithmetic mean)", "fraction", "mean return per session times 252"),
    ("ann_vol", "ann. volatility", "fraction", "standard deviation per session times sqrt(252)"),
    ("sortino", "Sortino", "ratio", "annualised mean over the root mean square of losses"),
    ("max_drawdown", "max drawdown", "fraction", "largest peak-to-trough fall of the equity curve"),
    ("calmar", "Calmar", "ratio", "annualised return over the absolute max drawdown"),
    ("hit_rate", "hit rate", "fraction", "share of non-zero sessions with a gain"),
    ("turnover", "turnover (ann.)", "capital per year", "mean turnover per session times 252, both legs"),
    ("turnover_hedge", "turnover of the hedge leg (ann.)", "capital per year", "the benchmark leg's part"),
    ("exposure", "exposure", "fraction", "mean gross exposure of the sleeve legs"),
    ("n_obs", "sessions with a return", "count", "sessions that entered the statistics"),
)


class _Metrics(Mapping[str, float]):
    """Read-only ``Mapping[str, float]`` view of a frozen metrics dataclass, plus summary and plot.

    Keys are the field names whose value is not None, in :data:`METRIC_SPECS` order;
    values are floats (counts included), as the string-keyed dicts these classes replace.
    """

    __slots__ = ()

    def _names(self) -> list[str]:
        have = {f.name for f in dataclasses.fields(self) if getattr(self, f.name) is not None}  # type: ignore[arg-type]
        return [n for n in METRIC_SPECS if n in have]

    def __getitem__(self, key: str) -> float:
        if key not in METRIC_SPECS or not hasattr(self, key) or getattr(self, key) is None:
            raise KeyError(key)
        return float(getattr(self, key))

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def summary(self) -> pd.DataFrame:
        """One-column table: index the labels of :data:`METRIC_SPECS`, column ``value``."""
        names = self._names()
        return pd.DataFrame(
            {"value": pd.Series([self[n] for n in names], index=[METRIC_SPECS[n].label for n in names], dtype=float)}
        )

    def formatted(self) -> list[tuple[str, str]]:
        """``(label, text)`` rows of :meth:`summary`, each value written for its unit."""
        return [(METRIC_SPECS[n].label, METRIC_SPECS[n].format(self[n])) for n in self._names()]

    def plot(self, ax: Any = None) -> Any:
        """The formatted summary drawn as a table; needs the ``plot`` extra."""
        from georisk.plotting import plot_metrics

        assert isinstance(self, PerformanceMetrics | PlaceboSummary)
        return plot_metrics(self, ax=ax)


@dataclass(frozen=True, kw_only=True, eq=True)
class PerformanceMetrics(_Metrics):
    """Performance of one return series (:func:`georisk.evaluation.performance_metrics`).

    Also a read-only ``Mapping[str, float]``: ``m["sharpe"] == m.sharpe``; ``turnover``
    and ``exposure`` are keys only when given.

    Attributes
    ----------
    ann_return : float
        Arithmetic mean return per session times ``periods_per_year`` (fraction).
    ann_vol : float
        Standard deviation per session times :math:`\\sqrt{P}` (fraction).
    sharpe : float
        :math:`\\sqrt{P}\\,\\bar r / s`, no risk-free rate.
    sortino : float
        :math:`\\sqrt{P}\\,\\bar r` over the root mean square of the negative returns.
    max_drawdown : float
        Largest peak-to-trough fall, negative fraction (:func:`georisk.evaluation.max_drawdown`).
    calmar : float
        ``ann_return / |max_drawdown|``.
    hit_rate : float
        Share of non-zero sessions with a gain.
    n_obs : int
        Sessions with a return (NaN excluded).
    turnover : float or None
        Mean turnover times ``periods_per_year`` (capital per year), None when not given.
    exposure : float or None
        Mean gross exposure (fraction), None when not given.

    Notes
    -----
    Labels and units of every field: :data:`georisk.evaluation.METRIC_SPECS`.
    """

    ann_return: float
    ann_vol: float
    sharpe: float
    sortino: float
    max_drawdown: float
    calmar: float
    hit_rate: float
    n_obs: int
    turnover: float | None = None
    exposure: float | None = None


@dataclass(frozen=True, kw_only=True, eq=True)
class PlaceboSummary(_Metrics):
    """Placebo Sharpe ratios beside the real one (:func:`georisk.evaluation.placebo_summary`).

    Attributes
    ----------
    placebo_sharpe_mean : float
        Mean of the finite placebo Sharpe ratios (NaN without any).
    placebo_sharpe_p95 : float
        Their 95th percentile.
    placebo_p : float
        :math:`(1 + \\#\\{SR_i \\ge SR\\}) / (1 + N)`.
    """

    placebo_sharpe_mean: float
    placebo_sharpe_p95: float
    placebo_p: float


@dataclass(frozen=True, kw_only=True, eq=True)
class StrategyMetrics(PerformanceMetrics):
    """Performance of a strategy's net returns with its significance and placebo statistics.

    Held by :attr:`georisk.backtesting.WalkForwardResult.metrics`; the fields of
    :class:`PerformanceMetrics` plus those below.

    Attributes
    ----------
    nw_t : float
        Newey-West t of the mean net return.
    nw_lags : int
        Its Bartlett lags.
    psr : float
        Probabilistic Sharpe ratio against 0.
    dsr : float
        Deflated Sharpe ratio over ``n_trials`` (equals ``psr`` for one trial).
    n_trials : int
        Configurations tried.
    bootstrap_p : float
        One-sided stationary-bootstrap p-value of a non-positive mean (NaN if skipped).
    bootstrap_block : float
        Its mean block length in sessions (NaN if skipped).
    placebo_sharpe_mean, placebo_sharpe_p95, placebo_p : float
        See :class:`PlaceboSummary`.

    Notes
    -----
    Built by :meth:`combine` from the three results of one definition each:
    :func:`~georisk.evaluation.performance_metrics`, :func:`~georisk.evaluation.significance`
    and :func:`~georisk.evaluation.placebo_summary`.
    """

    nw_t: float
    nw_lags: int
    psr: float
    dsr: float
    n_trials: int
    bootstrap_p: float
    bootstrap_block: float
    placebo_sharpe_mean: float
    placebo_sharpe_p95: float
    placebo_p: float

    @classmethod
    def combine(
        cls,
        performance: PerformanceMetrics,
        significance: Significance,
        placebo: PlaceboSummary,
        **extra: float,
    ) -> Self:
        """One result from the three parts (and, for a subclass, its own fields in ``extra``).

        Parameters
        ----------
        performance : PerformanceMetrics
            From :func:`~georisk.evaluation.performance_metrics`.
        significance : Significance
            From :func:`~georisk.evaluation.significance` (its numeric fields but ``bootstrap_block_method``).
        placebo : PlaceboSummary
            From :func:`~georisk.evaluation.placebo_summary`.
        **extra : float
            Fields of a subclass, e.g. ``sharpe_gross``, ``cost_drag`` and ``turnover_hedge``
            of :class:`BacktestMetrics`.

        Returns
        -------
        StrategyMetrics or the subclass it is called on
        """
        out: dict[str, Any] = {f.name: getattr(performance, f.name) for f in dataclasses.fields(PerformanceMetrics)}
        out.update({k: getattr(significance, k) for k in ("nw_t", "nw_lags", "psr", "dsr", "n_trials")})
        out.update(bootstrap_p=significance.bootstrap_p, bootstrap_block=significance.bootstrap_block)
        out.update({f.name: getattr(placebo, f.name) for f in dataclasses.fields(PlaceboSummary)})
        out.update(extra)
        return cls(**out)


@dataclass(frozen=True, kw_only=True, eq=True)
class BacktestMetrics(StrategyMetrics):
    """:class:`StrategyMetrics` of a backtest's net returns plus its costs.

    Held by :attr:`georisk.BacktestResult.metrics`; built by
    ``BacktestMetrics.combine(performance, significance, placebo, sharpe_gross=...,
    cost_drag=..., turnover_hedge=...)``.

    Attributes
    ----------
    sharpe_gross : float
        Annualised Sharpe ratio of the gross returns.
    cost_drag : float
        Mean cost per session times ``periods_per_year`` (fraction of capital).
    turnover_hedge : float
        Annualised turnover of the benchmark leg (part of ``turnover``).
    """

    sharpe_gross: float
    cost_drag: float
    turnover_hedge: float
