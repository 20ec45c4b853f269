"""Stage 1: articles in. Sources, cleaning, de-duplication and the ``Article`` record."""

from georisk.articles._clean import clean_text, html_to_text
from georisk.articles._dedupe import MERGED_COLUMNS, find_near_duplicates
from georisk.articles._record import ARTICLE_COLUMNS, Article, article_id
from georisk.articles._sources import (
    QUARANTINE_COLUMNS,
    ArticleLoad,
    articles_from_config,
    load_articles,
    load_articles_report,
)
from georisk.articles._store import STORE_COLUMNS, AppendResult, ArticleStore, canonical_url, counting_time
from georisk.articles._timestamps import DateOnlyPolicy, parse_published, resolve_published

__all__ = [
    "ARTICLE_COLUMNS",
    "MERGED_COLUMNS",
    "QUARANTINE_COLUMNS",
    "STORE_COLUMNS",
    "AppendResult",
    "Article",
    "ArticleLoad",
    "ArticleStore",
    "DateOnlyPolicy",
    "article_id",
    "articles_from_config",
    "canonical_url",
    "clean_text",
    "counting_time",
    "find_near_duplicates",
    "html_to_text",
    "load_articles",
    "load_articles_report",
    "parse_published",
    "resolve_published",
]
