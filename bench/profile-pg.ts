/**
 * Where a PostgreSQL drain spends its time (issue 15): one store drain of claims of BATCH and
 * batch completions by PROCS processes (bench/drain-child.ts), hub or bare, while this process
 * samples pg_stat_activity's wait events every few ms and reads pg_stat_database / pg_stat_wal
 * before and after (transactions, WAL records, bytes, syncs per batch), and the CPU time of the
 * draining processes and of the database's backends (read from /proc while they run) per item.
 * Usage: node --import tsx bench/profile-pg.ts hub|bare-pg [ITEMS] [PROCS] [BATCH]
 *   PROFILE_NO_TRIGGERS=1  drops the items count triggers first (an experiment: counts go wrong)
 *   PROFILE_EXPLAIN=1      also EXPLAIN ANALYZEs one claim and one batch completion (rolled back)
 *   PROFILE_NO_ANALYZE=1   drains without ANALYZE first, as bench/run.ts does (no planner statistics)
 *   PROFILE_CPU=DIR        writes a --cpu-prof profile of each draining process to DIR
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { openStore } from '@/db';
import { createTestDatabase } from '@/test/pg/database';
import { openBarePg, resetBarePg } from './bare-pg';
import { hotSql } from './profile-sql';

const ROOT = path.resolve(__dirname, '..');
const [kind = 'hub', itemsArg = '20000', procsArg = '4', batchArg = '100'] = process.argv.slice(2);
const N = Number(itemsArg);
const PROCS = Number(procsArg);
const BATCH = Number(batchArg);

async function stats(c: pg.Client) {
  const db = await c.query(`SELECT xact_commit::bigint AS commits, tup_updated::bigint AS upd, tup_inserted::bigint AS ins, blks_hit::bigint AS hit
    FROM pg_stat_database WHERE datname = current_database()`);
  const wal = await c.query(`SELECT wal_records::bigint AS records, wal_bytes::bigint AS bytes, wal_sync::bigint AS syncs, wal_write::bigint AS writes FROM pg_stat_wal`);
  const num = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Number(v)]));
  return { ...num(db.rows[0]), ...num(wal.rows[0]) };
}

/** CPU seconds (user + system) of one process, 0 when it is gone. */
function cpuOf(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

async function main() {
  const scratch = await createTestDatabase('profile', process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const url = scratch.url;
  try {
    const pool = 'prof';
    if (kind === 'hub') {
      const store = openStore(url);
      for (let i = 0; i < N; i += 1000) await store.push(pool, Array.from({ length: Math.min(1000, N - i) }, (_, k) => ({ data: { n: i + k } })));
      await store.close();
    } else {
      await resetBarePg(url);
      const q = await openBarePg(url);
      for (let i = 0; i < N; i += 1000) await q.push(pool, Array.from({ length: Math.min(1000, N - i) }, (_, k) => ({ n: i + k })));
      await q.close();
    }
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    if (!process.env.PROFILE_NO_ANALYZE) await c.query('ANALYZE');
    if (process.env.PROFILE_NO_TRIGGERS) {
      for (const t of ['items_count_update', 'items_count_insert', 'items_count_delete']) await c.query(`ALTER TABLE items DISABLE TRIGGER ${t}`);
    }
    if (process.env.PROFILE_EXPLAIN && kind === 'hub') await explain(c, pool);
    const children = Array.from({ length: PROCS }, (_, i) =>
      spawn(process.execPath, [...(process.env.PROFILE_CPU ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE_CPU}`] : []), '--import', 'tsx', 'bench/drain-child.ts', kind, url, pool, `w-${i}`, String(BATCH)], {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    );
    const outs = children.map(
      (ch) =>
        new Promise<{ ready: Promise<void>; done: Promise<string[]> }>((resolveOuter) => {
          let ready!: () => void;
          let done!: (ids: string[]) => void;
          const r = new Promise<void>((x) => (ready = x));
          const d = new Promise<string[]>((x) => (done = x));
          createInterface({ input: ch.stdout! }).on('line', (l) => {
            if (l === 'ready') return ready();
            childCpu += cpuOf(ch.pid!);
            done((JSON.parse(l) as { completed: string[] }).completed);
          });
          resolveOuter({ ready: r, done: d });
        }),
    );
    let childCpu = 0;
    const handles = await Promise.all(outs);
    await Promise.all(handles.map((h) => h.ready));
    const before = await stats(c);
    const startCpu = children.reduce((a, ch) => a + cpuOf(ch.pid!), 0);
    const waits = new Map<string, number>();
    let samples = 0;
    const backendCpu = new Map<number, [number, number]>();
    let running = true;
    const sampler = (async () => {
      while (running) {
        const pids = await c.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE backend_type IN ('client backend', 'walwriter', 'checkpointer', 'background writer', 'autovacuum worker') AND pid <> pg_backend_pid()`);
        for (const { pid } of pids.rows) {
          const t = cpuOf(pid);
          if (t > 0) backendCpu.set(pid, [backendCpu.get(pid)?.[0] ?? t, t]);
        }
        const r = await c.query<{ w: string; n: number }>(
          `SELECT coalesce(wait_event_type || ':' || wait_event, state) AS w, count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
              AND (state = 'active' OR wait_event_type = 'Lock') GROUP BY 1`,
        );
        samples++;
        for (const row of r.rows) waits.set(row.w, (waits.get(row.w) ?? 0) + row.n);
        await new Promise((x) => setTimeout(x, 5));
      }
    })();
    const t0 = performance.now();
    for (const ch of children) ch.stdin!.write('go\n');
    const done = (await Promise.all(handles.map((h) => h.done))).flat();
    const ms = performance.now() - t0;
    running = false;
    await sampler;
    const after = await stats(c);
    const pgCpu = [...backendCpu.values()].reduce((a, [first, last]) => a + last - first, 0);
    const unique = new Set(done).size;
    console.log(`${kind}: ${N} items, ${PROCS} procs, batch ${BATCH}: ${Math.round((N / ms) * 1000)}/s (${ms.toFixed(0)} ms), dupes ${done.length - unique}, lost ${N - unique}`);
    const per = Object.fromEntries(Object.keys(after).map((k) => [k, ((after as Record<string, number>)[k]! - (before as Record<string, number>)[k]!) / (N / BATCH)]));
    console.log(`CPU µs per item: drain processes ${(((childCpu - startCpu) / N) * 1e6).toFixed(0)}, postgres ${((pgCpu / N) * 1e6).toFixed(0)}; wall µs per item ${((ms / N) * 1000).toFixed(0)}`);
    console.log('per batch (claim + complete):', JSON.stringify(per, (_, v: unknown) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v)));
    console.log(`active backends by wait event (mean over ${samples} samples):`);
    for (const [w, n] of [...waits].sort((a, b) => b[1] - a[1])) console.log(`  ${w.padEnd(40)} ${(n / samples).toFixed(2)}`);
    await c.end();
  } finally {
    await scratch.drop();
  }
}

