"""Stage 7: the daily export, idempotent, atomic and versioned, with a manifest and a history.

:func:`export_daily` computes one session's signal, premium and positions from the
configured inputs and publishes them; :func:`export_range` backfills a range;
:func:`export_frames` publishes precomputed frames. See :mod:`georisk.export._store`
for the on-disk layout and :mod:`georisk.schema` for the row schema.
"""

from georisk.export._daily import ExportResult, export_daily, export_frames, export_range
from georisk.export._store import (
    DATA_FILES,
    atomic_write_bytes,
    export_path,
    history_path,
    read_export,
    read_history,
    record_path,
    verify_export,
    verify_root,
)
from georisk.schema import SCHEMA_VERSION

__all__ = [
    "DATA_FILES",
    "SCHEMA_VERSION",
    "ExportResult",
    "atomic_write_bytes",
    "export_daily",
    "export_frames",
    "export_path",
    "export_range",
    "history_path",
    "read_export",
    "read_history",
    "record_path",
    "verify_export",
    "verify_root",
]
