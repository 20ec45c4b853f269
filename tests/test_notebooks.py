"""The example notebooks run top to bottom, offline, from the repository root.

Needs ``nbclient``, ``nbformat`` and ``ipykernel`` (the ``dev`` extra); skips without them.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXPECTED = {"01_quickstart", "02_scoring_audit", "03_premium_and_backtest", "04_daily_export"}
#: Seconds one cell may take (CI is slow and shared; the whole notebook takes a few seconds here).
CELL_TIMEOUT = 300


def test_every_notebook_is_present():
    assert {p.stem for p in NOTEBOOKS} >= EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_notebook_is_stripped(path: Path):
    # Outputs are not kept in git: diffs stay readable and the files small.
    nb = json.loads(path.read_text("utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, "a notebook without code"
    for cell in code:
        assert cell.get("outputs", []) == [], f"{path.name}: cell {cell.get('id')} has outputs; strip them"
        assert cell.get("execution_count") is None, f"{path.name}: cell {cell.get('id')} has an execution count"
    assert path.stat().st_size < 50_000


def _execute(path: Path, cwd: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    # jupyter_core warns (DeprecationWarning) unless it is told to use platformdirs already.
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=CELL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    )
    client.execute()
    return nb


def _outputs(nb, kind: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return [
        out for c in nb.cells if c.cell_type == "code" for out in c.get("outputs", []) if out.get("output_type") == kind
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_figure_of_the_sample_is_stamped(path: Path):
    """A figure a notebook may draw from the bundled sample says SYNTHETIC on its face (plotting.stamp)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    if "load_sample" not in "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"):
        return
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if cell["cell_type"] == "code" and src.rstrip().endswith(".figure"):
            assert "plotting.stamp(" in src, f"{path.name}: a figure without the SYNTHETIC stamp:\n{src}"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom(path: Path, monkeypatch: pytest.MonkeyPatch):
    start = time.perf_counter()
    nb = _execute(path, ROOT, monkeypatch)  # from the repository root
    seconds = time.perf_counter() - start
    assert not _outputs(nb, "error")
    # Warnings the notebook code triggers reach stderr: a notebook must run clean.
    warned = [o["text"] for o in _outputs(nb, "stream") if o.get("name") == "stderr" and "Warning" in o["text"]]
    assert not warned, warned
    # Every code cell ran, and the figures were rendered as images.
    assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code")
    images = sum(
        "image/png" in out.get("data", {}) for out in _outputs(nb, "execute_result") + _outputs(nb, "display_data")
    )
    if path.stem != "04_daily_export":
        assert images >= 1, f"{path.name} rendered no figure"
    if path.stem == "03_premium_and_backtest":
        # Real data where ../shared/data holds it (the build machines), the sample elsewhere.
        real = (ROOT.parent / "shared" / "data" / "equities-yahoo-close" / "SPY.csv").is_file()
        text = "".join(out.get("text", "") for out in _outputs(nb, "stream"))
        assert ("data: REAL (../shared/data)" if real else "data: bundled SYNTHETIC sample") in text
    print(f"{path.name}: {seconds:.1f} s")


@pytest.mark.slow
def test_premium_notebook_falls_back_to_the_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # Run from a folder with no ../shared/data beside it: the notebook must use the bundled sample.
    cwd = tmp_path / "repo"
    cwd.mkdir()
    nb = _execute(ROOT / "notebooks" / "03_premium_and_backtest.ipynb", cwd, monkeypatch)
    assert not _outputs(nb, "error")
    text = "".join(out.get("text", "") for out in _outputs(nb, "stream"))
    assert "data: bundled SYNTHETIC sample" in text


def _stand_in_shared_data(data: Path) -> None:
    """Files laid out and formatted like ``../shared/data`` (made up here, not copies of it)."""
    import numpy as np
    import pandas as pd

    from georisk.datasets import load_sample

    rng = np.random.default_rng(11)
    days = pd.bdate_range("2021-01-04", "2024-12-31")
    for folder, tickers in {
        "equities-yahoo-close": ["LMT", "NOC", "RTX", "GD", "ITA", "SPY"],
        "futures-indices-yahoo": ["CL=F", "NG=F", "ZW=F", "ZC=F"],
    }.items():
        (data / folder).mkdir(parents=True)
        for t in tickers:
            close = 100 * np.exp(np.cumsum(rng.normal(0.0002, 0.015, len(days))))
            lines = ["Date,Close"] + [f"{d:%Y-%m-%d},{c:.4f}" for d, c in zip(days, close, strict=True)]
            if t == "ZW=F":  # the real file has a stray second header row
                lines.insert(1, "Ticker,ZW=F")
            (data / folder / f"{t}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    news = data / "news-guardian-bbc-russia-ukraine"
    news.mkdir()
    arts = load_sample().articles
    pd.DataFrame(
        {
            "url": [f"https://example.org/{i}" for i in range(len(arts))],
            "title": arts["text"].to_numpy(),
            "published_date": arts["published_at"].dt.strftime("%Y/%m/%d").to_numpy(),
            "bias": "none",
        }
    ).to_csv(news / "all_guardian_russia_ukraine_bias_babel.csv", index=False)


@pytest.mark.slow
def test_premium_notebook_takes_the_real_data_branch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # The real-data branch runs only where ../shared/data exists; run it here on stand-in files
    # with the same layout and formats, so that its code cannot rot unnoticed elsewhere.
    cwd = tmp_path / "repo"
    cwd.mkdir()
    _stand_in_shared_data(tmp_path / "shared" / "data")
    nb = _execute(ROOT / "notebooks" / "03_premium_and_backtest.ipynb", cwd, monkeypatch)
    assert not _outputs(nb, "error")
    text = "".join(out.get("text", "") for out in _outputs(nb, "stream"))
    assert "data: REAL (../shared/data)" in text
    warned = [o["text"] for o in _outputs(nb, "stream") if o.get("name") == "stderr" and "Warning" in o["text"]]
    assert not warned, warned
    images = sum(
        "image/png" in o.get("data", {}) for o in _outputs(nb, "display_data") + _outputs(nb, "execute_result")
    )
    assert images >= 4
