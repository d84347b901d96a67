import { z } from 'zod';
import {
  ClaimedItems,
  CompletedMany,
  ItemDetail,
  ItemPage,
  PoolHolderList,
  PoolList,
  PoolSettings,
  PoolSummary,
  PushedMany,
  PushedOne,
  ReapResult,
  Released,
  Retried,
  WorkerList,
  WorkerRecord,
  WORKER_SELF_HEADER,
  WorkItem,
  type CompleteManyBody,
  type Json,
  type ListItemsQuery,
  type NewItem,
  type RegisterWorkerBody,
  type HeartbeatBody,
  type WorkerStatus,
  type ItemStatus,
  type PoolHolder,
  type PoolSettingsPatch,
  type PushOptions,
} from '../contracts';
import { Transport, type TransportOptions } from './transport';

export type HubClientOptions = TransportOptions;

/** Filters of `GET /workers`, ANDed. `status` takes one status or several. */
export interface WorkerQuery {
  status?: WorkerStatus | WorkerStatus[];
  capability?: string;
  pool_id?: string;
  /** Keep only workers whose last heartbeat is older than this many seconds. */
  stale_threshold_seconds?: number;
}

const Health = z.object({ ok: z.literal(true) });
const seg = encodeURIComponent;

/**
 * A typed client of every route of the hub's HTTP API (`/api/v1`). Request and response shapes
 * are the shared contracts of `lib/contracts`; every answer is validated against them.
 *
 * Failures throw HubError subclasses by status (NotFound, Conflict, …). Network errors, 429 and
 * 5xx are retried with jittered exponential backoff; 409 and other 4xx never are. A claim is
 * retried with the same claim id, so a retry whose first answer was lost returns those items.
 */
export interface ClaimOptions {
  /**
   * With nothing to claim, the hub holds the request up to this long (0..30 s) and answers as
   * soon as work appears (long-poll). Default 0: answer at once.
   */
  waitSeconds?: number;
  /** Aborts a (waiting) claim: the hub then claims nothing for it. Throws RequestAborted. */
  signal?: AbortSignal;
}

export class HubClient {
  private readonly t: Transport;

  constructor(opts: HubClientOptions) {
    this.t = new Transport(opts);
  }

  /** The API base this client talks to, e.g. `http://127.0.0.1:3000/api/v1`. */
  get apiUrl(): string {
    return this.t.base;
  }

  /** Resolves once the hub's database answers. */
  async healthz(): Promise<{ ok: true }> {
    return this.t.send({ method: 'GET', path: '/healthz', schema: Health });
  }

  // ── workers ──────────────────────────────────────────────────────────────

  /** Registers (or re-registers, replacing) a worker; it is `active`. The hub makes an id when none is given. */
  async register(body: RegisterWorkerBody = {}): Promise<WorkerRecord> {
    return this.t.send({ method: 'POST', path: '/workers', body, schema: WorkerRecord });
  }

  /**
   * Records that the worker is alive; metadata is shallow-merged. The answer's `status` is how
   * the hub asks a worker to stop: `terminating` means finish what you hold and exit.
   */
  async heartbeat(workerId: string, body: HeartbeatBody = {}): Promise<WorkerRecord> {
    return this.t.send({ method: 'POST', path: `/workers/${seg(workerId)}/heartbeat`, body, schema: WorkerRecord });
  }

  /**
   * Sets a worker's status. `terminated` (a clean exit) and `lost` release the items it holds.
   * `self: true` says the worker is changing its own status (sends WORKER_SELF_HEADER): an open
   * hub then does not record it as an operator action in the audit trail.
   */
  async setWorkerStatus(workerId: string, status: WorkerStatus, opts: { self?: boolean } = {}): Promise<WorkerRecord> {
    const headers = opts.self ? { [WORKER_SELF_HEADER]: workerId } : undefined;
    return this.t.send({ method: 'PATCH', path: `/workers/${seg(workerId)}`, body: { status }, headers, schema: WorkerRecord });
  }

  /** One worker; throws NotFound for an unknown id. */
  async getWorker(workerId: string): Promise<WorkerRecord> {
    return this.t.send({ method: 'GET', path: `/workers/${seg(workerId)}`, schema: WorkerRecord });
  }

  /** Workers matching every given filter, sorted by id. */
  async listWorkers(filter: WorkerQuery = {}): Promise<WorkerRecord[]> {
    const status = Array.isArray(filter.status) ? filter.status.join(',') : filter.status;
    const query = { ...filter, status };
    return (await this.t.send({ method: 'GET', path: '/workers', query, schema: WorkerList })).workers;
  }

  /** Operator: every item the worker holds, in every pool, back to `pending`. Returns how many. */
  async releaseWorker(workerId: string): Promise<number> {
    return (await this.t.send({ method: 'POST', path: `/workers/${seg(workerId)}/release`, schema: Released })).released;
  }

  // ── items ────────────────────────────────────────────────────────────────

