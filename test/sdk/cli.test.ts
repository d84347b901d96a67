import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from '@/lib/sdk';
import { freePort, startHub, type HubProcess } from '../helpers/hub-process';
import { tempDir } from '../helpers/tmp';
import { cli } from './support';

const OP = 'cli-operator-token';
const WORKER = 'cli-worker-token';
let hub: HubProcess;
let c: HubClient;
let env: Record<string, string>;
let tmp: ReturnType<typeof tempDir>;
beforeAll(async () => {
  hub = await startHub({ HUB_OPERATOR_TOKEN: OP, HUB_WORKER_TOKEN: WORKER });
  c = new HubClient({ url: hub.url, token: OP });
  env = { HUB_URL: hub.url, HUB_TOKEN: OP };
  tmp = tempDir('cli-');
});
afterAll(async () => {
  await hub?.stop();
  tmp?.cleanup();
});

// Each call starts a node process; on a busy shared machine that can take seconds.
describe('flatmachines-hub CLI', { timeout: 180_000 }, () => {
  it('--help on every command, from any directory', async () => {
    const top = await cli(['--help'], { cwd: '/' });
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^Usage: flatmachines-hub <command>/);
    for (const command of ['worker', 'push', 'pools', 'workers', 'retry', 'release', 'pause']) {
      const r = await cli([command, '--help'], { cwd: tmp.dir });
      expect(r.code, command).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: flatmachines-hub ${command}`));
      expect(r.stdout).toContain('--url URL');
    }
    expect((await cli(['help', 'push'])).stdout).toMatch(/^Usage: flatmachines-hub push/);
  });

  it('prints errors as one clear line with a non-zero exit', async () => {
    const cases: [string[], number, RegExp][] = [
      [['frobnicate'], 2, /^flatmachines-hub: unknown command "frobnicate"/],
      [['push'], 2, /^flatmachines-hub push: --pool is required \(see: flatmachines-hub push --help\)$/],
      [['worker', '--pool', 'p', '--concurrency', '0', '--', 'true'], 2, /--concurrency must be a whole number from 1 to 100/],
      [['worker', '--pool', 'p'], 2, /no command: give it after --/],
      [['worker', '--pool', 'p', '--', 'no-such-command-here'], 2, /command not found or not executable: no-such-command-here/],
      [['pools', '--bogus'], 2, /^flatmachines-hub pools: Unknown option '--bogus' \(see/],
      [['release', '--worker', 'ghost'], 1, /^flatmachines-hub release: POST \/workers\/ghost\/release: 404 worker-not-found: worker ghost not found$/],
    ];
    for (const [args, code, message] of cases) {
      const r = await cli(args, { env });
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr.trimEnd(), args.join(' ')).toMatch(message);
    }
    const nobody = await cli(['pools', '--url', `http://127.0.0.1:${await freePort()}`]);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/^flatmachines-hub pools: GET \/pools: unreachable: no answer from http:\/\/127\.0\.0\.1:\d+\/api\/v1: .+\n$/);
  });

  it('uses --token / HUB_TOKEN: 401 without one, 403 for the worker role on an operator command', async () => {
    expect((await cli(['pools', '--url', hub.url])).stderr).toMatch(/401 unauthorized/);
    expect((await cli(['pools', '--url', hub.url, '--token', WORKER])).code).toBe(0);
    const forbidden = await cli(['retry', '--pool', 'x'], { env: { ...env, HUB_TOKEN: WORKER } });
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toMatch(/403 forbidden: this action needs the operator role/);
  });

  it('push reads JSON lines from a file or stdin, checks every line first', async () => {
    const file = path.join(tmp.dir, 'items.jsonl');
    writeFileSync(file, '{"n":1}\n\n[2]\n"three"\n');
    const fromFile = await cli(['push', '--pool', 'cli-push', file], { env });
    expect(fromFile.code).toBe(0);
    const ids = fromFile.stdout.trim().split('\n');
    expect(ids).toHaveLength(3);
    expect((await c.getItem(ids[2]!)).data).toBe('three');

    const fromStdin = await cli(['push', '--pool', 'cli-push', '--max-retries', '7', '--count', '-'], { env, input: '4\n{"five":5}\n' });
    expect(fromStdin.stdout).toBe('2\n');
    const items = (await c.listItems('cli-push')).items;
    expect(items.map((i) => i.data)).toEqual([{ n: 1 }, [2], 'three', 4, { five: 5 }]);
    expect(items[4]!.max_retries).toBe(7);

    const broken = await cli(['push', '--pool', 'cli-push'], { env, input: '1\n{oops\n3\n' });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^flatmachines-hub push: stdin line 2 is not JSON/);
    expect((await c.getPool('cli-push')).pending).toBe(5);
  });

  it('worker drains a pool through a shell command: JSON or text results, failures with the end of stderr', async () => {
    const lines = ['{"n":2}', '{"n":3}', '{"text":"plain"}', '{"fail":"always"}', '{"n":4}'].join('\n');
    expect((await cli(['push', '--pool', 'cli-work', '--max-retries', '2', '--count'], { env, input: lines })).stdout).toBe('5\n');
    const script = [
      'data=$(cat)',
      'case "$data" in',
      '  *fail*) echo "working on $HUB_ITEM_ID" >&2; echo "cannot do $data (attempt $HUB_ITEM_ATTEMPT)" >&2; exit 3;;',
      '  *text*) echo "just text from $HUB_POOL";;',
      '  *) printf \'{"input": %s, "worker": "%s"}\\n\' "$data" "$HUB_WORKER_ID";;',
      'esac',
    ].join('\n');
    const r = await cli(['worker', '--pool', 'cli-work', '--worker-id', 'cli-w1', '--concurrency', '2', '--exit-when-empty', '--poll', '0.1', '--', 'sh', '-c', script], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/stopped \(empty\): 4 completed, 2 failed, 0 refused/);
    const items = (await c.listItems('cli-work')).items;
    expect(items.map((i) => [i.status, i.result])).toEqual([
      ['completed', { input: { n: 2 }, worker: 'cli-w1' }],
      ['completed', { input: { n: 3 }, worker: 'cli-w1' }],
      ['completed', 'just text from cli-work'],
      ['poisoned', null],
      ['completed', { input: { n: 4 }, worker: 'cli-w1' }],
    ]);
    expect(items[3]!.last_error).toBe('exit code 3: working on ' + items[3]!.id + '\ncannot do {"fail":"always"} (attempt 2)');
    expect((await c.getWorker('cli-w1')).status).toBe('terminated');
  });

  it('push with --priority, --delay, --run-at and --key; pause and resume a pool', async () => {
    const low = await cli(['push', '--pool', 'cli-opts', '-'], { env, input: '"low"\n' });
    expect(low.code).toBe(0);
    const high = await cli(['push', '--pool', 'cli-opts', '--priority', '7', '--key', 'job-1', '-'], { env, input: '"high"\n' });
    expect(high.code).toBe(0);
    const again = await cli(['push', '--pool', 'cli-opts', '--key', 'job-1', '-'], { env, input: '"again"\n' });
    expect(again.stdout.trim()).toBe(high.stdout.trim());
    expect(again.stderr).toMatch(/an item with that key was there already/);
    expect((await cli(['push', '--pool', 'cli-opts', '--delay', '3600', '-'], { env, input: '"later"\n' })).code).toBe(0);
    expect((await cli(['push', '--pool', 'cli-opts', '--run-at', '2099-01-01T00:00:00Z', '-'], { env, input: '"much later"\n' })).code).toBe(0);
    const bad = await cli(['push', '--pool', 'cli-opts', '--priority', '1.5', '-'], { env, input: '1\n' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--priority must be an integer/);
    const badDate = await cli(['push', '--pool', 'cli-opts', '--run-at', 'soon', '-'], { env, input: '1\n' });
    expect(badDate.code).toBe(1);
    expect(badDate.stderr).toMatch(/run_at/);
    const twoKeyed = await cli(['push', '--pool', 'cli-opts', '--key', 'k', '-'], { env, input: '1\n2\n' });
    expect(twoKeyed.code).toBe(2);
    const pools = await cli(['pools'], { env });
    expect(pools.stdout).toMatch(/\ncli-opts\s+2\s+2\s+0\s+0\s+0\s/);

    expect((await cli(['pause', '--pool', 'cli-opts'], { env })).stdout).toBe('pool cli-opts is paused\n');
    expect((await cli(['pools'], { env })).stdout).toMatch(/\ncli-opts \(paused\)\s+2\s+2/);
    expect(await c.claim('cli-opts', 'cli-w9')).toEqual([]);
    expect((await cli(['resume', '--pool', 'cli-opts'], { env })).stdout).toBe('pool cli-opts is running\n');
    expect((await c.claim('cli-opts', 'cli-w9')).map((i) => i.data)).toEqual(['high']);
  });

  it('pools, workers, retry and release', async () => {
    const pools = await cli(['pools'], { env });
    expect(pools.stdout).toMatch(/^POOL\s+SCHEDULED\s+PENDING\s+CLAIMED\s+COMPLETED\s+POISONED\s+OLDEST PENDING\n/);
    expect(pools.stdout).toMatch(/\ncli-work\s+0\s+0\s+0\s+4\s+1\s+-\n/);
    expect(JSON.parse((await cli(['pools', '--json'], { env })).stdout)).toContainEqual(expect.objectContaining({ name: 'cli-work', poisoned: 1 }));

    const workers = await cli(['workers', '--status', 'terminated', '--pool', 'cli-work'], { env });
    expect(workers.stdout).toMatch(/^WORKER\s+STATUS\s+POOL\s+HOLDS/);
    expect(workers.stdout).toMatch(/\ncli-w1\s+terminated\s+cli-work\s+0\s/);
    expect((await cli(['workers', '--status', 'lost'], { env })).stdout).toBe('no workers\n');
    expect((await cli(['workers', '--status', 'asleep'], { env })).stderr).toMatch(/400/);

    expect((await cli(['retry', '--pool', 'cli-work'], { env })).stdout).toBe('retried 1 poisoned item of pool cli-work\n');
    const [item] = await c.claim('cli-work', 'cli-holder');
    await c.push('cli-other', 1);
    await c.claim('cli-other', 'cli-holder');
    expect((await cli(['release', '--worker', 'cli-holder', '--pool', 'cli-work'], { env })).stdout).toBe('released 1 item of worker cli-holder\n');
    expect((await cli(['release', '--worker', 'cli-holder'], { env })).stdout).toBe('released 1 item of worker cli-holder\n');
    expect((await c.getItem(item!.id)).status).toBe('pending');
    const done = (await c.listItems('cli-work', { status: 'completed' })).items[0]!;
    expect((await cli(['retry', '--item', done.id], { env })).stdout).toBe(`item ${done.id} is pending again\n`);
    expect((await cli(['retry'], { env })).code).toBe(2);
  });
});
