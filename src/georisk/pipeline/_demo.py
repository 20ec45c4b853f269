"""``georisk demo``: the whole chain, offline, on the bundled synthetic sample."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from georisk.export import export_frames
from georisk.pipeline._run import PipelineResult, run

__all__ = ["DemoResult", "format_summary", "run_demo"]

log = logging.getLogger(__name__)


@dataclass
class DemoResult:
    """What the demo computed, wrote and printed."""

    result: PipelineResult
    files: list[Path]
    seconds: float
    summary: str


def format_summary(result: PipelineResult, files: list[Path], seconds: float) -> str:
    """The compact text summary the demo prints."""
    sig, prem, bt = result.signal, result.premium, result.backtest
    valid = pd.DatetimeIndex(prem["grpi"].dropna().index)
    last = valid.max() if len(valid) else None
    m = bt.metrics
    n_relevant = int((result.scores["relevance"] >= result.config.signal.relevance_threshold).sum())
    lines = [
        "georisk demo - SYNTHETIC sample data (simulated prices and composed articles; not for trading)",
        f"  sessions        {sig.index[0].date()} to {sig.index[-1].date()} ({len(sig)} sessions)",
        f"  articles scored {len(result.scores)} (relevant: {n_relevant})",
    ]
    if last is not None:
        s_last = sig.loc[last]
        lines.append(
            f"  latest signal   {last.date()}: attention {s_last['attention']:.2f}x base, hawkish intensity "
            f"{s_last['hawkish_intensity']:.2f}, peace intensity {s_last['peace_intensity']:.2f}"
        )
        row = {str(k): float(v) for k, v in prem.loc[last].astype(float).to_dict().items()}

        def band(name: str, scale: float, fmt: str) -> str:
            lo, hi = row.get(f"{name}_lo", float("nan")) * scale, row.get(f"{name}_hi", float("nan")) * scale
            return f"{row[name] * scale:{fmt}} [{lo:{fmt}}, {hi:{fmt}}]"

        parts = ", ".join(f"{k} {band(f'{k}_premium', 1e4, '+.0f')}" for k in result.config.universe.risk_sleeves)
        lines.append(f"  premium by sleeve  {parts} bp (90% bands)")
        oil = band("oil_premium_usd", 1.0, "+.2f") if "oil_premium_usd" in row else "n/a"
        lines.append(f"  GRPI            {band('grpi', 1e4, '+.0f')} bp; oil premium {oil} USD/bbl")
    lines += [
        f"  backtest        Sharpe {m['sharpe']:+.2f} after costs ({bt.params['cost_bps']:g} bp; "
        f"gross {m['sharpe_gross']:+.2f}) vs placebo mean {m['placebo_sharpe_mean']:+.2f} "
        f"(95th pct {m['placebo_sharpe_p95']:+.2f}, p = {m['placebo_p']:.2f})",
        f"  significance    Newey-West t {m['nw_t']:+.2f}, bootstrap p {m.get('bootstrap_p', float('nan')):.2f}, "
        f"probabilistic Sharpe {m['psr']:.2f}, deflated Sharpe {m.get('dsr', float('nan')):.2f}",
        f"  outputs         {files[0].parent if files else '-'}: " + ", ".join(f.name for f in files),
        f"  wall time       {seconds:.1f} s",
    ]
    return "\n".join(lines)


def run_demo(out: str | Path = "georisk-demo") -> DemoResult:
    """Run the pipeline on the bundled sample and write its outputs to ``out``.

    Writes ``scores``, ``signal``, ``premium`` and ``backtest`` as Parquet and CSV, the
    daily export of the last session (under ``out/export/``), and ``demo.png`` when
    matplotlib is installed.

    Parameters
    ----------
    out : str or pathlib.Path, default "georisk-demo"
        Output folder (created if needed).

    Returns
    -------
    DemoResult
    """
    start = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    result = run()
    bt = result.backtest
    frames = {
        "scores": result.scores.set_index("id"),
        "signal": result.signal,
        "premium": result.premium,
        "backtest": pd.concat({"net": bt.returns, "gross": bt.gross_returns, "turnover": bt.turnover}, axis=1).join(
            bt.positions.add_prefix("position_")
        ),
    }
    files: list[Path] = []
    for name, frame in frames.items():
        frame.to_parquet(out / f"{name}.parquet")
        frame.to_csv(out / f"{name}.csv")
        files += [out / f"{name}.parquet", out / f"{name}.csv"]
    last = result.signal.index[-1]
    exported = export_frames(
        result.signal,
        result.premium,
        result.positions,
        session=last,
        out_dir=out / "export",
        calendar=result.config.signal.calendar,
        parameters=result.config.model_dump(mode="json"),
        inputs=result.inputs,
        overwrite_corrupt=True,
    )
    files.append(exported.folder)
    try:
        from georisk.plotting import save_demo_figure

        save_demo_figure(result.signal, result.premium, bt, out / "demo.png")
        files.append(out / "demo.png")
    except ImportError:
        log.info('matplotlib is not installed: no chart (pip install "georisk[plot]")')
    seconds = time.perf_counter() - start
    return DemoResult(result, files, seconds, format_summary(result, files, seconds))
