"""Sources that fetch by themselves: RSS, Atom, GDELT DOC 2.0 and the HTTP path, all offline.

Response bodies are authored for these tests in the shapes the services serve: RSS 2.0
(``<rss version="2.0"><channel><item>`` with RFC 822 ``pubDate``), Atom
(``<feed xmlns="http://www.w3.org/2005/Atom"><entry>`` with RFC 3339 ``updated``), and
GDELT DOC 2.0 JSON (``{"articles": [{"url", "url_mobile", "title", "seendate",
"socialimage", "domain", "language", "sourcecountry"}]}``, ``{}`` for an empty window,
``{"timeline": [{"series", "data": [{"date", "value", "norm"}]}]}`` for ``timelinevolraw``,
and a plain-text sentence with status 200 for a refused query). The network path runs
against a server on 127.0.0.1.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

from georisk.articles import ArticleStore
from georisk.config import ArticlesConfig, FeedConfig, GdeltConfig
from georisk.errors import MissingDataError, OptionalDependencyError
from georisk.feeds import FeedError, Response, fetch_articles, http_get, parse_artlist, parse_feed, parse_timeline
from georisk.feeds._gdelt import fetch_window

pytest.importorskip("feedparser")

# ---------------------------------------------------------------------------------------
# authored fixtures

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>World news</title>
    <link>https://news.example.org/world</link>
    <description>World news from Example</description>
    <language>en-gb</language>
    <lastBuildDate>Fri, 28 Jun 2024 18:05:00 GMT</lastBuildDate>
    <item>
      <title>Kremlin rejects ceasefire proposal as shelling of Kharkiv intensifies</title>
      <link>https://news.example.org/world/2024/jun/28/kremlin-rejects-ceasefire?utm_source=rss</link>
      <description>&lt;p&gt;Moscow said on Friday that &lt;b&gt;talks&lt;/b&gt; with Kyiv were off.&lt;/p&gt;</description>
      <pubDate>Fri, 28 Jun 2024 14:30:00 GMT</pubDate>
      <guid isPermaLink="true">https://news.example.org/world/2024/jun/28/kremlin-rejects-ceasefire</guid>
    </item>
    <item>
      <title>Ukraine and Russia agree on grain corridor talks in Istanbul</title>
      <link>https://news.example.org/world/2024/jun/28/grain-talks</link>
      <description>Negotiators will meet next week, Turkish officials said.</description>
      <pubDate>Fri, 28 Jun 2024 16:45:00 +0200</pubDate>
    </item>
    <item>
      <title>Sanctions on Russian oil tighten, EU says</title>
      <link>https://news.example.org/world/2024/jun/27/sanctions</link>
      <description>The bloc adopted its fourteenth package.</description>
      <pubDate>Thu, 27 Jun 2024 09:00:00 EST</pubDate>
    </item>
    <item>
      <title>Undated wire copy on Zaporizhzhia plant</title>
      <link>https://news.example.org/world/wire/znpp</link>
      <description>Inspectors were denied access.</description>
    </item>
  </channel>
</rss>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>Defence desk</title>
  <id>urn:uuid:5f1c7c1e-8e0f-4d43-9f5c-2a4b7f0e9c11</id>
  <updated>2024-06-28T17:00:00Z</updated>
  <link href="https://defence.example.net/"/>
  <entry>
    <title type="html">NATO pledges air defence for Ukraine</title>
    <link rel="alternate" href="https://defence.example.net/2024/06/28/nato-air-defence"/>
    <id>tag:defence.example.net,2024:nato-air-defence</id>
    <published>2024-06-28T11:20:00+01:00</published>
    <updated>2024-06-28T12:00:00+01:00</updated>
    <summary type="html">&lt;p&gt;Allies promised Patriot batteries.&lt;/p&gt;</summary>
  </entry>
  <entry>
    <title>Drone strike on Russian refinery</title>
    <link href="https://defence.example.net/2024/06/27/refinery"/>
    <id>tag:defence.example.net,2024:refinery</id>
    <updated>2024-06-27</updated>
    <content type="text">A refinery in Krasnodar burned overnight.</content>
  </entry>
</feed>
"""


