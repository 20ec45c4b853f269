"""The versioned schema of an exported signal row and of an export's manifest.

One row per session holds the news signal, the risk premium and the target positions
set at that session's close. In JSON the row is nested (``sleeves`` maps each risk
sleeve to its fields); in Parquet and CSV it is flat, sleeve fields being named
``<sleeve>__<field>`` (two underscores), e.g. ``energy__premium``. Both forms
validate against :class:`SignalRow`; :func:`signal_row_schema` gives its JSON Schema
(``georisk schema`` prints it).

:data:`SCHEMA_VERSION` changes whenever a field is added, removed, renamed or changes
meaning. Columns the stages add later are not exported until the schema names them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any, Literal, cast

import pandas as pd
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from georisk.errors import CorruptExportError, MissingDataError

__all__ = [
    "MANIFEST_VERSION",
    "PREMIUM_FIELDS",
    "SCHEMA_VERSION",
    "SIGNAL_FIELDS",
    "SLEEVE_FIELDS",
    "ExportManifest",
    "InputRecord",
    "SignalRow",
    "SleeveRow",
    "build_rows",
    "manifest_schema",
    "read_manifest",
    "row_from_flat",
    "signal_row_schema",
    "upgrade_manifest",
    "validate_rows",
]

#: Version of the row layout; bumped on any change of fields or meaning.
SCHEMA_VERSION = "3"

#: Format of ``manifest.json`` (its ``manifest_version``); separate from :data:`SCHEMA_VERSION`, which
#: names the history folder (``history/v3``) and changes only with the rows. Format 2: ``as_of`` is the
#: session date and ``cutoff`` its close (UTC); format 1 (no field) held the close in ``as_of``.
MANIFEST_VERSION = "2"

_CHANNELS = ("energy", "defense", "grain", "sanctions")
#: Session-level fields taken from :func:`georisk.daily_signal`.
SIGNAL_FIELDS: tuple[str, ...] = (
    "n_articles",
    "n_relevant",
    "n_sources",
    "relevant_share",
    "attention",
    "attention_index",
    "hawkish_intensity",
    "peace_intensity",
    "escalation_intensity",
    "hawkish",
    "peace",
    "escalation",
    *(f"escalation_{c}" for c in _CHANNELS),
    "hawkish_ema",
    "peace_ema",
    "escalation_ema",
    *(f"escalation_{c}_ema" for c in _CHANNELS),
    "escalation_z",
    "escalation_z_hawkish",
    "escalation_z_peace",
)
#: Session-level fields taken from :func:`georisk.risk_premium`.
PREMIUM_FIELDS: tuple[str, ...] = (
    "state",
    "state_change",
    "shock",
    "benchmark_return",
    "grpi",
    "grpi_se",
    "grpi_lo",
    "grpi_hi",
    "grpi_t",
    "grpi_hawkish",
    "grpi_peace",
    "oil_premium",
    "oil_premium_se",
    "oil_premium_lo",
    "oil_premium_hi",
    "oil_premium_usd",
    "oil_premium_usd_se",
    "oil_premium_usd_lo",
    "oil_premium_usd_hi",
)
#: Per-sleeve fields: ``<sleeve>_<field>`` of the premium frame, plus the target position.
SLEEVE_FIELDS: tuple[str, ...] = (
    "return",
    "beta",
    "abnormal",
    "response",
    "response_se",
    "premium",
    "premium_se",
    "premium_lo",
    "premium_hi",
    "premium_hawkish",
    "premium_peace",
    "impulse",
    "realised_move",
    "gap",
    "position",
)
_INT_FIELDS = ("n_articles", "n_relevant", "n_sources")
_META_FIELDS = ("schema_version", "session", "calendar", "cutoff")

Num = float | None


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, populate_by_name=True)


class SleeveRow(_Strict):
    """One risk sleeve of a :class:`SignalRow`; ``None`` where a value is in warm-up."""

    return_: Num = Field(alias="return", description="sleeve return from the previous session's close")
    beta: Num = Field(description="beta to the benchmark, trailing window ending the previous session")
    abnormal: Num = Field(description="abnormal return: return minus factor betas times factor returns")
    response: Num = Field(description="cumulative abnormal return per unit news shock at the response horizon")
    response_se: Num = Field(description="standard error of response (HAC)")
    premium: Num = Field(description="historical decomposition: part of the level the recent news shocks explain")
    premium_se: Num = Field(description="standard error of premium")
    premium_lo: Num = Field(description="lower end of the premium's band (90% by default)")
    premium_hi: Num = Field(description="upper end of the premium's band")
    premium_hawkish: Num = Field(description="part of the premium built by positive (escalation) shocks")
    premium_peace: Num = Field(description="part of the premium built by negative (de-escalation) shocks")
    impulse: Num = Field(description="further abnormal move today's shock implies")
    realised_move: Num = Field(description="abnormal move realised over the premium's window")
    gap: Num = Field(description="premium - realised_move: news explains more than the market moved when > 0")
    position: Num = Field(description="target tilt against the benchmark set at this session's close")


class SignalRow(_Strict):
    """One exported session: signal, premium and target positions.

    Every value uses only articles published by ``cutoff`` and prices dated by ``session``.
    """

    model_config = ConfigDict(title="georisk signal row", json_schema_extra={"version": SCHEMA_VERSION})

    schema_version: Literal["3"] = Field(description="version of this layout")
    session: dt.date = Field(description="the session (exchange date) the row describes")
    calendar: str = Field(description="exchange calendar of the sessions, e.g. XNYS")
    cutoff: AwareDatetime = Field(description="the session's close (UTC); nothing published later was used")
    n_articles: int = Field(ge=0, description="articles assigned to the session")
    n_relevant: int = Field(ge=0, description="relevant articles assigned to the session")
    n_sources: int = Field(ge=0, description="sources publishing on the session")
    relevant_share: Num = Field(description="share of relevant articles among those supplied (measures the filter)")
    attention: Num = Field(description="source-normalised relevant-article index (1 = an average base day)")
    attention_index: Num = Field(description="attention rescaled so that its base period averages 100")
    hawkish_intensity: Num = Field(description="source-normalised hawkish flow (1 = base average)")
    peace_intensity: Num = Field(description="source-normalised peace flow (1 = base average)")
    escalation_intensity: Num = Field(description="hawkish_intensity - peace_intensity (default premium state)")
    hawkish: Num
    peace: Num
    escalation: Num
    escalation_energy: Num
    escalation_defense: Num
    escalation_grain: Num
    escalation_sanctions: Num
    hawkish_ema: Num
    peace_ema: Num
    escalation_ema: Num
    escalation_energy_ema: Num
    escalation_defense_ema: Num
    escalation_grain_ema: Num
    escalation_sanctions_ema: Num
    escalation_z: Num = Field(description="causal z-score of the smoothed net escalation")
    escalation_z_hawkish: Num
    escalation_z_peace: Num
    state: Num = Field(description="news state s_d driving the premium")
    state_change: Num = Field(description="change of the transformed state")
    shock: Num = Field(description="news shock: the state's one-step-ahead forecast error")
    benchmark_return: Num
    grpi: Num = Field(description="geopolitical risk premium indicator (weighted sum of sleeve premia)")
    grpi_se: Num
    grpi_lo: Num
    grpi_hi: Num
    grpi_t: Num = Field(description="grpi / grpi_se")
    grpi_hawkish: Num
    grpi_peace: Num
    oil_premium: Num
    oil_premium_se: Num
    oil_premium_lo: Num
    oil_premium_hi: Num
    oil_premium_usd: Num = Field(description="oil premium in USD per barrel")
    oil_premium_usd_se: Num
    oil_premium_usd_lo: Num
    oil_premium_usd_hi: Num
    sleeves: dict[str, SleeveRow] = Field(min_length=1, description="per risk sleeve, in configuration order")

    def to_flat(self) -> dict[str, Any]:
        """The flat record written to Parquet and CSV (``None`` for missing numbers)."""
        data = self.model_dump(mode="python", by_alias=True, exclude={"sleeves"})
        data["session"] = self.session
        data["cutoff"] = self.cutoff.astimezone(dt.UTC).isoformat()
        for name, sleeve in self.sleeves.items():
            for key, value in sleeve.model_dump(by_alias=True).items():
                data[f"{name}__{key}"] = value
        return data


class InputRecord(_Strict):
    """An input recorded in the manifest: a file, a folder or an in-memory frame."""

    kind: Literal["file", "folder", "frame"]
    path: str | None = None
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class ExportManifest(_Strict):
    """``manifest.json`` of one session's export; written last, it vouches for the data files.

    Manifest format :data:`MANIFEST_VERSION` (``manifest_version``): ``as_of`` is the
    session date and ``cutoff`` the UTC instant of its close, the project's one
    vocabulary. Format 1 (no ``manifest_version`` field, written before the bump) held
    the close instant in ``as_of`` and had no ``cutoff``; :func:`read_manifest` reads
    both, giving format 1 in the words of format 2.
    """

    model_config = ConfigDict(title="georisk export manifest")

    manifest_version: Literal["1", "2"] = Field(
        description="format of this manifest: 2 is written; 1 only when an older manifest is read "
        "(:func:`read_manifest`)"
    )
    schema_version: Literal["3"]
    georisk_version: str
    version: str = Field(
        description="content id of this export: hash of everything but created_at and the whole-file input "
        "hashes (provenance; the inputs used up to the cutoff are part of it)"
    )
    session: dt.date
    as_of: dt.date = Field(description="the session date the export is as of (the same as session)")
    cutoff: AwareDatetime = Field(description="the close of the session (UTC): nothing published later was used")
    calendar: str
    created_at: AwareDatetime
    configuration_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    configuration: dict[str, Any]
    inputs: dict[str, InputRecord]
    articles_used: int = Field(ge=0, description="articles published by the cutoff")
    last_article_at: AwareDatetime | None
    prices_last_date: dt.date | None
    rows: dict[str, int]
    files: dict[str, str]
    warnings: list[str]


def upgrade_manifest(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A manifest as read from ``manifest.json``, in the current vocabulary whatever its format.

    Format 1 (no ``manifest_version``; ``as_of`` the close instant) becomes
    ``manifest_version = "1"``, ``as_of`` = the session date, ``cutoff`` = that instant;
    format 2 is returned as it is (a copy). Nothing else changes.

    Parameters
    ----------
    raw : mapping
        The parsed JSON of a manifest.

    Returns
    -------
    dict

    Raises
    ------
    CorruptExportError
        If a format-1 manifest has no ``session`` or ``as_of``, or a format it does not know.
    """
    data = dict(raw)
    version = data.get("manifest_version")
    if version == MANIFEST_VERSION:
        return data
    if version is not None:
        raise CorruptExportError(
            f"manifest_version {version!r} is not known to this georisk (it reads 1 and {MANIFEST_VERSION}); "
            "upgrade georisk to read it"
        )
    if "session" not in data or "as_of" not in data:
        raise CorruptExportError("a format-1 manifest without 'session' or 'as_of'; rerun the export with --force")
    data["manifest_version"] = "1"
    data["cutoff"] = data["as_of"]  # format 1 named the close instant as_of
    data["as_of"] = data["session"]
    return data


