"""LLMScorer against a fake OpenAI-compatible server on 127.0.0.1 (no test reaches the internet)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

from georisk.errors import ConfigError
from georisk.scoring import SCORE_COLUMNS, LLMBudgetError, LLMScorer, load_prompt, score_articles
from georisk.scoring._llm import check_answer

SECRET = "sk-test-DO-NOT-LEAK-1234567890"


def _answer(text: str) -> dict[str, Any]:
    words = text.split()
    return {
        "hawkish_threat": 0.2,
        "hawkish_act": 0.8 if "strike" in text.lower() else 0.1,
        "peace_trade": 0.6 if "talks" in text.lower() else 0.05,
        "relevance": 0.9,
        "energy": 0.0,
        "defense": 0.3,
        "grain": 0.0,
        "sanctions": 0.0,
        "evidence": [" ".join(words[:3])],
    }


class FakeChat(BaseHTTPRequestHandler):
    """A scripted chat-completions endpoint: the article's marker word picks the behaviour."""

    seen: ClassVar[Counter[str]] = Counter()
    bodies: ClassVar[list[dict[str, Any]]] = []
    auth: ClassVar[list[str]] = []
    lock = threading.Lock()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, code: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client's deadline passed
            self.wfile.write(data)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        text = body["messages"][1]["content"]
        with self.lock:
            FakeChat.seen[text] += 1
            FakeChat.bodies.append(body)
            FakeChat.auth.append(self.headers.get("Authorization", ""))
            n = FakeChat.seen[text]
        answer = _answer(text)
        finish = "stop"
        if "SLOW" in text:
            time.sleep(1.0)
        if "FIVEHUNDRED" in text:
            return self._send(500, {"error": "boom"})
        if "FOURHUNDRED" in text:
            return self._send(400, {"error": "bad request"})
        if "RATE" in text and n == 1:
            return self._send(429, {"error": "slow down"}, {"Retry-After": "0"})
        content = json.dumps(answer)
        if "BADJSON" in text:
            content = "Sure! Here are the scores: hawkish high"
        elif "RANGE" in text:
            content = json.dumps({**answer, "hawkish_act": 1.7})
        elif "MISSING" in text:
            content = json.dumps({k: v for k, v in answer.items() if k != "relevance"})
        elif "INVENT" in text:
            content = json.dumps({**answer, "evidence": [*answer["evidence"], "tanks rolled into Paris"]})
        elif "TRUNC" in text:
            content, finish = content[:40], "length"
        self._send(
            200,
            {
                "choices": [{"message": {"role": "assistant", "content": content}, "finish_reason": finish}],
                "usage": {"prompt_tokens": 100, "completion_tokens": 50},
            },
        )


@pytest.fixture
def server() -> Iterator[str]:
    FakeChat.seen = Counter()
    FakeChat.bodies = []
    FakeChat.auth = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeChat)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


MATRIX = {
    "valid": "Russian missile strike hits Kyiv power plant overnight.",
    "talks": "Envoys resume talks in Istanbul on a prisoner exchange.",
    "invent": "INVENT Kremlin warns of retaliation over drone strike.",
    "rate": "RATE Ukraine says strike destroyed an ammunition depot.",
    "badjson": "BADJSON Moscow and Kyiv trade accusations.",
    "range": "RANGE Shelling continues near Bakhmut.",
    "missing": "MISSING Sanctions on Russian oil widened.",
    "trunc": "TRUNC Grain corridor deal extended.",
    "slow": "SLOW Zelensky meets allies in Brussels.",
    "http500": "FIVEHUNDRED Kremlin comments on talks.",
    "http400": "FOURHUNDRED Front line quiet near Kherson.",
}


def _articles() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": list(MATRIX),
            "published_at": pd.Timestamp("2024-01-02", tz="UTC"),
            "text": list(MATRIX.values()),
        }
    )


def _scorer(url: str, tmp_path: Path, **kw: Any) -> LLMScorer:
    params: dict[str, Any] = {
        "base_url": url,
        "model": "fake-model",
        "api_key_env": "GEORISK_TEST_LLM_KEY",
        "cache": tmp_path / "llm_cache.parquet",
        "timeout": 0.3,
        "retries": 2,
        "backoff": 0.01,
        "concurrency": 4,
    }
    params.update(kw)
    return LLMScorer(**params)


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("GEORISK_TEST_LLM_KEY", SECRET)
    return SECRET


