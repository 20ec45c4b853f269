"""Parameter sweeps and walk-forward parameter choice, vectorised across configurations.

Every configuration a sweep runs goes into the caller's :class:`georisk.evaluation.TrialLedger`
(when given), so a deflated Sharpe ratio computed afterwards counts every trial.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from georisk.backtesting._engine import (
    STRATEGIES,
    capped,
    hedge_betas,
    raw_signal,
    rms_scaled,
    scaled_targets,
    sharpe_matrix,
    simulate,
)
from georisk.errors import ConfigError
from georisk.evaluation import (
    PERIODS_PER_YEAR,
    StrategyMetrics,
    TrialLedger,
    block_shuffle,
    performance_metrics,
    placebo_summary,
    random_shift,
    significance,
)

__all__ = ["DEFAULT_CONFIG", "SweepResult", "WalkForwardResult", "expand_grid", "sweep", "walk_forward"]

#: Defaults of every swept parameter (those of :func:`georisk.backtest`).
DEFAULT_CONFIG: dict[str, Any] = {
    "strategy": "impulse",
    "horizon": 5,
    "scale_window": 63,
    "max_position": 1.0,
    "threshold": 0.0,
    "execution_lag": 1,
    "cost_bps": 5.0,
    "slippage_bps": 0.0,
}


def expand_grid(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Cartesian product of ``grid`` over :data:`DEFAULT_CONFIG`; unknown keys raise ``ConfigError``."""
    unknown = set(grid) - set(DEFAULT_CONFIG)
    if unknown:
        raise ConfigError(f"grid has unknown parameter(s) {sorted(unknown)}; use {sorted(DEFAULT_CONFIG)}")
    empty = [k for k, v in grid.items() if len(v) == 0]
    if empty:
        raise ConfigError(f"grid values for {empty} are empty; give at least one value each")
    keys = list(grid)
    out = []
    for combo in itertools.product(*(grid[k] for k in keys)):
        cfg = dict(DEFAULT_CONFIG)
        cfg.update(zip(keys, combo, strict=True))
        out.append(cfg)
    for cfg in out:
        if cfg["strategy"] not in STRATEGIES:
            raise ConfigError(f"strategy={cfg['strategy']!r} must be one of {list(STRATEGIES)}")
        for key, low in (("horizon", 1), ("scale_window", 2), ("execution_lag", 0)):
            if int(cfg[key]) != cfg[key] or cfg[key] < low:
                raise ConfigError(f"{key}={cfg[key]} must be an integer >= {low}")
        if cfg["max_position"] <= 0 or cfg["threshold"] < 0 or cfg["cost_bps"] < 0 or cfg["slippage_bps"] < 0:
            raise ConfigError(f"configuration {cfg} has a negative cost/threshold or a non-positive max_position")
    return out


@dataclass
class SweepResult:
    """Net returns and Sharpe ratios of every configuration of a sweep.

    Attributes
    ----------
    configs : pandas.DataFrame
        One row per configuration (its parameters), indexed 0..C-1.
    net : pandas.DataFrame
        Net returns ``(sessions, C)``; column j is configuration j.
    sharpe : pandas.Series
        Annualised net Sharpe ratio per configuration.
    trial_ids : list of int
        Ids of the configurations in the ledger (empty when no ledger was given).
    """

    configs: pd.DataFrame
    net: pd.DataFrame
    sharpe: pd.Series
    trial_ids: list[int] = field(default_factory=list)

    def best(self) -> dict[str, Any]:
        """Parameters of the configuration with the highest Sharpe ratio (in-sample: deflate it)."""
        sharpes = self.sharpe.to_numpy(dtype=float)
        if not np.isfinite(sharpes).any():
            raise ConfigError("no configuration has a finite Sharpe ratio (too few sessions?)")
        return {str(k): v for k, v in self.configs.iloc[int(np.nanargmax(sharpes))].items()}


RawTransform = Callable[[np.ndarray], np.ndarray]


