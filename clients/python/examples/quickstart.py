import asyncio
import os

from flatmachines_hub import HubClient, HubRegistrationBackend, HubWorkBackend, WorkerRegistration, run_worker

url = os.environ.get("HUB_URL", "http://127.0.0.1:3000")
token = os.environ.get("HUB_TOKEN") or None

# flatmachines code swaps its backends for the hub's: same async methods, same shapes.
registration = HubRegistrationBackend(url, token)
work = HubWorkBackend(url, token)


async def one_job_worker() -> None:
    pool = work.pool("papers")
    await pool.push({"paper": "arxiv:2401.00001"}, {"max_retries": 3})
    await registration.register(WorkerRegistration(worker_id="analyzer-1", pool_id="papers"))
    job = await pool.claim("analyzer-1")
    if job:
        await registration.heartbeat("analyzer-1", {"current": job.id})
        await pool.complete(job.id, {"summary": f"read {job.data['paper']}"})  # fenced by the claim's lease
    await registration.update_status("analyzer-1", "terminated")
    print("pending papers:", await pool.size())


asyncio.run(one_job_worker())

# A producer, and a worker that runs until the pool is empty (or SIGTERM: it drains, then exits).
hub = HubClient(url, token)
hub.push_many("thumbnails", [{"data": {"image": "cat.png"}}, {"data": {"image": "missing.png"}, "max_retries": 1}])


def make_thumbnail(item: dict) -> dict:
    image = item["data"]["image"]
    if image.startswith("missing"):
        raise FileNotFoundError(f"{image}: no such file")  # fails the item with this message
    return {"thumbnail": image.replace(".png", "-128.png")}  # completes it with this result


summary = run_worker("thumbnails", make_thumbnail, url=url, token=token, concurrency=4, exit_when_empty=True)
print(f"completed {summary.completed}, failed {summary.failed}")
print(hub.get_pool("thumbnails"))
