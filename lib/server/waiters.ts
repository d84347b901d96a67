import type { HubEvent } from '@/db';
import type { WorkItem } from '@/lib/contracts';

/**
 * Long-poll claims: a claim that finds nothing waits, up to its `wait_seconds`, for work to appear
 * in its pool, and tries again the moment some may have.
 *
 * - **Wake-ups** come from the hub's change events: a pool event whose changes may have made
 *   items pending (a push, a release, a fail back to pending, a retry, the reaper, a resume), but
 *   not one that only took or ended claims. A scheduled item falling due is no event: a waiter
 *   sleeps no longer than until the pool's next one is due (`nextDue`), then looks again. On PostgreSQL those include other instances' changes (LISTEN/
 *   NOTIFY), so a push through instance A wakes a worker waiting on instance B.
 * - **Fair**: each pool's waiters form a queue in arrival order, and one change wakes one waiter.
 *   A waiter that got a full batch wakes the next (there may be more); one that got nothing goes
 *   back to the head of the queue, keeping its turn.
 * - **No lost wake-up**: a change that lands while a waiter is between its empty claim and its
 *   sleep is seen by the pool's generation count, and the waiter tries again at once.
 * - A waiter whose client went away leaves the queue and claims nothing more; shutting down
 *   answers every waiter with what it has (nothing).
 */
export class Waiters {
  private readonly queues = new Map<string, Waiter[]>();
  /** Per pool, bumped by every wake-worthy change: a waiter compares it before and after a try. */
  private readonly generations = new Map<string, number>();
  /** Pools whose latest item events (of the change being told) only claimed, completed or poisoned. */
  private readonly quiet = new Map<string, boolean>();
  private count = 0;
  private closed = false;

  constructor(private readonly maxWaiting: number) {}

  /** How many claims are waiting now, over all pools. */
  get waiting(): number {
    return this.count;
  }

  /** Feed every change event here, in order. */
  onChange = (e: HubEvent): void => {
    if (e.type === 'item') {
      // Item events precede their change's pool event: remember whether any made work.
      const madeWork = e.status === 'pending' || this.quiet.get(e.pool) === false;
      this.quiet.set(e.pool, !madeWork);
      return;
    }
    if (e.type !== 'pool') return;
    const quiet = this.quiet.get(e.name) === true;
    this.quiet.delete(e.name);
    if (quiet) return;
    this.generations.set(e.name, this.generation(e.name) + 1);
    this.wakeOne(e.name);
  };

  /**
   * Tries `attempt` (a claim), and while it finds nothing, waits in the pool's queue and tries
   * again whenever work may have appeared, until it returns items or a refusal, `waitMs` passes
   * (answers `[]`), the client goes away (`signal`: answers `[]`, claiming nothing more) or the
   * hub shuts down. `'full'` when nothing was found and `maxWaiting` claims wait already.
   */
  async claim<R extends { ok: true; value: WorkItem[] } | { ok: false }>(
    pool: string,
    limit: number,
    waitMs: number,
    signal: AbortSignal,
    attempt: () => Promise<R>,
    nextDue: () => Promise<number | null> = async () => null,
  ): Promise<R | { ok: true; value: WorkItem[] } | 'full'> {
    const none = { ok: true as const, value: [] as WorkItem[] };
    const deadline = Date.now() + waitMs;
    let counted = false;
    try {
      for (let woken = false; ; ) {
        const seen = this.generation(pool);
        const result = await attempt();
        if (!result.ok || result.value.length > 0) {
          if (result.ok && result.value.length >= limit && woken) this.wakeOne(pool); // more may wait for the next in line
          return result;
        }
        if (waitMs <= 0 || signal.aborted || this.closed || Date.now() >= deadline) return none;
        if (!counted) {
          if (this.count >= this.maxWaiting) return 'full';
          this.count++;
          counted = true;
        }
        // Work appeared while this claim looked: look again rather than sleep through it.
        if (this.generation(pool) !== seen) continue;
        // Woken for nothing before: back to the head of the line, its turn kept.
        const due = await nextDue();
        const until = due === null ? deadline : Math.min(deadline, Date.now() + due);
        const why = await this.sleep(pool, until, signal, woken);
        if (why === 'timeout' && until < deadline) continue; // an item fell due: look again
        if (why !== 'woken') return none;
        woken = true;
      }
    } finally {
      if (counted) this.count--;
    }
  }

  /** Answers every waiter now (shutdown): each returns what it has, which is nothing. */
  close(): void {
    this.closed = true;
    for (const queue of this.queues.values()) for (const w of queue.splice(0)) w.wake('closed');
  }

  private generation(pool: string): number {
    return this.generations.get(pool) ?? 0;
  }

  private wakeOne(pool: string) {
    const queue = this.queues.get(pool);
    const next = queue?.shift();
    if (queue && queue.length === 0) this.queues.delete(pool);
    next?.wake('woken');
  }

  /**
   * Sleeps in the pool's queue (at its head when `front`: a waiter that was woken for nothing
   * keeps its turn) until woken, the deadline, an abort or shutdown. A change since the caller
   * last looked (`generation` moved while it claimed) skips the sleep.
   */
  private sleep(pool: string, deadline: number, signal: AbortSignal, front: boolean): Promise<'woken' | 'timeout' | 'aborted' | 'closed'> {
    return new Promise((resolve) => {
      const queue = this.queues.get(pool) ?? [];
      this.queues.set(pool, queue);
      const waiter: Waiter = {
        wake: (why) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          resolve(why);
        },
      };
      const leave = (why: 'timeout' | 'aborted') => {
        const q = this.queues.get(pool);
        const i = q ? q.indexOf(waiter) : -1;
        if (i >= 0) q!.splice(i, 1);
        if (q && q.length === 0) this.queues.delete(pool);
        waiter.wake(why);
      };
      const onAbort = () => leave('aborted');
      const timer = setTimeout(() => leave('timeout'), Math.max(0, deadline - Date.now()));
      signal.addEventListener('abort', onAbort);
      if (front) queue.unshift(waiter);
      else queue.push(waiter);
    });
  }
}

interface Waiter {
  wake: (why: 'woken' | 'timeout' | 'aborted' | 'closed') => void;
}
