"""The premium model's validation table, as library code the tear sheet and the benchmark can share.

:func:`validation_table` computes, from a run's signal, prices and premium:

(a) the oil premium in USD/bbl per month with its band, beside the market-model
    cumulative abnormal return (CAR) of the oil instrument (Brent in the default
    universe) in USD/bbl;
(b) the change of each sleeve premium around dated events, with the sign each event
    should give;
(c) placebos: the same premium model on the news state shuffled in blocks of sessions
    (a few seeds) and shifted by a year, and the share of sessions whose ``grpi`` band
    excludes zero under each, beside the real state's share, overall and per month.

A band of coverage :math:`c` excludes zero on about :math:`1 - c` of sessions by chance
when there is no premium; a real state well above its placebos is evidence that the
bands are not excluding zero by construction.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from georisk.errors import ConfigError
from georisk.evaluation._stats import block_shuffle

if TYPE_CHECKING:
    from georisk.config import PremiumConfig, Universe

__all__ = [
    "WAR_EVENTS",
    "PremiumValidation",
    "band_excludes_zero",
    "event_signs",
    "market_model_car",
    "validation_table",
]

#: Events of the 2022 war and the sign each should give to the sleeve premia (change from
#: the session before the event to two sessions after it): "+" escalation, "-" de-escalation.
WAR_EVENTS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("2022-02-24", "invasion", {"energy": "+", "defense": "+", "grain": "+"}),
    ("2022-03-29", "Istanbul talks", {"energy": "-", "grain": "-"}),
    ("2022-07-22", "grain deal signed", {"grain": "-"}),
    ("2022-10-31", "grain deal suspended (Oct 29)", {"grain": "+"}),
    ("2022-11-02", "Russia rejoins the grain deal", {"grain": "-"}),
    ("2023-07-17", "Russia exits the grain deal", {"grain": "+"}),
)

#: The eve of the invasion: the default start of the oil CAR when the data covers it.
WAR_CAR_START = "2022-02-11"

_MIN_BETA_SESSIONS = 60


@dataclass(frozen=True)
class PremiumValidation:
    """The validation table of a premium run.

    Attributes
    ----------
    monthly : pandas.DataFrame
        One row per month (``YYYY-MM``) with a premium: ``sessions``,
        ``oil_premium_usd``, ``oil_premium_usd_lo``, ``oil_premium_usd_hi`` (monthly
        means, USD/bbl), ``car_usd`` (monthly mean of the oil CAR, USD/bbl; NaN before
        ``car_start`` or without an oil price), ``grpi_excludes_zero`` (share of the
        month's sessions whose ``grpi`` band excludes zero), ``placebo_shuffle`` (the
        same share, averaged over the shuffled states) and ``placebo_shift``.
    placebo : pandas.DataFrame
        Index: ``news state``, ``shuffled, seed k`` for each seed, ``shuffled, mean of
        N seeds`` and ``shifted by S sessions``; columns ``band_excludes_zero`` (share
        of all sessions with a band) and ``sessions``.
    events : pandas.DataFrame
        ``event``, ``sleeve``, ``expected`` (``+``/``-``), ``before_bp``, ``after_bp``,
        ``change_bp``, ``as_expected``; events outside the run are left out.
    band : float
        Coverage of the bands.
    seeds, block, shift : int
        Shuffled placebos run, their block length and the shift (sessions).
    car_start : pandas.Timestamp or None
        First session of the CAR (None when there is no oil price or too little data to
        estimate its beta).
    oil_ticker : str
        The instrument of the oil premium and of the CAR.
    car : pandas.Series
        The oil CAR per session in USD/bbl (:func:`market_model_car`; empty when
        ``car_start`` is None).
    """

    monthly: pd.DataFrame
    placebo: pd.DataFrame
    events: pd.DataFrame
    band: float
    seeds: int
    block: int
    shift: int
    car_start: pd.Timestamp | None
    oil_ticker: str
    car: pd.Series

    def summary(self) -> pd.DataFrame:
        """The validation's key figures, one labelled row each.

        Returns
        -------
        pandas.DataFrame
            Column ``value``: the sessions with a ``grpi`` band; the share of them whose
            band excludes zero for the news state, the shuffled placebos (mean of the
            seeds) and the shifted placebo; the events in the run and those whose premia
            moved the expected way; the month with the largest mean oil premium (USD/bbl)
            with its band and the oil CAR that month.

        Examples
        --------
        >>> from georisk.pipeline import run
        >>> from georisk.evaluation import validation_table
        >>> r = run()
        >>> v = validation_table(r.signal, r.prices, r.config.universe, premium=r.premium, seeds=1)
        >>> "events in the run" in v.summary().index
        True
        """
        share = self.placebo["band_excludes_zero"]
        rows: dict[str, float] = {}
        if "news state" in self.placebo.index:
            rows["sessions with a GRPI band"] = float(self.placebo["sessions"].to_numpy(dtype=float)[0])
        for key in share.index:
            if key == "news state" or key.startswith("shuffled, mean") or key.startswith("shifted"):
                label = "news state" if key == "news state" else f"placebo: {key}"
                rows[f"GRPI band excludes zero, {label}"] = float(share[key])
        rows["events in the run"] = float(len(self.events))
        rows["events with the expected sign"] = float(self.events["as_expected"].sum()) if len(self.events) else 0.0
        oil = self.monthly["oil_premium_usd"].dropna() if "oil_premium_usd" in self.monthly else pd.Series(dtype=float)
        if len(oil):
            top = str(oil.abs().idxmax())
            row = self.monthly.loc[top].to_numpy(dtype=float)
            col = {name: i for i, name in enumerate(self.monthly.columns)}
            rows[f"oil premium {top} (largest month), USD/bbl"] = row[col["oil_premium_usd"]]
            rows[f"oil premium {top}, {self.band:.0%} band low"] = row[col["oil_premium_usd_lo"]]
            rows[f"oil premium {top}, {self.band:.0%} band high"] = row[col["oil_premium_usd_hi"]]
            rows[f"oil CAR {top} ({self.oil_ticker}), USD/bbl"] = row[col["car_usd"]]
        return pd.DataFrame({"value": pd.Series(rows, dtype=float)})

    def to_text(self) -> str:
        """The tables as plain text: monthly oil premium and CAR with placebo shares, placebos, events."""
        m = self.monthly
        lines = [
            f"Premium validation: oil premium ({self.oil_ticker}, USD/bbl, monthly mean) with its "
            f"{self.band:.0%} band beside the market-model CAR"
            + (f" since {self.car_start.date()}" if self.car_start is not None else " (no CAR: too little data)")
            + "; share of sessions whose GRPI band excludes zero, for the news state and its placebos",
            m.to_string(formatters={"sessions": "{:.0f}".format}, float_format=lambda x: f"{x:+.2f}")
            if len(m)
            else "(no month with a premium)",
            "",
            f"Placebo states (blocks of {self.block} sessions, {self.seeds} seed(s); shift {self.shift} sessions): "
            "share of sessions whose GRPI band excludes zero (about "
            f"{1 - self.band:.0%} by chance)",
            self.placebo.to_string(formatters={"sessions": "{:.0f}".format}, float_format=lambda x: f"{x:.3f}")
            if len(self.placebo)
            else "(no placebo run)",
            "",
            "Events: change of each sleeve premium from the session before to two after (bp)",
            self.events.to_string(index=False, float_format=lambda x: f"{x:+.1f}")
            if len(self.events)
            else "(no event inside the run)",
        ]
        return "\n".join(lines)

    def plot(self, ax: Any = None) -> Any:
        """Monthly oil premium with its band beside the oil CAR; needs the ``plot`` extra."""
        from georisk.plotting import plot_premium_validation

        return plot_premium_validation(self, ax=ax)


def _excludes(premium: pd.DataFrame) -> pd.Series:
    if "grpi_lo" not in premium.columns or "grpi_hi" not in premium.columns:  # a model without bands
        return pd.Series(dtype=float)
    d = premium[["grpi_lo", "grpi_hi"]].dropna()
    return ((d["grpi_lo"] > 0) | (d["grpi_hi"] < 0)).astype(float)


def band_excludes_zero(premium: pd.DataFrame) -> float:
    """Share of the sessions with a band whose ``grpi`` band excludes zero (NaN when none has one).

    Parameters
    ----------
    premium : pandas.DataFrame
        From :func:`georisk.risk_premium` (``grpi_lo``, ``grpi_hi``).

    Returns
    -------
    float
    """
    x = _excludes(premium)
    return float(x.mean()) if len(x) else math.nan


def market_model_car(premium: pd.DataFrame, start: str | pd.Timestamp) -> pd.Series:
    r"""The oil instrument's cumulative abnormal return since ``start`` against the benchmark, in USD/bbl.

    Parameters
    ----------
    premium : pandas.DataFrame
        From :func:`georisk.risk_premium` (``oil_price`` and ``benchmark_return``).
    start : date-like
        The CAR cumulates from the first session after ``start``.

    Returns
    -------
    pandas.Series
        :math:`P_d\,\mathrm{CAR}_d / (1 + \mathrm{CAR}_d)` with
        :math:`\mathrm{CAR}_d = \sum_{start < s \le d} (r_s - \beta m_s)`, :math:`r` the
        oil return, :math:`m` the benchmark's and :math:`\beta` their OLS slope over the
        365 days before ``start``; empty when fewer than 60 sessions estimate it.

    Notes
    -----
    The same market model as ``benchmarks/validate_premium.py``: it reads the move of
    the oil price net of what the market explains, a model-free check of the premium's
    size and timing (it also holds every non-news shock to oil).
    """
    if "oil_price" not in premium.columns or "benchmark_return" not in premium.columns:
        return pd.Series(dtype=float, name="car_usd")
    price = premium["oil_price"].astype(float)
    oil = price.pct_change(fill_method=None)
    spy = premium["benchmark_return"].astype(float)
    t0 = start if isinstance(start, pd.Timestamp) else pd.Timestamp(start)
    est = pd.concat([oil, spy], axis=1).loc[t0 - pd.Timedelta(days=365) : t0 - pd.Timedelta(days=1)].dropna()
    if len(est) < _MIN_BETA_SESSIONS:
        return pd.Series(dtype=float, name="car_usd")
    var = float(np.var(est.iloc[:, 1], ddof=1))
    beta = float(np.cov(est.iloc[:, 0], est.iloc[:, 1])[0, 1] / var) if var > 0 else 0.0
    ar = (oil - beta * spy).loc[t0 + pd.Timedelta(days=1) :]
    car = ar.fillna(0.0).cumsum()
    return (price.loc[car.index] * car / (1.0 + car)).rename("car_usd")


def _car_start(premium: pd.DataFrame) -> pd.Timestamp | None:
    """The war's eve when the data estimates a beta before it, else the first session with a premium."""
    if "oil_price" not in premium.columns or premium["oil_price"].notna().sum() < _MIN_BETA_SESSIONS + 1:
        return None
    war = pd.Timestamp(WAR_CAR_START)
    if war <= premium.index[-1]:
        before = premium.loc[war - pd.Timedelta(days=365) : war - pd.Timedelta(days=1), "oil_price"].notna().sum()
        if before > _MIN_BETA_SESSIONS:
            return war
    column = "oil_premium_usd" if "oil_premium_usd" in premium.columns else "grpi"
    first = premium.index[premium[column].notna().to_numpy()] if column in premium.columns else premium.index[:0]
    return pd.Timestamp(first[0]) if len(first) else None


