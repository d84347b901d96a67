/**
 * `flatmachines-hub`: the command line of the SDK. bin/flatmachines-hub.mjs loads this file
 * through tsx; `main` takes its arguments and streams so tests can drive it too.
 */
import { HubError } from './errors';
import { pauseOrResume, push, pools, release, retry, workers, PAUSE_HELP, POOLS_HELP, PUSH_HELP, RELEASE_HELP, RETRY_HELP, WORKERS_HELP } from './cli/commands';
import { GLOBAL_HELP, UsageError, type Io } from './cli/common';
import { worker, WORKER_HELP } from './cli/worker-command';

const HELP = `Usage: flatmachines-hub <command> [options]

Commands:
  worker   run a command once per item of a pool (turns any program into a worker)
  push     add items to a pool, one JSON value per line of a file or stdin
  pools    list pools and their counts
  workers  list workers
  retry    send poisoned items back to pending (operator)
  release  send a worker's claimed items back to pending (operator)
  pause    stop a pool handing out items (operator)
  resume   let a paused pool hand out items again (operator)

Run \`flatmachines-hub <command> --help\` for a command's options.

${GLOBAL_HELP}`;

const COMMANDS: Record<string, { run: (args: string[], io: Io) => Promise<number>; help: string }> = {
  worker: { run: worker, help: WORKER_HELP },
  push: { run: push, help: PUSH_HELP },
  pools: { run: pools, help: POOLS_HELP },
  workers: { run: workers, help: WORKERS_HELP },
  retry: { run: retry, help: RETRY_HELP },
  release: { run: release, help: RELEASE_HELP },
  pause: { run: pauseOrResume(true), help: PAUSE_HELP },
  resume: { run: pauseOrResume(false), help: PAUSE_HELP },
};

/** Runs one command; returns the exit code (0 ok, 1 failed, 2 wrong usage). Errors print one line. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') return io.out(HELP), name ? 0 : 2;
  if (name === 'help') {
    const topic = rest[0] ? COMMANDS[rest[0]] : undefined;
    return io.out(topic ? `${topic.help}\n\n${GLOBAL_HELP}` : HELP), 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`flatmachines-hub: unknown command ${JSON.stringify(name)}; try: ${Object.keys(COMMANDS).join(', ')}`);
    return 2;
  }
  const withGlobal: Io = { ...io, out: (line) => io.out(line === command.help ? `${line}\n\n${GLOBAL_HELP}` : line) };
  try {
    return await command.run(rest, withGlobal);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`flatmachines-hub ${name}: ${err.message} (see: flatmachines-hub ${name} --help)`);
      return 2;
    }
    const message = err instanceof HubError || err instanceof Error ? err.message : String(err);
    io.err(`flatmachines-hub ${name}: ${message.replace(/\s*\n\s*/g, ' ')}`);
    return 1;
  }
}

/** Entry point of the bin. */
export function cli(): void {
  const io: Io = {
    stdin: process.stdin,
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    env: process.env,
  };
  main(process.argv.slice(2), io).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`flatmachines-hub: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
