/**
 * Issued tokens and the audit trail with two hub instances on one PostgreSQL database: a token
 * issued on one works on the other, a revoke on one is refused by the other at once, and both
 * instances write one trail. Needs `next build` first (npm test does it).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AuditPage, IssuedToken } from '@/lib/contracts';
import { client } from '../helpers/http';
import { startHub, type HubProcess } from '../helpers/hub-process';
import { createTestDatabase } from './database';
import { postgresMissing, skipWithoutPostgres } from './availability';

const noPostgres = await postgresMissing();
skipWithoutPostgres(noPostgres);

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let hubs: HubProcess[] = [];

beforeAll(async () => {
  if (noPostgres) return;
  db = await createTestDatabase('security');
  const env = { DATABASE_URL: db.url, HUB_OPERATOR_TOKEN: 'op-secret', HOST: '127.0.0.1' };
  hubs = await Promise.all([startHub(env), startHub(env)]);
}, 90_000);

afterAll(async () => {
  await Promise.all(hubs.map((h) => h.stop()));
  await db?.drop();
});

it('shares issued tokens, revocations and the audit trail between instances', async () => {
  const [a, b] = hubs.map((h) => client(h.api, { token: 'op-secret' })) as [ReturnType<typeof client>, ReturnType<typeof client>];
  const issued = IssuedToken.parse((await a.post('/tokens', { name: 'pg-worker', role: 'worker' })).body);
  const onA = client(hubs[0]!.api, { token: issued.token });
  const onB = client(hubs[1]!.api, { token: issued.token });
  const { body } = await onB.post('/pools/pg/items', { data: 1 });
  expect((await onB.post('/pools/pg/claim', { worker_id: 'pw' })).body.items).toHaveLength(1);
  expect((await onA.post(`/items/${body.id}/retry`)).status).toBe(403);

  expect((await b.del(`/tokens/${issued.id}`)).status).toBe(204);
  expect((await onA.get('/pools')).status).toBe(401);
  expect((await onB.get('/pools')).status).toBe(401);

  expect((await a.post('/workers/pw/release')).body).toEqual({ released: 1 });
  const { entries } = AuditPage.parse((await b.get('/audit')).body);
  expect(entries.map((e) => [e.action, e.actor, e.changed])).toEqual([
    ['worker.release', 'operator', 1],
    ['token.revoke', 'operator', 1],
    ['token.issue', 'operator', 1],
  ]);
  expect((await a.get('/tokens')).body.tokens[0].last_used_at).not.toBeNull();
});
