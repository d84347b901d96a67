"""HubClient against a real hub: every route, tokens and roles, bad input, a hub that is down,
and which failures are retried (network errors, 429, 5xx) and which are not (every other 4xx)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from flatmachines_hub import (
    BadRequest,
    Conflict,
    Forbidden,
    HubClient,
    HubError,
    HubRegistrationBackend,
    HubUnreachable,
    HubWorkBackend,
    NotFound,
    PayloadTooLarge,
    RetryPolicy,
    ServerError,
    TooManyRequests,
    Unauthorized,
    UnexpectedResponse,
)
from hubproc import Hub, free_port

FAST_RETRY = RetryPolicy(retries=3, min_delay=0.01, max_delay=0.05)


def test_items_pools_and_workers_round_trip(client, name):
    pool, wid = name("tour"), name("tourist")
    assert client.healthz() == {"ok": True}
    rec = client.register(wid, host="box", capabilities=["resize"], pool_id=pool, metadata={"v": 1})
    assert (rec["status"], rec["metadata"], rec["claimed_count"]) == ("active", {"v": 1}, 0)
    assert client.heartbeat(wid, {"load": 0.3})["metadata"] == {"v": 1, "load": 0.3}
    assert [w["worker_id"] for w in client.list_workers(status=["active"], capability="resize", pool_id=pool)] == [wid]

    one = client.push(pool, {"url": "a.png"}, max_retries=2)
    more = client.push_many(pool, [{"data": {"url": "b.png"}}, {"data": {"url": "c.png"}, "max_retries": 5}])
    assert [i["id"] for i in client.list_items(pool, status="pending", limit=2)["items"]] == [one, more[0]]
    assert [i["id"] for i in client.iter_items(pool, page_size=1)] == [one, *more]
    assert [i["id"] for i in client.list_items(pool, q="C.PNG")["items"]] == [more[1]]

    claimed = client.claim(pool, wid, limit=2)
    assert [i["id"] for i in claimed] == [one, more[0]] and all(i["lease_id"] for i in claimed)
    assert client.get_worker(wid)["claimed_count"] == 2
    assert client.pool_holders(pool) == [{"worker_id": wid, "claimed": 2, "worker_status": "active", "last_heartbeat": client.get_worker(wid)["last_heartbeat"]}]
    done = client.complete(one, wid, lease_id=claimed[0]["lease_id"], result={"width": 640})
    assert (done["status"], done["result"]) == ("completed", {"width": 640})
    failed = client.fail(more[0], wid, lease_id=claimed[1]["lease_id"], error="timeout")
    assert (failed["status"], failed["last_error"]) == ("pending", "timeout")

    chosen = client.claim_item(more[1], wid)
    assert chosen["status"] == "claimed"
    batch = client.complete_many(wid, [{"id": more[1], "lease_id": chosen["lease_id"], "result": 1}, {"id": one}])
    assert batch["completed"] == [more[1]] and batch["rejected"] == [{"id": one, "status": 409, "code": "item-not-claimed"}]

    summary = client.get_pool(pool)
    assert (summary["pending"], summary["completed"]) == (1, 2)

    # A batch completion that claims the next batch in the same request.
    chained = f"{pool}-chained"
    ids = client.push_many(chained, [{"data": n} for n in range(3)])
    held = client.claim(chained, wid, limit=2)
    step = client.complete_and_claim(wid, [{"id": i["id"], "lease_id": i["lease_id"]} for i in held], chained, limit=2)
    assert step["completed"] == ids[:2] and step["rejected"] == []
    assert [i["id"] for i in step["next"]["items"]] == ids[2:] and "refused" not in step["next"]
    last = client.complete_and_claim(wid, [{"id": ids[2], "lease_id": step["next"]["items"][0]["lease_id"]}], chained, limit=2)
    assert last["completed"] == ids[2:] and last["next"] == {"items": []}
    assert pool in [p["name"] for p in client.list_pools()]
    detail = client.get_item(more[0])
    assert [(h["outcome"], h["error"]) for h in detail["history"]] == [("failed", "timeout")]
    assert client.retry_item(one)["status"] == "pending"
    client.delete_item(one)
    with pytest.raises(NotFound):
        client.get_item(one)
    throughput = {p["pool"]: p for p in client.throughput(minutes=5)["pools"]}
    assert sum(throughput[pool]["completed"]) == 2 and sum(throughput[pool]["failed"]) == 1


def test_queue_semantics_priority_delay_keys_pause_settings_run_now(client, name):
    pool, wid = name("queue"), name("queuer")
    low = client.push(pool, "low")
    high = client.push(pool, "high", priority=5, key="job-1")
    assert client.push_one(pool, "again", key="job-1") == {"id": high, "created": False}
    later = client.push(pool, "later", delay_seconds=3600)
    batch = client.push_batch(pool, [{"data": "x", "key": "job-1"}, {"data": "y", "run_at": "2099-01-01T00:00:00Z"}])
    assert batch["ids"][0] == high and batch["created"] == [False, True]
    assert client.get_pool(pool)["scheduled"] == 2

    client.pause(pool)
    assert client.get_pool(pool)["paused"] is True
    assert client.claim(pool, wid, limit=10) == []
    with pytest.raises(Conflict) as refused:
        client.claim_item(low, wid)
    assert refused.value.code == "pool-paused"
    client.resume(pool)
    assert [i["data"] for i in client.claim(pool, wid, limit=10)] == ["high", "low"]

    assert client.run_item(later)["status"] == "pending"
    with pytest.raises(Conflict):
        client.run_item(later)
    settings = client.update_pool_settings(pool, max_retries=4, backoff={"type": "fixed", "delay_seconds": 60})
    assert (settings["max_retries"], settings["backoff"]) == (4, {"type": "fixed", "delay_seconds": 60})
    assert client.get_pool_settings(pool)["paused"] is False
    [item] = client.claim(pool, wid)
    failed = client.fail(item["id"], wid, lease_id=item["lease_id"], error="boom")
    assert failed["status"] == "scheduled" and failed["run_at"]
    assert client.update_pool_settings(pool, backoff=None)["backoff"] == {"type": "none"}
    with pytest.raises(BadRequest) as bad:
        client.push(pool, 1, priority=1.5)
    assert "priority" in str(bad.value)


def test_poisoned_items_errors_retry_discard_release_and_reap(client, name):
    pool, wid = name("ops"), name("opw")
    ids = client.push_many(pool, [{"data": i, "max_retries": 1} for i in range(4)])
    for item in client.claim(pool, wid, limit=3):
        client.fail(item["id"], wid, lease_id=item["lease_id"], error="bad" if item["data"] < 2 else "worse")
    groups = client.pool_errors(pool)
    assert [(g["error"], g["count"]) for g in groups] == [("bad", 2), ("worse", 1)]
    assert client.retry_pool(pool, error="worse") == 1
    assert client.discard_pool(pool, error="bad") == 2
    assert client.retry_pool(pool) == 0
    held = client.claim(pool, wid, limit=2)
    assert len(held) == 2
    assert client.release_pool(pool, wid) == 2
    client.claim(pool, wid)
    assert client.release_worker(wid) == 1
    result = client.reap()
    assert set(result) >= {"lost", "released", "poisoned"}
    assert client.get_item(ids[3])["status"] == "pending"


def test_events_stream_changes_until_closed(client, name):
    pool = name("live")
    stream = client.events()
    got = []

    def read():
        for event in stream:
            got.append(event)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    client.push(pool, {"n": 1})
    [item] = client.claim(pool, name("w"))
    deadline = time.monotonic() + 10
    while not any(e["event"] == "item" and e["data"]["id"] == item["id"] for e in got) and time.monotonic() < deadline:
        time.sleep(0.05)
    stream.close()  # from another thread: the reader's loop ends quietly
    reader.join(5)
    assert not reader.is_alive()
    assert {"event": "pool", "data": {"type": "pool", "name": pool}} in got
    assert {"event": "item", "data": {"type": "item", "id": item["id"], "pool": pool, "status": "claimed"}} in got


def test_bad_input_raises_bad_request_naming_the_field(client, name):
    with pytest.raises(BadRequest) as err:
        client.push(name("p"), 1, max_retries=0)
    assert err.value.code == "invalid-request" and "max_retries" in err.value.detail
    assert isinstance(err.value, ValueError) and "400 invalid-request" in str(err.value)
    with pytest.raises(BadRequest):
        client.list_items("bad pool name")
    with pytest.raises(BadRequest):
        client.claim(name("p"), name("w"), limit=101)
    with pytest.raises(ValueError):
        client.push(name("p"), float("inf"))
    with pytest.raises(TypeError):
        client.push(name("p"), {1, 2})
    with pytest.raises(TypeError):
        client.get_item(7)  # ids are str
    with pytest.raises(PayloadTooLarge):
        client.push(name("p"), "x" * 1_100_000)
    with pytest.raises(ValueError):
        HubClient("127.0.0.1:3000")  # no scheme


def test_completing_a_claim_you_do_not_hold_is_a_conflict_and_not_retried(client, name):
    pool = name("fenced")
    client.push(pool, 1)
    [item] = client.claim(pool, name("holder"))
    with pytest.raises(Conflict) as err:
        client.complete(item["id"], name("intruder"), result="mine")
    assert err.value.code == "not-claim-holder" and err.value.status == 409
    with pytest.raises(Conflict) as err:
        client.complete(item["id"], name("holder"), lease_id="0" * 32)
    assert err.value.code == "stale-lease"
    with pytest.raises(NotFound) as err:
        client.complete("999999999", name("holder"))
    assert isinstance(err.value, KeyError)


@pytest.fixture(scope="module")
def secured_hub():
    h = Hub(env={"HUB_OPERATOR_TOKEN": "op-secret", "HUB_WORKER_TOKEN": "worker-secret", "HUB_VIEWER_TOKEN": "viewer-secret"})
    yield h
    h.stop()


def test_tokens_roles_per_worker_tokens_and_audit(secured_hub, name):
    op = HubClient(secured_hub.url, "op-secret")
    worker = HubClient(secured_hub.url, "worker-secret")
    viewer = HubClient(secured_hub.url, "viewer-secret")
    pool = name("sec")
    with pytest.raises(Unauthorized):
        HubClient(secured_hub.url).push(pool, 1)
    assert HubClient(secured_hub.url).healthz() == {"ok": True}
    assert worker.whoami()["role"] == "worker" and op.whoami() == {"role": "operator", "name": "operator", "open": False}
    worker.push(pool, 1)
    [item] = worker.claim(pool, name("w"))
    with pytest.raises(Forbidden):
        worker.release_worker(name("w"))
    with pytest.raises(Forbidden):
        viewer.push(pool, 2)
    assert viewer.get_pool(pool)["claimed"] == 1
    # The backends carry the token too; release_by_worker is an operator's call.
    with pytest.raises(Forbidden):
        import asyncio

        asyncio.run(HubWorkBackend(secured_hub.url, "worker-secret").pool(pool).release_by_worker(name("w")))
    assert op.release_worker(name("w")) == 1

    issued = op.issue_token(name("bot"), "worker", worker_id=name("bot"))
    assert issued["token"].startswith("fmh_") and issued["worker_id"] == name("bot")
    bot = HubClient(secured_hub.url, issued["token"])
    assert bot.claim(pool, name("bot"))[0]["id"] == item["id"]
    with pytest.raises(Forbidden):
        bot.claim(pool, name("someone-else"))
    assert [t["id"] for t in op.list_tokens() if t["id"] == issued["id"]] == [issued["id"]]
    op.revoke_token(issued["id"])
    with pytest.raises(Unauthorized):
        bot.get_pool(pool)
    entries = op.audit(limit=10)["entries"]
    assert [e["action"] for e in entries][:2] == ["token.revoke", "token.issue"]
    with pytest.raises(Forbidden):
        worker.audit()


def test_a_hub_that_is_down_raises_hub_unreachable_after_retrying(name):
    port = free_port()
    client = HubClient(f"http://127.0.0.1:{port}", retry=FAST_RETRY, timeout=2)
    with pytest.raises(HubUnreachable) as err:
        client.push(name("p"), 1)
    assert err.value.status == 0 and f"127.0.0.1:{port}" in str(err.value) and "refused" in str(err.value).lower()
    import asyncio

    with pytest.raises(HubUnreachable):
        asyncio.run(HubRegistrationBackend(client).get("w"))
    with pytest.raises(HubUnreachable):
        asyncio.run(HubWorkBackend(client).pool("p").size())


class _Scripted(BaseHTTPRequestHandler):
    """A real HTTP server that answers from a script, to see which failures the client retries."""

    script: list = []
    seen: list = []

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.seen.append((self.command, self.path, self.headers.get("authorization"), self.rfile.read(length)))
        status, headers, body = self.script.pop(0) if self.script else (200, {}, {"ok": True})
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        for k, v in {"content-type": "application/problem+json" if status >= 400 else "application/json", **headers}.items():
            self.send_header(k, v)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def scripted():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Scripted)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Scripted.script, _Scripted.seen = [], []
    yield f"http://127.0.0.1:{server.server_address[1]}", _Scripted
    server.shutdown()
    server.server_close()


def test_503_and_429_are_retried_with_the_same_claim_id(scripted):
    url, s = scripted
    problem = {"type": "x", "title": "t", "status": 503, "detail": "database unavailable", "code": "database-unavailable"}
    s.script += [(503, {"retry-after": "0"}, problem), (429, {"retry-after": "0"}, {**problem, "status": 429, "code": "too-many-requests"}), (200, {}, {"items": []})]
    client = HubClient(url, "tok", retry=FAST_RETRY)
    assert client.claim("p", "w") == []
    assert len(s.seen) == 3
    bodies = [json.loads(b) for _, _, _, b in s.seen]
    assert len({b["claim_id"] for b in bodies}) == 1  # a retry is the same claim
    assert all(auth == "Bearer tok" for _, _, auth, _ in s.seen)


def test_retries_give_up_after_the_policy_and_raise_the_last_error(scripted):
    url, s = scripted
    s.script += [(502, {}, "<html>Bad Gateway</html>")] * 4
    with pytest.raises(ServerError) as err:
        HubClient(url, retry=FAST_RETRY).get_pool("p")
    assert err.value.status == 502 and "Bad Gateway" in err.value.detail and err.value.code == "http-502"
    assert len(s.seen) == 4
    s.seen.clear()
    s.script += [(429, {"retry-after": "0"}, {"code": "too-many-requests", "detail": "slow down"})]
    with pytest.raises(TooManyRequests):
        HubClient(url, retry=RetryPolicy(retries=0)).get_pool("p")
    assert len(s.seen) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413])
def test_4xx_other_than_429_is_never_retried(scripted, status):
    url, s = scripted
    s.script.append((status, {}, {"code": "nope", "detail": "refused", "status": status}))
    with pytest.raises(HubError) as err:
        HubClient(url, retry=FAST_RETRY).push("p", 1)
    assert (err.value.status, err.value.code) == (status, "nope")
    assert len(s.seen) == 1


def test_a_2xx_body_that_is_not_the_api_raises_unexpected_response(scripted):
    url, s = scripted
    s.script.append((200, {}, {"something": "else"}))
    with pytest.raises(UnexpectedResponse):
        HubClient(url).get_pool("p")
