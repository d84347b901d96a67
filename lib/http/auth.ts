import { createHash, timingSafeEqual } from 'node:crypto';
import type { HubStore } from '@/db';
import type { Role } from '@/lib/contracts';
import type { HubConfig } from '@/lib/env';
import { problem, ProblemError } from './problem';
import type { HubRequest } from './reply';

/**
 * What a request needs: `public` (no token), `read` (any role: viewer, worker, operator),
 * `oversee` (viewer or operator: the audit trail), `worker` (worker or operator), `operator`.
 */
export type Need = 'public' | 'read' | 'oversee' | 'worker' | 'operator';
type Tokens = Pick<HubConfig, 'operatorToken' | 'workerToken' | 'viewerToken'>;

/**
 * Who is calling. Configured tokens are named after their role (`operator`, `worker`, `viewer`),
 * issued ones by the name they were issued with; on an open hub everyone is the `anonymous`
 * operator. `via` says how the token came: the CSRF check applies to the session cookie only.
 */
export interface Caller {
  role: Role;
  name: string;
  via: 'bearer' | 'cookie' | 'open';
}

/** The dashboard's session cookie: it holds the token signed in with. */
export const SESSION_COOKIE = 'hub_session';
/** Issued secrets start with this, so a leaked one is recognizable (and env tokens never hit the database). */
export const ISSUED_PREFIX = 'fmh_';
/** `last_used_at` is refreshed at most this often per token by this process (the store also guards it). */
const TOUCH_EVERY_MS = 60_000;

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
const g = globalThis as typeof globalThis & { __hubTokenTouches?: Map<string, number> };
const touches = (g.__hubTokenTouches ??= new Map());

/** The role and name of whoever holds `token`, or null for an unknown or revoked one. */
export async function holderOf(token: string, cfg: Tokens, store: HubStore): Promise<{ role: Role; name: string } | null> {
  if (cfg.operatorToken && same(token, cfg.operatorToken)) return { role: 'operator', name: 'operator' };
  if (cfg.workerToken && same(token, cfg.workerToken)) return { role: 'worker', name: 'worker' };
  if (cfg.viewerToken && same(token, cfg.viewerToken)) return { role: 'viewer', name: 'viewer' };
  if (!token.startsWith(ISSUED_PREFIX)) return null;
  // Hashed first, then looked up by hash: comparison time depends on the hash, not the secret.
  const found = await store.findToken(hashToken(token));
  if (!found) return null;
  const now = Date.now();
  if ((touches.get(found.id) ?? 0) < now - TOUCH_EVERY_MS) {
    touches.set(found.id, now);
    await store.touchToken(found.id);
  }
  return { role: found.role, name: found.name };
}

/** Cookies of a request by name (the last one wins). */
export function cookiesOf(req: HubRequest): Map<string, string> {
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
export async function identify(req: HubRequest, cfg: Tokens, store: HubStore): Promise<Caller | null> {
  if (isOpen(cfg)) return { role: 'operator', name: 'anonymous', via: 'open' };
  const given = presented(req);
  if (!given || !given.token) return null;
  const holder = await holderOf(given.token, cfg, store);
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
export async function authorize(req: HubRequest, need: Need, cfg: Tokens, store: HubStore): Promise<Caller | null> {
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
  if (need === 'operator' && caller.role !== 'operator') {
    throw new ProblemError(problem(403, 'forbidden', 'this action needs the operator role'));
  }
  if (need === 'worker' && caller.role === 'viewer') {
    throw new ProblemError(problem(403, 'forbidden', 'this action needs the worker or operator role'));
  }
  if (need === 'oversee' && caller.role === 'worker') {
    throw new ProblemError(problem(403, 'forbidden', 'this needs the operator or viewer role'));
  }
  return caller;
}
