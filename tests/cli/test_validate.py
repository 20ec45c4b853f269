"""``georisk validate``: the premium model's validation table of a run, printed (and drawn)."""

from __future__ import annotations

from pathlib import Path

import pytest

from georisk.cli import main


def test_validate_prints_the_table_and_writes_the_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    png = tmp_path / "validation.png"
    assert main(["validate", "--sample", "--seeds", "1", "--out", str(png)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Premium validation: oil premium")
    for part in ("Placebo states", "shuffled, seed 0", "shifted by", "Events:", "events with the expected sign"):
        assert part in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["validate", "--sample", "--seeds", "-1"], "--seeds -1"),
        (["validate", "--sample", "--seeds", "0", "--out", "table.txt"], "ending in .png"),
        (["validate"], "--sample"),  # no silent synthetic input: say how to give it
    ],
)
def test_validate_refuses_bad_options(
    argv: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert message in capsys.readouterr().err
