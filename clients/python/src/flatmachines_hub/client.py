"""A blocking client of every route of the hub's HTTP API (``/api/v1``).

Answers are the API's JSON objects as plain dicts and lists, exactly as ``docs/API.md`` and the
shared ``API.md`` describe them (a WorkItem is ``{"id", "pool", "data", "status", "claimed_by",
"lease_id", "attempts", ...}``). Failures raise :mod:`flatmachines_hub.errors` classes by status.
Network errors, 429 and 5xx are retried with jittered exponential backoff; 409 and other 4xx
never are. A claim is retried with the same ``claim_id``, so a retry whose first answer was lost
gets back the items that first try took instead of leaving them claimed unbeknown.

Async code can call it through ``asyncio.to_thread``, as this package's backends do.
"""

from __future__ import annotations

import uuid
from typing import Any, Iterator, Mapping, Optional, Sequence, Union
from urllib.parse import quote

from .transport import EventStream, RetryPolicy, Transport

#: Sent with a worker's change of its own status, naming its id: an open hub (no tokens, where
#: everyone is the anonymous operator) then leaves it out of the audit trail.
WORKER_SELF_HEADER = "X-Hub-Worker-Self"

__all__ = ["HubClient", "Json"]

Json = Any
"""Any JSON value: dict, list, str, int, float, bool or None."""

_MISSING: Any = object()


def _seg(name: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"a name or id must be a str, not {type(name).__name__}")
    return quote(name, safe="")


def _has(*keys: str):
    return lambda body: isinstance(body, dict) and all(k in body for k in keys)


def _without_missing(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not _MISSING}


