/**
 * One worker process of a peer's drain, as its users would write it. Prints `ready`, waits for
 * `go`, drains the queue, prints {"completed": [ids]}: ids of the jobs this process completed.
 * - `pgboss URL`: fetch 100 jobs at a time and complete them with one call (pg-boss's batch API).
 * - `bullmq REDIS_URL QUEUE CONCURRENCY`: BullMQ's Worker with that concurrency (its batches are
 *   a paid add-on), the processor returning the result at once; the process stops its worker when
 *   the worker reports the queue drained and its running jobs finished.
 * Usage: tsx bench/peer-child.ts pgboss URL | bullmq REDIS_URL QUEUE CONCURRENCY
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Worker } from 'bullmq';
import PgBoss from 'pg-boss';
import { PEER_QUEUE, pgBossOptions, redisAddress } from './peers';

type Drain = { start: () => Promise<string[]> };

async function pgBoss(url: string): Promise<Drain> {
  const boss = new PgBoss({ ...pgBossOptions(url), migrate: false });
  boss.on('error', (err) => process.stderr.write(`pg-boss: ${String(err)}\n`));
  await boss.start();
  return {
    start: async () => {
      const completed: string[] = [];
      for (;;) {
        const jobs = await boss.fetch(PEER_QUEUE, { batchSize: 100 });
        if (jobs.length === 0) break;
        const ids = jobs.map((j) => j.id);
        // complete() answers {jobs, requested, affected}; its typings say void.
        const r = (await boss.complete(PEER_QUEUE, ids)) as unknown as { affected: number };
        if (r.affected !== ids.length) throw new Error(`pg-boss completed ${r.affected} of ${ids.length}`);
        completed.push(...ids);
      }
      await boss.stop({ graceful: false });
      return completed;
    },
  };
}

async function bullmq(url: string, queue: string, concurrency: number): Promise<Drain> {
  const worker = new Worker(queue, async () => ({ ok: true }), {
    connection: { ...redisAddress(url), maxRetriesPerRequest: null },
    concurrency,
    autorun: false,
  });
  const completed: string[] = [];
  worker.on('completed', (job) => completed.push(job.id!));
  worker.on('error', (err) => process.stderr.write(`bullmq: ${String(err)}\n`));
  await worker.waitUntilReady();
  return {
    start: async () => {
      const drained = once(worker, 'drained');
      void worker.run();
      await drained;
      await worker.close(); // waits for the jobs still running
      return completed;
    },
  };
}

async function main() {
  const [kind, url, queue, concurrency] = process.argv.slice(2) as [string, string, string?, string?];
  const drain = kind === 'pgboss' ? await pgBoss(url) : await bullmq(url, queue!, Number(concurrency ?? 100));
  const lines = createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  await once(lines, 'line');
  const completed = await drain.start();
  process.stdout.write(JSON.stringify({ completed }) + '\n');
  lines.close();
  // Peers' clients may keep timers or sockets alive; what was measured is written (synchronously
  // to a pipe on Linux).
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
