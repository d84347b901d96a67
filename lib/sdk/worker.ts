import { hostname } from 'node:os';
import type { Json, WorkerRecord, WorkItem } from '../contracts';
import { HubClient } from './client';
import { Conflict, HubError, isRetryable, NotFound, RequestAborted } from './errors';

/** What a handler gets besides the item. */
export interface WorkerContext {
  workerId: string;
  pool: string;
  client: HubClient;
  /**
   * Aborted when the worker is told to give up at once (a second SIGTERM/SIGINT). The item is
   * then neither completed nor failed: marking the worker `terminated` releases it.
   */
  signal: AbortSignal;
}

/** Runs one item. Its return value (any JSON, or nothing) completes the item; a throw fails it. */
export type Handler = (item: WorkItem, ctx: WorkerContext) => Promise<Json | void> | Json | void;

export type LogLevel = 'info' | 'warn' | 'error';

export interface RunWorkerOptions {
  pool: string;
  handler: Handler;
  /** Items run at once (1..100, default 1); claims ask for as many as there are free slots. */
  concurrency?: number;
  /** A client, or `url` (+ `token`) to make one. */
  client?: HubClient;
  url?: string;
  token?: string;
  /** Default: `<host>-<pid>-<random>`. */
  workerId?: string;
  capabilities?: string[];
  metadata?: Record<string, Json>;
  /** Seconds between heartbeats (default 10); keep it well under the hub's HUB_STALE_SECONDS. */
  heartbeatSeconds?: number;
  /**
   * Seconds an idle claim waits at the hub for work (long-poll, 0..30, default 20): work reaches
   * an idle worker the moment it is pushed, with about one request per `waitSeconds` while idle.
   * 0 turns it off: an empty pool is asked again every `pollSeconds`.
   */
  waitSeconds?: number;
  /** Seconds to wait before claiming again when the pool is empty and claims do not wait (default 1). */
  pollSeconds?: number;
  /** Stop once a claim finds the pool empty and nothing is in flight. */
  exitWhenEmpty?: boolean;
  /** Stop after claiming this many items. */
  maxItems?: number;
  /** Signals that start a graceful stop (a second one aborts handlers). Default SIGTERM, SIGINT; `false` for none. */
  signals?: NodeJS.Signals[] | false;
  /** Aborting it stops the worker gracefully, like a signal. */
  signal?: AbortSignal;
  /** Default: one line on stderr per message. */
  log?: (level: LogLevel, message: string) => void;
}

export type StopReason = 'signal' | 'aborted' | 'terminating' | 'terminated' | 'empty' | 'max-items';