class HubClient:
    """One hub. ``url`` is its base URL (``http://127.0.0.1:3000``, with or without ``/api/v1``);
    ``token`` a bearer token (operator, worker, viewer or issued) when the hub has tokens.

    ``timeout`` is per attempt, in seconds; ``retry`` the :class:`RetryPolicy`. Requests go
    straight to the hub; ``use_env_proxy=True`` sends them through ``$http_proxy`` instead.
    Thread-safe: one client may serve many threads.
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
        self.transport = Transport(url, token, timeout=timeout, retry=retry, use_env_proxy=use_env_proxy)

    @property
    def api_url(self) -> str:
        """The API base this client talks to, e.g. ``http://127.0.0.1:3000/api/v1``."""
        return self.transport.base

    def _send(self, method: str, path: str, **kw: Any) -> Any:
        return self.transport.send(method, path, **kw)

    def healthz(self) -> dict:
        """``{"ok": True}`` once the hub's database answers (no token needed)."""
        return self._send("GET", "/healthz", expect=_has("ok"))

    # ── workers ─────────────────────────────────────────────────────────────

    def register(
        self,
        worker_id: Optional[str] = None,
        *,
        host: Optional[str] = None,
        pid: Optional[int] = None,
        capabilities: Optional[Sequence[str]] = None,
        pool_id: Optional[str] = None,
        started_at: Optional[str] = None,
        metadata: Json = _MISSING,
    ) -> dict:
        """Registers (or re-registers, replacing) a worker, ``active``; returns its WorkerRecord.
        The hub makes an id when ``worker_id`` is None."""
        body = {
            k: v
            for k, v in {
                "worker_id": worker_id,
                "host": host,
                "pid": pid,
                "capabilities": list(capabilities) if capabilities is not None else None,
                "pool_id": pool_id,
                "started_at": started_at,
            }.items()
            if v is not None
        }
        if metadata is not _MISSING:
            body["metadata"] = metadata
        return self._send("POST", "/workers", body=body, expect=_has("worker_id", "status"))

    def heartbeat(self, worker_id: str, metadata: Json = _MISSING, *, current_task_id: Any = _MISSING) -> dict:
        """Records that the worker is alive; ``metadata`` is shallow-merged into the stored one.
        The answer's ``status`` is how the hub asks a worker to stop: ``terminating`` means
        finish what you hold and exit. NotFound for an unknown worker."""
        body = _without_missing(metadata=metadata, current_task_id=current_task_id)
        return self._send("POST", f"/workers/{_seg(worker_id)}/heartbeat", body=body, expect=_has("worker_id", "status"))

    def set_worker_status(self, worker_id: str, status: str, *, self_change: bool = False) -> dict:
        """Sets a worker's status (``active``, ``terminating``, ``terminated``, ``lost``).
        ``terminated`` (a clean exit) and ``lost`` release the items it holds.
        ``self_change=True`` says the worker is changing its own status (it sends
        ``X-Hub-Worker-Self``): an open hub then does not record it as an operator action."""
        headers = {WORKER_SELF_HEADER: worker_id} if self_change else None
        return self._send(
            "PATCH", f"/workers/{_seg(worker_id)}", body={"status": status}, headers=headers, expect=_has("worker_id", "status")
        )

    def get_worker(self, worker_id: str) -> dict:
        """One WorkerRecord (with ``claimed_count``); NotFound for an unknown id."""
        return self._send("GET", f"/workers/{_seg(worker_id)}", expect=_has("worker_id", "status"))

    def list_workers(
        self,
        *,
        status: Union[str, Sequence[str], None] = None,
        capability: Optional[str] = None,
        pool_id: Optional[str] = None,
        stale_threshold_seconds: Optional[float] = None,
    ) -> list[dict]:
        """Workers matching every given filter, sorted by id. ``status`` takes one or several;
        ``stale_threshold_seconds`` keeps those whose last heartbeat is older than that."""
        if isinstance(status, (list, tuple)):
            status = ",".join(status)
        query = {"status": status, "capability": capability, "pool_id": pool_id, "stale_threshold_seconds": stale_threshold_seconds}
        return self._send("GET", "/workers", query=query, expect=_has("workers"))["workers"]

    def release_worker(self, worker_id: str) -> int:
        """Operator: every item the worker holds, in every pool, back to ``pending``; how many."""
        return self._send("POST", f"/workers/{_seg(worker_id)}/release", expect=_has("released"))["released"]

    # ── items ───────────────────────────────────────────────────────────────

    def push(
        self,
        pool: str,
        data: Json,
        *,
        max_retries: Optional[int] = None,
        priority: Optional[int] = None,
        delay_seconds: Optional[float] = None,
        run_at: Optional[str] = None,
        key: Optional[str] = None,
        backoff: Optional[Mapping[str, Any]] = None,
    ) -> str:
        """Adds one item to ``pool`` (creating the pool); returns its id. ``max_retries``
        (attempts before the item is poisoned) defaults to the pool's setting, else 3;
        ``priority`` (-1000..1000, higher first); ``delay_seconds`` or ``run_at`` (RFC 3339 with
        an offset): not claimable before; ``key``: if a live item of the pool has this key, its id
        is returned and nothing is added (:meth:`push_one` says which); ``backoff``: the item's
        own retry backoff, e.g. ``{"type": "exponential", "base_seconds": 2}``."""
        given = dict(max_retries=max_retries, priority=priority, delay_seconds=delay_seconds, run_at=run_at, key=key, backoff=backoff)
        return self.push_one(pool, data, **{k: v for k, v in given.items() if v is not None})["id"]

    def push_one(self, pool: str, data: Json, **options: Any) -> dict:
        """As :meth:`push`, answering ``{"id", "created"}``: ``created`` is False when ``key``
        named an item already there."""
        body: dict[str, Any] = {"data": data, **options}
        return self._send("POST", f"/pools/{_seg(pool)}/items", body=body, expect=_has("id", "created"))

    def push_many(self, pool: str, items: Sequence[Mapping[str, Any]]) -> list[str]:
        """Adds up to 1000 items, each ``{"data": ..., **options}`` (options as for :meth:`push`),
        in one request; returns their ids in input order."""
        return self.push_batch(pool, items)["ids"]

    def push_batch(self, pool: str, items: Sequence[Mapping[str, Any]]) -> dict:
        """As :meth:`push_many`, answering ``{"ids", "created"}`` (``created[i]`` for ``ids[i]``)."""
        body = {"items": [dict(i) for i in items]}
        return self._send("POST", f"/pools/{_seg(pool)}/items", body=body, expect=_has("ids", "created"))

    def run_item(self, item_id: str) -> dict:
        """Operator: a ``scheduled`` item (delayed, or backing off) pending now; Conflict
        ``item-not-scheduled`` otherwise."""
        return self._send("POST", f"/items/{_seg(item_id)}/run", expect=_has("id", "status"))

    def get_pool_settings(self, pool: str) -> dict:
        """``{"pool", "max_retries", "backoff", "paused", "updated_at"}``: the pool's settings in force."""
        return self._send("GET", f"/pools/{_seg(pool)}/settings", expect=_has("paused"))

    def update_pool_settings(self, pool: str, **changes: Any) -> dict:
        """Operator: changes ``max_retries``, ``backoff`` and/or ``paused`` (None puts one back to
        the default); returns the settings in force."""
        return self._send("PATCH", f"/pools/{_seg(pool)}/settings", body=changes, expect=_has("paused"))

    def pause(self, pool: str) -> dict:
        """Operator: the pool hands out nothing until :meth:`resume`; everything else works."""
        return self._send("POST", f"/pools/{_seg(pool)}/pause", expect=_has("paused"))

    def resume(self, pool: str) -> dict:
        """Operator: a paused pool hands out items again."""
        return self._send("POST", f"/pools/{_seg(pool)}/resume", expect=_has("paused"))

    def claim(self, pool: str, worker_id: str, limit: int = 1, *, wait_seconds: float = 0) -> list[dict]:
        """Claims up to ``limit`` (1..100) oldest pending items for ``worker_id``; may return
        fewer, or none. With ``wait_seconds`` (up to 30) and nothing pending, the hub holds the
        request until work appears. An unknown worker id is registered on the way; a
        ``terminating`` worker gets none; a ``lost`` or ``terminated`` one gets Conflict
        ``worker-not-active`` and must register again."""
        body: dict[str, Any] = {"worker_id": worker_id, "limit": limit, "claim_id": uuid.uuid4().hex}
        timeout = None
        if wait_seconds:
            body["wait_seconds"] = wait_seconds
            timeout = self.transport.timeout + float(wait_seconds)  # the wait is not a hang
        path = f"/pools/{_seg(pool)}/claim"
        return self._send("POST", path, body=body, expect=_has("items"), timeout=timeout)["items"]

    def claim_item(self, item_id: str, worker_id: str) -> dict:
        """Claims this one item if it is pending (the scheduler pattern); Conflict when not."""
        return self._send("POST", f"/items/{_seg(item_id)}/claim", body={"worker_id": worker_id}, expect=_has("id", "lease_id"))

    def complete(self, item_id: str, worker_id: str, *, lease_id: Optional[str] = None, result: Json = _MISSING) -> dict:
        """Completes a claimed item with its result. Pass the claim's ``lease_id``: without it a
        worker that was reaped and claimed the same item again could complete the newer claim by
        mistake. Conflict (``item-not-claimed``, ``not-claim-holder``, ``stale-lease``) means the
        claim is gone."""
        body = _without_missing(worker_id=worker_id, lease_id=lease_id, result=result)
        return self._send("POST", f"/items/{_seg(item_id)}/complete", body=body, expect=_has("id", "status"))

    def complete_many(self, worker_id: str, items: Sequence[Mapping[str, Any]]) -> dict:
        """Completes up to 100 items ``{"id", "lease_id"?, "result"?}`` in one request; each is
        judged alone. Returns ``{"completed": [ids], "rejected": [{"id", "status", "code"}]}``."""
        body = {"worker_id": worker_id, "items": [dict(i) for i in items]}
        return self._send("POST", "/items/complete", body=body, expect=_has("completed", "rejected"))

    def complete_and_claim(self, worker_id: str, items: Sequence[Mapping[str, Any]], pool: str, limit: int = 1) -> dict:
        """Completes a batch as :meth:`complete_many` does, then claims up to ``limit`` items of
        ``pool`` for the same worker, in one request: a worker draining a pool in batches sends
        one request a batch. Returns ``{"completed", "rejected", "next": {"items": [...]}}``;
        ``next`` also carries ``refused`` (``{"status", "code", "detail"}``) when the hub refused
        that claim (a worker no longer active). The completions stand either way."""
        body = {
            "worker_id": worker_id,
            "items": [dict(i) for i in items],
            "next": {"pool": pool, "limit": limit, "claim_id": uuid.uuid4().hex},
        }
        return self._send("POST", "/items/complete", body=body, expect=_has("completed", "rejected", "next"))

    def fail(
        self, item_id: str, worker_id: str, *, lease_id: Optional[str] = None, error: Optional[str] = None, error_type: Optional[str] = None
    ) -> dict:
        """Fails a claimed item: back to ``pending``, or ``poisoned`` once ``attempts >=
        max_retries``. Fenced like :meth:`complete`. ``error`` is the full text (a traceback),
        ``error_type`` the exception's class: the dashboard groups failures by both."""
        body = _without_missing(worker_id=worker_id, lease_id=lease_id, error=error)
        if error_type is not None:
            body["error_type"] = error_type
        return self._send("POST", f"/items/{_seg(item_id)}/fail", body=body, expect=_has("id", "status"))

    def get_item(self, item_id: str) -> dict:
        """One item with ``history`` (one entry per attempt); NotFound when unknown."""
        return self._send("GET", f"/items/{_seg(item_id)}", expect=_has("id", "history"))

    def list_items(
        self,
        pool: str,
        *,
        status: Optional[str] = None,
        q: Optional[str] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> dict:
        """One page ``{"items": [...], "next_cursor"}`` of a pool's items, oldest first; pass
        ``next_cursor`` back as ``cursor`` for the next. ``q`` searches the items' data."""
        query = {"status": status, "q": q, "limit": limit, "cursor": cursor}
        return self._send("GET", f"/pools/{_seg(pool)}/items", query=query, expect=_has("items", "next_cursor"))

    def iter_items(self, pool: str, *, status: Optional[str] = None, page_size: int = 200) -> Iterator[dict]:
        """Every item of a pool (optionally of one status), oldest first, fetched page by page."""
        cursor: Optional[str] = None
        while True:
            page = self.list_items(pool, status=status, limit=page_size, cursor=cursor)
            yield from page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                return

    def retry_item(self, item_id: str) -> dict:
        """Operator: a poisoned or completed item back to ``pending`` with attempts 0."""
        return self._send("POST", f"/items/{_seg(item_id)}/retry", expect=_has("id", "status"))

    def delete_item(self, item_id: str) -> None:
        """Operator: discards an item in any status; NotFound when unknown."""
        self._send("DELETE", f"/items/{_seg(item_id)}")

    # ── pools ───────────────────────────────────────────────────────────────

    def list_pools(self) -> list[dict]:
        """Every pool's summary ``{name, pending, claimed, completed, poisoned, oldest_pending_at}``."""
        return self._send("GET", "/pools", expect=_has("pools"))["pools"]

    def get_pool(self, pool: str) -> dict:
        """One pool's summary; a pool never seen has all counts 0. ``pending`` is the seed's ``size()``."""
        return self._send("GET", f"/pools/{_seg(pool)}", expect=_has("name", "pending"))

    def pool_holders(self, pool: str) -> list[dict]:
        """Who holds the pool's claimed items: ``[{worker_id, claimed, worker_status, last_heartbeat}]``, most first."""
        return self._send("GET", f"/pools/{_seg(pool)}/holders", expect=_has("holders"))["holders"]

    def pool_errors(self, pool: str, *, limit: Optional[int] = None) -> list[dict]:
        """The pool's poisoned items grouped by identical error, largest group first."""
        return self._send("GET", f"/pools/{_seg(pool)}/errors", query={"limit": limit}, expect=_has("groups"))["groups"]

    def release_pool(self, pool: str, worker_id: str) -> int:
        """Operator: the items ``worker_id`` holds in this pool back to ``pending``; how many."""
        return self._send("POST", f"/pools/{_seg(pool)}/release", body={"worker_id": worker_id}, expect=_has("released"))["released"]

    def retry_pool(self, pool: str, status: str = "poisoned", *, error: Optional[str] = _MISSING) -> int:
        """Operator: the pool's poisoned (or ``completed``) items back to ``pending``, only those
        whose last error is exactly ``error`` when given (None: those with none); how many."""
        body = _without_missing(status=status, error=error)
        return self._send("POST", f"/pools/{_seg(pool)}/retry", body=body, expect=_has("retried"))["retried"]

    def discard_pool(self, pool: str, status: str = "poisoned", *, error: Optional[str] = _MISSING) -> int:
        """Operator: deletes the pool's poisoned (or ``completed``) items, or one error group of
        them; never pending or claimed ones. Returns how many."""
        body = _without_missing(status=status, error=error)
        return self._send("POST", f"/pools/{_seg(pool)}/discard", body=body, expect=_has("discarded"))["discarded"]

    def throughput(self, minutes: Optional[int] = None) -> dict:
        """Completions and failures per pool per minute: ``{since, minutes, pools: [...]}``."""
        return self._send("GET", "/stats/throughput", query={"minutes": minutes}, expect=_has("pools"))

    # ── liveness ────────────────────────────────────────────────────────────

    def reap(self) -> dict:
        """Operator: runs the reaper now. ``{"lost": [ids], "released": n, "poisoned": n}``."""
        return self._send("POST", "/reap", expect=_has("lost", "released"))

    def events(self) -> EventStream:
        """Live changes as they happen (``GET /events``, Server-Sent Events), one dict per event:
        ``{"event": "item" | "worker" | "pool", "data": {...}}``, e.g. ``{"event": "item", "data":
        {"type": "item", "id": "7", "pool": "images", "status": "completed"}}``. Blocks between
        events; the hub sends a keep-alive every 15 s, so a silence longer than the client's
        timeout raises HubUnreachable. Not retried: after an error, open it again and refetch
        what you show (no event is replayed). ``close()`` it when done, from any thread, or use
        it in a ``with`` block. A push is a ``pool`` event; claims and completions are ``item``
        events."""
        return self.transport.stream("/events")

    # ── tokens, audit, session ──────────────────────────────────────────────

    def issue_token(self, name: str, role: str = "worker", *, worker_id: Optional[str] = None) -> dict:
        """Operator: a new token ``{id, name, role, worker_id, ..., token}``. ``token`` is the
        secret, shown this once. With ``worker_id`` (role worker) it may act as that worker only."""
        body: dict[str, Any] = {"name": name, "role": role}
        if worker_id is not None:
            body["worker_id"] = worker_id
        return self._send("POST", "/tokens", body=body, expect=_has("id", "token"))

    def list_tokens(self) -> list[dict]:
        """Operator: every issued token (never its secret), oldest first, revoked ones included."""
        return self._send("GET", "/tokens", expect=_has("tokens"))["tokens"]

    def revoke_token(self, token_id: str) -> None:
        """Operator: revokes a token at once; its next request is a 401."""
        self._send("DELETE", f"/tokens/{_seg(token_id)}")

    def audit(self, *, limit: Optional[int] = None, cursor: Optional[str] = None) -> dict:
        """Operator or viewer: one page ``{"entries": [...], "next_cursor"}`` of the audit trail, newest first."""
        return self._send("GET", "/audit", query={"limit": limit, "cursor": cursor}, expect=_has("entries", "next_cursor"))

    def whoami(self) -> dict:
        """``{role, name, open}`` of this client's token (``open``: the hub has no tokens)."""
        return self._send("GET", "/session", expect=_has("role", "name"))
