/** Issued tokens, the audit trail and dashboard sessions, over real HTTP against the built hub. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditPage, IssuedToken, Session, TokenList, WORKER_SELF_HEADER } from '@/lib/contracts';
import { HubClient, runWorker } from '@/lib/sdk';
import { client, type Client } from '../helpers/http';
import { startHub, startHubWithClock, type HubClock, type HubProcess } from '../helpers/hub-process';

describe('a hub with tokens', () => {
  let hub: HubProcess & { clock: HubClock };
  let operator: Client;
  beforeAll(async () => {
    hub = await startHubWithClock({
      HUB_OPERATOR_TOKEN: 'op-secret',
      HUB_WORKER_TOKEN: 'worker-secret',
      HUB_VIEWER_TOKEN: 'viewer-secret',
      HOST: '127.0.0.1',
      // Heartbeats age out after a second of the hub's clock; the reaper's timer stays out of the way of POST /reap.
      HUB_STALE_SECONDS: '1',
      HUB_REAP_INTERVAL_SECONDS: '3600',
    });
    operator = client(hub.api, { token: 'op-secret' });
  });
  afterAll(async () => hub?.stop());

  const latest = async (n: number) => AuditPage.parse((await operator.get(`/audit?limit=${n}`)).body).entries.reverse();

  it('issues a token shown once, lists it without its secret, and revokes it: then it is refused with 401', async () => {
    const issued = await operator.post('/tokens', { name: 'worker-7', role: 'worker' });
    expect(issued.status).toBe(201);
    const token = IssuedToken.parse(issued.body);
    expect(token.token).toMatch(/^fmh_[A-Za-z0-9_-]{43}$/);
    expect(token).toMatchObject({ name: 'worker-7', role: 'worker', last_used_at: null, revoked_at: null });

    const w7 = client(hub.api, { token: token.token });
    expect((await w7.get('/pools')).status).toBe(200);
    const list = await operator.get('/tokens');
    expect(list.status).toBe(200);
    const listed = TokenList.parse(list.body).tokens.find((t) => t.id === token.id)!;
    expect(listed.last_used_at).not.toBeNull();
    expect(JSON.stringify(list.body)).not.toContain(token.token);
    expect(Object.keys(listed).sort()).toEqual(['created_at', 'id', 'last_used_at', 'name', 'revoked_at', 'role', 'worker_id']);

    expect((await operator.del(`/tokens/${token.id}`)).status).toBe(204);
    const refused = await w7.get('/pools');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
    expect(TokenList.parse((await operator.get('/tokens')).body).tokens.find((t) => t.id === token.id)!.revoked_at).not.toBeNull();

    expect((await operator.del('/tokens/0123456789abcdef')).status).toBe(404);
    expect((await operator.del('/tokens/not-an-id')).status).toBe(400);
    expect((await operator.post('/tokens', { name: '', role: 'worker' })).status).toBe(400);
    expect((await operator.post('/tokens', { name: 'x', role: 'admin' })).status).toBe(400);
    expect((await client(hub.api, { token: 'fmh_made-up' }).get('/pools')).status).toBe(401);
  });

  it('lets only operators manage tokens', async () => {
    for (const token of ['worker-secret', 'viewer-secret']) {
      const c = client(hub.api, { token });
      expect((await c.get('/tokens')).status).toBe(403);
      expect((await c.post('/tokens', { name: 'sneaky', role: 'operator' })).status).toBe(403);
    }
    expect((await client(hub.api).get('/tokens')).status).toBe(401);
  });

  it('gives an issued worker token the worker role: it claims, it may not release (403), and an issued operator is audited by name', async () => {
    const w = client(hub.api, { token: IssuedToken.parse((await operator.post('/tokens', { name: 'w-issued' })).body).token });
    const ops = client(hub.api, { token: IssuedToken.parse((await operator.post('/tokens', { name: 'alice', role: 'operator' })).body).token });
    await w.post('/pools/issued/items', { data: 1 });
    const claimed = await w.post('/pools/issued/claim', { worker_id: 'wi' });
    expect(claimed.status).toBe(200);
    expect(claimed.body.items).toHaveLength(1);
    const refused = await w.post('/workers/wi/release');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden');
    expect((await w.get('/audit')).status).toBe(403);
    expect((await ops.post('/workers/wi/release')).body).toEqual({ released: 1 });
    expect((await latest(1))[0]).toMatchObject({ actor: 'alice', role: 'operator', action: 'worker.release', target: 'wi', changed: 1 });
  });

  it('lets a viewer read the audit trail and a worker not', async () => {
    const viewer = await client(hub.api, { token: 'viewer-secret' }).get('/audit?limit=2');
    expect(viewer.status).toBe(200);
    AuditPage.parse(viewer.body);
    const worker = await client(hub.api, { token: 'worker-secret' }).get('/audit');
    expect(worker.status).toBe(403);
    expect((await client(hub.api).get('/audit')).status).toBe(401);
    expect((await operator.get('/audit?limit=0')).status).toBe(400);
    expect((await operator.get('/audit?cursor=abc')).status).toBe(400);
  });

  it('records every operator action with who, what, the filter and how many changed', async () => {
    const worker = client(hub.api, { token: 'worker-secret' });
    await operator.post('/workers', { worker_id: 'aw' });
    const { body } = await operator.post('/pools/audited/items', {
      items: [{ data: 1 }, { data: 2 }, { data: 3, max_retries: 1 }, { data: 4, max_retries: 1 }, { data: 5 }],
    });
    const ids: string[] = body.ids;
    const claimed = (await worker.post('/pools/audited/claim', { worker_id: 'aw', limit: 4 })).body.items as { id: string }[];
    expect(claimed).toHaveLength(4);
    await worker.post(`/items/${ids[2]}/fail`, { worker_id: 'aw', error: 'boom' });
    await worker.post(`/items/${ids[3]}/fail`, { worker_id: 'aw', error: 'bang' });

    expect((await operator.post('/pools/audited/release', { worker_id: 'aw' })).body).toEqual({ released: 2 });
    expect((await operator.post('/pools/audited/retry', { status: 'poisoned', error: 'boom' })).body).toEqual({ retried: 1 });
    expect((await operator.post('/pools/audited/discard', { status: 'poisoned' })).body).toEqual({ discarded: 1 });
    expect((await operator.post(`/items/${ids[2]}/retry`)).status).toBe(409); // pending: refused, not recorded
    expect((await operator.del(`/items/${ids[4]}`)).status).toBe(204);
    expect((await operator.patch('/workers/aw', { status: 'terminating' })).status).toBe(200);
    expect((await worker.patch('/workers/aw', { status: 'active' })).status).toBe(200); // a worker's own change
    expect((await operator.post('/workers/aw/release')).body).toEqual({ released: 0 });
    const entries = await latest(6);
    expect(entries.map((e) => [e.actor, e.role, e.action, e.target, e.detail, e.changed])).toEqual([
      ['operator', 'operator', 'pool.release', 'audited', { worker_id: 'aw' }, 2],
      ['operator', 'operator', 'pool.retry', 'audited', { status: 'poisoned', error: 'boom' }, 1],
      ['operator', 'operator', 'pool.discard', 'audited', { status: 'poisoned' }, 1],
      ['operator', 'operator', 'item.delete', ids[4], null, 1],
      ['operator', 'operator', 'worker.status', 'aw', { status: 'terminating' }, 1],
      ['operator', 'operator', 'worker.release', 'aw', null, 0],
    ]);
    for (const e of entries) expect(Date.now() - Date.parse(e.at)).toBeLessThan(60_000);

    // Item retry, and a reap that changed something (one that found nothing is not recorded).
    const [done] = (await operator.post('/pools/audited2/items', { items: [{ data: 1 }, { data: 2 }] })).body.ids as string[];
    await worker.post('/pools/audited2/claim', { worker_id: 'stale', limit: 2 });
    await worker.post(`/items/${done}/complete`, { worker_id: 'stale' });
    expect((await operator.post(`/items/${done}/retry`)).status).toBe(200);
    hub.clock.advance(2); // every heartbeat so far is stale
    const reaped = (await operator.post('/reap')).body;
    expect(reaped.lost).toContain('stale');
    const before = (await latest(100)).length;
    expect((await operator.post('/reap')).body).toEqual({ lost: [], released: 0, poisoned: 0 });
    expect((await latest(100)).length).toBe(before);
    const [retry, reap] = await latest(2);
    expect(retry).toMatchObject({ action: 'item.retry', target: done, detail: { pool: 'audited2' }, changed: 1 });
    expect(reap).toMatchObject({ action: 'reap', target: null, changed: reaped.released + reaped.poisoned, detail: { lost: reaped.lost } });
    expect(reap!.changed).toBeGreaterThanOrEqual(1);

    // Token issue and revoke, and paging newest first.
    const t = IssuedToken.parse((await operator.post('/tokens', { name: 'paged', role: 'viewer' })).body);
    await operator.del(`/tokens/${t.id}`);
    const first = AuditPage.parse((await operator.get('/audit?limit=2')).body);
    expect(first.entries.map((e) => [e.action, e.target])).toEqual([
      ['token.revoke', t.id],
      ['token.issue', t.id],
    ]);
    const next = AuditPage.parse((await operator.get(`/audit?limit=1&cursor=${first.next_cursor}`)).body);
    expect(next.entries[0]).toMatchObject({ action: 'reap' });
  });

  describe('sessions', () => {
    const signIn = (token: string, headers: Record<string, string> = {}) => client(hub.api).post('/session', { token }, headers);
    const sessionOf = (res: { headers: Headers }) => /hub_session=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')![1]!;

    it('signs in with a valid token only, setting an httpOnly SameSite=Strict cookie, Secure only over https', async () => {
      const bad = await signIn('nope');
      expect(bad.status).toBe(401);
      expect(bad.headers.get('set-cookie')).toBeNull();
      const ok = await signIn('viewer-secret');
      expect(ok.status).toBe(200);
      expect(Session.parse(ok.body)).toEqual({ role: 'viewer', name: 'viewer', open: false });
      const cookie = ok.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^hub_session=viewer-secret; /);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).toMatch(/Path=\//);
      expect(cookie).not.toMatch(/Secure/);
      expect((await signIn('viewer-secret', { 'x-forwarded-proto': 'https' })).headers.get('set-cookie')).toMatch(/; Secure/);
      expect((await signIn('op-secret', { origin: 'https://evil.example' })).status).toBe(403);
      expect((await client(hub.api).post('/session', { token: 'x', extra: 1 })).status).toBe(400);
    });

    it('answers who the caller is from the cookie or the bearer token, 401 without either', async () => {
      const anon = client(hub.api);
      expect((await anon.get('/session')).status).toBe(401);
      const t = IssuedToken.parse((await operator.post('/tokens', { name: 'bob', role: 'operator' })).body);
      const cookie = `hub_session=${sessionOf(await signIn(t.token))}`;
      expect((await anon.get('/session', { cookie })).body).toEqual({ role: 'operator', name: 'bob', open: false });
      expect((await client(hub.api, { token: 'worker-secret' }).get('/session')).body).toEqual({ role: 'worker', name: 'worker', open: false });
      expect((await anon.get('/pools', { cookie })).status).toBe(200);
      await operator.del(`/tokens/${t.id}`);
      expect((await anon.get('/session', { cookie })).status).toBe(401);
      expect((await anon.get('/pools', { cookie })).status).toBe(401);
    });

    it('accepts cookie writes from this hub only (Origin, else Referer); bearer writes are not checked', async () => {
      const cookie = `hub_session=${sessionOf(await signIn('op-secret'))}`;
      const c = client(hub.api);
      const { body } = await operator.post('/pools/csrf/items', { items: [{ data: 1 }, { data: 2 }] });
      const [a, b] = body.ids as string[];
      const del = (id: string, headers: Record<string, string>) => c.call('DELETE', `/items/${id}`, undefined, { cookie, ...headers });

      const crossSite: Record<string, string>[] = [{ origin: 'https://evil.example' }, {}, { referer: 'http://evil.example/page' }, { origin: 'null' }];
      for (const headers of crossSite) {
        const r = await del(a!, headers);
        expect(r.status).toBe(403);
        expect(r.body.code).toBe('cross-site');
      }
      expect((await operator.get(`/items/${a}`)).status).toBe(200); // refused writes changed nothing
      expect((await del(a!, { origin: hub.url })).status).toBe(204);
      expect((await del(b!, { referer: `${hub.url}/pools/csrf` })).status).toBe(204);
      expect((await c.get('/pools/csrf', { cookie })).body).toMatchObject({ pending: 0 });
      expect((await latest(1))[0]).toMatchObject({ actor: 'operator', action: 'item.delete', target: b });

      // Bearer: no ambient credential, no check; a viewer's cookie write is still 403 forbidden.
      const bearer = await operator.post('/pools/csrf/items', { data: 3 }, { origin: 'https://evil.example' });
      expect(bearer.status).toBe(201);
      const viewerCookie = `hub_session=${sessionOf(await signIn('viewer-secret'))}`;
      const viewerWrite = await c.call('POST', '/pools/csrf/items', { data: 4 }, { cookie: viewerCookie, origin: hub.url });
      expect(viewerWrite.status).toBe(403);
      expect(viewerWrite.body.code).toBe('forbidden');
    });

    it('signs out by clearing the cookie', async () => {
      const out = await client(hub.api).del('/session');
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toMatch(/^hub_session=; .*Max-Age=0/);
    });
  });
});

describe('an open hub', () => {
  let hub: HubProcess;
  beforeAll(async () => {
    hub = await startHub({ HUB_OPERATOR_TOKEN: '', HUB_WORKER_TOKEN: '', HUB_VIEWER_TOKEN: '' });
  });
  afterAll(async () => hub?.stop());

  it('says it is open, lets everyone act as the anonymous operator, and records them so', async () => {
    const c = client(hub.api);
    expect((await c.get('/session')).body).toEqual({ role: 'operator', name: 'anonymous', open: true });
    const signIn = await c.post('/session', { token: 'anything' });
    expect(signIn.body).toEqual({ role: 'operator', name: 'anonymous', open: true });
    expect(signIn.headers.get('set-cookie')).toBeNull();
    const { body } = await c.post('/pools/o/items', { data: 1 });
    expect((await c.del(`/items/${body.id}`)).status).toBe(204);
    expect((await c.get('/audit')).body.entries[0]).toMatchObject({ actor: 'anonymous', role: 'operator', action: 'item.delete', target: body.id });
    // A browser page of another site cannot drive an open hub either.
    const cross = await c.post('/pools/o/items', { data: 2 }, { origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
    expect(cross.body.code).toBe('cross-site');
  });

  it("does not record a worker's change of its own status (X-Hub-Worker-Self) as an operator action", async () => {
    const c = client(hub.api);
    const statusChanges = async () =>
      ((await c.get('/audit?limit=500')).body as AuditPage).entries.filter((e) => e.action === 'worker.status').map((e) => e.target);
    await c.post('/workers', { worker_id: 'self-1' });
    await c.post('/workers', { worker_id: 'self-2' });
    const own = await c.call('PATCH', '/workers/self-1', { status: 'terminated' }, { [WORKER_SELF_HEADER]: 'self-1' });
    expect(own.body).toMatchObject({ worker_id: 'self-1', status: 'terminated' });
    // Naming another worker is not a change of one's own: an operator action like any other.
    expect((await c.call('PATCH', '/workers/self-2', { status: 'terminating' }, { [WORKER_SELF_HEADER]: 'self-1' })).status).toBe(200);
    expect((await c.patch('/workers/self-2', { status: 'terminated' })).status).toBe(200);
    expect(await statusChanges()).toEqual(['self-2', 'self-2']);
    const [last] = ((await c.get('/audit?limit=1')).body as AuditPage).entries;
    expect(last).toMatchObject({ actor: 'anonymous', role: 'operator', action: 'worker.status', target: 'self-2', detail: { status: 'terminated' } });

    // The SDK's worker loop marks itself terminated on exit with the header: nothing recorded.
    const sdk = new HubClient({ url: hub.url });
    await sdk.push('self-pool', 1);
    const summary = await runWorker({
      client: sdk,
      pool: 'self-pool',
      workerId: 'self-sdk',
      exitWhenEmpty: true,
      heartbeatSeconds: 0.3,
      pollSeconds: 0.05,
      signals: false,
      log: () => {},
      handler: async (item) => item.data,
    });
    expect(summary).toMatchObject({ reason: 'empty', completed: 1 });
    expect((await sdk.getWorker('self-sdk')).status).toBe('terminated');
    expect(await statusChanges()).toEqual(['self-2', 'self-2']);
  });
});
