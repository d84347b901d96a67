/**
 * Security headers on every response, page or API. Pages get their Content-Security-Policy (with
 * a per-request nonce) from proxy.ts; two CSP headers on a page would both apply, so the API's
 * stays off pages.
 *
 * Referrer-Policy is `same-origin`, not `no-referrer`: under `no-referrer` a browser sends
 * `Origin: null` with the dashboard's own POST and DELETE requests (Fetch standard, "append a
 * request Origin header"), and the hub's cross-site check needs the real origin there.
 * `same-origin` still sends nothing to any other site.
 */
const COMMON_HEADERS = [
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'same-origin' },
];

/** JSON and event streams never run anything: nothing at all may load from them. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** @type {import('next').NextConfig} */
const nextConfig = {
  // The hub is an API server first: no "x-powered-by" banner, no image optimiser.
  poweredByHeader: false,
  // No gzip in the hub: on small JSON answers it cost ~2 ms a request, more than the rest of the
  // request together (measured: GET /api/v1/healthz 5.1 → 2.8 ms). Compress at a reverse proxy.
  compress: false,
  images: { unoptimized: true },
  typedRoutes: false,
  async headers() {
    return [
      { source: '/:path*', headers: COMMON_HEADERS },
      { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: API_CSP }] },
    ];
  },
};

module.exports = nextConfig;
