"""The [export] configuration section: one place for the export's defaults, options override it."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from georisk.config import ExportConfig, GeoriskConfig
from georisk.errors import ConfigError, MissingDataError
from georisk.pipeline import export_range, export_settings

TOML = """
[export]
out_dir = "exports"
keep_versions = 1
lock_timeout = 2.5
settle_minutes = 600
max_article_gap = 7
missing_prices = "warn"
"""


def _config(tmp_path: Path, text: str = TOML) -> Path:
    path = tmp_path / "georisk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_export_section_is_read_with_paths_relative_to_the_file(tmp_path: Path) -> None:
    cfg = GeoriskConfig.from_toml(_config(tmp_path))
    e = cfg.export
    assert e.out_dir == (tmp_path / "exports").resolve()
    assert (e.keep_versions, e.lock_timeout, e.settle_minutes, e.max_article_gap, e.missing_prices) == (
        1,
        2.5,
        600.0,
        7,
        "warn",
    )
    # each default is defined once, in ExportConfig
    d = GeoriskConfig().export
    assert (d.keep_versions, d.lock_timeout, d.settle_minutes, d.max_article_gap, d.missing_prices) == (
        3,
        0.0,
        30.0,
        5,
        "raise",
    )


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("keep_versions = -1", "keep_versions"),
        ("lock_timeout = inf", "lock_timeout"),
        ("settle_minutes = nan", "settle_minutes"),
        ("max_article_gap = 2.5", "max_article_gap"),
        ('missing_prices = "ignore"', "missing_prices"),
        ("keep_version = 2", "keep_version"),
    ],
)
def test_a_bad_export_setting_is_a_config_error_naming_the_key(tmp_path: Path, line: str, key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        GeoriskConfig.from_toml(_config(tmp_path, f"[export]\n{line}\n"))


def test_keywords_override_the_section_one_by_one(tmp_path: Path) -> None:
    cfg = GeoriskConfig.from_toml(_config(tmp_path))
    assert export_settings(cfg) == cfg.export
    got = export_settings(cfg, keep_versions=0, lock_timeout=None, missing_prices="raise")
    assert (got.keep_versions, got.lock_timeout, got.missing_prices, got.max_article_gap) == (0, 2.5, "raise", 7)
    with pytest.raises(ConfigError, match="keep_versions"):
        export_settings(cfg, keep_versions=-2)
    with pytest.raises(ConfigError, match="lock_timeout"):
        export_settings(cfg, lock_timeout=math.nan)
    with pytest.raises(ConfigError, match="missing_prices"):
        export_settings(cfg, missing_prices="maybe")
    with pytest.raises(ConfigError, match="unknown export setting"):
        export_settings(cfg, keep=1)


def test_export_range_uses_the_section_unless_a_keyword_is_given(tmp_path: Path) -> None:
    cfg = GeoriskConfig.from_toml(_config(tmp_path))
    now = pd.Timestamp("2024-12-31 22:00", tz="UTC")  # an hour after the close
    # settle_minutes = 600 from the file: refused before any input is read
    with pytest.raises(MissingDataError, match="settle_minutes=600"):
        export_range(cfg, "2024-12-31", "2024-12-31", now=now)
    with pytest.raises(MissingDataError, match="settle_minutes=90"):
        export_range(cfg, "2024-12-31", "2024-12-31", now=now, settle_minutes=90)
    assert not (tmp_path / "exports").exists() or not any((tmp_path / "exports").glob("session=*"))


def test_the_command_line_passes_only_the_options_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import georisk.pipeline
    from georisk.cli import main

    calls: list[dict[str, Any]] = []

    def fake_daily(cfg: GeoriskConfig, as_of: Any, **kw: Any) -> Any:
        calls.append({"cfg": cfg, **kw})
        raise MissingDataError("stop here")

    monkeypatch.setattr(georisk.pipeline, "export_daily", fake_daily)
    path = _config(tmp_path, TOML + '[articles]\nsource = "sample"\n[prices]\nsource = "sample"\n')
    assert main(["export", "--config", str(path), "--date", "2024-12-31", "--keep-versions", "2"]) != 0
    (kw,) = calls
    assert kw["keep_versions"] == 2
    assert kw["lock_timeout"] is None and kw["settle_minutes"] is None and kw["missing_prices"] is None
    assert kw["max_article_gap"] is None and kw["out_dir"] is None
    opts = export_settings(kw["cfg"], **{k: kw[k] for k in ExportConfig.model_fields if k in kw})
    assert (opts.keep_versions, opts.settle_minutes, opts.missing_prices) == (2, 600.0, "warn")
