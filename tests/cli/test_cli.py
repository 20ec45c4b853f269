import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from georisk.cli import main

SUBCOMMANDS = ["demo", "score", "signal", "premium", "backtest", "export", "schema", "verify"]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "georisk", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


@pytest.mark.slow
def test_help_everywhere():
    out = run_cli("--help")
    assert out.returncode == 0
    for sub in SUBCOMMANDS:
        assert sub in out.stdout
        res = run_cli(sub, "--help")
        assert res.returncode == 0, res.stderr
        assert "exit codes" in res.stdout


@pytest.mark.slow
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
    assert main(["score", "--sample", "--out", str(out)]) == 0
    assert out.read_text("utf-8").startswith("id,published_at,hawkish_tilt")


def test_bad_config_key_exit_code_2(tmp_path: Path, capsys):
    cfg = tmp_path / "georisk.toml"
    cfg.write_text("[signal]\nhalf_lfe = 3\n", encoding="utf-8")
    assert main(["signal", "--config", str(cfg)]) == 2
    assert "half_lfe" in capsys.readouterr().err


def test_not_a_session_exit_code_7(tmp_path: Path, capsys):
    assert main(["export", "--sample", "--date", "2024-12-25", "--out", str(tmp_path)]) == 7
    assert "not a XNYS session" in capsys.readouterr().err


def test_missing_article_file_exit_code_3(tmp_path: Path):
    assert main(["score", "--articles", str(tmp_path / "nope.jsonl")]) == 3


