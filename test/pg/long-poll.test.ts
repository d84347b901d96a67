/**
 * Long-poll claims across hub instances on one PostgreSQL database: a push through instance A
 * wakes a claim waiting on instance B (LISTEN/NOTIFY), and waiters on both never get one item
 * twice. Needs `next build` first (npm test does it).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
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
  db = await createTestDatabase('longpoll');
  const env = { DATABASE_URL: db.url };
  hubs = await Promise.all([startHub(env), startHub(env)]);
}, 90_000);

afterAll(async () => {
  await Promise.all(hubs.map((h) => h.stop()));
  await db?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('wakes a claim waiting on instance B when an item is pushed through instance A', async () => {
  const [a, b] = hubs.map((h) => client(h.api)) as [ReturnType<typeof client>, ReturnType<typeof client>];
  // B's LISTEN connection comes up in the background: wait until it hears A.
  for (let heard = false; !heard; ) {
    const probe = b.post('/pools/lp-probe/claim', { worker_id: 'probe', wait_seconds: 1 });
    await sleep(100);
    await a.post('/pools/lp-probe/items', { data: 'probe' });
    heard = (await probe).body.items.length > 0;
  }
  const sent = Date.now();
  const waiting = b.post('/pools/lp-cross/claim', { worker_id: 'on-b', wait_seconds: 20 });
  await sleep(300);
  await a.post('/pools/lp-cross/items', { data: 'from a' });
  const r = await waiting;
  expect(r.status).toBe(200);
  expect(r.body.items.map((i: { data: unknown }) => i.data)).toEqual(['from a']);
  expect(Date.now() - sent).toBeLessThan(10_000);

  // Waiters on both instances, more of them than items: each item goes to exactly one.
  const waiters = Array.from({ length: 6 }, (_, n) => (n % 2 ? a : b).post('/pools/lp-many/claim', { worker_id: `m${n}`, wait_seconds: 3 }));
  await sleep(300);
  await a.post('/pools/lp-many/items', { items: [{ data: 1 }, { data: 2 }, { data: 3 }, { data: 4 }] });
  const got = (await Promise.all(waiters)).flatMap((res) => res.body.items.map((i: { data: number }) => i.data));
  expect(got.sort()).toEqual([1, 2, 3, 4]);
});

it('wakes a claim waiting on instance B when instance A resumes its pool, and when a delayed item falls due', async () => {
  const [a, b] = hubs.map((h) => client(h.api)) as [ReturnType<typeof client>, ReturnType<typeof client>];
  await a.post('/pools/lp-paused/pause');
  await a.post('/pools/lp-paused/items', { data: 'held back' });
  const waiting = b.post('/pools/lp-paused/claim', { worker_id: 'on-b', wait_seconds: 20 });
  await sleep(500);
  const resumed = Date.now();
  await a.post('/pools/lp-paused/resume');
  const r = await waiting;
  expect(r.body.items.map((i: { data: unknown }) => i.data)).toEqual(['held back']);
  expect(Date.now() - resumed).toBeLessThan(5_000);

  // Pushed through A with a delay; B's waiting claim gets it once it is due, without any event.
  await a.post('/pools/lp-due/items', { data: 'due soon', delay_seconds: 1 });
  const sent = Date.now();
  const due = await b.post('/pools/lp-due/claim', { worker_id: 'on-b', wait_seconds: 10 });
  expect(due.body.items.map((i: { data: unknown }) => i.data)).toEqual(['due soon']);
  expect(Date.now() - sent).toBeLessThan(5_000);
});
