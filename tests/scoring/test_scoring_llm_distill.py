"""Distillation of the fast scorer from a (fake, scripted) language model, and its safe save format."""

from __future__ import annotations

import threading
import zipfile
from collections import Counter
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from georisk.scoring import LLMScorer, SupervisedScorer, distill, load_distilled, save_distilled, score_articles
from tests.scoring.test_scoring_llm import FakeChat


@pytest.fixture
def url() -> Iterator[str]:
    FakeChat.seen = Counter()
    FakeChat.bodies = []
    FakeChat.auth = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeChat)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def _articles(n: int = 120) -> pd.DataFrame:
    places = ["Kharkiv", "Odesa", "Kherson", "Sumy", "Dnipro", "Lviv"]
    texts = []
    for i in range(n):
        place = places[i % len(places)]
        kind = i % 3
        if kind == 0:
            texts.append(f"Russian drone strike hits {place} energy site, officials say ({i}).")
        elif kind == 1:
            texts.append(f"Negotiators hold talks on {place} prisoner exchange, mediators say ({i}).")
        else:
            texts.append(f"City council of {place} debates budget for schools ({i}).")
    texts[5] = "BADJSON " + texts[5]
    return pd.DataFrame({"id": [f"a{i}" for i in range(n)], "text": texts})


def test_distill_refits_reports_agreement_and_round_trips(url: str, tmp_path: Path) -> None:
    teacher = LLMScorer(base_url=url, model="fake-model", api_key_env="", cache=tmp_path / "c.parquet", retries=0)
    result = distill(_articles(), teacher, n_sample=100, holdout=0.3, random_state=1)
    assert isinstance(result.scorer, SupervisedScorer)
    # one sampled article (if drawn) failed and was left out, with its reason
    assert len(result.labelled) + len(result.errors) == 100
    assert set(result.labelled["split"]) == {"train", "holdout"}
    assert result.provenance["prompt_sha256"] == teacher.prompt_sha256_
    agree = result.agreement
    assert set(agree.index.get_level_values("scorer")) == {"shipped", "distilled"}
    assert agree.loc[("hawkish", "distilled"), "roc_auc"] > 0.9
    assert agree.loc[("peace", "distilled"), "accuracy"] > 0.8
    # safe format: a zip of .npy arrays that loads without pickle, scoring the same
    path = save_distilled(result.scorer, tmp_path / "distilled.npz", result.provenance)
    with zipfile.ZipFile(path) as zf:
        assert all(n.endswith(".npy") for n in zf.namelist())
    loaded = load_distilled(path)
    texts = result.labelled["text"].tolist()[:20]
    np.testing.assert_allclose(loaded.transform(texts).to_numpy(), result.scorer.transform(texts).to_numpy())
    assert loaded.provenance_["model"] == "fake-model"
    frame = pd.DataFrame({"published_at": pd.Timestamp("2024-01-02", tz="UTC"), "text": texts})
    assert score_articles(frame, loaded).attrs["provenance"]["prompt_sha256"] == teacher.prompt_sha256_
    # a rerun of the teacher pays nothing: every sampled article that was answered is cached
    again = LLMScorer(base_url=url, model="fake-model", api_key_env="", cache=tmp_path / "c.parquet", retries=0)
    again.fit().transform(_articles().iloc[[i for i in range(120) if i != 5]])
    assert again.usage_["cache_hits"] == len(result.labelled)


def test_load_refuses_other_files(tmp_path: Path) -> None:
    from georisk.errors import ConfigError

    bad = tmp_path / "x.npz"
    np.savez(bad, meta=np.asarray('{"format": "other"}'))
    with pytest.raises(ConfigError, match="not a distilled scorer"):
        load_distilled(bad)
    (tmp_path / "y.npz").write_bytes(b"not a zip")
    with pytest.raises(ConfigError, match="not a distilled scorer"):
        load_distilled(tmp_path / "y.npz")


def test_cli_distill(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from georisk.cli import main

    cfg = tmp_path / "georisk.toml"
    cfg.write_text(
        f'[scoring.llm]\nmodel = "fake-model"\nbase_url = "{url}"\napi_key_env = ""\n'
        f'cache = "{(tmp_path / "c.parquet").as_posix()}"\n',
        encoding="utf-8",
    )
    out = tmp_path / "d.npz"
    assert main(["scoring", "distill", "--config", str(cfg), "--use-sample", "--sample", "80", "--out", str(out)]) == 0
    text = capsys.readouterr()
    assert "agreement on" in text.out and "distilled" in text.out and "roc_auc" in text.out
    assert "80 calls" in text.err
    assert load_distilled(out).provenance_["model"] == "fake-model"
    assert main(["scoring", "distill", "--config", str(cfg), "--out", str(tmp_path / "d.pkl")]) == 2


def test_cli_evaluate_scorers_side_by_side(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from georisk.cli import main

    labels = tmp_path / "labels.jsonl"
    rows = [
        ("Russian missile strike hits Kyiv apartment block.", "hawkish"),
        ("Drone strike sets Odesa port on fire.", "hawkish"),
        ("Envoys hold talks in Istanbul on a prisoner exchange.", "peace"),
        ("Kyiv and Moscow agree to resume talks on grain.", "peace"),
        ("Apple unveils a new phone in California.", "off_topic"),
        ("Kharkiv city council debates school budget.", "neutral"),
    ]
    labels.write_text("".join(json.dumps({"text": t, "label": lab}) + "\n" for t, lab in rows), encoding="utf-8")
    model = save_distilled(SupervisedScorer(char_ngrams=False).fit(), tmp_path / "m.npz")
    cfg = tmp_path / "georisk.toml"
    cfg.write_text(f'[scoring.llm]\nmodel = "fake-model"\nbase_url = "{url}"\napi_key_env = ""\n', encoding="utf-8")
    argv = ["evaluate-scorer", str(labels), "--scorer", "lexicon,llm", "--distilled", str(model), "--config", str(cfg)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    header, *body = out.splitlines()[:5]
    assert "hawkish_auc" in header and "texts_per_s" in header and "errors" in header
    assert [line.split()[0] for line in body[1:4]] == ["lexicon", "llm", "distilled"]
    assert "llm: confusion" in out
    assert main(["evaluate-scorer", str(labels), "--scorer", "lexicon,gpt"]) == 2
