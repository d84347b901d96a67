/** The HTTP contract of API.md, over real HTTP against a real hub process on a fresh SQLite file. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, type Client } from '../helpers/http';
import { startHub, type HubProcess } from '../helpers/hub-process';
import { checkedFetch } from '../helpers/openapi';

let hub: HubProcess;
let api: Client;
let n = 0;
/** A pool name of this test's own, so tests sharing the hub never see each other's items. */
const fresh = (prefix: string) => `${prefix}-${++n}-${Date.now()}`;

beforeAll(async () => {
  hub = await startHub();
  api = client(hub.api);
});
afterAll(async () => hub?.stop());

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

describe('health', () => {
  it('answers /healthz and /api/v1/healthz', async () => {
    for (const url of [`${hub.url}/healthz`, `${hub.api}/healthz`]) {
      const res = await checkedFetch(url);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true });
    }
  });
});

describe('workers', () => {
  it('registers (201), gets, heartbeats with merge, patches status, lists with filters', async () => {
    const id = fresh('w');
    const reg = await api.post('/workers', { worker_id: id, host: 'h1', pid: 7, capabilities: ['gpu', 'x'], pool_id: 'p', metadata: { a: 1 } });
    expect(reg.status).toBe(201);
    expect(reg.body).toMatchObject({ worker_id: id, status: 'active', host: 'h1', pid: 7, capabilities: ['gpu', 'x'], pool_id: 'p', current_task_id: null });
    expect(reg.body.last_heartbeat).toMatch(ISO);
    expect(reg.body.started_at).toMatch(ISO);
    for (const key of ['worker_id', 'status', 'last_heartbeat', 'host', 'pid', 'capabilities', 'pool_id', 'started_at', 'current_task_id', 'metadata']) {
      expect(reg.body).toHaveProperty(key);
    }

    const hb = await api.post(`/workers/${id}/heartbeat`, { metadata: { b: 2 } });
    expect(hb.status).toBe(200);
    expect(hb.body.metadata).toEqual({ a: 1, b: 2 });
    const bare = await checkedFetch(`${hub.api}/workers/${id}/heartbeat`, { method: 'POST' });
    expect(bare.status).toBe(200);

    expect((await api.get(`/workers/${id}`)).body.worker_id).toBe(id);
    const patched = await api.patch(`/workers/${id}`, { status: 'terminating' });
    expect(patched).toMatchObject({ status: 200, body: { status: 'terminating' } });

    const list = await api.get(`/workers?status=terminating,lost&capability=gpu`);
    expect(list.status).toBe(200);
    expect(list.body.workers.map((w: { worker_id: string }) => w.worker_id)).toContain(id);
    expect((await api.get(`/workers?status=`)).status).toBe(200);
    expect((await api.get(`/workers?capability=gp`)).body.workers.map((w: { worker_id: string }) => w.worker_id)).not.toContain(id);
    expect((await api.get(`/workers?stale_threshold_seconds=3600`)).body.workers.map((w: { worker_id: string }) => w.worker_id)).not.toContain(id);
  });

  it('makes an id when none is given, and re-registering revives a worker', async () => {
    const made = await api.post('/workers', {});
    expect(made.status).toBe(201);
    const alsoMade = await api.post('/workers', { worker_id: null, host: 'h' });
    expect(alsoMade.status).toBe(201);
    expect(alsoMade.body.worker_id).not.toBe(made.body.worker_id);
    expect(made.body.worker_id).toMatch(/^[A-Za-z0-9._:-]+$/);
    await api.patch(`/workers/${made.body.worker_id}`, { status: 'lost' });
    expect((await api.post('/workers', { worker_id: made.body.worker_id })).body.status).toBe('active');
  });

  it('answers 404 for unknown workers and 400 for an unknown status', async () => {
    for (const r of [
      await api.get('/workers/nobody-here'),
      await api.post('/workers/nobody-here/heartbeat', {}),
      await api.patch('/workers/nobody-here', { status: 'active' }),
      await api.post('/workers/nobody-here/release'),
    ]) {
      expect(r.status).toBe(404);
      expect(r.body.code).toBe('worker-not-found');
    }
    const id = fresh('w');
    await api.post('/workers', { worker_id: id });
    const bad = await api.patch(`/workers/${id}`, { status: 'sleeping' });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/status/);
  });
});

