"""The README's first Python example runs verbatim (on the bundled sample, offline)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_readme_quickstart_runs_verbatim(capsys: pytest.CaptureFixture[str]) -> None:
    if not README.exists():
        pytest.skip("README.md is not beside the tests")
    blocks = _python_blocks(README.read_text(encoding="utf-8"))
    assert blocks, "the README has no ```python block"
    quickstart = blocks[0]
    assert "load_sample" in quickstart  # the offline example, not one that needs user files
    exec(compile(quickstart, str(README), "exec"), {"__name__": "readme"})
    printed = capsys.readouterr().out
    assert "Sharpe" in printed and "grpi" in printed
