"""The daily briefing: one session's news state, premia and the articles behind the move.

:func:`georisk.briefing` (in :mod:`georisk.pipeline`) writes ``briefing-YYYY-MM-DD.html``
and ``briefing-YYYY-MM-DD.md`` for one session. Both say the same thing:

- the news state (attention, hawkish and peace intensity, escalation intensity and the
  state's shock) and its change from the previous session;
- the premium of each sleeve (bp) and the oil premium (USD/bbl), each with its band and
  the previous session's value;
- whether today's change of the premium indicator GRPI is within noise;
- the articles that moved the state most that session, grouped hawkish and peace, with
  their title, source, time, scores, evidence phrases and link.

The HTML page references no external file, script, font or style; links to the articles
are plain anchors the reader may follow. Pages built from the bundled sample say
SYNTHETIC on their face.
"""

from __future__ import annotations

import html
import logging
import math
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from georisk._validation import renamed_keyword
from georisk.config import data_label
from georisk.errors import ConfigError, MissingDataError

if TYPE_CHECKING:
    import pandas as pd

    from georisk.config import GeoriskConfig

__all__ = [
    "NOISE_Z",
    "BriefingArticle",
    "BriefingData",
    "BriefingFiles",
    "briefing_data",
    "briefing_html",
    "briefing_markdown",
    "data_label",
    "export_briefing_data",
    "prepare_briefings",
    "write_briefing",
]

log = logging.getLogger(__name__)

#: Multiple of ``grpi_se`` below which a change of GRPI is called noise (two-sided 90%).
NOISE_Z = 1.645

#: Smallest |net push| (relevance x (hawkish tilt - peace)) of an article the briefing lists: a
#: quarter of the scale. On the real headlines of 2022 the articles between 0.10 and 0.25 were
#: model-only readings of unrelated or balanced stories ("Russia trying to recruit Syrians",
#: peace 0.15), those above it named their events.
MIN_PUSH = 0.25

#: News-state rows of the briefing: (label, frame, column).
_STATE_ROWS: tuple[tuple[str, str, str], ...] = (
    ("attention", "signal", "attention"),
    ("hawkish intensity", "signal", "hawkish_intensity"),
    ("peace intensity", "signal", "peace_intensity"),
    ("escalation intensity (hawkish - peace)", "signal", "escalation_intensity"),
    ("escalation shock (unexpected change of the state)", "premium", "shock"),
)


class _Stages(Protocol):
    """What the briefing reads from a run: a PipelineResult or the export's stages."""

    articles: pd.DataFrame
    scores: pd.DataFrame
    signal: pd.DataFrame
    premium: pd.DataFrame


@dataclass(frozen=True)
class BriefingArticle:
    """One article of the session, as the briefing lists it.

    Attributes
    ----------
    title, source, url : str
        As loaded (``url`` empty when the feed has none).
    published_at : pandas.Timestamp
        Publication time (UTC).
    relevance, hawkish_tilt, peace_trade : float
        Scores of :func:`georisk.score_articles`.
    push : float
        Net push ``relevance * (hawkish_tilt - peace_trade)``: the article's term in the
        session's sum of relevance-weighted net escalation that the news state is built
        from. Positive in the hawkish group, negative in the peace group; the ranking key
        is its absolute value.
    evidence : tuple of str
        Phrases the configured scorer's ``explain`` names, as ``kind: phrase``.
    """

    title: str
    source: str
    url: str
    published_at: pd.Timestamp
    relevance: float
    hawkish_tilt: float
    peace_trade: float
    push: float
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class BriefingData:
    """Everything one briefing shows, before rendering.

    Attributes
    ----------
    session, previous : pandas.Timestamp
        The session briefed and the one before it (None for the first session).
    state : list of (str, float, float)
        News-state rows: label, value at ``session``, value at ``previous``.
    premia : list of (str, str, float, float, float, float)
        Premium rows: label, unit, value, band low, band high, previous value.
    grpi_change, grpi_se : float
        :math:`\\Delta` GRPI from the previous session and its standard error at
        ``session`` (both in return units; NaN when unknown).
    within_noise : bool or None
        ``|grpi_change| < NOISE_Z * grpi_se``; None when either is unknown.
    band : float
        Coverage of the premium bands (0.90 by default).
    hawkish, peace : list of BriefingArticle
        The session's articles that pushed the state most each way.
    n_articles : int
        Articles assigned to the session.
    label : str or None
        :func:`data_label` of the run's configuration.
    n_below_floor : int
        Articles of the session whose |net push| is below :data:`MIN_PUSH` (not listed).
    evidence_note : str or None
        Why the listed articles show no evidence phrases, when they show none.
    min_push : float
        The floor used (:data:`MIN_PUSH`).
    """

    session: pd.Timestamp
    previous: pd.Timestamp | None
    state: list[tuple[str, float, float]]
    premia: list[tuple[str, str, float, float, float, float]]
    grpi_change: float
    grpi_se: float
    within_noise: bool | None
    band: float
    hawkish: list[BriefingArticle] = field(default_factory=list)
    peace: list[BriefingArticle] = field(default_factory=list)
    n_articles: int = 0
    label: str | None = None
    n_below_floor: int = 0
    evidence_note: str | None = None
    min_push: float = MIN_PUSH