def _placebo_transform(kind: str, block: int, seed: np.random.SeedSequence) -> RawTransform:
    """A placebo of raw signals ``(T, K)``: their defined part block-shuffled or shifted.

    The generator is rebuilt from ``seed`` on every call, so calling it twice on the same
    signal gives the same placebo, and raw signals whose defined parts have the same
    length get the same block order or lag (parts of other lengths, such as longer
    warm-ups, get other draws from the same seed). Shuffling moves later signal values
    earlier; that breaks the signal's timing, which is what a placebo is for, and can only
    make the comparison harder for the real signal.
    """

    def transform(raw: np.ndarray) -> np.ndarray:
        valid = np.isfinite(raw).any(axis=1)
        if not valid.any():
            return raw
        first = int(np.argmax(valid))
        rng = np.random.default_rng(seed)
        out = raw.copy()
        live = raw[first:]
        out[first:] = block_shuffle(live, block, rng) if kind == "shuffle" else random_shift(live, block, rng)
        return out

    return transform


def _run_configs(
    premium: pd.DataFrame,
    sleeves: list[str],
    configs: list[dict[str, Any]],
    chunk: int,
    transform: RawTransform | None = None,
) -> np.ndarray:
    """Net returns ``(T, C)``; work shared between configurations is done once.

    The trailing RMS depends on (strategy, horizon, scale_window) only, the gross
    return and turnover on the targets and the lag only, and the cost is applied last,
    exactly as :func:`georisk.backtesting.simulate` applies it. ``transform``, when
    given, replaces each raw signal before scaling (the placebo runs of
    :func:`walk_forward`).
    """
    returns = premium[[f"{k}_abnormal" for k in sleeves]].to_numpy(dtype=float)
    betas = hedge_betas(premium, sleeves)
    n = len(premium)
    raws: dict[tuple[str, int], np.ndarray] = {}
    scaled: dict[tuple[str, int, int], np.ndarray] = {}
    for cfg in configs:
        rk = (cfg["strategy"], int(cfg["horizon"]))
        if rk not in raws:
            raw = raw_signal(premium, sleeves, *rk)
            raws[rk] = raw if transform is None else transform(raw)
    skeys = sorted({(c["strategy"], int(c["horizon"]), int(c["scale_window"])) for c in configs})
    for start in range(0, len(skeys), chunk):
        part = skeys[start : start + chunk]
        z = rms_scaled(np.stack([raws[k[:2]] for k in part], axis=1), np.array([k[2] for k in part]))
        scaled.update({k: z[:, j, :] for j, k in enumerate(part)})

    def sim_key(c: dict[str, Any]) -> tuple[str, int, int, float, float, int]:
        return (
            c["strategy"],
            int(c["horizon"]),
            int(c["scale_window"]),
            float(c["max_position"]),
            float(c["threshold"]),
            int(c["execution_lag"]),
        )

    keys = sorted({sim_key(c) for c in configs})
    col = {k: j for j, k in enumerate(keys)}
    gross = np.empty((n, len(keys)))
    turnover = np.empty((n, len(keys)))
    for start in range(0, len(keys), chunk):
        group = keys[start : start + chunk]
        targets = capped(
            np.stack([scaled[k[:3]] for k in group], axis=1),
            np.array([k[3] for k in group]),
            np.array([k[4] for k in group]),
        )
        sim = simulate(targets, returns, np.array([k[5] for k in group]), np.zeros(len(group)), betas)
        gross[:, start : start + len(group)] = sim["gross"]
        turnover[:, start : start + len(group)] = sim["turnover"]
    which = np.array([col[sim_key(c)] for c in configs])
    rates = np.array([(c["cost_bps"] + c["slippage_bps"]) / 1e4 for c in configs])
    g, tau = gross[:, which], turnover[:, which]
    costs = tau * rates[None, :]
    net: np.ndarray = np.where(np.isfinite(g) | (costs > 0), np.nan_to_num(g, nan=0.0) - costs, np.nan)
    return net


