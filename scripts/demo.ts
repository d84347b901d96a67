/**
 * `npm run demo`: shows the hub at work until Ctrl-C. Starts a hub if none answers at HUB_URL
 * (default http://127.0.0.1:3000), gives pool `demo` a retry backoff, pushes a mix of items to
 * pools `demo` and `demo-images` (some urgent, some delayed, some failing with errors that share
 * a pattern but not their ids, numbers or paths), keeps pushing a trickle of new ones, and runs
 * CLI workers on both pools. Ctrl-C stops the trickle, lets the workers finish what they hold
 * (a second Ctrl-C stops their commands), stops the hub if the demo started it, and exits.
 *
 *   npm run demo -- [--items N] [--workers N] [--every S] [--quick]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { HubClient } from '../lib/sdk';
import type { NewItem } from '../lib/contracts';

const root = path.resolve(__dirname, '..');
const POOLS = ['demo', 'demo-images'] as const;
type Pool = (typeof POOLS)[number];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { values } = parseArgs({
  options: { items: { type: 'string' }, workers: { type: 'string' }, every: { type: 'string' }, quick: { type: 'boolean' } },
});
const itemCount = Math.max(1, Number(values.items ?? 40));
const workerCount = Math.max(1, Number(values.workers ?? 3));
/** Seconds between two pushes of the trickle; 0: none. */
const every = Math.max(0, Number(values.every ?? (values.quick ? 0.3 : 2)));
const url = (process.env.HUB_URL || `http://127.0.0.1:${process.env.PORT || 3000}`).replace(/\/+$/, '');
const token = process.env.HUB_TOKEN || process.env.HUB_OPERATOR_TOKEN || undefined;
const hub = new HubClient({ url, token, retry: { retries: 0 } });

async function answers(): Promise<boolean> {
  return hub.healthz().then(() => true, () => false);
}

/** Every process the demo started: each in its own process group, so only the demo signals them. */
const children = new Set<ChildProcess>();
function start(args: string[], env: NodeJS.ProcessEnv, stdio: 'inherit' | 'pipe'): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'inherit', stdio], detached: true });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}
const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.on('exit', (code) => resolve(code))));

