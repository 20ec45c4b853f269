import json
from pathlib import Path

import jsonschema
import pandas as pd
import pytest

from georisk.cli import main
from georisk.errors import CorruptExportError, MissingDataError
from georisk.schema import (
    SCHEMA_VERSION,
    SLEEVE_FIELDS,
    ExportManifest,
    SignalRow,
    build_rows,
    manifest_schema,
    row_from_flat,
    signal_row_schema,
)


@pytest.fixture(scope="module")
def rows(pipeline_result):
    from georisk.calendar import session_closes

    r = pipeline_result
    sessions = r.signal.index[-3:]
    closes = session_closes("XNYS", str(sessions[0].date()), str(sessions[-1].date()))
    return build_rows(
        r.signal,
        r.premium,
        r.positions,
        pd.DatetimeIndex(sessions),
        sleeves=r.config.universe.risk_sleeves,
        closes=closes,
        calendar="XNYS",
    )


def test_schema_command_prints_the_versioned_schema(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["version"] == SCHEMA_VERSION
    assert schema["$id"].endswith(f"/signal-row/{SCHEMA_VERSION}")
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert {"session", "cutoff", "grpi", "sleeves"} <= set(schema["required"])
    assert schema["additionalProperties"] is False
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_command_manifest_and_out(tmp_path: Path, capsys):
    assert main(["schema", "--manifest"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "configuration_sha256" in schema["properties"]
    out = tmp_path / "row.schema.json"
    assert main(["schema", "--out", str(out)]) == 0
    assert json.loads(out.read_text("utf-8")) == signal_row_schema()


def test_rows_validate_against_the_json_schema(rows):
    validator = jsonschema.Draft202012Validator(signal_row_schema(), format_checker=jsonschema.FormatChecker())
    for row in rows:
        doc = row.model_dump(mode="json", by_alias=True)
        validator.validate(doc)
        assert set(doc["sleeves"]) == {"energy", "defense", "grain"}
        assert set(doc["sleeves"]["energy"]) == set(SLEEVE_FIELDS)
        assert SignalRow.model_validate_json(json.dumps(doc)) == row


def test_flat_round_trip(rows):
    for row in rows:
        flat = row.to_flat()
        assert "energy__premium" in flat and "energy__position" in flat
        assert row_from_flat(flat) == row


def test_row_rejects_bad_records_naming_the_field(rows):
    flat = rows[-1].to_flat()
    with pytest.raises(CorruptExportError, match="grpi"):
        row_from_flat({**flat, "grpi": "lots"})
    with pytest.raises(CorruptExportError, match="bogus"):
        row_from_flat({**flat, "bogus": 1.0})
    with pytest.raises(CorruptExportError, match=r"sleeves\.energy\.premium"):
        row_from_flat({k: v for k, v in flat.items() if k != "energy__premium"})
    with pytest.raises(CorruptExportError, match="schema_version"):
        row_from_flat({**flat, "schema_version": "1"})


def test_nan_is_none_and_never_nan(pipeline_result, rows):
    # Warm-up values are None (null in JSON), never NaN or a made-up number.
    from georisk.calendar import session_closes

    r = pipeline_result
    first = r.signal.index[:1]
    closes = session_closes("XNYS", str(first[0].date()), str(first[0].date()))
    (row,) = build_rows(
        r.signal, r.premium, r.positions, first, sleeves=["energy", "defense", "grain"], closes=closes, calendar="XNYS"
    )
    assert row.grpi is None and row.escalation_z is None
    assert "NaN" not in row.model_dump_json()


def test_build_rows_names_missing_columns_and_sessions(pipeline_result):
    from georisk.calendar import session_closes

    r = pipeline_result
    d = r.signal.index[-1:]
    closes = session_closes("XNYS", str(d[0].date()), str(d[0].date()))
    kw = {"sleeves": ["energy", "defense", "grain"], "closes": closes, "calendar": "XNYS"}
    with pytest.raises(MissingDataError, match=r"lacks column\(s\) \['grpi'\]"):
        build_rows(r.signal, r.premium.drop(columns="grpi"), r.positions, d, **kw)
    with pytest.raises(MissingDataError, match="no positions row for session"):
        build_rows(r.signal, r.premium, r.positions.iloc[:-1], d, **kw)


def test_manifest_schema_is_valid():
    jsonschema.Draft202012Validator.check_schema(manifest_schema())
    assert ExportManifest.model_json_schema()["title"] == "georisk export manifest"
