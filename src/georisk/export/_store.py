"""On-disk layout of the daily export: immutable versions, an atomic pointer, a history.

::

    OUT/
      session=2024-12-31 -> .versions/2024-12-31/<version>   (symlink, swapped atomically)
      latest -> session=2024-12-31                           (the newest session exported)
      history/v2/2024/2024-12-31.parquet                     (one file per session)
      history/v2/_published/2024/2024-12-31.json             (version and SHA-256 of what is published)
      .versions/2024-12-31/<version>/{signal.parquet, signal.csv, signal.json, manifest.json}
      .georisk-export.lock, .georisk-export.lock.holder
      .georisk-pending.json                                  (only while a session is being published)

A version folder is built under a temporary name, every file fsynced, then renamed into
place: it exists complete or not at all, and is never modified afterwards. Publishing
swaps the ``session=D`` symlink with one ``rename``, so a reader sees the old export or
the new one, never a mix. History files are replaced with one ``rename`` each, so a
rerun never adds a duplicate row. Temporary names start with a dot, which dataset
readers (pyarrow, pandas) skip.

Publishing one session is a small transaction: ``.georisk-pending.json`` names the
session and version first; then the version is published, the history file and the
record under ``_published`` are written, ``latest`` is moved, and the pending file is
removed. A run killed in between leaves the pending file, and the next run (under the
lock) first brings the history and the record in line with whatever ``session=D`` then
points to: the interrupted publication is completed if its swap happened, and is
otherwise as if it never began. :func:`verify_root` checks all of it.

A backfill publishes under one pending file naming all its sessions and groups its
fsyncs (:class:`PublishBatch`): each session's version folder is written without an
fsync a file; every :data:`CHECKPOINT_SESSIONS` sessions one barrier makes those
versions durable, then their ``session=D`` links, history files, records and briefings
are written, a second barrier makes these durable, and only then ``latest`` moves. A
process killed at any instant leaves what a run of single publications leaves (the
next run reconciles every session the pending file names); a power loss loses at most
the sessions since the last checkpoint, which are then at their previous version or
unpublished, never pointed to while incomplete. One session alone is durable at once.

Every file is created ``0o666`` and every folder ``0o777``, less the umask, as ``open``
and ``mkdir`` would (temporary files are made private while written, then set so).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from georisk._io import TMP_PREFIX, atomic_write_bytes, atomic_write_files, folder_mode, fsync_dir, sync_paths
from georisk.config import ExportConfig
from georisk.errors import ConfigError, CorruptExportError, MissingDataError, OutputError, output_error
from georisk.schema import SCHEMA_VERSION, SignalRow, upgrade_manifest, validate_rows

__all__ = [
    "CHECKPOINT_SESSIONS",
    "DATA_FILES",
    "LOCK_NAME",
    "PublishBatch",
    "atomic_write_bytes",
    "atomic_write_files",
    "end_batch",
    "export_path",
    "manifest_bytes",
    "publish",
    "publish_version",
    "read_export",
    "read_history",
    "row_bytes",
    "verify_export",
    "verify_root",
    "write_history",
    "write_pending_batch",
    "write_record",
]

log = logging.getLogger(__name__)

DATA_FILES = ("signal.parquet", "signal.csv", "signal.json")
MANIFEST = "manifest.json"
VERSIONS = ".versions"
LOCK_NAME = ".georisk-export.lock"
PENDING = ".georisk-pending.json"
_TMP = TMP_PREFIX
_FLOATS_EXCLUDED = {"schema_version", "session", "calendar", "cutoff", "n_articles", "n_relevant"}


def _writable(exc: OSError, path: Path) -> OutputError:
    return output_error(exc, exc.filename or path, "cannot write the export (--out)")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def flat_frame(rows: list[SignalRow]) -> pd.DataFrame:
    """The flat frame (one row per session) of validated rows, with stable dtypes."""
    return pd.DataFrame(_flat_columns(rows))


def _flat_columns(rows: list[SignalRow]) -> dict[str, Any]:
    """The columns of :func:`flat_frame`, each with its final dtype (a list for object columns)."""
    flat = [r.to_flat() for r in rows]
    data: dict[str, Any] = {}
    for col in flat[0]:  # column by column, each built with its final dtype (no conversion afterwards)
        values = [f[col] for f in flat]
        if col == "cutoff":  # SignalRow.to_flat's isoformat text: ISO 8601, no format to guess
            data[col] = pd.Series(pd.to_datetime(values, utc=True, format="ISO8601").as_unit("us"))
        elif col in ("n_articles", "n_relevant"):
            data[col] = np.asarray(values, dtype="int64")
        elif col in _FLOATS_EXCLUDED:
            data[col] = values
        else:
            data[col] = np.array([np.nan if v is None else v for v in values], dtype="float64")
    return data


def row_bytes(rows: list[SignalRow]) -> dict[str, bytes]:
    """Serialise rows to the bytes of each data file; the same rows give the same bytes.

    Returns
    -------
    dict
        ``{"signal.parquet": ..., "signal.csv": ..., "signal.json": ...}``. The JSON file
        holds one :class:`~georisk.schema.SignalRow` object when there is one row, else a list.
    """
    columns = _flat_columns(rows)
    key = _schema_key(columns)
    frame: pd.DataFrame | None = None
    csv = _csv_bytes(columns) if key in _CSV_SAME else None
    if csv is None:
        frame = pd.DataFrame(columns)
        csv = _pandas_csv(frame)
        if len(_CSV_SAME) < 64 and _csv_bytes(columns) == csv:
            _CSV_SAME.add(key)
    dumped = [r.model_dump(mode="json", by_alias=True) for r in rows]
    text = json.dumps(dumped[0] if len(dumped) == 1 else dumped, indent=1, sort_keys=False) + "\n"
    return {"signal.parquet": parquet_bytes(frame, columns, key), "signal.csv": csv, "signal.json": text.encode()}


_CSV_DATE = "%Y-%m-%dT%H:%M:%S%z"

#: Kinds of flat frame (see :func:`_schema_key`) whose :func:`_csv_bytes` equalled pandas' CSV on their first frame.
_CSV_SAME: set[tuple[tuple[str, str], ...]] = set()


def _pandas_csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n", date_format=_CSV_DATE).encode()


def _csv_bytes(columns: Mapping[str, Any]) -> bytes | None:
    """The CSV pandas writes of ``pd.DataFrame(columns)``, cell by cell; None for a column it does not know.

    Floats as ``repr`` (the shortest text that reads back the same, as pandas writes
    them; NaN as an empty cell), integers as ``str``, dates as ISO text, the cutoff with :data:`_CSV_DATE`,
    strings quoted only when needed, by the :mod:`csv` module as pandas does. Used for a
    kind of frame only once it gave pandas' bytes (:data:`_CSV_SAME`); a test checks it
    on every row of a backfill.
    """
    import csv as csvlib

    cells: list[list[str]] = []
    for values in columns.values():
        if isinstance(values, pd.Series) and isinstance(values.dtype, pd.DatetimeTZDtype):
            if values.isna().any():
                return None
            cells.append([v.strftime(_CSV_DATE) for v in values])  # as .dt.strftime, without its overhead
        elif isinstance(values, np.ndarray) and values.dtype == np.float64:
            cells.append(["" if v != v else repr(v) for v in values.tolist()])
        elif isinstance(values, np.ndarray) and values.dtype == np.int64:
            cells.append([str(v) for v in values.tolist()])
        elif isinstance(values, list) and all(isinstance(v, str) for v in values):
            cells.append(list(values))
        elif isinstance(values, list) and all(type(v) is dt.date for v in values):
            cells.append([v.isoformat() for v in values])
        else:
            return None
    buf = io.StringIO()
    writer = csvlib.writer(buf, lineterminator="\n", quoting=csvlib.QUOTE_MINIMAL)
    writer.writerow([str(c) for c in columns])
    writer.writerows(zip(*cells, strict=True))
    return buf.getvalue().encode()


#: Arrow schemas (with pandas' metadata) of flat frames, by column types; see :func:`parquet_bytes`.
_SCHEMAS: dict[tuple[tuple[str, str], ...], Any] = {}


def _schema_key(columns: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Column names and dtypes, and for list (object) columns the Python types of the values."""
    key = []
    for col, values in columns.items():
        if isinstance(values, list):
            kind = "object:" + ",".join(sorted({type(v).__name__ for v in values}))
        else:
            dtype = getattr(values, "dtype", None)
            if dtype is None:
                kind = type(values).__name__
            elif dtype in _DTYPE_NAMES:
                kind = _DTYPE_NAMES[dtype]
            else:
                kind = str(dtype)
                if len(_DTYPE_NAMES) < 64:
                    _DTYPE_NAMES[dtype] = kind
        key.append((str(col), kind))
    return tuple(key)