def read_manifest(raw: Mapping[str, Any]) -> ExportManifest:
    """Validate a manifest of either format (see :func:`upgrade_manifest`).

    Parameters
    ----------
    raw : mapping
        The parsed JSON of ``manifest.json``.

    Returns
    -------
    ExportManifest
        With ``as_of`` the session date and ``cutoff`` its close (UTC), also for format 1.

    Raises
    ------
    CorruptExportError
        If it is not a manifest of a known format.

    Examples
    --------
    >>> old = {"session": "2024-12-31", "as_of": "2024-12-31T21:00:00+00:00"}
    >>> new = upgrade_manifest(old)
    >>> new["as_of"], new["cutoff"], new["manifest_version"]
    ('2024-12-31', '2024-12-31T21:00:00+00:00', '1')
    """
    try:
        return ExportManifest.model_validate(upgrade_manifest(raw))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise CorruptExportError(f"not a valid export manifest: {first['msg']} (field {first['loc']})") from None


def signal_row_schema() -> dict[str, Any]:
    """JSON Schema of :class:`SignalRow` (the nested JSON form), with its version."""
    schema = SignalRow.model_json_schema(by_alias=True)
    schema["$id"] = f"https://georisk.invalid/schema/signal-row/{SCHEMA_VERSION}"
    return schema


