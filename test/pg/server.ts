import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
/** The local cluster the tests run against (Debian's pg_ctlcluster naming). */
const CLUSTER = (process.env.HUB_TEST_PG_CLUSTER ?? '15 main').split(' ');

export async function pgctl(action: 'start' | 'stop'): Promise<void> {
  await run('pg_ctlcluster', [...CLUSTER, action, ...(action === 'stop' ? ['-m', 'fast'] : [])]);
}

export async function isOnline(): Promise<boolean> {
  const { stdout } = await run('pg_lsclusters', ['-h']);
  const [version, name] = CLUSTER;
  return stdout.split('\n').some((l) => {
    const f = l.trim().split(/\s+/);
    return f[0] === version && f[1] === name && f[3] === 'online';
  });
}

/** Starts the cluster unless it is running: the whole machine shares it. */
export async function ensureOnline(): Promise<void> {
  if (!(await isOnline())) await pgctl('start');
}
