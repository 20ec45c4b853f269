"""On-disk layout of the daily export: immutable versions, an atomic pointer, a history.

::

    OUT/
      session=2024-12-31 -> .versions/2024-12-31/<version>   (symlink, swapped atomically)
      latest -> session=2024-12-31                           (the newest session exported)
      history/v2/2024/2024-12-31.parquet                     (one file per session)
      .versions/2024-12-31/<version>/{signal.parquet, signal.csv, signal.json, manifest.json}
      .georisk-export.lock

A version folder is built under a temporary name, every file fsynced, then renamed into
place: it exists complete or not at all, and is never modified afterwards. Publishing
swaps the ``session=D`` symlink with one ``rename``, so a reader sees the old export or
the new one, never a mix. History files are replaced with one ``rename`` each, so a
rerun never adds a duplicate row. Temporary names start with a dot, which dataset
readers (pyarrow, pandas) skip.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import io
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from georisk.errors import ConfigError, CorruptExportError, MissingDataError
from georisk.schema import SCHEMA_VERSION, SignalRow, validate_rows

__all__ = [
    "DATA_FILES",
    "LOCK_NAME",
    "atomic_write_bytes",
    "export_path",
    "publish",
    "read_export",
    "read_history",
    "row_bytes",
    "verify_export",
    "write_history",
]

log = logging.getLogger(__name__)

DATA_FILES = ("signal.parquet", "signal.csv", "signal.json")
MANIFEST = "manifest.json"
VERSIONS = ".versions"
LOCK_NAME = ".georisk-export.lock"
_TMP = ".tmp-"
_FLOATS_EXCLUDED = {"schema_version", "session", "calendar", "cutoff", "n_articles", "n_relevant"}


def _writable(exc: OSError, path: Path) -> ConfigError:
    reason = "read-only file system" if exc.errno == errno.EROFS else exc.strerror or str(exc)
    return ConfigError(
        f"cannot write to the export folder {path}: {reason}; make it writable or pass another --out folder"
    )


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: temporary file, flush, fsync, rename.

    A crash at any point leaves either the old file or the new one, never a fragment;
    the temporary file's name starts with ``.tmp-`` so that dataset readers skip it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{_TMP}{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def flat_frame(rows: list[SignalRow]) -> pd.DataFrame:
    """The flat frame (one row per session) of validated rows, with stable dtypes."""
    frame = pd.DataFrame([r.to_flat() for r in rows])
    frame["cutoff"] = pd.to_datetime(frame["cutoff"], utc=True).dt.as_unit("us")
    for col in frame.columns:
        if col not in _FLOATS_EXCLUDED:
            frame[col] = frame[col].astype("float64")
    frame[["n_articles", "n_relevant"]] = frame[["n_articles", "n_relevant"]].astype("int64")
    return frame


def row_bytes(rows: list[SignalRow]) -> dict[str, bytes]:
    """Serialise rows to the bytes of each data file; the same rows give the same bytes.

    Returns
    -------
    dict
        ``{"signal.parquet": ..., "signal.csv": ..., "signal.json": ...}``. The JSON file
        holds one :class:`~georisk.schema.SignalRow` object when there is one row, else a list.
    """
    frame = flat_frame(rows)
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False, engine="pyarrow")
    csv = frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%dT%H:%M:%S%z").encode()
    dumped = [r.model_dump(mode="json", by_alias=True) for r in rows]
    text = json.dumps(dumped[0] if len(dumped) == 1 else dumped, indent=1, sort_keys=False) + "\n"
    return {"signal.parquet": buf.getvalue(), "signal.csv": csv, "signal.json": text.encode()}


def export_path(out_dir: str | Path, session: str | pd.Timestamp | dt.date) -> Path:
    """The path a reader opens for session ``session``: ``out_dir/session=YYYY-MM-DD``."""
    return Path(out_dir) / f"session={pd.Timestamp(session).date()}"


def verify_export(folder: str | Path) -> dict[str, Any]:
    """Check an export folder against its manifest and return the manifest.

    Parameters
    ----------
    folder : str or pathlib.Path
        A ``session=D`` folder (or the version folder it points to).

    Returns
    -------
    dict
        The manifest.

    Raises
    ------
    CorruptExportError
        If the manifest is missing or unreadable, a data file is missing or extra, or
        a file's SHA-256 differs from the manifest's.
    """
    folder = Path(folder)
    manifest_path = folder / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise CorruptExportError(
            f"{folder} has no {MANIFEST}: the export is incomplete; rerun with --force to replace it"
        ) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CorruptExportError(
            f"{manifest_path} is not valid JSON: the export is corrupted; rerun with --force to replace it"
        ) from exc
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict) or not files:
        raise CorruptExportError(f"{manifest_path} lists no files; rerun with --force to replace it")
    for name, digest in files.items():
        f = folder / name
        if not f.is_file():
            raise CorruptExportError(f"{f} is listed in the manifest but missing; rerun with --force to replace it")
        if _sha256(f.read_bytes()) != digest:
            raise CorruptExportError(
                f"{f} does not match its manifest hash: it was modified or half-written; "
                "rerun with --force to replace it (the corrupted copy is kept aside)"
            )
    extra = sorted(p.name for p in folder.iterdir() if p.name not in files and p.name != MANIFEST)
    if extra:
        raise CorruptExportError(f"{folder} holds files the manifest does not list: {extra}")
    return dict(manifest)


def read_export(path: str | Path, session: str | pd.Timestamp | None = None) -> pd.DataFrame:
    """Read and verify one session's export.

    Parameters
    ----------
    path : str or pathlib.Path
        The export root (then give ``session``) or a ``session=D`` folder.
    session : date-like, optional
        The session to read from the export root.

    Returns
    -------
    pandas.DataFrame
        The flat row(s), validated against the signal-row schema.

    Raises
    ------
    MissingDataError
        If there is no export of the session.
    CorruptExportError
        If the export fails :func:`verify_export` or the schema.
    """
    folder = export_path(path, session) if session is not None else Path(path)
    if not folder.exists():
        raise MissingDataError(f"{folder} does not exist: session not exported yet")
    # Resolve the pointer once: a concurrent publish then cannot mix two versions.
    real = folder.resolve(strict=True)
    if not real.is_dir():
        raise ConfigError(f"{folder} is not an export folder")
    verify_export(real)
    frame = pd.read_parquet(real / "signal.parquet")
    validate_rows(frame)
    return frame


def _clean_temporaries(folder: Path) -> None:
    if not folder.is_dir():
        return
    for p in folder.iterdir():
        if p.name.startswith(_TMP):
            log.info("removing %s left by an interrupted run", p)
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)


def _set_aside(folder: Path, why: str) -> Path:
    stamp = pd.Timestamp.now(tz="UTC").strftime("%Y%m%dT%H%M%S%fZ")
    dest = folder.parent / f"corrupt-{folder.name}-{stamp}"
    os.rename(folder, dest)
    log.warning("set aside the corrupted export %s as %s (%s)", folder, dest, why)
    return dest


def _swap_symlink(link: Path, target: str) -> None:
    tmp = link.parent / f"{_TMP}{link.name}.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, link)
    _fsync_dir(link.parent)


def publish(
    out_dir: Path,
    session: pd.Timestamp,
    files: Mapping[str, bytes],
    manifest: dict[str, Any],
    *,
    overwrite_corrupt: bool = False,
    keep_versions: int = 3,
) -> tuple[Path, bool]:
    """Write one session's files as an immutable version and point ``session=D`` to it.

    Parameters
    ----------
    out_dir : pathlib.Path
        Export root. The caller holds its lock.
    session : pandas.Timestamp
        The session.
    files : mapping
        Data file name to bytes.
    manifest : dict
        The manifest; its ``version`` names the version folder.
    overwrite_corrupt : bool, default False
        Set a corrupted current export aside and publish, instead of raising.
    keep_versions : int, default 3
        Older versions of the session kept besides the current one.

    Returns
    -------
    tuple
        ``(folder, changed)``: the ``session=D`` path and whether a new version was
        published (False when the same version was already current).

    Raises
    ------
    CorruptExportError
        If the current export of the session is corrupted and not ``overwrite_corrupt``.
    """
    link = export_path(out_dir, session)
    vroot = out_dir / VERSIONS / str(session.date())
    version = str(manifest["version"])
    try:
        vroot.mkdir(parents=True, exist_ok=True)
        _clean_temporaries(vroot)
        _clean_temporaries(out_dir)
        current: Path | None = None
        if link.is_symlink() and not link.exists():
            if not overwrite_corrupt:
                raise CorruptExportError(f"{link} points to a missing folder; rerun with --force to replace it")
            link.unlink()
        if link.is_symlink() or link.exists():
            try:
                verify_export(link)
                current = link.resolve()
            except CorruptExportError as exc:
                if not overwrite_corrupt:
                    raise
                if link.is_symlink():
                    _set_aside(link.resolve(), str(exc))  # the link dangles until the swap below
                else:
                    _set_aside(link, str(exc))
            else:
                if not link.is_symlink():
                    # An export in the old layout (a plain folder): move it under .versions.
                    legacy = vroot / f"legacy-{verify_export(link).get('configuration_sha256', 'x')[:12]}"
                    if legacy.exists():
                        shutil.rmtree(legacy)
                    os.rename(link, legacy)
                    current = legacy
        target = vroot / version
        if target.exists():
            try:
                verify_export(target)
            except CorruptExportError as exc:
                _set_aside(target, str(exc))
        if not target.exists():
            tmp = Path(tempfile.mkdtemp(prefix=_TMP, dir=vroot))
            for name, data in {**files, MANIFEST: _manifest_bytes(manifest)}.items():
                with open(tmp / name, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
            _fsync_dir(tmp)
            os.chmod(tmp, 0o755)
            os.rename(tmp, target)
            _fsync_dir(vroot)
        changed = current is None or current != target.resolve()
        if changed:
            _swap_symlink(link, os.path.relpath(target, out_dir))
        _prune(vroot, keep=keep_versions, current=target)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise _writable(exc, out_dir) from exc
        raise
    return link, changed


def _manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode()


def _prune(vroot: Path, *, keep: int, current: Path) -> None:
    versions = [p for p in vroot.iterdir() if p.is_dir() and not p.name.startswith((_TMP, "corrupt-"))]
    old = sorted((p for p in versions if p != current), key=lambda p: p.stat().st_mtime, reverse=True)
    for p in old[keep:]:
        log.debug("pruning old version %s", p)
        # Rename first (atomic): a crash mid-delete leaves a .tmp- folder, cleaned next run.
        doomed = p.parent / f"{_TMP}prune-{p.name}"
        os.rename(p, doomed)
        shutil.rmtree(doomed, ignore_errors=True)


def update_latest(out_dir: Path, session: pd.Timestamp) -> None:
    """Point ``out_dir/latest`` at ``session=D`` unless it already points to a later session."""
    latest = out_dir / "latest"
    if latest.is_symlink():
        m = re.fullmatch(r"session=(\d{4}-\d{2}-\d{2})", os.readlink(latest))
        if m and pd.Timestamp(m.group(1)) > session:
            return
    _swap_symlink(latest, export_path(".", session).name)


def history_path(out_dir: str | Path, session: pd.Timestamp) -> Path:
    """The history file of ``session``: ``out_dir/history/v<schema>/<year>/<date>.parquet``."""
    return Path(out_dir) / "history" / f"v{SCHEMA_VERSION}" / f"{session.year}" / f"{session.date()}.parquet"


def _report_replaced_history(path: Path, session: pd.Timestamp) -> None:
    """Log what a history file about to be replaced held: an older version, or damage."""
    try:
        (row,) = validate_rows(pd.read_parquet(path))
        if row.session != session.date():
            raise CorruptExportError(f"it holds session {row.session}")
    except Exception as exc:  # any failure to read it back means damage
        log.warning(
            "replacing the damaged history file %s (%s: %s) with the current export of session %s",
            path,
            type(exc).__name__,
            exc,
            session.date(),
            extra={"session": str(session.date())},
        )
    else:
        log.info("replacing the history row of session %s with the new version", session.date())


def write_history(out_dir: Path, session: pd.Timestamp, parquet: bytes) -> Path:
    """Atomically replace the history file of ``session`` (no duplicate row on rerun).

    The history is derived from the session's export (verified first), so a damaged
    history file is rebuilt from it, with a warning in the log.
    """
    path = history_path(out_dir, session)
    try:
        # Under the export lock, any temporary file here was left by a killed run.
        _clean_temporaries(path.parent)
        if path.is_file():
            if path.read_bytes() == parquet:
                return path
            _report_replaced_history(path, session)
        atomic_write_bytes(path, parquet)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise _writable(exc, out_dir) from exc
        raise
    return path


def read_history(
    out_dir: str | Path, start: str | pd.Timestamp | None = None, end: str | pd.Timestamp | None = None
) -> pd.DataFrame:
    """Read the history store: one validated row per exported session, sorted by session.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Export root.
    start, end : date-like, optional
        Inclusive bounds on the session.

    Returns
    -------
    pandas.DataFrame
        Flat rows indexed by ``session`` (a ``DatetimeIndex``).

    Raises
    ------
    MissingDataError
        If nothing was exported in the range.
    CorruptExportError
        If a session appears twice or a row fails the schema.
    """
    root = Path(out_dir) / "history" / f"v{SCHEMA_VERSION}"
    files = sorted(p for p in root.glob("*/*.parquet") if not p.name.startswith("."))
    if not files:
        raise MissingDataError(f"no history in {root}: nothing exported yet")
    frame = pd.concat([pd.read_parquet(p) for p in files], ignore_index=True)
    validate_rows(frame)
    idx = pd.DatetimeIndex(pd.to_datetime(frame.pop("session")), name="session").as_unit("ns")
    frame.index = idx
    if idx.has_duplicates:
        dups = sorted({str(d.date()) for d in idx[idx.duplicated()]})
        raise CorruptExportError(f"{root} holds session(s) twice: {dups}; remove the stray file(s)")
    lo = pd.Timestamp(start) if start is not None else idx.min()
    hi = pd.Timestamp(end) if end is not None else idx.max()
    frame = frame[(idx >= lo) & (idx <= hi)]
    if frame.empty:
        raise MissingDataError(f"no history in {root} between {lo.date()} and {hi.date()}")
    return frame.sort_index()