/** One claim of BATCH and its batch completion, EXPLAIN ANALYZEd with trigger times, rolled back. */
async function explain(c: pg.Client, pool: string) {
  await c.query(`INSERT INTO workers (worker_id, status, last_heartbeat, started_at) VALUES ('x', 'active', 0, 0)`);
  for (let i = 0; i < 3; i++) {
    await c.query('BEGIN');
    const claim = hotSql.claim({ workerId: 'x', now: Date.now(), pool, limit: BATCH });
    const r = await c.query(`EXPLAIN (ANALYZE, BUFFERS) ${claim.text}`, claim.values);
    const claimed = await c.query(claim.text, hotSql.claim({ workerId: 'x', now: Date.now(), pool, limit: BATCH }).values);
    const ids = claimed.rows.map((row: { id: string }) => Number(row.id)).sort((x: number, y: number) => x - y);
    const batch = JSON.stringify(claimed.rows.map((row: { id: string; leaseId: string }) => ({ id: Number(row.id), lease_id: row.leaseId, result: { ok: true } })));
    const done = hotSql.completeMany({ batch, workerId: 'x', now: Date.now(), ids });
    const e = await c.query(`EXPLAIN (ANALYZE, BUFFERS) ${done.text}`, done.values);
    await c.query('ROLLBACK');
    if (i === 2) {
      console.log('--- claim\n' + r.rows.map((x: Record<string, string>) => x['QUERY PLAN']).join('\n'));
      console.log('--- complete many\n' + e.rows.map((x: Record<string, string>) => x['QUERY PLAN']).join('\n'));
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
