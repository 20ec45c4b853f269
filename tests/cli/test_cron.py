"""The scheduled job as the README writes it: fetch articles, then export, from cron, twice.

A fake feed server on 127.0.0.1 serves a GDELT DOC 2.0 query and two RSS/Atom feeds.
The crontab line of the README runs through ``/bin/sh`` against it: the articles land
once, they are scored once, the export is published, and a second run adds nothing. A
feed outage makes the job exit 4 naming the gap, after the export was still written.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from georisk.articles import ArticleStore
from georisk.datasets import sample_articles_path
from tests.feeds.test_feeds import ATOM, RSS, FakeServer, conditional, gdelt_article, timeline

pytest.importorskip("feedparser")

SESSION = "2024-06-28"

# The README's crontab line, with /srv/georisk, the log and the date of the run as parameters.
CRON = (
    "cd {root} && {{ .venv/bin/georisk --json-logs articles fetch --config georisk.toml; f=$?; "
    ".venv/bin/georisk --json-logs export --config georisk.toml --as-of {date} --previous-session "
    "--lock-timeout 600; e=$?; [ $e -ne 0 ] && exit $e; exit $f; }} >>{log} 2>&1"
)

CONFIG = """
[articles]
source = "store"
store = "articles-store"
retries = 1

[articles.gdelt]
query = '(Ukraine OR Russia OR Kremlin OR Kyiv) (ceasefire OR talks OR sanctions OR offensive)'
language = "english"
base_url = "{url}/api/v2/doc/doc"
min_interval = 0

[[articles.feeds]]
name = "world"
url = "{url}/world/rss.xml"

[[articles.feeds]]
name = "defence"
url = "{url}/defence/atom.xml"

[prices]
source = "sample"              # chosen here: the bundled SYNTHETIC sample's simulated prices

[scoring]
scorer = "lexicon"

[export]
out_dir = "georisk-export"
"""


def serve(server: FakeServer) -> None:
    items = [
        gdelt_article(i, f"20240628T{10 + i:02d}0000Z", title=f"Russia Ukraine ceasefire talks stall, report {i}")
        for i in range(6)
    ]
    norms = {"20241201": 150_000, "20241202": 152_000}

    def gdelt(path: str, query: dict[str, list[str]], headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if query["mode"] == ["timelinevolraw"]:
            return (
                200,
                {"Content-Type": "application/json"},
                json.dumps(timeline(sorted(norms), list(norms.values()))).encode(),
            )
        return 200, {"Content-Type": "application/json"}, json.dumps({"articles": items}).encode()

    server.routes["/api/v2/doc/doc"] = gdelt
    server.routes["/world/rss.xml"] = conditional(RSS, '"world-1"')
    server.routes["/defence/atom.xml"] = conditional(ATOM, '"defence-1"', "application/atom+xml")


def install(root: Path) -> None:
    """What a new user has after `pip install` into /srv/georisk/.venv."""
    (root / ".venv" / "bin").mkdir(parents=True)
    exe = Path(sys.executable).parent / "georisk"
    (root / ".venv" / "bin" / "georisk").symlink_to(exe)


def run_cron(root: Path, log: Path) -> tuple[int, float]:
    start = time.perf_counter()
    proc = subprocess.run(
        ["/bin/sh", "-c", CRON.format(root=root, date=SESSION, log=log)],
        env={**os.environ, "PATH": "/usr/bin:/bin"},  # cron's bare PATH: the venv is named in the line
        check=False,
        timeout=600,
    )
    return proc.returncode, time.perf_counter() - start


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".lock" not in p.name
    }


@pytest.mark.slow
def test_cron_fetch_then_export_twice(tmp_path: Path) -> None:
    root = tmp_path / "srv"
    root.mkdir()
    install(root)
    log = tmp_path / "export.log"
    with FakeServer() as server:
        serve(server)
        (root / "georisk.toml").write_text(CONFIG.format(url=server.url), encoding="utf-8")
        imported = subprocess.run(
            [
                str(root / ".venv/bin/georisk"),
                "articles",
                "import",
                "--config",
                "georisk.toml",
                str(sample_articles_path()),
            ],
            cwd=root,
            check=False,
            capture_output=True,
            text=True,
        )
        assert imported.returncode == 0, imported.stderr

        code, first_seconds = run_cron(root, log)
        text = log.read_text()
        assert code == 0, text
        store = ArticleStore(root / "articles-store")
        frame = store.read()
        feeds = frame["feed"].value_counts().to_dict()
        assert feeds["gdelt"] == 6 and feeds["world"] == 4 and feeds["defence"] == 2
        assert frame["id"].is_unique
        score_parts = sorted((root / "articles-store" / "scores").rglob("part-*.parquet"))
        assert len(score_parts) == 1  # every article scored once
        export = root / "georisk-export"
        assert (export / f"session={SESSION}" / "manifest.json").exists()
        published = snapshot(export)
        articles_before = snapshot(root / "articles-store" / "articles")

        code, second_seconds = run_cron(root, log)
        assert code == 0, log.read_text()
        assert snapshot(root / "articles-store" / "articles") == articles_before  # nothing added
        assert sorted((root / "articles-store" / "scores").rglob("part-*.parquet")) == score_parts  # nothing rescored
        assert snapshot(export) == published  # nothing republished
        requests = [h for p, h in server.requests if p == "/world/rss.xml"]
        assert requests[-1].get("if-none-match") == '"world-1"'

        server.routes["/defence/atom.xml"] = [(503, {}, b"maintenance")]
        code, _ = run_cron(root, log)
        lines = [json.loads(x) for x in log.read_text().splitlines() if x.startswith("{")]
        failure = [x for x in lines if x.get("exit_code") == 4]
        assert code == 4
        assert failure and "defence" in failure[-1]["message"] and "HTTP 503" in failure[-1]["message"]
        assert snapshot(export) == published  # the export still ran, and had nothing new to publish
    print(f"cron run 1 (fetch + export): {first_seconds:.1f} s; run 2: {second_seconds:.1f} s")


def test_the_tested_line_is_the_readme_line() -> None:
    """The crontab line above is the README's, with its folder, date and log as parameters."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    line = next(x for x in readme.splitlines() if x.startswith("30 23 * * 1-5") and "articles fetch" in x)
    as_tested = CRON.format(root="/srv/georisk", date='"$(date -u +\\%F)"', log="/var/log/georisk/export.log")
    assert line == "30 23 * * 1-5  " + as_tested
