/** @type {import('next').NextConfig} */
const nextConfig = {
  // The hub is an API server first: no "x-powered-by" banner, no image optimiser.
  poweredByHeader: false,
  images: { unoptimized: true },
  typedRoutes: false,
};

module.exports = nextConfig;
