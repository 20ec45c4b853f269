"""Optional figures (the ``plot`` extra). Every function takes ``ax=None`` and returns the Axes.

matplotlib is imported lazily, inside the functions, and no global style, rc parameter
or backend is changed: new figures are :class:`matplotlib.figure.Figure` objects, never
pyplot state, so they are garbage-collected like any object and never pop up a window.

The evaluation charts (:func:`plot_ic_by_horizon`, :func:`plot_event_study`,
:func:`plot_bucket_returns`) draw frames that are computed elsewhere
(:mod:`georisk.evaluation`); each docstring states the frame contract it expects, so the
statistics are computed once, in one place.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from georisk.errors import ConfigError, OptionalDependencyError

if TYPE_CHECKING:
    from georisk.backtesting import BacktestResult
    from georisk.evaluation import PerformanceMetrics, PlaceboSummary, PremiumValidation

__all__ = [
    "figure_png",
    "new_figure",
    "plot_bucket_returns",
    "plot_equity",
    "plot_event_study",
    "plot_ic_by_horizon",
    "plot_metrics",
    "plot_premium_bands",
    "plot_premium_validation",
    "plot_rolling",
    "plot_score_distribution",
    "plot_signal_premium",
    "plot_sleeve_decomposition",
    "plot_sleeve_pnl",
    "save_demo_figure",
    "stamp",
]

_SLEEVE_COLORS = {"energy": "tab:orange", "defense": "tab:green", "grain": "tab:brown"}


def new_figure(nrows: int = 1, ncols: int = 1, *, width: float = 9.0, height: float = 3.2) -> Any:
    """A new :class:`matplotlib.figure.Figure` with ``nrows x ncols`` Axes (no pyplot).

    Parameters
    ----------
    nrows, ncols : int, default 1
        Grid of Axes.
    width : float, default 9.0
        Figure width in inches.
    height : float, default 3.2
        Height per row in inches.

    Returns
    -------
    matplotlib.axes.Axes or numpy.ndarray of Axes
        One Axes when the grid is 1 x 1; the figure is ``axes.figure``.

    Raises
    ------
    OptionalDependencyError
        If matplotlib is not installed (install the ``plot`` extra).
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise OptionalDependencyError('plotting needs matplotlib: pip install "georisk[plot]"') from exc
    fig = Figure(figsize=(width, height * nrows), layout="constrained")
    return fig.subplots(nrows, ncols, squeeze=True)


def _axes(ax: Any) -> Any:
    return new_figure() if ax is None else ax


def figure_png(fig_or_ax: Any, *, dpi: int = 100) -> bytes:
    """Render a figure (or the figure of an Axes) to PNG bytes.

    Parameters
    ----------
    fig_or_ax : matplotlib.figure.Figure or matplotlib.axes.Axes
        What to render.
    dpi : int, default 100
        Resolution.

    Returns
    -------
    bytes
        The PNG file's bytes.
    """
    import io

    fig = fig_or_ax
    if hasattr(fig, "get_figure"):  # an Axes, a SubFigure or a Figure: render the root figure
        try:
            fig = fig.get_figure(root=True)
        except TypeError:  # matplotlib < 3.10 has no ``root``
            fig = fig.get_figure()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str, hint: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ConfigError(f"{what} lacks column(s) {missing} (has {list(frame.columns)[:12]}); {hint}")


