"""Benchmark the daily export: backfills of 1, 5 and 20 years, and a warm one-session export.

Run: ``python benchmarks/bench_export.py`` (``--years 1 5`` for a quicker run). Each
measurement runs in its own process, so the peak resident memory it prints is that run's
alone. Inputs are synthetic and seeded: geometric random walks for every ticker of the
default universe on its own exchange's sessions, and ``--per-day`` headlines a weekday
drawn from the bundled sample's texts, written to a price CSV and an article JSON Lines
file as a user's would be. Prints seconds and MB; asserts nothing (the machine may be
shared). The ratios printed last are the time of each backfill over the shortest, against
the ratio of their session counts (linear cost means the two are close); with 5 and 20
years both run, the 4N/N ratio time(20 y) / time(5 y) is printed too (the target: at most 5).
``--timeout`` stops a run that takes longer (its line then says so).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

END = pd.Timestamp("2024-12-31")


def make_inputs(folder: Path, years: int, per_day: int, seed: int = 0) -> Path:
    """Write ``prices.csv``, ``articles.jsonl`` and ``georisk.toml`` covering ``years`` (+1 of warm-up)."""
    from georisk.calendar import get_calendar
    from georisk.config import default_universe
    from georisk.datasets import sample_articles_path

    rng = np.random.default_rng(seed)
    start = END - pd.DateOffset(years=years + 1)
    u = default_universe()
    cols = {}
    for t in u.tickers:
        cal = get_calendar(u.instrument(t).calendar, str(start.date()), str(END.date()))
        s = pd.DatetimeIndex(cal.sessions)
        s = s[(s >= start) & (s <= END)]
        cols[t] = pd.Series(100 * np.exp(np.cumsum(rng.normal(0, 0.012, len(s)))), index=s)
    prices = pd.DataFrame(cols)
    prices.index.name = "date"
    prices.to_csv(folder / "prices.csv", date_format="%Y-%m-%d", float_format="%.4f")

    sample = [json.loads(line) for line in sample_articles_path().read_text("utf-8").splitlines() if line.strip()]
    days = pd.bdate_range(start, END)
    n = len(days) * per_day
    picks = rng.integers(0, len(sample), n)
    minutes = rng.integers(0, 24 * 60, n)
    with (folder / "articles.jsonl").open("w", encoding="utf-8") as fh:
        for i, (pick, minute) in enumerate(zip(picks, minutes, strict=True)):
            when = days[i // per_day] + pd.Timedelta(minutes=int(minute))
            rec = dict(sample[int(pick)])
            rec.update(id=f"bench-{i:07d}", published_at=when.strftime("%Y-%m-%dT%H:%M:00Z"))
            fh.write(json.dumps(rec) + "\n")
    cfg = folder / "georisk.toml"
    cfg.write_text(
        '[articles]\npath = "articles.jsonl"\n[prices]\nsource = "csv"\npath = "prices.csv"\n', encoding="utf-8"
    )
    return cfg


def child(kind: str, folder: Path, years: int) -> dict[str, float]:
    """One measured run in this process: a backfill of ``years``, or one session (twice: cold, warm)."""
    from georisk.pipeline import export_daily, export_range

    cfg = folder / "georisk.toml"
    now = END + pd.Timedelta(days=2)
    out = folder / f"out-{kind}-{years}"
    t0 = time.perf_counter()
    if kind == "backfill":
        results = export_range(cfg, END - pd.DateOffset(years=years) + pd.Timedelta(days=1), END, out_dir=out, now=now)
        seconds, sessions = time.perf_counter() - t0, len(results)
        extra = {}
    else:
        export_daily(cfg, END, out_dir=out, now=now)
        cold = time.perf_counter() - t0
        t1 = time.perf_counter()
        export_daily(cfg, END, out_dir=out, now=now)
        seconds, sessions = time.perf_counter() - t1, 1
        extra = {"cold_seconds": cold}
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mb = usage.ru_maxrss / 1024  # Linux: kB
    cpu = usage.ru_utime + usage.ru_stime  # the whole process, inputs and scoring included
    return {"seconds": seconds, "sessions": sessions, "peak_mb": peak_mb, "cpu_seconds": cpu, **extra}


def measure(kind: str, folder: Path, years: int, timeout: float | None = None) -> dict[str, float] | None:
    """Run one measurement in a child process; None if it took longer than ``timeout`` seconds."""
    try:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", kind, "--folder", str(folder), "--years", str(years)],
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        raise SystemExit(f"{kind} {years}y failed:\n{proc.stderr[-3000:]}")
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    """Print backfill and one-session timings."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--years", type=int, nargs="+", default=[1, 5, 20], help="backfill lengths (default 1 5 20)")
    p.add_argument("--per-day", type=int, default=8, help="headlines per weekday (default 8)")
    p.add_argument(
        "--session-years", type=int, default=5, help="years of inputs for the one-session export (default 5)"
    )
    p.add_argument("--timeout", type=float, default=None, help="seconds allowed to each backfill (default: none)")
    p.add_argument("--child", choices=("backfill", "session"), help=argparse.SUPPRESS)
    p.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.folder, args.years[0])))
        return 0
    if args.session_years > 0:  # --session-years 0 skips it
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            make_inputs(folder, args.session_years, args.per_day)
            one = measure("session", folder, args.session_years)
            if one is not None:
                print(
                    f"one session on {args.session_years} y of inputs: cold {one['cold_seconds']:.1f} s, warm "
                    f"{one['seconds']:.1f} s, peak {one['peak_mb']:.0f} MB",
                    flush=True,
                )
    rows: dict[int, dict[str, float]] = {}
    for years in args.years:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            make_inputs(folder, years, args.per_day)
            got = measure("backfill", folder, years, args.timeout)
            if got is None:
                print(f"backfill {years:>2} y: did not finish in {args.timeout:.0f} s", flush=True)
                continue
            rows[years] = got
            print(
                f"backfill {years:>2} y: {int(got['sessions']):>5} sessions in {got['seconds']:8.1f} s "
                f"({1000 * got['seconds'] / got['sessions']:.1f} ms a session; process CPU "
                f"{got['cpu_seconds']:.0f} s), peak {got['peak_mb']:.0f} MB",
                flush=True,
            )
    done = sorted(rows)
    for y in done[1:]:
        a, b = rows[done[0]], rows[y]
        print(
            f"time ratio {y} y / {done[0]} y: {b['seconds'] / a['seconds']:.2f} for "
            f"{b['sessions'] / a['sessions']:.2f} times the sessions"
        )
    if 5 in rows and 20 in rows:
        a, b = rows[5], rows[20]
        print(
            f"4N/N: time(20 y) / time(5 y) = {b['seconds'] / a['seconds']:.2f} "
            f"({b['sessions'] / a['sessions']:.2f} times the sessions; linear means about 4, the target is <= 5)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