export interface WorkerSummary {
  workerId: string;
  /** Why the worker stopped claiming. */
  reason: StopReason;
  completed: number;
  failed: number;
  /** Completions or failures the hub refused because the claim was gone (409/404): work dropped. */
  conflicts: number;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

function defaultWorkerId(): string {
  const host = hostname().replace(/[^A-Za-z0-9._:-]/g, '-').slice(0, 80) || 'worker';
  return `${host}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Runs a hub worker until it is told to stop: registers, heartbeats on a timer, claims up to
 * `concurrency` items at a time, runs `handler` on each and completes it with the result or
 * fails it with the error's message, always fenced by the claim's `lease_id`.
 *
 * It stops claiming on SIGTERM/SIGINT, when `signal` aborts, when a heartbeat reads `terminating`,
 * when the pool is empty (`exitWhenEmpty`) or after `maxItems`; then it finishes what it holds,
 * marks itself `terminated` and resolves with a summary. A completion the hub refuses with 409
 * (the claim was reaped or released meanwhile) is logged and counted, not thrown. A `lost` worker
 * registers again. Rejects only for what retrying cannot fix: registration refused, bad token.
 */
export async function runWorker(opts: RunWorkerOptions): Promise<WorkerSummary> {
  return new WorkerRun(opts).run();
}

class WorkerRun {
  private readonly client: HubClient;
  private readonly workerId: string;
  private readonly concurrency: number;
  private readonly abort = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly counts = { completed: 0, failed: 0, conflicts: 0, claimed: 0 };
  /** Tasks ended so far: a failure may have put an item back after a claim found none. */
  private settled = 0;
  private stopReason: StopReason | null = null;
  private fatal: unknown = null;
  private wake: () => void = () => {};
  private reregistering: Promise<void> | null = null;

  constructor(private readonly opts: RunWorkerOptions) {
    if (!opts.client && !opts.url) throw new TypeError('runWorker needs a client or a url');
    this.client = opts.client ?? new HubClient({ url: opts.url!, token: opts.token });
    this.workerId = opts.workerId ?? defaultWorkerId();
    this.concurrency = Math.max(1, Math.min(100, Math.floor(opts.concurrency ?? 1)));
  }

  private log(level: LogLevel, message: string) {
    if (this.opts.log) this.opts.log(level, message);
    else process.stderr.write(`[worker ${this.workerId}] ${level === 'info' ? '' : `${level}: `}${message}\n`);
  }

  /** Aborts the claim waiting at the hub, if any: the hub then claims nothing for it. */
  private readonly claimAbort = new AbortController();

  /** Stops claiming; the first reason wins. */
  private stop(reason: StopReason) {
    if (this.stopReason) return;
    this.stopReason = reason;
    this.claimAbort.abort();
    this.wake();
  }

  /** Waits `ms`, or less when a task ends or a stop is asked for. */
  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wake = () => {};
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wake = done;
    });
  }

  async run(): Promise<WorkerSummary> {
    await this.register();
    this.log('info', `registered; pool ${this.opts.pool}, concurrency ${this.concurrency}`);
    const signals = this.opts.signals === false ? [] : (this.opts.signals ?? ['SIGTERM', 'SIGINT']);
    let signalled = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      if (++signalled === 1) {
        this.log('info', `${sig}: finishing ${this.inFlight.size} item(s), then exiting (again to abort them)`);
        this.stop('signal');
      } else {
        this.log('warn', `${sig} again: aborting ${this.inFlight.size} item(s); they will be released`);
        this.abort.abort();
      }
    };
    for (const s of signals) process.on(s, onSignal);
    const onAbort = () => this.stop('aborted');
    this.opts.signal?.addEventListener('abort', onAbort);
    if (this.opts.signal?.aborted) this.stop('aborted');

    // Heartbeats run beside the claim loop until the very end, so draining takes as long as it needs.
    const beatMs = (this.opts.heartbeatSeconds ?? 10) * 1000;
    let beating = true;
    let cancelBeat = () => {};
    const beat = (async () => {
      while (beating) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, beatMs);
          cancelBeat = () => {
            clearTimeout(t);
            resolve();
          };
        });
        if (beating) await this.heartbeat();
      }
    })();

    try {
      await this.claimLoop();
      await Promise.all(this.inFlight);
    } finally {
      beating = false;
      cancelBeat();
      await beat;
      for (const s of signals) process.off(s, onSignal);
      this.opts.signal?.removeEventListener('abort', onAbort);
    }
    if (this.fatal) throw this.fatal;
    try {
      await this.client.setWorkerStatus(this.workerId, 'terminated', { self: true });
    } catch (err) {
      this.log('warn', `could not mark itself terminated: ${messageOf(err)}`);
    }
    const { completed, failed, conflicts } = this.counts;
    const reason = this.stopReason ?? 'aborted';
    this.log('info', `stopped (${reason}): ${completed} completed, ${failed} failed, ${conflicts} refused`);
    return { workerId: this.workerId, reason, completed, failed, conflicts };
  }

  private async register() {
    await this.client.register({
      worker_id: this.workerId,
      host: hostname(),
      pid: process.pid,
      capabilities: this.opts.capabilities,
      pool_id: this.opts.pool,
      started_at: new Date().toISOString(),
      metadata: this.opts.metadata,
    });
  }

  /** Registers again after the hub declared this worker lost; once, however many callers ask. */
  private reregister(why: string): Promise<void> {
    this.reregistering ??= (async () => {
      this.log('warn', `${why}; registering again (items it held were released)`);
      try {
        await this.register();
      } catch (err) {
        this.log('error', `could not register again: ${messageOf(err)}`);
      } finally {
        this.reregistering = null;
      }
    })();
    return this.reregistering;
  }

  private async heartbeat() {
    let record: WorkerRecord;
    try {
      const { completed, failed } = this.counts;
      record = await this.client.heartbeat(this.workerId, { metadata: { in_flight: this.inFlight.size, completed, failed } });
    } catch (err) {
      if (err instanceof NotFound) return this.reregister('the hub forgot this worker');
      this.log('warn', `heartbeat failed: ${messageOf(err)}`);
      return;
    }
    if (record.status === 'terminating' && !this.stopReason) {
      this.log('info', `asked to terminate: finishing ${this.inFlight.size} item(s), then exiting`);
      this.stop('terminating');
    } else if (record.status === 'terminated') {
      this.stop('terminated');
    } else if (record.status === 'lost' && !this.stopReason) {
      await this.reregister('the hub marked this worker lost');
    }
  }

  private async claimLoop() {
    const pollMs = (this.opts.pollSeconds ?? 1) * 1000;
    // Stopping when empty needs to know at once that the pool is empty: no waiting then.
    const waitSeconds = this.opts.exitWhenEmpty ? 0 : Math.max(0, Math.min(30, this.opts.waitSeconds ?? 20));
    while (!this.stopReason) {
      const max = this.opts.maxItems;
      if (max !== undefined && this.counts.claimed >= max) {
        this.stop('max-items');
        break;
      }
      const free = Math.min(this.concurrency - this.inFlight.size, max === undefined ? Infinity : max - this.counts.claimed);
      if (free <= 0) {
        await this.idle(60_000);
        continue;
      }
      let items: WorkItem[];
      const settledBefore = this.settled;
      const claimedAt = Date.now();
      try {
        items = await this.client.claim(this.opts.pool, this.workerId, free, { waitSeconds, signal: this.claimAbort.signal });
      } catch (err) {
        if (err instanceof RequestAborted) continue; // stopping: the loop ends
        if (err instanceof Conflict && err.code === 'worker-not-active') {
          await this.onInactive();
        } else if (err instanceof HubError && !isRetryable(err)) {
          this.fatal = err;
          this.stop('aborted');
        } else {
          this.log('warn', `claim failed: ${messageOf(err)}`);
          await this.idle(pollMs);
        }
        continue;
      }
      if (this.stopReason && items.length > 0) {
        // Claimed while a stop was asked for: run them anyway rather than leave them to the reaper.
        this.log('info', `claimed ${items.length} item(s) while stopping; running them`);
      }
      for (const item of items) this.start(item);
      if (items.length === 0) {
        if (this.opts.exitWhenEmpty && this.inFlight.size === 0) {
          if (this.settled === settledBefore) this.stop('empty');
          continue; // a task ended during the claim, maybe failing its item back to pending: look again
        }
        // A claim that waited has paused already. One that does not wait, or came back empty long
        // before its wait was up (a draining worker gets [] at once), pauses before the next.
        const waitedOut = waitSeconds > 0 && Date.now() - claimedAt >= waitSeconds * 1000 - 250;
        if (!waitedOut) await this.idle(this.inFlight.size > 0 && this.opts.exitWhenEmpty ? 60_000 : pollMs);
      }
    }
  }

  /** A claim answered `worker-not-active`: register again if the hub lost us, else stop. */
  private async onInactive() {
    const record = await this.client.getWorker(this.workerId).catch(() => null);
    if (record?.status === 'lost') await this.reregister('the hub marked this worker lost');
    else if (record) this.stop(record.status === 'terminated' ? 'terminated' : 'terminating');
    else await this.reregister('the hub forgot this worker');
  }

  private start(item: WorkItem) {
    this.counts.claimed++;
    const task = this.process(item).finally(() => {
      this.settled++;
      this.inFlight.delete(task);
      this.wake();
    });
    this.inFlight.add(task);
  }

  private async process(item: WorkItem) {
    const ctx: WorkerContext = { workerId: this.workerId, pool: this.opts.pool, client: this.client, signal: this.abort.signal };
    const fence = { worker_id: this.workerId, lease_id: item.lease_id ?? undefined };
    let outcome: { ok: true; result: Json | void } | { ok: false; error: string; errorType: string | null };
    try {
      outcome = { ok: true, result: await this.opts.handler(item, ctx) };
    } catch (err) {
      // The class of the error (TypeError, a custom one) groups failures on the dashboard.
      const errorType = err instanceof Error && err.name && err.name !== 'Error' ? err.name.slice(0, 200) : null;
      outcome = { ok: false, error: messageOf(err), errorType };
    }
    if (this.abort.signal.aborted) return; // given up: `terminated` releases it
    try {
      if (outcome.ok) {
        await this.client.complete(item.id, { ...fence, result: outcome.result ?? undefined });
        this.counts.completed++;
      } else {
        const after = await this.client.fail(item.id, { ...fence, error: outcome.error, ...(outcome.errorType ? { error_type: outcome.errorType } : {}) });
        this.counts.failed++;
        this.log('warn', `item ${item.id} failed (attempt ${item.attempts}/${item.max_retries}${after.status === 'poisoned' ? ', poisoned' : ''}): ${outcome.error}`);
      }
    } catch (err) {
      if (err instanceof Conflict || err instanceof NotFound) {
        this.counts.conflicts++;
        this.log('warn', `item ${item.id}: the hub refused the ${outcome.ok ? 'result' : 'failure'} (${err.code}): the claim is gone, moving on`);
      } else {
        this.log('error', `item ${item.id}: could not report its ${outcome.ok ? 'result' : 'failure'}: ${messageOf(err)}`);
      }
    }
  }
}
