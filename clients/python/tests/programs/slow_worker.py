"""run_worker with a slow handler, for the drain tests: `python slow_worker.py HUB_URL POOL
WORKER_ID SECONDS CONCURRENCY`. Prints `started <id>` when a handler starts and the summary at exit."""

import json
import sys
import time

from flatmachines_hub import run_worker

url, pool, worker_id, seconds, concurrency = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5])


def handler(item):
    print(f"started {item['id']}", flush=True)
    time.sleep(seconds)
    return {"slept": seconds}


summary = run_worker(pool, handler, url=url, worker_id=worker_id, concurrency=concurrency, wait_seconds=1, heartbeat_seconds=0.5)
print(json.dumps(summary.__dict__), flush=True)
