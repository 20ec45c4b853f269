"""check_lookahead: passes causal code, names the first differing column and date otherwise."""

from __future__ import annotations

import pandas as pd
import pytest

from georisk.errors import ConfigError, LookAheadError
from georisk.signals import daily_signal
from georisk.testing import check_lookahead, truncate_at
from tests.properties._data import SIGNAL_KW, make_scores, sessions_from

CLOSES = sessions_from("2024-03-01", 40)
SESSIONS = CLOSES.index


def _scores() -> pd.DataFrame:
    # 2024-03-11 is the first session after the US switch to daylight time.
    i = int(SESSIONS.get_loc(pd.Timestamp("2024-03-11")))
    return make_scores(CLOSES, [(i, 1, "America/New_York"), (i, -1, "Europe/Kyiv"), (i, 0, "UTC")], seed=11)


def _prices() -> pd.DataFrame:
    return pd.DataFrame({"x": range(len(SESSIONS))}, index=SESSIONS, dtype=float)


def test_causal_function_passes_and_counts_values() -> None:
    report = check_lookahead(lambda p: p.rolling(5).mean(), _prices(), cut_dates=SESSIONS[[10, 20]])
    assert report.ok
    assert report.n_compared == 11 + 21
    assert report.cut_dates == list(SESSIONS[[10, 20]])


def test_shifted_future_value_is_caught_with_column_and_date() -> None:
    cut = SESSIONS[10]
    with pytest.raises(LookAheadError, match=rf"cut {cut.date()}: column 'x' differs on {cut.date()}"):
        check_lookahead(lambda p: p.shift(-1), _prices(), cut_dates=[cut])


def test_full_sample_standardisation_is_caught_at_the_first_date() -> None:
    def leaky(p: pd.DataFrame) -> pd.DataFrame:
        return (p - p.mean()) / p.std()  # alphalens-style full-sample z-score

    with pytest.raises(LookAheadError, match=rf"column 'x' differs on {SESSIONS[0].date()}"):
        check_lookahead(leaky, _prices(), cut_dates=[SESSIONS[15]])


def test_signal_on_utc_calendar_days_is_caught_at_the_close() -> None:
    """A variant that buckets articles by UTC date counts 16:00:01 New York for the same day."""

    def by_utc_date(scores: pd.DataFrame) -> pd.DataFrame:
        day = scores["published_at"].dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
        counts = scores.groupby(day.to_numpy()).size().rename("n_articles")
        return counts.reindex(SESSIONS, fill_value=0).to_frame()

    scores = _scores()
    with pytest.raises(LookAheadError, match=r"column 'n_articles' differs on 2024-03-11"):
        check_lookahead(by_utc_date, scores, cut_dates=["2024-03-11"])
    # The library's signal assigns the same articles correctly.
    assert check_lookahead(lambda s: daily_signal(s, **SIGNAL_KW), scores, cut_dates=["2024-03-11"]).ok  # type: ignore[arg-type]


def test_a_cutoff_bug_in_session_assignment_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mutation check: move the cutoff one hour past the close and the property fails."""
    import georisk.signals._daily as signals
    from georisk.calendar import assign_sessions

    def late_cutoff(ts: pd.Series, calendar: str = "XNYS") -> pd.DatetimeIndex:
        return assign_sessions(pd.DatetimeIndex(ts) - pd.Timedelta(hours=1), calendar)

    monkeypatch.setattr(signals, "assign_sessions", late_cutoff)
    with pytest.raises(LookAheadError, match=r"column 'n_articles' differs on 2024-03-11"):
        check_lookahead(lambda s: daily_signal(s, **SIGNAL_KW), _scores(), cut_dates=["2024-03-11"])  # type: ignore[arg-type]


def test_report_mode_returns_failures_as_data() -> None:
    report = check_lookahead(lambda p: p.shift(-2), _prices(), cut_dates=SESSIONS[[5, 9]], raise_on_failure=False)
    assert not report.ok
    assert [f["cut"] for f in report.failures] == list(SESSIONS[[5, 9]])
    assert report.failures[0]["column"] == "x"
    assert report.failures[0]["date"] == SESSIONS[4]


def test_extra_rows_and_missing_columns_are_failures() -> None:
    def extra(p: pd.DataFrame) -> pd.DataFrame:
        return p if len(p) == len(SESSIONS) else p.assign(y=1.0)

    report = check_lookahead(extra, _prices(), cut_dates=[SESSIONS[5]], raise_on_failure=False)
    assert report.ok  # a column only the truncated run has is not compared

    def drops(p: pd.DataFrame) -> pd.DataFrame:
        return p if len(p) == len(SESSIONS) else p.drop(columns="x").assign(y=1.0)

    with pytest.raises(LookAheadError, match=r"column 'x' differs"):
        check_lookahead(drops, _prices(), cut_dates=[SESSIONS[5]])


def test_tolerances_and_series_outputs() -> None:
    def noisy(p: pd.DataFrame) -> pd.Series:
        return p["x"] * (1 + 1e-12 * (len(p) == len(SESSIONS)))

    with pytest.raises(LookAheadError):
        check_lookahead(noisy, _prices(), cut_dates=[SESSIONS[5]])
    assert check_lookahead(noisy, _prices(), cut_dates=[SESSIONS[5]], rtol=1e-9).ok


def test_truncate_at_uses_the_close_for_articles() -> None:
    scores = _scores()
    kept = truncate_at(scores, pd.Timestamp("2024-03-11"))
    close = CLOSES.loc["2024-03-11"]
    assert (kept["published_at"] <= close).all()
    assert (scores.loc[~scores.index.isin(kept.index), "published_at"] > close).all()
    assert (kept["published_at"] == close).any()  # an article exactly at the close is known


def test_bad_arguments_name_the_fix() -> None:
    with pytest.raises(ConfigError, match="cut_dates is empty"):
        check_lookahead(lambda p: p, _prices(), cut_dates=[])
    with pytest.raises(ConfigError, match="not a XNYS session"):
        check_lookahead(lambda p: p, _prices(), cut_dates=["2024-03-09"])
    with pytest.raises(ConfigError, match="one per input"):
        check_lookahead(lambda p: p, _prices(), cut_dates=[SESSIONS[3]], truncate=[None, None])
    with pytest.raises(ConfigError, match="must return a DataFrame or Series"):
        check_lookahead(lambda p: 1.0, _prices(), cut_dates=[SESSIONS[3]])
    with pytest.raises(ConfigError, match="cannot truncate an input of type list"):
        check_lookahead(lambda p: _prices(), [1, 2], cut_dates=[SESSIONS[3]])
