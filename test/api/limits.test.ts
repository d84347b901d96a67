/** The operator's own bounds (HUB_MAX_BATCH, HUB_MAX_NAME_LENGTH), tighter than the contract's. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { client, type Client } from '../helpers/http';
import { startHub, type HubProcess } from '../helpers/hub-process';

let hub: HubProcess;
let api: Client;
beforeAll(async () => {
  hub = await startHub({ HUB_MAX_BATCH: '10', HUB_MAX_NAME_LENGTH: '16' });
  api = client(hub.api);
});
afterAll(async () => hub?.stop());

const batch = (n: number) => Array.from({ length: n }, (_, i) => ({ data: i }));

it('refuses batches over HUB_MAX_BATCH with 400 naming the field, and takes those at the bound', async () => {
  for (const [path, body, field] of [
    ['/pools/lim/items', { items: batch(11) }, 'items'],
    ['/pools/lim/claim', { worker_id: 'w', limit: 11 }, 'limit'],
    ['/items/complete', { worker_id: 'w', items: Array.from({ length: 11 }, (_, i) => ({ id: String(i + 1) })) }, 'items'],
  ] as const) {
    const r = await api.post(path, body);
    expect(r.status, path).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/problem\+json/);
    expect(r.body.detail).toMatch(new RegExp(`^${field}: at most 10`));
  }
  expect((await api.get('/pools/lim')).body.pending).toBe(0);
  expect((await api.post('/pools/lim/items', { items: batch(10) })).status).toBe(201);
  expect((await api.post('/pools/lim/claim', { worker_id: 'w', limit: 10 })).body.items).toHaveLength(10);
});

it('refuses names over HUB_MAX_NAME_LENGTH in paths and bodies', async () => {
  const long = 'n'.repeat(17);
  expect((await api.post(`/pools/${long}/items`, { data: 1 })).body).toMatchObject({ status: 400, detail: 'pool: at most 16 characters on this hub' });
  expect((await api.get(`/workers/${long}`)).status).toBe(400);
  expect((await api.post('/workers', { worker_id: long })).body.detail).toBe('worker_id: at most 16 characters on this hub');
  expect((await api.post('/workers', { worker_id: 'w', pool_id: long })).status).toBe(400);
  expect((await api.post('/workers', { worker_id: 'n'.repeat(16) })).status).toBe(201);
  expect((await api.get('/pools')).body.pools.map((p: { name: string }) => p.name)).toEqual(['lim']);
});