def manifest_schema() -> dict[str, Any]:
    """JSON Schema of :class:`ExportManifest`."""
    return ExportManifest.model_json_schema()


def _num(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return float(value)


def build_rows(
    signal: pd.DataFrame,
    premium: pd.DataFrame,
    positions: pd.DataFrame,
    sessions: pd.DatetimeIndex,
    *,
    sleeves: list[str],
    closes: pd.Series,
    calendar: str,
) -> list[SignalRow]:
    """Collect one validated :class:`SignalRow` per session from the stage frames.

    Parameters
    ----------
    signal, premium, positions : pandas.DataFrame
        From :func:`georisk.daily_signal`, :func:`georisk.risk_premium` and
        :func:`georisk.backtesting.target_positions`, indexed by session.
    sessions : pandas.DatetimeIndex
        Sessions to export.
    sleeves : list of str
        Risk sleeves, in configuration order.
    closes : pandas.Series
        Session close times (UTC) indexed by session, covering ``sessions``.
    calendar : str
        Exchange calendar name recorded in each row.

    Returns
    -------
    list of SignalRow

    Raises
    ------
    MissingDataError
        If a session is missing from a frame, or a frame lacks a column the schema
        needs (the stage's output changed: the schema must be bumped).
    """
    needs = {
        "signal": (signal, list(SIGNAL_FIELDS)),
        "premium": (premium, [*PREMIUM_FIELDS, *(f"{s}_{f}" for s in sleeves for f in SLEEVE_FIELDS[:-1])]),
        "positions": (positions, list(sleeves)),
    }
    for what, (frame, cols) in needs.items():
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise MissingDataError(
                f"the {what} frame lacks column(s) {missing} that schema version {SCHEMA_VERSION} exports"
            )
        absent = sessions.difference(pd.DatetimeIndex(frame.index))
        if len(absent):
            last = frame.index.max()
            ends = last.date() if pd.notna(last) else "nowhere"
            raise MissingDataError(
                f"no {what} row for session(s) {[str(d.date()) for d in absent[:5]]}; the {what} ends {ends}"
            )
    rows = []
    for d in sessions:
        s_row, p_row, x_row = signal.loc[d], premium.loc[d], positions.loc[d]
        data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "session": d.date(),
            "calendar": calendar,
            "cutoff": pd.Timestamp(closes.loc[d]).tz_convert("UTC").to_pydatetime(),
        }
        for f in SIGNAL_FIELDS:
            data[f] = int(cast(float, s_row[f])) if f in _INT_FIELDS else _num(s_row[f])
        for f in PREMIUM_FIELDS:
            data[f] = _num(p_row[f])
        data["sleeves"] = {
            s: {**{f: _num(p_row[f"{s}_{f}"]) for f in SLEEVE_FIELDS[:-1]}, "position": _num(x_row[s])} for s in sleeves
        }
        rows.append(SignalRow.model_validate(data))
    return rows


