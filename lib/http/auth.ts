import { createHash, timingSafeEqual } from 'node:crypto';
import { TOUCH_EVERY_MS, type HubStore } from '@/db';
import { NEEDS, roleMay, type Need, type Role } from '@/lib/contracts';
import type { HubConfig } from '@/lib/env';
import { problem, ProblemError } from './problem';
import { FailureThrottle } from './throttle';
import type { HubRequest } from './reply';

export type { Need } from '@/lib/contracts';

/** The 403 detail when a caller's role lacks what a route needs: the roles that have it, from the one table. */
const lacking = (need: Need) => `this action needs the ${NEEDS[need].join(' or ')} role`;
type Tokens = Pick<HubConfig, 'operatorToken' | 'workerToken' | 'viewerToken'>;
/** What checking a caller needs of the config: its tokens and how many wrong ones an address may try. */
type AuthConfig = Tokens & Pick<HubConfig, 'authFailuresPerMinute'>;

/**
 * Who is calling. Configured tokens are named after their role (`operator`, `worker`, `viewer`),
 * issued ones by the name they were issued with; on an open hub everyone is the `anonymous`
 * operator. `via` says how the token came: the CSRF check applies to the session cookie only.
 */
export interface Caller {
  role: Role;
  name: string;
  via: 'bearer' | 'cookie' | 'open';
  /** An issued token: its id and hash, so a live stream can see when it is revoked. */
  issued?: { id: string; hash: string };
  /** A per-worker token: the caller may act as this worker id only. */
  workerId?: string;
}

/** The dashboard's session cookie: it holds the token signed in with. */
export const SESSION_COOKIE = 'hub_session';
/** Issued secrets start with this, so a leaked one is recognizable (and env tokens never hit the database). */
export const ISSUED_PREFIX = 'fmh_';

/** Hex SHA-256 of a secret: how issued tokens are stored and looked up. */
export const hashToken = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** No token configured: everyone may do everything (and the hub listens on 127.0.0.1). */
export const isOpen = (cfg: Tokens) => !cfg.operatorToken && !cfg.workerToken && !cfg.viewerToken;

