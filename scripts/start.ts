/**
 * `npm start`: builds the app when the build is missing or older than the sources, then serves
 * it (scripts/serve.ts) on the configured host and port (see lib/env.ts for the rules).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../lib/env';

const root = path.resolve(__dirname, '..');
const nextBin = path.join(root, 'node_modules/next/dist/bin/next');
const SOURCES = ['app', 'components', 'lib', 'db', 'instrumentation.ts', 'next.config.js', 'proxy.ts', 'package.json', 'postcss.config.mjs'];

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return readdirSync(p).reduce((m, name) => Math.max(m, newestMtime(path.join(p, name))), st.mtimeMs);
}

function buildIsCurrent(): boolean {
  const id = path.join(root, '.next/BUILD_ID');
  if (!existsSync(id)) return false;
  const built = statSync(id).mtimeMs;
  return SOURCES.every((s) => newestMtime(path.join(root, s)) <= built);
}

// Refuse a bad configuration before spending a build on it.
try {
  parseConfig();
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}

if (!buildIsCurrent()) {
  console.log('building the hub (first start, or the sources changed)…');
  const built = spawnSync(process.execPath, [nextBin, 'build'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

// The server in its own process, as the tests and the benchmark start it: one node, no tsx CLI.
const server = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(root, 'scripts/serve.ts')], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => server.kill(sig));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
