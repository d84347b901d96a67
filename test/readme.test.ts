/** The README's code runs: its curl tour of the API, against a fresh hub. */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHub, type HubProcess } from './helpers/hub-process';

const run = promisify(execFile);
const README = readFileSync(path.resolve(import.meta.dirname, '../README.md'), 'utf8');

/** The ```sh blocks of one `## ` section. */
function shellBlocks(section: string): string[] {
  const start = README.indexOf(`\n## ${section}\n`);
  expect(start, `README has a "## ${section}" section`).toBeGreaterThan(-1);
  const end = README.indexOf('\n## ', start + 4);
  const text = README.slice(start, end === -1 ? undefined : end);
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

let hub: HubProcess;
beforeAll(async () => {
  hub = await startHub();
});
afterAll(async () => hub?.stop());

it('runs the API tour of the README: every command succeeds and answers JSON', async () => {
  const blocks = shellBlocks('API');
  expect(blocks.length).toBeGreaterThan(0);
  const script = blocks.join('\n').replaceAll('http://127.0.0.1:3000', hub.url);
  // Each curl prints one JSON body; -w adds the status on its own line.
  const withStatus = script.replaceAll('curl -s ', `curl -s -w '\\n%{http_code}\\n' `);
  const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', withStatus]);
  const lines = stdout.split('\n').filter(Boolean);
  const statuses = lines.filter((l) => /^\d{3}$/.test(l)).map(Number);
  const bodies = lines.filter((l) => !/^\d{3}$/.test(l));
  expect(statuses.length).toBe((script.match(/curl -s /g) ?? []).length);
  expect(statuses.every((s) => s >= 200 && s < 300), `statuses ${statuses}`).toBe(true);
  for (const b of bodies) expect(() => JSON.parse(b)).not.toThrow();

  // The tour does what its comments say.
  const item2 = JSON.parse(bodies.find((b) => b.includes('"history"'))!);
  expect(item2).toMatchObject({ id: '2', status: 'pending', attempts: 1, last_error: 'timeout fetching b.png' });
  const pools = JSON.parse(bodies.find((b) => b.startsWith('{"pools"'))!);
  expect(pools.pools[0]).toMatchObject({ name: 'images', pending: 2, claimed: 0, completed: 1 });
});

it('documents every configuration variable the hub reads', () => {
  const env = readFileSync(path.resolve(import.meta.dirname, '../lib/env.ts'), 'utf8');
  const vars = [...env.matchAll(/^\s+([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1]!);
  expect(vars.length).toBeGreaterThan(5);
  for (const v of vars) expect(README).toContain(`\`${v}\``);
});

it('shows the SDK and CLI examples exactly as docs/examples has them (which test/sdk/examples.test.ts runs)', () => {
  const dir = path.resolve(import.meta.dirname, '../docs/examples');
  for (const file of readdirSync(dir)) {
    const text = readFileSync(path.join(dir, file), 'utf8').trimEnd();
    expect(README, `README shows docs/examples/${file}`).toContain(text);
  }
});
