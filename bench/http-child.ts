/**
 * One worker process of the HTTP benchmark. Prints `ready`, waits for `go`, drains the pool,
 * prints {"completed": [ids]}.
 * - `hub BATCH`: the hub through the SDK's HubClient (responses validated, as a real worker
 *   sees them): claim BATCH items, complete them (the batch route when BATCH > 1).
 * - `bare`: the node:http baseline, one item per request.
 * Usage: tsx bench/http-child.ts hub|bare URL WORKER [BATCH [POOL]]  (POOL: `bench` unless given)
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { HubClient } from '@/lib/sdk';

async function post<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

type Claimed = { items: { id: string }[] };

async function drainHub(url: string, worker: string, batch: number, pool: string, completed: string[]) {
  const hub = new HubClient({ url });
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
  const [kind, url, worker, batch, pool] = process.argv.slice(2) as [string, string, string, string?, string?];
  const lines = createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  await once(lines, 'line');
  const completed: string[] = [];
  if (kind === 'bare') await drainBare(url, worker, completed);
  else await drainHub(url, worker, Number(batch ?? 1), pool ?? 'bench', completed);
  process.stdout.write(JSON.stringify({ completed }) + '\n');
  lines.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
