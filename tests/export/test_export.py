"""The daily export: idempotent, versioned, atomic swaps, history, gaps and failures."""

import errno
import json
import os
from pathlib import Path

import jsonschema
import pandas as pd
import pytest

from georisk.cli import main
from georisk.config import GeoriskConfig
from georisk.errors import ConfigError, CorruptExportError, MissingDataError, NotASessionError
from georisk.export import DATA_FILES, export_frames, history_path, read_export, read_history, verify_export
from georisk.pipeline import export_daily, export_range
from georisk.schema import ExportManifest, SignalRow, signal_row_schema, validate_rows

D = pd.Timestamp("2024-12-31")


def check_outputs(folder: Path) -> SignalRow:
    """Every output file of an export validates against the row schema and agrees."""
    manifest = verify_export(folder)
    ExportManifest.model_validate(manifest)
    doc = json.loads((folder / "signal.json").read_text("utf-8"))
    jsonschema.validate(doc, signal_row_schema())
    row = SignalRow.model_validate(doc)
    (from_parquet,) = validate_rows(pd.read_parquet(folder / "signal.parquet"))
    (from_csv,) = validate_rows(pd.read_csv(folder / "signal.csv"))
    assert from_parquet == row
    assert from_csv == row  # the CSV keeps full float precision
    assert manifest["rows"] == dict.fromkeys(DATA_FILES, 1)
    return row


@pytest.fixture(scope="module")
def daily(tmp_path_factory):
    out = tmp_path_factory.mktemp("daily")
    return out, export_daily(None, D, out_dir=out)


@pytest.fixture(scope="module")
def backfill(tmp_path_factory):
    out = tmp_path_factory.mktemp("backfill")
    return out, export_range(None, "2024-12-21", "2024-12-31", out_dir=out)


def test_daily_export_writes_a_complete_validated_export(daily):
    out, res = daily
    assert res.folder == out / "session=2024-12-31" and res.folder.is_symlink()
    assert res.changed and res.session == D
    row = check_outputs(res.folder)
    assert row.session == D.date() and row.cutoff == pd.Timestamp("2024-12-31 21:00", tz="UTC")
    m = res.manifest
    assert m["version"] == res.version and m["as_of"] == "2024-12-31" and m["cutoff"] == "2024-12-31T21:00:00+00:00"
    assert m["manifest_version"] == "2"
    assert set(m["inputs"]) == {"articles", "prices", "articles_used", "prices_used"}
    assert m["inputs"]["articles"]["kind"] == "file" and len(m["inputs"]["articles"]["sha256"]) == 64
    assert m["articles_used"] > 1000 and m["prices_last_date"] == "2024-12-31"
    assert m["georisk_version"] and m["schema_version"] == "3"
    assert os.readlink(out / "latest") == "session=2024-12-31"
    hist = read_history(out)
    assert list(hist.index) == [D]


@pytest.mark.slow
def test_rerun_is_byte_identical_and_adds_no_history_row(daily):
    out, first = daily
    before = {p.name: p.read_bytes() for p in first.folder.iterdir()}
    hist_before = history_path(out, D).read_bytes()
    again = export_daily(None, "2024-12-31", out_dir=out)
    assert not again.changed and again.version == first.version
    assert {p.name: p.read_bytes() for p in again.folder.iterdir()} == before  # even the manifest
    assert history_path(out, D).read_bytes() == hist_before
    assert len(read_history(out)) == 1


@pytest.mark.slow
def test_backfill_equals_daily_runs_byte_for_byte(daily, backfill):
    out, results = backfill
    sessions = [r.session for r in results]
    assert sessions == list(pd.bdate_range("2024-12-23", "2024-12-31").drop(pd.Timestamp("2024-12-25")))
    for r in results:
        check_outputs(r.folder)
    last = results[-1]
    _, daily_res = daily
    for name in DATA_FILES:
        assert (last.folder / name).read_bytes() == (daily_res.folder / name).read_bytes()
    assert last.version == daily_res.version  # same inputs, same manifest content
    hist = read_history(out)
    assert list(hist.index) == sessions and not hist.index.has_duplicates
    assert os.readlink(out / "latest") == "session=2024-12-31"
    rerun = export_range(None, "2024-12-21", "2024-12-31", out_dir=out)
    assert [r.changed for r in rerun] == [False] * len(results)
    pd.testing.assert_frame_equal(read_history(out), hist)


