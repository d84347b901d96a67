import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { HubStore, StoreOptions } from '../types';
import { audited } from './tokens-audit';
import type { SqliteCtx, SqliteDb } from './context';
import * as itemFilters from './item-filters';
import * as liveness from './liveness';
import * as views from './views';
import * as pools from './pools';
import * as reads from './reads';
import * as security from './tokens-audit';
import { settingsAudit } from '../tokens-audit';
import * as workerReads from './workers';
import { claimSqlite } from '../ops/claim';
import { claimItemSqlite } from '../ops/claim-item';
import { completeManySqlite, completeSqlite } from '../ops/complete';
import { deleteItemAudit, deleteItemSqlite, discardPoolAudit, discardPoolSqlite } from '../ops/discard';
import { failSqlite } from '../ops/fail';
import { pushSqlite } from '../ops/push';
import { reapAudit, reapSqlite } from '../ops/reap';
import { releaseAudit, releaseWorkerSqlite } from '../ops/release';
import { retryItemAudit, retryItemSqlite, retryPoolAudit, retryPoolSqlite } from '../ops/retry';
import { nextDueSqlite, runItemAudit, runItemSqlite } from '../ops/run-now';
import { heartbeatSqlite, registerWorkerSqlite, setWorkerStatusSqlite, statusAudit } from '../ops/workers';
import * as stats from './stats';

export interface SqliteStoreOptions extends StoreOptions {
  migrationsFolder?: string;
  /** Completed items one prune looks at (liveness.ts PRUNE_WINDOW); for tests. */
  pruneWindow?: number;
}

/** Applies migrations; when several processes open a fresh file at once, the losers retry. */
function migrateWithRetry(db: SqliteDb, migrationsFolder: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      migrate(db, { migrationsFolder });
      return;
    } catch (err) {
      if (attempt >= 5) throw err;
    }
  }
}

/**
 * Opens (creating if needed) a SQLite database file, applies migrations and returns the store.
 * WAL lets readers run beside the one writer; the busy timeout makes writers from other
 * processes wait their turn instead of failing; synchronous=NORMAL keeps every commit through a
 * process crash (a power loss may lose the last few).
 */
export function createSqliteStore(file: string, opts: SqliteStoreOptions = {}): HubStore {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('synchronous = NORMAL');
  // Checkpoints off the request path. SQLite's own runs inside whichever commit fills the WAL to
  // 1,000 pages, and that request waits for it: it made the claim p99 at a million items 2–3×
  // the median's hundredfold. A timer checkpoints between requests instead; the automatic one
  // stays as a backstop, at 10,000 pages (40 MB), for a process whose timers cannot run.
  sqlite.pragma('wal_autocheckpoint = 10000');
  const checkpoints = setInterval(() => {
    try {
      sqlite.pragma('wal_checkpoint(PASSIVE)'); // copies what it can, never waits for a lock
    } catch {
      // closed or busy: the next tick, or the backstop, catches up
    }
  }, 1000);
  checkpoints.unref();
  const db = drizzle(sqlite) as SqliteDb;
  migrateWithRetry(db, opts.migrationsFolder ?? path.join(process.cwd(), 'db/migrations/sqlite'));

  const ctx: SqliteCtx = {
    db,
    sqlite,
    inTransaction: sqlite.transaction((fn: () => unknown) => fn()),
    prepared: { plain: new Map(), raw: new Map() },
    clock: opts.clock ?? Date.now,
    emit: opts.onChange ?? (() => {}),
    prune: { pool: undefined, cursors: new Map() },
    busyPools: new Set(),
  };
  // better-sqlite3 is synchronous; the interface is async so PostgreSQL can stand beside it.
  return {
    engine: 'sqlite',
    registerWorker: async (input) => registerWorkerSqlite(ctx, input),
    heartbeat: async (id, input) => heartbeatSqlite(ctx, id, input),
    setWorkerStatus: async (id, status, by) => audited(ctx, by, (c) => setWorkerStatusSqlite(c, id, status), statusAudit(id, status)),
    getWorker: async (id) => workerReads.getWorker(db, id),
    listWorkers: async (filter) => workerReads.listWorkers(ctx, filter),
    releaseWorker: async (id, pool, by) => audited(ctx, by, (c) => releaseWorkerSqlite(c, id, pool), releaseAudit(id, pool)),
    push: async (pool, batch) => pushSqlite(ctx, pool, batch),
    claim: async (pool, workerId, limit, claimId) => claimSqlite(ctx, pool, workerId, limit, claimId),
    claimItem: async (id, workerId) => claimItemSqlite(ctx, id, workerId),
    complete: async (id, c) => completeSqlite(ctx, id, c),
    completeMany: async (input) => completeManySqlite(ctx, input),
    fail: async (id, c) => failSqlite(ctx, id, c),
    retryItem: async (id, by) => audited(ctx, by, (c) => retryItemSqlite(c, id), retryItemAudit(id)),
    retryPool: async (pool, status, error, by) => audited(ctx, by, (c) => retryPoolSqlite(c, pool, status, error), retryPoolAudit(pool, status, error)),
    discardPool: async (pool, status, error, by) =>
      audited(ctx, by, (c) => discardPoolSqlite(c, pool, status, error), discardPoolAudit(pool, status, error)),
    deleteItem: async (id, by) => audited(ctx, by, (c) => deleteItemSqlite(c, id), deleteItemAudit(id)),
    getItem: async (id) => reads.getItem(db, id),
    listItems: async (pool, q) => itemFilters.listItems(ctx, pool, q),
    countItems: async (pool, q) => itemFilters.countItems(ctx, pool, q),
    workerItems: async (id) => itemFilters.workerItems(ctx, id),
    listPools: async () => reads.listPools(ctx),
    getPool: async (pool) => reads.getPool(ctx, pool),
    nextDue: async (pool) => nextDueSqlite(ctx, pool),
    runItem: async (id, by) => audited(ctx, by, (c) => runItemSqlite(c, id), runItemAudit(id)),
    getPoolSettings: async (pool) => pools.getPoolSettings(ctx, pool),
    updatePoolSettings: async (pool, patch, by) =>
      audited(ctx, by, (c) => pools.updatePoolSettings(c, pool, patch), settingsAudit(pool, patch)),
    errorGroups: async (pool, limit) => views.errorGroups(db, pool, limit),
    poolHolders: async (pool) => views.poolHolders(db, pool),
    throughput: async (minutes) => views.readThroughput(ctx, minutes),
    workerStats: async () => stats.workerStats(ctx),
    queueLatency: async (minutes) => stats.queueLatency(ctx, minutes),
    reap: async (staleSeconds, by) => audited(ctx, by, (c) => reapSqlite(c, staleSeconds), reapAudit),
    prune: async (retentionSeconds) => liveness.prune(ctx, retentionSeconds, opts.pruneWindow),
    pruneWorkers: async (retentionSeconds) => liveness.pruneWorkers(ctx, retentionSeconds),
    issueToken: async (input, actor) => security.issueToken(ctx, input, actor),
    listTokens: async () => security.listTokens(ctx),
    revokeToken: async (id, actor) => security.revokeToken(ctx, id, actor),
    findToken: async (hash) => security.findToken(ctx, hash),
    touchToken: async (id) => security.touchToken(ctx, id),
    recordAudit: async (entry) => security.recordAudit(ctx, entry),
    listAudit: async (q) => security.listAudit(ctx, q),
    ping: async () => reads.ping(db),
    close: async () => {
      clearInterval(checkpoints);
      sqlite.close();
    },
  };
}
