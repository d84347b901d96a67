/**
 * GET /metrics of two hub processes on one PostgreSQL database: each counts what it did under its
 * own `instance` label, and both report the same pools. Needs `next build` first.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { client } from '../helpers/http';
import { startHub, type HubProcess } from '../helpers/hub-process';
import { scrape } from '../helpers/metrics';
import { createTestDatabase } from './database';
import { postgresMissing, skipWithoutPostgres } from './availability';

const noPostgres = await postgresMissing();
skipWithoutPostgres(noPostgres);

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let hubs: HubProcess[] = [];

beforeAll(async () => {
  if (noPostgres) return;
  db = await createTestDatabase('metrics');
  hubs = await Promise.all(['hub-a', 'hub-b'].map((name) => startHub({ DATABASE_URL: db.url, HUB_METRICS_INSTANCE: name })));
}, 90_000);

afterAll(async () => {
  await Promise.all(hubs.map((h) => h.stop()));
  await db?.drop();
});

it('labels each instance’s counters with its name and reports the same pool gauges on both', async () => {
  const [a, b] = hubs as [HubProcess, HubProcess];
  const viaA = client(a.api);
  const viaB = client(b.api);
  expect((await viaA.post('/pools/shared/items', { items: Array.from({ length: 6 }, (_, i) => ({ data: i })) })).status).toBe(201);
  const claimed = (await viaB.post('/pools/shared/claim', { worker_id: 'pw', limit: 4 })).body.items;
  expect(claimed).toHaveLength(4);
  expect((await viaB.post(`/items/${claimed[0].id}/complete`, { worker_id: 'pw' })).status).toBe(200);
  expect((await viaA.post(`/items/${claimed[1].id}/complete`, { worker_id: 'pw' })).status).toBe(200);

  const [sa, sb] = await Promise.all([scrape(a.url), scrape(b.url)]);
  expect(sa.value('hub_items_pushed_total', { instance: 'hub-a' })).toBe(6);
  expect(sb.value('hub_items_pushed_total', { instance: 'hub-b' })).toBe(0);
  expect(sa.value('hub_items_claimed_total', { instance: 'hub-a' })).toBe(0);
  expect(sb.value('hub_items_claimed_total', { instance: 'hub-b' })).toBe(4);
  expect(sa.value('hub_items_completed_total', { instance: 'hub-a' })).toBe(1);
  expect(sb.value('hub_items_completed_total', { instance: 'hub-b' })).toBe(1);
  // No instance's series in the other's scrape.
  expect(sa.samples.filter((s) => s.labels.instance === 'hub-b')).toEqual([]);

  const pool = (await viaA.get('/pools/shared')).body;
  for (const status of ['pending', 'claimed', 'completed', 'poisoned']) {
    expect(sa.value('hub_pool_items', { pool: 'shared', status })).toBe(pool[status]);
    expect(sb.value('hub_pool_items', { pool: 'shared', status })).toBe(pool[status]);
  }
  expect(pool).toMatchObject({ pending: 2, claimed: 2, completed: 2 });
  const pools = (s: typeof sa) => s.samples.filter((x) => x.name === 'hub_pool_items' || x.name === 'hub_workers');
  expect(pools(sa)).toEqual(pools(sb));
});
