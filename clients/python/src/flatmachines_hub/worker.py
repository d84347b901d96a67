"""``run_worker``: a hub worker loop with graceful drain, as the TypeScript SDK's ``runWorker``."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import signal as signals_module
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, Dict, Optional, Sequence, Set, Union

from .client import HubClient
from .errors import Conflict, HubError, NotFound, is_retryable

__all__ = ["run_worker", "run_worker_async", "WorkerContext", "WorkerSummary"]

log = logging.getLogger("flatmachines_hub.worker")


@dataclass
class WorkerContext:
    """What a handler may take besides the item (declare a second parameter to get it)."""

    worker_id: str
    pool: str
    client: HubClient
    aborted: threading.Event = field(default_factory=threading.Event)
    """Set when the worker is told to give up at once (a second SIGTERM/SIGINT). The item is then
    neither completed nor failed: marking the worker ``terminated`` releases it. A long-running
    synchronous handler should check it; an async one is cancelled."""


@dataclass
class WorkerSummary:
    worker_id: str
    reason: str
    """Why it stopped claiming: ``signal``, ``stopped``, ``terminating``, ``terminated``,
    ``empty`` or ``max-items``."""
    completed: int = 0
    failed: int = 0
    conflicts: int = 0
    """Completions or failures the hub refused because the claim was gone (409/404): work dropped."""


Handler = Callable[..., Union[Any, Awaitable[Any]]]


def _default_worker_id() -> str:
    host = "".join(c if c.isalnum() or c in "._:-" else "-" for c in socket.gethostname())[:80] or "worker"
    return f"{host}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def _wants_context(handler: Handler) -> bool:
    try:
        params = inspect.signature(handler).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)


def run_worker(pool: str, handler: Handler, **options: Any) -> WorkerSummary:
    """Runs a hub worker until it is told to stop, then returns a :class:`WorkerSummary`.

    Blocking: ``asyncio.run(run_worker_async(...))``. See :func:`run_worker_async` for options.
    """
    return asyncio.run(run_worker_async(pool, handler, **options))


async def run_worker_async(
    pool: str,
    handler: Handler,
    *,
    url: Optional[str] = None,
    token: Optional[str] = None,
    client: Optional[HubClient] = None,
    concurrency: int = 1,
    worker_id: Optional[str] = None,
    capabilities: Optional[Sequence[str]] = None,
    metadata: Optional[Dict[str, Any]] = None,
    heartbeat_seconds: float = 10.0,
    wait_seconds: float = 5.0,
    poll_seconds: float = 1.0,
    exit_when_empty: bool = False,
    max_items: Optional[int] = None,
    handle_signals: bool = True,
    stop: Optional[asyncio.Event] = None,
) -> WorkerSummary:
    """Registers, heartbeats every ``heartbeat_seconds``, claims up to ``concurrency`` (1..100)
    items at a time, runs ``handler`` on each and completes the item with its return value (any
    JSON) or fails it with the message of what it raised, always fenced by the claim's lease.

    ``handler(item)`` or ``handler(item, ctx)`` (:class:`WorkerContext`) gets the hub's WorkItem
    as a dict (``item["data"]``, ``item["attempts"]``, ...). An ``async def`` handler runs on the
    event loop; a plain function runs in a thread of its own, ``concurrency`` of them at most.

    It stops claiming on SIGTERM or SIGINT (when ``handle_signals`` and on the main thread), when
    ``stop`` is set, when a heartbeat reads ``terminating`` (an operator asked it to drain), when
    the pool is empty (``exit_when_empty``) or after ``max_items``; it then finishes the items it
    holds, marks itself ``terminated`` and returns. A second signal gives up on running items
    (they are released). An idle claim waits at the hub up to ``wait_seconds`` (0..30) for work;
    ``0`` polls every ``poll_seconds`` instead. A stop waits for a claim in progress, so at most
    ``wait_seconds``.

    A completion the hub refuses (the claim was reaped or released meanwhile) is logged and
    counted, not raised; a worker marked ``lost`` registers again. Raises only for what retrying
    cannot fix: a bad token, a refused registration, a bad argument.
    Logs to the ``flatmachines_hub.worker`` logger.
    """
    if client is None:
        if url is None:
            raise TypeError("run_worker needs a client or a url")
        client = HubClient(url, token)
    run = _Run(
        client=client,
        pool=pool,
        handler=handler,
        concurrency=max(1, min(100, int(concurrency))),
        worker_id=worker_id or _default_worker_id(),
        capabilities=capabilities,
        metadata=metadata,
        heartbeat_seconds=heartbeat_seconds,
        wait_seconds=0.0 if exit_when_empty else max(0.0, min(30.0, wait_seconds)),
        poll_seconds=poll_seconds,
        exit_when_empty=exit_when_empty,
        max_items=max_items,
        handle_signals=handle_signals,
        stop_event=stop,
    )
    return await run.run()


class _Run:
    def __init__(self, *, client: HubClient, pool: str, handler: Handler, concurrency: int, worker_id: str, **opts: Any) -> None:
        self.client = client
        self.pool = pool
        self.handler = handler
        self.concurrency = concurrency
        self.worker_id = worker_id
        self.opts = opts
        self.pass_context = _wants_context(handler)
        self.is_async = inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(getattr(handler, "__call__", None))
        self.in_flight: Set[asyncio.Task] = set()
        self.completed = self.failed = self.conflicts = self.claimed = 0
        self.settled = 0
        self.stop_reason: Optional[str] = None
        self.fatal: Optional[BaseException] = None
        self.aborted = threading.Event()
        self.wake = asyncio.Event()
        self.reregistering: Optional[asyncio.Task] = None
        # HTTP calls and sync handlers each get threads of their own, so neither starves the other.
        self.http = ThreadPoolExecutor(max_workers=concurrency + 2, thread_name_prefix="fmh-http")
        self.work = None if self.is_async else ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="fmh-handler")

    async def call(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.http, lambda: fn(*args, **kw))

    def stop(self, reason: str) -> None:
        if self.stop_reason is None:
            self.stop_reason = reason
            self.wake.set()

    async def idle(self, seconds: float) -> None:
        """Waits ``seconds``, or less when a task ends or a stop is asked for."""
        try:
            await asyncio.wait_for(self.wake.wait(), seconds)
        except asyncio.TimeoutError:
            pass
        self.wake.clear()

    async def run(self) -> WorkerSummary:
        try:
            await self.register()
            log.info("worker %s registered; pool %s, concurrency %d", self.worker_id, self.pool, self.concurrency)
            restore = self.install_signals()
            stop_watch = asyncio.ensure_future(self.watch_stop_event())
            beat = asyncio.ensure_future(self.beat())
            try:
                await self.claim_loop()
                while self.in_flight:
                    await asyncio.wait(set(self.in_flight))
            finally:
                beat.cancel()
                stop_watch.cancel()
                await asyncio.gather(beat, stop_watch, return_exceptions=True)
                restore()
            if self.fatal is not None:
                raise self.fatal
            try:
                await self.call(self.client.set_worker_status, self.worker_id, "terminated", self_change=True)
            except HubError as err:
                log.warning("worker %s could not mark itself terminated: %s", self.worker_id, err)
            reason = self.stop_reason or "stopped"
            log.info("worker %s stopped (%s): %d completed, %d failed, %d refused", self.worker_id, reason, self.completed, self.failed, self.conflicts)
            return WorkerSummary(self.worker_id, reason, self.completed, self.failed, self.conflicts)
        finally:
            self.http.shutdown(wait=False)
            if self.work is not None:
                self.work.shutdown(wait=False, cancel_futures=True)

    def install_signals(self) -> Callable[[], None]:
        if not self.opts["handle_signals"] or threading.current_thread() is not threading.main_thread():
            return lambda: None
        loop = asyncio.get_running_loop()
        previous = {}
        received = [0]

        def on_signal(sig: int) -> None:
            received[0] += 1
            name = signals_module.Signals(sig).name
            if received[0] == 1:
                log.info("worker %s: %s: finishing %d item(s), then exiting (again to abort them)", self.worker_id, name, len(self.in_flight))
                self.stop("signal")
            else:
                log.warning("worker %s: %s again: aborting %d item(s); they will be released", self.worker_id, name, len(self.in_flight))
                self.aborted.set()
                for task in self.in_flight:
                    task.cancel()

        for sig in (signals_module.SIGTERM, signals_module.SIGINT):
            previous[sig] = signals_module.getsignal(sig)
            loop.add_signal_handler(sig, on_signal, sig)

        def restore() -> None:
            for sig, handler in previous.items():
                loop.remove_signal_handler(sig)
                signals_module.signal(sig, handler if handler is not None else signals_module.SIG_DFL)

        return restore

    async def watch_stop_event(self) -> None:
        event = self.opts["stop_event"]
        if event is not None:
            await event.wait()
            self.stop("stopped")

    async def register(self) -> None:
        await self.call(
            self.client.register,
            self.worker_id,
            host=socket.gethostname(),
            pid=os.getpid(),
            capabilities=self.opts["capabilities"],
            pool_id=self.pool,
            started_at=datetime.now(timezone.utc).isoformat(),
            **({"metadata": self.opts["metadata"]} if self.opts["metadata"] is not None else {}),
        )

    async def reregister(self, why: str) -> None:
        """Registers again after the hub declared this worker lost; once, however many ask."""

        async def again() -> None:
            log.warning("worker %s: %s; registering again (items it held were released)", self.worker_id, why)
            try:
                await self.register()
            except HubError as err:
                log.error("worker %s could not register again: %s", self.worker_id, err)

        if self.reregistering is None or self.reregistering.done():
            self.reregistering = asyncio.ensure_future(again())
        await self.reregistering

    async def beat(self) -> None:
        while True:
            await asyncio.sleep(self.opts["heartbeat_seconds"])
            try:
                record = await self.call(
                    self.client.heartbeat,
                    self.worker_id,
                    {"in_flight": len(self.in_flight), "completed": self.completed, "failed": self.failed},
                )
            except NotFound:
                await self.reregister("the hub forgot this worker")
                continue
            except HubError as err:
                log.warning("worker %s: heartbeat failed: %s", self.worker_id, err)
                continue
            status = record["status"]
            if status == "terminating" and self.stop_reason is None:
                log.info("worker %s asked to terminate: finishing %d item(s), then exiting", self.worker_id, len(self.in_flight))
                self.stop("terminating")
            elif status == "terminated":
                self.stop("terminated")
            elif status == "lost" and self.stop_reason is None:
                await self.reregister("the hub marked this worker lost")

    async def claim_loop(self) -> None:
        wait = self.opts["wait_seconds"]
        poll = self.opts["poll_seconds"]
        max_items = self.opts["max_items"]
        while self.stop_reason is None:
            if max_items is not None and self.claimed >= max_items:
                self.stop("max-items")
                break
            free = self.concurrency - len(self.in_flight)
            if max_items is not None:
                free = min(free, max_items - self.claimed)
            if free <= 0:
                await self.idle(60)
                continue
            settled_before = self.settled
            loop = asyncio.get_running_loop()
            started = loop.time()
            try:
                items = await self.call(self.client.claim, self.pool, self.worker_id, free, wait_seconds=wait)
            except Conflict as err:
                if err.code == "worker-not-active":
                    await self.on_inactive()
                else:
                    self.fatal = err
                    self.stop("stopped")
                continue
            except HubError as err:
                if not is_retryable(err):
                    self.fatal = err
                    self.stop("stopped")
                else:
                    log.warning("worker %s: claim failed: %s", self.worker_id, err)
                    await self.idle(poll)
                continue
            if self.stop_reason is not None and items:
                log.info("worker %s claimed %d item(s) while stopping; running them", self.worker_id, len(items))
            for item in items:
                self.start(item)
            if not items:
                if self.opts["exit_when_empty"] and not self.in_flight:
                    if self.settled == settled_before:
                        self.stop("empty")
                    continue  # a task ended during the claim, maybe failing its item back: look again
                waited_out = wait > 0 and loop.time() - started >= wait - 0.25
                if not waited_out:
                    await self.idle(60 if self.in_flight and self.opts["exit_when_empty"] else poll)

    async def on_inactive(self) -> None:
        """A claim answered ``worker-not-active``: register again if the hub lost us, else stop."""
        try:
            record = await self.call(self.client.get_worker, self.worker_id)
        except HubError:
            record = None
        if record is None:
            await self.reregister("the hub forgot this worker")
        elif record["status"] == "lost":
            await self.reregister("the hub marked this worker lost")
        else:
            self.stop("terminated" if record["status"] == "terminated" else "terminating")

    def start(self, item: Dict[str, Any]) -> None:
        self.claimed += 1
        task = asyncio.ensure_future(self.process(item))
        self.in_flight.add(task)

        def done(t: asyncio.Task) -> None:
            self.settled += 1
            self.in_flight.discard(t)
            self.wake.set()

        task.add_done_callback(done)

    async def run_handler(self, item: Dict[str, Any]) -> Any:
        ctx = WorkerContext(self.worker_id, self.pool, self.client, self.aborted)
        args = (item, ctx) if self.pass_context else (item,)
        if self.is_async:
            return await self.handler(*args)
        result = await asyncio.get_running_loop().run_in_executor(self.work, lambda: self.handler(*args))
        if inspect.isawaitable(result):
            result = await result
        return result

    async def process(self, item: Dict[str, Any]) -> None:
        fence = {"lease_id": item.get("lease_id")}
        try:
            result = await self.run_handler(item)
            ok, error, error_type = True, None, None
        except asyncio.CancelledError:
            return  # given up (a second signal): marking the worker terminated releases the item
        except Exception as err:  # noqa: BLE001 - any failure of the handler fails the item
            ok, result, error, error_type = False, None, str(err) or type(err).__name__, type(err).__name__
        if self.aborted.is_set():
            return
        if ok:
            try:
                json.dumps(result, allow_nan=False)
            except (TypeError, ValueError) as err:
                ok, result, error = False, None, f"the handler's result is not JSON: {err}"
        what = "result" if ok else "failure"
        try:
            if ok:
                await self.call(self.client.complete, item["id"], self.worker_id, result=result, **fence)
                self.completed += 1
            else:
                after = await self.call(self.client.fail, item["id"], self.worker_id, error=error, error_type=error_type, **fence)
                self.failed += 1
                poisoned = ", poisoned" if after["status"] == "poisoned" else ""
                log.warning("item %s failed (attempt %d/%d%s): %s", item["id"], item["attempts"], item["max_retries"], poisoned, error)
        except (Conflict, NotFound) as err:
            self.conflicts += 1
            log.warning("item %s: the hub refused the %s (%s): the claim is gone, moving on", item["id"], what, err.code)
        except HubError as err:
            log.error("item %s: could not report its %s: %s", item["id"], what, err)
