"""Distillation on real headlines, labelled by a FAKE language model (a scripted keyword server).

    python benchmarks/llm_distill_fake.py [--shared PATH] [--sample 1500] [--seed 0]

THE TEACHER IS A FAKE. No language model is called: a scripted OpenAI-compatible server
on 127.0.0.1 answers every chat-completions request with scores from a few keyword lists
written for this script (escalation acts, threats, de-escalation, names of the two
countries). It exercises the whole route of ``georisk.scoring.LLMScorer`` (HTTP,
structured answers, validation, invented quotes dropped, token counting, the Parquet
cache) and of ``georisk.scoring.distill`` on a sample of the real dated headlines in
``../shared/data`` (loaded by ``shared_data.load_headlines``). The agreement it prints is
agreement with the keyword script, not with a language model: it shows the machinery
works, not how good a real model or the distilled scorer would be.

Steps: score the sample with the fake teacher (cold cache), distill the supervised scorer
on the shipped corpus plus the teacher's labels, print agreement on the held-out part
(shipped scorer and distilled scorer), save and reload the distilled scorer (.npz), then
score the same sample again with a new scorer on the same cache and print the hit rate.

Exits with a message (status 0) when ``../shared/data`` is absent. Nothing is written to
the repository (the cache and the saved scorer go to a temporary folder).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

# the fake teacher's keyword lists (stems, matched at word starts, case-insensitive)
ACTS = ["strike", "struck", "shell", "missile", "drone", "attack", "bomb", "kill", "explosion", "offensive", "invade"]
THREATS = ["warn", "threat", "nuclear", "ultimatum", "mobilis", "mobiliz", "escalat", "retaliat", "troops mass"]
PEACE = ["talks", "ceasefire", "truce", "negotiat", "peace", "prisoner swap", "prisoner exchange", "agreement", "deal"]
NAMES = ["russia", "ukrain", "kyiv", "kiev", "moscow", "kremlin", "putin", "zelensk", "donbas", "crimea", "kharkiv"]
ENERGY = ["gas", "oil", "energy", "power plant", "pipeline"]


def _hits(text: str, stems: list[str]) -> list[str]:
    found = []
    for stem in stems:
        m = re.search(r"\b" + re.escape(stem) + r"\w*", text, flags=re.IGNORECASE)
        if m:
            found.append(m.group(0))
    return found


def fake_answer(text: str, n: int) -> dict[str, Any]:
    """The scripted answer to one article (every 17th request also invents a quote)."""
    acts, threats, peace = _hits(text, ACTS), _hits(text, THREATS), _hits(text, PEACE)
    names, energy = _hits(text, NAMES), _hits(text, ENERGY)
    evidence = (acts + threats + peace + names)[:8]
    if n % 17 == 0:
        evidence.append("a quote the article does not contain")
    return {
        "hawkish_threat": min(1.0, 0.45 * len(threats)),
        "hawkish_act": min(1.0, 0.6 * len(acts)),
        "peace_trade": min(1.0, 0.6 * len(peace)),
        "relevance": 0.9 if names else 0.1,
        "energy": 0.7 if energy else 0.0,
        "defense": 0.5 if acts else 0.0,
        "grain": 0.7 if re.search(r"\bgrain", text, re.IGNORECASE) else 0.0,
        "sanctions": 0.7 if re.search(r"\bsanction", text, re.IGNORECASE) else 0.0,
        "evidence": evidence,
    }


class FakeModel(BaseHTTPRequestHandler):
    """A scripted chat-completions endpoint: NOT a language model."""

    count = 0
    lock = threading.Lock()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        text = body["messages"][1]["content"]
        with FakeModel.lock:
            FakeModel.count += 1
            n = FakeModel.count
        answer = {
            "choices": [{"message": {"content": json.dumps(fake_answer(text, n))}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(body["messages"][0]["content"] + text) // 4, "completion_tokens": 60},
        }
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--sample", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not args.shared.is_dir():
        print(f"{args.shared} is absent; nothing to do")
        return 0
    from shared_data import load_headlines

    from georisk.scoring import LLMScorer, distill, load_distilled, save_distilled

    articles, _ = load_headlines(args.shared)
    print(f"headlines: {len(articles)}; sample {min(args.sample, len(articles))} (seed {args.seed})")
    print("TEACHER: a FAKE, scripted keyword server on 127.0.0.1 -- not a language model")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeModel)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "llm_cache.parquet"
        params: dict[str, Any] = {
            "base_url": url,
            "model": "fake-keyword-script",
            "api_key_env": "",
            "cache": cache,
            "concurrency": 8,
            "price_prompt_per_1k": 0.00015,
            "price_completion_per_1k": 0.0006,
        }
        teacher = LLMScorer(**params)
        t0 = time.perf_counter()
        result = distill(articles, teacher, n_sample=args.sample, holdout=0.3, random_state=args.seed)
        took = time.perf_counter() - t0
        print(f"cold run: {teacher.summary()}")
        print(f"distill took {took:.1f} s; {result.provenance}")
        print("labels:", result.labelled["label"].value_counts().to_dict())
        print("\nagreement with the FAKE teacher on the held-out part:")
        print(result.agreement.round(3).to_string())
        saved = save_distilled(result.scorer, Path(tmp) / "distilled.npz", result.provenance)
        loaded = load_distilled(saved)
        texts = result.labelled["text"].tolist()[:200]
        same = (loaded.transform(texts) - result.scorer.transform(texts)).abs().to_numpy().max()
        print(f"\nsaved {saved.stat().st_size / 1e6:.1f} MB (.npz, no pickle); reloaded max |diff| = {same:.2g}")
        rerun = LLMScorer(**params).fit()
        again = articles[articles["id"].astype(str).isin(set(result.labelled["id"]))]
        rerun.transform(again)
        hits, misses = rerun.usage_["cache_hits"], rerun.usage_["cache_misses"]
        print(f"rerun on the same {len(again)} articles: {rerun.summary()}")
        print(f"cache hit rate on rerun: {hits / max(hits + misses, 1):.1%}")
    httpd.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
