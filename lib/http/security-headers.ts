/**
 * Security headers, stated once: next.config.ts sends them on every response and proxy.ts builds
 * each page's Content-Security-Policy. Imported by next.config.ts: relative imports only here.
 */

/**
 * On every response, page or API. Referrer-Policy is `same-origin`, not `no-referrer`: under
 * `no-referrer` a browser sends `Origin: null` with the dashboard's own POST and DELETE requests
 * (Fetch standard, "append a request Origin header"), and the hub's cross-site check needs the real
 * origin there. `same-origin` still sends nothing to any other site.
 */
export const COMMON_HEADERS = [
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'same-origin' },
];

/** JSON and event streams never run anything: nothing at all may load from them. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * A page's policy: self only. Next.js streams a page's data as inline <script> tags, so
 * `script-src 'self'` alone would stop the dashboard from starting, and 'unsafe-inline' would let
 * injected markup run as well. Instead a fresh nonce per request: Next puts it on its own scripts
 * and styles when it finds it in the request's CSP, and nothing else runs. No
 * 'upgrade-insecure-requests': a hub on a LAN is often plain http, and upgrading its own requests
 * to https would break it. `dev` (`next dev` only) loosens two things: React's dev build rebuilds
 * error stacks with eval, and the dev overlay injects <style> tags without the nonce (a nonce in
 * style-src would make browsers ignore 'unsafe-inline').
 */
export function pageCsp(nonce: string, dev = false): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'${dev ? " 'unsafe-eval'" : ''}`,
    dev ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
