"""Manifest format 2: ``as_of`` is the session date, ``cutoff`` its close; format 1 is still read."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from georisk.errors import ConfigError, CorruptExportError
from georisk.export import export_frames, verify_root
from georisk.export._publish import check_previous
from georisk.export._store import write_record
from georisk.schema import MANIFEST_VERSION, read_manifest, upgrade_manifest

D = pd.Timestamp("2024-12-31")
CLOSE = "2024-12-31T21:00:00+00:00"


def _export(r: Any, out: Path, scale: float = 1.0) -> Any:
    return export_frames(r.signal, r.premium * scale, r.positions, as_of=D, out_dir=out)


def _to_format_1(out: Path) -> dict[str, Any]:
    """Rewrite the session's manifest as the code before the bump wrote it, and record it as published."""
    import os

    link = out / f"session={D.date()}"
    real = link.resolve()
    m = json.loads((real / "manifest.json").read_text("utf-8"))
    m.pop("manifest_version")
    m["as_of"] = m.pop("cutoff")  # format 1 named the close instant as_of
    m["version"] = "0123456789abcdef"  # its own content id (the hash of a format-1 manifest)
    moved = real.parent / m["version"]
    os.rename(real, moved)
    (moved / "manifest.json").write_text(json.dumps(m, indent=1, sort_keys=True) + "\n", "utf-8")
    link.unlink()
    os.symlink(os.path.relpath(moved, out), link)
    write_record(out, D, moved)
    return m


def test_a_new_manifest_names_the_session_as_of_and_its_close_cutoff(tmp_path: Path, pipeline_result: Any) -> None:
    res = _export(pipeline_result, tmp_path)
    m = res.manifest
    assert m["manifest_version"] == MANIFEST_VERSION == "2"
    assert m["as_of"] == m["session"] == "2024-12-31" and m["cutoff"] == CLOSE
    got = read_manifest(m)
    assert str(got.as_of) == "2024-12-31" and got.cutoff == pd.Timestamp(CLOSE)
    assert m["schema_version"] == "3" and (tmp_path / "history" / "v3").is_dir()  # the history did not move


def test_an_old_manifest_is_read_verified_and_replaced_by_a_rerun(tmp_path: Path, pipeline_result: Any) -> None:
    _export(pipeline_result, tmp_path)
    old = _to_format_1(tmp_path)
    assert "manifest_version" not in old and old["as_of"] == CLOSE
    # read in today's words
    up = upgrade_manifest(old)
    assert (up["manifest_version"], up["as_of"], up["cutoff"]) == ("1", "2024-12-31", CLOSE)
    assert read_manifest(old).cutoff == pd.Timestamp(CLOSE)
    # georisk verify and the previous-export checks accept it
    assert verify_root(tmp_path)["exports"] == 1
    check_previous(tmp_path, pd.DatetimeIndex([D]))
    # the next run publishes the session again in format 2 (the manifest changed, the data did not)
    again = _export(pipeline_result, tmp_path)
    assert again.changed and again.manifest["manifest_version"] == "2"
    assert again.manifest["files"] == old["files"]
    verify_root(tmp_path)


def test_verify_names_a_manifest_that_is_not_as_of_its_session(tmp_path: Path, pipeline_result: Any) -> None:
    _export(pipeline_result, tmp_path)
    real = (tmp_path / f"session={D.date()}").resolve()
    m = json.loads((real / "manifest.json").read_text("utf-8"))
    m["as_of"] = "2024-12-30"
    (real / "manifest.json").write_text(json.dumps(m, indent=1, sort_keys=True) + "\n", "utf-8")
    write_record(tmp_path, D, real)  # recorded as published: only the dates are wrong
    with pytest.raises(CorruptExportError, match=r"is as of 2024-12-30, not of its session 2024-12-31"):
        verify_root(tmp_path)


def test_an_unknown_manifest_format_is_refused_by_name() -> None:
    with pytest.raises(CorruptExportError, match="manifest_version '9'"):
        upgrade_manifest({"manifest_version": "9"})
    with pytest.raises(CorruptExportError, match="format-1 manifest without"):
        upgrade_manifest({"session": "2024-12-31"})


def test_export_frames_takes_as_of_and_still_its_former_session_keyword(tmp_path: Path, pipeline_result: Any) -> None:
    r = pipeline_result
    a = export_frames(r.signal, r.premium, r.positions, as_of=D, out_dir=tmp_path / "a")
    b = export_frames(r.signal, r.premium, r.positions, session=D, out_dir=tmp_path / "b")
    assert a.version == b.version
    with pytest.raises(ConfigError, match="as_of only"):
        export_frames(r.signal, r.premium, r.positions, as_of=D, session=D, out_dir=tmp_path / "c")


def test_export_daily_takes_as_of_and_warns_on_date(monkeypatch: pytest.MonkeyPatch) -> None:
    import georisk.pipeline._daily as daily

    seen: list[pd.Timestamp] = []

    def fake_range(cfg: Any, start: Any, end: Any, **kw: Any) -> list[str]:
        seen.append(pd.Timestamp(start))
        return ["done"]

    monkeypatch.setattr(daily, "export_range", fake_range)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert daily.export_daily(None, "2024-12-31") == "done"
        assert daily.export_daily(None, as_of="2024-12-31") == "done"
    with pytest.warns(DeprecationWarning, match="date= is deprecated"):
        assert daily.export_daily(None, date="2024-12-31") == "done"
    assert seen == [D, D, D]
    with pytest.raises(ConfigError, match="as_of= only"):
        daily.export_daily(None, "2024-12-31", date="2024-12-31")
    with pytest.raises(ConfigError, match="no session given"):
        daily.export_daily(None)
