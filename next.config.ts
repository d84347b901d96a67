import type { NextConfig } from 'next';
import { API_CSP, COMMON_HEADERS } from './lib/http/security-headers';

const nextConfig: NextConfig = {
  // The hub is an API server first: no "x-powered-by" banner, no image optimiser.
  poweredByHeader: false,
  images: { unoptimized: true },
  typedRoutes: false,
  // Pages get their Content-Security-Policy (with a per-request nonce) from proxy.ts; everything
  // else comes from here. Two CSP headers on a page would both apply, so the API's stays off pages.
  async headers() {
    return [
      { source: '/:path*', headers: COMMON_HEADERS },
      { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: API_CSP }] },
    ];
  },
};

export default nextConfig;
