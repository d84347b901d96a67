/**
 * Item ids are decimal strings of a database sequence. Anything else names no item, so callers
 * answer "not found" for it instead of passing it to the database.
 */
export function parseItemId(id: string): number | null {
  if (!/^[1-9][0-9]{0,15}$/.test(id)) return null;
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : null;
}

export const iso = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

/** JSON text from the database, or null. */
export const fromJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/** Shallow merge when both sides are plain objects; otherwise the new value replaces the old. */
export function mergeMetadata(old: unknown, next: unknown): unknown {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  return isObject(old) && isObject(next) ? { ...old, ...next } : next;
}

export const lostReason = (workerId: string, staleSeconds: number) =>
  `worker ${workerId} was lost (no heartbeat for ${staleSeconds} s)`;
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
