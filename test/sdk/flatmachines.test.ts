/**
 * flatmachines' distributed pattern (checker → workers → reaper), written only against the
 * RegistrationBackend / WorkBackend interfaces; the hub backends are swapped in at the bottom.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Conflict,
  HubClient,
  HubRegistrationBackend,
  HubWorkBackend,
  type RegistrationBackend,
  type WorkBackend,
} from '@/lib/sdk';
import { startHubWithClock, type HubClock, type HubProcess } from '../helpers/hub-process';

// ── the machine's actions, backend-agnostic ────────────────────────────────

/** How many workers to start: min(depth, max_workers) − active, never below 0. */
async function checker(reg: RegistrationBackend, work: WorkBackend, poolId: string, maxWorkers: number): Promise<number> {
  const depth = await work.pool(poolId).size();
  const active = (await reg.list({ status: 'active', pool_id: poolId })).length;
  return Math.max(0, Math.min(depth, maxWorkers) - active);
}

/** One ephemeral worker: register, claim one job, run it, complete or fail it, terminate. */
async function worker(
  reg: RegistrationBackend,
  work: WorkBackend,
  workerId: string,
  poolId: string,
  run: (data: any) => Promise<any>,
): Promise<'completed' | 'failed' | 'idle'> {
  await reg.register({ worker_id: workerId, pool_id: poolId, host: 'test', pid: process.pid, started_at: new Date().toISOString() });
  const pool = work.pool(poolId);
  try {
    const job = await pool.claim(workerId);
    if (!job) return 'idle';
    await reg.heartbeat(workerId, { current_job: job.id });
    try {
      await pool.complete(job.id, await run(job.data));
      return 'completed';
    } catch (err) {
      await pool.fail(job.id, (err as Error).message);
      return 'failed';
    }
  } finally {
    await reg.updateStatus(workerId, 'terminated');
  }
}

/** Workers of the pool whose heartbeat is older than the threshold: release their jobs, mark them lost. */
async function reaper(reg: RegistrationBackend, work: WorkBackend, poolId: string, staleSeconds: number) {
  const stale = await reg.list({ status: 'active', pool_id: poolId, stale_threshold_seconds: staleSeconds });
  let released = 0;
  for (const w of stale) {
    released += await work.pool(poolId).releaseByWorker(w.worker_id);
    await reg.updateStatus(w.worker_id, 'lost');
  }
  return { lost: stale.map((w) => w.worker_id), released };
}

// ── against the hub ────────────────────────────────────────────────────────

let hub: HubProcess & { clock: HubClock };
let reg: RegistrationBackend;
let work: WorkBackend;
beforeAll(async () => {
  hub = await startHubWithClock(); // default 60 s stale threshold: the hub's own reaper stays out of the way
  reg = new HubRegistrationBackend({ url: hub.url });
  work = new HubWorkBackend({ url: hub.url });
});
afterAll(() => hub?.stop());