  /**
   * Adds one item to `pool` (creating the pool); returns its id. Options: `max_retries` (default:
   * the pool's setting, else 3), `priority` (higher first), `delay_seconds` or `run_at` (not
   * claimable before), `key` (a second push with a live item's key returns that item's id and
   * adds nothing), `backoff` (the item's own retry backoff). `pushOne` also says whether it was new.
   */
  async push(pool: string, data: Json, options: PushOptions = {}): Promise<string> {
    return (await this.pushOne(pool, data, options)).id;
  }

  /** As `push`, with `created`: false when the item's `key` named an item already there. */
  async pushOne(pool: string, data: Json, options: PushOptions = {}): Promise<{ id: string; created: boolean }> {
    const body = { data, ...options };
    return this.t.send({ method: 'POST', path: `/pools/${seg(pool)}/items`, body, schema: PushedOne });
  }

  /** Adds up to 1000 items in one request; returns their ids in input order. */
  async pushMany(pool: string, items: NewItem[]): Promise<string[]> {
    return (await this.pushBatch(pool, items)).ids;
  }

  /** As `pushMany`, with `created[i]` telling whether `ids[i]` was made by this push. */
  async pushBatch(pool: string, items: NewItem[]): Promise<{ ids: string[]; created: boolean[] }> {
    const body = { items };
    return this.t.send({ method: 'POST', path: `/pools/${seg(pool)}/items`, body, schema: PushedMany });
  }

  /**
   * Claims up to `limit` (1..100) oldest pending items for `workerId`; may return fewer, or none.
   * An unknown worker id is registered on the way. A `terminating` worker gets none; a `lost`
   * or `terminated` one gets Conflict `worker-not-active` and must register again.
   *
   * Each call sends a fresh `claim_id`, and its retries the same one: a retry whose first answer
   * was lost gets back the items that first try took, so none is left claimed unbeknown.
   */
  async claim(pool: string, workerId: string, limit = 1, opts: ClaimOptions = {}): Promise<WorkItem[]> {
    const wait = opts.waitSeconds ?? 0;
    const body = { worker_id: workerId, limit, claim_id: globalThis.crypto.randomUUID(), ...(wait > 0 ? { wait_seconds: wait } : {}) };
    // A waiting claim may take its whole wait: its timeout allows for that.
    const timeoutMs = wait > 0 ? wait * 1000 + 30_000 : undefined;
    const path = `/pools/${seg(pool)}/claim`;
    return (await this.t.send({ method: 'POST', path, body, schema: ClaimedItems, signal: opts.signal, timeoutMs })).items;
  }

  /** Claims this one item if it is pending (the scheduler pattern); Conflict when it is not. */
  async claimItem(id: string, workerId: string): Promise<WorkItem> {
    const body = { worker_id: workerId };
    return this.t.send({ method: 'POST', path: `/items/${seg(id)}/claim`, body, schema: WorkItem });
  }

  /**
   * Completes a claimed item with its result. Pass the claim's `lease_id`: without it a worker
   * that was reaped and re-claimed the same item could complete the newer claim by mistake.
   * Conflict (`item-not-claimed`, `not-claim-holder`, `stale-lease`) means the claim is gone.
   */
  async complete(id: string, body: { worker_id: string; lease_id?: string; result?: Json }): Promise<WorkItem> {
    return this.t.send({ method: 'POST', path: `/items/${seg(id)}/complete`, body, schema: WorkItem });
  }

  /** Completes up to 100 items in one request; each is judged alone, rejected ones listed with their code. */
  async completeMany(workerId: string, items: CompleteManyBody['items']): Promise<CompletedMany> {
    const body = { worker_id: workerId, items };
    return this.t.send({ method: 'POST', path: '/items/complete', body, schema: CompletedMany });
  }

  /**
   * Completes a batch as `completeMany` does, then claims up to `limit` items of `pool` for the
   * same worker, in one request: a worker draining a pool in batches sends one request a batch.
   * `next` is what that claim took (empty when nothing was pending); `refused` says why it took
   * nothing when the hub refused it (`worker-not-active`). The completions stand either way.
   */
  async completeAndClaim(
    workerId: string,
    items: CompleteManyBody['items'],
    next: { pool: string; limit: number },
  ): Promise<{ completed: string[]; rejected: CompletedMany['rejected']; next: WorkItem[]; refused?: { status: number; code: string; detail: string } }> {
    const body = { worker_id: workerId, items, next: { ...next, claim_id: globalThis.crypto.randomUUID() } };
    const r = await this.t.send({ method: 'POST', path: '/items/complete', body, schema: CompletedMany });
    return { completed: r.completed, rejected: r.rejected, next: r.next?.items ?? [], ...(r.next?.refused ? { refused: r.next.refused } : {}) };
  }

