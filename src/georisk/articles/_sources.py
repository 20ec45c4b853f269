"""Article sources: JSON Lines, CSV, a folder of text/HTML files, and pandas DataFrames."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import logging
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

import pandas as pd
from pydantic import ValidationError

from georisk.articles._clean import clean_text, html_to_text
from georisk.articles._record import Article, articles_frame
from georisk.articles._timestamps import (
    DATE_ONLY_POLICIES,
    DateOnlyPolicy,
    Parsed,
    parse_published,
    resolve_published,
)
from georisk.errors import ConfigError, EncodingFallbackWarning, InputDataError

if TYPE_CHECKING:
    from georisk.config import ArticlesConfig

__all__ = [
    "QUARANTINE_COLUMNS",
    "ArticleLoad",
    "DateOnlyPolicy",
    "load_articles",
    "load_articles_report",
    "read_text_file",
]

log = logging.getLogger(__name__)

#: Columns of the quarantine frame (:attr:`ArticleLoad.quarantine`).
QUARANTINE_COLUMNS = ["file", "line", "field", "reason"]

_FOLDER_SUFFIXES = (".txt", ".md", ".html", ".htm")
_CSV_FIELD_LIMIT = 2**31 - 1
# The span of datetime64[ns], the dtype of the article frame's published_at.
_EARLIEST = pd.Timestamp("1678-01-01T00:00:00Z")
_LATEST = pd.Timestamp("2261-12-31T23:59:59.999999Z")
_DIGITS = re.compile(r"\d+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LETTERS = re.compile(r"[^\W\d_]+")
_FIELDS = ("id", "published_at", "title", "text", "source", "url")
# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class _Raw:
    file: str
    line: int | None
    fields: dict[str, Any]


def _decode(data: bytes, encoding: str, path: Path, why: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputDataError(
            f"cannot decode as {encoding}{why} (byte {exc.start}); pass the file's encoding with encoding= "
            "(e.g. 'latin-1', 'cp1252', 'utf-16') or re-save it as UTF-8",
            path=str(path),
        ) from exc
    return text.removeprefix("\ufeff")


def read_text_file(path: Path, *, encoding: str | None = None) -> str:
    """Read a text file: by its byte-order mark, as UTF-8, or as cp1252 with a warning.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    encoding : str, optional
        The file's encoding (any Python codec name). None reads a byte-order mark
        (UTF-8, UTF-16 or UTF-32) when there is one, then tries UTF-8, then cp1252 with an
        :class:`~georisk.errors.EncodingFallbackWarning`.

    Returns
    -------
    str
        The text, without a byte-order mark.

    Raises
    ------
    InputDataError
        If the file cannot be read (permissions, a folder), looks binary (NUL bytes), or
        cannot be decoded; the message names the file and suggests ``encoding=``.
    ConfigError
        If ``encoding`` is not a known codec.
    """
    if encoding is not None:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError as exc:
            raise ConfigError(f"encoding={encoding!r} is not a known text encoding; e.g. 'utf-8', 'latin-1'") from exc
    try:
        data = path.read_bytes()
    except PermissionError as exc:
        raise InputDataError(
            "cannot read: permission denied; give the user running georisk read access to it", path=str(path)
        ) from exc
    except OSError as exc:
        raise InputDataError(f"cannot read: {exc.strerror or exc}; check the path", path=str(path)) from exc
    if encoding is not None:
        text = _decode(data, encoding, path, "")
    else:
        bom = next((name for mark, name in _BOMS if data.startswith(mark)), None)
        if bom is not None:
            text = _decode(data, bom, path, " (the file starts with its byte-order mark)")
        elif b"\x00" in data[:8192]:
            raise InputDataError(
                "file is binary (NUL bytes), not text; remove it from the feed (if it is UTF-16 or UTF-32 "
                "without a byte-order mark, pass encoding='utf-16-le' or the like)",
                path=str(path),
            )
        else:
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            text = _decode(data, "cp1252", path, " after UTF-8 failed")
            warnings.warn(
                f"{path}: not valid UTF-8, decoded as cp1252; pass encoding= (e.g. 'cp1252' or 'latin-1') or "
                "re-save it as UTF-8 to silence this warning",
                EncodingFallbackWarning,
                stacklevel=3,
            )
            return text
    if "\x00" in text:
        raise InputDataError(
            f"file holds NUL characters once decoded as {encoding or bom}; it is binary or in another encoding: "
            "pass the right encoding= or remove it from the feed",
            path=str(path),
        )
    return text


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


def _iter_folder(
    folder: Path, timestamps: Mapping[str, Any] | None, max_file_bytes: int, encoding: str | None
) -> Iterator[_Raw]:
    try:
        files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in _FOLDER_SUFFIXES)
    except PermissionError as exc:
        raise InputDataError(
            "cannot list the folder: permission denied; give the user running georisk read access to it",
            path=str(folder),
        ) from exc
    except OSError as exc:
        raise InputDataError(f"cannot list the folder: {exc.strerror or exc}", path=str(folder)) from exc
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
            body = read_text_file(path, encoding=encoding)
        except OSError as exc:
            reason = f"cannot read: {exc.strerror or exc}; check its permissions"
            yield _Raw(str(path), None, {"__error__": ("(file)", reason)})
            continue
        except InputDataError as exc:
            yield _Raw(str(path), None, {"__error__": ("(file)", str(exc).removeprefix(f"{path}: "))})
            continue
        meta, body = _front_matter(body)
        sidecar = path.with_suffix(".json")
        if sidecar.exists():
            try:
                side = json.loads(read_text_file(sidecar, encoding=encoding))
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


def _read_feed(path: Path, encoding: str | None) -> str:
    """Read a JSON Lines or CSV feed; a file with nothing but whitespace is an error, not zero articles."""
    text = read_text_file(path, encoding=encoding)
    if not text.strip():
        raise InputDataError("file is empty (no records); remove it or check the export that wrote it", path=str(path))
    return text


def _iter_jsonl(path: Path, encoding: str | None) -> Iterator[_Raw]:
    text = _read_feed(path, encoding)
    # JSON Lines ends a record at "\n" only: U+2028, U+2029, form feeds and the like are
    # ordinary characters inside a JSON string, not line breaks (str.splitlines would split there).
    for n, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
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


def _shape(value: str) -> str:
    """A timestamp's written form with the numbers and words blanked: ``2022/3/15`` -> ``0/0/0``."""
    return _DIGITS.sub("0", _LETTERS.sub("a", value.strip()))