describe('work', () => {
  it('runs the seed scenario: push, claim, fail until poisoned, retry, complete', async () => {
    const pool = fresh('seed');
    const pushed = await api.post(`/pools/${pool}/items`, { data: { task: 'x' }, max_retries: 2 });
    expect(pushed.status).toBe(201);
    const id = pushed.body.id;
    expect(typeof id).toBe('string');
    expect((await api.get(`/pools/${pool}`)).body).toMatchObject({ name: pool, pending: 1 });

    for (const attempt of [1, 2]) {
      const claimed = await api.post(`/pools/${pool}/claim`, { worker_id: 'seed-w' });
      expect(claimed.status).toBe(200);
      expect(claimed.body.items).toHaveLength(1);
      expect(claimed.body.items[0]).toMatchObject({ id, attempts: attempt, status: 'claimed', claimed_by: 'seed-w' });
      const failed = await api.post(`/items/${id}/fail`, { worker_id: 'seed-w', lease_id: claimed.body.items[0].lease_id, error: `boom ${attempt}` });
      expect(failed.status).toBe(200);
      expect(failed.body.status).toBe(attempt < 2 ? 'pending' : 'poisoned');
      expect(failed.body.last_error).toBe(`boom ${attempt}`);
    }
    expect((await api.post(`/pools/${pool}/claim`, { worker_id: 'seed-w' })).body).toEqual({ items: [] });

    const detail = await api.get(`/items/${id}`);
    expect(detail.body.history.map((h: { outcome: string }) => h.outcome)).toEqual(['failed', 'failed']);

    const retried = await api.post(`/items/${id}/retry`);
    expect(retried).toMatchObject({ status: 200, body: { status: 'pending', attempts: 0 } });
    expect((await api.post(`/items/${id}/retry`)).status).toBe(409);

    const again = await api.post(`/pools/${pool}/claim`, { worker_id: 'seed-w', limit: 10 });
    expect(again.body.items.map((i: { id: string }) => i.id)).toEqual([id]);
    // lease_id null is the same as leaving it out.
    const done = await api.post(`/items/${id}/complete`, { worker_id: 'seed-w', lease_id: null, result: [1, 2] });
    expect(done).toMatchObject({ status: 200, body: { status: 'completed', result: [1, 2] } });
  });

  it('pushes a batch in order and claims it oldest first', async () => {
    const pool = fresh('batch');
    const r = await api.post(`/pools/${pool}/items`, { items: [{ data: 'a' }, { data: 'b', max_retries: 5 }, { data: 'c' }] });
    expect(r.status).toBe(201);
    expect(r.body.ids).toHaveLength(3);
    const claimed = await api.post(`/pools/${pool}/claim`, { worker_id: 'bw', limit: 100 });
    expect(claimed.body.items.map((i: { id: string }) => i.id)).toEqual(r.body.ids);
    expect(claimed.body.items.map((i: { data: string }) => i.data)).toEqual(['a', 'b', 'c']);
  });

  it('fences completion: a late complete after release is 409 and changes nothing', async () => {
    const pool = fresh('fence');
    const { body } = await api.post(`/pools/${pool}/items`, { data: 1 });
    const claimed = await api.post(`/pools/${pool}/claim`, { worker_id: 'slow' });
    const lease = claimed.body.items[0].lease_id;
    expect(await api.post(`/pools/${pool}/release`, { worker_id: 'slow' })).toMatchObject({ status: 200, body: { released: 1 } });
    const before = await api.get(`/items/${body.id}`);
    const late = await api.post(`/items/${body.id}/complete`, { worker_id: 'slow', lease_id: lease, result: 'late' });
    expect(late.status).toBe(409);
    expect(late.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(late.body).toMatchObject({ status: 409, code: 'item-not-claimed' });
    expect(await api.get(`/items/${body.id}`)).toMatchObject({ body: before.body });

    const other = await api.post(`/pools/${pool}/claim`, { worker_id: 'fast' });
    expect((await api.post(`/items/${body.id}/complete`, { worker_id: 'slow', lease_id: lease })).body.code).toBe('not-claim-holder');
    expect((await api.post(`/items/${body.id}/fail`, { worker_id: 'fast', lease_id: lease })).body.code).toBe('stale-lease');
    expect((await api.post(`/items/${body.id}/complete`, { worker_id: 'fast', lease_id: other.body.items[0].lease_id })).status).toBe(200);
  });

  it('completes in batches and reports each rejection', async () => {
    const pool = fresh('many');
    const { body } = await api.post(`/pools/${pool}/items`, { items: [{ data: 1 }, { data: 2 }] });
    const claimed = await api.post(`/pools/${pool}/claim`, { worker_id: 'bw', limit: 2 });
    const r = await api.post('/items/complete', {
      worker_id: 'bw',
      items: [
        { id: body.ids[0], lease_id: claimed.body.items[0].lease_id, result: 'r0' },
        { id: body.ids[1], lease_id: 'nope' },
        { id: '99999999' },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      completed: [body.ids[0]],
      rejected: [
        { id: body.ids[1], status: 409, code: 'stale-lease' },
        { id: '99999999', status: 404, code: 'item-not-found' },
      ],
    });
  });

  it('claims a chosen item, lists with a cursor, retries a pool, deletes with 204', async () => {
    const pool = fresh('ops');
    const { body } = await api.post(`/pools/${pool}/items`, { items: [{ data: 1, max_retries: 1 }, { data: 2, max_retries: 1 }, { data: 3 }] });
    const [a, b, c] = body.ids;
    expect((await api.post(`/items/${c}/claim`, { worker_id: 'picker' })).body).toMatchObject({ id: c, status: 'claimed' });
    expect((await api.post(`/items/${c}/claim`, { worker_id: 'picker' })).status).toBe(409);
    expect((await api.post(`/items/424242424/claim`, { worker_id: 'picker' })).status).toBe(404);
    for (const id of [a, b]) {
      await api.post(`/items/${id}/claim`, { worker_id: 'picker' });
      await api.post(`/items/${id}/fail`, { worker_id: 'picker', error: 'bad' });
    }
    const page1 = await api.get(`/pools/${pool}/items?limit=2`);
    expect(page1.body.items.map((i: { id: string }) => i.id)).toEqual([a, b]);
    const page2 = await api.get(`/pools/${pool}/items?limit=2&cursor=${page1.body.next_cursor}`);
    expect(page2.body).toMatchObject({ next_cursor: null });
    expect(page2.body.items.map((i: { id: string }) => i.id)).toEqual([c]);
    expect((await api.get(`/pools/${pool}/items?status=poisoned`)).body.items).toHaveLength(2);

    expect(await api.post(`/pools/${pool}/retry`, { status: 'poisoned' })).toMatchObject({ status: 200, body: { retried: 2 } });
    expect(await api.post(`/pools/${pool}/retry`)).toMatchObject({ status: 200, body: { retried: 0 } });

    const del = await checkedFetch(`${hub.api}/items/${a}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect((await api.del(`/items/${a}`)).status).toBe(404);
    expect((await api.get(`/items/${a}`)).status).toBe(404);
  });

  it('summarizes pools sorted by name; an unseen pool is all zeros', async () => {
    const pool = fresh('aaa-summary');
    await api.post(`/pools/${pool}/items`, { data: 1 });
    const pools = (await api.get('/pools')).body.pools as { name: string }[];
    expect(pools.map((p) => p.name)).toEqual([...pools.map((p) => p.name)].sort());
    expect(pools.find((p) => p.name === pool)).toMatchObject({ pending: 1, claimed: 0, completed: 0, poisoned: 0 });
    expect((await api.get('/pools/never-seen-pool')).body).toEqual({
      name: 'never-seen-pool',
      scheduled: 0,
      pending: 0,
      claimed: 0,
      completed: 0,
      poisoned: 0,
      oldest_pending_at: null,
      paused: false,
    });
  });

  it('releases a worker across every pool', async () => {
    const [p1, p2] = [fresh('rel'), fresh('rel')];
    const w = fresh('holder');
    await api.post('/workers', { worker_id: w });
    for (const p of [p1, p2]) {
      await api.post(`/pools/${p}/items`, { data: p });
      await api.post(`/pools/${p}/claim`, { worker_id: w });
    }
    expect((await api.get(`/workers/${w}`)).body).toMatchObject({ claimed_count: 2 });
    expect(await api.post(`/workers/${w}/release`)).toMatchObject({ status: 200, body: { released: 2 } });
    for (const p of [p1, p2]) expect((await api.get(`/pools/${p}`)).body).toMatchObject({ pending: 1, claimed: 0 });
    const items = (await api.get(`/pools/${p1}/items`)).body.items;
    expect(items[0].attempts).toBe(1);
  });
});

describe('protocol', () => {
  it('answers an unknown route with 404 problem+json, any method', async () => {
    for (const method of ['GET', 'POST', 'DELETE']) {
      const r = await api.call(method, '/no/such/route');
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(r.body).toMatchObject({ status: 404, code: 'route-not-found' });
    }
  });

  it('answers a method a route does not serve with 405 and Allow', async () => {
    const r = await api.call('DELETE', '/pools');
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toContain('GET');
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const put = await api.call('PUT', '/items/1/complete', {});
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toContain('POST');
  });

  it('refuses a body over the limit with 413 and a non-JSON write with 415', async () => {
    const pool = fresh('limits');
    const big = JSON.stringify({ data: 'x'.repeat(1_100_000) });
    const r = await api.post(`/pools/${pool}/items`, big);
    expect(r).toMatchObject({ status: 413, body: { code: 'body-too-large' } });
    const text = await api.post(`/pools/${pool}/items`, '{"data":1}', { 'content-type': 'text/plain' });
    expect(text).toMatchObject({ status: 415, body: { code: 'unsupported-media-type' } });
    expect((await api.get(`/pools/${pool}`)).body.pending).toBe(0);
  });
});