def gdelt_article(n: int, seen: str, *, domain: str = "example.com", title: str | None = None) -> dict[str, str]:
    return {
        "url": f"https://{domain}/story/{n}",
        "url_mobile": "",
        "title": title or f"Russia Ukraine talks update number {n}",
        "seendate": seen,
        "socialimage": f"https://{domain}/img/{n}.jpg",
        "domain": domain,
        "language": "English",
        "sourcecountry": "United Kingdom",
    }


def timeline(days: list[str], norms: list[int]) -> dict[str, Any]:
    return {
        "query_details": {"title": "ukraine", "date_resolution": "day"},
        "timeline": [
            {
                "series": "Article Count",
                "data": [{"date": f"{d}T000000Z", "value": 3, "norm": n} for d, n in zip(days, norms, strict=True)],
            }
        ],
    }


def response(body: bytes | str | dict[str, Any], status: int = 200, ctype: str = "application/json") -> Response:
    data = json.dumps(body).encode() if isinstance(body, dict) else body.encode() if isinstance(body, str) else body
    return Response(status, {"content-type": ctype}, data, "http://127.0.0.1/")


# ---------------------------------------------------------------------------------------
# a fake HTTP server on 127.0.0.1

Handler = Callable[[str, dict[str, list[str]], dict[str, str]], tuple[int, dict[str, str], bytes]]