def _looks_like_record(
    line: str, ts_at: int, shape: str | None, dayfirst: bool | None, date_format: str | None
) -> bool:
    """Whether one physical line, read alone, starts like a CSV record: a timestamp where one belongs.

    The line may be cut short (the rest of the record can be merged further on). The
    timestamp must be written like the enclosing record's own (``shape``), so that a line
    of prose inside a quoted text that happens to hold a date is not taken for a record.
    """
    try:
        fields = next(csv.reader([line]))
    except (csv.Error, StopIteration):
        return False
    if len(fields) <= ts_at or (shape is not None and _shape(fields[ts_at]) != shape):
        return False
    try:
        parse_published(fields[ts_at], dayfirst=dayfirst, date_format=date_format)
    except ValueError:
        return False
    return True


def _iter_csv(
    path: Path,
    columns: Mapping[str, str] | None,
    encoding: str | None,
    dayfirst: bool | None,
    date_format: str | None,
) -> Iterator[_Raw]:
    """Read a CSV feed with strict quoting; a quote left open is an error naming its line and field.

    Records are numbered by the physical line they start on (line 1 is the header), so a
    record with a quoted line break inside keeps the line an editor shows.
    """
    where = str(path)
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        # The csv module's limit (128 KiB by default) is process-wide; raising it once lets
        # max_text_chars refuse long texts record by record, whatever was loaded before.
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    text = _read_feed(path, encoding)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] = []
    start = 1
    try:
        header = [str(c) for c in next(reader, [])]
        _check_header(header, columns, where, timestamps=False)
        twice = sorted({c for c in header if header.count(c) > 1})
        if twice:
            raise InputDataError(
                f"column(s) {twice} appear more than once in the header; rename or drop the copies",
                path=where,
                line=1,
                field=twice[0],
            )
        ts_at = header.index((columns or {}).get("published_at", "published_at"))
        start = reader.line_num + 1
        for row in reader:
            end = reader.line_num
            line, start = start, end + 1
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # a blank line
            if end > line:  # a quoted field holds a line break: is a record hidden inside it?
                own = row[ts_at] if ts_at < len(row) and "\n" not in row[ts_at] else None
                shape = None if own is None else _shape(own)
                for name, value in zip(header, row, strict=False):
                    inner = _LINE_BREAK.split(value)[1:]
                    hit = next(
                        (x for x in inner if _looks_like_record(x, ts_at, shape, dayfirst, date_format)),
                        None,
                    )
                    if hit is not None:
                        raise InputDataError(
                            f"the quoted field that opens on this line runs on over a line that reads as a new "
                            f"record ({hit[:60]!r}): a quote is not closed, and the records after it would be "
                            'merged into this one; close the quote (a quote inside a field is written twice: "")',
                            path=where,
                            line=line,
                            field=name,
                        )
            if len(row) > len(header):
                reason = "more fields than the header; quote fields with commas"
                yield _Raw(where, line, {"__error__": ("(row)", reason)})
            elif len(row) < len(header):
                reason = (
                    f"{len(row)} field(s) where the header has {len(header)}: the record is cut short "
                    "(a file cut off, or a missing separator); complete it or drop it"
                )
                yield _Raw(where, line, {"__error__": ("(row)", reason)})
            else:
                yield _Raw(where, line, dict(zip(header, row, strict=True)))
    except csv.Error as exc:
        msg = str(exc)
        if "field larger than field limit" in msg:
            hint = f"a field is longer than {_CSV_FIELD_LIMIT:,} characters; split the record"
        elif "unexpected end of data" in msg:
            hint = "the file ends inside a quoted field: a quote is not closed, or the file is cut off; fix the quote"
        else:
            hint = f"malformed quoting ({msg}); a quoted field must be closed right before a comma or a line end"
        raise InputDataError(hint, path=where, line=start, field=_open_field(text, start, header)) from exc


