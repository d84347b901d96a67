import { readFile } from 'node:fs/promises';
import { PUSH_BATCH_MAX, type Json, type NewItem, type PushOptions, type WorkerStatus } from '../../contracts';
import { clientFrom, parse, positiveInt, required, table, UsageError, type Io } from './common';

export const PUSH_HELP = `Usage: flatmachines-hub push --pool P [--max-retries N] [--priority N] [--delay S | --run-at T]
                            [--key K] [--count] [FILE.jsonl | -]

Adds one item per line of FILE (or of stdin, when FILE is - or missing): each line is any JSON
value, the item's data; blank lines are skipped. Every line is checked before anything is sent.
Prints the item ids, one a line.

Options:
  --pool P           the pool to push to (required)
  --max-retries N    attempts before an item is poisoned (default: the pool's, else 3)
  --priority N       higher is claimed first, -1000 to 1000 (default 0)
  --delay S          not claimable for S seconds (scheduled until then)
  --run-at T         not claimable before T (RFC 3339, e.g. 2030-01-01T09:00:00Z)
  --key K            idempotency key (one item only): if a live item of the pool has it, that
                     item's id is printed and nothing is added
  --count            print only how many items were pushed`;

/** A number option; `what` names it in the usage error. */
function numberOption(value: string | undefined, what: string, check: (n: number) => boolean, range: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`${what} must be ${range}, not ${JSON.stringify(value)}`);
  return n;
}

export async function push(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      pool: { type: 'string' },
      'max-retries': { type: 'string' },
      priority: { type: 'string' },
      delay: { type: 'string' },
      'run-at': { type: 'string' },
      key: { type: 'string' },
      count: { type: 'boolean' },
    },
    true,
  );
  if (values.help) return io.out(PUSH_HELP), 0;
  const pool = required(values.pool, '--pool');
  const maxRetries = positiveInt(values['max-retries'], '--max-retries', 1000);
  const options: PushOptions = {};
  if (maxRetries !== undefined) options.max_retries = maxRetries;
  const priority = numberOption(values.priority, '--priority', (n) => Number.isInteger(n) && Math.abs(n) <= 1000, 'an integer from -1000 to 1000');
  if (priority !== undefined) options.priority = priority;
  const delay = numberOption(values.delay, '--delay', (n) => n >= 0 && n <= 30 * 86400, 'seconds from 0 to 2592000 (30 days)');
  if (delay !== undefined) options.delay_seconds = delay;
  if (values['run-at'] !== undefined) {
    if (delay !== undefined) throw new UsageError('give --delay or --run-at, not both');
    options.run_at = values['run-at']; // the hub names a date it cannot read in its 400
  }
  if (values.key !== undefined) options.key = values.key;
  if (positionals.length > 1) throw new UsageError('push takes one FILE (or - for stdin)');
  const file = positionals[0] ?? '-';
  if (file === '-' && io.stdin.isTTY) throw new UsageError('no input: give FILE.jsonl, or pipe JSON lines to stdin');
  const text = file === '-' ? await readAll(io.stdin) : await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new Error(`cannot read ${file}: ${e.code ?? e.message}`);
  });
  const items: NewItem[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let data: Json;
    try {
      data = JSON.parse(line) as Json;
    } catch (err) {
      throw new Error(`${file === '-' ? 'stdin' : file} line ${i + 1} is not JSON: ${(err as Error).message}`);
    }
    items.push({ data, ...options });
  });
  if (options.key !== undefined && items.length !== 1) throw new UsageError(`--key names one item, but the input has ${items.length}`);
  const client = clientFrom(values, io.env);
  const ids: string[] = [];
  let existing = 0;
  for (let i = 0; i < items.length; i += PUSH_BATCH_MAX) {
    const pushed = await client.pushBatch(pool, items.slice(i, i + PUSH_BATCH_MAX));
    ids.push(...pushed.ids);
    existing += pushed.created.filter((c) => !c).length;
  }
  if (values.count) io.out(String(ids.length - existing));
  else for (const id of ids) io.out(id);
  if (existing) io.err(`${existing === 1 ? 'an item' : `${existing} items`} with that key ${existing === 1 ? 'was' : 'were'} there already: nothing added for it`);
  return 0;
}

export const PAUSE_HELP = `Usage: flatmachines-hub pause --pool P
       flatmachines-hub resume --pool P

Operator: a paused pool hands out nothing (claims get no items) until it is resumed; pushes,
completions and everything else go on. Resuming hands its items out again at once.

Options:
  --pool P   the pool to pause or resume (required)`;

