"""Optional figures (the ``plot`` extra). Every function takes ``ax=None`` and returns the Axes.

matplotlib is imported lazily; no global style or backend is changed (figures are
created with :class:`matplotlib.figure.Figure`, not pyplot).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from georisk.errors import OptionalDependencyError

if TYPE_CHECKING:
    from georisk.backtesting import BacktestResult

__all__ = ["plot_equity", "plot_signal_premium", "save_demo_figure"]


def _new_axes(ax: Any, nrows: int = 1) -> Any:
    if ax is not None:
        return ax
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise OptionalDependencyError('plotting needs matplotlib: pip install "georisk[plot]"') from exc
    fig = Figure(figsize=(9, 3.2 * nrows), layout="constrained")
    return fig.subplots(nrows, 1, sharex=True) if nrows > 1 else fig.subplots()


def plot_signal_premium(signal: pd.DataFrame, premium: pd.DataFrame, ax: Any = None) -> Any:
    """Net escalation z-score beside the geopolitical risk premium indicator.

    Parameters
    ----------
    signal : pandas.DataFrame
        From :func:`georisk.daily_signal` (``escalation_z``).
    premium : pandas.DataFrame
        From :func:`georisk.risk_premium` (``grpi``).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _new_axes(ax)
    ax.plot(signal.index, signal["escalation_z"], color="tab:red", lw=0.9, label="net escalation (z)")
    ax.set_ylabel("escalation z-score")
    ax.axhline(0.0, color="grey", lw=0.5)
    twin = ax.twinx()
    twin.plot(premium.index, premium["grpi"] * 1e4, color="tab:blue", lw=0.9, label="GRPI (bp)")
    twin.set_ylabel("risk premium indicator (bp)")
    lines = ax.get_lines()[:1] + twin.get_lines()
    ax.legend(lines, [ln.get_label() for ln in lines], loc="upper left", fontsize=8)
    ax.set_title("News state and geopolitical risk premium")
    return ax


def plot_equity(result: BacktestResult, ax: Any = None) -> Any:
    """Equity curves (net and gross of costs) with the net drawdown shaded.

    Parameters
    ----------
    result : BacktestResult
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _new_axes(ax)
    net = (1.0 + result.returns.fillna(0.0)).cumprod()
    gross = (1.0 + result.gross_returns.fillna(0.0)).cumprod()
    ax.plot(gross.index, gross, color="grey", lw=0.8, label="gross")
    ax.plot(net.index, net, color="black", lw=1.0, label=f"net (Sharpe {result.metrics['sharpe']:.2f})")
    ax.fill_between(net.index, net, net.cummax(), color="tab:red", alpha=0.2, lw=0, label="drawdown")
    ax.set_ylabel("equity")
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(f"Backtest (placebo mean Sharpe {result.metrics['placebo_sharpe_mean']:.2f})")
    return ax


def save_demo_figure(signal: pd.DataFrame, premium: pd.DataFrame, result: BacktestResult, path: Any) -> None:
    """Save the two-panel demo chart (signal and premium; equity curve) as PNG."""
    axes = _new_axes(None, nrows=2)
    plot_signal_premium(signal, premium, ax=axes[0])
    plot_equity(result, ax=axes[1])
    axes[0].figure.savefig(path, dpi=110)
