import { EventEmitter } from 'node:events';
import { openStore, type HubEvent, type HubStore } from '@/db';
import { config, type HubConfig } from '@/lib/env';
import { withMetrics } from './metrics';
import { Waiters } from './waiters';

/** What travels on the hub's in-process bus. */
export interface HubBus {
  change: [HubEvent];
  revoked: [string];
}

/** The process's one hub: config, store and the bus that live events travel on. */
export interface Hub {
  config: HubConfig;
  store: HubStore;
  /**
   * Emits `change` with a HubEvent after every committed change, and `revoked` with a token's id
   * when this instance revokes it (live streams opened with it close).
   */
  events: EventEmitter<HubBus>;
  /** Claims waiting for work (long-poll), woken by `events`. */
  waiters: Waiters;
}

// On globalThis so `next dev` reloads, and the separately bundled instrumentation and route
// modules, share one database handle instead of opening new ones.
const g = globalThis as typeof globalThis & { __flatmachinesHub?: Hub };

/** Answers every waiting claim (shutdown); nothing to do when no hub was made in this process. */
export function closeWaiters(): void {
  g.__flatmachinesHub?.waiters.close();
}

export function getHub(): Hub {
  if (!g.__flatmachinesHub) {
    const cfg = config();
    const events = new EventEmitter<HubBus>();
    events.setMaxListeners(0);
    // On PostgreSQL, onChange also hears other instances' changes (LISTEN/NOTIFY).
    const opened = openStore(cfg.databaseUrl, { onChange: (e) => events.emit('change', e), poolSize: cfg.pgPoolSize });
    // Counts pushes, claims, completions… for GET /metrics (lib/server/metrics.ts).
    const store = withMetrics(opened);
    const waiters = new Waiters(cfg.maxWaitingClaims);
    events.on('change', waiters.onChange);
    g.__flatmachinesHub = { config: cfg, store, events, waiters };
  }
  return g.__flatmachinesHub;
}
