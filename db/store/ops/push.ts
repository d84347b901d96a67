/**
 * push: appends items to a pool, in order, all or none.
 *
 * - Each item is `pending`, or `scheduled` until its `run_at` (queue.ts `runAtOf`), with its
 *   priority, key and backoff, and `max_retries` from the item, else its pool's settings, else
 *   the default. Ids ascend in push order (claim order within a priority).
 * - Keys: an item whose `key` a live item of the pool holds (any status but completed: the
 *   partial unique index items_pool_key) is not added; its answer is that item, `created` false.
 *   A key repeated within the batch is answered with the batch's first.
 * - Counts: the insert triggers count the new items.
 * - Events: pool, when anything was added. Audit: none.
 */
import { MAX_RETRIES_DEFAULT, type NewItem, type Pushed } from '@/lib/contracts';
import { KEY_HOLDING, pushedStatus, runAtOf } from '../queue';
import { writeTx, type SqliteCtx } from '../sqlite/context';
import type { PgCtx } from '../pg/context';
import { pgRows, prepared, type Dialects } from './sql';

/** The row an item makes, as both engines take it (JSON as text). */
function rowOf(item: NewItem, now: number) {
  const runAt = runAtOf(item, now);
  const backoff = item.backoff ?? null; // an item's `none` is kept: it overrides its pool's policy
  return {
    data: JSON.stringify(item.data),
    status: pushedStatus(runAt, now),
    maxRetries: item.max_retries ?? null,
    priority: item.priority ?? 0,
    runAt,
    key: item.key ?? null,
    backoff: backoff && JSON.stringify(backoff),
  };
}

/** The pool's `max_retries` for an item that names none. */
const POOL_MAX_RETRIES = `coalesce((SELECT max_retries FROM pool_settings WHERE pool = @pool), ${MAX_RETRIES_DEFAULT})`;

/** SQLite inserts item by item in one transaction (statements cost microseconds there); PostgreSQL the whole batch in one statement, in order. */
const INSERT: Dialects = {
  sqlite: `INSERT INTO items (pool, data, status, max_retries, created_at, priority, run_at, key, backoff)
    VALUES (@pool, @data, @status, coalesce(@maxRetries, ${POOL_MAX_RETRIES}), @now, @priority, @runAt, @key, @backoff)
    ON CONFLICT DO NOTHING`,
  pg: `INSERT INTO items (pool, data, status, max_retries, created_at, priority, run_at, key, backoff)
    SELECT @pool, (r ->> 'data')::jsonb, r ->> 'status', coalesce((r ->> 'maxRetries')::int, ${POOL_MAX_RETRIES}), @now,
      (r ->> 'priority')::int, (r ->> 'runAt')::bigint, r ->> 'key', (r ->> 'backoff')::jsonb
    FROM jsonb_array_elements(@rows::jsonb) WITH ORDINALITY AS b(r, n) ORDER BY n
    ON CONFLICT DO NOTHING RETURNING id, key`,
};

/** The items of the pool holding these keys. */
const HOLDERS: Dialects = {
  sqlite: `SELECT id FROM items WHERE pool = @pool AND key = @key AND status IN ${KEY_HOLDING}`,
  pg: `SELECT id, key FROM items WHERE pool = @pool AND key = ANY(@keys::text[]) AND status IN ${KEY_HOLDING}`,
};

export function pushSqlite(ctx: SqliteCtx, pool: string, batch: NewItem[]): Pushed {
  const now = ctx.clock();
  const pushed: Pushed = { ids: [], created: [] };
  writeTx(ctx, () => {
    for (const item of batch) {
      const row = rowOf(item, now);
      const r = prepared(ctx, INSERT.sqlite).run({ pool, now, ...row });
      const created = r.changes > 0;
      // Not inserted: a live item of the pool holds the key (inside the write lock, it still does).
      const id = created ? r.lastInsertRowid : prepared<object, { id: number }>(ctx, HOLDERS.sqlite).get({ pool, key: row.key })!.id;
      pushed.ids.push(String(id));
      pushed.created.push(created);
    }
  });
  if (pushed.created.includes(true)) ctx.emit({ type: 'pool', name: pool });
  return pushed;
}

export async function pushPg(ctx: PgCtx, pool: string, batch: NewItem[]): Promise<Pushed> {
  const now = ctx.clock();
  const rows = await pgRows<{ id: number; key: string | null }>(ctx.db, INSERT.pg, {
    pool,
    now,
    rows: JSON.stringify(batch.map((item) => rowOf(item, now))),
  });
  // RETURNING order is not promised: ids ascend in input order. The rows made are the items
  // without a key and the first of each key not held already.
  const made = rows.map((r) => r.id).sort((x, y) => x - y);
  const madeKeys = new Set(rows.map((r) => r.key));
  const ids: (string | null)[] = [];
  const created: boolean[] = [];
  let next = 0;
  for (const item of batch) {
    const isNew = item.key === undefined || madeKeys.delete(item.key);
    ids.push(isNew ? String(made[next++]) : null);
    created.push(isNew);
  }
  const skipped = batch.flatMap((item, i) => (ids[i] === null ? [item.key!] : []));
  if (skipped.length) {
    const held = await pgRows<{ id: number; key: string }>(ctx.db, HOLDERS.pg, { pool, keys: skipped });
    const holder = new Map(held.map((h) => [h.key, String(h.id)]));
    // A key whose item completed between the INSERT and this read is free again: push those anew.
    const free = batch.filter((item, i) => ids[i] === null && !holder.has(item.key!));
    const again = free.length ? await pushPg(ctx, pool, free) : { ids: [], created: [] };
    let j = 0;
    batch.forEach((item, i) => {
      if (ids[i] !== null) return;
      const id = holder.get(item.key!);
      if (id !== undefined) ids[i] = id;
      else [ids[i], created[i]] = [again.ids[j]!, again.created[j++]!];
    });
  }
  if (rows.length) ctx.emit({ type: 'pool', name: pool });
  return { ids: ids as string[], created };
}
