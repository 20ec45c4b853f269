"""The validated ``Article`` record and the article frame contract."""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

__all__ = ["ARTICLE_COLUMNS", "Article", "article_id", "articles_frame"]

#: Columns of the frame :func:`georisk.load_articles` returns, in order.
ARTICLE_COLUMNS = ["id", "published_at", "title", "text", "source", "url"]


def article_id(source: str, text: str) -> str:
    """Stable id: the first 16 hex digits of SHA-256 over source and whitespace-normalised text."""
    norm = " ".join(text.lower().split())
    return hashlib.sha256(f"{source}\x1f{norm}".encode()).hexdigest()[:16]


class Article(BaseModel):
    """One news article.

    ``published_at`` must be timezone-aware: a naive timestamp is rejected unless the
    loader was told its zone. ``id`` defaults to a stable hash of source and text.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    id: str = Field(default="", max_length=200)
    published_at: AwareDatetime
    title: str = ""
    text: str = Field(min_length=1)
    source: str = "unknown"
    url: str | None = None

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty")
        return value

    def model_post_init(self, context: Any, /) -> None:
        if not self.id:
            object.__setattr__(self, "id", article_id(self.source, self.title + "\n" + self.text))


def articles_frame(records: list[Article]) -> pd.DataFrame:
    """Build the article frame from validated records.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ARTICLE_COLUMNS`; ``published_at`` is ``datetime64[ns, UTC]``;
        rows sorted by ``published_at`` then ``id``; a default ``RangeIndex``.
    """
    df = pd.DataFrame(
        {
            "id": [r.id for r in records],
            "published_at": pd.to_datetime([r.published_at for r in records], utc=True),
            "title": [r.title for r in records],
            "text": [r.text for r in records],
            "source": [r.source for r in records],
            "url": [r.url for r in records],
        },
        columns=ARTICLE_COLUMNS,
    )
    df["published_at"] = df["published_at"].dt.as_unit("ns")
    return df.sort_values(["published_at", "id"], kind="stable").reset_index(drop=True)
