"""Article sources that fetch by themselves: GDELT DOC 2.0, RSS and Atom feeds, full text.

:func:`fetch_articles` reads the sources of ``[articles]`` into the article store
(:class:`georisk.articles.ArticleStore`). RSS and Atom need the ``rss`` extra
(feedparser), full text the ``fulltext`` extra (trafilatura); GDELT needs nothing.
Each is imported only when used.
"""

from georisk.feeds._fetch import FetchReport, SourceReport, fetch_articles
from georisk.feeds._gdelt import gdelt_url, parse_artlist, parse_timeline
from georisk.feeds._http import FeedError, Response, http_get
from georisk.feeds._rss import FEED_COLUMNS, parse_feed

__all__ = [
    "FEED_COLUMNS",
    "FeedError",
    "FetchReport",
    "Response",
    "SourceReport",
    "fetch_articles",
    "gdelt_url",
    "http_get",
    "parse_artlist",
    "parse_feed",
    "parse_timeline",
]
