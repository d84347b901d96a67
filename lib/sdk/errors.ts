import { Problem } from '../contracts';

/**
 * Base of every error the SDK throws for an answer of the hub (or for no answer at all).
 * `status` is the HTTP status (0 when the hub could not be reached); `code` is the stable
 * machine-readable reason of the hub's problem body, e.g. `stale-lease`.
 */
export class HubError extends Error {
  override name = 'HubError';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    /** `METHOD /path` of the request that failed. */
    readonly request: string,
  ) {
    super(`${request}: ${status ? `${status} ` : ''}${code}: ${detail}`);
  }
}

/** 400: a field is missing, of the wrong type or out of range; `detail` names it. */
export class BadRequest extends HubError {
  override name = 'BadRequest';
}
/** 401: no token, or a token the hub does not know. */
export class Unauthorized extends HubError {
  override name = 'Unauthorized';
}
/** 403: the token's role may not do this (a worker token asking for an operator action). */
export class Forbidden extends HubError {
  override name = 'Forbidden';
}
/** 404: unknown worker, item or route. */
export class NotFound extends HubError {
  override name = 'NotFound';
}
/** 405: the route does not serve this method. */
export class MethodNotAllowed extends HubError {
  override name = 'MethodNotAllowed';
}
/**
 * 409: the state does not allow it. For complete/fail this means the claim is gone (released,
 * reaped, or claimed again): codes `item-not-claimed`, `not-claim-holder`, `stale-lease`.
 * Never retried.
 */
export class Conflict extends HubError {
  override name = 'Conflict';
}
/** 413: the request body is larger than the hub accepts (1 MiB by default). */
export class PayloadTooLarge extends HubError {
  override name = 'PayloadTooLarge';
}
/** 415: a write without `content-type: application/json`. */
export class UnsupportedMediaType extends HubError {
  override name = 'UnsupportedMediaType';
}
/** 429: slow down; retried by the client's retry policy. */
export class TooManyRequests extends HubError {
  override name = 'TooManyRequests';
}
/** 5xx: the hub (or a proxy before it) failed; retried by the client's retry policy. */
export class ServerError extends HubError {
  override name = 'ServerError';
}
/** No answer: connection refused or reset, DNS failure, or the request timed out (status 0). */
export class HubUnreachable extends HubError {
  override name = 'HubUnreachable';
}
/** The caller aborted the request (its `signal`): never retried. */
export class RequestAborted extends HubError {
  override name = 'RequestAborted';
}
/** The hub answered with a body that does not match the shared contract (a version mismatch). */
export class UnexpectedResponse extends HubError {
  override name = 'UnexpectedResponse';
}

const BY_STATUS: Record<number, typeof HubError> = {
  400: BadRequest,
  401: Unauthorized,
  403: Forbidden,
  404: NotFound,
  405: MethodNotAllowed,
  409: Conflict,
  413: PayloadTooLarge,
  415: UnsupportedMediaType,
  429: TooManyRequests,
};

/** The error for a non-2xx answer, from its problem+json body when it has one. */
export function errorFor(status: number, body: unknown, request: string): HubError {
  const parsed = Problem.safeParse(body);
  const code = parsed.success ? parsed.data.code : `http-${status}`;
  const detail = parsed.success
    ? parsed.data.detail
    : typeof body === 'string' && body.trim()
      ? body.trim().slice(0, 200)
      : 'the hub answered without a problem body';
  const Class = BY_STATUS[status] ?? (status >= 500 ? ServerError : HubError);
  return new Class(status, code, detail, request);
}

/** True for the failures worth trying again: no answer, 429 and 5xx. Never a 409 or other 4xx. */
export function isRetryable(err: unknown): boolean {
  return err instanceof HubUnreachable || err instanceof TooManyRequests || err instanceof ServerError;
}
