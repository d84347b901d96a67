/**
 * What outside testing broke in authorization: DNS rebinding on an open hub, per-worker tokens
 * acting as other workers, and unthrottled token guessing. Real hubs over real HTTP.
 * Needs `next build` first (npm test does it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IssuedToken } from '@/lib/contracts';
import { client, rawRequest, type Client } from '../helpers/http';
import { startHub, type HubProcess } from '../helpers/hub-process';

const hubs: HubProcess[] = [];
afterAll(async () => {
  await Promise.all(hubs.map((h) => h.stop()));
});
const started = async (env: Record<string, string> = {}) => {
  const hub = await startHub(env);
  hubs.push(hub);
  return hub;
};

describe('an open hub and the Host header (DNS rebinding)', () => {
  let open: HubProcess;
  let allowing: HubProcess;
  beforeAll(async () => {
    [open, allowing] = await Promise.all([started(), started({ HUB_ALLOWED_HOSTS: 'hub.internal, Other.Example' })]);
    await client(open.api).post('/pools/rebind/items', { data: 1 });
  });

  it('answers 421 problem+json to another host name, even with a matching Origin, and changes nothing', async () => {
    const host = `evil.example:${open.port}`;
    const attempts = [
      rawRequest(open.port, 'POST', '/api/v1/tokens', JSON.stringify({ name: 'x', role: 'operator' }), { host, origin: `http://${host}` }),
      rawRequest(open.port, 'POST', '/api/v1/pools/rebind/discard', JSON.stringify({ status: 'pending' }), { host, origin: `http://${host}` }),
      rawRequest(open.port, 'GET', '/api/v1/pools', undefined, { host }),
      rawRequest(open.port, 'GET', '/', undefined, { host }),
      rawRequest(open.port, 'GET', '/pools/rebind', undefined, { host: `evil.example` }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status, res.text).toBe(421);
      expect(res.headers['content-type']).toBe('application/problem+json');
      expect(JSON.parse(res.text)).toMatchObject({ status: 421, code: 'host-not-allowed' });
    }
    expect((await client(open.api).get('/pools/rebind')).body.pending).toBe(1);
  });

  it('answers the loopback names, and those HUB_ALLOWED_HOSTS lists', async () => {
    for (const host of [`127.0.0.1:${open.port}`, `localhost:${open.port}`, `[::1]:${open.port}`, 'LOCALHOST']) {
      expect((await rawRequest(open.port, 'GET', '/api/v1/pools', undefined, { host })).status, host).toBe(200);
    }
    expect((await rawRequest(open.port, 'GET', '/healthz', undefined, { host: 'hub.internal' })).status).toBe(421);
    for (const host of [`hub.internal:${allowing.port}`, 'other.example', `localhost:${allowing.port}`]) {
      expect((await rawRequest(allowing.port, 'GET', '/api/v1/pools', undefined, { host })).status, host).toBe(200);
    }
    expect((await rawRequest(allowing.port, 'GET', '/api/v1/pools', undefined, { host: 'evil.example' })).status).toBe(421);
  });
});

describe('per-worker tokens', () => {
  let hub: HubProcess;
  let operator: Client;
  let asA: Client;
  let shared: Client;
  beforeAll(async () => {
    hub = await started({ HUB_OPERATOR_TOKEN: 'op-secret', HUB_WORKER_TOKEN: 'shared-worker-secret' });
    operator = client(hub.api, { token: 'op-secret' });
    shared = client(hub.api, { token: 'shared-worker-secret' });
    const issued = IssuedToken.parse((await operator.post('/tokens', { name: 'token-of-a', role: 'worker', worker_id: 'w-a' })).body);
    expect(issued.worker_id).toBe('w-a');
    asA = client(hub.api, { token: issued.token });
  });

  it('refuses to bind a token of another role, naming the field', async () => {
    const res = await operator.post('/tokens', { name: 'bad', role: 'viewer', worker_id: 'w-a' });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/^worker_id:/);
  });

  it('acts as its own worker, and as no other', async () => {
    // Registering without a worker id registers its own.
    expect((await asA.post('/workers', {})).body.worker_id).toBe('w-a');
    expect((await asA.post('/workers', { worker_id: 'w-a', host: 'box' })).status).toBe(201);
    expect((await asA.post('/workers/w-a/heartbeat', {})).status).toBe(200);
    await shared.post('/workers', { worker_id: 'w-b' });
    const [mine, theirs] = (await shared.post('/pools/pwt/items', { items: [{ data: 'a' }, { data: 'b' }, { data: 'c' }] })).body.ids;
    const claimedByA = (await asA.post('/pools/pwt/claim', { worker_id: 'w-a' })).body.items;
    expect(claimedByA.map((i: { id: string }) => i.id)).toEqual([mine]);
    const b = (await shared.post('/pools/pwt/claim', { worker_id: 'w-b' })).body.items[0];
    expect(b.id).toBe(theirs);

    const refused = [
      asA.post('/workers', { worker_id: 'w-b' }),
      asA.post('/workers/w-b/heartbeat', {}),
      asA.patch('/workers/w-b', { status: 'terminated' }),
      asA.post('/pools/pwt/claim', { worker_id: 'w-b' }),
      asA.post(`/items/${theirs}/complete`, { worker_id: 'w-b', lease_id: b.lease_id, result: 'forged' }),
      asA.post(`/items/${theirs}/complete`, { worker_id: 'w-b', result: 'forged' }),
      asA.post(`/items/${theirs}/fail`, { worker_id: 'w-b', error: 'forged' }),
      asA.post('/items/complete', { worker_id: 'w-b', items: [{ id: theirs, result: 'forged' }] }),
    ];
    for (const res of await Promise.all(refused)) {
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body.code).toBe('forbidden');
    }
    // B's claim is untouched, and A never saw its lease; A sees its own.
    const seen = (await asA.get(`/items/${theirs}`)).body;
    expect(seen).toMatchObject({ status: 'claimed', claimed_by: 'w-b', lease_id: null, result: null });
    expect((await asA.get('/pools/pwt/items?status=claimed')).body.items.find((i: { id: string }) => i.id === theirs).lease_id).toBeNull();
    expect((await asA.get(`/items/${mine}`)).body.lease_id).toBe(claimedByA[0].lease_id);
    expect((await operator.get('/workers/w-b')).body.status).toBe('active');
    expect((await operator.get(`/items/${theirs}`)).body.lease_id).toBe(b.lease_id);

    // As itself it completes, fails and marks itself as it likes.
    expect((await asA.post(`/items/${mine}/complete`, { worker_id: 'w-a', lease_id: claimedByA[0].lease_id, result: 1 })).status).toBe(200);
    expect((await asA.patch('/workers/w-a', { status: 'terminated' })).body.status).toBe('terminated');
    // The shared worker token keeps today's rule: any worker id.
    expect((await shared.post(`/items/${theirs}/complete`, { worker_id: 'w-b', lease_id: b.lease_id, result: 2 })).status).toBe(200);
  });
});

describe('wrong tokens are throttled per client address', () => {
  let hub: HubProcess;
  beforeAll(async () => {
    hub = await started({ HUB_OPERATOR_TOKEN: 'op-secret', HUB_AUTH_FAILURES_PER_MINUTE: '5' });
  });

  it('answers 429 with Retry-After once an address has used up its wrong guesses, valid tokens included', async () => {
    const guess = (token: string) => client(hub.api, { token }).get('/pools');
    expect((await guess('op-secret')).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await guess(`wrong-${i}`)).status).toBe(401);
    // Sign-in counts too.
    const signIn = await client(hub.api).post('/session', { token: 'wrong-signin' });
    expect(signIn.status).toBe(401);
    expect((await client(hub.api).call('GET', '/pools', undefined, { authorization: 'Basic nope' })).status).toBe(401);
    const blocked = await guess('wrong-again');
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('content-type')).toBe('application/problem+json');
    expect(blocked.body.code).toBe('too-many-requests');
    const wait = Number(blocked.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    // Even the right token waits: a check that ran would tell which guess was right.
    expect((await guess('op-secret')).status).toBe(429);
    expect((await client(hub.api).post('/session', { token: 'op-secret' })).status).toBe(429);
    // A request without any token is no guess, and /healthz stays open.
    expect((await client(hub.api).get('/pools')).status).toBe(401);
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
  });
});