def plot_signal_premium(
    signal: pd.DataFrame, premium: pd.DataFrame, ax: Any = None, *, state: str = "escalation_intensity"
) -> Any:
    """The news state beside the geopolitical risk premium indicator and its band.

    Parameters
    ----------
    signal : pandas.DataFrame
        From :func:`georisk.daily_signal`; needs the ``state`` column.
    premium : pandas.DataFrame
        From :func:`georisk.risk_premium`; needs ``grpi`` (drawn in basis points on a
        second y axis, with its band when ``grpi_lo`` and ``grpi_hi`` are present).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    state : str, default "escalation_intensity"
        The signal column to draw.

    Returns
    -------
    matplotlib.axes.Axes
    """
    _require(signal, [state], "signal", "pass the frame returned by georisk.daily_signal")
    _require(premium, ["grpi"], "premium", "pass the frame returned by georisk.risk_premium")
    ax = _axes(ax)
    ax.plot(signal.index, signal[state], color="tab:red", lw=0.9, label=f"news state ({state})")
    ax.set_ylabel(state.replace("_", " "))
    ax.axhline(0.0, color="grey", lw=0.5)
    twin = ax.twinx()
    if {"grpi_lo", "grpi_hi"} <= set(premium.columns):
        twin.fill_between(
            premium.index, premium["grpi_lo"] * 1e4, premium["grpi_hi"] * 1e4, color="tab:blue", alpha=0.18, lw=0
        )
    twin.plot(premium.index, premium["grpi"] * 1e4, color="tab:blue", lw=0.9, label="GRPI (bp, 90% band)")
    twin.set_ylabel("risk premium indicator (bp)")
    lines = ax.get_lines()[:1] + twin.get_lines()
    ax.legend(lines, [ln.get_label() for ln in lines], loc="upper left", fontsize=8)
    ax.set_title("News state and geopolitical risk premium")
    return ax


def _stack_signed(ax: Any, index: pd.Index, parts: pd.DataFrame, colors: Mapping[str, str]) -> None:
    # Positive parts stack upward from zero, negative parts downward, so that the
    # stacked areas add up to the total on every session whatever the signs.
    values = parts.fillna(0.0).to_numpy(dtype=float)
    pos_base = np.zeros(len(index))
    neg_base = np.zeros(len(index))
    for j, name in enumerate(parts.columns):
        v = values[:, j]
        pos, neg = np.clip(v, 0.0, None), np.clip(v, None, 0.0)
        color = colors.get(str(name))
        ax.fill_between(index, pos_base, pos_base + pos, color=color, alpha=0.6, lw=0, label=str(name))
        ax.fill_between(index, neg_base, neg_base + neg, color=color, alpha=0.6, lw=0)
        pos_base, neg_base = pos_base + pos, neg_base + neg


