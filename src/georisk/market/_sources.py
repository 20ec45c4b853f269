"""Price sources behind one interface: ``fetch(tickers, start, end) -> wide frame``.

The wide price frame is the contract between sources and the rest of georisk: index a
tz-naive ``DatetimeIndex`` named ``date`` (each instrument's own local trading date),
one float column of adjusted closes per ticker, NaN where that instrument did not trade.

Sources also offer ``fetch_detailed`` returning a :class:`FetchResult` with the rows as
read (original order, duplicated dates and empty rows kept) so that the quality report
can say what was sorted, de-duplicated or dropped: nothing is removed silently.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from georisk.errors import ConfigError, InputDataError
from georisk.market._shape import PRICE_FIELDS, FetchResult, close_frame, wide_from_raw

__all__ = ["CsvSource", "FetchResult", "FrameSource", "ParquetSource", "PriceSource"]

log = logging.getLogger(__name__)

_ISO_DATE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})")


@runtime_checkable
class PriceSource(Protocol):
    """Anything with ``fetch(tickers, start, end)`` returning the wide price frame."""

    def fetch(self, tickers: Sequence[str], start: str | None = None, end: str | None = None) -> pd.DataFrame:
        """Return adjusted closes for ``tickers`` between ``start`` and ``end`` (inclusive)."""
        ...


#: Cell values read as "no price" (pandas' default missing-value markers).
NA_TOKENS = frozenset(
    {
        "",
        "#N/A",
        "#N/A N/A",
        "#NA",
        "-1.#IND",
        "-1.#QNAN",
        "-NaN",
        "-nan",
        "1.#IND",
        "1.#QNAN",
        "<NA>",
        "N/A",
        "NA",
        "NULL",
        "NaN",
        "None",
        "n/a",
        "nan",
        "null",
    }
)
#: Bar fields whose cells must be prices (finite numbers); other fields are not used.
_CHECKED_FIELDS = frozenset({"Open", "High", "Low", "Close", "Adj Close"})
_DATE_FULL = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)
_DATE_HELP = "use YYYY-MM-DD (a time and a UTC offset may follow, as in 2024-01-02 00:00:00-05:00)"


def _line(lines: np.ndarray | None, pos: int, header_rows: int) -> int:
    return int(lines[pos]) if lines is not None else pos + header_rows + 1


def _parse_dates(
    values: pd.Series, where: str, header_rows: int, lines: np.ndarray | None = None
) -> tuple[pd.DatetimeIndex, str]:
    """Local dates from ISO strings, each checked: a real calendar date, a possible time and offset.

    A time and UTC offset (as ``history()`` writes them) are checked, then dropped: the
    date is the instrument's local trading date.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        idx = pd.DatetimeIndex(values)
        if idx.isna().any():
            pos = int(np.flatnonzero(idx.isna())[0])
            raise InputDataError(
                f"empty date; {_DATE_HELP}", path=where, line=_line(lines, pos, header_rows), field="date"
            )
        zone = "naive" if idx.tz is None else "UTC offsets in file"
        local = idx.tz_localize(None) if idx.tz is not None else idx
        return pd.DatetimeIndex(local.normalize()).as_unit("ns"), zone
    text = values.astype("string").fillna("")
    parts = text.str.extract(_DATE_FULL)
    bad = parts[0].isna().to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise InputDataError(
            f"cannot read date {text.iloc[pos]!r}; {_DATE_HELP}",
            path=where,
            line=_line(lines, pos, header_rows),
            field="date",
        )
    day = parts[0] + "-" + parts[1] + "-" + parts[2]
    dates = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        pos = int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise InputDataError(
            f"{text.iloc[pos].strip()!r} is not a calendar date (no day {parts[2].iloc[pos]} in "
            f"{parts[0].iloc[pos]}-{parts[1].iloc[pos]}); correct it",
            path=where,
            line=_line(lines, pos, header_rows),
            field="date",
        )

    def num(part: pd.Series) -> np.ndarray:
        return np.asarray(pd.to_numeric(part, errors="coerce").to_numpy(dtype="float64", na_value=np.nan))

    offset = parts[6].fillna("").str.replace(":", "", regex=False)
    long_enough = offset.str.len() == 5
    with np.errstate(invalid="ignore"):
        impossible = (
            (num(parts[3]) > 23)
            | (num(parts[4]) > 59)
            | (num(parts[5]) > 60)
            | (num(offset.str[1:3].where(long_enough)) > 18)
            | (num(offset.str[3:5].where(long_enough)) > 59)
        )
    if impossible.any():
        pos = int(np.flatnonzero(impossible)[0])
        raise InputDataError(
            f"{text.iloc[pos].strip()!r} holds an impossible time or UTC offset (hours 00-23, minutes 00-59, "
            "offsets up to ±18:00); correct it, or keep only the date",
            path=where,
            line=_line(lines, pos, header_rows),
            field="date",
        )
    zone = "UTC offsets in file" if (offset != "").any() else "naive"
    return pd.DatetimeIndex(dates).as_unit("ns"), zone


