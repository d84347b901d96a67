/* eslint-disable @typescript-eslint/no-explicit-any -- these are flatmachines' own interfaces, typed with `any` upstream (item data, results, metadata); a narrower type here would reject what flatmachines code passes. */
/**
 * flatmachines' distributed backends over the hub. The interfaces below have the method names
 * and shapes of flatmachines' TypeScript port (`RegistrationBackend`, `WorkBackend`, `WorkPool`),
 * so code written against its Memory/SQLite backends (DistributedWorkerHooks included) runs
 * against the hub by swapping the backend object. The `any`s are upstream's own (item data and
 * results are any JSON); keeping them keeps these interfaces assignable both ways.
 */
import { WorkerStatus, type Json, type WorkerRecord as HubWorkerRecord, type WorkItem as HubWorkItem } from '../contracts';
import { HubClient, type HubClientOptions } from './client';
import { BadRequest, Conflict, NotFound } from './errors';

export interface WorkerRegistration {
  worker_id: string;
  host?: string;
  pid?: number;
  capabilities?: string[];
  pool_id?: string;
  started_at?: string;
}

export interface WorkerRecord extends WorkerRegistration {
  /** `active`, `terminating`, `terminated` or `lost`. */
  status: string;
  last_heartbeat: string;
  current_task_id?: string;
  metadata?: Record<string, any>;
}

export interface WorkerFilter {
  status?: string | string[];
  capability?: string;
  pool_id?: string;
  stale_threshold_seconds?: number;
}

export interface RegistrationBackend {
  register(worker: WorkerRegistration): Promise<WorkerRecord>;
  heartbeat(workerId: string, metadata?: Record<string, any>): Promise<void>;
  updateStatus(workerId: string, status: string): Promise<void>;
  get(workerId: string): Promise<WorkerRecord | null>;
  list(filter?: WorkerFilter): Promise<WorkerRecord[]>;
}

export interface WorkItem {
  id: string;
  data: any;
  claimed_by?: string;
  claimed_at?: string;
  attempts: number;
  max_retries: number;
  status?: string;
}

export interface WorkPool {
  push(item: any, options?: { max_retries?: number }): Promise<string>;
  claim(workerId: string): Promise<WorkItem | null>;
  complete(itemId: string, result?: any): Promise<void>;
  fail(itemId: string, error?: string): Promise<void>;
  size(): Promise<number>;
  releaseByWorker(workerId: string): Promise<number>;
}

export interface WorkBackend {
  pool(name: string): WorkPool;
}

/** A client, or the options to make one. */
type ClientOrOptions = HubClient | HubClientOptions;
const toClient = (c: ClientOrOptions) => (c instanceof HubClient ? c : new HubClient(c));

/** flatmachines leaves absent optional fields out; the hub sends `null`. */
function withoutNulls<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null)) as { [K in keyof T]: Exclude<T[K], null> };
}

function toRecord(r: HubWorkerRecord): WorkerRecord {
  const { claimed_count: _held, metadata, ...rest } = r;
  const record: WorkerRecord = withoutNulls(rest);
  if (metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata)) record.metadata = metadata;
  return record;
}

/**
 * What the hub released when a worker was marked `lost` through a registration backend, by hub
 * and worker, then pool. flatmachines' reaper marks a stale worker lost and then calls
 * `release_by_worker` on its pool, expecting the count of claims that freed; the hub releases
 * them with the status change already, so the pool's release adds what this ledger says was
 * released moments before. Entries are taken once, and forgotten after LEDGER_TTL_MS.
 */
const releasedOnLoss = new Map<string, { at: number; byPool: Map<string, number> }>();
const LEDGER_TTL_MS = 10 * 60_000;
const ledgerKey = (client: HubClient, workerId: string) => `${client.apiUrl} ${workerId}`;

/** The pools where `workerId` holds items right now, and how many in each. */
async function heldByPool(client: HubClient, workerId: string): Promise<Map<string, number>> {
  const byPool = new Map<string, number>();
  const pools = (await client.listPools()).filter((p) => p.claimed > 0);
  for (const p of pools) {
    const mine = (await client.poolHolders(p.name)).find((h) => h.worker_id === workerId);
    if (mine) byPool.set(p.name, mine.claimed);
  }
  return byPool;
}

