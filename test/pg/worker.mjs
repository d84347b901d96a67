// A worker process for the multi-instance tests: plain Node, HTTP only, as a real worker would be.
// Claims from one hub instance until the pool is done, completing each item (one by one, or in
// batches), heartbeating every second, and riding out a database outage (503s) by retrying.
// Prints one JSON line at the end: what it completed and every status it was answered with.
//
// env: HUB_API, WORKER_ID, POOL, LIMIT (default 5), BATCH ("1": complete in batches),
//      MODE ("hang": claim one item, print `CLAIMED <id>`, then do nothing until killed).
const api = process.env.HUB_API;
const me = process.env.WORKER_ID;
const pool = process.env.POOL;
const limit = Number(process.env.LIMIT ?? 5);
const batch = process.env.BATCH === '1';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const statuses = {}; // every HTTP status answered, by status
const completed = []; // ids whose completion the hub acknowledged to this worker
const rejected = []; // ids whose completion was refused (the claim was lost meanwhile)

async function call(method, path, body) {
  for (;;) {
    let res;
    try {
      res = await fetch(`${api}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      statuses.network = (statuses.network ?? 0) + 1; // the hub itself stays up in these tests
      await sleep(100);
      continue;
    }
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    if (res.status === 503) {
      await sleep(100);
      return { status: 503, body: json, retry: true };
    }
    return { status: res.status, body: json };
  }
}

/** Repeats a call while the database is unavailable; `retried` tells whether an attempt may have landed. */
async function untilAnswered(method, path, body) {
  let retried = false;
  for (;;) {
    const r = await call(method, path, body);
    if (!r.retry) return { ...r, retried };
    retried = true;
  }
}

const register = () => untilAnswered('POST', '/workers', { worker_id: me, pid: process.pid });

/** Heartbeats every second beside the work, as a worker SDK does. */
function startHeartbeats() {
  let beating = false;
  const timer = setInterval(async () => {
    if (beating) return;
    beating = true;
    try {
      await call('POST', `/workers/${me}/heartbeat`, {});
    } finally {
      beating = false;
    }
  }, 1000);
  return () => clearInterval(timer);
}

/**
 * A completion refused after a retry may be our own first attempt that committed while its
 * answer was lost: the item then holds our result.
 */
async function landedEarlier(id, token) {
  const r = await untilAnswered('GET', `/items/${id}`);
  return r.status === 200 && r.body.status === 'completed' && r.body.result?.token === token;
}

async function completeOne(item) {
  const token = `${me}:${item.id}:${item.lease_id}`;
  const r = await untilAnswered('POST', `/items/${item.id}/complete`, { worker_id: me, lease_id: item.lease_id, result: { by: me, token } });
  if (r.status === 200 || (r.status === 409 && r.retried && (await landedEarlier(item.id, token)))) completed.push(item.id);
  else rejected.push(item.id);
}

async function completeBatch(items) {
  const tokens = new Map(items.map((it) => [it.id, `${me}:${it.id}:${it.lease_id}`]));
  const body = { worker_id: me, items: items.map((it) => ({ id: it.id, lease_id: it.lease_id, result: { by: me, token: tokens.get(it.id) } })) };
  const r = await untilAnswered('POST', '/items/complete', body);
  if (r.status !== 200) throw new Error(`batch completion answered ${r.status}`);
  completed.push(...r.body.completed);
  for (const x of r.body.rejected) {
    if (r.retried && (await landedEarlier(x.id, tokens.get(x.id)))) completed.push(x.id);
    else rejected.push(x.id);
  }
}

async function main() {
  await register();
  if (process.env.MODE === 'hang') {
    const r = await untilAnswered('POST', `/pools/${pool}/claim`, { worker_id: me, limit: 1 });
    console.log(`CLAIMED ${r.body.items[0].id}`);
    for (;;) await sleep(60_000);
  }
  const stopHeartbeats = startHeartbeats();
  for (;;) {
    const r = await untilAnswered('POST', `/pools/${pool}/claim`, { worker_id: me, limit });
    if (r.status === 409) {
      await register(); // reaped while the database was away: come back as a new life
      continue;
    }
    if (r.status !== 200) throw new Error(`claim answered ${r.status}: ${JSON.stringify(r.body)}`);
    const items = r.body.items;
    if (items.length === 0) {
      // A claim whose answer was lost to an outage is held in our name: hand it back.
      const w = await untilAnswered('GET', `/workers/${me}`);
      if (w.status === 200 && w.body.claimed_count > 0) await untilAnswered('POST', `/workers/${me}/release`);
      const p = await untilAnswered('GET', `/pools/${pool}`);
      if (p.body.pending === 0 && p.body.claimed === 0) break;
      await sleep(200);
      continue;
    }
    if (batch) await completeBatch(items);
    else for (const it of items) await completeOne(it);
  }
  stopHeartbeats();
  await untilAnswered('PATCH', `/workers/${me}`, { status: 'terminated' });
  console.log(JSON.stringify({ worker: me, completed, rejected, statuses }));
}

main().catch((err) => {
  console.log(JSON.stringify({ worker: me, completed, rejected, statuses, error: String(err?.stack ?? err) }));
  process.exit(1);
});
