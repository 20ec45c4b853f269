"""Article sources: JSON Lines, CSV, a folder of text/HTML files, and pandas DataFrames."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, overload

import pandas as pd
from pydantic import ValidationError

from georisk.articles._clean import clean_text, html_to_text
from georisk.articles._record import Article, articles_frame
from georisk.errors import ConfigError, EncodingFallbackWarning, InputDataError

__all__ = ["QUARANTINE_COLUMNS", "ArticleLoad", "load_articles", "read_text_file"]

log = logging.getLogger(__name__)

#: Columns of the quarantine frame returned in lenient mode.
QUARANTINE_COLUMNS = ["file", "line", "field", "reason"]

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FOLDER_SUFFIXES = (".txt", ".md", ".html", ".htm")
_FIELDS = ("id", "published_at", "title", "text", "source", "url")
DateOnlyPolicy = Literal["end_of_day", "start_of_day"]


@dataclass(frozen=True)
class _Raw:
    file: str
    line: int | None
    fields: dict[str, Any]


def read_text_file(path: Path) -> str:
    """Read a text file as UTF-8 (BOM allowed), falling back to cp1252 with a warning.

    Raises
    ------
    InputDataError
        If the file looks binary (contains NUL bytes) or cannot be decoded.
    """
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise InputDataError("file is binary (NUL bytes), not text; remove it from the feed", path=str(path))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InputDataError(
            f"cannot decode as UTF-8 or cp1252 (byte {exc.start}); re-save the file as UTF-8", path=str(path)
        ) from exc
    warnings.warn(
        f"{path}: not valid UTF-8, decoded as cp1252; re-save it as UTF-8 to silence this warning",
        EncodingFallbackWarning,
        stacklevel=3,
    )
    return text


def _parse_timestamp(value: Any, timezone: str | None, date_only: DateOnlyPolicy) -> pd.Timestamp:
    if value is None or (isinstance(value, float) and pd.isna(value)) or (isinstance(value, str) and not value.strip()):
        raise ValueError("no timestamp; give published_at (ISO 8601 with a UTC offset)")
    if isinstance(value, str) and _DATE_ONLY.match(value.strip()):
        if timezone is None:
            raise ValueError(
                f"date-only timestamp {value!r} has no time zone; pass timezone= (e.g. 'UTC') so it can be "
                "placed at the end of that day"
            )
        day = pd.Timestamp(value.strip())
        ts = day + pd.Timedelta(hours=23, minutes=59, seconds=59) if date_only == "end_of_day" else day
        return ts.tz_localize(timezone)
    if isinstance(value, bool | int | float):
        raise ValueError(
            f"numeric timestamp {value!r} is ambiguous; write ISO 8601 (e.g. 2024-03-01T14:30:00Z) or convert "
            "epoch seconds first with pandas.to_datetime(values, unit='s', utc=True)"
        )
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"cannot parse {value!r} as a timestamp; use ISO 8601, e.g. 2024-03-01T14:30:00Z") from exc
    if pd.isna(ts):
        raise ValueError("no timestamp; give published_at (ISO 8601 with a UTC offset)")
    if ts.nanosecond:
        ts = ts.ceil("us")  # Python datetimes hold microseconds; round later, never earlier
    if ts.tz is None:
        if timezone is None:
            raise ValueError(
                f"timestamp {value!r} is naive (no UTC offset); add an offset or pass timezone= to name its zone"
            )
        ts = ts.tz_localize(timezone)
    return ts


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end < 0:
        return {}, text
    meta: dict[str, str] = {}
    for line in text[3:end].splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            meta[k.strip()] = v.strip().strip("'\"")
    return meta, text[end + 4 :].lstrip("\n")


def _drop_repeated_title(body: str, title: str) -> str:
    """Drop the body's first line when it only repeats the title (an HTML ``<h1>``, a Markdown ``# heading``)."""
    head, sep, rest = body.lstrip().partition("\n")
    norm = " ".join(head.strip().lstrip("#").split()).casefold()
    if title and sep and rest.strip() and norm == " ".join(title.split()).casefold():
        return rest
    return body