def test_matrix_of_answers(server: str, tmp_path: Path, key: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    scorer = _scorer(server, tmp_path).fit()
    out = score_articles(_articles(), scorer)
    ok = out.set_index("id")[SCORE_COLUMNS].notna().all(axis=1)
    assert ok.to_dict() == {
        "valid": True,
        "talks": True,
        "invent": True,
        "rate": True,
        "badjson": False,
        "range": False,
        "missing": False,
        "trunc": False,
        "slow": False,
        "http500": False,
        "http400": False,
    }
    # failed articles are NaN, never a default; each has its reason
    reasons = scorer.errors_.set_index("id")["reason"].to_dict()
    assert set(reasons) == {"badjson", "range", "missing", "trunc", "slow", "http500", "http400"}
    assert "not valid JSON" in reasons["badjson"]
    assert "hawkish_act=1.7" in reasons["range"]
    assert "relevance" in reasons["missing"]
    assert "truncated" in reasons["trunc"]
    assert "deadline" in reasons["slow"] and "after 2 retries" in reasons["slow"]
    assert reasons["http500"] == "HTTP 500 after 2 retries"
    assert "HTTP 400" in reasons["http400"] and "not retried" in reasons["http400"]
    # 429 then OK: retried once; 500 and the slow call: 1 + 2 retries; 400: asked once
    assert FakeChat.seen[MATRIX["rate"]] == 2
    assert FakeChat.seen[MATRIX["http500"]] == 3
    assert FakeChat.seen[MATRIX["slow"]] == 3
    assert FakeChat.seen[MATRIX["http400"]] == 1
    # the invented quote is dropped and counted; the real one kept
    ev = out.set_index("id")["evidence"]
    assert '"INVENT Kremlin warns"' in ev["invent"] and "Paris" not in ev["invent"]
    assert "dropped 1 quote" in ev["invent"]
    assert scorer.usage_["dropped_quotes"] == 1
    assert ev["badjson"].startswith("llm:fake-model@") and "error" in ev["badjson"]
    # derived tilt and values
    row = out.set_index("id").loc["valid"]
    assert row["hawkish_tilt"] == pytest.approx(1 - 0.8 * 0.2)
    assert row["hawkish_act"] == pytest.approx(0.8)
    # provenance with every score
    assert out.attrs["provenance"]["prompt_sha256"] == scorer.prompt_sha256_
    assert all(e.startswith(f"llm:fake-model@{scorer.prompt_sha256_[:12]}") for e in ev)
    # tokens and cost counted from usage, for every answer that came back
    # 8 answers came back (3 articles got none: slow, 500, 400), 100 prompt tokens each
    assert scorer.usage_["calls"] == len(MATRIX) and scorer.usage_["prompt_tokens"] == 800
    assert scorer.usage_["cache_misses"] == len(MATRIX) and scorer.usage_["cache_hits"] == 0
    # the key went to the server, and nowhere else
    assert FakeChat.auth[0] == f"Bearer {SECRET}"
    assert key not in repr(scorer) and key not in caplog.text and key not in scorer.errors_.to_string()
    assert key not in out.to_string() and key not in scorer.summary() and key not in str(scorer.get_params())


def test_request_is_structured_and_deterministic(server: str, tmp_path: Path, key: str) -> None:
    scorer = _scorer(server, tmp_path).fit()
    scorer.transform([MATRIX["valid"]])
    body = FakeChat.bodies[0]
    assert body["temperature"] == 0 and body["model"] == "fake-model"
    assert body["response_format"]["type"] == "json_schema"
    schema = body["response_format"]["json_schema"]["schema"]
    assert set(schema["required"]) >= {"hawkish_threat", "relevance", "evidence"}
    system = body["messages"][0]["content"]
    assert hashlib.sha256(system.encode()).hexdigest() == scorer.prompt_sha256_
    assert "Russia-Ukraine" in system and scorer.prompt_version_ == 1


@pytest.mark.slow
def test_rerun_is_served_from_the_cache(server: str, tmp_path: Path, key: str) -> None:
    articles = _articles()
    first = _scorer(server, tmp_path).fit()
    a = first.transform(articles)
    asked = sum(FakeChat.seen.values())
    second = _scorer(server, tmp_path).fit()
    b = second.transform(articles)
    pd.testing.assert_frame_equal(a, b)
    # the 4 valid answers are hits; the 7 failures are asked again (never cached)
    assert second.usage_["cache_hits"] == 4 and second.usage_["cache_misses"] == 7
    assert sum(FakeChat.seen.values()) - asked == second.usage_["calls"] + second.usage_["retries"]
    good = articles[~articles["id"].isin(first.errors_["id"])]
    third = _scorer(server, tmp_path).fit()
    third.transform(good)
    assert third.usage_["calls"] == 0 and third.usage_["cost"] == 0 and third.usage_["cache_hits"] == len(good)
    assert "100%" in third.summary()
    # another prompt, text or model is another key
    changed = good.assign(text=good["text"] + " Updated.")
    fourth = _scorer(server, tmp_path).fit()
    fourth.transform(changed)
    assert fourth.usage_["cache_hits"] == 0
    assert not list(tmp_path.glob(".*.tmp"))  # atomic write leaves no temporary file


def test_max_cost_stops_before_the_budget(server: str, tmp_path: Path, key: str) -> None:
    texts = [f"Russian strike number {i} hits Kharkiv." for i in range(12)]
    kw = {"price_prompt_per_1k": 1.0, "price_completion_per_1k": 2.0, "max_tokens": 50, "concurrency": 2}
    # each answer costs 0.1 + 0.1 = 0.2; the bound of one call is about 0.26 (long prompt / 3 + 50 tokens)
    scorer = _scorer(server, tmp_path, max_cost=1.0, **kw).fit()
    bound = scorer._estimate_cost(texts[0])
    assert bound >= 0.2
    with pytest.raises(LLMBudgetError, match="max_cost=1") as info:
        scorer.transform(texts)
    assert info.value.usage["cost"] <= 1.0
    paid = int(scorer.usage_["calls"])
    assert 0 < paid < len(texts)
    # what was paid for is cached: a rerun with a larger budget pays only for the rest
    again = _scorer(server, tmp_path, max_cost=10.0, **kw).fit()
    out = again.transform(texts)
    assert out.notna().all().all()
    assert again.usage_["cache_hits"] == paid and again.usage_["calls"] == len(texts) - paid


def test_missing_key_and_bad_params(server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEORISK_TEST_LLM_KEY", raising=False)
    with pytest.raises(ConfigError, match="GEORISK_TEST_LLM_KEY"):
        _scorer(server, tmp_path).fit().transform(["Kyiv under attack."])
    # a server without a key: api_key_env = ""
    out = _scorer(server, tmp_path, api_key_env="").fit().transform(["Kyiv under attack."])
    assert out.notna().all().all() and FakeChat.auth[-1] == ""
    with pytest.raises(ConfigError, match="model"):
        LLMScorer(model="").fit()
    with pytest.raises(ConfigError, match="concurrency"):
        LLMScorer(model="m", concurrency=0).fit()


def test_unreachable_endpoint_is_an_error_per_article(tmp_path: Path, key: str) -> None:
    scorer = _scorer("http://127.0.0.1:9/v1", tmp_path, retries=1).fit()
    out = scorer.transform(["Kyiv under attack."])
    assert out.isna().all().all()
    assert "connection failed" in scorer.errors_["reason"].iloc[0]


def test_check_answer() -> None:
    good = json.dumps(_answer("Envoys resume talks in Istanbul"))
    scores, quotes, dropped = check_answer(good, "ENVOYS  resume talks in Istanbul today")
    assert quotes == ["Envoys resume talks"] and dropped == 0 and scores["peace_trade"] == 0.6
    for bad, why in [
        ("[1, 2]", "not an object"),
        (json.dumps({**_answer("x"), "energy": True}), "energy"),
        (json.dumps({**_answer("x"), "energy": float("nan")}), "energy"),
        (json.dumps({**_answer("x"), "grain": -0.1}), "grain"),
        (json.dumps({**_answer("x"), "evidence": "x"}), "evidence"),
    ]:
        with pytest.raises(ValueError, match=why):
            check_answer(bad, "x")


def test_prompt_lives_in_the_conflict_file(tmp_path: Path) -> None:
    prompt, version, sha = load_prompt()
    assert version == 1 and "Russia-Ukraine" in prompt
    mine = tmp_path / "mine.toml"
    mine.write_text(
        '[conflict]\nname = "Mine"\nextends = "vocabulary"\nactors = ["ruritania"]\n'
        '[llm]\nprompt_version = 2\nprompt = "Rate {conflict} news."\n',
        encoding="utf-8",
    )
    p2, v2, s2 = load_prompt(mine)
    assert (p2, v2) == ("Rate Mine news.", 2) and s2 != sha
    assert np.isfinite(len(p2))


def test_config_picks_the_scorer(monkeypatch: pytest.MonkeyPatch, sample: Any) -> None:
    import georisk.scoring
    from georisk.config import GeoriskConfig, ScoringConfig
    from georisk.pipeline import compute_stages
    from georisk.scoring import LexiconScorer, SupervisedScorer, scorer_from_config

    assert ScoringConfig().scorer == "blend" and scorer_from_config(ScoringConfig()) is None
    assert isinstance(scorer_from_config(ScoringConfig(scorer="lexicon")), LexiconScorer)
    assert isinstance(scorer_from_config(ScoringConfig(scorer="supervised", conflict="china_taiwan")), SupervisedScorer)
    cfg = ScoringConfig.model_validate(
        {"scorer": "llm", "llm": {"model": "m", "base_url": "http://127.0.0.1:1/v1", "max_cost": 2.5, "cache": "c.pq"}}
    )
    llm = scorer_from_config(cfg)
    assert isinstance(llm, LLMScorer) and llm.max_cost == 2.5 and llm.cache == "c.pq" and llm.model == "m"
    with pytest.raises(ValueError, match="api_key"):
        ScoringConfig.model_validate({"llm": {"api_key": "sk-no"}})  # the key never lives in the config

    seen: dict[str, Any] = {}

    class Stop(Exception):
        pass

    def spy(articles: Any, scorer: Any = None, **kw: Any) -> Any:
        seen.update(scorer=scorer, **kw)
        raise Stop

    monkeypatch.setattr(georisk.scoring, "score_articles", spy)
    config = GeoriskConfig.model_validate({"scoring": {"scorer": "llm", "llm": {"model": "m"}}})
    with pytest.raises(Stop):
        compute_stages(config, sample.articles, sample.prices)
    assert isinstance(seen["scorer"], LLMScorer) and seen["conflict"] == "russia_ukraine"


@pytest.mark.slow
def test_cli_scores_with_the_llm_and_stops_at_max_cost(
    server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from georisk.cli import main

    cfg = tmp_path / "georisk.toml"
    cache = tmp_path / "cache.parquet"
    cfg.write_text(
        f'[scoring]\nscorer = "llm"\n[scoring.llm]\nmodel = "fake-model"\nbase_url = "{server}"\n'
        f'api_key_env = ""\ncache = "{cache.as_posix()}"\nconcurrency = 8\n'
        "price_prompt_per_1k = 1.0\nprice_completion_per_1k = 1.0\n",
        encoding="utf-8",
    )
    out = tmp_path / "scores.csv"
    assert (
        main(["score", "--scorer", "llm", "--config", str(cfg), "--sample", "--max-cost", "3", "--out", str(out)]) == 9
    )
    err = capsys.readouterr().err
    assert "max_cost=3" in err and "cost" in err and not out.exists()
    paid = len(pd.read_parquet(cache))
    assert 0 < paid <= 20  # about 0.15 per answer, bounded at about 0.6 per call
    assert main(["score", "--scorer", "llm", "--config", str(cfg), "--sample", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"{paid} cache hits" in err
    scores = pd.read_csv(out)
    assert scores["evidence"].str.startswith("llm:fake-model@").all()


def test_llm_scorer_is_not_sent_to_worker_processes() -> None:
    frame = pd.DataFrame({"published_at": pd.Timestamp("2024-01-02", tz="UTC"), "text": ["Kyiv."]})
    with pytest.raises(ConfigError, match="n_jobs=2"):
        score_articles(frame, LLMScorer(model="m"), n_jobs=2)