@dataclass(frozen=True)
class BriefingFiles:
    """The files :func:`briefing` wrote.

    Attributes
    ----------
    html, markdown : pathlib.Path
        ``briefing-YYYY-MM-DD.html`` and ``.md``.
    data : BriefingData
        What they show.
    """

    html: Path
    markdown: Path
    data: BriefingData


# --------------------------------------------------------------------------- data
def _value(frame: pd.DataFrame, row: pd.Timestamp | None, column: str) -> float:
    if row is None or column not in frame.columns or row not in frame.index:
        return math.nan
    try:
        i, j = frame.index.get_loc(row), frame.columns.get_loc(column)
        # one cell by position (what ``.loc`` gives for a unique label, without its overhead)
        value: Any = frame.iat[i, j] if isinstance(i, int) and isinstance(j, int) else frame.loc[row, column]  # noqa: PD009
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _evidence(text: object) -> tuple[str, ...]:
    """Parse an ``explain`` string (``kind:phrase=weight; ...``) into ``kind: phrase``, dropping zero weights.

    Model probabilities (``model:...``) and the language model's tag (``llm:...``) are
    not phrases and are left out; a quoted passage (``"..."``) is kept as ``quote: ...``.
    """
    if not isinstance(text, str) or not text:
        return ()
    out: list[str] = []
    for item in text.split(";"):
        item = item.strip()
        if not item or item.startswith(("model:", "missed:", "llm:")):  # not phrases of the article
            continue
        if item.startswith('"'):
            entry = f"quote: {item.strip(chr(34))}"
            if entry not in out:
                out.append(entry)
            continue
        body, _, weight = item.rpartition("=")
        if not body:
            body, weight = item, "1"
        try:
            if float(weight) == 0.0:
                continue
        except ValueError:
            pass
        kind, _, phrase = body.partition(":")
        entry = f"{kind}: {phrase}" if phrase else kind
        if entry not in out:
            out.append(entry)
    return tuple(out)


def _headline(title: object, text: object, ident: object) -> str:
    """The article's title; the start of its text when it has none; its id as a last resort."""
    for value in (title, text):
        if isinstance(value, str) and value.strip():
            value = " ".join(value.split())
            return value if len(value) <= 140 else value[:139].rstrip() + "\u2026"
    return str(ident)


@dataclass(frozen=True)
class _Lookup:
    """Per-run lookups built once and reused for every session briefed from the same frames."""

    scores: weakref.ref[pd.DataFrame]
    articles: weakref.ref[pd.DataFrame]
    times: Any  # numpy int64 ns, sorted
    order: Any  # numpy positions into scores, in the order of ``times``
    ids: pd.Index  # article ids, first occurrence; positions into ``articles``
    rows: Any  # numpy positions into articles of ``ids``
    push: Any  # numpy float64 net push of every row of ``scores`` (relevance x (hawkish - peace))
    stamps: Any  # numpy int64 ns publication time (UTC) of every row of ``scores``
    articles_meta: list[Any] = field(default_factory=list, compare=False)  # filled on first use
    score_columns: dict[str, Any] = field(default_factory=dict, compare=False)  # filled on first use
    id_rows: list[dict[str, int]] = field(default_factory=list, compare=False)  # filled on first use

    def column(self, name: str, *, as_object: bool = False) -> Any:
        """Column ``name`` of ``scores`` as an array (``astype(object)`` first when ``as_object``), made once.

        Taking the listed rows from it gives the values ``scores.iloc[rows][name]`` holds,
        without copying the frame's other columns every session.
        """
        key = f"{name}\0{as_object}"
        got = self.score_columns.get(key)
        if got is None:
            frame = self.scores()
            assert frame is not None
            col = frame[name]
            got = col.astype(object).to_numpy() if as_object else col.to_numpy()
            self.score_columns[key] = got
        return got

    def positions(self, ids: list[Any]) -> Any:
        """Positions in ``ids`` (:attr:`ids`) of the given article ids, -1 when absent (``get_indexer``)."""
        import numpy as np
        import pandas as pd

        if not all(type(i) is str for i in ids):
            return self.ids.get_indexer(pd.Index(ids, dtype=object))
        if not self.id_rows:  # the ids are unique (first occurrences): a dict gives the same positions
            self.id_rows.append({v: k for k, v in enumerate(self.ids.tolist()) if type(v) is str})
        rows = self.id_rows[0]
        return np.array([rows.get(i, -1) for i in ids], dtype=np.intp)

    def meta(self) -> Any:
        """``title``, ``text``, ``url``, ``source`` (those present) of every article as one object array."""
        if not self.articles_meta:
            frame = self.articles()
            assert frame is not None
            cols = [c for c in ("title", "text", "url", "source") if c in frame.columns]
            self.articles_meta.append(frame[cols].astype(object).to_numpy())
        return self.articles_meta[0]


