"""The real-data validation scripts of benchmarks/ run end to end on stand-in files of the same layout."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from tests.standin import write_shared

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_shared(tmp_path_factory.mktemp("shared") / "data")


@pytest.fixture(scope="module")
def scripts() -> object:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import validate_news
        import validate_premium

        yield validate_premium, validate_news
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.mark.slow
def test_validate_premium_runs_and_prints_every_table(standin: Path, scripts: tuple) -> None:  # type: ignore[type-arg]
    validate_premium, _ = scripts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = validate_premium.run(standin, seeds=2, gpr_start=None)
    text = validate_premium.report(out)
    for part in ("(a) oil premium", "(b) sleeve premia", "(c) placebo", "(d) article and GPR", "(e) shocks by"):
        assert part in text
    diag = out["shock_diagnostics"]["articles"]
    assert {"mse", "autocorr_sum", "ljung_box_p"} <= set(diag.columns) and 20 in diag.index
    assert set(out["march_by_order"]) == {5, 10, 15, 20, 30}
    oil = out["oil_articles"]
    assert list(oil.columns) == ["oil_premium_usd", "oil_premium_usd_lo", "oil_premium_usd_hi", "car_usd"]
    assert len(oil) == 12
    # the planted escalation of February 2022 lifts the oil premium in March on the stand-in files
    assert oil.loc["2022-03", "oil_premium_usd"] > 0
    assert len(out["placebo_shuffle"]) == 2
    assert {"event", "sleeve", "expected", "change_bp", "as_expected"} <= set(out["events_articles"].columns)


@pytest.mark.slow
def test_validate_news_runs(standin: Path, scripts: tuple, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[type-arg]
    _, validate_news = scripts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert validate_news.main(["--shared", str(standin)]) == 0
        text = capsys.readouterr().out
        assert "correlation with GPRD" in text
        assert "event table" in text
        # the stand-in attention follows the planted war, as the GPR does
        sigs, _ = validate_news.signals_by_corpus(standin)
    combined = next(iter(sigs.values()))
    assert combined.loc["2022-03", "attention"].mean() > 2 * combined.loc["2021", "attention"].mean()


def test_scripts_refuse_a_missing_folder(tmp_path: Path, scripts: tuple) -> None:  # type: ignore[type-arg]
    validate_premium, validate_news = scripts
    assert validate_premium.main(["--shared", str(tmp_path / "nope")]) == 2
    assert validate_news.main(["--shared", str(tmp_path / "nope")]) == 2
    assert pd.Timestamp("2022-02-24") in pd.DatetimeIndex([pd.Timestamp(d) for d, _, _ in validate_premium.EVENTS])


def test_null_coverage_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import premium_null_coverage
    finally:
        sys.path.remove(str(BENCHMARKS))
    assert premium_null_coverage.main(["--lengths", "300", "--runs", "2"]) == 0
    text = capsys.readouterr().out
    assert "300 sessions: mean" in text
    shares = premium_null_coverage.coverage(premium_null_coverage.load_sample().universe, 300, 2)
    assert shares.shape == (2,) and ((shares >= 0) & (shares <= 1)).all()
