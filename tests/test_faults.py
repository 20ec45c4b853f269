"""Fault injection: a catalogue of bad inputs and faults, each with its exit code and message.

Every case runs the command line in-process (``georisk.cli.main``) and asserts the exit
code, a message naming the file (or option) and the fix, and that nothing damaged was
published. No case may exit 1 ("a bug"), and none may pass silently: a case that exits
0 must leave a named warning in the manifest (or the log).
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from georisk.cli import main
from georisk.datasets import sample_prices_path

D = "2024-12-31"


# --- building bad inputs -----------------------------------------------------------------


def sample_text() -> str:
    return sample_prices_path().read_text(encoding="utf-8")


def set_cell(text: str, date: str, ticker: str, value: str) -> str:
    """The sample with one cell replaced (the row of ``date``, the column of ``ticker``)."""
    lines = text.splitlines(keepends=True)
    col = lines[0].rstrip("\n").split(",").index(ticker)
    for i, line in enumerate(lines):
        if line.startswith(date):
            cells = line.rstrip("\n").split(",")
            cells[col] = value
            lines[i] = ",".join(cells) + "\n"
            return "".join(lines)
    raise AssertionError(f"no row {date}")


def line_of(text: str, date: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if line.startswith(date))


def write(tmp: Path, name: str, data: str | bytes) -> Path:
    p = tmp / name
    if isinstance(data, bytes):
        p.write_bytes(data)
    else:
        p.write_text(data, encoding="utf-8")
    return p


@dataclass
class Case:
    """One bad input or fault: how to make it, the exit code, and what the message must say."""

    id: str
    build: Callable[[Path], list[str]]  # makes the inputs under a temporary folder, returns argv
    code: int
    message: str  # a regular expression the log must match
    published: bool = False  # whether a (warned) export may exist afterwards
    manifest_warning: str | None = None  # for exit 0: a warning the manifest must hold
    kind: str = "input"
    extra: Callable[[Path], None] | None = field(default=None)  # more checks after the run


def export_with_prices(name: str, data: Callable[[], str | bytes], *extra: str) -> Callable[[Path], list[str]]:
    def build(tmp: Path) -> list[str]:
        p = write(tmp, name, data())
        return ["export", "--date", D, "--prices", str(p), "--out", str(tmp / "out"), *extra]

    return build


def price_case(
    id: str, data: Callable[[], str | bytes], message: str, *, name: str = "prices.csv", code: int = 3
) -> Case:
    return Case(id, export_with_prices(name, data), code, message)


S = sample_text


def cut_mid_line() -> str:
    return S()[:-7]


def cut_after_comma() -> str:
    text = S()
    last = text.rstrip("\n").rsplit("\n", 1)[1]
    return text[: len(text) - len(last) - 1] + last[: last.index(",", 30) + 1] + "\n"


def dup_date(value: str) -> Callable[[], str]:
    def make() -> str:
        text = S()
        changed = text if value == "same" else set_cell(text, D, "BZ=F", value)
        again = changed.rstrip("\n").rsplit("\n", 1)[1]
        return text + again + "\n"

    return make


def header_dup(col: str) -> Callable[[], str]:
    def make() -> str:
        text = S()
        head, rest = text.split("\n", 1)
        cells = head.split(",")
        cells[cells.index(col)] = "BZ=F" if col != "date" else "date"
        if col == "date":
            cells[1] = "date"
        return ",".join(cells) + "\n" + rest

    return make


def in_parquet(mutate: Callable[[pd.DataFrame], None] | None = None) -> Callable[[], bytes]:
    def make() -> bytes:
        frame = pd.read_csv(sample_prices_path(), dtype={"date": str})
        if mutate is not None:
            mutate(frame)
        import io

        buf = io.BytesIO()
        frame.to_parquet(buf, index=False)
        return buf.getvalue()

    return make


def _set_inf(frame: pd.DataFrame) -> None:
    frame.loc[frame.index[-1], "SPY"] = float("inf")


def long_prices(rows: str) -> Callable[[], str]:
    return lambda: "date,ticker,close\n" + rows


PRICE_CASES = [
    price_case("cut-mid-line", cut_mid_line, r"prices.csv, line \d+: the file does not end with a line break.*cut off"),
    price_case("cut-after-comma", cut_after_comma, r"prices.csv, line \d+: the line has \d+ fields but the header"),
    price_case("inf", lambda: set_cell(S(), D, "SPY", "inf"), r"field 'SPY': 'inf' is not a finite price"),
    price_case("minus-inf", lambda: set_cell(S(), D, "LMT", "-inf"), r"field 'LMT': '-inf' is not a finite price"),
    price_case("infinity", lambda: set_cell(S(), D, "GD", "Infinity"), r"field 'GD': 'Infinity' is not a finite"),
    price_case("negative-equity", lambda: set_cell(S(), D, "LMT", "-5"), r"field 'LMT': price -5 is not positive"),
    price_case("zero-etf", lambda: set_cell(S(), D, "SPY", "0"), r"field 'SPY': price 0 is not positive"),
    price_case("negative-early", lambda: set_cell(S(), "2023-03-01", "NOC", "-1.5"), r"line \d+, field 'NOC'"),
    price_case("date-twice-different", dup_date("99.5"), r"date 2024-12-31 is given twice with different prices"),
    price_case("typo-two-points", lambda: set_cell(S(), D, "BZ=F", "12.3.4"), r"'12.3.4' is not a number; correct"),
    price_case("typo-letter-o", lambda: set_cell(S(), D, "CL=F", "1O0"), r"field 'CL=F': '1O0' is not a number"),
    price_case("thousands-sep", lambda: set_cell(S(), D, "LMT", '"1,234.5"'), r"'1,234.5' is not a number"),
    price_case("decimal-comma", lambda: set_cell(S(), D, "LMT", "487,5"), r"fields but the header has \d+; more"),
    price_case("text-in-cell", lambda: set_cell(S(), D, "RTX", "n.a."), r"field 'RTX': 'n.a.' is not a number"),
    price_case("dup-ticker-column", header_dup("CL=F"), r"line 1, field 'BZ=F': column 'BZ=F' appears twice"),
    price_case("dup-date-column", header_dup("date"), r"column 'date' appears twice"),
    price_case(
        "latin-1", lambda: S().encode() + "note,Caf\xe9\n".encode("latin-1"), r"is not UTF-8 \(byte 0xE9.*iconv"
    ),
    price_case("utf-16-bom", lambda: S().encode("utf-16"), r"is UTF-16 .*iconv -f UTF-16 -t UTF-8"),
    price_case("utf-16-no-bom", lambda: S().encode("utf-16-le"), r"holds NUL bytes: it is not a UTF-8 text file"),
    price_case("cp1252-header", lambda: "date,SPY\u2019\n".encode("cp1252") + b"2024-12-31,1\n", r"is not UTF-8"),
    price_case("binary-garbage", lambda: bytes(range(256)) * 4, r"prices.csv, line 1: holds NUL bytes"),
    price_case("empty-file", lambda: b"", r"the price file is empty; give a header line"),
    price_case("impossible-day", lambda: S().replace(D, "2024-02-30"), r"'2024-02-30' is not a calendar date"),
    price_case("month-13", lambda: S().replace("2024-12-30", "2024-13-30"), r"'2024-13-30' is not a calendar"),
    price_case("impossible-time", lambda: S().replace(D + ",", D + " 25:99:00,"), r"impossible time or UTC offset"),
    price_case("impossible-offset", lambda: S().replace(D + ",", D + " 16:00:00+25:00,"), r"impossible time"),
    price_case("day-first-date", lambda: S().replace(D, "31/12/2024"), r"cannot read date '31/12/2024'; use YYYY"),
    price_case("empty-date", lambda: S().replace(D, ""), r"field 'date': cannot read date ''"),
    price_case("unterminated-quote", lambda: set_cell(S(), D, "SPY", '"585.1'), r"malformed CSV|fields but"),
    price_case("parquet-cut", lambda: in_parquet()()[:-40], r"not a readable Parquet file.*cut", name="p.parquet"),
    price_case("parquet-garbage", lambda: b"PAR1" + b"\0" * 64, r"not a readable Parquet file", name="p.parquet"),
    price_case(
        "parquet-inf", in_parquet(_set_inf), r"p.parquet, line \d+, field 'SPY'.*not a finite", name="p.parquet"
    ),
    price_case(
        "long-empty-ticker", long_prices("2024-12-31,SPY,5\n2024-12-31,,6\n"), r"line 3, field 'ticker': empty ticker"
    ),
    price_case("long-duplicate", long_prices("2024-12-31,SPY,5\n2024-12-31,SPY,6\n"), r"line 3: duplicate \(date"),
    price_case("long-typo", long_prices("2024-12-31,SPY,5..1\n"), r"line 2, field 'close': '5..1' is not a number"),
    price_case("header-only", lambda: "date,SPY\n", r"no prices at all for \[.*check the tickers", code=4),
]


def missing_file(tmp: Path) -> list[str]:
    return ["export", "--date", D, "--prices", str(tmp / "nowhere" / "x.csv"), "--out", str(tmp / "out")]


PRICE_CASES.append(Case("missing-file", missing_file, 3, r"x.csv: price file or folder does not exist; check the path"))


def fifo_prices(tmp: Path) -> list[str]:
    os.mkfifo(tmp / "prices.csv")  # reading it would block forever: refused, not hung
    return ["export", "--date", D, "--prices", str(tmp / "prices.csv"), "--out", str(tmp / "out")]


PRICE_CASES.append(Case("prices-fifo", fifo_prices, 3, r"prices.csv: is not a regular file \(a pipe"))


def warned(id: str, data: Callable[[], str], warning: str, message: str = "") -> Case:
    return Case(id, export_with_prices("prices.csv", data), 0, message, published=True, manifest_warning=warning)


WARNED_CASES = [
    warned(
        "negative-future-kept",
        lambda: set_cell(S(), D, "CL=F", "-3.5"),
        r"price quality: CL=F non_positive on",
        r"DataQualityWarning: 1 return\(s\) start or end at a non-positive price",
    ),
    warned(
        "date-twice-same",
        dup_date("same"),
        r"dropped rows: \d+ price\(s\) left out \(counted per ticker\): \d+ x date repeated",
    ),
    warned(
        "future-dated-rows",
        lambda: S() + "2099-01-02" + S().rstrip("\n").rsplit("\n", 1)[1][10:] + "\n",
        r"dropped rows: \d+ price\(s\) left out \(counted per ticker\): \d+ x price not settled yet",
    ),
    warned(
        "empty-price-row",
        lambda: S().replace("2024-12-30", "2024-12-29" + "," * S().split("\n", 1)[0].count(",") + "\n2024-12-30", 1),
        r"dropped rows: \d+ price\(s\) left out \(counted per ticker\): \d+ x empty price row",
    ),
]


# --- options and configuration (exit 2) -------------------------------------------------


def cli(*args: str) -> Callable[[Path], list[str]]:
    return lambda tmp: [a.replace("{tmp}", str(tmp)) for a in args]


def with_config(text: str, *args: str) -> Callable[[Path], list[str]]:
    def build(tmp: Path) -> list[str]:
        (tmp / "georisk.toml").write_text(text, encoding="utf-8")
        return [a.replace("{tmp}", str(tmp)).replace("{cfg}", str(tmp / "georisk.toml")) for a in args]

    return build


EXPORT = ("export", "--date", D, "--out", "{tmp}/out")
UNIVERSE_BAD = """
[universe.sleeves.energy]
instruments = [{{ticker = "BZ=F", {inst}}}]
[universe.sleeves.benchmark]
instruments = ["SPY"]
"""

OPTION_CASES = [
    Case("lock-timeout-nan", cli(*EXPORT, "--lock-timeout", "nan"), 2, r"--lock-timeout.*finite number", kind="option"),
    Case("lock-timeout-inf", cli(*EXPORT, "--lock-timeout", "inf"), 2, r"--lock-timeout.*finite number", kind="option"),
    Case(
        "lock-timeout-neg", cli(*EXPORT, "--lock-timeout", "-1"), 2, r"--lock-timeout='-1' must be >= 0", kind="option"
    ),
    Case("lock-timeout-text", cli(*EXPORT, "--lock-timeout", "soon"), 2, r"'soon' is not a number", kind="option"),
    Case("settle-nan", cli(*EXPORT, "--settle-minutes", "nan"), 2, r"--settle-minutes.*finite", kind="option"),
    Case("settle-inf", cli(*EXPORT, "--settle-minutes", "inf"), 2, r"--settle-minutes.*finite", kind="option"),
    Case("settle-neg", cli(*EXPORT, "--settle-minutes", "-5"), 2, r"--settle-minutes='-5' must be >= 0", kind="option"),
    Case(
        "keep-versions-neg", cli(*EXPORT, "--keep-versions", "-1"), 2, r"--keep-versions=-1 must be >= 0", kind="option"
    ),
    Case("article-gap-neg", cli(*EXPORT, "--max-article-gap", "-2"), 2, r"--max-article-gap=-2", kind="option"),
    Case("retries-neg", cli("prices", "fetch", "--retries", "-1"), 2, r"--retries=-1 must be >= 0", kind="option"),
    Case(
        "retries-text", cli("prices", "fetch", "--retries", "many"), 2, r"'many' is not a whole number", kind="option"
    ),
    Case("bad-date", cli("export", "--date", "2024-13-01", "--out", "{tmp}/out"), 2, r"is not a date", kind="option"),
    Case(
        "bad-start",
        cli("prices", "check", "--start", "2024-02-30"),
        2,
        r"start='2024-02-30' is not a date",
        kind="option",
    ),
    Case(
        "deadline-inf",
        with_config(
            '[prices]\nsource = "yfinance"\ndeadline = inf\noffline = true\ncache_dir = "c"\n',
            "prices",
            "check",
            "--config",
            "{cfg}",
        ),
        2,
        r"deadline \(prices.deadline\)=inf must be a finite number",
        kind="config",
    ),
    Case(
        "deadline-nan",
        with_config('[prices]\nsource = "yfinance"\ndeadline = nan\n', "prices", "check", "--config", "{cfg}"),
        2,
        r"georisk.toml.*deadline",
        kind="config",
    ),
    Case(
        "retries-neg-config",
        with_config("[prices]\nretries = -3\n", *EXPORT, "--config", "{cfg}"),
        2,
        r"georisk.toml.*retries",
        kind="config",
    ),
    Case(
        "article-zone-unknown",
        with_config('[articles]\ntimezone = "Mars/Olympus"\n', *EXPORT, "--config", "{cfg}"),
        2,
        r"articles.timezone='Mars/Olympus' is not an IANA time-zone name",
        kind="config",
    ),
    Case(
        "close-time-25-99",
        with_config(
            UNIVERSE_BAD.format(inst='close_time = "25:99", timezone = "America/New_York"'),
            "prices",
            "check",
            "--config",
            "{cfg}",
        ),
        2,
        r"close_time '25:99' is not a time of day; use HH:MM",
        kind="config",
    ),
    Case(
        "instrument-zone-unknown",
        with_config(
            UNIVERSE_BAD.format(inst='close_time = "14:30", timezone = "America/Gotham"'), *EXPORT, "--config", "{cfg}"
        ),
        2,
        r"timezone 'America/Gotham' is not an IANA zone name",
        kind="config",
    ),
    Case("config-not-toml", with_config("[prices\n", *EXPORT, "--config", "{cfg}"), 2, r"georisk.toml", kind="config"),
    Case(
        "config-unknown-key",
        with_config("[prices]\nspeed = 3\n", *EXPORT, "--config", "{cfg}"),
        2,
        r"speed",
        kind="config",
    ),
    Case("config-missing", cli(*EXPORT, "--config", "{tmp}/none.toml"), 2, r"none.toml", kind="config"),
]


# --- outputs, locks, caches (exit 2, 4, 6) -----------------------------------------------


def out_is_file(tmp: Path) -> list[str]:
    (tmp / "out").write_text("not a folder\n")
    return list(cli(*EXPORT)(tmp))


def out_under_file(tmp: Path) -> list[str]:
    (tmp / "f").write_text("x\n")
    return ["export", "--date", D, "--out", str(tmp / "f" / "out")]


def fetch_out_under_file(tmp: Path) -> list[str]:
    (tmp / "f").write_text("x\n")
    return ["prices", "fetch", "--tickers", "SPY", "--out", str(tmp / "f" / "p.csv")]


def symlinked_lock(tmp: Path) -> list[str]:
    (tmp / "out").mkdir()
    (tmp / "precious.txt").write_text("keep me\n")
    (tmp / "out" / ".georisk-export.lock").symlink_to(tmp / "precious.txt")
    return list(cli(*EXPORT)(tmp))


def fifo_lock(tmp: Path) -> list[str]:
    (tmp / "out").mkdir()
    os.mkfifo(tmp / "out" / ".georisk-export.lock")
    return list(cli(*EXPORT)(tmp))


def cache_is_file(tmp: Path) -> list[str]:
    (tmp / "cache").write_text("x\n")
    return ["prices", "check", "--source", "yfinance", "--offline", "--cache-dir", str(tmp / "cache")]


def corrupt_cache(what: str) -> Callable[[Path], list[str]]:
    def build(tmp: Path) -> list[str]:
        from georisk.market import PriceCache

        cache = PriceCache(tmp / "cache")
        s = pd.Series([1.0, 2.0], index=pd.to_datetime(["2024-12-30", "2024-12-31"]))
        cache.store("SPY", s, "2024-12-01", "2024-12-31", source="test")
        if what == "parquet":
            cache.path("SPY").write_bytes(b"PAR1 torn")
        else:
            (cache.folder / "manifest.json").write_text('{"SPY": {"start"')
        return [
            "prices",
            "fetch",
            "--source",
            "yfinance",
            "--offline",
            "--cache-dir",
            str(tmp / "cache"),
            "--tickers",
            "SPY",
            "--start",
            "2024-12-01",
            "--end",
            "2024-12-31",
        ]

    return build


def precious_untouched(tmp: Path) -> None:
    assert (tmp / "precious.txt").read_text() == "keep me\n"


def set_aside_kept(tmp: Path) -> None:
    assert list((tmp / "cache" / "prices").glob("*.corrupt-*")), "the damaged cache file was not kept aside"


OUTPUT_CASES = [
    Case("out-is-file", out_is_file, 2, r"--out .*out is a file, not a folder", kind="output"),
    Case("out-under-file", out_under_file, 2, r"a file stands where a folder is needed", kind="output"),
    Case("fetch-out-under-file", fetch_out_under_file, 2, r"/f: cannot write: a file stands where", kind="output"),
    Case(
        "symlinked-lock",
        symlinked_lock,
        2,
        r"lock file .* is a symbolic link; georisk never follows it",
        kind="lock",
        extra=precious_untouched,
    ),
    Case("fifo-lock", fifo_lock, 2, r"lock file .* is not a regular file", kind="lock"),
    Case("cache-dir-is-file", cache_is_file, 2, r"cache directory .* is a file", kind="cache"),
    Case(
        "corrupt-cache-parquet",
        corrupt_cache("parquet"),
        4,
        r"SPY.parquet was damaged.*set aside(.|\n)*offline and not in the cache",
        kind="cache",
        extra=set_aside_kept,
    ),
    Case(
        "corrupt-cache-manifest",
        corrupt_cache("manifest"),
        0,
        r"WARNING .*manifest.json was damaged.*set aside",
        kind="cache",
        extra=set_aside_kept,
    ),
]

CATALOGUE = PRICE_CASES + WARNED_CASES + OPTION_CASES + OUTPUT_CASES


#: Commands that read articles or prices: the catalogue means the bundled sample for what it does not give.
SAMPLE_COMMANDS = ("score", "signal", "premium", "backtest", "export", "report", "briefing", "prices")


def with_sample(argv: list[str]) -> list[str]:
    """``argv`` with ``--sample`` after its (sub)command, for a command that reads inputs."""
    if not argv or argv[0] not in SAMPLE_COMMANDS or "--sample" in argv:
        return argv
    at = 2 if argv[0] == "prices" else 1
    return [*argv[:at], "--sample", *argv[at:]]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """``georisk -v ARGV`` in-process (with ``--sample``), with warnings shown as a real run shows them."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        code = main(["-v", *with_sample(argv)])
    shown = "".join(f"{w.category.__name__}: {w.message}\n" for w in seen)  # stderr of a real run shows them
    return code, capsys.readouterr().err + shown


