/**
 * Every route against malformed input: each answer is a 4xx problem+json that names what is
 * wrong, and no request changes anything (the hub's whole visible state is compared).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, type Client } from '../helpers/http';
import { startHub, type HubProcess } from '../helpers/hub-process';
import { checkedFetch } from '../helpers/openapi';

let hub: HubProcess;
let api: Client;
let item: string;
let pendingItem: string;

beforeAll(async () => {
  hub = await startHub();
  api = client(hub.api);
  await api.post('/workers', { worker_id: 'w1', metadata: { k: 1 } });
  const pushed = await api.post('/pools/p/items', { items: [{ data: 'held' }, { data: 'waiting' }] });
  [item, pendingItem] = pushed.body.ids;
  await api.post('/pools/p/claim', { worker_id: 'w1' });
});
afterAll(async () => hub?.stop());

/** Everything a client can see, to prove a rejected request changed nothing. */
async function state() {
  const [pools, workers, items, held, waiting] = await Promise.all([
    api.get('/pools'),
    api.get('/workers'),
    api.get('/pools/p/items?limit=500'),
    api.get(`/items/${item}`),
    api.get(`/items/${pendingItem}`),
  ]);
  // Heartbeat times are the only thing that may move (they do not: no heartbeat succeeds here).
  return [pools.body, workers.body, items.body, held.body, waiting.body];
}

