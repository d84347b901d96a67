"""Exceptions raised for an answer of the hub, or for no answer at all.

Every one is a :class:`HubError` carrying ``status`` (the HTTP status, 0 when the hub could not be
reached), ``code`` (the stable reason of the hub's problem+json body, e.g. ``stale-lease``),
``detail`` and ``request`` (``"METHOD /path"``). The subclass says what kind of failure it is.

Two of them also subclass what flatmachines' own backends raise, so code written against those
keeps working: :class:`NotFound` is a ``KeyError`` (the seed raises ``KeyError`` for an unknown
worker or item) and :class:`BadRequest` is a ``ValueError``.
"""

from __future__ import annotations

from typing import Any, Optional

__all__ = [
    "HubError",
    "BadRequest",
    "Unauthorized",
    "Forbidden",
    "NotFound",
    "MethodNotAllowed",
    "Conflict",
    "PayloadTooLarge",
    "UnsupportedMediaType",
    "MisdirectedRequest",
    "TooManyRequests",
    "ServerError",
    "HubUnreachable",
    "UnexpectedResponse",
    "error_for",
    "is_retryable",
]


class HubError(Exception):
    """A request to the hub failed. ``str()`` reads ``METHOD /path: 409 stale-lease: <detail>``."""

    def __init__(self, status: int, code: str, detail: str, request: str) -> None:
        super().__init__(status, code, detail, request)
        self.status = status
        self.code = code
        self.detail = detail
        self.request = request

    def __str__(self) -> str:
        status = f"{self.status} " if self.status else ""
        return f"{self.request}: {status}{self.code}: {self.detail}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.status}, {self.code!r}, {self.detail!r}, {self.request!r})"

    def __reduce__(self) -> Any:
        # Exceptions cross process boundaries (multiprocessing, pickling into logs) intact.
        return (type(self), (self.status, self.code, self.detail, self.request))


class BadRequest(HubError, ValueError):
    """400: a field is missing, of the wrong type or out of range; ``detail`` names it."""


class Unauthorized(HubError):
    """401: no token, or one the hub does not know (or a revoked one)."""


class Forbidden(HubError):
    """403: the token's role may not do this (a worker token asking for an operator action), or
    a per-worker token named another worker."""


class NotFound(HubError, KeyError):
    """404: unknown worker, item or route. Also a ``KeyError``, as in flatmachines' backends."""


class MethodNotAllowed(HubError):
    """405: the route does not serve this method."""


class Conflict(HubError):
    """409: the state does not allow it. For complete/fail the claim is gone (released, reaped,
    claimed again): codes ``item-not-claimed``, ``not-claim-holder``, ``stale-lease``; and
    ``not-claimed-here`` when a backend was asked to end a claim it never made. Never retried."""


class PayloadTooLarge(HubError):
    """413: the request body is larger than the hub accepts (1 MiB by default)."""


class UnsupportedMediaType(HubError):
    """415: a write whose body is not JSON."""


class MisdirectedRequest(HubError):
    """421: the hub does not answer the host name in the URL (see HUB_ALLOWED_HOSTS)."""


class TooManyRequests(HubError):
    """429: slow down. Retried by the client's retry policy, honouring ``Retry-After``."""


class ServerError(HubError):
    """5xx: the hub (or a proxy in front of it) failed. Retried by the client's retry policy."""


class HubUnreachable(HubError):
    """No answer: connection refused or reset, a name that does not resolve, or a timeout
    (``status`` 0). Retried by the client's retry policy before it is raised."""


class UnexpectedResponse(HubError):
    """The hub answered 2xx with a body this client does not understand (a version mismatch)."""


_BY_STATUS: dict[int, type[HubError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    421: MisdirectedRequest,
    429: TooManyRequests,
}


def error_for(status: int, body: Any, request: str) -> HubError:
    """The exception for a non-2xx answer, from its problem+json body when it has one."""
    code: Optional[str] = None
    detail: Optional[str] = None
    if isinstance(body, dict):
        if isinstance(body.get("code"), str):
            code = body["code"]
        if isinstance(body.get("detail"), str):
            detail = body["detail"]
        elif isinstance(body.get("title"), str):
            detail = body["title"]
    elif isinstance(body, str) and body.strip():
        # A proxy's error page: keep its start, it usually says what went wrong.
        detail = body.strip()[:200]
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else HubError)
    return cls(status, code or f"http-{status}", detail or "the hub answered without a problem body", request)


def is_retryable(err: BaseException) -> bool:
    """True for the failures worth trying again: no answer, 429 and 5xx. Never a 409 or other 4xx."""
    return isinstance(err, (HubUnreachable, TooManyRequests, ServerError))