def plot_sleeve_decomposition(
    premium: pd.DataFrame,
    ax: Any = None,
    *,
    by: Literal["sleeve", "component"] = "sleeve",
    weights: Mapping[str, float] | None = None,
) -> Any:
    """The indicator ``grpi`` split into its sleeve (or hawkish / peace) contributions.

    Parameters
    ----------
    premium : pandas.DataFrame
        From :func:`georisk.risk_premium`: ``grpi``; for ``by="sleeve"`` the sleeves are
        those with a ``{k}_abnormal`` column, drawn from their contribution ``grpi_{k}``
        when present, else from ``{k}_premium`` times ``weights``; for
        ``by="component"``, ``grpi_hawkish`` and ``grpi_peace``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    by : {"sleeve", "component"}, default "sleeve"
        Split by sleeve, or into the hawkish and peace components.
    weights : mapping, optional
        Sleeve weights applied to ``{k}_premium``. When None, the frame's own
        ``grpi_{k}`` contributions are drawn if it has them, else equal weights (the
        default of :func:`georisk.risk_premium`).

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    The contribution of sleeve :math:`k` is :math:`w_k p_{k,d}` in basis points; positive
    contributions are stacked above zero and negative ones below, so the stacks add up to
    :math:`grpi_d = \\sum_k w_k p_{k,d}`, drawn as a black line.
    """
    if by not in ("sleeve", "component"):
        raise ConfigError(f"by={by!r} must be 'sleeve' or 'component'")
    _require(premium, ["grpi"], "premium", "pass the frame returned by georisk.risk_premium")
    if by == "sleeve":
        sleeves = [c.removesuffix("_abnormal") for c in premium.columns if c.endswith("_abnormal")]
        sleeves = [k for k in sleeves if f"{k}_premium" in premium.columns or f"grpi_{k}" in premium.columns]
        if not sleeves:
            raise ConfigError(
                "premium has no '{sleeve}_abnormal' and '{sleeve}_premium' columns; pass the frame of "
                "georisk.risk_premium"
            )
        if weights is None and all(f"grpi_{k}" in premium.columns for k in sleeves):
            # The premium reports each sleeve's weighted contribution itself: draw it as is.
            parts = pd.DataFrame({k: premium[f"grpi_{k}"] * 1e4 for k in sleeves}, index=premium.index)
        else:
            w = dict(weights) if weights is not None else {k: 1.0 / len(sleeves) for k in sleeves}
            unknown = set(w) - set(sleeves)
            if unknown:
                raise ConfigError(f"weights name unknown sleeve(s) {sorted(unknown)}; the premium has {sleeves}")
            parts = pd.DataFrame(
                {k: premium[f"{k}_premium"] * w.get(k, 0.0) * 1e4 for k in sleeves}, index=premium.index
            )
        colors = _SLEEVE_COLORS
        title = "Risk premium by sleeve"
    else:
        _require(premium, ["grpi_hawkish", "grpi_peace"], "premium", "pass the frame returned by georisk.risk_premium")
        parts = pd.DataFrame(
            {"hawkish": premium["grpi_hawkish"] * 1e4, "peace": premium["grpi_peace"] * 1e4}, index=premium.index
        )
        colors = {"hawkish": "tab:red", "peace": "tab:cyan"}
        title = "Risk premium: hawkish and peace components"
    ax = _axes(ax)
    _stack_signed(ax, premium.index, parts, colors)
    ax.plot(premium.index, premium["grpi"] * 1e4, color="black", lw=0.9, label="GRPI")
    ax.axhline(0.0, color="grey", lw=0.5)
    ax.set_ylabel("contribution (bp)")
    ax.legend(loc="upper left", fontsize=8, ncols=len(parts.columns) + 1)
    ax.set_title(title)
    return ax


def plot_equity(result: BacktestResult | pd.Series, ax: Any = None) -> Any:
    """Equity curve (net, and gross of costs for a backtest) with drawdowns shaded.

    Parameters
    ----------
    result : BacktestResult or pandas.Series
        A backtest (net and gross returns), or one series of per-session returns.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Equity :math:`E_t = \\prod_{s \\le t} (1 + r_s)` (warm-up NaN counted as 0); the
    shaded band is the drawdown, between :math:`E_t` and :math:`\\max_{s \\le t} E_s`.
    The deepest drawdown is marked with its size.
    """
    ax = _axes(ax)
    metrics: Mapping[str, float]
    if isinstance(result, pd.Series):
        net_r, gross_r, metrics = result, None, {}
    else:
        net_r, gross_r, metrics = result.returns, result.gross_returns, result.metrics
    net = (1.0 + net_r.fillna(0.0)).cumprod()
    if gross_r is not None:
        gross = (1.0 + gross_r.fillna(0.0)).cumprod()
        ax.plot(gross.index, gross, color="grey", lw=0.8, label="gross of costs")
    sharpe = metrics.get("sharpe", math.nan)
    label = f"net (Sharpe {sharpe:.2f})" if math.isfinite(sharpe) else "net"
    ax.plot(net.index, net, color="black", lw=1.0, label=label)
    peak = net.cummax()
    ax.fill_between(net.index, net, peak, color="tab:red", alpha=0.25, lw=0, label="drawdown")
    if len(net):
        dd = (net / peak - 1.0).to_numpy(dtype=float)
        pos = int(np.argmin(dd))
        if dd[pos] < 0:
            # a trough near either end is labelled inwards, so the label stays inside the axes
            where = pos / max(len(net) - 1, 1)
            ax.annotate(
                f"max drawdown {dd[pos]:.1%}",
                xy=(net.index[pos], float(net.iloc[pos])),
                xytext=(0, -4),
                textcoords="offset points",
                ha="right" if where > 0.85 else "left" if where < 0.15 else "center",
                va="top",
                fontsize=8,
                color="tab:red",
            )
    ax.margins(y=0.12)  # room for the drawdown label below the trough
    ax.set_ylabel("equity (start = 1)")
    ax.legend(loc="upper left", fontsize=8)
    placebo = metrics.get("placebo_sharpe_mean", math.nan)
    ax.set_title(f"Equity (placebo mean Sharpe {placebo:.2f})" if math.isfinite(placebo) else "Equity")
    return ax


