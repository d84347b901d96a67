/**
 * Crash safety: kill -9 the hub during sustained push/claim/complete load from several
 * processes, restart it on the same SQLite file, again and again. Every acknowledged push must
 * still be there, no item may be completed twice, and the counts must add up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openStore } from '@/db';
import { startHub, type HubProcess } from '../helpers/hub-process';
import { tempDbFile } from '../helpers/tmp';

const REPO = path.resolve(import.meta.dirname, '../..');
const CYCLES = 3;
const LOADERS = 3;
const db = tempDbFile();
afterAll(() => db.cleanup());

function startLoad(api: string, worker: string, acks: { pushed: Set<string>; completed: string[] }): ChildProcess {
  // `node --import tsx` runs the loader in this one process: the tsx CLI would start a second
  // one, which a SIGKILL of the first leaves running.
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/http-load.ts', api, worker], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let rest = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (rest + d.toString()).split('\n');
    rest = lines.pop()!;
    for (const l of lines) {
      if (l.startsWith('P ')) acks.pushed.add(l.slice(2));
      else if (l.startsWith('C ')) acks.completed.push(l.slice(2));
    }
  });
  return child;
}

it(`survives ${CYCLES} kill -9 cycles under load: no acknowledged push lost, nothing completed twice`, async () => {
  const acks = { pushed: new Set<string>(), completed: [] as string[] };
  let hub: HubProcess | undefined;
  const port = { value: 0 };
  const apis: string[] = [];
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    hub = await startHub({ DATABASE_URL: db.file, HUB_STALE_SECONDS: '600' });
    port.value = hub.port;
    apis.push(hub.api);
    const loaders = Array.from({ length: LOADERS }, (_, i) => startLoad(hub!.api, `loader-${cycle}-${i}`, acks));
    const before = acks.pushed.size;
    const deadline = Date.now() + 20_000;
    while (acks.pushed.size < before + 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    hub.child.kill('SIGKILL');
    await new Promise((r) => hub!.child.once('exit', r));
    for (const l of loaders) l.kill('SIGKILL');
  }

  // No loader outlives its SIGKILL (the tsx CLI once left a second process looping forever).
  await new Promise((r) => setTimeout(r, 500));
  expect(processesRunning('test/fixtures/http-load.ts', apis)).toEqual([]);

  const store = openStore(db.file);
  const missing: string[] = [];
  for (const id of acks.pushed) if (!(await store.getItem(id))) missing.push(id);
  expect(missing, 'acknowledged pushes missing after crashes').toEqual([]);

  // Each acknowledged completion is completed in the database, and no item twice.
  expect(new Set(acks.completed).size).toBe(acks.completed.length);
  const summary = await store.getPool('crash');
  const total = summary.pending + summary.claimed + summary.completed + summary.poisoned;
  const listed: string[] = [];
  for (let cursor: string | null | undefined; ; ) {
    const page = await store.listItems('crash', { limit: 500, ...(cursor ? { cursor } : {}) });
    listed.push(...page.items.map((i) => i.id));
    for (const item of page.items) {
      const detail = (await store.getItem(item.id))!;
      expect(detail.history.filter((h) => h.outcome === 'completed').length).toBeLessThanOrEqual(1);
    }
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  expect(total, 'trigger-kept counts equal the rows').toBe(listed.length);
  for (const id of acks.completed) expect((await store.getItem(id))!.status).toBe('completed');
  console.info(
    `crash: ${CYCLES} kill -9 cycles, ${acks.pushed.size} acknowledged pushes (0 lost), ${acks.completed.length} acknowledged completions (0 doubled), ${listed.length} items in the database`,
  );
  await store.close();
  expect(acks.pushed.size).toBeGreaterThan(CYCLES * 100);
});

/** Pids of live processes whose command line names `script` and one of `args`. */
function processesRunning(script: string, args: string[]): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    if (cmd.includes(script) && args.some((a) => cmd.includes(a))) found.push(Number(pid));
  }
  return found;
}