_LOOKUP: list[_Lookup] = []  # one entry: the frames of the last run briefed


def _lookup(scores: pd.DataFrame, articles: pd.DataFrame) -> _Lookup:
    """Sorted publication times of ``scores`` and an id index of ``articles``, cached per pair of frames.

    Building them costs :math:`O(N \\log N)` once per run; each session's briefing then
    finds its articles by binary search, so briefing every session of a backfill does
    not rescan the whole history each time.
    """
    import numpy as np
    import pandas as pd

    if _LOOKUP:
        hit = _LOOKUP[0]
        if hit.scores() is scores and hit.articles() is articles:
            return hit
    utc = pd.DatetimeIndex(pd.to_datetime(scores["published_at"], utc=True)).as_unit("ns")
    values = utc.asi8
    order = np.argsort(values, kind="stable")
    first = ~articles["id"].duplicated().to_numpy() if "id" in articles.columns else np.zeros(0, dtype=bool)
    ids = pd.Index(articles["id"].to_numpy()[first]) if len(first) else pd.Index([])
    rows = np.flatnonzero(first)
    made = _Lookup(
        weakref.ref(scores), weakref.ref(articles), values[order], order, ids, rows, _net_push(scores), values
    )
    _LOOKUP[:] = [made]
    return made


def _net_push(scores: pd.DataFrame) -> Any:
    """Net push of every row: relevance x (hawkish tilt - peace), non-numbers read as 0."""
    import pandas as pd

    rel = pd.to_numeric(scores["relevance"], errors="coerce").fillna(0.0)
    hawk = pd.to_numeric(scores["hawkish_tilt"], errors="coerce").fillna(0.0)
    peace = pd.to_numeric(scores["peace_trade"], errors="coerce").fillna(0.0)
    return (rel * (hawk - peace)).to_numpy(dtype="float64")


#: Closes (UTC) of one calendar over a span, fetched once: ``(calendar, sessions, closes)``.
_CLOSES: list[tuple[str, pd.DatetimeIndex, pd.Series]] = []


