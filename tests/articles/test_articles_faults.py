"""Faulty article inputs: broken quoting, line separators, future dates, encodings, unreadable files.

Each fault is refused with an :class:`InputDataError` (exit code 3) that names the file,
the line and the field, or, in lenient mode, quarantined with its reason; none is taken
silently and none escapes as another exception.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from georisk.articles import load_articles, load_articles_report
from georisk.errors import ConfigError, EncodingFallbackWarning, InputDataError

HEADER = "published_at,title,text\n"
ROWS = [
    "2024-03-01T10:00:00Z,Talks resume,Envoys met in Istanbul on Friday.\n",
    "2024-03-02T10:00:00Z,Shelling,Shelling went on near Kharkiv overnight.\n",
    "2024-03-03T10:00:00Z,Grain,Ships left Odesa with grain.\n",
    "2024-03-04T10:00:00Z,Sanctions,New sanctions were announced on Monday.\n",
]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8", newline="")
    return f


# ---------------------------------------------------------------- CSV quoting


def test_an_unterminated_quote_that_would_merge_records_is_refused(tmp_path: Path):
    # the quote opened in row 2 closes right before a comma in row 4: a plain reader merges rows 2-4
    rows = [ROWS[0], ROWS[1].replace(",Shelling,", ',"Shelling,'), ROWS[2], ROWS[3].replace(",New", ',New",')]
    f = _write(tmp_path, "feed.csv", HEADER + "".join(rows))
    for lenient in (False, True):  # the rest of the file cannot be trusted: refused in both modes
        with pytest.raises(InputDataError, match=r"feed\.csv, line 3, field 'title': the quoted field .* not closed"):
            load_articles_report(f, on_invalid="quarantine" if lenient else "raise")


def test_a_quote_left_open_to_the_end_of_the_file_is_refused(tmp_path: Path):
    rows = [ROWS[0], ROWS[1].replace(",Shelling,", ',"Shelling,'), ROWS[2]]
    f = _write(tmp_path, "feed.csv", HEADER + "".join(rows))
    with pytest.raises(InputDataError, match=r"feed\.csv, line 3, field 'title': the file ends inside a quoted"):
        load_articles_report(f, on_invalid="quarantine")


def test_text_after_a_closing_quote_is_refused(tmp_path: Path):
    rows = [ROWS[0], ROWS[1].replace(",Shelling,", ',"Shelling" overnight,')]
    f = _write(tmp_path, "feed.csv", HEADER + "".join(rows))
    with pytest.raises(InputDataError, match=r"feed\.csv, line 3: malformed quoting"):
        load_articles(f)


def test_quoted_line_breaks_and_prose_dates_are_fine_and_lines_are_physical(tmp_path: Path):
    body = '"Envoys met in Istanbul.\n15 March 2022, Kyiv, a date in the prose.\nMore text, with commas, here."'
    f = _write(tmp_path, "feed.csv", HEADER + f"2024-03-01T10:00:00Z,Talks,{body}\n" + "2024-03-02,Shelling,\n")
    rep = load_articles_report(f, timezone="UTC", on_invalid="quarantine")
    arts, q = rep.articles, rep.quarantine
    assert arts["text"].iloc[0].count("\n") == 2
    assert q["line"].tolist() == [5]  # the second record starts on physical line 5


def test_rows_with_too_few_or_too_many_fields_are_quarantined(tmp_path: Path):
    f = _write(tmp_path, "feed.csv", HEADER + ROWS[0] + "2024-03-02T10:00:00Z,Cut off\n \n" + ROWS[2][:-1] + ",x\n")
    rep = load_articles_report(f, on_invalid="quarantine")
    arts, q = rep.articles, rep.quarantine
    assert len(arts) == 1
    assert q[["line", "field"]].to_dict(orient="records") == [
        {"line": 3, "field": "(row)"},
        {"line": 5, "field": "(row)"},
    ]
    assert "2 field(s) where the header has 3" in q["reason"].iloc[0]
    assert "more fields than the header" in q["reason"].iloc[1]


def test_a_repeated_header_column_is_refused(tmp_path: Path):
    f = _write(tmp_path, "feed.csv", "published_at,text,text\n2024-03-01T10:00:00Z,a,b\n")
    with pytest.raises(InputDataError, match=r"line 1, field 'text': column\(s\) \['text'\] appear more than once"):
        load_articles_report(f, on_invalid="quarantine")


def test_a_long_text_in_a_csv_is_checked_by_max_text_chars(tmp_path: Path):
    f = _write(tmp_path, "feed.csv", HEADER + f"2024-03-01T10:00:00Z,Long,{'word ' * 40_000}\n")
    assert len(load_articles(f)["text"].iloc[0]) > 131_072  # above the csv module's default field limit
    with pytest.raises(InputDataError, match=r"line 2, field 'text': text has 200,000 characters"):
        load_articles(f, max_text_chars=1000)


# ---------------------------------------------------------------- JSON Lines separators


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85"])  # valid raw in JSON; str.splitlines breaks there
def test_json_lines_split_only_at_newlines(tmp_path: Path, char: str):
    records = [
        {"published_at": "2024-03-01T10:00:00Z", "text": f"First line{char}second line of one article."},
        {"published_at": "2024-03-02T10:00:00Z", "text": "Next article."},
    ]
    f = _write(tmp_path, "feed.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\r\n" for r in records))
    assert char in f.read_text(encoding="utf-8")  # written raw, as JSON allows
    arts = load_articles(f, near_duplicates=None)
    assert len(arts) == 2
    broken = _write(tmp_path, "broken.jsonl", f.read_text(encoding="utf-8") + "{oops\n")
    q = load_articles_report(broken, on_invalid="quarantine").quarantine
    assert q["line"].tolist() == [3]


# ---------------------------------------------------------------- dates in the future


def test_a_far_future_date_is_refused_or_quarantined(tmp_path: Path):
    rows = [ROWS[0], "2099-03-02T10:00:00Z,Typo,The year is a typo.\n"]
    f = _write(tmp_path, "feed.csv", HEADER + "".join(rows))
    with pytest.raises(InputDataError, match=r"feed\.csv, line 3, field 'published_at': published at 2099-03-02"):
        load_articles(f)
    rep = load_articles_report(f, on_invalid="quarantine")
    arts, q = rep.articles, rep.quarantine
    assert len(arts) == 1 and q["line"].tolist() == [3] and "max_published_at" in q["reason"].iloc[0]
    assert len(load_articles(f, max_published_at=None)) == 2


def test_the_future_bound_default_and_explicit():
    now = pd.Timestamp.now(tz="UTC")
    frame = pd.DataFrame(
        {
            "published_at": [now - pd.Timedelta(hours=1), now + pd.Timedelta(hours=20), now + pd.Timedelta(days=3)],
            "text": ["An hour ago.", "Later today somewhere.", "Three days ahead."],
        }
    )
    rep = load_articles_report(frame, on_invalid="quarantine")
    arts, q = rep.articles, rep.quarantine
    assert len(arts) == 2 and q["line"].tolist() == [2]
    today = pd.DataFrame({"published_at": [now.date()], "text": ["Dated today."]})
    assert len(load_articles(today, timezone="Pacific/Kiritimati")) == 1  # end of today, anywhere: still allowed
    cutoff = "2024-03-01T12:00:00Z"
    old = pd.DataFrame({"published_at": ["2024-03-01T11:00:00Z", "2024-03-01T13:00:00Z"], "text": ["a", "b"]})
    assert load_articles_report(old, max_published_at=cutoff, on_invalid="quarantine").quarantine["line"].tolist() == [
        1
    ]
    with pytest.raises(ConfigError, match="needs a UTC offset"):
        load_articles(old, max_published_at="2024-03-01")
    with pytest.raises(ConfigError, match="is not a timestamp"):
        load_articles(old, max_published_at="soon")


# ---------------------------------------------------------------- encodings


RECORD = {"published_at": "2024-03-01T10:00:00Z", "text": "Caf\u00e9 talks in Z\u00fcrich, \u00a3 and \u20ac."}


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_files_with_a_byte_order_mark_are_read_by_it(tmp_path: Path, codec: str):
    data = (json.dumps(RECORD, ensure_ascii=False) + "\n").encode(codec)
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(codec, b"")
    f = tmp_path / "feed.jsonl"
    f.write_bytes(bom + data)
    assert load_articles(f)["text"].iloc[0] == RECORD["text"]
    c = tmp_path / "feed.csv"
    c.write_bytes(bom + f'published_at,text\n{RECORD["published_at"]},"{RECORD["text"]}"\n'.encode(codec))
    assert load_articles(c)["text"].iloc[0] == RECORD["text"]


def test_latin_1_falls_back_with_a_warning_or_is_read_as_declared(tmp_path: Path):
    f = tmp_path / "feed.jsonl"
    f.write_bytes(
        (json.dumps({"published_at": "2024-03-01T10:00:00Z", "text": "Caf\u00e9"}, ensure_ascii=False) + "\n").encode(
            "latin-1"
        )
    )
    with pytest.warns(EncodingFallbackWarning, match="pass encoding="):
        assert load_articles(f)["text"].iloc[0] == "Caf\u00e9"
    assert load_articles(f, encoding="latin-1")["text"].iloc[0] == "Caf\u00e9"  # no warning: declared


def test_undecodable_bytes_and_unknown_encodings_are_named(tmp_path: Path):
    f = tmp_path / "feed.jsonl"
    f.write_bytes(b'{"published_at": "2024-03-01T10:00:00Z", "text": "\x81\x8d\x8f"}\n')  # not cp1252 either
    with pytest.raises(InputDataError, match=r"feed\.jsonl: cannot decode as cp1252 after UTF-8 failed.*encoding="):
        load_articles_report(f, on_invalid="quarantine")
    with pytest.raises(InputDataError, match=r"feed\.jsonl: cannot decode as utf-8 \(byte 50\).*encoding="):
        load_articles(f, encoding="utf-8")
    with pytest.raises(ConfigError, match="encoding='klingon'"):
        load_articles(f, encoding="klingon")
    u16 = tmp_path / "nobom.jsonl"
    u16.write_bytes((json.dumps(RECORD) + "\n").encode("utf-16-le"))
    with pytest.raises(InputDataError, match=r"nobom\.jsonl: file is binary.*encoding='utf-16-le'"):
        load_articles(u16)
    assert len(load_articles(u16, encoding="utf-16-le")) == 1


def test_encoding_reaches_folder_files_and_sidecars(tmp_path: Path):
    (tmp_path / "a.txt").write_bytes("Headline\nCaf\u00e9 talks.".encode("utf-16"))
    (tmp_path / "a.json").write_bytes(json.dumps({"published_at": "2024-03-01T10:00:00Z"}).encode("utf-16"))
    assert load_articles(tmp_path)["text"].iloc[0] == "Caf\u00e9 talks."  # by the byte-order mark
    (tmp_path / "b.txt").write_bytes("Headline two\nZ\u00fcrich talks.".encode("cp1252"))
    (tmp_path / "b.json").write_text(json.dumps({"published_at": "2024-03-02T10:00:00Z"}), encoding="ascii")
    arts = load_articles_report(tmp_path, encoding="cp1252", on_invalid="quarantine").articles
    assert "Z\u00fcrich talks." in set(arts["text"])


# ---------------------------------------------------------------- unreadable files


def _deny(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make reading one file fail as a permission problem does (tests may run as root)."""
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == name:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)


