/** Bearer tokens of the two roles of API.md, when configured. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { client } from '../helpers/http';
import { startHub, type HubProcess } from '../helpers/hub-process';
import { checkedFetch } from '../helpers/openapi';

let hub: HubProcess;
beforeAll(async () => {
  hub = await startHub({ HUB_OPERATOR_TOKEN: 'op-secret', HUB_WORKER_TOKEN: 'worker-secret', HUB_VIEWER_TOKEN: 'viewer-secret', HOST: '127.0.0.1' });
});
afterAll(async () => hub?.stop());

it('refuses a request without a valid token with 401', async () => {
  for (const api of [client(hub.api), client(hub.api, { token: 'wrong' })]) {
    const r = await api.get('/pools');
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(r.headers.get('www-authenticate')).toMatch(/Bearer/);
  }
  expect((await client(hub.api).post('/pools/p/items', { data: 1 })).status).toBe(401);
});

it('lets a worker token work and read, but not act as an operator (403)', async () => {
  const worker = client(hub.api, { token: 'worker-secret' });
  expect((await worker.post('/workers', { worker_id: 'w' })).status).toBe(201);
  const { body } = await worker.post('/pools/p/items', { data: 1 });
  const claimed = await worker.post('/pools/p/claim', { worker_id: 'w' });
  expect(claimed.status).toBe(200);
  expect((await worker.patch('/workers/w', { status: 'terminating' })).status).toBe(200);
  for (const r of [
    await worker.post('/workers/w/release'),
    await worker.post('/pools/p/release', { worker_id: 'w' }),
    await worker.post(`/items/${body.id}/retry`),
    await worker.post('/pools/p/retry'),
    await worker.del(`/items/${body.id}`),
    await worker.post('/reap'),
  ]) {
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('forbidden');
  }
  expect((await worker.get(`/items/${body.id}`)).body.status).toBe('claimed');
  const operator = client(hub.api, { token: 'op-secret' });
  expect((await operator.post('/workers/w/release')).body).toEqual({ released: 1 });
});

it('lets a viewer token read everything and change nothing (403)', async () => {
  const viewer = client(hub.api, { token: 'viewer-secret' });
  const operator = client(hub.api, { token: 'op-secret' });
  const { body } = await operator.post('/pools/v/items', { data: 1 });
  for (const path of ['/pools', '/pools/v', '/pools/v/items', `/items/${body.id}`, '/workers']) {
    expect((await viewer.get(path)).status).toBe(200);
  }
  for (const r of [
    await viewer.post('/workers', { worker_id: 'v' }),
    await viewer.post('/pools/v/items', { data: 2 }),
    await viewer.post('/pools/v/claim', { worker_id: 'v' }),
    await viewer.post(`/items/${body.id}/retry`),
    await viewer.del(`/items/${body.id}`),
  ]) {
    expect(r.status).toBe(403);
  }
  expect((await viewer.get('/pools/v')).body).toMatchObject({ pending: 1, claimed: 0 });
});

it('keeps /healthz open', async () => {
  expect((await checkedFetch(`${hub.url}/healthz`)).status).toBe(200);
  expect((await checkedFetch(`${hub.api}/healthz`)).status).toBe(200);
});
