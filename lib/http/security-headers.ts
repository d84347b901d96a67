/**
 * A page's Content-Security-Policy, built per request by proxy.ts. The headers every response
 * carries (anti-framing, no-sniff, referrer policy, the API's own CSP) are in next.config.js.
 */

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
