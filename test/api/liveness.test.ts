/**
 * The hub's own timers: the reaper and retention pruning, in a real hub process. Ages are made
 * by moving the hub's clock, except where two workers must age apart (the first test).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { client, type Client } from '../helpers/http';
import { startHubWithClock, type HubClock, type HubProcess } from '../helpers/hub-process';
import { scrape } from '../helpers/metrics';

let hub: HubProcess & { clock: HubClock };
let api: Client;

beforeAll(async () => {
  hub = await startHubWithClock({ HUB_STALE_SECONDS: '1', HUB_REAP_INTERVAL_SECONDS: '0.2', HUB_RETENTION_SECONDS: '1', HUB_WORKER_RETENTION_SECONDS: '60' });
  api = client(hub.api);
});
afterAll(async () => hub?.stop());

async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Waits until the reaper's timer has run a whole round that began after this call: its rounds
 * never overlap, and each counts in hub_reaps_total as it starts, so two more counted means the
 * first of them (reap, prune, prune workers) has finished.
 */
async function wholeReaperRound(): Promise<void> {
  const reaps = async () => (await scrape(hub.url)).value('hub_reaps_total') ?? 0;
  const from = await reaps();
  await until('a whole reaper round', reaps, (n) => n >= from + 2);
}

it('marks a silent worker lost on its own and releases its items, poisoning exhausted ones', async () => {
  await api.post('/workers', { worker_id: 'silent' });
  await api.post('/workers', { worker_id: 'alive' });
  const { body } = await api.post('/pools/reap/items', { items: [{ data: 'retry me' }, { data: 'kills workers', max_retries: 1 }, { data: 'kept' }] });
  const [retryMe, killer, kept] = body.ids;
  await api.post(`/items/${retryMe}/claim`, { worker_id: 'silent' });
  await api.post(`/items/${killer}/claim`, { worker_id: 'silent' });
  await api.post(`/items/${kept}/claim`, { worker_id: 'alive' });
  const beat = setInterval(() => void api.post('/workers/alive/heartbeat', {}), 200);
  try {
    await until('the reaper', () => api.get('/workers/silent'), (r) => r.body.status === 'lost');
    expect((await api.get(`/items/${retryMe}`)).body).toMatchObject({ status: 'pending', attempts: 1, claimed_by: null });
    const poisoned = (await api.get(`/items/${killer}`)).body;
    expect(poisoned).toMatchObject({ status: 'poisoned', attempts: 1 });
    expect(poisoned.last_error).toMatch(/silent was lost/);
    expect((await api.get(`/items/${kept}`)).body.status).toBe('claimed');
    expect((await api.get('/workers/alive')).body.status).toBe('active');
  } finally {
    clearInterval(beat);
  }
  // The lost worker must register again before it claims.
  const refused = await api.post('/pools/reap/claim', { worker_id: 'silent' });
  expect(refused).toMatchObject({ status: 409, body: { code: 'worker-not-active' } });
});

it('runs the reaper on demand with POST /reap', async () => {
  await api.post('/workers', { worker_id: 'brief' });
  hub.clock.advance(2); // past the 1 s stale threshold
  const r = await api.post('/reap');
  expect(r.status).toBe(200);
  expect(r.body).toHaveProperty('released');
  expect(Array.isArray(r.body.lost)).toBe(true);
  expect((await api.get('/workers/brief')).body.status).toBe('lost');
});

it('prunes completed items older than the retention period', async () => {
  const { body } = await api.post('/pools/prune/items', { items: [{ data: 'done' }, { data: 'waiting' }] });
  await api.post(`/items/${body.ids[0]}/claim`, { worker_id: 'pruner' });
  await api.post(`/items/${body.ids[0]}/complete`, { worker_id: 'pruner' });
  hub.clock.advance(2); // past the 1 s retention period
  await until('pruning', () => api.get(`/items/${body.ids[0]}`), (r) => r.status === 404);
  expect((await api.get(`/items/${body.ids[1]}`)).body.status).toBe('pending');
});

it('prunes terminated workers a retention after their last heartbeat, keeping lost ones', async () => {
  await api.post('/workers', { worker_id: 'finished' });
  await api.post('/workers', { worker_id: 'vanished' });
  expect((await api.patch('/workers/finished', { status: 'terminated' })).status).toBe(200);
  expect((await api.patch('/workers/vanished', { status: 'lost' })).status).toBe(200);
  hub.clock.advance(30); // half the retention
  await wholeReaperRound();
  expect((await api.get('/workers/finished')).body.status).toBe('terminated');
  hub.clock.advance(31); // past the 60 s worker retention
  await until('worker pruning', () => api.get('/workers/finished'), (r) => r.status === 404);
  expect((await api.get('/workers/vanished')).body.status).toBe('lost');
});
