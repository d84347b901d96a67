/**
 * Input that once got different answers on the two engines (a 500 on PostgreSQL), or was taken
 * for something it is not: the same request gets the same 4xx on SQLite and PostgreSQL and
 * changes nothing. Needs `next build` first (npm test does it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrizzleQueryError } from 'drizzle-orm';
import pg from 'pg';
import { loggable } from '@/db';
import { client, type Client } from '../helpers/http';
import { startHub, type HubProcess } from '../helpers/hub-process';
import { createTestDatabase } from '../pg/database';
import { postgresMissing, skipWithoutPostgres } from '../pg/availability';

const noPostgres = await postgresMissing();

const LONE = '"\\ud800"'; // JSON text of a string holding a lone high surrogate
const BOM = '\ufeff';

type Case = [label: string, method: string, path: string, body: string, code: string];
const cases = (item: string): Case[] => [
  ['push: lone surrogate in data', 'POST', '/pools/p/items', `{"data": {"name": ${LONE}}}`, 'invalid-request'],
  ['push: lone surrogate in a key', 'POST', '/pools/p/items', `{"data": {"\\udfff": 1}}`, 'invalid-request'],
  ['push batch: lone surrogate deep in data', 'POST', '/pools/p/items', `{"items": [{"data": 1}, {"data": [[${LONE}]]}]}`, 'invalid-request'],
  ['complete: lone surrogate in result', 'POST', `/items/${item}/complete`, `{"worker_id": "w1", "result": ${LONE}}`, 'invalid-request'],
  ['fail: lone surrogate in error', 'POST', `/items/${item}/fail`, `{"worker_id": "w1", "error": ${LONE}}`, 'invalid-request'],
  ['register: lone surrogate in metadata', 'POST', '/workers', `{"worker_id": "w9", "metadata": {"m": ${LONE}}}`, 'invalid-request'],
  ['heartbeat: lone surrogate in metadata', 'POST', '/workers/w1/heartbeat', `{"metadata": ${LONE}}`, 'invalid-request'],
  ['register: a body that is only a byte-order mark', 'POST', '/workers', BOM, 'invalid-json'],
  ['retry pool: a body that is only a byte-order mark', 'POST', '/pools/p/retry', BOM, 'invalid-json'],
  ['reap: a byte-order mark and spaces', 'POST', '/reap', `${BOM}  `, 'invalid-json'],
];

async function engine(name: 'sqlite' | 'postgres') {
  let hub: HubProcess;
  let api: Client;
  let item: string;
  let drop = async () => {};

  const state = async () => {
    const [pools, workers, items, one] = await Promise.all([
      api.get('/pools'),
      api.get('/workers'),
      api.get('/pools/p/items?limit=500'),
      api.get(`/items/${item}`),
    ]);
    return [pools.body, workers.body, items.body, one.body];
  };

  describe(`on ${name}`, () => {
    if (name === 'postgres') skipWithoutPostgres(noPostgres);
    beforeAll(async () => {
      if (name === 'postgres' && noPostgres) return;
      let env: Record<string, string> = {};
      if (name === 'postgres') {
        const db = await createTestDatabase('input');
        env = { DATABASE_URL: db.url };
        drop = db.drop;
      }
      hub = await startHub(env);
      api = client(hub.api);
      await api.post('/workers', { worker_id: 'w1' });
      await api.post('/workers', { worker_id: 'bare' });
      item = (await api.post('/pools/p/items', { data: 'held' })).body.id;
      await api.post('/pools/p/items', { data: 'waiting' });
      await api.post('/pools/p/claim', { worker_id: 'w1' });
    }, 60_000);
    afterAll(async () => {
      await hub?.stop();
      await drop();
    });

    it('refuses bad text and non-JSON bodies with a 400 naming the problem, changing nothing', async () => {
      for (const [label, method, path, body, code] of cases(item)) {
        const before = await state();
        const res = await fetch(`${hub.api}${path}`, { method, headers: { 'content-type': 'application/json' }, body });
        const text = await res.text();
        expect(res.status, `${label}: ${text}`).toBe(400);
        expect(res.headers.get('content-type'), label).toMatch(/^application\/problem\+json/);
        expect(JSON.parse(text), label).toMatchObject({ status: 400, code });
        expect(await state(), label).toEqual(before);
      }
      const res = await api.get('/pools/p/items?limit=500');
      expect(res.body.items).toHaveLength(2);
      // JSON after a byte-order mark is still JSON (RFC 8259 lets a parser ignore the mark).
      const bom = await fetch(`${hub.api}/pools/p/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `${BOM}{"data": 3}` });
      expect(bom.status).toBe(201);
    });

    it('refuses a staleness filter no date can express', async () => {
      for (const v of ['1e308', '1e20', 'Infinity']) {
        const res = await api.get(`/workers?stale_threshold_seconds=${v}`);
        expect(res.status, `${v}: ${JSON.stringify(res.body)}`).toBe(400);
        expect(res.body.detail).toMatch(/stale_threshold_seconds/);
      }
      expect((await api.get('/workers?stale_threshold_seconds=315360000')).status).toBe(200);
    });

    it('keeps a worker without metadata without it after an empty merge (seed)', async () => {
      const res = await api.post('/workers/bare/heartbeat', { metadata: {} });
      expect(res.status).toBe(200);
      expect(res.body.metadata).toBeNull();
    });

    it('never writes item data to its log', async () => {
      await api.post('/pools/p/items', { data: { secret: 'SECRET-IN-DATA' } });
      expect(hub.output()).not.toContain('SECRET-IN-DATA');
    });
  });
}

await engine('sqlite');
await engine('postgres');

it('logs a failed query by its statement, never its parameters', async (ctx) => {
  if (noPostgres) ctx.skip(`skipped: ${noPostgres}`);
  const db = await createTestDatabase('loggable');
  const conn = new pg.Client({ connectionString: db.url });
  await conn.connect();
  try {
    let failure: unknown;
    try {
      await conn.query('SELECT $1::int', ['SECRET-PARAM']);
    } catch (err) {
      failure = new DrizzleQueryError('SELECT $1::int', ['SECRET-PARAM'], err as Error);
    }
    const line = String(loggable(failure));
    expect(line).toContain('SELECT $1::int');
    expect(line).toMatch(/SQLSTATE 22P02/);
    expect(line).not.toContain('SECRET-PARAM');
    expect(String(failure)).toContain('SECRET-PARAM'); // what the log printed before
  } finally {
    await conn.end();
    await db.drop();
  }
});
