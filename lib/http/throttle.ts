/**
 * Failed token checks per client address. Guessing tokens from one address is slowed to
 * `perMinute` wrong guesses a minute: past that, the address gets 429 with Retry-After for every
 * request that presents a token, valid or not, until its minute is over — a check that still ran
 * would tell a guesser which guess was right.
 */
export class FailureThrottle {
  private readonly windows = new Map<string, { start: number; failures: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `address` may try again; 0 when it may now. */
  retryAfter(address: string): number {
    const w = this.windows.get(address);
    if (!w) return 0;
    const left = w.start + WINDOW_MS - this.now();
    if (left <= 0) {
      this.windows.delete(address);
      return 0;
    }
    return w.failures >= this.perMinute ? Math.ceil(left / 1000) : 0;
  }

  /** Counts one failed check from `address`. */
  fail(address: string): void {
    const now = this.now();
    const w = this.windows.get(address);
    if (w && w.start + WINDOW_MS > now) {
      w.failures++;
      return;
    }
    if (this.windows.size >= MAX_ADDRESSES) this.sweep(now);
    this.windows.set(address, { start: now, failures: 1 });
  }

  /** Forgets minutes that are over, so addresses seen once do not pile up. */
  private sweep(now: number) {
    for (const [address, w] of this.windows) if (w.start + WINDOW_MS <= now) this.windows.delete(address);
    // Still full: a flood from many addresses. Dropping the oldest keeps memory bounded.
    while (this.windows.size >= MAX_ADDRESSES) this.windows.delete(this.windows.keys().next().value!);
  }
}

const WINDOW_MS = 60_000;
const MAX_ADDRESSES = 100_000;