def _open_field(text: str, line: int, header: list[str]) -> str | None:
    """The column of the first field holding a line break in the record from ``line`` on (read leniently)."""
    rest = "".join(io.StringIO(text, newline="").readlines()[line - 1 :])
    try:
        row = next(csv.reader(io.StringIO(rest, newline="")), [])
    except csv.Error:
        return None
    return next((name for name, value in zip(header, row, strict=False) if "\n" in value or "\r" in value), None)


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


@dataclass(frozen=True)
class _Pending:
    """A record whose fields are checked and whose timestamp is parsed but not yet placed."""

    raw: _Raw
    values: dict[str, Any]
    when: Parsed
    source: str


def _prepare(
    raw: _Raw,
    columns: Mapping[str, str] | None,
    source_name: str | None,
    extra_columns: Literal["error", "ignore"],
    dayfirst: bool | None,
    date_format: str | None,
) -> _Pending:
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
        when = parse_published(values.get("published_at"), dayfirst=dayfirst, date_format=date_format)
    except ValueError as exc:
        raise InputDataError(str(exc), path=raw.file, line=raw.line, field="published_at") from exc
    if source_name is not None and not values.get("source"):
        values["source"] = source_name
    source = values.get("source")
    key = "unknown" if source is None else str(source).strip()
    return _Pending(raw, values, when, key)


def _finish(
    pending: _Pending,
    *,
    date_only: bool,
    policy: DateOnlyPolicy,
    timezone: str | None,
    latest: pd.Timestamp | None,
    max_text_chars: int,
) -> Article:
    raw, values = pending.raw, dict(pending.values)
    try:
        ts = resolve_published(
            pending.when, date_only=date_only, policy=policy, timezone=timezone, shown=values.get("published_at")
        )
    except ValueError as exc:
        raise InputDataError(str(exc), path=raw.file, line=raw.line, field="published_at") from exc
    if not _EARLIEST <= ts <= _LATEST:
        raise InputDataError(
            f"published at {ts.isoformat()}, outside the years 1678-2261 that a timestamp column holds; "
            "the year is a typo or the format is misread: fix it",
            path=raw.file,
            line=raw.line,
            field="published_at",
        )
    if latest is not None and ts > latest:
        raise InputDataError(
            f"published at {ts.isoformat()}, after max_published_at={latest.isoformat()} (by default the "
            "current UTC time plus one day): a date in the future is a typo or a wrong format; fix it, or "
            "pass max_published_at= a later bound (None turns the check off)",
            path=raw.file,
            line=raw.line,
            field="published_at",
        )
    values["published_at"] = ts.to_pydatetime()
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


