import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient, runWorker, type Json } from '@/lib/sdk';
import { startHub, type HubProcess } from '../helpers/hub-process';
import { waitFor } from './support';

let hub: HubProcess;
let c: HubClient;
beforeAll(async () => {
  hub = await startHub();
  c = new HubClient({ url: hub.url });
});
afterAll(() => hub?.stop());

/** Collects the worker's log lines instead of printing them. */
function logs() {
  const lines: string[] = [];
  return { lines, log: (level: string, message: string) => lines.push(`${level}: ${message}`) };
}

/** A promise with its resolver, to hold handlers until the test lets them go. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

const quick = { heartbeatSeconds: 0.3, pollSeconds: 0.05, signals: false as const };

describe('runWorker', () => {
  it('waits at the hub while idle (long-poll): about one request per wait, work taken at once, a stop claims nothing', async () => {
    let claims = 0;
    const counting = new HubClient({
      url: hub.url,
      fetch: async (input, init) => {
        if (String(input).endsWith('/claim')) claims++;
        return fetch(input, init);
      },
    });
    const stop = new AbortController();
    const done: Json[] = [];
    const running = runWorker({
      ...quick,
      waitSeconds: 1,
      client: counting,
      pool: 'rw-longpoll',
      workerId: 'rw-longpoll-1',
      signal: stop.signal,
      log: logs().log,
      handler: async (item) => void done.push(item.data),
    });
    await new Promise((r) => setTimeout(r, 3200));
    // Polling every 0.05 s would have asked ~60 times; waiting 1 s at the hub, about 4.
    expect(claims).toBeGreaterThanOrEqual(2);
    expect(claims).toBeLessThanOrEqual(6);
    await c.push('rw-longpoll', 'now');
    await waitFor('the pushed item', () => done.includes('now'), 5000, 20);
    // Stopping while a claim waits: the worker ends promptly, and what is pushed afterwards stays.
    await new Promise((r) => setTimeout(r, 200));
    stop.abort();
    expect((await running).reason).toBe('aborted');
    await c.push('rw-longpoll', 'after');
    await new Promise((r) => setTimeout(r, 300));
    expect(await c.getPool('rw-longpoll')).toMatchObject({ pending: 1, claimed: 0, completed: 1 });
  });

  it('claims in batches up to its concurrency, completes with results, fails with error messages', async () => {
    await c.pushMany('rw-batch', Array.from({ length: 9 }, (_, i) => ({ data: i })));
    await c.push('rw-batch', 'bad', { max_retries: 2 });
    const claimLimits: number[] = [];
    const counting = new HubClient({
      url: hub.url,
      fetch: async (input, init) => {
        if (String(input).endsWith('/claim')) claimLimits.push(JSON.parse(String(init!.body)).limit);
        return fetch(input, init);
      },
    });
    let running = 0;
    let most = 0;
    const full = gate();
    const { lines, log } = logs();
    const summary = await runWorker({
      ...quick,
      client: counting,
      pool: 'rw-batch',
      workerId: 'rw-batch-1',
      concurrency: 3,
      exitWhenEmpty: true,
      log,
      handler: async (item) => {
        running++;
        most = Math.max(most, running);
        if (running === 3) full.open();
        await Promise.race([full.opened, new Promise((r) => setTimeout(r, 2000))]);
        running--;
        if (item.data === 'bad') throw new Error(`cannot square ${JSON.stringify(item.data)}`);
        return (item.data as number) ** 2;
      },
    });
    expect(summary).toEqual({ workerId: 'rw-batch-1', reason: 'empty', completed: 9, failed: 2, conflicts: 0 });
    expect(claimLimits[0]).toBe(3);
    expect(most).toBe(3);
    const items = (await c.listItems('rw-batch')).items;
    expect(items.filter((i) => i.status === 'completed').map((i) => i.result)).toEqual([0, 1, 4, 9, 16, 25, 36, 49, 64]);
    expect(items.find((i) => i.data === 'bad')).toMatchObject({ status: 'poisoned', attempts: 2, last_error: 'cannot square "bad"' });
    expect(lines.some((l) => l.includes('poisoned'))).toBe(true);
    expect((await c.getWorker('rw-batch-1')).status).toBe('terminated');
  });

  it('exitWhenEmpty does not stop while a failure puts an item back during an empty claim', async () => {
    await c.push('rw-race', 'bad', { max_retries: 2 });
    // Order the race: the second claim reaches the hub (and finds nothing) before the first
    // attempt's failure is sent, and its answer arrives only after that failure has settled.
    const claimed = gate();
    const failed = gate();
    let claims = 0;
    const racing = new HubClient({
      url: hub.url,
      fetch: async (input, init) => {
        const url = String(input);
        if (url.endsWith('/fail')) {
          await claimed.opened;
          const res = await fetch(input, init);
          setTimeout(failed.open, 50);
          return res;
        }
        const res = await fetch(input, init);
        if (url.endsWith('/claim') && ++claims === 2) {
          claimed.open();
          await failed.opened;
        }
        return res;
      },
    });
    const summary = await runWorker({
      ...quick,
      client: racing,
      pool: 'rw-race',
      concurrency: 2,
      exitWhenEmpty: true,
      log: logs().log,
      handler: () => {
        throw new Error('always');
      },
    });
    expect(summary).toMatchObject({ reason: 'empty', failed: 2 });
    expect(await c.getPool('rw-race')).toMatchObject({ pending: 0, poisoned: 1 });
  });

  it('drains when the hub sets it terminating: finishes what it holds, claims nothing more', async () => {
    await c.pushMany('rw-drain', [{ data: 'first' }, { data: 'second' }]);
    const hold = gate();
    const started: Json[] = [];
    const run = runWorker({
      ...quick,
      url: hub.url,
      pool: 'rw-drain',
      workerId: 'rw-drain-1',
      log: logs().log,
      handler: async (item) => {
        started.push(item.data);
        await hold.opened;
        return `done ${String(item.data)}`;
      },
    });
    await waitFor('the first item to start', () => started.length === 1);
    await c.setWorkerStatus('rw-drain-1', 'terminating');
    hold.open();
    const summary = await run;
    expect(summary).toMatchObject({ reason: 'terminating', completed: 1, failed: 0 });
    expect(started).toEqual(['first']);
    const [first, second] = (await c.listItems('rw-drain')).items;
    expect(first).toMatchObject({ status: 'completed', result: 'done first' });
    expect(second).toMatchObject({ status: 'pending', attempts: 0 });
    expect((await c.getWorker('rw-drain-1')).status).toBe('terminated');
  });

  it('logs and moves on when the hub refuses a completion (409), then finishes the item on its next claim', async () => {
    const id = await c.push('rw-409', { n: 1 });
    const { lines, log } = logs();
    let calls = 0;
    const summary = await runWorker({
      ...quick,
      url: hub.url,
      pool: 'rw-409',
      workerId: 'rw-409-1',
      exitWhenEmpty: true,
      log,
      handler: async (item) => {
        calls++;
        // an operator releases the claim while the first attempt runs
        if (calls === 1) expect(await c.releaseWorker('rw-409-1')).toBe(1);
        return { attempt: item.attempts };
      },
    });
    expect(summary).toMatchObject({ completed: 1, conflicts: 1, failed: 0 });
    expect(lines.find((l) => l.includes('refused'))).toMatch(/^warn: item \d+: the hub refused the result \((item-not-claimed|stale-lease)\)/);
    const item = await c.getItem(id);
    expect(item).toMatchObject({ status: 'completed', attempts: 2, result: { attempt: 2 } });
    expect(item.history.map((h) => h.outcome)).toEqual(['released', 'completed']);
  });

  it('stops on an abort signal and after maxItems', async () => {
    await c.pushMany('rw-stop', Array.from({ length: 4 }, (_, i) => ({ data: i })));
    const capped = await runWorker({ ...quick, url: hub.url, pool: 'rw-stop', maxItems: 2, concurrency: 2, log: logs().log, handler: () => null });
    expect(capped).toMatchObject({ reason: 'max-items', completed: 2 });

    const ctrl = new AbortController();
    const seen: Json[] = [];
    const aborted = await runWorker({
      ...quick,
      url: hub.url,
      pool: 'rw-stop',
      signal: ctrl.signal,
      log: logs().log,
      handler: (item) => {
        seen.push(item.data);
        ctrl.abort();
      },
    });
    expect(aborted).toMatchObject({ reason: 'aborted', completed: 1 });
    expect(seen).toEqual([2]);
    expect((await c.getPool('rw-stop')).pending).toBe(1);
  });

  it('rejects when the hub refuses it for good (a bad token)', async () => {
    const secured = await startHub({ HUB_WORKER_TOKEN: 'w-secret' });
    try {
      await expect(runWorker({ ...quick, url: secured.url, token: 'wrong', pool: 'p', handler: () => null, log: logs().log })).rejects.toMatchObject({ name: 'Unauthorized' });
    } finally {
      await secured.stop();
    }
  });
});