  /**
   * Fails a claimed item: back to `pending`, or `poisoned` once `attempts >= max_retries`.
   * Fenced like `complete`.
   */
  async fail(id: string, body: { worker_id: string; lease_id?: string; error?: string | null; error_type?: string | null }): Promise<WorkItem> {
    return this.t.send({ method: 'POST', path: `/items/${seg(id)}/fail`, body, schema: WorkItem });
  }

  /** One item with its attempt history; NotFound when unknown. */
  async getItem(id: string): Promise<ItemDetail> {
    return this.t.send({ method: 'GET', path: `/items/${seg(id)}`, schema: ItemDetail });
  }

  /** One page of a pool's items, oldest first; pass `next_cursor` back as `cursor` for the next. */
  async listItems(pool: string, query: Partial<ListItemsQuery> = {}): Promise<z.infer<typeof ItemPage>> {
    return this.t.send({ method: 'GET', path: `/pools/${seg(pool)}/items`, query, schema: ItemPage });
  }

  /** Every item of a pool (optionally of one status), oldest first, fetched page by page. */
  async *items(pool: string, query: { status?: ItemStatus; pageSize?: number } = {}): AsyncGenerator<WorkItem> {
    let cursor: string | undefined;
    do {
      const page = await this.listItems(pool, { status: query.status, limit: query.pageSize ?? 200, cursor });
      yield* page.items;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  /** Operator: a poisoned or completed item back to `pending` with attempts 0. */
  async retryItem(id: string): Promise<WorkItem> {
    return this.t.send({ method: 'POST', path: `/items/${seg(id)}/retry`, schema: WorkItem });
  }

  /** Operator: a scheduled item (delayed, or backing off) pending now; Conflict `item-not-scheduled` otherwise. */
  async runItem(id: string): Promise<WorkItem> {
    return this.t.send({ method: 'POST', path: `/items/${seg(id)}/run`, schema: WorkItem });
  }

  /** Operator: discards an item; NotFound when unknown. */
  async deleteItem(id: string): Promise<void> {
    await this.t.send({ method: 'DELETE', path: `/items/${seg(id)}`, schema: null });
  }

  // ── pools ────────────────────────────────────────────────────────────────

  /** Every pool with its counts, sorted by name. */
  async listPools(): Promise<PoolSummary[]> {
    return (await this.t.send({ method: 'GET', path: '/pools', schema: PoolList })).pools;
  }

  /** One pool's counts; a pool never seen has all counts 0. `pending` is flatmachines' `size()`. */
  async getPool(pool: string): Promise<PoolSummary> {
    return this.t.send({ method: 'GET', path: `/pools/${seg(pool)}`, schema: PoolSummary });
  }

  /** Who holds the pool's claimed items, and how many each, most first. */
  async poolHolders(pool: string): Promise<PoolHolder[]> {
    return (await this.t.send({ method: 'GET', path: `/pools/${seg(pool)}/holders`, schema: PoolHolderList })).holders;
  }

  /** Operator: the items `workerId` holds in this pool back to `pending`. Returns how many. */
  async releasePool(pool: string, workerId: string): Promise<number> {
    const body = { worker_id: workerId };
    return (await this.t.send({ method: 'POST', path: `/pools/${seg(pool)}/release`, body, schema: Released })).released;
  }

  /** Operator: every poisoned (or completed) item of the pool back to `pending`. Returns how many. */
  async retryPool(pool: string, status: 'poisoned' | 'completed' = 'poisoned'): Promise<number> {
    const body = { status };
    return (await this.t.send({ method: 'POST', path: `/pools/${seg(pool)}/retry`, body, schema: Retried })).retried;
  }

  /** A pool's settings: default `max_retries` and backoff for its items, and whether it is paused. */
  async getPoolSettings(pool: string): Promise<PoolSettings> {
    return this.t.send({ method: 'GET', path: `/pools/${seg(pool)}/settings`, schema: PoolSettings });
  }

  /** Operator: changes the settings given (`null`: back to the default); returns those in force. */
  async updatePoolSettings(pool: string, patch: PoolSettingsPatch): Promise<PoolSettings> {
    return this.t.send({ method: 'PATCH', path: `/pools/${seg(pool)}/settings`, body: patch, schema: PoolSettings });
  }

  /** Operator: claims of this pool get nothing until it is resumed; everything else works. */
  async pause(pool: string): Promise<PoolSettings> {
    return this.t.send({ method: 'POST', path: `/pools/${seg(pool)}/pause`, schema: PoolSettings });
  }

  /** Operator: a paused pool hands out items again (waiting claims get them at once). */
  async resume(pool: string): Promise<PoolSettings> {
    return this.t.send({ method: 'POST', path: `/pools/${seg(pool)}/resume`, schema: PoolSettings });
  }

  // ── liveness ─────────────────────────────────────────────────────────────

  /** Operator: runs the reaper now: stale workers become `lost`, their items released or poisoned. */
  async reap(): Promise<ReapResult> {
    return this.t.send({ method: 'POST', path: '/reap', schema: ReapResult });
  }
}