def _numbers(
    values: pd.Series,
    where: str,
    field: str,
    *,
    header_rows: int,
    lines: np.ndarray | None = None,
    positive: bool | np.ndarray = False,
) -> pd.Series:
    """The cells of one price column as float64, refusing typos and non-finite (and non-positive) prices.

    Empty cells and the usual missing markers (``NA``, ``null``, ...) are NaN: no price.
    ``positive`` (one flag, or one per row) asks for prices > 0 as well.
    """
    if pd.api.types.is_bool_dtype(values):
        raise InputDataError("holds true/false values, not prices", path=where, field=field)
    if pd.api.types.is_numeric_dtype(values):
        nums = values.astype("float64")
        missing = nums.isna().to_numpy()
        text = nums.astype("string")
    else:
        text = values.astype("string").str.strip()
        missing = (text.isna() | text.isin(NA_TOKENS)).to_numpy()
        nums = pd.to_numeric(text.where(~missing), errors="coerce").astype("float64")
        typo = ~missing & nums.isna().to_numpy()
        if typo.any():
            pos = int(np.flatnonzero(typo)[0])
            raise InputDataError(
                f"{text.iloc[pos]!r} is not a number; correct the typo (digits, one decimal point, no thousands "
                "separator), or leave the cell empty for no price",
                path=where,
                line=_line(lines, pos, header_rows),
                field=field,
            )
    arr = nums.to_numpy(dtype="float64")
    infinite = ~missing & ~np.isfinite(arr)
    if infinite.any():
        pos = int(np.flatnonzero(infinite)[0])
        raise InputDataError(
            f"{text.iloc[pos]!r} is not a finite price; correct the cell, or leave it empty for no price",
            path=where,
            line=_line(lines, pos, header_rows),
            field=field,
        )
    nonpos = ~missing & (arr <= 0) & np.asarray(positive, dtype=bool)
    if nonpos.any():
        pos = int(np.flatnonzero(nonpos)[0])
        raise InputDataError(
            f"price {text.iloc[pos]} is not positive; only futures may settle at or below zero (WTI on "
            "2020-04-20), and their universe entry says so (kind = 'future'); correct or delete the cell",
            path=where,
            line=_line(lines, pos, header_rows),
            field=field,
        )
    return pd.Series(arr, index=values.index, name=values.name)


def _allowed(non_positive: Collection[str] | None, ticker: str) -> bool:
    """Whether ``ticker``'s prices must be positive (``non_positive`` None: not checked here)."""
    return non_positive is not None and ticker not in non_positive


