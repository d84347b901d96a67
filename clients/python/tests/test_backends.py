"""Every method of the hub backends against flatmachines' documented behaviour, on SQLite and on
PostgreSQL. Where the hub deliberately differs (fencing, poisoning bounds, kept results) the
test says so."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import pytest

from flatmachines_hub import (
    BadRequest,
    Conflict,
    HubClient,
    HubRegistrationBackend,
    HubWorkBackend,
    NotFound,
    WorkerFilter,
    WorkerRecord,
    WorkerRegistration,
    WorkItem,
    create_registration_backend,
    create_work_backend,
)

run = asyncio.run


# ── RegistrationBackend ───────────────────────────────────────────────────────


def test_register_returns_an_active_record_with_what_was_registered(reg, name):
    wid = name("w")
    rec = run(reg.register(WorkerRegistration(worker_id=wid, host="box-1", pid=42, capabilities=["gpu"], pool_id=name("p"))))
    assert isinstance(rec, WorkerRecord)
    assert (rec.worker_id, rec.status, rec.host, rec.pid, rec.capabilities, rec.pool_id) == (wid, "active", "box-1", 42, ["gpu"], name("p"))
    assert rec.last_heartbeat and rec.started_at
    assert rec.current_task_id is None and rec.metadata is None
    assert set(rec.to_dict()) >= {"worker_id", "status", "last_heartbeat", "host", "pid", "capabilities", "started_at", "current_task_id", "metadata"}


def test_register_takes_any_object_with_the_seed_attributes_or_a_dict(reg, name):
    # flatmachines' own WorkerRegistration has no pool_id: an object without it registers fine.
    seed_like = SimpleNamespace(worker_id=name("seed"), host="h", pid=1, capabilities=None, started_at="2026-11-29T06:10:54.123+00:00")
    rec = run(reg.register(seed_like))
    assert rec.worker_id == name("seed") and rec.pool_id is None and rec.capabilities is None
    assert run(reg.register({"worker_id": name("dict"), "capabilities": ["x"]})).capabilities == ["x"]


def test_registering_again_replaces_the_record_and_is_active_again(reg, name):
    wid = name("again")
    run(reg.register(WorkerRegistration(worker_id=wid, host="old")))
    run(reg.update_status(wid, "lost"))
    rec = run(reg.register(WorkerRegistration(worker_id=wid, host="new")))
    assert (rec.status, rec.host) == ("active", "new")
    assert run(reg.get(wid)).host == "new"


def test_heartbeat_moves_last_heartbeat_and_merges_metadata(reg, name):
    wid = name("beat")
    first = run(reg.register(WorkerRegistration(worker_id=wid)))
    time.sleep(0.01)
    assert run(reg.heartbeat(wid, {"load": 0.5, "jobs": 1})) is None
    run(reg.heartbeat(wid, {"jobs": 2}))
    run(reg.heartbeat(wid))  # no metadata: keeps it
    rec = run(reg.get(wid))
    assert rec.last_heartbeat > first.last_heartbeat
    assert rec.metadata == {"load": 0.5, "jobs": 2}


def test_heartbeat_and_update_status_of_an_unknown_worker_raise_key_error(reg, name):
    with pytest.raises(KeyError):
        run(reg.heartbeat(name("nobody")))
    with pytest.raises(NotFound) as err:
        run(reg.update_status(name("nobody"), "terminated"))
    assert err.value.code == "worker-not-found" and err.value.status == 404


def test_update_status_sets_each_status_and_refuses_an_unknown_one_before_asking(reg, name):
    wid = name("status")
    run(reg.register(WorkerRegistration(worker_id=wid)))
    for status in ("terminating", "active", "terminated", "lost"):
        run(reg.update_status(wid, status))
        assert run(reg.get(wid)).status == status
    with pytest.raises(BadRequest) as err:
        run(reg.update_status(wid, "sleeping"))
    assert isinstance(err.value, ValueError) and "sleeping" in str(err.value)


def test_update_status_of_its_own_worker_is_not_an_operator_entry_but_another_workers_is(reg, name):
    own, other = name("own"), name("other")
    run(reg.register(WorkerRegistration(worker_id=own)))
    reg.client.register(other)  # not through the backend: not its own
    run(reg.update_status(own, "terminated"))
    run(reg.update_status(other, "lost"))  # a reaper marking another worker: recorded
    targets = [e["target"] for e in reg.client.audit(limit=500)["entries"] if e["action"] == "worker.status"]
    assert other in targets and own not in targets


def test_get_of_an_unknown_worker_is_none(reg, name):
    assert run(reg.get(name("ghost"))) is None


def test_list_filters_by_status_capability_pool_and_staleness(reg, name):
    pool = name("fleet")
    ids = [name(f"f{i}") for i in range(3)]
    run(reg.register(WorkerRegistration(worker_id=ids[0], capabilities=["gpu", "cpu"], pool_id=pool)))
    run(reg.register(WorkerRegistration(worker_id=ids[1], capabilities=["cpu"], pool_id=pool)))
    run(reg.register(WorkerRegistration(worker_id=ids[2], capabilities=["gpu"])))
    run(reg.update_status(ids[1], "terminating"))

    def ids_of(records):
        return sorted(r.worker_id for r in records if r.worker_id in ids)

    assert ids_of(run(reg.list())) == sorted(ids)
    assert ids_of(run(reg.list(WorkerFilter(status="active")))) == sorted([ids[0], ids[2]])
    assert ids_of(run(reg.list(WorkerFilter(status=["active", "terminating"], pool_id=pool)))) == sorted(ids[:2])
    assert ids_of(run(reg.list(WorkerFilter(capability="gpu")))) == sorted([ids[0], ids[2]])
    assert ids_of(run(reg.list(SimpleNamespace(status="active", capability="cpu", stale_threshold_seconds=None)))) == [ids[0]]
    # Staleness: older than the threshold. 0 filters nothing, as flatmachines' `if filter.x:` reads it.
    assert ids_of(run(reg.list(WorkerFilter(stale_threshold_seconds=0)))) == sorted(ids)
    time.sleep(1.2)
    run(reg.heartbeat(ids[0]))
    assert ids_of(run(reg.list(WorkerFilter(stale_threshold_seconds=1)))) == sorted(ids[1:])
    with pytest.raises(BadRequest):
        run(reg.list(WorkerFilter(status="asleep")))


# ── WorkBackend / WorkPool ────────────────────────────────────────────────────


def test_pool_is_created_on_first_use_and_is_the_same_object_each_time(work, name):
    assert work.pool(name("p")) is work.pool(name("p"))
    assert run(work.pool(name("never")).size()) == 0


def test_push_returns_a_str_id_and_size_counts_pending_items(work, name):
    pool = work.pool(name("push"))
    ids = [run(pool.push({"n": i})) for i in range(3)]
    assert all(isinstance(i, str) for i in ids) and len(set(ids)) == 3
    run(pool.push("plain text", {"max_retries": 5}))
    assert run(pool.size()) == 4


def test_push_options_pass_priority_delay_and_key_to_the_hub(work, reg, name):
    pool = work.pool(name("options"))
    wid = name("opt-claimer")
    run(reg.register(WorkerRegistration(worker_id=wid)))
    run(pool.push("low"))
    urgent = run(pool.push("urgent", {"priority": 9, "key": "once", "unknown_option": True}))
    assert run(pool.push("urgent again", {"key": "once"})) == urgent
    run(pool.push("later", {"delay_seconds": 3600}))
    assert run(pool.size()) == 2  # pending only: the delayed item is scheduled
    assert run(pool.claim(wid)).data == "urgent"


def test_claim_takes_the_oldest_pending_item_and_none_when_empty(work, reg, name):
    pool = work.pool(name("claim"))
    wid = name("claimer")
    run(reg.register(WorkerRegistration(worker_id=wid)))
    first = run(pool.push({"n": 1}))
    run(pool.push({"n": 2}, {"max_retries": 7}))
    item = run(pool.claim(wid))
    assert isinstance(item, WorkItem)
    assert (item.id, item.data, item.status, item.claimed_by, item.attempts, item.max_retries) == (first, {"n": 1}, "claimed", wid, 1, 3)
    assert item.claimed_at and item.created_at and item.lease_id and item.pool == name("claim")
    second = run(pool.claim(wid))
    assert second.data == {"n": 2} and second.max_retries == 7
    assert run(pool.size()) == 0
    assert run(pool.claim(wid)) is None


def test_claims_from_many_coroutines_never_share_an_item(work, name):
    pool = work.pool(name("race"))
    for i in range(20):
        run(pool.push(i))

    async def drain(wid):
        got = []
        while (item := await pool.claim(wid)) is not None:
            got.append(item.id)
        return got

    async def main():
        return await asyncio.gather(*(drain(name(f"racer{i}")) for i in range(5)))

    claimed = [i for got in run(main()) for i in got]
    assert len(claimed) == 20 and len(set(claimed)) == 20


def test_complete_keeps_the_result_and_ends_the_claim(work, ops, name):
    pool = work.pool(name("done"))
    wid = name("doer")
    run(pool.push({"x": 1}))
    item = run(pool.claim(wid))
    assert run(pool.complete(item.id, {"answer": 42})) is None
    stored = ops.get_item(item.id)
    assert (stored["status"], stored["result"], stored["lease_id"]) == ("completed", {"answer": 42}, None)
    assert run(pool.size()) == 0
    # It was ended; a second completion has no claim to name.
    with pytest.raises(Conflict) as err:
        run(pool.complete(item.id))
    assert err.value.code == "not-claimed-here"


def test_fail_returns_the_item_until_its_attempts_are_used_then_poisons_it(work, ops, name):
    pool = work.pool(name("fail"))
    wid = name("failer")
    item_id = run(pool.push({"bad": True}, {"max_retries": 2}))
    first = run(pool.claim(wid))
    run(pool.fail(first.id, "boom 1"))
    after = ops.get_item(item_id)
    assert (after["status"], after["attempts"], after["claimed_by"], after["last_error"]) == ("pending", 1, None, "boom 1")
    assert run(pool.size()) == 1
    second = run(pool.claim(wid))
    assert second.attempts == 2
    run(pool.fail(second.id))  # no error: last_error becomes null
    after = ops.get_item(item_id)
    assert (after["status"], after["attempts"], after["last_error"]) == ("poisoned", 2, None)
    assert run(pool.size()) == 0 and run(pool.claim(wid)) is None
    assert [h["outcome"] for h in after["history"]] == ["failed", "failed"]


def test_release_by_worker_returns_only_that_workers_claims_in_that_pool(work, reg, ops, name):
    pool, other_pool = work.pool(name("rel")), work.pool(name("rel-other"))
    a, b = name("a"), name("b")
    for _ in range(3):
        run(pool.push("job"))
    run(other_pool.push("job"))
    held = [run(pool.claim(a)), run(pool.claim(a)), run(pool.claim(b)), run(other_pool.claim(a))]
    assert run(pool.release_by_worker(a)) == 2
    assert run(pool.size()) == 2
    assert [ops.get_item(i.id)["status"] for i in held] == ["pending", "pending", "claimed", "claimed"]
    assert ops.get_item(held[0].id)["attempts"] == 1  # a release keeps attempts: a crash counts
    assert run(pool.release_by_worker(a)) == 0
    # The released claim is gone: completing it is refused, not silently accepted.
    with pytest.raises(Conflict):
        run(pool.complete(held[0].id, "late"))


def test_reaper_order_lost_then_release_reports_what_the_status_change_freed(work, reg, name):
    """flatmachines' reaper marks a stale worker lost, then calls release_by_worker. The hub
    releases with the status change; the pool still reports those jobs, per pool, once."""
    p1, p2 = work.pool(name("reap1")), work.pool(name("reap2"))
    wid = name("stale")
    run(reg.register(WorkerRegistration(worker_id=wid)))
    for _ in range(2):
        run(p1.push("j"))
    run(p2.push("j"))
    run(p1.claim(wid)), run(p1.claim(wid)), run(p2.claim(wid))
    run(reg.update_status(wid, "lost"))
    assert run(p1.size()) == 2 and run(p2.size()) == 1  # released at once by the hub
    assert run(p1.release_by_worker(wid)) == 2
    assert run(p1.release_by_worker(wid)) == 0
    # A separate backend object of the same process sees it too (flatmachines builds its own).
    assert run(HubWorkBackend(work.client.api_url).pool(name("reap2")).release_by_worker(wid)) == 1
    # `terminated` (a clean exit) releases too, but nothing is reported for it: no reaper asked.
    run(reg.register(WorkerRegistration(worker_id=wid)))
    run(p1.claim(wid))
    run(reg.update_status(wid, "terminated"))
    assert run(p1.release_by_worker(wid)) == 0


def test_a_claim_reaped_and_taken_by_another_worker_cannot_be_completed_by_the_first(work, reg, ops, name):
    """The seed lets any process complete any item; the hub fences completions by lease."""
    pool = work.pool(name("fence"))
    slow, fast = name("slow"), name("fast")
    run(pool.push({"job": 1}))
    stale = run(pool.claim(slow))
    run(reg.update_status(slow, "lost"))  # the reaper: its claim goes back to pending
    other = HubWorkBackend(ops.api_url).pool(name("fence"))
    run(reg.register(WorkerRegistration(worker_id=slow)))
    fresh = run(other.claim(fast))
    assert fresh.id == stale.id and fresh.attempts == 2
    with pytest.raises(Conflict) as err:
        run(pool.complete(stale.id, "from the slow worker"))
    assert err.value.code in ("not-claim-holder", "stale-lease")
    run(other.complete(fresh.id, "from the fast worker"))
    stored = ops.get_item(stale.id)
    assert stored["result"] == "from the fast worker"
    assert [h["outcome"] for h in stored["history"]] == ["released", "completed"]


def test_complete_or_fail_of_an_item_not_claimed_here_or_deleted_raises(work, ops, name):
    pool = work.pool(name("strangers"))
    item_id = run(pool.push(1))
    with pytest.raises(Conflict) as err:
        run(pool.fail(item_id, "never claimed"))
    assert err.value.code == "not-claimed-here" and ops.get_item(item_id)["status"] == "pending"
    item = run(pool.claim(name("w")))
    ops.delete_item(item.id)
    with pytest.raises(KeyError):
        run(pool.complete(item.id, "gone"))


def test_a_lost_worker_must_register_again_before_it_claims(work, reg, name):
    pool = work.pool(name("lostclaim"))
    wid = name("lost")
    run(pool.push(1))
    run(reg.register(WorkerRegistration(worker_id=wid)))
    run(reg.update_status(wid, "lost"))
    with pytest.raises(Conflict) as err:
        run(pool.claim(wid))
    assert err.value.code == "worker-not-active"
    run(reg.register(WorkerRegistration(worker_id=wid)))
    assert run(pool.claim(wid)) is not None


def test_bad_input_is_a_clear_exception_and_changes_nothing(work, name):
    pool = work.pool(name("bad"))
    with pytest.raises(BadRequest) as err:
        run(pool.push(1, {"max_retries": 0}))
    assert "max_retries" in err.value.detail
    with pytest.raises(BadRequest) as err:
        run(work.pool("no spaces allowed").push(1))
    with pytest.raises(ValueError):
        run(pool.push(float("nan")))  # not JSON: refused before it is sent
    with pytest.raises(BadRequest):
        run(pool.claim("bad worker id!"))
    assert run(pool.size()) == 0


def test_factories_make_hub_backends(engine_hub):
    assert isinstance(create_registration_backend("hub", url=engine_hub.url), HubRegistrationBackend)
    assert isinstance(create_work_backend(url=engine_hub.url, token=None), HubWorkBackend)
    with pytest.raises(ValueError):
        create_work_backend("sqlite", db_path="x.sqlite")


def test_backends_take_a_shared_client(engine_hub, name):
    client = HubClient(engine_hub.url)
    reg, work = HubRegistrationBackend(client), HubWorkBackend(client)
    assert reg.client is client and work.client is client
    assert run(work.pool(name("shared")).size()) == 0