/** Starts `npm start` (which builds first when needed) on the URL's port; resolves once it answers. */
async function startHub(): Promise<ChildProcess> {
  const { hostname, port } = new URL(url);
  if (!['127.0.0.1', 'localhost'].includes(hostname)) throw new Error(`no hub answers at ${url}, and it is not local, so the demo cannot start one`);
  console.log(`no hub answers at ${url}: starting one (npm start; the first start builds the app)…`);
  const child = start(['--require', 'tsx/cjs', path.join(root, 'scripts/start.ts')], { ...process.env, PORT: port || '80' }, 'inherit');
  const deadline = Date.now() + 180_000;
  while (!(await answers())) {
    if (child.exitCode !== null) throw new Error(`the hub exited with code ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('the hub did not answer within 3 minutes');
    await sleep(300);
  }
  return child;
}

let made = 0;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

/** The kinds of error that a pool's failing items fail with, in turn. */
const FAILURES: Record<Pool, string[]> = { demo: ['timeout', 'key', 'decode'], 'demo-images': ['missing', 'decode', 'missing'] };

/**
 * The next item. Most succeed after a moment; every 5th fails once (a timeout) and then
 * succeeds; every 6th, counting from the 3rd, always fails, with an error of its pool's kinds
 * whose ids, numbers and paths vary, and ends poisoned. Every 4th is urgent (priority 5, claimed
 * first) and every 10th delayed by 5 to 20 seconds.
 */
function item(pool: Pool): NewItem {
  const n = ++made;
  const ms = values.quick ? 20 + Math.round(Math.random() * 30) : 400 + Math.round(Math.random() * 1600);
  const data: Record<string, unknown> = { n, ms };
  const options: Partial<NewItem> = {};
  if (n % 6 === 3) {
    const kinds = FAILURES[pool];
    data.fail = kinds[Math.floor(n / 6) % kinds.length];
    data.customer = 1000 + Math.floor(Math.random() * 9000);
    data.day = `2026-12-${String(1 + Math.floor(Math.random() * 28)).padStart(2, '0')}`;
    data.batch = Math.floor(Math.random() * 500);
    options.max_retries = 3;
  } else if (n % 5 === 0) data.flaky = true;
  if (n % 4 === 0) {
    data.urgent = true;
    options.priority = 5;
  }
  if (n % 10 === 0) options.delay_seconds = 5 + Math.floor(Math.random() * 16);
  return { data, ...options } as NewItem;
}

function startWorker(i: number): ChildProcess {
  const pool = POOLS[(i - 1) % POOLS.length]!;
  const id = `demo-worker-${i}-${process.pid}`;
  const args = ['worker', '--pool', pool, '--worker-id', id, '--concurrency', '2', '--heartbeat', '2', '--', process.execPath, path.join(root, 'scripts/demo-task.mjs')];
  const child = start([path.join(root, 'bin/flatmachines-hub.mjs'), ...args], { ...process.env, HUB_URL: url, HUB_TOKEN: token ?? '' }, 'pipe');
  // Worker logs go to stderr, with the commands' own; show the worker's lines that matter.
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) {
      if (/^\[worker [^\]]+\] .*(failed|poisoned|stopped|error)/.test(line)) console.log(`  ${line.replace(/^\[worker [^\]]+\] /, `[worker ${i}] `)}`);
    }
  });
  return child;
}

async function status(): Promise<string> {
  const pools = await Promise.all(POOLS.map((p) => hub.getPool(p)));
  return pools.map((p) => `${p.name}: ${p.scheduled} scheduled · ${p.pending} pending · ${p.claimed} claimed · ${p.completed} completed · ${p.poisoned} poisoned`).join('   ');
}

async function main() {
  let signals = 0;
  let wake = () => {};
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  let workers: ChildProcess[] = [];
  const onSignal = () => {
    signals++;
    if (signals === 1) console.log('\nstopping: the workers finish what they hold (Ctrl-C again to stop their commands)…');
    // The first signal makes each worker drain; a second one stops its commands.
    for (const w of workers) w.kill('SIGTERM');
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const hubProcess = (await answers()) ? null : await startHub();
  try {
    await hub.updatePoolSettings('demo', { backoff: { type: 'exponential', base_seconds: 1, max_seconds: 10, jitter: 0.1 } });
    console.log('pool "demo" retries failed items after 1 s, 2 s, 4 s… (an exponential backoff); "demo-images" at once');
  } catch (err) {
    console.log(`could not set pool demo's backoff (${err instanceof Error ? err.message : String(err)}): it retries at once`);
  }
  const initial = Array.from({ length: itemCount }, (_, i) => POOLS[i % POOLS.length]!);
  for (const pool of POOLS) await hub.pushMany(pool, initial.filter((p) => p === pool).map(item));
  console.log(`\npushed ${itemCount} items to pools ${POOLS.join(' and ')}: some urgent, some delayed, one in six fails every time (with errors that share a pattern) and ends poisoned`);
  console.log(`dashboard: ${url}/   (open it to watch; Ctrl-C here stops the demo)\n`);
  console.log(`starting ${workerCount} CLI workers: flatmachines-hub worker --pool <pool> --concurrency 2 -- node scripts/demo-task.mjs`);

  if (signals === 0) workers = Array.from({ length: workerCount }, (_, i) => startWorker(i + 1));
  const codes = Promise.all(workers.map(exited));
  void codes.then(() => wake()); // every worker gone (stopped from the dashboard, say): the demo ends too

  let lastStatus = 0;
  while (signals === 0 && workers.some((w) => w.exitCode === null)) {
    if (every > 0) {
      const pool = pick(POOLS);
      await hub.pushMany(pool, Array.from({ length: 1 + Math.floor(Math.random() * 3) }, () => item(pool))).catch(() => {});
    }
    if (Date.now() - lastStatus > 2000) {
      lastStatus = Date.now();
      console.log(await status().catch((err: unknown) => `hub: ${err instanceof Error ? err.message : String(err)}`));
    }
    await Promise.race([stopped, sleep(every > 0 ? every * 1000 : 1000)]);
  }

  const exitCodes = await codes;
  console.log(`workers stopped (exit codes ${exitCodes.join(', ')})`);
  console.log(await status().catch(() => ''));
  if (hubProcess) {
    hubProcess.kill('SIGTERM');
    await exited(hubProcess);
    console.log('the hub stopped');
  } else {
    console.log(`the hub keeps running at ${url}; try: npx flatmachines-hub retry --pool demo   (sends the poisoned items back)`);
  }
  if (signals === 0 || exitCodes.some((c) => c !== 0)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
  for (const child of children) child.kill('SIGTERM');
  process.exit(1);
});
