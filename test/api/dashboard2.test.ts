/**
 * The dashboard's second round over HTTP: item filters and order, counts, bulk retry and discard
 * of a selection or of all matching, held items, per-worker counts, queue latency. Every answer is
 * checked against the OpenAPI document by the client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, type Client } from '../helpers/http';
import { startHub, type HubProcess } from '../helpers/hub-process';

let hub: HubProcess;
let api: Client;

beforeAll(async () => {
  hub = await startHub();
  api = client(hub.api);
});
afterAll(async () => {
  await hub?.stop();
});

/** Pushes an item and fails it as `worker` with `error` (max_retries 1: poisoned). */
async function poison(pool: string, worker: string, error: string) {
  const { body } = await api.post(`/pools/${pool}/items`, { data: { error }, max_retries: 1 });
  await api.post(`/items/${body.id}/claim`, { worker_id: worker });
  expect((await api.post(`/items/${body.id}/fail`, { worker_id: worker, error })).body.status).toBe('poisoned');
  return body.id as string;
}

const ids = (r: { body: { items: { id: string }[] } }) => r.body.items.map((i) => i.id);

describe('item filters, order and counts', () => {
  it('filters by error group and worker, lists newest first, counts what matches', async () => {
    const a = [await poison('f2', 'w-1', 'KeyError: user_1'), await poison('f2', 'w-2', 'KeyError: user_2'), await poison('f2', 'w-1', 'HTTP 503 from api')];
    const groups = (await api.get('/pools/f2/errors')).body.groups as { fingerprint: string; count: number }[];
    const keyErrors = groups.find((g) => g.count === 2)!.fingerprint;
    expect(ids(await api.get(`/pools/f2/items?status=poisoned&fingerprint=${encodeURIComponent(keyErrors)}`))).toEqual([a[0], a[1]]);
    expect(ids(await api.get('/pools/f2/items?worker_id=w-1&order=desc'))).toEqual([a[2], a[0]]);
    const page = await api.get('/pools/f2/items?order=desc&limit=2');
    expect(ids(page)).toEqual([a[2], a[1]]);
    expect(ids(await api.get(`/pools/f2/items?order=desc&limit=2&cursor=${page.body.next_cursor}`))).toEqual([a[0]]);
    expect(ids(await api.get('/pools/f2/items?older_than_seconds=3600'))).toEqual([]);
    expect((await api.get(`/pools/f2/items/count?fingerprint=${encodeURIComponent(keyErrors)}`)).body).toEqual({ count: 2 });
    expect((await api.get('/pools/f2/items/count?status=poisoned&worker_id=w-1')).body).toEqual({ count: 2 });
    expect((await api.get('/pools/none/items/count')).body).toEqual({ count: 0 });
  });

  it('rejects bad filters with problem+json 400', async () => {
    for (const q of ['order=sideways', 'older_than_seconds=-1', 'older_than_seconds=abc', 'worker_id=a%20b', 'older_than_seconds=999999999999']) {
      const r = await api.get(`/pools/f2/items?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body.code).toBe('invalid-request');
    }
    expect((await api.get('/pools/f2/items/count?status=nope')).status).toBe(400);
  });
});

describe('bulk retry and discard of a selection or of all matching', () => {
  it('retries only the selected ids, discards all matching a worker, and audits each with its filter', async () => {
    const sel = [await poison('b2', 'w-x', 'e1'), await poison('b2', 'w-y', 'e2'), await poison('b2', 'w-x', 'e3')];
    const other = await poison('b2-other', 'w-x', 'e1');
    expect((await api.post('/pools/b2/retry', { ids: [sel[0], other, 'abc'] })).body).toEqual({ retried: 1 });
    expect((await api.get(`/items/${other}`)).body.status).toBe('poisoned');
    expect((await api.post('/pools/b2/discard', { worker_id: 'w-x', older_than_seconds: 0 })).body).toEqual({ discarded: 1 });
    expect((await api.get(`/items/${sel[2]}`)).status).toBe(404);
    expect((await api.get(`/items/${sel[1]}`)).body.status).toBe('poisoned');
    const entries = (await api.get('/audit?limit=2')).body.entries;
    expect(entries[0]).toMatchObject({ action: 'pool.discard', target: 'b2', changed: 1, detail: { status: 'poisoned', worker_id: 'w-x', older_than_seconds: 0 } });
    expect(entries[1]).toMatchObject({ action: 'pool.retry', target: 'b2', changed: 1, detail: { status: 'poisoned', ids: [sel[0], other, 'abc'] } });
  });

  it('refuses bad bodies with 400 and changes nothing', async () => {
    const id = await poison('b3', 'w-z', 'bad');
    const before = (await api.get('/audit?limit=1')).body.entries[0]?.id;
    for (const body of [{ ids: [] }, { ids: 'x' }, { ids: Array.from({ length: 1001 }, (_, i) => String(i + 1)) }, { older_than_seconds: -5 }, { worker_id: '' }, { ids: [id], idz: 1 }, { error: 'x', fingerprint: 'y' }]) {
      for (const route of ['retry', 'discard']) {
        const r = await api.post(`/pools/b3/${route}`, body);
        expect(r.status, JSON.stringify(body).slice(0, 60)).toBe(400);
        expect(r.body.code).toBe('invalid-request');
      }
    }
    expect((await api.get(`/items/${id}`)).body.status).toBe('poisoned');
    expect((await api.get('/audit?limit=1')).body.entries[0]?.id).toBe(before);
  });
});

describe('workers: held items and counts; queue latency', () => {
  it('lists every item a worker holds and counts its completions and failures', async () => {
    const pushed = (await api.post('/pools/hold/items', { items: [{ data: 1 }, { data: 2 }, { data: 3 }] })).body.ids as string[];
    await api.post('/workers', { worker_id: 'holder' });
    const claimed = (await api.post('/pools/hold/claim', { worker_id: 'holder', limit: 3 })).body.items as { id: string }[];
    expect(claimed.map((i) => i.id)).toEqual(pushed);
    await api.post(`/items/${pushed[0]}/complete`, { worker_id: 'holder' });
    await api.post(`/items/${pushed[1]}/fail`, { worker_id: 'holder', error: 'x' });
    expect(ids(await api.get('/workers/holder/items'))).toEqual([pushed[2]]);
    expect((await api.get('/workers/nobody-at-all/items')).status).toBe(404);
    const stats = (await api.get('/stats/workers')).body.workers as { worker_id: string }[];
    expect(stats.find((w) => w.worker_id === 'holder')).toEqual({ worker_id: 'holder', completed: 1, failed: 1 });
  });

  it('answers queue latency per pool, and 400 for a bad window', async () => {
    await api.post('/pools/lat2/items', { data: 1 });
    await api.post('/pools/lat2/claim', { worker_id: 'w-lat' });
    const r = await api.get('/stats/latency?minutes=60');
    expect(r.status).toBe(200);
    const lat = r.body.pools.find((p: { pool: string }) => p.pool === 'lat2');
    expect(lat.claims).toBe(1);
    expect(lat.p50_seconds).toBeGreaterThanOrEqual(0);
    expect(lat.p95_seconds).toBeLessThan(5);
    expect((await api.get('/stats/latency?minutes=0')).status).toBe(400);
    expect((await api.get('/stats/latency?minutes=1441')).status).toBe(400);
  });
});
