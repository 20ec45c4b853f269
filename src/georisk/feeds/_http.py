"""One HTTP GET with a deadline, bounded retries and back-off on 429 and 5xx (standard library only)."""

from __future__ import annotations

import email.utils
import logging
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from georisk.errors import MissingDataError

__all__ = ["FeedError", "Response", "http_get"]

log = logging.getLogger(__name__)

_RETRY = frozenset({429, 500, 502, 503, 504})
_MAX_BYTES = 64 * 1024 * 1024


class FeedError(MissingDataError):
    """A source could not be read: an outage, a refusal or a malformed answer (exit code 4).

    Parameters
    ----------
    message : str
        What failed and what to do.
    source : str, optional
        The feed's name.
    """

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)


@dataclass(frozen=True)
class Response:
    """An HTTP answer: status, headers (lower-case names), body and the attempts it took."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str
    attempts: int = 1
    waited: float = field(default=0.0, repr=False)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def http_get(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    deadline: float = 120.0,
    retries: int = 3,
    backoff: float = 1.0,
    user_agent: str = "georisk",
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    source: str | None = None,
) -> Response:
    """GET ``url``; retry a 429, a 5xx, a timeout or a dropped connection, within a deadline.

    Parameters
    ----------
    url : str
        The address (``http://`` or ``https://``).
    headers : mapping, optional
        Request headers (``If-None-Match``, ``If-Modified-Since``...).
    timeout : float, default 30
        Seconds one attempt may wait for the server.
    deadline : float, default 120
        Seconds the whole call may take, waits included; no attempt starts after it.
    retries : int, default 3
        Attempts after the first one.
    backoff : float, default 1
        First wait in seconds, doubled after each attempt; a ``Retry-After`` header
        is obeyed instead when the deadline allows it.
    user_agent : str, default "georisk"
        The ``User-Agent`` header.
    sleep, clock : callable
        Waiting and the monotonic clock (tests pass their own).
    source : str, optional
        The feed's name, for messages.

    Returns
    -------
    Response
        Status 200 (or another 2xx) or 304 (not modified).

    Raises
    ------
    FeedError
        When every attempt failed, the deadline passed, or the server refused the
        request (another 4xx); the message names the URL, the last status and the count
        of attempts.
    """
    start = clock()
    hdrs = {"User-Agent": user_agent, "Accept-Encoding": "identity", **(headers or {})}
    attempt = 0
    waited = 0.0
    last = "no attempt"
    while True:
        attempt += 1
        left = deadline - (clock() - start)
        if left <= 0:
            raise FeedError(
                f"GET {url}: deadline of {deadline:g} s passed after {attempt - 1} attempt(s) (last: {last}); "
                "the source is slow or down: rerun later, or raise articles.deadline",
                source=source,
            )
        wait: float | None = None
        try:
            req = urllib.request.Request(url, headers=hdrs, method="GET")
            with urllib.request.urlopen(req, timeout=min(timeout, left)) as resp:
                body = resp.read(_MAX_BYTES + 1)
                if len(body) > _MAX_BYTES:
                    raise FeedError(f"GET {url}: answer larger than {_MAX_BYTES} bytes; check the URL", source=source)
                return Response(
                    resp.status, {k.lower(): v for k, v in resp.headers.items()}, body, url, attempt, waited
                )
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return Response(304, {k.lower(): v for k, v in exc.headers.items()}, b"", url, attempt, waited)
            last = f"HTTP {exc.code}"
            if exc.code not in _RETRY:
                raise FeedError(
                    f"GET {url}: HTTP {exc.code} {exc.reason}; check the feed's URL (a 4xx is not retried)",
                    source=source,
                ) from None
            if exc.code == 429:
                wait = _retry_after(exc.headers.get("Retry-After"))
        except TimeoutError:
            last = f"timed out after {min(timeout, left):g} s"
        except urllib.error.URLError as exc:
            reason = exc.reason
            last = "timed out" if isinstance(reason, TimeoutError | socket.timeout) else f"connection failed ({reason})"
        except (ConnectionError, OSError) as exc:  # reset, refused, truncated
            last = f"connection failed ({exc})"
        if attempt > retries:
            raise FeedError(
                f"GET {url}: {last} after {attempt} attempt(s); the source is down or refusing: rerun later "
                "(the gap stays named in `georisk articles status` until a fetch succeeds)",
                source=source,
            )
        pause = wait if wait is not None else backoff * 2 ** (attempt - 1)
        left = deadline - (clock() - start)
        if pause >= left:
            raise FeedError(
                f"GET {url}: {last}; the next attempt (in {pause:g} s) would pass the deadline of {deadline:g} s; "
                "rerun later",
                source=source,
            )
        log.info("GET %s: %s; retrying in %.1f s (attempt %d of %d)", url, last, pause, attempt + 1, retries + 1)
        sleep(pause)
        waited += pause