def test_an_unreadable_feed_is_an_input_error_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    f = _write(tmp_path, "feed.csv", HEADER + ROWS[0])
    _deny(monkeypatch, "feed.csv")
    with pytest.raises(InputDataError, match=r"feed\.csv: cannot read: permission denied") as err:
        load_articles_report(f, on_invalid="quarantine")
    assert err.value.exit_code == 3


def test_an_unreadable_file_in_a_folder_is_quarantined(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    stamp = "---\npublished_at: 2024-03-01T10:00:00Z\n---\n"
    (tmp_path / "good.txt").write_text(stamp + "Headline\nTalks resumed.", encoding="utf-8")
    (tmp_path / "locked.txt").write_text(stamp + "Headline\nSecret.", encoding="utf-8")
    _deny(monkeypatch, "locked.txt")
    rep = load_articles_report(tmp_path, on_invalid="quarantine")
    assert len(rep.articles) == 1 and "permission denied" in rep.quarantine["reason"].iloc[0]
    monkeypatch.setattr(Path, "iterdir", lambda self: (_ for _ in ()).throw(PermissionError(13, "denied")))
    with pytest.raises(InputDataError, match="cannot list the folder: permission denied"):
        load_articles(tmp_path)


# ---------------------------------------------------------------- lenient mode reports every row


def test_lenient_mode_accounts_for_every_record_with_a_reason(tmp_path: Path):
    rows = [
        ROWS[0],
        ROWS[0],  # an exact repeat: merged, reported in the merge report
        "2099-01-01T00:00:00Z,Future,Dated far ahead.\n",
        "03/04/2022,Ambiguous,Day or month first?\n",
        "2024-03-05T10:00:00Z,Cut\n",
        ",No date,No timestamp at all.\n",
        "2024-03-06T10:00:00Z,Empty,\n",
        "2024-03-07T10:00:00Z,Extra,Body,surplus\n",
        ROWS[3],
    ]
    f = _write(tmp_path, "feed.csv", HEADER + "".join(rows))
    rep = load_articles_report(f, on_invalid="quarantine", timezone="UTC")
    assert rep.n_read == len(rows) == len(rep.articles) + len(rep.quarantine) + len(rep.merged)
    assert len(rep.articles) == 2 and len(rep.merged) == 1
    assert rep.quarantine["line"].tolist() == [4, 5, 6, 7, 8, 9]
    assert rep.quarantine["reason"].str.len().gt(0).all()


@pytest.mark.parametrize("value", ["1200-01-01T10:00:00Z", "9000-01-01T10:00:00Z", "Jan 5, 1200"])
def test_a_year_outside_the_timestamp_range_is_refused_not_a_crash(value: str):
    frame = pd.DataFrame({"published_at": [value], "text": ["A year typed wrong."]})
    with pytest.raises(InputDataError, match="outside the years 1678-2261"):
        load_articles(frame, timezone="UTC", max_published_at=None)


_WORDS = st.sampled_from(["talks", "front", "grain", "ceasefire", "Kyiv", "Moscow", ",", '"', "\n", "x,y", ""])


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(st.lists(_WORDS, min_size=1, max_size=6).map(" ".join), min_size=2, max_size=6),
    quote_all=st.booleans(),
    cut=st.integers(min_value=0),
)
def test_a_deleted_quote_never_merges_records_in_silence(texts: list[str], quote_all: bool, cut: int):
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(["published_at", "title", "text"])
    for i, text in enumerate(texts):
        writer.writerow([f"2024-03-{i + 1:02d}T10:00:00Z", f"Story {i}", f"Body {i}: {text}"])
    good = buffer.getvalue()
    quotes = [i for i, c in enumerate(good) if c == '"']
    if not quotes:
        return
    at = quotes[cut % len(quotes)]
    with tempfile.TemporaryDirectory() as folder:
        f = Path(folder) / "feed.csv"
        f.write_text(good[:at] + good[at + 1 :], encoding="utf-8", newline="")
        error: InputDataError | None = None
        try:
            rep = load_articles_report(f, on_invalid="quarantine", near_duplicates=None)
        except InputDataError as exc:
            error = exc
        if error is not None:  # refused, naming the file and the line
            assert str(f) in str(error) and error.line is not None
        else:  # no merge; a record split in two (an opening quote deleted) leaves a quarantined piece
            assert rep.n_read >= len(texts), "records were merged"
            assert rep.n_read == len(texts) or len(rep.quarantine) > 0, "a record was split without a word"
