"""georisk.distributed: the Dask path equals the pandas path; archives are read lazily."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

import georisk  # noqa: E402
from georisk import signals  # noqa: E402
from georisk.distributed import (  # noqa: E402
    ARTICLE_DTYPES,
    SUM_COLUMNS,
    daily_signal,
    read_articles,
    score_articles,
    session_sums,
    synthetic_articles,
    write_synthetic_archive,
)
from georisk.errors import ConfigError, InputDataError, OptionalDependencyError  # noqa: E402
from georisk.scoring import LexiconScorer  # noqa: E402

TOL = 1e-12


def assert_same_signal(got: pd.DataFrame, want: pd.DataFrame, tol: float = TOL) -> None:
    """Same index, columns and dtypes; equal values to ``tol`` (NaN where the other is NaN)."""
    assert list(got.columns) == list(want.columns)
    assert got.index.equals(want.index)
    assert got.index.name == want.index.name == "session"
    assert (got.dtypes == want.dtypes).all()
    pd.testing.assert_frame_equal(got[["n_articles", "n_relevant"]], want[["n_articles", "n_relevant"]])
    a = got.drop(columns=["n_articles", "n_relevant"]).to_numpy(dtype=float)
    b = want.drop(columns=["n_articles", "n_relevant"]).to_numpy(dtype=float)
    assert np.array_equal(np.isnan(a), np.isnan(b))
    both = ~np.isnan(a)
    assert np.max(np.abs(a[both] - b[both]), initial=0.0) <= tol


@pytest.fixture(scope="module")
def scorer() -> LexiconScorer:
    return LexiconScorer().fit()


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    return synthetic_articles(6000, seed=7, start="2023-01-02", end="2024-06-28", boundary_share=0.1)


@pytest.fixture(scope="module")
def corpus_scores(corpus: pd.DataFrame, scorer: LexiconScorer) -> pd.DataFrame:
    return georisk.score_articles(corpus, scorer, evidence=False)


@pytest.fixture
def sync_scheduler():  # type: ignore[no-untyped-def]
    with dask.config.set(scheduler="sync"):
        yield


# -- import weight and the optional extra ------------------------------------------------


def test_import_georisk_does_not_import_dask() -> None:
    code = "import sys, georisk; georisk.daily_signal; assert not any(m.split('.')[0] in ('dask', 'distributed') for m in sys.modules), sorted(m for m in sys.modules if 'dask' in m)"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_extra_names_the_install_command() -> None:
    code = (
        "import sys; sys.modules['dask'] = None; sys.modules['dask.dataframe'] = None\n"
        "from georisk.errors import OptionalDependencyError\n"
        "try:\n    import georisk.distributed\nexcept OptionalDependencyError as exc:\n    print(exc)\n"
        "else:\n    raise SystemExit('no error')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert 'pip install "georisk[dask]"' in out
    assert issubclass(OptionalDependencyError, ImportError)


# -- the finishing step is the pandas daily_signal --------------------------------------


def test_the_finishing_step_is_the_pandas_one() -> None:
    import georisk.distributed

    assert session_sums is signals.session_sums
    assert not hasattr(georisk.distributed, "finish_signal")  # the alias is gone: one name


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"half_life": 2.5, "zscore_window": None, "min_periods": 10},
        {"zscore_window": 40, "min_periods": 20, "relevance_threshold": 0.5},
        {"start": "2023-03-01", "end": "2023-12-29"},
        {"start": "2022-12-01"},
        {"attention_base": ("2023-01-02", "2023-06-30"), "min_periods": 5},
    ],
)
def test_sums_then_finish_equals_daily_signal(corpus_scores: pd.DataFrame, kwargs: dict) -> None:
    want = signals.daily_signal(corpus_scores, **kwargs)
    threshold = kwargs.pop("relevance_threshold", 0.2)
    sums = session_sums(corpus_scores, relevance_threshold=threshold).set_index("session")
    got = signals.signal_from_sums(sums, **kwargs)
    assert_same_signal(got, want)


def test_sums_then_finish_on_the_bundled_sample(sample_scores: pd.DataFrame) -> None:
    want = signals.daily_signal(sample_scores)
    got = signals.signal_from_sums(session_sums(sample_scores).set_index("session"))
    assert_same_signal(got, want)


def test_session_sums_are_associative(corpus_scores: pd.DataFrame) -> None:
    rng = np.random.default_rng(3)
    whole = session_sums(corpus_scores).set_index(["session", "source"])
    cuts = np.sort(rng.choice(np.arange(1, len(corpus_scores)), size=9, replace=False))
    shuffled = corpus_scores.sample(frac=1.0, random_state=4)
    bounds = [0, *cuts.tolist(), len(shuffled)]
    parts = [session_sums(shuffled.iloc[i:j]) for i, j in itertools.pairwise(bounds)]
    added = pd.concat(parts).groupby(["session", "source"]).sum()
    assert list(added.columns) == SUM_COLUMNS
    assert added.index.equals(whole.index)
    np.testing.assert_allclose(added.to_numpy(), whole.to_numpy(), rtol=0, atol=1e-9)
    assert (added[["one", "relevant"]] == whole[["one", "relevant"]]).all().all()


def test_publication_cutoff_at_the_close(scorer: LexiconScorer, sync_scheduler: None) -> None:
    # 2024-03-15 (Friday) closes 20:00 UTC: at the close counts that day, one second later Monday.
    text = "Russia launched a missile strike on Kyiv overnight."
    arts = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "published_at": pd.to_datetime(
                ["2024-03-15T20:00:00Z", "2024-03-15T20:00:01Z", "2024-03-18T13:00:00Z"], utc=True
            ).as_unit("ns"),
            "title": "",
            "text": text,
        }
    )
    sig = daily_signal(score_articles(dd.from_pandas(arts, npartitions=2), scorer), min_periods=2, zscore_window=2)
    assert sig["n_articles"].to_dict() == {pd.Timestamp("2024-03-15"): 1, pd.Timestamp("2024-03-18"): 2}


# -- the Dask path without a cluster -----------------------------------------------------


def test_dask_scores_equal_pandas_scores(corpus: pd.DataFrame, scorer: LexiconScorer, sync_scheduler: None) -> None:
    want = georisk.score_articles(corpus, scorer, evidence=True)
    lazy = score_articles(dd.from_pandas(corpus, npartitions=5), scorer, evidence=True)
    got = lazy.compute()
    assert list(got.columns) == list(lazy.columns) == list(want.columns)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert got["published_at"].dtype == "datetime64[ns, UTC]"


def test_dask_signal_equals_pandas_signal(
    corpus: pd.DataFrame, corpus_scores: pd.DataFrame, scorer: LexiconScorer, sync_scheduler: None
) -> None:
    articles = dd.from_pandas(corpus, npartitions=7)
    got = daily_signal(score_articles(articles, scorer), half_life=3, min_periods=20, split_every=2)
    assert_same_signal(got, signals.daily_signal(corpus_scores, half_life=3, min_periods=20))


def test_empty_partitions_are_harmless(corpus: pd.DataFrame, scorer: LexiconScorer, sync_scheduler: None) -> None:
    parts = [corpus.iloc[:0], corpus.iloc[:3000], corpus.iloc[:0], corpus.iloc[3000:]]
    articles = dd.from_map(lambda p: p, parts, meta=corpus.iloc[:0])
    got = daily_signal(score_articles(articles, scorer))
    assert_same_signal(got, signals.daily_signal(georisk.score_articles(corpus, scorer, evidence=False)))


def test_pandas_input_runs_the_pandas_path(corpus: pd.DataFrame, corpus_scores: pd.DataFrame, scorer) -> None:  # type: ignore[no-untyped-def]
    pd.testing.assert_frame_equal(
        score_articles(corpus.head(50), scorer, evidence=False), corpus_scores.head(50), check_dtype=False
    )
    pd.testing.assert_frame_equal(daily_signal(corpus_scores), signals.daily_signal(corpus_scores))


def test_errors_name_the_problem(corpus_scores: pd.DataFrame, scorer: LexiconScorer) -> None:
    lazy = dd.from_pandas(corpus_scores, npartitions=2)
    with pytest.raises(ConfigError, match=r"half_life=0 must be > 0"):
        daily_signal(lazy, half_life=0)
    with pytest.raises(ConfigError, match=r"lacks column\(s\) \['relevance'\]"):
        daily_signal(lazy.drop(columns=["relevance"]))
    with pytest.raises(ConfigError, match=r"pass a pandas or Dask DataFrame"):
        daily_signal([1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"articles has no 'text' column"):
        score_articles(dd.from_pandas(corpus_scores, npartitions=2), scorer)
    broken = corpus_scores.copy()
    broken.loc[5, "relevance"] = np.nan
    with pytest.raises(ConfigError, match=r"scores\['relevance'\] is NaN at row .* \(article 'syn-"):
        session_sums(broken)

    class NeedsLabels:
        def fit(self, X, y):  # type: ignore[no-untyped-def]
            return self

    with pytest.raises(ConfigError, match=r"cannot be fitted without labels"):
        score_articles(dd.from_pandas(corpus_scores.assign(text="x"), npartitions=1), NeedsLabels())


# -- reading a partitioned archive -------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_read_archive_by_glob(tmp_path: Path, fmt: str, scorer: LexiconScorer, sync_scheduler: None) -> None:
    files = write_synthetic_archive(tmp_path, 1200, files=3, format=fmt, seed=5, end="2022-06-30")  # type: ignore[arg-type]
    lazy = read_articles(str(tmp_path / f"*.{fmt}"))
    assert lazy.npartitions == 3
    assert dict(lazy.dtypes.astype(str)) == {c: str(t) for c, t in lazy._meta.dtypes.items()}
    assert list(lazy.columns) == list(ARTICLE_DTYPES)
    got = lazy.compute()
    # Each file is validated and de-duplicated by load_articles on its own.
    want = pd.concat(
        georisk.load_articles(synthetic_articles(400, seed=5 + k, offset=400 * k, end="2022-06-30")) for k in range(3)
    )
    assert 1000 < len(got) == len(want) <= 1200
    assert set(got["id"]) == set(want["id"])
    key = ["published_at", "id"]
    pd.testing.assert_frame_equal(
        got.sort_values(key).reset_index(drop=True)[["id", "published_at", "text"]],
        want.sort_values(key).reset_index(drop=True)[["id", "published_at", "text"]],
        check_dtype=False,
    )
    sig = daily_signal(score_articles(read_articles([str(f) for f in files]), scorer))
    assert_same_signal(sig, signals.daily_signal(georisk.score_articles(want, scorer, evidence=False)))


def test_load_options_reach_load_articles(tmp_path: Path, sync_scheduler: None) -> None:
    write_synthetic_archive(tmp_path, 400, files=2, format="jsonl", seed=3)
    assert len(read_articles(tmp_path / "*.jsonl", load_options={"near_duplicates": None}).compute()) == 400
    with pytest.raises(ConfigError, match=r"load_options cannot set \['lenient'\]"):
        read_articles(tmp_path / "*.jsonl", load_options={"lenient": True})


def test_read_remote_jsonl_through_fsspec(sync_scheduler: None) -> None:
    # fsspec's in-memory filesystem stands in for object storage (s3://, gs://, ...).
    import fsspec

    fs = fsspec.filesystem("memory")
    good = {"published_at": "2024-03-01T14:30:00Z", "text": "Talks collapsed.", "id": "g"}
    bad = {"published_at": "2024-03-01", "text": "Talks resumed.", "id": "b"}
    fs.pipe("/georisk-test/ok/day1.jsonl", (json.dumps(good) + "\n").encode())
    fs.pipe("/georisk-test/bad/day2.jsonl", "\n".join(json.dumps(r) for r in (good, bad)).encode())
    try:
        got = read_articles("memory://georisk-test/ok/*.jsonl").compute()
        assert got["id"].tolist() == ["g"]
        with pytest.raises(
            InputDataError, match=r"^memory:///?georisk-test/bad/day2\.jsonl, line 2, field 'published_at'"
        ):
            read_articles("memory://georisk-test/bad/*.jsonl").compute()
    finally:
        fs.rm("/georisk-test", recursive=True)


def test_read_parquet_without_validation(tmp_path: Path, sync_scheduler: None) -> None:
    write_synthetic_archive(tmp_path, 300, files=2, format="parquet", seed=1)
    got = read_articles(tmp_path / "*.parquet", validate=False).compute()
    assert len(got) == 300
    assert str(got["published_at"].dtype) == "datetime64[ns, UTC]"
    pd.DataFrame({"id": ["x"], "text": ["t"], "published_at": ["2024-01-02"]}).to_parquet(tmp_path / "bad.parquet")
    with pytest.raises(InputDataError, match=r"bad\.parquet, field 'published_at': published_at is not a timezone"):
        read_articles(tmp_path / "bad.parquet", validate=False).compute()


def test_read_errors_name_file_and_line(tmp_path: Path, sync_scheduler: None) -> None:
    with pytest.raises(InputDataError, match=r"no file matches"):
        read_articles(tmp_path / "*.jsonl")
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"cannot tell the format"):
        read_articles(tmp_path / "a.txt")
    good = {"published_at": "2024-03-01T14:30:00Z", "text": "Talks collapsed."}
    bad = {"published_at": "2024-03-01T14:30:00", "text": "Talks resumed."}
    (tmp_path / "day1.jsonl").write_text(json.dumps(good) + "\n", encoding="utf-8")
    (tmp_path / "day2.jsonl").write_text("\n".join(json.dumps(r) for r in (good, bad)) + "\n", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"day2\.jsonl, line 2, field 'published_at': timestamp .* is naive"):
        read_articles(tmp_path / "day*.jsonl").compute()
    assert len(read_articles(tmp_path / "day*.jsonl", timezone="UTC").compute()) == 3
    pd.DataFrame([good, {"published_at": "2024-03-01T14:30:00Z", "text": " "}]).to_parquet(tmp_path / "p.parquet")
    with pytest.raises(InputDataError, match=r"p\.parquet, line 2, field 'text'"):
        read_articles(tmp_path / "p.parquet").compute()
    with pytest.raises(ConfigError, match=r"format='csv' must be"):
        read_articles(tmp_path / "p.parquet", format="csv")  # type: ignore[arg-type]


def test_synthetic_articles_are_reproducible() -> None:
    a = synthetic_articles(500, seed=11)
    pd.testing.assert_frame_equal(a, synthetic_articles(500, seed=11))
    assert not a.equals(synthetic_articles(500, seed=12))
    assert a["id"].is_unique
    with pytest.raises(ConfigError, match=r"sentences=0 must be >= 1"):
        synthetic_articles(5, sentences=0)


# -- the acceptance test: 200,000 articles on a LocalCluster with 2 workers --------------


@pytest.mark.slow
def test_local_cluster_two_workers_equals_pandas_on_200k_articles(scorer: LexiconScorer) -> None:
    from distributed import Client, LocalCluster, get_task_stream

    n, parts = 200_000, 16
    chunk = {"start": "2022-01-03", "end": "2025-06-30", "sentences": 1}
    bounds = np.linspace(0, n, parts + 1).astype(int)
    specs = [(int(lo), int(hi - lo)) for lo, hi in itertools.pairwise(bounds)]

    def make(spec: tuple[int, int]) -> pd.DataFrame:
        # Each partition is generated where it is scored: the data never travels in the graph.
        return synthetic_articles(spec[1], seed=2026 + spec[0], offset=spec[0], **chunk)  # type: ignore[arg-type]

    articles = pd.concat([make(spec) for spec in specs], ignore_index=True)
    want = signals.daily_signal(georisk.score_articles(articles, scorer, evidence=False))
    # dashboard_address=":0": the scheduler's HTTP server takes a free port. With None it still
    # binds 8787 and warns (an error here) when another cluster on the machine holds that port.
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        assert len(client.scheduler_info()["workers"]) == 2
        with get_task_stream(client) as stream:
            lazy = dd.from_map(make, specs, meta=articles.iloc[:0])
            got = daily_signal(score_articles(lazy, scorer))
        used = {task["worker"] for task in stream.data}
    assert len(used) == 2, f"tasks ran on {used}, expected both workers"
    assert int(got["n_articles"].sum()) == n
    assert_same_signal(got, want)


@pytest.mark.slow
def test_worker_processes_read_score_and_aggregate_an_archive(tmp_path: Path, scorer: LexiconScorer) -> None:
    # Separate worker processes, as on a real cluster: the file reader, the scattered scorer
    # and the per-partition sums must all travel by pickle; only paths go into the graph.
    # (One format: the reader object that travels is the same for Parquet.)
    from distributed import Client, LocalCluster

    fmt = "jsonl"
    files = write_synthetic_archive(tmp_path, 3000, files=4, format=fmt, seed=9, end="2023-12-29")
    want_articles = pd.concat(georisk.load_articles(Path(f)) for f in files)
    want = signals.daily_signal(georisk.score_articles(want_articles, scorer, evidence=False))
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        got = daily_signal(score_articles(read_articles(str(tmp_path / f"*.{fmt}")), scorer))
        pids = set(client.run(lambda: __import__("os").getpid()).values())
    assert len(pids) == 2 and __import__("os").getpid() not in pids
    assert int(got["n_articles"].sum()) == len(want_articles)
    assert_same_signal(got, want)
