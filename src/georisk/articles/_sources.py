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

__all__ = ["QUARANTINE_COLUMNS", "load_articles", "read_text_file"]

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
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"cannot parse {value!r} as a timestamp; use ISO 8601, e.g. 2024-03-01T14:30:00Z") from exc
    if pd.isna(ts):
        raise ValueError("no timestamp; give published_at (ISO 8601 with a UTC offset)")
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


def _iter_folder(folder: Path, timestamps: Mapping[str, Any] | None) -> Iterator[_Raw]:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in _FOLDER_SUFFIXES)
    if not files:
        raise InputDataError(f"no {', '.join(_FOLDER_SUFFIXES)} files found; check the folder", path=str(folder))
    for path in files:
        body = read_text_file(path)
        meta, body = _front_matter(body)
        sidecar = path.with_suffix(".json")
        if sidecar.exists():
            try:
                meta = {**json.loads(read_text_file(sidecar)), **meta}
            except json.JSONDecodeError as exc:
                raise InputDataError(f"sidecar is not JSON: {exc.msg}", path=str(sidecar), line=exc.lineno) from exc
        title = meta.get("title", "")
        if path.suffix.lower() in {".html", ".htm"}:
            html_title, body = html_to_text(body)
            title = title or html_title
        elif not title:
            first, _, rest = body.strip().partition("\n")
            title, body = first.strip(), rest
        values: dict[str, Any] = {"title": title, "text": body, "source": meta.get("source", folder.name)}
        for key in ("id", "url", "published_at"):
            if key in meta:
                values[key] = meta[key]
        if timestamps is not None and path.name in timestamps:
            values["published_at"] = timestamps[path.name]
        yield _Raw(str(path), None, values)


def _iter_jsonl(path: Path) -> Iterator[_Raw]:
    text = read_text_file(path)
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


def _iter_csv(path: Path) -> Iterator[_Raw]:
    reader = csv.DictReader(io.StringIO(read_text_file(path), newline=""))
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
) -> Article:
    if "__error__" in raw.fields:
        field, reason = raw.fields["__error__"]
        raise InputDataError(reason, path=raw.file, line=raw.line, field=field)
    values = _rename(raw.fields, columns)
    unknown = sorted(set(values) - set(_FIELDS))
    if unknown:
        raise InputDataError(
            f"unknown field(s) {unknown}; map them with columns={{'text': '...'}} or drop them",
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


@overload
def load_articles(
    source: str | Path | pd.DataFrame,
    *,
    format: Literal["auto", "jsonl", "csv", "folder"] = ...,
    columns: Mapping[str, str] | None = ...,
    timezone: str | None = ...,
    date_only: DateOnlyPolicy = ...,
    timestamps: Mapping[str, Any] | None = ...,
    source_name: str | None = ...,
    lenient: Literal[False] = ...,
) -> pd.DataFrame: ...
@overload
def load_articles(
    source: str | Path | pd.DataFrame,
    *,
    format: Literal["auto", "jsonl", "csv", "folder"] = ...,
    columns: Mapping[str, str] | None = ...,
    timezone: str | None = ...,
    date_only: DateOnlyPolicy = ...,
    timestamps: Mapping[str, Any] | None = ...,
    source_name: str | None = ...,
    lenient: Literal[True],
) -> tuple[pd.DataFrame, pd.DataFrame]: ...
def load_articles(
    source: str | Path | pd.DataFrame,
    *,
    format: Literal["auto", "jsonl", "csv", "folder"] = "auto",
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
    date_only: DateOnlyPolicy = "end_of_day",
    timestamps: Mapping[str, Any] | None = None,
    source_name: str | None = None,
    lenient: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Load, validate and clean articles from a file, a folder or a DataFrame.

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
        naming the file, line and field. If True, return ``(articles, quarantine)``:
        bad records are listed in ``quarantine`` (columns ``file``, ``line``,
        ``field``, ``reason``), never silently dropped.

    Returns
    -------
    pandas.DataFrame or tuple of pandas.DataFrame
        Columns ``id``, ``published_at`` (``datetime64[ns, UTC]``), ``title``, ``text``,
        ``source``, ``url``; sorted by ``published_at``. Records with the same ``id``
        (the same source and text) are kept once; the count merged is logged.

    Raises
    ------
    InputDataError
        In strict mode, for the first malformed record.

    Examples
    --------
    >>> import pandas as pd
    >>> from georisk import load_articles
    >>> df = pd.DataFrame({"published_at": ["2024-03-01T14:30:00Z"], "text": ["Talks collapsed."]})
    >>> load_articles(df)[["published_at", "text"]]
                   published_at              text
    0 2024-03-01 14:30:00+00:00  Talks collapsed.
    """
    if isinstance(source, pd.DataFrame):
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
        raws = {
            "folder": lambda: _iter_folder(path, timestamps),
            "jsonl": lambda: _iter_jsonl(path),
            "csv": lambda: _iter_csv(path),
        }[kind]()
    good: list[Article] = []
    bad: list[dict[str, Any]] = []
    for raw in raws:
        try:
            good.append(_validate(raw, columns, timezone, date_only, source_name))
        except InputDataError as exc:
            if not lenient:
                raise
            bad.append({"file": exc.path, "line": exc.line, "field": exc.field, "reason": str(exc)})
    seen: set[str] = set()
    unique = []
    for rec in good:
        if rec.id not in seen:
            seen.add(rec.id)
            unique.append(rec)
    if len(unique) < len(good):
        log.info("merged %d duplicate article(s) with identical source and text", len(good) - len(unique))
    frame = articles_frame(unique)
    if not lenient:
        return frame
    quarantine = pd.DataFrame(bad, columns=QUARANTINE_COLUMNS)
    if bad:
        log.warning("quarantined %d of %d article record(s); see the quarantine frame", len(bad), len(bad) + len(good))
    return frame, quarantine
