/**
 * Serves the built hub (run `next build` first; `npm start` builds when needed): the dashboard
 * through Next.js, the API straight from its route handlers (lib/server/serve.ts). Run it with
 * `node --require tsx/cjs scripts/serve.ts`; HOST, PORT and the rest come from lib/env.ts.
 */
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { parseConfig } from '../lib/env';

// Collect old garbage when the heap has grown half again, not the up-to-fourfold V8 allows
// itself on a machine with many gigabytes. Waiting on the database, a request's objects outlive
// young-generation collections; on PostgreSQL a batch drain then grew the heap to ~250 MB of
// garbage (peak RSS 360 MB) before the first full collection. With this: ~210 MB, same speed.
// V8 reads the factor at each collection, so setting it here, after start, applies.
setFlagsFromString('--heap-growing-percent=50');

// Next.js serves the production build only under NODE_ENV=production, as `next start` sets it.
(process.env as Record<string, string>).NODE_ENV = 'production';

async function main() {
  let cfg;
  try {
    cfg = parseConfig();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  // Loaded after NODE_ENV is set: Next.js reads it when it loads.
  const { serveHub } = require('../lib/server/serve') as typeof import('../lib/server/serve');
  const server = await serveHub({ dir: path.resolve(__dirname, '..'), host: cfg.host, port: cfg.port });
  console.log(`flatmachines-hub on http://${cfg.host}:${cfg.port} (database: ${cfg.databaseUrl.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@')})`);
  const { closeWaiters } = require('../lib/server/hub') as typeof import('../lib/server/hub');
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      // Waiting claims are answered (with no items) before the connections go; a moment later
      // whatever is still open is closed.
      closeWaiters();
      server.close(() => process.exit(0));
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 250).unref();
    });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