def plot_metrics(metrics: PerformanceMetrics | PlaceboSummary, ax: Any = None) -> Any:
    """A metrics result drawn as a two-column table: label and value written for its unit.

    Parameters
    ----------
    metrics : PerformanceMetrics or PlaceboSummary
        Any of :class:`georisk.evaluation.PerformanceMetrics`, :class:`~georisk.evaluation.PlaceboSummary`,
        :class:`~georisk.evaluation.StrategyMetrics`, :class:`~georisk.evaluation.BacktestMetrics`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Labels, units and formats come from :data:`georisk.evaluation.METRIC_SPECS`
    (:meth:`georisk.evaluation.MetricSpec.format`), as on the tear sheet.
    """
    rows = metrics.formatted()
    if ax is None:
        ax = new_figure(height=0.22 * len(rows) + 0.4, width=5.0)
    ax.axis("off")
    if rows:
        table = ax.table(cellText=[[v] for _, v in rows], rowLabels=[k for k, _ in rows], loc="center")
        table.auto_set_font_size(False)
        table.set_fontsize(8)
    ax.set_title(type(metrics).__name__)
    return ax


#: Two-sided 95% normal quantile used for the bands derived from a t-statistic.
_Z95 = 1.959963984540054


def _groups(obj: pd.DataFrame | pd.Series | Mapping[str, pd.DataFrame], center: str) -> dict[str, pd.DataFrame]:
    # One frame per group: a mapping's items, the first level of a two-level index
    # (e.g. sleeve), or the single frame under the empty label.
    items: dict[str, Any]
    if isinstance(obj, Mapping):
        items = {str(k): v for k, v in obj.items()}
    elif isinstance(obj, pd.Series):
        items = {"": obj.to_frame(center)}
    elif obj.index.nlevels == 2:
        first = obj.index.get_level_values(0)
        items = {str(k): obj[first == k].droplevel(0) for k in first.unique()}
    else:
        items = {"": obj}
    return {k: v.to_frame(center) if isinstance(v, pd.Series) else v for k, v in items.items()}


def _band(frame: pd.DataFrame, center: str, lo: str, hi: str) -> tuple[np.ndarray, np.ndarray] | None:
    # Explicit (lo, hi) columns, else +/- 1.96 standard errors with se = |center / hac_t|.
    c = frame[center].to_numpy(float)
    if {lo, hi} <= set(frame.columns):
        return frame[lo].to_numpy(float), frame[hi].to_numpy(float)
    if "hac_t" in frame.columns:
        t = frame["hac_t"].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            se = np.abs(c / t)
        se = np.where(np.isfinite(se), se, np.nan)
        return c - _Z95 * se, c + _Z95 * se
    return None


