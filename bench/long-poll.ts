/**
 * The long-poll section of `npm run bench`: how soon a pushed item reaches a worker waiting at the
 * hub (`wait_seconds`), and what a fleet of idle waiting workers costs the hub.
 *
 * - Push→claim latency: 4 workers wait for items of one pool (claim 1, wait 30 s, complete, wait
 *   again) while a producer pushes one item every 5 ms (200 items/s, BENCH_LP_SECONDS, default 10 s).
 *   An item's latency runs from just before its push request is sent to the moment its claim's
 *   answer arrives, both in this process (the push's own round trip included).
 * - Idle cost: 200 workers whose claims wait at the hub for BENCH_IDLE_SECONDS (default 30) with
 *   nothing to claim: the hub's CPU time (user + system, from /proc) as a share of one core, and
 *   its RSS at the end. Beside it, the same fleet polling once a second without waiting, as
 *   workers did before long-poll.
 */
import { readFileSync } from 'node:fs';
import { startHub, type HubProcess } from '@/test/helpers/hub-process';

/** One row of the benchmark's table (bench/run.ts prints them). */
export interface Row {
  section: string;
  case: string;
  perSecond?: number;
  ratio?: string;
  p50ms?: number;
  p99ms?: number;
  note?: string;
}

const SECONDS = Number(process.env.BENCH_LP_SECONDS ?? 10);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);
const IDLE_WORKERS = 200;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const round = (x: number) => Math.round(x * 1000) / 1000;

async function post<T = unknown>(url: string, body: unknown, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: signal ?? null });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** The hub process's CPU time so far, in ms (utime + stime from /proc, in clock ticks of 10 ms). */
function cpuMs(hub: HubProcess): number {
  const fields = readFileSync(`/proc/${hub.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
const rssMb = (hub: HubProcess) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${hub.child.pid}/status`, 'utf8'))![1]) / 1024;

async function latency(env: Record<string, string>, engine: string): Promise<Row> {
  const hub = await startHub({ ...env, HUB_STALE_SECONDS: '600' });
  const pool = 'longpoll';
  const pushedAt = new Map<string, number>();
  const latencies: number[] = [];
  const stop = new AbortController();
  const total = Math.round(SECONDS * 200);
  const workers = Array.from({ length: 4 }, async (_, w) => {
    const worker = `lp-${w}`;
    await post(`${hub.api}/workers`, { worker_id: worker });
    while (!stop.signal.aborted) {
      let items: { id: string; data: { n: number }; lease_id: string }[];
      try {
        items = (await post<{ items: typeof items }>(`${hub.api}/pools/${pool}/claim`, { worker_id: worker, wait_seconds: 30 }, stop.signal)).items;
      } catch {
        return; // stopped
      }
      const now = performance.now();
      for (const it of items) {
        latencies.push(now - pushedAt.get(String(it.data.n))!);
        await post(`${hub.api}/items/${it.id}/complete`, { worker_id: worker, lease_id: it.lease_id });
      }
    }
  });
  await sleep(500); // all four waiting
  const t0 = performance.now();
  for (let n = 0; n < total; n++) {
    const due = t0 + n * 5;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    pushedAt.set(String(n), performance.now());
    await post(`${hub.api}/pools/${pool}/items`, { data: { n } });
  }
  for (let waited = 0; latencies.length < total && waited < 10_000; waited += 50) await sleep(50);
  stop.abort();
  await Promise.all(workers);
  await hub.stop();
  const target = engine === 'sqlite' ? ' (target p50 ≤ 5, p99 ≤ 25)' : '';
  return {
    section: '5 long-poll',
    case: `${engine}: push→claim, 200 items/s, 4 waiting workers`,
    p50ms: round(pct(latencies, 50)),
    p99ms: round(pct(latencies, 99)),
    ratio: `${latencies.length} of ${total} items${target}`,
  };
}

async function idleCost(env: Record<string, string>, engine: string, waiting: boolean): Promise<Row> {
  const hub = await startHub({ ...env, HUB_STALE_SECONDS: '600' });
  const stop = new AbortController();
  let requests = 0;
  const fleet = Array.from({ length: IDLE_WORKERS }, async (_, w) => {
    while (!stop.signal.aborted) {
      try {
        requests++;
        await post(`${hub.api}/pools/idle/claim`, { worker_id: `idle-${w}`, ...(waiting ? { wait_seconds: 30 } : {}) }, stop.signal);
        if (!waiting) await sleep(1000);
      } catch {
        return; // stopped
      }
    }
  });
  await sleep(2000); // every worker registered (by its first claim) and waiting or polling
  const cpu0 = cpuMs(hub);
  const requests0 = requests;
  await sleep(IDLE_SECONDS * 1000);
  const cpu = cpuMs(hub) - cpu0;
  const rss = rssMb(hub);
  const made = requests - requests0;
  stop.abort();
  await Promise.all(fleet);
  await hub.stop();
  const share = (cpu / (IDLE_SECONDS * 1000)) * 100;
  return {
    section: '5 long-poll',
    case: `${engine}: ${IDLE_WORKERS} idle workers, ${IDLE_SECONDS} s, ${waiting ? 'claims waiting 30 s' : 'polling every 1 s (no wait)'}`,
    ratio: `hub CPU ${share.toFixed(2)}% of one core${waiting ? ' (target < 2%)' : ''}`,
    note: `${(cpu / 1000).toFixed(2)} s CPU, RSS ${rss.toFixed(0)} MB, ${made} claim requests`,
  };
}

/** Rows of the long-poll section on one engine (idle cost on SQLite only: the hub's own CPU). */
export async function longPoll(env: Record<string, string>, engine: string): Promise<Row[]> {
  const rows = [await latency(env, engine)];
  if (engine === 'sqlite') {
    rows.push(await idleCost(env, engine, true));
    rows.push(await idleCost(env, engine, false));
  }
  return rows;
}
