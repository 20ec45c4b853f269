import subprocess
import sys
from pathlib import Path

import pytest

from georisk.cli import main

SUBCOMMANDS = ["demo", "score", "signal", "premium", "backtest", "export"]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "georisk", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


def test_help_everywhere():
    out = run_cli("--help")
    assert out.returncode == 0
    for sub in SUBCOMMANDS:
        assert sub in out.stdout
        res = run_cli(sub, "--help")
        assert res.returncode == 0, res.stderr
        assert "exit codes" in res.stdout


def test_demo_runs_and_writes_outputs(tmp_path: Path):
    out = run_cli("demo", "--out", str(tmp_path / "demo"))
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "SYNTHETIC" in text
    for needle in ("sessions", "articles scored", "premium by sleeve", "placebo", "outputs", "Sharpe"):
        assert needle in text
    for name in ("scores", "signal", "premium", "backtest"):
        assert (tmp_path / "demo" / f"{name}.parquet").is_file()
        assert (tmp_path / "demo" / f"{name}.csv").is_file()
    exports = list((tmp_path / "demo" / "export").glob("session=*/manifest.json"))
    assert len(exports) == 1
    pytest.importorskip("matplotlib")
    png = tmp_path / "demo" / "demo.png"
    assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_score_writes_file(tmp_path: Path):
    out = tmp_path / "scores.csv"
    assert main(["score", "--out", str(out)]) == 0
    assert out.read_text("utf-8").startswith("id,published_at,hawkish_tilt")


def test_bad_config_key_exit_code_2(tmp_path: Path, capsys):
    cfg = tmp_path / "georisk.toml"
    cfg.write_text("[signal]\nhalf_lfe = 3\n", encoding="utf-8")
    assert main(["signal", "--config", str(cfg)]) == 2
    assert "half_lfe" in capsys.readouterr().err


def test_not_a_session_exit_code_7(tmp_path: Path, capsys):
    assert main(["export", "--date", "2024-12-25", "--out", str(tmp_path)]) == 7
    assert "not a XNYS session" in capsys.readouterr().err


def test_missing_article_file_exit_code_3(tmp_path: Path):
    assert main(["score", "--articles", str(tmp_path / "nope.jsonl")]) == 3


def test_export_then_previous_session(tmp_path: Path):
    assert main(["export", "--date", "2024-12-28", "--previous-session", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "session=2024-12-27" / "manifest.json").is_file()


def test_python_m_georisk_version():
    out = run_cli("--version")
    assert out.returncode == 0 and out.stdout.startswith("georisk ")
