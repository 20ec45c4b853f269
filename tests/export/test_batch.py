"""A backfill publishes under one pending file: whole sessions, history and record on disk before ``latest``.

A backfill writes one pending file naming every session of the range instead of one
per session; these tests check that every state a kill can leave is still told apart by
``verify`` and made consistent by the next run's recovery.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from georisk.errors import CorruptExportError
from georisk.export import (
    end_batch,
    export_path,
    history_path,
    read_history,
    record_path,
    recover,
    verify_root,
    write_pending_batch,
)
from georisk.export._store import LOCK_NAME, PENDING
from georisk.lock import FileLock
from georisk.pipeline import export_range

NOW = pd.Timestamp("2025-01-03", tz="UTC")


@pytest.fixture(scope="module")
def backfill(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[pd.Timestamp]]:
    out = tmp_path_factory.mktemp("batch") / "out"
    res = export_range(None, "2024-12-16", "2024-12-31", out_dir=out, now=NOW)
    return out, [r.session for r in res]


def test_a_backfill_leaves_no_pending_file_and_verifies(backfill: tuple[Path, list[pd.Timestamp]]) -> None:
    out, sessions = backfill
    assert not (out / PENDING).exists()
    assert verify_root(out)["exports"] == len(sessions)
    assert os.readlink(out / "latest") == export_path(".", sessions[-1]).name


def test_a_batch_pending_file_is_reconciled_session_by_session(
    backfill: tuple[Path, list[pd.Timestamp]], tmp_path: Path
) -> None:
    import shutil

    out = tmp_path / "out"
    shutil.copytree(backfill[0], out, symlinks=True)
    sessions = backfill[1]
    # what a crash mid-batch can leave: a session swapped but not yet in the history or
    # recorded, and latest not yet moved to the newest session
    write_pending_batch(out, sessions)
    history_path(out, sessions[-1]).unlink()
    record_path(out, sessions[-2]).unlink()
    (out / "latest").unlink()
    os.symlink(export_path(".", sessions[3]).name, out / "latest")
    with pytest.raises(CorruptExportError) as err:
        verify_root(out)
    text = str(err.value)
    assert str(sessions[-1].date()) in text and "interrupted" in text
    with FileLock(out / LOCK_NAME, guard_folder=True):
        what = recover(out)
    assert what is not None and f"{len(sessions)} session(s) of an interrupted backfill" in what
    assert not (out / PENDING).exists()
    assert verify_root(out)["history"] == len(sessions)
    assert os.readlink(out / "latest") == export_path(".", sessions[-1]).name


def test_end_batch_clears_the_pending_file(tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    write_pending_batch(tmp_path, [pd.Timestamp("2024-12-30"), pd.Timestamp("2024-12-31")])
    assert json.loads((tmp_path / PENDING).read_text())["sessions"] == ["2024-12-30", "2024-12-31"]
    end_batch(tmp_path)
    assert not (tmp_path / PENDING).exists()


def test_an_old_single_session_pending_file_is_still_recovered(backfill: tuple[Path, list[pd.Timestamp]]) -> None:
    out, sessions = backfill
    (out / PENDING).write_text(json.dumps({"session": str(sessions[0].date()), "version": "x", "pid": 1}))
    with FileLock(out / LOCK_NAME, guard_folder=True):
        assert "session" in str(recover(out))
    assert not (out / PENDING).exists()
    verify_root(out)


CHILD = r"""
import os
import sys
import time

import pandas as pd
from georisk.pipeline import export_range

_replace, _rename = os.replace, os.rename


def slow_replace(src, dst):
    _replace(src, dst)
    print("renamed", flush=True)  # the parent kills after a number of these: progress, not a clock
    time.sleep(0.004)


def slow_rename(src, dst):
    _rename(src, dst)
    print("renamed", flush=True)
    time.sleep(0.004)


os.replace, os.rename = slow_replace, slow_rename
out, start, every = sys.argv[1], sys.argv[2], int(sys.argv[3])
import georisk.export._store

georisk.export._store.CHECKPOINT_SESSIONS = every  # group commits inside the range too
print("ready", flush=True)
export_range(None, start, "2024-12-31", out_dir=out, now=pd.Timestamp("2025-01-03", tz="UTC"))
print("finished", flush=True)
"""


@pytest.mark.slow
def test_sigkill_during_a_backfill_is_told_by_verify_and_recovered(tmp_path: Path) -> None:
    """Kill backfills at random instants: verify never calls a half-recorded root consistent, and
    after the next run's recovery every published session is whole, in the history and recorded."""
    out = tmp_path / "out"
    rng = random.Random(20241231)
    tally = {"killed": 0, "flagged": 0, "finished": 0}
    for k in range(6):
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(out), "2024-11-01" if k % 2 else "2024-10-01", "64" if k % 3 else "5"],
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        # a backfill of 21 or more sessions renames 7 or more files a session (version
        # folder, session=D, history, record, briefing pages, latest at the checkpoints):
        # killing after at most 150 renames lands inside the publication whatever the
        # machine's speed, before a group commit, inside one or after it
        for _ in range(rng.randint(1, 150)):
            if not proc.stdout.readline():
                break
        proc.send_signal(signal.SIGKILL)
        stdout, _ = proc.communicate()
        if "finished" in stdout:
            tally["finished"] += 1
        else:
            tally["killed"] += 1
        if not out.exists():
            continue  # killed before the export root was made
        pending = (out / PENDING).exists()
        try:
            verify_root(out)
            message = ""
        except CorruptExportError as exc:
            message = str(exc)
        if message:
            tally["flagged"] += 1
            assert pending, f"kill {k}: inconsistent without a pending file: {message}"
            assert "interrupted" in message, message
        with FileLock(out / LOCK_NAME, guard_folder=True):  # what the next run does first
            recover(out)
        assert not (out / PENDING).exists()
        if any(out.glob("session=*")):
            checked = verify_root(out)
            assert checked["history"] == checked["exports"] == len(read_history(out))
    assert tally["killed"] > 0, tally
