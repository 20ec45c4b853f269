"""Stage 7: the daily export, written atomically with a manifest.

Each export of session ``D`` is a folder ``<out>/session=D/`` holding ``signal.parquet``,
``signal.csv``, ``signal.json`` (the same one row) and ``manifest.json``. Every file is
written to a temporary name, flushed, fsynced and renamed into place, and the manifest
(written last) records the SHA-256 of each data file, so a reader can tell a complete
export from a partial one. Data files carry no timestamps: the same inputs give the
same bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from georisk._version import __version__
from georisk.errors import ConfigError, CorruptExportError, MissingDataError

__all__ = ["SCHEMA_VERSION", "atomic_write_bytes", "export_daily", "export_row", "read_export", "verify_export"]

#: Version of the exported row layout; bumped on any change of columns or meaning.
SCHEMA_VERSION = "1"
DATA_FILES = ("signal.parquet", "signal.csv", "signal.json")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: temporary file, flush, fsync, rename.

    A crash at any point leaves either the old file or the new one, never a fragment.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def export_row(
    signal: pd.DataFrame, premium: pd.DataFrame, positions: pd.DataFrame, session: pd.Timestamp
) -> pd.DataFrame:
    """Collect the signal, premium and target positions of one session into one row.

    Returns
    -------
    pandas.DataFrame
        One row; columns ``session``, then ``signal__*``, ``premium__*`` and
        ``position__*`` (the target position set at ``session``'s close).

    Raises
    ------
    MissingDataError
        If ``session`` is missing from any of the three frames.
    """
    parts: dict[str, Any] = {"session": session.strftime("%Y-%m-%d")}
    for prefix, frame in (("signal", signal), ("premium", premium), ("position", positions)):
        if session not in frame.index:
            last = frame.index.max()
            ends = last.date() if pd.notna(last) else "nowhere"
            raise MissingDataError(f"no {prefix} row for session {session.date()}; the {prefix} ends {ends}")
        row = frame.loc[session]
        for col, value in row.items():
            parts[f"{prefix}__{col}"] = float(value) if value is not None else math.nan  # type: ignore[arg-type]
    return pd.DataFrame([parts])


def _bytes_for(row: pd.DataFrame, name: str) -> bytes:
    if name.endswith(".parquet"):
        buf = io.BytesIO()
        row.to_parquet(buf, index=False, engine="pyarrow")
        return buf.getvalue()
    if name.endswith(".csv"):
        return row.to_csv(index=False, lineterminator="\n", float_format="%.10g").encode()
    record = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.iloc[0].items()}
    return (json.dumps({"schema_version": SCHEMA_VERSION, "row": record}, indent=1, sort_keys=True) + "\n").encode()


def verify_export(folder: Path) -> dict[str, Any]:
    """Check an export folder against its manifest and return the manifest.

    Raises
    ------
    CorruptExportError
        If the manifest is missing or unreadable, or a data file is missing or its
        SHA-256 differs from the manifest's.
    """
    manifest_path = folder / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise CorruptExportError(
            f"{folder} has no manifest.json: the export is incomplete; delete the folder and rerun"
        ) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CorruptExportError(
            f"{manifest_path} is not valid JSON: the export is corrupted; delete the folder and rerun"
        ) from exc
    for name, digest in manifest.get("files", {}).items():
        f = folder / name
        if not f.exists():
            raise CorruptExportError(f"{f} is listed in the manifest but missing; delete the folder and rerun")
        if hashlib.sha256(f.read_bytes()).hexdigest() != digest:
            raise CorruptExportError(
                f"{f} does not match its manifest hash: it was modified or half-written; delete the folder and rerun"
            )
    return dict(manifest)


def export_daily(
    signal: pd.DataFrame,
    premium: pd.DataFrame,
    positions: pd.DataFrame,
    *,
    session: str | pd.Timestamp,
    out_dir: str | Path,
    parameters: Mapping[str, Any] | None = None,
    inputs: Mapping[str, str | Path] | None = None,
    warnings: list[str] | None = None,
    overwrite_corrupt: bool = False,
) -> Path:
    """Write the export of one session: Parquet, CSV and JSON plus a manifest.

    Parameters
    ----------
    signal, premium, positions : pandas.DataFrame
        From :func:`georisk.daily_signal`, :func:`georisk.risk_premium` and
        :func:`georisk.backtesting.target_positions`, indexed by session.
    session : date-like
        The session to export.
    out_dir : str or pathlib.Path
        Root folder; the export goes to ``out_dir/session=YYYY-MM-DD/``.
    parameters : mapping, optional
        Parameters of the run, hashed into the manifest.
    inputs : mapping, optional
        ``{name: path}`` of input files whose SHA-256 is recorded.
    warnings : list of str, optional
        Data-quality warnings recorded in the manifest.
    overwrite_corrupt : bool, default False
        Replace a previous export that fails verification instead of raising.

    Returns
    -------
    pathlib.Path
        The export folder.

    Raises
    ------
    CorruptExportError
        If a previous export of the session exists and is corrupted (unless
        ``overwrite_corrupt``).
    """
    ts = pd.Timestamp(session).normalize()
    folder = Path(out_dir) / f"session={ts.date()}"
    if folder.exists() and any(folder.iterdir()) and not overwrite_corrupt:
        verify_export(folder)
    row = export_row(signal, premium, positions, ts)
    files: dict[str, str] = {}
    for name in DATA_FILES:
        data = _bytes_for(row, name)
        atomic_write_bytes(folder / name, data)
        files[name] = hashlib.sha256(data).hexdigest()
    params_json = json.dumps(dict(parameters or {}), sort_keys=True, default=str)
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "georisk_version": __version__,
        "session": str(ts.date()),
        "as_of": str(ts.date()),
        "created_at": pd.Timestamp.now(tz="UTC").isoformat(),
        "configuration_sha256": hashlib.sha256(params_json.encode()).hexdigest(),
        "parameters": json.loads(params_json),
        "inputs": {
            k: {"path": str(p), "sha256": hashlib.sha256(Path(p).read_bytes()).hexdigest()}
            for k, p in (inputs or {}).items()
        },
        "rows": {name: len(row) for name in DATA_FILES},
        "warnings": list(warnings or []),
        "files": files,
    }
    atomic_write_bytes(folder / "manifest.json", (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())
    return folder


def read_export(folder: str | Path) -> pd.DataFrame:
    """Read a verified export folder's row (from its Parquet file).

    Raises
    ------
    CorruptExportError
        If the folder fails :func:`verify_export`.
    """
    path = Path(folder)
    if not path.is_dir():
        raise ConfigError(f"{path} is not an export folder")
    verify_export(path)
    return pd.read_parquet(path / "signal.parquet")
