"""SIGKILL an exporting process at random points: readers see a whole export, old or new."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from georisk.export import export_frames, history_path, read_export, read_history

D = "2024-12-31"
KILLS = 30
SEED = 20241231

CHILD = r"""
import os
import sys
import time

import pandas as pd
from georisk.calendar import session_closes
from georisk.export import export_frames

_fsync = os.fsync


def slow_fsync(fd):
    # a slow disk: the write phase dominates each cycle, so most kills land inside it
    _fsync(fd)
    time.sleep(0.01)


os.fsync = slow_fsync
out, frames, start = sys.argv[1], sys.argv[2], int(sys.argv[3])
variants = [
    [pd.read_parquet(f"{frames}/{v}_{n}.parquet") for n in ("signal", "premium", "positions")] for v in ("a", "b")
]
session_closes("XNYS", "2024-12-31", "2024-12-31")  # warm the calendar cache before the clock starts
print("ready", flush=True)
i = start
while True:
    s, p, x = variants[i % 2]
    export_frames(s, p, x, session="2024-12-31", out_dir=out, keep_versions=1)
    i += 1
"""


def _visible(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if not p.name.startswith(".")}


@pytest.mark.slow
def _kill_child_export(out: Path, frames: Path, k: int, rng: random.Random) -> None:
    """Start the child export ``k`` and SIGKILL it after a random instant (up to 0.4 s after it is ready)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(out), str(frames), str(k)],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(rng.uniform(0.0, 0.4))
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL, "the child finished or failed before it was killed"


def test_sigkill_at_random_points_never_leaves_a_mix(tmp_path: Path, pipeline_result):
    r = pipeline_result
    frames = tmp_path / "frames"
    frames.mkdir()
    variants = {"a": (r.signal, r.premium, r.positions), "b": (r.signal, r.premium * 1.5, r.positions * -1)}
    expected = {}
    for name, (s, p, x) in variants.items():
        for label, frame in zip(("signal", "premium", "positions"), (s, p, x), strict=True):
            frame.to_parquet(frames / f"{name}_{label}.parquet")
        ref = export_frames(s, p, x, session=D, out_dir=tmp_path / f"ref_{name}")
        expected[name] = {f.name: f.read_bytes() for f in ref.files if f.name != "manifest.json"}
    parquet_to_name = {v["signal.parquet"]: k for k, v in expected.items()}
    assert len(parquet_to_name) == 2

    out = tmp_path / "out"
    rng = random.Random(SEED)
    seen: dict[str, int] = {"none": 0, "a": 0, "b": 0, "mid-write": 0}
    for k in range(KILLS):
        _kill_child_export(out, frames, k, rng)

        if any(out.rglob(".tmp-*")):
            seen["mid-write"] += 1  # the kill interrupted a write: its temporaries are left
        folder = out / f"session={D}"
        if not folder.exists():
            assert not folder.is_symlink(), "a dangling pointer after a kill"
            seen["none"] += 1
            continue
        exported = read_export(folder)  # verifies every file against the manifest and the schema
        real = folder.resolve()
        assert _visible(real) == {"manifest.json", "signal.csv", "signal.json", "signal.parquet"}
        state = parquet_to_name[(real / "signal.parquet").read_bytes()]
        for name, data in expected[state].items():
            assert (real / name).read_bytes() == data, f"kill {k}: {name} mixes two exports"
        assert len(exported) == 1
        seen[state] += 1
        assert _visible(out) <= {f"session={D}", "latest", "history"}
        hist = history_path(out, pd.Timestamp(D))
        if hist.exists():
            assert hist.read_bytes() in parquet_to_name, f"kill {k}: the history file is a fragment"
            assert len(read_history(out)) == 1
            assert _visible(hist.parent) == {hist.name}
    # kills landed in different states, and a final clean run tidies whatever they left
    assert seen["a"] > 0 and seen["b"] > 0 and seen["mid-write"] > 0, seen
    final = export_frames(*variants["a"], session=D, out_dir=out, keep_versions=1)
    assert read_export(final.folder).equals(read_export(tmp_path / "ref_a", D))
    leftovers = [p for p in out.rglob(".tmp-*")]
    assert leftovers == [], leftovers
    assert len(read_history(out)) == 1
    print(f"states after {KILLS} kills: {seen}")


CLI_KILLS = 8