/** Constant time, also in the length: digests of equal size are compared, not the strings. */
function same(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

// On globalThis: Next bundles route modules apart, and one map keeps the writes to one a minute.
const g = globalThis as typeof globalThis & { __hubTokenTouches?: Map<string, number>; __hubAuthThrottle?: FailureThrottle };
const touches = (g.__hubTokenTouches ??= new Map());
const throttleOf = (cfg: AuthConfig) => (g.__hubAuthThrottle ??= new FailureThrottle(cfg.authFailuresPerMinute));

/**
 * Runs a token check for `req` under the per-address throttle: 429 with Retry-After while its
 * address has used up its wrong guesses, and a `null` answer counted as one more. Requests whose
 * address the server does not know (handlers called by `next dev`) are not throttled.
 */
export async function throttled<T>(req: HubRequest, cfg: AuthConfig, check: () => Promise<T | null>): Promise<T | null> {
  const address = req.remoteAddress;
  if (!address) return check();
  const throttle = throttleOf(cfg);
  const wait = throttle.retryAfter(address);
  if (wait > 0) {
    throw new ProblemError(
      problem(429, 'too-many-requests', `too many wrong tokens from this address; try again in ${wait} s`, { 'retry-after': String(wait) }),
    );
  }
  const found = await check();
  if (found === null) throttle.fail(address);
  return found;
}

type Holder = Pick<Caller, 'role' | 'name' | 'issued' | 'workerId'>;

/** The role and name of whoever holds `token`, or null for an unknown or revoked one. */
export async function holderOf(token: string, cfg: Tokens, store: HubStore): Promise<Holder | null> {
  if (cfg.operatorToken && same(token, cfg.operatorToken)) return { role: 'operator', name: 'operator' };
  if (cfg.workerToken && same(token, cfg.workerToken)) return { role: 'worker', name: 'worker' };
  if (cfg.viewerToken && same(token, cfg.viewerToken)) return { role: 'viewer', name: 'viewer' };
  if (!token.startsWith(ISSUED_PREFIX)) return null;
  // Hashed first, then looked up by hash: comparison time depends on the hash, not the secret.
  const hash = hashToken(token);
  const found = await store.findToken(hash);
  if (!found) return null;
  const now = Date.now();
  if ((touches.get(found.id) ?? 0) < now - TOUCH_EVERY_MS) {
    touches.set(found.id, now);
    await store.touchToken(found.id);
  }
  const holder: Holder = { role: found.role, name: found.name, issued: { id: found.id, hash } };
  if (found.workerId !== null) holder.workerId = found.workerId;
  return holder;
}

/** Cookies of a request by name (the last one wins). */
function cookiesOf(req: HubRequest): Map<string, string> {
  const jar = new Map<string, string>();
  for (const part of (req.headers.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      jar.set(part.slice(0, eq).trim(), decodeURIComponent(raw));
    } catch {
      jar.set(part.slice(0, eq).trim(), raw);
    }
  }
  return jar;
}

/** The token a request presents: its bearer header, else its session cookie. */
function presented(req: HubRequest): { token: string; via: 'bearer' | 'cookie' } | null {
  const header = req.headers.get('authorization');
  if (header !== null) {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    // A malformed Authorization header is a wrong token, not a fallback to the cookie.
    return { token: match ? match[1]! : '', via: 'bearer' };
  }
  const cookie = cookiesOf(req).get(SESSION_COOKIE);
  return cookie ? { token: cookie, via: 'cookie' } : null;
}

/**
 * Who the caller is: the anonymous operator on an open hub, `null` when it presents no token or a
 * wrong (or revoked) one.
 */
async function identify(req: HubRequest, cfg: AuthConfig, store: HubStore): Promise<Caller | null> {
  if (isOpen(cfg)) return { role: 'operator', name: 'anonymous', via: 'open' };
  const given = presented(req);
  if (!given) return null;
  const holder = await throttled(req, cfg, async () => (given.token ? holderOf(given.token, cfg, store) : null));
  return holder ? { ...holder, via: given.via } : null;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * True when the request's `Origin` (or, without one, its `Referer`) names the host it was sent to.
 * A browser always sends one of them on a cross-site write, and a page cannot forge them.
 */
export function sameOrigin(req: HubRequest, opts: { refererToo: boolean } = { refererToo: true }): boolean {
  const host = req.headers.get('host');
  const source = req.headers.get('origin') ?? (opts.refererToo ? req.headers.get('referer') : null);
  if (!host || !source || source === 'null') return false;
  try {
    const from = new URL(source);
    // Parsed with the source's scheme on both sides, so a default port spelt out still matches.
    return new URL(`${from.protocol}//${host}`).host === from.host;
  } catch {
    return false;
  }
}

const crossSite = () =>
  new ProblemError(problem(403, 'cross-site', 'a write made with the session cookie must come from a page of this hub (Origin or Referer)'));

/**
 * Throws 401/403 unless the request may do what it asks, and returns who asks (`null` only on a
 * public route called without a valid token). A write authenticated by the session cookie must
 * come from this hub's own pages (403 `cross-site`); on an open hub, a browser write whose Origin
 * names another site is refused too. Bearer requests carry no ambient credential and are not checked.
 */
export async function authorize(req: HubRequest, need: Need, cfg: AuthConfig, store: HubStore): Promise<Caller | null> {
  const caller = await identify(req, cfg, store);
  if (need === 'public') return caller;
  if (!caller) {
    throw new ProblemError(
      problem(401, 'unauthorized', 'a valid bearer token is required', { 'www-authenticate': 'Bearer realm="flatmachines-hub"' }),
    );
  }
  if (WRITES.has(req.method)) {
    if (caller.via === 'cookie' && !sameOrigin(req)) throw crossSite();
    if (caller.via === 'open' && req.headers.get('origin') !== null && !sameOrigin(req, { refererToo: false })) throw crossSite();
  }
  if (need !== 'read' && !roleMay(caller.role, need)) throw new ProblemError(problem(403, 'forbidden', lacking(need)));
  return caller;
}
