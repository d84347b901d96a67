import { loggable, storeProblemOf } from '@/db';
import type { Hub } from './hub';

const g = globalThis as typeof globalThis & { __flatmachinesReaper?: NodeJS.Timeout };

/**
 * Runs the reaper (stale workers → lost, their items released or poisoned) and retention
 * pruning (completed items, terminated workers) every `reapIntervalSeconds`. Once per process; the timer does not keep it alive.
 */
export function startReaper(hub: Hub): void {
  if (g.__flatmachinesReaper) return;
  const { staleSeconds, retentionSeconds, workerRetentionSeconds, reapIntervalSeconds } = hub.config;
  let running = false;
  const tick = async () => {
    if (running) return; // a slow tick must not pile up behind itself
    running = true;
    try {
      const reaped = await hub.store.reap(staleSeconds);
      if (reaped.lost.length) {
        console.info(
          `reaper: lost ${reaped.lost.join(', ')}; released ${reaped.released}, poisoned ${reaped.poisoned}`,
        );
      }
      await hub.store.prune(retentionSeconds);
      if (workerRetentionSeconds > 0) await hub.store.pruneWorkers(workerRetentionSeconds);
    } catch (err) {
      // The database away (a restart): one line a tick, not a stack; the next tick tries again.
      const stored = storeProblemOf(err);
      if (stored) console.warn(`reaper: skipped, ${stored.detail}`);
      else console.error('reaper: tick failed', loggable(err));
    } finally {
      running = false;
    }
  };
  g.__flatmachinesReaper = setInterval(tick, reapIntervalSeconds * 1000);
  g.__flatmachinesReaper.unref();
}
