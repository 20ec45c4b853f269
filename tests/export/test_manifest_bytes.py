"""manifest_bytes: the text of json.dumps(indent=1, sort_keys=True), with the configuration encoded once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from georisk.config import GeoriskConfig
from georisk.export._store import _CONFIG_MARK, manifest_bytes


def reference(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode()


CONFIG = GeoriskConfig().model_dump(mode="json")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=12,
)


@pytest.mark.parametrize(
    "manifest",
    [
        {"configuration": CONFIG, "version": "abc", "warnings": ["a\nb", "c"], "files": {"x": "1"}},
        {"configuration": CONFIG, "zzz": {"nested": [1, 2, {"q": "é\u2028"}]}, "aaa": []},
        {"configuration": {}, "version": "x"},  # empty: the plain path
        {"version": "x"},  # none
        {"configuration": CONFIG, "warnings": [_CONFIG_MARK]},  # the marker in the text: the plain path
    ],
)
def test_same_bytes_as_json_dumps(manifest: dict[str, Any]) -> None:
    assert manifest_bytes(manifest) == reference(manifest)
    assert manifest_bytes(manifest) == reference(manifest)  # again, from the kept text


@settings(max_examples=200, deadline=None)
@given(config=st.dictionaries(st.text(max_size=6), json_values, min_size=1, max_size=5), rest=json_values)
def test_same_bytes_for_any_configuration(config: dict[str, Any], rest: Any) -> None:
    manifest = {"configuration": config, "rest": rest, "version": "0123"}
    assert manifest_bytes(manifest) == reference(manifest)
