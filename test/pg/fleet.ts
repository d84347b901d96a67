import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';
import { client } from '../helpers/http';
import { onDatabase } from './database';

const WORKER = path.join(__dirname, 'worker.mjs');

export interface WorkerReport {
  worker: string;
  completed: string[];
  rejected: string[];
  statuses: Record<string, number>;
  error?: string;
}

/** Runs worker.mjs processes, `apis[i % apis.length]` for worker i, until each exits. */
export function runWorkers(apis: string[], count: number, pool: string): Promise<WorkerReport[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => {
      const child = spawn(process.execPath, [WORKER], {
        env: {
          ...process.env,
          HUB_API: apis[i % apis.length],
          WORKER_ID: `${pool}-w${i}`,
          POOL: pool,
          LIMIT: String(1 + (i % 5)),
          BATCH: i % 2 ? '1' : '0',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      return new Promise<WorkerReport>((resolve, reject) =>
        child.on('exit', (code) => {
          const last = out.trim().split('\n').at(-1) ?? '';
          try {
            const report = JSON.parse(last) as WorkerReport;
            if (code !== 0) reject(new Error(`worker ${i} exited ${code}: ${report.error}`));
            else resolve(report);
          } catch {
            reject(new Error(`worker ${i} exited ${code} without a report: ${out}`));
          }
        }),
      );
    }),
  );
}

/** Pushes `n` items (data 0..n-1) in batches of 1000. */
export async function pushItems(api: string, pool: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < n; start += 1000) {
    const items = Array.from({ length: Math.min(1000, n - start) }, (_, k) => ({ data: start + k }));
    const r = await client(api).post(`/pools/${pool}/items`, { items });
    expect(r.status).toBe(201);
    ids.push(...r.body.ids);
  }
  return ids;
}

export interface Tally {
  items: number;
  completed: number;
  /** Items completed twice (a completion stored in history beside the item's own), or acknowledged to two workers. */
  duplicates: number;
  /** Items not completed, or completed but acknowledged to no worker. */
  lost: number;
}

/**
 * Checks every item of the pool in the database: completed once, by the one worker the hub
 * acknowledged the completion to, which also wrote its result. `history` keeps the attempts that
 * ended without completing the item; the completing one is the item's own columns (`status`,
 * `claimed_by`), so a `completed` attempt stored in `history` is a second completion.
 */
export async function tally(dbUrl: string, pool: string, reports: WorkerReport[]): Promise<Tally> {
  const acked = new Map<string, string[]>();
  for (const r of reports) for (const id of r.completed) acked.set(id, [...(acked.get(id) ?? []), r.worker]);
  const rows = await onDatabase(dbUrl, (c) =>
    c.query<{ id: string; status: string; claimed_by: string | null; result: { by: string } | null; history: { outcome: string }[] }>(
      'SELECT id::text, status, claimed_by, result, history FROM items WHERE pool = $1 ORDER BY id',
      [pool],
    ),
  );
  let duplicates = 0;
  let lost = 0;
  let completed = 0;
  for (const row of rows.rows) {
    const storedCompletions = row.history.filter((h) => h.outcome === 'completed').length;
    const by = acked.get(row.id) ?? [];
    if (row.status === 'completed') completed++;
    if (storedCompletions > 0 || by.length > 1) duplicates++;
    else if (row.status !== 'completed' || by.length === 0 || row.result?.by !== by[0] || row.claimed_by !== by[0]) lost++;
  }
  return { items: rows.rows.length, completed, duplicates, lost };
}

/** Sums the workers' answers by HTTP status. */
export function statusTotals(reports: WorkerReport[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const r of reports) for (const [s, n] of Object.entries(r.statuses)) totals[s] = (totals[s] ?? 0) + n;
  return totals;
}
