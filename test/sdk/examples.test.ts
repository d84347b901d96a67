/**
 * Runs the README's SDK and CLI examples (docs/examples/, included in the README verbatim)
 * against a real hub, so the documentation cannot rot.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from '@/lib/sdk';
import { startHub, type HubProcess } from '../helpers/hub-process';
import { REPO } from './support';

let hub: HubProcess;
let c: HubClient;
beforeAll(async () => {
  hub = await startHub();
  c = new HubClient({ url: hub.url });
});
afterAll(() => hub?.stop());

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: REPO, env: { ...process.env, HUB_URL: hub.url, HUB_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
const tsx = (file: string) => run(path.join(REPO, 'node_modules/.bin/tsx'), [path.join('docs/examples', file)]);

describe('README examples', { timeout: 120_000 }, () => {
  it('push.ts then worker.ts: pushes three images, the worker drains them', async () => {
    const pushed = await tsx('push.ts');
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toMatch(/pushed \[ '1', '2', '3' \]/);
    expect(pushed.stdout).toMatch(/pending: 3/);

    const worked = await tsx('worker.ts');
    expect(worked.code, worked.stderr).toBe(0);
    expect(worked.stdout).toMatch(/reason: 'empty',\s+completed: 2,\s+failed: 2,\s+conflicts: 0/);
    expect(await c.getPool('thumbnails')).toMatchObject({ completed: 2, poisoned: 1, pending: 0 });
    const results = (await c.listItems('thumbnails', { status: 'completed' })).items.map((i) => i.result);
    expect(results).toEqual([{ thumbnail: 'cat-128.png' }, { thumbnail: 'dog-64.png' }]);
  });

  it('flatmachines.ts: the backends swap in for flatmachines SQLite ones', async () => {
    const r = await tsx('flatmachines.ts');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('pending papers: 0\n');
    const [paper] = (await c.listItems('papers')).items;
    expect(paper).toMatchObject({ status: 'completed', claimed_by: 'analyzer-1', result: { summary: 'read arxiv:2401.00001' } });
    expect((await c.getWorker('analyzer-1')).status).toBe('terminated');
  });

  it('cli.sh: push, a shell command as worker, pools, workers', async () => {
    const r = await run('sh', ['-e', 'docs/examples/cli.sh']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\d+\n\d+\n\d+\n/);
    expect(r.stdout).toMatch(/\nnumbers\s+0\s+0\s+0\s+3\s+0\s+-\n/);
    expect(r.stdout).toMatch(/\nWORKER\s+STATUS/);
    const results = (await c.listItems('numbers')).items.map((i) => (i.result as { seen: unknown }).seen);
    expect(results).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });
});
