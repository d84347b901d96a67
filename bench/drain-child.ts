/**
 * One draining process of the store benchmark: claims one item at a time and completes it until
 * the pool is empty, through the hub's store (`hub`) or the bare loop (`bare`). Prints
 * {completed: [ids], ms}.  Usage: tsx bench/drain-child.ts hub|bare FILE POOL WORKER
 */
import { openStore } from '@/db';
import { openBare } from './bare-sqlite';

async function main() {
  const [kind, file, pool, worker] = process.argv.slice(2) as [string, string, string, string];
  const completed: string[] = [];
  const t0 = performance.now();
  if (kind === 'bare') {
    const q = openBare(file);
    for (;;) {
      const it = q.claim(pool, worker);
      if (!it) break;
      q.complete(it.id, worker, { ok: true });
      completed.push(String(it.id));
    }
    q.close();
  } else {
    const store = openStore(file);
    for (;;) {
      const r = await store.claim(pool, worker, 1);
      if (!r.ok) throw new Error(r.detail);
      const it = r.value[0];
      if (!it) break;
      const done = await store.complete(it.id, { workerId: worker, leaseId: it.lease_id!, result: { ok: true } });
      if (!done.ok) throw new Error(done.detail);
      completed.push(it.id);
    }
    await store.close();
  }
  process.stdout.write(JSON.stringify({ completed, ms: performance.now() - t0 }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
