/**
 * `npm run bench`: the hub against the physical limit of this machine, as ratios taken in one
 * run. Prints one table and writes it as JSON under bench/results/. Every drain also checks
 * exactly-once: each item completed once, none lost.
 *
 *   BENCH_ITEMS (20000)  items per drain        BENCH_GROWTH (10000,100000,1000000) pool sizes
 *   BENCH_ONLY (store,http,growth,peers,longpoll,idle)  the sections to run, while working on one of them
 *   BENCH_ENGINES (sqlite,postgres)  the engines to run them on (postgres needs DATABASE_URL)
 *   BENCH_TRIALS (3)  store drains per case (bare and hub taking turns; medians reported)
 *   BENCH_REDIS_URL (redis://127.0.0.1:6379)  where BullMQ's Redis runs; skipped when none answers
 *   DATABASE_URL=postgres://…  measures the same on PostgreSQL, beside a bare node-postgres loop
 *   (SKIP LOCKED), and pg-boss on the same server. Drains of one item at a time there use
 *   BENCH_PG_ITEMS (5000) items — each PostgreSQL commit waits for fsync — and batched drains
 *   BENCH_ITEMS; BENCH_PG_TRIALS (1) trials each, BENCH_PG_GROWTH (10000,100000,1000000) pool
 *   sizes. The URL names the server (any database of it): the benchmark runs in a database of
 *   its own that it creates there and drops after, so every run starts empty and nothing else is
 *   touched. The benchmark starts no server itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { openStore } from '@/db';
import { startHub, type HubProcess } from '@/test/helpers/hub-process';
import { tempDir } from '@/test/helpers/tmp';
import { createTestDatabase } from '@/test/pg/database';
import { openBarePg, resetBarePg } from './bare-pg';
import { openBare } from './bare-sqlite';
import { longPoll, type Row } from './long-poll';
import { dropBullmq, dropPgBoss, preparePgBoss, prepareBullmq, redisAnswers } from './peers';

const ROOT = path.resolve(__dirname, '..');
const N = Number(process.env.BENCH_ITEMS ?? 20_000);
const PG_N = Number(process.env.BENCH_PG_ITEMS ?? 5_000);
const GROWTH = (process.env.BENCH_GROWTH ?? '10000,100000,1000000').split(',').map(Number);
const PG_GROWTH = (process.env.BENCH_PG_GROWTH ?? '10000,100000,1000000').split(',').map(Number);
const CLAIMS = 5_000;
const IDLE_POLLS = 5_000;
const TRIALS = Number(process.env.BENCH_TRIALS ?? 3);
const PG_TRIALS = Number(process.env.BENCH_PG_TRIALS ?? 1);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'store,http,growth,peers,longpoll,idle').split(','));
const ENGINES = new Set((process.env.BENCH_ENGINES ?? 'sqlite,postgres').split(','));
/** Whether `section` runs on `engine`. */
const runs = (section: string, engine: string) => ONLY.has(section) && ENGINES.has(engine);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** BullMQ's worker runs this many jobs at once per process: as many as a hub worker claims. */
const BULLMQ_CONCURRENCY = 100;

const rows: Row[] = [];
const log = (s: string) => process.stderr.write(`${s}\n`);

/** Starts children that print `ready`, releases them together, and times the whole drain. */
async function drain(children: ChildProcess[], expected: number): Promise<{ perSecond: number; exactlyOnce: string }> {
  const results = children.map(
    (c) =>
      new Promise<string[]>((resolve, reject) => {
        let ready!: () => void;
        const isReady = new Promise<void>((r) => (ready = r));
        const lines = createInterface({ input: c.stdout! });
        lines.on('line', (l) => (l === 'ready' ? ready() : resolve((JSON.parse(l) as { completed: string[] }).completed)));
        c.stderr!.on('data', (d) => process.stderr.write(d));
        c.on('exit', (code) => code !== 0 && reject(new Error(`bench child exited ${code}`)));
        (c as ChildProcess & { ready?: Promise<void> }).ready = isReady;
      }),
  );
  await Promise.all(children.map((c) => (c as ChildProcess & { ready?: Promise<void> }).ready));
  const t0 = performance.now();
  for (const c of children) c.stdin!.write('go\n');
  const done = (await Promise.all(results)).flat();
  const ms = performance.now() - t0;
  const unique = new Set(done).size;
  const dupes = done.length - unique;
  const lost = expected - unique;
  return { perSecond: Math.round((expected / ms) * 1000), exactlyOnce: dupes === 0 && lost === 0 ? 'ok' : `DUPLICATES ${dupes} LOST ${lost}` };
}