def _grouped_bars(
    ax: Any, groups: Mapping[str, pd.DataFrame], center: str, scale: float, lo: str, hi: str, what: str
) -> bool:
    # Bars per index label, one per group side by side; returns whether bands were drawn.
    labels: list[Any] = []
    for name, frame in groups.items():
        _require(frame, [center], f"{what} {name!r}" if name else what, f"index it with a {center!r} column")
        labels += [v for v in frame.index if v not in labels]
    x = np.arange(len(labels))
    width = 0.8 / max(len(groups), 1)
    palette = ["tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown"]
    any_band = False
    for i, (name, frame) in enumerate(groups.items()):
        f = frame.reindex(labels)
        values = f[center].to_numpy(float) * scale
        band = _band(f, center, lo, hi)
        yerr = None
        if band is not None:
            any_band = True
            yerr = np.nan_to_num(np.vstack([values - band[0] * scale, band[1] * scale - values])).clip(0.0, None)
        if len(groups) == 1:
            color: Any = ["tab:blue" if v >= 0 else "tab:red" for v in np.nan_to_num(values)]
        else:
            color = _SLEEVE_COLORS.get(name, palette[i % len(palette)])
        offset = (i - (len(groups) - 1) / 2) * width
        ax.bar(
            x + offset, values, width=width, color=color, yerr=yerr, capsize=2, ecolor="black", alpha=0.8, label=name
        )
    ax.set_xticks(x, [str(v) for v in labels])
    ax.axhline(0.0, color="grey", lw=0.5)
    if len(groups) > 1:
        ax.legend(loc="upper left", fontsize=8, ncols=len(groups))
    return any_band


def plot_ic_by_horizon(
    ic: pd.DataFrame | pd.Series | Mapping[str, pd.DataFrame], ax: Any = None, *, title: str | None = None
) -> Any:
    """Information coefficient of the signal by forecast horizon, one bar group per asset.

    Parameters
    ----------
    ic : pandas.DataFrame, pandas.Series or mapping of str to pandas.DataFrame
        Frame contract, that of :func:`georisk.evaluation.information_coefficient`:
        indexed by the horizon in sessions, with column ``ic`` and optionally ``hac_t``
        (Newey-West t; the band is :math:`ic \\pm 1.96\\,|ic / t|`) or explicit ``lower``
        and ``upper``. Several assets: a mapping of label to such frames, or one frame
        with a two-level index ``(asset, horizon)`` (e.g. ``EvaluationFrames.ic`` of
        :mod:`georisk.report`). A Series is taken as the ``ic`` column.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    For a Spearman IC the HAC t of :func:`~georisk.evaluation.information_coefficient`
    is that of the slope of the forward-return ranks on the signal ranks, which is the IC
    times a ratio of rank standard deviations; :math:`|ic/t|` is the HAC standard error in
    IC units.
    """
    groups = _groups(ic, "ic")
    ax = _axes(ax)
    banded = _grouped_bars(ax, groups, "ic", 1.0, "lower", "upper", "ic")
    ax.set_xlabel("horizon (sessions)")
    ax.set_ylabel("information coefficient")
    ax.set_title(title or "IC by horizon" + (" (95% band)" if banded else ""))
    return ax


def plot_event_study(
    car: pd.DataFrame | Mapping[str, pd.DataFrame], ax: Any = None, *, title: str | None = None
) -> Any:
    """Cumulative abnormal return around news shocks, with confidence bands.

    Parameters
    ----------
    car : pandas.DataFrame or mapping of str to pandas.DataFrame
        Frame contract, that of :func:`georisk.evaluation.event_study`: indexed by the
        session relative to the shock (``rel_day``, 0 the shock), with column ``car``
        (mean cumulative abnormal return from the window's first session, as a fraction)
        and optionally ``car_lo`` and ``car_hi`` (band) and ``n_events``. Its
        ``(asset, rel_day)`` output draws one curve per asset; a mapping draws one curve
        per label (and asset), e.g. ``{"hawkish shocks": ..., "peace shocks": ...}``.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
    """
    curves: dict[str, pd.DataFrame] = {}
    for label, frame in (dict(car) if isinstance(car, Mapping) else {"": car}).items():
        for asset, part in _groups(frame, "car").items():
            curves[", ".join(x for x in (str(label), asset) if x) or "events"] = part
    ax = _axes(ax)
    palette = ["tab:red", "tab:cyan", "tab:purple", "tab:olive", "tab:brown", "tab:pink"]
    for i, (label, frame) in enumerate(curves.items()):
        _require(frame, ["car"], f"event study {label!r}", "index by rel_day with a 'car' column")
        color = palette[i % len(palette)]
        has_n = "n_events" in frame.columns and frame["n_events"].notna().any()
        n = f" (n={int(frame['n_events'].max())})" if has_n else ""
        ax.plot(frame.index, frame["car"] * 1e4, color=color, lw=1.2, label=f"{label}{n}")
        band = _band(frame, "car", "car_lo", "car_hi")
        if band is not None:
            ax.fill_between(frame.index, band[0] * 1e4, band[1] * 1e4, color=color, alpha=0.2, lw=0)
    ax.axvline(0.0, color="grey", lw=0.6, ls="--")
    ax.axhline(0.0, color="grey", lw=0.5)
    ax.set_xlabel("sessions from the shock")
    ax.set_ylabel("cumulative abnormal return (bp)")
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(title or "Event study")
    return ax


