/**
 * One draining process of the store benchmark. It opens its queue, prints `ready`, waits for
 * `go` on stdin, then claims BATCH items at a time (1 unless given) and completes them until the
 * pool is empty — through the hub's store (`hub`: claim, then complete, or completeMany for a
 * batch), the bare better-sqlite3 loop (`bare`, one at a time) or the bare node-postgres loop
 * (`bare-pg`: one statement claims the batch, one completes it) — and prints {"completed": [ids]}.
 * Usage: tsx bench/drain-child.ts hub|bare|bare-pg FILE-OR-URL POOL WORKER [BATCH]
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { openStore } from '@/db';
import { openBarePg } from './bare-pg';
import { openBare } from './bare-sqlite';

/** One round: the ids it completed, none when the pool is empty. */
type Step = () => Promise<string[]>;

function hubStep(file: string, pool: string, worker: string, batch: number): { step: Step; close: () => Promise<void> } {
  const store = openStore(file);
  return {
    step: async () => {
      const r = await store.claim(pool, worker, batch);
      if (!r.ok) throw new Error(r.detail);
      if (r.value.length === 0) return [];
      if (batch === 1) {
        const it = r.value[0]!;
        const done = await store.complete(it.id, { workerId: worker, leaseId: it.lease_id!, result: { ok: true } });
        if (!done.ok) throw new Error(done.detail);
        return [it.id];
      }
      const done = await store.completeMany({ worker_id: worker, items: r.value.map((it) => ({ id: it.id, lease_id: it.lease_id, result: { ok: true } })) });
      if (done.rejected.length) throw new Error(`rejected: ${JSON.stringify(done.rejected)}`);
      return done.completed;
    },
    close: () => store.close(),
  };
}

function bareStep(file: string, pool: string, worker: string): { step: Step; close: () => Promise<void> } {
  const q = openBare(file);
  return {
    step: async () => {
      const it = q.claim(pool, worker);
      if (!it) return [];
      q.complete(it.id, worker, { ok: true });
      return [String(it.id)];
    },
    close: async () => {
      q.close();
    },
  };
}

async function barePgStep(url: string, pool: string, worker: string, batch: number): Promise<{ step: Step; close: () => Promise<void> }> {
  const q = await openBarePg(url);
  return {
    step: async () => {
      const ids = (await q.claim(pool, worker, batch)).map((it) => String(it.id));
      if (ids.length === 0) return [];
      const n = await q.complete(ids, worker, { ok: true });
      if (n !== ids.length) throw new Error(`bare-pg completed ${n} of ${ids.length}`);
      return ids;
    },
    close: () => q.close(),
  };
}

async function main() {
  const [kind, file, pool, worker, batchArg] = process.argv.slice(2) as [string, string, string, string, string?];
  const batch = Number(batchArg ?? 1);
  const { step, close } =
    kind === 'bare' ? bareStep(file, pool, worker) : kind === 'bare-pg' ? await barePgStep(file, pool, worker, batch) : hubStep(file, pool, worker, batch);
  const lines = createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  await once(lines, 'line');
  const completed: string[] = [];
  for (let ids = await step(); ids.length > 0; ids = await step()) completed.push(...ids);
  await close();
  process.stdout.write(JSON.stringify({ completed }) + '\n');
  lines.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