// One process per child (`node --import tsx`), not the tsx CLI's two, so killing one ends it.
const tsx = (...args: string[]) => spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });

/** The bare loop of `engine` with `n` items in pool `bench`, ready to drain; its drain-child kind. */
async function prepareBare(databaseUrl: (tag: string) => string, engine: string, procs: number, n: number): Promise<{ kind: string; target: string }> {
  const target = databaseUrl(`bare-${procs}`);
  const batches = Array.from({ length: Math.ceil(n / 1000) }, (_, b) =>
    Array.from({ length: Math.min(1000, n - b * 1000) }, (_, k) => ({ n: b * 1000 + k })),
  );
  if (engine === 'sqlite') {
    const q = openBare(target);
    for (const batch of batches) q.push('bench', batch);
    q.close();
    return { kind: 'bare', target };
  }
  await resetBarePg(target);
  const q = await openBarePg(target);
  for (const batch of batches) await q.push('bench', batch);
  await q.close();
  return { kind: 'bare-pg', target };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

/** Pushes `n` items with data {n} into `pool` through the API, 1000 a request. */
async function pushOverHttp(api: string, pool: string, n: number) {
  for (let i = 0; i < n; i += 1000) {
    const items = Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({ data: { n: i + k } }));
    const res = await fetch(`${api}/pools/${pool}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items }) });
    if (!res.ok) throw new Error(`push: ${res.status} ${await res.text()}`);
  }
}

interface StoreCase {
  procs: number;
  /** Items per claim: 1 claims and completes one at a time, more claims a batch and completes it with one call. */
  batch: number;
  items: number;
  target?: string;
}

/**
 * The store drains, `trials` times each, the bare loop and the hub taking turns: on these shared
 * machines one drain's rate moves by ±20% from one run to the next (with 4 processes also with
 * how SQLite's busy handler happens to put them to sleep), so the row gives the median rates and
 * the median of the trials' hub/bare ratios, with their range.
 */
async function storeDrain(databaseUrl: (tag: string) => string, engine: string, trials: number, cases: StoreCase[]) {
  const bareRates: Record<string, number> = {};
  const bareName = engine === 'sqlite' ? 'bare better-sqlite3 loop' : 'bare node-postgres loop (SKIP LOCKED)';
  for (const { procs, batch, items, target } of cases) {
    const bares: number[] = [];
    const hubs: number[] = [];
    const ratios: number[] = [];
    const checks = { bare: new Set<string>(), hub: new Set<string>() };
    const batchArgs = batch > 1 ? [String(batch)] : [];
    for (let trial = 1; trial <= trials; trial++) {
      const { kind, target: bareTarget } = await prepareBare((tag) => databaseUrl(`${tag}-${trial}`), engine, procs, items);
      const b = await drain(Array.from({ length: procs }, (_, i) => tsx('bench/drain-child.ts', kind, bareTarget, 'bench', `bare-${i}`, ...batchArgs)), items);
      const url = databaseUrl(`hub-${procs}-${trial}`);
      const pool = `bench-${procs}-${batch}-${trial}`;
      const store = openStore(url);
      for (let i = 0; i < items; i += 1000) await store.push(pool, Array.from({ length: Math.min(1000, items - i) }, (_, k) => ({ data: { n: i + k } })));
      await store.close();
      const r = await drain(Array.from({ length: procs }, (_, i) => tsx('bench/drain-child.ts', 'hub', url, pool, `hub-${procs}-${batch}-${i}`, ...batchArgs)), items);
      bares.push(b.perSecond);
      hubs.push(r.perSecond);
      ratios.push(r.perSecond / b.perSecond);
      checks.bare.add(b.exactlyOnce);
      checks.hub.add(r.exactlyOnce);
    }
    const label = `${procs} proc${batch > 1 ? `, claim ${batch} + complete ${batch}` : ''}`;
    const bare = (bareRates[`${procs}x${batch}`] = median(bares));
    const spread = trials > 1 ? `, median of ${trials}: ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}` : '';
    rows.push({ section: '1 store drain', case: `${bareName}, ${label}`, perSecond: bare, note: `exactly-once ${[...checks.bare].join(', ')}` });
    rows.push({
      section: '1 store drain',
      case: `hub store (${engine}), ${label}`,
      perSecond: median(hubs),
      ratio: `${median(ratios).toFixed(2)}× bare${spread}${target ? ` (target ${target})` : ''}`,
      note: `exactly-once ${[...checks.hub].join(', ')}`,
    });
  }
  return bareRates;
}

/** The hub's batched HTTP drains' rates: claim + batch completion, and chained (one request a batch). */
interface HubRates {
  batched?: number;
  chained?: number;
}

/**
 * The HTTP drains: 4 SDK worker processes against the hub, claiming one item at a time, then 100
 * with the batch completion route, then 100 with each batch completion claiming the next batch
 * (`next`: one request a batch). On PostgreSQL two hub instances share the database, two workers
 * on each, so the exactly-once check also covers claims racing across instances.
 */
async function httpDrain(
  env: Record<string, string>,
  engine: string,
  sizes: { single: number; batched: number },
  bareStoreRate: number | undefined,
  dir: string,
): Promise<HubRates> {
  let bareHttp: number | undefined;
  if (engine === 'sqlite') {
    const server = tsx('bench/bare-http.ts', path.join(dir, 'bare-http.db'));
    const port = await new Promise<number>((resolve) => {
      createInterface({ input: server.stdout! }).once('line', (l) => resolve(Number(l.split(' ')[1])));
    });
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < sizes.single; i++) {
      await fetch(`${url}/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: { n: i } }) });
    }
    const r = await drain(Array.from({ length: 4 }, (_, i) => tsx('bench/http-child.ts', 'bare', url, `bare-${i}`)), sizes.single);
    bareHttp = r.perSecond;
    server.kill();
    rows.push({ section: '2 HTTP drain', case: 'bare node:http + better-sqlite3, 4 workers, 1/request', perSecond: r.perSecond, note: `exactly-once ${r.exactlyOnce}` });
  }
  let peakRss = 0;
  const rates: HubRates = {};
  const instances = engine === 'sqlite' ? 1 : 2;
  for (const [batch, chained] of [[1, false], [100, false], [100, true]] as const) {
    const n = batch === 1 ? sizes.single : sizes.batched;
    const hubs: HubProcess[] = [];
    for (let h = 0; h < instances; h++) hubs.push(await startHub({ ...env, HUB_STALE_SECONDS: '600' }));
    const pool = `bench-http-${batch}${chained ? '-chained' : ''}`;
    await pushOverHttp(hubs[0]!.api, pool, n);
    const mode = chained ? ['chain'] : [];
    const r = await drain(
      Array.from({ length: 4 }, (_, i) => tsx('bench/http-child.ts', 'hub', hubs[i % instances]!.url, `w-${batch}-${i}`, String(batch), pool, ...mode)),
      n,
    );
    for (const hub of hubs) {
      const status = readFileSync(`/proc/${hub.child.pid}/status`, 'utf8');
      peakRss = Math.max(peakRss, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
      await hub.stop();
    }
    if (batch > 1) rates[chained ? 'chained' : 'batched'] = r.perSecond;
    const ratio =
      batch === 1
        ? bareHttp && `${(r.perSecond / bareHttp).toFixed(2)}× bare http (target ≥ 0.7)`
        : engine === 'sqlite' && bareStoreRate && `${(r.perSecond / bareStoreRate).toFixed(2)}× bare sqlite store loop (target ≥ 0.5)`;
    const where = instances > 1 ? `${instances} hubs, ` : '';
    rows.push({
      section: '2 HTTP drain',
      case: `hub (${engine}), ${where}4 workers, claim batch ${batch}${chained ? ', each batch complete claiming the next' : batch > 1 ? ' + batch complete' : ''}`,
      perSecond: r.perSecond,
      ratio: ratio || undefined,
      note: `exactly-once ${r.exactlyOnce}`,
    });
  }
  rows.push({ section: '4 memory', case: `hub (${engine}) peak RSS during the HTTP drains`, note: `${peakRss.toFixed(0)} MB (target < 300)` });
  return rates;
}

