// `npm test`: builds the hub, runs ESLint, the Vitest suite (store, API, multi-process, SDK), the
// Playwright suite (dashboard in Chromium) and the Python package's pytest suite, and prints one
// closing line `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './free-port.mjs';

const root = path.resolve(import.meta.dirname, '..');
const tmp = path.join(root, '.test-tmp');
mkdirSync(tmp, { recursive: true });
const bin = (name) => path.join(root, 'node_modules/.bin', name);
const run = (cmd, args, env = {}) =>
  spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;
const extraArgs = process.argv.slice(2);

console.log('› next build');
if (run(bin('next'), ['build']) !== 0) {
  console.log('build: 0 passed, 1 failed');
  process.exit(1);
}

const totals = { passed: 0, failed: 0, skipped: 0 };
function report(label, passed, failed, skipped) {
  totals.passed += passed;
  totals.failed += failed;
  totals.skipped += skipped;
  return `${label}: ${passed} passed, ${failed} failed, ${skipped} skipped`;
}
const lines = [];

// Lint first: a quick, whole-tree check (Drizzle's UPDATE/DELETE-without-WHERE rules included).
if (extraArgs.length === 0) {
  console.log('› eslint');
  const lintStatus = run(bin('eslint'), ['.']);
  lines.push(report('eslint', lintStatus === 0 ? 1 : 0, lintStatus === 0 ? 0 : 1, 0));
}

console.log('› vitest run');
const vitestJson = path.join(tmp, 'vitest.json');
rmSync(vitestJson, { force: true });
const vitestStatus = run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile=${vitestJson}`, ...extraArgs]);
if (existsSync(vitestJson)) {
  const r = JSON.parse(readFileSync(vitestJson, 'utf8'));
  const failed = r.numFailedTests + (vitestStatus !== 0 && r.numFailedTests === 0 ? 1 : 0);
  lines.push(report('vitest', r.numPassedTests, failed, r.numPendingTests + r.numTodoTests));
} else {
  lines.push(report('vitest', 0, 1, 0));
}

const hasE2e = existsSync(path.join(root, 'e2e')) && readdirSync(path.join(root, 'e2e')).some((f) => f.endsWith('.spec.ts'));
if (hasE2e && extraArgs.length === 0 && !existsSync('/usr/bin/chromium')) {
  console.log('› playwright test: Chromium is not installed; as root: apt-get update && apt-get install -y chromium');
  lines.push(report('playwright', 0, 1, 0));
} else if (hasE2e && extraArgs.length === 0) {
  console.log('› playwright test');
  const pwJson = path.join(tmp, 'playwright.json');
  rmSync(pwJson, { force: true });
  const pwStatus = run(bin('playwright'), ['test', '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson,
    E2E_PORT: String(await freePort()),
    E2E_SECURED_PORT: String(await freePort()),
  });
  if (existsSync(pwJson)) {
    const s = JSON.parse(readFileSync(pwJson, 'utf8')).stats;
    const failed = s.unexpected + (pwStatus !== 0 && s.unexpected === 0 ? 1 : 0);
    lines.push(report('playwright', s.expected + s.flaky, failed, s.skipped));
  } else {
    lines.push(report('playwright', 0, 1, 0));
  }
}

// The Python package (clients/python): installed into a fresh venv the way its README says
// (offline, from Debian's setuptools), then its pytest suite against real hubs.
if (extraArgs.length === 0) lines.push(report('pytest', ...runPython()));

function runPython() {
  const python = process.env.PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  const hint = 'as root: apt-get install -y python3-venv python3-pytest python3-setuptools python3-wheel';
  const venv = path.join(tmp, 'pyvenv');
  rmSync(venv, { recursive: true, force: true });
  console.log(`› python: venv with ${python}, pip install ./clients/python, pytest`);
  if (run(python, ['-m', 'venv', '--system-site-packages', venv]) !== 0) {
    console.log(`› python: could not make a venv; ${hint}`);
    return [0, 1, 0];
  }
  const py = path.join(venv, 'bin', 'python');
  const pipEnv = { PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' };
  const pip = ['-m', 'pip', 'install', '--quiet', '--no-build-isolation', '--no-index', '--no-deps', './clients/python'];
  if (run(py, pip, pipEnv) !== 0) {
    console.log(`› python: pip install ./clients/python failed; ${hint}`);
    return [0, 1, 0];
  }
  const xml = path.join(tmp, 'pytest.xml');
  rmSync(xml, { force: true });
  const status = spawnSync(py, ['-m', 'pytest', 'tests', '-p', 'no:cacheprovider', `--junitxml=${xml}`], {
    cwd: path.join(root, 'clients/python'),
    stdio: 'inherit',
    env: { ...process.env, HUB_TEST_NODE: process.execPath },
  }).status;
  if (!existsSync(xml)) return [0, 1, 0];
  const suite = readFileSync(xml, 'utf8').match(/<testsuite\b[^>]*>/)?.[0] ?? '';
  const count = (attr) => Number(suite.match(new RegExp(`\\b${attr}="(\\d+)"`))?.[1] ?? 0);
  const failed = count('failures') + count('errors');
  const skipped = count('skipped');
  const passed = count('tests') - failed - skipped;
  return [passed, failed + (status !== 0 && failed === 0 ? 1 : 0), skipped];
}

console.log('');
for (const l of lines) console.log(l);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
