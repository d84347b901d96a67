/**
 * `npm run demo` against a fresh hub: its workers keep working and new items keep coming until
 * Ctrl-C (SIGINT), which ends it with exit 0 and leaves no process of its own behind.
 */
import { execFileSync, spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HubClient } from '@/lib/sdk';
import { startHub, type HubProcess } from '../helpers/hub-process';
import { REPO, waitFor } from './support';

let hub: HubProcess;
let c: HubClient;
beforeAll(async () => {
  hub = await startHub();
  c = new HubClient({ url: hub.url });
});
afterAll(() => hub?.stop());

/** Every process below `pid`, children first. */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    // pgrep exits 1 when there is none
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const pushed = async () =>
  (await c.listPools())
    .filter((p) => p.name.startsWith('demo'))
    .reduce((n, p) => n + p.scheduled + p.pending + p.claimed + p.completed + p.poisoned, 0);

it('keeps its workers working and items coming until SIGINT, then stops everything and exits 0', { timeout: 120_000 }, async () => {
  // node itself, not the tsx CLI (which would run the demo in a child of its own).
  const demo = spawn(process.execPath, ['--require', 'tsx/cjs', 'scripts/demo.ts', '--items', '12', '--workers', '2', '--quick'], {
    cwd: REPO,
    env: { ...process.env, HUB_URL: hub.url, HUB_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  demo.stdout.on('data', (d) => (out += d));
  demo.stderr.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => demo.on('exit', (code, signal) => resolve({ code, signal })));
  try {
    const demoWorkers = async () => (await c.listWorkers({ status: 'active' })).filter((w) => w.worker_id.startsWith('demo-worker-'));
    await waitFor('two active demo workers', async () => (await demoWorkers()).length === 2, 60_000);
    expect((await c.getPoolSettings('demo')).backoff).toMatchObject({ type: 'exponential' });

    // Items flow: completions and poisoned items on the pools, and new items keep coming.
    await waitFor('completed and poisoned items', async () => {
      const pools = await Promise.all(['demo', 'demo-images'].map((p) => c.getPool(p)));
      return pools.every((p) => p.completed > 0) && pools.some((p) => p.poisoned > 0);
    }, 60_000);
    const before = await pushed();
    await waitFor('the trickle of new items', async () => (await pushed()) > before);
    const urgent = (await c.listItems('demo', { status: 'completed', limit: 100 })).items.filter((i) => i.priority === 5);
    expect(urgent.length).toBeGreaterThan(0);
    const poisoned = [
      ...(await c.listItems('demo', { status: 'poisoned' })).items,
      ...(await c.listItems('demo-images', { status: 'poisoned' })).items,
    ];
    for (const p of poisoned) expect(p.last_error).toMatch(/^exit code 1: (TimeoutError: upstream api\.example\.com did not answer in 30 s \(request [0-9a-f]{16}\)|KeyError: 'customer_\d+'|FileNotFoundError: \/data\/in\/2026-12-\d\d\/img_\d{4}\.png|ValueError: cannot decode row \d+ of batch \d+ at \S+: unexpected byte 0x[0-9a-f]{2} at offset \d+)$/);
    // Still running: the workers do not stop when a pool is empty.
    expect(demo.exitCode).toBeNull();
    expect((await demoWorkers()).length).toBe(2);

    const family = descendants(demo.pid!);
    expect(family.length).toBeGreaterThanOrEqual(2); // the two CLI workers, and the commands they run
    demo.kill('SIGINT');
    expect(await exited, out).toEqual({ code: 0, signal: null });
    expect(out).toContain('stopping: the workers finish what they hold');
    // A command's process may take a moment to be gone after its worker exited; none may stay.
    await waitFor('every process of the demo gone', async () => family.filter(alive).length === 0, 10_000);
    const workers = (await c.listWorkers({})).filter((w) => w.worker_id.startsWith('demo-worker-'));
    expect(workers.map((w) => [w.status, w.claimed_count])).toEqual([
      ['terminated', 0],
      ['terminated', 0],
    ]);
  } finally {
    if (demo.exitCode === null) demo.kill('SIGKILL');
    for (const pid of descendants(demo.pid!)) process.kill(pid, 'SIGKILL');
  }
});
