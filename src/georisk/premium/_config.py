"""The premium stage as a ``[premium]`` configuration section names it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from georisk.config import PremiumConfig, Universe

__all__ = ["premium_from_config"]


def premium_from_config(
    signal: pd.DataFrame,
    prices: pd.DataFrame,
    universe: Universe,
    pcfg: PremiumConfig,
    *,
    calendar: str = "XNYS",
) -> pd.DataFrame:
    """Run the premium model a :class:`~georisk.config.PremiumConfig` names.

    Parameters
    ----------
    signal, prices : pandas.DataFrame
        The daily signal and the wide price frame.
    universe : Universe
        Sleeves, factors and instruments.
    pcfg : PremiumConfig
        ``method = "response"`` runs :func:`georisk.risk_premium`; ``"loading"`` the
        superseded :func:`georisk.premium.loading_premium`.
    calendar : str, default "XNYS"
        The signal calendar.

    Returns
    -------
    pandas.DataFrame
        The premium frame.
    """
    from georisk.premium._legacy import loading_premium
    from georisk.premium._model import risk_premium

    if pcfg.method == "loading":
        return loading_premium(
            signal,
            prices,
            universe,
            state=pcfg.state,
            neutral=pcfg.neutral,
            calendar=calendar,
            beta_window=pcfg.beta_window,
            loading_window=pcfg.loading_window,
            min_periods=min(pcfg.min_periods, pcfg.beta_window, pcfg.loading_window),
            ridge=pcfg.ridge,
            loading_method=pcfg.loading_method,
            huber_c=pcfg.huber_c,
            zscore_window=pcfg.zscore_window,
            sleeve_weights=pcfg.sleeve_weights,
        )
    return risk_premium(
        signal,
        prices,
        universe,
        state=pcfg.state,
        transform=pcfg.transform,
        calendar=calendar,
        ar_order=pcfg.ar_order,
        shock_min_periods=pcfg.shock_min_periods,
        blocks=pcfg.blocks,
        horizon=pcfg.horizon,
        hac_lags=pcfg.hac_lags,
        min_periods=pcfg.min_periods,
        beta_window=pcfg.beta_window,
        beta_min_periods=pcfg.beta_min_periods,
        vol_halflife=pcfg.vol_halflife,
        band=pcfg.band,
        sleeve_weights=pcfg.sleeve_weights,
        roll_z=pcfg.roll_z,
    )
