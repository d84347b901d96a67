"""run_worker whose handlers hold their item until the test lets them go, for the drain tests:
`python slow_worker.py HUB_URL POOL WORKER_ID GATE CONCURRENCY`. A handler prints `started <id>`,
then waits until the file GATE exists (completing the item) or the worker gives up on it (a second
signal). The worker's log goes to stderr; the summary is printed as JSON at exit."""

import json
import logging
import os
import sys
import threading
import time

from flatmachines_hub import WorkerContext, run_worker

url, pool, worker_id, gate, concurrency = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(levelname)s %(message)s")

printing = threading.Lock()


def say(line: str) -> None:
    # Handlers run in threads of their own, and print() writes the text and the newline apart:
    # two handlers starting at once printed "started 1started 2\n\n" (issue 18).
    with printing:
        print(line, flush=True)


def handler(item, ctx: WorkerContext):
    say(f"started {item['id']}")
    deadline = time.monotonic() + 120
    while not os.path.exists(gate):
        if ctx.aborted.wait(0.05):
            return None  # given up on: the worker releases the item
        if time.monotonic() > deadline:
            raise TimeoutError(f"the gate {gate} did not open in 120 s")
    return {"gate": "opened"}


summary = run_worker(pool, handler, url=url, worker_id=worker_id, concurrency=concurrency, wait_seconds=1, heartbeat_seconds=0.5)
say(json.dumps(summary.__dict__))
