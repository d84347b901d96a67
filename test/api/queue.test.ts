/**
 * Queue semantics over HTTP: push options (priority, delays, keys, backoff), run now, pool
 * settings, pause and resume, and the bad input each of them refuses with nothing changed.
 * Every answer is checked against the OpenAPI document by the test client. Needs `next build`
 * first (npm test does it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, type Client } from '../helpers/http';
import { startHubWithClock, type HubClock, type HubProcess } from '../helpers/hub-process';

// A movable wall clock: a delayed item comes due when the test moves it, not after a sleep.
let hub: HubProcess & { clock: HubClock };
let api: Client;
let worker: Client;
beforeAll(async () => {
  hub = await startHubWithClock({ HUB_OPERATOR_TOKEN: 'op-secret', HUB_WORKER_TOKEN: 'wk-secret' });
  api = client(hub.api, { token: 'op-secret' });
  worker = client(hub.api, { token: 'wk-secret' });
});
afterAll(async () => hub?.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const claim = async (pool: string, limit = 1, extra: Record<string, unknown> = {}) =>
  (await worker.post(`/pools/${pool}/claim`, { worker_id: 'w1', limit, ...extra })).body.items as { id: string; data: unknown }[];

describe('push options', () => {
  it('claims by priority, push order within one', async () => {
    const r = await worker.post('/pools/prio/items', {
      items: [{ data: 'a' }, { data: 'b', priority: 5 }, { data: 'c' }, { data: 'd', priority: 5 }, { data: 'e', priority: -1 }],
    });
    expect(r.status).toBe(201);
    expect(r.body.created).toEqual([true, true, true, true, true]);
    expect((await claim('prio', 10)).map((i) => i.data)).toEqual(['b', 'd', 'a', 'c', 'e']);
  });

  it('delays an item: scheduled and counted apart, not claimable before its time, then claimable', async () => {
    const r = await worker.post('/pools/later/items', { data: 'x', delay_seconds: 1.5 });
    expect(r.status).toBe(201);
    const item = await api.get(`/items/${r.body.id}`);
    expect(item.body).toMatchObject({ status: 'scheduled', run_at: expect.any(String) });
    expect((await api.get('/pools/later')).body).toMatchObject({ scheduled: 1, pending: 0, oldest_pending_at: null });
    expect(await claim('later')).toEqual([]);
    hub.clock.advance(2);
    expect((await claim('later')).map((i) => i.data)).toEqual(['x']);
  });

  it('runs a scheduled item now (operator only), and refuses one that is not scheduled', async () => {
    const { body } = await worker.post('/pools/run-now/items', { data: 'y', run_at: '2099-01-01T00:00:00+01:00' });
    expect((await worker.post(`/items/${body.id}/run`)).status).toBe(403);
    const run = await api.post(`/items/${body.id}/run`);
    expect(run.status).toBe(200);
    expect(run.body.status).toBe('pending');
    expect((await api.post(`/items/${body.id}/run`)).body.code).toBe('item-not-scheduled');
    expect((await api.post('/items/99999999/run')).status).toBe(404);
    const audit = await api.get('/audit?limit=5');
    expect(audit.body.entries[0]).toMatchObject({ action: 'item.run', target: body.id });
  });

  it('a repeated key returns the live item with 200 and changes nothing; a batch says which were new', async () => {
    const first = await worker.post('/pools/keys/items', { data: 'one', key: 'order 1/ä' });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ id: expect.any(String), created: true });
    const again = await worker.post('/pools/keys/items', { data: 'other', key: 'order 1/ä', priority: 3 });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ id: first.body.id, created: false });
    expect((await api.get(`/items/${first.body.id}`)).body).toMatchObject({ data: 'one', priority: 0, key: 'order 1/ä' });
    const batch = await worker.post('/pools/keys/items', { items: [{ data: 1, key: 'order 1/ä' }, { data: 2, key: 'k2' }, { data: 3 }] });
    expect(batch.status).toBe(201);
    expect(batch.body.created).toEqual([false, true, true]);
    expect(batch.body.ids[0]).toBe(first.body.id);
    const repeat = await worker.post('/pools/keys/items', { items: [{ data: 1, key: 'k2' }] });
    expect(repeat.status).toBe(200);
    expect((await api.get('/pools/keys')).body.pending).toBe(3);
  });

  it('backs a failed item off under its policy; the item shows when it may run again', async () => {
    const { body } = await worker.post('/pools/backoff/items', { data: 'b', backoff: { type: 'fixed', delay_seconds: 60 } });
    await claim('backoff');
    const failed = await worker.post(`/items/${body.id}/fail`, { worker_id: 'w1', error: 'boom' });
    expect(failed.body).toMatchObject({ status: 'scheduled', run_at: expect.any(String) });
    expect(Date.parse(failed.body.run_at) - Date.now()).toBeGreaterThan(50_000);
    expect((await api.get(`/items/${body.id}`)).body.backoff).toEqual({ type: 'fixed', delay_seconds: 60 });
    expect(await claim('backoff')).toEqual([]);
  });
});

describe('bad push options: a 400 naming the field, nothing changed', () => {
  const cases: [string, unknown, string][] = [
    ['a fractional priority', { data: 1, priority: 1.5 }, 'priority'],
    ['a priority beyond the range', { data: 1, priority: 5000 }, 'priority'],
    ['a priority that is a string', { data: 1, priority: '3' }, 'priority'],
    ['run_at that is not a date', { data: 1, run_at: 'tomorrow' }, 'run_at'],
    ['run_at without an offset', { data: 1, run_at: '2030-01-01T00:00:00' }, 'run_at'],
    ['both run_at and delay_seconds', { data: 1, run_at: '2030-01-01T00:00:00Z', delay_seconds: 5 }, 'run_at'],
    ['a negative delay', { data: 1, delay_seconds: -1 }, 'delay_seconds'],
    ['a delay over 30 days', { data: 1, delay_seconds: 31 * 86400 }, 'delay_seconds'],
    ['a key over 128 characters', { data: 1, key: 'k'.repeat(129) }, 'key'],
    ['an empty key', { data: 1, key: '' }, 'key'],
    ['a key with a control character', { data: 1, key: 'a\nb' }, 'key'],
    ['an unknown backoff type', { data: 1, backoff: { type: 'linear' } }, 'backoff'],
    ['a backoff over its cap', { data: 1, backoff: { type: 'fixed', delay_seconds: 40 * 86400 } }, 'backoff.delay_seconds'],
    ['an exponential max below its base', { data: 1, backoff: { type: 'exponential', base_seconds: 10, max_seconds: 5 } }, 'backoff.max_seconds'],
    ['jitter above 1', { data: 1, backoff: { type: 'exponential', base_seconds: 1, jitter: 2 } }, 'backoff.jitter'],
    ['options beside a batch', { items: [{ data: 1 }], priority: 2 }, 'items'],
    ['a bad option inside a batch', { items: [{ data: 1 }, { data: 2, priority: 0.5 }] }, 'items[1].priority'],
  ];
  it.each(cases)('%s', async (_name, body, field) => {
    const r = await worker.post('/pools/bad-options/items', body);
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.detail).toContain(field);
    expect((await api.get('/pools/bad-options')).body).toMatchObject({ scheduled: 0, pending: 0 });
  });
});

describe('pool settings, pause and resume', () => {
  it('reads defaults, changes only what is given, audits it, and applies max_retries to later pushes', async () => {
    expect((await worker.get('/pools/cfg/settings')).body).toEqual({
      pool: 'cfg',
      max_retries: 3,
      backoff: { type: 'none' },
      paused: false,
      updated_at: null,
    });
    expect((await worker.patch('/pools/cfg/settings', { max_retries: 5 })).status).toBe(403);
    const changed = await api.patch('/pools/cfg/settings', { max_retries: 5, backoff: { type: 'exponential', base_seconds: 2 } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ max_retries: 5, backoff: { type: 'exponential', base_seconds: 2, max_seconds: 3600, jitter: 0.1 } });
    const { body } = await worker.post('/pools/cfg/items', { data: 1 });
    expect((await api.get(`/items/${body.id}`)).body.max_retries).toBe(5);
    expect((await api.patch('/pools/cfg/settings', { max_retries: null })).body.max_retries).toBe(3);
    const bad = await api.patch('/pools/cfg/settings', { max_retries: 0 });
    expect(bad.status).toBe(400);
    expect((await api.patch('/pools/cfg/settings', { maxRetries: 4 })).status).toBe(400);
    expect((await api.get('/pools/cfg/settings')).body.backoff.type).toBe('exponential');
    const audit = await api.get('/audit?limit=5');
    expect(audit.body.entries[0]).toMatchObject({ action: 'pool.settings', target: 'cfg', detail: { max_retries: null } });
  });

  it('a paused pool hands out nothing, claim by id is 409, everything else works; resume drains it', async () => {
    const { body } = await worker.post('/pools/paused/items', { items: [{ data: 1 }, { data: 2 }] });
    expect((await worker.post('/pools/paused/pause')).status).toBe(403);
    const paused = await api.post('/pools/paused/pause');
    expect(paused.body).toMatchObject({ pool: 'paused', paused: true });
    expect(await claim('paused', 10)).toEqual([]);
    const byId = await worker.post(`/items/${body.ids[0]}/claim`, { worker_id: 'w1' });
    expect(byId.status).toBe(409);
    expect(byId.body.code).toBe('pool-paused');
    expect((await worker.post('/pools/paused/items', { data: 3 })).status).toBe(201);
    expect((await api.get('/pools')).body.pools.find((p: { name: string }) => p.name === 'paused')).toMatchObject({ paused: true, pending: 3 });
    // A waiting claim is answered the moment the pool is resumed.
    const waiting = claim('paused', 10, { wait_seconds: 20 });
    await sleep(300);
    const started = Date.now();
    expect((await api.post('/pools/paused/resume')).body.paused).toBe(false);
    expect((await waiting).map((i) => i.data)).toEqual([1, 2, 3]);
    expect(Date.now() - started).toBeLessThan(5000);
    const actions = (await api.get('/audit?limit=2')).body.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(['pool.resume', 'pool.pause']);
  });

  it('a waiting claim is answered when a delayed item falls due', async () => {
    await worker.post('/pools/due/items', { data: 'soon', delay_seconds: 1 });
    const sent = Date.now();
    const items = await claim('due', 1, { wait_seconds: 10 });
    expect(items.map((i) => i.data)).toEqual(['soon']);
    expect(Date.now() - sent).toBeLessThan(5000);
  });
});