def event_signs(
    premium: pd.DataFrame,
    sleeves: Sequence[str],
    events: Sequence[tuple[str, str, dict[str, str]]] = WAR_EVENTS,
) -> pd.DataFrame:
    """Change of each sleeve premium around each event, with the expected sign.

    Parameters
    ----------
    premium : pandas.DataFrame
        From :func:`georisk.risk_premium`.
    sleeves : sequence of str
        Sleeves of the run; an event's sleeve not among them is left out.
    events : sequence of (date, name, {sleeve: "+" or "-"})
        Default :data:`WAR_EVENTS`.

    Returns
    -------
    pandas.DataFrame
        ``event``, ``sleeve``, ``expected``, ``before_bp`` (the session before the event),
        ``after_bp`` (two sessions after), ``change_bp`` and ``as_expected``; an event
        whose window is not in the run, or whose premium is not yet defined, is left out.
    """
    cols = ["event", "sleeve", "expected", "before_bp", "after_bp", "change_bp", "as_expected"]
    rows = []
    idx = premium.index
    for day, name, signs in events:
        pos = int(idx.searchsorted(pd.Timestamp(day)))
        if pos < 1 or pos + 2 >= len(idx):
            continue
        for sleeve, sign in signs.items():
            col = f"{sleeve}_premium"
            if sleeve not in sleeves or col not in premium.columns:
                continue
            before = float(premium[col].iloc[pos - 1])
            after = float(premium[col].iloc[pos + 2])
            change = after - before
            if not math.isfinite(change):
                continue
            rows.append(
                {
                    "event": f"{day} {name}",
                    "sleeve": sleeve,
                    "expected": sign,
                    "before_bp": before * 1e4,
                    "after_bp": after * 1e4,
                    "change_bp": change * 1e4,
                    "as_expected": bool((change > 0) == (sign == "+")),
                }
            )
    return pd.DataFrame(rows, columns=cols)