def row_from_flat(record: Mapping[str, Any]) -> SignalRow:
    """Validate a flat record (a Parquet or CSV row) and return it as a :class:`SignalRow`.

    Raises
    ------
    CorruptExportError
        If the record does not match the schema; the message names the field.
    """
    data: dict[str, Any] = {}
    sleeves: dict[str, dict[str, Any]] = {}
    for key, value in record.items():
        v: Any = value
        if isinstance(v, float) and math.isnan(v):
            v = None
        if "__" in str(key):
            name, field = str(key).rsplit("__", 1)
            sleeves.setdefault(name, {})[field] = v
        else:
            if key == "schema_version" and v is not None:
                v = str(v)
            if key in _INT_FIELDS and isinstance(v, float):
                v = int(v) if v.is_integer() else v
            data[str(key)] = v
    data["sleeves"] = sleeves
    try:
        return SignalRow.model_validate(data)
    except ValidationError as exc:
        fields = ", ".join(".".join(str(p) for p in e["loc"]) + f": {e['msg']}" for e in exc.errors())
        raise CorruptExportError(f"row does not match signal-row schema {SCHEMA_VERSION}: {fields}") from exc


def validate_rows(frame: pd.DataFrame) -> list[SignalRow]:
    """Validate every row of a flat export frame against :class:`SignalRow`.

    Raises
    ------
    CorruptExportError
        If a row does not match the schema.
    """
    out = []
    for raw in frame.to_dict(orient="records"):
        record = {str(k): v for k, v in raw.items()}
        session = record.get("session")
        if isinstance(session, pd.Timestamp):
            record["session"] = session.date()
        out.append(row_from_flat(record))
    return out
