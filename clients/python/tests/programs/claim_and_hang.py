"""A flatmachines-style worker that claims one job and then hangs in it, heartbeating, until it
is killed: `python claim_and_hang.py HUB_URL POOL WORKER_ID`. Prints `claimed <id>` once it holds it."""

import asyncio
import sys

from flatmachines_hub import HubRegistrationBackend, HubWorkBackend, WorkerRegistration


async def main(url: str, pool_id: str, worker_id: str) -> None:
    reg, work = HubRegistrationBackend(url), HubWorkBackend(url)
    await reg.register(WorkerRegistration(worker_id=worker_id, pool_id=pool_id))
    item = await work.pool(pool_id).claim(worker_id)
    print(f"claimed {item.id}", flush=True)
    while True:  # "working": alive as long as it heartbeats
        await reg.heartbeat(worker_id, {"current_job": item.id})
        await asyncio.sleep(0.3)


asyncio.run(main(*sys.argv[1:4]))