def validation_table(
    signal: pd.DataFrame,
    prices: pd.DataFrame,
    universe: Universe,
    *,
    premium: pd.DataFrame | None = None,
    config: PremiumConfig | None = None,
    calendar: str = "XNYS",
    seeds: int = 5,
    block: int = 20,
    shift: int = 252,
    events: Sequence[tuple[str, str, dict[str, str]]] = WAR_EVENTS,
    car_start: str | pd.Timestamp | None = None,
) -> PremiumValidation:
    """The premium model's validation table: monthly oil premium beside the oil CAR, event signs, placebos.

    Parameters
    ----------
    signal : pandas.DataFrame
        From :func:`georisk.daily_signal` (holds the state, ``config.state``).
    prices : pandas.DataFrame
        The wide price frame the premium was computed from.
    universe : Universe
        Sleeves and the oil instrument.
    premium : pandas.DataFrame, optional
        The run's premium; computed from ``signal`` and ``prices`` when None.
    config : PremiumConfig, optional
        The premium model's parameters (the default :class:`~georisk.config.PremiumConfig`
        when None); each placebo runs the same model.
    calendar : str, default "XNYS"
        The signal calendar.
    seeds : int, default 5
        Shuffled placebos (seeds ``0 .. seeds - 1``); 0 runs none. Each costs one run
        of the premium model.
    block : int, default 20
        Sessions per shuffled block (keeps the state's short-run persistence).
    shift : int, default 252
        Sessions of the circular shift of the shifted placebo (half the sessions when
        the run is shorter than twice this); 0 runs none.
    events : sequence of (date, name, {sleeve: sign})
        Events of the sign table; default :data:`WAR_EVENTS`.
    car_start : date-like, optional
        Start of the oil CAR; default 2022-02-11 (the invasion's eve) when the data holds
        60 sessions before it, else the first session with a premium.

    Returns
    -------
    PremiumValidation

    Raises
    ------
    ConfigError
        If ``seeds``, ``block`` or ``shift`` is negative, or the signal lacks the state.

    Notes
    -----
    A placebo replaces the state column of ``signal`` and reruns the premium model
    (:func:`georisk.premium.premium_from_config`) with everything else unchanged; a
    placebo state carries no news about the dates it is put on, so its bands should
    exclude zero on about :math:`1 - c` of sessions.

    Examples
    --------
    >>> from georisk.pipeline import run
    >>> r = run()  # doctest: +SKIP
    >>> v = validation_table(r.signal, r.prices, r.config.universe, premium=r.premium, seeds=2)  # doctest: +SKIP
    >>> list(v.placebo.index)  # doctest: +SKIP
    ['news state', 'shuffled, seed 0', 'shuffled, seed 1', 'shuffled, mean of 2 seeds', 'shifted by 252 sessions']
    """
    from georisk.config import PremiumConfig
    from georisk.premium import premium_from_config

    if seeds < 0 or block < 1 or shift < 0:
        raise ConfigError(f"seeds={seeds} and shift={shift} must be >= 0 and block={block} >= 1")
    pcfg = config or PremiumConfig()
    if pcfg.state not in signal.columns:
        raise ConfigError(f"the signal has no {pcfg.state!r} column (the premium's state)")

    def model(sig: pd.DataFrame, *, quiet: bool = False) -> pd.DataFrame:
        if not quiet:
            return premium_from_config(sig, prices, universe, pcfg, calendar=calendar)
        with warnings.catch_warnings():  # the placebos' price warnings repeat the real run's
            warnings.simplefilter("ignore")
            return premium_from_config(sig, prices, universe, pcfg, calendar=calendar)

    prem = model(signal) if premium is None else premium
    state = signal[pcfg.state]
    defined = state.dropna()  # the warm-up stays where it is: only known values are moved

    def with_state(values: pd.Series) -> pd.DataFrame:
        return signal.assign(**{pcfg.state: values.reindex(state.index)})

    placebos: dict[str, pd.DataFrame] = {}
    if "grpi_lo" not in prem.columns:  # the superseded loading model has no bands: no placebo to count
        seeds, shift = 0, 0
    for seed in range(seeds):
        moved = pd.Series(block_shuffle(defined, block, seed), index=defined.index)
        placebos[f"shuffled, seed {seed}"] = model(with_state(moved), quiet=True)
    n_shift = shift if len(defined) >= 2 * shift else len(defined) // 2
    if shift > 0 and n_shift > 0:
        rolled = pd.Series(np.roll(defined.to_numpy(), n_shift), index=defined.index)
        placebos[f"shifted by {n_shift} sessions"] = model(with_state(rolled), quiet=True)

    def share_row(p: pd.DataFrame) -> dict[str, float]:
        x = _excludes(p)
        return {"band_excludes_zero": float(x.mean()) if len(x) else math.nan, "sessions": float(len(x))}

    rows = {"news state": share_row(prem)}
    shuffled = [k for k in placebos if k.startswith("shuffled")]
    for k in shuffled:
        rows[k] = share_row(placebos[k])
    if shuffled:
        rows[f"shuffled, mean of {len(shuffled)} seeds"] = {
            "band_excludes_zero": float(np.nanmean([rows[k]["band_excludes_zero"] for k in shuffled])),
            "sessions": float(np.mean([rows[k]["sessions"] for k in shuffled])),
        }
    shifted = [k for k in placebos if k.startswith("shifted")]
    for k in shifted:
        rows[k] = share_row(placebos[k])
    placebo = pd.DataFrame.from_dict(rows, orient="index", columns=["band_excludes_zero", "sessions"])

    start = pd.Timestamp(car_start) if car_start is not None else _car_start(prem)
    car = market_model_car(prem, start) if start is not None else pd.Series(dtype=float)
    if car.empty:
        start = None
    monthly = _monthly(prem, car, placebos, shuffled, shifted)
    return PremiumValidation(
        monthly=monthly,
        placebo=placebo,
        events=event_signs(prem, universe.risk_sleeves, events),
        band=float(pcfg.band),
        seeds=len(shuffled),
        block=block,
        shift=n_shift if shifted else 0,
        car_start=start,
        oil_ticker=str(universe.oil_ticker),
        car=car,
    )


