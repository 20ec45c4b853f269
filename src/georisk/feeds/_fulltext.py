"""Optional full text of article pages (``trafilatura``, the ``fulltext`` extra); never needed to score."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from georisk.errors import OptionalDependencyError
from georisk.feeds._http import FeedError, Response

__all__ = ["add_fulltext", "extract_text"]

log = logging.getLogger(__name__)


def _trafilatura() -> Any:
    try:
        import trafilatura  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        raise OptionalDependencyError(
            'full text needs trafilatura: pip install "georisk[fulltext]", or set [articles] fulltext = false '
            "(title and summary are enough to score)"
        ) from exc
    return trafilatura


def extract_text(html: bytes | str) -> str:
    """The main text of an article page (empty when none is found)."""
    text = _trafilatura().extract(html.decode("utf-8", errors="replace") if isinstance(html, bytes) else html)
    return str(text or "").strip()


def add_fulltext(rows: pd.DataFrame, which: np.ndarray, get: Callable[..., Response], name: str) -> pd.DataFrame:
    """Replace ``text`` by title plus page text for the rows ``which`` marks; a page that fails keeps its summary."""
    _trafilatura()
    out = rows.copy()
    texts = out["text"].tolist()
    for i in np.flatnonzero(which):
        url = out["url"].iloc[i]
        try:
            body = extract_text(get(str(url), source=name).body)
        except FeedError as exc:
            log.info("full text of %s not fetched (%s); keeping its title and summary", url, exc)
            continue
        if body:
            texts[i] = f"{out['title'].iloc[i]}\n{body}"
    out["text"] = texts
    return out
