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


@pytest.mark.slow
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


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -0.5, "soon", True])
def test_timeout_must_be_finite_and_not_negative(tmp_path: Path, bad):
    with pytest.raises(ConfigError, match="timeout="):
        FileLock(tmp_path / ".lock", timeout=bad)


def test_symlinked_lock_is_refused_and_its_target_untouched(tmp_path: Path):
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n")
    (tmp_path / ".lock").symlink_to(target)
    with pytest.raises(ConfigError, match="symbolic link"):
        FileLock(tmp_path / ".lock").acquire()
    assert target.read_text() == "keep me\n"
    dangling = tmp_path / "d.lock"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(ConfigError, match="symbolic link"):
        FileLock(dangling).acquire()
    assert not (tmp_path / "nowhere").exists()  # O_CREAT through the link would have made it


def test_lock_file_is_never_written_or_truncated(tmp_path: Path):
    path = tmp_path / ".lock"
    path.write_bytes(b"some bytes a user put there")
    hard = tmp_path / "hardlink"
    os.link(path, hard)
    with FileLock(path) as lock:
        assert "pid" in lock.holder_path.read_text()
    assert hard.read_bytes() == b"some bytes a user put there"


def test_fifo_or_folder_in_place_of_the_lock_is_refused_without_hanging(tmp_path: Path):
    fifo = tmp_path / "fifo.lock"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="not a regular file"):
        FileLock(fifo).acquire()
    (tmp_path / "dir.lock").mkdir()
    with pytest.raises(ConfigError, match="cannot create the lock file"):
        FileLock(tmp_path / "dir.lock").acquire()


GUARDED = """
import sys, time
from georisk.lock import FileLock
with FileLock(sys.argv[1], guard_folder=True):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
print("released", flush=True)
"""


@pytest.mark.slow
def test_lock_deleted_by_hand_while_held_keeps_others_out(tmp_path: Path):
    path = tmp_path / ".lock"
    proc = subprocess.Popen(
        [sys.executable, "-c", GUARDED, str(path), "1.0"], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True
    )
    assert proc.stdout is not None
    try:
        assert proc.stdout.readline().strip() == "locked"
        path.unlink()  # an operator "cleaning up" during the run
        with pytest.raises(LockHeldError, match="another run holds the lock"):
            FileLock(path, guard_folder=True).acquire()
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0 and "released" in out  # the holder is unaffected
        with FileLock(path, guard_folder=True, timeout=5):  # and the lock works again afterwards
            assert path.is_file()
    finally:
        proc.kill()
        proc.communicate()
