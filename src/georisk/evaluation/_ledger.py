"""The trial ledger: every configuration a study tried, so the deflated Sharpe ratio counts them all.

A :class:`TrialLedger` is a plain object the caller creates, passes to
:func:`georisk.backtest`, :func:`georisk.backtesting.sweep` or
:func:`georisk.backtesting.walk_forward`, and may save (JSON or Parquet) and reload.
Nothing is recorded behind the caller's back: there is no global ledger.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from georisk.errors import ConfigError, InputDataError
from georisk.evaluation._metrics import PERIODS_PER_YEAR
from georisk.evaluation._stats import deflated_sharpe_from_stats, moments

__all__ = ["TrialLedger"]

_COLUMNS = ["trial", "label", "params", "sharpe", "sharpe_per_period", "n_obs", "skew", "kurtosis", "mean", "std"]


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


@dataclass
class TrialLedger:
    """Record of configurations tried: parameters, Sharpe ratio, moments and (optionally) returns.

    Parameters
    ----------
    keep_returns : bool, default True
        Keep each trial's per-session net returns (needed by
        :meth:`returns_frame` and Hansen's SPA test); False keeps only summaries.

    Attributes
    ----------
    trials : list of dict
        One row per trial: ``trial`` (0-based id), ``label``, ``params`` (dict),
        ``sharpe`` (annualised), ``sharpe_per_period``, ``n_obs``, ``skew``,
        ``kurtosis`` (non-excess), ``mean``, ``std``.
    returns : dict of pandas.Series
        Net returns by trial id when ``keep_returns``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> ledger = TrialLedger()
    >>> r = pd.Series(np.random.default_rng(0).normal(0, 0.01, 500))
    >>> ledger.record({"horizon": 5}, r)
    0
    >>> ledger.n_trials
    1
    """

    keep_returns: bool = True
    trials: list[dict[str, Any]] = field(default_factory=list)
    returns: dict[int, pd.Series] = field(default_factory=dict)

    @property
    def n_trials(self) -> int:
        """Number of configurations recorded."""
        return len(self.trials)

    def __len__(self) -> int:
        return len(self.trials)

    def record(self, params: Mapping[str, Any], returns: pd.Series, *, label: str | None = None) -> int:
        """Record one trial and return its id.

        Parameters
        ----------
        params : mapping
            The configuration (JSON-serialisable values).
        returns : pandas.Series
            Its per-session net returns (NaN warm-up allowed).
        label : str, optional
            A free-form name (e.g. the study it belongs to).
        """
        sr, n, skew, kurt = moments(returns)
        arr = returns.dropna().to_numpy(dtype=float)
        tid = len(self.trials)
        self.trials.append(
            {
                "trial": tid,
                "label": label,
                "params": _jsonable(dict(params)),
                "sharpe": sr * math.sqrt(PERIODS_PER_YEAR) if math.isfinite(sr) else math.nan,
                "sharpe_per_period": sr,
                "n_obs": n,
                "skew": skew,
                "kurtosis": kurt,
                "mean": float(arr.mean()) if arr.size else math.nan,
                "std": float(arr.std(ddof=1)) if arr.size > 1 else math.nan,
            }
        )
        if self.keep_returns:
            self.returns[tid] = returns.astype(float).rename(tid)
        return tid

    def record_many(
        self, params: Sequence[Mapping[str, Any]], net: np.ndarray, index: pd.Index, *, label: str | None = None
    ) -> list[int]:
        """Record the columns of a ``(T, C)`` matrix of net returns (one trial per column).

        The moments are computed for all columns at once; the rows equal what
        :meth:`record` gives column by column.
        """
        if net.ndim != 2 or net.shape[1] != len(params) or net.shape[0] != len(index):
            raise ConfigError(f"net has shape {net.shape}; expected ({len(index)}, {len(params)})")
        ok = np.isfinite(net)
        n = ok.sum(axis=0)
        x = np.where(ok, net, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = x.sum(axis=0) / n
            dev = np.where(ok, net - mean, 0.0)
            m2 = (dev**2).sum(axis=0) / n
            sd1 = np.sqrt(m2 * n / (n - 1))
            skew = (dev**3).sum(axis=0) / n / m2**1.5
            kurt = (dev**4).sum(axis=0) / n / m2**2
        ids = []
        for j, p in enumerate(params):
            good = n[j] >= 3 and sd1[j] > 0
            sr = float(mean[j] / sd1[j]) if good else math.nan
            tid = len(self.trials)
            self.trials.append(
                {
                    "trial": tid,
                    "label": label,
                    "params": _jsonable(dict(p)),
                    "sharpe": sr * math.sqrt(PERIODS_PER_YEAR) if good else math.nan,
                    "sharpe_per_period": sr,
                    "n_obs": int(n[j]),
                    "skew": float(skew[j]) if good else math.nan,
                    "kurtosis": float(kurt[j]) if good else math.nan,
                    "mean": float(mean[j]) if n[j] else math.nan,
                    "std": float(sd1[j]) if n[j] > 1 else math.nan,
                }
            )
            if self.keep_returns:
                self.returns[tid] = pd.Series(net[:, j], index=index, name=tid)
            ids.append(tid)
        return ids

    def sharpe_variance(self) -> float:
        """Variance (ddof=1) of the per-period Sharpe ratios across trials; NaN with fewer than 2."""
        s = np.array([t["sharpe_per_period"] for t in self.trials], dtype=float)
        s = s[np.isfinite(s)]
        return float(s.var(ddof=1)) if s.size > 1 else math.nan

    def deflated_sharpe(self, trial: int | None = None) -> float:
        """Deflated Sharpe ratio of one trial (the best by Sharpe when None) given all trials.

        Notes
        -----
        :func:`georisk.evaluation.deflated_sharpe_from_stats` with :math:`N` the number of
        trials and :math:`V` the variance of their per-period Sharpe ratios (the
        sampling variance :math:`(1 + SR^2/2)/(T-1)` when fewer than two are finite).
        """
        if not self.trials:
            raise ConfigError("the ledger is empty; record trials before deflating")
        frame = self.to_frame()
        if trial is None:
            sharpes = frame["sharpe_per_period"].to_numpy(dtype=float)
            trial = int(np.nanargmax(sharpes)) if np.isfinite(sharpes).any() else 0
        if not 0 <= trial < len(self.trials):
            raise ConfigError(f"trial={trial} is not in the ledger (0..{len(self.trials) - 1})")
        row = self.trials[trial]
        sr, n = row["sharpe_per_period"], row["n_obs"]
        var = self.sharpe_variance()
        if not math.isfinite(var):
            var = (1 + 0.5 * sr**2) / (n - 1) if n > 1 and math.isfinite(sr) else math.nan
        if not math.isfinite(var):
            return math.nan
        return deflated_sharpe_from_stats(sr, n, self.n_trials, var, row["skew"], row["kurtosis"])

    def spa(self, benchmark: pd.Series | None = None, **kwargs: Any) -> dict[str, Any]:
        """Hansen's SPA test across every trial's returns (needs the ``stats`` extra).

        Sessions where any trial is NaN (warm-ups) are left out; see
        :func:`georisk.evaluation.spa_test` for ``benchmark`` and ``kwargs``.
        """
        from georisk.evaluation._stats import spa_test

        return spa_test(self.returns_frame().rename(columns=str), benchmark, **kwargs)

    def to_frame(self) -> pd.DataFrame:
        """One row per trial; ``params`` expanded into ``param_*`` columns."""
        frame = pd.DataFrame(self.trials, columns=_COLUMNS).set_index("trial")
        if frame.empty:
            return frame
        expanded = pd.DataFrame([t["params"] for t in self.trials], index=frame.index).add_prefix("param_")
        return frame.join(expanded)

    def returns_frame(self) -> pd.DataFrame:
        """Net returns, one column per trial id (needs ``keep_returns=True``)."""
        if not self.keep_returns:
            raise ConfigError("this ledger was created with keep_returns=False; it holds summaries only")
        return pd.concat(self.returns.values(), axis=1) if self.returns else pd.DataFrame()

    def to_json(self, path: str | Path) -> Path:
        """Write the ledger (trials and, when kept, returns) to one JSON file."""
        p = Path(path)
        payload: dict[str, Any] = {"schema": "georisk.trial_ledger/1", "keep_returns": self.keep_returns}
        payload["trials"] = [
            {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in t.items()}
            for t in self.trials
        ]
        payload["returns"] = {
            str(k): {"index": [ts.isoformat() for ts in pd.DatetimeIndex(s.index)], "values": s.tolist()}
            for k, s in self.returns.items()
        }
        text = json.dumps(payload, allow_nan=True)
        tmp = p.with_name(p.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(p)
        return p

    @classmethod
    def read_json(cls, path: str | Path) -> TrialLedger:
        """Read a ledger written by :meth:`to_json`."""
        p = Path(path)
        try:
            payload = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputDataError(f"cannot read a trial ledger: {exc}", path=str(p)) from exc
        if payload.get("schema") != "georisk.trial_ledger/1":
            raise InputDataError("not a georisk trial ledger (schema georisk.trial_ledger/1)", path=str(p))
        ledger = cls(keep_returns=bool(payload["keep_returns"]))
        for t in payload["trials"]:
            ledger.trials.append({k: (math.nan if v is None and k in _COLUMNS[3:] else v) for k, v in t.items()})
        for k, s in payload["returns"].items():
            ledger.returns[int(k)] = pd.Series(
                s["values"], index=pd.DatetimeIndex(s["index"]), dtype=float, name=int(k)
            )
        return ledger

    def to_parquet(self, path: str | Path) -> Path:
        """Write the trials table to ``path`` and, when kept, the returns to ``<stem>.returns.parquet``."""
        p = Path(path)
        frame = pd.DataFrame(self.trials, columns=_COLUMNS)
        frame["params"] = [json.dumps(t["params"]) for t in self.trials]
        frame.to_parquet(p, index=False)
        if self.keep_returns and self.returns:
            self.returns_frame().rename(columns=str).to_parquet(p.with_name(p.stem + ".returns.parquet"))
        return p

    @classmethod
    def read_parquet(cls, path: str | Path) -> TrialLedger:
        """Read a ledger written by :meth:`to_parquet`."""
        p = Path(path)
        frame = pd.read_parquet(p)
        rpath = p.with_name(p.stem + ".returns.parquet")
        ledger = cls(keep_returns=rpath.exists())
        for raw in frame.to_dict("records"):
            row = {str(k): v for k, v in raw.items()}
            row["params"] = json.loads(row["params"])
            row["trial"] = int(row["trial"])
            row["n_obs"] = int(row["n_obs"])
            row["label"] = None if row["label"] is None or row["label"] != row["label"] else row["label"]
            ledger.trials.append(row)
        if rpath.exists():
            rets = pd.read_parquet(rpath)
            for c in rets.columns:
                ledger.returns[int(c)] = rets[c].rename(int(c))
        return ledger