def _policies(date_only: DateOnlyPolicy | Mapping[str, DateOnlyPolicy]) -> tuple[DateOnlyPolicy, dict[str, Any]]:
    """The default policy and the per-source ones; a bad value is a :class:`ConfigError`."""
    if isinstance(date_only, str):
        default, per_source = date_only, {}
    elif isinstance(date_only, Mapping):
        per_source = dict(date_only)
        default = per_source.pop("*", "end_of_day")
    else:
        raise ConfigError(f"date_only={date_only!r} must be one of {DATE_ONLY_POLICIES} or a mapping source -> policy")
    for name, value in [("*", default), *per_source.items()]:
        if value not in DATE_ONLY_POLICIES:
            where = "date_only" if isinstance(date_only, str) else f"date_only[{name!r}]"
            raise ConfigError(f"{where}={value!r} must be one of {DATE_ONLY_POLICIES}")
    return default, per_source


def _latest(max_published_at: Any) -> pd.Timestamp | None:
    if max_published_at is None:
        return None
    if isinstance(max_published_at, str) and max_published_at == "auto":
        return pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=1)
    try:
        bound = pd.Timestamp(max_published_at)
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"max_published_at={max_published_at!r} is not a timestamp; e.g. '2024-03-01T00:00Z'"
        ) from exc
    if pd.isna(bound) or bound.tz is None:
        raise ConfigError(
            f"max_published_at={max_published_at!r} needs a UTC offset (e.g. '2024-03-01T00:00Z'), or 'auto' or None"
        )
    return bound


def _check_timezone(timezone: str | None) -> None:
    if timezone is None:
        return
    try:
        pd.Timestamp("2000-01-01").tz_localize(timezone)
    except Exception as exc:  # zoneinfo raises a KeyError subclass, pytz/dateutil others
        raise ConfigError(
            f"timezone={timezone!r} is not a known time zone; use an IANA name such as 'UTC', 'Europe/Kyiv' "
            "or 'America/New_York'"
        ) from exc


