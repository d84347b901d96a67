import path from 'node:path';
import { defineConfig } from '@playwright/test';

/**
 * Dashboard flows in Debian's Chromium against the built app (`next build` first). The hub runs
 * on an unusual port with a fresh SQLite file. Staleness after 3 s; the reaper's own timer is
 * set to an hour so that the window between "stale" and "lost" is the test's to choose: the
 * spec runs the reaper itself with POST /api/v1/reap (the same store call the timer makes),
 * instead of racing a 1 s timer to catch the badge.
 */
// scripts/test.mjs passes ports that are free right now; 39517 and 39518 when run directly.
const PORT = Number(process.env.E2E_PORT ?? 39517);
const dir = path.join(__dirname, '.test-tmp', 'e2e');
export const STALE_SECONDS = 3;

/**
 * A second hub with tokens, for sign-in and roles (e2e/security.spec.ts): its own port and
 * SQLite file. HOST keeps it on 127.0.0.1 (with tokens it would listen on every interface).
 */
const SECURED_PORT = Number(process.env.E2E_SECURED_PORT ?? 39518);
const securedDir = path.join(__dirname, '.test-tmp', 'e2e-secured');
export const SECURED_TOKENS = { operator: 'e2e-operator-secret', viewer: 'e2e-viewer-secret', worker: 'e2e-worker-secret' } as const;
const SECURED_SPEC = /security\.spec\.ts/;

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  outputDir: 'test-results',
  use: {
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    },
  },
  projects: [
    { name: 'open hub', testIgnore: SECURED_SPEC, use: { baseURL: `http://127.0.0.1:${PORT}` } },
    { name: 'hub with tokens', testMatch: SECURED_SPEC, use: { baseURL: `http://127.0.0.1:${SECURED_PORT}` } },
  ],
  webServer: [
    {
      command: `rm -rf "${dir}" && node --require tsx/cjs scripts/serve.ts`,
      url: `http://127.0.0.1:${PORT}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: {
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(PORT),
        DATABASE_URL: path.join(dir, 'hub.db'),
        HUB_STALE_SECONDS: String(STALE_SECONDS),
        HUB_REAP_INTERVAL_SECONDS: '3600',
        HUB_OPERATOR_TOKEN: '',
        HUB_WORKER_TOKEN: '',
        HUB_VIEWER_TOKEN: '',
      },
    },
    {
      command: `rm -rf "${securedDir}" && node --require tsx/cjs scripts/serve.ts`,
      url: `http://127.0.0.1:${SECURED_PORT}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: {
        NODE_ENV: 'production',
        DATABASE_URL: path.join(securedDir, 'hub.db'),
        HOST: '127.0.0.1',
        PORT: String(SECURED_PORT),
        HUB_STALE_SECONDS: String(STALE_SECONDS),
        HUB_REAP_INTERVAL_SECONDS: '3600',
        HUB_OPERATOR_TOKEN: SECURED_TOKENS.operator,
        HUB_WORKER_TOKEN: SECURED_TOKENS.worker,
        HUB_VIEWER_TOKEN: SECURED_TOKENS.viewer,
      },
    },
  ],
});
