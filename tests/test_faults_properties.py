"""Property tests: no malformed price file reaches the prices a run uses (and so no published file).

For any corruption of a small wide price file (a cell replaced by arbitrary text, the file
cut at any byte, a line dropped or doubled), :func:`georisk.market.read_price_table`
either refuses it with :class:`~georisk.errors.InputDataError` (exit code 3, naming the
file) or returns exactly what the text says: the number the cell holds, no price for an
empty cell, the rows of a file cut at a line end. Nothing in between passes.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from georisk.errors import InputDataError
from georisk.market import read_price_table
from georisk.market._sources import NA_TOKENS

HEADER = "date,LMT,SPY,CL=F"
ROWS = [
    "2024-03-01,450.5,510.25,78.1",
    "2024-03-04,451.0,511.0,78.4",
    "2024-03-05,449.75,509.5,77.9",
    "2024-03-06,452.0,512.75,-1.25",
    "2024-03-07,453.5,513.0,79.0",
]
TEXT = HEADER + "\n" + "\n".join(ROWS) + "\n"
FUTURES = {"CL=F"}
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def read(tmp: Path, text: str | bytes) -> dict[str, pd.Series]:
    p = tmp / "p.csv"
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8", newline="")
    raw, _ = read_price_table(p, non_positive=FUTURES)
    return raw


def attempt(tmp: Path, text: str | bytes) -> dict[str, pd.Series] | InputDataError:
    """The series read, or the refusal."""
    try:
        return read(tmp, text)
    except InputDataError as exc:
        return exc


def as_number(cell: str) -> float | None:
    """What a cell must mean if it is accepted: a float, or None for no price."""
    s = cell.strip()
    if s in NA_TOKENS:
        return None
    return float(s)  # raises for anything that is not a number


CELL = st.one_of(
    st.text(alphabet="0123456789.-+eE ,O", max_size=8),
    st.sampled_from(["inf", "-inf", "nan", "NA", "", "1O0", "12.3.4", "1e400", "0", "-0.0", "1,5", '"2"']),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=6),
)


@pytest.mark.slow
@SETTINGS
@given(row=st.integers(0, len(ROWS) - 1), col=st.integers(1, 3), cell=CELL)
def test_a_replaced_cell_is_refused_or_read_exactly(tmp_path: Path, row: int, col: int, cell: str):
    cells = ROWS[row].split(",")
    ticker = HEADER.split(",")[col]
    cells[col] = cell
    lines = [*ROWS]
    lines[row] = ",".join(cells)
    text = HEADER + "\n" + "\n".join(lines) + "\n"
    raw = attempt(tmp_path, text)
    if isinstance(raw, InputDataError):
        assert "p.csv" in str(raw)
        return
    # accepted: the line holds four fields, the cell a plain number (or nothing), every price is finite
    fields = next(csv.reader([lines[row]]))
    assert len(fields) == 4
    expect = as_number(fields[col])
    got = raw[ticker]
    day = pd.Timestamp(cells[0])
    if expect is None:
        assert day not in got.dropna().index
    else:
        assert math.isfinite(expect)
        assert ticker in FUTURES or expect > 0
        assert got.loc[day] == expect
    for t, s in raw.items():
        values = s.dropna()
        assert values.map(math.isfinite).all(), t
        assert t in FUTURES or (values > 0).all(), t


@SETTINGS
@given(cut=st.integers(0, len(TEXT.encode()) - 1))
def test_a_file_cut_anywhere_is_refused_or_whole_lines(tmp_path: Path, cut: int):
    data = TEXT.encode()[:cut]
    raw = attempt(tmp_path, data)
    if isinstance(raw, InputDataError):
        assert "p.csv" in str(raw)
        return
    # accepted only when cut at a line end: the rows are the first rows, whole
    assert data.endswith(b"\n")
    n = data.count(b"\n") - 1
    full = read(tmp_path, TEXT)
    for t, s in raw.items():
        pd.testing.assert_series_equal(s, full[t].iloc[:n], check_names=False)


@pytest.mark.slow
@SETTINGS
@given(
    ops=st.lists(
        st.tuples(st.sampled_from(["drop", "double", "swap", "blank"]), st.integers(0, len(ROWS) - 1)), max_size=4
    )
)
def test_lines_dropped_doubled_or_moved_never_give_two_prices_a_day(tmp_path: Path, ops: list[tuple[str, int]]):
    lines = [*ROWS]
    for op, i in ops:
        i %= max(len(lines), 1)
        if not lines:
            break
        if op == "drop":
            lines.pop(i)
        elif op == "double":
            lines.insert(i, lines[i])
        elif op == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        elif op == "blank":
            lines.insert(i, "")
    raw = attempt(tmp_path, HEADER + "\n" + "\n".join(lines) + "\n")
    if isinstance(raw, InputDataError):
        return
    truth = {r.split(",")[0]: r.split(",")[1:] for r in ROWS}
    for j, t in enumerate(HEADER.split(",")[1:]):
        for day, value in raw[t].dropna().items():
            assert value == float(truth[str(pd.Timestamp(day).date())][j])  # only what the file says


@pytest.mark.parametrize("enc", ["latin-1", "utf-16", "utf-16-le", "cp1252"])
def test_other_encodings_are_refused_not_misread(tmp_path: Path, enc: str):
    text = HEADER.replace("LMT", "LMT\u00e9") + "\n" + "\n".join(ROWS) + "\n"
    with pytest.raises(InputDataError, match=r"p.csv.*(UTF-8|UTF-16|NUL)"):
        read(tmp_path, text.encode(enc))
