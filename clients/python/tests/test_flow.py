"""flatmachines' distributed pattern (checker → one-job workers → reaper), written only against
the RegistrationBackend / WorkBackend interfaces, as DistributedWorkerHooks drives them; the hub
backends are swapped in by the fixtures. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any, Awaitable, Callable

import pytest

from flatmachines_hub import Conflict, WorkerFilter, WorkerRegistration

run = asyncio.run


# ── the machine's actions, backend-agnostic ───────────────────────────────────


async def checker(reg: Any, work: Any, pool_id: str, max_workers: int) -> int:
    """How many workers to start: min(depth, max_workers) − active, never below 0."""
    depth = await work.pool(pool_id).size()
    active = len(await reg.list(WorkerFilter(status="active", pool_id=pool_id)))
    return max(0, min(depth, max_workers) - active)


async def worker(reg: Any, work: Any, worker_id: str, pool_id: str, job: Callable[[Any], Awaitable[Any]]) -> str:
    """One ephemeral worker: register, claim one job, run it, complete or fail it, terminate."""
    await reg.register(WorkerRegistration(worker_id=worker_id, host="test", pid=os.getpid(), pool_id=pool_id))
    pool = work.pool(pool_id)
    try:
        item = await pool.claim(worker_id)
        if item is None:
            return "idle"
        await reg.heartbeat(worker_id, {"current_job": item.id})
        try:
            result = await job(item.data)
        except Exception as err:  # noqa: BLE001 - the job's failure fails the item
            await pool.fail(item.id, str(err))
            return "failed"
        await pool.complete(item.id, result)
        return "completed"
    finally:
        await reg.update_status(worker_id, "terminated")


async def reaper(reg: Any, work: Any, pool_id: str, stale_seconds: int) -> dict:
    """Active workers whose heartbeat is older than the threshold: mark them lost, release their jobs."""
    stale = await reg.list(WorkerFilter(status="active", pool_id=pool_id, stale_threshold_seconds=stale_seconds))
    released = 0
    for w in stale:
        await reg.update_status(w.worker_id, "lost")
        released += await work.pool(pool_id).release_by_worker(w.worker_id)
    return {"lost": [w.worker_id for w in stale], "released": released}


async def job(data: Any) -> Any:
    if data["paper"] == "corrupt":
        raise ValueError("cannot parse corrupt")
    await asyncio.sleep(0.01)
    return {"summary": f"read paper {data['paper']}"}


# ── against the hub ───────────────────────────────────────────────────────────


def test_checker_spawns_workers_until_the_pool_is_drained(reg, work, ops, name):
    pool_id = name("papers")
    pool = work.pool(pool_id)

    async def main():
        for i in range(1, 8):
            await pool.push({"paper": i})
        await pool.push({"paper": "corrupt"}, {"max_retries": 2})
        assert await pool.size() == 8
        spawned, outcomes, rounds = [], [], 0
        while await pool.size() > 0:
            rounds += 1
            assert rounds < 10, "the pool never drained"
            n = await checker(reg, work, pool_id, max_workers=3)
            spawned.append(n)
            ids = [name(f"r{rounds}w{i}") for i in range(n)]
            outcomes += await asyncio.gather(*(worker(reg, work, wid, pool_id, job) for wid in ids))
        return spawned, outcomes

    spawned, outcomes = run(main())
    # 8 items, 3 at a time; the corrupt one comes back once before it is poisoned.
    assert spawned[0] == 3 and all(n <= 3 for n in spawned)
    assert sum(n for n in spawned) == len(outcomes) == 9
    assert outcomes.count("completed") == 7 and outcomes.count("failed") == 2
    summary = ops.get_pool(pool_id)
    assert (summary["pending"], summary["claimed"], summary["completed"], summary["poisoned"]) == (0, 0, 7, 1)
    # Every worker exited cleanly, so the checker sees none active and spawns none for an empty pool.
    assert run(checker(reg, work, pool_id, max_workers=3)) == 0
    assert all(w.status == "terminated" for w in run(reg.list(WorkerFilter(pool_id=pool_id))))
    # The hub kept what the seed threw away: results and the poisoned item's error.
    results = sorted(i["result"]["summary"] for i in ops.iter_items(pool_id, status="completed"))
    assert results == [f"read paper {i}" for i in range(1, 8)]
    [poisoned] = list(ops.iter_items(pool_id, status="poisoned"))
    assert (poisoned["attempts"], poisoned["last_error"]) == (2, "cannot parse corrupt")


def test_checker_counts_active_workers_of_the_pool_only(reg, work, name):
    pool_id = name("count")

    async def main():
        for i in range(5):
            await work.pool(pool_id).push({"paper": i})
        await reg.register(WorkerRegistration(worker_id=name("busy"), pool_id=pool_id))
        await reg.register(WorkerRegistration(worker_id=name("elsewhere"), pool_id=name("other")))
        return await checker(reg, work, pool_id, max_workers=4)

    assert run(main()) == 3


def test_reaper_releases_the_jobs_of_a_silent_worker_and_fences_its_late_completion(reg, work, ops, name):
    pool_id = name("reaped")

    async def main():
        pool = work.pool(pool_id)
        await pool.push({"paper": "long"})
        await pool.push({"paper": "short"})
        silent = name("silent")
        await reg.register(WorkerRegistration(worker_id=silent, pool_id=pool_id))
        taken = await pool.claim(silent)
        alive = name("alive")
        await reg.register(WorkerRegistration(worker_id=alive, pool_id=pool_id))
        time.sleep(1.2)
        await reg.heartbeat(alive)  # fresh: the reaper leaves it alone
        reaped = await reaper(reg, work, pool_id, stale_seconds=1)
        assert reaped == {"lost": [silent], "released": 1}
        assert (await reg.get(silent)).status == "lost"
        assert (await reg.get(alive)).status == "active"
        assert await pool.size() == 2
        # A fresh worker takes the job over and completes it; the silent one wakes up too late.
        assert await worker(reg, work, name("rescuer"), pool_id, job) == "completed"
        with pytest.raises(Conflict):
            await pool.complete(taken.id, {"summary": "late"})
        return taken.id

    item_id = run(main())
    stored = ops.get_item(item_id)
    assert stored["status"] == "completed" and stored["result"] == {"summary": "read paper long"}
    assert [h["outcome"] for h in stored["history"]] == ["released", "completed"]
