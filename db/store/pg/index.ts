import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import type { HubEvent, HubStore, StoreOptions } from '../types';
import { createPool, translateError } from './connection';
import { compactCounts } from './counts';
import type { PgCtx } from './context';
import { createListener, createPublisher } from './events';
import * as pools from './pools';
import * as liveness from './liveness';
import * as views from './views';
import { migrateLocked } from './migrate';
import * as reads from './reads';
import * as security from './tokens-audit';
import { audited } from './tokens-audit';
import { settingsAudit } from '../tokens-audit';
import * as workerReads from './workers';
import { claimPg } from '../ops/claim';
import { claimItemPg } from '../ops/claim-item';
import { completeManyPg, completePg } from '../ops/complete';
import { deleteItemAudit, deleteItemPg, discardPoolAudit, discardPoolPg } from '../ops/discard';
import { failPg } from '../ops/fail';
import { pushPg } from '../ops/push';
import { reapAudit, reapPg } from '../ops/reap';
import { releaseAudit, releaseWorkerPg } from '../ops/release';
import { retryItemAudit, retryItemPg, retryPoolAudit, retryPoolPg } from '../ops/retry';
import { nextDuePg, runItemAudit, runItemPg } from '../ops/run-now';
import { heartbeatPg, registerWorkerPg, setWorkerStatusPg, statusAudit } from '../ops/workers';

export interface PgStoreOptions extends StoreOptions {
  migrationsFolder?: string;
  /**
   * This machine's clock (default Date.now), which the store sets by the database's: see
   * `clock` below. Tests give one that runs ahead to play a host whose clock is wrong.
   */
  hostClock?: () => number;
}

/** How often the store reads the database's clock again (a host clock may drift or be stepped). */
const CLOCK_SYNC_MS = 10_000;

export const DEFAULT_POOL_SIZE = 10;

/**
 * A store on PostgreSQL; several hub instances may share one database. Returns at once, without
 * a connection: migrations are applied (under an advisory lock) before the first call is served,
 * and tried again on the next call if the database was unreachable, so a hub started while
 * PostgreSQL is down serves 503s until it is up instead of exiting.
 *
 * Every call that cannot reach the database fails with a StoreError `database-unavailable`
 * (the routes answer 503); the pool replaces dropped connections by itself.
 *
 * `onChange` hears this store's changes at once, after each commit, and other instances'
 * changes through LISTEN/NOTIFY (see ./events.ts).
 */
