import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from 'prom-client';
import type { HubStore } from '@/db';
import { config } from '@/lib/env';

/**
 * The hub's Prometheus metrics (`GET /metrics`). Two kinds:
 * - this process's own: counters of what it did, request and claim durations, open event
 *   streams, the event loop and the process. They carry an `instance` label (HUB_METRICS_INSTANCE,
 *   default `hostname:port`), so several instances on one PostgreSQL are told apart.
 * - the database's: items per pool and status, oldest pending age, workers by status. Read from
 *   the store at scrape time, so every instance reports the same values, without `instance`.
 *
 * The hot path only adds to plain numbers: a claim or a completion costs a few additions, and the
 * registry turns them into counters when it is scraped.
 */

/** Seconds: from a fast claim on SQLite (~0.1 ms) to a slow request under load. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  labels: Record<string, string>;
  /** counts[i]: observations ≤ BUCKETS[i] and > BUCKETS[i-1]; the last slot is above them all. */
  counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * A histogram that costs a map lookup and two additions an observation. prom-client's own hashes
 * its labels on every observation (~2.5 µs measured here), several times more than this; the
 * registry only needs `name` and `get()`, which is what this gives it.
 */
class FastHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  /** `key` identifies the label set; `labels` is called only the first time a key is seen. */
  observe(key: string, labels: () => Record<string, string>, seconds: number): void {
    let s = this.series.get(key);
    if (!s) {
      s = { labels: labels(), counts: new Float64Array(BUCKETS.length + 1), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    let i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]!) i++;
    s.counts[i]!++;
    s.sum += seconds;
    s.count++;
  }

  get() {
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      BUCKETS.forEach((le, i) => {
        cumulative += s.counts[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: s.count });
      values.push({ metricName: `${this.name}_sum`, labels: s.labels, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: s.labels, value: s.count });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

/** What this process did since it started; plain numbers, added to on the hot path. */
export interface Tally {
  pushed: number;
  claimed: number;
  completed: number;
  failed: number;
  poisoned: number;
  released: number;
  reaps: number;
  workersLost: number;
}

const COUNTERS: [keyof Tally, string, string][] = [
  ['pushed', 'hub_items_pushed_total', 'Items pushed by this instance.'],
  ['claimed', 'hub_items_claimed_total', 'Items claimed through this instance.'],
  ['completed', 'hub_items_completed_total', 'Items completed through this instance.'],
  ['failed', 'hub_items_failed_total', 'Fail calls through this instance (back to pending or poisoned).'],
  ['poisoned', 'hub_items_poisoned_total', 'Items poisoned by a fail or by the reaper of this instance.'],
  ['released', 'hub_items_released_total', 'Items put back to pending by a release call or the reaper of this instance.'],
  ['reaps', 'hub_reaps_total', 'Reaper runs of this instance (its timer and POST /reap).'],
  ['workersLost', 'hub_workers_lost_total', 'Workers the reaper of this instance marked lost.'],
];

export interface HubMetrics {
  registry: Registry;
  instance: string;
  tally: Tally;
  claims: FastHistogram;
  http: FastHistogram;
  /** Sets the database's gauges from `store`, then renders every metric. */
  scrape(store: HubStore): Promise<string>;
}

// One per process, on globalThis: Next bundles route modules apart, and the counters must be one.
const g = globalThis as typeof globalThis & { __hubMetrics?: HubMetrics; __hubSseStreams?: Set<unknown> };

/** This process's metrics (made on first use). */
export function metrics(): HubMetrics {
  return (g.__hubMetrics ??= createMetrics(config().metricsInstance));
}

function createMetrics(instance: string): HubMetrics {
  const registry = new Registry();
  const tally: Tally = { pushed: 0, claimed: 0, completed: 0, failed: 0, poisoned: 0, released: 0, reaps: 0, workersLost: 0 };
  const own = { instance };
  for (const [key, name, help] of COUNTERS) {
    new Counter({
      name,
      help,
      labelNames: ['instance'],
      registers: [registry],
      collect() {
        this.reset();
        this.inc(own, tally[key]);
      },
    });
  }
  const claims = new FastHistogram('hub_claim_duration_seconds', 'Time the store took to claim, by route.');
  const http = new FastHistogram('hub_http_request_duration_seconds', 'HTTP requests served by a route handler, until the answer was written, by route, method and status.');
  // The registry needs only `name` and `get()` of a metric (see FastHistogram).
  registry.registerMetric(claims as unknown as Metric);
  registry.registerMetric(http as unknown as Metric);
  new Gauge({
    name: 'hub_sse_streams_open',
    help: 'Event streams (GET /api/v1/events) open on this instance.',
    labelNames: ['instance'],
    registers: [registry],
    collect() {
      this.set(own, g.__hubSseStreams?.size ?? 0);
    },
  });
  // Event-loop lag (nodejs_eventloop_lag_*), CPU, memory, GC, handles: prom-client's standard set.
  collectDefaultMetrics({ register: registry, labels: own });

  const poolItems = new Gauge({ name: 'hub_pool_items', help: 'Items per pool and status.', labelNames: ['pool', 'status'], registers: [registry] });
  const oldest = new Gauge({
    name: 'hub_pool_oldest_pending_age_seconds',
    help: "Age of the pool's oldest pending item (0 when none is pending).",
    labelNames: ['pool'],
    registers: [registry],
  });
  const paused = new Gauge({ name: 'hub_pool_paused', help: '1 while an operator has paused the pool, else 0.', labelNames: ['pool'], registers: [registry] });
  const workers = new Gauge({
    name: 'hub_workers',
    help: 'Registered workers by status and the pool they registered for (pool_id; empty when none).',
    labelNames: ['status', 'pool'],
    registers: [registry],
  });

  async function scrape(store: HubStore): Promise<string> {
    const [pools, list] = await Promise.all([store.listPools(), store.listWorkers({})]);
    const now = Date.now();
    poolItems.reset();
    oldest.reset();
    paused.reset();
    workers.reset();
    for (const p of pools) {
      for (const status of ['scheduled', 'pending', 'claimed', 'completed', 'poisoned'] as const) poolItems.set({ pool: p.name, status }, p[status]);
      paused.set({ pool: p.name }, p.paused ? 1 : 0);
      oldest.set({ pool: p.name }, p.oldest_pending_at ? Math.max(0, (now - Date.parse(p.oldest_pending_at)) / 1000) : 0);
    }
    for (const w of list) workers.inc({ status: w.status, pool: w.pool_id ?? '' });
    return registry.metrics();
  }

  return { registry, instance, tally, claims, http, scrape };
}

const CLAIM_ROUTE = '/api/v1/pools/{pool}/claim';
const CLAIM_ITEM_ROUTE = '/api/v1/items/{id}/claim';

/**
 * The store, counting what it does into this process's metrics: pushes, claims (and how long
 * they took), completions, failures, poisonings, releases and reaps.
 */
export function withMetrics(store: HubStore, m: HubMetrics = metrics()): HubStore {
  const { tally, claims } = m;
  const own = { instance: m.instance };
  // Every argument is passed on as given (`...args`): the store's signatures grow (a claim's
  // claim_id), and a wrapper naming them would drop what it does not know.
  return {
    ...store,
    push: async (...args) => {
      const pushed = await store.push(...args);
      tally.pushed += pushed.created.filter(Boolean).length;
      return pushed;
    },
    claim: async (...args) => {
      const started = performance.now();
      const outcome = await store.claim(...args);
      claims.observe(CLAIM_ROUTE, () => ({ ...own, route: CLAIM_ROUTE }), (performance.now() - started) / 1000);
      if (outcome.ok) tally.claimed += outcome.value.length;
      return outcome;
    },
    claimItem: async (...args) => {
      const started = performance.now();
      const outcome = await store.claimItem(...args);
      claims.observe(CLAIM_ITEM_ROUTE, () => ({ ...own, route: CLAIM_ITEM_ROUTE }), (performance.now() - started) / 1000);
      if (outcome.ok) tally.claimed++;
      return outcome;
    },
    complete: async (...args) => {
      const outcome = await store.complete(...args);
      if (outcome.ok) tally.completed++;
      return outcome;
    },
    completeMany: async (...args) => {
      const done = await store.completeMany(...args);
      tally.completed += done.completed.length;
      return done;
    },
    fail: async (...args) => {
      const outcome = await store.fail(...args);
      if (outcome.ok) {
        tally.failed++;
        if (outcome.value.status === 'poisoned') tally.poisoned++;
      }
      return outcome;
    },
    releaseWorker: async (...args) => {
      const outcome = await store.releaseWorker(...args);
      if (outcome.ok) tally.released += outcome.value;
      return outcome;
    },
    reap: async (...args) => {
      const result = await store.reap(...args);
      tally.reaps++;
      tally.workersLost += result.lost.length;
      tally.released += result.released;
      tally.poisoned += result.poisoned;
      return result;
    },
  };
}

/** `/api/v1/pools/[pool]/claim` → `/api/v1/pools/{pool}/claim`, as the OpenAPI document writes it. */
const routeLabels = new Map<string, string>();
function routeLabel(pattern: string): string {
  let label = routeLabels.get(pattern);
  if (label === undefined) {
    label = pattern.replace(/\/\[\[?\.\.\.[^\]]+\]\]?/, '/*').replace(/\[([^\]]+)\]/g, '{$1}');
    routeLabels.set(pattern, label);
  }
  return label;
}

/**
 * Times one request answered by a route handler (lib/server/serve.ts), from now until its answer
 * is written; an event stream counts when it closes. `pattern` is the route's folder path.
 */
export function timeRequest(pattern: string, req: IncomingMessage, res: ServerResponse): void {
  const started = performance.now();
  res.once('finish', () => {
    const method = req.method ?? 'GET';
    const code = res.statusCode;
    const m = metrics();
    m.http.observe(`${pattern} ${method} ${code}`, () => ({ instance: m.instance, route: routeLabel(pattern), method, code: String(code) }), (performance.now() - started) / 1000);
  });
}