def test_backfill_of_an_earlier_session_keeps_latest(backfill):
    out, _ = backfill
    res = export_range(None, "2024-12-20", "2024-12-20", out_dir=out)
    assert res[0].folder.name == "session=2024-12-20"
    assert os.readlink(out / "latest") == "session=2024-12-31"


def test_new_inputs_publish_a_new_version_and_keep_the_old(tmp_path: Path, pipeline_result):
    r = pipeline_result
    a = export_frames(r.signal, r.premium, r.positions, session=D, out_dir=tmp_path)
    b = export_frames(r.signal, r.premium * 2, r.positions, session=D, out_dir=tmp_path, keep_versions=1)
    assert b.changed and b.version != a.version
    assert read_export(tmp_path, D)["grpi"].iloc[0] == pytest.approx(2 * r.premium.loc[D, "grpi"])
    versions = sorted(p.name for p in (tmp_path / ".versions" / "2024-12-31").iterdir())
    assert versions == sorted([a.version, b.version])
    c = export_frames(r.signal, r.premium * 3, r.positions, session=D, out_dir=tmp_path, keep_versions=1)
    versions = sorted(p.name for p in (tmp_path / ".versions" / "2024-12-31").iterdir())
    assert versions == sorted([b.version, c.version])  # pruned to one older version
    assert len(read_history(tmp_path)) == 1


def test_not_a_session_and_previous_session(tmp_path: Path):
    with pytest.raises(NotASessionError, match=r"2024-12-25 is not a XNYS session .* previous session is 2024-12-24"):
        export_daily(None, "2024-12-25", out_dir=tmp_path)
    with pytest.raises(NotASessionError, match="no XNYS session between 2024-12-28 and 2024-12-29"):
        export_range(None, "2024-12-28", "2024-12-29", out_dir=tmp_path)
    assert not list(tmp_path.glob("session=*"))


def _config_with(tmp_path: Path, *, prices: Path | None = None, articles: Path | None = None) -> GeoriskConfig:
    from georisk.config import ArticlesConfig, PricesConfig

    cfg = GeoriskConfig()
    upd: dict[str, object] = {}
    if prices is not None:
        upd["prices"] = PricesConfig(source="csv", path=prices)
    if articles is not None:
        upd["articles"] = ArticlesConfig(path=articles)
    return cfg.model_copy(update=upd)


def _sample_prices_path() -> Path:
    from georisk.datasets import sample_prices_path

    return Path(sample_prices_path())


def _sample_lines(kind: str) -> list[str]:
    from georisk.datasets import sample_articles_path, sample_prices_path

    path = sample_prices_path() if kind == "prices" else sample_articles_path()
    return Path(path).read_text("utf-8").splitlines(keepends=True)


def test_missing_prices_report_the_exact_gap(tmp_path: Path):
    lines = _sample_lines("prices")
    short = tmp_path / "prices.csv"
    short.write_text("".join(line for line in lines if line[:10] <= "2024-12-26" or line.startswith("date")))
    cfg = _config_with(tmp_path, prices=short)
    msg = r"no prices for session 2024-12-31: the prices end 2024-12-26, 3 session\(s\) missing \(2024-12-27, 2024-12-30, 2024-12-31\)"
    with pytest.raises(MissingDataError, match=msg):
        export_daily(cfg, D, out_dir=tmp_path / "out")
    assert not (tmp_path / "out" / "session=2024-12-31").exists()


@pytest.mark.slow
def test_one_instrument_without_a_price(tmp_path: Path):
    lines = _sample_lines("prices")
    header = lines[0].rstrip("\n").split(",")
    spy = header.index("SPY")
    edited = []
    for line in lines:
        if line.startswith("2024-12-31"):
            cells = line.rstrip("\n").split(",")
            cells[spy] = ""
            line = ",".join(cells) + "\n"
        edited.append(line)
    path = tmp_path / "prices.csv"
    path.write_text("".join(edited))
    cfg = _config_with(tmp_path, prices=path)
    with pytest.raises(
        MissingDataError, match=r"no price on 2024-12-31 for SPY \(a XNYS session; last price 2024-12-30\)"
    ):
        export_daily(cfg, D, out_dir=tmp_path / "out")
    res = export_daily(cfg, D, out_dir=tmp_path / "out", missing_prices="warn")
    assert any("no price on 2024-12-31 for SPY" in w for w in res.warnings)
    check_outputs(res.folder)


