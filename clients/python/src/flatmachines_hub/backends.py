"""flatmachines' distributed backends over the hub.

:class:`HubRegistrationBackend` and :class:`HubWorkBackend` have the async method names,
arguments and return shapes of flatmachines' ``RegistrationBackend`` and ``WorkBackend``
(``flatmachines/distributed.py``), so code written against its Memory or SQLite backends,
``DistributedWorkerHooks`` included, runs against the hub by swapping the backend objects.

They take flatmachines' own dataclasses (``WorkerRegistration``, ``WorkerFilter``), the ones of
this module (same names, same fields, plus ``pool_id``), any object with those attributes, or a
dict; they return this module's dataclasses. Each call runs the blocking HTTP request in a thread
(``asyncio.to_thread``), so the event loop keeps running meanwhile.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Union

from .client import HubClient
from .errors import BadRequest, Conflict, NotFound
from .transport import RetryPolicy

__all__ = [
    "WorkerRegistration",
    "WorkerRecord",
    "WorkerFilter",
    "WorkItem",
    "WORKER_STATUSES",
    "HubRegistrationBackend",
    "HubWorkBackend",
    "HubWorkPool",
    "create_registration_backend",
    "create_work_backend",
]

WORKER_STATUSES = ("active", "terminating", "terminated", "lost")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


# ── flatmachines' types (same names and fields; ``pool_id`` and the hub's extras come last) ──


@dataclass
class WorkerRegistration:
    """What a worker registers with. Fields as flatmachines', plus ``pool_id`` and ``metadata``."""

    worker_id: str
    host: Optional[str] = None
    pid: Optional[int] = None
    capabilities: Optional[List[str]] = None
    started_at: str = field(default_factory=_now)
    pool_id: Optional[str] = None
    metadata: Optional[Dict[str, Any]] = None

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


@dataclass
class WorkerRecord:
    """A registered worker: flatmachines' fields, plus ``pool_id``."""

    worker_id: str
    status: str
    last_heartbeat: str
    host: Optional[str] = None
    pid: Optional[int] = None
    capabilities: Optional[List[str]] = None
    started_at: Optional[str] = None
    current_task_id: Optional[str] = None
    metadata: Optional[Dict[str, Any]] = None
    pool_id: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "WorkerRecord":
        return cls(**data)


@dataclass
class WorkerFilter:
    """Filters of :meth:`HubRegistrationBackend.list`, ANDed. ``status`` may also be a list."""

    status: Optional[Union[str, List[str]]] = None
    capability: Optional[str] = None
    stale_threshold_seconds: Optional[int] = None
    pool_id: Optional[str] = None


@dataclass
class WorkItem:
    """A work item: flatmachines' fields, plus the hub's ``pool`` and the claim's ``lease_id``."""

    id: str
    data: Any
    claimed_by: Optional[str] = None
    attempts: int = 0
    max_retries: int = 3
    status: str = "pending"
    created_at: str = field(default_factory=_now)
    claimed_at: Optional[str] = None
    pool: Optional[str] = None
    lease_id: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