def _monthly(
    prem: pd.DataFrame, car: pd.Series, placebos: dict[str, pd.DataFrame], shuffled: list[str], shifted: list[str]
) -> pd.DataFrame:
    cols = [
        "sessions",
        "oil_premium_usd",
        "oil_premium_usd_lo",
        "oil_premium_usd_hi",
        "car_usd",
        "grpi_excludes_zero",
        "placebo_shuffle",
        "placebo_shift",
    ]
    if "grpi" not in prem.columns or prem["grpi"].dropna().empty:
        return pd.DataFrame(columns=cols, dtype=float)
    valid = prem.loc[prem["grpi"].notna()]

    def months(index: pd.Index) -> pd.Index:
        labels: list[str] = [str(t)[:7] for t in pd.DatetimeIndex(index)]
        return pd.Index(labels, name="month")

    month = months(valid.index)
    out = pd.DataFrame(index=pd.Index(sorted(set(month)), name="month"))
    out["sessions"] = valid["grpi"].groupby(month).size().astype(float)
    for name in ("oil_premium_usd", "oil_premium_usd_lo", "oil_premium_usd_hi"):
        out[name] = valid[name].groupby(month).mean() if name in valid.columns else math.nan
    out["car_usd"] = car.reindex(valid.index).groupby(month).mean() if len(car) else math.nan

    def monthly_share(p: pd.DataFrame) -> pd.Series:
        x = _excludes(p)
        return x.groupby(months(x.index)).mean()

    out["grpi_excludes_zero"] = monthly_share(prem)
    out["placebo_shuffle"] = (
        pd.concat([monthly_share(placebos[k]) for k in shuffled], axis=1).mean(axis=1) if shuffled else math.nan
    )
    out["placebo_shift"] = monthly_share(placebos[shifted[0]]) if shifted else math.nan
    return out[cols].astype(float)
