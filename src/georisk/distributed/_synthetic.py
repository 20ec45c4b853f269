"""A SYNTHETIC article corpus of any size, for smoke tests and benchmarks of a deployment."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from georisk.calendar import session_closes
from georisk.errors import ConfigError

__all__ = ["synthetic_articles", "write_synthetic_archive"]

# Sentences written for this generator: escalation, de-escalation, channel and off-topic
# news, so that every score and channel of the lexicon scorer is exercised.
_SENTENCES = (
    "Russia launched a missile strike on Kyiv overnight.",
    "The Kremlin issued an ultimatum and threatened a new offensive in Ukraine.",
    "Moscow refused a ceasefire and vowed to keep fighting.",
    "Hardliners urged the president to abandon the peace talks.",
    "Washington announced new sanctions on Russian banks and oil exporters.",
    "Ukrainian drones hit a refinery deep inside Russia.",
    "Negotiators said a ceasefire deal was close after talks in Istanbul.",
    "Russia and Ukraine agreed a prisoner swap brokered by Turkey.",
    "Envoys reported progress on a grain corridor through the Black Sea.",
    "The United States signalled sanctions relief if the truce holds.",
    "Backchannel talks between Washington and Moscow advanced this week.",
    "Brent crude rose as traders weighed supply risks from the war.",
    "Defense contractors won new orders for artillery shells.",
    "Wheat futures fell as Ukrainian ports resumed exports.",
    "European gas prices climbed on pipeline worries.",
    "The football club won the cup final on penalties.",
    "A new film about a space mission topped the box office.",
    "Central bank officials kept interest rates unchanged.",
    "Analysts said markets were calm ahead of the holiday.",
    "Local elections drew a record turnout.",
)


def synthetic_articles(
    n_articles: int,
    *,
    seed: int | np.random.Generator | None = 0,
    start: str = "2022-01-03",
    end: str = "2024-12-31",
    sentences: int = 2,
    calendar: str = "XNYS",
    boundary_share: float = 0.02,
    offset: int = 0,
) -> pd.DataFrame:
    """Compose a SYNTHETIC article frame of any size (not news; for tests and benchmarks).

    Parameters
    ----------
    n_articles : int
        Number of articles.
    seed : int or numpy.random.Generator, optional
        Seed of ``numpy.random.default_rng``; the same seed gives the same frame.
    start, end : str
        ISO dates; publication times are uniform over the seconds between them.
    sentences : int, default 2
        Sentences per article, drawn from a fixed set of sentences about the war, the
        talks, the markets and unrelated topics.
    calendar : str, default "XNYS"
        Calendar whose closes ``boundary_share`` of the articles land on.
    boundary_share : float, default 0.02
        Share of articles published exactly at a session close or one second after it,
        which exercises the publication cutoff.
    offset : int, default 0
        First article number (ids are ``syn-<number>``), so that chunks can be made apart.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`georisk.articles.ARTICLE_COLUMNS`, ``published_at`` as
        ``datetime64[ns, UTC]``, rows in generation order (not sorted).
    """
    if n_articles < 0:
        raise ConfigError(f"n_articles={n_articles} must be >= 0")
    if sentences < 1:
        raise ConfigError(f"sentences={sentences} must be >= 1")
    if not 0.0 <= boundary_share <= 1.0:
        raise ConfigError(f"boundary_share={boundary_share} must be in [0, 1]")
    rng = np.random.default_rng(seed)
    lo = pd.Timestamp(start, tz="UTC")
    hi = pd.Timestamp(end, tz="UTC")
    if hi <= lo:
        raise ConfigError(f"end={end!r} must be after start={start!r}")
    span_ns = (hi - lo).value
    stamps_ns = lo.as_unit("ns").value + rng.integers(0, span_ns // 10**9, n_articles) * 10**9
    on_close = rng.random(n_articles) < boundary_share
    if on_close.any():
        closes = session_closes(calendar, start, end).to_numpy(dtype="datetime64[ns]").astype("int64")
        pick = closes[rng.integers(0, len(closes), int(on_close.sum()))]
        stamps_ns[on_close] = pick + rng.integers(0, 2, len(pick)) * 10**9  # at the close or 1 s after
    stamps = pd.DatetimeIndex(stamps_ns.astype("datetime64[ns]")).tz_localize("UTC")
    idx = rng.integers(0, len(_SENTENCES), (n_articles, sentences))
    texts = [" ".join(_SENTENCES[j] for j in row) for row in idx]
    return pd.DataFrame(
        {
            "id": [f"syn-{i}" for i in range(offset, offset + n_articles)],
            "published_at": stamps,
            "title": "",
            "text": texts,
            "source": "synthetic",
            "url": None,
        }
    ).astype({"id": "str", "title": "str", "text": "str", "source": "str", "url": "str"})


def write_synthetic_archive(
    folder: str | Path,
    n_articles: int,
    *,
    files: int = 8,
    format: Literal["parquet", "jsonl"] = "parquet",
    seed: int = 0,
    **kwargs: object,
) -> list[Path]:
    """Write a SYNTHETIC archive of ``files`` files, one chunk at a time (bounded memory).

    Parameters
    ----------
    folder : str or pathlib.Path
        Output folder, created if needed. Files are ``part-00000.parquet`` (or ``.jsonl``).
    n_articles : int
        Total number of articles, split as evenly as possible over the files.
    files : int, default 8
        Number of files (the partitions :func:`read_articles` will make).
    format : {"parquet", "jsonl"}, default "parquet"
        File format. JSON Lines timestamps are ISO 8601 with a UTC offset.
    seed : int, default 0
        Base seed; file ``k`` uses ``seed + k``, so the archive is reproducible.
    **kwargs
        Passed to :func:`synthetic_articles` (``start``, ``end``, ``sentences``, ...).

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    if files < 1:
        raise ConfigError(f"files={files} must be >= 1")
    if format not in ("parquet", "jsonl"):
        raise ConfigError(f"format={format!r} must be 'parquet' or 'jsonl'")
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    bounds = np.linspace(0, n_articles, files + 1).astype(int)
    written = []
    for k in range(files):
        n = int(bounds[k + 1] - bounds[k])
        chunk = synthetic_articles(n, seed=seed + k, offset=int(bounds[k]), **kwargs)  # type: ignore[arg-type]
        path = out / f"part-{k:05d}.{format}"
        if format == "parquet":
            chunk.to_parquet(path, index=False)
        else:
            with path.open("w", encoding="utf-8") as fh:
                for rec in chunk.drop(columns=["url"]).to_dict(orient="records"):
                    rec["published_at"] = rec["published_at"].isoformat()
                    fh.write(json.dumps(rec) + "\n")
        written.append(path)
    return written