def plot_bucket_returns(
    buckets: pd.DataFrame | pd.Series | Mapping[str, pd.DataFrame], ax: Any = None, *, title: str | None = None
) -> Any:
    """Mean forward return by signal bucket (quantile), one bar group per asset.

    Parameters
    ----------
    buckets : pandas.DataFrame, pandas.Series or mapping of str to pandas.DataFrame
        Frame contract, that of :func:`georisk.evaluation.bucket_returns`: indexed by
        bucket, lowest signal first (1 .. n), with column ``mean`` (mean forward return,
        as a fraction) and optionally ``hac_t`` (Newey-West t of the mean; the band is
        :math:`mean \\pm 1.96\\,|mean / t|`) or explicit ``lower`` and ``upper``. Several
        assets: a mapping of label to such frames or one frame indexed by
        ``(asset, bucket)``. A Series is taken as the ``mean`` column.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
    """
    groups = _groups(buckets, "mean")
    ax = _axes(ax)
    banded = _grouped_bars(ax, groups, "mean", 1e4, "lower", "upper", "buckets")
    ax.set_xlabel("signal bucket (low to high)")
    ax.set_ylabel("mean forward return (bp)")
    ax.set_title(title or "Returns by signal bucket" + (" (95% band)" if banded else ""))
    return ax


def plot_score_distribution(
    scores: pd.DataFrame,
    ax: Any = None,
    *,
    columns: Sequence[str] = ("hawkish_tilt", "peace_trade", "relevance"),
    bins: int = 20,
) -> Any:
    """Histograms of per-article scores in [0, 1].

    Parameters
    ----------
    scores : pandas.DataFrame
        From :func:`georisk.score_articles`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    columns : sequence of str
        Score columns to draw, overlaid.
    bins : int, default 20
        Bins over [0, 1].

    Returns
    -------
    matplotlib.axes.Axes
    """
    _require(scores, list(columns), "scores", "pass the frame returned by georisk.score_articles")
    ax = _axes(ax)
    edges = np.linspace(0.0, 1.0, bins + 1)
    for col in columns:
        ax.hist(scores[col].dropna().to_numpy(float), bins=edges, histtype="step", lw=1.2, label=col)
    ax.set_xlabel("score")
    ax.set_ylabel("articles")
    ax.legend(fontsize=8)
    ax.set_title(f"Score distributions ({len(scores)} articles)")
    return ax


def stamp(fig_or_ax: Any, label: str | None) -> None:
    """Write ``label`` (e.g. "SYNTHETIC ...") in red across the top of a figure.

    Parameters
    ----------
    fig_or_ax : matplotlib.figure.Figure or matplotlib.axes.Axes
        The figure, or an Axes of it.
    label : str or None
        The text; nothing is drawn when None or empty.
    """
    if not label:
        return
    fig = fig_or_ax.figure if hasattr(fig_or_ax, "figure") and fig_or_ax.figure is not None else fig_or_ax
    fig.suptitle(label, color="#cf222e", fontsize=10, fontweight="bold")