/**
 * A peer's drain of `n` jobs by 4 processes of bench/peer-child.ts, beside the hub's batched HTTP
 * drains on the engine it competes with (`hub`, those that ran).
 */
async function peerDrain(name: string, childArgs: string[], n: number, engine: string, hub: HubRates) {
  const r = await drain(Array.from({ length: 4 }, () => tsx('bench/peer-child.ts', ...childArgs)), n);
  rows.push({ section: '6 peers', case: name, perSecond: r.perSecond, note: `exactly-once ${r.exactlyOnce}` });
  const forms = [
    ['batched', hub.batched],
    ['chained batches', hub.chained],
  ] as const;
  for (const [form, rate] of forms) {
    if (!rate) continue;
    rows.push({
      section: '6 peers',
      case: `hub (${engine}) ${form} ÷ ${name.split(' (')[0]}`,
      ratio: `${(rate / r.perSecond).toFixed(2)}× (target ≥ 2)`,
    });
  }
}

async function bullmqDrain(n: number, hub: HubRates) {
  if (!(await redisAnswers(REDIS_URL))) {
    log(`BullMQ skipped: no Redis answers at ${REDIS_URL}`);
    rows.push({ section: '6 peers', case: 'BullMQ (Redis)', note: `skipped: no Redis at ${REDIS_URL}` });
    return;
  }
  const queue = `flatmachines-hub-bench-${process.pid}-${Date.now()}`;
  await prepareBullmq(REDIS_URL, queue, n);
  try {
    await peerDrain(`BullMQ (Redis), 4 workers, concurrency ${BULLMQ_CONCURRENCY}`, ['bullmq', REDIS_URL, queue, String(BULLMQ_CONCURRENCY)], n, 'sqlite', hub);
  } finally {
    await dropBullmq(REDIS_URL, queue);
  }
}

