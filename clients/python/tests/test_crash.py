"""A worker process killed (SIGKILL) in the middle of an item is reaped by the hub, and its item
is completed exactly once, by another worker. The hub runs with a 2 s stale threshold."""

from __future__ import annotations

import asyncio
import time

import pytest

from flatmachines_hub import Conflict, HubClient, HubRegistrationBackend, HubWorkBackend, WorkerFilter, run_worker
from hubproc import Hub

run = asyncio.run


@pytest.fixture(scope="module")
def fast_hub():
    h = Hub(env={"HUB_STALE_SECONDS": "2", "HUB_REAP_INTERVAL_SECONDS": "0.5"})
    yield h
    h.stop()


def wait_until(predicate, timeout: float = 15.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_item_is_reaped_and_its_item_completed_exactly_once(fast_hub, name, program):
    hub = HubClient(fast_hub.url)
    pool = name("crash")
    ids = [hub.push(pool, {"n": i}) for i in range(6)]
    victim = name("victim")
    worker = program("claim_and_hang.py", fast_hub.url, pool, victim)
    line = worker.next_line("its `claimed <id>` line")
    assert line == f"claimed {ids[0]}", worker.stderr()
    held = ids[0]
    # Alive and heartbeating: well past the stale threshold, the hub leaves it and its item alone.
    time.sleep(3)
    assert hub.get_worker(victim)["status"] == "active"
    assert hub.get_item(held)["status"] == "claimed"
    worker.kill()

    wait_until(lambda: hub.get_worker(victim)["status"] == "lost", what="the hub to mark the killed worker lost")
    assert hub.get_item(held)["status"] == "pending"

    # Another worker drains the pool, the released item included.
    summary = run_worker(pool, lambda item: {"done": item["data"]["n"]}, url=fast_hub.url, exit_when_empty=True, handle_signals=False)
    assert (summary.reason, summary.completed, summary.failed, summary.conflicts) == ("empty", 6, 0, 0)

    for i, item_id in enumerate(ids):
        item = hub.get_item(item_id)
        outcomes = [h["outcome"] for h in item["history"]]
        assert item["status"] == "completed" and item["result"] == {"done": i}
        assert outcomes.count("completed") == 1
        assert outcomes == (["released", "completed"] if item_id == held else ["completed"])
    reaped = hub.get_item(held)["history"][0]
    assert reaped["worker_id"] == victim
    assert hub.get_pool(pool)["completed"] == 6


def test_the_flatmachines_reaper_sees_the_killed_worker_as_stale_before_the_hub_does(fast_hub, name, program):
    """Listing stale workers through the backend (threshold 1 s) finds the killed worker before
    the hub's own 2 s threshold; marking it lost and releasing reports its one job."""
    pool_id = name("fmreap")
    reg, work = HubRegistrationBackend(fast_hub.url), HubWorkBackend(fast_hub.url)
    item_id = run(work.pool(pool_id).push({"job": 1}))
    victim = name("victim")
    worker = program("claim_and_hang.py", fast_hub.url, pool_id, victim)
    assert worker.next_line("its `claimed <id>` line") == f"claimed {item_id}", worker.stderr()
    worker.kill()

    async def reap():
        await asyncio.sleep(1.1)
        stale = await reg.list(WorkerFilter(status="active", pool_id=pool_id, stale_threshold_seconds=1))
        released = 0
        for w in stale:
            await reg.update_status(w.worker_id, "lost")
            released += await work.pool(pool_id).release_by_worker(w.worker_id)
        return [w.worker_id for w in stale], released

    lost, released = run(reap())
    if lost:  # the hub's reaper (2 s, every 0.5 s) may rarely have been first
        assert (lost, released) == ([victim], 1)
    hub = HubClient(fast_hub.url)
    assert hub.get_worker(victim)["status"] == "lost"

    async def finish():
        item = await work.pool(pool_id).claim(name("rescuer"))
        await work.pool(pool_id).complete(item.id, "rescued")
        with pytest.raises(Conflict):
            await work.pool(pool_id).complete(item.id, "twice")
        return item.id

    assert run(finish()) == item_id
    outcomes = [h["outcome"] for h in hub.get_item(item_id)["history"]]
    assert outcomes == ["released", "completed"]
