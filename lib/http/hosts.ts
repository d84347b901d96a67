import type { HubConfig } from '@/lib/env';
import { problem } from './problem';
import type { Reply } from './reply';

/** Names that only ever reach this machine. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Whether the hub answers a request sent to `host` (its Host header). A page on another site can
 * point its own name at 127.0.0.1 (DNS rebinding) and then talk to an open hub as the same origin,
 * so an open hub answers loopback names only, plus those HUB_ALLOWED_HOSTS lists. A hub with
 * tokens answers any name unless HUB_ALLOWED_HOSTS lists some. No Host header (HTTP/1.0), or one
 * that is no host name at all, passes here: no browser sends either, and the server refuses the latter.
 */
export function hostAllowed(host: string | null | undefined, cfg: Pick<HubConfig, 'allowedHosts'>, open: boolean): boolean {
  if (!open && cfg.allowedHosts.length === 0) return true;
  if (!host) return true;
  let name: string;
  try {
    name = new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return true; // not a host name at all: the server answers it 400 as a request line it cannot read
  }
  return LOOPBACK.has(name) || cfg.allowedHosts.includes(name);
}

/** The answer to a request for a host name the hub does not serve. */
export const misdirected = (host: string): Reply =>
  problem(
    421,
    'host-not-allowed',
    `this hub does not answer to the host name in "${host.slice(0, 200)}"; an open hub answers 127.0.0.1, localhost and [::1], and the names in HUB_ALLOWED_HOSTS`,
  );
