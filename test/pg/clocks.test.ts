/**
 * Two hub instances on one PostgreSQL database whose hosts disagree on the time: hub B runs with
 * Debian's libfaketime preloaded, 90 s ahead of hub A (.ci/run installs faketime).
 * The library is preloaded into the hub process itself rather than run through the `faketime`
 * command, which would stand between the test and the hub and leave the hub running when stopped. Heartbeats and the
 * reaper's threshold come from the database's clock, so B's reaper must not take a worker that
 * heartbeats through A for a silent one. Needs `next build` first (npm test does it).
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { client } from '../helpers/http';
import { startHub, type HubProcess } from '../helpers/hub-process';
import { createTestDatabase } from './database';
import { postgresMissing, skipWithoutPostgres } from './availability';

const noPostgres = await postgresMissing();
skipWithoutPostgres(noPostgres);

const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
const hubs: HubProcess[] = [];

beforeAll(async () => {
  if (noPostgres) return;
  if (!existsSync(LIBFAKETIME)) throw new Error(`this test needs ${LIBFAKETIME}: apt-get install -y faketime`);
  db = await createTestDatabase('clocks');
  const env = { DATABASE_URL: db.url, HUB_STALE_SECONDS: '60', HUB_REAP_INTERVAL_SECONDS: '0.2' };
  const a = await startHub(env);
  hubs.push(a);
  hubs.push(await startHub({ ...env, LD_PRELOAD: LIBFAKETIME, FAKETIME: '+90s' }));
}, 90_000);

afterAll(async () => {
  await Promise.all(hubs.map((h) => h.stop()));
  await db?.drop();
});

it('keeps a heartbeating worker active when another instance’s host clock is 90 s ahead', async () => {
  const [a, b] = hubs.map((h) => client(h.api)) as [ReturnType<typeof client>, ReturnType<typeof client>];
  await a.post('/workers', { worker_id: 'on-a' });
  await a.post('/pools/skew/items', { data: 1 });
  expect((await a.post('/pools/skew/claim', { worker_id: 'on-a' })).body.items).toHaveLength(1);
  // Two seconds of heartbeats through A while B's reaper runs ten times a second.
  for (let i = 0; i < 10; i++) {
    expect((await a.post('/workers/on-a/heartbeat', {})).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
  }
  const seen = await b.get('/workers/on-a');
  expect(seen.body).toMatchObject({ status: 'active', claimed_count: 1 });
  // And a worker heartbeating through B is not from the future as A sees it.
  await b.post('/workers', { worker_id: 'on-b' });
  const stamped = Date.parse((await a.get('/workers/on-b')).body.last_heartbeat);
  expect(Math.abs(stamped - Date.now())).toBeLessThan(5_000);
  expect((await a.get('/workers?stale_threshold_seconds=30')).body.workers).toEqual([]);
});
