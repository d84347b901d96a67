/**
 * What the store contract's suites share: every engine's HubStore must pass each of them. An
 * engine's test file calls each suite (`claimsContract(name, open)`, … in `*-contract.ts`), where
 * `open` gives a fresh, empty store with a clock the test can move; its helpers make items in
 * every state, so a test can act on one and assert that the others were left alone.
 */
import { expect } from 'vitest';
import type { HubEvent, HubStore } from '@/db';
import type { WorkItem } from '@/lib/contracts';

export interface Clock {
  now: () => number;
  advance: (ms: number) => void;
}

export function manualClock(start = Date.parse('2026-11-29T08:00:00.000Z')): Clock {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

export type OpenStore = (opts: { clock: () => number; onChange: (e: HubEvent) => void }) => Promise<{
  store: HubStore;
  cleanup: () => Promise<void>;
}>;

/** Claims one item of `pool` for `worker`, failing the test when none is handed out. */
export async function claimOne(store: HubStore, pool: string, worker: string): Promise<WorkItem> {
  const r = await store.claim(pool, worker, 1);
  if (!r.ok) throw new Error(`claim refused: ${r.detail}`);
  expect(r.value).toHaveLength(1);
  return r.value[0]!;
}

/**
 * Items in every state across two pools and two workers, so a test can act on one and assert
 * that all the others were left alone.
 */
export async function makeSelection(store: HubStore) {
  await store.registerWorker({ worker_id: 'w-a' });
  await store.registerWorker({ worker_id: 'w-b' });
  const sel: Record<string, string> = {};
  for (const pool of ['alpha', 'beta']) {
    const [pending, claimedA, claimedB, completed, poisoned] = (await store.push(pool, [
      { data: `${pool}-pending` },
      { data: `${pool}-claimedA` },
      { data: `${pool}-claimedB` },
      { data: `${pool}-completed` },
      { data: `${pool}-poisoned`, max_retries: 1 },
    ])).ids;
    // Claim in push order: pending stays last by claiming it first and failing it back.
    const p = await claimOne(store, pool, 'w-a');
    expect(p.id).toBe(pending);
    await store.fail(p.id, { workerId: 'w-a', error: 'first try failed' });
    const r = await store.claimItem(claimedA!, 'w-a');
    expect(r.ok).toBe(true);
    expect((await store.claimItem(claimedB!, 'w-b')).ok).toBe(true);
    expect((await store.claimItem(completed!, 'w-b')).ok).toBe(true);
    expect((await store.complete(completed!, { workerId: 'w-b', result: 'done' })).ok).toBe(true);
    expect((await store.claimItem(poisoned!, 'w-a')).ok).toBe(true);
    expect((await store.fail(poisoned!, { workerId: 'w-a', error: 'bad input' })).ok).toBe(true);
    Object.assign(sel, {
      [`${pool}.pending`]: pending!,
      [`${pool}.claimedA`]: claimedA!,
      [`${pool}.claimedB`]: claimedB!,
      [`${pool}.completed`]: completed!,
      [`${pool}.poisoned`]: poisoned!,
    });
  }
  return sel;
}

/** The items as they are now, to compare with after an action that must leave them alone. */
export async function snapshot(store: HubStore, ids: string[]) {
  return Promise.all(ids.map((id) => store.getItem(id)));
}

/**
 * A fresh, empty store for one test, with a clock at 2026-11-29T08:00 that the test moves and
 * the events it told; `cleanup` closes and deletes it (return it from `beforeEach`).
 */
export async function freshStore(open: OpenStore) {
  const clock = manualClock();
  const events: HubEvent[] = [];
  const { store, cleanup } = await open({ clock: clock.now, onChange: (e) => events.push(e) });
  return { store, clock, events, cleanup };
}
