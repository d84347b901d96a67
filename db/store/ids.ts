/**
 * Item ids are decimal strings of a database sequence. Anything else names no item, so callers
 * answer "not found" for it instead of passing it to the database.
 */
export function parseItemId(id: string): number | null {
  if (!/^[1-9][0-9]{0,15}$/.test(id)) return null;
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * `new Date(ms).toISOString()` (null stays null), from a cache of the two seconds last seen: an
 * item's times fall mostly in the second it was pushed and the second it is worked on, and
 * formatting a Date costs more than the rest of mapping a row.
 */
export const iso = (ms: number | null | undefined): string | null => {
  if (ms === null || ms === undefined) return null;
  if (!Number.isInteger(ms)) return new Date(ms).toISOString();
  const second = Math.floor(ms / 1000);
  const milli = ms - second * 1000;
  const tail = (milli < 10 ? '00' : milli < 100 ? '0' : '') + milli + 'Z';
  if (second === isoSeconds[0]) return isoPrefixes[0] + tail;
  if (second === isoSeconds[1]) return isoPrefixes[1] + tail;
  const full = new Date(ms).toISOString(); // throws for an invalid time, as before
  // The slot not used last makes room.
  const slot = isoLast === 0 ? 1 : 0;
  isoSeconds[slot] = second;
  isoPrefixes[slot] = full.slice(0, -4); // all but "mmmZ"
  isoLast = slot;
  return full;
};
const isoSeconds = [NaN, NaN];
const isoPrefixes = ['', ''];
let isoLast = 0;

/** JSON text from the database, or null. */
export const fromJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/** Shallow merge when both sides are plain objects; otherwise the new value replaces the old. */
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergeMetadata(old: unknown, next: unknown): unknown {
  return isPlainObject(old) && isPlainObject(next) ? { ...old, ...next } : next;
}

/**
 * A heartbeat's metadata that changes nothing: absent, or `{}` (an empty merge, as in the seed,
 * leaves a worker without metadata without it rather than setting `{}`).
 */
export const heartbeatKeepsMetadata = (next: unknown) => next === undefined || (isPlainObject(next) && Object.keys(next).length === 0);

export const statusReason = (workerId: string, status: string) => `worker ${workerId} was marked ${status}`;
export const releasedReason = (workerId: string) => `released from worker ${workerId} by an operator`;

/**
 * What a retry writes, on either engine (both schemas name these columns alike): back to
 * `pending` with attempts 0, the claim and the outcome cleared.
 */
export const backToPending = {
  status: 'pending',
  attempts: 0,
  claimedBy: null,
  claimedAt: null,
  leaseId: null,
  completedAt: null,
  result: null,
} as const;

/**
 * Why a guarded end of a claim (complete, fail) matched no row, from the item as it is now
 * (`undefined`: it does not exist). Both engines read the row, then ask this.
 */
export function whyNotEnded(
  row: { status: string; claimedBy: string | null } | undefined,
  itemId: string,
  claim: { workerId: string; leaseId?: string | null | undefined },
): { ok: false; code: 'item-not-found' | 'item-not-claimed' | 'not-claim-holder' | 'stale-lease'; detail: string } {
  if (!row) return { ok: false, code: 'item-not-found', detail: `work item ${itemId} not found` };
  if (row.status !== 'claimed') {
    return { ok: false, code: 'item-not-claimed', detail: `work item ${itemId} is ${row.status}, not claimed` };
  }
  if (row.claimedBy !== claim.workerId) {
    return { ok: false, code: 'not-claim-holder', detail: `work item ${itemId} is not claimed by worker ${claim.workerId}` };
  }
  return { ok: false, code: 'stale-lease', detail: `lease ${claim.leaseId} is not the current claim of work item ${itemId}` };
}

/**
 * The worker row a registration writes (status active, heartbeat now, claims untouched), on either
 * engine; `encode` stores JSON the engine's way.
 */
export function registrationRow<Encoded>(
  input: { worker_id?: string | null; host?: string | null; pid?: number | null; capabilities?: string[] | null; pool_id?: string | null; started_at?: string | null; metadata?: unknown },
  now: number,
  encode: (value: unknown) => Encoded,
) {
  return {
    workerId: input.worker_id ?? `worker-${crypto.randomUUID()}`,
    status: 'active',
    lastHeartbeat: now,
    host: input.host ?? null,
    pid: input.pid ?? null,
    capabilities: input.capabilities ? encode(input.capabilities) : null,
    poolId: input.pool_id ?? null,
    startedAt: input.started_at ? Date.parse(input.started_at) : now,
    reportedTaskId: null,
    metadata: input.metadata === undefined ? null : encode(input.metadata),
  };
}