@pytest.mark.slow
def test_empty_or_stale_article_feed(tmp_path: Path):
    lines = _sample_lines("articles")
    late = tmp_path / "late.jsonl"
    late.write_text("".join(line for line in lines if '"published_at": "2024-12-3' in line))
    with pytest.raises(
        MissingDataError, match=r"no article was published by the close of 2024-06-28 .*first article is from 2024-12-3"
    ):
        export_daily(_config_with(tmp_path, articles=late), "2024-06-28", out_dir=tmp_path / "out")
    stale = tmp_path / "stale.jsonl"
    stale.write_text(
        "".join(
            line
            for line in lines
            if '"published_at": "2024-12-1' not in line
            and '"published_at": "2024-12-2' not in line
            and '"published_at": "2024-12-3' not in line
        )
    )
    with pytest.raises(
        MissingDataError, match=r"article feed is stale for session 2024-12-31: .* sessions earlier; at most 5 allowed"
    ):
        export_daily(_config_with(tmp_path, articles=stale), D, out_dir=tmp_path / "out")


@pytest.mark.slow
def test_a_growing_feed_does_not_republish_an_earlier_session(tmp_path: Path):
    # the scheduler's feed file grows every day; news published after a session's close
    # changes the file's hash but not what the session used, so a rerun or a backfill of
    # the old session is unchanged
    lines = _sample_lines("articles")
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(line for line in lines if '"published_at": "2024-12-2' not in line))
    cfg = _config_with(tmp_path, articles=feed)
    first = export_daily(cfg, "2024-12-18", out_dir=tmp_path / "out")
    assert first.changed
    before = {p.name: p.read_bytes() for p in first.folder.iterdir()}
    feed.write_text("".join(lines))  # a week of later news appended
    again = export_daily(cfg, "2024-12-18", out_dir=tmp_path / "out")
    assert not again.changed
    assert again.version == first.version
    assert {p.name: p.read_bytes() for p in again.folder.iterdir()} == before
    # the whole-file hash is still recorded, as provenance
    assert again.manifest["inputs"]["articles"]["kind"] == "file"
    # what a session used is part of its identity: an article inside the session's window changes it
    extra = json.dumps(
        {
            "id": "extra-1",
            "published_at": "2024-12-17T15:00:00Z",
            "title": "Envoys meet again",
            "text": "Negotiators met in Geneva to discuss a ceasefire framework for Ukraine.",
        }
    )
    feed.write_text("".join(lines) + extra + "\n")
    assert export_daily(cfg, "2024-12-18", out_dir=tmp_path / "out").version != first.version


@pytest.mark.slow
def test_strict_prices_judge_only_what_was_known_on_the_session(tmp_path: Path):
    # LMT freezes over the last 8 rows: exporting a session before that stays possible
    toml = tmp_path / "strict.toml"
    path = _stale_prices(tmp_path)
    toml.write_text(f"[prices]\nsource = 'csv'\npath = '{path.name}'\nstrict = true\n", encoding="utf-8")
    out = str(tmp_path / "out")
    assert main(["export", "--sample", "--date", "2024-12-18", "--config", str(toml), "--out", out]) == 0
    assert main(["export", "--sample", "--date", "2024-12-31", "--config", str(toml), "--out", out]) == 5


