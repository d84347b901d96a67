/**
 * Fuzz: thousands of malformed requests, generated from a fixed seed, against every route. Each
 * answer is a 4xx problem+json (never a 5xx), and the hub's visible state is the same afterwards.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { client, type Client } from '../helpers/http';
import { startHub, type HubProcess } from '../helpers/hub-process';
import { checkedFetch } from '../helpers/openapi';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 2000);
let hub: HubProcess;
let api: Client;
let held: string;

beforeAll(async () => {
  hub = await startHub();
  api = client(hub.api);
  await api.post('/workers', { worker_id: 'w1' });
  const { body } = await api.post('/pools/p/items', { items: [{ data: 'held' }, { data: 'waiting' }] });
  held = body.ids[0];
  await api.post('/pools/p/claim', { worker_id: 'w1' });
});
afterAll(async () => hub?.stop());

/** mulberry32: small, fast, and the same sequence for the same seed. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROUTES: [method: string, path: string, bodyRule: 'required' | 'optional' | 'none'][] = [
  ['POST', '/workers', 'optional'],
  ['POST', '/workers/{w}/heartbeat', 'optional'],
  ['PATCH', '/workers/{w}', 'required'],
  ['POST', '/workers/{w}/release', 'none'],
  ['POST', '/pools/{p}/items', 'required'],
  ['POST', '/pools/{p}/claim', 'required'],
  ['POST', '/pools/{p}/release', 'required'],
  ['POST', '/pools/{p}/retry', 'optional'],
  ['POST', '/items/complete', 'required'],
  ['POST', '/items/{i}/complete', 'required'],
  ['POST', '/items/{i}/fail', 'required'],
  ['POST', '/items/{i}/claim', 'required'],
  ['POST', '/items/{i}/retry', 'none'],
  ['DELETE', '/items/{i}', 'none'],
  ['POST', '/tokens', 'required'],
  ['DELETE', '/tokens/{t}', 'none'],
  ['POST', '/session', 'required'],
];

it(`answers ${REQUESTS} malformed requests with 4xx problem+json and changes nothing`, { timeout: 300_000 }, async () => {
  const next = rng(20261129);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const junkString = () =>
    pick(['', ' ', 'a b', '../..', '%00', 'ü', '\u0000', 'x'.repeat(200), '"', '{}', 'null', '-1', '1e999', '😀', '<script>']);
  const badName = () => encodeURIComponent(pick(['a b', 'x'.repeat(129), 'ü', '$', '/', '*', '\u0000', '..', '%']));
  const unknownId = () => pick(['0', '-1', 'abc', '99999999999', '1e3', '9'.repeat(30), ' 1', '0x10', '1.5']);
  const scalar = (): unknown => pick<() => unknown>([() => null, () => next() * 1e9, () => -1, () => 1e308, () => junkString(), () => true, () => [], () => ({})])();
  // Bodies that fit no route: not an object, or an object whose fields all have the wrong type.
  const badBody = (): string =>
    pick<() => string>([
      () => JSON.stringify(pick([null, 0, 'text', true, [], [1, 2], [{}]])),
      () => JSON.stringify({ worker_id: scalar(), limit: junkString(), data: undefined, items: scalar(), status: 7, lease_id: 5, error: {}, metadata: undefined }),
      () => JSON.stringify({ items: Array.from({ length: 1 + Math.floor(next() * 3) }, () => ({ max_retries: scalar() })) }),
      () => '{' + junkString(),
      () => Buffer.from(Array.from({ length: 20 }, () => Math.floor(next() * 256))).toString('latin1'),
      () => `{"data":${'['.repeat(50)}${']'.repeat(50)}}`,
    ])();
  const statuses = new Map<number, number>();
  const before = await snapshot();
  const failures: string[] = [];

  const one = async () => {
    const [method, template, rule] = pick(ROUTES);
    let path = template;
    let body: string | undefined;
    let contentType: string | undefined = 'application/json';
    const mode = pick(['path', 'body', 'type', 'method', 'route'] as const);
    const validWorker = 'w1';
    const fill = (t: string, bad: boolean) =>
      t
        .replace('{w}', bad ? badName() : validWorker)
        .replace('{p}', bad ? badName() : 'p')
        .replace('{i}', bad ? unknownId() : held)
        .replace('{t}', bad ? unknownId() : '0123456789abcdef');
    let m = method;
    if (mode === 'path' && template.includes('{')) {
      path = fill(template, true);
      body = rule === 'none' ? undefined : JSON.stringify({ worker_id: 'w1', data: 1, status: 'lost', items: [{ id: unknownId() }] });
    } else if (mode === 'type' && rule !== 'none') {
      path = fill(template, false);
      body = JSON.stringify({ worker_id: 'w1', data: 1 });
      contentType = pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'application/jsonx']);
    } else if (mode === 'method') {
      path = fill(template, false);
      m = 'PUT'; // no route serves PUT
    } else if (mode === 'route') {
      path = `/${pick(['pools', 'items', 'workers', 'nope', 'api'])}/${junkString() ? encodeURIComponent(junkString()) : 'x'}/${pick(['x', 'claim', 'complete', 'y'])}/${pick(['z', 'deep'])}`;
    } else {
      path = fill(template, false);
      body = badBody();
    }
    const headers: Record<string, string> = {};
    if (body !== undefined && contentType) headers['content-type'] = contentType;
    const res = await checkedFetch(`${hub.api}${path}`, { method: m, headers, body });
    const text = await res.text();
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    const label = `${m} ${path} [${mode}] ${body?.slice(0, 80)}`;
    if (res.status < 400 || res.status >= 500) {
      failures.push(`${res.status} ${label} → ${text.slice(0, 200)}`);
      return;
    }
    if (!/^application\/problem\+json/.test(res.headers.get('content-type') ?? '')) failures.push(`not problem+json: ${label}`);
    const p = JSON.parse(text);
    if (p.status !== res.status || typeof p.code !== 'string' || typeof p.detail !== 'string') failures.push(`bad problem: ${label} ${text}`);
  };

  for (let i = 0; i < REQUESTS; i += 10) await Promise.all(Array.from({ length: 10 }, one));
  console.info(`fuzz: ${REQUESTS} requests; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  expect(failures.slice(0, 20)).toEqual([]);
  expect(await snapshot()).toEqual(before);
});

async function snapshot() {
  const [pools, workers, items] = await Promise.all([api.get('/pools'), api.get('/workers'), api.get('/pools/p/items')]);
  return [pools.body, workers.body.workers.map((w: { last_heartbeat: string }) => ({ ...w })), items.body];
}
