import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from '@/lib/sdk';
import { client, type Client } from '../helpers/http';
import { startHub, type HubProcess } from '../helpers/hub-process';
import { scrape } from '../helpers/metrics';

/** `POST /items/complete` with `next`: a batch completion that claims the next batch in the same request. */
let hub: HubProcess;
let api: Client;
let n = 0;
const fresh = (prefix: string) => `${prefix}-${++n}-${Date.now()}`;

beforeAll(async () => {
  hub = await startHub();
  api = client(hub.api);
});
afterAll(async () => hub?.stop());

async function pushed(pool: string, count: number): Promise<string[]> {
  const r = await api.post(`/pools/${pool}/items`, { items: Array.from({ length: count }, (_, i) => ({ data: { i } })) });
  expect(r.status).toBe(201);
  return r.body.ids;
}

const done = (items: { id: string; lease_id: string }[]) => items.map((it) => ({ id: it.id, lease_id: it.lease_id, result: { ok: it.id } }));

describe('batch completion with the next claim', () => {
  it('completes the batch, then claims up to next.limit for the same worker, in push order', async () => {
    const pool = fresh('next');
    const ids = await pushed(pool, 5);
    const first = await api.post(`/pools/${pool}/claim`, { worker_id: 'nw', limit: 2 });
    const r = await api.post('/items/complete', { worker_id: 'nw', items: done(first.body.items), next: { pool, limit: 2 } });
    expect(r.status).toBe(200);
    expect(r.body.completed).toEqual(ids.slice(0, 2));
    expect(r.body.rejected).toEqual([]);
    expect(r.body.next.refused).toBeUndefined();
    expect(r.body.next.items.map((it: { id: string }) => it.id)).toEqual(ids.slice(2, 4));
    for (const it of r.body.next.items) expect(it).toMatchObject({ status: 'claimed', claimed_by: 'nw', attempts: 1, lease_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect((await api.get(`/items/${ids[0]}`)).body).toMatchObject({ status: 'completed', result: { ok: ids[0] } });

    // The last one, then an empty pool: nothing more, nothing refused.
    const second = await api.post('/items/complete', { worker_id: 'nw', items: done(r.body.next.items), next: { pool, limit: 2 } });
    expect(second.body.next.items.map((it: { id: string }) => it.id)).toEqual([ids[4]]);
    const last = await api.post('/items/complete', { worker_id: 'nw', items: done(second.body.next.items), next: { pool } });
    expect(last.body).toEqual({ completed: [ids[4]], rejected: [], next: { items: [] } });
    expect((await api.get(`/pools/${pool}`)).body).toMatchObject({ completed: 5, pending: 0, claimed: 0 });
  });

  it("counts the next claim's items as claimed and its time as a pool claim's in /metrics", async () => {
    const pool = fresh('metrics');
    await pushed(pool, 4);
    const own = { instance: `${hostname()}:${hub.port}` };
    const first = await api.post(`/pools/${pool}/claim`, { worker_id: 'mw', limit: 1 });
    const before = await scrape(hub.url);
    const r = await api.post('/items/complete', { worker_id: 'mw', items: done(first.body.items), next: { pool, limit: 3 } });
    expect(r.body.next.items).toHaveLength(3);
    const after = await scrape(hub.url);
    const delta = (name: string, labels: Record<string, string> = own) => (after.value(name, labels) ?? 0) - (before.value(name, labels) ?? 0);
    expect(delta('hub_items_claimed_total')).toBe(3);
    expect(delta('hub_items_completed_total')).toBe(1);
    expect(delta('hub_claim_duration_seconds_count', { ...own, route: '/api/v1/pools/{pool}/claim' })).toBe(1);
  });

  it('answers without `next` when none was asked for, as before', async () => {
    const pool = fresh('plain');
    await pushed(pool, 1);
    const claimed = await api.post(`/pools/${pool}/claim`, { worker_id: 'pw' });
    const r = await api.post('/items/complete', { worker_id: 'pw', items: done(claimed.body.items) });
    expect(Object.keys(r.body).sort()).toEqual(['completed', 'rejected']);
  });

  it('claims from another pool than the batch came from, and a retry under the same claim_id gets the same items', async () => {
    const [a, b] = [fresh('from'), fresh('to')];
    await pushed(a, 1);
    const toIds = await pushed(b, 3);
    const claimed = await api.post(`/pools/${a}/claim`, { worker_id: 'xw' });
    const next = { pool: b, limit: 2, claim_id: 'retry-me' };
    const r = await api.post('/items/complete', { worker_id: 'xw', items: done(claimed.body.items), next });
    expect(r.body.next.items.map((it: { id: string }) => it.id)).toEqual(toIds.slice(0, 2));
    // The answer was lost; the worker sends the same request again.
    const again = await api.post('/items/complete', { worker_id: 'xw', items: done(claimed.body.items), next });
    expect(again.body.completed).toEqual([]);
    expect(again.body.rejected).toEqual([{ id: claimed.body.items[0].id, status: 409, code: 'item-not-claimed' }]);
    expect(again.body.next.items).toEqual(r.body.next.items);
  });

  it('a draining worker completes and gets nothing more; a lost one is refused, and says why', async () => {
    const pool = fresh('drain');
    await pushed(pool, 4);
    const claimed = await api.post(`/pools/${pool}/claim`, { worker_id: 'dw', limit: 1 });
    expect((await api.patch('/workers/dw', { status: 'terminating' })).status).toBe(200);
    const r = await api.post('/items/complete', { worker_id: 'dw', items: done(claimed.body.items), next: { pool, limit: 2 } });
    expect(r.body.completed).toHaveLength(1);
    expect(r.body.next).toEqual({ items: [] });

    const held = await api.post(`/pools/${pool}/claim`, { worker_id: 'lw' });
    expect((await api.patch('/workers/lw', { status: 'lost' })).status).toBe(200); // its item goes back to the pool
    const lost = await api.post('/items/complete', { worker_id: 'lw', items: done(held.body.items), next: { pool, limit: 2 } });
    expect(lost.status).toBe(200);
    expect(lost.body.completed).toEqual([]);
    expect(lost.body.rejected).toEqual([{ id: held.body.items[0].id, status: 409, code: 'item-not-claimed' }]);
    expect(lost.body.next).toEqual({ items: [], refused: { status: 409, code: 'worker-not-active', detail: expect.stringMatching(/lw/) } });
    expect((await api.get(`/pools/${pool}`)).body).toMatchObject({ pending: 3, claimed: 0, completed: 1 });
  });

  it.each([
    ['no pool', {}, 'next.pool'],
    ['a bad pool name', { pool: 'a b' }, 'next.pool'],
    ['limit 0', { pool: 'p', limit: 0 }, 'next.limit'],
    ['limit 101', { pool: 'p', limit: 101 }, 'next.limit'],
    ['an unknown field', { pool: 'p', wait_seconds: 5 }, 'next'],
    ['not an object', 'p', 'next'],
  ])('refuses a next claim with %s: 400, and completes nothing', async (_name, next, field) => {
    const pool = fresh('bad');
    await pushed(pool, 1);
    const claimed = await api.post(`/pools/${pool}/claim`, { worker_id: 'bw' });
    const r = await api.post('/items/complete', { worker_id: 'bw', items: done(claimed.body.items), next });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.body.detail).toContain(field);
    expect((await api.get(`/pools/${pool}`)).body).toMatchObject({ claimed: 1, completed: 0 });
  });

  it('the SDK drains a pool with completeAndClaim, one request a batch', async () => {
    const pool = fresh('sdk');
    const ids = await pushed(pool, 7);
    const hubClient = new HubClient({ url: hub.url });
    const seen: string[] = [];
    let items = await hubClient.claim(pool, 'sw', 3);
    let requests = 1;
    while (items.length > 0) {
      const r = await hubClient.completeAndClaim('sw', items.map((it) => ({ id: it.id, lease_id: it.lease_id ?? undefined })), { pool, limit: 3 });
      requests++;
      expect(r.rejected).toEqual([]);
      expect(r.refused).toBeUndefined();
      seen.push(...r.completed);
      items = r.next;
    }
    expect(seen).toEqual(ids);
    expect(requests).toBe(4);
  });
});