class FakeServer:
    """Routes by path; each route is a handler or a list of responses served in turn (the last repeats)."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler | list[tuple[int, dict[str, str], bytes]]] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.delay = 0.0
        outer = self

        class _H(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                headers = {k.lower(): v for k, v in self.headers.items()}
                outer.requests.append((self.path, headers))
                route = outer.routes.get(parts.path)
                if route is None:
                    status, hdrs, body = 404, {}, b"not found"
                elif callable(route):
                    status, hdrs, body = route(parts.path, parse_qs(parts.query), headers)
                else:
                    status, hdrs, body = route[0] if len(route) == 1 else route.pop(0)
                if outer.delay:
                    time.sleep(outer.delay)
                try:
                    self.send_response(status)
                    for k, v in hdrs.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def conditional(body: bytes, etag: str, ctype: str = "application/rss+xml") -> Handler:
    """A feed that answers 304 to a request carrying its ETag."""

    def handle(path: str, query: dict[str, list[str]], headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if headers.get("if-none-match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"ETag": etag, "Last-Modified": "Fri, 28 Jun 2024 18:05:00 GMT", "Content-Type": ctype}, body

    return handle


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as s:
        yield s


NOW = pd.Timestamp("2024-06-28T20:00:00Z")


def no_sleep(_: float) -> None:
    pass


# ---------------------------------------------------------------------------------------
# parsing


def test_rss_entries_times_and_text() -> None:
    rows = parse_feed(RSS, name="world")
    assert len(rows) == 4
    first = rows.iloc[0]
    assert first["published_at"] == pd.Timestamp("2024-06-28T14:30:00Z")
    assert first["text"].startswith("Kremlin rejects ceasefire")
    assert "Moscow said on Friday that talks with Kyiv were off." in first["text"]
    assert "<" not in first["text"]
    assert first["domain"] == "news.example.org"
    assert first["language"] == "en-gb"
    assert rows.iloc[1]["published_at"] == pd.Timestamp("2024-06-28T14:45:00Z")  # +0200
    assert rows.iloc[2]["published_at"] == pd.Timestamp("2024-06-27T14:00:00Z")  # EST, read by feedparser
    assert pd.isna(rows.iloc[3]["published_at"])  # no date: counts from its fetch
    assert (rows["source"] == "world").all()


def test_atom_entries_and_date_only_at_end_of_day() -> None:
    rows = parse_feed(ATOM, name="defence", source="Defence desk")
    assert rows["published_at"].tolist() == [
        pd.Timestamp("2024-06-28T10:20:00Z"),
        pd.Timestamp("2024-06-27T23:59:59.999999Z"),  # a date without a time: known at the end of that day
    ]
    assert rows.iloc[0]["url"] == "https://defence.example.net/2024/06/28/nato-air-defence"
    assert "Patriot batteries" in rows.iloc[0]["text"]
    assert "Krasnodar" in rows.iloc[1]["text"]
    assert (rows["source"] == "Defence desk").all()


def test_truncated_xml_is_a_feed_error() -> None:
    with pytest.raises(FeedError, match=r"world: the feed document is malformed or cut short"):
        parse_feed(RSS[: len(RSS) // 2], name="world")
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):
        parse_feed(b"<html><body>Service unavailable</body></html>", name="world")


def test_missing_feedparser_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real = builtins.__import__

    def fake(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "feedparser":
            raise ImportError("No module named 'feedparser'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(OptionalDependencyError, match=r'pip install "georisk\[rss\]"'):
        parse_feed(RSS, name="world")


def test_gdelt_artlist_fields_and_empty_window() -> None:
    body = {"articles": [gdelt_article(1, "20240628T143000Z"), gdelt_article(2, "20240628T151500Z", domain="x.org")]}
    rows = parse_artlist(response(body))
    assert rows["published_at"].tolist() == [pd.Timestamp("2024-06-28T14:30Z"), pd.Timestamp("2024-06-28T15:15Z")]
    assert rows.iloc[1][["domain", "language", "country", "source"]].tolist() == [
        "x.org",
        "English",
        "United Kingdom",
        "x.org",
    ]
    assert parse_artlist(response({})).empty  # GDELT answers {} for a window without articles
    assert parse_artlist(response(b"")).empty


def test_gdelt_tolerates_raw_control_characters() -> None:
    raw = b'{"articles": [{"url": "https://a.org/1", "title": "Kyiv\tunder fire", "seendate": "20240628T100000Z", "domain": "a.org", "language": "English", "sourcecountry": "Ukraine"}]}'
    rows = parse_artlist(response(raw))
    assert rows.iloc[0]["title"] == "Kyiv under fire"


def test_gdelt_refusal_and_malformed_json_are_feed_errors() -> None:
    with pytest.raises(FeedError, match="GDELT refused the article list request"):
        parse_artlist(response("The specified phrase is too short.", ctype="text/html; charset=utf-8"))
    with pytest.raises(FeedError, match=r"not valid JSON .*line 1"):
        parse_artlist(response(b'{"articles": [{"url": "https://a.org/1", "title": '))


def test_gdelt_timeline_raw_volume() -> None:
    steps = parse_timeline(response(timeline(["20240626", "20240627"], [151_234, 149_876])))
    assert steps["monitored"].tolist() == [151_234.0, 149_876.0]
    assert steps.index[0] == pd.Timestamp("2024-06-26T00:00Z")
    assert parse_timeline(response({"timeline": []})).empty


def test_gdelt_window_is_split_at_the_record_cap() -> None:
    seen = pd.date_range("2024-06-28T00:00Z", periods=40, freq="30min")
    items = [gdelt_article(i, t.strftime("%Y%m%dT%H%M%SZ")) for i, t in enumerate(seen)]
    calls: list[tuple[pd.Timestamp, pd.Timestamp]] = []

    def get(url: str) -> Response:
        q = parse_qs(urlsplit(url).query)
        lo = pd.Timestamp(q["startdatetime"][0]).tz_localize("UTC")
        hi = pd.Timestamp(q["enddatetime"][0]).tz_localize("UTC")
        calls.append((lo, hi))
        inside = [a for a, t in zip(items, seen, strict=True) if lo <= t < hi]
        assert q["maxrecords"] == ["10"]
        return response({"articles": inside[:10]} if inside else {})

    rows = fetch_window(
        get, "http://127.0.0.1/api", "ukraine", seen[0], seen[-1] + pd.Timedelta(minutes=30), max_records=10
    )
    assert len(rows) == 40 and rows["url"].is_unique
    assert len(calls) > 4  # split until each piece is under the cap


# ---------------------------------------------------------------------------------------
# the HTTP path


def test_429_backs_off_with_retry_after_then_succeeds(server: FakeServer) -> None:
    server.routes["/feed"] = [(429, {"Retry-After": "2"}, b"slow down"), (200, {}, RSS)]
    waits: list[float] = []
    resp = http_get(server.url + "/feed", sleep=waits.append, retries=2, deadline=30)
    assert resp.status == 200 and resp.attempts == 2
    assert waits == [2.0]


def test_5xx_retries_are_bounded(server: FakeServer) -> None:
    server.routes["/feed"] = [(503, {}, b"down")]
    waits: list[float] = []
    with pytest.raises(FeedError, match=r"world: GET .*/feed: HTTP 503 after 3 attempt\(s\)") as info:
        http_get(server.url + "/feed", sleep=waits.append, retries=2, backoff=0.5, source="world")
    assert waits == [0.5, 1.0]
    assert info.value.exit_code == 4
    assert isinstance(info.value, MissingDataError)


def test_4xx_is_not_retried(server: FakeServer) -> None:
    with pytest.raises(FeedError, match="HTTP 404"):
        http_get(server.url + "/nowhere", sleep=no_sleep)
    assert len(server.requests) == 1


def test_timeout_then_deadline(server: FakeServer) -> None:
    server.routes["/feed"] = [(200, {}, RSS)]
    server.delay = 0.6
    start = time.monotonic()
    with pytest.raises(FeedError, match="timed out"):
        http_get(server.url + "/feed", timeout=0.2, deadline=5, retries=1, backoff=0.05)
    assert time.monotonic() - start < 30  # a hang, not a slow machine, would pass this


def test_retry_after_past_the_deadline_gives_up_at_once(server: FakeServer) -> None:
    server.routes["/feed"] = [(429, {"Retry-After": "600"}, b"")]
    with pytest.raises(FeedError, match="would pass the deadline"):
        http_get(server.url + "/feed", deadline=10, sleep=no_sleep)


# ---------------------------------------------------------------------------------------
# fetch into the store


def config(tmp_path: Any, server: FakeServer, **kw: Any) -> ArticlesConfig:
    return ArticlesConfig(
        source="store",
        store=tmp_path / "store",
        feeds=(
            FeedConfig(name="world", url=server.url + "/world.rss"),
            FeedConfig(name="defence", url=server.url + "/defence.atom"),
        ),
        retries=1,
        **kw,
    )


def test_conditional_requests_second_fetch_adds_nothing(tmp_path: Any, server: FakeServer) -> None:
    server.routes["/world.rss"] = conditional(RSS, '"w1"')
    server.routes["/defence.atom"] = [(200, {"Content-Type": "application/atom+xml"}, ATOM)]  # no ETag
    acfg = config(tmp_path, server)
    first = fetch_articles(acfg, now=NOW, sleep=no_sleep)
    assert first.added == 6
    second = fetch_articles(acfg, now=NOW + pd.Timedelta(hours=1), sleep=no_sleep)
    assert second.added == 0
    assert second.summary().loc["world", "status"] == "not modified"
    assert second.summary().loc["defence", "duplicates"] == 2
    sent = [h for p, h in server.requests if p == "/world.rss"]
    assert "if-none-match" not in sent[0] and sent[1]["if-none-match"] == '"w1"'
    assert sent[1]["if-modified-since"] == "Fri, 28 Jun 2024 18:05:00 GMT"
    store = ArticleStore(acfg.store)  # type: ignore[arg-type]
    frame = store.read()
    assert len(frame) == 6 and frame["id"].is_unique
    undated = frame[frame["title"].str.startswith("Undated")].iloc[0]
    assert undated["published_at"] == NOW and pd.isna(undated["source_published_at"])  # counts from its fetch
    assert (frame["seen_at"] == NOW).all()


def test_clock_skew_future_publication_counts_from_fetch(tmp_path: Any, server: FakeServer) -> None:
    early = NOW - pd.Timedelta(hours=6)  # our clock is behind the feed's: its times are in our future
    server.routes["/world.rss"] = [(200, {}, RSS)]
    server.routes["/defence.atom"] = [(200, {}, ATOM)]
    acfg = config(tmp_path, server)
    fetch_articles(acfg, now=early, sleep=no_sleep)
    frame = ArticleStore(acfg.store).read()  # type: ignore[arg-type]
    assert (frame["published_at"] <= early).all()  # never before... and never after it was seen
    kremlin = frame[frame["title"].str.startswith("Kremlin")].iloc[0]
    assert kremlin["published_at"] == pd.Timestamp("2024-06-28T14:00Z") == early
    assert kremlin["source_published_at"] == pd.Timestamp("2024-06-28T14:30Z")
    sanctions = frame[frame["title"].str.startswith("Sanctions")].iloc[0]
    assert sanctions["published_at"] == pd.Timestamp("2024-06-27T14:00Z")  # earlier than the fetch: its own time


def test_outage_is_exit_4_naming_the_gap_and_others_are_stored(tmp_path: Any, server: FakeServer) -> None:
    server.routes["/world.rss"] = [(200, {}, RSS)]
    server.routes["/defence.atom"] = [(200, {}, ATOM)]
    acfg = config(tmp_path, server)
    fetch_articles(acfg, now=NOW, sleep=no_sleep)
    server.routes["/defence.atom"] = [(503, {}, b"")]
    server.routes["/world.rss"] = [(200, {}, RSS.replace(b"grain-talks", b"grain-talks-2"))]
    later = NOW + pd.Timedelta(days=1)
    with pytest.raises(
        FeedError,
        match=r"1 of 2 source\(s\) failed.*defence \(nothing fetched since 2024-06-28T20:00:00\+00:00\).*HTTP 503",
    ) as info:
        fetch_articles(acfg, now=later, sleep=no_sleep)
    assert info.value.exit_code == 4
    store = ArticleStore(acfg.store)  # type: ignore[arg-type]
    assert len(store.read()) == 7  # the working feed's new article is stored
    status = store.status(now=later)
    assert status.loc["defence", "last_status"] == "failed"
    assert "HTTP 503" in status.loc["defence", "gap"]
    assert status.loc["world", "gap"] == ""


def test_offline_reports_staleness(tmp_path: Any, server: FakeServer) -> None:
    server.routes["/world.rss"] = [(200, {}, RSS)]
    server.routes["/defence.atom"] = [(200, {}, ATOM)]
    acfg = config(tmp_path, server)
    fetch_articles(acfg, now=NOW, sleep=no_sleep)
    n = len(server.requests)
    report = fetch_articles(acfg, now=NOW + pd.Timedelta(hours=2), offline=True)
    assert len(server.requests) == n  # nothing fetched
    assert {s.status for s in report.sources} == {"offline"}
    with pytest.raises(FeedError, match="offline, and the last successful fetch is older than 48 h"):
        fetch_articles(acfg, now=NOW + pd.Timedelta(days=3), offline=True)


def gdelt_server(server: FakeServer, items: list[dict[str, str]], norms: dict[str, int]) -> None:
    def handle(path: str, query: dict[str, list[str]], headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        lo = pd.Timestamp(query["startdatetime"][0]).tz_localize("UTC")
        hi = pd.Timestamp(query["enddatetime"][0]).tz_localize("UTC")
        if query["mode"] == ["timelinevolraw"]:
            days = [d for d in sorted(norms) if lo <= pd.Timestamp(d).tz_localize("UTC") < hi]
            return (
                200,
                {"Content-Type": "application/json"},
                json.dumps(timeline(days, [norms[d] for d in days])).encode(),
            )
        inside = [a for a in items if lo <= pd.Timestamp(a["seendate"]).tz_convert("UTC") < hi]
        body = {"articles": inside[: int(query["maxrecords"][0])]} if inside else {}
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    server.routes["/api/v2/doc/doc"] = handle


def test_gdelt_fetch_duplicate_heavy_day_empty_day_and_monitored(tmp_path: Any, server: FakeServer) -> None:
    # 30 articles on 27 June, each syndicated three times under tracking parameters; nothing on 28 June
    items = []
    for i in range(30):
        t = (pd.Timestamp("2024-06-27T01:00Z") + pd.Timedelta(minutes=20 * i)).strftime("%Y%m%dT%H%M%SZ")
        base = gdelt_article(i, t)
        items += [
            base,
            {**base, "url": base["url"] + "?utm_source=x"},
            {**base, "url": base["url"].replace("https://", "https://www.")},
        ]
    gdelt_server(server, items, {"20240626": 150_000, "20240627": 152_000, "20240628": 90_000})
    acfg = ArticlesConfig(
        source="store",
        store=tmp_path / "store",
        gdelt=GdeltConfig(
            query="(ukraine OR russia)", base_url=server.url + "/api/v2/doc/doc", min_interval=0, max_records=25
        ),
    )
    now = pd.Timestamp("2024-06-28T21:00Z")
    report = fetch_articles(acfg, since="2024-06-26", now=now, sleep=no_sleep)
    assert report.added == 30 and report.sources[0].duplicates == 60
    store = ArticleStore(acfg.store)  # type: ignore[arg-type]
    frame = store.read()
    assert frame["backfill"].all() and (frame["feed"] == "gdelt").all()
    assert (frame["published_at"] == frame["source_published_at"]).all()
    monitored = store.monitored("gdelt")
    assert monitored is not None
    assert monitored.to_dict() == {
        pd.Timestamp("2024-06-26"): 150_000.0,
        pd.Timestamp("2024-06-27"): 152_000.0,
    }  # 28th not complete
    again = fetch_articles(acfg, now=now + pd.Timedelta(hours=1), sleep=no_sleep)
    assert again.added == 0
    status = store.status(now=now, days=3)
    assert status.loc["gdelt", "06-27"] == 30 and status.loc["gdelt", "06-28"] == 0


def test_gdelt_rolling_window_clamps_since(tmp_path: Any, server: FakeServer, caplog: pytest.LogCaptureFixture) -> None:
    gdelt_server(server, [], {})
    acfg = ArticlesConfig(
        source="store",
        store=tmp_path / "store",
        gdelt=GdeltConfig(query="ukraine", base_url=server.url + "/api/v2/doc/doc", min_interval=0, monitored=False),
    )
    fetch_articles(acfg, since="2020-01-01", now=NOW, sleep=no_sleep)
    first = parse_qs(urlsplit(server.requests[0][0]).query)
    assert first["startdatetime"] == [(NOW - pd.Timedelta(days=90)).strftime("%Y%m%d%H%M%S")]
    assert "searches the last 90 days only" in caplog.text


# ---------------------------------------------------------------------------------------
# full text (optional)

PAGE = b"""<!DOCTYPE html><html><head><title>Grain talks | Example</title></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Ukraine and Russia agree on grain corridor talks</h1>
<p>Negotiators from Kyiv and Moscow will meet in Istanbul next week to discuss reopening the Black Sea grain corridor, Turkish officials said on Friday.</p>
<p>The United Nations welcomed the announcement and said shipping insurers were watching the talks closely, as wheat futures fell in Chicago.</p>
</article><footer>Cookie settings. Subscribe to our newsletter.</footer></body></html>"""


def test_fulltext_replaces_the_summary_of_new_articles(tmp_path: Any, server: FakeServer) -> None:
    pytest.importorskip("trafilatura")
    feed = RSS.replace(b"https://news.example.org", server.url.encode())  # every page on 127.0.0.1
    server.routes["/world.rss"] = [(200, {}, feed)]
    server.routes["/world/2024/jun/28/grain-talks"] = [(200, {"Content-Type": "text/html"}, PAGE)]
    acfg = ArticlesConfig(
        source="store",
        store=tmp_path / "store",
        feeds=(FeedConfig(name="world", url=server.url + "/world.rss"),),
        fulltext=True,
        retries=0,
    )
    fetch_articles(acfg, now=NOW, sleep=no_sleep)
    frame = ArticleStore(acfg.store).read()  # type: ignore[arg-type]
    grain = frame[frame["title"].str.startswith("Ukraine and Russia")].iloc[0]
    assert "Black Sea grain corridor" in grain["text"] and "Cookie settings" not in grain["text"]
    other = frame[frame["title"].str.startswith("Kremlin")].iloc[0]  # its page is a 404: the summary is kept
    assert "talks with Kyiv were off" in other["text"]


def test_missing_trafilatura_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from georisk.feeds._fulltext import extract_text

    real = builtins.__import__

    def fake(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "trafilatura":
            raise ImportError("No module named 'trafilatura'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(OptionalDependencyError, match=r'pip install "georisk\[fulltext\]"'):
        extract_text(PAGE)


def test_an_empty_day_is_not_an_outage_but_shows_as_a_gap_later(tmp_path: Any, server: FakeServer) -> None:
    empty = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title><link>https://q.org/</link><description>q</description></channel></rss>'
    server.routes["/world.rss"] = [(200, {}, empty)]
    server.routes["/defence.atom"] = [(200, {}, ATOM)]
    acfg = config(tmp_path, server)
    report = fetch_articles(acfg, now=NOW, sleep=no_sleep)
    assert report.summary().loc["world", "status"] == "ok" and report.summary().loc["world", "added"] == 0
    status = ArticleStore(acfg.store).status(now=NOW + pd.Timedelta(hours=49))  # type: ignore[arg-type]
    assert status.loc["world", "gap"] == "no new article ever"
    assert status.loc["defence", "gap"].startswith("no new article since 2024-06-28T20:00:00")