@pytest.mark.slow
def test_price_issues_belong_to_the_session_that_first_knows_the_price(tmp_path: Path):
    # Christmas Eve 2024: the NYSE closes 13:00 ET, NYMEX energy settles 13:45 ET, so the
    # CL=F settlement dated 12-24 is first known at the session of 12-26
    prices = pd.read_csv(_sample_prices_path(), index_col=0)
    prices.loc["2024-12-24", "CL=F"] *= 3
    path = tmp_path / "jump.csv"
    prices.to_csv(path)
    res = export_range(_config_with(tmp_path, prices=path), "2024-12-23", "2024-12-26", out_dir=tmp_path / "out")
    by_session = {str(r.session.date()): [w for w in r.warnings if "CL=F" in w] for r in res}
    assert by_session["2024-12-23"] == [] and by_session["2024-12-24"] == []
    assert by_session["2024-12-26"] and all("on 2024-12-26" in w for w in by_session["2024-12-26"])
    # the session of 12-24 used the prices known at its close: the manifest says so
    assert res[1].manifest["prices_last_date"] == "2024-12-24"  # LMT et al. close at 13:00 ET
    # and nothing of the tripled price: the same prices used, the same data files, as without it
    (ref,) = export_range(
        _config_with(tmp_path, prices=_sample_prices_path()), "2024-12-24", "2024-12-24", out_dir=tmp_path / "ref"
    )
    assert res[1].manifest["inputs"]["prices_used"] == ref.manifest["inputs"]["prices_used"]
    assert res[1].manifest["files"] == ref.manifest["files"]


@pytest.mark.slow
def test_bad_records_appended_later_do_not_republish_a_session(tmp_path: Path):
    from georisk.config import ArticlesConfig

    lines = _sample_lines("articles")
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(lines) + "{not json\n")
    cfg = GeoriskConfig().model_copy(update={"articles": ArticlesConfig(path=feed, lenient=True)})
    first = export_daily(cfg, "2024-12-18", out_dir=tmp_path / "out")
    assert any("1 article record(s) were quarantined (lenient mode): 1 x " in w for w in first.warnings)
    feed.write_text("".join(lines) + "{not json\n{still not json\n")
    again = export_daily(cfg, "2024-12-18", out_dir=tmp_path / "out")
    assert not again.changed and again.version == first.version


def test_corrupted_previous_export_is_reported_not_overwritten(tmp_path: Path, pipeline_result):
    r = pipeline_result
    first = export_frames(r.signal, r.premium, r.positions, session=D, out_dir=tmp_path)
    csv = first.folder / "signal.csv"
    csv.write_text("tampered", encoding="utf-8")
    with pytest.raises(CorruptExportError, match=r"signal\.csv does not match its manifest hash"):
        export_frames(r.signal, r.premium * 2, r.positions, session=D, out_dir=tmp_path)
    assert csv.read_text("utf-8") == "tampered"  # evidence kept, nothing overwritten
    with pytest.raises(CorruptExportError):
        read_export(tmp_path, D)
    # the CLI reports it with exit code 8 before computing anything
    assert main(["export", "--sample", "--date", "2024-12-31", "--out", str(tmp_path)]) == 8
    fixed = export_frames(r.signal, r.premium * 2, r.positions, session=D, out_dir=tmp_path, overwrite_corrupt=True)
    check_outputs(fixed.folder)
    aside = list((tmp_path / ".versions" / "2024-12-31").glob("corrupt-*"))
    assert len(aside) == 1 and (aside[0] / "signal.csv").read_text("utf-8") == "tampered"


def test_missing_manifest_or_dangling_pointer_is_corrupt(tmp_path: Path, pipeline_result):
    r = pipeline_result
    res = export_frames(r.signal, r.premium, r.positions, session=D, out_dir=tmp_path)
    (res.folder / "manifest.json").unlink()
    with pytest.raises(CorruptExportError, match=r"has no manifest\.json"):
        verify_export(res.folder)
    os.rename(res.folder.resolve(), tmp_path / "elsewhere")
    with pytest.raises(CorruptExportError, match="points to a missing folder"):
        export_frames(r.signal, r.premium, r.positions, session=D, out_dir=tmp_path)
    res = export_frames(r.signal, r.premium, r.positions, session=D, out_dir=tmp_path, overwrite_corrupt=True)
    check_outputs(res.folder)


def test_legacy_plain_folder_is_adopted(tmp_path: Path, pipeline_result):
    r = pipeline_result
    res = export_frames(r.signal, r.premium, r.positions, session=D, out_dir=tmp_path / "a")
    legacy = tmp_path / "b" / "session=2024-12-31"
    legacy.parent.mkdir()
    os.rename(res.folder.resolve(), legacy)  # an export in the old layout: a plain folder
    new = export_frames(r.signal, r.premium * 2, r.positions, session=D, out_dir=tmp_path / "b")
    assert new.folder.is_symlink() and new.changed
    assert len(list((tmp_path / "b" / ".versions" / "2024-12-31").glob("legacy-*"))) == 1


