import { z } from 'zod';
import { EmptyBody, ItemId, Name, Problem } from './common';
import {
  ClaimBody,
  ClaimedItems,
  ClaimOneBody,
  CompleteBody,
  CompletedMany,
  CompleteManyBody,
  FailBody,
  ItemCount,
  ItemCountQuery,
  ItemDetail,
  ItemPage,
  ListItemsQuery,
  PoolBulkBody,
  PoolList,
  PoolName,
  PoolSettings,
  PoolSettingsPatch,
  PoolSummary,
  PushBody,
  PushedMany,
  PushedOne,
  ReapResult,
  ReleasePoolBody,
  Retried,
  WorkItem,
} from './items';
import {
  Discarded,
  ErrorGroupList,
  ErrorGroupsQuery,
  HeldItems,
  LatencyQuery,
  PoolHolderList,
  QueueLatency,
  Throughput,
  ThroughputQuery,
  WorkerStatsList,
} from './operator';
import { AuditPage, AuditQuery, IssuedToken, IssueTokenBody, type Need, NEEDS, type Role, Session, SignInBody, TokenId, TokenList } from './security';
import { HeartbeatBody, ListWorkersQuery, PatchWorkerBody, RegisterWorkerBody, Released, WorkerList, WorkerRecord } from './workers';

/**
 * Every operation of the hub's HTTP API: its path, who may call it, the contracts its request and
 * answer follow and the problems it can answer with. The OpenAPI document
 * (`GET /api/v1/openapi.json`, lib/openapi/document.ts) is built from this table, the routes
 * validate with the same schemas, and test/api/openapi.test.ts fails when a route and its entry
 * here disagree (a route without an entry, an entry without a route, a different role).
 */

/**
 * Who may call: the route kit's `need` (lib/contracts/security.ts NEEDS, the one permission table),
 * or `metrics`: operator or viewer, or the HUB_METRICS_TOKEN.
 */
export type Access = Need | 'metrics';

/** The roles each access admits (`null`: no token needed). */
export const ROLES_OF: Record<Access, readonly Role[] | null> = { ...NEEDS, public: null, metrics: NEEDS.oversee };

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
export type Tag = 'Workers' | 'Items' | 'Pools' | 'Operator views' | 'Tokens and audit' | 'Session' | 'Service';

export interface Success {
  status: 200 | 201 | 204;
  description: string;
  /** The JSON body; absent for 204 and for non-JSON answers (`contentType` says which). */
  schema?: z.ZodType;
  contentType?: string;
  /** Response headers worth knowing, by name: their meaning. */
  headers?: Record<string, string>;
  /** A second success status with the same body (a push that found its key's item: 200). */
  also?: { status: 200; description: string };
}

export interface Operation {
  method: Method;
  /** The full path, OpenAPI style: `/api/v1/pools/{pool}/claim`. */
  path: string;
  /** Stable name for generated clients. */
  id: string;
  tag: Tag;
  summary: string;
  description?: string;
  access: Access;
  /** Path parameters by name: the schema the route validates each with. */
  params?: Record<string, z.ZodType>;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The route also takes no body at all (every field optional). */
  bodyOptional?: true;
  success: Success;
  /** Problems this operation answers with besides those every operation of its kind can give. */
  problems?: Partial<Record<400 | 401 | 403 | 404 | 409 | 429, string[]>>;
  /** It never touches the database (no 503). */
  noStore?: true;
}

const WORKER = { id: Name };
const ITEM = { id: ItemId };
const POOL = { pool: PoolName };

/** `{"ok": true}` of the health checks. */
export const Health = z.object({ ok: z.literal(true) });
/** The OpenAPI document itself, as far as a client needs to know. */
export const OpenApiDocument = z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) });
/** A pushed item's id, or a batch's ids in input order. */
export const Pushed = z.union([PushedOne, PushedMany]);
export { Problem };

const WORKER_NOT_FOUND = { 404: ['worker-not-found'] };
const ITEM_NOT_FOUND = { 404: ['item-not-found'] };
const ENDING = { 404: ['item-not-found'], 409: ['item-not-claimed', 'not-claim-holder', 'stale-lease'] };

