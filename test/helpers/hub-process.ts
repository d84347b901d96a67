import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { tempDbFile, tempDir } from './tmp';

const REPO = path.resolve(__dirname, '../..');

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface HubProcess {
  url: string;
  /** `${url}/api/v1` */
  api: string;
  port: number;
  databaseUrl: string;
  child: ChildProcess;
  /** Everything the hub printed so far. */
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

/** Debian's libfaketime (package faketime, which .ci/run installs). */
export const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

/** The wall clock of a hub process, which the test moves instead of sleeping. */
export interface HubClock {
  /**
   * Moves the hub's wall clock (Date.now, and so its store's clock: heartbeat ages, the reaper's
   * and the pruner's cut-offs) `seconds` ahead, from its next reading on. Timers still run on
   * the real monotonic clock.
   */
  advance(seconds: number): void;
}

/**
 * `startHub` with a wall clock the test moves: libfaketime preloaded into the hub process reads
 * its offset from a file at every reading of the clock (FAKETIME_NO_CACHE). For what hangs on a
 * heartbeat's or an item's age, where a test would otherwise sleep past a threshold.
 */
export async function startHubWithClock(env: Record<string, string> = {}): Promise<HubProcess & { clock: HubClock }> {
  if (!existsSync(LIBFAKETIME)) throw new Error(`a hub with a movable clock needs ${LIBFAKETIME}: as root, apt-get install -y faketime`);
  const { dir, cleanup } = tempDir('clock-');
  const file = path.join(dir, 'offset');
  let offset = 0;
  const write = () => {
    // Whole, never half-written: the hub may read it at any moment.
    writeFileSync(`${file}.next`, `+${offset}s\n`);
    renameSync(`${file}.next`, file);
  };
  write();
  let hub: HubProcess;
  try {
    hub = await startHub({
      ...env,
      LD_PRELOAD: LIBFAKETIME,
      FAKETIME_TIMESTAMP_FILE: file,
      FAKETIME_NO_CACHE: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    });
  } catch (err) {
    cleanup();
    throw err;
  }
  return {
    ...hub,
    clock: {
      advance(seconds) {
        if (!Number.isInteger(seconds) || seconds < 0) throw new Error(`advance by whole seconds ahead, not ${seconds}`);
        offset += seconds;
        write();
      },
    },
    stop: async (signal) => {
      await hub.stop(signal);
      cleanup();
    },
  };
}

/**
 * Starts the built hub (scripts/serve.ts, as `npm start` does; run `next build` first) on a free port of 127.0.0.1
 * with a fresh SQLite file unless `env.DATABASE_URL` says otherwise, and waits until /healthz
 * answers.
 */
export async function startHub(env: Record<string, string> = {}): Promise<HubProcess> {
  const port = await freePort();
  const db = env.DATABASE_URL ? null : tempDbFile();
  const databaseUrl = env.DATABASE_URL ?? db!.file;
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(REPO, 'scripts/serve.ts')], {
    cwd: REPO,
    env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', ...env, DATABASE_URL: databaseUrl, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  // A minute: on a busy 2-core machine a cold start (Next.js, migrations) can take half of it.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hub exited with ${child.exitCode}:\n${log}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`hub did not become healthy in 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    api: `${url}/api/v1`,
    port,
    databaseUrl,
    child,
    output: () => log,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill(signal);
        await exited;
      }
      db?.cleanup();
    },
  };
}
