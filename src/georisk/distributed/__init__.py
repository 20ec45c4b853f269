"""Scale-out on Dask: score and aggregate an article archive too large for one machine.

The same computation as the pandas path, run on Dask's distributed engine:

- :func:`read_articles` reads a partitioned archive (Parquet or JSON Lines, by glob,
  local or any fsspec URL) into a Dask DataFrame, one partition per file, validating
  each file with :func:`georisk.load_articles`; nothing is loaded into one process.
- :func:`score_articles` maps the scorer over the partitions with declared output
  metadata.
- :func:`daily_signal` sums relevance-weighted scores per session within each
  partition, adds the partial sums up (addition is associative, so the order of the
  tree reduction does not matter beyond rounding), and finishes the small per-session
  frame (smoothing, standardisation) exactly as :func:`georisk.signals.daily_signal`.

The computation runs on whatever Dask scheduler is active: a ``distributed.Client``
connected to a cluster (``Client("tcp://scheduler:8786")``, or ``Client()`` with the
``DASK_SCHEDULER_ADDRESS`` environment variable or Dask's configuration naming one), a
``LocalCluster``, or Dask's local threads when no client exists. Every function also
accepts a pandas DataFrame and then runs the pandas path.

This subpackage needs the ``dask`` extra: ``pip install "georisk[dask]"``.
"""

from __future__ import annotations

from georisk.errors import OptionalDependencyError

try:
    # Imported here only to fail early, with the command that installs the extra.
    import dask.dataframe  # noqa: F401
    import distributed  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise OptionalDependencyError(
        f"georisk.distributed needs Dask ({exc.name} is not installed); install the extra with "
        'pip install "georisk[dask]"'
    ) from exc

from georisk.distributed._aggregate import SUM_COLUMNS, daily_signal, session_sums
from georisk.distributed._archive import ARTICLE_DTYPES, read_articles
from georisk.distributed._score import SCORE_DTYPES, score_articles
from georisk.distributed._synthetic import synthetic_articles, write_synthetic_archive

__all__ = [
    "ARTICLE_DTYPES",
    "SCORE_DTYPES",
    "SUM_COLUMNS",
    "daily_signal",
    "read_articles",
    "score_articles",
    "session_sums",
    "synthetic_articles",
    "write_synthetic_archive",
]
