"""A worker process killed (SIGKILL) in the middle of an item is reaped by the hub, and its item
is completed exactly once, by another worker. The hub runs with a 2 s stale threshold."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flatmachines_hub import Conflict, HubClient, HubRegistrationBackend, HubWorkBackend, WorkerFilter, run_worker
from hubproc import Hub

PROGRAMS = Path(__file__).resolve().parent / "programs"
run = asyncio.run


@pytest.fixture(scope="module")
def fast_hub():
    h = Hub(env={"HUB_STALE_SECONDS": "2", "HUB_REAP_INTERVAL_SECONDS": "0.5"})
    yield h
    h.stop()


def start_program(script: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen([sys.executable, str(PROGRAMS / script), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_until(predicate, timeout: float = 15.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_item_is_reaped_and_its_item_completed_exactly_once(fast_hub, name):
    hub = HubClient(fast_hub.url)
    pool = name("crash")
    ids = [hub.push(pool, {"n": i}) for i in range(6)]
    victim = name("victim")
    proc = start_program("claim_and_hang.py", fast_hub.url, pool, victim)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("claimed "), proc.stderr.read()
        held = line.split()[1]
        assert held == ids[0]
        # Alive and heartbeating: well past the stale threshold, the hub leaves it and its item alone.
        time.sleep(3)
        assert hub.get_worker(victim)["status"] == "active"
        assert hub.get_item(held)["status"] == "claimed"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()

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


def test_the_flatmachines_reaper_sees_the_killed_worker_as_stale_before_the_hub_does(fast_hub, name):
    """Listing stale workers through the backend (threshold 1 s) finds the killed worker before
    the hub's own 2 s threshold; marking it lost and releasing reports its one job."""
    pool_id = name("fmreap")
    reg, work = HubRegistrationBackend(fast_hub.url), HubWorkBackend(fast_hub.url)
    item_id = run(work.pool(pool_id).push({"job": 1}))
    victim = name("victim")
    proc = start_program("claim_and_hang.py", fast_hub.url, pool_id, victim)
    try:
        assert proc.stdout.readline().strip() == f"claimed {item_id}", proc.stderr.read()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()

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
