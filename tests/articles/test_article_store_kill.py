"""A writer killed with SIGKILL at any moment leaves the article store whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from georisk.articles import ArticleStore

CHILD = """
import sys, pandas as pd
from georisk.articles import ArticleStore
store = ArticleStore(sys.argv[1])
for round in range(1000):
    n = 600
    frame = pd.DataFrame({
        "published_at": pd.date_range("2023-01-01", periods=n, freq="17h", tz="UTC"),
        "title": [f"r{round} {i}" for i in range(n)],
        "text": [f"Kyiv and Moscow, round {round} item {i}" for i in range(n)],
        "source": "wire",
        "url": [f"https://w.org/{round}/{i}" for i in range(n)],
    })
    store.append(frame, feed="wire", seen_at=pd.Timestamp("2024-07-01T00:00Z"), backfill=True)
    print("appended", round, flush=True)
"""


@pytest.mark.slow
def test_sigkill_mid_write_leaves_every_file_whole(tmp_path: Path) -> None:
    root = tmp_path / "store"
    with subprocess.Popen([sys.executable, "-c", CHILD, str(root)], stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None
        assert child.stdout.readline().startswith("appended 0")
        time.sleep(0.35)  # somewhere inside a later append: reading keys, writing months, renaming
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    store = ArticleStore(root)
    frame = store.read()  # every file readable
    assert len(frame) >= 600
    assert frame["id"].is_unique
    assert frame["published_at"].is_monotonic_increasing
    assert (frame["title"].str.split().str[0].value_counts() <= 600).all()  # a killed round: some months, whole
    n = len(frame)
    extra = pd.DataFrame(
        {
            "published_at": [pd.Timestamp("2024-06-28T10:00Z")],
            "title": ["after"],
            "text": ["After the kill."],
            "url": ["https://w.org/after"],
        }
    )
    assert (
        store.append(extra, feed="wire", seen_at=pd.Timestamp("2024-07-01T00:00Z")).added == 1
    )  # lock released by the kill
    assert len(store.read()) == n + 1
    assert not list(root.rglob(".tmp-*"))
