import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BadRequest,
  Conflict,
  Forbidden,
  HubClient,
  HubError,
  HubUnreachable,
  NotFound,
  ServerError,
  Unauthorized,
  UnexpectedResponse,
} from '@/lib/sdk';
import { freePort, startHub, type HubProcess } from '../helpers/hub-process';

/** A fetch that counts calls and can answer some of them itself. */
function countingFetch(answer?: (n: number) => Response | undefined) {
  const calls: { url: string; body: unknown }[] = [];
  const f: typeof fetch = async (input, init) => {
    calls.push({ url: String(input), body: init?.body ? JSON.parse(String(init.body)) : undefined });
    return answer?.(calls.length) ?? fetch(input, init);
  };
  return { fetch: f, calls };
}

const fast = { retries: 2, minDelayMs: 1, maxDelayMs: 5 };

let hub: HubProcess;
let c: HubClient;
beforeAll(async () => {
  hub = await startHub();
  c = new HubClient({ url: hub.url });
});
afterAll(() => hub?.stop());

describe('HubClient round trips', () => {
  it('healthz, and the API base accepts the url with or without /api/v1', async () => {
    expect(await c.healthz()).toEqual({ ok: true });
    expect(await new HubClient({ url: `${hub.api}/` }).healthz()).toEqual({ ok: true });
    expect(c.apiUrl).toBe(hub.api);
  });

  it('workers: register, heartbeat, status, get, list with filters, release', async () => {
    const made = await c.register();
    expect(made.worker_id).toMatch(/.+/);
    const w = await c.register({ worker_id: 'rt-w1', host: 'h1', pid: 42, capabilities: ['gpu'], pool_id: 'rt', metadata: { a: 1 } });
    expect(w).toMatchObject({ worker_id: 'rt-w1', status: 'active', host: 'h1', pid: 42, capabilities: ['gpu'], pool_id: 'rt', claimed_count: 0 });
    const beat = await c.heartbeat('rt-w1', { metadata: { b: 2 } });
    expect(beat.metadata).toEqual({ a: 1, b: 2 });
    expect((await c.heartbeat('rt-w1')).status).toBe('active');
    expect((await c.setWorkerStatus('rt-w1', 'terminating')).status).toBe('terminating');
    expect((await c.getWorker('rt-w1')).status).toBe('terminating');
    expect((await c.listWorkers({ status: ['terminating', 'lost'] })).map((x) => x.worker_id)).toEqual(['rt-w1']);
    expect((await c.listWorkers({ capability: 'gpu', pool_id: 'rt' })).map((x) => x.worker_id)).toEqual(['rt-w1']);
    expect(await c.listWorkers({ status: 'active', pool_id: 'rt' })).toEqual([]);
    expect((await c.listWorkers({ stale_threshold_seconds: 3600 })).length).toBe(0);
    await c.register({ worker_id: 'rt-w2' });
    await c.push('rt-rel', 1);
    await c.push('rt-rel2', 2);
    await c.claim('rt-rel', 'rt-w2');
    await c.claim('rt-rel2', 'rt-w2');
    expect((await c.getWorker('rt-w2')).claimed_count).toBe(2);
    expect(await c.releaseWorker('rt-w2')).toBe(2);
    expect((await c.getPool('rt-rel')).pending).toBe(1);
  });

  it('items: push, claim, complete with lease, fail, history, retry, delete', async () => {
    const id = await c.push('rt-items', { n: 1 }, { max_retries: 1 });
    const ids = await c.pushMany('rt-items', [{ data: { n: 2 } }, { data: 'three', max_retries: 5 }]);
    expect(ids).toHaveLength(2);
    const [first, second] = await c.claim('rt-items', 'rt-w3', 2);
    expect(first).toMatchObject({ id, status: 'claimed', claimed_by: 'rt-w3', attempts: 1 });
    expect(second!.id).toBe(ids[0]);
    expect(first!.lease_id).toMatch(/.+/);
    const done = await c.complete(id, { worker_id: 'rt-w3', lease_id: first!.lease_id!, result: { ok: true } });
    expect(done).toMatchObject({ status: 'completed', result: { ok: true } });
    const failed = await c.fail(second!.id, { worker_id: 'rt-w3', lease_id: second!.lease_id!, error: 'nope' });
    expect(failed).toMatchObject({ status: 'pending', last_error: 'nope', claimed_by: null });
    const detail = await c.getItem(second!.id);
    expect(detail.history).toEqual([expect.objectContaining({ attempt: 1, worker_id: 'rt-w3', outcome: 'failed', error: 'nope' })]);

    const one = await c.claimItem(ids[1]!, 'rt-w3');
    expect(one).toMatchObject({ id: ids[1], status: 'claimed' });
    const batch = await c.completeMany('rt-w3', [
      { id: ids[1]!, lease_id: one.lease_id!, result: 3 },
      { id: '999999', result: 0 },
    ]);
    expect(batch).toEqual({ completed: [ids[1]], rejected: [{ id: '999999', status: 404, code: 'item-not-found' }] });

    expect((await c.retryItem(id)).status).toBe('pending');
    await c.deleteItem(id);
    await expect(c.getItem(id)).rejects.toBeInstanceOf(NotFound);
  });

  it('pools: list, get, items by page, release, retry, reap', async () => {
    await c.pushMany('rt-pool', Array.from({ length: 5 }, (_, i) => ({ data: i, max_retries: 1 })));
    const [a] = await c.claim('rt-pool', 'rt-w4');
    await c.fail(a!.id, { worker_id: 'rt-w4', lease_id: a!.lease_id!, error: 'poison' });
    await c.claim('rt-pool', 'rt-w4');
    const summary = await c.getPool('rt-pool');
    expect(summary).toMatchObject({ name: 'rt-pool', pending: 3, claimed: 1, completed: 0, poisoned: 1 });
    expect((await c.listPools()).map((p) => p.name)).toContain('rt-pool');
    expect(await c.getPool('never-seen')).toMatchObject({ pending: 0, claimed: 0, completed: 0, poisoned: 0 });

    const page = await c.listItems('rt-pool', { limit: 2 });
    expect(page.items).toHaveLength(2);
    expect(page.next_cursor).not.toBeNull();
    const all: string[] = [];
    for await (const item of c.items('rt-pool', { pageSize: 2 })) all.push(item.id);
    expect(all).toHaveLength(5);
    expect((await c.listItems('rt-pool', { status: 'poisoned' })).items.map((i) => i.id)).toEqual([a!.id]);

    expect(await c.releasePool('rt-pool', 'rt-w4')).toBe(1);
    expect(await c.retryPool('rt-pool')).toBe(1);
    expect((await c.getPool('rt-pool')).pending).toBe(5);
    expect(await c.reap()).toEqual({ lost: [], released: 0, poisoned: 0 });
  });
});

