"""A backfill's group commit: versions durable before anything points to them, every file durable at the end.

The checkpoints of :class:`georisk.export.PublishBatch` replace an fsync a file; these
tests check the order of the barriers against the renames that make a session visible
(what a power loss could otherwise undo out of order), and that the fallback without
``syncfs`` fsyncs every file and folder the backfill wrote.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

import georisk._io as io_mod
import georisk.export._store as store
from georisk.config import ConfigError
from georisk.export import PublishBatch, verify_root
from georisk.export._store import PENDING
from georisk.pipeline import export_range

NOW = pd.Timestamp("2025-01-03", tz="UTC")


def test_sessions_and_latest_point_only_to_what_a_barrier_made_durable(tmp_path: Path, monkeypatch) -> None:
    events: list[tuple[str, str]] = []
    real_sync, real_swap, real_rename = store.sync_paths, store._swap_symlink, os.rename

    def sync(root: Path, paths) -> None:  # type: ignore[no-untyped-def]
        events.append(("barrier", ""))
        real_sync(root, paths)

    def swap(link: Path, target: str, *, sync: bool = True) -> None:
        events.append(("link", f"{link.name}->{target}"))
        real_swap(link, target, sync=sync)

    def rename(src, dst) -> None:  # type: ignore[no-untyped-def]
        real_rename(src, dst)
        if ".versions" in str(dst):
            events.append(("version", str(Path(dst).relative_to(out / ".versions"))))

    out = tmp_path / "out"
    monkeypatch.setattr(store, "CHECKPOINT_SESSIONS", 4)
    monkeypatch.setattr(store, "sync_paths", sync)
    monkeypatch.setattr(store, "_swap_symlink", swap)
    monkeypatch.setattr(os, "rename", rename)
    res = export_range(None, "2024-12-09", "2024-12-31", out_dir=out, now=NOW)
    monkeypatch.undo()
    assert len(res) > 8  # several checkpoints
    barriers = [i for i, (kind, _) in enumerate(events) if kind == "barrier"]
    assert len(barriers) >= 2 * (len(res) // 4)
    made = {what: i for i, (kind, what) in enumerate(events) if kind == "version"}
    linked: dict[str, int] = {}
    for i, (kind, what) in enumerate(events):
        if kind != "link":
            continue
        name, target = what.split("->")
        if name == "latest":
            # latest moves to a session only after a barrier that follows that session's swap
            assert any(linked[target] < b < i for b in barriers), (what, events[: i + 1])
        else:
            version = str(Path(target).relative_to(".versions"))
            assert any(made[version] < b < i for b in barriers), (what, events[: i + 1])
            linked[name] = i
    assert verify_root(out)["exports"] == len(res)
    assert not (out / PENDING).exists()


def test_without_syncfs_every_file_and_folder_written_is_fsynced(tmp_path: Path, monkeypatch) -> None:
    synced: set[int] = set()
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.add(os.fstat(fd).st_ino)
        real_fsync(fd)

    monkeypatch.setattr(io_mod, "_SYNCFS", [None])  # no syncfs(2): fsync path by path
    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(store, "CHECKPOINT_SESSIONS", 3)
    out = tmp_path / "out"
    res = export_range(None, "2024-12-16", "2024-12-31", out_dir=out, now=NOW)
    monkeypatch.undo()
    assert len(res) > 3
    missed = [
        str(p.relative_to(out))
        for p in [out, *out.rglob("*")]
        if not p.is_symlink() and not p.name.startswith(".georisk-export.lock") and p.stat().st_ino not in synced
    ]
    assert missed == []


def test_a_failed_session_keeps_the_earlier_ones_published(tmp_path: Path, monkeypatch) -> None:
    import georisk.export._publish as publish_mod

    real = publish_mod.publish_version
    calls = {"n": 0}

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 6:
            raise store.CorruptExportError("planted failure of the sixth session")
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "CHECKPOINT_SESSIONS", 4)
    monkeypatch.setattr(publish_mod, "publish_version", failing)
    out = tmp_path / "out"
    with pytest.raises(store.CorruptExportError, match="planted"):
        export_range(None, "2024-12-09", "2024-12-31", out_dir=out, now=NOW)
    monkeypatch.undo()
    # the five sessions before it are published, recorded and durable; the batch ended cleanly
    assert verify_root(out)["exports"] == 5
    assert not (out / PENDING).exists()


def test_checkpoint_must_be_a_positive_integer(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="checkpoint"):
        PublishBatch(tmp_path, [pd.Timestamp("2024-12-31")], checkpoint=0)


def test_a_version_folder_left_unpointed_is_recorded_as_it_is(tmp_path: Path) -> None:
    """What a kill between a group's version folders and their checkpoint leaves: whole versions nothing
    points to. The rerun finds the same versions on disk, keeps them (with their own created_at) and
    records their manifests, not the ones it would have written."""
    from georisk.export import export_path, history_path, record_path

    out = tmp_path / "out"
    first = export_range(None, "2024-12-16", "2024-12-31", out_dir=out, now=NOW)
    for r in first[-3:]:
        export_path(out, r.session).unlink()
        history_path(out, r.session).unlink()
        record_path(out, r.session).unlink()
    again = export_range(None, "2024-12-16", "2024-12-31", out_dir=out, now=NOW)
    assert [r.changed for r in again[-3:]] == [True] * 3
    assert [r.manifest["created_at"] for r in again] == [r.manifest["created_at"] for r in first]
    assert verify_root(out)["history"] == len(first)


def test_a_session_failing_half_way_is_not_pointed_to(tmp_path: Path, monkeypatch) -> None:
    """A failure after a session's swap was deferred but before its history and record were: the batch
    commits the whole sessions before it and drops that one's steps, so nothing points to a session
    without its history (and no pending file is left claiming otherwise)."""
    import georisk.export._publish as publish_mod

    real = publish_mod.history_path
    calls = {"n": 0}

    def failing(out_dir, session):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 6:
            raise RuntimeError("planted failure half way through the sixth session")
        return real(out_dir, session)

    monkeypatch.setattr(store, "CHECKPOINT_SESSIONS", 4)
    monkeypatch.setattr(publish_mod, "history_path", failing)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="planted"):
        export_range(None, "2024-12-09", "2024-12-31", out_dir=out, now=NOW)
    monkeypatch.undo()
    assert verify_root(out)["exports"] == verify_root(out)["history"] == 5
    assert not (out / PENDING).exists()
    again = export_range(None, "2024-12-09", "2024-12-31", out_dir=out, now=NOW)
    assert [r.changed for r in again[:5]] == [False] * 5 and verify_root(out)["exports"] == len(again)
