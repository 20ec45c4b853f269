import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from georisk.errors import ConfigError, LockHeldError
from georisk.lock import FileLock

HOLD = """
import sys, time
from georisk.lock import FileLock
with FileLock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold_lock(path: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), str(seconds)],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_lock_is_exclusive_within_a_process(tmp_path: Path):
    path = tmp_path / ".lock"
    with FileLock(path) as first:
        assert first.held
        with pytest.raises(LockHeldError, match=rf"holds the lock .*pid {os.getpid()}"):
            FileLock(path).acquire()
    assert not first.held
    with FileLock(path):  # released: can be taken again
        pass
    assert path.exists()  # never deleted: deleting a flock file races


def test_second_process_fails_fast_then_waits(tmp_path: Path):
    path = tmp_path / ".lock"
    proc = hold_lock(path, 1.5)
    try:
        t0 = time.monotonic()
        with pytest.raises(LockHeldError, match=rf"pid {proc.pid} .*waited 0.2 s"):
            FileLock(path, timeout=0.2).acquire()
        assert time.monotonic() - t0 < 1.4
        with FileLock(path, timeout=30, poll=0.05):
            # taken only once the holder released it, about 1.5 s after it took it
            assert time.monotonic() - t0 > 1.2
    finally:
        proc.kill()
        proc.communicate()


def test_sigkilled_holder_leaves_no_stale_lock(tmp_path: Path):
    path = tmp_path / ".lock"
    proc = hold_lock(path, 60)
    proc.kill()
    proc.communicate()
    with FileLock(path, timeout=2):
        pass


def test_bad_arguments_and_unwritable_folder(tmp_path: Path):
    with pytest.raises(ConfigError, match="timeout=-1"):
        FileLock(tmp_path / ".lock", timeout=-1)
    with pytest.raises(ConfigError, match="poll=0"):
        FileLock(tmp_path / ".lock", poll=0)
    with pytest.raises(ConfigError, match="cannot create the lock file"):
        FileLock(tmp_path / "missing" / ".lock").acquire()
    lock = FileLock(tmp_path / ".lock")
    with lock, pytest.raises(ConfigError, match="not re-entrant"):
        lock.acquire()
