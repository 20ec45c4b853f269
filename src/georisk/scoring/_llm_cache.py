"""A Parquet cache of language-model answers, so that no article is paid for twice."""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import Any

__all__ = ["CACHE_COLUMNS", "LLMCache"]

#: Columns of the cache file: the key (model, prompt hash, article id, text hash), then the answer.
CACHE_COLUMNS = [
    "model",
    "prompt_sha256",
    "article_id",
    "text_sha256",
    "answer",
    "dropped_quotes",
    "prompt_tokens",
    "completion_tokens",
]

Key = tuple[str, str, str, str]


class LLMCache:
    """Validated answers keyed by ``(model, prompt_sha256, article_id, text_sha256)``.

    The file is read once when opened and rewritten whole by :meth:`save`, atomically (a
    temporary file in the same folder, then :func:`os.replace`): a run killed mid-write
    leaves the previous file intact. Only answers that passed validation are stored, so an
    article that failed is asked again on the next run.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        The Parquet file; an in-memory cache (gone with the process) when None.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = None if path is None else Path(path)
        self._rows: dict[Key, dict[str, Any]] = {}
        self._dirty = False
        self._lock = threading.Lock()
        if self.path is not None and self.path.exists():
            import pyarrow.parquet as pq

            table = pq.read_table(self.path)
            for row in table.to_pylist():
                key = (str(row["model"]), str(row["prompt_sha256"]), str(row["article_id"]), str(row["text_sha256"]))
                self._rows[key] = row

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        return f"LLMCache(path={str(self.path) if self.path else None!r}, entries={len(self._rows)})"

    def get(self, key: Key) -> dict[str, Any] | None:
        """The stored row of ``key``, or None."""
        with self._lock:
            return self._rows.get(key)

    def put(self, key: Key, answer: str, dropped_quotes: int, prompt_tokens: int, completion_tokens: int) -> None:
        """Store one validated answer (the JSON text the model returned)."""
        row: dict[str, Any] = dict(zip(CACHE_COLUMNS[:4], key, strict=True))
        row.update(
            answer=answer,
            dropped_quotes=int(dropped_quotes),
            prompt_tokens=int(prompt_tokens),
            completion_tokens=int(completion_tokens),
        )
        with self._lock:
            self._rows[key] = row
            self._dirty = True

    def save(self) -> None:
        """Write the file atomically when anything was added since it was read or saved."""
        if self.path is None or not self._dirty:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        with self._lock:
            rows = list(self._rows.values())
            self._dirty = False
        table = pa.Table.from_pylist(
            [{c: r[c] for c in CACHE_COLUMNS} for r in rows],
            schema=pa.schema(
                [(c, pa.string()) for c in CACHE_COLUMNS[:5]] + [(c, pa.int64()) for c in CACHE_COLUMNS[5:]]
            ),
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        os.close(fd)
        try:
            pq.write_table(table, tmp)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