async function pgBossDrain(url: string, n: number, hub: HubRates) {
  await preparePgBoss(url, n);
  try {
    await peerDrain('pg-boss 10 (postgres), 4 workers, fetch 100 + complete many', ['pgboss', url], n, 'postgres', hub);
  } finally {
    await dropPgBoss(url);
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const round = (x: number) => Math.round(x * 1000) / 1000;

async function growth(databaseUrl: (tag: string) => string, engine: string, sizes: number[]) {
  const base: Record<string, number> = {};
  for (const size of sizes) {
    const store = openStore(databaseUrl(`growth-${size}`));
    // A pool of its own per size: on PostgreSQL every size shares one database.
    const pool = `big-${size}`;
    // As a real queue holds them: four priorities, and one item in ten delayed (scheduled for an
    // hour: none falls due here, so each claim skips them all), in push order.
    const mixed = (n: number) => ({ data: { n }, priority: n % 4, ...(n % 10 === 0 ? { delay_seconds: 3600 } : {}) });
    for (let i = 0; i < size; i += 1000) {
      await store.push(pool, Array.from({ length: Math.min(1000, size - i) }, (_, k) => mixed(i + k)));
    }
    // Collect the garbage of the push first (npm run bench exposes gc), so the claims below pay for
    // their own collections only; 5,000 of them: a p99 of 1,000 is the 10th slowest, and one
    // collection moves it.
    (globalThis as { gc?: () => void }).gc?.();
    const claims: number[] = [];
    for (let i = 0; i < Math.min(CLAIMS, size); i++) {
      const t = performance.now();
      const r = await store.claim(pool, 'w', 1);
      claims.push(performance.now() - t);
      if (r.ok && r.value[0]) await store.complete(r.value[0].id, { workerId: 'w' });
    }
    const summaries: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await store.getPool(pool);
      await store.listPools();
      summaries.push(performance.now() - t);
    }
    await store.close();
    const p99 = pct(claims, 99);
    base.claim ??= p99;
    rows.push({
      section: '3 growth',
      case: `${engine}, ${size.toLocaleString('en')} items: claim`,
      p50ms: round(pct(claims, 50)),
      p99ms: round(p99),
      ratio: `p99 ${(p99 / base.claim).toFixed(2)}× of ${sizes[0]!.toLocaleString('en')} (target ≤ 2)`,
    });
    rows.push({
      section: '3 growth',
      case: `${engine}, ${size.toLocaleString('en')} items: pool summaries`,
      p50ms: round(pct(summaries, 50)),
      p99ms: round(pct(summaries, 99)),
      note: 'target < 50 ms',
    });
  }
}

/**
 * What an idle fleet's polls cost the store: an active worker's claim on an empty pool, the most
 * frequent call of a fleet with nothing to do, timed one after another (on PostgreSQL mostly
 * round trips: one per empty poll).
 */
async function idlePoll(databaseUrl: (tag: string) => string, engine: string) {
  const store = openStore(databaseUrl('idle'));
  await store.registerWorker({ worker_id: 'idle-w' });
  const polls: number[] = [];
  for (let i = 0; i < 200 + IDLE_POLLS; i++) {
    const t = performance.now();
    const r = await store.claim('idle-empty', 'idle-w', 10);
    if (!r.ok || r.value.length) throw new Error('an idle poll claimed something');
    if (i >= 200) polls.push(performance.now() - t); // the first 200 warm up
  }
  await store.close();
  const total = polls.reduce((a, b) => a + b, 0);
  rows.push({
    section: '7 idle poll',
    case: `${engine}: empty claim by an active worker, ${IDLE_POLLS.toLocaleString('en')} in a row`,
    p50ms: round(pct(polls, 50)),
    p99ms: round(pct(polls, 99)),
    note: `${Math.round((total / polls.length) * 1000)} µs a poll`,
  });
}

function printTable() {
  const header = ['section', 'case', 'items/s', 'p50 ms', 'p99 ms', 'ratio', 'note'];
  const body = rows.map((r) => [r.section, r.case, r.perSecond?.toLocaleString('en') ?? '', r.p50ms ?? '', r.p99ms ?? '', r.ratio ?? '', r.note ?? ''].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const b of body) console.log(line(b));
}

async function main() {
  const started = Date.now();
  const { dir, cleanup } = tempDir('bench-');
  const sqliteUrl = (tag: string) => path.join(dir, `${tag}.db`);
  try {
    let bare: Record<string, number> = {};
    let hubSqlite: HubRates = {};
    if (runs('store', 'sqlite')) {
      log(`store drain, ${N} items…`);
      const cases = [1, 4].map((procs) => ({ procs, batch: 1, items: N, target: '≥ 0.8' }));
      bare = await storeDrain(sqliteUrl, 'sqlite', TRIALS, cases);
    }
    if (runs('http', 'sqlite')) {
      log('HTTP drain…');
      hubSqlite = await httpDrain({}, 'sqlite', { single: N, batched: N }, bare['1x1'], dir);
    }
    if (runs('peers', 'sqlite')) {
      log('BullMQ…');
      await bullmqDrain(N, hubSqlite);
    }
    if (runs('growth', 'sqlite')) {
      log(`growth ${GROWTH.join(', ')}…`);
      await growth(sqliteUrl, 'sqlite', GROWTH);
    }
    if (runs('longpoll', 'sqlite')) {
      log('long-poll…');
      rows.push(...(await longPoll({}, 'sqlite')));
    }
    if (runs('idle', 'sqlite')) await idlePoll(sqliteUrl, 'sqlite');
    const server = process.env.DATABASE_URL;
    if (ENGINES.has('postgres') && server && /^postgres(ql)?:\/\//.test(server)) {
      log('PostgreSQL…');
      const scratch = await createTestDatabase('bench', server);
      try {
        const pg = scratch.url;
        let hubPg: HubRates = {};
        if (ONLY.has('store')) {
          const cases = [
            { procs: 1, batch: 1, items: PG_N },
            { procs: 4, batch: 1, items: PG_N },
            { procs: 4, batch: 100, items: N, target: '≥ 0.8' },
          ];
          await storeDrain(() => pg, 'postgres', PG_TRIALS, cases);
        }
        if (ONLY.has('http')) hubPg = await httpDrain({ DATABASE_URL: pg }, 'postgres', { single: PG_N, batched: N }, undefined, dir);
        if (ONLY.has('peers')) await pgBossDrain(pg, N, hubPg);
        if (ONLY.has('growth')) await growth(() => pg, 'postgres', PG_GROWTH);
        if (ONLY.has('longpoll')) rows.push(...(await longPoll({ DATABASE_URL: pg }, 'postgres')));
        if (ONLY.has('idle')) await idlePoll(() => pg, 'postgres');
      } finally {
        await scratch.drop();
      }
    } else if (runs('peers', 'postgres')) {
      log('pg-boss skipped: DATABASE_URL names no PostgreSQL server');
      rows.push({ section: '6 peers', case: 'pg-boss (postgres)', note: 'skipped: no DATABASE_URL=postgres://…' });
    }
  } finally {
    cleanup();
    printTable(); // what was measured, also when a later section failed
  }
  const out = path.join(ROOT, 'bench/results', `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ items: N, pgItems: PG_N, growth: GROWTH, seconds: (Date.now() - started) / 1000, rows }, null, 2));
  console.log(`\n${((Date.now() - started) / 1000).toFixed(0)} s; results in ${path.relative(ROOT, out)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