@dataclass(frozen=True)
class ArticleLoad:
    """Everything one load did: what :func:`load_articles_report` returns.

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


# The lenient=True and report=True overloads exist for the deprecation period only: both forms
# warn (DeprecationWarning) and will be removed; load_articles_report is their replacement.
@overload
def load_articles(
    source: str | Path | pd.DataFrame,
    *,
    format: _Format = ...,
    columns: Mapping[str, str] | None = ...,
    timezone: str | None = ...,
    date_only: DateOnlyPolicy | Mapping[str, DateOnlyPolicy] = ...,
    dayfirst: bool | None = ...,
    date_format: str | None = ...,
    max_published_at: str | pd.Timestamp | dt.datetime | None = ...,
    encoding: str | None = ...,
    timestamps: Mapping[str, Any] | None = ...,
    source_name: str | None = ...,
    lenient: Literal[False] | None = ...,
    near_duplicates: float | None = ...,
    duplicate_window: str = ...,
    max_file_bytes: int = ...,
    max_text_chars: int = ...,
    extra_columns: Literal["error", "ignore"] = ...,
    report: Literal[False] | None = ...,
) -> pd.DataFrame: ...
@overload
def load_articles(
    source: str | Path | pd.DataFrame,
    *,
    format: _Format = ...,
    columns: Mapping[str, str] | None = ...,
    timezone: str | None = ...,
    date_only: DateOnlyPolicy | Mapping[str, DateOnlyPolicy] = ...,
    dayfirst: bool | None = ...,
    date_format: str | None = ...,
    max_published_at: str | pd.Timestamp | dt.datetime | None = ...,
    encoding: str | None = ...,
    timestamps: Mapping[str, Any] | None = ...,
    source_name: str | None = ...,
    lenient: Literal[True],
    near_duplicates: float | None = ...,
    duplicate_window: str = ...,
    max_file_bytes: int = ...,
    max_text_chars: int = ...,
    extra_columns: Literal["error", "ignore"] = ...,
    report: Literal[False] | None = ...,
) -> tuple[pd.DataFrame, pd.DataFrame]: ...
@overload
def load_articles(
    source: str | Path | pd.DataFrame,
    *,
    format: _Format = ...,
    columns: Mapping[str, str] | None = ...,
    timezone: str | None = ...,
    date_only: DateOnlyPolicy | Mapping[str, DateOnlyPolicy] = ...,
    dayfirst: bool | None = ...,
    date_format: str | None = ...,
    max_published_at: str | pd.Timestamp | dt.datetime | None = ...,
    encoding: str | None = ...,
    timestamps: Mapping[str, Any] | None = ...,
    source_name: str | None = ...,
    lenient: bool | None = ...,
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
    date_only: DateOnlyPolicy | Mapping[str, DateOnlyPolicy] = "end_of_day",
    dayfirst: bool | None = None,
    date_format: str | None = None,
    max_published_at: str | pd.Timestamp | dt.datetime | None = "auto",
    encoding: str | None = None,
    timestamps: Mapping[str, Any] | None = None,
    source_name: str | None = None,
    lenient: bool | None = None,
    near_duplicates: float | None = 0.8,
    duplicate_window: str = "3D",
    max_file_bytes: int = 10_000_000,
    max_text_chars: int = 2_000_000,
    extra_columns: Literal["error", "ignore"] = "error",
    report: bool | None = None,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame] | ArticleLoad:
    """Load, validate, clean and de-duplicate articles from a file, a folder or a DataFrame.

    Returns the article frame; the first bad record raises. For the records that were
    quarantined or merged, call :func:`load_articles_report` with the same arguments.

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
        Zone of naive or date-only timestamps (an IANA name). Without it such timestamps
        are rejected: georisk never guesses a zone. A timestamp with a UTC offset keeps
        its own. An unknown name is a :class:`~georisk.errors.ConfigError`.
    date_only : {"end_of_day", "start_of_day", "raise"} or mapping, default "end_of_day"
        What to do with a date-only value (see Notes). ``"end_of_day"`` places it at
        23:59:59.999999 local time of that day, the conservative choice: the article
        counts for the first session that closes after the day ends, never for one that
        closed earlier. ``"start_of_day"`` places it at 00:00 local: an article published
        after a session's close may then count for that session (look-ahead).
        ``"raise"`` refuses it. A mapping ``{source: policy}`` sets the policy per value
        of the ``source`` field; the key ``"*"`` sets it for the sources not named
        (``"end_of_day"`` if absent), e.g. ``{"*": "raise", "bbc": "end_of_day"}``.
    dayfirst : bool, optional
        Order of a numeric day and month in strings such as ``03/04/2022``. None (the
        default) refuses a string whose reading depends on that order (or on where a
        two-digit year is); ``15/03/2022`` and ``03/15/2022`` are not ambiguous. A string
        that starts with a four-digit year is always year-month-day.
    date_format : str, optional
        A :meth:`datetime.datetime.strptime` format that every ``published_at`` string
        must match, e.g. ``"%d.%m.%Y"``; without a time directive (``%H``, ``%M``...)
        the values are date-only.
    max_published_at : str, pandas.Timestamp, datetime or None, default "auto"
        Latest accepted publication time, with a UTC offset. ``"auto"`` is the current
        UTC time plus one day (a date-only value of today, placed at the end of the day
        anywhere on Earth, passes); None turns the check off. A later record is refused
        (quarantined with ``on_invalid="quarantine"``): an article dated 2099 is a typo, and it would
        stretch every index built from the articles.
    encoding : str, optional
        Encoding of the files. None reads a byte-order mark (UTF-8, UTF-16, UTF-32),
        then tries UTF-8, then cp1252 with an
        :class:`~georisk.errors.EncodingFallbackWarning`. Undecodable bytes are an
        :class:`~georisk.errors.InputDataError` that names the file.
    timestamps : mapping, optional
        ``{file_name: timestamp}`` for folder sources without front matter or sidecars.
    source_name : str, optional
        Value of ``source`` for records that do not name one.
    lenient : bool, optional
        .. deprecated:: 0.2.0
           ``lenient=True`` returns the tuple ``(articles, quarantine)`` with a
           :class:`DeprecationWarning`; use
           ``load_articles_report(source, on_invalid="quarantine")``, whose ``articles``
           and ``quarantine`` are that tuple. Without it (or with ``lenient=False``) the
           first bad record raises :class:`~georisk.errors.InputDataError` naming the
           file, line and field.
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
        Folder sources: a larger file is rejected (quarantined with ``on_invalid="quarantine"``).
    max_text_chars : int, default 2_000_000
        A record with a longer text is rejected (quarantined with ``on_invalid="quarantine"``).
    extra_columns : {"error", "ignore"}, default "error"
        What to do with source fields that are not article fields (after ``columns``):
        reject the record (the ``Article`` record forbids extra fields) or ignore them,
        as for a CSV export with many metadata columns.
    report : bool, optional
        .. deprecated:: 0.2.0
           ``report=True`` returns an :class:`ArticleLoad` with a
           :class:`DeprecationWarning`; use :func:`load_articles_report`.

    Returns
    -------
    pandas.DataFrame
        Articles with columns ``id``, ``published_at`` (``datetime64[ns, UTC]``),
        ``title``, ``text``, ``source``, ``url``, sorted by ``published_at``. Merged
        duplicates are logged (INFO) and listed by :func:`load_articles_report`. (Only the
        deprecated ``lenient=True`` and ``report=True`` return something else.)

    Raises
    ------
    InputDataError
        In strict mode, for the first malformed record; in any mode, for a whole file
        that cannot be read (permissions, binary, undecodable), lacks a needed column,
        repeats a column in its header, or has broken CSV quoting (a quote left open
        that would merge the following records into one; the line it opens on and its
        column are named).
    ConfigError
        For an invalid option (an unknown zone, policy, encoding or bound).

    Notes
    -----
    **Date-only values.** A value is date-only when it names a day but no time: a string
    without a time part, whatever its format (``2022-03-15``, ``2022/3/15``,
    ``03/15/2022``, ``15.03.2022``, ``20220315``, ``Mar 15, 2022``...), a
    :class:`datetime.date` that is not a :class:`datetime.datetime`, and any timestamp
    at exactly midnight (00:00:00.000000) in its own zone, naive or timezone-aware,
    string or ``datetime64``: a ``pandas.to_datetime`` column of dates is all midnights.
    The rule is per value, not per column, so that appending records never moves an
    earlier one (a column rule would turn a column's midnights back into times the day a
    timed record is added). A source whose midnights are real times keeps them with
    ``date_only={"that_source": "start_of_day"}``. The day is the day in the value's own
    zone when it has one, else in ``timezone``. With ``"end_of_day"``, a value with its
    own zone that is also midnight in ``timezone`` ends with that day in ``timezone`` (a
    fixed offset such as ``-04:00`` does not know that day's clock change); one that is
    not (a local date parsed as UTC) ends at the later of the two ends.

    CSV records are numbered by the physical line they start on (line 1 is the header);
    a row with fewer or more fields than the header is refused (quarantined with
    ``on_invalid="quarantine"``). JSON Lines records end at ``\n`` only (U+2028 and U+2029 are ordinary
    characters).

    Examples
    --------
    >>> import pandas as pd
    >>> from georisk import load_articles
    >>> df = pd.DataFrame({"published_at": ["2024-03-01T14:30:00Z"], "text": ["Talks collapsed."]})
    >>> load_articles(df)[["published_at", "text"]]
                   published_at              text
    0 2024-03-01 14:30:00+00:00  Talks collapsed.
    """

    def run(policy: Literal["raise", "quarantine"]) -> ArticleLoad:
        return load_articles_report(
            source,
            on_invalid=policy,
            format=format,
            columns=columns,
            timezone=timezone,
            date_only=date_only,
            dayfirst=dayfirst,
            date_format=date_format,
            max_published_at=max_published_at,
            encoding=encoding,
            timestamps=timestamps,
            source_name=source_name,
            near_duplicates=near_duplicates,
            duplicate_window=duplicate_window,
            max_file_bytes=max_file_bytes,
            max_text_chars=max_text_chars,
            extra_columns=extra_columns,
        )

    if not lenient and not report:
        return run("raise").articles
    policy: Literal["raise", "quarantine"] = "quarantine" if lenient else "raise"
    flags = ", ".join(f for f, on in (("lenient=True", lenient), ("report=True", report)) if on)
    warnings.warn(
        f"load_articles(..., {flags}) is deprecated and will be removed; load_articles will return the article "
        f"frame only. Use georisk.articles.load_articles_report(source, on_invalid={policy!r}, ...): its "
        "ArticleLoad has .articles, .quarantine, .merged and .n_read",
        DeprecationWarning,
        stacklevel=2,
    )
    loaded = run(policy)
    if report:
        return loaded
    return loaded.articles, loaded.quarantine


def load_articles_report(
    source: str | Path | pd.DataFrame,
    *,
    on_invalid: Literal["raise", "quarantine"] = "raise",
    format: _Format = "auto",
    columns: Mapping[str, str] | None = None,
    timezone: str | None = None,
    date_only: DateOnlyPolicy | Mapping[str, DateOnlyPolicy] = "end_of_day",
    dayfirst: bool | None = None,
    date_format: str | None = None,
    max_published_at: str | pd.Timestamp | dt.datetime | None = "auto",
    encoding: str | None = None,
    timestamps: Mapping[str, Any] | None = None,
    source_name: str | None = None,
    near_duplicates: float | None = 0.8,
    duplicate_window: str = "3D",
    max_file_bytes: int = 10_000_000,
    max_text_chars: int = 2_000_000,
    extra_columns: Literal["error", "ignore"] = "error",
) -> ArticleLoad:
    """Load articles as :func:`load_articles` does, and report what was quarantined and merged.

    Parameters
    ----------
    source : str, pathlib.Path or pandas.DataFrame
        As in :func:`load_articles`.
    on_invalid : {"raise", "quarantine"}, default "raise"
        ``"raise"``: the first bad record raises :class:`~georisk.errors.InputDataError`
        naming the file, line and field. ``"quarantine"``: bad records are listed in
        ``quarantine`` (columns ``file``, ``line``, ``field``, ``reason``), never
        silently dropped; a whole-file problem still raises.

    Other Parameters
    ----------------
    format, columns, timezone, date_only, dayfirst, date_format, max_published_at
        As in :func:`load_articles`.
    encoding, timestamps, source_name, near_duplicates, duplicate_window
        As in :func:`load_articles`.
    max_file_bytes, max_text_chars, extra_columns
        As in :func:`load_articles`.

    Returns
    -------
    ArticleLoad
        ``articles`` (the frame :func:`load_articles` returns), ``quarantine``,
        ``merged`` (exact repeats and near-duplicates merged into an earlier copy) and
        ``n_read`` (records read).

    Raises
    ------
    InputDataError
        With ``on_invalid="raise"``, for the first malformed record; always for a whole
        file that cannot be read.
    ConfigError
        For an invalid option, e.g. ``on_invalid="skip"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from georisk.articles import load_articles_report
    >>> df = pd.DataFrame({"published_at": ["2024-03-01T14:30:00Z", "soon"], "text": ["Talks collapsed.", "?"]})
    >>> rep = load_articles_report(df, on_invalid="quarantine")
    >>> len(rep.articles), len(rep.quarantine), rep.n_read
    (1, 1, 2)
    """
    if on_invalid not in ("raise", "quarantine"):
        raise ConfigError(f"on_invalid={on_invalid!r} must be 'raise' or 'quarantine'")
    return _load(
        source,
        on_invalid=on_invalid,
        format=format,
        columns=columns,
        timezone=timezone,
        date_only=date_only,
        dayfirst=dayfirst,
        date_format=date_format,
        max_published_at=max_published_at,
        encoding=encoding,
        timestamps=timestamps,
        source_name=source_name,
        near_duplicates=near_duplicates,
        duplicate_window=duplicate_window,
        max_file_bytes=max_file_bytes,
        max_text_chars=max_text_chars,
        extra_columns=extra_columns,
    )


def articles_from_config(
    source: str | Path, config: ArticlesConfig, *, extra_columns: Literal["error", "ignore"] = "error"
) -> ArticleLoad:
    """Load an article file as an ``[articles]`` configuration says.

    Parameters
    ----------
    source : str or pathlib.Path
        A file or folder (the configuration's ``path``, or a file given to
        ``georisk articles import``).
    config : ArticlesConfig
        ``lenient`` (quarantine bad records instead of raising), ``format``, ``columns``,
        ``timezone``, ``date_only``, ``dayfirst``, ``date_format``, ``encoding``,
        ``source_name``.
    extra_columns : {"error", "ignore"}, default "error"
        See :func:`load_articles_report`.

    Returns
    -------
    ArticleLoad
    """
    return load_articles_report(
        source,
        on_invalid="quarantine" if config.lenient else "raise",
        format=config.format,
        columns=config.columns or None,
        timezone=config.timezone,
        date_only=config.date_only,
        dayfirst=config.dayfirst,
        date_format=config.date_format,
        encoding=config.encoding,
        source_name=config.source_name or None,
        extra_columns=extra_columns,
    )


def _load(
    source: str | Path | pd.DataFrame,
    *,
    on_invalid: Literal["raise", "quarantine"],
    format: _Format,
    columns: Mapping[str, str] | None,
    timezone: str | None,
    date_only: DateOnlyPolicy | Mapping[str, DateOnlyPolicy],
    dayfirst: bool | None,
    date_format: str | None,
    max_published_at: str | pd.Timestamp | dt.datetime | None,
    encoding: str | None,
    timestamps: Mapping[str, Any] | None,
    source_name: str | None,
    near_duplicates: float | None,
    duplicate_window: str,
    max_file_bytes: int,
    max_text_chars: int,
    extra_columns: Literal["error", "ignore"],
) -> ArticleLoad:
    from georisk.articles._dedupe import MERGED_COLUMNS, find_near_duplicates

    lenient = on_invalid == "quarantine"

    if near_duplicates is not None and not 0.0 < near_duplicates <= 1.0:
        raise ConfigError(f"near_duplicates={near_duplicates!r} must be in (0, 1] or None, e.g. 0.8")
    if extra_columns not in ("error", "ignore"):
        raise ConfigError(f"extra_columns={extra_columns!r} must be 'error' or 'ignore'")
    if max_file_bytes < 1 or max_text_chars < 1:
        raise ConfigError("max_file_bytes and max_text_chars must be positive integers")
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise ConfigError(f"dayfirst={dayfirst!r} must be True, False or None")
    default_policy, per_source = _policies(date_only)
    _check_timezone(timezone)
    latest = _latest(max_published_at)
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise ConfigError(f"encoding={encoding!r} is not a known text encoding; e.g. 'utf-8', 'latin-1'") from exc
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
            "folder": lambda: _iter_folder(path, timestamps, max_file_bytes, encoding),
            "jsonl": lambda: _iter_jsonl(path, encoding),
            "csv": lambda: _iter_csv(path, columns, encoding, dayfirst, date_format),
        }[kind]()
    good: list[Article] = []
    bad: list[dict[str, Any]] = []
    n_read = 0
    for raw in raws:  # a whole-file error (unreadable, broken quoting) is raised by the reader, in any mode
        n_read += 1
        try:
            item = _prepare(raw, columns, source_name, extra_columns, dayfirst, date_format)
            good.append(
                _finish(
                    item,
                    date_only=item.when.date_only or item.when.at_midnight,
                    policy=per_source.get(item.source, default_policy),
                    timezone=timezone,
                    latest=latest,
                    max_text_chars=max_text_chars,
                )
            )
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
            "georisk.articles.load_articles_report(...) lists them",
            len(merged),
        )
    quarantine = pd.DataFrame(bad, columns=QUARANTINE_COLUMNS)
    if bad:
        log.warning("quarantined %d of %d article record(s); see the quarantine frame", len(bad), n_read)
    return ArticleLoad(articles=frame, quarantine=quarantine, merged=merged, n_read=n_read)