def _window(session: pd.Timestamp, calendar: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The previous session's close and this session's close (UTC): the session's news arrives between.

    The closes of the calendar are fetched once over a span (a year either side of the
    first session asked for, widened when a later one falls outside it), so that briefing
    every session of a backfill costs a binary search each.
    """
    import pandas as pd

    from georisk.calendar import session_closes

    lo = session - pd.Timedelta(days=20)
    got = _CLOSES[0] if _CLOSES else None
    if got is None or got[0] != calendar or not (got[1][0] <= lo - pd.Timedelta(days=10) and session <= got[1][-1]):
        first = min(lo, got[1][0]) if got is not None and got[0] == calendar else lo
        span = session_closes(
            calendar, str((first - pd.Timedelta(days=366)).date()), str((session + pd.Timedelta(days=366)).date())
        )
        if len(span) == 0:
            span = session_closes(calendar, str(lo.date()), str(session.date()))
            return pd.Timestamp(span.iloc[-2]), pd.Timestamp(span.iloc[-1])
        got = (calendar, pd.DatetimeIndex(span.index), span)
        _CLOSES[:] = [got]
    _, sessions, closes = got
    a = int(sessions.searchsorted(lo, side="left"))  # the sessions in [lo, session], as session_closes gives them
    b = int(sessions.searchsorted(session, side="right"))
    if b - a < 2 or not (sessions[0] < lo and sessions[-1] >= session):
        span = session_closes(calendar, str(lo.date()), str(session.date()))
        return pd.Timestamp(span.iloc[-2]), pd.Timestamp(span.iloc[-1])
    return pd.Timestamp(closes.iloc[b - 2]), pd.Timestamp(closes.iloc[b - 1])


def _explainer(config: GeoriskConfig) -> Any:
    """The configured scorer, fitted once per scoring configuration (None when it cannot be built)."""
    key = repr(config.scoring)
    if key in _SCORERS:
        return _SCORERS[key]
    from georisk.scoring import fitted_scorer

    try:
        scorer = fitted_scorer(config.scoring)
    except Exception as exc:  # a page for readers: no phrases rather than no page
        log.warning("no evidence phrases: the configured scorer could not be built (%s)", exc)
        scorer = None
    _SCORERS.clear()  # one scoring configuration at a time
    _SCORERS[key] = scorer
    return scorer


_SCORERS: dict[str, Any] = {}


def _phrases(config: GeoriskConfig, fields: Mapping[str, Any]) -> tuple[list[tuple[str, ...]], str | None]:
    """Evidence phrases of the listed articles by the configured scorer's ``explain``, and a note when none.

    ``fields``: the listed articles' ``title`` (when known) and ``text``, as :func:`_chosen` gives them.
    """
    import pandas as pd

    n = len(fields["text"])
    empty: list[tuple[str, ...]] = [() for _ in range(n)]
    if not n:
        return empty, None
    scorer = _explainer(config)
    name = type(scorer).__name__ if scorer is not None else config.scoring.scorer
    if scorer is None or not callable(getattr(scorer, "explain", None)):
        return empty, f"the configured scorer ({name}) gives no evidence phrases"
    try:
        cols = [c for c in ("title", "text") if c in fields]
        explained = _prepared(fields, cols, repr(config.scoring))
        if explained is None:
            texts = pd.DataFrame(dict(fields))[cols].fillna("")
            explained = _explained(scorer, texts, repr(config.scoring))
    except Exception as exc:  # a page for readers: no phrases rather than no page
        log.warning("no evidence phrases: %s.explain failed (%s)", name, exc)
        return empty, f"no evidence phrases: {name}.explain failed"
    phrases = [_evidence(e) for e in explained]
    note = None if any(phrases) else f"the configured scorer ({name}) named no phrase in these articles"
    return phrases, note


def _prepared(fields: Mapping[str, Any], cols: list[str], key: str) -> list[str] | None:
    """The explanations :func:`prepare_briefings` made of these texts; None unless all of them are there.

    The texts as :func:`_explained` reads them (missing values as empty strings), taken
    from ``fields`` directly rather than through a frame.
    """
    import pandas as pd

    cache = _EXPLAINED.get((key, tuple(cols)))
    if cache is None:
        return None
    columns = [fields[c] for c in cols]
    rows = [tuple("" if pd.isna(v) else str(v) for v in r) for r in zip(*columns, strict=True)]
    if all(r in cache for r in rows):
        return [cache[r] for r in rows]
    return None


#: Explanations computed ahead for a backfill (:func:`prepare_briefings`): ``(scoring key, columns)`` and
#: ``{(title, text): explanation}``; one scoring configuration at a time.
_EXPLAINED: dict[tuple[str, tuple[str, ...]], dict[tuple[str, ...], str]] = {}


def _explained(scorer: Any, texts: pd.DataFrame, key: str) -> list[str]:
    """``scorer.explain(texts)``, served from the explanations prepared ahead when all of them are there.

    ``explain`` reads each text on its own (a phrase list and the model's reading of that
    text), so an explanation computed in a larger batch is the one computed alone.
    """
    cache = _EXPLAINED.get((key, tuple(texts.columns)))
    if cache is not None:
        rows = [tuple(str(v) for v in r) for r in texts.itertuples(index=False, name=None)]
        if all(r in cache for r in rows):
            return [cache[r] for r in rows]
    return list(scorer.explain(texts))


def prepare_briefings(run: _Stages, config: GeoriskConfig, sessions: Sequence[pd.Timestamp], top: int = 5) -> int:
    """Explain, in one call, the articles the briefings of ``sessions`` will list (a backfill's pages).

    :func:`briefing_data` then takes each listed article's evidence phrases from here
    instead of calling the scorer's ``explain`` once per session (most of a page's cost).
    The pages are the same: ``explain`` reads each text on its own. Nothing is prepared
    when the scorer has no ``explain`` or it fails (each page then says so, as before).

    Parameters
    ----------
    run : PipelineResult or StageOutputs
        The run the pages are built from.
    config : GeoriskConfig
        Its configuration.
    sessions : sequence of pandas.Timestamp
        The sessions to be briefed.
    top : int, default 5
        Articles listed per group, as for :func:`briefing_data`.

    Returns
    -------
    int
        The number of distinct texts explained.
    """
    import pandas as pd

    _EXPLAINED.clear()
    scores = run.scores
    if scores.empty or "published_at" not in scores.columns or not len(sessions):
        return 0
    scorer = _explainer(config)
    if scorer is None or not callable(getattr(scorer, "explain", None)):
        return 0
    parts = []
    for session in sessions:
        try:
            got = _chosen(run, config, pd.Timestamp(session), top)
        except (IndexError, KeyError, ValueError, TypeError):
            continue  # that page reports its own failure when it is built
        if got is not None and len(got[2]):
            fields = pd.DataFrame(got[1])
            parts.append(fields[[c for c in ("title", "text") if c in fields.columns]].fillna(""))
    if not parts:
        return 0
    texts = pd.concat(parts, ignore_index=True).drop_duplicates(ignore_index=True)
    try:
        explained = list(scorer.explain(texts))
    except Exception:  # each page calls explain itself and reports the failure there
        return 0
    if len(explained) != len(texts):
        return 0
    rows = [tuple(str(v) for v in r) for r in texts.itertuples(index=False, name=None)]
    _EXPLAINED[(repr(config.scoring), tuple(texts.columns))] = dict(zip(rows, explained, strict=True))
    return len(rows)


@dataclass(frozen=True)
class _Listed:
    hawkish: list[BriefingArticle]
    peace: list[BriefingArticle]
    n_articles: int
    n_below_floor: int
    evidence_note: str | None


def _chosen(
    run: _Stages, config: GeoriskConfig, session: pd.Timestamp, top: int
) -> tuple[dict[str, list[Any]], dict[str, Any], Any, int, int] | None:
    """The session's listed score rows, their article fields, net pushes, and the counts; None without articles.

    Net push is ranked within each group (descending, then publication time, then the
    scores' own order: the order of a stable sort by both), on arrays computed once per
    run; the listed rows' ``id``, ``published_at``, ``relevance``, ``hawkish_tilt`` and
    ``peace_trade`` (lists, as ``scores.iloc[rows][col].tolist()`` gives them: ``id`` empty
    strings when the scores have none) and their fields (``title``, ``text``, ``url``,
    ``source``: object arrays, NaN when the article is not found) come from columns taken
    once per run, a value carried by the scores frame winning for ``title``, ``url`` and
    ``source``.
    """
    import numpy as np

    scores, articles = run.scores, run.articles
    look = _lookup(scores, articles)
    after, until = _window(session, config.signal.calendar)
    lo = int(np.searchsorted(look.times, after.value, side="right"))  # published after the previous close
    hi = int(np.searchsorted(look.times, until.value, side="right"))  # ... at or before this close
    today = np.sort(look.order[lo:hi])  # positions into scores, in the frame's order
    if not len(today):
        return None
    push = look.push[today]
    when = look.stamps[today]
    moved = np.abs(push) >= MIN_PUSH
    up, down = moved & (push > 0), moved & (push < 0)
    first = today[up][np.lexsort((when[up], -push[up]))][:top]  # np.lexsort is stable
    second = today[down][np.lexsort((when[down], push[down]))][:top]
    picked = np.concatenate([first, second])
    n = len(picked)
    chosen = {"published_at": list(look.column("published_at")[picked])}  # Timestamps, as Series.tolist gives
    for c in ("relevance", "hawkish_tilt", "peace_trade"):  # Python numbers, as Series.tolist gives them
        chosen[c] = look.column(c)[picked].tolist()
    has_id = "id" in scores.columns
    chosen["id"] = look.column("id")[picked].tolist() if has_id else [""] * n
    # the articles' own fields, looked up by id for the listed few only
    pos = look.positions(chosen["id"]) if has_id else np.full(n, -1)
    found = np.flatnonzero(pos >= 0)
    cols = [c for c in ("title", "text", "url", "source") if c in articles.columns]
    meta = look.meta()
    fields: dict[str, Any] = {}
    for k, col in enumerate(cols):
        values = np.full(n, np.nan, dtype=object)
        if len(found):
            values[found] = meta[look.rows[pos[found]], k]
        fields[col] = values
    for col in ("title", "url", "source"):
        if col in scores.columns:  # a value carried by the scores frame wins
            own = look.column(col, as_object=True)[picked]
            base = fields[col].tolist() if col in fields else [None] * n
            fields[col] = np.array(
                [o if isinstance(o, str) and o else b for o, b in zip(own, base, strict=True)], dtype=object
            )
    if "text" not in fields:
        fields["text"] = np.full(n, "", dtype=object)
    return chosen, fields, look.push[picked], len(today), int(len(today) - moved.sum())


def _session_articles(run: _Stages, config: GeoriskConfig, session: pd.Timestamp, top: int) -> _Listed:
    import pandas as pd

    scores = run.scores
    if scores.empty or "published_at" not in scores.columns:
        return _Listed([], [], 0, 0, None)
    got = _chosen(run, config, session, top)
    if got is None:
        return _Listed([], [], 0, 0, None)
    chosen, fields, push, n_today, n_below = got
    phrases, note = _phrases(config, fields)

    n = len(chosen["id"])
    ids, when, rel = chosen["id"], chosen["published_at"], chosen["relevance"]
    hawk, peace = chosen["hawkish_tilt"], chosen["peace_trade"]
    none = [None] * n
    titles, texts = fields.get("title", none), fields.get("text", none)
    urls, sources = fields.get("url", none), fields.get("source", none)
    out: dict[str, list[BriefingArticle]] = {"hawkish": [], "peace": []}
    for i in range(n):
        url = urls[i]
        out["hawkish" if push[i] > 0 else "peace"].append(
            BriefingArticle(
                title=_headline(titles[i], texts[i], ids[i]),
                source=str(sources[i] or ""),
                url=str(url) if isinstance(url, str) else "",
                published_at=pd.Timestamp(when[i]).tz_convert("UTC"),
                relevance=float(rel[i]),
                hawkish_tilt=float(hawk[i]),
                peace_trade=float(peace[i]),
                push=float(push[i]),
                evidence=phrases[i],
            )
        )
    return _Listed(out["hawkish"], out["peace"], n_today, n_below, note)


def briefing_data(
    run: _Stages,
    config: GeoriskConfig,
    *,
    as_of: str | pd.Timestamp | None = None,
    top: int = 5,
    date: str | pd.Timestamp | None = None,
) -> BriefingData:
    """Collect what the briefing of one session shows.

    Parameters
    ----------
    run : PipelineResult or StageOutputs
        Anything with the ``articles``, ``scores``, ``signal`` and ``premium`` frames of
        a run (:func:`georisk.run` or :func:`georisk.pipeline.compute_stages`).
    config : GeoriskConfig
        The run's configuration (calendar, sleeves, band, sample or user data).
    as_of : date-like, optional
        The session; the last session of ``run.signal`` when None.
    top : int, default 5
        Articles listed per group.
    date : date-like, optional
        Deprecated name of ``as_of``.

    Returns
    -------
    BriefingData

    Raises
    ------
    MissingDataError
        If the signal is empty.
    NotASessionError
        If ``as_of`` is not a session of the configured calendar.
    ConfigError
        If ``as_of`` is a session the run has no signal for, or ``top < 1``.
    """
    import pandas as pd

    from georisk.calendar import to_session

    if top < 1:
        raise ConfigError(f"top={top} must be >= 1")
    calendar = config.signal.calendar
    signal, premium = run.signal, run.premium
    if signal.empty:
        raise MissingDataError("the run has no signal; nothing to brief")
    as_of = renamed_keyword("date", date, "as_of", as_of)
    session = signal.index[-1] if as_of is None else to_session(as_of, calendar)
    session = pd.Timestamp(session)
    if session not in signal.index:
        raise ConfigError(
            f"no signal for {session.date()} (the run covers {signal.index[0].date()} to "
            f"{signal.index[-1].date()}); run with as_of={session.date()}"
        )
    pos = signal.index.get_loc(session)
    previous = signal.index[pos - 1] if isinstance(pos, int) and pos > 0 else None

    state = []
    for label, where, col in _STATE_ROWS:
        frame = signal if where == "signal" else premium
        state.append((label, _value(frame, session, col), _value(frame, previous, col)))

    premia: list[tuple[str, str, float, float, float, float]] = []

    def add(label: str, unit: str, col: str, scale: float) -> None:
        if col not in premium.columns:
            return
        premia.append(
            (
                label,
                unit,
                _value(premium, session, col) * scale,
                _value(premium, session, f"{col}_lo") * scale,
                _value(premium, session, f"{col}_hi") * scale,
                _value(premium, previous, col) * scale,
            )
        )

    add("GRPI (all sleeves)", "bp", "grpi", 1e4)
    for k in config.universe.risk_sleeves:
        add(f"{k} premium", "bp", f"{k}_premium", 1e4)
    add("oil premium", "USD/bbl", "oil_premium_usd", 1.0)

    change = _value(premium, session, "grpi") - _value(premium, previous, "grpi")
    se = _value(premium, session, "grpi_se")
    noise = None if not (math.isfinite(change) and math.isfinite(se)) else bool(abs(change) < NOISE_Z * se)
    listed = _session_articles(run, config, session, top)
    return BriefingData(
        session=session,
        previous=previous,
        state=state,
        premia=premia,
        grpi_change=change,
        grpi_se=se,
        within_noise=noise,
        band=float(getattr(config.premium, "band", 0.90)),
        hawkish=listed.hawkish,
        peace=listed.peace,
        n_articles=listed.n_articles,
        label=data_label(config),
        n_below_floor=listed.n_below_floor,
        evidence_note=listed.evidence_note,
        min_push=MIN_PUSH,
    )


# --------------------------------------------------------------------------- text
def _f(value: float, spec: str) -> str:
    return "n/a" if not math.isfinite(value) else format(value, spec)


def _noise_line(d: BriefingData) -> str:
    rule = f"rule: |\u0394 GRPI| < {NOISE_Z} \u00d7 GRPI standard error"
    if d.within_noise is None:
        return f"Today's change cannot be judged against noise (the change or its standard error is unknown; {rule})."
    change, limit = d.grpi_change * 1e4, NOISE_Z * d.grpi_se * 1e4
    numbers = f"\u0394 GRPI {_f(change, '+.1f')} bp against {NOISE_Z} \u00d7 SE = {_f(limit, '.1f')} bp"
    if d.within_noise:
        return f"Today's change is within noise: {numbers} ({rule})."
    return f"Today's change is larger than noise: {numbers} ({rule})."


def _premium_spec(unit: str) -> str:
    return "+.2f" if unit == "USD/bbl" else "+.1f"


def _title(d: BriefingData) -> str:
    return f"georisk briefing, {d.session.date()}" + (f" ({d.label.split(':')[0]})" if d.label else "")


def _intro(d: BriefingData) -> str:
    prev = f"previous session {d.previous.date()}" if d.previous is not None else "no previous session"
    return f"Session {d.session.date()} ({prev}); {d.n_articles} article(s) assigned to the session."


def _article_time(a: BriefingArticle) -> str:
    return a.published_at.strftime("%Y-%m-%d %H:%M UTC")


def _scores_text(a: BriefingArticle, key: str) -> str:
    return (
        f"net push {a.push:+.2f} = relevance {a.relevance:.2f} \u00d7 (hawkish tilt {a.hawkish_tilt:.2f} "
        f"\u2212 peace {a.peace_trade:.2f})"
    )


_GROUPS = (
    ("hawkish", "Hawkish: articles that pushed the state up"),
    ("peace", "Peace: articles that pushed the state down"),
)


#: Shown for a listed article in which the scorer named no phrase.
_NO_PHRASE = "no phrase named (the score is the scorer's model reading)"


def _rule(d: BriefingData) -> str:
    """How the articles were chosen, and how many were left out, in one sentence."""
    below = (
        f" {d.n_below_floor} of the session's {d.n_articles} article(s) fell below it and are not listed."
        if d.n_below_floor
        else ""
    )
    return (
        "Ranked by |net push| = relevance \u00d7 (hawkish tilt \u2212 peace), the article's term in the "
        f"session's news sum; listed only when |net push| \u2265 {d.min_push:.2f}.{below}"
    )


def _md_escape(text: str) -> str:
    out = text.replace("\\", "\\\\")
    for ch in "`*_[]<>|#":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", " ")


def _safe_url(url: str) -> str:
    return url if url.lower().startswith(("http://", "https://")) else ""


def briefing_markdown(d: BriefingData) -> str:
    """Render a briefing as Markdown.

    Parameters
    ----------
    d : BriefingData
        From :func:`briefing_data`.

    Returns
    -------
    str
    """
    pct = f"{d.band:.0%}"
    lines = [f"# {_title(d)}", ""]
    if d.label:
        lines += [f"> **{d.label}** - a demonstration, not research and not for trading.", ""]
    lines += [_intro(d), "", f"**{_noise_line(d)}**", "", "## News state", ""]
    lines += ["| measure | today | previous | change |", "|---|---:|---:|---:|"]
    for label, now, prev in d.state:
        lines.append(f"| {label} | {_f(now, '.3f')} | {_f(prev, '.3f')} | {_f(now - prev, '+.3f')} |")
    lines += ["", f"## Premia ({pct} bands)", ""]
    lines += ["| premium | unit | today | band | previous | change |", "|---|---|---:|---|---:|---:|"]
    for label, unit, now, lo, hi, prev in d.premia:
        s = _premium_spec(unit)
        lines.append(
            f"| {label} | {unit} | {_f(now, s)} | [{_f(lo, s)}, {_f(hi, s)}] | {_f(prev, s)} | {_f(now - prev, s)} |"
        )
    lines += ["", "## Articles behind the move", "", _rule(d)]
    if d.evidence_note:
        lines += ["", f"Evidence: {d.evidence_note}."]
    for key, heading in _GROUPS:
        items: list[BriefingArticle] = getattr(d, key)
        lines += ["", f"### {heading}", ""]
        if not items:
            lines.append(f"None this session above the floor of {d.min_push:.2f}.")
        for a in items:
            url = _safe_url(a.url)
            title = f"[{_md_escape(a.title)}](<{url}>)" if url else _md_escape(a.title)
            lines.append(f"- **{title}** - {_md_escape(a.source)}, {_article_time(a)}")
            lines.append(f"  - scores: {_scores_text(a, key)}")
            if a.evidence:
                lines.append(f"  - evidence: {_md_escape('; '.join(a.evidence))}")
            elif not d.evidence_note:
                lines.append(f"  - evidence: {_NO_PHRASE}")
            if not url:
                lines.append("  - no link in the feed")
    return "\n".join(lines) + "\n"


_CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px auto;max-width:860px;
color:#1b1f24;background:#fff;padding:0 12px}
h1{font-size:22px;margin-bottom:4px}h3{font-size:15px;margin:16px 0 4px}
h2{font-size:17px;border-bottom:1px solid #d0d7de;padding-bottom:4px;
margin-top:24px}.meta{color:#57606a;font-size:13px}
.synthetic{background:#ffebe9;border:2px solid #cf222e;color:#82071e;font-weight:700;padding:8px 12px;
margin:12px 0;letter-spacing:.02em}
.noise{padding:8px 12px;margin:12px 0;font-size:15px;border-left:4px solid #0969da;background:#ddf4ff}
.noise.move{border-left-color:#bf8700;background:#fff8c5}
table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #d0d7de;padding:4px 10px}
th{background:#f6f8fa;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
ul.articles{padding-left:18px}ul.articles li{margin:8px 0}.ev{color:#57606a;font-size:12px}
.src{color:#57606a;font-size:13px}.sc{font-size:13px}.up{color:#cf222e}.down{color:#1a7f37}
"""


def _td(text: str) -> str:
    return f'<td class="num">{html.escape(text)}</td>'


def briefing_html(d: BriefingData) -> str:
    """Render a briefing as one self-contained HTML page.

    Parameters
    ----------
    d : BriefingData
        From :func:`briefing_data`.

    Returns
    -------
    str
        The HTML text; every text from the feed is escaped and it loads no external
        resource (article links are anchors, only ``http`` and ``https``).
    """
    from georisk._version import __version__

    esc = html.escape
    title = _title(d)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta">{esc(_intro(d))} georisk {esc(__version__)}.</p>',
    ]
    if d.label:
        parts.append(f'<div class="synthetic">{esc(d.label)}: a demonstration, not research and not for trading.</div>')
    cls = "noise" if d.within_noise else "noise move"
    parts.append(f'<p class="{cls}" id="noise">{esc(_noise_line(d))}</p>')
    parts.append("<h2>News state</h2><table><tr><th>measure</th><th>today</th><th>previous</th><th>change</th></tr>")
    for label, now, prev in d.state:
        parts.append(
            f"<tr><th>{esc(label)}</th>{_td(_f(now, '.3f'))}{_td(_f(prev, '.3f'))}{_td(_f(now - prev, '+.3f'))}</tr>"
        )
    parts.append("</table>")
    parts.append(
        f"<h2>Premia ({d.band:.0%} bands)</h2><table><tr><th>premium</th><th>unit</th><th>today</th>"
        "<th>band</th><th>previous</th><th>change</th></tr>"
    )
    for label, unit, now, lo, hi, prev in d.premia:
        s = _premium_spec(unit)
        parts.append(
            f"<tr><th>{esc(label)}</th><td>{esc(unit)}</td>{_td(_f(now, s))}"
            f"{_td(f'[{_f(lo, s)}, {_f(hi, s)}]')}{_td(_f(prev, s))}{_td(_f(now - prev, s))}</tr>"
        )
    parts.append("</table>")
    parts.append(f'<h2>Articles behind the move</h2><p class="meta" id="rule">{esc(_rule(d))}</p>')
    if d.evidence_note:
        parts.append(f'<p class="meta">Evidence: {esc(d.evidence_note)}.</p>')
    for key, heading in _GROUPS:
        items: list[BriefingArticle] = getattr(d, key)
        parts.append(f"<h3>{esc(heading)}</h3>")
        if not items:
            parts.append(f'<p class="meta">None this session above the floor of {d.min_push:.2f}.</p>')
            continue
        parts.append(f'<ul class="articles" id="{key}">')
        for a in items:
            url = _safe_url(a.url)
            head = (
                f'<a href="{esc(url, quote=True)}" rel="noopener noreferrer">{esc(a.title)}</a>'
                if url
                else f'{esc(a.title)} <span class="src">(no link in the feed)</span>'
            )
            ev = (
                f'<div class="ev">evidence: {esc("; ".join(a.evidence))}</div>'
                if a.evidence
                else ("" if d.evidence_note else f'<div class="ev">evidence: {esc(_NO_PHRASE)}</div>')
            )
            parts.append(
                f'<li><b>{head}</b><div class="src">{esc(a.source)}, {esc(_article_time(a))}</div>'
                f'<div class="sc">{esc(_scores_text(a, key))}</div>{ev}</li>'
            )
        parts.append("</ul>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def export_briefing_data(run: _Stages, config: GeoriskConfig, session: pd.Timestamp) -> BriefingData | None:
    """:func:`briefing_data` for the daily export: None (with a warning) when it fails.

    The briefing is a page for readers beside the exported data; a fault in it must
    never stop the data's publication.

    Parameters
    ----------
    run : StageOutputs
        The export's stages.
    config : GeoriskConfig
        The export's configuration.
    session : pandas.Timestamp
        The session briefed (the last session exported).

    Returns
    -------
    BriefingData or None
    """
    from georisk.errors import GeoriskError

    try:
        return briefing_data(run, config, as_of=session)
    except (GeoriskError, KeyError, ValueError, TypeError) as exc:
        log.warning("no briefing for %s: %s", session.date(), exc)
        return None


# --------------------------------------------------------------------------- write
def write_briefing(data: BriefingData, out_dir: str | Path, *, durable: bool = True) -> BriefingFiles:
    """Write :func:`briefing_html` and :func:`briefing_markdown` of ``data`` into ``out_dir``.

    Parameters
    ----------
    data : BriefingData
        From :func:`briefing_data`.
    out_dir : str or pathlib.Path
        Folder of ``briefing-YYYY-MM-DD.html`` and ``.md`` (created if needed); each
        file is replaced atomically.
    durable : bool, default True
        Fsync the files and the folder; ``False`` leaves that to the caller's group
        commit (a backfill's :class:`~georisk.export.PublishBatch`).

    Returns
    -------
    BriefingFiles
    """
    from georisk.export import atomic_write_files

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"briefing-{data.session.date()}"
    # each file fsynced and renamed into place, the folder fsynced once; 0666 less the umask, like every file
    paths = atomic_write_files(
        out,
        {f"{stem}.html": briefing_html(data).encode("utf-8"), f"{stem}.md": briefing_markdown(data).encode("utf-8")},
        durable=durable,
    )
    log.info("wrote the briefing of %s to %s", data.session.date(), out)
    return BriefingFiles(paths[0], paths[1], data)
