"""Publishing one session's export: manifest, versioned folder, history and record, under the lock.

The writer half of the daily job; :mod:`georisk.pipeline` computes what is published.
:func:`export_frames` publishes precomputed stage frames; :func:`publish_session` is the
per-session step both use. The on-disk layout is :mod:`georisk.export._store`'s.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from georisk._version import __version__
from georisk.calendar import parse_date, session_closes, to_session
from georisk.config import ExportConfig
from georisk.errors import (
    ConfigError,
    CorruptExportError,
    output_error,
)
from georisk.export._store import (
    DATA_FILES,
    LOCK_NAME,
    MANIFEST,
    VERSIONS,
    PublishBatch,
    clear_pending,
    export_path,
    history_path,
    manifest_bytes,
    publish_version,
    recover,
    row_bytes,
    update_latest,
    verify_export,
    write_history,
    write_pending,
    write_record,
)
from georisk.lock import FileLock, check_seconds
from georisk.schema import MANIFEST_VERSION, SCHEMA_VERSION, ExportManifest, SignalRow, build_rows

if TYPE_CHECKING:
    pass

__all__ = [
    "ExportResult",
    "check_keep_versions",
    "check_previous",
    "export_frames",
    "export_lock",
    "export_root",
    "hash_frame",
    "hash_path",
    "publish_session",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportResult:
    """What one session's export wrote.

    Attributes
    ----------
    session : pandas.Timestamp
        The session exported.
    folder : pathlib.Path
        ``out_dir/session=YYYY-MM-DD`` (a symlink to the current version folder).
    version : str
        Content id of the export; the same inputs give the same version.
    changed : bool
        False when the same version was already published (an idempotent rerun).
    manifest : dict
        The manifest of the current version.
    history : pathlib.Path
        The session's file in the history store.
    """

    session: pd.Timestamp
    folder: Path
    version: str
    changed: bool
    manifest: dict[str, Any] = field(repr=False)
    history: Path

    @property
    def files(self) -> list[Path]:
        """The data files and the manifest of the export."""
        return [self.folder / n for n in (*DATA_FILES, "manifest.json")]

    @property
    def warnings(self) -> list[str]:
        """Data-quality warnings recorded in the manifest."""
        return list(self.manifest.get("warnings", []))


def hash_path(path: Path) -> dict[str, Any]:
    h = hashlib.sha256()
    if path.is_dir():
        for f in sorted(p for p in path.rglob("*") if p.is_file()):
            h.update(str(f.relative_to(path)).encode() + b"\0")
            h.update(hashlib.sha256(f.read_bytes()).digest())
        return {"kind": "folder", "path": str(path), "sha256": h.hexdigest()}
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return {"kind": "file", "path": str(path), "sha256": h.hexdigest()}


def hash_frame(frame: pd.DataFrame) -> dict[str, Any]:
    h = hashlib.sha256(json.dumps([str(c) for c in frame.columns]).encode())
    h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return {"kind": "frame", "path": None, "sha256": h.hexdigest()}


def check_keep_versions(keep_versions: int) -> None:
    if isinstance(keep_versions, bool) or not isinstance(keep_versions, int) or keep_versions < 0:
        raise ConfigError(f"keep_versions={keep_versions!r} must be an integer >= 0 (--keep-versions)")


def export_root(out_dir: str | Path) -> Path:
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out} is a file, not a folder; pass a folder (it is created if missing)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(exc, out, "cannot create the export folder (--out)") from None
    if not out.is_dir():
        raise ConfigError(f"--out {out} is not a folder")
    return out


def export_lock(out: Path, lock_timeout: float) -> FileLock:
    return FileLock(
        out / LOCK_NAME, timeout=check_seconds(lock_timeout, "lock_timeout (--lock-timeout)"), guard_folder=True
    )


def publish_session(
    out: Path,
    row: SignalRow,
    base: Mapping[str, Any],
    *,
    warnings: list[str],
    overwrite_corrupt: bool,
    keep_versions: int,
    provenance: Mapping[str, Any] | None = None,
    feed_warnings: list[str] | None = None,
    in_batch: bool = False,
    batch: PublishBatch | None = None,
) -> ExportResult:
    """Publish one row; ``provenance`` and ``feed_warnings`` are recorded but not versioned.

    ``in_batch``: the caller wrote a pending file naming this session among others
    (:func:`~georisk.export.write_pending_batch`) and ends the batch itself
    (:func:`~georisk.export.end_batch`); the session's own pending file is then not
    written, and ``latest`` is swapped without an fsync of the root (the batch's end,
    or the next session's swap, persists it). Either way the version, the history
    file and the record are on disk before ``latest`` moves to the session.

    ``batch``: a backfill's group commit (:class:`~georisk.export.PublishBatch`, which
    wrote the pending file and ends the batch): the version is written now, without an
    fsync a file, and the rest (the ``session=D`` swap, history, record, ``latest``) at
    the batch's next checkpoint, once the version is durable. The result describes the
    publication as it will be then.

    The version is the hash of the manifest without ``created_at``, the ``provenance``
    inputs and the ``feed_warnings``: whole input files (and the count of their bad
    records) grow with news published after the session, and would otherwise make every
    rerun or backfill of an old session a new version although what it used
    (``articles_used``, ``prices_used``) did not change. When the version is unchanged the
    first manifest stays published, so these entries describe the first run.
    """
    session = pd.Timestamp(row.session)
    files = row_bytes([row])
    manifest: dict[str, Any] = {
        **base,
        "schema_version": SCHEMA_VERSION,
        "georisk_version": __version__,
        "manifest_version": MANIFEST_VERSION,
        "session": str(row.session),
        "as_of": str(row.session),  # the session date; its close is the cutoff
        "cutoff": row.cutoff.isoformat(),
        "calendar": row.calendar,
        "rows": dict.fromkeys(files, 1),
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
        "warnings": list(warnings),
    }
    manifest["version"] = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()[:16]
    manifest["inputs"] = {**(provenance or {}), **manifest["inputs"]}
    manifest["warnings"] = [*manifest["warnings"], *(feed_warnings or [])]
    manifest["created_at"] = pd.Timestamp.now(tz="UTC").isoformat()
    ExportManifest.model_validate(manifest)
    raw = manifest_bytes(manifest)
    single = not in_batch and batch is None
    # A small transaction: a run killed anywhere below leaves the pending file, and the
    # next run completes the history and the record (or finds nothing was published).
    if single:
        write_pending(out, session, str(manifest["version"]))
    try:
        folder, changed, written = publish_version(
            out,
            session,
            files,
            manifest,
            overwrite_corrupt=overwrite_corrupt,
            keep_versions=keep_versions,
            batch=batch,
            manifest_raw=raw,
        )
    except CorruptExportError:
        if single:
            clear_pending(out)  # refused before anything was written: nothing to complete
        raise
    real = out / VERSIONS / str(session.date()) / str(manifest["version"])  # what session=D points to now (or then)
    if written:
        published, parquet = raw, files["signal.parquet"]  # just written there: the same bytes
    else:
        published, parquet = (real / MANIFEST).read_bytes(), (real / "signal.parquet").read_bytes()
    history = history_path(out, session)

    def record() -> None:
        write_history(out, session, parquet, batch=batch)
        write_record(out, session, real, raw=published, batch=batch)

    if batch is None:
        record()
        update_latest(out, session, sync=not in_batch)
    else:
        batch.defer(record)  # latest moves at the checkpoint, once this is durable
    if single:
        clear_pending(out)
    current = json.loads(published)
    log.info(
        "exported session %s (version %s, %s) to %s",
        session.date(),
        manifest["version"],
        "new" if changed else "unchanged",
        folder,
        extra={"session": str(session.date()), "version": manifest["version"], "changed": changed},
    )
    for w in [*warnings, *(feed_warnings or [])]:
        # A quiet news day is normal (INFO); a missing price the caller let through is not.
        level = logging.WARNING if w.startswith(("no price", "price quality")) else logging.INFO
        log.log(level, "session %s: %s", session.date(), w, extra={"session": str(session.date())})
    return ExportResult(session, folder, str(current["version"]), changed, current, history)


def export_frames(
    signal: pd.DataFrame,
    premium: pd.DataFrame,
    positions: pd.DataFrame,
    *,
    as_of: str | pd.Timestamp | None = None,
    out_dir: str | Path,
    session: str | pd.Timestamp | None = None,
    calendar: str = "XNYS",
    parameters: Mapping[str, Any] | None = None,
    inputs: Mapping[str, str | Path] | None = None,
    warnings: list[str] | None = None,
    overwrite_corrupt: bool = False,
    lock_timeout: float | None = None,
    keep_versions: int | None = None,
) -> ExportResult:
    """Publish precomputed stage frames as the export of one session.

    The lower-level half of :func:`export_daily`: no inputs are loaded or checked.

    Parameters
    ----------
    signal, premium, positions : pandas.DataFrame
        From :func:`georisk.daily_signal`, :func:`georisk.risk_premium` and
        :func:`georisk.backtesting.target_positions`, indexed by session; the risk
        sleeves are the columns of ``positions``.
    as_of : date-like
        The session to export (must be a session of ``calendar``); its close is the cutoff.
    out_dir : str or pathlib.Path
        Export root.
    session : date-like, optional
        The former name of ``as_of``, still accepted (to be deprecated: give ``as_of``).
    calendar : str, default "XNYS"
        Exchange calendar of the sessions.
    parameters : mapping, optional
        Parameters of the run, hashed into the manifest.
    inputs : mapping, optional
        ``{name: path}`` of input files (or folders) whose SHA-256 is recorded.
    warnings : list of str, optional
        Data-quality warnings recorded in the manifest.
    overwrite_corrupt : bool, default False
        Set a corrupted previous export aside instead of raising.
    lock_timeout : float, optional
        Seconds to wait for another run's lock (default: :class:`~georisk.config.ExportConfig`'s, 0).
    keep_versions : int, optional
        Older versions of the session kept (default: :class:`~georisk.config.ExportConfig`'s, 3).

    Returns
    -------
    ExportResult

    Raises
    ------
    CorruptExportError
        If the previous export of the session is corrupted (unless ``overwrite_corrupt``).
    LockHeldError
        If another run holds the lock after ``lock_timeout`` seconds.
    NotASessionError
        If ``session`` is not a session of ``calendar``.
    """
    defaults = ExportConfig()
    keep_versions = defaults.keep_versions if keep_versions is None else keep_versions
    lock_timeout = defaults.lock_timeout if lock_timeout is None else lock_timeout
    check_keep_versions(keep_versions)
    check_seconds(lock_timeout, "lock_timeout (--lock-timeout)")
    if as_of is not None and session is not None:
        raise ConfigError("give the session as as_of only, not also as session= (its former name)")
    day = as_of if as_of is not None else session
    if day is None:
        raise ConfigError("no session given: pass as_of (a session date, YYYY-MM-DD)")
    ts = to_session(parse_date(day, "as_of"), calendar)
    out = export_root(out_dir)
    closes = session_closes(calendar, str(ts.date()), str(ts.date()))
    row = build_rows(
        signal,
        premium,
        positions,
        pd.DatetimeIndex([ts]),
        sleeves=list(positions.columns),
        closes=closes,
        calendar=calendar,
    )[0]
    params = json.loads(json.dumps(dict(parameters or {}), sort_keys=True, default=str))
    base = {
        "configuration": params,
        "configuration_sha256": hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest(),
        "inputs": {k: hash_path(Path(p)) for k, p in (inputs or {}).items()},
        "articles_used": int(row.n_articles),
        "last_article_at": None,
        "prices_last_date": None,
    }
    with export_lock(out, lock_timeout):
        recover(out)
        return publish_session(
            out,
            row,
            base,
            warnings=list(warnings or []),
            overwrite_corrupt=overwrite_corrupt,
            keep_versions=keep_versions,
        )


def check_previous(out: Path, sessions: pd.DatetimeIndex) -> None:
    """Fail before any work if a previous export of these sessions is corrupted."""
    for d in sessions:
        link = export_path(out, d)
        if link.is_symlink() and not link.exists():
            raise CorruptExportError(f"{link} points to a missing folder; rerun with --force to replace it")
        if link.exists():
            verify_export(link)