def _attr(obj: Any, name: str, default: Any = None) -> Any:
    """A field of a dataclass, any object with that attribute, or a dict."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _to_record(r: Dict[str, Any]) -> WorkerRecord:
    metadata = r.get("metadata")
    return WorkerRecord(
        worker_id=r["worker_id"],
        status=r["status"],
        last_heartbeat=r["last_heartbeat"],
        host=r.get("host"),
        pid=r.get("pid"),
        capabilities=r.get("capabilities"),
        started_at=r.get("started_at"),
        current_task_id=r.get("current_task_id"),
        # flatmachines' metadata is a dict; the hub's may be any JSON value.
        metadata=metadata if isinstance(metadata, dict) else None,
        pool_id=r.get("pool_id"),
    )


def _to_item(i: Dict[str, Any]) -> WorkItem:
    return WorkItem(
        id=i["id"],
        data=i["data"],
        claimed_by=i.get("claimed_by"),
        attempts=i["attempts"],
        max_retries=i["max_retries"],
        status=i["status"],
        created_at=i["created_at"],
        claimed_at=i.get("claimed_at"),
        pool=i.get("pool"),
        lease_id=i.get("lease_id"),
    )


def _check_status(status: Any, request: str) -> str:
    """flatmachines types status as a str; the hub knows four. Checked before any request."""
    if status not in WORKER_STATUSES:
        raise BadRequest(400, "invalid-status", f"status must be one of {', '.join(WORKER_STATUSES)}, not {status!r}", request)
    return status


def _client(url_or_client: Union[str, HubClient], token: Optional[str], timeout: float, retry: Optional[RetryPolicy]) -> HubClient:
    if isinstance(url_or_client, HubClient):
        return url_or_client
    return HubClient(url_or_client, token, timeout=timeout, retry=retry)


# ── what marking a worker lost released, for the pool's release_by_worker that follows ──
#
# flatmachines' reaper marks a stale worker ``lost`` and then calls ``release_by_worker`` on its
# pool, expecting the number of claims that freed. The hub releases a worker's items in the same
# transaction as the status change, so by then there is nothing left to release. Marking a worker
# lost through a registration backend therefore first notes what it holds in each pool; the
# pool's ``release_by_worker`` adds what was noted for that pool, once. Backends of one process
# share the ledger; entries are forgotten after ten minutes.

_LEDGER_TTL = 600.0
_ledger: Dict[tuple, tuple] = {}
_ledger_lock = threading.Lock()


def _note_released(api_url: str, worker_id: str, by_pool: Dict[str, int]) -> None:
    with _ledger_lock:
        _ledger[(api_url, worker_id)] = (time.monotonic(), dict(by_pool))


def _take_released(api_url: str, pool: str, worker_id: str) -> int:
    with _ledger_lock:
        now = time.monotonic()
        for key in [k for k, (at, _) in _ledger.items() if at < now - _LEDGER_TTL]:
            del _ledger[key]
        entry = _ledger.get((api_url, worker_id))
        return entry[1].pop(pool, 0) if entry else 0


class HubRegistrationBackend:
    """flatmachines' ``RegistrationBackend`` over the hub's ``/workers`` routes.

    ``HubRegistrationBackend("http://127.0.0.1:3000", token)`` or ``HubRegistrationBackend(client)``.
    """

    def __init__(
        self,
        url: Union[str, HubClient],
        token: Optional[str] = None,
        *,
        timeout: float = 30.0,
        retry: Optional[RetryPolicy] = None,
    ) -> None:
        self.client = _client(url, token, timeout, retry)
        #: Worker ids registered through this backend: a status change of one of them is the
        #: worker's own (flatmachines' worker marking itself on start or exit), not an operator's.
        self._own: set = set()

    async def register(self, worker: Any) -> WorkerRecord:
        """Registers the worker, ``active``; registering an existing id again replaces its record
        (flatmachines' INSERT OR REPLACE) and keeps what it holds."""
        worker_id = _attr(worker, "worker_id")
        if not isinstance(worker_id, str):
            raise BadRequest(400, "invalid-request", f"worker_id: must be a str, not {worker_id!r}", "POST /workers")
        started_at = _attr(worker, "started_at")
        metadata = _attr(worker, "metadata")
        record = await asyncio.to_thread(
            self.client.register,
            worker_id,
            host=_attr(worker, "host"),
            pid=_attr(worker, "pid"),
            capabilities=_attr(worker, "capabilities"),
            pool_id=_attr(worker, "pool_id"),
            started_at=started_at if isinstance(started_at, str) else None,
            **({"metadata": metadata} if metadata is not None else {}),
        )
        self._own.add(worker_id)
        return _to_record(record)

    async def heartbeat(self, worker_id: str, metadata: Optional[Dict[str, Any]] = None) -> None:
        """Records that the worker is alive; ``metadata`` is merged into the stored one.
        Raises NotFound (a ``KeyError``) for an unknown worker, as flatmachines does."""
        if metadata is None:
            await asyncio.to_thread(self.client.heartbeat, worker_id)
        else:
            await asyncio.to_thread(self.client.heartbeat, worker_id, metadata)

    async def update_status(self, worker_id: str, status: str) -> None:
        """Sets the status. ``terminated`` (a worker's clean exit) and ``lost`` (the reaper's
        step) also release what the worker holds; for ``lost`` that is noted per pool so the
        pool's :meth:`HubWorkPool.release_by_worker` that the reaper calls next reports it.

        A worker this backend registered changes its own status: the request says so
        (``self_change``), and an open hub leaves it out of the audit trail. Any other worker's
        change (a reaper marking one ``lost``) is an operator's and is recorded."""
        _check_status(status, f"PATCH /workers/{worker_id}")
        held = await asyncio.to_thread(self._held_before_loss, worker_id) if status == "lost" else None
        own = worker_id in self._own
        record = await asyncio.to_thread(self.client.set_worker_status, worker_id, status, self_change=own)
        if held and record.get("claimed_count", 0) == 0:
            _note_released(self.client.api_url, worker_id, held)

    def _held_before_loss(self, worker_id: str) -> Optional[Dict[str, int]]:
        try:
            worker = self.client.get_worker(worker_id)
        except NotFound:
            return None  # the status change answers NotFound itself
        if worker["status"] == "lost" or not worker.get("claimed_count"):
            return None
        held: Dict[str, int] = {}
        for pool in self.client.list_pools():
            if pool["claimed"] > 0:
                for h in self.client.pool_holders(pool["name"]):
                    if h["worker_id"] == worker_id:
                        held[pool["name"]] = h["claimed"]
        return held

    async def get(self, worker_id: str) -> Optional[WorkerRecord]:
        """The worker's record, or None when the hub does not know it."""
        try:
            return _to_record(await asyncio.to_thread(self.client.get_worker, worker_id))
        except NotFound:
            return None

    async def list(self, filter: Optional[Any] = None) -> List[WorkerRecord]:
        """Workers matching every filter set, sorted by id. As in flatmachines, a filter field
        that is empty or 0 filters nothing (``stale_threshold_seconds=0`` keeps every worker)."""
        status = _attr(filter, "status") or None
        if status is not None:
            for s in status if isinstance(status, (list, tuple)) else [status]:
                _check_status(s, "GET /workers")
        workers = await asyncio.to_thread(
            self.client.list_workers,
            status=status,
            capability=_attr(filter, "capability") or None,
            pool_id=_attr(filter, "pool_id") or None,
            stale_threshold_seconds=_attr(filter, "stale_threshold_seconds") or None,
        )
        return [_to_record(w) for w in workers]


@dataclass
class _Held:
    """The worker and lease of a claim a pool handed out."""

    pool: str
    worker_id: str
    lease_id: str


#: The push options the hub understands, passed on from a flatmachines ``options`` dict.
PUSH_OPTIONS = ("max_retries", "priority", "delay_seconds", "run_at", "key", "backoff")


class HubWorkPool:
    """One pool of a :class:`HubWorkBackend`.

    ``complete`` and ``fail`` name no worker in flatmachines' interface, so the backend remembers
    which worker and lease made each claim it returned and fences the call with them: a claim that
    was reaped or released in the meantime raises Conflict instead of overwriting another
    worker's result.
    """

    def __init__(self, name: str, client: HubClient, held: Dict[str, _Held]) -> None:
        self.name = name
        self.client = client
        self._held = held

    async def push(self, item: Any, options: Optional[Dict[str, Any]] = None) -> str:
        """Adds an item (any JSON value); returns its id. ``options["max_retries"]`` (default
        3, at least 1) is how many attempts it gets before it is poisoned. The hub also takes
        ``priority``, ``delay_seconds``, ``run_at``, ``key`` and ``backoff`` (see
        :meth:`HubClient.push`); other options are ignored, as flatmachines' backends do."""
        given = {name: _attr(options, name) for name in PUSH_OPTIONS} if options is not None else {}
        return await asyncio.to_thread(self.client.push, self.name, item, **{k: v for k, v in given.items() if v is not None})

    async def claim(self, worker_id: str) -> Optional[WorkItem]:
        """Claims the oldest pending item for ``worker_id``, or returns None when none is pending
        (or the worker is ``terminating``). Raises Conflict ``worker-not-active`` for a worker
        marked ``lost`` or ``terminated``: it must register again first."""
        items = await asyncio.to_thread(self.client.claim, self.name, worker_id, 1)
        if not items:
            return None
        item = items[0]
        self._held[item["id"]] = _Held(self.name, worker_id, item["lease_id"])
        return _to_item(item)

    async def complete(self, item_id: str, result: Optional[Any] = None) -> None:
        """Completes an item claimed through this backend; the hub keeps ``result``.

        Raises Conflict when the claim is gone (reaped, released, claimed again), NotFound when
        the item is, and Conflict ``not-claimed-here`` for an item this backend did not claim.
        """
        await self._end(str(item_id), "complete", result=result)

    async def fail(self, item_id: str, error: Optional[str] = None) -> None:
        """Fails an item claimed through this backend: pending again, or poisoned once its
        attempts reach ``max_retries``. Raises as :meth:`complete`."""
        await self._end(str(item_id), "fail", error=error)

    async def _end(self, item_id: str, verb: str, **kw: Any) -> None:
        """``complete`` or ``fail`` the claim, fenced by its worker and lease, and forget it once
        it is over: done, or gone for good (Conflict, NotFound). After a network failure it may
        not be gone, so it is kept for a retry."""
        held = self._holder(item_id, verb)
        call = self.client.complete if verb == "complete" else self.client.fail
        try:
            await asyncio.to_thread(call, item_id, held.worker_id, lease_id=held.lease_id, **kw)
        except (Conflict, NotFound):
            self._held.pop(item_id, None)
            raise
        self._held.pop(item_id, None)

    async def size(self) -> int:
        """How many items are pending (not claimed, completed or poisoned)."""
        return (await asyncio.to_thread(self.client.get_pool, self.name))["pending"]

    async def release_by_worker(self, worker_id: str) -> int:
        """Operator: ``worker_id``'s claims in this pool back to pending; returns how many,
        counting those released moments before by marking the worker ``lost`` through a
        registration backend of this process (flatmachines' reaper does that first)."""
        released = await asyncio.to_thread(self.client.release_pool, self.name, worker_id)
        released += _take_released(self.client.api_url, self.name, worker_id)
        for item_id in [i for i, h in self._held.items() if h.pool == self.name and h.worker_id == worker_id]:
            del self._held[item_id]
        return released

    def lease_of(self, item_id: str) -> Optional[str]:
        """The lease of a claim this backend returned and has not yet completed or failed."""
        held = self._held.get(str(item_id))
        return held.lease_id if held else None

    def _holder(self, item_id: str, verb: str) -> _Held:
        held = self._held.get(item_id)
        if held is None or held.pool != self.name:
            raise Conflict(
                409,
                "not-claimed-here",
                f"item {item_id} was not claimed through this backend's pool {self.name!r}, so it has no worker or lease to {verb} with",
                f"POST /items/{item_id}/{verb}",
            )
        return held


class HubWorkBackend:
    """flatmachines' ``WorkBackend`` over the hub: ``pool(name)`` returns the same
    :class:`HubWorkPool` each time. A pool exists on the hub once it has an item."""

    def __init__(
        self,
        url: Union[str, HubClient],
        token: Optional[str] = None,
        *,
        timeout: float = 30.0,
        retry: Optional[RetryPolicy] = None,
    ) -> None:
        self.client = _client(url, token, timeout, retry)
        self._pools: Dict[str, HubWorkPool] = {}
        self._held: Dict[str, _Held] = {}

    def pool(self, name: str) -> HubWorkPool:
        if name not in self._pools:
            self._pools[name] = HubWorkPool(name, self.client, self._held)
        return self._pools[name]


def _only_hub(kind: str, backend_type: str) -> None:
    if backend_type != "hub":
        raise ValueError(f"Unknown {kind} backend type: {backend_type} (flatmachines_hub makes 'hub' backends)")


def create_registration_backend(backend_type: str = "hub", **kwargs: Any) -> HubRegistrationBackend:
    """flatmachines' factory, for the hub: ``create_registration_backend("hub", url=..., token=...)``."""
    _only_hub("registration", backend_type)
    return HubRegistrationBackend(kwargs.pop("url"), **kwargs)


def create_work_backend(backend_type: str = "hub", **kwargs: Any) -> HubWorkBackend:
    """flatmachines' factory, for the hub: ``create_work_backend("hub", url=..., token=...)``."""
    _only_hub("work", backend_type)
    return HubWorkBackend(kwargs.pop("url"), **kwargs)
