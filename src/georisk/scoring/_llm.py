"""A language-model scorer: any OpenAI-compatible chat-completions endpoint, cached, validated, budgeted."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import re
import time
import urllib.error
import urllib.request
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from georisk.errors import ConfigError, GeoriskError
from georisk.scoring._lexicon import SCORE_COLUMNS, texts_of
from georisk.scoring._llm_cache import Key, LLMCache

__all__ = [
    "ANSWER_KEYS",
    "ANSWER_SCHEMA",
    "LLMBudgetError",
    "LLMScorer",
    "load_prompt",
]

log = logging.getLogger("georisk.scoring.llm")

#: Numbers the model must return, each in [0, 1]; ``hawkish_tilt`` is derived from the two hawkish ones.
ANSWER_KEYS = ("hawkish_threat", "hawkish_act", "peace_trade", "relevance", "energy", "defense", "grain", "sanctions")
#: The JSON schema sent as ``response_format`` (structured output).
ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        **{k: {"type": "number", "minimum": 0, "maximum": 1} for k in ANSWER_KEYS},
        "evidence": {"type": "array", "items": {"type": "string"}},
    },
    "required": [*ANSWER_KEYS, "evidence"],
    "additionalProperties": False,
}
_RETRY_CODES = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
_SPACE = re.compile(r"\s+")
_QUOTE_EDGES = " \t\n\"'\u201c\u201d\u2018\u2019.,;:"


class LLMBudgetError(GeoriskError, RuntimeError):
    """A run stopped before its next call could take the cost over ``max_cost``.

    Answers paid for before the stop are in the cache, so a rerun with a larger budget
    pays only for the rest. ``usage`` holds the run's counts and cost. The command line
    exits with code 9.
    """

    exit_code = 9

    def __init__(self, message: str, usage: dict[str, float]) -> None:
        super().__init__(message)
        self.usage = usage


def load_prompt(conflict: Any = None) -> tuple[str, int, str]:
    """The ``[llm]`` prompt of a conflict file, its version and its SHA-256.

    Parameters
    ----------
    conflict : str or pathlib.Path, optional
        A shipped conflict's name or the path of a conflict file; Russia-Ukraine when None.
        A file without an ``[llm]`` table of its own inherits the one of the file it
        extends (the shipped vocabulary has version 1).

    Returns
    -------
    (prompt, version, sha256)
        The prompt with ``{conflict}`` replaced by the conflict's name, its
        ``prompt_version``, and the hex SHA-256 of the prompt's UTF-8 bytes.

    Examples
    --------
    >>> prompt, version, sha = load_prompt("china_taiwan")
    >>> version, "China-Taiwan" in prompt, len(sha)
    (1, True, 64)
    """
    from georisk.scoring._conflict import DEFAULT_CONFLICT, Lexicon, _load_data, load_lexicon

    if isinstance(conflict, Lexicon):
        if not conflict.source:
            raise ConfigError("this Lexicon was built in code and has no file to read an [llm] prompt from")
        conflict = conflict.source
    source = DEFAULT_CONFLICT if conflict is None else conflict
    data, where = _load_data(source, None, ())
    table = data.get("llm")
    if not isinstance(table, dict) or not isinstance(table.get("prompt"), str) or not table["prompt"].strip():
        raise ConfigError(
            f"conflict file {where} has no [llm] prompt; add [llm] prompt_version = 1 and prompt = '''...''', "
            "or extend the shipped vocabulary (extends = 'vocabulary')"
        )
    version = table.get("prompt_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ConfigError(f"conflict file {where}: [llm] prompt_version={version!r} must be an integer >= 1")
    name = load_lexicon(source).name
    prompt = table["prompt"].strip().replace("{conflict}", name)
    return prompt, version, hashlib.sha256(prompt.encode("utf-8")).hexdigest()


def _norm(text: str) -> str:
    out = text.casefold().replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return _SPACE.sub(" ", out).strip()


def check_answer(content: str, article: str) -> tuple[dict[str, float], list[str], int]:
    """Parse and validate one answer; return its scores, the quotes found in ``article``, and how many were dropped.

    Raises
    ------
    ValueError
        With the reason, when the answer is not a JSON object, lacks a key, has a
        number that is not finite or not in [0, 1], or evidence that is not a list of strings.
    """
    try:
        obj = json.loads(content)
    except json.JSONDecodeError as exc:
        raise ValueError(f"answer is not valid JSON ({exc.msg} at char {exc.pos})") from exc
    if not isinstance(obj, dict):
        raise ValueError(f"answer is a JSON {type(obj).__name__}, not an object")
    missing = [k for k in (*ANSWER_KEYS, "evidence") if k not in obj]
    if missing:
        raise ValueError(f"answer lacks key(s) {missing}")
    scores: dict[str, float] = {}
    for k in ANSWER_KEYS:
        v = obj[k]
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or not 0.0 <= v <= 1.0:
            raise ValueError(f"{k}={v!r} is not a number in [0, 1]")
        scores[k] = float(v)
    quotes = obj["evidence"]
    if not isinstance(quotes, list) or not all(isinstance(q, str) for q in quotes):
        raise ValueError("evidence is not a list of strings")
    body = _norm(article)
    kept: list[str] = []
    for q in quotes:
        clean = _norm(q).strip(_QUOTE_EDGES)
        if clean and clean in body:
            kept.append(_SPACE.sub(" ", q).strip().strip(_QUOTE_EDGES))
    return scores, kept, len(quotes) - len(kept)


class LLMScorer(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Score articles with a language model behind any OpenAI-compatible chat-completions endpoint.

    Each article is sent once, with the conflict file's ``[llm]`` prompt as the system
    message, at temperature 0, asking for structured output (``response_format`` with the
    JSON schema :data:`ANSWER_SCHEMA`). Every answer is parsed and checked: the eight
    numbers present and in [0, 1], the evidence a list of quotes. A quote that is not in the
    article (case and spacing aside) is dropped and counted; an answer that fails the check
    (invalid or truncated JSON, a missing key, a number out of range, an HTTP error after
    the retries) leaves the article unscored (NaN) with its reason in :attr:`errors_`,
    never a made-up default. Validated answers go to a cache keyed by (model, prompt
    SHA-256, article id, text SHA-256), so a rerun pays nothing for what it has seen.

    Parameters
    ----------
    base_url : str, default "http://127.0.0.1:8000/v1"
        The endpoint's base URL; ``/chat/completions`` is appended (vLLM, llama.cpp's
        server, Ollama's ``/v1``, hosted services).
    model : str, default ""
        The model name the endpoint serves; required.
    api_key_env : str, default "OPENAI_API_KEY"
        The NAME of the environment variable holding the API key; the key itself is read
        when a call is made and never stored, logged or shown. ``""`` for a server
        without a key.
    conflict : str or pathlib.Path, optional
        The conflict file (shipped name or path) whose ``[llm]`` prompt is used and whose
        name is put in it; Russia-Ukraine when None.
    cache : str or pathlib.Path, optional
        The Parquet cache file; an in-memory cache when None.
    max_cost : float, optional
        Budget of one run in the currency of the prices: before each call the cost so far
        plus the calls in flight plus a bound on this call's cost is compared with it, and
        the run stops with :class:`LLMBudgetError` rather than exceed it. No limit when None.
    price_prompt_per_1k, price_completion_per_1k : float, default 0.0
        Prices per 1000 prompt and completion tokens (as reported in ``usage``).
    concurrency : int, default 4
        Calls in flight at once (threads).
    timeout : float, default 60.0
        Deadline of one HTTP call in seconds.
    retries : int, default 3
        Retries of a call that timed out, failed to connect or got 429 or 5xx, with
        exponential backoff (``backoff * 2**attempt`` seconds, or the server's
        ``Retry-After`` when shorter than 30 s).
    backoff : float, default 0.5
        First backoff delay in seconds.
    max_tokens : int, default 400
        Completion tokens allowed per answer (an answer cut at this length is an error).
    max_chars : int, default 6000
        Characters of each article sent (quotes are checked against the whole text).

    Attributes
    ----------
    prompt_ : str
    prompt_version_ : int
    prompt_sha256_ : str
        SHA-256 of the prompt, part of every cache key and of :attr:`provenance_`.
    provenance_ : dict
        ``model``, ``base_url``, ``prompt_version``, ``prompt_sha256``.
    usage_ : dict
        Since :meth:`fit`: ``calls``, ``retries``, ``prompt_tokens``, ``completion_tokens``,
        ``cost``, ``cache_hits``, ``cache_misses``, ``dropped_quotes``, ``errors``.
    errors_ : pandas.DataFrame
        Articles whose answer failed, since :meth:`fit`: ``id`` and ``reason``.

    Examples
    --------
    >>> scorer = LLMScorer(model="my-model", api_key_env="MY_KEY")
    >>> "MY_KEY" in repr(scorer)
    True
    """

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000/v1",
        model: str = "",
        api_key_env: str = "OPENAI_API_KEY",
        conflict: Any = None,
        cache: Any = None,
        max_cost: float | None = None,
        price_prompt_per_1k: float = 0.0,
        price_completion_per_1k: float = 0.0,
        concurrency: int = 4,
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 0.5,
        max_tokens: int = 400,
        max_chars: int = 6000,
    ) -> None:
        self.base_url = base_url
        self.model = model
        self.api_key_env = api_key_env
        self.conflict = conflict
        self.cache = cache
        self.max_cost = max_cost
        self.price_prompt_per_1k = price_prompt_per_1k
        self.price_completion_per_1k = price_completion_per_1k
        self.concurrency = concurrency
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_tokens = max_tokens
        self.max_chars = max_chars

    # ------------------------------------------------------------------ setup
    def fit(self, X: Any = None, y: Any = None) -> LLMScorer:
        """Check the parameters, load the prompt and open the cache; ``X`` and ``y`` are ignored.

        Returns
        -------
        LLMScorer
            ``self``, fitted, with usage and errors reset.
        """
        if not isinstance(self.model, str) or not self.model.strip():
            raise ConfigError("model='' : name the model the endpoint serves, e.g. model='llama3.1:8b'")
        if not isinstance(self.base_url, str) or not self.base_url.startswith(("http://", "https://")):
            raise ConfigError(f"base_url={self.base_url!r} must start with http:// or https://")
        for name, lo in (("concurrency", 1), ("retries", 0), ("max_tokens", 16), ("max_chars", 100)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < lo:
                raise ConfigError(f"{name}={v!r} must be an integer >= {lo}")
        for name in ("timeout", "backoff", "price_prompt_per_1k", "price_completion_per_1k"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | float) or v < 0 or (name == "timeout" and v == 0):
                raise ConfigError(f"{name}={v!r} must be a number >= 0 (timeout > 0)")
        if self.max_cost is not None and (not isinstance(self.max_cost, int | float) or self.max_cost < 0):
            raise ConfigError(f"max_cost={self.max_cost!r} must be a number >= 0 or None")
        if not isinstance(self.api_key_env, str):
            raise ConfigError("api_key_env must be the NAME of an environment variable, e.g. 'OPENAI_API_KEY'")
        self.prompt_, self.prompt_version_, self.prompt_sha256_ = load_prompt(self.conflict)
        self.provenance_ = {
            "scorer": "llm",
            "model": self.model,
            "base_url": self.base_url,
            "prompt_version": self.prompt_version_,
            "prompt_sha256": self.prompt_sha256_,
        }
        self.cache_ = self.cache if isinstance(self.cache, LLMCache) else LLMCache(self.cache)
        self.usage_: dict[str, float] = dict.fromkeys(
            (
                "calls",
                "retries",
                "prompt_tokens",
                "completion_tokens",
                "cost",
                "cache_hits",
                "cache_misses",
                "dropped_quotes",
                "errors",
            ),
            0,
        )
        self._errors: list[dict[str, str]] = []
        self._memo: dict[Key, tuple[str, Any]] = {}
        self.n_features_in_ = 1
        return self

    @property
    def errors_(self) -> pd.DataFrame:
        """Articles whose answer failed validation since :meth:`fit`: ``id`` and ``reason``."""
        return pd.DataFrame(getattr(self, "_errors", []), columns=["id", "reason"])

    def _ensure_fitted(self) -> None:
        if not hasattr(self, "prompt_sha256_"):
            self.fit()

    # ------------------------------------------------------------------ calls
    def _estimate_cost(self, text: str) -> float:
        """An upper bound of one call's cost: prompt tokens bounded by characters / 3, completion by ``max_tokens``."""
        prompt_tokens = (len(self.prompt_) + min(len(text), self.max_chars)) / 3.0 + 32
        return self._cost(prompt_tokens, self.max_tokens)

    def _cost(self, prompt_tokens: float, completion_tokens: float) -> float:
        return float(
            prompt_tokens / 1000.0 * self.price_prompt_per_1k
            + completion_tokens / 1000.0 * self.price_completion_per_1k
        )

    def _request(self, text: str, key: str | None) -> urllib.request.Request:
        body = {
            "model": self.model,
            "temperature": 0,
            "max_tokens": self.max_tokens,
            "messages": [
                {"role": "system", "content": self.prompt_},
                {"role": "user", "content": text[: self.max_chars]},
            ],
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "georisk_scores", "strict": True, "schema": ANSWER_SCHEMA},
            },
        }
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if key:
            headers["Authorization"] = "Bearer " + key
        url = self.base_url.rstrip("/") + "/chat/completions"
        return urllib.request.Request(url, data=json.dumps(body).encode("utf-8"), headers=headers, method="POST")

    def _call(self, text: str, key: str | None) -> dict[str, Any]:
        """One article: the HTTP call with retries; returns a record with ``content`` or ``error`` and usage."""
        req = self._request(text, key)
        retries = 0
        last = ""
        for attempt in range(self.retries + 1):
            wait_s = self.backoff * 2**attempt
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                    raw = resp.read()
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}"
                if exc.code not in _RETRY_CODES:
                    return {"error": f"{last} from the endpoint (not retried)", "retries": retries}
                after = exc.headers.get("Retry-After") if exc.headers else None
                if after is not None:
                    with contextlib.suppress(ValueError):
                        wait_s = min(max(float(after), 0.0), 30.0)
            except TimeoutError:
                last = f"no answer within the {self.timeout:g} s deadline"
            except (urllib.error.URLError, ConnectionError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                if isinstance(reason, TimeoutError):
                    last = f"no answer within the {self.timeout:g} s deadline"
                else:
                    last = f"connection failed ({type(reason).__name__})"
            else:
                return {**self._parse_envelope(raw), "retries": retries}
            if attempt < self.retries:
                retries += 1
                log.info("llm call failed (%s); retry %d of %d in %.2f s", last, retries, self.retries, wait_s)
                time.sleep(wait_s)
        return {"error": f"{last} after {retries} retries", "retries": retries}

    @staticmethod
    def _parse_envelope(raw: bytes) -> dict[str, Any]:
        try:
            env = json.loads(raw)
            choice = env["choices"][0]
            content = choice["message"]["content"]
            usage = env.get("usage") or {}
        except (ValueError, KeyError, IndexError, TypeError):
            return {"error": "the endpoint's response is not a chat completion"}
        out: dict[str, Any] = {
            "prompt_tokens": int(usage.get("prompt_tokens") or 0),
            "completion_tokens": int(usage.get("completion_tokens") or 0),
        }
        if choice.get("finish_reason") == "length":
            return {**out, "error": "answer truncated at max_tokens (finish_reason=length)"}
        if not isinstance(content, str):
            return {**out, "error": "answer has no text content"}
        return {**out, "content": content}

    # ------------------------------------------------------------------ runs
    def _keys(self, X: Any, texts: list[str]) -> list[Key]:
        if isinstance(X, pd.DataFrame) and "id" in X.columns:
            ids = [str(v) for v in X["id"].tolist()]
        elif isinstance(X, pd.DataFrame | pd.Series):
            ids = [str(v) for v in X.index.tolist()]
        else:
            ids = [str(i) for i in range(len(texts))]
        return [
            (self.model, self.prompt_sha256_, i, hashlib.sha256(t.encode("utf-8")).hexdigest())
            for i, t in zip(ids, texts, strict=True)
        ]

    def _outcome(self, key: Key, record: dict[str, Any], text: str) -> tuple[str, Any]:
        """Validate a call's record; cache and return ``("ok", ...)`` or record and return ``("error", reason)``."""
        if "error" not in record:
            try:
                scores, quotes, dropped = check_answer(record["content"], text)
            except ValueError as exc:
                record = {**record, "error": str(exc)}
            else:
                self.cache_.put(key, record["content"], dropped, record["prompt_tokens"], record["completion_tokens"])
                self.usage_["dropped_quotes"] += dropped
                return "ok", (scores, quotes, dropped)
        self.usage_["errors"] += 1
        self._errors.append({"id": key[2], "reason": str(record["error"])})
        return "error", str(record["error"])

    def _results(self, X: Any) -> tuple[list[tuple[str, Any]], Any]:
        self._ensure_fitted()
        texts = texts_of(X)
        keys = self._keys(X, texts)
        out: list[tuple[str, Any] | None] = [None] * len(texts)
        todo: list[int] = []
        for i, key in enumerate(keys):
            if key in self._memo:
                out[i] = self._memo[key]
                continue
            row = self.cache_.get(key)
            if row is not None:
                self.usage_["cache_hits"] += 1
                scores, quotes, dropped = check_answer(str(row["answer"]), texts[i])
                out[i] = self._memo[key] = ("ok", (scores, quotes, dropped))
            else:
                todo.append(i)
        # the same article twice in one batch is asked once
        first: dict[Key, int] = {}
        calls = [i for i in todo if first.setdefault(keys[i], i) == i]
        self.usage_["cache_misses"] += len(calls)
        if calls:
            self._run_calls(calls, keys, texts)
        for i in todo:
            out[i] = self._memo.get(keys[i])
        index = X.index if isinstance(X, pd.DataFrame | pd.Series) else None
        return [o if o is not None else ("error", "not scored") for o in out], index

    def _run_calls(self, calls: list[int], keys: list[Key], texts: list[str]) -> None:
        key = os.environ.get(self.api_key_env) if self.api_key_env else None
        if self.api_key_env and not key:
            raise ConfigError(
                f"the environment variable {self.api_key_env} holds no API key; export it, "
                "or set api_key_env = '' for a server that needs none"
            )
        budget = None if self.max_cost is None else float(self.max_cost)
        spent_at_start = float(self.usage_["cost"])
        reserved: dict[Future[dict[str, Any]], float] = {}
        owner: dict[Future[dict[str, Any]], int] = {}
        stopped = 0
        pending = iter(calls)
        t0 = time.perf_counter()
        try:
            with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="georisk-llm") as pool:
                nxt = next(pending, None)
                while nxt is not None or reserved:
                    while nxt is not None and len(reserved) < self.concurrency and not stopped:
                        est = self._estimate_cost(texts[nxt])
                        spent = float(self.usage_["cost"]) - spent_at_start
                        if budget is not None and spent + sum(reserved.values()) + est > budget:
                            stopped = 1 + sum(1 for _ in pending)
                            nxt = None
                            break
                        fut = pool.submit(self._call, texts[nxt], key)
                        reserved[fut] = est
                        owner[fut] = nxt
                        nxt = next(pending, None)
                    if not reserved:
                        break
                    done, _ = wait(list(reserved), return_when=FIRST_COMPLETED)
                    for fut in done:
                        i = owner.pop(fut)
                        del reserved[fut]
                        record = fut.result()
                        self.usage_["calls"] += 1
                        self.usage_["retries"] += record.get("retries", 0)
                        pt, ct = record.get("prompt_tokens", 0), record.get("completion_tokens", 0)
                        self.usage_["prompt_tokens"] += pt
                        self.usage_["completion_tokens"] += ct
                        self.usage_["cost"] += self._cost(pt, ct)
                        self._memo[keys[i]] = self._outcome(keys[i], record, texts[i])
        finally:
            self.cache_.save()
        log.info(
            "llm: %d calls in %.1f s, %d cache hits, %d errors, %d prompt + %d completion tokens, cost %.4f",
            self.usage_["calls"],
            time.perf_counter() - t0,
            self.usage_["cache_hits"],
            self.usage_["errors"],
            self.usage_["prompt_tokens"],
            self.usage_["completion_tokens"],
            self.usage_["cost"],
        )
        if stopped:
            raise LLMBudgetError(
                f"stopped before exceeding max_cost={budget:g}: {stopped} article(s) left unscored after spending "
                f"{float(self.usage_['cost']) - spent_at_start:.4f}; answers paid for are cached, so a rerun with "
                "a larger max_cost pays only for the rest",
                dict(self.usage_),
            )

    # ------------------------------------------------------------------ API
    def transform(self, X: Any) -> pd.DataFrame:
        """Score texts; returns :data:`~georisk.scoring.SCORE_COLUMNS` (NaN where the answer failed).

        Parameters
        ----------
        X : list of str, pandas.Series or pandas.DataFrame
            Texts, or an article frame (``title`` and ``text`` scored together; ``id`` keys
            the cache, the row label when there is none).

        Raises
        ------
        LLMBudgetError
            When the next call could take the run over ``max_cost``.
        """
        results, index = self._results(X)
        rows = np.full((len(results), len(SCORE_COLUMNS)), np.nan)
        for r, (status, value) in enumerate(results):
            if status == "ok":
                s = value[0]
                tilt = 1.0 - (1.0 - s["hawkish_threat"]) * (1.0 - s["hawkish_act"])
                rows[r] = [tilt, *(s[c] for c in SCORE_COLUMNS[1:])]
        return pd.DataFrame(rows, columns=SCORE_COLUMNS, index=index)

    def explain(self, X: Any) -> list[str]:
        """Evidence per text: ``llm:<model>@<prompt sha256[:12]>`` then the kept quotes, or the error."""
        results, _ = self._results(X)
        tag = f"llm:{self.model}@{self.prompt_sha256_[:12]}"
        out = []
        for status, value in results:
            if status != "ok":
                out.append(f"{tag} error: {value}")
                continue
            _, quotes, dropped = value
            text = tag + "".join(f'; "{q}"' for q in quotes)
            out.append(text + (f"; dropped {dropped} quote(s) not in the article" if dropped else ""))
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns."""
        return np.asarray(SCORE_COLUMNS, dtype=object)

    def summary(self) -> str:
        """One line of this run's counts: calls, cache hits and misses, tokens, cost, errors, dropped quotes."""
        u = getattr(self, "usage_", {})
        seen = u.get("cache_hits", 0) + u.get("cache_misses", 0)
        rate = u.get("cache_hits", 0) / seen if seen else 0.0
        return (
            f"llm {self.model}: {int(u.get('calls', 0))} calls, {int(u.get('cache_hits', 0))} cache hits / "
            f"{int(u.get('cache_misses', 0))} misses ({rate:.0%}), {int(u.get('prompt_tokens', 0))} prompt + "
            f"{int(u.get('completion_tokens', 0))} completion tokens, cost {u.get('cost', 0.0):.4f}, "
            f"{int(u.get('errors', 0))} errors, {int(u.get('dropped_quotes', 0))} invented quotes dropped"
        )