#: ``str(dtype)`` of the dtypes met in :func:`_schema_key` (the same for every row of a backfill).
_DTYPE_NAMES: dict[Any, str] = {}


def _write_parquet(table: Any) -> bytes:
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def _table_from(columns: Mapping[str, Any], schema: Any) -> Any:
    import pyarrow as pa

    types = _TYPES.get(id(schema))
    if types is None or types[0] is not schema:
        types = _TYPES[id(schema)] = (schema, [fld.type for fld in schema])
    arrays = []
    for values, kind in zip(columns.values(), types[1], strict=True):
        data = values.array if isinstance(values, pd.Series) else values
        arrays.append(pa.array(data, type=kind, from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=schema)


#: The field types of each schema in :data:`_SCHEMAS` (by its id, with the schema itself to check it).
_TYPES: dict[int, tuple[Any, list[Any]]] = {}


def parquet_bytes(
    frame: pd.DataFrame | None, columns: Mapping[str, Any], key: tuple[tuple[str, str], ...] | None = None
) -> bytes:
    """``frame.to_parquet(index=False, engine="pyarrow")`` as bytes, the same bytes, faster when repeated.

    ``pyarrow.Table.from_pandas`` infers the schema and pandas' metadata again for every
    one-row frame of a backfill (most of the cost of writing it). Here the schema of each
    kind of frame (column names, dtypes, the Python types in object columns) is inferred
    once; the arrays are then built with it and written as pandas would. The shortcut is
    kept for a kind of frame only once it gave the same bytes as pandas on its first frame.
    ``columns`` are those ``frame`` was built from (:func:`_flat_columns`); ``frame`` may
    be None (it is then built from them when needed), ``key`` their :func:`_schema_key`.
    """
    import pyarrow as pa

    key = _schema_key(columns) if key is None else key
    schema = _SCHEMAS.get(key)
    if schema is not None and (frame is None or list(frame.columns) == list(columns)):
        return _write_parquet(_table_from(columns, schema))
    if frame is None:
        frame = pd.DataFrame(columns)
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False, engine="pyarrow")
    data = buf.getvalue()
    if len(_SCHEMAS) < 64:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        try:
            same = _write_parquet(_table_from(columns, table.schema)) == data
        except (pa.ArrowException, TypeError, ValueError):
            same = False
        if same:
            _SCHEMAS[key] = table.schema
    return data


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


