/**
 * PostgreSQL stopped and started again under two hub instances and eight workers. The server is
 * shared by everything on the machine, so vitest runs this file alone, after all the others
 * (vitest.config.mts), and the server is started again whatever happens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type HubEvent } from '@/db';
import { client } from '../helpers/http';
import { startHub, type HubProcess } from '../helpers/hub-process';
import { checkedFetch } from '../helpers/openapi';
import { createTestDatabase } from './database';
import { pushItems, runWorkers, statusTotals, tally } from './fleet';
import { ensureOnline, pgctl } from './server';
import { postgresMissing, skipWithoutPostgres } from './availability';

const noPostgres = await postgresMissing();
skipWithoutPostgres(noPostgres);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let hubs: HubProcess[] = [];

beforeAll(async () => {
  if (noPostgres) return;
  await ensureOnline();
  db = await createTestDatabase('restart');
  // Stale after 10 s, so no live worker is reaped while the database is away on a loaded machine.
  const env = { DATABASE_URL: db.url, HUB_STALE_SECONDS: '10', HUB_REAP_INTERVAL_SECONDS: '1', HUB_PG_POOL_SIZE: '8' };
  hubs = await Promise.all([startHub(env), startHub(env)]);
}, 90_000);

afterAll(async () => {
  if (noPostgres) return;
  await ensureOnline();
  await Promise.all(hubs.map((h) => h.stop()));
  await db?.drop();
}, 60_000);

async function healthz(h: HubProcess): Promise<{ status: number; type: string | null; code?: string }> {
  const res = await checkedFetch(`${h.url}/healthz`);
  const body = (await res.json()) as { code?: string };
  return { status: res.status, type: res.headers.get('content-type'), ...(body.code ? { code: body.code } : {}) };
}

async function until(what: string, ok: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await sleep(100);
  }
}

describe('PostgreSQL restarting under two hub instances', () => {
  it('loses and doubles nothing, answers 503 while it is down, and recovers by itself', async () => {
    const [a, b] = hubs as [HubProcess, HubProcess];
    const pool = 'outage';
    const n = 2000;
    await pushItems(a.api, pool, n);
    const heard: HubEvent[] = [];
    const listener = openStore(db.url, { onChange: (e) => heard.push(e) });
    await listener.ping();

    const running = runWorkers([a.api, b.api], 8, pool);
    const api = client(a.api);
    await until('a fifth of the items done', async () => (await api.get(`/pools/${pool}`)).body.completed >= n / 5, 120_000);

    const during: Awaited<ReturnType<typeof healthz>>[] = [];
    await pgctl('stop');
    try {
      await until('both instances report the outage', async () => {
        const seen = await Promise.all([healthz(a), healthz(b)]);
        during.push(...seen);
        return seen.every((s) => s.status === 503);
      }, 15_000);
      await sleep(1000); // the workers keep knocking meanwhile
      const api503 = await api.get(`/pools/${pool}`);
      expect(api503.status).toBe(503);
      expect(api503.headers.get('content-type')).toBe('application/problem+json');
      expect(api503.body).toMatchObject({ status: 503, code: 'database-unavailable' });
    } finally {
      await pgctl('start');
    }
    expect(during.filter((s) => s.status !== 200 && s.status !== 503)).toEqual([]);
    expect(during.filter((s) => s.status === 503)[0]).toMatchObject({ type: 'application/problem+json', code: 'database-unavailable' });
    await until('both instances healthy again', async () => (await Promise.all([healthz(a), healthz(b)])).every((s) => s.status === 200), 60_000);

    const reports = await running;
    const result = await tally(db.url, pool, reports);
    const answers = statusTotals(reports);
    console.info(`restart under load: ${JSON.stringify(result)}; answers ${JSON.stringify(answers)}`);
    expect(result).toEqual({ items: n, completed: n, duplicates: 0, lost: 0 });
    expect(Object.keys(answers).filter((s) => s.startsWith('5') && s !== '503')).toEqual([]);
    expect(answers['503']).toBeGreaterThan(0);

    // The listener's LISTEN connection came back by itself: it hears a claim made through B.
    try {
      const apiB = client(b.api);
      const claimed: string[] = [];
      await until(
        'a claim through instance B heard after the restart',
        async () => {
          await apiB.post('/pools/after/items', { data: 1 });
          claimed.push(...(await apiB.post('/pools/after/claim', { worker_id: 'after-restart' })).body.items.map((i: { id: string }) => i.id));
          return heard.some((e) => e.type === 'item' && e.status === 'claimed' && claimed.includes(e.id));
        },
        30_000,
      );
    } finally {
      await listener.close();
    }
  }, 300_000);
});
