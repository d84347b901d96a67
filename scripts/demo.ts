/**
 * `npm run demo`: shows the hub at work. Starts a hub if none answers at HUB_URL (default
 * http://127.0.0.1:3000), pushes a mix of items to pool `demo` (some always fail, some fail once),
 * runs a few CLI workers on them, and prints the dashboard address and the pool as it drains.
 *
 *   npm run demo -- [--items N] [--workers N] [--quick]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { HubClient } from '../lib/sdk';
import type { NewItem } from '../lib/contracts';

const root = path.resolve(__dirname, '..');
const POOL = 'demo';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { values } = parseArgs({ options: { items: { type: 'string' }, workers: { type: 'string' }, quick: { type: 'boolean' } } });
const itemCount = Math.max(1, Number(values.items ?? 40));
const workerCount = Math.max(1, Number(values.workers ?? 3));
const url = (process.env.HUB_URL || `http://127.0.0.1:${process.env.PORT || 3000}`).replace(/\/+$/, '');
const token = process.env.HUB_TOKEN || process.env.HUB_OPERATOR_TOKEN || undefined;
const hub = new HubClient({ url, token, retry: { retries: 0 } });

async function answers(): Promise<boolean> {
  return hub.healthz().then(() => true, () => false);
}

/** Starts `npm start` (which builds first when needed) on the URL's port; resolves once it answers. */
async function startHub(): Promise<ChildProcess> {
  const { hostname, port } = new URL(url);
  if (!['127.0.0.1', 'localhost'].includes(hostname)) throw new Error(`no hub answers at ${url}, and it is not local, so the demo cannot start one`);
  console.log(`no hub answers at ${url}: starting one (npm start; the first start builds the app)…`);
  const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'scripts/start.ts')], {
    cwd: root,
    env: { ...process.env, PORT: port || '80' },
    stdio: 'inherit',
  });
  const deadline = Date.now() + 180_000;
  while (!(await answers())) {
    if (child.exitCode !== null) throw new Error(`the hub exited with code ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('the hub did not answer within 3 minutes');
    await sleep(300);
  }
  return child;
}

/** Items: most succeed after a short while; every 7th always fails; every 5th fails once, then succeeds. */
function items(): NewItem[] {
  return Array.from({ length: itemCount }, (_, i): NewItem => {
    const n = i + 1;
    const ms = values.quick ? 20 : 400 + Math.round(Math.random() * 1600);
    if (n % 7 === 0) return { data: { n, ms, fail: 'this item always fails' }, max_retries: 2 };
    return { data: { n, ms, flaky: n % 5 === 0 } };
  });
}

function startWorker(i: number): Promise<number | null> {
  const id = `demo-worker-${i}-${process.pid}`;
  const args = ['worker', '--pool', POOL, '--worker-id', id, '--concurrency', '2', '--exit-when-empty', '--heartbeat', '1', '--poll', '0.5', '--', process.execPath, path.join(root, 'scripts/demo-task.mjs')];
  const child = spawn(process.execPath, [path.join(root, 'bin/flatmachines-hub.mjs'), ...args], {
    cwd: root,
    env: { ...process.env, HUB_URL: url, HUB_TOKEN: token ?? '' },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  // Worker logs go to stderr; show the interesting ones, tagged with the worker.
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) if (/failed|poisoned|stopped|error/.test(line)) console.log(`  ${line.replace(/^\[worker [^\]]+\] /, `[worker ${i}] `)}`);
  });
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}

async function main() {
  const hubProcess = (await answers()) ? null : await startHub();
  const ids = [];
  const all = items();
  for (let i = 0; i < all.length; i += 1000) ids.push(...(await hub.pushMany(POOL, all.slice(i, i + 1000))));
  console.log(`\npushed ${ids.length} items to pool "${POOL}" (every 7th always fails and ends poisoned; every 5th fails once, then succeeds)`);
  console.log(`dashboard: ${url}/   (open it now to watch the pool drain)\n`);
  console.log(`starting ${workerCount} CLI workers: flatmachines-hub worker --pool ${POOL} --concurrency 2 -- node scripts/demo-task.mjs`);

  const workers = Array.from({ length: workerCount }, (_, i) => startWorker(i + 1));
  let finished = false;
  const done = Promise.all(workers).finally(() => (finished = true));
  while (!finished) {
    const p = await hub.getPool(POOL);
    console.log(`pool ${POOL}: ${p.pending} pending · ${p.claimed} claimed · ${p.completed} completed · ${p.poisoned} poisoned`);
    await Promise.race([done, sleep(1000)]);
  }
  const codes = await done;
  const p = await hub.getPool(POOL);
  console.log(`\ndone: ${p.completed} completed, ${p.poisoned} poisoned, ${p.pending} pending (workers exited with ${codes.join(', ')})`);
  console.log(`see it:      ${url}/`);
  console.log(`or here:     npx flatmachines-hub pools; npx flatmachines-hub workers`);
  console.log(`try again:   npx flatmachines-hub retry --pool ${POOL}   (sends the poisoned items back)`);
  if (codes.some((c) => c !== 0)) process.exitCode = 1;
  if (hubProcess) {
    console.log(`\nthe hub keeps running at ${url}; Ctrl-C stops it`);
    await new Promise((resolve) => hubProcess.on('exit', resolve));
  }
}

main().catch((err: unknown) => {
  console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