def _start_export(cmd: list[str]) -> tuple[subprocess.Popen[str], float]:
    """Start ``georisk -v export ...`` and wait until it logs that scoring began (inputs loaded)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:
        if "scoring" in line:
            break
    return proc, time.monotonic()


@pytest.mark.slow
def test_sigkill_of_the_real_export_command(tmp_path: Path):
    """Kill ``georisk export`` itself at random points of its compute and write phases.

    Each kill comes a random time after the command logs that scoring began: one random
    time in each of eight equal slices of 0-1.6 times the rest of an uninterrupted run, so
    kills land in the scoring, the premium, the checks and the publishing.
    """
    from georisk.pipeline import export_daily

    cfg = tmp_path / "georisk.toml"
    cfg.write_text("[premium]\nband = 0.8\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "georisk", "-v", "export", "--sample", "--date", D, "--config", str(cfg)]
    ref, t0 = _start_export([*cmd, "--out", str(tmp_path / "ref")])
    _, err = ref.communicate()
    rest = time.monotonic() - t0
    assert ref.returncode == 0, err
    new = (tmp_path / "ref" / f"session={D}" / "signal.parquet").read_bytes()
    out = tmp_path / "out"
    old = export_daily(None, D, out_dir=out).folder.joinpath("signal.parquet").read_bytes()
    assert old != new
    rng = random.Random(SEED + 1)
    seen = []
    for k in range(CLI_KILLS):
        proc, t0 = _start_export([*cmd, "--out", str(out)])
        lo = 1.6 * k / CLI_KILLS
        time.sleep(max(t0 + rng.uniform(lo, lo + 1.6 / CLI_KILLS) * rest - time.monotonic(), 0.0))
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        killed = proc.returncode == -signal.SIGKILL
        assert killed or proc.returncode == 0, f"kill {k}: the export failed with exit code {proc.returncode}"
        read_export(out, D)  # whole and verified
        _, consistent = _consistent(out)
        verdict = subprocess.run(
            [sys.executable, "-m", "georisk", "verify", "--out", str(out)], capture_output=True, text=True
        )
        assert (verdict.returncode == 0) == consistent, f"kill {k}: verify disagrees: {verdict.stderr}"
        assert verdict.returncode in (0, 8), verdict.stderr
        data = (out / f"session={D}" / "signal.parquet").read_bytes()
        assert data in (old, new), f"kill {k}: the export is neither the previous nor the new one"
        assert killed or data == new
        seen.append(("killed" if killed else "finished") + "/" + ("new" if data == new else "old"))
        assert history_path(out, pd.Timestamp(D)).read_bytes() in (old, new), f"kill {k}: a history fragment"
        assert len(read_history(out)) == 1
        if data == new or not consistent:  # put the old one back (recovering first) for the next kill
            export_daily(None, D, out_dir=out)
            assert _consistent(out)[1]
    assert any(s.startswith("killed") for s in seen), seen
    n = sum(s.startswith("killed") for s in seen)
    print(f"real command: {n} of {CLI_KILLS} runs killed (a whole run ends {rest:.1f} s after scoring began): {seen}")


def _consistent(out: Path) -> tuple[str, bool]:
    """An independent look at the export root: its state, and whether history and record match the export."""
    import hashlib
    import json

    from georisk.export import record_path, verify_export

    folder = out / f"session={D}"
    if not folder.exists():
        assert not folder.is_symlink(), "a dangling pointer after a kill"
        return "none", not history_path(out, pd.Timestamp(D)).exists()
    real = folder.resolve()
    verify_export(real)  # the published version is always whole
    hist = history_path(out, pd.Timestamp(D))
    rec = record_path(out, pd.Timestamp(D))
    same_history = hist.is_file() and hist.read_bytes() == (real / "signal.parquet").read_bytes()
    try:
        record = json.loads(rec.read_text())
    except FileNotFoundError:
        return "published", False
    same_record = record["manifest_sha256"] == hashlib.sha256((real / "manifest.json").read_bytes()).hexdigest()
    latest_ok = (out / "latest").is_symlink() and os.readlink(out / "latest") == folder.name
    return "published", bool(same_history and same_record and latest_ok)


@pytest.mark.parametrize(
    "kills",
    [
        pytest.param(20, id="20-kills", marks=pytest.mark.slow),
        pytest.param(100, id="100-kills", marks=pytest.mark.slow),
    ],
)
def test_sigkill_leaves_history_and_verify_consistent(kills: int, tmp_path: Path, pipeline_result):
    """SIGKILL at random instants of a publishing loop; after each, ``verify`` tells the truth about
    the state the kill left, and the next run (its recovery, under the lock) makes it consistent."""
    from georisk.errors import CorruptExportError
    from georisk.export import verify_root
    from georisk.export._store import LOCK_NAME, PENDING, recover
    from georisk.lock import FileLock

    r = pipeline_result
    frames = tmp_path / "frames"
    frames.mkdir()
    variants = {"a": (r.signal, r.premium, r.positions), "b": (r.signal, r.premium * 1.5, r.positions * -1)}
    for name, (s, p, x) in variants.items():
        for label, frame in zip(("signal", "premium", "positions"), (s, p, x), strict=True):
            frame.to_parquet(frames / f"{name}_{label}.parquet")
    out = tmp_path / "out"
    rng = random.Random(SEED + kills)
    tally = {"kills": 0, "consistent after kill": 0, "left half-recorded": 0, "verify agreed": 0, "recovered": 0}
    for k in range(kills):
        _kill_child_export(out, frames, k, rng)
        tally["kills"] += 1
        state, consistent = _consistent(out)
        try:
            verify_root(out)
            says_ok, message = True, ""
        except CorruptExportError as exc:
            says_ok, message = False, str(exc)
        assert says_ok == consistent, f"kill {k}: verify says {'ok' if says_ok else message!r}; state {state}"
        tally["verify agreed"] += 1
        if consistent:
            tally["consistent after kill"] += 1
        else:
            tally["left half-recorded"] += 1
            assert (out / PENDING).exists(), f"kill {k}: inconsistent without a pending publication"
            assert "interrupted" in message or state == "none", message
        with FileLock(out / LOCK_NAME, guard_folder=True):  # what the next run does first
            recover(out)
        assert _consistent(out)[1], f"kill {k}: still inconsistent after recovery"
        if state != "none":
            verify_root(out)
            assert len(read_history(out)) == 1
        assert not (out / PENDING).exists()
        tally["recovered"] += 1
    if kills >= 100:
        assert tally["left half-recorded"] > 0, tally  # the kills did land inside the transaction
    print(f"kill test: {tally}")
