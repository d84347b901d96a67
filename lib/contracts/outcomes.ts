/**
 * Why something the hub was asked to do did not happen, as stable codes. The store answers with
 * them and knows nothing of HTTP; the route kit gives each its status from one table
 * (lib/http/problem.ts `statusOf`), and the SDK reads them back from the problem body's `code`.
 */

/**
 * An expected outcome of a store write: a value in its `{ ok: false, code, detail }` answer,
 * never an exception.
 */
export type FailureCode =
  | 'worker-not-found'
  | 'worker-not-active'
  | 'item-not-found'
  | 'item-not-claimed'
  | 'not-claim-holder'
  | 'stale-lease'
  | 'item-not-pending'
  | 'item-not-retryable'
  | 'item-not-scheduled'
  | 'pool-paused'
  | 'token-not-found';

/**
 * An unexpected failure of the store that still has a right answer for the caller (it raises
 * these, recognized by `storeProblemOf`): the database cannot be reached, or the input is valid
 * JSON the database cannot keep.
 */
export type StoreProblemCode = 'database-unavailable' | 'unstorable-input';
