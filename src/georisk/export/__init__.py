"""Stage 7: writing the export, idempotent, atomic and versioned, with a manifest and a history.

This package only writes: :func:`export_frames` publishes precomputed frames and
:func:`publish_session` one session's row; the daily job that computes them is
:func:`georisk.pipeline.export_daily` (and :func:`georisk.pipeline.export_range` for a
backfill). See :mod:`georisk.export._store` for the on-disk layout and
:mod:`georisk.schema` for the row schema.
"""

from georisk.export._publish import (
    ExportResult,
    check_keep_versions,
    check_previous,
    export_frames,
    export_lock,
    export_root,
    hash_frame,
    hash_path,
    publish_session,
)
from georisk.export._store import (
    CHECKPOINT_SESSIONS,
    DATA_FILES,
    PublishBatch,
    atomic_write_bytes,
    atomic_write_files,
    end_batch,
    export_path,
    history_path,
    read_export,
    read_history,
    record_path,
    recover,
    verify_export,
    verify_root,
    write_pending_batch,
)
from georisk.schema import SCHEMA_VERSION

__all__ = [
    "CHECKPOINT_SESSIONS",
    "DATA_FILES",
    "SCHEMA_VERSION",
    "ExportResult",
    "PublishBatch",
    "atomic_write_bytes",
    "atomic_write_files",
    "check_keep_versions",
    "check_previous",
    "end_batch",
    "export_frames",
    "export_lock",
    "export_path",
    "export_root",
    "hash_frame",
    "hash_path",
    "history_path",
    "publish_session",
    "read_export",
    "read_history",
    "record_path",
    "recover",
    "verify_export",
    "verify_root",
    "write_pending_batch",
]
