import { hostname } from 'node:os';
import { z } from 'zod';

/**
 * The one reader of `process.env`. Everything below takes a `HubConfig` (or a piece of it) as an
 * argument, so tests and tools can build their own without touching the environment.
 */
const positiveSeconds = z.coerce.number().positive().finite();

const envSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).optional(),
  DATABASE_URL: z.string().min(1).default('./data/hub.db'),
  HUB_STALE_SECONDS: positiveSeconds.default(60),
  HUB_REAP_INTERVAL_SECONDS: positiveSeconds.default(5),
  HUB_OPERATOR_TOKEN: z.string().min(1).optional(),
  HUB_WORKER_TOKEN: z.string().min(1).optional(),
  HUB_VIEWER_TOKEN: z.string().min(1).optional(),
  HUB_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  HUB_MAX_JSON_DEPTH: z.coerce.number().int().min(2).max(1000).default(32),
  HUB_MAX_BATCH: z.coerce.number().int().min(1).max(1000).default(1000),
  HUB_MAX_NAME_LENGTH: z.coerce.number().int().min(1).max(128).default(128),
  HUB_RETENTION_SECONDS: positiveSeconds.default(604_800),
  HUB_WORKER_RETENTION_SECONDS: z.coerce.number().min(0).finite().default(86_400),
  HUB_PG_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  HUB_SSE_MAX_QUEUED_BYTES: z.coerce.number().int().min(4096).default(1_048_576),
  HUB_ALLOWED_HOSTS: z.string().optional(),
  HUB_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(20),
  HUB_MAX_WAITING_CLAIMS: z.coerce.number().int().min(0).max(1_000_000).default(1000),
  HUB_METRICS_TOKEN: z.string().min(1).optional(),
  HUB_METRICS_INSTANCE: z.string().min(1).max(200).optional(),
});

export interface HubConfig {
  port: number;
  /** Address to listen on: 127.0.0.1 unless a token is configured or HOST says otherwise. */
  host: string;
  databaseUrl: string;
  staleSeconds: number;
  reapIntervalSeconds: number;
  operatorToken: string | undefined;
  workerToken: string | undefined;
  viewerToken: string | undefined;
  maxBodyBytes: number;
  /** Deepest nesting of arrays and objects a request body may have. */
  maxJsonDepth: number;
  /** Most items one request may push, claim or complete (never above API.md's 1000 / 100 / 100). */
  maxBatch: number;
  /** Longest pool name or worker id (never above API.md's 128). */
  maxNameLength: number;
  retentionSeconds: number;
  /** How long a terminated worker is kept after its last heartbeat; 0 keeps it forever. */
  workerRetentionSeconds: number;
  /** Most PostgreSQL connections this instance keeps open (besides one for LISTEN). */
  pgPoolSize: number;
  /** Most bytes of events one live stream may have waiting for a client that does not read; past it the stream is closed. */
  sseMaxQueuedBytes: number;
  /**
   * Host names (lower case, no port) the hub answers to, besides the loopback ones on an open hub.
   * Empty: an open hub answers loopback names only, a hub with tokens any name.
   */
  allowedHosts: string[];
  /** Failed token checks one client address may make in a minute before it gets 429. */
  authFailuresPerMinute: number;
  /** Most claims that may wait for work at once (`wait_seconds`); past it a claim that finds nothing gets 429. */
  maxWaitingClaims: number;
  /** A bearer token that may read `GET /metrics` and nothing else (besides operator and viewer tokens). */
  metricsToken: string | undefined;
  /** The `instance` label of this process's own metrics: `hostname:port` unless set. */
  metricsInstance: string;
}

/** Parses an environment (default: this process's) into a config; throws naming the bad variable. */
export function parseConfig(env: Record<string, string | undefined> = process.env): HubConfig {
  // Empty strings mean "unset", as in most shells' `VAR= cmd`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid configuration: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const e = parsed.data;
  const anyToken = Boolean(e.HUB_OPERATOR_TOKEN || e.HUB_WORKER_TOKEN || e.HUB_VIEWER_TOKEN);
  return {
    port: e.PORT,
    host: e.HOST ?? (anyToken ? '0.0.0.0' : '127.0.0.1'),
    databaseUrl: e.DATABASE_URL,
    staleSeconds: e.HUB_STALE_SECONDS,
    reapIntervalSeconds: e.HUB_REAP_INTERVAL_SECONDS,
    operatorToken: e.HUB_OPERATOR_TOKEN,
    workerToken: e.HUB_WORKER_TOKEN,
    viewerToken: e.HUB_VIEWER_TOKEN,
    maxBodyBytes: e.HUB_MAX_BODY_BYTES,
    maxJsonDepth: e.HUB_MAX_JSON_DEPTH,
    maxBatch: e.HUB_MAX_BATCH,
    maxNameLength: e.HUB_MAX_NAME_LENGTH,
    retentionSeconds: e.HUB_RETENTION_SECONDS,
    workerRetentionSeconds: e.HUB_WORKER_RETENTION_SECONDS,
    pgPoolSize: e.HUB_PG_POOL_SIZE,
    sseMaxQueuedBytes: e.HUB_SSE_MAX_QUEUED_BYTES,
    allowedHosts: (e.HUB_ALLOWED_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    authFailuresPerMinute: e.HUB_AUTH_FAILURES_PER_MINUTE,
    maxWaitingClaims: e.HUB_MAX_WAITING_CLAIMS,
    metricsToken: e.HUB_METRICS_TOKEN,
    metricsInstance: e.HUB_METRICS_INSTANCE ?? `${hostname()}:${e.PORT}`,
  };
}

let cached: HubConfig | undefined;

/** This process's config, parsed once. */
export function config(): HubConfig {
  cached ??= parseConfig();
  return cached;
}
