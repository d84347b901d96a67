/**
 * Claim ids: a retried claim returns what the first try took.
 *
 * A worker may send a `claim_id` of its own making with a pool claim. Every lease that claim hands
 * out starts with `claim_id/`, so the items the worker still holds from it can be found by their
 * lease alone: a retry with the same id (its first answer lost to a dropped connection or a hub
 * killed after the commit) gets those items back instead of claiming more, and nothing is left
 * claimed by a worker that never heard of it. Claim ids are the worker's own: another worker's
 * id finds nothing of this worker's.
 */
interface ClaimKeyParams {
  claimKey: string | null;
  /** `claimKey/` … */
  leaseFrom: string | null;
  /** … up to `claimKey0` ('0' sorts right after '/'), so the range is exactly the leases under the id. */
  leaseTo: string | null;
}

export function claimKeyParams(claimId: string | null | undefined): ClaimKeyParams {
  if (!claimId) return { claimKey: null, leaseFrom: null, leaseTo: null };
  return { claimKey: claimId, leaseFrom: `${claimId}/`, leaseTo: `${claimId}0` };
}
