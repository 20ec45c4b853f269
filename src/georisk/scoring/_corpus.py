"""The shipped labelled corpus and labelled files for training and auditing scorers."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Literal

import pandas as pd

from georisk.errors import ConfigError, InputDataError

__all__ = ["LABELS", "load_labelled_corpus", "targets_from_labels"]

#: Labels of the labelled corpus. ``hawkish`` records may carry ``kind`` ``threat`` or ``act``.
LABELS = ("hawkish", "peace", "mixed", "neutral", "off_topic")
_KINDS = (None, "threat", "act")
_CORPUS = "resources/labelled_corpus.jsonl"


def load_labelled_corpus(
    path: str | Path | None = None, *, split: Literal["all", "train", "holdout"] = "all"
) -> pd.DataFrame:
    """Load a labelled JSON Lines file; the shipped corpus when ``path`` is None.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A ``.jsonl`` file, one object a line with ``text`` and ``label`` (one of
        :data:`LABELS`) and optionally ``kind`` (``"threat"``/``"act"`` for hawkish
        records), ``conflict`` and ``split`` (``"train"``/``"holdout"``).
    split : {"all", "train", "holdout"}, default "all"
        Keep only records of that split (records without ``split`` count as train).

    Returns
    -------
    pandas.DataFrame
        Columns ``text``, ``label``, ``kind``, ``conflict``, ``split``; a ``RangeIndex``.

    Raises
    ------
    InputDataError
        For a malformed line, naming the file, the line and the field.

    Notes
    -----
    The shipped corpus (``georisk/scoring/resources/labelled_corpus.jsonl``) is authored
    text, rebuilt byte for byte by ``python tools/make_corpus.py``; its hold-out
    split is by template, so it measures phrasing the supervised model never saw. Its
    ``conflict`` tag names the conflict a record is about (``unnamed`` when it names none,
    ``none`` for off-topic text), so relevance can be judged per conflict.
    """
    if split not in ("all", "train", "holdout"):
        raise ConfigError(f"split={split!r} must be 'all', 'train' or 'holdout'")
    if path is None:
        text = resources.files("georisk.scoring").joinpath(_CORPUS).read_text("utf-8")
        where = f"georisk/scoring/{_CORPUS}"
    else:
        try:
            text = Path(path).read_text("utf-8-sig")
        except FileNotFoundError as exc:
            raise ConfigError(f"labelled file {path} does not exist; check the path") from exc
        except UnicodeDecodeError as exc:
            raise InputDataError("not UTF-8 text; re-save the labelled file as UTF-8", path=str(path)) from exc
        where = str(path)
    rows: list[dict[str, str | None]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputDataError(f"malformed JSON: {exc.msg}; fix or delete the line", path=where, line=n) from exc
        if not isinstance(obj, dict):
            raise InputDataError("each line must be a JSON object", path=where, line=n)
        body = obj.get("text")
        if not isinstance(body, str) or not body.strip():
            raise InputDataError("missing or empty text; give the sentence to score", path=where, line=n, field="text")
        label = obj.get("label")
        if label not in LABELS:
            raise InputDataError(f"label {label!r} is not one of {LABELS}", path=where, line=n, field="label")
        kind = obj.get("kind")
        if kind not in _KINDS or (kind is not None and label != "hawkish"):
            raise InputDataError(
                f"kind {kind!r} must be null, or 'threat'/'act' on a hawkish record", path=where, line=n, field="kind"
            )
        rec_split = obj.get("split") or "train"
        if rec_split not in ("train", "holdout"):
            raise InputDataError(f"split {rec_split!r} must be 'train' or 'holdout'", path=where, line=n, field="split")
        rows.append(
            {
                "text": body,
                "label": label,
                "kind": kind,
                "conflict": str(obj.get("conflict") or ""),
                "split": rec_split,
            }
        )
    if not rows:
        raise InputDataError("no labelled records; the file is empty", path=where)
    frame = pd.DataFrame(rows, columns=["text", "label", "kind", "conflict", "split"])
    if split != "all":
        frame = frame[frame["split"] == split].reset_index(drop=True)
    return frame


def targets_from_labels(
    labels: pd.Series, conflicts: pd.Series | None = None, conflict: str | None = None
) -> pd.DataFrame:
    """Binary targets of each label: ``hawkish``, ``peace`` and ``relevant``.

    ``mixed`` is both hawkish and peace; every label but ``off_topic`` is relevant. With
    ``conflict`` (a corpus tag such as ``"russia-ukraine"``) and the records' ``conflicts``,
    relevant means relevant to that conflict: not ``off_topic`` and tagged with it (a record
    with an empty tag counts by its label alone).

    Examples
    --------
    >>> import pandas as pd
    >>> labels = pd.Series(["peace", "peace", "off_topic", "hawkish"])
    >>> tags = pd.Series(["russia-ukraine", "sudan", "none", ""])
    >>> targets_from_labels(labels, tags, "russia-ukraine")["relevant"].tolist()
    [1, 0, 0, 1]
    """
    lab = labels.astype(str)
    relevant = lab != "off_topic"
    if conflict is not None and conflicts is not None:
        tag = conflicts.fillna("").astype(str).to_numpy()
        relevant = relevant & ((tag == conflict) | (tag == ""))
    return pd.DataFrame(
        {
            "hawkish": lab.isin(["hawkish", "mixed"]).astype(int),
            "peace": lab.isin(["peace", "mixed"]).astype(int),
            "relevant": relevant.astype(int),
        },
        index=labels.index,
    )