function takeReleasedOnLoss(client: HubClient, pool: string, workerId: string): number {
  const now = Date.now();
  for (const [key, entry] of releasedOnLoss) if (entry.at < now - LEDGER_TTL_MS) releasedOnLoss.delete(key);
  const entry = releasedOnLoss.get(ledgerKey(client, workerId));
  const n = entry?.byPool.get(pool) ?? 0;
  entry?.byPool.delete(pool);
  return n;
}

/** flatmachines types status as a string; the hub knows four. Checked here so a typo fails before any request. */
function parseStatus(status: string, request: string) {
  const parsed = WorkerStatus.safeParse(status);
  if (!parsed.success) {
    throw new BadRequest(400, 'invalid-status', `status must be one of ${WorkerStatus.options.join(', ')}, not ${JSON.stringify(status)}`, request);
  }
  return parsed.data;
}

/** flatmachines' RegistrationBackend over the hub's `/workers` routes. */
export class HubRegistrationBackend implements RegistrationBackend {
  readonly client: HubClient;
  /** Worker ids registered through this backend: their status changes are their own, not an operator's. */
  private readonly own = new Set<string>();

  constructor(client: ClientOrOptions) {
    this.client = toClient(client);
  }

  /** Registers (re-registering replaces the record, active again). */
  async register(worker: WorkerRegistration): Promise<WorkerRecord> {
    const record = toRecord(await this.client.register(worker));
    this.own.add(record.worker_id);
    return record;
  }

  /** Throws NotFound for an unknown worker, as the hub answers 404. */
  async heartbeat(workerId: string, metadata?: Record<string, any>): Promise<void> {
    await this.client.heartbeat(workerId, metadata === undefined ? {} : { metadata });
  }

  /**
   * `terminated` is a worker's clean exit; it and `lost` release the items the worker holds. For
   * `lost` (the reaper's step), what that frees is noted per pool, so the pool's
   * `releaseByWorker` that the reaper calls next reports it as flatmachines expects.
   * A worker this backend registered changes its own status: the request says so (`self`), and
   * an open hub leaves it out of the audit trail; another worker's change (a reaper's `lost`) is
   * recorded as the operator's.
   */
  async updateStatus(workerId: string, status: string): Promise<void> {
    const parsed = parseStatus(status, `PATCH /workers/${workerId}`);
    const held = parsed === 'lost' ? await this.heldBeforeLoss(workerId) : null;
    const record = await this.client.setWorkerStatus(workerId, parsed, { self: this.own.has(workerId) });
    if (held && held.size > 0 && record.claimed_count === 0) {
      releasedOnLoss.set(ledgerKey(this.client, workerId), { at: Date.now(), byPool: held });
    }
  }

  private async heldBeforeLoss(workerId: string): Promise<Map<string, number> | null> {
    try {
      const w = await this.client.getWorker(workerId);
      return w.status === 'lost' || w.claimed_count === 0 ? null : await heldByPool(this.client, workerId);
    } catch (err) {
      if (err instanceof NotFound) return null; // the PATCH answers 404 for it
      throw err;
    }
  }

  async get(workerId: string): Promise<WorkerRecord | null> {
    try {
      return toRecord(await this.client.getWorker(workerId));
    } catch (err) {
      if (err instanceof NotFound) return null;
      throw err;
    }
  }

  async list(filter: WorkerFilter = {}): Promise<WorkerRecord[]> {
    const status = filter.status === undefined ? undefined : [filter.status].flat().map((s) => parseStatus(s, 'GET /workers'));
    return (await this.client.listWorkers({ ...filter, status })).map(toRecord);
  }
}

/** The worker and lease of a claim this backend handed out. */
interface Held {
  workerId: string;
  leaseId: string;
}

/**
 * One pool of a HubWorkBackend. `complete` and `fail` name no worker in flatmachines' interface,
 * so the pool remembers which worker and lease made each claim it returned and fences the call
 * with them: a claim that was reaped or released in the meantime answers Conflict instead of
 * overwriting someone else's work.
 */