def plot_rolling(
    returns: pd.Series,
    benchmark: pd.Series,
    axes: Any = None,
    *,
    window: int = 63,
    periods: int = 252,
) -> Any:
    """Rolling Sharpe ratio, volatility and beta to a benchmark, one panel each.

    Parameters
    ----------
    returns, benchmark : pandas.Series
        Per-session returns of the strategy and the benchmark (aligned on the index);
        sessions where ``returns`` is NaN (not traded) are left out of the windows.
    axes : sequence of three matplotlib.axes.Axes, optional
        Where to draw; a new three-row figure when None.
    window : int, default 63
        Sessions in each window (a value needs a full window).
    periods : int, default 252
        Sessions per year, to annualise.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes

    Notes
    -----
    Over the ``window`` sessions ending at :math:`t`: Sharpe
    :math:`\\bar r / s_r \\sqrt{P}`, volatility :math:`s_r \\sqrt{P}` and beta
    :math:`\\mathrm{cov}(r, b) / \\mathrm{var}(b)`.
    """
    if window < 2:
        raise ConfigError(f"window={window} must be >= 2")
    axes = new_figure(3, 1, width=8.0, height=1.7) if axes is None else axes
    r = returns.dropna().astype(float)  # windows of traded sessions: a warm-up NaN would void them
    b = benchmark.reindex(r.index).astype(float)
    roll = r.rolling(window, min_periods=window)
    sd = roll.std()
    sharpe = roll.mean() / sd.where(sd > 0) * math.sqrt(periods)
    vol = sd * math.sqrt(periods)
    beta = r.rolling(window, min_periods=window).cov(b) / b.rolling(window, min_periods=window).var()
    series = (
        (sharpe, f"Sharpe ({window} sessions)", "black", False),
        (vol, "volatility (ann.)", "tab:purple", True),
        (beta, "beta to benchmark", "tab:blue", False),
    )
    for ax, (values, label, color, pct) in zip(axes, series, strict=True):
        ax.plot(values.index, values * (100.0 if pct else 1.0), color=color, lw=0.9)
        ax.axhline(0.0, color="grey", lw=0.5)
        ax.set_ylabel(label + (" %" if pct else ""), fontsize=8)
        ax.tick_params(labelsize=8)
    return axes


def plot_premium_bands(
    premium: pd.DataFrame,
    axes: Any = None,
    *,
    band: float = 0.90,
    car: pd.Series | None = None,
    car_label: str = "oil market-model CAR (USD/bbl)",
) -> Any:
    """GRPI (bp) and the oil premium (USD/bbl), each with its band, one panel each.

    Parameters
    ----------
    premium : pandas.DataFrame
        From :func:`georisk.risk_premium`: ``grpi`` and, when present, ``grpi_lo``,
        ``grpi_hi`` and ``oil_premium_usd`` with ``_lo`` and ``_hi`` (a band is drawn
        where both ends are present).
    axes : sequence of two matplotlib.axes.Axes, optional
        Where to draw; a new two-row figure when None.
    band : float, default 0.90
        Coverage of the bands, for the legend.
    car : pandas.Series, optional
        A benchmark for the oil premium in USD/bbl drawn dashed on its panel, e.g.
        :func:`georisk.evaluation.market_model_car`.
    car_label : str
        Legend of ``car``.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
    """
    _require(premium, ["grpi"], "premium", "pass the frame returned by georisk.risk_premium")
    axes = new_figure(2, 1, width=8.0, height=2.0) if axes is None else axes
    panels = (("grpi", 1e4, "GRPI (bp)", "tab:blue"), ("oil_premium_usd", 1.0, "oil premium (USD/bbl)", "tab:orange"))
    for ax, (col, scale, label, color) in zip(axes, panels, strict=True):
        if col not in premium.columns:
            ax.set_axis_off()
            continue
        idx = premium.index
        ax.plot(idx, premium[col] * scale, color=color, lw=1.0, label=label)
        if f"{col}_lo" in premium.columns and f"{col}_hi" in premium.columns:
            ax.fill_between(
                idx,
                premium[f"{col}_lo"] * scale,
                premium[f"{col}_hi"] * scale,
                color=color,
                alpha=0.2,
                lw=0,
                label=f"{band:.0%} band",
            )
        if col == "oil_premium_usd" and car is not None and len(car.dropna()):
            ax.plot(car.index, car.to_numpy(dtype=float), color="black", lw=0.8, ls="--", label=car_label)
        ax.axhline(0.0, color="grey", lw=0.5)
        ax.set_ylabel(label, fontsize=8)
        ax.tick_params(labelsize=8)
        ax.legend(loc="best", fontsize=7, framealpha=0.9)
    return axes


