"""Read a partitioned article archive (Parquet or JSON Lines, by glob) into a Dask DataFrame."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from georisk.articles import ARTICLE_COLUMNS, load_articles_report
from georisk.errors import ConfigError, InputDataError

if TYPE_CHECKING:
    import dask.dataframe as dd
    import fsspec  # type: ignore[import-untyped]

__all__ = ["ARTICLE_DTYPES", "read_articles"]

#: Declared schema of the article partitions :func:`read_articles` returns.
ARTICLE_DTYPES: dict[str, Any] = {
    "id": "str",
    "published_at": "datetime64[ns, UTC]",
    "title": "str",
    "text": "str",
    "source": "str",
    "url": "str",
}
_SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
ArchiveFormat = Literal["auto", "parquet", "jsonl"]


def _meta() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in ARTICLE_DTYPES.items()})


def _conform(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[ARTICLE_COLUMNS].copy()
    out["published_at"] = out["published_at"].dt.tz_convert("UTC").dt.as_unit("ns")
    return out.astype({c: t for c, t in ARTICLE_DTYPES.items() if c != "published_at"})


def _reraise(exc: InputDataError, path: str, row_offset: int) -> InputDataError:
    """The same error, naming the archive file instead of a temporary copy or a frame."""
    prefix = str(InputDataError("", path=exc.path, line=exc.line, field=exc.field))
    reason = str(exc)[len(prefix) :] if str(exc).startswith(prefix) else str(exc)
    line = None if exc.line is None else exc.line + row_offset
    return InputDataError(reason, path=path, line=line, field=exc.field)


class _FileReader:
    """Reads and validates one archive file into an article partition (runs on a worker)."""

    def __init__(
        self,
        fs: fsspec.AbstractFileSystem,
        kind: str,
        options: Mapping[str, Any],
        validate: bool,
    ) -> None:
        self.fs = fs
        self.kind = kind
        self.options = dict(options)
        self.validate = validate

    def _local(self) -> bool:
        protocol = self.fs.protocol if isinstance(self.fs.protocol, str) else self.fs.protocol[0]
        return protocol in ("file", "local")

    def _where(self, path: str) -> str:
        return path if self._local() else str(self.fs.unstrip_protocol(path))

    def __call__(self, path: str) -> pd.DataFrame:
        if self.kind == "jsonl":
            return _conform(self._jsonl(path))
        frame = self._parquet(path)
        if self.validate:
            try:
                frame = load_articles_report(frame, **self.options).articles
            except InputDataError as exc:
                # frame rows count from 0, file rows from 1
                raise _reraise(exc, self._where(path), row_offset=1) from exc
            return _conform(frame)
        return _conform(self._check(frame, self._where(path)))

    def _jsonl(self, path: str) -> pd.DataFrame:
        if self._local():
            return load_articles_report(Path(path), format="jsonl", **self.options).articles
        # Remote object: copy it to the worker's temporary folder, validate it there, and
        # name the archive URL (not the copy) in any error.
        fd, tmp = tempfile.mkstemp(suffix=".jsonl")
        try:
            with os.fdopen(fd, "wb") as out, self.fs.open(path, "rb") as src:
                shutil.copyfileobj(src, out, length=1 << 20)
            try:
                return load_articles_report(Path(tmp), format="jsonl", **self.options).articles
            except InputDataError as exc:
                raise _reraise(exc, self._where(path), row_offset=0) from exc
        finally:
            Path(tmp).unlink(missing_ok=True)

    def _parquet(self, path: str) -> pd.DataFrame:
        import pyarrow.parquet as pq

        columns = self.options.get("columns") or {}
        with self.fs.open(path, "rb") as fh:
            table = pq.read_table(fh)
        frame: pd.DataFrame = table.to_pandas()
        return frame.rename(columns={theirs: ours for ours, theirs in columns.items()}) if not self.validate else frame

    @staticmethod
    def _check(frame: pd.DataFrame, path: str) -> pd.DataFrame:
        for col in ("id", "published_at", "text"):
            if col not in frame.columns:
                raise InputDataError(
                    f"no {col!r} column; pass validate=True to build ids and map columns with columns=", path=path
                )
        if not isinstance(frame["published_at"].dtype, pd.DatetimeTZDtype):
            raise InputDataError(
                "published_at is not a timezone-aware timestamp column; pass validate=True (and timezone=)",
                path=path,
                field="published_at",
            )
        defaults: dict[str, Any] = {"title": "", "source": "unknown", "url": None}
        return frame.assign(**{k: v for k, v in defaults.items() if k not in frame.columns})


def read_articles(
    urlpath: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    format: ArchiveFormat = "auto",
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
    date_only: Literal["end_of_day", "start_of_day"] = "end_of_day",
    source_name: str | None = None,
    validate: bool = True,
    storage_options: Mapping[str, Any] | None = None,
    load_options: Mapping[str, Any] | None = None,
) -> dd.DataFrame:
    """Read a partitioned article archive lazily, one Dask partition per file.

    Parameters
    ----------
    urlpath : str, path-like or sequence of them
        A glob (``"archive/2024-*.jsonl"``, ``"s3://bucket/news/*.parquet"``), a file or a
        list of them. Any fsspec URL works when its filesystem package is installed
        (``s3fs``, ``gcsfs``, ``adlfs``); every worker must be able to reach it.
    format : {"auto", "parquet", "jsonl"}, default "auto"
        File format; ``"auto"`` decides from the suffix of the first file
        (``.parquet``/``.pq``, ``.jsonl``/``.ndjson``).
    columns, timezone, date_only, source_name
        As in :func:`georisk.load_articles`, applied to every file.
    validate : bool, default True
        Run every record through :func:`georisk.load_articles` (timestamp rules,
        cleaning, ids, de-duplication within the file). JSON Lines are always validated.
        ``validate=False`` trusts a Parquet archive that georisk wrote itself: it only
        checks that ``id``, ``published_at`` (tz-aware) and ``text`` exist.
    storage_options : mapping, optional
        Passed to fsspec (credentials, endpoint) for remote URLs.
    load_options : mapping, optional
        Further keyword arguments of :func:`georisk.load_articles` for every file, e.g.
        ``{"near_duplicates": None}`` to merge only exact repeats.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy; columns :data:`georisk.articles.ARTICLE_COLUMNS` with the declared dtypes
        :data:`ARTICLE_DTYPES`; one partition per file, in sorted path order. Nothing is
        read until it is computed, and then on the workers.

    Raises
    ------
    InputDataError
        If no file matches (now), or when computed, for the first bad record: the
        message names the archive file, the line (JSON Lines) or row (Parquet, 1-based)
        and the field.
    ConfigError
        If the format cannot be told from the file names.

    Notes
    -----
    Exact repeats and near-duplicates are merged within each file, as
    :func:`georisk.load_articles` does; copies of one story in different files are not
    merged (partition the archive by publication day so that most copies share a file). Keep files to a size
    that fits comfortably in a worker's memory (tens to a few hundred MB): a file is the
    unit of work.

    Examples
    --------
    >>> from georisk.distributed import read_articles  # doctest: +SKIP
    >>> articles = read_articles("archive/*.parquet")  # doctest: +SKIP
    """
    import dask.dataframe as dd
    from fsspec.core import get_fs_token_paths  # type: ignore[import-untyped]

    if format not in ("auto", "parquet", "jsonl"):
        raise ConfigError(f"format={format!r} must be 'auto', 'parquet' or 'jsonl'")
    paths_in: Any = (
        [os.fspath(p) for p in urlpath]
        if isinstance(urlpath, Sequence) and not isinstance(urlpath, str)
        else os.fspath(urlpath)
    )
    fs, _, paths = get_fs_token_paths(paths_in, mode="rb", storage_options=dict(storage_options or {}))
    paths = sorted(p for p in paths if not fs.isdir(p))
    if not paths:
        raise InputDataError("no file matches; check the glob and that the archive is reachable", path=str(paths_in))
    kind: str = format
    if kind == "auto":
        kind = _SUFFIXES.get(Path(paths[0]).suffix.lower(), "")
        if not kind:
            raise ConfigError(f"cannot tell the format of {paths[0]}; pass format='parquet' or 'jsonl'")
    reserved = {"source", "format", "lenient", "report", "on_invalid"} & set(load_options or {})
    if reserved:
        raise ConfigError(f"load_options cannot set {sorted(reserved)}; read_articles sets them itself")
    options = {
        **dict(load_options or {}),
        "columns": columns,
        "timezone": timezone,
        "date_only": date_only,
        "source_name": source_name,
    }
    reader = _FileReader(fs, kind, options, validate)
    frame: dd.DataFrame = dd.from_map(reader, paths, meta=_meta(), enforce_metadata=False)  # type: ignore[no-untyped-call]
    return frame