def test_export_then_previous_session(tmp_path: Path):
    assert main(["export", "--sample", "--date", "2024-12-28", "--previous-session", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "session=2024-12-27" / "manifest.json").is_file()


def test_python_m_georisk_version():
    out = run_cli("--version")
    assert out.returncode == 0 and out.stdout.startswith("georisk ")


def test_export_rejects_unknown_config_key_by_name(tmp_path: Path, capsys):
    cfg = tmp_path / "georisk.toml"
    cfg.write_text("[export]\nout_dir = 'x'\nretention = 3\n", encoding="utf-8")
    assert main(["export", "--date", "2024-12-31", "--config", str(cfg), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "unknown key 'export.retention'" in err
    assert not list(tmp_path.glob("session=*"))


def test_export_date_arguments_are_checked(tmp_path: Path, capsys):
    assert main(["export", "--out", str(tmp_path)]) == 2
    assert "give --as-of D, or --from D1 --to D2" in capsys.readouterr().err
    assert main(["export", "--sample", "--date", "2024-12-31", "--from", "2024-12-30", "--to", "2024-12-31"]) == 2
    assert main(["export", "--sample", "--from", "2024-12-31", "--to", "2024-12-30", "--out", str(tmp_path)]) == 2
    assert "--from 2024-12-31 is after --to 2024-12-30" in capsys.readouterr().err


def test_json_logs_carry_the_exit_code(tmp_path: Path):
    out = run_cli("--json-logs", "export", "--sample", "--date", "2024-12-25", "--out", str(tmp_path))
    assert out.returncode == 7
    lines = [json.loads(line) for line in out.stderr.splitlines()]
    assert lines[-1]["level"] == "ERROR" and lines[-1]["exit_code"] == 7
    assert lines[-1]["error"] == "NotASessionError" and "2024-12-25" in lines[-1]["message"]
    assert out.stdout == ""


@pytest.mark.slow
def test_concurrent_exports_second_exits_6_then_verify(tmp_path: Path):
    lock = tmp_path / ".georisk-export.lock"
    holder = tmp_path / ".georisk-export.lock.holder"  # the lock file itself is never written
    first = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "georisk",
            "--log-format",
            "json",
            "-v",
            "export",
            "--sample",
            "--from",
            "2024-12-30",
            "--to",
            "2024-12-31",
            "--out",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while f"pid {first.pid} " not in (holder.read_text() if holder.exists() else ""):
            assert first.poll() is None and time.monotonic() < deadline, "the first run never took the lock"
            time.sleep(0.02)
        second = run_cli("export", "--sample", "--date", "2024-12-31", "--out", str(tmp_path))
        assert second.returncode == 6, second.stderr
        assert f"another run holds the lock {lock} (held by pid {first.pid}" in second.stderr
        stdout, stderr = first.communicate(timeout=300)
    finally:
        first.kill()
        first.communicate()
    assert first.returncode == 0, stderr
    assert stdout.splitlines() == [str(tmp_path / "session=2024-12-30"), str(tmp_path / "session=2024-12-31")]
    logs = [json.loads(line) for line in stderr.splitlines()]
    done = [rec for rec in logs if rec["message"].startswith("exported session")]
    assert [rec["session"] for rec in done] == ["2024-12-30", "2024-12-31"]
    assert all(rec["changed"] is True and len(rec["version"]) == 16 for rec in done)
    ok = run_cli("verify", "--out", str(tmp_path))
    assert ok.returncode == 0 and "2 export(s) and 2 history row(s) verified" in ok.stdout
    target = (tmp_path / "session=2024-12-30").resolve() / "signal.json"
    os.chmod(target, 0o644)
    target.write_text("{}", encoding="utf-8")
    bad = run_cli("verify", "--out", str(tmp_path))
    assert bad.returncode == 8 and "signal.json does not match its manifest hash" in bad.stderr


def test_export_during_the_session_exits_4(tmp_path: Path, capsys):
    time_machine = pytest.importorskip("time_machine")
    with time_machine.travel(pd.Timestamp("2024-12-31 15:00", tz="UTC"), tick=False):
        assert main(["export", "--sample", "--date", "2024-12-31", "--out", str(tmp_path / "out")]) == 4
    err = capsys.readouterr().err
    assert "session 2024-12-31 has not settled" in err and "21:00 UTC" in err and "wait 6 h 30 min" in err
    assert not (tmp_path / "out").exists()


def test_log_options_work_after_the_command_too(tmp_path: Path, capsys):
    # a crontab line often puts every option after the command
    assert main(["export", "--json-logs", "--sample", "--date", "2024-12-28", "--out", str(tmp_path)]) == 7
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert json.loads(line)["exit_code"] == 7
    # and after a nested command
    assert main(["prices", "check", "--log-format", "json", "--prices", str(tmp_path / "none.csv")]) == 3
    assert json.loads(capsys.readouterr().err.strip().splitlines()[-1])["exit_code"] == 3
    # given before the command, an option is not reset by the command's own default
    assert main(["--json-logs", "export", "--sample", "--date", "2024-12-28", "--out", str(tmp_path)]) == 7
    assert json.loads(capsys.readouterr().err.strip().splitlines()[-1])["error"] == "NotASessionError"


def test_strict_prices_still_stop_the_analysis_commands(tmp_path: Path):
    # only the export judges strictness per session; `premium` checks the whole file it uses
    from georisk.datasets import sample_prices_path

    prices = pd.read_csv(sample_prices_path(), index_col=0)
    prices.loc[prices.index[-9:], "LMT"] = prices.loc[prices.index[-10], "LMT"]
    prices.to_csv(tmp_path / "stale.csv")
    toml = tmp_path / "strict.toml"
    toml.write_text("[prices]\nsource = 'csv'\npath = 'stale.csv'\nstrict = true\n", encoding="utf-8")
    assert main(["premium", "--config", str(toml), "--sample", "--out", str(tmp_path / "p.csv")]) == 5


def test_lenient_runs_report_dropped_rows_per_reason(tmp_path: Path, capsys):
    from georisk.datasets import sample_articles_path

    feed = tmp_path / "articles.jsonl"
    feed.write_text(sample_articles_path().read_text("utf-8") + '{"id": "x", "published_at": \n{"id": "y"}\n')
    toml = tmp_path / "lenient.toml"
    toml.write_text(f"[articles]\npath = '{feed}'\nlenient = true\n", encoding="utf-8")
    assert main(["signal", "--config", str(toml), "--out", str(tmp_path / "s.csv")]) == 0
    err = capsys.readouterr().err
    assert "dropped rows: 2 article record(s) were quarantined (lenient mode): " in err, err
    assert " x " in err.split("dropped rows:")[1]