def plot_premium_validation(validation: PremiumValidation, ax: Any = None) -> Any:
    """Monthly mean oil premium (USD/bbl) with its band, beside the monthly mean oil CAR.

    Parameters
    ----------
    validation : PremiumValidation
        From :func:`georisk.evaluation.validation_table`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    m = validation.monthly
    x = pd.PeriodIndex(m.index.astype(str), freq="M").to_timestamp() if len(m) else pd.DatetimeIndex([])
    if len(m):
        ax.plot(x, m["oil_premium_usd"], color="tab:blue", lw=1.2, marker="o", ms=3, label="oil premium")
        ax.fill_between(
            x,
            m["oil_premium_usd_lo"],
            m["oil_premium_usd_hi"],
            color="tab:blue",
            alpha=0.2,
            lw=0,
            label=f"{validation.band:.0%} band",
        )
        if m["car_usd"].notna().any():
            ax.plot(x, m["car_usd"], color="black", lw=0.8, ls="--", label=f"{validation.oil_ticker} market-model CAR")
    ax.axhline(0.0, color="grey", lw=0.5)
    ax.set_ylabel("USD per barrel (monthly mean)", fontsize=8)
    ax.tick_params(labelsize=8)
    ax.legend(loc="best", fontsize=7, framealpha=0.9)
    return ax


def plot_sleeve_pnl(pnl: pd.DataFrame, ax: Any = None) -> Any:
    """Cumulative P&L contribution of each sleeve (sum of per-session contributions).

    Parameters
    ----------
    pnl : pandas.DataFrame
        Per-session return contribution of each sleeve (one column per sleeve), e.g.
        :func:`georisk.report.sleeve_pnl`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    traded = pnl.notna().any(axis=1)
    if traded.any():  # start at the first session held: no flat line through the warm-up
        pnl = pnl.loc[traded.idxmax() :]
    cum = pnl.fillna(0.0).cumsum() * 100.0
    for k in cum.columns:
        ax.plot(cum.index, cum[k], lw=1.0, label=str(k), color=_SLEEVE_COLORS.get(str(k)))
    ax.plot(cum.index, cum.sum(axis=1), lw=1.2, color="black", label="all sleeves (gross)")
    ax.axhline(0.0, color="grey", lw=0.5)
    ax.set_ylabel("cumulative contribution (%)")
    ax.legend(loc="upper left", fontsize=8)
    return ax


def save_demo_figure(
    signal: pd.DataFrame,
    premium: pd.DataFrame,
    result: BacktestResult,
    path: Any,
    *,
    label: str | None = "SYNTHETIC: the bundled sample (simulated prices, composed articles)",
) -> None:
    """Save the two-panel demo chart (signal and premium; equity curve) as PNG.

    Parameters
    ----------
    signal, premium : pandas.DataFrame
        From :func:`georisk.daily_signal` and :func:`georisk.risk_premium`.
    result : BacktestResult
        The backtest to draw.
    path : str or pathlib.Path
        Where to write the PNG.
    label : str or None
        Written in red on the figure's face; the demo runs on the bundled synthetic
        sample, so it says so by default. None for no label.
    """
    axes = new_figure(2, 1)
    plot_signal_premium(signal, premium, ax=axes[0])
    plot_equity(result, ax=axes[1])
    stamp(axes[0], label)
    axes[0].figure.savefig(path, dpi=110)
