"""run_worker against a real hub: draining a pool, sync and async handlers, failures and
poisoning, graceful drain on SIGTERM, abort on a second one, an operator's `terminating`."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from flatmachines_hub import HubClient, WorkerContext, run_worker, run_worker_async

PROGRAMS = Path(__file__).resolve().parent / "programs"


def test_run_worker_drains_a_pool_with_a_sync_handler_side_by_side(hub, client, name):
    pool = name("sync")
    client.push_many(pool, [{"data": {"n": i}} for i in range(12)])
    running, most = [0], [0]
    lock = threading.Lock()

    def handler(item):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return {"square": item["data"]["n"] ** 2}

    summary = run_worker(pool, handler, url=hub.url, concurrency=4, exit_when_empty=True, handle_signals=False)
    assert (summary.reason, summary.completed, summary.failed, summary.conflicts) == ("empty", 12, 0, 0)
    assert 2 <= most[0] <= 4
    assert sorted(i["result"]["square"] for i in client.iter_items(pool)) == sorted(n * n for n in range(12))
    assert client.get_worker(summary.worker_id)["status"] == "terminated"


def test_run_worker_fails_items_with_the_error_and_poisons_them_after_max_retries(hub, client, name):
    pool = name("async")
    good = client.push(pool, {"ok": True})
    bad = client.push(pool, {"ok": False}, max_retries=2)
    seen = []

    async def handler(item, ctx: WorkerContext):
        seen.append(ctx.worker_id)
        await asyncio.sleep(0.01)
        if not item["data"]["ok"]:
            raise RuntimeError(f"item {item['id']} is bad")
        return None  # completes with no result

    summary = run_worker(pool, handler, url=hub.url, worker_id=name("w"), exit_when_empty=True, handle_signals=False)
    assert (summary.completed, summary.failed) == (1, 2)
    assert set(seen) == {name("w")}
    assert client.get_item(good)["status"] == "completed" and client.get_item(good)["result"] is None
    poisoned = client.get_item(bad)
    assert (poisoned["status"], poisoned["attempts"], poisoned["last_error"]) == ("poisoned", 2, f"item {bad} is bad")


def test_a_result_that_is_not_json_fails_the_item_instead_of_leaving_it_claimed(hub, client, name):
    pool = name("notjson")
    item_id = client.push(pool, 1, max_retries=1)
    summary = run_worker(pool, lambda item: {1, 2}, url=hub.url, exit_when_empty=True, handle_signals=False)
    assert summary.failed == 1
    stored = client.get_item(item_id)
    assert stored["status"] == "poisoned" and "not JSON" in stored["last_error"]


def test_max_items_and_the_stop_event(hub, client, name):
    pool = name("limits")
    client.push_many(pool, [{"data": i} for i in range(5)])
    summary = run_worker(pool, lambda item: item["data"], url=hub.url, max_items=2, handle_signals=False)
    assert (summary.reason, summary.completed) == ("max-items", 2)

    async def stop_soon():
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(0.5, stop.set)
        return await run_worker_async(name("empty"), lambda item: None, url=hub.url, stop=stop, wait_seconds=0.2, handle_signals=False)

    summary = asyncio.run(stop_soon())
    assert (summary.reason, summary.completed) == ("stopped", 0)


def test_an_operator_asking_a_worker_to_terminate_makes_it_drain_and_stop(hub, client, name):
    pool = name("drain")
    client.push_many(pool, [{"data": i} for i in range(3)])
    wid = name("drained")

    def handler(item):
        if item["data"] == 0:
            client.set_worker_status(wid, "terminating")  # as the dashboard's "drain" button does
            time.sleep(0.8)  # a heartbeat (every 0.2 s) reads it while this item runs
        return "ok"

    summary = run_worker(pool, handler, url=hub.url, worker_id=wid, heartbeat_seconds=0.2, handle_signals=False)
    assert (summary.reason, summary.completed) == ("terminating", 1)
    assert client.get_pool(pool)["pending"] == 2
    assert client.get_worker(wid)["status"] == "terminated"


FLAKY = pytest.mark.skip(reason="hung once in CI under load: the slow worker subprocess never wrote its 'started' lines to the pipe the test reads, so readline() blocked; cause not found yet (issue 18 note)")


def _start_slow_worker(hub, pool, wid, seconds, concurrency):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    args = [sys.executable, str(PROGRAMS / "slow_worker.py"), hub.url, pool, wid, str(seconds), str(concurrency)]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


@FLAKY
def test_sigterm_drains_finishes_what_it_holds_and_exits(hub, client, name):
    pool = name("sigterm")
    client.push_many(pool, [{"data": i} for i in range(6)])
    wid = name("slow")
    proc = _start_slow_worker(hub, pool, wid, seconds=1.5, concurrency=2)
    started = [proc.stdout.readline().strip(), proc.stdout.readline().strip()]
    assert all(s.startswith("started ") for s in started), proc.stderr.read()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert (summary["reason"], summary["completed"], summary["failed"]) == ("signal", 2, 0)
    ran = {s.split()[1] for s in started}
    for item in client.iter_items(pool):
        assert item["status"] == ("completed" if item["id"] in ran else "pending")
    assert client.get_worker(wid)["status"] == "terminated"


@FLAKY
def test_a_second_sigterm_gives_up_and_the_items_are_released(hub, client, name):
    pool = name("abort")
    client.push_many(pool, [{"data": i} for i in range(2)])
    wid = name("aborted")
    proc = _start_slow_worker(hub, pool, wid, seconds=3, concurrency=1)
    first = proc.stdout.readline().strip()
    assert first.startswith("started "), proc.stderr.read()
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert (summary["reason"], summary["completed"]) == ("signal", 0)
    item = client.get_item(first.split()[1])
    assert item["status"] == "pending" and item["attempts"] == 1
    assert [h["outcome"] for h in item["history"]] == ["released"]
    assert client.get_worker(wid)["status"] == "terminated"


def test_a_worker_marked_lost_registers_again_and_goes_on(hub, client, name):
    pool = name("relost")
    wid = name("phoenix")
    client.push(pool, 0)
    first = [True]

    def handler(item):
        if first[0]:
            first[0] = False
            client.set_worker_status(wid, "lost")  # as the reaper would: its claim is released
            client.push(pool, 1)
            time.sleep(0.6)
        return item["data"]

    summary = run_worker(pool, handler, url=hub.url, worker_id=wid, heartbeat_seconds=0.2, exit_when_empty=True, handle_signals=False)
    # The first item's claim was released by the loss: its completion is refused and counted;
    # the worker registered again and took the rest (the released item too).
    assert summary.conflicts == 1
    assert summary.completed == 2
    assert all(i["status"] == "completed" for i in client.iter_items(pool))
    assert HubClient(hub.url).get_worker(wid)["status"] == "terminated"