export function createPgStore(connectionString: string, opts: PgStoreOptions = {}): HubStore {
  const pool = createPool(connectionString, opts.poolSize ?? DEFAULT_POOL_SIZE);
  const db = drizzle({ client: pool });
  const origin = randomUUID();
  const publisher = createPublisher(pool, origin);
  const onChange = opts.onChange ?? (() => {});
  const listener = opts.onChange ? createListener(connectionString, origin, onChange) : null;
  const emit = (event: HubEvent) => {
    onChange(event);
    publisher.publish(event);
  };
  // Every time the store writes or compares (heartbeats, claims, the reaper's threshold) is the
  // database's, not this host's: several instances whose clocks disagree must not take each
  // other's fresh heartbeats for stale ones. The host clock is set by the database's
  // clock_timestamp(), read at start and every CLOCK_SYNC_MS; an injected `clock` (tests) is used as is.
  const hostClock = opts.hostClock ?? Date.now;
  let offset = 0;
  const syncClock = async () => {
    const before = hostClock();
    const r = await pool.query<{ now: number }>(`SELECT extract(epoch FROM clock_timestamp()) * 1000 AS now`);
    const after = hostClock();
    offset = Math.round(Number(r.rows[0]!.now) - (before + after) / 2);
  };
  const ctx: PgCtx = { db, pool, clock: opts.clock ?? (() => hostClock() + offset), emit };

  const migrationsFolder = opts.migrationsFolder ?? path.join(process.cwd(), 'db/migrations/pg');
  let migrated: Promise<void> | null = null;
  const ready = () => {
    migrated ??= migrateLocked(pool, migrationsFolder)
      .then(syncClock)
      .catch((err: unknown) => {
        migrated = null;
        throw err;
      });
    return migrated;
  };
  ready().catch(() => {}); // start now; a failure is reported to the first call
  // Pool counts arrive as deltas; fold them in about once a second (./counts.ts).
  const compaction = setInterval(() => {
    ready()
      .then(() => compactCounts(pool))
      .catch(() => {}); // the database away: the next round catches up
  }, 1000);
  compaction.unref();
  const clockSync = setInterval(() => {
    ready()
      .then(syncClock)
      .catch(() => {}); // the database away: keep the last offset, try again next round
  }, CLOCK_SYNC_MS);
  clockSync.unref();

  /** Waits for migrations, and turns driver errors into store errors. */
  const call =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        await ready();
        return await fn(...args);
      } catch (err) {
        throw translateError(err);
      }
    };

  return {
    engine: 'postgres',
    registerWorker: call((input) => registerWorkerPg(ctx, input)),
    heartbeat: call((id, input) => heartbeatPg(ctx, id, input)),
    setWorkerStatus: call((id, status, by) => audited(ctx, by, (c) => setWorkerStatusPg(c, id, status), statusAudit(id, status))),
    getWorker: call((id) => workerReads.getWorker(db, id)),
    listWorkers: call((filter) => workerReads.listWorkers(ctx, filter)),
    releaseWorker: call((id, pool, by) => audited(ctx, by, (c) => releaseWorkerPg(c, id, pool), releaseAudit(id, pool))),
    push: call((pool, batch) => pushPg(ctx, pool, batch)),
    claim: call((pool, workerId, limit, claimId) => claimPg(ctx, pool, workerId, limit, claimId)),
    claimItem: call((id, workerId) => claimItemPg(ctx, id, workerId)),
    complete: call((id, c) => completePg(ctx, id, c)),
    completeMany: call((input) => completeManyPg(ctx, input)),
    fail: call((id, c) => failPg(ctx, id, c)),
    retryItem: call((id, by) => audited(ctx, by, (c) => retryItemPg(c, id), retryItemAudit(id))),
    retryPool: call((pool, status, error, by) => audited(ctx, by, (c) => retryPoolPg(c, pool, status, error), retryPoolAudit(pool, status, error))),
    discardPool: call((pool, status, error, by) => audited(ctx, by, (c) => discardPoolPg(c, pool, status, error), discardPoolAudit(pool, status, error))),
    deleteItem: call((id, by) => audited(ctx, by, (c) => deleteItemPg(c, id), deleteItemAudit(id))),
    getItem: call((id) => reads.getItem(db, id)),
    listItems: call((pool, q) => reads.listItems(db, pool, q)),
    listPools: call(() => reads.listPools(db)),
    getPool: call((pool) => reads.getPool(db, pool)),
    nextDue: call((pool) => nextDuePg(ctx, pool)),
    runItem: call((id, by) => audited(ctx, by, (c) => runItemPg(c, id), runItemAudit(id))),
    getPoolSettings: call((pool) => pools.getPoolSettings(db, pool)),
    updatePoolSettings: call((pool, patch, by) =>
      audited(ctx, by, (c) => pools.updatePoolSettings(c, pool, patch), settingsAudit(pool, patch)),
    ),
    errorGroups: call((pool, limit) => views.errorGroups(db, pool, limit)),
    poolHolders: call((pool) => views.poolHolders(db, pool)),
    throughput: call((minutes) => views.readThroughput(ctx, minutes)),
    reap: call((staleSeconds, by) => audited(ctx, by, (c) => reapPg(c, staleSeconds), reapAudit)),
    prune: call((retentionSeconds) => liveness.prune(ctx, retentionSeconds)),
    pruneWorkers: call((retentionSeconds) => liveness.pruneWorkers(ctx, retentionSeconds)),
    issueToken: call((input, actor) => security.issueToken(ctx, input, actor)),
    listTokens: call(() => security.listTokens(ctx)),
    revokeToken: call((id, actor) => security.revokeToken(ctx, id, actor)),
    findToken: call((hash) => security.findToken(ctx, hash)),
    touchToken: call((id) => security.touchToken(ctx, id)),
    recordAudit: call((entry) => security.recordAudit(ctx, entry)),
    listAudit: call((q) => security.listAudit(ctx, q)),
    ping: call(() => reads.ping(db)),
    close: async () => {
      clearInterval(compaction);
      clearInterval(clockSync);
      await listener?.close();
      await publisher.drain();
      await pool.end();
    },
  };
}