def check_published(case: Case, tmp: Path) -> None:
    out = tmp / "out"
    sessions = sorted(out.glob("session=*")) if out.is_dir() else []
    if not case.published:
        assert sessions == [], f"{case.id}: refused input was published: {sessions}"
        return
    assert sessions, f"{case.id}: nothing published"
    manifest = json.loads((sessions[-1] / "manifest.json").read_text())
    assert case.manifest_warning is not None
    assert any(re.search(case.manifest_warning, w) for w in manifest["warnings"]), manifest["warnings"]


@pytest.mark.slow
@pytest.mark.parametrize("case", CATALOGUE, ids=[c.id for c in CATALOGUE])
def test_fault(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GEORISK_CACHE_DIR", raising=False)
    argv = case.build(tmp_path)
    code, err = run(argv, capsys)
    assert code != 1, f"{case.id} exited 1 (a bug):\n{err}"
    assert code == case.code, f"{case.id}: exit {code}, expected {case.code}:\n{err}"
    assert "Traceback" not in err.split("where it was raised")[0], err
    if case.message:  # the error, or for exit 0 the warning, in the log
        assert re.search(case.message, err), f"{case.id}: message does not match {case.message!r}:\n{err}"
    else:
        assert case.manifest_warning, f"{case.id}: a case must name its error or warning"
    check_published(case, tmp_path)
    if case.extra is not None:
        case.extra(tmp_path)


# --- faults injected into the machine ------------------------------------------------------


def test_unreadable_price_file_exits_3(tmp_path: Path, capsys, monkeypatch):
    p = write(tmp_path, "prices.csv", S())
    if os.geteuid() != 0:
        p.chmod(0)
    else:  # root reads anything: make the read fail as it would for another user
        real = Path.read_bytes

        def denied(self: Path) -> bytes:
            if self == p:
                raise PermissionError(errno.EACCES, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", denied)
    code, err = run(["export", "--date", D, "--prices", str(p), "--out", str(tmp_path / "out")], capsys)
    assert code == 3, err
    assert re.search(r"prices.csv: cannot read the price file: Permission denied; check .* chmod u\+r", err), err


@pytest.mark.parametrize("err_no", [errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS])
def test_write_faults_keep_the_previous_export(err_no: int, tmp_path: Path, capsys, monkeypatch, pipeline_result):
    from georisk.export import export_frames, read_export, verify_root

    r = pipeline_result
    out = tmp_path / "out"
    good = export_frames(r.signal, r.premium, r.positions, session=D, out_dir=out)
    before = read_export(out, D)
    import georisk.export._store as store

    real = store.os.fsync

    def failing(fd: int) -> None:
        raise OSError(err_no, os.strerror(err_no))

    calls = {"n": 0}

    def failing_later(fd: int) -> None:  # the pending file is written, then the version's files fail
        calls["n"] += 1
        if calls["n"] > 2:
            failing(fd)
        real(fd)

    monkeypatch.setattr(store.os, "fsync", failing_later)
    from georisk.errors import OutputError

    with pytest.raises(OutputError, match="cannot write") as info:
        export_frames(r.signal, r.premium * 3, r.positions, session=D, out_dir=out)
    assert info.value.exit_code == 2
    monkeypatch.setattr(store.os, "fsync", real)
    assert read_export(out, D).equals(before) and good.folder.resolve().exists()
    verify_root(out)  # whole and consistent: the pending publication is not half-visible
    again = export_frames(r.signal, r.premium * 3, r.positions, session=D, out_dir=out)
    assert again.changed and verify_root(out)["exports"] == 1


FSIZE_CHILD = r"""
import resource, sys
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from georisk.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.slow
def test_capped_file_size_exits_2_and_publishes_nothing(tmp_path: Path):
    """A full disk, for real: RLIMIT_FSIZE makes the kernel refuse writes past 4 kB (EFBIG)."""
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-c", FSIZE_CHILD, "4096", "export", "--sample", "--date", D, "--out", str(out)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )
    assert proc.returncode == 2, proc.stderr
    assert "the file-size limit was reached (ulimit -f)" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert list(out.glob("session=*")) == []
    assert not [p for p in out.rglob("*") if p.is_file() and p.stat().st_size > 4096]
    ok = subprocess.run(
        [sys.executable, "-m", "georisk", "export", "--sample", "--date", D, "--out", str(out)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )
    assert ok.returncode == 0, ok.stderr  # the next run, with room, tidies and publishes
    assert not list(out.rglob(".tmp-*"))


# --- verify catches every edit -------------------------------------------------------------


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from georisk.pipeline import export_range

    out = tmp_path_factory.mktemp("published") / "out"
    export_range(None, "2024-12-27", D, out_dir=out)
    return out


def _edit_json(path: Path) -> None:
    doc = json.loads(path.read_text())
    (doc[0] if isinstance(doc, list) else doc)["grpi"] = 123.0
    path.write_text(json.dumps(doc))


def _edit_manifest(path: Path, rehash: Path | None = None) -> None:
    doc = json.loads(path.read_text())
    doc["warnings"] = ["all good"]
    if rehash is not None:
        import hashlib

        doc["files"][rehash.name] = hashlib.sha256(rehash.read_bytes()).hexdigest()
    path.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")


def _version(out: Path, day: str = D) -> Path:
    return (out / f"session={day}").resolve()


def _hist(out: Path) -> Path:
    from georisk.export import history_path

    return history_path(out, pd.Timestamp(D))


def _rec(out: Path) -> Path:
    from georisk.export import record_path

    return record_path(out, pd.Timestamp(D))


def _edit_csv_and_manifest(out: Path) -> None:
    """A careful editor: changes a data file and puts its new hash in the manifest."""
    (_version(out) / "signal.csv").write_text("session\n")
    _edit_manifest(_version(out) / "manifest.json", _version(out) / "signal.csv")


def _move_latest(out: Path) -> None:
    (out / "latest").unlink()
    (out / "latest").symlink_to("session=2024-12-27")


EDITS: dict[str, tuple[Callable[[Path], None], str]] = {
    "signal-csv": (lambda o: (_version(o) / "signal.csv").write_text("session\n"), r"signal.csv does not match"),
    "signal-json": (lambda o: _edit_json(_version(o) / "signal.json"), r"signal.json does not match"),
    "signal-parquet-byte": (
        lambda o: (_version(o) / "signal.parquet").write_bytes(
            (_version(o) / "signal.parquet").read_bytes()[:-1] + b"x"
        ),
        r"signal.parquet does not match",
    ),
    "manifest-warnings": (lambda o: _edit_manifest(_version(o) / "manifest.json"), r"was edited after publication"),
    "csv-and-manifest": (_edit_csv_and_manifest, r"was edited after publication"),
    "extra-file": (lambda o: (_version(o) / "notes.txt").write_text("hi"), r"files the manifest does not list"),
    "history-edited": (
        lambda o: _hist(o).write_bytes(b"PAR1"),
        r"history file .* differs from the published export",
    ),
    "history-deleted": (
        lambda o: _hist(o).unlink(),
        r"the history has no row for it",
    ),
    "history-stray": (
        lambda o: shutil.copy(_hist(o), _hist(o).with_name("2024-12-20.parquet")),
        r"holds session 2024-12-20 .* but there is no export",
    ),
    "record-deleted": (
        lambda o: _rec(o).unlink(),
        r"no record of its publication",
    ),
    "latest-moved": (_move_latest, r"latest points to 'session=2024-12-27', not to the newest session"),
    "link-dangling": (
        lambda o: shutil.rmtree(_version(o)),
        r"session 2024-12-31: .*(No such file|does not exist|missing)",
    ),
}


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_verify_catches_every_edit(edit: str, published: Path, tmp_path: Path, capsys):
    out = tmp_path / "out"
    shutil.copytree(published, out, symlinks=True)
    code, err = run(["verify", "--out", str(out)], capsys)
    assert code == 0, err
    change, message = EDITS[edit]
    for p in out.rglob("*"):
        if p.is_file() and not p.is_symlink():
            p.chmod(0o644)
    change(out)
    code, err = run(["verify", "--out", str(out)], capsys)
    assert code == 8, f"verify missed {edit}:\n{err}"
    assert re.search(message, err), err


@pytest.mark.slow
def test_edited_manifest_is_not_laundered_by_a_rerun(published: Path, tmp_path: Path, capsys):
    out = tmp_path / "out"
    shutil.copytree(published, out, symlinks=True)
    _version(out).joinpath("manifest.json").chmod(0o644)
    _edit_manifest(_version(out) / "manifest.json")
    code, err = run(["export", "--date", D, "--out", str(out)], capsys)
    assert code == 8 and "edited after publication" in err, err
    code, err = run(["verify", "--out", str(out)], capsys)
    assert code == 8
    code, err = run(["export", "--date", D, "--out", str(out), "--force"], capsys)
    assert code == 0, err
    code, err = run(["verify", "--out", str(out)], capsys)
    assert code == 0, err


@pytest.mark.slow
def test_every_written_file_follows_the_umask(tmp_path: Path):
    """Exports, history, records, pointers' targets and the lock: 0o666 and 0o777 less the umask."""
    out = tmp_path / "out"
    old = os.umask(0o027)
    try:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "georisk",
                "export",
                "--sample",
                "--from",
                "2024-12-30",
                "--to",
                D,
                "--out",
                str(out),
            ],
            check=True,
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )
    finally:
        os.umask(old)
    modes = Counter()
    for p in [out, *out.rglob("*")]:
        if p.is_symlink():
            continue
        mode = p.stat().st_mode & 0o777
        want = 0o750 if p.is_dir() else 0o640
        assert mode == want, f"{p} is {oct(mode)}, not {oct(want)}"
        modes["dir" if p.is_dir() else "file"] += 1
    assert modes["file"] >= 12 and modes["dir"] >= 6, modes


def test_catalogue_counts():
    """The catalogue's size and its exit codes (printed for the record); no case expects 1."""
    besides = Counter(
        {
            3: 1,  # unreadable price file
            2: 5 + 1,  # injected write faults (ENOSPC, EDQUOT, EFBIG, EIO, EROFS), capped file size
            8: len(EDITS) + 1,  # verify catches every edit, an edited manifest is not laundered
        }
    )
    codes = Counter(c.code for c in CATALOGUE) + besides
    total = sum(codes.values())
    assert 1 not in codes and total >= 80, codes
    print(f"fault catalogue: {total} cases; by exit code: {dict(sorted(codes.items()))}")