type Case = [label: string, method: string, path: string | (() => string), body: unknown, expected: number, headers?: Record<string, string>];
const LONG = 'x'.repeat(129);
const cases = (): Case[] => [
  // registration
  ['register: not JSON', 'POST', '/workers', '{nope', 400],
  ['register: array body', 'POST', '/workers', [], 400],
  ['register: bad worker_id', 'POST', '/workers', { worker_id: 'has space' }, 400],
  ['register: too long worker_id', 'POST', '/workers', { worker_id: LONG }, 400],
  ['register: pid a string', 'POST', '/workers', { worker_id: 'w2', pid: 'seven' }, 400],
  ['register: capabilities not a list', 'POST', '/workers', { worker_id: 'w2', capabilities: 'gpu' }, 400],
  ['register: started_at not a time', 'POST', '/workers', { worker_id: 'w2', started_at: 'yesterday' }, 400],
  ['register: text/plain', 'POST', '/workers', '{"worker_id":"w2"}', 415, { 'content-type': 'text/plain' }],
  ['heartbeat: unknown worker', 'POST', '/workers/ghost/heartbeat', {}, 404],
  ['heartbeat: bad id', 'POST', '/workers/bad%20id/heartbeat', {}, 400],
  ['heartbeat: task id a number', 'POST', '/workers/w1/heartbeat', { current_task_id: 5 }, 400],
  ['heartbeat: not JSON', 'POST', '/workers/w1/heartbeat', 'x', 400],
  ['patch: unknown status', 'PATCH', '/workers/w1', { status: 'sleeping' }, 400],
  ['patch: no body', 'PATCH', '/workers/w1', undefined, 400],
  ['patch: unknown worker', 'PATCH', '/workers/ghost', { status: 'lost' }, 404],
  ['get worker: unknown', 'GET', '/workers/ghost', undefined, 404],
  ['get worker: bad id', 'GET', `/workers/${LONG}`, undefined, 400],
  ['list workers: unknown status', 'GET', '/workers?status=active,zombie', undefined, 400],
  ['list workers: negative staleness', 'GET', '/workers?stale_threshold_seconds=-1', undefined, 400],
  ['list workers: staleness not a number', 'GET', '/workers?stale_threshold_seconds=soon', undefined, 400],
  ['release worker: unknown', 'POST', '/workers/ghost/release', undefined, 404],
  ['release worker: a body it does not take', 'POST', '/workers/w1/release', { force: true }, 400],
  ['register: a misspelt field', 'POST', '/workers', { worker_id: 'w2', capability: ['gpu'] }, 400],
  ['heartbeat: an unknown field', 'POST', '/workers/w1/heartbeat', { status: 'active' }, 400],
  // pools
  ['push: no data', 'POST', '/pools/p/items', {}, 400],
  ['push: max_retries 0', 'POST', '/pools/p/items', { data: 1, max_retries: 0 }, 400],
  ['push: max_retry misspelt', 'POST', '/pools/p/items', { data: 1, max_retry: 5 }, 400],
  ['push: unknown field in a batch item', 'POST', '/pools/p/items', { items: [{ data: 1, prio: 5 }] }, 400],
  ['push: max_retries fractional', 'POST', '/pools/p/items', { data: 1, max_retries: 1.5 }, 400],
  ['push: empty batch', 'POST', '/pools/p/items', { items: [] }, 400],
  ['push: batch over 1000', 'POST', '/pools/p/items', { items: Array.from({ length: 1001 }, () => ({ data: 1 })) }, 400],
  ['push: one bad item spoils the batch', 'POST', '/pools/p/items', { items: [{ data: 1 }, { max_retries: 2 }] }, 400],
  ['push: data beside items', 'POST', '/pools/p/items', { data: 1, items: [{ data: 2 }] }, 400],
  ['push: bad pool name', 'POST', '/pools/bad%20pool/items', { data: 1 }, 400],
  ['push: JSON sent as text/plain by default', 'POST', '/pools/p/items', '{"data":1}', 415, { 'content-type': '' }],
  ['push: form encoded', 'POST', '/pools/p/items', 'data=1', 415, { 'content-type': 'application/x-www-form-urlencoded' }],
  ['push: truncated JSON', 'POST', '/pools/p/items', '{"data":', 400],
  ['claim: no worker', 'POST', '/pools/p/claim', {}, 400],
  ['claim: limit 0', 'POST', '/pools/p/claim', { worker_id: 'w1', limit: 0 }, 400],
  ['claim: limit 101', 'POST', '/pools/p/claim', { worker_id: 'w1', limit: 101 }, 400],
  ['claim: limit a string', 'POST', '/pools/p/claim', { worker_id: 'w1', limit: '2' }, 400],
  ['claim: bad worker id', 'POST', '/pools/p/claim', { worker_id: '' }, 400],
  ['pool: bad name', 'GET', `/pools/${LONG}`, undefined, 400],
  ['items: unknown status', 'GET', '/pools/p/items?status=done', undefined, 400],
  ['items: limit 501', 'GET', '/pools/p/items?limit=501', undefined, 400],
  ['items: bad cursor', 'GET', '/pools/p/items?cursor=abc', undefined, 400],
  ['release pool: no worker', 'POST', '/pools/p/release', {}, 400],
  ['retry pool: unknown status', 'POST', '/pools/p/retry', { status: 'pending' }, 400],
  // items
  ['complete: unknown item', 'POST', '/items/987654321/complete', { worker_id: 'w1' }, 404],
  ['complete: not an id', 'POST', '/items/abc/complete', { worker_id: 'w1' }, 404],
  ['complete: no worker', 'POST', () => `/items/${item}/complete`, { result: 1 }, 400],
  ['complete: wrong worker', 'POST', () => `/items/${item}/complete`, { worker_id: 'w2' }, 409],
  ['complete: wrong lease', 'POST', () => `/items/${item}/complete`, { worker_id: 'w1', lease_id: 'nope' }, 409],
  ['complete: lease a number', 'POST', () => `/items/${item}/complete`, { worker_id: 'w1', lease_id: 5 }, 400],
  ['complete: pending item', 'POST', () => `/items/${pendingItem}/complete`, { worker_id: 'w1' }, 409],
  ['batch complete: empty', 'POST', '/items/complete', { worker_id: 'w1', items: [] }, 400],
  ['batch complete: over 100', 'POST', '/items/complete', { worker_id: 'w1', items: Array.from({ length: 101 }, () => ({ id: '1' })) }, 400],
  ['batch complete: id a number', 'POST', '/items/complete', { worker_id: 'w1', items: [{ id: 1 }] }, 400],
  ['fail: wrong worker', 'POST', () => `/items/${item}/fail`, { worker_id: 'w2', error: 'x' }, 409],
  ['fail: error an object', 'POST', () => `/items/${item}/fail`, { worker_id: 'w1', error: { m: 1 } }, 400],
  ['fail: unknown item', 'POST', '/items/987654321/fail', { worker_id: 'w1' }, 404],
  ['claim item: not pending', 'POST', () => `/items/${item}/claim`, { worker_id: 'w2' }, 409],
  ['claim item: unknown', 'POST', '/items/987654321/claim', { worker_id: 'w2' }, 404],
  ['claim item: no worker', 'POST', () => `/items/${pendingItem}/claim`, {}, 400],
  ['retry: claimed item', 'POST', () => `/items/${item}/retry`, undefined, 409],
  ['retry: pending item', 'POST', () => `/items/${pendingItem}/retry`, undefined, 409],
  ['retry: unknown', 'POST', '/items/987654321/retry', undefined, 404],
  ['retry: junk body', 'POST', () => `/items/${item}/retry`, 'x', 400],
  ['delete: junk body', 'DELETE', () => `/items/${pendingItem}`, '[1]', 400],
  ['delete: text body', 'DELETE', () => `/items/${pendingItem}`, 'x', 415, { 'content-type': 'text/plain' }],
  ['reap: a body it does not take', 'POST', '/reap', { now: true }, 400],
  ['get item: unknown', 'GET', '/items/987654321', undefined, 404],
  ['get item: huge id', 'GET', '/items/99999999999999999999999', undefined, 404],
  ['delete: unknown', 'DELETE', '/items/987654321', undefined, 404],
  // protocol
  ['unknown route', 'GET', '/nope', undefined, 404],
  ['unknown nested route', 'POST', '/pools/p/items/extra/deep', {}, 404],
  ['method not served', 'PUT', '/workers', {}, 405],
  ['method not served on item', 'PATCH', () => `/items/${item}`, {}, 405],
  ['body over the limit', 'POST', '/pools/p/items', { data: 'y'.repeat(1_048_577) }, 413],
  ['body nested too deep', 'POST', '/pools/p/items', `{"data":${'['.repeat(40)}${']'.repeat(40)}}`, 400],
  ['body nested very deep', 'POST', '/pools/p/items', `{"data":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 400],
];

describe('malformed requests', () => {
  it.each(cases().map((c) => [c[0], c] as const))('%s', async (_label, [, method, pathOf, body, expected, headers]) => {
    const before = await state();
    const path = typeof pathOf === "function" ? pathOf() : pathOf;
    const h = { ...(headers ?? {}) };
    const blankType = h['content-type'] === '';
    if (blankType) delete h['content-type'];
    const init: RequestInit = { method, headers: h };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      if (!('content-type' in h) && !blankType) (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const res = await checkedFetch(`${hub.api}${path}`, init);
    const text = await res.text();
    expect(res.status, text).toBe(expected);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(text);
    expect(problem).toMatchObject({ status: expected });
    expect(typeof problem.type).toBe('string');
    expect(typeof problem.title).toBe('string');
    expect(problem.detail.length).toBeGreaterThan(3);
    expect(problem.code).toMatch(/^[a-z-]+$/);
    expect(problem.detail).not.toMatch(/ZodError|at .*\.ts:|\[object Object\]|Invalid input$/);
    expect(await state()).toEqual(before);
  });
});
