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
from typing import Any, Callable, Mapping, Optional

from .errors import HubUnreachable, UnexpectedResponse, error_for, is_retryable

__all__ = ["RetryPolicy", "Transport", "EventStream", "backoff_seconds"]


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
        headers: Optional[Mapping[str, str]] = None,
    ) -> Any:
        """Sends the request, retrying per the policy, and returns the decoded JSON body (None for 204).

        ``path`` is under ``/api/v1`` and already encoded. ``expect`` checks a 2xx body's shape.
        ``headers`` are this request's own, beside accept, authorization and content type.
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
                result = self._once(method, url, data, label, hint, timeout or self.timeout, headers)
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

    def _once(
        self,
        method: str,
        url: str,
        data: Optional[bytes],
        label: str,
        hint: list[float],
        timeout: float,
        extra: Optional[Mapping[str, str]] = None,
    ) -> Any:
        headers = {**(extra or {}), "accept": "application/json"}
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
            raise self._no_answer(err, label) from err
        return _decode(text) if text else None

    def _no_answer(self, err: BaseException, label: str) -> HubUnreachable:
        return HubUnreachable(0, "unreachable", f"no answer from {self.base}: {_reason(err)}", label)

    def stream(self, path: str) -> "EventStream":
        """Server-Sent Events from ``path`` as an :class:`EventStream`. Errors as :meth:`send`
        (raised here, before the first event), without retries."""
        label = f"GET {path}"
        parts = urllib.parse.urlsplit(self.base + path)
        conn_cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        conn = conn_cls(parts.netloc, timeout=self.timeout)
        headers = {"accept": "text/event-stream"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        try:
            conn.request("GET", parts.path, headers=headers)
            res = conn.getresponse()
        except (OSError, http.client.HTTPException) as err:
            conn.close()
            raise self._no_answer(err, label) from err
        if res.status >= 300:
            text = res.read().decode("utf-8", errors="replace")
            conn.close()
            raise error_for(res.status, _decode(text), label)
        return EventStream(conn, res, self.base, label)


class EventStream:
    """Live events, one ``{"event": name, "data": decoded JSON}`` per iteration. Blocks between
    events. ``close()`` (from any thread) ends it: a loop over it then stops quietly. Also a
    context manager. Raises HubUnreachable when the connection breaks or the hub closes it."""

    def __init__(self, conn: http.client.HTTPConnection, res: http.client.HTTPResponse, base: str, label: str) -> None:
        self._conn = conn
        self._res = res
        self._base = base
        self._label = label
        self._closed = False

    def __iter__(self) -> "EventStream":
        return self

    def __enter__(self) -> "EventStream":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        sock = self._conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes a reader blocked in another thread
            except OSError:
                pass
        self._conn.close()

    def __next__(self) -> dict:
        event, data = "message", []
        while True:
            if self._closed:
                raise StopIteration
            try:
                raw = self._res.readline()
            except Exception as err:
                if self._closed:
                    # Closed from another thread mid-read; http.client may trip over itself then.
                    raise StopIteration from None
                if not isinstance(err, (OSError, ValueError, http.client.HTTPException)):
                    raise
                self.close()
                raise HubUnreachable(0, "unreachable", f"the event stream from {self._base} broke: {_reason(err)}", self._label) from err
            if not raw:
                if self._closed:
                    raise StopIteration
                self.close()
                raise HubUnreachable(0, "stream-closed", f"the hub closed the event stream of {self._base}", self._label)
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            if line == "":
                if data:
                    return {"event": event, "data": _decode("\n".join(data))}
                event = "message"
            elif not line.startswith(":"):  # a line starting with ":" is a keep-alive comment
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if field == "event":
                    event = value
                elif field == "data":
                    data.append(value)


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
