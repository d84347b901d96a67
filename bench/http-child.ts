/**
 * One worker process of the HTTP benchmark. Prints `ready`, waits for `go`, drains the pool,
 * prints {"completed": [ids]}.
 * - `hub BATCH`: the hub through the SDK's HubClient (responses validated, as a real worker
 *   sees them): claim BATCH items, complete them (the batch route when BATCH > 1). With `chain`,
 *   each batch completion claims the next batch in the same request.
 * - `bare`: the node:http baseline, one item per request, through the same HTTP client as the SDK.
 * Usage: tsx bench/http-child.ts hub|bare URL WORKER [BATCH [POOL [chain]]]  (POOL: `bench` unless given)
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { HubClient } from '@/lib/sdk';
import { nodeExchange } from '@/lib/sdk/exchange';

/** A POST through the SDK's own exchange, so both servers are measured with the same client. */
async function post<T>(url: string, body: unknown): Promise<T> {
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  const res = await nodeExchange(new URL(url), { method: 'POST', headers, body: JSON.stringify(body), timeoutMs: 30_000, signal: undefined });
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${res.text}`);
  return JSON.parse(res.text) as T;
}

/** The bare server's client, its connection open before `ready` as the hub's workers' are (an unknown path answers 404). */
async function readyBare(url: string): Promise<void> {
  await nodeExchange(new URL(`${url}/ready`), { method: 'GET', headers: {}, body: undefined, timeoutMs: 30_000, signal: undefined });
}

type Claimed = { items: { id: string }[] };

/**
 * A worker of the hub as its users run one: registered before it claims (this opens the client's
 * connection, as the peers' children connect before they say `ready`), then claiming until empty.
 */
async function readyHub(url: string, worker: string): Promise<HubClient> {
  const hub = new HubClient({ url });
  await hub.register({ worker_id: worker, pid: process.pid });
  return hub;
}

/** Claims of `batch`, each batch completed by the request that claims the next (`completeAndClaim`). */
async function drainHubChained(hub: HubClient, worker: string, batch: number, pool: string, completed: string[]) {
  let items = await hub.claim(pool, worker, batch);
  while (items.length > 0) {
    const r = await hub.completeAndClaim(
      worker,
      items.map((it) => ({ id: it.id, lease_id: it.lease_id ?? undefined, result: { ok: true } })),
      { pool, limit: batch },
    );
    completed.push(...r.completed);
    items = r.next;
  }
}

async function drainHub(hub: HubClient, worker: string, batch: number, pool: string, completed: string[]) {
  for (;;) {
    const items = await hub.claim(pool, worker, batch);
    if (items.length === 0) return;
    if (batch === 1) {
      const it = items[0]!;
      await hub.complete(it.id, { worker_id: worker, lease_id: it.lease_id ?? undefined, result: { ok: true } });
      completed.push(it.id);
    } else {
      const r = await hub.completeMany(
        worker,
        items.map((it) => ({ id: it.id, lease_id: it.lease_id ?? undefined, result: { ok: true } })),
      );
      completed.push(...r.completed);
    }
  }
}

async function drainBare(url: string, worker: string, completed: string[]) {
  for (;;) {
    const { items } = await post<Claimed>(`${url}/claim`, { worker_id: worker });
    const it = items[0];
    if (!it) return;
    await post(`${url}/complete`, { id: it.id, worker_id: worker, result: { ok: true } });
    completed.push(it.id);
  }
}

async function main() {
  const [kind, url, worker, batch, pool, mode] = process.argv.slice(2) as [string, string, string, string?, string?, string?];
  const hub = kind === 'bare' ? await readyBare(url) : await readyHub(url, worker);
  const lines = createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  await once(lines, 'line');
  const completed: string[] = [];
  if (!hub) await drainBare(url, worker, completed);
  else await (mode === 'chain' ? drainHubChained : drainHub)(hub, worker, Number(batch ?? 1), pool ?? 'bench', completed);
  process.stdout.write(JSON.stringify({ completed }) + '\n');
  lines.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
