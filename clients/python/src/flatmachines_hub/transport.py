"""Sending one request to the hub: auth, timeouts, retries with backoff, errors by status.

Blocking, standard library only (``urllib``). The async backends run it in a thread.
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Optional

from .errors import HubUnreachable, UnexpectedResponse, error_for, is_retryable

__all__ = ["RetryPolicy", "Transport", "backoff_seconds"]


@dataclass(frozen=True)
class RetryPolicy:
    """When to try a request again.

    Only failures that cannot have been a decision of the hub are retried: no answer (connection
    refused or reset, timeout), 429 and 5xx. A 409 is the hub saying "no" (for complete/fail: the
    claim is gone) and is never retried, nor is any other 4xx.
    """

    retries: int = 4
    """Attempts after the first; 0 disables retries."""
    min_delay: float = 0.2
    """First backoff ceiling in seconds, doubled on each retry."""
    max_delay: float = 5.0
    """Largest wait between attempts in seconds (a ``Retry-After`` may ask for up to 60)."""


def backoff_seconds(policy: RetryPolicy, attempt: int, rand: Callable[[], float] = random.random) -> float:
    """Full-jitter exponential backoff: a random wait up to min(max_delay, min_delay * 2**attempt)."""
    return rand() * min(policy.max_delay, policy.min_delay * 2**attempt)


def _retry_after(headers: Any) -> Optional[float]:
    """``Retry-After`` in seconds when it is a number (the form the hub and most proxies send)."""
    value = headers.get("retry-after") if headers is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _reason(err: BaseException) -> str:
    if isinstance(err, urllib.error.URLError) and not isinstance(err, urllib.error.HTTPError):
        inner = err.reason
        return str(inner.strerror if isinstance(inner, OSError) and inner.strerror else inner)
    if isinstance(err, (socket.timeout, TimeoutError)):
        return "timed out"
    return str(err) or type(err).__name__


# urllib would send requests for a 127.0.0.1 hub through $http_proxy unless $no_proxy says
# otherwise; a hub is addressed directly unless the caller asks for a proxy.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_VIA_ENV_PROXY = urllib.request.build_opener()


class Transport:
    """Sends requests to one hub with its token, a per-attempt timeout and the retry policy.

    ``url`` is the hub's base URL, with or without ``/api/v1``. Safe to share between threads.
    """

    def __init__(
        self,
        url: str,
        token: Optional[str] = None,
        *,
        timeout: float = 30.0,
        retry: Optional[RetryPolicy] = None,
        use_env_proxy: bool = False,
    ) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"hub url must be http(s)://host[:port], not {url!r}")
        base = url.rstrip("/")
        if base.endswith("/api/v1"):
            base = base[: -len("/api/v1")]
        self.base = base + "/api/v1"
        self.token = token
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._opener = _VIA_ENV_PROXY if use_env_proxy else _DIRECT

    def send(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        query: Optional[Mapping[str, Any]] = None,
        expect: Optional[Callable[[Any], bool]] = None,
        timeout: Optional[float] = None,
    ) -> Any:
        """Sends the request, retrying per the policy, and returns the decoded JSON body (None for 204).

        ``path`` is under ``/api/v1`` and already encoded. ``expect`` checks a 2xx body's shape.
        Raises a :class:`HubError` subclass: by status for an answer, ``HubUnreachable`` for
        none, ``UnexpectedResponse`` when a 2xx body fails ``expect``.
        """
        label = f"{method} {path}"
        url = self.base + path
        if query:
            pairs = {k: _query_value(v) for k, v in query.items() if v is not None}
            if pairs:
                url += "?" + urllib.parse.urlencode(pairs)
        data = None if body is None else json.dumps(body, allow_nan=False).encode()
        attempt = 0
        while True:
            hint: list[float] = []
            try:
                result = self._once(method, url, data, label, hint, timeout or self.timeout)
            except Exception as err:  # noqa: BLE001 - re-raised below unless retryable
                if not is_retryable(err) or attempt >= self.retry.retries:
                    raise
                wait = backoff_seconds(self.retry, attempt)
                if hint:
                    wait = min(max(hint[0], wait), 60.0)
                time.sleep(wait)
                attempt += 1
                continue
            if expect is not None and not expect(result):
                raise UnexpectedResponse(200, "unexpected-response", f"the body does not match the API: {str(result)[:200]}", label)
            return result

    def _once(self, method: str, url: str, data: Optional[bytes], label: str, hint: list[float], timeout: float) -> Any:
        headers = {"accept": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        if data is not None:
            headers["content-type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with self._opener.open(request, timeout=timeout) as res:
                text = res.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as err:
            try:
                text = err.read().decode("utf-8", errors="replace")
            except (OSError, http.client.HTTPException):
                text = ""
            finally:
                err.close()
            after = _retry_after(err.headers)
            if after is not None:
                hint.append(after)
            raise error_for(err.code, _decode(text), label) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
            raise HubUnreachable(0, "unreachable", f"no answer from {self.base}: {_reason(err)}", label) from err
        return _decode(text) if text else None


    def stream(self, path: str) -> Iterator[dict]:
        """Server-Sent Events from ``path``: yields ``{"event", "data"}`` per event (``data``
        decoded from JSON when it is JSON). Errors as :meth:`send`, without retries."""
        label = f"GET {path}"
        headers = {"accept": "text/event-stream"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.base + path, headers=headers, method="GET")
        try:
            res = self._opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as err:
            text = err.read().decode("utf-8", errors="replace")
            err.close()
            raise error_for(err.code, _decode(text), label) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
            raise HubUnreachable(0, "unreachable", f"no answer from {self.base}: {_reason(err)}", label) from err
        return self._events(res, label)

    def _events(self, res: Any, label: str) -> Iterator[dict]:
        event, data = "message", []
        try:
            while True:
                try:
                    raw = res.readline()
                except (OSError, http.client.HTTPException) as err:
                    raise HubUnreachable(0, "unreachable", f"the event stream from {self.base} broke: {_reason(err)}", label) from err
                if not raw:
                    raise HubUnreachable(0, "stream-closed", f"the hub closed the event stream of {self.base}", label)
                line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                if line == "":
                    if data:
                        text = "\n".join(data)
                        yield {"event": event, "data": _decode(text)}
                    event, data = "message", []
                elif line.startswith(":"):
                    continue  # a keep-alive comment
                else:
                    field, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if field == "event":
                        event = value
                    elif field == "data":
                        data.append(value)
        finally:
            res.close()


def _decode(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text  # an error page from a proxy is often HTML or plain text


def _query_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return ",".join(str(x) for x in v)
    return str(v)
