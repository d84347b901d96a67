"""run_worker against a real hub: draining a pool, sync and async handlers, failures and
poisoning, graceful drain on SIGTERM, abort on a second one, an operator's `terminating`."""

from __future__ import annotations

import asyncio
import json
import signal
import threading
import time

from flatmachines_hub import HubClient, WorkerContext, run_worker, run_worker_async


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


def test_run_worker_marks_itself_terminated_without_an_operator_entry_in_the_audit_trail(hub, client, name):
    # An open hub: everyone is the anonymous operator, so the worker says the change is its own.
    pool = name("self")
    client.push(pool, {"n": 1})
    summary = run_worker(pool, lambda item: item["data"], url=hub.url, worker_id=name("w"), exit_when_empty=True, handle_signals=False)
    assert client.get_worker(summary.worker_id)["status"] == "terminated"
    targets = [e["target"] for e in client.audit(limit=500)["entries"] if e["action"] == "worker.status"]
    assert summary.worker_id not in targets
    # Without the flag the same change is an operator action.
    client.set_worker_status(summary.worker_id, "terminated")
    entry = client.audit(limit=1)["entries"][0]
    assert (entry["actor"], entry["action"], entry["target"]) == ("anonymous", "worker.status", summary.worker_id)


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


def _started(line: str) -> str:
    """The item id of a handler's `started <id>` line."""
    word, _, item_id = line.partition(" ")
    assert word == "started" and item_id and " " not in item_id, f"not a `started <id>` line: {line!r}"
    return item_id


def _history(item: dict) -> list:
    return [h["outcome"] for h in item["history"]]


def test_sigterm_drains_finishes_what_it_holds_and_exits(hub, client, name, program, tmp_path):
    pool = name("sigterm")
    client.push_many(pool, [{"data": i} for i in range(6)])
    wid = name("slow")
    gate = tmp_path / "gate"  # the handlers hold their items until it exists
    worker = program("slow_worker.py", hub.url, pool, wid, str(gate), "2")
    held = {_started(worker.next_line("a handler's `started <id>` line")) for _ in range(2)}
    assert len(held) == 2
    worker.send_signal(signal.SIGTERM)
    # Seen by the worker while both handlers still hold their items, so it can claim no more.
    worker.wait_for(f"worker {wid}: SIGTERM: finishing 2 item(s)")
    gate.touch()
    code, rest = worker.exit()
    assert code == 0, worker.stderr()
    assert len(rest) == 1, f"a handler started after SIGTERM: {rest!r}"
    summary = json.loads(rest[0])
    assert (summary["reason"], summary["completed"], summary["failed"], summary["conflicts"]) == ("signal", 2, 0, 0)
    items = [client.get_item(i["id"]) for i in client.iter_items(pool)]  # with their history
    for item in items:
        if item["id"] in held:  # finished after the signal, once
            assert (item["status"], item["attempts"], item["result"], _history(item)) == ("completed", 1, {"gate": "opened"}, ["completed"])
        else:  # never claimed
            assert (item["status"], item["attempts"], item["claimed_by"], _history(item)) == ("pending", 0, None, [])
    assert len(items) == 6
    assert client.get_worker(wid)["status"] == "terminated"


def test_a_second_sigterm_gives_up_and_the_items_are_released(hub, client, name, program, tmp_path):
    pool = name("abort")
    first_id, second_id = client.push_many(pool, [{"data": i} for i in range(2)])
    wid = name("aborted")
    worker = program("slow_worker.py", hub.url, pool, wid, str(tmp_path / "never"), "1")
    assert _started(worker.next_line("the handler's `started <id>` line")) == first_id
    worker.send_signal(signal.SIGTERM)
    # Two signals sent before the first is handled may arrive as one: wait until it was.
    worker.wait_for(f"worker {wid}: SIGTERM: finishing 1 item(s)")
    worker.send_signal(signal.SIGTERM)
    worker.wait_for(f"worker {wid}: SIGTERM again: aborting 1 item(s)")
    code, rest = worker.exit()
    assert code == 0, worker.stderr()
    assert len(rest) == 1, f"a handler started after SIGTERM: {rest!r}"
    summary = json.loads(rest[0])
    assert (summary["reason"], summary["completed"], summary["failed"]) == ("signal", 0, 0)
    item = client.get_item(first_id)
    assert (item["status"], item["attempts"], _history(item)) == ("pending", 1, ["released"])
    untouched = client.get_item(second_id)
    assert (untouched["status"], untouched["attempts"], _history(untouched)) == ("pending", 0, [])
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