def _iter_folder(folder: Path, timestamps: Mapping[str, Any] | None, max_file_bytes: int) -> Iterator[_Raw]:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in _FOLDER_SUFFIXES)
    if not files:
        raise InputDataError(f"no {', '.join(_FOLDER_SUFFIXES)} files found; check the folder", path=str(folder))
    for path in files:
        try:
            size = path.stat().st_size
            if size == 0:
                raise InputDataError("file is empty; remove it or give it a text", path=str(path))
            if size > max_file_bytes:
                raise InputDataError(
                    f"file is {size / 1e6:.1f} MB, larger than max_file_bytes={max_file_bytes}; an article file "
                    "this large is not one article: split it or raise max_file_bytes",
                    path=str(path),
                )
            body = read_text_file(path)
        except InputDataError as exc:
            yield _Raw(str(path), None, {"__error__": ("(file)", str(exc).removeprefix(f"{path}: "))})
            continue
        meta, body = _front_matter(body)
        sidecar = path.with_suffix(".json")
        if sidecar.exists():
            try:
                side = json.loads(read_text_file(sidecar))
                if not isinstance(side, dict):
                    raise InputDataError("sidecar must hold one JSON object", path=str(sidecar))
                meta = {**side, **meta}
            except json.JSONDecodeError as exc:
                reason = f"sidecar {sidecar.name} is not JSON: {exc.msg} at line {exc.lineno}; fix it"
                yield _Raw(str(path), None, {"__error__": ("(sidecar)", reason)})
                continue
            except InputDataError as exc:
                yield _Raw(str(path), None, {"__error__": ("(sidecar)", f"sidecar {sidecar.name}: {exc}")})
                continue
        title = meta.get("title", "")
        if path.suffix.lower() in {".html", ".htm"}:
            html_title, body = html_to_text(body)
            title = title or html_title
        elif not title:
            first, _, rest = clean_text(body).partition("\n")  # the headline after boilerplate
            title, body = first.strip(), rest
        values: dict[str, Any] = {
            "title": title,
            "text": _drop_repeated_title(body, title),
            "source": meta.get("source", folder.name),
        }
        for key in ("id", "url", "published_at"):
            if key in meta:
                values[key] = meta[key]
        if timestamps is not None and path.name in timestamps:
            values["published_at"] = timestamps[path.name]
        yield _Raw(str(path), None, values)


def _read_feed(path: Path) -> str:
    """Read a JSON Lines or CSV feed; a file with nothing but whitespace is an error, not zero articles."""
    text = read_text_file(path)
    if not text.strip():
        raise InputDataError("file is empty (no records); remove it or check the export that wrote it", path=str(path))
    return text


def _iter_jsonl(path: Path) -> Iterator[_Raw]:
    text = _read_feed(path)
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield _Raw(str(path), n, {"__error__": ("(json)", f"malformed JSON: {exc.msg} at column {exc.colno}")})
            continue
        if not isinstance(obj, dict):
            yield _Raw(str(path), n, {"__error__": ("(json)", "each line must be a JSON object")})
            continue
        yield _Raw(str(path), n, obj)


def _check_header(present: list[str], columns: Mapping[str, str] | None, where: str, timestamps: bool) -> None:
    """Raise when the fields every record needs are not among the source's columns."""
    mapped = {ours: (columns or {}).get(ours, ours) for ours in ("text", "published_at")}
    for ours, theirs in mapped.items():
        if ours == "published_at" and timestamps:
            continue
        if theirs not in present:
            hint = f"map it with columns={{{ours!r}: 'your_column'}}" if theirs == ours else "check the columns mapping"
            raise InputDataError(
                f"no column {theirs!r} (needed for {ours}); columns are {present}; {hint}",
                path=where,
                line=1 if where != "<DataFrame>" else None,
                field=ours,
            )


def _iter_csv(path: Path, columns: Mapping[str, str] | None) -> Iterator[_Raw]:
    reader = csv.DictReader(io.StringIO(_read_feed(path), newline=""))
    _check_header([str(c) for c in (reader.fieldnames or [])], columns, str(path), timestamps=False)
    for n, row in enumerate(reader, start=2):  # line 1 is the header
        if None in row:
            yield _Raw(str(path), n, {"__error__": ("(row)", "more fields than the header; quote fields with commas")})
            continue
        yield _Raw(str(path), n, dict(row))


def _iter_frame(df: pd.DataFrame) -> Iterator[_Raw]:
    for n, row in enumerate(df.to_dict(orient="records")):
        yield _Raw("<DataFrame>", n, {str(k): v for k, v in row.items()})