def _grid_configs(grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Configurations of a grid (Cartesian product) or of an explicit list of them."""
    if isinstance(grid, Mapping):
        configs = expand_grid(grid)
    else:
        configs = [expand_grid({k: [v] for k, v in c.items()})[0] for c in grid]
    if not configs:
        raise ConfigError("grid holds no configuration")
    return configs


def _sleeves(premium: pd.DataFrame, sleeves: list[str] | None) -> list[str]:
    """The sleeves asked for, or every sleeve with an ``{k}_abnormal`` column."""
    if sleeves is None:
        sleeves = [c.removesuffix("_abnormal") for c in premium.columns if c.endswith("_abnormal")]
    if not sleeves:
        raise ConfigError("premium has no '{sleeve}_abnormal' columns; compute it with georisk.risk_premium")
    return sleeves


def sweep(
    premium: pd.DataFrame,
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
    *,
    sleeves: list[str] | None = None,
    ledger: TrialLedger | None = None,
    label: str | None = None,
    chunk: int = 128,
) -> SweepResult:
    """Backtest every configuration of a grid at once (numpy arrays across configurations).

    Parameters
    ----------
    premium : pandas.DataFrame
        From :func:`georisk.risk_premium`.
    grid : mapping of lists, or list of mappings
        Values per parameter of :data:`DEFAULT_CONFIG` (their Cartesian product is run),
        or an explicit list of configurations.
    sleeves : list of str, optional
        Sleeves to trade; every ``{k}_abnormal`` column when None.
    ledger : TrialLedger, optional
        Every configuration run is recorded here.
    label : str, optional
        Label of the ledger rows.
    chunk : int, default 128
        Configurations per vectorised block (bounds memory: about
        ``sessions * chunk * sleeves * 8`` bytes per array).

    Returns
    -------
    SweepResult

    Notes
    -----
    Each configuration's net returns are exactly those of :func:`georisk.backtest` with
    the same parameters (both run :func:`georisk.backtesting.simulate`). The best
    in-sample Sharpe ratio of a sweep is biased upwards by the number of configurations;
    judge it with :meth:`TrialLedger.deflated_sharpe` or :func:`walk_forward`.
    """
    if chunk < 1:
        raise ConfigError(f"chunk={chunk} must be >= 1")
    configs = _grid_configs(grid)
    sleeves = _sleeves(premium, sleeves)
    net = _run_configs(premium, sleeves, configs, chunk)
    ids: list[int] = []
    if ledger is not None:
        ids = ledger.record_many([{**c, "sleeves": sleeves} for c in configs], net, premium.index, label=label)
    return SweepResult(
        configs=pd.DataFrame(configs),
        net=pd.DataFrame(net, index=premium.index),
        sharpe=pd.Series(sharpe_matrix(net), name="sharpe"),
        trial_ids=ids,
    )


@dataclass
class WalkForwardResult:
    """Out-of-sample returns of a walk-forward parameter choice, with honest statistics.

    Attributes
    ----------
    returns : pandas.Series
        Out-of-sample net returns, concatenated over test folds (NaN outside them).
    folds : pandas.DataFrame
        Per fold: ``train_start``, ``train_end``, ``test_start``, ``test_end``,
        ``config`` (index into ``sweep.configs``), ``train_sharpe``, ``test_sharpe``,
        ``switch_cost`` (charged on the fold's first session for trading from the
        previous fold's positions to this fold's).
    metrics : StrategyMetrics
        Frozen and typed (also a read-only mapping, ``metrics["sharpe"]``):
        :func:`georisk.evaluation.performance_metrics` of the out-of-sample returns plus
        ``nw_t``, ``bootstrap_p``, ``psr``, ``dsr``, ``n_trials``, and
        ``placebo_sharpe_mean``, ``placebo_sharpe_p95`` and ``placebo_p`` (share of
        placebo walk-forwards with an out-of-sample Sharpe at least the real one).
    sweep : SweepResult
        The full-sample sweep the choices were made from.
    placebo_sharpes : numpy.ndarray
        Out-of-sample net Sharpe ratios of the placebo walk-forwards.
    """

    returns: pd.Series
    folds: pd.DataFrame
    metrics: StrategyMetrics
    sweep: SweepResult
    placebo_sharpes: np.ndarray = field(default_factory=lambda: np.empty(0))

    def summary(self) -> pd.DataFrame:
        """One-column table: the out-of-sample Sharpe ratio beside its placebo, costs and significance.

        The rows of :meth:`georisk.evaluation.StrategyMetrics.summary` (every return is out of
        sample) followed by ``folds``, ``configuration switches`` and ``switching cost (sum)``.
        """
        f = self.folds
        rows = {
            "folds": float(len(f)),
            "configuration switches": float((f["config"].diff().iloc[1:] != 0).sum()) if len(f) else 0.0,
            "switching cost (sum)": float(f["switch_cost"].sum()) if len(f) else 0.0,
        }
        return pd.concat([self.metrics.summary(), pd.DataFrame({"value": pd.Series(rows, dtype=float)})])

    def plot(self, ax: Any = None) -> Any:
        """Equity curve of the out-of-sample returns with drawdowns shaded; needs the ``plot`` extra."""
        from georisk.plotting import plot_equity

        return plot_equity(self.returns, ax=ax)


def walk_forward(
    premium: pd.DataFrame,
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
    *,
    train: int = 504,
    test: int = 63,
    mode: Literal["expanding", "rolling"] = "expanding",
    purge: int = 0,
    embargo: int = 0,
    min_train_obs: int = 60,
    sleeves: list[str] | None = None,
    ledger: TrialLedger | None = None,
    bootstrap_reps: int = 1000,
    seed: int | None = 0,
    execution_lag: int | None = None,
    placebo_runs: int = 20,
    placebo_block: int = 20,
    placebo_kind: Literal["shuffle", "shift"] = "shuffle",
) -> WalkForwardResult:
    """Choose parameters on past data only, fold by fold, and report the out-of-sample result.

    Parameters
    ----------
    premium : pandas.DataFrame
        From :func:`georisk.risk_premium`.
    grid : mapping of lists, or list of mappings
        Configurations to choose from (see :func:`sweep`).
    train : int, default 504
        Sessions in the first training window (and in every window when ``rolling``).
    test : int, default 63
        Sessions per test fold.
    mode : {"expanding", "rolling"}, default "expanding"
        Training windows start at the first session, or cover the last ``train`` only.
    purge : int, default 0
        Sessions removed from the end of each training window because their labels
        overlap the test fold (set it to ``h - 1`` when choosing on ``h``-session
        forward returns; one-session net returns, the default objective, do not overlap).
    embargo : int, default 0
        Further sessions left out between training and test, against slow leakage
        through serially correlated features.
    min_train_obs : int, default 60
        Finite training returns a configuration needs to be eligible.
    sleeves, ledger : see :func:`sweep`.
    bootstrap_reps : int, default 1000
        Resamples of the out-of-sample bootstrap p-value (0 skips it).
    seed : int or None, default 0
        Seed of the bootstrap and of the placebo runs.
    execution_lag : int, optional
        Sessions between the close of the last training return and the close at which
        the chosen configuration is traded; the largest ``execution_lag`` of the grid
        when None.
    placebo_runs : int, default 20
        Placebo walk-forwards reported beside the real one: the raw signal of every
        configuration is made uninformative (one block order or lag per run, shared by
        all configurations), and the whole procedure (sweep, choice per fold, switching
        costs) is run again. 0 skips them; each costs about one sweep of the grid.
    placebo_block : int, default 20
        Block length of the shuffle, or the minimum lag of the shift.
    placebo_kind : {"shuffle", "shift"}, default "shuffle"
        Block-shuffle the raw signals in time, or shift them circularly by a random lag.

    Returns
    -------
    WalkForwardResult

    Notes
    -----
    Fold :math:`i` tests sessions :math:`[s_i, s_i + \\text{test})` with
    :math:`s_i = \\text{train} + i\\,\\text{test}`; it picks the configuration with the
    highest net Sharpe ratio over training sessions
    :math:`[s_i - \\text{train} \\text{ or } 0,\\; s_i - \\ell - \\text{purge} - \\text{embargo})`,
    :math:`\\ell` the execution lag: the choice is known at the close of the last training
    session and traded :math:`\\ell` sessions later, at the close of :math:`s_i - 1`,
    whence the fold earns the chosen configuration's returns. Switching costs
    :math:`c_j \\big(\\frac1K\\sum_k |h^{j}_{k,s_i-1} - h^{p}_{k,s_i-1}| + |H^{j}_{s_i-1} - H^{p}_{s_i-1}|\\big)`,
    charged on the fold's first session, with :math:`h^{j}` the positions of the chosen
    configuration :math:`j`, :math:`h^{p}` those of the previous fold's (flat before the
    first fold or after a fold without a choice), :math:`H` the benchmark hedges and
    :math:`c_j` the chosen configuration's cost rate (the configuration's own net return
    already pays its own trade at that close: the charge is that of trading to the
    previous configuration's positions and then switching, an upper bound of the direct
    trade). Positions are causal (each uses data up to its own session), so the sweep is
    run once on the full sample and only the choice is made fold by fold. A placebo run
    repeats all of it on placebo signals, so its out-of-sample Sharpe ratio carries the
    same selection and costs as the real one:
    :math:`p = (1 + \\#\\{SR_{placebo} \\ge SR\\}) / (1 + R)`. Placebo trials are not
    recorded in the ledger.

    .. warning:: The deflated Sharpe ratio reported uses every configuration of the
       grid as a trial (plus whatever the ledger already held): selection happened
       in-sample even though the returns are out of sample, so this is conservative.
    """
    if train < 2 or test < 1:
        raise ConfigError(f"train={train} must be >= 2 and test={test} >= 1 sessions")
    if purge < 0 or embargo < 0:
        raise ConfigError(f"purge={purge} and embargo={embargo} must be >= 0")
    if mode not in ("expanding", "rolling"):
        raise ConfigError(f"mode={mode!r} must be 'expanding' or 'rolling'")
    if placebo_runs < 0 or placebo_block < 1:
        raise ConfigError(f"placebo_runs={placebo_runs} must be >= 0 and placebo_block={placebo_block} >= 1")
    if placebo_kind not in ("shuffle", "shift"):
        raise ConfigError(f"placebo_kind={placebo_kind!r} must be 'shuffle' or 'shift'")
    configs = _grid_configs(grid)
    sleeves = _sleeves(premium, sleeves)
    lag = max(int(c["execution_lag"]) for c in configs) if execution_lag is None else execution_lag
    if lag < 0:
        raise ConfigError(f"execution_lag={lag} must be >= 0 sessions")
    if train - lag - purge - embargo < 2:
        raise ConfigError(
            f"train={train} leaves no training sessions after execution_lag={lag}, purge={purge} and embargo={embargo}"
        )
    ledger = TrialLedger(keep_returns=False) if ledger is None else ledger
    sw = sweep(premium, configs, sleeves=sleeves, ledger=ledger, label="walk_forward")
    betas = np.nan_to_num(hedge_betas(premium, sleeves), nan=0.0)
    n = len(premium)
    if n < train + test:
        raise ConfigError(f"premium has {n} sessions; walk-forward needs at least train + test = {train + test}")

    def run_folds(net: np.ndarray, transform: RawTransform | None) -> tuple[np.ndarray, list[dict[str, Any]]]:
        """Out-of-sample returns and fold records of one walk-forward over ``net`` ``(T, C)``."""
        held_cache: dict[int, np.ndarray] = {}

        def held_at(j: int, t: int) -> np.ndarray:
            """Positions ``(K,)`` configuration ``j`` holds over ``(t, t+1]`` (0 where undefined)."""
            if j not in held_cache:
                cfg = configs[j]
                raw = raw_signal(premium, sleeves, cfg["strategy"], int(cfg["horizon"]))
                raw = raw if transform is None else transform(raw)
                held_cache[j] = scaled_targets(
                    raw[:, None, :],
                    np.array([int(cfg["scale_window"])]),
                    np.array([float(cfg["max_position"])]),
                    np.array([float(cfg["threshold"])]),
                )[:, 0, :]
            src = t - int(configs[j]["execution_lag"])
            return np.nan_to_num(held_cache[j][src], nan=0.0) if src >= 0 else np.zeros(len(sleeves))

        oos = np.full(n, np.nan)
        ok = np.isfinite(net)
        x = np.where(ok, net, 0.0)
        # prefix sums make each fold's training Sharpe ratios O(configurations)
        c1 = np.concatenate([np.zeros((1, net.shape[1])), np.cumsum(x, axis=0)])
        c2 = np.concatenate([np.zeros((1, net.shape[1])), np.cumsum(x * x, axis=0)])
        cn = np.concatenate([np.zeros((1, net.shape[1])), np.cumsum(ok, axis=0)])
        rows = []
        prev: int | None = None
        for s in range(train, n, test):
            lo = 0 if mode == "expanding" else s - train
            hi = s - lag - purge - embargo
            cnt = cn[hi] - cn[lo]
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = (c1[hi] - c1[lo]) / cnt
                var = ((c2[hi] - c2[lo]) - cnt * mean**2) / (cnt - 1)
                sr = np.where(
                    (cnt >= min_train_obs) & (var > 0), mean / np.sqrt(var) * math.sqrt(PERIODS_PER_YEAR), np.nan
                )
            if not np.isfinite(sr).any():
                prev = None
                continue
            j = int(np.nanargmax(sr))
            end = min(s + test, n)
            oos[s:end] = net[s:end, j]
            h_new = held_at(j, s - 1)
            h_old = held_at(prev, s - 1) if prev is not None else np.zeros(len(sleeves))
            kk = max(len(sleeves), 1)
            tau = np.abs(h_new - h_old).sum() / kk + abs(float(((h_new - h_old) * betas[s - 1]).sum()) / kk)
            rate = (configs[j]["cost_bps"] + configs[j]["slippage_bps"]) / 1e4
            switch_cost = float(tau * rate)
            if switch_cost > 0:
                oos[s] = (0.0 if np.isnan(oos[s]) else oos[s]) - switch_cost
            prev = j
            test_sr = sharpe_matrix(oos[s:end, None])[0] if end - s > 1 else math.nan
            idx = premium.index
            rows.append(
                {
                    "train_start": idx[lo],
                    "train_end": idx[hi - 1],
                    "test_start": idx[s],
                    "test_end": idx[end - 1],
                    "config": j,
                    "train_sharpe": float(sr[j]),
                    "test_sharpe": float(test_sr),
                    "switch_cost": switch_cost,
                }
            )
        return oos, rows

    oos, rows = run_folds(sw.net.to_numpy(), None)
    placebo = np.full(placebo_runs, np.nan)
    for i, child in enumerate(np.random.SeedSequence(seed).spawn(placebo_runs)):
        transform = _placebo_transform(placebo_kind, placebo_block, child)
        placebo_oos = run_folds(_run_configs(premium, sleeves, configs, 128, transform), transform)[0]
        placebo[i] = sharpe_matrix(placebo_oos[:, None])[0]
    returns = pd.Series(oos, index=premium.index, name="walk_forward")
    perf = performance_metrics(returns)
    var = ledger.sharpe_variance()
    horizon = max(int(c.get("horizon", 1)) for c in configs)
    sig = significance(
        returns,
        horizon=horizon,
        bootstrap_reps=bootstrap_reps,
        seed=seed,
        n_trials=ledger.n_trials,
        sharpe_variance=var,
    )
    metrics = StrategyMetrics.combine(perf, sig, placebo_summary(perf.sharpe, placebo))
    return WalkForwardResult(returns, pd.DataFrame(rows), metrics, sw, placebo)
