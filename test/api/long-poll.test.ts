/**
 * Long-poll claims (`wait_seconds`): a claim that finds nothing waits for work and answers the
 * moment some appears, waiters are served in arrival order one change at a time, a waiter whose
 * client left claims nothing, shutdown answers every waiter, and the number waiting is capped.
 * Needs `next build` first (npm test does it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, type Client, type Reply } from '../helpers/http';
import { startHub, type HubProcess } from '../helpers/hub-process';

let hub: HubProcess;
let api: Client;
beforeAll(async () => {
  hub = await startHub({ HUB_MAX_WAITING_CLAIMS: '6' });
  api = client(hub.api);
});
afterAll(async () => hub?.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A waiting claim, and when it was answered (ms after it was sent). */
async function waiting(pool: string, worker: string, wait: number, opts: { limit?: number; signal?: AbortSignal } = {}) {
  const sent = Date.now();
  const body = { worker_id: worker, wait_seconds: wait, ...(opts.limit ? { limit: opts.limit } : {}) };
  const init: RequestInit = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  if (opts.signal) init.signal = opts.signal;
  const reply = await toReply(await fetch(`${hub.api}/pools/${pool}/claim`, init));
  return { ...reply, after: Date.now() - sent };
}
async function toReply(res: Response): Promise<Reply> {
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}
const ids = (r: Reply) => (r.body.items as { data: unknown }[]).map((i) => i.data);

describe('a claim with wait_seconds', () => {
  it('answers as soon as an item is pushed, long before its wait is up', async () => {
    const claim = waiting('lp-wake', 'w1', 20);
    await sleep(300);
    await api.post('/pools/lp-wake/items', { data: 'hello' });
    const r = await claim;
    expect(r.status).toBe(200);
    expect(ids(r)).toEqual(['hello']);
    expect(r.after).toBeLessThan(10_000);
  });

  it('answers [] once its wait is up, and at once when work is there already', async () => {
    const r = await waiting('lp-empty', 'w1', 0.5);
    expect(r.body).toEqual({ items: [] });
    expect(r.after).toBeGreaterThanOrEqual(450);
    await api.post('/pools/lp-empty/items', { data: 1 });
    expect(ids(await waiting('lp-empty', 'w1', 20))).toEqual([1]);
  });

  it('serves waiters in arrival order, one push waking one waiter', async () => {
    const answers: string[] = [];
    const claims = ['first', 'second', 'third'].map(async (w, n) => {
      await sleep(n * 150);
      const r = await waiting('lp-fair', w, 10);
      if (r.body.items.length) answers.push(`${w}:${r.body.items[0].data}`);
      return r;
    });
    await sleep(700);
    for (const n of [1, 2, 3]) {
      await api.post('/pools/lp-fair/items', { data: n });
      // Only one waiter answers per push: the others are still waiting.
      await expect.poll(() => answers.length, { timeout: 5000 }).toBe(n);
      await sleep(200);
      expect(answers.length).toBe(n);
    }
    await Promise.all(claims);
    expect(answers).toEqual(['first:1', 'second:2', 'third:3']);
  });

  it('is woken by a batch push for as many waiters as there are items, and by items failed back to pending', async () => {
    const three = ['a', 'b', 'c'].map((w) => waiting('lp-batch', w, 10));
    await sleep(300);
    await api.post('/pools/lp-batch/items', { items: [{ data: 1 }, { data: 2 }, { data: 3 }] });
    const got = (await Promise.all(three)).flatMap(ids).sort();
    expect(got).toEqual([1, 2, 3]);

    await api.post('/pools/lp-fail/items', { data: 'again' });
    const [item] = (await api.post('/pools/lp-fail/claim', { worker_id: 'holder' })).body.items;
    const claim = waiting('lp-fail', 'other', 10);
    await sleep(300);
    await api.post(`/items/${item.id}/fail`, { worker_id: 'holder', error: 'try elsewhere' });
    expect(ids(await claim)).toEqual(['again']);
  });

  it('claims nothing for a client that has gone away', async () => {
    const gone = new AbortController();
    const claim = waiting('lp-gone', 'ghost', 20, { signal: gone.signal }).catch((e: Error) => e.name);
    await sleep(300);
    gone.abort();
    expect(await claim).toBe('AbortError');
    await sleep(200);
    await api.post('/pools/lp-gone/items', { data: 'for the living' });
    await sleep(300);
    expect((await api.get('/pools/lp-gone')).body).toMatchObject({ pending: 1, claimed: 0 });
    expect((await api.get('/workers/ghost')).body.claimed_count).toBe(0);
    expect(ids(await waiting('lp-gone', 'alive', 5))).toEqual(['for the living']);
  });

  it('caps how many claims may wait: past it 429 with Retry-After, unless there is work', async () => {
    const six = Array.from({ length: 6 }, (_, n) => waiting('lp-cap', `cap-${n}`, 3));
    await sleep(400);
    const seventh = await waiting('lp-cap', 'cap-7', 3);
    expect(seventh.status).toBe(429);
    expect(seventh.body.code).toBe('too-many-waiting');
    expect(seventh.headers.get('retry-after')).toBe('1');
    // A claim that finds work does not wait, so the cap does not apply to it.
    await api.post('/pools/lp-cap-other/items', { data: 'x' });
    expect(ids(await waiting('lp-cap-other', 'cap-8', 3))).toEqual(['x']);
    await Promise.all(six);
  });

  it('refuses a wait out of range, naming it', async () => {
    for (const wait_seconds of [-1, 31, 'soon']) {
      const r = await api.post('/pools/lp-bad/claim', { worker_id: 'w', wait_seconds });
      expect(r.status).toBe(400);
      expect(r.body.detail).toMatch(/^wait_seconds:/);
    }
  });
});

it('answers every waiting claim when the hub shuts down', async () => {
  const own = await startHub();
  try {
    const claims = ['x', 'y'].map((w) =>
      fetch(`${own.api}/pools/lp-down/claim`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ worker_id: w, wait_seconds: 20 }),
      }).then(toReply),
    );
    await sleep(500);
    const stopped = own.stop('SIGTERM');
    for (const r of await Promise.all(claims)) expect(r).toMatchObject({ status: 200, body: { items: [] } });
    await stopped;
  } finally {
    await own.stop();
  }
});
