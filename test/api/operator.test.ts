import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, type Client } from '../helpers/http';
import { startHub, type HubProcess } from '../helpers/hub-process';
import { checkedFetch } from '../helpers/openapi';

let hub: HubProcess;
let api: Client;

beforeAll(async () => {
  hub = await startHub();
  api = client(hub.api);
});
afterAll(async () => {
  await hub?.stop();
});

/** Pushes an item into `pool` and fails it once with `error` (max_retries 1: poisoned). */
async function poison(pool: string, error: string) {
  const { body } = await api.post(`/pools/${pool}/items`, { data: { error }, max_retries: 1 });
  await api.post(`/items/${body.id}/claim`, { worker_id: 'w-api' });
  const failed = await api.post(`/items/${body.id}/fail`, { worker_id: 'w-api', error });
  expect(failed.body.status).toBe('poisoned');
  return body.id as string;
}

describe('GET /pools/{pool}/errors and bulk retry/discard by error', () => {
  it('groups, retries one group and discards another', async () => {
    await poison('grp', 'boom');
    await poison('grp', 'boom');
    await poison('grp', 'timeout');
    await poison('grp', 'gone');
    const groups = await api.get('/pools/grp/errors');
    expect(groups.status).toBe(200);
    expect(groups.body.groups.map((g: { error: string; count: number }) => [g.error, g.count])).toEqual([
      ['boom', 2],
      ['gone', 1],
      ['timeout', 1],
    ]);
    expect(groups.body.groups[0]).toHaveProperty('first_seen');
    expect(groups.body.groups[0]).toHaveProperty('sample_item_id');

    expect((await api.post('/pools/grp/retry', { error: 'boom' })).body).toEqual({ retried: 2 });
    expect((await api.post('/pools/grp/discard', { error: 'timeout' })).body).toEqual({ discarded: 1 });
    expect((await api.get('/pools/grp')).body).toMatchObject({ pending: 2, poisoned: 1 });
    // bare POST: every poisoned item
    expect((await api.post('/pools/grp/discard')).body).toEqual({ discarded: 1 });
    expect((await api.get('/pools/grp/errors')).body).toEqual({ groups: [] });
  });

  it('rejects bad input with problem+json', async () => {
    const bad = await api.post('/pools/grp/discard', { status: 'pending' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect((await api.post('/pools/grp/retry', { error: 7 })).status).toBe(400);
    // A misspelt filter must not widen a discard to every poisoned item.
    expect((await api.post('/pools/grp/discard', { eror: 'boom' })).status).toBe(400);
    expect((await api.get('/pools/grp/errors?limit=0')).status).toBe(400);
    expect((await api.get('/pools/grp/discard')).status).toBe(405);
  });
});

describe('GET /pools/{pool}/items?q=', () => {
  it('searches item data', async () => {
    await api.post('/pools/search/items', { items: [{ data: { who: 'Alice' } }, { data: { who: 'bob' } }] });
    const found = await api.get('/pools/search/items?q=alice');
    expect(found.status).toBe(200);
    expect(found.body.items.map((i: { data: unknown }) => i.data)).toEqual([{ who: 'Alice' }]);
    expect((await api.get('/pools/search/items?q=')).body.items).toHaveLength(2);
    expect((await api.get(`/pools/search/items?q=${'x'.repeat(201)}`)).status).toBe(400);
  });
});

describe('GET /pools/{pool}/holders', () => {
  it('lists who holds claimed items of the pool', async () => {
    await api.post('/workers', { worker_id: 'holder-1' });
    await api.post('/pools/held/items', { items: [{ data: 1 }, { data: 2 }] });
    await api.post('/pools/held/claim', { worker_id: 'holder-1', limit: 2 });
    const res = await api.get('/pools/held/holders');
    expect(res.body.holders).toEqual([
      expect.objectContaining({ worker_id: 'holder-1', claimed: 2, worker_status: 'active' }),
    ]);
  });
});

describe('GET /stats/throughput', () => {
  it('counts completions and failures of the current minute', async () => {
    await api.post('/pools/tp/items', { items: [{ data: 1 }, { data: 2 }] });
    const { body } = await api.post('/pools/tp/claim', { worker_id: 'w-tp', limit: 2 });
    await api.post(`/items/${body.items[0].id}/complete`, { worker_id: 'w-tp' });
    await api.post(`/items/${body.items[1].id}/fail`, { worker_id: 'w-tp', error: 'x' });
    const res = await api.get('/stats/throughput?minutes=5');
    expect(res.status).toBe(200);
    expect(res.body.minutes).toBe(5);
    const tp = res.body.pools.find((p: { pool: string }) => p.pool === 'tp');
    // The two calls may straddle a minute boundary: sum the window.
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(tp.completed).toHaveLength(5);
    expect([sum(tp.completed), sum(tp.failed)]).toEqual([1, 1]);
    expect((await api.get('/stats/throughput?minutes=0')).status).toBe(400);
  });
});

describe('GET /events', () => {
  it('streams one named event per change', async () => {
    const ctrl = new AbortController();
    const res = await checkedFetch(`${hub.api}/events`, { signal: ctrl.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string) => {
      const deadline = Date.now() + 5000;
      while (!text.includes(needle) && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil(': connected');
    const pushed = await api.post('/pools/live/items', { data: 'x' });
    await api.post('/workers', { worker_id: 'live-w' });
    await api.post(`/items/${pushed.body.id}/claim`, { worker_id: 'live-w' });
    await readUntil('event: item');
    ctrl.abort();
    expect(text).toContain('event: pool\ndata: {"type":"pool","name":"live"}\n\n');
    expect(text).toContain('event: worker\ndata: {"type":"worker","worker_id":"live-w","status":"active"}\n\n');
    expect(text).toContain(`event: item\ndata: {"type":"item","id":"${pushed.body.id}","pool":"live","status":"claimed"}\n\n`);
  });
});

describe('GET /events and shutdown', () => {
  it('does not keep the hub from exiting on SIGTERM while a stream is open', async () => {
    const own = await startHub();
    const res = await checkedFetch(`${own.api}/events`);
    const reader = res.body!.getReader();
    await reader.read(); // ": connected"
    const t0 = Date.now();
    await own.stop('SIGTERM');
    expect(Date.now() - t0).toBeLessThan(10_000);
    // The stream ended (cleanly, or with the connection): either way it is over.
    expect(await reader.read().then((r) => r.done, () => true)).toBe(true);
  });
});