export const API_OPERATIONS: readonly Operation[] = [
  // --- workers --------------------------------------------------------------------------------
  {
    method: 'POST', path: '/api/v1/workers', id: 'registerWorker', tag: 'Workers', access: 'worker',
    summary: 'Register a worker (or replace its record)',
    description: 'Without `worker_id` the hub makes one. Re-registering an existing id makes it `active` again and keeps its claims.',
    body: RegisterWorkerBody, bodyOptional: true,
    success: { status: 201, schema: WorkerRecord, description: 'The worker, status `active`.' },
  },
  {
    method: 'GET', path: '/api/v1/workers', id: 'listWorkers', tag: 'Workers', access: 'read',
    summary: 'List workers', description: 'Filters are ANDed; `status` takes one status or several, comma-separated.',
    query: ListWorkersQuery,
    success: { status: 200, schema: WorkerList, description: 'The matching workers, by id.' },
  },
  {
    method: 'GET', path: '/api/v1/workers/{id}', id: 'getWorker', tag: 'Workers', access: 'read',
    summary: 'Get a worker', params: WORKER, problems: WORKER_NOT_FOUND,
    success: { status: 200, schema: WorkerRecord, description: 'The worker.' },
  },
  {
    method: 'GET', path: '/api/v1/workers/{id}/items', id: 'workerItems', tag: 'Workers', access: 'read',
    summary: 'The items a worker holds', params: WORKER, problems: WORKER_NOT_FOUND,
    success: { status: 200, schema: HeldItems, description: 'Every item it holds (`claimed`), oldest claim first.' },
  },
  {
    method: 'PATCH', path: '/api/v1/workers/{id}', id: 'setWorkerStatus', tag: 'Workers', access: 'worker',
    summary: "Change a worker's status",
    description: 'To `terminated` or `lost`: whatever it still holds goes back to `pending`. Recorded in the audit trail when an operator does it.',
    params: WORKER, body: PatchWorkerBody, problems: WORKER_NOT_FOUND,
    success: { status: 200, schema: WorkerRecord, description: 'The worker.' },
  },
  {
    method: 'POST', path: '/api/v1/workers/{id}/heartbeat', id: 'heartbeat', tag: 'Workers', access: 'worker',
    summary: 'Heartbeat', description: 'Sets `last_heartbeat` to now and shallow-merges `metadata`. The status is not changed: a `terminating` worker reads it here and should drain.',
    params: WORKER, body: HeartbeatBody, bodyOptional: true, problems: WORKER_NOT_FOUND,
    success: { status: 200, schema: WorkerRecord, description: 'The worker.' },
  },
  {
    method: 'POST', path: '/api/v1/workers/{id}/release', id: 'releaseWorker', tag: 'Workers', access: 'operator',
    summary: "Release all of a worker's claims", description: 'Every item it holds, in every pool, back to `pending` (attempts kept).',
    params: WORKER, body: EmptyBody, bodyOptional: true, problems: WORKER_NOT_FOUND,
    success: { status: 200, schema: Released, description: 'How many items were released.' },
  },

  // --- items ----------------------------------------------------------------------------------
  {
    method: 'POST', path: '/api/v1/pools/{pool}/items', id: 'push', tag: 'Items', access: 'worker',
    summary: 'Push one item or a batch',
    description:
      '`{data, ...options}` or `{items: [{data, ...options}, …]}` (up to 1000). Options: `max_retries`, `priority`, `delay_seconds` or `run_at`, `key`, `backoff`.',
    params: POOL, body: PushBody,
    success: {
      status: 201, schema: Pushed, description: '`{id, created}` for one item, `{ids, created}` in input order for a batch: at least one item was made.',
      also: { status: 200, description: 'Every item named a `key` that a live item holds: nothing was made, the ids are those items.' },
    },
  },
  {
    method: 'GET', path: '/api/v1/pools/{pool}/items', id: 'listItems', tag: 'Items', access: 'read',
    summary: "List a pool's items",
    description:
      'Oldest first (`order=desc`: newest first); pass `next_cursor` back as `cursor` for the next page. Filters, ANDed: `status`, `q` (searches `data` as JSON text), `fingerprint` (an error group), `worker_id` (the last claim\'s worker), `older_than_seconds`.',
    params: POOL, query: ListItemsQuery,
    success: { status: 200, schema: ItemPage, description: 'A page of items.' },
  },
  {
    method: 'GET', path: '/api/v1/pools/{pool}/items/count', id: 'countItems', tag: 'Items', access: 'read',
    summary: "Count a pool's items matching filters", description: 'The filters of the listing (`status`, `q`, `fingerprint`, `worker_id`, `older_than_seconds`); every page counted.',
    params: POOL, query: ItemCountQuery,
    success: { status: 200, schema: ItemCount, description: '`{count}`.' },
  },
  {
    method: 'POST', path: '/api/v1/pools/{pool}/claim', id: 'claim', tag: 'Items', access: 'worker',
    summary: 'Claim pending items, highest priority first',
    description:
      'Atomic: no item is handed to two claimers. Highest `priority` first, push order within one; due `scheduled` items become `pending` first. `{"items": []}` when none is pending, when the pool is paused, or when the worker is `terminating`. An unknown worker id is registered.',
    params: POOL, body: ClaimBody, problems: { 409: ['worker-not-active'], 429: ['too-many-waiting'] },
    success: { status: 200, schema: ClaimedItems, description: 'The claimed items, each with a fresh `lease_id`.' },
  },
  {
    method: 'GET', path: '/api/v1/items/{id}', id: 'getItem', tag: 'Items', access: 'read',
    summary: 'Get an item with its history', params: ITEM, problems: ITEM_NOT_FOUND,
    success: { status: 200, schema: ItemDetail, description: 'The item and one history entry per attempt.' },
  },
  {
    method: 'DELETE', path: '/api/v1/items/{id}', id: 'deleteItem', tag: 'Items', access: 'operator',
    summary: 'Discard an item', params: ITEM, body: EmptyBody, bodyOptional: true, problems: ITEM_NOT_FOUND,
    success: { status: 204, description: 'Deleted.' },
  },
  {
    method: 'POST', path: '/api/v1/items/{id}/claim', id: 'claimItem', tag: 'Items', access: 'worker',
    summary: 'Claim one chosen item', params: ITEM, body: ClaimOneBody,
    problems: { 404: ['item-not-found'], 409: ['item-not-pending', 'worker-not-active', 'pool-paused'] },
    success: { status: 200, schema: WorkItem, description: 'The item, now claimed.' },
  },
  {
    method: 'POST', path: '/api/v1/items/{id}/run', id: 'runItem', tag: 'Items', access: 'operator',
    summary: 'Run a scheduled item now', description: 'A `scheduled` item becomes `pending` at once (`run_at` = now).',
    params: ITEM, body: EmptyBody, bodyOptional: true, problems: { 404: ['item-not-found'], 409: ['item-not-scheduled'] },
    success: { status: 200, schema: WorkItem, description: 'The item, `pending`.' },
  },
  {
    method: 'POST', path: '/api/v1/items/{id}/complete', id: 'complete', tag: 'Items', access: 'worker',
    summary: 'Complete a claimed item', description: 'With `lease_id`, only that very claim may complete it.',
    params: ITEM, body: CompleteBody, problems: ENDING,
    success: { status: 200, schema: WorkItem, description: 'The item, `completed`.' },
  },
  {
    method: 'POST', path: '/api/v1/items/complete', id: 'completeMany', tag: 'Items', access: 'worker',
    summary: 'Complete a batch of items, then optionally claim the next',
    description:
      'Each item is judged as by the single call; a rejected one does not stop the others. With `next`, the same worker then claims up to `next.limit` items of `next.pool`, as `POST /pools/{pool}/claim` does without waiting: one request a batch.',
    body: CompleteManyBody,
    success: {
      status: 200,
      schema: CompletedMany,
      description: 'Which were completed and which rejected (404 or 409, with the code); with `next`, the items claimed next, or why that claim was refused.',
    },
  },
  {
    method: 'POST', path: '/api/v1/items/{id}/fail', id: 'fail', tag: 'Items', access: 'worker',
    summary: 'Fail a claimed item',
    description: 'Back to `pending` (to `scheduled` until the backoff has passed, under a backoff policy), or `poisoned` once `attempts >= max_retries`.',
    params: ITEM, body: FailBody, problems: ENDING,
    success: { status: 200, schema: WorkItem, description: 'The item, `pending` or `poisoned`.' },
  },
  {
    method: 'POST', path: '/api/v1/items/{id}/retry', id: 'retryItem', tag: 'Items', access: 'operator',
    summary: 'Retry a poisoned or completed item', description: 'Back to `pending` with `attempts` 0.',
    params: ITEM, body: EmptyBody, bodyOptional: true, problems: { 404: ['item-not-found'], 409: ['item-not-retryable'] },
    success: { status: 200, schema: WorkItem, description: 'The item, `pending`.' },
  },

  // --- pools ----------------------------------------------------------------------------------
  {
    method: 'GET', path: '/api/v1/pools', id: 'listPools', tag: 'Pools', access: 'read',
    summary: 'List pools with their counts',
    success: { status: 200, schema: PoolList, description: 'Every pool, by name.' },
  },
  {
    method: 'GET', path: '/api/v1/pools/{pool}', id: 'getPool', tag: 'Pools', access: 'read',
    summary: "A pool's counts", description: 'A pool never seen has all counts 0.', params: POOL,
    success: { status: 200, schema: PoolSummary, description: 'The pool.' },
  },
  {
    method: 'GET', path: '/api/v1/pools/{pool}/settings', id: 'getPoolSettings', tag: 'Pools', access: 'read',
    summary: "A pool's settings", description: 'Defaults for a pool never configured.', params: POOL,
    success: { status: 200, schema: PoolSettings, description: 'The settings in force.' },
  },
  {
    method: 'PATCH', path: '/api/v1/pools/{pool}/settings', id: 'updatePoolSettings', tag: 'Pools', access: 'operator',
    summary: "Change a pool's settings", description: 'Only the fields given change; `null` puts one back to the default. Recorded in the audit trail.',
    params: POOL, body: PoolSettingsPatch,
    success: { status: 200, schema: PoolSettings, description: 'The settings in force.' },
  },
  {
    method: 'POST', path: '/api/v1/pools/{pool}/pause', id: 'pausePool', tag: 'Pools', access: 'operator',
    summary: 'Pause a pool', description: 'Claims get nothing (`[]`; claim by id: 409 `pool-paused`) until it is resumed; everything else works.',
    params: POOL, body: EmptyBody, bodyOptional: true,
    success: { status: 200, schema: PoolSettings, description: 'The settings, `paused` true.' },
  },
  {
    method: 'POST', path: '/api/v1/pools/{pool}/resume', id: 'resumePool', tag: 'Pools', access: 'operator',
    summary: 'Resume a paused pool', description: 'Waiting claims of the pool look again at once.',
    params: POOL, body: EmptyBody, bodyOptional: true,
    success: { status: 200, schema: PoolSettings, description: 'The settings, `paused` false.' },
  },
  {
    method: 'POST', path: '/api/v1/pools/{pool}/release', id: 'releasePool', tag: 'Pools', access: 'operator',
    summary: "Release a worker's claims in one pool", params: POOL, body: ReleasePoolBody,
    success: { status: 200, schema: Released, description: 'How many items went back to `pending`.' },
  },
  {
    method: 'POST', path: '/api/v1/pools/{pool}/retry', id: 'retryPool', tag: 'Pools', access: 'operator',
    summary: "Retry a pool's poisoned (or completed) items",
    description: 'Optionally narrowed, filters ANDed: one error group (`fingerprint`, or an exact `error`), `worker_id`, `older_than_seconds`, `ids` (a selection of up to 1000).',
    params: POOL, body: PoolBulkBody, bodyOptional: true,
    success: { status: 200, schema: Retried, description: 'How many items were retried.' },
  },
  {
    method: 'POST', path: '/api/v1/pools/{pool}/discard', id: 'discardPool', tag: 'Pools', access: 'operator',
    summary: "Delete a pool's poisoned (or completed) items",
    description: 'Narrowed as for retry (`fingerprint` or `error`, `worker_id`, `older_than_seconds`, `ids`). Never touches pending or claimed items.',
    params: POOL, body: PoolBulkBody, bodyOptional: true,
    success: { status: 200, schema: Discarded, description: 'How many items were deleted.' },
  },

  // --- operator views -------------------------------------------------------------------------
  {
    method: 'GET', path: '/api/v1/pools/{pool}/errors', id: 'errorGroups', tag: 'Operator views', access: 'read',
    summary: "A pool's poisoned items grouped by error", params: POOL, query: ErrorGroupsQuery,
    success: { status: 200, schema: ErrorGroupList, description: 'Largest groups first.' },
  },
  {
    method: 'GET', path: '/api/v1/pools/{pool}/holders', id: 'poolHolders', tag: 'Operator views', access: 'read',
    summary: "Who holds a pool's claims", params: POOL,
    success: { status: 200, schema: PoolHolderList, description: 'Holders, most claims first.' },
  },
  {
    method: 'GET', path: '/api/v1/stats/throughput', id: 'throughput', tag: 'Operator views', access: 'read',
    summary: 'Completions and failures per pool per minute', query: ThroughputQuery,
    success: { status: 200, schema: Throughput, description: 'Oldest minute first; the last is the current one.' },
  },
  {
    method: 'GET', path: '/api/v1/stats/latency', id: 'queueLatency', tag: 'Operator views', access: 'read',
    summary: 'Queue latency per pool (push to first claim, p50/p95)', query: LatencyQuery,
    description: 'First claims in the last `minutes` (default 60), from `run_at` for a delayed push; per pool the newest 5,000 claimed, completed and poisoned items are looked at.',
    success: { status: 200, schema: QueueLatency, description: 'Pools with at least one first claim in the window, by name.' },
  },
  {
    method: 'GET', path: '/api/v1/stats/workers', id: 'workerStats', tag: 'Operator views', access: 'read',
    summary: 'Completed and failed counts per worker',
    description: 'From the items the hub keeps: items completed by the worker\'s claim, failed attempts in histories. A scan of the items on each call.',
    success: { status: 200, schema: WorkerStatsList, description: 'Every worker id found in the items, by id.' },
  },
  {
    method: 'GET', path: '/api/v1/events', id: 'events', tag: 'Operator views', access: 'read',
    summary: 'Live changes (Server-Sent Events)',
    description: 'Each change is an event named `item`, `worker` or `pool` whose data is a `LiveEvent`; a `: keep-alive` comment every 15 s; no replay.',
    success: { status: 200, contentType: 'text/event-stream', description: 'An endless event stream.' },
  },
  {
    method: 'POST', path: '/api/v1/reap', id: 'reap', tag: 'Operator views', access: 'operator',
    summary: 'Run the reaper now', body: EmptyBody, bodyOptional: true,
    success: { status: 200, schema: ReapResult, description: 'Workers lost, items released and poisoned.' },
  },

  // --- tokens and audit -----------------------------------------------------------------------
  {
    method: 'GET', path: '/api/v1/tokens', id: 'listTokens', tag: 'Tokens and audit', access: 'operator',
    summary: 'List issued tokens', success: { status: 200, schema: TokenList, description: 'Oldest first, revoked ones included; never a secret.' },
  },
  {
    method: 'POST', path: '/api/v1/tokens', id: 'issueToken', tag: 'Tokens and audit', access: 'operator',
    summary: 'Issue a token', body: IssueTokenBody,
    success: { status: 201, schema: IssuedToken, description: 'The token with its secret, shown this once.' },
  },
  {
    method: 'DELETE', path: '/api/v1/tokens/{id}', id: 'revokeToken', tag: 'Tokens and audit', access: 'operator',
    summary: 'Revoke a token', params: { id: TokenId }, body: EmptyBody, bodyOptional: true, problems: { 404: ['token-not-found'] },
    success: { status: 204, description: 'Revoked (also when it already was).' },
  },
  {
    method: 'GET', path: '/api/v1/audit', id: 'listAudit', tag: 'Tokens and audit', access: 'oversee',
    summary: 'The audit trail, newest first', query: AuditQuery,
    success: { status: 200, schema: AuditPage, description: 'A page of entries.' },
  },

  // --- session --------------------------------------------------------------------------------
  {
    method: 'GET', path: '/api/v1/session', id: 'getSession', tag: 'Session', access: 'public',
    summary: 'Who the caller is', problems: { 401: ['unauthorized'] },
    success: { status: 200, schema: Session, description: 'Role, name, and whether the hub is open.' },
  },
  {
    method: 'POST', path: '/api/v1/session', id: 'signIn', tag: 'Session', access: 'public',
    summary: 'Sign in (dashboard session cookie)', body: SignInBody, problems: { 401: ['unauthorized'], 403: ['cross-site'] },
    success: {
      status: 200, schema: Session, description: 'Signed in.',
      headers: { 'set-cookie': '`hub_session=<token>; HttpOnly; SameSite=Strict; Path=/` (not on an open hub)' },
    },
  },
  {
    method: 'DELETE', path: '/api/v1/session', id: 'signOut', tag: 'Session', access: 'public',
    summary: 'Sign out', body: EmptyBody, bodyOptional: true,
    success: { status: 204, description: 'Signed out.', headers: { 'set-cookie': 'clears `hub_session` (`Max-Age=0`)' } },
  },

  // --- service --------------------------------------------------------------------------------
  {
    method: 'GET', path: '/api/v1/healthz', id: 'healthz', tag: 'Service', access: 'public',
    summary: 'Health check', success: { status: 200, schema: Health, description: 'The database answers.' },
  },
  {
    method: 'GET', path: '/healthz', id: 'rootHealthz', tag: 'Service', access: 'public',
    summary: 'Health check for load balancers', success: { status: 200, schema: Health, description: 'The database answers.' },
  },
  {
    method: 'GET', path: '/api/v1/openapi.json', id: 'openapi', tag: 'Service', access: 'public', noStore: true,
    summary: 'This document', success: { status: 200, schema: OpenApiDocument, description: 'OpenAPI 3.1.' },
  },
  {
    method: 'GET', path: '/metrics', id: 'metrics', tag: 'Service', access: 'metrics',
    summary: 'Prometheus metrics', description: 'Text exposition format 0.0.4. An operator or viewer token, or `HUB_METRICS_TOKEN`; open on an open hub.',
    success: { status: 200, contentType: 'text/plain; version=0.0.4; charset=utf-8', description: 'The metrics.' },
  },
];