def _swap_symlink(link: Path, target: str, *, sync: bool = True) -> None:
    tmp = link.parent / f"{_TMP}{link.name}.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, link)
    if sync:
        fsync_dir(link.parent)


def publish_version(
    out_dir: Path,
    session: pd.Timestamp,
    files: Mapping[str, bytes],
    manifest: dict[str, Any],
    *,
    overwrite_corrupt: bool = False,
    keep_versions: int | None = None,
    batch: PublishBatch | None = None,
    manifest_raw: bytes | None = None,
) -> tuple[Path, bool, bool]:
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
    keep_versions : int, optional
        Older versions of the session kept besides the current one (default:
        :class:`~georisk.config.ExportConfig`'s ``keep_versions``).
    batch : PublishBatch, optional
        A backfill's group commit: the version is written without an fsync a file, and
        ``session=D`` is pointed to it (and older versions pruned) at the batch's next
        checkpoint, once the version is durable (:meth:`PublishBatch.defer`).
    manifest_raw : bytes, optional
        :func:`manifest_bytes` of ``manifest``, when the caller has it already.

    Returns
    -------
    tuple
        ``(folder, changed, written)``: the ``session=D`` path, whether a new version was
        published (False when the same version was already current), and whether its
        folder was written now (False when a whole copy was on disk already, e.g. left
        by an interrupted run: its manifest, with its own ``created_at``, is kept).

    Raises
    ------
    CorruptExportError
        If the current export of the session is corrupted and not ``overwrite_corrupt``.
    """
    keep_versions = ExportConfig().keep_versions if keep_versions is None else keep_versions
    link = export_path(out_dir, session)
    vroot = out_dir / VERSIONS / str(session.date())
    version = str(manifest["version"])
    try:
        vroot.mkdir(parents=True, exist_ok=True)
        _clean_temporaries(vroot)  # the export root's own temporaries: once a run, in recover()
        current: Path | None = None
        if link.is_symlink() and not link.exists():
            if not overwrite_corrupt:
                raise CorruptExportError(f"{link} points to a missing folder; rerun with --force to replace it")
            link.unlink()
        if link.is_symlink() or link.exists():
            try:
                verify_export(link)
                check_record(out_dir, session, link.resolve())
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
        written = not target.exists()
        if written:
            durable = batch is None
            tmp = Path(tempfile.mkdtemp(prefix=_TMP, dir=vroot))
            raw = manifest_raw if manifest_raw is not None else manifest_bytes(manifest)
            for name, data in {**files, MANIFEST: raw}.items():
                with open(tmp / name, "wb") as fh:
                    fh.write(data)
                    if durable:
                        fh.flush()
                        os.fsync(fh.fileno())
            if durable:
                fsync_dir(tmp)
            os.chmod(tmp, folder_mode())  # mkdtemp makes 0700; every folder follows the umask
            os.rename(tmp, target)
            if durable:
                fsync_dir(vroot)
            else:
                batch.wrote(*(target / n for n in (*files, MANIFEST)), target, vroot)  # type: ignore[union-attr]
        changed = current is None or current != target.resolve()
    except OSError as exc:
        raise _writable(exc, out_dir) from None

    def point() -> None:
        try:
            if changed:
                _swap_symlink(link, os.path.relpath(target, out_dir), sync=batch is None)
                if batch is not None:
                    batch.wrote(out_dir)
            _prune(vroot, keep=keep_versions, current=target)
        except OSError as exc:
            raise _writable(exc, out_dir) from None

    if batch is None:
        point()
    else:
        batch.defer(point)
    return link, changed, written


def publish(
    out_dir: Path,
    session: pd.Timestamp,
    files: Mapping[str, bytes],
    manifest: dict[str, Any],
    *,
    overwrite_corrupt: bool = False,
    keep_versions: int | None = None,
) -> tuple[Path, bool]:
    """:func:`publish_version` of one session alone: ``(folder, changed)``."""
    link, changed, _ = publish_version(
        out_dir, session, files, manifest, overwrite_corrupt=overwrite_corrupt, keep_versions=keep_versions
    )
    return link, changed


def _manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode()


#: Stands for the configuration in :func:`manifest_bytes` (no manifest holds it: it is not valid text).
_CONFIG_MARK = "\udfff georisk configuration \udfff"

#: Indented text of configurations (:func:`manifest_bytes`), by their compact text; one run's at a time.
_CONFIG_TEXT: dict[str, str] = {}


def manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    """The bytes of ``manifest.json``: ``json.dumps(manifest, indent=1, sort_keys=True)`` and a newline.

    The same bytes, faster when repeated: with ``indent``, :mod:`json` encodes in Python,
    and most of a manifest is its ``configuration``, the same in every session of a
    run. Its text is encoded once (keyed by its compact text, which the C encoder makes
    quickly) and put in place of a marker. Indented text of a value nested one level
    deep is its text at the top level with one more space after each newline (strings
    hold no raw newline: JSON escapes them).
    """
    config = manifest.get("configuration")
    if not isinstance(config, dict) or not config:
        return _manifest_bytes(manifest)
    compact = json.dumps(config, sort_keys=True)
    nested = _CONFIG_TEXT.get(compact)
    if nested is None:
        nested = json.dumps(config, indent=1, sort_keys=True).replace("\n", "\n ")
        _CONFIG_TEXT.clear()
        _CONFIG_TEXT[compact] = nested
    text = json.dumps({**manifest, "configuration": _CONFIG_MARK}, indent=1, sort_keys=True)
    mark = json.dumps(_CONFIG_MARK)
    if text.count(mark) != 1:
        return _manifest_bytes(manifest)
    return (text.replace(mark, nested) + "\n").encode()


def _prune(vroot: Path, *, keep: int, current: Path) -> None:
    versions = [p for p in vroot.iterdir() if p.is_dir() and not p.name.startswith((_TMP, "corrupt-"))]
    old = sorted((p for p in versions if p != current), key=lambda p: p.stat().st_mtime, reverse=True)
    for p in old[keep:]:
        log.debug("pruning old version %s", p)
        # Rename first (atomic): a crash mid-delete leaves a .tmp- folder, cleaned next run.
        doomed = p.parent / f"{_TMP}prune-{p.name}"
        os.rename(p, doomed)
        shutil.rmtree(doomed, ignore_errors=True)


def update_latest(out_dir: Path, session: pd.Timestamp, *, sync: bool = True) -> None:
    """Point ``out_dir/latest`` at ``session=D`` unless it already points to a later session.

    With ``sync=False`` the export root is not fsynced after the swap: only inside a
    publication batch (:func:`write_pending_batch`), whose end fsyncs it, and whose pending
    file makes the next run re-point ``latest`` if a crash lost the swap.
    """
    latest = out_dir / "latest"
    try:
        if latest.is_symlink():
            m = re.fullmatch(r"session=(\d{4}-\d{2}-\d{2})", os.readlink(latest))
            if m and pd.Timestamp(m.group(1)) > session:
                return
            if m and pd.Timestamp(m.group(1)) == session:
                return
        _swap_symlink(latest, export_path(".", session).name, sync=sync)
    except OSError as exc:
        raise _writable(exc, out_dir) from None


def record_path(out_dir: str | Path, session: pd.Timestamp) -> Path:
    """The record of what is published for ``session``: ``history/v<schema>/_published/<year>/<date>.json``.

    It holds the version and the SHA-256 of the manifest and of every data file, so that
    :func:`verify_root` can tell an edited manifest (which cannot hash itself) from the
    one published. The leading underscore keeps dataset readers out of it.
    """
    return (
        Path(out_dir) / "history" / f"v{SCHEMA_VERSION}" / "_published" / f"{session.year}" / f"{session.date()}.json"
    )


def write_record(
    out_dir: Path,
    session: pd.Timestamp,
    folder: Path,
    *,
    raw: bytes | None = None,
    batch: PublishBatch | None = None,
) -> Path:
    """Record the version published in ``folder`` (a verified version folder) for ``session``.

    ``raw``: the bytes of ``folder``'s manifest, when the caller has them (else read);
    ``batch``: written without an fsync, made durable at the batch's next checkpoint.
    """
    raw = (folder / MANIFEST).read_bytes() if raw is None else raw
    manifest = json.loads(raw)
    record = {
        "session": str(session.date()),
        "version": manifest["version"],
        "manifest_sha256": _sha256(raw),
        "files": manifest["files"],
    }
    data = (json.dumps(record, indent=1, sort_keys=True) + "\n").encode()
    path = record_path(out_dir, session)
    try:
        _write_derived(path, data, batch)
    except OSError as exc:
        raise _writable(exc, out_dir) from None
    return path


def _write_derived(path: Path, data: bytes, batch: PublishBatch | None, check: Any = None) -> None:
    """Replace a history or record file with ``data`` unless it holds them (``check(path)`` first)."""
    # Under the export lock, any temporary file here was left by a killed run (once a batch).
    if batch is None or batch.first_visit(path.parent):
        _clean_temporaries(path.parent)
    if path.is_file():
        if path.read_bytes() == data:
            return
        if check is not None:
            check(path)
    if batch is None:
        atomic_write_bytes(path, data)
    else:
        atomic_write_files(path.parent, {path.name: data}, durable=False)
        batch.wrote(path, path.parent)


def check_record(out_dir: Path, session: pd.Timestamp, folder: Path) -> None:
    """Refuse a published version whose manifest differs from the one recorded for it (edited).

    Raises
    ------
    CorruptExportError
        If the record names the same version with another manifest SHA-256.
    """
    rec = record_path(out_dir, session)
    try:
        record = json.loads(rec.read_text("utf-8"))
        raw = (folder / MANIFEST).read_bytes()
        version = json.loads(raw).get("version")
    except (OSError, ValueError, AttributeError):
        return  # no record (yet), or unreadable: the write that follows replaces it
    if not isinstance(record, dict) or record.get("version") != version:
        return  # the record is of an earlier version: a publication to be completed
    if record.get("manifest_sha256") != _sha256(raw):
        raise CorruptExportError(
            f"{folder / MANIFEST} was edited after publication (it differs from the SHA-256 recorded in {rec}); "
            "rerun with --force to set it aside and publish again"
        )


def write_pending(out_dir: Path, session: pd.Timestamp, version: str) -> None:
    """Say, before publishing, which session and version are about to be published."""
    record = {"session": str(session.date()), "version": version, "pid": os.getpid()}
    atomic_write_bytes(out_dir / PENDING, (json.dumps(record, sort_keys=True) + "\n").encode())


def write_pending_batch(out_dir: Path, sessions: Sequence[pd.Timestamp]) -> None:
    """Say, before publishing any of them, which sessions a backfill is about to publish.

    One pending file for the whole batch instead of one written and removed per session
    (three fsyncs a session fewer). Each session is still published whole, recorded in
    the history and durable before ``latest`` moves to it; a run killed anywhere in the
    batch leaves this file, and the next run reconciles every session it names with what
    ``session=D`` then points to (:func:`recover`). :func:`clear_pending` ends the batch
    after the export root was fsynced. :class:`PublishBatch` writes it, groups the
    fsyncs of the batch's sessions and ends it.
    """
    days = [str(pd.Timestamp(d).date()) for d in sessions]
    record = {"sessions": days, "pid": os.getpid()}
    atomic_write_bytes(out_dir / PENDING, (json.dumps(record, sort_keys=True) + "\n").encode())


def end_batch(out_dir: Path) -> None:
    """End a publication batch: fsync the export root (the last ``latest`` swap), then clear the pending file."""
    try:
        fsync_dir(out_dir)
    except OSError as exc:
        raise _writable(exc, out_dir) from None
    clear_pending(out_dir)


#: Sessions a backfill publishes between two checkpoints of its group commit (:class:`PublishBatch`).
CHECKPOINT_SESSIONS = 64


class PublishBatch:
    """A backfill's publications under one pending file, their fsyncs grouped at checkpoints.

    Publishing one session alone makes each file durable before the next step (14
    fsyncs). In a batch, :func:`publish` writes each session's version folder without
    an fsync and defers what makes it visible (the ``session=D`` swap, the pruning of
    old versions, the history file, the record, the briefing) with :meth:`defer`. Every
    ``checkpoint`` sessions (and at :meth:`end`), :meth:`checkpoint` runs a group commit:

    1. one barrier (:func:`georisk._io.sync_paths`) makes the waiting version folders durable;
    2. the deferred steps run, in order, each file again written whole under a
       temporary name and renamed (atomic), without an fsync;
    3. a second barrier makes them durable, and only then ``latest`` moves to the newest
       of these sessions.

    So ``session=D`` (and ``latest``) never points, even after a power loss, to a
    version that is not whole on disk; a process killed at any instant leaves the same
    states as a run of single publications (each session whole, the pending file naming
    the batch, reconciled by the next run's :func:`recover`). A power loss loses at most
    the sessions published since the last checkpoint: the next run finds them at their
    previous version or unpublished, and a rerun publishes them again.

    Parameters
    ----------
    out_dir : pathlib.Path
        Export root; the caller holds its lock.
    sessions : sequence of pandas.Timestamp
        Every session the batch may publish (named in the pending file first).
    checkpoint : int, optional
        Sessions between two group commits (>= 1; default :data:`CHECKPOINT_SESSIONS`).
    """

    def __init__(self, out_dir: Path, sessions: Sequence[pd.Timestamp], *, checkpoint: int | None = None):
        checkpoint = CHECKPOINT_SESSIONS if checkpoint is None else checkpoint
        if isinstance(checkpoint, bool) or not isinstance(checkpoint, int) or checkpoint < 1:
            raise ConfigError(f"checkpoint={checkpoint!r} must be an integer >= 1 (sessions between group commits)")
        self.out = out_dir
        self.every = checkpoint
        self._written: list[Path] = []  # written without an fsync since the last barrier
        self._deferred: list[Any] = []  # steps run at the next checkpoint, in order
        self._sessions: list[pd.Timestamp] = []  # sessions whose steps are deferred
        self._complete = 0  # the deferred steps of whole sessions (session_done) come first
        self._visited: set[Path] = set()
        self._broken = False
        self.checkpoints = 0
        write_pending_batch(out_dir, sessions)

    def wrote(self, *paths: Path) -> None:
        """Note files and folders written without an fsync (made durable by the next barrier)."""
        self._written.extend(paths)

    def defer(self, step: Any) -> None:
        """Run ``step()`` (no arguments) at the next checkpoint, after the earlier deferred steps."""
        self._deferred.append(step)

    def first_visit(self, folder: Path) -> bool:
        """True the first time ``folder`` is asked about in this batch (its temporaries are cleaned once)."""
        if folder in self._visited:
            return False
        self._visited.add(folder)
        return True

    def session_done(self, session: pd.Timestamp) -> None:
        """All of ``session``'s steps are deferred; a checkpoint follows every ``checkpoint`` sessions.

        Until this is called the session's steps are not committed if the batch ends on
        an error: a session is pointed to whole or not at all.
        """
        self._sessions.append(pd.Timestamp(session))
        self._complete = len(self._deferred)
        if len(self._sessions) >= self.every:
            self.checkpoint()

    def _barrier(self) -> None:
        try:
            sync_paths(self.out, self._written)
        except OSError as exc:
            raise _writable(exc, self.out) from None
        self._written = []

    def checkpoint(self) -> None:
        """Group commit: versions durable, then pointed to (and the rest written), durable, then ``latest``."""
        if not self._deferred and not self._sessions and not self._written:
            return
        steps, self._deferred = self._deferred, []
        sessions, self._sessions = self._sessions, []
        self._complete = 0
        try:
            self._barrier()
            for step in steps:
                step()
            self._barrier()
        except BaseException:
            self._broken = True  # some of these sessions may be half pointed to: leave them to recover()
            raise
        if sessions:
            update_latest(self.out, max(sessions), sync=False)
        self.checkpoints += 1

    def end(self) -> None:
        """Commit what is waiting and end the batch (:func:`end_batch`: the root fsynced, the pending file removed)."""
        self.checkpoint()
        end_batch(self.out)

    def __enter__(self) -> PublishBatch:
        return self

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        if kind is None:
            self.end()
            return
        if self._broken:
            return  # a group commit failed: the pending file stays, for the next run's recover()
        # A session failed: what was published before it stays published (committed
        # here); the pending file stays if that fails too, for the next run to reconcile.
        # The failed session's own steps are dropped: its version folder, if written,
        # stays unpointed to (the next publication of the session verifies and uses it).
        del self._deferred[self._complete :]
        try:
            self.end()
        except Exception as again:  # the first failure is the one reported
            log.warning("could not commit the sessions published before the failure: %s", again)


def _pending_sessions(info: Any) -> list[pd.Timestamp]:
    """The sessions a pending file names: one (``session``) or a batch (``sessions``)."""
    if isinstance(info, dict) and isinstance(info.get("sessions"), list):
        return [pd.Timestamp(str(d)) for d in info["sessions"]]
    return [pd.Timestamp(info["session"])]


def clear_pending(out_dir: Path) -> None:
    """The publication is complete: remove the pending file."""
    try:
        (out_dir / PENDING).unlink(missing_ok=True)
        fsync_dir(out_dir)
    except OSError as exc:
        raise _writable(exc, out_dir) from None


def reconcile(out_dir: Path, session: pd.Timestamp) -> str:
    """Bring the history file, the record and ``latest`` of ``session`` in line with what is published.

    Returns
    -------
    str
        ``"recorded"`` when the published version is now recorded, ``"unpublished"`` when
        the session has no export (nothing to record), ``"corrupt"`` when its export fails
        :func:`verify_export` (left for ``--force``).
    """
    link = export_path(out_dir, session)
    if not link.exists():
        return "unpublished"
    try:
        verify_export(link)
    except CorruptExportError as exc:
        log.warning("session %s: %s; not recorded", session.date(), exc)
        return "corrupt"
    real = link.resolve()
    try:
        check_record(out_dir, session, real)
    except CorruptExportError as exc:
        log.warning("session %s: %s; not recorded", session.date(), exc)
        return "corrupt"
    write_history(out_dir, session, (real / "signal.parquet").read_bytes())
    write_record(out_dir, session, real)
    update_latest(out_dir, session)
    return "recorded"


def recover(out_dir: Path) -> str | None:
    """Finish (or undo) a publication a killed run left half done; the caller holds the lock.

    Returns
    -------
    str or None
        What was done, or None when no run was interrupted.
    """
    _clean_temporaries(out_dir)  # under the lock: a temporary here was left by a killed run
    pending = out_dir / PENDING
    if not pending.exists():
        return None
    try:
        info = json.loads(pending.read_text("utf-8"))
        days = _pending_sessions(info)
        version = str(info.get("version"))
    except (ValueError, KeyError, TypeError, OSError) as exc:
        log.warning("ignoring the unreadable %s (%s)", pending, exc)
        clear_pending(out_dir)
        return "unreadable pending file removed"
    if "sessions" in info:  # a batch: bring every session it names in line with what is published
        states = [reconcile(out_dir, d) for d in days]
        what = (
            f"reconciled the {len(days)} session(s) of an interrupted backfill ({days[0].date()} to "
            f"{days[-1].date()}) with what is published: {states.count('recorded')} recorded, "
            f"{states.count('unpublished')} not published, {states.count('corrupt')} corrupt"
            if days
            else "removed the pending file of an empty batch"
        )
        log.warning("%s", what)
        clear_pending(out_dir)
        return what
    session = days[0]
    link = export_path(out_dir, session)
    published = link.is_symlink() and link.exists() and link.resolve().name == version
    state = reconcile(out_dir, session)
    what = (
        f"completed the publication of session {session.date()} (version {version}) that a previous run left unrecorded"
        if published
        else f"rolled back the interrupted publication of session {session.date()} (version {version}): "
        f"the export and history stay as they were ({state})"
    )
    log.warning("%s", what, extra={"session": str(session.date())})
    clear_pending(out_dir)
    return what


def _session_of(path: Path) -> pd.Timestamp | None:
    m = re.fullmatch(r"(?:session=)?(\d{4}-\d{2}-\d{2})(?:\.parquet|\.json)?", path.name)
    if m is None:
        return None
    try:
        return pd.Timestamp(m.group(1))
    except ValueError:
        return None


def verify_root(out_dir: str | Path, session: str | pd.Timestamp | None = None) -> dict[str, Any]:
    """Check every export under ``out_dir`` (or one session's) against its manifest, history and record.

    For each session: the data files match the SHA-256 in the manifest and the row
    schema; the manifest matches the SHA-256 recorded when it was published; the history
    file holds the published ``signal.parquet`` byte for byte. Also: no history row
    without an export, ``latest`` points to the newest session, and no publication was
    left half done by a killed run.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Export root.
    session : date-like, optional
        Check only this session.

    Returns
    -------
    dict
        ``{"exports": n, "history": n, "notes": [...]}`` when everything agrees.

    Raises
    ------
    CorruptExportError
        Listing every difference found, each naming the session, the file and the fix.
    MissingDataError
        If ``session`` was given and has no export.
    """
    out = Path(out_dir)
    problems: list[str] = []
    notes: list[str] = []
    pending_session: pd.Timestamp | None = None
    pending: set[pd.Timestamp] = set()
    if (out / PENDING).exists():
        try:
            pending = set(_pending_sessions(json.loads((out / PENDING).read_text("utf-8"))))
            pending_session = max(pending) if pending else None
        except (ValueError, KeyError, TypeError, OSError):
            problems.append(f"{out / PENDING} is unreadable; the next georisk export removes it")
    if session is not None:
        day = pd.Timestamp(session)
        links = [export_path(out, day)]
        if not links[0].exists() and not links[0].is_symlink():
            raise MissingDataError(f"{links[0]} does not exist: session {day.date()} not exported yet")
    else:
        links = sorted(p for p in out.glob("session=*") if _session_of(p) is not None)
    fix = "rerun the export of that session (an unchanged rerun publishes nothing new and records it)"
    n_hist = 0
    for link in links:
        found = _session_of(link)
        assert found is not None
        day = found
        hint = ""
        if day in pending:
            hint = " (a run was interrupted while publishing it; the next georisk export completes it)"
        try:
            real = link.resolve(strict=True)
            manifest = verify_export(real)
            validate_rows(pd.read_parquet(real / "signal.parquet"))
        except (CorruptExportError, OSError) as exc:
            problems.append(f"session {day.date()}: {exc}{hint}")
            continue
        except Exception as exc:  # a schema failure of a file whose hash matches
            problems.append(f"session {day.date()}: {real / 'signal.parquet'} fails the row schema: {exc}")
            continue
        dated = _manifest_dates(manifest, day)
        if dated:
            problems.append(f"session {day.date()}: {real / MANIFEST} {dated}; rerun the export of that session")
        version = str(manifest.get("version"))
        hist = history_path(out, day)
        published = (real / "signal.parquet").read_bytes()
        if not hist.is_file():
            problems.append(
                f"session {day.date()}: the history has no row for it (export version {version}); {fix}{hint}"
            )
        elif hist.read_bytes() != published:
            problems.append(
                f"session {day.date()}: the history file {hist} differs from the published export (version "
                f"{version}): {fix}{hint}"
            )
        else:
            n_hist += 1
        rec = record_path(out, day)
        try:
            record = json.loads(rec.read_text("utf-8"))
        except FileNotFoundError:
            problems.append(f"session {day.date()}: no record of its publication ({rec}); {fix}{hint}")
            continue
        except (ValueError, OSError) as exc:
            problems.append(f"session {day.date()}: the record {rec} is unreadable ({exc}); {fix}")
            continue
        digest = _sha256((real / MANIFEST).read_bytes())
        if record.get("version") != version:
            problems.append(
                f"session {day.date()}: the published version is {version} but the history records "
                f"{record.get('version')}; {fix}{hint}"
            )
        elif record.get("manifest_sha256") != digest or record.get("files") != manifest.get("files"):
            problems.append(
                f"session {day.date()}: {real / MANIFEST} was edited after publication (its SHA-256 is "
                f"{digest[:12]}..., {str(record.get('manifest_sha256'))[:12]}... was recorded); rerun the export "
                "of that session with --force to publish it again"
            )
    if session is None:
        exported = {_session_of(p) for p in links}
        root = out / "history" / f"v{SCHEMA_VERSION}"
        for f in sorted(root.glob("*/*.parquet")):
            orphan = _session_of(f)
            if orphan is not None and not f.name.startswith(".") and orphan not in exported:
                problems.append(f"the history holds session {orphan.date()} ({f}) but there is no export of it")
        latest = out / "latest"
        newest = max((d for d in exported if d is not None), default=None)
        if newest is not None:
            target = os.readlink(latest) if latest.is_symlink() else None
            if target != export_path(".", newest).name:
                hint = (
                    " (a run was interrupted while publishing it; the next georisk export completes it)"
                    if newest in pending
                    else ""
                )
                problems.append(
                    f"{latest} points to {target!r}, not to the newest session {newest.date()}; rerun its export{hint}"
                )
    if pending_session is not None and not any("interrupted" in p for p in problems):
        notes.append(f"a run was interrupted after recording session {pending_session.date()}; all is consistent")
    if problems:
        raise CorruptExportError(f"{len(problems)} problem(s) under {out}:\n  - " + "\n  - ".join(problems))
    return {"exports": len(links), "history": n_hist, "notes": notes}


def _manifest_dates(manifest: Mapping[str, Any], day: pd.Timestamp) -> str:
    """What is wrong with a manifest's ``as_of`` and ``cutoff`` for session ``day`` ("" when nothing).

    Reads both formats (:func:`georisk.schema.upgrade_manifest`): ``as_of`` must be the
    session and ``cutoff`` an instant with a time zone (format 1: ``as_of`` that instant).
    """
    try:
        data = upgrade_manifest(manifest)
        as_of = pd.Timestamp(str(data["as_of"]))
        cutoff = pd.Timestamp(str(data["cutoff"]))
    except (CorruptExportError, KeyError, ValueError, TypeError) as exc:
        return f"has no readable as_of and cutoff ({exc})"
    if as_of.tzinfo is not None or as_of != day:
        return f"is as of {data['as_of']}, not of its session {day.date()}"
    if cutoff.tzinfo is None:
        return f"has a cutoff without a time zone ({data['cutoff']})"
    return ""


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


def write_history(out_dir: Path, session: pd.Timestamp, parquet: bytes, *, batch: PublishBatch | None = None) -> Path:
    """Atomically replace the history file of ``session`` (no duplicate row on rerun).

    The history is derived from the session's export (verified first), so a damaged
    history file is rebuilt from it, with a warning in the log. With ``batch`` the file
    is written without an fsync and made durable at the batch's next checkpoint.
    """
    path = history_path(out_dir, session)
    try:
        _write_derived(path, parquet, batch, lambda p: _report_replaced_history(p, session))
    except OSError as exc:
        raise _writable(exc, out_dir) from None
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
