"""One thin test per stage of the chain, and the demo's recovery of the planted loadings."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import georisk
from georisk.errors import ConfigError, InputDataError


def test_articles_jsonl_and_naive_timestamp(tmp_path: Path):
    good = tmp_path / "a.jsonl"
    good.write_text(
        '{"published_at": "2024-03-01T14:30:00Z", "text": "Talks collapsed in Riyadh."}\n', encoding="utf-8"
    )
    df = georisk.load_articles(good)
    assert list(df.columns) == ["id", "published_at", "title", "text", "source", "url"]
    assert str(df["published_at"].dt.tz) == "UTC"
    bad = tmp_path / "b.jsonl"
    bad.write_text('{"published_at": "2024-03-01T14:30:00", "text": "x"}\n', encoding="utf-8")
    with pytest.raises(InputDataError, match=r"b\.jsonl, line 1, field 'published_at': .*naive"):
        georisk.load_articles(bad)
    ok = georisk.load_articles(bad, timezone="Europe/Kyiv")
    assert ok["published_at"].iloc[0] == pd.Timestamp("2024-03-01T12:30:00Z")


def test_scoring_negation_and_exclusion():
    from georisk.scoring import LexiconScorer

    texts = [
        "The Kremlin signalled no intention to pause fighting near Pokrovsk.",
        "Moscow refused a ceasefire.",
        "Envoys agreed to a prisoner swap in Istanbul.",
        "The supermarket price war deepened.",
    ]
    s = LexiconScorer().fit(texts).transform(texts)
    assert s.loc[0, "hawkish_tilt"] > s.loc[0, "peace_trade"]
    assert s.loc[1, "hawkish_tilt"] > s.loc[1, "peace_trade"]
    assert s.loc[2, "peace_trade"] > s.loc[2, "hawkish_tilt"]
    assert s.loc[3, "hawkish_tilt"] == 0.0
    assert s.loc[3, "relevance"] < 0.2
    assert ((s >= 0) & (s <= 1)).all().all()


def test_signal_cutoff_at_the_close():
    # 2024-03-01 is a Friday; New York closes at 16:00 EST = 21:00 UTC.
    stamps = ["2024-03-01T20:59:59Z", "2024-03-01T21:00:00Z", "2024-03-01T21:00:01Z", "2024-03-02T12:00:00Z"]
    scores = pd.DataFrame(
        {
            "published_at": pd.to_datetime(stamps, utc=True),
            **{c: 0.5 for c in ["relevance", "hawkish_tilt", "peace_trade", "hawkish_threat", "hawkish_act"]},
            **{c: 0.0 for c in ["energy", "defense", "grain", "sanctions"]},
        }
    )
    sig = georisk.daily_signal(scores, min_periods=2, zscore_window=10)
    assert sig.loc["2024-03-01", "n_articles"] == 2
    assert sig.loc["2024-03-04", "n_articles"] == 2
    assert list(sig.index) == [pd.Timestamp("2024-03-01"), pd.Timestamp("2024-03-04")]


def test_signal_warm_up_is_nan(sample_scores):
    sig = georisk.daily_signal(sample_scores, min_periods=60)
    assert sig["escalation_z"].iloc[:59].isna().all()
    assert sig["escalation_z"].iloc[60:].notna().mean() > 0.95
    assert (sig["n_articles"] >= 0).all()
    assert (sig["n_articles"] == 0).any()  # quiet sessions are explicit zeros


def test_premium_recovers_planted_loading_signs(pipeline_result, sample):
    # Given the generator's own latent state as the news state, the cumulative responses
    # carry the signs it planted (the article measure of the sample is a noisy proxy of it).
    from georisk.premium import risk_premium

    signal = pipeline_result.signal.assign(z=sample.latent.reindex(pipeline_result.signal.index, method="ffill"))
    prem = risk_premium(signal, sample.prices, sample.universe, state="z", transform="none")
    for sleeve in ("energy", "defense", "grain"):
        assert np.sign(sample.loadings[sleeve]) == np.sign(prem[f"{sleeve}_response"].iloc[-1]), sleeve
    t = prem["defense_response"].iloc[-1] / prem["defense_response_se"].iloc[-1]
    assert t > 2.0  # the sleeve with the best signal-to-noise ratio is clearly identified


def test_premium_decomposition_adds_up(pipeline_result):
    prem = pipeline_result.premium.dropna(subset=["grpi"])
    np.testing.assert_allclose(prem["grpi"], prem["grpi_hawkish"] + prem["grpi_peace"], atol=1e-12)


def test_backtest_costs_equal_turnover_times_rate(pipeline_result):
    prem = pipeline_result.premium
    free = georisk.backtest(prem, cost_bps=0, placebo_runs=0)
    paid = georisk.backtest(prem, cost_bps=7, slippage_bps=3, placebo_runs=0)
    diff = (free.returns - paid.returns).dropna()
    np.testing.assert_allclose(diff, (paid.turnover * 10 / 1e4).reindex(diff.index), atol=1e-15)
    assert paid.metrics["sharpe"] < free.metrics["sharpe"]


def test_backtest_rejects_bad_lag(pipeline_result):
    with pytest.raises(ConfigError, match="execution_lag=-1"):
        georisk.backtest(pipeline_result.premium, execution_lag=-1)


def test_export_is_idempotent_and_verified(tmp_path: Path, pipeline_result):
    from georisk.errors import CorruptExportError
    from georisk.export import export_frames, read_export

    r = pipeline_result
    session = r.signal.index[-1]
    a = export_frames(r.signal, r.premium, r.positions, session=session, out_dir=tmp_path).folder
    first = {p.name: p.read_bytes() for p in a.iterdir() if p.name != "manifest.json"}
    b = export_frames(r.signal, r.premium, r.positions, session=session, out_dir=tmp_path).folder
    assert {p.name: p.read_bytes() for p in b.iterdir() if p.name != "manifest.json"} == first
    assert len(read_export(b)) == 1
    (b / "signal.csv").write_text("garbage", encoding="utf-8")
    with pytest.raises(CorruptExportError, match=r"signal\.csv does not match"):
        export_frames(r.signal, r.premium, r.positions, session=session, out_dir=tmp_path)


def test_run_as_of_ignores_later_data(pipeline_result):
    from georisk.pipeline import run

    early = run(as_of="2024-06-28")
    cut = early.signal.index[-1]
    assert cut == pd.Timestamp("2024-06-28")
    full = pipeline_result.signal.loc[:cut]
    pd.testing.assert_frame_equal(early.signal, full)
    pd.testing.assert_frame_equal(early.premium, pipeline_result.premium.loc[:cut])


def test_premium_names_a_missing_ticker(pipeline_result):
    from georisk.config import default_universe
    from georisk.errors import MissingDataError

    prices = pipeline_result.prices.drop(columns=["RHM.DE"])
    with pytest.raises(MissingDataError, match=r"prices has no column for \['RHM.DE'\]"):
        georisk.risk_premium(pipeline_result.signal, prices, default_universe())


def test_not_a_session_message_names_the_flag():
    from georisk.calendar import to_session
    from georisk.errors import NotASessionError

    with pytest.raises(NotASessionError, match="--previous-session"):
        to_session("2024-12-25")