describe('flatmachines flow over the hub backends', () => {
  it('checker spawns min(depth, max_workers) − active workers until the pool is drained', async () => {
    const pool = work.pool('papers');
    for (let i = 1; i <= 7; i++) await pool.push({ paper: i });
    await pool.push({ paper: 'corrupt' }, { max_retries: 2 });
    expect(await pool.size()).toBe(8);

    // one active worker of another machine counts against max_workers
    await reg.register({ worker_id: 'busy', pool_id: 'papers', started_at: new Date().toISOString() });
    expect(await checker(reg, work, 'papers', 3)).toBe(2);
    await reg.updateStatus('busy', 'terminated');

    const outcomes: string[] = [];
    const run = async (data: any) => {
      if (data.paper === 'corrupt') throw new Error('unreadable pdf');
      return { summary: `paper ${data.paper}` };
    };
    let wave = 0;
    for (let n = await checker(reg, work, 'papers', 3); n > 0; n = await checker(reg, work, 'papers', 3)) {
      wave++;
      expect(n).toBe(Math.min(await pool.size(), 3));
      const ids = Array.from({ length: n }, (_, i) => `paper-worker-${wave}-${i}`);
      outcomes.push(...(await Promise.all(ids.map((id) => worker(reg, work, id, 'papers', run)))));
      expect(wave).toBeLessThan(10);
    }
    expect(outcomes.filter((o) => o === 'completed')).toHaveLength(7);
    expect(outcomes.filter((o) => o === 'failed')).toHaveLength(2); // the corrupt one, twice, then poisoned
    expect(await pool.size()).toBe(0);
    expect(await reg.list({ status: 'active', pool_id: 'papers' })).toEqual([]);

    // results and errors are kept by the hub (the seed dropped both)
    const client = new HubClient({ url: hub.url });
    const summary = await client.getPool('papers');
    expect(summary).toMatchObject({ completed: 7, poisoned: 1, pending: 0, claimed: 0 });
    const [poisoned] = (await client.listItems('papers', { status: 'poisoned' })).items;
    expect(poisoned).toMatchObject({ data: { paper: 'corrupt' }, attempts: 2, last_error: 'unreadable pdf' });
    const done = (await client.listItems('papers', { status: 'completed' })).items;
    expect(done.map((i) => i.result)).toContainEqual({ summary: 'paper 3' });
  });

  it('reaper marks stale active workers lost and releases their items; the dead claim cannot complete', async () => {
    const pool = work.pool('reaped');
    await pool.push({ job: 1 });
    await pool.push({ job: 2 });
    await reg.register({ worker_id: 'dead', pool_id: 'reaped', started_at: new Date().toISOString() });
    await reg.register({ worker_id: 'alive', pool_id: 'reaped', started_at: new Date().toISOString() });
    const held = await pool.claim('dead');
    expect(held).toMatchObject({ data: { job: 1 }, claimed_by: 'dead', attempts: 1 });
    hub.clock.advance(2); // dead's heartbeat is 2 s old at the hub, past the reaper's 1 s threshold
    await reg.heartbeat('alive');

    expect(await reaper(reg, work, 'reaped', 1)).toEqual({ lost: ['dead'], released: 1 });
    expect((await reg.get('dead'))?.status).toBe('lost');
    expect((await reg.get('alive'))?.status).toBe('active');
    expect(await pool.size()).toBe(2);

    // the "dead" worker was only slow: its late completion is refused, not applied twice
    const late = new HubWorkBackend({ url: hub.url }).pool('reaped');
    const again = await late.claim('alive');
    expect(again).toMatchObject({ id: held!.id, attempts: 2 });
    await expect(pool.complete(held!.id, 'late')).rejects.toBeInstanceOf(Conflict);
    await late.complete(again!.id, 'on time');
    expect((await new HubClient({ url: hub.url }).getItem(held!.id)).result).toBe('on time');
  });

  it("counts released jobs right in flatmachines' own order: marked lost first, then released", async () => {
    // DistributedWorkerHooks.reap_stale_workers: update_status(id, 'lost'), then release_by_worker(id).
    // Separate backend objects, as an application makes them.
    const regOwn = new HubRegistrationBackend({ url: hub.url });
    const workOwn = new HubWorkBackend({ url: hub.url });
    const pool = workOwn.pool('reaped-order');
    for (const job of [1, 2, 3]) await pool.push({ job });
    await regOwn.register({ worker_id: 'gone', pool_id: 'reaped-order', started_at: new Date().toISOString() });
    await pool.claim('gone');
    await pool.claim('gone');
    await workOwn.pool('elsewhere').push({ job: 'x' });
    await workOwn.pool('elsewhere').claim('gone');

    await regOwn.updateStatus('gone', 'lost');
    expect(await pool.releaseByWorker('gone')).toBe(2);
    expect(await workOwn.pool('elsewhere').releaseByWorker('gone')).toBe(1);
    // Counted once: a second release finds nothing more.
    expect(await pool.releaseByWorker('gone')).toBe(0);
    expect(await pool.size()).toBe(3);
  });

  it("marks its own workers' status as theirs (no audit entry on an open hub), another's as an operator's", async () => {
    const workerSide = new HubRegistrationBackend({ url: hub.url });
    const reaperSide = new HubRegistrationBackend({ url: hub.url });
    await workerSide.register({ worker_id: 'self-marker', started_at: new Date().toISOString() });
    await workerSide.register({ worker_id: 'reaped-by-other', started_at: new Date().toISOString() });
    await workerSide.updateStatus('self-marker', 'terminated');
    await reaperSide.updateStatus('reaped-by-other', 'lost');
    const { entries } = (await (await fetch(`${hub.url}/api/v1/audit?limit=500`)).json()) as { entries: { action: string; target: string }[] };
    const targets = entries.filter((e) => e.action === 'worker.status').map((e) => e.target);
    expect(targets).toContain('reaped-by-other');
    expect(targets).not.toContain('self-marker');
  });

  it('keeps the flatmachines shapes: no nulls, get() is null for an unknown worker', async () => {
    const record = await reg.register({ worker_id: 'shape', started_at: '2026-01-01T00:00:00.000Z' });
    expect(Object.keys(record).sort()).toEqual(['last_heartbeat', 'started_at', 'status', 'worker_id']);
    expect(record).toMatchObject({ worker_id: 'shape', status: 'active', started_at: '2026-01-01T00:00:00.000Z' });
    await reg.heartbeat('shape', { note: 'x' });
    expect((await reg.get('shape'))?.metadata).toEqual({ note: 'x' });
    expect(await reg.get('nobody-here')).toBeNull();
    await expect(reg.updateStatus('shape', 'sleeping')).rejects.toMatchObject({ status: 400 });

    const pool = work.pool('shapes');
    expect(work.pool('shapes')).toBe(pool);
    expect(await pool.claim('shape')).toBeNull();
    const id = await pool.push([1, 2], { max_retries: 4 });
    const item = await pool.claim('shape');
    expect(Object.keys(item!).sort()).toEqual(['attempts', 'claimed_at', 'claimed_by', 'data', 'id', 'max_retries', 'status']);
    expect(item).toMatchObject({ id, data: [1, 2], attempts: 1, max_retries: 4, status: 'claimed' });
    await pool.fail(id, 'first try');
    expect(await pool.size()).toBe(1);
    await expect(pool.complete(id)).rejects.toMatchObject({ code: 'not-claimed-here' });
  });
});