def _rename(values: dict[str, Any], columns: Mapping[str, str] | None) -> dict[str, Any]:
    if not columns:
        return values
    out = dict(values)
    for ours, theirs in columns.items():
        if ours not in _FIELDS:
            raise ConfigError(f"columns key {ours!r} is not an article field; use one of {_FIELDS}")
        if theirs in out:
            out[ours] = out.pop(theirs)
    return out


def _validate(
    raw: _Raw,
    columns: Mapping[str, str] | None,
    timezone: str | None,
    date_only: DateOnlyPolicy,
    source_name: str | None,
    max_text_chars: int = 2_000_000,
    extra_columns: Literal["error", "ignore"] = "error",
) -> Article:
    if "__error__" in raw.fields:
        field, reason = raw.fields["__error__"]
        raise InputDataError(reason, path=raw.file, line=raw.line, field=field)
    values = _rename(raw.fields, columns)
    unknown = sorted(set(values) - set(_FIELDS))
    if unknown and extra_columns == "ignore":
        values = {k: v for k, v in values.items() if k in _FIELDS}
    elif unknown:
        raise InputDataError(
            f"unknown field(s) {unknown}; map them with columns={{'text': '...'}}, drop them, "
            "or pass extra_columns='ignore'",
            path=raw.file,
            line=raw.line,
            field=unknown[0],
        )
    values = {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in values.items()}
    try:
        values["published_at"] = _parse_timestamp(values.get("published_at"), timezone, date_only).to_pydatetime()
    except ValueError as exc:
        raise InputDataError(str(exc), path=raw.file, line=raw.line, field="published_at") from exc
    if source_name is not None and not values.get("source"):
        values["source"] = source_name
    text = values.get("text")
    if isinstance(text, str):
        if len(text) > max_text_chars:
            raise InputDataError(
                f"text has {len(text):,} characters, more than max_text_chars={max_text_chars:,}; "
                "split the record or raise max_text_chars",
                path=raw.file,
                line=raw.line,
                field="text",
            )
        values["text"] = clean_text(text)
    if isinstance(values.get("title"), str):
        values["title"] = clean_text(values["title"])
    for key in ("id", "title", "source", "url"):
        if key in values and values[key] is not None and not isinstance(values[key], str):
            values[key] = str(values[key])
    for key in ("id", "title", "source"):
        if values.get(key) is None:
            values.pop(key, None)
    try:
        return Article.model_validate(values)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or None
        hint = " (the article body is empty after cleaning; drop the row or fill it)" if field == "text" else ""
        raise InputDataError(f"{err['msg']}{hint}", path=raw.file, line=raw.line, field=field) from exc


@dataclass(frozen=True)
class ArticleLoad:
    """Everything :func:`load_articles` did, when called with ``report=True``.

    Attributes
    ----------
    articles : pandas.DataFrame
        The validated, cleaned, de-duplicated articles.
    quarantine : pandas.DataFrame
        Records that failed validation (:data:`QUARANTINE_COLUMNS`); empty in strict mode.
    merged : pandas.DataFrame
        Articles merged into an earlier copy (:data:`~georisk.articles.MERGED_COLUMNS`):
        exact repeats and near-duplicates (syndicated copies).
    n_read : int
        Records read from the source, before validation and merging.
    """

    articles: pd.DataFrame
    quarantine: pd.DataFrame
    merged: pd.DataFrame
    n_read: int


_Format = Literal["auto", "jsonl", "csv", "folder"]


