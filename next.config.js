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
// The same lists serve the API from lib/server/serve.ts, which answers /api without Next.js.
const { everyResponse, apiContentSecurityPolicy } = require('./lib/http/response-headers.json');

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
      { source: '/:path*', headers: everyResponse },
      // JSON and event streams never run anything: nothing at all may load from them.
      { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: apiContentSecurityPolicy }] },
    ];
  },
};

module.exports = nextConfig;