def _conflicts(
    frame: pd.DataFrame, dates: pd.DatetimeIndex, where: str, lines: np.ndarray | None, header_rows: int
) -> None:
    """Refuse a date given twice with different prices (identical repeats are kept once, and reported)."""
    dup = dates.duplicated(keep=False)
    if not dup.any():
        return
    values = frame.to_numpy(dtype="float64")
    positions = np.flatnonzero(dup)
    first: dict[pd.Timestamp, int] = {}
    for pos in positions.tolist():
        day = pd.Timestamp(dates[pos])
        if day not in first:
            first[day] = int(pos)
            continue
        a, b = values[first[day]], values[pos]
        same = (a == b) | (np.isnan(a) & np.isnan(b))
        if not same.all():
            col = int(np.flatnonzero(~same)[0])
            name: object = frame.columns[col]
            label = "/".join(map(str, name)) if isinstance(name, tuple) else str(name)
            raise InputDataError(
                f"date {day.date()} is given twice with different prices (line {_line(lines, first[day], header_rows)}"
                f": {a[col]:g}, line {_line(lines, int(pos), header_rows)}: {b[col]:g}); delete the wrong line",
                path=where,
                line=_line(lines, int(pos), header_rows),
                field=label,
            )


def _table_to_raw(
    table: pd.DataFrame,
    where: str,
    *,
    columns: Mapping[str, str],
    ticker: str | None,
    header_rows: int,
    multi: pd.MultiIndex | None = None,
    lines: np.ndarray | None = None,
    non_positive: Collection[str] | None = None,
) -> tuple[dict[str, pd.Series], str]:
    """Per-ticker raw series from a table read from a file, every cell checked."""
    date_col = columns.get("date", "date")
    if date_col not in table.columns:
        alt = {c.lower(): c for c in map(str, table.columns)}.get("date")
        if alt is None:
            raise InputDataError(
                f"no date column (looked for {date_col!r}); pass columns={{'date': ...}}", path=where, line=1
            )
        date_col = alt
    dates, zone = _parse_dates(table[date_col], where, header_rows, lines)
    body = table.drop(columns=[date_col])
    body.index = dates
    if multi is not None:
        body.columns = multi
        checked = {}
        for i, (fld, tick) in enumerate(multi):
            col = body.iloc[:, i]
            if str(fld) in _CHECKED_FIELDS:
                use = "Adj Close" if "Adj Close" in set(multi.get_level_values(0)) else "Close"
                pos = fld == use and _allowed(non_positive, str(tick))
                col = _numbers(col, where, f"{fld}/{tick}", header_rows=header_rows, lines=lines, positive=pos)
            else:
                col = pd.to_numeric(col, errors="coerce")
            checked[(fld, tick)] = col
        body = pd.DataFrame(checked, index=dates)
        body.columns = multi
        _conflicts(body, dates, where, lines, header_rows)
        got = close_frame(body, [str(t) for t in multi.get_level_values("Ticker").unique()])
        return _wide_raw(got.prices), zone
    tcol, ccol = columns.get("ticker", "ticker"), columns.get("close", "close")
    if tcol in body.columns and ccol in body.columns:  # long: date, ticker, close
        names = body[tcol].astype("string").str.strip()
        blank = (names.isna() | (names == "")).to_numpy()
        if blank.any():
            pos = int(np.flatnonzero(blank)[0])
            raise InputDataError(
                "empty ticker; give the ticker of every row",
                path=where,
                line=_line(lines, pos, header_rows),
                field=tcol,
            )
        allow = np.array([_allowed(non_positive, str(t)) for t in names], dtype=bool)
        close = _numbers(body[ccol], where, ccol, header_rows=header_rows, lines=lines, positive=allow)
        long = pd.DataFrame({"ticker": names.to_numpy(), "close": close.to_numpy()})
        long.index = dates
        dup = pd.Series(list(zip(long.index, long["ticker"], strict=True))).duplicated()
        if dup.any():
            row = int(dup.to_numpy().nonzero()[0][0])
            raise InputDataError(
                "duplicate (date, ticker); keep one price per day", path=where, line=_line(lines, row, header_rows)
            )
        return {str(t): g["close"].astype("float64") for t, g in long.groupby("ticker")}, zone
    fields = {str(c) for c in body.columns} & PRICE_FIELDS
    if fields & {"Close", "Adj Close"} or ccol in body.columns:  # one ticker's bars (yfinance layout)
        name = ticker or Path(where).stem
        use = ccol if ccol in body.columns else ("Adj Close" if "Adj Close" in fields else "Close")
        for c in body.columns:
            if str(c) == use or str(c) in _CHECKED_FIELDS:
                pos = str(c) == use and _allowed(non_positive, name)
                body[c] = _numbers(body[c], where, str(c), header_rows=header_rows, lines=lines, positive=pos)
            else:
                body[c] = pd.to_numeric(body[c], errors="coerce")
        _conflicts(body[[use]], dates, where, lines, header_rows)
        if ccol in body.columns:
            return {name: body[ccol].astype("float64")}, zone
        got = close_frame(body, [name])
        return {name: got.prices[name]}, zone
    numeric = pd.DataFrame(
        {
            c: _numbers(
                body[c], where, str(c), header_rows=header_rows, lines=lines, positive=_allowed(non_positive, str(c))
            )
            for c in body.columns
        },
        index=dates,
    )
    _conflicts(numeric, dates, where, lines, header_rows)
    return _wide_raw(numeric), zone