describe('errors', () => {
  it('are classes by status with the problem code and detail', async () => {
    const err = await c.getItem('424242').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFound);
    expect(err).toBeInstanceOf(HubError);
    expect(err).toMatchObject({ status: 404, code: 'item-not-found', request: 'GET /items/424242' });
    expect((err as HubError).detail).toMatch(/424242/);

    const bad = await c.push('rt-err', 1, { max_retries: 0 }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(BadRequest);
    expect((bad as HubError).detail).toMatch(/max_retries/);

    const id = await c.push('rt-err', 1);
    const [item] = await c.claim('rt-err', 'rt-e1');
    await expect(c.complete(id, { worker_id: 'rt-e2', lease_id: item!.lease_id! })).rejects.toMatchObject({ status: 409, code: 'not-claim-holder' });
    await expect(c.complete(id, { worker_id: 'rt-e1', lease_id: 'not-the-lease' })).rejects.toMatchObject({ code: 'stale-lease' });
    await c.complete(id, { worker_id: 'rt-e1', lease_id: item!.lease_id! });
    const again = await c.complete(id, { worker_id: 'rt-e1', lease_id: item!.lease_id! }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(Conflict);
    expect(again).toMatchObject({ code: 'item-not-claimed' });

    await c.setWorkerStatus('rt-e1', 'lost');
    await expect(c.claim('rt-err', 'rt-e1')).rejects.toMatchObject({ name: 'Conflict', code: 'worker-not-active' });
  });

  it('never retries a 409 or another 4xx', async () => {
    const id = await c.push('rt-noretry', 1);
    const counted = countingFetch();
    const client = new HubClient({ url: hub.url, fetch: counted.fetch, retry: fast });
    await expect(client.complete(id, { worker_id: 'nobody' })).rejects.toBeInstanceOf(Conflict);
    expect(counted.calls).toHaveLength(1);
    await expect(client.getWorker('no-such-worker')).rejects.toBeInstanceOf(NotFound);
    expect(counted.calls).toHaveLength(2);
  });

  it('retries 5xx and 429 with backoff, then succeeds', async () => {
    const problem = (status: number) =>
      new Response(JSON.stringify({ type: 'x', title: 't', status, detail: 'busy', code: 'busy' }), { status, headers: { 'retry-after': '0' } });
    const counted = countingFetch((n) => (n === 1 ? problem(503) : n === 2 ? problem(429) : undefined));
    const client = new HubClient({ url: hub.url, fetch: counted.fetch, retry: fast });
    expect(await client.healthz()).toEqual({ ok: true });
    expect(counted.calls).toHaveLength(3);

    const always = countingFetch(() => new Response('upstream down', { status: 502 }));
    const failing = new HubClient({ url: hub.url, fetch: always.fetch, retry: fast });
    const err = await failing.listPools().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err).toMatchObject({ status: 502, code: 'http-502', detail: 'upstream down' });
    expect(always.calls).toHaveLength(3);
  });

  it('retries when the hub does not answer, then throws HubUnreachable', async () => {
    const port = await freePort();
    const counted = countingFetch();
    const client = new HubClient({ url: `http://127.0.0.1:${port}`, fetch: counted.fetch, retry: fast });
    const err = await client.healthz().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubUnreachable);
    expect((err as HubError).status).toBe(0);
    expect(counted.calls).toHaveLength(3);
  });

  it('times out a request that hangs', async () => {
    const hang: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason)));
    const client = new HubClient({ url: hub.url, fetch: hang, timeoutMs: 50, retry: { retries: 0 } });
    await expect(client.healthz()).rejects.toBeInstanceOf(HubUnreachable);
  });

  it('rejects an answer that does not match the contract', async () => {
    const wrong = countingFetch(() => Response.json({ pools: [{ name: 'x' }] }));
    const client = new HubClient({ url: hub.url, fetch: wrong.fetch, retry: fast });
    const err = await client.listPools().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnexpectedResponse);
    expect((err as HubError).detail).toMatch(/^pools\.0\./);
    expect(wrong.calls).toHaveLength(1);
  });
});

describe('with tokens', () => {
  let secured: HubProcess;
  beforeAll(async () => {
    secured = await startHub({ HUB_OPERATOR_TOKEN: 'op-secret', HUB_WORKER_TOKEN: 'worker-secret' });
  });
  afterAll(() => secured?.stop());

  it('sends the bearer token; 401 without one, 403 for the wrong role', async () => {
    await expect(new HubClient({ url: secured.url }).listPools()).rejects.toBeInstanceOf(Unauthorized);
    await expect(new HubClient({ url: secured.url, token: 'wrong' }).listPools()).rejects.toMatchObject({ status: 401 });
    const worker = new HubClient({ url: secured.url, token: 'worker-secret' });
    expect(await worker.push('auth', 1)).toMatch(/.+/);
    await expect(worker.reap()).rejects.toBeInstanceOf(Forbidden);
    expect(await new HubClient({ url: secured.url, token: 'op-secret' }).reap()).toMatchObject({ lost: [] });
  });
});
