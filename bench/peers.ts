/**
 * The peers a user would otherwise pick, set up to drain the same items as the hub: pg-boss on the
 * same PostgreSQL (a schema of its own in the benchmark's scratch database), BullMQ on the
 * machine's Redis. The benchmark starts no server: a peer whose server does not answer is skipped.
 * The draining side is bench/peer-child.ts.
 */
import { connect } from 'node:net';
import { Queue } from 'bullmq';
import PgBoss from 'pg-boss';

export const PG_BOSS_SCHEMA = 'bench_pgboss';
export const PEER_QUEUE = 'bench';

/** Options every pg-boss instance of the benchmark uses: no maintenance or cron timers running alongside. */
export const pgBossOptions = (connectionString: string): PgBoss.ConstructorOptions => ({
  connectionString,
  schema: PG_BOSS_SCHEMA,
  supervise: false,
  schedule: false,
  max: 4,
});

/** pg-boss's schema created (dropping an earlier run's) with `n` jobs in queue `bench`, data {n}. */
export async function preparePgBoss(url: string, n: number): Promise<void> {
  const boss = new PgBoss(pgBossOptions(url));
  boss.on('error', (err) => process.stderr.write(`pg-boss: ${String(err)}\n`));
  await boss.start();
  await boss.getDb().executeSql(`DROP SCHEMA IF EXISTS ${PG_BOSS_SCHEMA} CASCADE`, []);
  await boss.stop({ graceful: false });
  const fresh = new PgBoss(pgBossOptions(url));
  await fresh.start();
  await fresh.createQueue(PEER_QUEUE);
  for (let i = 0; i < n; i += 1000) {
    await fresh.insert(Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({ name: PEER_QUEUE, data: { n: i + k } })));
  }
  await fresh.stop({ graceful: false });
}

export async function dropPgBoss(url: string): Promise<void> {
  const boss = new PgBoss(pgBossOptions(url));
  await boss.start();
  await boss.getDb().executeSql(`DROP SCHEMA IF EXISTS ${PG_BOSS_SCHEMA} CASCADE`, []);
  await boss.stop({ graceful: false });
}

/** host and port of a redis:// URL. */
export function redisAddress(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) };
}

/** Whether something answers a Redis PING at `url` within a second. */
export async function redisAnswers(url: string): Promise<boolean> {
  const { host, port } = redisAddress(url);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

/**
 * A BullMQ queue of its own (a unique name, so nothing else on the server is touched) holding `n`
 * jobs with data {n}, BullMQ's defaults otherwise (completed jobs are kept, as the hub keeps them).
 */
export async function prepareBullmq(url: string, name: string, n: number): Promise<void> {
  const queue = new Queue(name, { connection: { ...redisAddress(url), maxRetriesPerRequest: null } });
  for (let i = 0; i < n; i += 1000) {
    await queue.addBulk(Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({ name: 'item', data: { n: i + k } })));
  }
  await queue.close();
}

/** Removes the queue and every key of it. */
export async function dropBullmq(url: string, name: string): Promise<void> {
  const queue = new Queue(name, { connection: { ...redisAddress(url), maxRetriesPerRequest: null } });
  await queue.obliterate({ force: true });
  await queue.close();
}