def test_read_only_output_folder_gives_a_clear_error(tmp_path: Path, monkeypatch, pipeline_result):
    r = pipeline_result
    good = export_frames(r.signal, r.premium, r.positions, session=D, out_dir=tmp_path)
    before = (good.folder / "signal.parquet").read_bytes()

    def erofs(*_args, **_kw):
        raise OSError(errno.EROFS, "Read-only file system")

    import georisk.export._store as store

    monkeypatch.setattr(store.tempfile, "mkdtemp", erofs)
    with pytest.raises(ConfigError, match=r"cannot write the export \(--out\): read-only file system; write to"):
        export_frames(r.signal, r.premium * 2, r.positions, session=D, out_dir=tmp_path)
    monkeypatch.undo()
    assert read_export(tmp_path, D).equals(pd.read_parquet(good.folder / "signal.parquet"))
    assert (good.folder / "signal.parquet").read_bytes() == before

    import georisk.lock

    def eacces(*_args, **_kw):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(georisk.lock.os, "open", eacces)
    with pytest.raises(ConfigError, match=r"cannot create the lock file .*Permission denied; make the folder writable"):
        export_frames(r.signal, r.premium, r.positions, session=D, out_dir=tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores file permissions")
def test_really_read_only_folder(tmp_path: Path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        assert main(["export", "--sample", "--date", "2024-12-31", "--out", str(ro)]) == 2
        with pytest.raises(ConfigError, match="cannot create the export folder"):
            export_daily(None, D, out_dir=ro / "sub")
    finally:
        ro.chmod(0o755)


def test_read_history_rejects_a_duplicate_session(tmp_path: Path, pipeline_result):
    r = pipeline_result
    export_frames(r.signal, r.premium, r.positions, session=D, out_dir=tmp_path)
    src = history_path(tmp_path, D)
    (src.parent / "copy.parquet").write_bytes(src.read_bytes())
    with pytest.raises(CorruptExportError, match=r"session\(s\) twice: \['2024-12-31'\]"):
        read_history(tmp_path)
    (src.parent / "copy.parquet").unlink()
    assert len(read_history(tmp_path, start="2024-12-31", end="2024-12-31")) == 1
    with pytest.raises(MissingDataError, match="no history"):
        read_history(tmp_path, start="2025-01-01")


def test_created_at_is_the_only_clock_in_an_export(tmp_path: Path, pipeline_result):
    time_machine = pytest.importorskip("time_machine")
    r = pipeline_result
    with time_machine.travel(pd.Timestamp("2025-01-02 22:00:00", tz="UTC"), tick=False):
        a = export_frames(r.signal, r.premium, r.positions, session=D, out_dir=tmp_path / "a")
    with time_machine.travel(pd.Timestamp("2025-03-04 05:06:07", tz="UTC"), tick=False):
        b = export_frames(r.signal, r.premium, r.positions, session=D, out_dir=tmp_path / "b")
    assert a.manifest["created_at"] == "2025-01-02T22:00:00+00:00"
    assert b.manifest["created_at"] == "2025-03-04T05:06:07+00:00"
    assert a.version == b.version
    for name in DATA_FILES:
        assert (a.folder / name).read_bytes() == (b.folder / name).read_bytes()
    strip = {k: v for k, v in a.manifest.items() if k != "created_at"}
    assert strip == {k: v for k, v in b.manifest.items() if k != "created_at"}


def test_a_session_that_has_not_settled_is_refused(tmp_path: Path):
    out = tmp_path / "out"
    # NYSE closes 2024-12-31 at 16:00 New York = 21:00 UTC; the default grace is 30 minutes.
    during = pd.Timestamp("2024-12-31 18:00", tz="UTC")
    with pytest.raises(
        MissingDataError, match=r"close is 2024-12-31 21:00 UTC.*until 2024-12-31 21:30 UTC.*wait 3 h 30"
    ):
        export_daily(None, D, out_dir=out, now=during)
    with pytest.raises(MissingDataError, match=r"wait 1 min"):
        export_daily(None, D, out_dir=out, now=pd.Timestamp("2024-12-31 21:29", tz="UTC"))
    with pytest.raises(MissingDataError, match=r"session 2024-12-31 has not settled"):
        export_range(None, "2024-12-20", "2024-12-31", out_dir=out, now=during)
    with pytest.raises(MissingDataError, match=r"wait 4 d"):  # a session days ahead
        export_daily(None, D, out_dir=out, now=pd.Timestamp("2024-12-27 20:00"))  # tz-naive: UTC
    assert not out.exists()  # refused before anything is read or written
    with pytest.raises(ConfigError, match="settle_minutes"):
        export_daily(None, D, out_dir=out, settle_minutes=-1)


def test_an_early_close_waits_for_the_last_instrument_cutoff():
    from georisk.pipeline._daily import _require_closed

    cfg = GeoriskConfig()
    day, close = pd.Timestamp("2024-12-24"), pd.Timestamp("2024-12-24 18:00", tz="UTC")  # NYSE closes 13:00 ET
    # NYMEX energy halts at 13:45 ET on Christmas Eve, after the NYSE's 13:00 close and
    # CBOT grains' 12:05 CT: the last instrument cutoff of the default universe.
    with pytest.raises(
        MissingDataError, match=r"last instrument cutoff is 2024-12-24 18:45 UTC.*until 2024-12-24 19:15"
    ):
        _require_closed(cfg, day, close, pd.Timestamp("2024-12-24 19:14", tz="UTC"), 30.0)
    _require_closed(cfg, day, close, pd.Timestamp("2024-12-24 19:15", tz="UTC"), 30.0)
    _require_closed(cfg, day, close, pd.Timestamp("2024-12-24 18:45", tz="UTC"), 0.0)


def test_a_session_exports_once_settled(tmp_path: Path, daily):
    _, before = daily
    after = pd.Timestamp("2024-12-31 21:30", tz="UTC")
    res = export_daily(None, D, out_dir=tmp_path, now=after)
    assert res.session == D and res.version == before.version  # the same bytes as a run days later


@pytest.mark.parametrize(
    ("date", "match"),
    [("2024-13-45", r"as_of='2024-13-45' is not a date: .*use YYYY-MM-DD"), ("", r"as_of='' is not a date")],
)
def test_a_bad_date_is_a_usage_error_not_a_crash(tmp_path: Path, date: str, match: str, capsys):
    with pytest.raises(ConfigError, match=match):
        export_daily(None, date, out_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"end='x' is not a date"):
        export_range(None, "2024-12-01", "x", out_dir=tmp_path)
    # an empty $(date ...) in a crontab must exit 2 (usage), not 1 (a bug)
    assert main(["export", "--sample", "--date", date, "--out", str(tmp_path)]) == 2
    assert "is not a date" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_keep_versions_must_be_non_negative(tmp_path: Path, pipeline_result):
    r = pipeline_result
    with pytest.raises(ConfigError, match=r"keep_versions=-1 must be an integer >= 0"):
        export_daily(None, D, out_dir=tmp_path, keep_versions=-1)
    with pytest.raises(ConfigError, match="keep_versions"):
        export_frames(r.signal, r.premium, r.positions, session=D, out_dir=tmp_path, keep_versions=-1)
    assert main(["export", "--sample", "--date", "2024-12-31", "--keep-versions", "-1", "--out", str(tmp_path)]) == 2


def _stale_prices(tmp_path: Path, ticker: str = "LMT", n: int = 8) -> Path:
    """The sample prices with ``ticker`` frozen over its last ``n`` rows (a stale feed)."""
    from georisk.datasets import sample_prices_path

    prices = pd.read_csv(sample_prices_path(), index_col=0)
    prices.loc[prices.index[-n:], ticker] = prices.loc[prices.index[-n - 1], ticker]
    path = tmp_path / "stale_prices.csv"
    prices.to_csv(path)
    return path


@pytest.mark.slow
def test_price_quality_failures_are_manifest_warnings(tmp_path: Path, caplog):
    cfg = _config_with(tmp_path, prices=_stale_prices(tmp_path))
    with caplog.at_level("WARNING", logger="georisk"):
        res = export_daily(cfg, D, out_dir=tmp_path / "out")
    expected = "price quality: LMT fails the quality thresholds as of 2024-12-31 (9 identical closes in a row (> 5))"
    # the articles are the bundled sample's (the Python API's default): the manifest says so first
    assert res.warnings == ["SYNTHETIC articles: the bundled sample's composed articles beside your prices", expected]
    assert expected in caplog.text
    check_outputs(res.folder)
    # the report is cut at each session: a session before the stale run has no warning
    early = export_daily(cfg, "2024-12-18", out_dir=tmp_path / "out")
    assert not [w for w in early.warnings if w.startswith("price quality")], early.warnings


def test_strict_prices_fail_with_a_data_quality_error(tmp_path: Path):
    from georisk.config import PricesConfig
    from georisk.datasets import sample_prices_path
    from georisk.errors import DataQualityError
    from georisk.pipeline._daily import _price_quality

    prices = pd.read_csv(sample_prices_path(), index_col=0, parse_dates=True)
    # ten missing LMT sessions in March 2022: 1.3 % of the whole file, but 20 % of what was known on 2022-03-31
    prices.loc["2022-03-02":"2022-03-15", "LMT"] = float("nan")
    d = pd.Timestamp("2022-03-31")
    cfg = GeoriskConfig()
    assert _price_quality(prices, pd.Timestamp("2024-12-31"), cfg) == []
    (warning,) = _price_quality(prices[prices.index <= d], d, cfg)
    assert warning.startswith("price quality: LMT fails the quality thresholds as of 2022-03-31")
    jump = prices.copy()
    jump.loc["2024-12-31", "LMT"] *= 3  # an issue dated the session itself, within the thresholds
    (outlier,) = _price_quality(jump, D, cfg)
    assert outlier.startswith("price quality: LMT outlier on 2024-12-31 (jump (robust z ")
    strict = cfg.model_copy(update={"prices": PricesConfig(strict=True)})
    assert _price_quality(jump, D, strict)  # an outlier is a warning, never a failure
    with pytest.raises(
        DataQualityError, match=r"session 2022-03-31: price quality: LMT fails .*prices\.strict = false"
    ):
        _price_quality(prices[prices.index <= d], d, strict)
    # and from the command line, a strict configuration stops with exit code 5
    path = _stale_prices(tmp_path)
    toml = tmp_path / "strict.toml"
    toml.write_text(f"[prices]\nsource = 'csv'\npath = '{path.name}'\nstrict = true\n", encoding="utf-8")
    assert (
        main(["export", "--sample", "--date", "2024-12-31", "--config", str(toml), "--out", str(tmp_path / "out")]) == 5
    )
    assert not (tmp_path / "out" / "session=2024-12-31").exists()


def test_a_damaged_history_file_is_rebuilt_with_a_warning(tmp_path: Path, pipeline_result, caplog):
    r = pipeline_result
    res = export_frames(r.signal, r.premium, r.positions, session=D, out_dir=tmp_path)
    good = history_path(tmp_path, D).read_bytes()
    history_path(tmp_path, D).write_bytes(good[:100])  # truncated by a disk fault
    with caplog.at_level("INFO", logger="georisk"):
        again = export_frames(r.signal, r.premium, r.positions, session=D, out_dir=tmp_path)
    assert not again.changed and again.version == res.version
    assert history_path(tmp_path, D).read_bytes() == good
    assert "replacing the damaged history file" in caplog.text
    caplog.clear()
    with caplog.at_level("INFO", logger="georisk"):
        export_frames(r.signal, r.premium * 2, r.positions, session=D, out_dir=tmp_path)
    assert "replacing the history row of session 2024-12-31 with the new version" in caplog.text
    assert "replacing the damaged" not in caplog.text
    assert len(read_history(tmp_path)) == 1


def _can_mount_read_only() -> bool:
    import shutil
    import subprocess

    if os.name != "posix" or os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o ro,size=64k tmpfs /mnt"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(not _can_mount_read_only(), reason="needs root and unshare to mount a read-only file system")
def test_read_only_file_system_as_root(tmp_path: Path, pipeline_result):
    """Root ignores permission bits, so mount the export root read-only for real."""
    import subprocess
    import sys

    r = pipeline_result
    out = tmp_path / "out"
    export_frames(r.signal, r.premium, r.positions, session=D, out_dir=out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    export = [sys.executable, "-m", "georisk", "export", "--sample", "--date", "2024-12-31"]
    script = (
        f"mount --bind {out} {out} && mount -o remount,bind,ro {out} && "
        f"{' '.join(export)} --out {out}; echo rc=$?; {' '.join(export)} --out {out}/sub; echo rc=$?"
    )
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False
    )
    assert done.stdout.split() == ["rc=2", "rc=2"], done.stderr
    assert "cannot create the lock file" in done.stderr and "Read-only file system" in done.stderr
    assert "cannot create the export folder" in done.stderr and "read-only file system" in done.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    read_export(out, D)


@pytest.mark.slow  # runs the job twice through /bin/sh (about 11 s)
def test_readme_cron_line_and_systemd_unit_work_verbatim(tmp_path: Path):
    """Run the README's crontab command (only the paths and the clock changed) and parse its unit."""
    import re
    import shlex
    import subprocess
    import sys

    from georisk.cli import build_parser

    readme = Path(__file__).resolve().parents[2] / "README.md"
    if not readme.is_file():
        pytest.skip("README.md is not beside the tests")
    text = readme.read_text("utf-8")
    (cron,) = re.findall(r"^30 23 \* \* 1-5\s+(.+)$", text, flags=re.M)
    (exec_start,) = re.findall(r"^ExecStart=/bin/sh -c '(.+)'$", text, flags=re.M)
    (exec_pre,) = re.findall(r"^ExecStartPre=(\S+) (.+)$", text, flags=re.M)
    # every georisk command the scheduling lines run exists with these flags: they parse
    calls = [
        c.strip()
        for line in (exec_start.replace("%%", "%"), cron.split(">>")[0].replace("\\%", "%"))
        for c in re.findall(r"\.venv/bin/georisk [^;]+", line)
    ]
    assert len(calls) == 4, calls  # fetch, then export, in cron and in systemd
    for call in calls:
        build_parser().parse_args(shlex.split(call)[1:])
    build_parser().parse_args(shlex.split(exec_pre[1]))
    assert "%%" in exec_start and "\\%" in cron  # both need their % escaped
    (export_call,) = {c for c in calls if " export " in c}  # the same export in both

    home = tmp_path / "srv" / "georisk"
    (home / ".venv").mkdir(parents=True)
    (home / ".venv" / "bin").symlink_to(Path(sys.executable).parent)
    if not (home / ".venv" / "bin" / "georisk").exists():
        pytest.skip("the georisk script is not beside the interpreter")
    # the README's georisk.toml names its inputs; this one chooses the bundled sample for both
    (home / "georisk.toml").write_text(
        "[articles]\nsource = 'sample'\n[prices]\nsource = 'sample'\n[export]\nout_dir = 'export'\n", encoding="utf-8"
    )
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "date").write_text('#!/bin/sh\nexec /bin/date -d "$FAKE_DAY 23:30 UTC" "$@"\n', encoding="utf-8")
    (shim / "date").chmod(0o755)
    (tmp_path / "log").mkdir()
    # the export step as the job runs it (the fetch step and the whole line: tests/cli/test_cron.py)
    cmd = f"cd {home} && {export_call} >>{tmp_path / 'log'}/export.log 2>&1"
    env = {**os.environ, "PATH": f"{shim}:/usr/bin:/bin"}
    for day, session in (("2024-12-31", "2024-12-31"), ("2024-12-25", "2024-12-24")):  # a day, a holiday
        done = subprocess.run(
            ["/bin/sh", "-c", cmd], env={**env, "FAKE_DAY": day}, stdin=subprocess.DEVNULL, check=False, timeout=300
        )
        assert done.returncode == 0, (tmp_path / "log" / "export.log").read_text("utf-8")
        check_outputs(home / "export" / f"session={session}")
    log_lines = (tmp_path / "log" / "export.log").read_text("utf-8").splitlines()
    printed = [line for line in log_lines if not line.startswith("{")]
    assert printed == [f"{home}/export/session=2024-12-31", f"{home}/export/session=2024-12-24"]
    # the JSON log of each run says the inputs are the bundled sample's
    logged = [json.loads(line) for line in log_lines if line.startswith("{")]
    labels = [x for x in logged if x["level"] == "WARNING" and x["message"].startswith("SYNTHETIC")]
    assert len(labels) == 2 and labels[0]["synthetic"] == ["articles", "prices"]
