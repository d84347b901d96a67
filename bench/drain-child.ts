/**
 * One draining process of the store benchmark. It opens its queue, prints `ready`, waits for
 * `go` on stdin, then claims one item at a time and completes it until the pool is empty —
 * through the hub's store (`hub`), the bare better-sqlite3 loop (`bare`) or the bare
 * node-postgres loop (`bare-pg`) — and prints {"completed": [ids]}.
 * Usage: tsx bench/drain-child.ts hub|bare|bare-pg FILE-OR-URL POOL WORKER
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { openStore } from '@/db';
import { openBarePg } from './bare-pg';
import { openBare } from './bare-sqlite';

type Step = () => Promise<string | null>;

function hubStep(file: string, pool: string, worker: string): { step: Step; close: () => Promise<void> } {
  const store = openStore(file);
  return {
    step: async () => {
      const r = await store.claim(pool, worker, 1);
      if (!r.ok) throw new Error(r.detail);
      const it = r.value[0];
      if (!it) return null;
      const done = await store.complete(it.id, { workerId: worker, leaseId: it.lease_id!, result: { ok: true } });
      if (!done.ok) throw new Error(done.detail);
      return it.id;
    },
    close: () => store.close(),
  };
}

function bareStep(file: string, pool: string, worker: string): { step: Step; close: () => Promise<void> } {
  const q = openBare(file);
  return {
    step: async () => {
      const it = q.claim(pool, worker);
      if (!it) return null;
      q.complete(it.id, worker, { ok: true });
      return String(it.id);
    },
    close: async () => {
      q.close();
    },
  };
}

async function barePgStep(url: string, pool: string, worker: string): Promise<{ step: Step; close: () => Promise<void> }> {
  const q = await openBarePg(url);
  return {
    step: async () => {
      const it = await q.claim(pool, worker);
      if (!it) return null;
      await q.complete(it.id, worker, { ok: true });
      return it.id;
    },
    close: () => q.close(),
  };
}

async function main() {
  const [kind, file, pool, worker] = process.argv.slice(2) as [string, string, string, string];
  const { step, close } =
    kind === 'bare' ? bareStep(file, pool, worker) : kind === 'bare-pg' ? await barePgStep(file, pool, worker) : hubStep(file, pool, worker);
  const lines = createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  await once(lines, 'line');
  const completed: string[] = [];
  for (let id = await step(); id !== null; id = await step()) completed.push(id);
  await close();
  process.stdout.write(JSON.stringify({ completed }) + '\n');
  lines.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
