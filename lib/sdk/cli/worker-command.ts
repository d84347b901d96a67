import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { Json, WorkItem } from '../../contracts';
import { runWorker, type WorkerContext } from '../worker';
import { clientFrom, parse, positiveInt, positiveSeconds, required, UsageError, type Io } from './common';

export const WORKER_HELP = `Usage: flatmachines-hub worker --pool P [options] -- CMD [ARGS…]

Turns any program into a hub worker. For each item it claims, runs CMD once with the item's
data as JSON on stdin (and HUB_ITEM_ID, HUB_ITEM_ATTEMPT, HUB_POOL, HUB_WORKER_ID in its
environment). Exit 0 completes the item with CMD's stdout (as JSON when it parses, else as text);
any other exit fails it with the end of CMD's stderr. CMD's stderr is also passed through.

On SIGTERM or Ctrl-C (or when an operator sets the worker terminating) it stops claiming, lets
running commands finish, marks itself terminated and exits 0. A second signal stops the commands;
their items are released, not failed.

Options:
  --pool P              the pool to work on (required)
  --concurrency N       commands run at once (1-100, default 1)
  --worker-id ID        this worker's id (default: <host>-<pid>-<random>)
  --exit-when-empty     exit once the pool has no pending item and nothing runs
  --max-items N         exit after N items
  --item-timeout S      stop a command after S seconds and fail its item
  --heartbeat S         seconds between heartbeats (default 10)
  --wait S              an idle claim waits up to S seconds at the hub for work (0-30, default 20);
                        work reaches an idle worker as soon as it is pushed. 0: poll instead
  --poll S              seconds between claims while the pool is empty, with --wait 0 (default 1)`;

/** `--wait`: 0 up to 30 seconds. */
function waitSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 30) throw new UsageError(`--wait must be 0 to 30 seconds, not ${JSON.stringify(value)}`);
  return n;
}

/** Largest stdout kept as a result: the hub takes bodies up to 1 MiB by default. */
const MAX_STDOUT = 900 * 1024;
const STDERR_TAIL = 2000;

/** Fails fast on a command that is not there, instead of poisoning every item with ENOENT. */
function checkCommand(cmd: string, env: Io['env']): void {
  const candidates = cmd.includes('/') ? [cmd] : (env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, cmd));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return;
    } catch {
      // try the next
    }
  }
  throw new UsageError(`command not found or not executable: ${cmd}`);
}

/** Result of a successful run: JSON when stdout parses, else the text; nothing when it is empty. */
function resultOf(stdout: string): Json | undefined {
  const text = stdout.replace(/\r?\n$/, '');
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

function tail(text: string): string {
  const t = text.trim();
  return t.length > STDERR_TAIL ? `…${t.slice(-STDERR_TAIL)}` : t;
}

/** Runs CMD for one item; resolves with its result or rejects with why it failed. */
function runCommand(cmd: string, args: string[], item: WorkItem, ctx: WorkerContext, timeoutS: number | undefined, io: Io) {
  return new Promise<Json | undefined>((resolve, reject) => {
    // Its own process group: a Ctrl-C in the terminal reaches the worker, which drains, and not
    // the commands, which finish their items.
    const child = spawn(cmd, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      env: { ...io.env, HUB_ITEM_ID: item.id, HUB_ITEM_ATTEMPT: String(item.attempts), HUB_POOL: ctx.pool, HUB_WORKER_ID: ctx.workerId },
    });
    let stdout = '';
    let stderr = '';
    let why: string | null = null;
    const kill = (reason: string) => {
      why ??= reason;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
    };
    const timer = timeoutS ? setTimeout(() => kill(`timed out after ${timeoutS} s`), timeoutS * 1000) : undefined;
    const onAbort = () => kill('aborted');
    ctx.signal.addEventListener('abort', onAbort);
    child.stdin.on('error', () => {}); // a command that does not read its stdin is fine
    child.stdin.end(JSON.stringify(item.data) + '\n');
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (stdout.length > MAX_STDOUT) kill(`stdout exceeded ${MAX_STDOUT} bytes`);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      process.stderr.write(d);
      stderr = (stderr + d).slice(-4 * STDERR_TAIL);
    });
    child.on('error', (err) => {
      why ??= `cannot run ${cmd}: ${err.message}`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      if (code === 0 && !why) return resolve(resultOf(stdout));
      const status = why ?? (signal ? `killed by ${signal}` : `exit code ${code}`);
      const err = tail(stderr);
      reject(new Error(err ? `${status}: ${err}` : status));
    });
  });
}

export async function worker(args: string[], io: Io): Promise<number> {
  const dash = args.indexOf('--');
  const own = dash === -1 ? args : args.slice(0, dash);
  const command = dash === -1 ? [] : args.slice(dash + 1);
  const { values, positionals } = parse(
    own,
    {
      pool: { type: 'string' },
      concurrency: { type: 'string' },
      'worker-id': { type: 'string' },
      'exit-when-empty': { type: 'boolean' },
      'max-items': { type: 'string' },
      'item-timeout': { type: 'string' },
      heartbeat: { type: 'string' },
      poll: { type: 'string' },
      wait: { type: 'string' },
    },
    true,
  );
  if (values.help) return io.out(WORKER_HELP), 0;
  if (positionals.length) throw new UsageError(`put the command after --, as in: worker --pool P -- ${positionals.join(' ')}`);
  const [cmd, ...cmdArgs] = command;
  if (!cmd) throw new UsageError('no command: give it after --, as in: worker --pool P -- ./job.sh');
  const pool = required(values.pool, '--pool');
  const timeoutS = positiveSeconds(values['item-timeout'], '--item-timeout');
  const options = {
    pool,
    client: clientFrom(values, io.env),
    concurrency: positiveInt(values.concurrency, '--concurrency', 100),
    workerId: values['worker-id'],
    exitWhenEmpty: values['exit-when-empty'],
    maxItems: positiveInt(values['max-items'], '--max-items'),
    heartbeatSeconds: positiveSeconds(values.heartbeat, '--heartbeat'),
    pollSeconds: positiveSeconds(values.poll, '--poll'),
    waitSeconds: waitSeconds(values.wait),
    metadata: { command: [cmd, ...cmdArgs].join(' ').slice(0, 500) },
  };
  checkCommand(cmd, io.env);
  await runWorker({ ...options, handler: (item, ctx) => runCommand(cmd, cmdArgs, item, ctx, timeoutS, io) });
  return 0;
}