@overload
def load_articles(
    source: str | Path | pd.DataFrame,
    *,
    format: _Format = ...,
    columns: Mapping[str, str] | None = ...,
    timezone: str | None = ...,
    date_only: DateOnlyPolicy = ...,
    timestamps: Mapping[str, Any] | None = ...,
    source_name: str | None = ...,
    lenient: Literal[False] = ...,
    near_duplicates: float | None = ...,
    duplicate_window: str = ...,
    max_file_bytes: int = ...,
    max_text_chars: int = ...,
    extra_columns: Literal["error", "ignore"] = ...,
    report: Literal[False] = ...,
) -> pd.DataFrame: ...
@overload
def load_articles(
    source: str | Path | pd.DataFrame,
    *,
    format: _Format = ...,
    columns: Mapping[str, str] | None = ...,
    timezone: str | None = ...,
    date_only: DateOnlyPolicy = ...,
    timestamps: Mapping[str, Any] | None = ...,
    source_name: str | None = ...,
    lenient: Literal[True],
    near_duplicates: float | None = ...,
    duplicate_window: str = ...,
    max_file_bytes: int = ...,
    max_text_chars: int = ...,
    extra_columns: Literal["error", "ignore"] = ...,
    report: Literal[False] = ...,
) -> tuple[pd.DataFrame, pd.DataFrame]: ...
@overload
def load_articles(
    source: str | Path | pd.DataFrame,
    *,
    format: _Format = ...,
    columns: Mapping[str, str] | None = ...,
    timezone: str | None = ...,
    date_only: DateOnlyPolicy = ...,
    timestamps: Mapping[str, Any] | None = ...,
    source_name: str | None = ...,
    lenient: bool = ...,
    near_duplicates: float | None = ...,
    duplicate_window: str = ...,
    max_file_bytes: int = ...,
    max_text_chars: int = ...,
    extra_columns: Literal["error", "ignore"] = ...,
    report: Literal[True],
) -> ArticleLoad: ...
def load_articles(
    source: str | Path | pd.DataFrame,
    *,
    format: _Format = "auto",
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
    date_only: DateOnlyPolicy = "end_of_day",
    timestamps: Mapping[str, Any] | None = None,
    source_name: str | None = None,
    lenient: bool = False,
    near_duplicates: float | None = 0.8,
    duplicate_window: str = "3D",
    max_file_bytes: int = 10_000_000,
    max_text_chars: int = 2_000_000,
    extra_columns: Literal["error", "ignore"] = "error",
    report: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame] | ArticleLoad:
    """Load, validate, clean and de-duplicate articles from a file, a folder or a DataFrame.

    Parameters
    ----------
    source : str, pathlib.Path or pandas.DataFrame
        A ``.jsonl`` file, a ``.csv`` file, a folder of ``.txt``/``.md``/``.html`` files
        (timestamps from front matter, a sidecar ``.json`` of the same name, or
        ``timestamps``), or a DataFrame.
    format : {"auto", "jsonl", "csv", "folder"}, default "auto"
        Input format; ``"auto"`` decides from the path.
    columns : mapping, optional
        ``{article_field: source_column}``, e.g. ``{"text": "body", "published_at": "date"}``.
    timezone : str, optional
        Zone of naive or date-only timestamps. Without it such timestamps are rejected:
        georisk never guesses a zone.
    date_only : {"end_of_day", "start_of_day"}, default "end_of_day"
        Where a date without a time is placed. ``"end_of_day"`` (23:59:59 local) is the
        conservative choice: the article counts for the next session, never too early.
    timestamps : mapping, optional
        ``{file_name: timestamp}`` for folder sources without front matter or sidecars.
    source_name : str, optional
        Value of ``source`` for records that do not name one.
    lenient : bool, default False
        If False, the first bad record raises :class:`~georisk.errors.InputDataError`
        naming the file, line and field. If True, bad records are listed in a quarantine
        frame (columns ``file``, ``line``, ``field``, ``reason``), never silently dropped.
    near_duplicates : float or None, default 0.8
        Jaccard similarity of word 5-grams at or above which two articles published
        within ``duplicate_window`` are one story: in publication order, an article is
        merged into the most similar earlier kept one, so later articles never change
        what was kept before them; None merges only exact repeats (same ``id``, earliest
        copy kept). See
        :func:`~georisk.articles.find_near_duplicates`.
    duplicate_window : str, default "3D"
        Largest publication gap between two copies of one story.
    max_file_bytes : int, default 10_000_000
        Folder sources: a larger file is rejected (quarantined in lenient mode).
    max_text_chars : int, default 2_000_000
        A record with a longer text is rejected (quarantined in lenient mode).
    extra_columns : {"error", "ignore"}, default "error"
        What to do with source fields that are not article fields (after ``columns``):
        reject the record (the ``Article`` record forbids extra fields) or ignore them,
        as for a CSV export with many metadata columns.
    report : bool, default False
        Return an :class:`ArticleLoad` (articles, quarantine, merge report) instead.

    Returns
    -------
    pandas.DataFrame, tuple of pandas.DataFrame, or ArticleLoad
        Articles with columns ``id``, ``published_at`` (``datetime64[ns, UTC]``),
        ``title``, ``text``, ``source``, ``url``, sorted by ``published_at``; with
        ``lenient=True`` the tuple ``(articles, quarantine)``; with ``report=True`` an
        :class:`ArticleLoad`. Merged duplicates are logged (INFO) and listed in the
        report.

    Raises
    ------
    InputDataError
        In strict mode, for the first malformed record; in any mode, for a whole file
        that cannot be read (binary, undecodable) or lacks a needed column.

    Examples
    --------
    >>> import pandas as pd
    >>> from georisk import load_articles
    >>> df = pd.DataFrame({"published_at": ["2024-03-01T14:30:00Z"], "text": ["Talks collapsed."]})
    >>> load_articles(df)[["published_at", "text"]]
                   published_at              text
    0 2024-03-01 14:30:00+00:00  Talks collapsed.
    """
    from georisk.articles._dedupe import MERGED_COLUMNS, find_near_duplicates

    if near_duplicates is not None and not 0.0 < near_duplicates <= 1.0:
        raise ConfigError(f"near_duplicates={near_duplicates!r} must be in (0, 1] or None, e.g. 0.8")
    if extra_columns not in ("error", "ignore"):
        raise ConfigError(f"extra_columns={extra_columns!r} must be 'error' or 'ignore'")
    if max_file_bytes < 1 or max_text_chars < 1:
        raise ConfigError("max_file_bytes and max_text_chars must be positive integers")
    if isinstance(source, pd.DataFrame):
        _check_header([str(c) for c in source.columns], columns, "<DataFrame>", timestamps=False)
        raws: Iterator[_Raw] = _iter_frame(source)
    else:
        path = Path(source)
        if not path.exists():
            raise InputDataError("does not exist; check the path", path=str(path))
        kind: str = format
        if kind == "auto":
            kind = (
                "folder"
                if path.is_dir()
                else {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}.get(path.suffix.lower(), "")
            )
            if not kind:
                raise ConfigError(f"cannot tell the format of {path}; pass format='jsonl', 'csv' or 'folder'")
        if kind != "folder" and path.is_dir():
            raise ConfigError(f"{path} is a folder; pass format='folder' or a file")
        raws = {
            "folder": lambda: _iter_folder(path, timestamps, max_file_bytes),
            "jsonl": lambda: _iter_jsonl(path),
            "csv": lambda: _iter_csv(path, columns),
        }[kind]()
    good: list[Article] = []
    bad: list[dict[str, Any]] = []
    n_read = 0
    for raw in raws:
        n_read += 1
        try:
            good.append(_validate(raw, columns, timezone, date_only, source_name, max_text_chars, extra_columns))
        except InputDataError as exc:
            if not lenient:
                raise
            bad.append({"file": exc.path, "line": exc.line, "field": exc.field, "reason": str(exc)})
    merged_rows: list[dict[str, Any]] = []
    first: dict[str, Article] = {}
    unique: list[Article] = []
    # earliest publication first (file order on a tie): a repeated id keeps its earliest copy, so a
    # feed truncated at any time keeps the same copy as the full feed (no look-ahead)
    for rec in sorted(good, key=lambda r: pd.Timestamp(r.published_at).tz_convert("UTC")):
        if rec.id in first:
            kept = first[rec.id]
            merged_rows.append(
                {
                    "kept_id": kept.id,
                    "merged_id": rec.id,
                    "merged_source": rec.source,
                    "merged_published_at": pd.Timestamp(rec.published_at).tz_convert("UTC"),
                    "similarity": 1.0,
                }
            )
            continue
        first[rec.id] = rec
        unique.append(rec)
    frame = articles_frame(unique)
    merged = pd.DataFrame(merged_rows, columns=MERGED_COLUMNS)
    if near_duplicates is not None and len(frame) > 1:
        keep, near = find_near_duplicates(frame, threshold=near_duplicates, window=duplicate_window)
        frame = frame[keep].reset_index(drop=True)
        merged = pd.concat([merged, near], ignore_index=True) if len(merged) else near
    if len(merged):
        log.info(
            "merged %d duplicate article(s) into earlier copies (exact repeats and near-duplicates); "
            "load_articles(..., report=True) lists them",
            len(merged),
        )
    quarantine = pd.DataFrame(bad, columns=QUARANTINE_COLUMNS)
    if bad:
        log.warning("quarantined %d of %d article record(s); see the quarantine frame", len(bad), n_read)
    if report:
        return ArticleLoad(articles=frame, quarantine=quarantine, merged=merged, n_read=n_read)
    if not lenient:
        return frame
    return frame, quarantine
