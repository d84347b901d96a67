import type { FailureCode, StoreProblemCode } from '@/lib/contracts';
import type { Reply } from './reply';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  421: 'Misdirected Request',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The one builder of error bodies: RFC 9457 problem details with a stable `code`. */
export function problem(status: number, code: string, detail: string, headers: Record<string, string> = {}): Reply {
  const body = { type: `urn:flatmachines-hub:problem:${code}`, title: TITLES[status] ?? 'Error', status, detail, code };
  return {
    status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/** Thrown by the route kit's parsers to stop a request early with a problem response. */
export class ProblemError extends Error {
  constructor(readonly reply: Reply) {
    super(`problem ${reply.status}`);
  }
}

/** Every code the store answers or raises, and the status it is sent with. */
const STATUS_OF: Record<FailureCode | StoreProblemCode, number> = {
  'worker-not-found': 404,
  'item-not-found': 404,
  'worker-not-active': 409,
  'item-not-claimed': 409,
  'not-claim-holder': 409,
  'stale-lease': 409,
  'item-not-pending': 409,
  'item-not-retryable': 409,
  'item-not-scheduled': 409,
  'pool-paused': 409,
  'token-not-found': 404,
  // The input is valid JSON the database cannot keep: the caller's to change.
  'unstorable-input': 400,
  // The database down or restarting: the hub recovers by itself, so the caller may retry.
  'database-unavailable': 503,
};

/** The HTTP status of a store's outcome or problem code: the one table of them. */
export const statusOf = (code: FailureCode | StoreProblemCode): number => STATUS_OF[code];

/** Maps a store's expected failure to its problem response. */
export function failure(f: { code: FailureCode; detail: string }): Reply {
  return problem(statusOf(f.code), f.code, f.detail);
}
