/** GET /metrics over real HTTP: scraped with a Prometheus text-format parser and checked against the API. */
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, type Client } from '../helpers/http';
import { startHub, type HubProcess } from '../helpers/hub-process';
import { scrape } from '../helpers/metrics';
import { checkedFetch } from '../helpers/openapi';

describe('on an open hub', () => {
  let hub: HubProcess;
  let api: Client;
  beforeAll(async () => {
    hub = await startHub();
    api = client(hub.api);
  });
  afterAll(async () => hub?.stop());

  it('counts what this instance did and reports the pools as the API does', async () => {
    const instance = `${hostname()}:${hub.port}`;
    const own = { instance };
    const before = await scrape(hub.url);
    const counter = (s: typeof before, name: string) => s.value(name, own) ?? 0;

    const pushed = await api.post('/pools/m/items', { items: [{ data: 'dies', max_retries: 1 }, { data: 2 }, { data: 3 }, { data: 4 }, { data: 5 }] });
    expect(pushed.status).toBe(201);
    const first = await api.post('/pools/m/claim', { worker_id: 'mw', limit: 3 });
    const [dies, one, two] = first.body.items;
    expect((await api.post(`/items/${dies.id}/fail`, { worker_id: 'mw', error: 'boom' })).body.status).toBe('poisoned');
    expect((await api.post(`/items/${one.id}/complete`, { worker_id: 'mw' })).status).toBe(200);
    expect((await api.post('/items/complete', { worker_id: 'mw', items: [{ id: two.id }] })).body.completed).toEqual([two.id]);
    expect((await api.post('/pools/m/claim', { worker_id: 'mw' })).body.items).toHaveLength(1);
    expect((await api.post('/workers/mw/release')).body).toEqual({ released: 1 });
    expect((await api.post('/pools/m/claim', { worker_id: 'mw' })).body.items).toHaveLength(1);
    expect((await api.post('/reap')).status).toBe(200);

    const after = await scrape(hub.url);
    const delta = (name: string) => counter(after, name) - counter(before, name);
    expect(delta('hub_items_pushed_total')).toBe(5);
    expect(delta('hub_items_claimed_total')).toBe(5);
    expect(delta('hub_items_completed_total')).toBe(2);
    expect(delta('hub_items_failed_total')).toBe(1);
    expect(delta('hub_items_poisoned_total')).toBe(1);
    expect(delta('hub_items_released_total')).toBe(1);
    expect(delta('hub_reaps_total')).toBeGreaterThanOrEqual(1); // the reaper's timer runs too

    const pool = (await api.get('/pools/m')).body;
    expect(pool).toMatchObject({ pending: 1, claimed: 1, completed: 2, poisoned: 1 });
    for (const status of ['scheduled', 'pending', 'claimed', 'completed', 'poisoned']) {
      expect(after.value('hub_pool_items', { pool: 'm', status })).toBe(pool[status]);
    }
    expect(after.value('hub_pool_paused', { pool: 'm' })).toBe(0);
    const age = (Date.now() - Date.parse(pool.oldest_pending_at)) / 1000;
    expect(Math.abs(after.value('hub_pool_oldest_pending_age_seconds', { pool: 'm' })! - age)).toBeLessThan(5);

    const active = (await api.get('/workers?status=active')).body.workers.filter((w: { pool_id: string | null }) => w.pool_id === null);
    expect(after.value('hub_workers', { status: 'active', pool: '' })).toBe(active.length);

    const claimRoute = { ...own, route: '/api/v1/pools/{pool}/claim' };
    expect(after.types.get('hub_claim_duration_seconds')).toBe('histogram');
    const claims = after.value('hub_claim_duration_seconds_count', claimRoute)!;
    expect(claims).toBeGreaterThanOrEqual(3);
    expect(after.value('hub_claim_duration_seconds_bucket', { ...claimRoute, le: '+Inf' })).toBe(claims);
    const calls = { ...claimRoute, method: 'POST', code: '200' };
    expect(after.value('hub_http_request_duration_seconds_count', calls)! - (before.value('hub_http_request_duration_seconds_count', calls) ?? 0)).toBe(3);
    expect(after.value('nodejs_eventloop_lag_seconds', own)).toBeGreaterThanOrEqual(0);
  });

  it('counts the event streams open on this instance', async () => {
    const ctrl = new AbortController();
    const res = await checkedFetch(`${hub.api}/events`, { signal: ctrl.signal });
    expect(res.status).toBe(200);
    expect((await scrape(hub.url)).value('hub_sse_streams_open')).toBe(1);
    ctrl.abort();
    for (let i = 0; i < 50 && (await scrape(hub.url)).value('hub_sse_streams_open') !== 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await scrape(hub.url)).value('hub_sse_streams_open')).toBe(0);
  });
});

describe('with tokens', () => {
  let hub: HubProcess;
  const tokens = { HUB_OPERATOR_TOKEN: 'op-secret', HUB_WORKER_TOKEN: 'wk-secret', HUB_VIEWER_TOKEN: 'vw-secret', HUB_METRICS_TOKEN: 'metrics-secret' };
  beforeAll(async () => {
    hub = await startHub({ ...tokens, HUB_METRICS_INSTANCE: 'hub-a' });
  });
  afterAll(async () => hub?.stop());

  it('lets operator, viewer and metrics tokens read, refuses a worker (403) and nobody (401)', async () => {
    const get = (token?: string) => checkedFetch(`${hub.url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    expect((await get()).status).toBe(401);
    expect((await get('wrong')).status).toBe(401);
    expect((await get(tokens.HUB_WORKER_TOKEN)).status).toBe(403);
    for (const token of [tokens.HUB_OPERATOR_TOKEN, tokens.HUB_VIEWER_TOKEN, tokens.HUB_METRICS_TOKEN]) expect((await get(token)).status).toBe(200);
    // The metrics token opens nothing else.
    expect((await checkedFetch(`${hub.api}/pools`, { headers: { authorization: `Bearer ${tokens.HUB_METRICS_TOKEN}` } })).status).toBe(401);
    const s = await scrape(hub.url, tokens.HUB_METRICS_TOKEN);
    expect(s.value('hub_items_pushed_total')).toBe(0);
    expect(s.samples.find((x) => x.name === 'hub_items_pushed_total')!.labels).toEqual({ instance: 'hub-a' });
  });
});
