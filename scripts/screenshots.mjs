// `npm run screenshots`: builds the hub, then runs the end-to-end tests that take the README's
// screenshots (those tagged @screenshots, e2e/hub.ts), and only those, writing docs/screenshots/.
// A test run (`npm test`, `npm run test:e2e`) takes the same screenshots into .test-tmp/ instead.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './free-port.mjs';

const root = path.resolve(import.meta.dirname, '..');
const shots = path.join(root, 'docs', 'screenshots');
const bin = (name) => path.join(root, 'node_modules/.bin', name);
const run = (cmd, args, env = {}) =>
  spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

if (!existsSync('/usr/bin/chromium')) {
  console.error('screenshots: Chromium is not installed; as root: apt-get update && apt-get install -y chromium');
  process.exit(1);
}
console.log('› next build');
if (run(bin('next'), ['build']) !== 0) process.exit(1);

const started = Date.now();
console.log('› playwright test --grep @screenshots');
const status = run(bin('playwright'), ['test', '--grep', '@screenshots', '--reporter=list', ...process.argv.slice(2)], {
  E2E_SCREENSHOTS: 'docs',
  E2E_PORT: String(await freePort()),
  E2E_SECURED_PORT: String(await freePort()),
});
const written = readdirSync(shots).filter((f) => f.endsWith('.png') && statSync(path.join(shots, f)).mtimeMs >= started);
console.log(`\n${written.length} screenshots written to docs/screenshots/: ${written.sort().join(', ')}`);
process.exit(status);
