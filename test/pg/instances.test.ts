/**
 * Two hub processes on one PostgreSQL database with eight worker processes spread over both.
 * Needs `next build` first (npm test does it).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { openStore, type HubEvent } from '@/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client } from '../helpers/http';
import { startHub, type HubProcess } from '../helpers/hub-process';
import { createTestDatabase } from './database';
import { pushItems, runWorkers, statusTotals, tally } from './fleet';
import { postgresMissing, skipWithoutPostgres } from './availability';

const noPostgres = await postgresMissing();
skipWithoutPostgres(noPostgres);

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let hubs: HubProcess[] = [];

beforeAll(async () => {
  if (noPostgres) return;
  db = await createTestDatabase('instances');
  // Stale after 10 s: long enough that a live worker on a loaded 2-core machine is never reaped
  // (its claims would move and the history below would grow), short enough to reap the victim.
  const env = { DATABASE_URL: db.url, HUB_STALE_SECONDS: '10', HUB_REAP_INTERVAL_SECONDS: '1', HUB_PG_POOL_SIZE: '8' };
  // Started together: both apply migrations at once, under the advisory lock.
  hubs = await Promise.all([startHub(env), startHub(env)]);
}, 90_000);

afterAll(async () => {
  await Promise.all(hubs.map((h) => h.stop()));
  await db?.drop();
});

describe('two hub instances on one PostgreSQL database', () => {
  it('completes 5,000 items exactly once with 8 workers over both, and finishes the item of a worker killed mid-item', async () => {
    const [a, b] = hubs as [HubProcess, HubProcess];
    const pool = 'load';
    const ids = await pushItems(a.api, pool, 5000);
    expect(new Set(ids).size).toBe(5000);

    // The victim takes the first item through instance B, then dies without a word.
    const victim = spawn(process.execPath, [path.join(__dirname, 'worker.mjs')], {
      env: { ...process.env, HUB_API: b.api, WORKER_ID: 'victim', POOL: pool, MODE: 'hang' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const victimItem = await new Promise<string>((resolve) => {
      let out = '';
      victim.stdout!.on('data', (d) => {
        out += d;
        const m = /CLAIMED (\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
    });
    victim.kill('SIGKILL');
    expect(victimItem).toBe(ids[0]);

    const reports = await runWorkers([a.api, b.api], 8, pool);
    const result = await tally(db.url, pool, reports);
    console.info(`two instances: ${JSON.stringify(result)}; answers ${JSON.stringify(statusTotals(reports))}`);
    expect(result).toEqual({ items: 5000, completed: 5000, duplicates: 0, lost: 0 });
    expect(Object.keys(statusTotals(reports)).filter((s) => s.startsWith('5'))).toEqual([]);
    // Both instances served workers.
    for (const r of reports) expect(r.completed.length + r.rejected.length).toBeGreaterThan(0);

    // The victim was reaped (by one instance or the other) and its item finished by another.
    const api = client(a.api);
    expect((await api.get('/workers/victim')).body.status).toBe('lost');
    const item = (await api.get(`/items/${victimItem}`)).body;
    expect(item.status).toBe('completed');
    expect(item.history[0]).toMatchObject({ attempt: 1, worker_id: 'victim', outcome: 'released' });
    const completions = item.history.filter((h: { outcome: string }) => h.outcome === 'completed');
    expect(completions).toHaveLength(1);
    expect(completions[0].worker_id).not.toBe('victim');
  }, 300_000);

  it('answers 400, not 500, for JSON PostgreSQL cannot store (U+0000), changing nothing', async () => {
    const api = client(hubs[0]!.api);
    for (const [path, body] of [
      ['/pools/nul/items', { data: { s: 'a\u0000b' } }],
      ['/workers', { worker_id: 'nul-host', host: 'a\u0000b' }],
    ] as const) {
      const r = await api.post(path, body);
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      expect(r.body).toMatchObject({ status: 400, code: 'unstorable-input' });
    }
    expect((await api.get('/pools/nul')).body.pending).toBe(0);
    expect((await api.get('/workers/nul-host')).status).toBe(404);
  });

  it("lets instance A's store hear a claim made through instance B", async () => {
    // The store level: a third store (as instance A would hold) listening while B serves a claim.
    const heard: HubEvent[] = [];
    const listener = openStore(db.url, { onChange: (e) => heard.push(e) });
    try {
      await listener.ping();
      const api = client(hubs[1]!.api);
      const claimed: string[] = [];
      const wasHeard = () => heard.some((e) => e.type === 'item' && e.status === 'claimed' && claimed.includes(e.id));
      // The listener's LISTEN connection comes up in the background: claim until it hears one.
      const deadline = Date.now() + 20_000;
      while (!wasHeard()) {
        if (Date.now() > deadline) throw new Error('no claim made through instance B was heard');
        expect((await api.post('/pools/heard/items', { data: 1 })).status).toBe(201);
        claimed.push(...(await api.post('/pools/heard/claim', { worker_id: 'listener-test' })).body.items.map((i: { id: string }) => i.id));
        await new Promise((res) => setTimeout(res, 200));
      }
    } finally {
      await listener.close();
    }
  });
});
