import path from 'node:path';
import { defineConfig } from '@playwright/test';

/**
 * Dashboard flows in Debian's Chromium against the built app (`next build` first). The hub runs
 * on an unusual port with a fresh SQLite file. Staleness after 3 s; the reaper's own timer is
 * set to an hour so that the window between "stale" and "lost" is the test's to choose: the
 * spec runs the reaper itself with POST /api/v1/reap (the same store call the timer makes),
 * instead of racing a 1 s timer to catch the badge.
 */
// scripts/test.mjs passes a port that is free right now; 39517 when run directly.
const PORT = Number(process.env.E2E_PORT ?? 39517);
const dir = path.join(__dirname, '.test-tmp', 'e2e');
export const STALE_SECONDS = 3;

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
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    },
  },
  webServer: {
    command: `rm -rf "${dir}" && node node_modules/next/dist/bin/next start -H 127.0.0.1 -p ${PORT}`,
    url: `http://127.0.0.1:${PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: path.join(dir, 'hub.db'),
      HUB_STALE_SECONDS: String(STALE_SECONDS),
      HUB_REAP_INTERVAL_SECONDS: '3600',
      HUB_OPERATOR_TOKEN: '',
      HUB_WORKER_TOKEN: '',
      HUB_VIEWER_TOKEN: '',
    },
  },
});
