import type { z } from 'zod';
import { errorFor, HubUnreachable, isRetryable, RequestAborted, UnexpectedResponse } from './errors';
import { fetchExchange, nodeExchange, type Answer, type Exchange } from './exchange';

/**
 * When to try a request again. Only failures that cannot have been a decision of the hub are
 * retried: no answer (connection refused/reset, timeout), 429 and 5xx. A 409 is the hub saying
 * "no" (for complete/fail: the claim is gone) and is never retried, nor is any other 4xx.
 */
export interface RetryPolicy {
  /** Attempts after the first; 0 disables retries. Default 4. */
  retries: number;
  /** First backoff ceiling in ms, doubled on each retry. Default 200. */
  minDelayMs: number;
  /** Largest wait between attempts in ms. Default 5000. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, minDelayMs: 200, maxDelayMs: 5000 };

export interface TransportOptions {
  /** Base URL of the hub, e.g. `http://127.0.0.1:3000` (with or without `/api/v1`). */
  url: string;
  /** Bearer token of the worker or operator role, when the hub has tokens configured. */
  token?: string;
  /**
   * A fetch implementation to send requests with; tests and proxies plug in here. Default:
   * node:http(s) with kept-alive connections on Node, the global fetch elsewhere.
   */
  fetch?: typeof fetch;
  retry?: Partial<RetryPolicy>;
  /** Per-attempt timeout in ms (default 30 000). A timed-out attempt counts as "no answer". */
  timeoutMs?: number;
}

export interface Request<S extends z.ZodType | null> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path under `/api/v1`, already encoded, e.g. `/pools/a/claim`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Schema of a 2xx body; `null` for an answer without one (204). */
  schema: S;
  /** Aborts the request (RequestAborted, not retried). */
  signal?: AbortSignal | undefined;
  /** This request's per-attempt timeout in ms, when it may take longer than the client's (a waiting claim). */
  timeoutMs?: number | undefined;
  /** Headers of this request alone, beside those the transport sets (accept, authorization, content type). */
  headers?: Record<string, string> | undefined;
}

/** Full-jitter exponential backoff: a random wait up to min(max, min·2^attempt). */
function backoffMs(policy: RetryPolicy, attempt: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** attempt);
  return Math.round(random() * ceiling);
}

/** `Retry-After` in ms when it is a number of seconds (the form a hub or proxy sends). */
function retryAfterMs(res: Answer): number | undefined {
  const v = res.header('retry-after');
  if (!v || !/^\d+(\.\d+)?$/.test(v.trim())) return undefined;
  return Number(v) * 1000;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends requests to one hub with auth, timeouts, retries and response validation. */
export class Transport {
  readonly base: string;
  readonly retry: RetryPolicy;
  private readonly exchange: Exchange;

  constructor(private readonly opts: TransportOptions) {
    this.base = opts.url.replace(/\/+$/, '').replace(/\/api\/v1$/, '') + '/api/v1';
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    const onNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
    this.exchange = opts.fetch ? fetchExchange(opts.fetch) : onNode ? nodeExchange : fetchExchange(globalThis.fetch);
  }

  /**
   * Sends `req`, retrying per the policy, and returns its validated body.
   * Throws a HubError subclass: by status for an answer, HubUnreachable for none,
   * UnexpectedResponse when a 2xx body does not match `schema`.
   */
  async send<S extends z.ZodType | null>(req: Request<S>): Promise<S extends z.ZodType ? z.output<S> : void> {
    const label = `${req.method} ${req.path}`;
    for (let attempt = 0; ; attempt++) {
      let waitHint: number | undefined;
      try {
        return await this.once(req, label, (ms) => (waitHint = ms));
      } catch (err) {
        if (!isRetryable(err) || attempt >= this.retry.retries || req.signal?.aborted) throw err;
        const jitter = backoffMs(this.retry, attempt);
        await sleep(waitHint === undefined ? jitter : Math.min(Math.max(waitHint, jitter), 60_000));
      }
    }
  }

  private async once<S extends z.ZodType | null>(
    req: Request<S>,
    label: string,
    hint: (ms: number) => void,
  ): Promise<S extends z.ZodType ? z.output<S> : void> {
    const url = new URL(this.base + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { ...req.headers, accept: 'application/json' };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    let res: Answer;
    try {
      res = await this.exchange(url, {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        timeoutMs: req.timeoutMs ?? this.opts.timeoutMs ?? 30_000,
        signal: req.signal,
      });
    } catch (err) {
      if (req.signal?.aborted) throw new RequestAborted(0, 'aborted', `${label} was aborted by the caller`, label);
      const reason = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      throw new HubUnreachable(0, 'unreachable', `no answer from ${this.base}: ${reason}`, label);
    }
    const text = res.text;
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // keep the text: an error from a proxy is often HTML or plain text
    }
    if (res.status < 200 || res.status > 299) {
      const after = retryAfterMs(res);
      if (after !== undefined) hint(after);
      throw errorFor(res.status, body, label);
    }
    if (req.schema === null) return undefined as S extends z.ZodType ? z.output<S> : void;
    const parsed = req.schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.join('.') : 'body';
      throw new UnexpectedResponse(res.status, 'unexpected-response', `${where}: ${issue?.message ?? 'does not match the contract'}`, label);
    }
    return parsed.data as S extends z.ZodType ? z.output<S> : void;
  }
}