/** \`pause\` or \`resume\`. */
export const pauseOrResume = (paused: boolean) =>
  async function (args: string[], io: Io): Promise<number> {
    const { values } = parse(args, { pool: { type: 'string' } });
    if (values.help) return io.out(PAUSE_HELP), 0;
    const pool = required(values.pool, '--pool');
    const client = clientFrom(values, io.env);
    const settings = paused ? await client.pause(pool) : await client.resume(pool);
    io.out(`pool ${settings.pool} is ${settings.paused ? 'paused' : 'running'}`);
    return 0;
  };

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

export const POOLS_HELP = `Usage: flatmachines-hub pools [--json]

Lists every pool with its counts of scheduled, pending, claimed, completed and poisoned items,
and whether it is paused.

Options:
  --json   print the hub's JSON instead of a table`;

export async function pools(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { json: { type: 'boolean' } });
  if (values.help) return io.out(POOLS_HELP), 0;
  const list = await clientFrom(values, io.env).listPools();
  if (values.json) return io.out(JSON.stringify(list, null, 2)), 0;
  if (list.length === 0) return io.out('no pools yet: push an item to make one'), 0;
  const rows = list.map((p) => [p.name + (p.paused ? ' (paused)' : ''), p.scheduled, p.pending, p.claimed, p.completed, p.poisoned, p.oldest_pending_at]);
  io.out(table(['POOL', 'SCHEDULED', 'PENDING', 'CLAIMED', 'COMPLETED', 'POISONED', 'OLDEST PENDING'], rows));
  return 0;
}

export const WORKERS_HELP = `Usage: flatmachines-hub workers [--status S[,S…]] [--pool P] [--capability C] [--json]

Lists workers with their status, pool, the number of items they hold and their last heartbeat.

Options:
  --status S     only these statuses: active, terminating, terminated, lost (comma-separated)
  --pool P       only workers registered for pool P
  --capability C only workers with capability C
  --json         print the hub's JSON instead of a table`;

export async function workers(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { status: { type: 'string' }, pool: { type: 'string' }, capability: { type: 'string' }, json: { type: 'boolean' } });
  if (values.help) return io.out(WORKERS_HELP), 0;
  // The hub names a wrong status in its 400; the cast only carries the text there.
  const status = values.status?.split(',').map((s) => s.trim()) as WorkerStatus[] | undefined;
  const list = await clientFrom(values, io.env).listWorkers({ status, pool_id: values.pool, capability: values.capability });
  if (values.json) return io.out(JSON.stringify(list, null, 2)), 0;
  if (list.length === 0) return io.out('no workers'), 0;
  const rows = list.map((w) => [w.worker_id, w.status, w.pool_id, w.claimed_count, w.last_heartbeat, w.host, w.pid]);
  io.out(table(['WORKER', 'STATUS', 'POOL', 'HOLDS', 'LAST HEARTBEAT', 'HOST', 'PID'], rows));
  return 0;
}

export const RETRY_HELP = `Usage: flatmachines-hub retry --pool P [--completed]
       flatmachines-hub retry --item ID

Operator: sends poisoned items back to pending with attempts reset to 0: every poisoned item of
pool P, or the one item ID (poisoned or completed).

Options:
  --pool P       the pool whose poisoned items to retry
  --completed    retry the pool's completed items instead of its poisoned ones
  --item ID      retry one item`;

export async function retry(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { pool: { type: 'string' }, item: { type: 'string' }, completed: { type: 'boolean' } });
  if (values.help) return io.out(RETRY_HELP), 0;
  if (Boolean(values.pool) === Boolean(values.item)) throw new UsageError('retry needs --pool P or --item ID (one of them)');
  const client = clientFrom(values, io.env);
  if (values.item) {
    const item = await client.retryItem(values.item);
    io.out(`item ${item.id} is ${item.status} again`);
  } else {
    const n = await client.retryPool(values.pool!, values.completed ? 'completed' : 'poisoned');
    io.out(`retried ${n} ${values.completed ? 'completed' : 'poisoned'} item${n === 1 ? '' : 's'} of pool ${values.pool}`);
  }
  return 0;
}

export const RELEASE_HELP = `Usage: flatmachines-hub release --worker W [--pool P]

Operator: every item worker W holds (in pool P only, with --pool) goes back to pending, attempts
kept. For a worker you know is dead, before the reaper notices.

Options:
  --worker W   the worker whose claims to release (required)
  --pool P     release only its items of pool P`;

export async function release(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { worker: { type: 'string' }, pool: { type: 'string' } });
  if (values.help) return io.out(RELEASE_HELP), 0;
  const worker = required(values.worker, '--worker');
  const client = clientFrom(values, io.env);
  const n = values.pool ? await client.releasePool(values.pool, worker) : await client.releaseWorker(worker);
  io.out(`released ${n} item${n === 1 ? '' : 's'} of worker ${worker}`);
  return 0;
}
