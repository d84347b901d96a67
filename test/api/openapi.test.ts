/**
 * The OpenAPI document against the routes that exist: every route.ts under app/ has its entry and
 * every entry its route (same methods), each operation enforces the roles the document says, the
 * hub serves the document, and the answer checker refuses what the document does not describe.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_OPERATIONS, ROLES_OF } from '@/lib/contracts/api';
import { openApiDocument } from '@/lib/openapi/document';
import { startHub, type HubProcess } from '../helpers/hub-process';
import { checkAnswer, checkedFetch } from '../helpers/openapi';

const APP = path.resolve(__dirname, '../../app');

/** Every route.ts under app/ as an OpenAPI path (`[pool]` → `{pool}`; route groups add nothing). */
function routeFiles(dir = APP, rel: string[] = []): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) found.push(...routeFiles(path.join(dir, entry.name), /^\(.+\)$/.test(entry.name) ? rel : [...rel, entry.name]));
    else if (entry.name === 'route.ts') found.push(`/${rel.join('/')}`);
  }
  return found;
}
const CATCH_ALL = '/api/v1/[[...path]]';
const toOpenApi = (p: string) => p.replace(/\[([^\]]+)\]/g, '{$1}');
/** A concrete path for a template: each parameter filled with a value that passes its schema. */
const concrete = (p: string) => p.replace('{pool}', 'p').replace('{id}', p.includes('/tokens/') ? '0123456789abcdef' : '1');

const TOKENS = { operator: 'op-token', worker: 'wk-token', viewer: 'vw-token' } as const;
let hub: HubProcess;
beforeAll(async () => {
  hub = await startHub({ HUB_OPERATOR_TOKEN: TOKENS.operator, HUB_WORKER_TOKEN: TOKENS.worker, HUB_VIEWER_TOKEN: TOKENS.viewer });
});
afterAll(async () => hub?.stop());

describe('the document and the routes', () => {
  it('has a path for every route.ts and a route.ts for every path', () => {
    const routes = routeFiles().filter((p) => p !== CATCH_ALL).map(toOpenApi).sort();
    const documented = Object.keys(openApiDocument().paths).sort();
    expect(documented).toEqual(routes);
  });

  it('lists exactly the methods each route serves (its OPTIONS Allow, or 405 for the others)', async () => {
    for (const p of Object.keys(openApiDocument().paths)) {
      const documented = Object.keys(openApiDocument().paths[p]!).map((m) => m.toUpperCase()).sort();
      const url = `${hub.url}${concrete(p)}`;
      const options = await fetch(url, { method: 'OPTIONS' });
      // Every route.ts is written with the route kit, /healthz too: OPTIONS lists what it serves.
      expect({ path: p, options: options.status }).toEqual({ path: p, options: 204 });
      const served = options.headers.get('allow')!.split(', ').filter((m) => m !== 'HEAD' && m !== 'OPTIONS');
      expect({ path: p, methods: served.sort() }).toEqual({ path: p, methods: documented });
    }
  });

  it('enforces on each operation the roles the document gives it', async () => {
    for (const op of API_OPERATIONS) {
      const roles = ROLES_OF[op.access];
      for (const who of [null, 'viewer', 'worker', 'operator'] as const) {
        const ctrl = new AbortController();
        const headers: Record<string, string> = who ? { authorization: `Bearer ${TOKENS[who]}` } : {};
        // A body that does not parse: authorization comes first, so nothing is ever changed.
        if (op.body) headers['content-type'] = 'application/json';
        const res = await checkedFetch(`${hub.url}${concrete(op.path)}`, { method: op.method, headers, body: op.body ? '{' : undefined, signal: ctrl.signal });
        const expected = roles === null ? 'in' : who === null ? 401 : roles.includes(who) ? 'in' : 403;
        const got = res.status === 401 || res.status === 403 ? res.status : 'in';
        // GET /session without a token is a 401 by design: it answers who the caller is.
        if (!(op.id === 'getSession' && who === null)) expect(`${op.method} ${op.path} as ${who ?? 'nobody'}: ${got}`).toBe(`${op.method} ${op.path} as ${who ?? 'nobody'}: ${expected}`);
        ctrl.abort();
        await res.arrayBuffer().catch(() => {});
      }
    }
  });
});

it('serves the document at /api/v1/openapi.json without a token', async () => {
  const res = await checkedFetch(`${hub.api}/openapi.json`);
  expect(res.status).toBe(200);
  const doc = await res.json();
  expect(doc).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  expect(doc.openapi).toMatch(/^3\.1\./);
  expect(doc.components.securitySchemes).toMatchObject({ bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'hub_session' } });
  expect(doc.paths['/api/v1/pools/{pool}/claim'].post.security).toEqual([{ bearer: ['operator', 'worker'] }, { session: ['operator', 'worker'] }]);
});

describe('the answer checker', () => {
  const item = { id: '1', pool: 'p', data: null, status: 'pending', claimed_by: null, lease_id: null, attempts: 0, max_retries: 3, created_at: 'x', claimed_at: null, completed_at: null, result: null, last_error: null, last_error_type: null, priority: 0, run_at: null, key: null };
  const problem = (status: number, code: string) => JSON.stringify({ type: `urn:flatmachines-hub:problem:${code}`, title: 't', status, detail: 'd', code });
  const url = 'http://h/api/v1/items/1/complete';

  it('takes an answer the document describes', () => {
    expect(() => checkAnswer('POST', url, 200, 'application/json', JSON.stringify(item))).not.toThrow();
    expect(() => checkAnswer('POST', url, 409, 'application/problem+json', problem(409, 'stale-lease'))).not.toThrow();
  });

  it('refuses a missing or extra field, an unlisted status or code, and a wrong content type', () => {
    const { last_error: _, ...missing } = item;
    expect(() => checkAnswer('POST', url, 200, 'application/json', JSON.stringify(missing))).toThrow(/last_error/);
    expect(() => checkAnswer('POST', url, 200, 'application/json', JSON.stringify({ ...item, extra: 1 }))).toThrow(/additional/);
    expect(() => checkAnswer('POST', url, 201, 'application/json', JSON.stringify(item))).toThrow(/lists no 201/);
    expect(() => checkAnswer('POST', url, 409, 'application/problem+json', problem(409, 'item-not-pending'))).toThrow(/allowed values/);
    expect(() => checkAnswer('POST', url, 200, 'text/plain', JSON.stringify(item))).toThrow(/content-type/);
  });
});
