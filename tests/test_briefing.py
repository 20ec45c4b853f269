"""georisk.briefing_pages, georisk.briefing() and ``georisk briefing``: one session's news, premia and articles."""

from __future__ import annotations

import dataclasses
import html
import math
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from georisk.briefing_pages import NOISE_Z, briefing_data, briefing_html, briefing_markdown, data_label
from georisk.calendar import assign_sessions
from georisk.cli import main
from georisk.config import ArticlesConfig, GeoriskConfig, PricesConfig
from georisk.pipeline import briefing

DAY = pd.Timestamp("2024-06-28")


@pytest.fixture(scope="module")
def run_0628():  # type: ignore[no-untyped-def]
    from georisk.pipeline import run

    return run(as_of=str(DAY.date()))


@pytest.fixture(scope="module")
def written(run_0628, tmp_path_factory):  # type: ignore[no-untyped-def]
    return briefing(run_0628, as_of=DAY, out_dir=tmp_path_factory.mktemp("brief"))


def test_files_are_named_by_session_and_say_synthetic(written):
    assert written.html.name == "briefing-2024-06-28.html"
    assert written.markdown.name == "briefing-2024-06-28.md"
    for path in (written.html, written.markdown):
        text = path.read_text("utf-8")
        assert "SYNTHETIC" in text
        assert "2024-06-28" in text and "2024-06-27" in text
        assert f"{NOISE_Z}" in text and "GRPI standard error" in text  # the rule is stated


