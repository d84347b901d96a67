/**
 * Failure and shutdown paths against a hub whose reaper acts fast (stale after 2 s, checked every
 * 0.5 s): a CLI worker killed with SIGKILL mid-item, one stopped with SIGTERM mid-item, and an
 * SDK worker that the hub declared lost while it was still running. Figures are printed, not asserted.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient, runWorker } from '@/lib/sdk';
import { startHub, type HubProcess } from '../helpers/hub-process';
import { tempDir } from '../helpers/tmp';
import { startCli, waitFor } from './support';

let hub: HubProcess;
let c: HubClient;
let tmp: ReturnType<typeof tempDir>;
beforeAll(async () => {
  hub = await startHub({ HUB_STALE_SECONDS: '2', HUB_REAP_INTERVAL_SECONDS: '0.5' });
  c = new HubClient({ url: hub.url });
  tmp = tempDir('crash-');
});
afterAll(async () => {
  await hub?.stop();
  tmp?.cleanup();
});

/** Started-markers written by the commands, one file per item. */
const started = (dir: string, prefix: string) => readdirSync(dir).filter((f) => f.startsWith(prefix)).length;
/** Ids the commands recorded on success, one a line. */
const doneLog = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : []);

describe('crashes and shutdowns', { timeout: 120_000 }, () => {
  it('kill -9 mid-item: the reaper releases the item and another worker completes it, exactly once', async () => {
    const ids = await c.pushMany('crash', Array.from({ length: 6 }, (_, n) => ({ data: { n } })));
    const env = { HUB_URL: hub.url, MARKS: tmp.dir };
    // Holds its item until its worker is gone, then exits without a word.
    const hang = 'cat >/dev/null; touch "$MARKS/started-$HUB_ITEM_ID"; while kill -0 $PPID 2>/dev/null; do sleep 0.1; done; exit 1';
    const good = 'data=$(cat); echo "$HUB_ITEM_ID" >> "$MARKS/crash.log"; echo "{\\"done\\": $data}"';

    const a = startCli(['worker', '--pool', 'crash', '--worker-id', 'crash-a', '--concurrency', '2', '--heartbeat', '0.5', '--', 'sh', '-c', hang], { env });
    await waitFor('worker a to hold 2 items', async () => started(tmp.dir, 'started-') === 2 && (await c.getWorker('crash-a')).claimed_count === 2);
    const held = (await c.listItems('crash', { status: 'claimed' })).items.map((i) => i.id);
    expect(held).toHaveLength(2);

    a.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect((await a.done).signal).toBe('SIGKILL');

    const b = startCli(['worker', '--pool', 'crash', '--worker-id', 'crash-b', '--concurrency', '2', '--heartbeat', '0.5', '--poll', '0.2', '--', 'sh', '-c', good], { env });
    await waitFor('the reaper to mark worker a lost', async () => (await c.getWorker('crash-a')).status === 'lost', 30_000, 50);
    const lostAfter = (Date.now() - killedAt) / 1000;
    await waitFor('all 6 items completed', async () => (await c.getPool('crash')).completed === 6, 60_000);
    const completedAfter = (Date.now() - killedAt) / 1000;
    b.child.kill('SIGTERM');
    const bEnd = await b.done;
    expect(bEnd.code, bEnd.stderr).toBe(0);

    expect(await c.getPool('crash')).toMatchObject({ pending: 0, claimed: 0, completed: 6, poisoned: 0 });
    expect(doneLog(path.join(tmp.dir, 'crash.log')).sort()).toEqual([...ids].sort());
    for (const id of ids) {
      const item = await c.getItem(id);
      expect(item.result).toEqual({ done: item.data });
      if (held.includes(id)) {
        expect(item.attempts).toBe(2);
        expect(item.history.map((h) => [h.worker_id, h.outcome])).toEqual([['crash-a', 'released'], ['crash-b', 'completed']]);
        expect(item.history[0]!.error).toMatch(/crash-a was lost/);
      } else {
        expect(item.history.map((h) => [h.worker_id, h.outcome])).toEqual([['crash-b', 'completed']]);
      }
    }
    expect((await c.getWorker('crash-b')).status).toBe('terminated');
    console.log(
      `kill -9: worker held ${held.length} of 6 items; marked lost ${lostAfter.toFixed(1)} s after the kill ` +
        `(HUB_STALE_SECONDS=2); all 6 completed ${completedAfter.toFixed(1)} s after it, each exactly once ` +
        `(6 results, 6 log lines, ${held.length} items with attempts 2: released then completed)`,
    );
  });

  it('SIGTERM mid-item: the worker finishes what it holds, claims nothing more, exits 0; no item is lost', async () => {
    const ids = await c.pushMany('drain', Array.from({ length: 6 }, (_, n) => ({ data: { n } })));
    const env = { HUB_URL: hub.url, MARKS: tmp.dir };
    const gated = [
      'data=$(cat)',
      'touch "$MARKS/start-$HUB_ITEM_ID"',
      'while [ ! -f "$MARKS/go" ]; do sleep 0.05; done',
      'echo "$HUB_ITEM_ID" >> "$MARKS/drain.log"',
      'echo "{\\"ok\\": $data, \\"by\\": \\"$HUB_WORKER_ID\\"}"',
    ].join('\n');

    const w = startCli(['worker', '--pool', 'drain', '--worker-id', 'drain-1', '--concurrency', '3', '--heartbeat', '0.5', '--', 'sh', '-c', gated], { env });
    await waitFor('the worker to run 3 items', () => started(tmp.dir, 'start-') === 3);
    w.child.kill('SIGTERM');
    await waitFor('the worker to acknowledge SIGTERM', () => w.output().stderr.includes('SIGTERM: finishing 3 item(s), then exiting'));
    expect(w.child.exitCode).toBeNull();
    writeFileSync(path.join(tmp.dir, 'go'), '');
    const end = await w.done;
    expect(end.code, end.stderr).toBe(0);
    expect(end.stderr).toMatch(/stopped \(signal\): 3 completed, 0 failed, 0 refused/);

    expect((await c.getWorker('drain-1')).status).toBe('terminated');
    const after = (await c.listItems('drain')).items;
    const finished = after.filter((i) => i.status === 'completed');
    const untouched = after.filter((i) => i.status === 'pending');
    expect(finished).toHaveLength(3);
    expect(finished.every((i) => (i.result as { by: string }).by === 'drain-1' && i.attempts === 1)).toBe(true);
    expect(untouched.map((i) => [i.attempts, i.claimed_by])).toEqual([[0, null], [0, null], [0, null]]);

    const rest = startCli(['worker', '--pool', 'drain', '--worker-id', 'drain-2', '--concurrency', '3', '--exit-when-empty', '--poll', '0.2', '--', 'sh', '-c', gated], { env });
    expect((await rest.done).code).toBe(0);
    expect(await c.getPool('drain')).toMatchObject({ pending: 0, claimed: 0, completed: 6, poisoned: 0 });
    expect(doneLog(path.join(tmp.dir, 'drain.log')).sort()).toEqual([...ids].sort());
    for (const id of ids) expect((await c.getItem(id)).history.map((h) => h.outcome)).toEqual(['completed']);
    console.log('SIGTERM drain: 3 items running at SIGTERM, 3 completed by the draining worker, 0 released, 0 lost; the other 3 untouched (attempts 0) and completed by the next worker: 6/6, each once');
  });

  it('a second SIGTERM stops the running commands; their items are released, not failed', async () => {
    const id = await c.push('abort', { n: 1 });
    const env = { HUB_URL: hub.url, MARKS: tmp.dir };
    const stuck = 'cat >/dev/null; touch "$MARKS/stuck-$HUB_ITEM_ID"; while [ ! -f "$MARKS/never" ]; do sleep 0.05; done';
    const w = startCli(['worker', '--pool', 'abort', '--worker-id', 'abort-1', '--heartbeat', '0.5', '--', 'sh', '-c', stuck], { env });
    await waitFor('the command to start', () => started(tmp.dir, 'stuck-') === 1);
    w.child.kill('SIGTERM');
    await waitFor('the worker to acknowledge SIGTERM', () => w.output().stderr.includes('SIGTERM: finishing 1 item(s)'));
    w.child.kill('SIGTERM');
    const end = await w.done;
    expect(end.code, end.stderr).toBe(0);
    expect(end.stderr).toMatch(/SIGTERM again: aborting 1 item\(s\); they will be released/);
    const item = await c.getItem(id);
    expect(item).toMatchObject({ status: 'pending', attempts: 1, claimed_by: null });
    expect(item.history.map((h) => [h.worker_id, h.outcome])).toEqual([['abort-1', 'released']]);
    expect((await c.getWorker('abort-1')).status).toBe('terminated');
  });

  it('an SDK worker the hub declared lost logs the refused result, registers again and finishes the item', async () => {
    const id = await c.push('lost', { n: 1 });
    const lines: string[] = [];
    let calls = 0;
    const summary = await runWorker({
      url: hub.url,
      pool: 'lost',
      workerId: 'lost-1',
      heartbeatSeconds: 60, // far above the hub's 2 s: the hub declares it lost mid-item
      pollSeconds: 0.1,
      exitWhenEmpty: true,
      signals: false,
      log: (level, message) => lines.push(`${level}: ${message}`),
      handler: async (item) => {
        calls++;
        if (calls === 1) await waitFor('the hub to mark lost-1 lost', async () => (await c.getWorker('lost-1')).status === 'lost', 30_000);
        return { attempt: item.attempts };
      },
    });
    expect(summary).toMatchObject({ completed: 1, conflicts: 1, failed: 0, reason: 'empty' });
    expect(lines.some((l) => /refused the result \(item-not-claimed\)/.test(l))).toBe(true);
    expect(lines.some((l) => /marked this worker lost; registering again/.test(l))).toBe(true);
    const item = await c.getItem(id);
    expect(item).toMatchObject({ status: 'completed', attempts: 2, result: { attempt: 2 } });
    expect(item.history.map((h) => h.outcome)).toEqual(['released', 'completed']);
  });
});