def _wide_raw(body: pd.DataFrame) -> dict[str, pd.Series]:
    """Per-column series of a wide table: a NaN is kept (as an empty row) only when the whole row is empty.

    In a wide file a blank cell on a date where other tickers traded is that ticker's
    holiday, not an empty row.
    """
    numeric = body.apply(pd.to_numeric, errors="coerce").astype("float64")
    all_empty = numeric.isna().all(axis=1).to_numpy()
    return {str(c): numeric[c][numeric[c].notna().to_numpy() | all_empty] for c in numeric.columns}


def _read_text(p: Path) -> str:
    """The text of a CSV file, refusing what cannot be read, other encodings and a cut-off end."""
    try:
        data = p.read_bytes()
    except IsADirectoryError:
        raise InputDataError(
            "is a folder, not a price file; give a .csv file or use the folder as source", path=str(p)
        ) from None
    except OSError as exc:
        raise InputDataError(
            f"cannot read the price file: {exc.strerror or exc}; check that it exists and that this user may "
            "read it (ls -l, chmod u+r)",
            path=str(p),
        ) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputDataError(
            "is UTF-16 (it starts with a UTF-16 byte-order mark); re-save it as UTF-8, e.g. "
            f"iconv -f UTF-16 -t UTF-8 {p.name} > {p.stem}-utf8.csv",
            path=str(p),
            line=1,
        )
    if b"\x00" in data:
        raise InputDataError(
            "holds NUL bytes: it is not a UTF-8 text file (UTF-16 without a byte-order mark, or binary); "
            "re-save it as a UTF-8 CSV",
            path=str(p),
            line=data[: data.index(b"\x00")].count(b"\n") + 1,
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputDataError(
            f"is not UTF-8 (byte 0x{data[exc.start]:02X} at offset {exc.start}); re-save it as UTF-8, e.g. from "
            f"Latin-1 or Windows-1252: iconv -f CP1252 -t UTF-8 {p.name} > {p.stem}-utf8.csv",
            path=str(p),
            line=data[: exc.start].count(b"\n") + 1,
        ) from None
    if text and not text.endswith(("\n", "\r")):
        raise InputDataError(
            "the file does not end with a line break: it was probably cut off mid-way (its last line may hold "
            "a partial number); download or export it again (if it is whole, add a line break at its end)",
            path=str(p),
            line=text.count("\n") + 1,
        )
    return text


def _csv_rows(text: str, where: str) -> tuple[list[list[str]], np.ndarray]:
    """Rows of a CSV text and the line each starts on; refuses rows of the wrong width and bad quoting."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    starts: list[int] = []
    end = 0
    try:
        for row in reader:
            start, end = end + 1, reader.line_num
            if not row:
                continue  # a blank line
            rows.append(row)
            starts.append(start)
    except csv.Error as exc:
        raise InputDataError(
            f"malformed CSV ({exc}); check the quotes of that line", path=where, line=reader.line_num
        ) from None
    if not rows:
        raise InputDataError("the price file is empty; give a header line and one line per date", path=where)
    width = len(rows[0])
    for row, line in zip(rows, starts, strict=True):
        if len(row) != width:
            what = (
                "fewer: the line is cut, or a value is missing (write an empty field for no price)"
                if len(row) < width
                else "more: a stray separator (a decimal comma?) or an unquoted comma"
            )
            raise InputDataError(
                f"the line has {len(row)} fields but the header has {width}; {what}", path=where, line=line
            )
    return rows, np.asarray(starts, dtype="int64")


def _unique_header(names: Sequence[object], where: str, line: int = 1) -> None:
    seen: dict[object, int] = {}
    for i, name in enumerate(names):
        if name in seen:
            label = "/".join(map(str, name)) if isinstance(name, tuple) else str(name)
            raise InputDataError(
                f"column {label!r} appears twice (columns {seen[name] + 1} and {i + 1}); keep one column per "
                "ticker and field",
                path=where,
                line=line,
                field=label,
            )
        seen[name] = i


def read_price_table(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    ticker: str | None = None,
    non_positive: Collection[str] | None = None,
) -> tuple[dict[str, pd.Series], str]:
    """Read one price file into per-ticker raw series (rows in file order), every cell checked.

    Recognised layouts: wide (``date`` + one column per ticker), long (``date``,
    ``ticker``, ``close``), one ticker's bars (``Date,Open,High,Low,Close,Adj Close,Volume``
    in any order; ``Adj Close`` is used when present), and the two shapes a yfinance
    MultiIndex frame takes when saved with ``to_csv``: a second header row holding the
    ticker (``,ZW=F,ZW=F,...``) and the three-row ``Price/Ticker/Date`` header.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.csv`` or ``.parquet`` file.
    columns : mapping, optional
        ``{"date": ..., "ticker": ..., "close": ...}``: the file's names for them.
    ticker : str, optional
        The ticker of a one-ticker file (default: the file name without suffix).
    non_positive : collection of str, optional
        Tickers whose prices may be zero or negative (futures); every other ticker's
        non-positive price is refused. None (default) leaves that check to the caller.

    Returns
    -------
    tuple
        ``(raw, timezone)``: ticker -> float series indexed by local dates, and
        ``"naive"`` or ``"UTC offsets in file"``.

    Raises
    ------
    InputDataError
        Naming the file, line and field, for: a file that cannot be read, is not UTF-8
        or does not end with a line break (cut off); a line with more or fewer fields
        than the header; a column given twice; a date that is not a calendar date or
        holds an impossible time; a cell that is not a number (``12.3.4``, ``1O0``) or not
        finite (``inf``); a non-positive price of a ticker not in ``non_positive``; a date
        given twice with different prices.
    """
    p = Path(path)
    cols = dict(columns or {})
    if not p.exists():
        raise InputDataError("price file does not exist; check the path", path=str(p))
    if not p.is_file():  # a pipe or a device would block the read forever
        raise InputDataError(
            "is not a regular file (a pipe, socket or device); give a .csv or .parquet file", path=str(p)
        )
    if p.suffix.lower() in {".parquet", ".pq"}:
        table = _read_parquet(p)
        if isinstance(table.index, pd.DatetimeIndex):
            table = table.rename_axis(cols.get("date", "date")).reset_index()
        if isinstance(table.columns, pd.MultiIndex):
            raise InputDataError("flatten MultiIndex columns before saving to Parquet", path=str(p))
        _unique_header(list(table.columns), str(p))
        return _table_to_raw(table, str(p), columns=cols, ticker=ticker, header_rows=0, non_positive=non_positive)
    rows, lines = _csv_rows(_read_text(p), str(p))
    head = rows[:3]
    kw: dict[str, Any] = {"columns": cols, "ticker": ticker, "non_positive": non_positive}
    if len(head) >= 3 and head[0][:1] == ["Price"] and head[1][:1] == ["Ticker"]:
        fields, tickers = head[0][1:], head[1][1:]
        multi = pd.MultiIndex.from_arrays([fields, tickers], names=["Price", "Ticker"])
        _unique_header(list(multi), str(p), line=2)
        table = pd.DataFrame(rows[3:], columns=["Date", *range(len(fields))], dtype=object)
        return _table_to_raw(table, str(p), header_rows=3, multi=multi, lines=lines[3:], **kw)
    if len(head) >= 2 and head[1] and head[1][0].strip() == "" and not _ISO_DATE.match(head[1][0]):
        second = {c.strip() for c in head[1][1:] if c.strip()}
        numeric = all(re.fullmatch(r"[-+0-9.eE]+", c) for c in second)
        if second and not numeric:
            fields, tickers = head[0][1:], head[1][1:]
            multi = pd.MultiIndex.from_arrays([fields, tickers], names=["Price", "Ticker"])
            _unique_header(list(multi), str(p), line=2)
            table = pd.DataFrame(rows[2:], columns=[head[0][0], *range(len(fields))], dtype=object)
            log.debug("%s: second header row (ticker level of a saved yfinance frame) read as tickers", p)
            return _table_to_raw(table, str(p), header_rows=2, multi=multi, lines=lines[2:], **kw)
    _unique_header(rows[0], str(p))
    table = pd.DataFrame(rows[1:], columns=rows[0], dtype=object)
    return _table_to_raw(table, str(p), header_rows=1, lines=lines[1:], **kw)


def _read_parquet(p: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(p)
    except (OSError, ValueError) as exc:
        if isinstance(exc, PermissionError):
            raise InputDataError(
                f"cannot read the price file: {exc.strerror}; check that this user may read it (chmod u+r)",
                path=str(p),
            ) from None
        raise InputDataError(
            f"is not a readable Parquet file ({type(exc).__name__}: {str(exc)[:200]}): it is damaged or was cut "
            "off; export or download it again",
            path=str(p),
        ) from None


def _subset_result(
    raw: dict[str, pd.Series],
    zone: dict[str, str],
    tickers: Sequence[str],
    start: str | None,
    end: str | None,
    where: str,
) -> FetchResult:
    out: dict[str, pd.Series] = {}
    failed: dict[str, str] = {}
    for t in tickers:
        s = raw.get(t)
        if s is None:
            failed[t] = f"{where} has no column or file for {t}"
            continue
        if start is not None:
            s = s[s.index >= pd.Timestamp(start)]
        if end is not None:
            s = s[s.index <= pd.Timestamp(end)]
        out[t] = s
        if s.notna().sum() == 0:
            failed[t] = f"{where} has no price for {t} in the requested range"
    return FetchResult(wide_from_raw(out, tickers), failed, {t: zone.get(t, "naive") for t in out}, out)


class CsvSource:
    """Prices from a CSV file or a folder of ``<TICKER>.csv`` files.

    Parameters
    ----------
    path : str or pathlib.Path
        A file (wide, long, one ticker's bars, or a saved yfinance frame: see
        :func:`read_price_table`) or a folder holding one file per ticker named
        ``<TICKER>.csv`` (``<TICKER>.parquet`` for :class:`ParquetSource`).
    columns : mapping, optional
        ``{"date": ..., "ticker": ..., "close": ...}`` names of the file's columns, e.g.
        ``{"date": "Date", "close": "Close"}`` to use the unadjusted close of a bar file.
    ticker : str, optional
        The ticker of a one-ticker file whose name is not the ticker.
    non_positive : collection of str, optional
        Tickers whose prices may be zero or negative (futures); a non-positive price of
        any other ticker is refused with file, line and field. None (default) leaves the
        check to :func:`~georisk.market.load_prices`, which knows the universe.

    Examples
    --------
    >>> from georisk.datasets import sample_prices_path
    >>> CsvSource(sample_prices_path()).fetch(["SPY"]).columns.tolist()
    ['SPY']
    """

    suffix = ".csv"

    def __init__(
        self,
        path: str | Path,
        columns: Mapping[str, str] | None = None,
        *,
        ticker: str | None = None,
        non_positive: Collection[str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.columns = dict(columns or {})
        self.ticker = ticker
        self.non_positive = None if non_positive is None else frozenset(non_positive)
        unknown = set(self.columns) - {"date", "ticker", "close"}
        if unknown:
            raise ConfigError(f"columns has unknown key(s) {sorted(unknown)}; use 'date', 'ticker' and 'close'")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r})"

    def fetch(self, tickers: Sequence[str], start: str | None = None, end: str | None = None) -> pd.DataFrame:
        """Read the file(s) and return the wide price frame for ``tickers``."""
        return self.fetch_detailed(tickers, start, end).prices

    def fetch_detailed(self, tickers: Sequence[str], start: str | None = None, end: str | None = None) -> FetchResult:
        """Read the file(s); rows as read are kept in ``raw`` for the quality report.

        Parameters
        ----------
        tickers : sequence of str
            Tickers to return.
        start, end : str, optional
            ISO dates bounding the rows (inclusive).

        Returns
        -------
        FetchResult
        """
        if not self.path.exists():
            raise InputDataError("price file or folder does not exist; check the path", path=str(self.path))
        raw: dict[str, pd.Series] = {}
        zone: dict[str, str] = {}
        if self.path.is_dir():
            for t in tickers:
                f = self.path / f"{t}{self.suffix}"
                if f.exists():
                    series, z = read_price_table(f, columns=self.columns, ticker=t, non_positive=self.non_positive)
                    raw[t] = series.get(t, next(iter(series.values())))
                    zone[t] = z
        else:
            raw, z = read_price_table(
                self.path, columns=self.columns, ticker=self.ticker, non_positive=self.non_positive
            )
            zone = dict.fromkeys(raw, z)
        return _subset_result(raw, zone, tickers, start, end, str(self.path))


class ParquetSource(CsvSource):
    """Prices from a Parquet file or folder, in the same layouts as :class:`CsvSource`."""

    suffix = ".parquet"


class FrameSource:
    """Prices from a wide DataFrame already in memory (index: dates; one column per ticker).

    Parameters
    ----------
    frame : pandas.DataFrame
        Index a DatetimeIndex (tz-naive local dates, or tz-aware: the zone is dropped and
        reported), one column of closes per ticker.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        if not isinstance(frame.index, pd.DatetimeIndex):
            raise InputDataError("the index must be a DatetimeIndex of trading dates", path="<DataFrame>")
        self.frame = frame

    def fetch(self, tickers: Sequence[str], start: str | None = None, end: str | None = None) -> pd.DataFrame:
        """Return the wide price frame for ``tickers``."""
        return self.fetch_detailed(tickers, start, end).prices

    def fetch_detailed(self, tickers: Sequence[str], start: str | None = None, end: str | None = None) -> FetchResult:
        """Return prices with the rows as given kept in ``raw``."""
        idx = pd.DatetimeIndex(self.frame.index)
        zone = "naive" if idx.tz is None else str(idx.tz)
        dates = (idx.tz_localize(None) if idx.tz is not None else idx).as_unit("ns").normalize()
        for c in self.frame.columns:
            try:
                pd.to_numeric(self.frame[c])
            except (TypeError, ValueError) as exc:
                raise InputDataError(f"non-numeric price: {exc}", path="<DataFrame>", field=str(c)) from exc
        body = self.frame.copy()
        body.index = dates
        raw = _wide_raw(body)
        return _subset_result(raw, dict.fromkeys(raw, zone), tickers, start, end, "<DataFrame>")