def test_html_is_self_contained(written):
    text = written.html.read_text("utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text.split("<body>")[0])
    assert "<script" not in text and "<link" not in text and "<img" not in text


def test_state_and_premia_are_the_run_values(written, run_0628):
    d = written.data
    assert d.previous == pd.Timestamp("2024-06-27")
    state = {label: (now, prev) for label, now, prev in d.state}
    sig = run_0628.signal
    for col in ("attention", "hawkish_intensity", "peace_intensity", "escalation_intensity"):
        label = next(k for k in state if k.startswith(col.replace("_", " ")))
        assert state[label] == (pytest.approx(sig.at[DAY, col]), pytest.approx(sig.iloc[-2][col]))
    prem = run_0628.premium
    rows = {r[0]: r for r in d.premia}
    assert set(rows) >= {"GRPI (all sleeves)", "energy premium", "defense premium", "grain premium", "oil premium"}
    _, unit, now, lo, hi, prev = rows["oil premium"]
    assert unit == "USD/bbl"
    assert (now, lo, hi) == pytest.approx(tuple(prem.loc[DAY, [f"oil_premium_usd{s}" for s in ("", "_lo", "_hi")]]))
    assert prev == pytest.approx(prem["oil_premium_usd"].iloc[-2])
    _, unit, now, lo, hi, _ = rows["energy premium"]
    assert unit == "bp" and lo <= now <= hi
    assert now == pytest.approx(prem.at[DAY, "energy_premium"] * 1e4)
    md = written.markdown.read_text("utf-8")
    page = html.unescape(written.html.read_text("utf-8"))
    for text in (md, page):
        assert f"{now:+.1f}" in text and f"{rows['oil premium'][2]:+.2f}" in text


def test_noise_rule(run_0628):
    cfg = GeoriskConfig()
    d = briefing_data(run_0628, cfg, as_of=DAY)
    prem = run_0628.premium
    change = prem.at[DAY, "grpi"] - prem["grpi"].iloc[-2]
    assert d.grpi_change == pytest.approx(change)
    assert d.within_noise == (abs(change) < NOISE_Z * prem.at[DAY, "grpi_se"])
    assert ("within noise" in briefing_markdown(d)) == d.within_noise
    # A jump of five standard errors is not noise; a zero change is.
    for jump, noise in ((5.0, False), (0.0, True)):
        p = prem.copy()
        p.loc[p.index[-2], "grpi"] = p.at[DAY, "grpi"] - jump * p.at[DAY, "grpi_se"]
        moved = briefing_data(dataclasses.replace(run_0628, premium=p), cfg, as_of=DAY)
        assert moved.within_noise is noise
        line = "Today's change is within noise" if noise else "Today's change is larger than noise"
        assert line in html.unescape(briefing_html(moved)) and line in briefing_markdown(moved)


def test_articles_are_the_sessions_ranked_by_net_push_above_the_floor(written, run_0628):
    from georisk.briefing_pages import MIN_PUSH

    d = written.data
    scores = run_0628.scores
    mine = scores[assign_sessions(scores["published_at"]) == DAY]
    assert d.n_articles == len(mine)
    push = mine["relevance"] * (mine["hawkish_tilt"] - mine["peace_trade"])
    assert d.n_below_floor == int((push.abs() < MIN_PUSH).sum())
    assert d.hawkish or d.peace
    listed = d.hawkish + d.peace
    assert len(listed) == min(5, int((push >= MIN_PUSH).sum())) + min(5, int((push <= -MIN_PUSH).sum()))
    assert set(assign_sessions(pd.DatetimeIndex([a.published_at for a in listed]))) == {DAY}
    assert [a.push for a in d.hawkish] == sorted((a.push for a in d.hawkish), reverse=True)
    assert [a.push for a in d.peace] == sorted(a.push for a in d.peace)
    for a in listed:
        assert a.push == pytest.approx(a.relevance * (a.hawkish_tilt - a.peace_trade))
        assert abs(a.push) >= MIN_PUSH
    for a in d.peace:
        assert a.push < 0 and any(e.startswith("peace:") for e in a.evidence)
    for a in d.hawkish:
        assert a.push > 0
    page = html.unescape(written.html.read_text("utf-8"))
    for a in listed:
        assert a.title in page and a.published_at.strftime("%H:%M UTC") in page
    assert f"listed only when |net push| \u2265 {MIN_PUSH:.2f}" in page
    assert f"{d.n_below_floor} of the session's {d.n_articles} article(s) fell below it" in page


def test_weak_articles_are_not_listed(run_0628):
    """An article of the session with a tiny net push (noise) is counted, not listed."""
    scores = run_0628.scores.copy()
    mine = scores.index[assign_sessions(scores["published_at"]) == DAY]
    scores.loc[mine, "hawkish_tilt"] = 0.04
    scores.loc[mine, "peace_trade"] = 0.0
    d = briefing_data(dataclasses.replace(run_0628, scores=scores), GeoriskConfig(), as_of=DAY)
    assert d.hawkish == [] and d.peace == []
    assert d.n_below_floor == d.n_articles == len(mine)
    assert "None this session above the floor" in briefing_markdown(d)


def test_evidence_is_explained_for_the_listed_articles_only(run_0628, monkeypatch):
    """The stages carry no evidence column: the configured scorer's explain runs on the listed few."""
    import georisk.briefing_pages as gb

    seen: list[int] = []
    scorer = gb._explainer(GeoriskConfig())
    real = type(scorer).explain

    def counting(self, X):  # type: ignore[no-untyped-def]
        seen.append(len(X))
        return real(self, X)

    monkeypatch.setattr(type(scorer), "explain", counting)
    d = briefing_data(run_0628, GeoriskConfig(), as_of=DAY)
    assert seen == [len(d.hawkish) + len(d.peace)]
    assert all(a.evidence for a in d.hawkish + d.peace)


def test_a_scorer_without_explain_gives_a_note_not_a_failure(run_0628, monkeypatch):
    import georisk.briefing_pages as gb

    class Plain:
        def transform(self, X):  # type: ignore[no-untyped-def]
            raise AssertionError("the briefing never rescores")

    monkeypatch.setattr(gb, "_explainer", lambda config: Plain())
    d = briefing_data(run_0628, GeoriskConfig(), as_of=DAY)
    assert d.hawkish + d.peace
    assert all(a.evidence == () for a in d.hawkish + d.peace)
    assert d.evidence_note == "the configured scorer (Plain) gives no evidence phrases"
    assert "Evidence: the configured scorer (Plain) gives no evidence phrases." in briefing_markdown(d)


def test_one_session_does_not_rescan_the_history(run_0628, monkeypatch):
    """Briefing many sessions from one set of stages builds the lookups once (no per-call full scan)."""
    import numpy as np

    import georisk.briefing_pages as gb

    sessions = run_0628.signal.index[-40:]
    gb._LOOKUP.clear()
    calls: list[int] = []
    real = np.argsort

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(np, "argsort", counting)
    monkeypatch.setattr("georisk.calendar.assign_sessions", lambda *a, **k: pytest.fail("full scan"))
    scores = run_0628.scores
    want = assign_sessions(scores["published_at"])
    for day in sessions:
        d = briefing_data(run_0628, GeoriskConfig(), as_of=day)
        assert d.n_articles == int((want == day).sum()), day
    assert len(calls) == 1


def test_feed_text_and_links_are_escaped(run_0628):
    arts = run_0628.articles.copy()
    scores = run_0628.scores.copy()
    mine = assign_sessions(scores["published_at"]) == DAY
    top = scores.loc[mine, "relevance"].idxmax()
    ident = scores.at[top, "id"]
    row = arts.index[arts["id"] == ident][0]
    arts["url"] = arts["url"].astype(object)
    arts.loc[row, "title"] = '<script>alert("x")</script> & co'
    arts.loc[row, "url"] = 'https://example.org/a?b=1&c="2"'
    other = arts.index[(arts["id"].isin(scores.loc[mine, "id"])) & (arts["id"] != ident)]
    if len(other):
        arts.loc[other[0], "url"] = "javascript:alert(1)"
    scores = scores.drop(columns=["title", "url"], errors="ignore")
    d = briefing_data(dataclasses.replace(run_0628, articles=arts, scores=scores), GeoriskConfig(), as_of=DAY)
    page = briefing_html(d)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert 'href="https://example.org/a?b=1&amp;c=&quot;2&quot;"' in page
    assert "javascript:" not in page
    md = briefing_markdown(d)
    assert "<script>" not in md and "(<https://example.org" in md


def test_labels_say_exactly_which_inputs_are_synthetic(tmp_path: Path):
    base = GeoriskConfig()
    assert "SYNTHETIC" in (data_label(base) or "")
    assert "simulated prices and composed articles" in (data_label(base) or "")
    theirs = base.model_copy(update={"articles": ArticlesConfig(path=tmp_path / "a.jsonl")})
    label = data_label(theirs) or ""
    assert "SYNTHETIC prices" in label and "composed" not in label
    both = theirs.model_copy(update={"prices": PricesConfig(source="csv", path=tmp_path / "p.csv")})
    assert data_label(both) is None
    only_articles = base.model_copy(update={"prices": PricesConfig(source="csv", path=tmp_path / "p.csv")})
    assert "SYNTHETIC articles" in (data_label(only_articles) or "")


def test_date_outside_the_run_is_refused(run_0628):
    from georisk.errors import ConfigError, NotASessionError

    with pytest.raises(ConfigError, match="as_of=2024-07-01"):
        briefing_data(run_0628, GeoriskConfig(), as_of="2024-07-01")
    with pytest.raises(NotASessionError):
        briefing_data(run_0628, GeoriskConfig(), as_of="2024-06-29")


def test_first_session_has_no_previous(run_0628):
    first = run_0628.signal.index[0]
    d = briefing_data(run_0628, GeoriskConfig(), as_of=first)
    assert d.previous is None and d.within_noise is None
    assert all(math.isnan(prev) for _, _, prev in d.state)
    assert "cannot be judged" in briefing_markdown(d)


def test_cli_briefing(tmp_path: Path, capsys):
    assert main(["briefing", "--sample", "--date", "2024-06-28", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out.split()
    assert [Path(p).name for p in out] == ["briefing-2024-06-28.html", "briefing-2024-06-28.md"]
    assert (tmp_path / "briefing-2024-06-28.md").read_text("utf-8").startswith("# georisk briefing, 2024-06-28")


def test_cli_briefing_errors(tmp_path: Path, capsys):
    assert main(["briefing", "--out", str(tmp_path / "b.html")]) == 2
    assert "folder" in capsys.readouterr().err
    assert main(["briefing", "--sample", "--date", "2024-06-29", "--out", str(tmp_path)]) == 7
    assert main(["briefing", "--sample", "--top", "0", "--out", str(tmp_path)]) == 2


# ----------------------------------------------------------------------------- browser
def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _browse(page: Path, tmp_path: Path, *, height: int, shot_name: str) -> tuple[Path, str]:
    browser = _chromium()
    if browser is None:
        pytest.skip("no Chromium or Chrome binary on PATH (apt-get install chromium to run this check)")
    shot = tmp_path / shot_name
    common = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--hide-scrollbars",
    ]
    run = subprocess.run(
        [*common, f"--window-size=1000,{height}", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    dom = subprocess.run(
        [*common, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    return shot, dom.stdout


@pytest.mark.slow
def test_briefing_renders_in_headless_chromium(tmp_path: Path, written):
    pytest.importorskip("matplotlib")
    from matplotlib.image import imread

    shot, dom = _browse(written.html, tmp_path, height=1400, shot_name="briefing.png")
    pixels = imread(shot)[..., :3]
    assert pixels.shape[:2] == (1400, 1000)
    assert float(pixels.std()) > 0.05
    assert float((pixels.min(axis=2) < 0.9).mean()) > 0.01
    # The red SYNTHETIC box is painted.
    red = (pixels[..., 0] > 0.6) & (pixels[..., 1] < 0.3) & (pixels[..., 2] < 0.3)
    assert float(red.mean()) > 0.001
    text = html.unescape(re.sub(r"<[^>]+>", " ", dom))
    d = written.data
    assert "SYNTHETIC" in text
    assert "within noise" in text or "larger than noise" in text
    for label, unit, now, *_ in d.premia:
        assert f"{now:+.2f}" in text if unit == "USD/bbl" else f"{now:+.1f}" in text, label
    for a in d.hawkish + d.peace:
        assert a.title in text


# ----------------------------------------------------------------------------- export
@pytest.mark.slow
def test_daily_export_writes_the_briefing_beside_its_data(tmp_path: Path):
    from georisk.export import verify_export
    from georisk.pipeline import export_daily

    res = export_daily(None, "2024-12-31", out_dir=tmp_path)
    page = tmp_path / "briefings" / "briefing-2024-12-31.html"
    md = tmp_path / "briefings" / "briefing-2024-12-31.md"
    assert page.is_file() and md.is_file()
    assert "SYNTHETIC" in page.read_text("utf-8") and "SYNTHETIC" in md.read_text("utf-8")
    verify_export(res.folder)  # the session folder holds only what its manifest lists
    first = page.read_bytes()
    export_daily(None, "2024-12-31", out_dir=tmp_path)
    assert page.read_bytes() == first  # no timestamp of the run: the same inputs, the same page


def test_an_article_without_title_is_named_by_its_text():
    from georisk.briefing_pages import _headline

    assert (
        _headline("", "  Shelling   resumed near the plant. More later", "id-1")
        == "Shelling resumed near the plant. More later"
    )
    assert _headline(None, None, "id-1") == "id-1"
    assert len(_headline("", "x" * 500, "id-1")) == 140


# ----------------------------------------------------------------------------- real data
@pytest.mark.slow
def test_export_writes_the_briefing_of_a_real_session(shared_dir: Path, tmp_path: Path):
    """Guardian headlines and Yahoo closes from ../shared/data, exported for 2023-06-06."""
    from georisk import load_articles_report
    from georisk.config import Instrument, Sleeve, Universe
    from georisk.pipeline import export_daily

    data = shared_dir / "data"
    news = data / "news-guardian-bbc-russia-ukraine" / "all_guardian_russia_ukraine_bias_babel.csv"
    closes = data / "equities-yahoo-close"
    tickers = {"energy": ["USO", "UNG"], "defense": ["ITA", "LMT", "NOC"], "grain": ["WEAT", "CORN"]}
    if not news.is_file() or not all((closes / f"{t}.csv").is_file() for ts in tickers.values() for t in [*ts, "SPY"]):
        pytest.skip("the Guardian headlines or the Yahoo closes are not in ../shared/data")
    raw = pd.read_csv(news)
    frame = pd.DataFrame(
        {
            "published_at": pd.to_datetime(raw["published_date"], format="%Y/%m/%d", errors="coerce").dt.strftime(
                "%Y-%m-%d"
            ),
            "title": raw["title"].fillna("").astype(str),
            "text": raw["title"].fillna("").astype(str),
            "source": "guardian",
            "url": raw["url"].astype(str),
        }
    )
    articles = load_articles_report(frame, timezone="Europe/London", on_invalid="quarantine").articles
    articles = articles[articles["published_at"] >= pd.Timestamp("2021-06-01", tz="UTC")]
    (tmp_path / "articles.jsonl").write_text(articles.to_json(orient="records", lines=True, date_format="iso"))
    prices = pd.DataFrame(
        {
            t: pd.read_csv(closes / f"{t}.csv", parse_dates=["Date"], index_col="Date")["Close"]
            for t in [*(t for ts in tickers.values() for t in ts), "SPY"]
        }
    )
    brent_file = data / "oil-prices" / "brent-daily.csv"
    if not brent_file.is_file():
        pytest.skip("EIA Brent spot is not in ../shared/data")
    prices["BRENT"] = pd.read_csv(brent_file, parse_dates=["Date"], index_col="Date")["Price"]
    prices = prices.loc["2021-06-01":"2023-06-30"]
    prices.index.name = "date"
    prices.to_csv(tmp_path / "prices.csv")
    sleeves = {k: Sleeve(instruments=tuple(Instrument(ticker=t) for t in ts)) for k, ts in tickers.items()}
    brent = Instrument(
        ticker="BRENT", close_time="16:30", timezone="Europe/London", unit="USD per barrel", kind="index"
    )
    sleeves["energy"] = Sleeve(instruments=(brent, *sleeves["energy"].instruments))
    universe = Universe(
        sleeves={**sleeves, "benchmark": Sleeve(instruments=(Instrument(ticker="SPY"),))}, oil_ticker="BRENT"
    )
    cfg = GeoriskConfig(
        universe=universe,
        articles=ArticlesConfig(path=tmp_path / "articles.jsonl"),
        prices=PricesConfig(source="csv", path=tmp_path / "prices.csv", strict=False),
    )
    export_daily(cfg, "2023-06-06", out_dir=tmp_path / "out", missing_prices="warn")
    page = (tmp_path / "out" / "briefings" / "briefing-2023-06-06.html").read_text("utf-8")
    md = (tmp_path / "out" / "briefings" / "briefing-2023-06-06.md").read_text("utf-8")
    assert "SYNTHETIC" not in page and "SYNTHETIC" not in md
    assert "previous session 2023-06-05" in md
    assert re.search(r"\| GRPI \(all sleeves\) \| bp \| [+-]\d", md), md  # a premium, not n/a
    assert "https://www.theguardian.com/" in page
    assert re.search(r"\| oil premium \| USD/bbl \| [+-]\d", md), md


@pytest.mark.slow
def test_a_session_briefed_from_a_later_run_is_the_page_of_that_evening(run_0628):
    """A backfill briefs each session from one run up to the range's end: the page must not look ahead."""
    from georisk.pipeline import run

    day = pd.Timestamp("2024-06-14")
    evening = run(as_of=str(day.date()))
    same = briefing_markdown(briefing_data(evening, GeoriskConfig(), as_of=day))
    later = briefing_markdown(briefing_data(run_0628, GeoriskConfig(), as_of=day))
    assert later == same


def test_top_level_briefing_is_the_function_whatever_was_imported_first() -> None:
    """The pages module is not named ``georisk.briefing``, so importing it cannot shadow the function."""
    import subprocess
    import sys

    code = (
        "import georisk.briefing_pages, georisk.pipeline, georisk\n"
        "from georisk import briefing\n"
        "assert callable(briefing) and briefing is georisk.pipeline.briefing, briefing\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, stdin=subprocess.DEVNULL)
