"""Stage 1: articles in. Sources, cleaning, de-duplication and the ``Article`` record."""

from georisk.articles._clean import clean_text, html_to_text
from georisk.articles._dedupe import MERGED_COLUMNS, find_near_duplicates
from georisk.articles._record import ARTICLE_COLUMNS, Article, article_id
from georisk.articles._sources import QUARANTINE_COLUMNS, ArticleLoad, load_articles

__all__ = [
    "ARTICLE_COLUMNS",
    "MERGED_COLUMNS",
    "QUARANTINE_COLUMNS",
    "Article",
    "ArticleLoad",
    "article_id",
    "clean_text",
    "find_near_duplicates",
    "html_to_text",
    "load_articles",
]