export class HubWorkPool implements WorkPool {
  constructor(
    readonly name: string,
    private readonly client: HubClient,
    private readonly held: Map<string, Held>,
  ) {}

  async push(item: any, options: { max_retries?: number } = {}): Promise<string> {
    return this.client.push(this.name, item as Json, options);
  }

  /** Claims the oldest pending item, or returns null when there is none (or the worker drains). */
  async claim(workerId: string): Promise<WorkItem | null> {
    const [item] = await this.client.claim(this.name, workerId, 1);
    if (!item) return null;
    this.held.set(item.id, { workerId, leaseId: item.lease_id! });
    return toItem(item);
  }

  /**
   * Completes an item claimed through this backend, with its result kept by the hub.
   * Throws Conflict when the claim is gone (reaped, released, claimed again), NotFound when the
   * item is, and a `not-claimed-here` Conflict for an item this backend did not claim.
   */
  async complete(itemId: string, result?: any): Promise<void> {
    const h = this.holder(itemId, 'complete');
    try {
      await this.client.complete(itemId, { worker_id: h.workerId, lease_id: h.leaseId, result: result as Json });
    } catch (err) {
      // The claim is gone for good; after a network failure it may not be, so keep it for a retry.
      if (err instanceof Conflict || err instanceof NotFound) this.held.delete(itemId);
      throw err;
    }
    this.held.delete(itemId);
  }

  /** Fails an item claimed through this backend: pending again, or poisoned when out of attempts. */
  async fail(itemId: string, error?: string): Promise<void> {
    const h = this.holder(itemId, 'fail');
    try {
      await this.client.fail(itemId, { worker_id: h.workerId, lease_id: h.leaseId, error: error ?? null });
    } catch (err) {
      // The claim is gone for good; after a network failure it may not be, so keep it for a retry.
      if (err instanceof Conflict || err instanceof NotFound) this.held.delete(itemId);
      throw err;
    }
    this.held.delete(itemId);
  }

  /** Pending items (not claimed, completed or poisoned). */
  async size(): Promise<number> {
    return (await this.client.getPool(this.name)).pending;
  }

  /**
   * Operator: the worker's claims in this pool back to `pending`; returns how many, counting those
   * the hub released when the worker was just marked `lost` through a registration backend.
   */
  async releaseByWorker(workerId: string): Promise<number> {
    const n = (await this.client.releasePool(this.name, workerId)) + takeReleasedOnLoss(this.client, this.name, workerId);
    for (const [id, h] of this.held) if (h.workerId === workerId) this.held.delete(id);
    return n;
  }

  /** The lease of a claim this pool returned and has not yet completed or failed. */
  leaseOf(itemId: string): string | undefined {
    return this.held.get(itemId)?.leaseId;
  }

  private holder(itemId: string, verb: string): Held {
    const h = this.held.get(itemId);
    if (!h) {
      throw new Conflict(409, 'not-claimed-here', `item ${itemId} was not claimed through this backend, so it has no worker or lease to ${verb} with`, `POST /items/${itemId}/${verb}`);
    }
    return h;
  }
}

function toItem(i: HubWorkItem): WorkItem {
  const item: WorkItem = { id: i.id, data: i.data, attempts: i.attempts, max_retries: i.max_retries, status: i.status };
  if (i.claimed_by !== null) item.claimed_by = i.claimed_by;
  if (i.claimed_at !== null) item.claimed_at = i.claimed_at;
  return item;
}

/** flatmachines' WorkBackend over the hub: `pool(name)` returns the same HubWorkPool each time. */
export class HubWorkBackend implements WorkBackend {
  readonly client: HubClient;
  private readonly pools = new Map<string, HubWorkPool>();
  /** Claims handed out by any pool of this backend, by item id. */
  private readonly held = new Map<string, Held>();

  constructor(client: ClientOrOptions) {
    this.client = toClient(client);
  }

  pool(name: string): HubWorkPool {
    let p = this.pools.get(name);
    if (!p) {
      p = new HubWorkPool(name, this.client, this.held);
      this.pools.set(name, p);
    }
    return p;
  }
}
